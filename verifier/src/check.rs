//! `verifier check`: re-verifies a whole archive, trusting nothing that was stored.
//!
//! 1. Every entry's bytes hash to its stored hash and its stored leaf; every object verifies
//!    through the chain of trust (in parallel, on every core); its stored columns (student,
//!    person, the entry it refers to) agree with what it signed; receipts extend their signer's
//!    chain; a decision answers a request earlier in the log, about the same student.
//! 2. The Merkle tree is recomputed from the leaves; the stored nodes must be exactly its nodes.
//! 3. Checkpoints: one per write (a group commit signs one for all it appends), at increasing tree
//!    sizes, the last at the log's size; each verifies and its root is the recomputed one.
//! 4. There is exactly one acknowledgement per entry; each verifies, names its object, index
//!    and (stored) log time, and a stored checkpoint whose tree holds that index.
//!
//! Signatures are verified in parallel on every core. The archive's own signatures
//! (acknowledgements) are checked by signing again, which gives the same verdict at half the cost
//! (see `Envelope::verify_own`).
//!
//! Everything is read from one snapshot, so a check may run while the service appends.
//!
//! Purged entries have no bytes: their stored leaf still anchors the tree, and step 1 skips them.

use crate::archive::{read, Archive, ArchiveError, LogEntry};
use crate::merkle::{self, MemoryTree};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use shared::merkle::leaf_hash;
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate, PaperRecord,
    RequestDecision, RightsRequest, StaffCertificate, StaffDecision, StaffRevocation,
};
use shared::primitives::Digest;
use shared::trust::{TrustStore, Verified};
use shared::{SignedObject, Timestamp};
use std::collections::BTreeMap;

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Entries in the log.
    pub entries: u64,
    /// Entries whose bytes were purged (their leaves were still checked).
    pub purged: u64,
    /// Entries lost in a restore and rebuilt from the log ledger without their objects.
    pub lost: u64,
    /// Every problem found, each naming the entry; empty means the archive is intact.
    pub problems: Vec<String>,
}

/// Entries read per step: large enough to keep every core busy, small enough to show progress.
const BATCH: u64 = 4096;

