//! `verifier recover`: after the database was restored from an older copy, rebuild what it lacks
//! from the log ledger, then give the rebuilt entries their objects back from what families and
//! the school kept.
//!
//! 1. Every write the ledger holds beyond the database is appended again at the same indexes:
//!    the entry's columns, its leaf (so the tree, and every root and proof, are the ones already
//!    signed), the write's signed checkpoint — verified, and its root recomputed — and one
//!    acknowledgement per entry, signed again: Ed25519 is deterministic, so it is byte for byte
//!    the one the family holds. No object gets a second acknowledgement, or another index.
//! 2. Delegations and form versions come back whole (the ledger holds them). Every other entry
//!    is *lost* — hash and columns only — until its object is given back: from families'
//!    receipts files, proof bundles or loose objects passed to `recover`, or sent again by the
//!    family's device (see `ingest`). Each object is verified through the chain of trust and must
//!    be the one the entry names.
//! 3. What is still lost is listed; audits and exports of those students refuse until then.
//!
//! All of it is one transaction: a recovery that fails changes nothing.

use super::ledger::{self, LedgerWrite};
use super::nodes::SqlNodes;
use super::{read, Archive, ArchiveError, LogEntry};
use crate::merkle;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use shared::encoding::to_canonical;
use shared::merkle::leaf_hash;
use shared::objects::{
    Acknowledgement, ArchiveDelegation, ConsentForm, ConsentReceipt, EnrolmentCertificate, RequestDecision,
    RightsRequest, StaffCertificate,
};
use shared::primitives::Digest;
use shared::trust::{TrustStore, Verified};
use shared::SignedObject;
use std::collections::BTreeMap;

/// What a recovery did, and what it could not.
#[derive(Debug, Default)]
pub struct RecoveryReport {
    /// Entries the database lacked, rebuilt from the ledger at their indexes.
    pub rebuilt: u64,
    /// Objects given their bytes back from the files, by kind.
    pub restored: BTreeMap<String, usize>,
    /// Acknowledgements in the files that are byte for byte the archive's own.
    pub confirmed: usize,
    /// Objects in the files that were not used, and why (objects already whole are not listed).
    pub unused: Vec<String>,
    /// Entries still lost: index, kind and student.
    pub missing: Vec<(u64, String, Option<String>)>,
}

impl Archive {
    /// Rebuilds what the database lacks from the log ledger, and gives lost entries their objects
    /// back from `files` (receipts files, proof bundles, loose signed objects). Safe to run again,
    /// with more files, and on an archive that lacks nothing.
    pub fn recover(&mut self, files: &[(String, Vec<u8>)]) -> Result<RecoveryReport, ArchiveError> {
        let writes = ledger::read_all(&self.dir)?;
        // The archive key may have been delegated again in what the database lost.
        for entry in writes.iter().flat_map(|w| &w.entries).filter(|e| e.kind == ArchiveDelegation::KIND) {
            if let Some(object) = &entry.object {
                let bytes = to_canonical(object).map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
                self.trust.add_delegation(&bytes)?;
            }
        }
        let (trust, archive_key) = (&self.trust, &self.archive_key);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = RecoveryReport::default();
        let logged = read::tree_size(&tx)?;
        for write in &writes {
            report.rebuilt += rebuild(&tx, trust, archive_key, write, logged)?;
        }
        let objects = crate::offline::signed_objects(files);
        // Certificates first: the receipts and requests they signed are verified with them.
        let (certificates, others): (Vec<&Vec<u8>>, Vec<&Vec<u8>>) =
            objects.iter().partition(|bytes| kind_of(bytes).as_deref() == Some(EnrolmentCertificate::KIND));
        for bytes in certificates.into_iter().chain(others) {
            match give_back_checked(&tx, trust, bytes) {
                Ok(Outcome::Restored(kind)) => *report.restored.entry(kind).or_default() += 1,
                Ok(Outcome::Confirmed) => report.confirmed += 1,
                Ok(Outcome::AlreadyWhole) => {}
                Err(Refusal::NotLogged) => report.unused.push(format!("{}: not in the log", Digest::of(bytes))),
                Err(Refusal::Unusable(why)) => report.unused.push(format!("{}: {why}", Digest::of(bytes))),
            }
        }
        report.missing = lost(&tx)?.into_iter().map(|e| (e.index, e.kind, e.student)).collect();
        tx.commit()?;
        self.witness()?;
        Ok(report)
    }
}

