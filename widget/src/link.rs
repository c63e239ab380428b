//! The invitation link. The school sends `https://school.example/consent.html#invitation=<…>`,
//! the invitation's canonical bytes in base64url: a URL fragment never reaches the web server,
//! so invitations stay out of its access logs.

use base64::Engine as _;

/// The name of the fragment parameter that carries the invitation.
pub const PARAMETER: &str = "invitation";

/// The invitation's bytes from a URL fragment (`#invitation=…`, with or without the `#`), or
/// `None` when the fragment holds none or it is not base64url.
pub fn invitation_from_fragment(fragment: &str) -> Option<Vec<u8>> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let value = fragment.split('&').find_map(|pair| pair.strip_prefix(PARAMETER)?.strip_prefix('='))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value).ok()
}

/// Base64url without padding, as the `Authorization: Consent …` header of the history route
/// and the invitation fragment use.
pub fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(fragment: &str, expected: Option<&[u8]>) {
        assert_eq!(invitation_from_fragment(fragment).as_deref(), expected, "{fragment:?}");
    }

    #[test]
    fn invitation_is_read_from_the_fragment_only() {
        check("#invitation=e30", Some(b"{}"));
        check("invitation=e30", Some(b"{}"));
        check("#lang=pl&invitation=e30", Some(b"{}"));
        check("#invitation=e30=", None);
        check("#invitations=e30", None);
        check("#", None);
        check("", None);
    }
}
