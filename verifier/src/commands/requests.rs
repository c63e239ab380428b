//! `verifier requests` and `verifier decide`: the rights requests, their deadlines, and the
//! school's signed answer to one.

use super::now;
use anyhow::Result;
use clap::{ArgGroup, Args};
use shared::objects::Outcome;
use shared::primitives::Digest;
use std::path::Path;
use verifier::archive::Archive;
use verifier::report::{self, Format};

/// Prints the requests, or with `overdue` only those undecided after their deadline.
pub fn list(data: &Path, overdue: bool, format: Format) -> Result<()> {
    let archive = Archive::open(data)?;
    let now = now()?;
    let rows: Vec<_> = archive.requests()?.into_iter().filter(|r| !overdue || r.overdue(now)).collect();
    print!("{}", report::requests(&rows, now, format)?);
    Ok(())
}

/// Arguments of `verifier decide`.
#[derive(Args)]
#[command(group(ArgGroup::new("outcome").required(true).args(["grant", "refuse"])))]
pub struct DecideArgs {
    /// The request's hash (from `verifier requests`).
    #[arg(value_parser = Digest::from_hex)]
    request: Digest,
    /// Grant the request.
    #[arg(long)]
    grant: bool,
    /// Refuse the request.
    #[arg(long)]
    refuse: bool,
    /// The reason, in words the requester understands.
    #[arg(long)]
    reason: String,
}

/// Signs and logs the decision, and prints it (it goes back to the requester).
pub fn decide(data: &Path, args: DecideArgs) -> Result<()> {
    let request = args.request;
    let outcome = if args.grant { Outcome::Granted } else { Outcome::Refused };
    let mut archive = Archive::open(data)?;
    let decision = archive.decide(request, outcome, &args.reason, now()?)?;
    println!("Decided: {}", String::from_utf8_lossy(decision.bytes()));
    Ok(())
}
