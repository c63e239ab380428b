//! The invitation link. The school sends `https://school.example/consent.html#invitation=<…>`,
//! the invitation's canonical bytes in base64url: a URL fragment never reaches the web server,
//! so invitations stay out of its access logs.

use base64::Engine as _;

/// The name of the fragment parameter that carries the invitation.
pub const PARAMETER: &str = "invitation";

/// What a URL fragment says about an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// No invitation in it: a later visit, from the device's own memory.
    NoInvitation,
    /// An `invitation=` whose value is not base64url: the link was cut or edited. It must be
    /// said so, never replaced by whoever this device opened last.
    Damaged,
    /// The invitation's bytes (not verified yet).
    Invitation(Vec<u8>),
}

/// Reads a URL fragment (`#invitation=…`, with or without the `#`).
pub fn read_fragment(fragment: &str) -> Fragment {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let Some(value) = fragment.split('&').find_map(|pair| pair.strip_prefix(PARAMETER)?.strip_prefix('=')) else {
        return Fragment::NoInvitation;
    };
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value) {
        Ok(bytes) if !bytes.is_empty() => Fragment::Invitation(bytes),
        _ => Fragment::Damaged,
    }
}

/// Base64url without padding, as the `Authorization` headers of the history route and the
/// invitation fragment use.
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
    fn invitation_is_read_from_the_fragment_only() {
        let invitation = || Fragment::Invitation(b"{}".to_vec());
        check("#invitation=e30", invitation());
        check("invitation=e30", invitation());
        check("#lang=pl&invitation=e30", invitation());
        check("#invitations=e30", Fragment::NoInvitation);
        check("#main", Fragment::NoInvitation);
        check("#", Fragment::NoInvitation);
        check("", Fragment::NoInvitation);
    }

    #[test]
    fn a_cut_or_edited_link_is_damaged_not_absent() {
        check("#invitation=e30=", Fragment::Damaged);
        check("#invitation=", Fragment::Damaged);
        check("#invitation=e3%30", Fragment::Damaged);
        check("#invitation=e", Fragment::Damaged);
    }
}
