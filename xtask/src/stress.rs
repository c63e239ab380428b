//! `cargo xtask stress`: the three abuse loads of issue 12, counted against a real `verifier
//! serve` on loopback, so that a binary built before the fixes and one built after can be
//! compared under the same load. Bounded: about a minute in all, loopback only, every server
//! stopped when its scenario ends.
//!
//! 2. copies: N copies of one rights request and of one receipt, sent at once with M other
//!    families' receipts, from 16 addresses (127.0.2.x);
//! 8. slow bodies: one address (127.0.0.2) opens slow POSTs for T seconds while another
//!    (127.0.0.3) sends a small GET every 100 ms;
//! 9. challenges: 25 addresses (127.0.1.x) ask for challenges for T seconds while an enrolled
//!    family (127.0.0.3) reads its history once a second.

use crate::bench::ingest::Served;
use crate::school::{new_school, roster_of};
use anyhow::{Context, Result};
use base64::Engine as _;
use consent_tests::fixtures::{key, purpose};
use ed25519_dalek::SigningKey;
use shared::objects::{ConsentReceipt, Decision, EnrolmentCertificate, HistoryRequest, Right, RightsRequest};
use shared::primitives::Nonce;
use shared::{sign, Lang, Signed};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What to run.
pub struct Options {
    /// The `verifier` binary to measure.
    pub verifier: PathBuf,
    /// Copies of each object in scenario 2.
    pub copies: usize,
    /// Other families' receipts in scenario 2.
    pub others: usize,
    /// Seconds of load in scenarios 8 and 9.
    pub seconds: u64,
    /// Slow POSTs the attacker opens per second in scenario 8.
    pub slow_per_second: u64,
}

/// An enrolled family member's device.
struct Device {
    key: SigningKey,
    certificate: Signed<EnrolmentCertificate>,
}

/// A school with `families` enrolled guardians, in `dir`; returns their devices and the form.
fn school(dir: &Path, families: usize) -> Result<(Vec<Device>, shared::primitives::Digest)> {
    let mut school = new_school(dir, 1, |_| roster_of(families))?;
    let mut devices = Vec::new();
    for (i, person) in school.invited.clone().iter().enumerate() {
        let device = key(&format!("stress/{i}"));
        let certificate = school.enrol(person, &device)?;
        devices.push(Device { key: device, certificate });
    }
    Ok((devices, school.form.hash()))
}

fn receipt(device: &Device, form: shared::primitives::Digest, purpose_id: &str) -> Result<Vec<u8>> {
    let decisions = [(purpose(purpose_id), Decision::Grant)].into();
    let now = verifier::clock::now()?;
    Ok(sign(ConsentReceipt::by(&device.certificate, form, decisions, now, None, Lang::En), &device.key)?
        .bytes()
        .to_vec())
}

/// An HTTP client whose connections come from `ip` (loopback holds every 127.x.y.z).
fn client_from(ip: [u8; 4], timeout: Duration) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder().local_address(IpAddr::from(ip)).timeout(timeout).build()?)
}

/// Runs the three scenarios against `options.verifier` and prints their table.
pub fn run(options: &Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let copies = runtime.block_on(copies(options))?;
    let slow = runtime.block_on(slow_bodies(options))?;
    let flood = runtime.block_on(challenges(options))?;
    println!("stress of {}", options.verifier.display());
    println!("| scenario | measure | count |");
    println!("|---|---|---|");
    for (scenario, rows) in [("2 copies", copies), ("8 slow bodies", slow), ("9 challenges", flood)] {
        for (measure, count) in rows {
            println!("| {scenario} | {measure} | {count} |");
        }
    }
    Ok(())
}

/// One scenario's counts, in the order printed.
type Rows = Vec<(String, String)>;

