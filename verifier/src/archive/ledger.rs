//! The log's ledger: a second, append-only record of the proof log kept outside the database
//! (`DATA/log.ledger`), so that restoring an older copy of `archive.sqlite` cannot hide what the
//! archive had already signed.
//!
//! After every committed write, and before its acknowledgements are returned, the ledger gets
//! one line per entry the write appended — its index, hash and leaf hash, kind and pseudonymous
//! ids, and the bytes of delegations and form versions, which hold no personal data — then one
//! line with the write's signed checkpoint, and is synced to disk. It never holds a receipt,
//! certificate, request or decision, so erasing or purging personal data never needs it.
//!
//! Every write starts by comparing the two ([`ensure_whole`]): the database must hold the
//! ledger's last checkpoint, byte for byte. A database behind the ledger (restored from an older
//! copy) or beside it (another log) is refused until `verifier recover` rebuilds what it lacks
//! from the ledger: the same entries at the same indexes, the same checkpoints, and the same
//! acknowledgements — signed again, which gives the same bytes, since Ed25519 is deterministic.
//! A database ahead of the ledger (a crash between the commit and the ledger's sync) only means
//! the ledger is caught up ([`record`]).
//!
//! Lines are JSON: `{"entry": {...}}` or `{"checkpoint": <signed checkpoint>}`. A line cut short
//! by a crash, and entries after the last checkpoint, are a write that never finished: they are
//! cut off before the next one is written.

use super::{read, ArchiveError};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::objects::{ArchiveDelegation, Checkpoint, ConsentForm};
use shared::primitives::Digest;
use shared::SignedObject;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// File name of the ledger inside the data directory.
pub const LEDGER: &str = "log.ledger";

/// One line of the ledger.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Entry(LedgerEntry),
    Checkpoint(Value),
}

/// What the ledger keeps of one log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LedgerEntry {
    /// Its index in the log.
    pub index: u64,
    /// SHA-256 of its bytes: what its acknowledgement names.
    pub hash: Digest,
    /// Its leaf hash, `H(0x00 ‖ bytes)`: what the tree is built from.
    pub leaf: Digest,
    /// Its kind.
    pub kind: String,
    /// The student it concerns, if any (a pseudonymous id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student: Option<String>,
    /// The person who signed it, if any (a pseudonymous id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The entry it answers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<Digest>,
    /// The signed object itself, for delegations and form versions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
}

/// One committed write as the ledger holds it.
#[derive(Debug, Clone)]
pub(crate) struct LedgerWrite {
    /// The entries it appended, in index order.
    pub entries: Vec<LedgerEntry>,
    /// Its signed checkpoint (canonical bytes), whose tree ends with the last of them.
    pub checkpoint: Vec<u8>,
}

fn path(dir: &Path) -> PathBuf {
    dir.join(LEDGER)
}

fn io(dir: &Path) -> impl Fn(std::io::Error) -> ArchiveError + '_ {
    move |error| ArchiveError::Io(std::io::Error::new(error.kind(), format!("{}: {error}", path(dir).display())))
}

fn corrupt(detail: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Corrupt(format!("the log ledger ({LEDGER}): {detail}"))
}

/// The tree size a signed checkpoint states (its signature is checked by whoever trusts it).
fn size_of(checkpoint: &[u8]) -> Result<u64, ArchiveError> {
    Ok(shared::decode::<Checkpoint>(checkpoint).map_err(corrupt)?.unverified_body().tree_size)
}

/// The ledger's last complete write: its signed checkpoint and where its line ends in the file.
fn last_checkpoint(file: &mut File) -> Result<Option<(Vec<u8>, u64)>, std::io::Error> {
    let length = file.seek(SeekFrom::End(0))?;
    let mut window = 16 * 1024u64;
    loop {
        let start = length.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.take(length - start).read_to_end(&mut tail)?;
        // Complete lines only, last first; a first line cut by the window is skipped unless the
        // window reaches the start of the file.
        let mut end = tail.iter().rposition(|b| *b == b'\n').map(|at| at + 1).unwrap_or(0);
        while end > 0 {
            let begin = tail[..end - 1].iter().rposition(|b| *b == b'\n').map_or(0, |at| at + 1);
            if begin == 0 && start > 0 {
                break;
            }
            if let Ok(Line::Checkpoint(checkpoint)) = serde_json::from_slice::<Line>(&tail[begin..end - 1]) {
                let bytes = shared::encoding::to_canonical(&checkpoint).map_err(std::io::Error::other)?;
                return Ok(Some((bytes, start + end as u64)));
            }
            end = begin;
        }
        if start == 0 {
            return Ok(None);
        }
        window *= 4;
    }
}

/// The tree size and signed checkpoint of the ledger's last complete write; `None` when there
/// is no ledger yet (an archive made before it, or a new one).
pub(crate) fn witnessed(dir: &Path) -> Result<Option<(u64, Vec<u8>)>, ArchiveError> {
    let mut file = match File::open(path(dir)) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io(dir)(error)),
    };
    match last_checkpoint(&mut file).map_err(io(dir))? {
        Some((checkpoint, _)) => Ok(Some((size_of(&checkpoint)?, checkpoint))),
        None => Ok(None),
    }
}

