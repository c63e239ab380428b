//! What can go wrong, each with the sentence staff read and, where it helps, the service's own
//! words ("show the message plainly": a teacher asking outside their classes reads why).

use crate::texts::Key;

/// Why something the staff member asked for did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The link's `staff-invitation=` value is not base64url: it was cut or edited.
    #[error("the link is damaged")]
    LinkDamaged,
    /// The invitation in the link does not verify under the school's key.
    #[error("the invitation does not verify: {0}")]
    LinkInvalid(String),
    /// The invitation expired before it was used.
    #[error("the invitation has expired")]
    LinkExpired,
    /// The service already certified a key for this invitation.
    #[error("the invitation was used already")]
    LinkUsed,
    /// 401: the certificate is revoked or expired (or the service no longer knows it).
    #[error("access ended: {0}")]
    AccessEnded(String),
    /// 403: outside what the certified role and classes may see.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Another 4xx, with the service's code and message.
    #[error("refused ({status} {code}): {message}")]
    Refused {
        /// The status.
        status: u16,
        /// The service's error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// 5xx, 408 or 429: the service is there but cannot answer now.
    #[error("unavailable ({status}): {message}")]
    Unavailable {
        /// The status.
        status: u16,
        /// The service's message.
        message: String,
    },
    /// No answer at all.
    #[error("the service could not be reached: {0}")]
    Unreachable(String),
    /// An answer that does not decode, or a signed object that does not verify.
    #[error("the answer does not check out: {0}")]
    BadAnswer(String),
    /// The browser refused to keep the key and certificate.
    #[error("the browser would not store the access: {0}")]
    Storage(String),
}

impl Problem {
    /// The sentence the console shows.
    pub fn text_key(&self) -> Key {
        match self {
            Problem::LinkDamaged => Key::ErrorLinkDamaged,
            Problem::LinkInvalid(_) => Key::ErrorLinkInvalid,
            Problem::LinkExpired => Key::ErrorLinkExpired,
            Problem::LinkUsed => Key::ErrorLinkUsed,
            Problem::AccessEnded(_) => Key::ErrorAccessEnded,
            Problem::Forbidden(_) => Key::ErrorForbidden,
            Problem::Refused { .. } => Key::ErrorRefused,
            Problem::Unavailable { .. } => Key::ErrorUnavailable,
            Problem::Unreachable(_) => Key::ErrorUnreachable,
            Problem::BadAnswer(_) => Key::ErrorBadAnswer,
            Problem::Storage(_) => Key::ErrorStorage,
        }
    }

    /// What the service said, shown under the sentence when it tells staff more: why a request
    /// was refused, or what did not verify (for whoever runs the service).
    pub fn detail(&self) -> Option<&str> {
        match self {
            Problem::Forbidden(message) | Problem::Refused { message, .. } | Problem::BadAnswer(message) => {
                Some(message)
            }
            _ => None,
        }
    }

    /// Whether asking again may succeed, so that a "Try again" button is worth showing.
    pub fn may_pass(&self) -> bool {
        matches!(self, Problem::Unavailable { .. } | Problem::Unreachable(_))
    }

    /// Whether the console can do nothing more with its key: every screen is replaced by the
    /// sentence, rather than each failing on its own.
    pub fn ends_access(&self) -> bool {
        matches!(self, Problem::AccessEnded(_))
    }
}

/// An answer of the service that is not what the protocol says.
pub fn bad_answer(error: impl std::fmt::Display) -> Problem {
    Problem::BadAnswer(error.to_string())
}
