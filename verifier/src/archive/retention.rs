//! Retention (PRODUCT.md rule 8, policy 2.5): once a student's record has been closed for the
//! limitation period, their personal data is deleted and the bytes of their log entries are
//! redacted. The log stays verifiable: each redacted entry keeps its row, its hash and its leaf
//! in the Merkle tree, so every root, checkpoint, acknowledgement and proof of other entries is
//! unchanged; only the redacted objects themselves can no longer be shown.

use super::{Archive, ArchiveError};
use chrono::Months;
use shared::ids::StudentId;
use shared::policy::Status;
use shared::Timestamp;

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Students whose records were purged.
    pub students: u64,
    /// Students whose last entry is older than the cut-off but whose record is still open (a
    /// consent in effect, a request undecided): kept.
    pub kept_open: u64,
    /// Log entries whose bytes were redacted.
    pub redacted_entries: u64,
    /// Rows of personal data deleted (students, people, invitations and their codes, roster changes).
    pub personal_rows: u64,
}

impl Archive {
    /// Purges every student whose record is closed — nothing logged since `before`, no consent in
    /// effect at `now`, no undecided request — provided `before` lies at least the form's
    /// retention period (`proof_retention_years`) before `now`. One transaction.
    pub fn purge(&mut self, before: Timestamp, now: Timestamp) -> Result<PurgeReport, ArchiveError> {
        let policy = self.current_form()?.ok_or(ArchiveError::NoForm)?.body().policy.clone();
        let months = Months::new(12 * u32::from(policy.proof_retention_years));
        let limit = now.datetime().checked_sub_months(months).and_then(Timestamp::from_datetime).unwrap_or(now);
        if before > limit {
            return Err(ArchiveError::PurgeTooRecent { limit });
        }
        let mut report = PurgeReport::default();
        let mut closed = Vec::new();
        for student in quiet_since(self.conn(), before)? {
            let id = StudentId::try_from(student.as_str()).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            let in_effect =
                self.consent_state(&id, now)?.purposes.values().any(|p| matches!(p.status, Status::InEffect { .. }));
            let open_request = self.requests()?.iter().any(|r| r.student == id && r.decision.is_none());
            if in_effect || open_request {
                report.kept_open += 1;
            } else {
                closed.push(student);
            }
        }
        let tx = self.write(now)?;
        // Re-checked inside the transaction: a record written to meanwhile is no longer closed.
        let still_quiet = quiet_since(&tx, before)?;
        for student in closed.iter().filter(|s| still_quiet.contains(s)) {
            report.students += 1;
            report.redacted_entries +=
                tx.execute("UPDATE log SET bytes = NULL WHERE student = ?1 AND bytes IS NOT NULL", [student])? as u64;
            report.personal_rows += tx.execute(
                "DELETE FROM invitation_codes WHERE invitation IN (SELECT hash FROM invitations WHERE person IN
                 (SELECT person FROM people WHERE student = ?1))",
                [student],
            )? as u64;
            report.personal_rows += tx.execute(
                "DELETE FROM invitations WHERE person IN (SELECT person FROM people WHERE student = ?1)",
                [student],
            )? as u64;
            report.personal_rows += tx.execute(
                "DELETE FROM reminders WHERE person IN (SELECT person FROM people WHERE student = ?1)",
                [student],
            )? as u64;
            report.personal_rows += tx.execute("DELETE FROM people WHERE student = ?1", [student])? as u64;
            report.personal_rows += tx.execute("DELETE FROM students WHERE student = ?1", [student])? as u64;
            report.personal_rows += tx.execute("DELETE FROM roster_changes WHERE student = ?1", [student])? as u64;
        }
        tx.commit()?;
        // Redacted certificates must not stay usable through the cache.
        *self.verified.borrow_mut() = Default::default();
        Ok(report)
    }
}

/// Students with unpurged entries and nothing logged since `before`.
fn quiet_since(conn: &rusqlite::Connection, before: Timestamp) -> Result<Vec<String>, ArchiveError> {
    Ok(conn
        .prepare(
            "SELECT student FROM log WHERE student IS NOT NULL GROUP BY student
             HAVING MAX(logged_at) < ?1 AND COUNT(bytes) > 0",
        )?
        .query_map([before.unix()], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}
