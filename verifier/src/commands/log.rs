//! `verifier check`, `verifier recover` and `verifier purge`: the log after the fact — checked
//! again, rebuilt after a restore from an older copy, and redacted when retention ends.

use super::{now, read_all};
use anyhow::Result;
use shared::Timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use verifier::archive::Archive;

/// Re-verifies everything and records a clean pass; exit status 1 on any problem.
pub fn check(data: &Path) -> Result<ExitCode> {
    let archive = Archive::open(data)?;
    let report = archive.check(true)?;
    for problem in &report.problems {
        println!("PROBLEM {problem}");
    }
    println!(
        "{} entries checked ({} purged, {} lost in a restore), {} problems.",
        report.entries,
        report.purged,
        report.lost,
        report.problems.len()
    );
    if !report.problems.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    archive.record_passed_check(report.entries, now()?)?;
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the lost entries from the ledger (or, with `new_ledger`, starts a new one) and gives
/// them their objects back from `files`; exit status 1 while entries still lack them.
pub fn recover(data: &Path, files: &[PathBuf], new_ledger: bool) -> Result<ExitCode> {
    let documents = read_all(files)?;
    let mut archive = Archive::open(data)?;
    if new_ledger {
        archive.new_ledger()?;
        println!("Started a new log ledger from the database as it is.");
    }
    let report = archive.recover(&documents)?;
    println!("Rebuilt {} log entries from the ledger, at their indexes.", report.rebuilt);
    for (kind, count) in &report.restored {
        println!("Gave back {count} {kind} objects from the files.");
    }
    if report.confirmed > 0 {
        println!("{} acknowledgements in the files are the archive's own, byte for byte.", report.confirmed);
    }
    for unused in &report.unused {
        println!("NOT USED {unused}");
    }
    if report.missing.is_empty() {
        println!("Nothing is lost: the archive signs, audits and exports again.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} entries are still lost; audits show their students as incomplete until their families' files \
         give them back:",
        report.missing.len()
    );
    for (index, kind, student) in &report.missing {
        println!("LOST    entry {index} ({kind}), student {}", student.as_deref().unwrap_or("-"));
    }
    Ok(ExitCode::FAILURE)
}

/// Deletes the personal data and redacts the log entries of students whose record closed before
/// `before`.
pub fn purge(data: &Path, before: Timestamp) -> Result<()> {
    let mut archive = Archive::open(data)?;
    let report = archive.purge(before, now()?)?;
    println!(
        "Purged {} students: {} log entries redacted (leaf hashes kept), {} rows of personal data deleted; \
         {} quiet records kept because a consent is in effect or a request is open.",
        report.students, report.redacted_entries, report.personal_rows, report.kept_open
    );
    Ok(())
}
