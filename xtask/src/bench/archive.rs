//! Items 3 and 4: a synthetic archive of a large school district — `people` guardians, each with
//! a chain of receipts, a million in all — then `verifier check` over all of it and audit queries
//! (one purpose, one class of 25, one instant) against it.

use crate::school::new_school;
use anyhow::{ensure, Result};
use consent_tests::fixtures::key;
use ed25519_dalek::SigningKey;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use shared::ids::PurposeId;
use shared::objects::{ConsentReceipt, Decision, EnrolmentCertificate};
use shared::primitives::Digest;
use shared::{sign, Lang, Signed, Timestamp};
use std::path::Path;
use std::time::{Duration, Instant};
use verifier::archive::{Archive, Submission};

/// Students per class, as the audit asks about one class.
const CLASS: usize = 25;

/// Receipts per group commit while filling the archive.
const GROUP: usize = 512;

/// The archive made, and when its receipts were logged.
pub struct Synthetic {
    pub dir: tempfile::TempDir,
    pub receipts: usize,
    pub classes: usize,
    pub purposes: Vec<PurposeId>,
    pub first: Timestamp,
    pub last: Timestamp,
}

fn bar(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}

/// Makes the archive: `people` guardians (of children under 14, who decide alone) enrolled, then
/// `receipts` receipts in rounds of one per guardian, each extending its signer's chain, signed
/// on every core and submitted in group commits as the service would.
pub fn build(people: usize, receipts: usize) -> Result<Synthetic> {
    let dir = tempfile::tempdir()?;
    let mut school = new_school(dir.path(), 1, |_| {
        let mut roster = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
        for i in 0..people {
            let class = i / CLASS;
            roster += &format!("s-{i:06},Student {i},C{class:04},2016-01-01,,Guardian {i},g{i}@example.org,,\n");
        }
        roster
    })?;
    let purposes: Vec<PurposeId> = school.form.body().purposes.iter().take(3).map(|p| p.id.clone()).collect();
    let enrolling = bar(people, "enrolling");
    let mut signers: Vec<(SigningKey, Signed<EnrolmentCertificate>, Option<Digest>)> = Vec::with_capacity(people);
    for (i, person) in school.invited.clone().iter().enumerate() {
        let device = key(&format!("bench/archive/{i}"));
        let certificate = school.enrol(person, &device)?;
        signers.push((device, certificate, None));
        enrolling.inc(1);
    }
    enrolling.finish();
    let form = school.form.hash();
    let mut archive = school.archive;
    let rounds = receipts.div_ceil(people);
    let filling = bar(rounds * people, "receipts");
    let first = verifier::clock::now()?;
    for round in 0..rounds {
        let now = verifier::clock::now()?;
        let signed: Vec<Signed<ConsentReceipt>> = signers
            .par_iter()
            .enumerate()
            .map(|(i, (device, certificate, previous))| {
                let decisions = purposes
                    .iter()
                    .enumerate()
                    .map(|(p, id)| {
                        (id.clone(), if (i + round + p) % 3 == 0 { Decision::Refuse } else { Decision::Grant })
                    })
                    .collect();
                Ok(sign(ConsentReceipt::by(certificate, form, decisions, now, *previous, Lang::En), device)?)
            })
            .collect::<Result<_>>()?;
        for (signer, receipt) in signers.iter_mut().zip(&signed) {
            signer.2 = Some(receipt.hash());
        }
        let submissions: Vec<Submission> = signed.iter().map(|r| Submission::Receipt(r.bytes().to_vec())).collect();
        for group in submissions.chunks(GROUP) {
            for result in archive.submit_many(group, now) {
                result?;
            }
            filling.inc(group.len() as u64);
        }
    }
    filling.finish();
    let last = verifier::clock::now()?;
    Ok(Synthetic { dir, receipts: rounds * people, classes: people.div_ceil(CLASS), purposes, first, last })
}

/// `verifier check` over the whole archive, on every core: receipts per second.
pub fn check_rate(synthetic: &Synthetic) -> Result<f64> {
    let archive = Archive::open(synthetic.dir.path())?;
    let start = Instant::now();
    let report = archive.check(true)?;
    let elapsed = start.elapsed();
    ensure!(report.problems.is_empty(), "the synthetic archive fails its check: {:?}", report.problems.first());
    Ok(synthetic.receipts as f64 / elapsed.as_secs_f64())
}

/// Audit latency: `queries` audits of one purpose, one class and one instant, spread over the
/// archive's classes, purposes and time; returns the sorted latencies.
pub fn audit_latencies(synthetic: &Synthetic, queries: usize) -> Result<Vec<Duration>> {
    let archive = Archive::open(synthetic.dir.path())?;
    let span = (synthetic.last.unix() - synthetic.first.unix()).max(1);
    let auditing = bar(queries, "auditing");
    let mut latencies = Vec::with_capacity(queries);
    for q in 0..queries {
        // A fixed stride through classes, purposes and instants: varied and repeatable.
        let class = format!("C{:04}", (q * 7919) % synthetic.classes);
        let purpose = synthetic.purposes[q % synthetic.purposes.len()].as_str();
        let at = Timestamp::from_unix(synthetic.first.unix() + (q as i64 * 104_729) % span + 1)
            .ok_or_else(|| anyhow::anyhow!("instant out of range"))?;
        let start = Instant::now();
        let audit = archive.audit_purpose(purpose, at, Some(&class))?;
        latencies.push(start.elapsed());
        ensure!(audit.rows.len() <= CLASS && !audit.rows.is_empty(), "class {class} has {} rows", audit.rows.len());
        auditing.inc(1);
    }
    auditing.finish_and_clear();
    latencies.sort();
    Ok(latencies)
}

/// The archive's size on disk, in bytes.
pub fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}