impl Archive {
    /// Notes that a check of the log as it stood at `tree_size` entries found nothing wrong, at
    /// `now`, for the staff console's overview. Only the latest is kept.
    pub fn record_passed_check(&self, tree_size: u64, now: Timestamp) -> Result<(), ArchiveError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('last_check', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [format!("{} {tree_size}", now.unix())],
        )?;
        Ok(())
    }

    /// When a check last passed, and how many entries it checked.
    pub fn last_passed_check(&self) -> Result<Option<(Timestamp, u64)>, ArchiveError> {
        use rusqlite::OptionalExtension as _;
        let value: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'last_check'", [], |row| row.get(0))
            .optional()?;
        let parse = |value: &str| {
            let (at, size) = value.split_once(' ')?;
            Some((Timestamp::from_unix(at.parse().ok()?)?, size.parse().ok()?))
        };
        Ok(value.as_deref().and_then(parse))
    }

    /// Checks the whole archive; `progress` shows a bar on the terminal.
    pub fn check(&self, progress: bool) -> Result<CheckReport, ArchiveError> {
        let snapshot = self.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let size = read::tree_size(conn)?;
        let bar = if progress { ProgressBar::new(size) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} entries ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message("verifying");
        let mut report = CheckReport { entries: size, ..CheckReport::default() };
        // A database behind its log ledger is reported; what it holds is still checked.
        if let Err(error) = self.ensure_whole() {
            report.problems.push(error.to_string());
        }
        let mut tree = MemoryTree::new();
        let mut links = Links::default();
        let mut from = 0;
        while from < size {
            let to = (from + BATCH).min(size);
            let entries = read::entries(conn, from, to)?;
            let leaves = read::leaves(conn, from, to)?;
            // Certificates and forms first, so that what follows them in the batch can refer to
            // them; then every signature in parallel; then the chains, in log order.
            entries.iter().for_each(|entry| links.learn(self.trust(), entry));
            let trust = self.trust();
            let verdicts: Vec<(Option<String>, Option<Previous>)> =
                entries.par_iter().map(|entry| check_entry(trust, entry, &links)).collect();
            for ((entry, leaf), (verdict, previous)) in entries.iter().zip(&leaves).zip(verdicts) {
                report.problems.extend(verdict);
                report.problems.extend(check_leaf(entry, *leaf));
                report.problems.extend(previous.and_then(|previous| links.chain(entry, previous)));
                if entry.lost {
                    // Its family's next receipt names it: the chain goes on from it.
                    links.lost(entry);
                    report.lost += 1;
                } else {
                    report.purged += u64::from(entry.bytes.is_none());
                }
                tree.push(*leaf);
            }
            bar.inc(to - from);
            from = to;
        }
        bar.set_message("tree");
        report.problems.extend(self.check_tree(conn, &tree)?);
        report.problems.extend(self.check_acknowledgements(conn, &tree)?);
        bar.finish_and_clear();
        Ok(report)
    }

    /// The stored nodes are exactly the recomputed tree's complete subtrees (none altered, none
    /// missing, none extra); every checkpoint verifies with the recomputed root.
    fn check_tree(&self, conn: &rusqlite::Connection, tree: &MemoryTree) -> Result<Vec<String>, ArchiveError> {
        use crate::merkle::NodeStore;
        let mut problems = Vec::new();
        let mut stored: BTreeMap<(u32, u64), Digest> =
            read::nodes(conn)?.into_iter().map(|(level, index, hash)| ((level, index), hash)).collect();
        let size = tree.len();
        for level in 0..u64::BITS {
            let complete = size >> level;
            if complete == 0 {
                break;
            }
            for index in 0..complete {
                let recomputed = tree.node(level, index).unwrap_or(None);
                if stored.remove(&(level, index)) != recomputed {
                    problems.push(format!("tree node (level {level}, index {index}) differs from the recomputed tree"));
                }
            }
        }
        problems.extend(
            stored
                .keys()
                .map(|(level, index)| format!("tree node (level {level}, index {index}) lies outside the log")),
        );
        let checkpoints = read::checkpoints(conn)?;
        let sizes: Vec<u64> = checkpoints.iter().map(|(size, _)| *size).collect();
        if sizes.first().is_some_and(|first| *first == 0) || sizes.last() != (size > 0).then_some(&size) {
            problems.push(format!("the checkpoints do not run from the first entry to the log's size {size}"));
        }
        let trust = self.trust();
        let verdicts: Vec<Option<String>> = checkpoints
            .par_iter()
            .map(|(size, bytes)| match trust.checkpoint(bytes) {
                Err(error) => Some(format!("checkpoint of size {size}: {error}")),
                Ok(checkpoint) => {
                    let root = merkle::root(tree, *size).ok();
                    (checkpoint.body().tree_size != *size || root != Some(checkpoint.body().root_hash))
                        .then(|| format!("checkpoint of size {size} does not match the log"))
                }
            })
            .collect();
        problems.extend(verdicts.into_iter().flatten());
        Ok(problems)
    }

    /// Every entry has one acknowledgement; each verifies and matches its object's hash, index and
    /// stored time.
    fn check_acknowledgements(
        &self,
        conn: &rusqlite::Connection,
        tree: &MemoryTree,
    ) -> Result<Vec<String>, ArchiveError> {
        let mut problems = Vec::new();
        let logged: BTreeMap<Digest, (u64, i64)> =
            read::hashes(conn)?.into_iter().map(|(h, i, t)| (h, (i, t))).collect();
        let acknowledgements = read::acknowledgements(conn)?;
        let acknowledged: std::collections::BTreeSet<Digest> = acknowledgements.iter().map(|(h, _)| *h).collect();
        for (hash, (index, _)) in &logged {
            if !acknowledged.contains(hash) {
                problems.push(format!("entry {index} has no acknowledgement"));
            }
        }
        // Each stored checkpoint's body, decoded once: a group commit's acknowledgements share one.
        let checkpoints: BTreeMap<u64, Checkpoint> = read::checkpoints(conn)?
            .into_iter()
            .filter_map(|(size, bytes)| {
                Some((size, shared::decode::<Checkpoint>(&bytes).ok()?.unverified_body().clone()))
            })
            .collect();
        let (trust, key) = (self.trust(), self.archive_key());
        let verdicts: Vec<Option<String>> = acknowledgements
            .par_iter()
            .map(|(hash, bytes)| {
                let ack: Verified<Acknowledgement> = match trust.own_acknowledgement(bytes, key) {
                    Ok(ack) => ack,
                    Err(error) => return Some(format!("acknowledgement of {hash}: {error}")),
                };
                let body = ack.body();
                let matches = logged.get(hash).is_some_and(|(index, time)| {
                    body.object == *hash && body.log_index == *index && body.server_time.unix() == *time
                });
                let root = merkle::root(tree, body.checkpoint.tree_size).ok();
                let stored = checkpoints.get(&body.checkpoint.tree_size) == Some(&body.checkpoint);
                (!matches || root != Some(body.checkpoint.root_hash) || !stored)
                    .then(|| format!("acknowledgement of {hash} does not match the log"))
            })
            .collect();
        problems.extend(verdicts.into_iter().flatten());
        Ok(problems)
    }
}

