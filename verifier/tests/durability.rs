//! Nothing acknowledged is ever lost: the real `verifier serve` process is killed with SIGKILL at
//! random moments during a stream of submissions, and run out of disk space; afterwards every
//! acknowledged receipt is in the log and the archive passes `check`. Servers bind 127.0.0.1
//! only; every loop is bounded in count and time.

use consent_tests::fixtures::{example_form_content, key, purpose};
use ed25519_dalek::SigningKey;
use rand_core::{OsRng, RngCore};
use serde_json::Value;
use shared::encoding::to_canonical;
use shared::objects::{ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest};
use shared::primitives::{Digest, PublicKey};
use shared::{sign, Lang, Signed, Timestamp};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use verifier::archive::{Archive, Roster};
use verifier::keys;

const CONCURRENCY: usize = 16;
const SUBMISSIONS: usize = 2_000;

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

/// A school with a form and `students` invited guardians; returns the invitations' bytes.
fn school(dir: &Path, students: usize) -> (Signed<ConsentForm>, Vec<Vec<u8>>) {
    let (mut archive, school) = Archive::init(dir, now(), &mut OsRng).expect("init");
    let root = keys::read_secret(&dir.join(keys::ROOT_KEY)).expect("root");
    let form = sign(ConsentForm::new(school, 1, now(), None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), now()).expect("publish");
    let mut roster = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
    for i in 0..students {
        roster += &format!("s-{i},Student {i},3A,2018-01-01,,Parent {i},p{i}@example.org,,\n");
    }
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let invited =
        archive.invite(&Roster::parse(&roster).expect("roster"), &root, expires, now(), &mut OsRng).expect("invite");
    (form, invited.iter().map(|i| i.invitation.bytes().to_vec()).collect())
}

/// Starts `verifier serve` on a free loopback port, optionally through `sh` with a file-size
/// limit (in 512-byte blocks) and SIGXFSZ ignored, so writes past it fail as on a full disk.
fn serve(dir: &Path, file_size_blocks: Option<u64>) -> (Child, String) {
    let binary = env!("CARGO_BIN_EXE_verifier");
    let data = dir.to_str().expect("utf-8 path");
    let args =
        ["--data", data, "serve", "--listen", "127.0.0.1:0", "--rate-limit", "1000000", "--max-in-flight", "1000"];
    let mut command = match file_size_blocks {
        None => Command::new(binary),
        Some(blocks) => {
            let mut sh = Command::new("sh");
            sh.args(["-c", &format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""), binary]);
            sh
        }
    };
    let mut child = command.args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let base = line.trim().strip_prefix("Listening on ").expect("a listening line").to_owned();
    (child, base)
}

/// A guardian's device, enrolled over HTTP.
struct Device {
    key: SigningKey,
    certificate: Signed<EnrolmentCertificate>,
}

async fn enrol(client: &reqwest::Client, base: &str, invitation: &[u8], label: &str) -> Device {
    let key = key(label);
    let school =
        shared::decode::<shared::objects::Invitation>(invitation).expect("invitation").unverified_body().school;
    let request =
        EnrolmentRequest { school, invitation: Digest::of(invitation), key: PublicKey::of(&key), client_time: now() };
    let request = sign(request, &key).expect("signs");
    let body = serde_json::json!({
        "invitation": serde_json::from_slice::<Value>(invitation).expect("json"),
        "request": serde_json::from_slice::<Value>(request.bytes()).expect("json"),
    });
    let response = client
        .post(format!("{base}/v1/enrol"))
        .header("content-type", "application/json")
        .body(to_canonical(&body).expect("canonical"))
        .send()
        .await
        .expect("enrol");
    let bytes = response.bytes().await.expect("certificate");
    let unverified = shared::decode::<EnrolmentCertificate>(&bytes).expect("certificate");
    let signer = *unverified.signer();
    Device { key, certificate: shared::open(&bytes, &signer).expect("verifies") }
}