impl Archive {
    /// Starts a new log ledger from the database as it is, when the one it kept is lost for good
    /// and cannot be put back: the database can then no longer be checked against what was
    /// signed before. Refused while a ledger exists.
    pub fn new_ledger(&mut self) -> Result<(), ArchiveError> {
        if ledger::witnessed(&self.dir)?.is_some() {
            return Err(ArchiveError::Corrupt(format!(
                "{} exists: a new ledger is only for one that is lost; run `verifier recover` instead",
                ledger::LEDGER
            )));
        }
        ledger::start_anew(&self.conn)?;
        self.witness()
    }

    /// Gives one lost entry its object back, as a family's device sends what it kept after a
    /// restore, once it verifies as the object the entry names; returns the entry's stored
    /// acknowledgement (for a receipt or request: the one the family already holds). Nothing
    /// changes for an entry that was never lost.
    pub fn give_back(&mut self, bytes: &[u8]) -> Result<Option<Verified<Acknowledgement>>, ArchiveError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        ledger::ensure_whole(&tx, &self.dir)?;
        match give_back_checked(&tx, &self.trust, bytes) {
            Ok(_) => {}
            Err(Refusal::NotLogged) => return Err(ArchiveError::NotLogged(Digest::of(bytes))),
            Err(Refusal::Unusable(why)) => return Err(ArchiveError::NotGivenBack(why)),
        }
        let ack = super::lookup::stored_acknowledgement(&tx, &self.trust, Digest::of(bytes))?;
        tx.commit()?;
        Ok(ack)
    }
}

/// Appends one write of the ledger that the database lacks (nothing if it holds it, which must
/// then be the same write); returns how many entries it appended.
fn rebuild(
    tx: &Connection,
    trust: &TrustStore,
    archive_key: &ed25519_dalek::SigningKey,
    write: &LedgerWrite,
    logged: u64,
) -> Result<u64, ArchiveError> {
    let corrupt = |what: String| ArchiveError::Corrupt(format!("the log ledger: {what}"));
    let checkpoint = trust.checkpoint(&write.checkpoint).map_err(|e| corrupt(e.to_string()))?;
    let body = checkpoint.body();
    if body.tree_size <= logged {
        return match read::checkpoint(tx, body.tree_size)? {
            Some(stored) if stored == write.checkpoint => Ok(0),
            _ => Err(ArchiveError::LogForked { witnessed: body.tree_size }),
        };
    }
    for entry in &write.entries {
        let bytes = entry.object.as_ref().map(to_canonical).transpose().map_err(|e| corrupt(e.to_string()))?;
        if bytes.as_deref().is_some_and(|b| Digest::of(b) != entry.hash || leaf_hash(b) != entry.leaf) {
            return Err(corrupt(format!("entry {} is not the object it names", entry.index)));
        }
        tx.prepare_cached(
            "INSERT INTO log (idx, hash, kind, student, person, refers_to, logged_at, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute((
            entry.index,
            entry.hash.0.as_slice(),
            &entry.kind,
            &entry.student,
            &entry.person,
            entry.refers_to.map(|h| h.0.to_vec()),
            body.time.unix(),
            &bytes,
        ))?;
        if bytes.is_none() {
            tx.prepare_cached("INSERT INTO lost (idx) VALUES (?1)")?.execute([entry.index])?;
        }
        for (level, index, hash) in merkle::nodes_completed_by_append(&SqlNodes(tx), entry.index, entry.leaf)? {
            tx.prepare_cached("INSERT INTO tree_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?.execute((
                level,
                index,
                hash.0.as_slice(),
            ))?;
        }
    }
    if merkle::root(&SqlNodes(tx), body.tree_size)? != body.root_hash {
        return Err(corrupt(format!("its entries do not make the root of its checkpoint of size {}", body.tree_size)));
    }
    tx.prepare_cached("INSERT INTO checkpoints (tree_size, bytes) VALUES (?1, ?2)")?
        .execute((body.tree_size, &write.checkpoint))?;
    for entry in &write.entries {
        let ack = Acknowledgement {
            school: *trust.root(),
            object: entry.hash,
            log_index: entry.index,
            server_time: body.time,
            checkpoint: body.clone(),
        };
        let ack = trust.sign_by_archive(ack, archive_key)?;
        tx.prepare_cached("INSERT INTO acknowledgements (hash, bytes) VALUES (?1, ?2)")?
            .execute((entry.hash.0.as_slice(), ack.bytes()))?;
    }
    Ok(write.entries.len() as u64)
}