async fn copies(options: &Options) -> Result<Rows> {
    let dir = tempfile::tempdir()?;
    let (devices, form) = school(dir.path(), options.others + 1)?;
    let server = Served::start(&options.verifier, dir.path(), &["--rate-limit", "1000000"])?;
    let family = &devices[0];
    let request = RightsRequest {
        school: family.certificate.body().school,
        student: family.certificate.body().student.clone(),
        certificate: family.certificate.hash(),
        role: family.certificate.body().role,
        right: Right::Access,
        purposes: Vec::new(),
        text: "What do you hold about us?".into(),
        client_time: verifier::clock::now()?,
        nonce: Nonce::random(&mut rand_core::OsRng),
    };
    let request = sign(request, &family.key)?.bytes().to_vec();
    let receipt_copy = receipt(family, form, "meals")?;
    let mut sends = Vec::new();
    for _ in 0..options.copies {
        sends.push(("receipt copies", "/v1/receipts", receipt_copy.clone()));
        sends.push(("request copies", "/v1/requests", request.clone()));
    }
    for device in &devices[1..] {
        sends.push(("other families", "/v1/receipts", receipt(device, form, "transport")?));
    }
    // Spread over 16 addresses, a few requests each: the scenario is about the archive, not
    // about one client's share of the service.
    let clients: Vec<reqwest::Client> =
        (0..16).map(|i| client_from([127, 0, 2, 10 + i], Duration::from_secs(30))).collect::<Result<_>>()?;
    let tasks: Vec<_> = sends
        .into_iter()
        .enumerate()
        .map(|(i, (what, path, body))| {
            let (client, url) = (clients[i % clients.len()].clone(), format!("{}{path}", server.base));
            tokio::spawn(async move {
                let response = client.post(url).header("content-type", "application/json").body(body).send().await?;
                let status = response.status().as_u16();
                anyhow::Ok((what, status, response.bytes().await?.to_vec()))
            })
        })
        .collect();
    let mut acks: BTreeMap<&str, BTreeSet<Vec<u8>>> = BTreeMap::new();
    let mut statuses: BTreeMap<(&str, u16), usize> = BTreeMap::new();
    for task in tasks {
        let (what, status, body) = task.await??;
        *statuses.entry((what, status)).or_default() += 1;
        if status == 200 {
            acks.entry(what).or_default().insert(body);
        }
    }
    let mut rows = Rows::new();
    for what in ["receipt copies", "request copies"] {
        let distinct = acks.get(what).map_or(0, BTreeSet::len);
        rows.push((format!("{what} ({}): distinct acknowledgements", options.copies), distinct.to_string()));
    }
    for what in ["receipt copies", "request copies", "other families"] {
        for status in [200, 409, 503] {
            let count = statuses.get(&(what, status)).copied().unwrap_or(0);
            rows.push((format!("{what}: {status}"), count.to_string()));
        }
        let other: usize =
            statuses.iter().filter(|((w, s), _)| *w == what && ![200, 409, 503].contains(s)).map(|(_, n)| n).sum();
        rows.push((format!("{what}: other statuses"), other.to_string()));
    }
    Ok(rows)
}

/// Opens a POST from `ip` announcing 1000 bytes and sends 8 of them; `true` if the service
/// answered within a second (refused at once), `false` if it is still waiting for the body.
/// The connection is held until `until`.
async fn slow_post(address: SocketAddr, ip: [u8; 4], until: Instant) -> Result<bool> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((ip, 0)))?;
    let mut stream = socket.connect(address).await?;
    let head =
        "POST /v1/receipts HTTP/1.1\r\nHost: school\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(b"{\"body\":").await?;
    let mut buffer = [0u8; 64];
    let answered =
        matches!(tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buffer)).await, Ok(Ok(n)) if n > 0);
    tokio::time::sleep_until(until.into()).await;
    Ok(answered)
}

