//! Items 1 and 5: how fast the archive takes receipts — through the library (verify, append,
//! durable commit, in groups) and over HTTP on loopback at a fixed concurrency, against the
//! release `verifier serve`. The load is bounded in count and loopback only.

use crate::school::new_school;
use anyhow::{Context, Result};
use consent_tests::fixtures::{key, purpose};
use ed25519_dalek::SigningKey;
use shared::objects::{ConsentReceipt, Decision, EnrolmentCertificate};
use shared::primitives::Digest;
use shared::{sign, Lang, Signed, Timestamp};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use verifier::archive::{Archive, Checked, Submission};

/// Receipts per group commit in the library measurement: what the service's writer gathers
/// under load at concurrency 64.
pub const GROUP: usize = 64;

/// A school with `people` enrolled guardians, and each guardian's chain of `per_person` receipts.
fn prepared_school(dir: &Path, people: usize, per_person: usize) -> Result<Vec<Vec<Vec<u8>>>> {
    let mut school = new_school(dir, 1, |_| crate::school::roster_of(people))?;
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

/// A new school's receipts in the order they are submitted: round-robin over people keeps
/// every chain in order while mixing signers like real traffic.
fn submissions(dir: &Path, people: usize, per_person: usize) -> Result<Vec<Submission>> {
    let chains = prepared_school(dir, people, per_person)?;
    Ok((0..per_person).flat_map(|i| chains.iter().map(move |c| Submission::Receipt(c[i].clone()))).collect())
}

/// Library ingest into a new archive through `submit_many`: receipts per second, in groups of
/// `group` per commit.
pub fn library_rate(people: usize, per_person: usize, group: usize) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let order = submissions(dir.path(), people, per_person)?;
    let mut archive = Archive::open(dir.path())?;
    let start = Instant::now();
    for batch in order.chunks(group) {
        for result in archive.submit_many(batch, verifier::clock::now()?) {
            result?;
        }
    }
    Ok(order.len() as f64 / start.elapsed().as_secs_f64())
}

/// Library ingest as the service drives it: one thread per core, each with its own handle,
/// verifies whole groups (`verify_submission`) while the writer appends and commits the groups
/// before them, in order (`append_checked`). Receipts per second.
pub fn pipelined_rate(people: usize, per_person: usize, group: usize) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let order = submissions(dir.path(), people, per_person)?;
    let groups: Vec<&[Submission]> = order.chunks(group).collect();
    let mut writer = Archive::open(dir.path())?;
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = mpsc::channel::<Result<(usize, Vec<Checked>)>>();
        for _ in 0..std::thread::available_parallelism().map_or(2, usize::from) {
            let (send, groups, next, dir) = (send.clone(), &groups, &next, dir.path());
            scope.spawn(move || {
                let reader = match Archive::open(dir) {
                    Ok(reader) => reader,
                    Err(error) => return drop(send.send(Err(error.into()))),
                };
                let verify = |index: usize, group: &[Submission]| -> Result<(usize, Vec<Checked>)> {
                    Ok((index, group.iter().map(|s| reader.verify_submission(s)).collect::<Result<_, _>>()?))
                };
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(group) = groups.get(index) else { return };
                    if send.send(verify(index, group)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send);
        // Groups are appended in their order, whichever reader finished first.
        let mut verified = BTreeMap::new();
        let mut due = 0;
        for result in receive {
            let (index, checked) = result?;
            verified.insert(index, checked);
            while let Some(checked) = verified.remove(&due) {
                for result in writer.append_checked(checked, verifier::clock::now()?) {
                    result?;
                }
                due += 1;
            }
        }
        Ok(())
    })?;
    Ok(order.len() as f64 / start.elapsed().as_secs_f64())
}

/// HTTP ingest: receipts per second with `concurrency` clients, and the p50 and p99 latency.
pub struct HttpIngest {
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Sends about `receipts` receipts from `concurrency` clients, each its own guardian's chain, to
/// the release `verifier serve` on 127.0.0.1.
pub fn http(concurrency: usize, receipts: usize) -> Result<HttpIngest> {
    let dir = tempfile::tempdir()?;
    let chains = prepared_school(dir.path(), concurrency, receipts.div_ceil(concurrency))?;
    let args = ["--rate-limit", "1000000", "--max-in-flight", "100000"];
    let server = Served::start(&release_binary()?, dir.path(), &args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(send_all(server.base.clone(), chains))
}

/// A `verifier serve` process on a free loopback port, stopped when this is dropped (also when
/// a measurement fails half-way), so that no server outlives its measurement.
pub struct Served {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Served {
    /// Starts `binary` serving the school in `data`, with `args` after `serve --listen 127.0.0.1:0`.
    pub fn start(binary: &Path, data: &Path, args: &[&str]) -> Result<Served> {
        let data = data.to_str().context("utf-8 path")?;
        let child = Command::new(binary)
            .args(["--data", data, "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut served = Served { child, base: String::new() };
        let mut line = String::new();
        BufReader::new(served.child.stdout.take().context("stdout")?).read_line(&mut line)?;
        served.base = line.trim().strip_prefix("Listening on ").context("the server did not start")?.to_owned();
        Ok(served)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn send_all(base: String, chains: Vec<Vec<Vec<u8>>>) -> Result<HttpIngest> {
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
                    let response =
                        client.post(&url).header("content-type", "application/json").body(receipt).send().await?;
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
    Ok(HttpIngest {
        rate: total as f64 / elapsed.as_secs_f64(),
        p50: super::quantile(&latencies, 0.50),
        p99: super::quantile(&latencies, 0.99),
    })
}

/// Builds the service in release mode (as it is deployed) and returns its path.
pub fn release_binary() -> Result<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = crate::workspace_root();
    let status =
        Command::new(cargo).args(["build", "--release", "-p", "verifier", "--locked"]).current_dir(&root).status()?;
    anyhow::ensure!(status.success(), "building the verifier failed");
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target"));
    Ok(target.join("release/verifier"))
}