/// What became of one object of the files.
enum Outcome {
    /// A lost entry has its object back.
    Restored(String),
    /// An acknowledgement identical to the archive's.
    Confirmed,
    /// The entry was never lost.
    AlreadyWhole,
}

/// Why an object of the files gives nothing back.
enum Refusal {
    /// Its hash is not in the log at all.
    NotLogged,
    /// It is not the object its entry names, or does not verify.
    Unusable(String),
}

impl From<String> for Refusal {
    fn from(why: String) -> Refusal {
        Refusal::Unusable(why)
    }
}

impl From<&str> for Refusal {
    fn from(why: &str) -> Refusal {
        Refusal::Unusable(why.to_owned())
    }
}

/// Gives a lost entry its object back, once it verifies as the object the entry names.
fn give_back_checked(tx: &Connection, trust: &TrustStore, bytes: &[u8]) -> Result<Outcome, Refusal> {
    let fail = |e: &dyn std::fmt::Display| Refusal::Unusable(e.to_string());
    let kind = kind_of(bytes).ok_or("not a signed object")?;
    if kind == Acknowledgement::KIND {
        let ack = trust.acknowledgement(bytes).map_err(|e| fail(&e))?;
        let stored = read::acknowledgement(tx, ack.body().object).map_err(|e| fail(&e))?;
        return match stored {
            Some(stored) if stored == bytes => Ok(Outcome::Confirmed),
            _ => Err("an acknowledgement the archive does not hold for that object".into()),
        };
    }
    let hash = Digest::of(bytes);
    let entry = match entry_of(tx, hash).map_err(|e| fail(&e))? {
        Some(entry) if entry.lost => entry,
        Some(_) => return Ok(Outcome::AlreadyWhole),
        None => return Err(Refusal::NotLogged),
    };
    if entry.kind != kind {
        return Err(format!("a {kind} where the log holds a {}", entry.kind).into());
    }
    let signers = match kind.as_str() {
        EnrolmentCertificate::KIND => {
            let certificate = trust.certificate(bytes).map_err(|e| fail(&e))?;
            if Some(certificate.body().invitation) != entry.refers_to {
                return Err("a certificate for another invitation".into());
            }
            certificate.body().clone()
        }
        ConsentReceipt::KIND => {
            let body = shared::decode::<ConsentReceipt>(bytes).map_err(|e| fail(&e))?.unverified_body().clone();
            let certificate = verified_certificate(tx, trust, body.certificate)?;
            let form = stored(tx, body.form, ConsentForm::KIND, |b| trust.form(b))?;
            trust.receipt(bytes, &certificate, &form).map_err(|e| fail(&e))?;
            certificate.body().clone()
        }
        RightsRequest::KIND => {
            let body = shared::decode::<RightsRequest>(bytes).map_err(|e| fail(&e))?.unverified_body().clone();
            let certificate = verified_certificate(tx, trust, body.certificate)?;
            trust.request(bytes, &certificate).map_err(|e| fail(&e))?;
            certificate.body().clone()
        }
        RequestDecision::KIND => {
            let decision = trust.decision(bytes).map_err(|e| fail(&e))?;
            if Some(decision.body().request) != entry.refers_to {
                return Err("a decision on another request".into());
            }
            return give_back(tx, hash, bytes).map(|_| Outcome::Restored(kind)).map_err(|e| fail(&e));
        }
        StaffCertificate::KIND => {
            let certificate = trust.staff_certificate(bytes).map_err(|e| fail(&e))?;
            if Some(certificate.body().invitation) != entry.refers_to {
                return Err("a staff certificate for another invitation".into());
            }
            return give_back(tx, hash, bytes).map(|_| Outcome::Restored(kind)).map_err(|e| fail(&e));
        }
        other => return Err(format!("{other} entries come back from the ledger, not from files").into()),
    };
    let columns = (Some(signers.student.to_string()), Some(signers.person.to_string()));
    if columns != (entry.student, entry.person) {
        return Err("signed for another student or person than the log says".into());
    }
    give_back(tx, hash, bytes).map(|_| Outcome::Restored(kind)).map_err(|e| fail(&e))
}

