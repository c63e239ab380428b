//! The Merkle tree's complete subtrees, stored in `tree_nodes`.

use crate::merkle::NodeStore;
use rusqlite::{Connection, OptionalExtension};
use shared::primitives::Digest;

/// `tree_nodes` seen through a connection or an open transaction.
pub(crate) struct SqlNodes<'c>(pub(crate) &'c Connection);

impl NodeStore for SqlNodes<'_> {
    type Error = rusqlite::Error;

    fn node(&self, level: u32, index: u64) -> Result<Option<Digest>, rusqlite::Error> {
        let Ok(index) = i64::try_from(index) else { return Ok(None) };
        self.0
            .prepare_cached("SELECT hash FROM tree_nodes WHERE level = ?1 AND idx = ?2")?
            .query_row((level, index), |row| row.get::<_, Vec<u8>>(0))
            .optional()
            .map(|hash| hash.and_then(|h| <[u8; 32]>::try_from(h).ok()).map(Digest))
    }
}
