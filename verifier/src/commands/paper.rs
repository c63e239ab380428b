//! `verifier staff enrol` and `verifier paper record`: a DPO or director who works at the
//! terminal enrols a staff key kept in a file (as the console keeps one in a browser), and with it
//! records a decision a family gave on a paper slip — signed by that key, never by the school's.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::Args;
use rand_core::OsRng;
use shared::client::{fragment_parameter, Fragment};
use shared::ids::{PersonId, PurposeId, StudentId};
use shared::objects::{Decision, StaffEnrolmentRequest};
use shared::primitives::{Digest, PublicKey};
use shared::{sign, Timestamp};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use verifier::archive::{Archive, Slip};
use verifier::keys;

/// Arguments of `verifier staff enrol`.
#[derive(Args)]
pub struct EnrolArgs {
    /// The staff invitation link from `verifier staff invite`.
    #[arg(long)]
    link: String,
    /// Where to write the new staff key (owner-only); it does not exist yet.
    #[arg(long)]
    key: PathBuf,
}

/// Makes a staff key in `args.key` and enrols it with the invitation in `args.link`.
pub fn enrol(data: &Path, args: EnrolArgs, now: Timestamp) -> Result<()> {
    let fragment = args.link.split_once('#').map_or("", |(_, fragment)| fragment);
    let Fragment::Object(invitation) = fragment_parameter(fragment, "staff-invitation") else {
        bail!("the link holds no staff invitation (…#staff-invitation=…); copy it whole");
    };
    if args.key.exists() {
        bail!("{} exists already; choose a new file for the new key", args.key.display());
    }
    let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let mut archive = Archive::open(data)?;
    let school = archive.school();
    let request = StaffEnrolmentRequest {
        school,
        invitation: Digest::of(&invitation),
        key: PublicKey::of(&key),
        client_time: now,
    };
    let request = sign(request, &key)?;
    let certificate = archive.enrol_staff(&invitation, request.bytes(), now)?;
    keys::write_secret(&args.key, &key)?;
    let body = certificate.body();
    println!(
        "Enrolled {} as {} until {}; their staff key is in {} — keep it as safe as the root key.",
        body.person,
        body.role.name(),
        body.expires,
        args.key.display()
    );
    Ok(())
}

/// Arguments of `verifier paper record`.
#[derive(Args)]
pub struct RecordArgs {
    /// The recording DPO's or director's staff key file (from `verifier staff enrol`).
    #[arg(long)]
    staff_key: PathBuf,
    /// The student the slip is about.
    #[arg(long)]
    student: String,
    /// Who signed the slip: their id in the roster (repeat for each signer).
    #[arg(long = "signer", required = true)]
    signers: Vec<String>,
    /// A purpose the slip agrees to (repeat for each).
    #[arg(long)]
    grant: Vec<String>,
    /// A purpose the slip refuses (repeat for each).
    #[arg(long)]
    refuse: Vec<String>,
    /// A purpose the slip withdraws (repeat for each).
    #[arg(long)]
    withdraw: Vec<String>,
    /// The date written on the slip, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    date: NaiveDate,
    /// The scanned slip: its SHA-256 is recorded; keep the scan with the paper.
    #[arg(long)]
    scan: PathBuf,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("{text:?} is not a date like 2026-09-01"))
}

/// Signs the slip with the staff key, logs it, and says what the archive acknowledged.
pub fn record(data: &Path, args: RecordArgs, now: Timestamp) -> Result<()> {
    let staff_key = keys::read_secret(&args.staff_key)?;
    let scan = std::fs::read(&args.scan).with_context(|| format!("reading {}", args.scan.display()))?;
    let mut decisions = BTreeMap::new();
    for (purposes, decision) in
        [(&args.grant, Decision::Grant), (&args.refuse, Decision::Refuse), (&args.withdraw, Decision::Withdraw)]
    {
        for purpose in purposes {
            let id = PurposeId::try_from(purpose.as_str()).map_err(|e| anyhow::anyhow!("{purpose:?}: {e}"))?;
            if decisions.insert(id, decision).is_some() {
                bail!("{purpose} is named twice; a slip says one thing per purpose");
            }
        }
    }
    let signers = args
        .signers
        .iter()
        .map(|p| PersonId::try_from(p.as_str()).map_err(|e| anyhow::anyhow!("--signer {p:?}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let student = StudentId::try_from(args.student.as_str()).map_err(|e| anyhow::anyhow!("--student: {e}"))?;
    let slip = Slip { student, signers, decisions, signed_on: args.date, scan: Digest::of(&scan) };
    let mut archive = Archive::open(data)?;
    let record = archive.sign_paper(slip, &staff_key, now)?;
    let ack = archive.record_paper(record.bytes(), now)?;
    println!(
        "Recorded the paper slip of {} for {} at log index {}: it shows everywhere as on paper, recorded by {}.",
        args.date,
        record.body().student,
        ack.body().log_index,
        archive.staff_certificate(record.body().certificate)?.body().person
    );
    Ok(())
}
