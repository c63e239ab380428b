//! The archive: one SQLite file under a data directory holding the proof log (a Merkle tree in
//! the manner of RFC 9162, with signed checkpoints) and, apart from it, the personal data.
//!
//! Every write is one `IMMEDIATE` transaction: verify, append, sign the new checkpoint and the
//! acknowledgement, commit. The acknowledgement is returned only after the commit, so nothing
//! acknowledged can be lost; resubmitting an object returns its stored acknowledgement and adds
//! nothing; a receipt that does not extend its signer's chain is refused, so an old receipt
//! replayed never changes the state.

mod codes;
mod export;
mod ingest;
mod ledger;
mod lookup;
mod nodes;
mod paper;
mod people;
mod proofs;
pub(crate) mod read;
mod recovery;
mod retention;
mod savepoint;
mod schema;
mod staff;

pub use codes::{Printable, ShortCode};
pub use ingest::{Checked, Submission};
pub use ledger::LEDGER;
pub use lookup::SharedForm;
pub use paper::Slip;
pub use people::{FamilyContact, Invited, Roster, RosterError, RosterRow};
pub use proofs::ProofRequestError;
pub use read::{LogEntry, StudentRecord};
pub use recovery::RecoveryReport;
pub use retention::PurgeReport;
pub use staff::{StaffMember, StaffStatus, CERTIFICATE_SECONDS as STAFF_CERTIFICATE_SECONDS};

use crate::keys::{self, KeyFileError};
use crate::merkle::{self, TreeError};
use ed25519_dalek::SigningKey;
pub(crate) use lookup::Stored;
use nodes::SqlNodes;
use rayon::prelude::*;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use shared::merkle::leaf_hash;
use shared::objects::{Acknowledgement, ArchiveDelegation, Checkpoint};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{IssueError, TrustError, TrustStore, Verified};
use shared::{sign, SignError, SignedObject, Timestamp};
use std::path::{Path, PathBuf};

/// File name of the archive database inside the data directory.
pub const DATABASE: &str = "archive.sqlite";

/// How long `init` delegates the archive key for: five years, renewed by a new delegation.
const DELEGATION_SECONDS: i64 = 5 * 365 * 24 * 3600;

