//! Reading the archive: objects by hash or kind, a signer's chain head, a student's log entries,
//! checkpoints, and the personal data kept apart from the log.

use super::{ArchiveError, Stored};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};
use shared::ids::StudentId;
use shared::objects::ConsentReceipt;
use shared::primitives::Digest;
use shared::{SignedObject, Timestamp};

/// One row of the proof log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Its index (leaf number) in the Merkle tree.
    pub index: u64,
    /// SHA-256 of its bytes.
    pub hash: Digest,
    /// Its kind, e.g. `consent-receipt/1`.
    pub kind: String,
    /// The student it concerns, if any.
    pub student: Option<String>,
    /// The person who signed it, if any.
    pub person: Option<String>,
    /// When the archive logged it.
    pub logged_at: Timestamp,
    /// The signed bytes; `None` once purged (the leaf hash stays in the tree), or lost.
    pub bytes: Option<Vec<u8>>,
    /// Lost when an older copy of the database was restored: only rebuilt from the log ledger.
    pub lost: bool,
    /// The entry it answers: a certificate's invitation, a decision's request, a form's predecessor.
    pub refers_to: Option<Digest>,
}

/// A student's personal record (erasable; the log knows only the id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRecord {
    /// Pseudonymous id.
    pub student: StudentId,
    /// Full name.
    pub name: String,
    /// Class, e.g. `7B`.
    pub class: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
}

pub(crate) fn digest(bytes: &[u8]) -> Result<Digest, ArchiveError> {
    <[u8; 32]>::try_from(bytes).map(Digest).map_err(|_| ArchiveError::Corrupt("a stored hash is not 32 bytes".into()))
}

const ENTRY_COLUMNS: &str = "idx, CAST(hash AS BLOB), kind, student, person, logged_at, CAST(bytes AS BLOB), \
     CAST(refers_to AS BLOB), EXISTS (SELECT 1 FROM lost WHERE lost.idx = log.idx)";

/// A log row as SQLite returns it, before its hash and time are checked.
struct RawEntry {
    index: u64,
    hash: Vec<u8>,
    kind: String,
    student: Option<String>,
    person: Option<String>,
    logged_at: i64,
    bytes: Option<Vec<u8>>,
    refers_to: Option<Vec<u8>>,
    lost: bool,
}

fn entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        index: row.get(0)?,
        hash: row.get(1)?,
        kind: row.get(2)?,
        student: row.get(3)?,
        person: row.get(4)?,
        logged_at: row.get(5)?,
        bytes: row.get(6)?,
        refers_to: row.get(7)?,
        lost: row.get(8)?,
    })
}

fn to_entry(raw: RawEntry) -> Result<LogEntry, ArchiveError> {
    let RawEntry { index, hash, kind, student, person, logged_at, bytes, refers_to, lost } = raw;
    let logged_at =
        Timestamp::from_unix(logged_at).ok_or_else(|| ArchiveError::Corrupt(format!("entry {index}: bad time")))?;
    let refers_to = refers_to.map(|r| digest(&r)).transpose()?;
    Ok(LogEntry { index, hash: digest(&hash)?, kind, student, person, logged_at, bytes, refers_to, lost })
}

/// Every entry with `index` in `range`, in order.
pub(crate) fn entries(conn: &Connection, from: u64, to: u64) -> Result<Vec<LogEntry>, ArchiveError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM log WHERE idx >= ?1 AND idx < ?2 ORDER BY idx");
    let raw = conn.prepare_cached(&sql)?.query_map((from, to), entry)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_entry).collect()
}

/// Every entry about `student`, in log order.
pub(crate) fn student_entries(conn: &Connection, student: &str) -> Result<Vec<LogEntry>, ArchiveError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM log WHERE student = ?1 ORDER BY idx");
    let raw = conn.prepare_cached(&sql)?.query_map([student], entry)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_entry).collect()
}

/// Every entry of `kind`, in log order.
pub(crate) fn entries_of_kind(conn: &Connection, kind: &str) -> Result<Vec<LogEntry>, ArchiveError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM log WHERE kind = ?1 ORDER BY idx");
    let raw = conn.prepare_cached(&sql)?.query_map([kind], entry)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_entry).collect()
}

