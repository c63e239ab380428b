//! What the service hands out about the log itself: the latest signed checkpoint, and RFC 9162
//! inclusion and consistency proofs against it, read from one snapshot.

use super::nodes::SqlNodes;
use super::{read, Archive, ArchiveError};
use crate::merkle::{self, TreeError};
use shared::primitives::Digest;

/// Why a proof cannot be given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofRequestError {
    /// The object is not in the log.
    #[error("{0} is not in the log")]
    NotLogged(Digest),
    /// Sizes that do not describe the log (zero, beyond its size, first after second…).
    #[error("{0}")]
    BadRange(String),
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

impl From<TreeError<rusqlite::Error>> for ProofRequestError {
    fn from(error: TreeError<rusqlite::Error>) -> ProofRequestError {
        match error {
            TreeError::Store(e) => ArchiveError::Storage(e).into(),
            other => ProofRequestError::BadRange(other.to_string()),
        }
    }
}

impl Archive {
    /// The latest signed checkpoint's bytes, if anything was logged.
    pub fn latest_checkpoint(&self) -> Result<Option<Vec<u8>>, ArchiveError> {
        let snapshot = self.snapshot()?;
        read::checkpoint(&snapshot, read::tree_size(&snapshot)?)
    }

    /// The index of `hash` and its inclusion proof in the tree of `tree_size` entries (default:
    /// the whole log).
    pub fn inclusion_proof(
        &self,
        hash: Digest,
        tree_size: Option<u64>,
    ) -> Result<(u64, u64, Vec<Digest>), ProofRequestError> {
        let snapshot = self.snapshot()?;
        let size = read::tree_size(&snapshot)?;
        let tree_size = tree_size.unwrap_or(size);
        if tree_size > size {
            return Err(ProofRequestError::BadRange(format!("the log has {size} entries, not {tree_size}")));
        }
        let index = read::index_of(&snapshot, hash)?.ok_or(ProofRequestError::NotLogged(hash))?;
        Ok((index, tree_size, merkle::inclusion_proof(&SqlNodes(&snapshot), index, tree_size)?))
    }

    /// The consistency proof between the trees of `first` and `second` entries.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Digest>, ProofRequestError> {
        let snapshot = self.snapshot()?;
        let size = read::tree_size(&snapshot)?;
        if second > size {
            return Err(ProofRequestError::BadRange(format!("the log has {size} entries, not {second}")));
        }
        Ok(merkle::consistency_proof(&SqlNodes(&snapshot), first, second)?)
    }
}