/// Gives the lost entry `hash` its bytes back; nothing if it is not lost. The caller has checked
/// that `bytes` hash to `hash` and verify as what the entry names.
pub(super) fn give_back(tx: &Connection, hash: Digest, bytes: &[u8]) -> Result<bool, ArchiveError> {
    let index: Option<u64> = tx
        .prepare_cached("SELECT log.idx FROM log JOIN lost ON lost.idx = log.idx WHERE log.hash = ?1")?
        .query_row([hash.0.as_slice()], |row| row.get(0))
        .optional()?;
    let Some(index) = index else { return Ok(false) };
    tx.prepare_cached("UPDATE log SET bytes = ?2 WHERE idx = ?1")?.execute((index, bytes))?;
    tx.prepare_cached("DELETE FROM lost WHERE idx = ?1")?.execute([index])?;
    Ok(true)
}

fn verified_certificate(
    tx: &Connection,
    trust: &TrustStore,
    hash: Digest,
) -> Result<Verified<EnrolmentCertificate>, String> {
    stored(tx, hash, EnrolmentCertificate::KIND, |b| trust.certificate(b))
}

/// The object `hash` of `kind` as the log holds it, verified; said plainly if it is lost too.
fn stored<T, E: std::fmt::Display>(
    tx: &Connection,
    hash: Digest,
    kind: &str,
    verify: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<T, String> {
    let bytes = read::object_bytes(tx, hash, kind).map_err(|e| e.to_string())?;
    let bytes = bytes.ok_or_else(|| format!("its {kind} {hash} is not whole in the log: give it back too"))?;
    verify(&bytes).map_err(|e| e.to_string())
}

fn entry_of(tx: &Connection, hash: Digest) -> Result<Option<LogEntry>, ArchiveError> {
    let Some(index) = read::index_of(tx, hash)? else { return Ok(None) };
    Ok(read::entries(tx, index, index + 1)?.pop())
}

/// Every lost entry, in log order.
fn lost(tx: &Connection) -> Result<Vec<LogEntry>, ArchiveError> {
    let indexes: Vec<u64> = tx
        .prepare_cached("SELECT idx FROM lost ORDER BY idx")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut entries = Vec::new();
    for index in indexes {
        entries.extend(read::entries(tx, index, index + 1)?);
    }
    Ok(entries)
}

fn kind_of(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value.get("kind")?.as_str().map(str::to_owned)
}