/// Why the archive refused or failed an operation. Every refusal leaves the archive unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The object is not trusted (bad bytes, signature, school, delegation, expiry…).
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// A receipt or request names an enrolment certificate the archive never issued.
    #[error("unknown signer: no enrolment certificate {0}")]
    UnknownSigner(Digest),
    /// A receipt answers a form version the archive never published.
    #[error("unknown form version {0}")]
    UnknownForm(Digest),
    /// A receipt does not extend its signer's chain: an old receipt replayed, or a fork.
    #[error("replay: the signer's latest receipt is {}, but this one follows {}", show(.expected), show(.got))]
    Replay {
        /// The signer's latest receipt for this student.
        expected: Option<Digest>,
        /// What the receipt names as previous.
        got: Option<Digest>,
    },
    /// The invitation was already used to enrol another key.
    #[error("the invitation {0} has already been used")]
    InvitationUsed(Digest),
    /// A form version that does not follow the current one.
    #[error(
        "form version {got} does not follow the current version {current} (it must be {current} + 1 and supersede it)"
    )]
    FormOutOfSequence {
        /// The current version (0: none yet).
        current: u32,
        /// The version offered.
        got: u32,
    },
    /// No such rights request.
    #[error("no rights request {0}")]
    UnknownRequest(Digest),
    /// The request already has a decision.
    #[error("rights request {0} has already been decided")]
    AlreadyDecided(Digest),
    /// What the school asked the archive to sign breaks a rule (an empty reason, say).
    #[error(transparent)]
    Invalid(#[from] shared::validate::ContentError),
    /// The archive key is not delegated at this time: renew the delegation (`verifier delegate`).
    #[error("the archive key is not delegated at {0}; renew it with `verifier delegate`")]
    KeyNotDelegated(Timestamp),
    /// A letter's short code that is not one the archive issued (or not a code at all).
    #[error("no invitation has this code: check it against the letter, or ask the school office for a new letter")]
    UnknownCode,
    /// An invitation replaced by a newer one for the same person.
    #[error("the invitation {0} was replaced by a newer one")]
    InvitationRevoked(Digest),
    /// An object of another kind than the operation takes.
    #[error("expected a {expected} object")]
    WrongKind {
        /// The kind the operation takes.
        expected: &'static str,
    },
    /// A purge cut-off inside the limitation period.
    #[error("proof must be kept for the limitation period: the cut-off can be {limit} at the latest")]
    PurgeTooRecent {
        /// Now minus the retention period of the form in force.
        limit: Timestamp,
    },
    /// No form version has been published yet.
    #[error("no consent form has been published yet; run `verifier form publish` first")]
    NoForm,
    /// The data directory already holds a school.
    #[error("{0} already holds a school; choose an empty directory")]
    AlreadyInitialised(PathBuf),
    /// A key file is missing or unreadable.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The database failed (disk full, read-only, locked…).
    #[error("archive storage failed")]
    Storage(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The stored data contradicts itself (a missing tree node, an unreadable stored object).
    #[error("the archive is inconsistent: {0}")]
    Corrupt(String),
    /// The database holds less of the log than the ledger shows was signed: it was restored
    /// from an older copy. Nothing is signed, audited or exported until it is recovered.
    #[error(
        "the archive database holds {logged} log entries, but its log ledger ({}) shows that {witnessed} were          signed: the database was restored from an older copy. Nothing is signed, audited or exported until          `verifier recover` rebuilds the missing entries from the ledger",
        ledger::LEDGER
    )]
    LogBehind {
        /// Entries the ledger's last checkpoint covers.
        witnessed: u64,
        /// Entries the database holds.
        logged: u64,
    },
    /// Entries of a student's record were lost in a restore and not given back yet: what the
    /// record says now may not be what the family decided.
    #[error(
        "{lost} entries of student {student}'s record were lost when an older copy of the database was \
         restored; give them back with `verifier recover` and the family's receipts file"
    )]
    Incomplete {
        /// The student.
        student: String,
        /// How many of their entries are lost.
        lost: usize,
    },
    /// The log ledger is gone although this archive kept one.
    #[error(
        "the log ledger ({}) is missing, though this archive kept one: put it back from where it was copied; \
         only if it is lost for good, `verifier recover --new-ledger` starts a new one from the database as it is",
        ledger::LEDGER
    )]
    LedgerMissing,
    /// An object that is not in the log at all.
    #[error("{0} is not in the log")]
    NotLogged(Digest),
    /// A staff invitation this archive has no record of.
    #[error("the staff invitation {0} is not one this archive issued (run `verifier staff invite`)")]
    UnknownStaffInvitation(Digest),
    /// A staff certificate that is not in the log.
    #[error("no staff certificate {0}")]
    UnknownStaffCertificate(Digest),
    /// A revoked staff certificate.
    #[error("the staff certificate {0} was revoked: it authorises nothing")]
    StaffRevoked(Digest),
    /// A student the roster does not hold.
    #[error("no student {0} in the roster")]
    UnknownStudent(String),
    /// A paper slip is about a student the roster does not hold with the date of birth it states.
    #[error("student {student} born {birth_date} is not in the roster")]
    NotInRoster {
        /// The student the slip names.
        student: String,
        /// The date of birth it states.
        birth_date: chrono::NaiveDate,
    },
    /// A paper slip names as its signer someone the roster does not hold in that capacity for
    /// that student.
    #[error("{person} is not a {role} of student {student} in the roster")]
    NotOfFamily {
        /// The person the slip names.
        person: String,
        /// The capacity it names.
        role: &'static str,
        /// The student.
        student: String,
    },
    /// A staff member who was never invited.
    #[error("no staff member {0}; `verifier staff list` shows who there is")]
    UnknownStaff(String),
    /// An object given back that is not the one its lost entry names, or does not verify.
    #[error("not given back: {0}")]
    NotGivenBack(String),
    /// The database holds another log than the one the ledger witnessed.
    #[error(
        "the archive database's log is not the one its log ledger ({}) witnessed at {witnessed} entries: nothing is          signed, audited or exported until an operator restores the database that belongs to this ledger",
        ledger::LEDGER
    )]
    LogForked {
        /// Entries the ledger's last checkpoint covers.
        witnessed: u64,
    },
}

impl ArchiveError {
    /// Whether the failure is the storage's (disk full, read-only, I/O), not the input's: the
    /// service answers 503 and the client should try again later.
    pub fn is_storage(&self) -> bool {
        matches!(self, ArchiveError::Storage(_) | ArchiveError::Io(_))
    }

