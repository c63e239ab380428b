//! Retention (PRODUCT.md rule 8, policy 2.5): once a student's record has been closed for the
//! limitation period, their personal data is deleted and the bytes of their log entries are
//! redacted. The log stays verifiable: each redacted entry keeps its row, its hash and its leaf
//! in the Merkle tree, so every root, checkpoint, acknowledgement and proof of other entries is
//! unchanged; only the redacted objects themselves can no longer be shown.

use super::{Archive, ArchiveError};
use shared::Timestamp;

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Students whose records were closed before the cut-off.
    pub students: u64,
    /// Log entries whose bytes were redacted.
    pub redacted_entries: u64,
    /// Rows of personal data deleted (students, people, invitations).
    pub personal_rows: u64,
}

impl Archive {
    /// Purges every student whose last log entry is older than `before`, and the personal data of
    /// students who never appeared in the log and were imported before then. One transaction.
    pub fn purge(&mut self, before: Timestamp) -> Result<PurgeReport, ArchiveError> {
        let tx = self.write()?;
        let cutoff = before.unix();
        let closed: Vec<String> = tx
            .prepare("SELECT student FROM log WHERE student IS NOT NULL GROUP BY student HAVING MAX(logged_at) < ?1")?
            .query_map([cutoff], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut report = PurgeReport { students: closed.len() as u64, ..PurgeReport::default() };
        for student in &closed {
            report.redacted_entries +=
                tx.execute("UPDATE log SET bytes = NULL WHERE student = ?1 AND bytes IS NOT NULL", [student])? as u64;
            report.personal_rows += tx.execute(
                "DELETE FROM invitations WHERE person IN (SELECT person FROM people WHERE student = ?1)",
                [student],
            )? as u64;
            report.personal_rows += tx.execute("DELETE FROM people WHERE student = ?1", [student])? as u64;
            report.personal_rows += tx.execute("DELETE FROM students WHERE student = ?1", [student])? as u64;
        }
        tx.commit()?;
        Ok(report)
    }
}
