//! How the widget talks to the verifier service: `fetch` in the browser, a real HTTP client in
//! the native tests. Only status and body matter; everything else is the service's contract
//! (`verifier/openapi.json`).

use crate::problem::Problem;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// The two requests the widget makes. An `Err` means the service was not reached at all.
#[allow(async_fn_in_trait)] // Used only by this crate, in one thread: no `Send` bound is wanted.
pub trait Transport {
    /// `GET path`, with an `Authorization` header when given.
    async fn get(&self, path: &str, authorization: Option<&str>) -> Result<Reply, Problem>;
    /// `POST path` with a JSON body.
    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, Problem>;
}

/// The [`Problem`] of a request that got no answer at all. "No internet connection" only when the
/// device says it has none (`navigator.onLine` false): a browser that is online and still gets
/// no answer — refused, unknown host, timed out — met the school's service's problem, and the
/// family should not be sent to check their connection.
pub fn not_answered(online: bool, detail: String) -> Problem {
    if online {
        Problem::Unreachable(detail)
    } else {
        Problem::Offline(detail)
    }
}

impl Reply {
    /// The body of a 200, or the [`Problem`] the status and error body describe.
    pub fn ok(self) -> Result<Vec<u8>, Problem> {
        shared::client::success(self.status, self.body).map_err(|(status, code, message)| {
            match (status, code.as_str()) {
                (409, "invitation_used") => Problem::InvitationUsed,
                (410, "invitation_revoked") => Problem::InvitationReplaced,
                (410, _) => Problem::InvitationExpired,
                // A body cut short on the way arrived incomplete: sending it again may succeed.
                (408 | 429, _) | (400, "incomplete_body") | (500.., _) => Problem::Unavailable { status, message },
                _ => Problem::Refused { code, message },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: u16, body: &str, expected: Result<&str, Problem>) {
        let got = Reply { status, body: body.as_bytes().to_vec() }.ok();
        assert_eq!(got, expected.map(|b| b.as_bytes().to_vec()), "{status} {body}");
    }

    #[test]
    fn statuses_map_to_what_the_family_can_do() {
        check(200, "{}", Ok("{}"));
        let err = |code: &str| format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
        check(409, &err("invitation_used"), Err(Problem::InvitationUsed));
        check(410, &err("invitation_expired"), Err(Problem::InvitationExpired));
        check(410, &err("invitation_revoked"), Err(Problem::InvitationReplaced));
        check(503, &err("storage_unavailable"), Err(Problem::Unavailable { status: 503, message: "m".into() }));
        check(429, &err("rate_limited"), Err(Problem::Unavailable { status: 429, message: "m".into() }));
        check(409, &err("replay"), Err(Problem::Refused { code: "replay".into(), message: "m".into() }));
        check(400, &err("incomplete_body"), Err(Problem::Unavailable { status: 400, message: "m".into() }));
        check(502, "Bad Gateway", Err(Problem::Unavailable { status: 502, message: "Bad Gateway".into() }));
    }

    #[test]
    fn no_internet_connection_is_said_only_when_the_device_is_offline() {
        use shared::texts::Key;
        assert_eq!(not_answered(false, "TypeError".into()).text_key(), Key::QueueOfflineNotice);
        assert_eq!(not_answered(true, "TypeError".into()).text_key(), Key::ErrorService);
        assert!(not_answered(true, "TypeError".into()).is_temporary(), "what was signed stays queued");
    }
}