    /// The same error again, for each submission of a failed batch (the causes are not `Clone`).
    fn duplicate(&self) -> ArchiveError {
        match self {
            ArchiveError::KeyNotDelegated(at) => ArchiveError::KeyNotDelegated(*at),
            ArchiveError::LogBehind { witnessed, logged } => {
                ArchiveError::LogBehind { witnessed: *witnessed, logged: *logged }
            }
            ArchiveError::LogForked { witnessed } => ArchiveError::LogForked { witnessed: *witnessed },
            ArchiveError::LedgerMissing => ArchiveError::LedgerMissing,
            ArchiveError::Incomplete { student, lost } => {
                ArchiveError::Incomplete { student: student.clone(), lost: *lost }
            }
            ArchiveError::Storage(e) => ArchiveError::Io(std::io::Error::other(format!("archive storage failed: {e}"))),
            ArchiveError::Io(e) => ArchiveError::Io(std::io::Error::new(e.kind(), e.to_string())),
            other => ArchiveError::Corrupt(other.to_string()),
        }
    }
}

fn show(hash: &Option<Digest>) -> String {
    hash.map_or_else(|| "none".to_owned(), |h| h.to_string())
}

impl From<TreeError<rusqlite::Error>> for ArchiveError {
    fn from(error: TreeError<rusqlite::Error>) -> ArchiveError {
        match error {
            TreeError::Store(e) => ArchiveError::Storage(e),
            other => ArchiveError::Corrupt(other.to_string()),
        }
    }
}

impl From<SignError> for ArchiveError {
    fn from(error: SignError) -> ArchiveError {
        match error {
            SignError::Invalid(invalid) => ArchiveError::Invalid(invalid),
            other => ArchiveError::Corrupt(format!("the archive made an object it cannot sign: {other}")),
        }
    }
}

impl From<IssueError> for ArchiveError {
    fn from(error: IssueError) -> ArchiveError {
        match error {
            IssueError::Untrusted(TrustError::NotDelegated { at, .. }) => ArchiveError::KeyNotDelegated(at),
            IssueError::Untrusted(untrusted) => ArchiveError::Trust(untrusted),
            IssueError::Sign(sign) => sign.into(),
            other => ArchiveError::Corrupt(format!("the archive cannot sign: {other}")),
        }
    }
}

/// An open archive, holding the archive key.
pub struct Archive {
    conn: Connection,
    archive_key: SigningKey,
    trust: TrustStore,
    dir: PathBuf,
    /// Forms and certificates already verified through the chain of trust (see [`lookup`]).
    verified: std::cell::RefCell<lookup::VerifiedCache>,
}

impl Archive {
    /// Creates a new school in `dir` (mode 0700): root key and archive key (mode 0600), the school's
    /// public key, the database (mode 0600: it holds personal data), and the root key's delegation
    /// of the archive key as the log's first entry.
    pub fn init(
        dir: &Path,
        now: Timestamp,
        rng: &mut impl rand_core::CryptoRngCore,
    ) -> Result<(Archive, PublicKey), ArchiveError> {
        if dir.join(keys::ROOT_KEY).exists() || dir.join(DATABASE).exists() {
            return Err(ArchiveError::AlreadyInitialised(dir.to_path_buf()));
        }
        crate::private::create_dir(dir)?;
        let root = SigningKey::generate(rng);
        let archive_key = SigningKey::generate(rng);
        keys::write_secret(&dir.join(keys::ROOT_KEY), &root)?;
        keys::write_secret(&dir.join(keys::ARCHIVE_KEY), &archive_key)?;
        keys::write_admin_token(&dir.join(keys::ADMIN_TOKEN), rng)?;
        let school = PublicKey::of(&root);
        std::fs::write(dir.join(keys::SCHOOL_PUBLIC_KEY), format!("{school}\n"))?;
        // Made owner-only before SQLite opens it, which gives its `-wal` and `-shm` the same mode.
        crate::private::create_file(&dir.join(DATABASE))?;
        let conn = Connection::open(dir.join(DATABASE))?;
        schema::configure(&conn)?;
        schema::create(&conn)?;
        let mut archive = Archive {
            conn,
            archive_key,
            trust: TrustStore::new(school),
            dir: dir.to_path_buf(),
            verified: Default::default(),
        };
        // The log's first entry: the root key's delegation of the archive key.
        let until = Timestamp::from_unix(now.unix() + DELEGATION_SECONDS).unwrap_or(now);
        archive.delegate(&root, until, now)?;
        Ok((archive, school))
    }

