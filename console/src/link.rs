//! The staff invitation link: `verifier staff invite` prints
//! `http://host/console/#staff-invitation=<base64url of the signed invitation>`. A fragment never
//! reaches the web server, so invitations stay out of its access logs. Read as the widget reads a
//! family's link (`shared::client`).

pub use shared::client::{base64url, Fragment};

/// The fragment parameter that carries the invitation.
pub const PARAMETER: &str = "staff-invitation";

/// Reads a URL fragment, with or without its `#`.
pub fn read_fragment(fragment: &str) -> Fragment {
    shared::client::fragment_parameter(fragment, PARAMETER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_link_is_not_a_familys() {
        assert_eq!(read_fragment("#overview&staff-invitation=e30"), Fragment::Object(b"{}".to_vec()));
        assert_eq!(read_fragment("#invitation=e30"), Fragment::Absent);
    }
}
