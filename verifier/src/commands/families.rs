//! `verifier enrol` and `verifier submit`: what a family signed, taken into the archive by hand
//! rather than through the service.

use super::{now, read, write_private};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use verifier::archive::{Archive, Submission};

/// Certifies the key of the enrolment request in `request` under the invitation in
/// `invitation`, to `out` or standard output.
pub fn enrol(data: &Path, invitation: &Path, request: &Path, out: Option<PathBuf>) -> Result<()> {
    let mut archive = Archive::open(data)?;
    let certificate = archive.enrol(&read(invitation)?, &read(request)?, now()?)?;
    match out {
        // A certificate carries the student's birth date.
        Some(out) => write_private(&out, certificate.bytes())?,
        None => println!("{}", String::from_utf8_lossy(certificate.bytes())),
    }
    Ok(())
}

/// Logs each receipt or rights request in `files`, printing its acknowledgement; the first one
/// refused stops the rest.
pub fn submit(data: &Path, files: &[PathBuf]) -> Result<()> {
    let mut archive = Archive::open(data)?;
    for file in files {
        let bytes = read(file)?;
        let kind = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned));
        let ack = match kind.as_deref() {
            Some("rights-request/1") => archive.submit(Submission::request(&bytes), now()?),
            _ => archive.submit(Submission::receipt(&bytes), now()?),
        }
        .with_context(|| format!("{} was refused", file.display()))?;
        println!("{}", String::from_utf8_lossy(ack.bytes()));
    }
    Ok(())
}
