//! The invitation link. The school sends `https://school.example/consent.html#invitation=<…>`,
//! the invitation's canonical bytes in base64url: a URL fragment never reaches the web server,
//! so invitations stay out of its access logs. Read as the console reads its staff link
//! (`shared::client`).

pub use shared::client::{base64url, Fragment};

/// The name of the fragment parameter that carries the invitation.
pub const PARAMETER: &str = "invitation";

/// Reads a URL fragment (`#invitation=…`, with or without the `#`).
pub fn read_fragment(fragment: &str) -> Fragment {
    shared::client::fragment_parameter(fragment, PARAMETER)
}