    /// Opens the school in `dir` with its archive key. A data directory or database that others
    /// can read is made owner-only first (or refused if that is not allowed).
    pub fn open(dir: &Path) -> Result<Archive, ArchiveError> {
        let database = dir.join(DATABASE);
        if !database.exists() {
            return Err(ArchiveError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} holds no archive; create one with `verifier init --data {}`", dir.display(), dir.display()),
            )));
        }
        crate::private::restrict_archive(dir, &database)?;
        let school = keys::read_public(&dir.join(keys::SCHOOL_PUBLIC_KEY).to_string_lossy())?;
        let archive_key = keys::read_secret(&dir.join(keys::ARCHIVE_KEY))?;
        let conn = Connection::open(database)?;
        schema::configure(&conn)?;
        schema::create(&conn)?;
        let mut trust = TrustStore::new(school);
        let delegations = read::objects_of_kind(&conn, ArchiveDelegation::KIND)?;
        for bytes in delegations {
            trust.add_delegation(&bytes)?;
        }
        Ok(Archive { conn, archive_key, trust, dir: dir.to_path_buf(), verified: Default::default() })
    }

    /// The school's root public key.
    pub fn school(&self) -> PublicKey {
        *self.trust.root()
    }

    /// What this archive trusts: the root key and its delegations.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Every delegation of an archive key, oldest first, verified under the root key: what a
    /// client needs to trust the certificates and acknowledgements the archive signs.
    pub fn delegations(&self) -> Result<Vec<Verified<ArchiveDelegation>>, ArchiveError> {
        read::objects_of_kind(&self.conn, ArchiveDelegation::KIND)?
            .iter()
            .map(|bytes| self.trust.delegation(bytes).stored("delegation"))
            .collect()
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive key, with which `check` verifies the archive's own signatures by signing again.
    pub(crate) fn archive_key(&self) -> &SigningKey {
        &self.archive_key
    }

    /// The database connection, for read-only queries of the audit and export modules.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write that needs no other field of the archive meanwhile: see [`begin`].
    fn write(&mut self, now: Timestamp) -> Result<Transaction<'_>, ArchiveError> {
        begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)
    }

    /// A read transaction: every query through it sees one consistent state, whatever other
    /// processes append meanwhile. It ends (rolls back, having written nothing) when dropped.
    pub(crate) fn snapshot(&self) -> Result<Transaction<'_>, ArchiveError> {
        let tx = self.conn.unchecked_transaction()?;
        // A deferred transaction takes its snapshot at its first read.
        tx.query_row("SELECT COUNT(*) FROM log", [], |row| row.get::<_, i64>(0))?;
        Ok(tx)
    }

    /// Extends the archive key's delegation (signed by the root key) until `until`.
    pub fn delegate(&mut self, root: &SigningKey, until: Timestamp, now: Timestamp) -> Result<(), ArchiveError> {
        let delegation = ArchiveDelegation {
            school: self.school(),
            archive_key: PublicKey::of(&self.archive_key),
            valid_from: now,
            valid_until: until,
        };
        let delegation = sign(delegation, root)?;
        let verified = self.trust.add_delegation(delegation.bytes())?;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        commit_entry(&tx, &self.trust, &self.archive_key, &Entry::of(&verified, None, None, None), now)?;
        tx.commit()?;
        self.witness()
    }

    /// After a commit, before anything is acknowledged: the log ledger records what was appended.
    fn witness(&self) -> Result<(), ArchiveError> {
        ledger::record(&self.conn, &self.dir)
    }

    /// Leaves copying the write-ahead log into the database to [`Archive::checkpoint_wal`] on
    /// another handle, instead of doing it inside a commit every thousand pages: for a writer
    /// whose commits are its one serial path (the service's). Whoever calls this must see that
    /// `checkpoint_wal` runs, or the log file grows without end.
    pub fn checkpoint_apart(&self) -> Result<(), ArchiveError> {
        Ok(self.conn.pragma_update(None, "wal_autocheckpoint", 0)?)
    }

    /// Copies what is committed in the write-ahead log into the database, as far as readers
    /// allow, without waiting for the writer (`PASSIVE`): see [`Archive::checkpoint_apart`].
    pub fn checkpoint_wal(&self) -> Result<(), ArchiveError> {
        Ok(self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?)
    }

    /// Refuses when the database does not hold what the log ledger witnessed (see [`ledger`]):
    /// audits, exports and the service's reads must not answer from a log that lost entries.
    pub fn ensure_whole(&self) -> Result<(), ArchiveError> {
        ledger::ensure_whole(&self.conn, &self.dir)
    }
}