/// The student and person an object is about, as it signed them; or why it does not verify.
type Signers = Result<(Option<String>, Option<String>), String>;

/// What a receipt names as its signer's previous receipt.
type Previous = Option<Digest>;

/// The object itself: its hash, its signature chain, and the columns stored beside it. For a
/// receipt that decodes, also the previous receipt it names, for the chain check.
fn check_entry(trust: &TrustStore, entry: &LogEntry, links: &Links) -> (Option<String>, Option<Previous>) {
    let problem = |what: String| Some(format!("entry {} ({}): {what}", entry.index, entry.kind));
    let Some(bytes) = entry.bytes.as_deref() else {
        let lost = "lost when an older copy of the database was restored: only its hash is left; \
                    `verifier recover` with its family's files gives it back";
        return (entry.lost.then(|| problem(lost.into())).flatten(), None);
    };
    if Digest::of(bytes) != entry.hash {
        return (problem("its bytes do not match its stored hash".into()), None);
    }
    let mut previous = None;
    let verdict: Signers = match entry.kind.as_str() {
        ArchiveDelegation::KIND => trust.delegation(bytes).map(|_| (None, None)).map_err(|e| e.to_string()),
        ConsentForm::KIND => trust.form(bytes).map(|_| (None, None)).map_err(|e| e.to_string()),
        EnrolmentCertificate::KIND => trust
            .certificate(bytes)
            .map(|c| (Some(c.body().student.to_string()), Some(c.body().person.to_string())))
            .map_err(|e| e.to_string()),
        ConsentReceipt::KIND => {
            let (verdict, named) = links.receipt(trust, bytes);
            previous = named;
            verdict
        }
        RightsRequest::KIND => links.request(trust, bytes),
        RequestDecision::KIND => links.decision(trust, bytes),
        StaffCertificate::KIND => {
            trust.staff_certificate(bytes).map(|c| (None, Some(c.body().person.to_string()))).map_err(|e| e.to_string())
        }
        StaffRevocation::KIND => links.revocation(trust, bytes),
        StaffDecision::KIND => links.staff_decision(trust, bytes, entry.logged_at),
        PaperRecord::KIND => links.paper_record(trust, bytes, entry.logged_at),
        other => Err(format!("unknown kind {other:?}")),
    };
    let problem = match verdict {
        Err(error) => problem(error),
        Ok((student, person)) if student != entry.student || person != entry.person => {
            problem("its stored student or person differs from what it signed".into())
        }
        Ok(_) if refers_to(&entry.kind, bytes) != entry.refers_to => {
            problem("its stored reference differs from what it signed".into())
        }
        Ok(_) => None,
    };
    (problem, previous)
}

fn check_leaf(entry: &LogEntry, leaf: Digest) -> Option<String> {
    let bytes = entry.bytes.as_deref()?;
    (leaf_hash(bytes) != leaf).then(|| format!("entry {}: its stored leaf hash does not match its bytes", entry.index))
}

/// The entry an object answers, as the archive stores it in `refers_to`.
fn refers_to(kind: &str, bytes: &[u8]) -> Option<Digest> {
    match kind {
        EnrolmentCertificate::KIND => {
            Some(shared::decode::<EnrolmentCertificate>(bytes).ok()?.unverified_body().invitation)
        }
        RequestDecision::KIND => Some(shared::decode::<RequestDecision>(bytes).ok()?.unverified_body().request),
        ConsentForm::KIND => shared::decode::<ConsentForm>(bytes).ok()?.unverified_body().supersedes,
        StaffCertificate::KIND => Some(shared::decode::<StaffCertificate>(bytes).ok()?.unverified_body().invitation),
        StaffRevocation::KIND => Some(shared::decode::<StaffRevocation>(bytes).ok()?.unverified_body().certificate),
        _ => None,
    }
}

