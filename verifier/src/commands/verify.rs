//! `verifier verify`: the auditor's offline check, with only the school's public key.

use super::read_all;
use anyhow::Result;
use shared::primitives::PublicKey;
use std::path::PathBuf;
use std::process::ExitCode;
use verifier::keys;

/// 64 hex digits, or a file holding them.
pub fn parse_school_key(text: &str) -> Result<PublicKey, String> {
    keys::read_public(text).map_err(|_| format!("{text:?} is neither 64 lowercase hex digits nor a file holding them"))
}

/// A verdict per file; exit status 1 unless every file is valid.
pub fn verify(school: &PublicKey, files: &[PathBuf]) -> Result<ExitCode> {
    let documents = read_all(files)?;
    let mut all_valid = true;
    for (name, verdict) in verifier::offline::verify_documents(&documents, school) {
        match verdict {
            Ok(summary) => println!("VALID   {name}: {summary}"),
            Err(reason) => {
                all_valid = false;
                println!("INVALID {name}: {reason}");
            }
        }
    }
    Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
