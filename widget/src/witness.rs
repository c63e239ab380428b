//! Every family is a witness that the school's log only grows (RFC 9162 §2.1.4): the device
//! keeps the largest tree head the school signed for it — a checkpoint, or the one inside an
//! acknowledgement — and each later one must be a consistent extension of it, or a prefix.
//!
//! Because what is kept is the school's signed statement, not a copy of its numbers, a tree
//! head damaged on the device fails verification and is the device's own problem, while a
//! consistent-looking but different one is the school's: two signed tree heads that do not fit
//! together prove that its record changed.

use crate::history::bad_answer;
use crate::problem::Problem;
use serde::Deserialize;
use shared::objects::{Acknowledgement, Checkpoint};
use shared::primitives::Digest;
use shared::trust::TrustStore;
use shared::SignedObject;

/// A tree head the school signed, and the bytes that prove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHead {
    /// Entries in the log.
    pub tree_size: u64,
    /// Its Merkle root.
    pub root_hash: Digest,
    /// The signed checkpoint or acknowledgement stating it (canonical JSON).
    pub signed: String,
}

impl TreeHead {
    /// The tree head of a signed checkpoint or acknowledgement, verified under `trust`.
    pub fn verify(trust: &TrustStore, signed: &str) -> Result<TreeHead, Problem> {
        let bytes = signed.as_bytes();
        let checkpoint = match kind_of(bytes).as_deref() {
            Some(Checkpoint::KIND) => trust.checkpoint(bytes).map_err(bad_answer)?.body().clone(),
            Some(Acknowledgement::KIND) => trust.acknowledgement(bytes).map_err(bad_answer)?.body().checkpoint.clone(),
            other => return Err(Problem::BadAnswer(format!("{other:?} states no tree head"))),
        };
        Ok(TreeHead { tree_size: checkpoint.tree_size, root_hash: checkpoint.root_hash, signed: signed.to_owned() })
    }

    /// The range of the consistency proof that relates `self` and `other`, smaller tree first,
    /// or `None` when they have the same size (then their roots must be equal).
    pub fn proof_range(&self, other: &TreeHead) -> Option<(u64, u64)> {
        let (a, b) = (self.tree_size, other.tree_size);
        (a != b).then(|| (a.min(b), a.max(b)))
    }

    /// Checks that `self` and `other` describe one log: the smaller is a prefix of the larger,
    /// by `proof` (empty when they have the same size).
    pub fn consistent_with(&self, other: &TreeHead, proof: &[Digest]) -> Result<(), Problem> {
        let (older, newer) = if self.tree_size <= other.tree_size { (self, other) } else { (other, self) };
        shared::merkle::verify_consistency(older.tree_size, newer.tree_size, &older.root_hash, &newer.root_hash, proof)
            .map_err(|e| Problem::LogInconsistent(e.to_string()))
    }
}

/// `GET /v1/proof/consistency`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    first: u64,
    second: u64,
    proof: Vec<Digest>,
}

impl ConsistencyProof {
    /// The proof's hashes, if it is the proof between the sizes asked for.
    pub fn between(self, first: u64, second: u64) -> Result<Vec<Digest>, Problem> {
        if (self.first, self.second) != (first, second) {
            return Err(Problem::BadAnswer(format!(
                "a consistency proof from {} to {} entries, asked for {first} to {second}",
                self.first, self.second
            )));
        }
        Ok(self.proof)
    }
}

/// The `kind` of a signed object, before anything about it is trusted.
pub fn kind_of(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    shared::encoding::from_json::<Kind>(bytes).ok().map(|k| k.kind)
}