/// Certificates, forms, requests and chain heads seen so far, in log order.
#[derive(Default)]
struct Links {
    certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>>,
    forms: BTreeMap<Digest, Verified<ConsentForm>>,
    /// Each request's student.
    requests: BTreeMap<Digest, String>,
    staff_certificates: BTreeMap<Digest, Verified<StaffCertificate>>,
    /// When each revoked staff certificate stopped authorising anything.
    revoked: BTreeMap<Digest, Timestamp>,
    /// Each staff decision, as signed (verified where it is checked).
    staff_decisions: BTreeMap<Digest, StaffDecision>,
    heads: BTreeMap<(String, String), Digest>,
}

impl Links {
    /// Takes in a certificate or form (a bad one is reported by [`check_entry`]).
    fn learn(&mut self, trust: &TrustStore, entry: &LogEntry) {
        let Some(bytes) = entry.bytes.as_deref() else { return };
        match entry.kind.as_str() {
            EnrolmentCertificate::KIND => {
                if let Ok(certificate) = trust.certificate(bytes) {
                    self.certificates.insert(certificate.hash(), certificate);
                }
            }
            ConsentForm::KIND => {
                if let Ok(form) = trust.form(bytes) {
                    self.forms.insert(form.hash(), form);
                }
            }
            RightsRequest::KIND => {
                if let Ok(request) = shared::decode::<RightsRequest>(bytes) {
                    self.requests.insert(request.hash(), request.unverified_body().student.to_string());
                }
            }
            StaffCertificate::KIND => {
                if let Ok(certificate) = trust.staff_certificate(bytes) {
                    self.staff_certificates.insert(certificate.hash(), certificate);
                }
            }
            StaffRevocation::KIND => {
                if let Ok(revocation) = trust.staff_revocation(bytes) {
                    self.revoked.insert(revocation.body().certificate, revocation.body().revoked);
                }
            }
            StaffDecision::KIND => {
                if let Ok(decision) = shared::decode::<StaffDecision>(bytes) {
                    self.staff_decisions.insert(decision.hash(), decision.unverified_body().clone());
                }
            }
            _ => {}
        }
    }

    /// A decision: archive-signed, answering a request earlier in the log; its student is the request's.
    fn decision(&self, trust: &TrustStore, bytes: &[u8]) -> Result<(Option<String>, Option<String>), String> {
        let decision = trust.decision(bytes).map_err(|e| e.to_string())?;
        let body = decision.body();
        if let Some(staff) = body.staff_decision {
            let signed = self
                .staff_decisions
                .get(&staff)
                .ok_or_else(|| format!("it carries out staff decision {staff}, which is not in the log"))?;
            if (signed.request, signed.outcome, &signed.reason) != (body.request, body.outcome, &body.reason) {
                return Err(format!("it does not say what staff decision {staff} decided"));
            }
        }
        Ok((Some(self.student_of(body.request)?.clone()), None))
    }

    /// The student of the request `request`, earlier in the log.
    fn student_of(&self, request: Digest) -> Result<&String, String> {
        self.requests
            .get(&request)
            .ok_or_else(|| format!("it decides {request}, which is not a request earlier in the log"))
    }

    /// A revocation: archive-signed, of a staff certificate in the log; its person is the holder's.
    fn revocation(&self, trust: &TrustStore, bytes: &[u8]) -> Signers {
        let revocation = trust.staff_revocation(bytes).map_err(|e| e.to_string())?;
        let hash = revocation.body().certificate;
        let certificate =
            self.staff_certificates.get(&hash).ok_or_else(|| format!("it revokes {hash}, which is not in the log"))?;
        if certificate.body().person != revocation.body().person {
            return Err("it names another person than the certificate it revokes".into());
        }
        Ok((None, Some(revocation.body().person.to_string())))
    }