/// The bytes of every (unpurged) object of `kind`, in log order.
pub(crate) fn objects_of_kind(conn: &Connection, kind: &str) -> Result<Vec<Vec<u8>>, ArchiveError> {
    let mut statement =
        conn.prepare_cached("SELECT bytes FROM log WHERE kind = ?1 AND bytes IS NOT NULL ORDER BY idx")?;
    let rows = statement.query_map([kind], |row| row.get(0))?;
    Ok(rows.collect::<Result<Vec<Vec<u8>>, _>>()?)
}

/// The bytes of object `hash`, if it is in the log, of `kind`, and not purged.
pub(crate) fn object_bytes(conn: &Connection, hash: Digest, kind: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM log WHERE hash = ?1 AND kind = ?2 AND bytes IS NOT NULL")?
        .query_row((hash.0.as_slice(), kind), |row| row.get(0))
        .optional()?)
}

/// The hash of `person`'s latest receipt for `student`, which their next receipt must name.
/// Purged receipts no longer count: a record reopened after a purge starts a new chain. A lost
/// one still does: the family's device names it.
pub(crate) fn chain_head(conn: &Connection, student: &str, person: &str) -> Result<Option<Digest>, ArchiveError> {
    let head: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT hash FROM log WHERE student = ?1 AND person = ?2 AND kind = ?3
               AND (bytes IS NOT NULL OR idx IN (SELECT idx FROM lost))
             ORDER BY idx DESC LIMIT 1",
        )?
        .query_row((student, person, ConsentReceipt::KIND), |row| row.get(0))
        .optional()?;
    head.map(|h| digest(&h)).transpose()
}

/// The decision on `request`, if there is one.
pub(crate) fn decision_for(conn: &Connection, request: Digest) -> Result<Option<Vec<u8>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM log WHERE refers_to = ?1 AND kind = 'request-decision/1'")?
        .query_row([request.0.as_slice()], |row| row.get(0))
        .optional()?)
}

/// Number of entries in the log.
pub(crate) fn tree_size(conn: &Connection) -> Result<u64, ArchiveError> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(idx) + 1, 0) FROM log")?.query_row([], |row| row.get(0))?)
}

/// The date of birth the roster holds for `student`.
pub(crate) fn birth_date(conn: &Connection, student: &StudentId) -> Result<Option<NaiveDate>, ArchiveError> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT birth_date FROM students WHERE student = ?1")?
        .query_row([student.as_str()], |row| row.get(0))
        .optional()?;
    stored
        .map(|text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").stored(&format!("birth date {text:?} of {student}")))
        .transpose()
}

/// The signed checkpoint for `tree_size`.
pub(crate) fn checkpoint(conn: &Connection, tree_size: u64) -> Result<Option<Vec<u8>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM checkpoints WHERE tree_size = ?1")?
        .query_row([tree_size], |row| row.get(0))
        .optional()?)
}

/// The acknowledgement of `hash`.
pub(crate) fn acknowledgement(conn: &Connection, hash: Digest) -> Result<Option<Vec<u8>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM acknowledgements WHERE hash = ?1")?
        .query_row([hash.0.as_slice()], |row| row.get(0))
        .optional()?)
}

/// Students' personal records, of one class or all, sorted by class and name.
pub(crate) fn students(conn: &Connection, class: Option<&str>) -> Result<Vec<StudentRecord>, ArchiveError> {
    let mut statement = conn.prepare_cached(
        "SELECT student, name, class, birth_date FROM students WHERE ?1 IS NULL OR class = ?1 ORDER BY class, name",
    )?;
    let rows = statement.query_map([class], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, String>(3)?))
    })?;
    rows.map(|row| {
        let (student, name, class, birth_date) = row?;
        let corrupt = |what: &str| ArchiveError::Corrupt(format!("student {student}: bad {what}"));
        Ok(StudentRecord {
            student: StudentId::try_from(student.as_str()).map_err(|_| corrupt("id"))?,
            birth_date: birth_date.parse().map_err(|_| corrupt("date of birth"))?,
            name,
            class,
        })
    })
    .collect()
}