/// Refuses an archive whose database does not hold the ledger's last checkpoint: restored from
/// an older copy ([`ArchiveError::LogBehind`]) or another log ([`ArchiveError::LogForked`]); or
/// whose ledger is gone although the database says it kept one ([`ArchiveError::LedgerMissing`]).
pub(crate) fn ensure_whole(conn: &Connection, dir: &Path) -> Result<(), ArchiveError> {
    let Some((witnessed, checkpoint)) = witnessed(dir)? else {
        return match kept_one(conn)? {
            true => Err(ArchiveError::LedgerMissing),
            false => Ok(()),
        };
    };
    let logged = read::tree_size(conn)?;
    if logged < witnessed {
        return Err(ArchiveError::LogBehind { witnessed, logged });
    }
    match read::checkpoint(conn, witnessed)? {
        Some(stored) if stored == checkpoint => Ok(()),
        _ => Err(ArchiveError::LogForked { witnessed }),
    }
}

/// Whether the database says that this archive keeps a ledger (set once the first one is written).
fn kept_one(conn: &Connection) -> Result<bool, ArchiveError> {
    let marked: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'ledger'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(marked.is_some())
}

/// Forgets that this archive kept a ledger, so that the next write starts a new one from the
/// database: for an operator whose ledger is lost for good (`verifier recover --new-ledger`).
pub(crate) fn start_anew(conn: &Connection) -> Result<(), ArchiveError> {
    conn.execute("DELETE FROM meta WHERE key = 'ledger'", [])?;
    Ok(())
}

/// Appends every write the database committed beyond the ledger, then syncs the ledger to disk.
/// Called after every commit, before anything is acknowledged; several processes may write the
/// archive, so the ledger is locked meanwhile and each write is recorded once.
pub(crate) fn record(conn: &Connection, dir: &Path) -> Result<(), ArchiveError> {
    let at = path(dir);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&at).map_err(io(dir))?;
    file.lock().map_err(io(dir))?;
    let (witnessed, end) = match last_checkpoint(&mut file).map_err(io(dir))? {
        Some((checkpoint, end)) => (size_of(&checkpoint)?, end),
        None => (0, 0),
    };
    let (mut entry_lines, mut checkpoint_lines) = (Vec::new(), Vec::new());
    let mut from = witnessed;
    for (size, checkpoint) in read::checkpoints_after(conn, witnessed)? {
        // Entries of earlier writes go with the entries: only the last checkpoint line waits
        // until every entry before it is on disk.
        entry_lines.append(&mut checkpoint_lines);
        for entry in entries(conn, from, size)? {
            serde_json::to_writer(&mut entry_lines, &Line::Entry(entry)).map_err(corrupt)?;
            entry_lines.push(b'\n');
        }
        let checkpoint: Value = serde_json::from_slice(&checkpoint).map_err(corrupt)?;
        serde_json::to_writer(&mut checkpoint_lines, &Line::Checkpoint(checkpoint)).map_err(corrupt)?;
        checkpoint_lines.push(b'\n');
        from = size;
    }
    if checkpoint_lines.is_empty() {
        return Ok(());
    }
    // Whatever follows the last complete write was a write that never finished.
    file.set_len(end).map_err(io(dir))?;
    file.seek(SeekFrom::End(0)).map_err(io(dir))?;
    // The entries are on disk before the checkpoint that says they are complete.
    file.write_all(&entry_lines).map_err(io(dir))?;
    file.sync_data().map_err(io(dir))?;
    file.write_all(&checkpoint_lines).map_err(io(dir))?;
    file.sync_data().map_err(io(dir))?;
    if !kept_one(conn)? {
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('ledger', ?1)", [LEDGER])?;
    }
    Ok(())
}

/// The ledger's view of the database's entries `from..to`.
fn entries(conn: &Connection, from: u64, to: u64) -> Result<Vec<LedgerEntry>, ArchiveError> {
    let logged = read::entries(conn, from, to)?;
    let leaves = read::leaves(conn, from, to)?;
    logged
        .into_iter()
        .zip(leaves)
        .map(|(entry, leaf)| {
            let public = entry.kind == ArchiveDelegation::KIND || entry.kind == ConsentForm::KIND;
            let object = match entry.bytes.as_deref().filter(|_| public) {
                Some(bytes) => Some(serde_json::from_slice(bytes).map_err(corrupt)?),
                None => None,
            };
            Ok(LedgerEntry {
                index: entry.index,
                hash: entry.hash,
                leaf,
                kind: entry.kind,
                student: entry.student,
                person: entry.person,
                refers_to: entry.refers_to,
                object,
            })
        })
        .collect()
}

/// Every write in the ledger, oldest first, checked to run without a gap from the first entry.
pub(crate) fn read_all(dir: &Path) -> Result<Vec<LedgerWrite>, ArchiveError> {
    let file = match File::open(path(dir)) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io(dir)(error)),
    };
    let mut writes = Vec::new();
    let mut entries: Vec<LedgerEntry> = Vec::new();
    // The index the next entry must have.
    let mut next = 0;
    let mut lines = BufReader::new(file).split(b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.map_err(io(dir))?;
        let line = match serde_json::from_slice::<Line>(&line) {
            Ok(line) => line,
            // A last line cut short by a crash belongs to a write that never finished.
            Err(_) if lines.peek().is_none() => break,
            Err(error) => return Err(corrupt(format!("a line after entry {next} does not read: {error}"))),
        };
        match line {
            Line::Entry(entry) => {
                if entry.index != next {
                    return Err(corrupt(format!("entry {} where {next} was expected", entry.index)));
                }
                next += 1;
                entries.push(entry);
            }
            Line::Checkpoint(checkpoint) => {
                let checkpoint = shared::encoding::to_canonical(&checkpoint).map_err(corrupt)?;
                let size = size_of(&checkpoint)?;
                if size != next {
                    return Err(corrupt(format!("a checkpoint of size {size} after {next} entries")));
                }
                writes.push(LedgerWrite { entries: std::mem::take(&mut entries), checkpoint });
            }
        }
    }
    Ok(writes)
}