/// Starts a write: an `IMMEDIATE` transaction — the only writer until it ends, so every check made
/// through it still holds at commit — refused if the archive key is not delegated at `now`, or if
/// the database does not hold what the log ledger witnessed (see [`ledger`]).
/// A free function, so that callers can keep using the archive's other fields meanwhile.
fn begin<'c>(
    conn: &'c mut Connection,
    trust: &TrustStore,
    archive_key: &SigningKey,
    dir: &Path,
    now: Timestamp,
) -> Result<Transaction<'c>, ArchiveError> {
    if !trust.delegates(&PublicKey::of(archive_key), now) {
        return Err(ArchiveError::KeyNotDelegated(now));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    ledger::ensure_whole(&tx, dir)?;
    Ok(tx)
}

/// One object about to be appended to the log.
struct Entry<'a> {
    kind: &'static str,
    hash: Digest,
    bytes: &'a [u8],
    student: Option<&'a str>,
    person: Option<&'a str>,
    refers_to: Option<Digest>,
}

impl<'a> Entry<'a> {
    fn of<T: SignedObject>(
        object: &'a Verified<T>,
        student: Option<&'a str>,
        person: Option<&'a str>,
        refers_to: Option<Digest>,
    ) -> Entry<'a> {
        Entry { kind: T::KIND, hash: object.hash(), bytes: object.bytes(), student, person, refers_to }
    }
}

/// Appends `entry`, signs the checkpoint of the grown tree and the acknowledgement, all inside `tx`.
fn commit_entry(
    tx: &Connection,
    trust: &TrustStore,
    archive_key: &SigningKey,
    entry: &Entry<'_>,
    now: Timestamp,
) -> Result<Verified<Acknowledgement>, ArchiveError> {
    let index = append_entry(tx, entry, now)?;
    let mut acks = seal(tx, trust, archive_key, &[(entry.hash, index)], now)?;
    acks.pop().ok_or_else(|| ArchiveError::Corrupt("no acknowledgement".into()))
}

/// Appends `entry` as the next leaf of the log, with the tree nodes it completes; returns its index.
fn append_entry(tx: &Connection, entry: &Entry<'_>, now: Timestamp) -> Result<u64, ArchiveError> {
    let index = read::tree_size(tx)?;
    tx.prepare_cached(
        "INSERT INTO log (idx, hash, kind, student, person, refers_to, logged_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        index,
        entry.hash.0.as_slice(),
        entry.kind,
        entry.student,
        entry.person,
        entry.refers_to.map(|h| h.0.to_vec()),
        now.unix(),
        entry.bytes,
    ))?;
    let completed = merkle::nodes_completed_by_append(&SqlNodes(tx), index, leaf_hash(entry.bytes))?;
    for (level, node_index, hash) in completed {
        tx.prepare_cached("INSERT INTO tree_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?.execute((
            level,
            node_index,
            hash.0.as_slice(),
        ))?;
    }
    Ok(index)
}

/// Ends a write that appended `appended` (each object's hash and log index): signs one checkpoint
/// of the tree as it now stands, and one acknowledgement per object naming that checkpoint. One
/// checkpoint serves a whole group commit: each acknowledgement's index lies inside its tree.
fn seal(
    tx: &Connection,
    trust: &TrustStore,
    archive_key: &SigningKey,
    appended: &[(Digest, u64)],
    now: Timestamp,
) -> Result<Vec<Verified<Acknowledgement>>, ArchiveError> {
    let tree_size = read::tree_size(tx)?;
    let school = *trust.root();
    let checkpoint = Checkpoint { school, tree_size, root_hash: merkle::root(&SqlNodes(tx), tree_size)?, time: now };
    let signed_checkpoint = trust.sign_by_archive(checkpoint.clone(), archive_key)?;
    tx.prepare_cached("INSERT INTO checkpoints (tree_size, bytes) VALUES (?1, ?2)")?
        .execute((tree_size, signed_checkpoint.bytes()))?;
    // Signed on every core, written on this thread, which holds the transaction.
    let acks = appended
        .par_iter()
        .map(|&(object, log_index)| {
            let ack = Acknowledgement { school, object, log_index, server_time: now, checkpoint: checkpoint.clone() };
            trust.sign_by_archive(ack, archive_key)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut insert = tx.prepare_cached("INSERT INTO acknowledgements (hash, bytes) VALUES (?1, ?2)")?;
    for ack in &acks {
        insert.execute((ack.body().object.0.as_slice(), ack.bytes()))?;
    }
    Ok(acks)
}
