//! Reading one's own history: the person proves who they are by signing a fresh challenge from
//! the service with their enrolled key, so that nobody reads another family's decisions.

use crate::envelope::SignedObject;
use crate::primitives::{Digest, Nonce, PublicKey};
use crate::time::Timestamp;
use crate::validate::ContentError;
use serde::{Deserialize, Serialize};

/// A request to read the history of the student a certificate is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRequest {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the requester's enrolment certificate; its key must have signed this request.
    pub certificate: Digest,
    /// The challenge the service issued; it is single-use and short-lived.
    pub challenge: Nonce,
    /// The device's clock.
    pub client_time: Timestamp,
}

impl SignedObject for HistoryRequest {
    const KIND: &'static str = "history-request/1";

    fn validate(&self) -> Result<(), ContentError> {
        Ok(())
    }
}
