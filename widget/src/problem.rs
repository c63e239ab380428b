//! What can go wrong, each with the sentence the family reads.

use shared::texts::Key;

/// Why a step did not complete. Every variant maps to one plain sentence ([`Problem::text_key`]);
/// the technical detail is kept for the browser console and for tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The page was opened without an invitation and nothing is kept on this device.
    #[error("no invitation in the link and no enrolment on this device")]
    NoInvitation,
    /// The form (or the invitation, or a delegation) does not verify under the school key the
    /// page was configured with: nothing is shown and nothing may be signed.
    #[error("not signed by the school key: {0}")]
    NotTheSchool(String),
    /// The invitation's expiry has passed and this device never enrolled with it.
    #[error("the invitation has expired")]
    InvitationExpired,
    /// Another device already enrolled with this invitation.
    #[error("the invitation was already used by another key")]
    InvitationUsed,
    /// The service could not be reached; whatever was signed stays queued.
    #[error("network: {0}")]
    Offline(String),
    /// The service answered with a temporary failure (5xx, 408, 429); retried later.
    #[error("service unavailable ({status}): {message}")]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// What the service said.
        message: String,
    },
    /// The service refused an object for good (4xx with a stable code).
    #[error("refused ({code}): {message}")]
    Refused {
        /// The service's stable error code.
        code: String,
        /// What the service said.
        message: String,
    },
    /// A certificate, acknowledgement or decision from the service does not verify, or is not
    /// about what was sent.
    #[error("the school's answer does not verify: {0}")]
    BadAnswer(String),
    /// The log's new checkpoint is not a consistent extension of the one this device saw.
    #[error("the school's log is not consistent with what this device saw: {0}")]
    LogInconsistent(String),
    /// A key backup file that is not one, or not for this school.
    #[error("not a key backup for this school: {0}")]
    KeyFileInvalid(String),
    /// The browser refused to store data (private mode, quota).
    #[error("this browser cannot keep data: {0}")]
    Storage(String),
}

impl Problem {
    /// The sentence shown to the family.
    pub fn text_key(&self) -> Key {
        match self {
            Problem::NoInvitation => Key::ErrorNoInvitation,
            Problem::NotTheSchool(_) => Key::ErrorFormSignature,
            Problem::InvitationExpired => Key::ErrorInvitationExpired,
            Problem::InvitationUsed => Key::ErrorInvitationUsed,
            Problem::Offline(_) => Key::QueueOfflineNotice,
            Problem::Unavailable { .. } | Problem::Refused { .. } | Problem::Storage(_) => Key::ErrorService,
            Problem::BadAnswer(_) => Key::ErrorAcknowledgementInvalid,
            Problem::LogInconsistent(_) => Key::ErrorLogInconsistent,
            Problem::KeyFileInvalid(_) => Key::ErrorKeyFileInvalid,
        }
    }

    /// Whether trying again later may succeed without anything changing on this device.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Problem::Offline(_) | Problem::Unavailable { .. })
    }
}
