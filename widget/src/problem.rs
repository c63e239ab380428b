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
    /// The link's invitation does not decode: it was cut short or edited on the way.
    #[error("the invitation in the link does not decode")]
    LinkDamaged,
    /// The link's invitation decodes but is not an invitation signed by this school's key.
    #[error("the link is not an invitation from this school: {0}")]
    LinkNotValid(String),
    /// The form (or a delegation) does not verify under the school key the page was configured
    /// with: nothing is shown and nothing may be signed.
    #[error("not signed by the school key: {0}")]
    NotTheSchool(String),
    /// The invitation's expiry has passed and this device never enrolled with it.
    #[error("the invitation has expired")]
    InvitationExpired,
    /// Another device already enrolled with this invitation.
    #[error("the invitation was already used by another key")]
    InvitationUsed,
    /// The school sent this person a newer invitation, which replaced this one.
    #[error("the invitation was replaced by a newer one")]
    InvitationReplaced,
    /// A printed letter's code that opens nothing: unknown, or its invitation used, replaced or
    /// expired. Only the school office can help: a new letter.
    #[error("the letter's code opens no invitation: {0}")]
    CodeRefused(String),
    /// The device has no network connection (the browser says it is offline); whatever was
    /// signed stays queued.
    #[error("offline: {0}")]
    Offline(String),
    /// The device is online but the service could not be reached (refused, unknown host, no
    /// answer in time): the school's service has a problem, not the family's connection;
    /// whatever was signed stays queued.
    #[error("the service could not be reached: {0}")]
    Unreachable(String),
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
    /// The school's log is smaller than, or not an extension of, a tree head the school signed
    /// for this device before: its record is behind what it confirmed.
    #[error("the school's log is not consistent with what this device saw: {0}")]
    LogInconsistent(String),
    /// A key backup file that is not one, or not for this school.
    #[error("not a key backup for this school: {0}")]
    KeyFileInvalid(String),
    /// What this browser kept for the person cannot be read, and the school's record cannot
    /// restore it (the secret key is damaged): only a backup or a new link helps.
    #[error("the data kept on this device is damaged: {0}")]
    DeviceDamaged(String),
    /// The browser refused to store data (private mode, quota).
    #[error("this browser cannot keep data: {0}")]
    Storage(String),
}

impl Problem {
    /// The sentence shown to the family.
    pub fn text_key(&self) -> Key {
        match self {
            Problem::NoInvitation => Key::ErrorNoInvitation,
            Problem::LinkDamaged => Key::ErrorLinkDamaged,
            Problem::LinkNotValid(_) => Key::ErrorLinkNotValid,
            Problem::NotTheSchool(_) => Key::ErrorFormSignature,
            Problem::InvitationExpired => Key::ErrorInvitationExpired,
            Problem::InvitationUsed => Key::ErrorInvitationUsed,
            Problem::InvitationReplaced => Key::ErrorInvitationReplaced,
            Problem::CodeRefused(_) => Key::ErrorCodeRefused,
            Problem::Offline(_) => Key::QueueOfflineNotice,
            Problem::Unreachable(_) | Problem::Unavailable { .. } | Problem::Refused { .. } => Key::ErrorService,
            Problem::BadAnswer(_) => Key::ErrorAcknowledgementInvalid,
            Problem::LogInconsistent(_) => Key::ErrorLogInconsistent,
            Problem::KeyFileInvalid(_) => Key::ErrorKeyFileInvalid,
            Problem::DeviceDamaged(_) => Key::ErrorDeviceDamaged,
            Problem::Storage(_) => Key::ErrorStorage,
        }
    }

    /// Whether trying again later may succeed without anything changing on this device.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Problem::Offline(_) | Problem::Unreachable(_) | Problem::Unavailable { .. })
    }

    /// Whether opening the page again may succeed: not for a link or saved state that is what
    /// it is, only for what the service or the network might answer differently.
    pub fn may_pass(&self) -> bool {
        self.is_temporary()
            || matches!(self, Problem::NotTheSchool(_) | Problem::BadAnswer(_) | Problem::Refused { .. })
    }

    /// Whether this invitation can no longer enrol a key on this device: used elsewhere,
    /// replaced or expired. Nothing that needs enrolment is retried after it.
    pub fn closes_the_link(&self) -> bool {
        matches!(self, Problem::InvitationUsed | Problem::InvitationReplaced | Problem::InvitationExpired)
    }
}
