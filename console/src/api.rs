//! How the console talks to the verifier service: one [`Transport`] (`fetch` in the browser),
//! and the reading of an answer's status and error body into a [`Problem`]. Signing the calls
//! is [`crate::session`]'s.

use crate::problem::Problem;
use shared::objects::Method;

/// One request to the service.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// `GET` or `POST`.
    pub method: Method,
    /// The path and query, exactly as signed.
    pub path: &'a str,
    /// The `Authorization` header, for a signed call.
    pub authorization: Option<&'a str>,
    /// A JSON body, for a `POST`.
    pub body: Option<&'a [u8]>,
}

/// An HTTP answer: only status and body matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// Sends calls to the service. An `Err` means no answer came at all.
#[allow(async_fn_in_trait)] // One thread in the browser: no `Send` bound is wanted.
pub trait Transport {
    /// Sends `call` and waits for the whole answer.
    async fn send(&self, call: Call<'_>) -> Result<Reply, Problem>;
}

impl Reply {
    /// The body of a 200, or the [`Problem`] that status and error body describe.
    pub fn ok(self) -> Result<Vec<u8>, Problem> {
        shared::client::success(self.status, self.body).map_err(|(status, code, message)| {
            match (status, code.as_str()) {
                (401, _) => Problem::AccessEnded(message),
                (403, _) => Problem::Forbidden(message),
                (409, "invitation_used") => Problem::LinkUsed,
                (410, _) => Problem::LinkExpired,
                (408 | 429, _) | (500.., _) => Problem::Unavailable { status, message },
                (status, _) => Problem::Refused { status, code, message },
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

    fn error(code: &str) -> String {
        format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#)
    }

    #[test]
    fn statuses_map_to_what_staff_can_do() {
        check(200, "{}", Ok("{}"));
        check(401, &error("unauthorized"), Err(Problem::AccessEnded("m".into())));
        check(403, &error("forbidden"), Err(Problem::Forbidden("m".into())));
        check(409, &error("invitation_used"), Err(Problem::LinkUsed));
        check(410, &error("invitation_expired"), Err(Problem::LinkExpired));
        let refused = |status, code: &str| Problem::Refused { status, code: code.into(), message: "m".into() };
        check(400, &error("schema"), Err(refused(400, "schema")));
        check(404, &error("not_found"), Err(refused(404, "not_found")));
        check(409, &error("already_decided"), Err(refused(409, "already_decided")));
        check(503, &error("busy"), Err(Problem::Unavailable { status: 503, message: "m".into() }));
        check(502, "Bad Gateway", Err(Problem::Unavailable { status: 502, message: "Bad Gateway".into() }));
    }
}
