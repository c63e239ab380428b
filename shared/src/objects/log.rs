//! The archive's side of the log: signed checkpoints (RFC 9162 §4.10 tree heads) and the
//! acknowledgement a family keeps as proof that the school received what they sent.

use crate::envelope::SignedObject;
use crate::primitives::{Digest, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use serde::{Deserialize, Serialize};

/// A signed statement of the log's size and Merkle root at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The school's root public key.
    pub school: PublicKey,
    /// Number of entries in the log.
    #[serde(with = "crate::validate::safe_integer")]
    pub tree_size: u64,
    /// The Merkle tree hash (RFC 9162 §2.1.1) of those entries.
    pub root_hash: Digest,
    /// When the archive made the checkpoint.
    pub time: Timestamp,
}

impl SignedObject for Checkpoint {
    const KIND: &'static str = "checkpoint/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::safe_integer("tree_size", self.tree_size)
    }
}

/// The archive's signature over (object hash, log index, server time, checkpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the acknowledged object (a receipt or a request).
    pub object: Digest,
    /// Its index in the log.
    #[serde(with = "crate::validate::safe_integer")]
    pub log_index: u64,
    /// The archive's clock when the append committed: the trusted time of the object.
    pub server_time: Timestamp,
    /// A checkpoint whose tree contains the object.
    pub checkpoint: Checkpoint,
}

impl SignedObject for Acknowledgement {
    const KIND: &'static str = "acknowledgement/1";

    fn validate(&self) -> Result<(), ContentError> {
        self.checkpoint.validate()?;
        if self.log_index >= self.checkpoint.tree_size {
            return Err(ContentError::IndexOutsideTree { index: self.log_index, tree_size: self.checkpoint.tree_size });
        }
        Ok(())
    }
}
