//! `verifier audit` and `verifier export`: what the school hands an auditor, a purpose's
//! standing at an instant and a student's proof bundle.

use super::{parse_instant, write_private};
use anyhow::Result;
use clap::Args;
use shared::ids::StudentId;
use shared::Timestamp;
use std::path::{Path, PathBuf};
use verifier::archive::Archive;
use verifier::report::{self, Format};

/// Arguments of `verifier audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// The purpose id, e.g. photos-published.
    #[arg(long)]
    purpose: String,
    /// The instant: `YYYY-MM-DD` (the end of that day, UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
    #[arg(long, value_parser = parse_instant)]
    at: Timestamp,
    /// Only this class.
    #[arg(long)]
    class: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Who may be included in the purpose at the instant, to `args.out` or standard output.
pub fn audit(data: &Path, args: AuditArgs) -> Result<()> {
    let archive = Archive::open(data)?;
    let audit = archive.audit_purpose(&args.purpose, args.at, args.class.as_deref())?;
    let text = report::audit(&audit, args.format)?;
    match args.out {
        Some(out) => write_private(&out, text.as_bytes())?,
        None => print!("{text}"),
    }
    Ok(())
}

/// A student's pseudonymous id, as `--student` names it.
pub fn parse_student(text: &str) -> Result<StudentId, String> {
    StudentId::try_from(text).map_err(|e| e.to_string())
}

/// Writes the student's proof bundle to `out` (by default `bundle-STUDENT.json`).
pub fn export(data: &Path, student: &StudentId, out: Option<PathBuf>) -> Result<()> {
    let archive = Archive::open(data)?;
    let bundle = archive.export(student)?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("bundle-{student}.json")));
    write_private(&out, &bundle)?;
    println!("Wrote the proof bundle of {student} to {} ({} bytes).", out.display(), bundle.len());
    Ok(())
}
