//! `verifier check`: re-verifies a whole archive, trusting nothing that was stored.
//!
//! 1. Every entry's bytes hash to its stored hash and its stored leaf; every object verifies
//!    through the chain of trust (in parallel, on every core); its stored columns (kind, student,
//!    person) agree with what it signed; receipts extend their signer's chain.
//! 2. The Merkle tree is recomputed from the leaves; every stored node must match it.
//! 3. Every checkpoint verifies and its root equals the recomputed root at its size.
//! 4. Every acknowledgement verifies and names its object, index and (stored) log time.
//!
//! Purged entries have no bytes: their stored leaf still anchors the tree, and step 1 skips them.

use crate::archive::{read, Archive, ArchiveError, LogEntry};
use crate::merkle::{self, MemoryTree};
use crate::trust::{TrustStore, Verified};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use shared::objects::{
    Acknowledgement, ArchiveDelegation, ConsentForm, ConsentReceipt, EnrolmentCertificate, RequestDecision,
    RightsRequest,
};
use shared::primitives::Digest;
use shared::SignedObject;
use std::collections::BTreeMap;

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Entries in the log.
    pub entries: u64,
    /// Entries whose bytes were purged (their leaves were still checked).
    pub purged: u64,
    /// Every problem found, each naming the entry; empty means the archive is intact.
    pub problems: Vec<String>,
}

/// Entries verified per batch: large enough to keep both cores busy, small enough to show progress.
const BATCH: u64 = 4096;

impl Archive {
    /// Checks the whole archive; `progress` shows a bar on the terminal.
    pub fn check(&self, progress: bool) -> Result<CheckReport, ArchiveError> {
        let conn = self.conn();
        let size = read::tree_size(conn)?;
        let bar = if progress { ProgressBar::new(size) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} entries ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message("verifying");
        let mut report = CheckReport { entries: size, ..CheckReport::default() };
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
            let verdicts: Vec<Option<String>> =
                entries.par_iter().map(|entry| check_entry(trust, entry, &links)).collect();
            for ((entry, leaf), verdict) in entries.iter().zip(&leaves).zip(verdicts) {
                report.problems.extend(verdict);
                report.problems.extend(check_leaf(entry, *leaf));
                report.problems.extend(links.chain(entry));
                report.purged += u64::from(entry.bytes.is_none());
                tree.push(*leaf);
            }
            bar.inc(to - from);
            from = to;
        }
        bar.set_message("tree");
        report.problems.extend(self.check_tree(&tree)?);
        report.problems.extend(self.check_acknowledgements(&tree)?);
        bar.finish_and_clear();
        Ok(report)
    }

    /// The stored nodes are exactly the recomputed tree's complete subtrees (none altered, none
    /// missing, none extra); every checkpoint verifies with the recomputed root.
    fn check_tree(&self, tree: &MemoryTree) -> Result<Vec<String>, ArchiveError> {
        use crate::merkle::NodeStore;
        let mut problems = Vec::new();
        let mut stored: BTreeMap<(u32, u64), Digest> =
            read::nodes(self.conn())?.into_iter().map(|(level, index, hash)| ((level, index), hash)).collect();
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
        for (size, bytes) in read::checkpoints(self.conn())? {
            match self.trust().checkpoint(&bytes) {
                Err(error) => problems.push(format!("checkpoint of size {size}: {error}")),
                Ok(checkpoint) => {
                    let root = merkle::root(tree, size).ok();
                    if checkpoint.body().tree_size != size || root != Some(checkpoint.body().root_hash) {
                        problems.push(format!("checkpoint of size {size} does not match the log"));
                    }
                }
            }
        }
        Ok(problems)
    }

    /// Every acknowledgement verifies and matches its object's hash, index and stored time.
    fn check_acknowledgements(&self, tree: &MemoryTree) -> Result<Vec<String>, ArchiveError> {
        let mut problems = Vec::new();
        let logged: BTreeMap<Digest, (u64, i64)> =
            read::hashes(self.conn())?.into_iter().map(|(h, i, t)| (h, (i, t))).collect();
        for (hash, bytes) in read::acknowledgements(self.conn())? {
            let ack: Verified<Acknowledgement> = match self.trust().acknowledgement(&bytes) {
                Ok(ack) => ack,
                Err(error) => {
                    problems.push(format!("acknowledgement of {hash}: {error}"));
                    continue;
                }
            };
            let body = ack.body();
            let matches = logged.get(&hash).is_some_and(|(index, time)| {
                body.object == hash && body.log_index == *index && body.server_time.unix() == *time
            });
            let root = merkle::root(tree, body.checkpoint.tree_size).ok();
            if !matches || root != Some(body.checkpoint.root_hash) {
                problems.push(format!("acknowledgement of {hash} does not match the log"));
            }
        }
        Ok(problems)
    }
}

