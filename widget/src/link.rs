//! The invitation link. The school sends `https://school.example/consent.html#invitation=<…>`,
//! the invitation's canonical bytes in base64url: a URL fragment never reaches the web server,
//! so invitations stay out of its access logs. Read as the console reads its staff link
//! (`shared::client`). A printed letter's link is shorter, `…#code=K7QF-2M9X-…`: the widget
//! exchanges the code for the invitation's bytes (`family::exchange_code`) and goes on as with a
//! long link.

pub use shared::client::{base64url, Fragment};

/// The name of the fragment parameter that carries the invitation.
pub const PARAMETER: &str = "invitation";

/// The name of the fragment parameter that carries a letter's short code.
pub const CODE_PARAMETER: &str = "code";

/// Reads a URL fragment (`#invitation=…`, with or without the `#`).
pub fn read_fragment(fragment: &str) -> Fragment {
    shared::client::fragment_parameter(fragment, PARAMETER)
}

/// The short code of a letter's link (`#code=…`), if the fragment carries one.
pub fn read_code(fragment: &str) -> Option<&str> {
    shared::client::fragment_text(fragment, CODE_PARAMETER)
}

/// The fragment of the long link to the invitation in `bytes`: what the address bar shows once a
/// code was exchanged, so that reopening the page opens this person's form as a long link does
/// (the code itself stops working once the device has enrolled).
pub fn fragment_of(bytes: &[u8]) -> String {
    format!("#{PARAMETER}={}", base64url(bytes))
}

/// Whether a fragment opens someone's form: an invitation (even a damaged one) or a code.
pub fn opens_a_form(fragment: &str) -> bool {
    read_fragment(fragment) != Fragment::Absent || read_code(fragment).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_link_is_what_a_code_becomes() {
        let fragment = fragment_of(b"{}");
        assert_eq!(read_fragment(&fragment), Fragment::Object(b"{}".to_vec()));
        assert!(opens_a_form(&fragment) && opens_a_form("#code=K7QF") && opens_a_form("#invitation=e"));
        assert!(!opens_a_form("#main"));
        assert_eq!(read_code("#code=K7QF-2M9X"), Some("K7QF-2M9X"));
    }
}