    /// A staff decision: signed by the key of a staff certificate that was neither expired nor
    /// revoked when the log recorded it, of a role that decides requests, on a request in the log.
    fn staff_decision(&self, trust: &TrustStore, bytes: &[u8], logged_at: Timestamp) -> Signers {
        let unverified = shared::decode::<StaffDecision>(bytes).map_err(|e| e.to_string())?;
        let certificate = self.staff_signer(unverified.unverified_body().certificate, logged_at)?;
        let decision = trust.staff_decision(bytes, certificate, logged_at).map_err(|e| e.to_string())?;
        let student = self.student_of(decision.body().request)?;
        Ok((Some(student.clone()), Some(certificate.body().person.to_string())))
    }

    /// A paper slip: signed by the key of a staff certificate that was neither expired nor
    /// revoked when the log recorded it, of a role that records slips, answering a form version
    /// earlier in the log; its student is the one it names.
    fn paper_record(&self, trust: &TrustStore, bytes: &[u8], logged_at: Timestamp) -> Signers {
        let unverified = shared::decode::<PaperRecord>(bytes).map_err(|e| e.to_string())?;
        let body = unverified.unverified_body();
        let certificate = self.staff_signer(body.certificate, logged_at)?;
        let form = self.forms.get(&body.form).ok_or_else(|| format!("form {} is not earlier in the log", body.form))?;
        let record = trust.paper_record(bytes, certificate, form, logged_at).map_err(|e| e.to_string())?;
        Ok((Some(record.body().student.to_string()), None))
    }

    /// The staff certificate `hash` in the log, unless it was revoked by `logged_at`, when the
    /// log recorded an object its key signed.
    fn staff_signer(&self, hash: Digest, logged_at: Timestamp) -> Result<&Verified<StaffCertificate>, String> {
        let certificate =
            self.staff_certificates.get(&hash).ok_or_else(|| format!("staff certificate {hash} is not in the log"))?;
        if self.revoked.get(&hash).is_some_and(|revoked| *revoked <= logged_at) {
            return Err(format!("staff certificate {hash} was revoked before it was logged"));
        }
        Ok(certificate)
    }

    /// Advances the signer's chain past a lost receipt, whose `previous` is not known.
    fn lost(&mut self, entry: &LogEntry) {
        if entry.kind == ConsentReceipt::KIND {
            let key = (entry.student.clone().unwrap_or_default(), entry.person.clone().unwrap_or_default());
            self.heads.insert(key, entry.hash);
        }
    }

    /// Advances the signer's chain with a receipt that names `previous`; reports one that does not
    /// extend it.
    fn chain(&mut self, entry: &LogEntry, previous: Previous) -> Option<String> {
        let key = (entry.student.clone().unwrap_or_default(), entry.person.clone().unwrap_or_default());
        let expected = self.heads.insert(key, entry.hash);
        (previous != expected).then(|| format!("entry {}: the receipt does not extend its signer's chain", entry.index))
    }

    /// A receipt through the chain of trust, and the previous receipt it names if it decodes.
    fn receipt(&self, trust: &TrustStore, bytes: &[u8]) -> (Signers, Option<Previous>) {
        let unverified = match shared::decode::<ConsentReceipt>(bytes) {
            Ok(unverified) => unverified,
            Err(error) => return (Err(error.to_string()), None),
        };
        let previous = unverified.unverified_body().previous;
        (self.verified_receipt(trust, unverified), Some(previous))
    }

    fn verified_receipt(&self, trust: &TrustStore, unverified: shared::Envelope<ConsentReceipt>) -> Signers {
        let body = unverified.unverified_body();
        let certificate = self.certificate(body.certificate)?;
        let form = self.forms.get(&body.form).ok_or_else(|| format!("form {} is not earlier in the log", body.form))?;
        trust.decoded_receipt(unverified, certificate, form).map_err(|e| e.to_string())?;
        Ok((Some(certificate.body().student.to_string()), Some(certificate.body().person.to_string())))
    }

    fn request(&self, trust: &TrustStore, bytes: &[u8]) -> Result<(Option<String>, Option<String>), String> {
        let unverified = shared::decode::<RightsRequest>(bytes).map_err(|e| e.to_string())?;
        let certificate = self.certificate(unverified.unverified_body().certificate)?;
        trust.request(bytes, certificate).map_err(|e| e.to_string())?;
        Ok((Some(certificate.body().student.to_string()), Some(certificate.body().person.to_string())))
    }

    fn certificate(&self, hash: Digest) -> Result<&Verified<EnrolmentCertificate>, String> {
        self.certificates.get(&hash).ok_or_else(|| format!("certificate {hash} is not earlier in the log"))
    }
}
