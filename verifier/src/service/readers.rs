//! Read-only access for handlers: a pool of archive handles, each its own SQLite connection,
//! used on tokio's blocking threads so that reads never wait for the writer (WAL lets readers
//! and the one writer work at once).

use super::error::ApiError;
use crate::archive::{Archive, Checked, Submission};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The pool.
#[derive(Clone)]
pub struct Readers {
    dir: PathBuf,
    idle: Arc<Mutex<Vec<Archive>>>,
}

impl Readers {
    /// A pool over the archive in `dir`.
    pub fn new(dir: PathBuf) -> Readers {
        Readers { dir, idle: Arc::new(Mutex::new(Vec::new())) }
    }

    /// Runs `read` with an archive handle on a blocking thread. Nothing is answered from a
    /// database that lost what the log ledger witnessed.
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Archive) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.with_handle(move |archive| archive.ensure_whole().map_err(ApiError::from).and_then(|()| read(archive)))
            .await
    }

    /// Verifies a submission on a blocking thread, for the writer to append. The ledger's check
    /// waits for the writer, which makes it before it appends anything: what verifying reads —
    /// certificates and forms — never changes once logged. Only a refusal checks it here, since
    /// a certificate may be missing because the database lost entries, which is said first.
    pub async fn verify(&self, submission: Submission) -> Result<Checked, ApiError> {
        self.with_handle(move |archive| match archive.verify_submission(&submission) {
            Ok(checked) => Ok(checked),
            Err(refused) => {
                archive.ensure_whole()?;
                Err(refused.into())
            }
        })
        .await
    }

    async fn with_handle<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Archive) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let archive = match pool.idle.lock().map(|mut idle| idle.pop()) {
                Ok(Some(archive)) => archive,
                _ => Archive::open(&pool.dir)?,
            };
            let result = work(&archive);
            if let Ok(mut idle) = pool.idle.lock() {
                idle.push(archive);
            }
            result
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }
}
