//! `cargo xtask load`: how fast the archive takes receipts, measured in one run against the
//! machine's own baseline — the raw `verify_strict` rate on one core — so the figures are ratios
//! that mean the same on any machine:
//! 1. library ingest, one receipt per transaction and in groups (verify + append + durable commit);
//! 2. HTTP ingest through the release `verifier serve` on 127.0.0.1 at a fixed concurrency,
//!    with its p50 and p99 latency, as a ratio to the library's grouped rate.
//!
//! A measurement, not a test: it asserts nothing. The load is bounded in count and loopback only.

use crate::school::new_school;
use anyhow::{Context, Result};
use consent_tests::fixtures::{key, purpose};
use ed25519_dalek::{Signer as _, SigningKey};
use shared::objects::{ConsentReceipt, Decision, EnrolmentCertificate};
use shared::primitives::Digest;
use shared::{sign, Lang, Signed, Timestamp};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use verifier::archive::{Archive, Submission};

/// A school with `people` enrolled guardians, and each guardian's chain of `per_person` receipts.
fn prepared_school(dir: &Path, people: usize, per_person: usize) -> Result<Vec<Vec<Vec<u8>>>> {
    let mut school = new_school(dir, 1, |_| {
        let mut roster = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
        for i in 0..people {
            roster += &format!("s-{i},Student {i},3A,2018-01-01,,Parent {i},p{i}@example.org,,\n");
        }
        roster
    })?;
    let mut chains = Vec::new();
    for (i, person) in school.invited.clone().iter().enumerate() {
        let device = key(&format!("load/{i}"));
        let certificate = school.enrol(person, &device)?;
        chains.push(chain(&certificate, &device, school.form.hash(), per_person, school.now)?);
    }
    Ok(chains)
}

fn chain(
    certificate: &Signed<EnrolmentCertificate>,
    device: &SigningKey,
    form: Digest,
    count: usize,
    now: Timestamp,
) -> Result<Vec<Vec<u8>>> {
    let mut previous = None;
    let mut receipts = Vec::new();
    for i in 0..count {
        let decision = if i % 2 == 0 { Decision::Grant } else { Decision::Refuse };
        let decisions = [(purpose("meals"), decision), (purpose("transport"), Decision::Grant)].into();
        let receipt = sign(ConsentReceipt::by(certificate, form, decisions, now, previous, Lang::En), device)?;
        previous = Some(receipt.hash());
        receipts.push(receipt.bytes().to_vec());
    }
    Ok(receipts)
}

/// Raw `verify_strict` on one core: signatures per second.
fn verify_strict_rate() -> f64 {
    let key = key("load/baseline");
    let message = [7u8; 600];
    let signature = key.sign(&message);
    let verifying = key.verifying_key();
    let count = 3_000;
    let start = Instant::now();
    for _ in 0..count {
        let _ = std::hint::black_box(verifying.verify_strict(std::hint::black_box(&message), &signature));
    }
    f64::from(count) / start.elapsed().as_secs_f64()
}

/// Library ingest: receipts per second, in groups of `group` per transaction.
fn library_rate(chains: &[Vec<Vec<u8>>], group: usize, archive: &mut Archive) -> Result<f64> {
    // Round-robin over people keeps every chain in order while mixing signers like real traffic.
    let depth = chains.first().map_or(0, Vec::len);
    let order: Vec<Submission> =
        (0..depth).flat_map(|i| chains.iter().map(move |c| Submission::Receipt(c[i].clone()))).collect();
    let start = Instant::now();
    for batch in order.chunks(group) {
        for result in archive.submit_many(batch, verifier::clock::now()?) {
            result?;
        }
    }
    Ok(order.len() as f64 / start.elapsed().as_secs_f64())
}

/// Runs the measurements and prints the report.
pub fn run(concurrency: usize, receipts: usize) -> Result<()> {
    let baseline = verify_strict_rate();
    println!("verify_strict, one core (baseline):      {baseline:>9.0} /s");

    let single_dir = tempfile::tempdir()?;
    let chains = prepared_school(single_dir.path(), 50, 20)?;
    let mut archive = Archive::open(single_dir.path())?;
    let single = library_rate(&chains, 1, &mut archive)?;
    println!("library ingest, one per commit:          {single:>9.0} /s  = {:.2} x baseline", single / baseline);

    let grouped_dir = tempfile::tempdir()?;
    let chains = prepared_school(grouped_dir.path(), 64, 40)?;
    let mut archive = Archive::open(grouped_dir.path())?;
    let grouped = library_rate(&chains, 64, &mut archive)?;
    println!("library ingest, groups of 64:            {grouped:>9.0} /s  = {:.2} x baseline", grouped / baseline);

    let http_dir = tempfile::tempdir()?;
    let per_person = receipts.div_ceil(concurrency);
    let chains = prepared_school(http_dir.path(), concurrency, per_person)?;
    let (rate, p50, p99) = http_rate(http_dir.path(), chains)?;
    println!(
        "HTTP ingest, concurrency {concurrency}:               {rate:>9.0} /s  = {:.2} x library groups; p50 {:.1} ms, p99 {:.1} ms",
        rate / grouped,
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    Ok(())
}

fn http_rate(dir: &Path, chains: Vec<Vec<Vec<u8>>>) -> Result<(f64, Duration, Duration)> {
    let binary = release_binary()?;
    let data = dir.to_str().context("utf-8 path")?;
    let mut server = Command::new(binary)
        .args(["--data", data, "serve", "--listen", "127.0.0.1:0", "--rate-limit", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().context("stdout")?).read_line(&mut line)?;
    let base = line.trim().strip_prefix("Listening on ").context("the server did not start")?.to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let total: usize = chains.iter().map(Vec::len).sum();
        let start = Instant::now();
        let tasks: Vec<_> = chains
            .into_iter()
            .map(|chain| {
                let (client, url) = (client.clone(), format!("{base}/v1/receipts"));
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    for receipt in chain {
                        let sent = Instant::now();
                        let response = client.post(&url).body(receipt).send().await?;
                        anyhow::ensure!(response.status().is_success(), "the service answered {}", response.status());
                        latencies.push(sent.elapsed());
                    }
                    anyhow::Ok(latencies)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await??);
        }
        let elapsed = start.elapsed();
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        anyhow::Ok((total as f64 / elapsed.as_secs_f64(), at(0.50), at(0.99)))
    });
    server.kill()?;
    server.wait()?;
    result
}

/// Builds the service in release mode (as it is deployed) and returns its path.
fn release_binary() -> Result<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = super::workspace_root();
    let status =
        Command::new(cargo).args(["build", "--release", "-p", "verifier", "--locked"]).current_dir(&root).status()?;
    anyhow::ensure!(status.success(), "building the verifier failed");
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target"));
    Ok(target.join("release/verifier"))
}
