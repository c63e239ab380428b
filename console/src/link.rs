//! The staff invitation link: `verifier staff invite` prints
//! `http://host/console/#staff-invitation=<base64url of the signed invitation>`. A fragment never
//! reaches the web server, so invitations stay out of its access logs.

use base64::Engine as _;

/// The fragment parameter that carries the invitation.
pub const PARAMETER: &str = "staff-invitation";

/// What the page's fragment says about a staff invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// None: a later visit, with the key this browser holds.
    Absent,
    /// A `staff-invitation=` whose value is not base64url: said so, never ignored.
    Damaged,
    /// The invitation's bytes, not verified yet.
    Invitation(Vec<u8>),
}

/// Reads a URL fragment, with or without its `#`.
pub fn read_fragment(fragment: &str) -> Fragment {
    let fragment = fragment.trim_start_matches('#');
    let value = fragment.split('&').find_map(|pair| pair.strip_prefix(PARAMETER).and_then(|v| v.strip_prefix('=')));
    match value.map(base64url_decode) {
        None => Fragment::Absent,
        Some(Some(bytes)) if !bytes.is_empty() => Fragment::Invitation(bytes),
        Some(_) => Fragment::Damaged,
    }
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// Base64url without padding, as the `Authorization: Staff …` header carries a signed request.
pub fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(fragment: &str, expected: Fragment) {
        assert_eq!(read_fragment(fragment), expected, "{fragment:?}");
    }

    #[test]
    fn the_invitation_is_read_from_its_own_parameter_only() {
        let invitation = || Fragment::Invitation(b"{}".to_vec());
        check("#staff-invitation=e30", invitation());
        check("staff-invitation=e30", invitation());
        check("#overview&staff-invitation=e30", invitation());
        check("#invitation=e30", Fragment::Absent);
        check("#photo-check", Fragment::Absent);
        check("", Fragment::Absent);
    }

    #[test]
    fn a_cut_or_edited_link_is_damaged() {
        check("#staff-invitation=", Fragment::Damaged);
        check("#staff-invitation=e30=", Fragment::Damaged);
        check("#staff-invitation=e", Fragment::Damaged);
        check("#staff-invitation=e3%30", Fragment::Damaged);
    }
}