async fn slow_bodies(options: &Options) -> Result<Rows> {
    let dir = tempfile::tempdir()?;
    school(dir.path(), 1)?;
    // The default limits, as deployed.
    let server = Served::start(&options.verifier, dir.path(), &[])?;
    let address: SocketAddr = server.base.trim_start_matches("http://").parse()?;
    let seconds = Duration::from_secs(options.seconds);
    let start = Instant::now();
    let until = start + seconds + Duration::from_secs(1);
    let attacker = tokio::spawn({
        let count = options.seconds * options.slow_per_second;
        let gap = Duration::from_secs_f64(1.0 / options.slow_per_second as f64);
        async move {
            let mut opened = Vec::new();
            for i in 0..count {
                tokio::time::sleep_until((start + gap * i as u32).into()).await;
                opened.push(tokio::spawn(slow_post(address, [127, 0, 0, 2], until)));
            }
            let (mut admitted, mut refused, mut failed) = (0, 0, 0);
            for task in opened {
                match task.await {
                    Ok(Ok(false)) => admitted += 1,
                    Ok(Ok(true)) => refused += 1,
                    _ => failed += 1,
                }
            }
            (count, admitted, refused, failed)
        }
    });
    let honest = client_from([127, 0, 0, 3], Duration::from_secs(5))?;
    let (mut answered, mut timeouts, mut slowest) = (0, 0, Duration::ZERO);
    while start.elapsed() < seconds {
        let sent = Instant::now();
        match honest.get(format!("{}/v1/checkpoint", server.base)).send().await {
            Ok(_) => answered += 1,
            Err(_) => timeouts += 1,
        }
        slowest = slowest.max(sent.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (opened, admitted, refused, failed) = attacker.await?;
    Ok(vec![
        (format!("attacker slow POSTs opened in {} s", options.seconds), opened.to_string()),
        ("attacker admitted (not refused within 1 s)".into(), admitted.to_string()),
        ("attacker refused at once".into(), refused.to_string()),
        ("attacker connections that failed".into(), failed.to_string()),
        ("honest GETs answered".into(), answered.to_string()),
        ("honest GETs timed out (5 s)".into(), timeouts.to_string()),
        ("honest max latency, ms".into(), slowest.as_millis().to_string()),
    ])
}

/// Reads `device`'s history over HTTP; the status of the challenge or, if that was a 200, of
/// the history.
async fn read_history(client: &reqwest::Client, base: &str, device: &Device) -> Result<u16> {
    let response = client.get(format!("{base}/v1/challenge")).send().await?;
    if response.status() != 200 {
        return Ok(response.status().as_u16());
    }
    let answer: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
    let challenge: Nonce = serde_json::from_value(answer["challenge"].clone()).context("a challenge")?;
    let request = HistoryRequest {
        school: device.certificate.body().school,
        certificate: device.certificate.hash(),
        challenge,
        client_time: verifier::clock::now()?,
    };
    let credentials = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sign(request, &device.key)?.bytes());
    let response = client
        .get(format!("{base}/v1/history"))
        .header("authorization", format!("Consent {credentials}"))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

async fn challenges(options: &Options) -> Result<Rows> {
    let dir = tempfile::tempdir()?;
    let (devices, _) = school(dir.path(), 1)?;
    let server = Served::start(&options.verifier, dir.path(), &["--rate-limit", "1000000"])?;
    let seconds = Duration::from_secs(options.seconds);
    let start = Instant::now();
    let mut flood = Vec::new();
    for address in 0..25u8 {
        let client = client_from([127, 0, 1, 10 + address], Duration::from_secs(5))?;
        for _ in 0..8 {
            let (client, url) = (client.clone(), format!("{}/v1/challenge", server.base));
            flood.push(tokio::spawn(async move {
                let (mut issued, mut refused) = (0u64, 0u64);
                while start.elapsed() < seconds {
                    match client.get(&url).send().await {
                        Ok(response) if response.status() == 200 => issued += 1,
                        _ => refused += 1,
                    }
                }
                (issued, refused)
            }));
        }
    }
    let honest = client_from([127, 0, 0, 3], Duration::from_secs(5))?;
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    while start.elapsed() < seconds {
        let outcome = match read_history(&honest, &server.base, &devices[0]).await {
            Ok(status) => status.to_string(),
            Err(_) => "no answer".to_owned(),
        };
        *outcomes.entry(outcome).or_default() += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let (mut issued, mut refused) = (0, 0);
    for task in flood {
        let (i, r) = task.await?;
        issued += i;
        refused += r;
    }
    let mut rows = vec![
        (format!("challenges issued to 25 addresses in {} s", options.seconds), issued.to_string()),
        ("challenge requests refused or failed".into(), refused.to_string()),
    ];
    let successes = outcomes.remove("200").unwrap_or(0);
    let unavailable = outcomes.remove("503").unwrap_or(0);
    rows.push(("honest history reads: 200".into(), successes.to_string()));
    rows.push(("honest history reads: 503".into(), unavailable.to_string()));
    for (outcome, count) in outcomes {
        rows.push((format!("honest history reads: {outcome}"), count.to_string()));
    }
    Ok(rows)
}
