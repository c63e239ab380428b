//! What the two browser apps, the families' widget and the staff console, share as clients of
//! the service: a link's fragment parameter, the service's error body and its challenges, and
//! the shape of the store they keep things in. Parsing only: fetching and storing are the
//! browser's (`consent-web`) and each app's.

use crate::primitives::Nonce;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// What a URL fragment says about the parameter that carries a signed object (`invitation=`,
/// `staff-invitation=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// The parameter is not there: a later visit, from what the browser kept.
    Absent,
    /// The parameter's value is not base64url: the link was cut or edited. It must be said so,
    /// never replaced by whatever this browser opened last.
    Damaged,
    /// The object's bytes, not verified yet.
    Object(Vec<u8>),
}

/// Reads the parameter `name` of a URL fragment (with or without its `#`), among others joined
/// by `&`, as base64url bytes.
pub fn fragment_parameter(fragment: &str, name: &str) -> Fragment {
    let Some(value) = fragment_text(fragment, name) else {
        return Fragment::Absent;
    };
    match from_base64url(value) {
        Some(bytes) if !bytes.is_empty() => Fragment::Object(bytes),
        _ => Fragment::Damaged,
    }
}

/// The text of the parameter `name` of a URL fragment (with or without its `#`), among others
/// joined by `&`, as it stands (a printed letter's `code=K7QF-…`); `None` when it is not there.
pub fn fragment_text<'a>(fragment: &'a str, name: &str) -> Option<&'a str> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Base64url without padding, as links and the `Authorization` headers carry signed objects.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of base64url text without padding; `None` for anything else (the decoder refuses
/// a non-canonical last character too).
pub fn from_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// The service's error body, `{"error": {"code": …, "message": …}}`, as (code, message); for any
/// other body (a proxy's page), no code and the body's first 200 characters.
pub fn service_error(body: &[u8]) -> (String, String) {
    #[derive(Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(Deserialize)]
    struct Detail {
        code: String,
        message: String,
    }
    match crate::encoding::from_json::<Body>(body) {
        Ok(Body { error }) => (error.code, error.message),
        Err(_) => (String::new(), String::from_utf8_lossy(body).chars().take(200).collect()),
    }
}

/// The body of an answer with status 200; for any other status, the status with the error
/// body's code and message ([`service_error`]), for each app to say what it means for its users.
pub fn success(status: u16, body: Vec<u8>) -> Result<Vec<u8>, (u16, String, String)> {
    if status == 200 {
        return Ok(body);
    }
    let (code, message) = service_error(&body);
    Err((status, code, message))
}

/// A small key–value store of text, like the browser's `localStorage` (a map in tests): where
/// each app keeps what it must not forget — a family's device, a staff member's key.
pub trait Store {
    /// The value under `key`, if any.
    fn load(&self, key: &str) -> Option<String>;
    /// Replaces the value under `key`; fails when the browser refuses (quota, private mode).
    fn save(&self, key: &str, value: &str) -> Result<(), StorageRefused>;
}

/// The browser refused to store something, in its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRefused(pub String);

/// `GET /v1/challenge`: a fresh single-use challenge.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The challenge to sign.
    pub challenge: Nonce,
    /// The service enforces it; the apps use a challenge at once.
    #[serde(rename = "expires")]
    _expires: IgnoredAny,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(fragment: &str, expected: Fragment) {
        assert_eq!(fragment_parameter(fragment, "invitation"), expected, "{fragment:?}");
    }

    #[test]
    fn a_parameter_is_read_from_the_fragment_by_its_whole_name() {
        let object = || Fragment::Object(b"{}".to_vec());
        check("#invitation=e30", object());
        check("invitation=e30", object());
        check("#lang=pl&invitation=e30", object());
        check("#invitations=e30", Fragment::Absent);
        check("#main", Fragment::Absent);
        check("#", Fragment::Absent);
        check("", Fragment::Absent);
        assert_eq!(fragment_parameter("#staff-invitation=e30", "invitation"), Fragment::Absent);
        assert_eq!(fragment_parameter("#staff-invitation=e30", "staff-invitation"), object());
    }

    #[test]
    fn a_text_parameter_is_read_as_it_stands() {
        assert_eq!(fragment_text("#code=K7QF-2M9X", "code"), Some("K7QF-2M9X"));
        assert_eq!(fragment_text("lang=pl&code=", "code"), Some(""));
        assert_eq!(fragment_text("#codes=K7QF", "code"), None);
        assert_eq!(fragment_text("#invitation=e30", "code"), None);
    }

    #[test]
    fn a_cut_or_edited_link_is_damaged_not_absent() {
        for damaged in ["#invitation=e30=", "#invitation=", "#invitation=e3%30", "#invitation=e", "#invitation=e31"] {
            check(damaged, Fragment::Damaged);
        }
    }

    #[test]
    fn base64url_is_the_url_alphabet_without_padding() {
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(from_base64url("-_8"), Some(b"\xfb\xff".to_vec()));
        assert_eq!(from_base64url("e3+"), None, "the standard alphabet's + is not base64url");
    }

    #[test]
    fn an_error_body_gives_its_code_and_message_and_anything_else_its_text() {
        let body = br#"{"error":{"code":"replay","message":"m"}}"#;
        assert_eq!(service_error(body), ("replay".into(), "m".into()));
        assert_eq!(service_error(b"Bad Gateway"), (String::new(), "Bad Gateway".into()));
    }
}