/// One device submits up to `count` chained receipts, recording each acknowledged one, until the
/// server stops answering 200.
async fn stream(
    client: reqwest::Client,
    base: String,
    device: Device,
    form: Digest,
    count: usize,
    acked: Arc<Mutex<Vec<Digest>>>,
) -> usize {
    let mut previous = None;
    for i in 0..count {
        let decision = if i % 2 == 0 { Decision::Grant } else { Decision::Withdraw };
        let decisions = [(purpose("meals"), if previous.is_none() { Decision::Grant } else { decision })].into();
        let body = ConsentReceipt::by(&device.certificate, form, decisions, now(), previous, Lang::En);
        let receipt = sign(body, &device.key).expect("signs");
        let response = client
            .post(format!("{base}/v1/receipts"))
            .header("content-type", "application/json")
            .body(receipt.bytes().to_vec())
            .send()
            .await;
        match response {
            Ok(response) if response.status() == reqwest::StatusCode::OK => {
                acked.lock().expect("lock").push(receipt.hash());
                previous = Some(receipt.hash());
            }
            Ok(response) => return usize::from(response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE),
            Err(_) => return 0,
        }
    }
    0
}

/// Every acknowledged receipt is in the log, and the whole archive checks out.
fn assert_intact(dir: &Path, acked: &[Digest]) {
    let archive = Archive::open(dir).expect("the archive opens after the crash");
    for hash in acked {
        archive.inclusion_proof(*hash, None).unwrap_or_else(|e| panic!("acknowledged receipt {hash} is lost: {e}"));
    }
    let report = archive.check(false).expect("check runs");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_receipts_survive_kill_9_at_random_moments() {
    let client = reqwest::Client::new();
    for round in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let (form, invitations) = school(dir.path(), CONCURRENCY);
        let (mut server, base) = serve(dir.path(), None);
        let mut devices = Vec::new();
        for (i, invitation) in invitations.iter().enumerate() {
            devices.push(enrol(&client, &base, invitation, &format!("durability/{round}/{i}")).await);
        }
        let acked = Arc::new(Mutex::new(Vec::new()));
        let streams: Vec<_> = devices
            .into_iter()
            .map(|device| {
                tokio::spawn(stream(
                    client.clone(),
                    base.clone(),
                    device,
                    form.hash(),
                    SUBMISSIONS / CONCURRENCY,
                    acked.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(30 + OsRng.next_u64() % 700)).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        for task in streams {
            tokio::time::timeout(Duration::from_secs(60), task).await.expect("the stream stops").expect("no panic");
        }
        let acked = acked.lock().expect("lock").clone();
        assert_intact(dir.path(), &acked);
        // And the service comes back on the same data.
        let (mut again, base) = serve(dir.path(), None);
        let status = client.get(format!("{base}/v1/checkpoint")).send().await.expect("checkpoint").status();
        assert_eq!(status, reqwest::StatusCode::OK, "round {round}");
        again.kill().expect("stop");
        again.wait().expect("reaped");
        eprintln!("round {round}: {} receipts acknowledged before the kill, all present", acked.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gets_503_and_acknowledges_nothing_it_did_not_keep() {
    let client = reqwest::Client::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let (form, invitations) = school(dir.path(), 4);
    let used: u64 = ["archive.sqlite", "archive.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    // Room for a few hundred more entries, then the "disk" is full.
    let (mut server, base) = serve(dir.path(), Some(used / 512 + 1024));
    let mut devices = Vec::new();
    for (i, invitation) in invitations.iter().enumerate() {
        devices.push(enrol(&client, &base, invitation, &format!("full/{i}")).await);
    }
    let acked = Arc::new(Mutex::new(Vec::new()));
    let streams: Vec<_> = devices
        .into_iter()
        .map(|device| tokio::spawn(stream(client.clone(), base.clone(), device, form.hash(), 1_500, acked.clone())))
        .collect();
    let mut unavailable = 0;
    for task in streams {
        unavailable +=
            tokio::time::timeout(Duration::from_secs(120), task).await.expect("the stream stops").expect("no panic");
    }
    server.kill().expect("stop");
    server.wait().expect("reaped");
    assert!(unavailable > 0, "the streams ended on 503 storage_unavailable");
    assert_intact(dir.path(), &acked.lock().expect("lock"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_service_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    school(dir.path(), 1);
    let (mut server, base) = serve(dir.path(), None);
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/v1/checkpoint")).send().await.expect("up").status(), reqwest::StatusCode::OK);
    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || server.wait()).await.expect("join").expect("exit status");
    assert!(exit.success(), "the service exits cleanly on SIGTERM: {exit}");
    assert!(Archive::open(dir.path()).expect("reopens").check(false).expect("check").problems.is_empty());
}
