//! One function per subcommand, grouped by what they work on, so that `main.rs` only defines the
//! command line and dispatches to them (as ripgrep's `main` does). A subcommand whose arguments
//! are a struct of their own keeps that struct beside its function; the helpers here are the
//! ones several subcommands share.

use anyhow::{Context, Result};
use ed25519_dalek::SigningKey;
use shared::Timestamp;
use std::path::{Path, PathBuf};
use verifier::keys;

pub mod audit;
pub mod families;
pub mod form;
pub mod invite;
pub mod log;
pub mod mail;
pub mod paper;
pub mod remind;
pub mod requests;
pub mod school;
pub mod serve;
pub mod staff;
pub mod verify;

/// The instant the command stamps what it writes with.
pub fn now() -> Result<Timestamp> {
    Ok(verifier::clock::now()?)
}

/// `YYYY-MM-DD` (the end of that day, UTC) or an instant; a usage error otherwise.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Some(stamp) = Timestamp::parse(text) {
        return Ok(stamp);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(23, 59, 59))
        .and_then(|end| Timestamp::from_datetime(end.and_utc()))
        .ok_or_else(|| format!("{text:?} is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM:SSZ"))
}

/// The instant `days` whole days after `now`.
fn days_after(now: Timestamp, days: u32) -> Result<Timestamp> {
    Timestamp::from_unix(now.unix() + i64::from(days) * 86_400).context("date out of range")
}

/// The root key from `path`, by default `DATA/school.key`.
fn root_key(data: &Path, path: Option<PathBuf>) -> Result<SigningKey> {
    Ok(keys::read_secret(&path.unwrap_or_else(|| data.join(keys::ROOT_KEY)))?)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Each file's bytes, named as the user named the file, for the commands that take objects from
/// many files at once.
fn read_all(files: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>> {
    files.iter().map(|f| Ok((f.display().to_string(), read(f)?))).collect()
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// [`write`] for what holds personal data: readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    verifier::private::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