/// The object itself: its hash, its signature chain, and the columns stored beside it.
fn check_entry(trust: &TrustStore, entry: &LogEntry, links: &Links) -> Option<String> {
    let bytes = entry.bytes.as_deref()?;
    let problem = |what: String| Some(format!("entry {} ({}): {what}", entry.index, entry.kind));
    if Digest::of(bytes) != entry.hash {
        return problem("its bytes do not match its stored hash".into());
    }
    let verdict: Result<(Option<String>, Option<String>), String> = match entry.kind.as_str() {
        ArchiveDelegation::KIND => {
            TrustStore::new(*trust.root()).add_delegation(bytes).map(|_| (None, None)).map_err(|e| e.to_string())
        }
        ConsentForm::KIND => trust.form(bytes).map(|_| (None, None)).map_err(|e| e.to_string()),
        EnrolmentCertificate::KIND => trust
            .certificate(bytes)
            .map(|c| (Some(c.body().student.to_string()), Some(c.body().person.to_string())))
            .map_err(|e| e.to_string()),
        ConsentReceipt::KIND => links.receipt(trust, bytes),
        RightsRequest::KIND => links.request(trust, bytes),
        RequestDecision::KIND => {
            trust.decision(bytes).map(|_| (entry.student.clone(), None)).map_err(|e| e.to_string())
        }
        other => Err(format!("unknown kind {other:?}")),
    };
    match verdict {
        Err(error) => problem(error),
        Ok((student, person)) if student != entry.student || person != entry.person => {
            problem("its stored student or person differs from what it signed".into())
        }
        Ok(_) => None,
    }
}

fn check_leaf(entry: &LogEntry, leaf: Digest) -> Option<String> {
    let bytes = entry.bytes.as_deref()?;
    (merkle::leaf_hash(bytes) != leaf)
        .then(|| format!("entry {}: its stored leaf hash does not match its bytes", entry.index))
}

/// Certificates, forms and chain heads seen so far, in log order.
#[derive(Default)]
struct Links {
    certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>>,
    forms: BTreeMap<Digest, Verified<ConsentForm>>,
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
            _ => {}
        }
    }

    /// Advances the signer's chain with a receipt; reports one that does not extend it.
    fn chain(&mut self, entry: &LogEntry) -> Option<String> {
        if entry.kind != ConsentReceipt::KIND {
            return None;
        }
        let receipt = shared::decode::<ConsentReceipt>(entry.bytes.as_deref()?).ok()?;
        let key = (entry.student.clone().unwrap_or_default(), entry.person.clone().unwrap_or_default());
        let expected = self.heads.insert(key, entry.hash);
        if receipt.unverified_body().previous != expected {
            return Some(format!("entry {}: the receipt does not extend its signer's chain", entry.index));
        }
        None
    }

    fn receipt(&self, trust: &TrustStore, bytes: &[u8]) -> Result<(Option<String>, Option<String>), String> {
        let unverified = shared::decode::<ConsentReceipt>(bytes).map_err(|e| e.to_string())?;
        let body = unverified.unverified_body();
        let certificate = self.certificate(body.certificate)?;
        let form = self.forms.get(&body.form).ok_or_else(|| format!("form {} is not earlier in the log", body.form))?;
        trust.receipt(bytes, certificate, form).map_err(|e| e.to_string())?;
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