/// The stored leaf hashes (level-0 nodes) for indices `from..to`.
pub(crate) fn leaves(conn: &Connection, from: u64, to: u64) -> Result<Vec<Digest>, ArchiveError> {
    let mut statement =
        conn.prepare_cached("SELECT hash FROM tree_nodes WHERE level = 0 AND idx >= ?1 AND idx < ?2 ORDER BY idx")?;
    let rows = statement.query_map((from, to), |row| row.get::<_, Vec<u8>>(0))?;
    let leaves = rows.map(|r| digest(&r?)).collect::<Result<Vec<_>, _>>()?;
    if leaves.len() as u64 != to - from {
        return Err(ArchiveError::Corrupt(format!("leaves {from}..{to} are missing from the tree")));
    }
    Ok(leaves)
}

/// Every stored tree node: (level, index, hash).
pub(crate) fn nodes(conn: &Connection) -> Result<Vec<(u32, u64, Digest)>, ArchiveError> {
    let mut statement = conn.prepare_cached("SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get::<_, Vec<u8>>(2)?)))?;
    rows.map(|r| {
        let (level, index, hash) = r?;
        Ok((level, index, digest(&hash)?))
    })
    .collect()
}

/// Every stored checkpoint: (tree size, bytes).
pub(crate) fn checkpoints(conn: &Connection) -> Result<Vec<(u64, Vec<u8>)>, ArchiveError> {
    let mut statement = conn.prepare_cached("SELECT tree_size, bytes FROM checkpoints ORDER BY tree_size")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The stored checkpoints of trees larger than `tree_size`: (tree size, bytes), smallest first.
pub(crate) fn checkpoints_after(conn: &Connection, tree_size: u64) -> Result<Vec<(u64, Vec<u8>)>, ArchiveError> {
    let mut statement =
        conn.prepare_cached("SELECT tree_size, bytes FROM checkpoints WHERE tree_size > ?1 ORDER BY tree_size")?;
    let rows = statement.query_map([tree_size], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every stored acknowledgement: (object hash, bytes).
pub(crate) fn acknowledgements(conn: &Connection) -> Result<Vec<(Digest, Vec<u8>)>, ArchiveError> {
    let mut statement = conn.prepare_cached("SELECT hash, bytes FROM acknowledgements")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get(1)?)))?;
    rows.map(|r| {
        let (hash, bytes) = r?;
        Ok((digest(&hash)?, bytes))
    })
    .collect()
}

/// Every entry's (hash, index, logged time).
pub(crate) fn hashes(conn: &Connection) -> Result<Vec<(Digest, u64, i64)>, ArchiveError> {
    let mut statement = conn.prepare_cached("SELECT hash, idx, logged_at FROM log")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get(1)?, row.get(2)?)))?;
    rows.map(|r| {
        let (hash, index, time) = r?;
        Ok((digest(&hash)?, index, time))
    })
    .collect()
}

/// The log index of `hash`.
pub(crate) fn index_of(conn: &Connection, hash: Digest) -> Result<Option<u64>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT idx FROM log WHERE hash = ?1")?
        .query_row([hash.0.as_slice()], |row| row.get(0))
        .optional()?)
}

/// Reads for the staff console and reports, each on the archive's own connection.
impl super::Archive {
    /// The number of entries in the log.
    pub fn log_size(&self) -> Result<u64, ArchiveError> {
        tree_size(self.conn())
    }

    /// Every class the roster names, sorted.
    pub fn classes(&self) -> Result<Vec<String>, ArchiveError> {
        let mut statement = self.conn().prepare_cached("SELECT DISTINCT class FROM students ORDER BY class")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Every student's personal record, by class and name.
    pub fn student_records(&self) -> Result<Vec<StudentRecord>, ArchiveError> {
        students(self.conn(), None)
    }

    /// Every log entry about `student`, in log order.
    pub fn student_log(&self, student: &StudentId) -> Result<Vec<LogEntry>, ArchiveError> {
        student_entries(self.conn(), student.as_str())
    }

    /// The bytes of the logged object `hash` of `kind`, if it is in the log and not purged.
    pub fn logged_object(&self, hash: Digest, kind: &str) -> Result<Option<Vec<u8>>, ArchiveError> {
        object_bytes(self.conn(), hash, kind)
    }
}
