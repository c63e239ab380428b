//! What the fuzz targets under `fuzz/` run against the verifier (`cargo xtask fuzz`): proof-bundle
//! verification and the service's request bodies. Compiled only with `--cfg fuzzing`, which
//! `cargo fuzz` passes, and for this crate's unit tests, which run every seed made here through
//! its target so that the helpers cannot break unnoticed between fuzzing runs.
//!
//! Both work on a small school made here through the library, as a school would make it: a form,
//! a roster, an enrolled guardian with two receipts, rights requests and a decision. Its keys come
//! from a seeded generator, so the school, and the bundle the bundle target trusts, are the same on
//! every run and a corpus kept between runs stays meaningful. The service's school is made at the
//! clock's time, since the service reads the clock.

use crate::archive::{Archive, Roster, Submission, DATABASE};
use crate::bundle::{verify_bundle, Bundle};
use crate::keys;
use crate::service::{self, AppState, Config, RateLimit};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use shared::encoding::to_canonical;
use shared::ids::PurposeId;
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, Contact, Controller, Decision, EnrolmentRequest, FormContent,
    Localized, Outcome, Policy, Purpose, Right, RightsRequest, RECEIPTS_FILE_FORMAT,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{sign, Lang, Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tower::ServiceExt as _;

/// Where `cargo xtask fuzz` asks a target to write the seeds made here (its corpus directory).
pub const SEEDS_VARIABLE: &str = "CONSENT_FUZZ_SEEDS";

/// When [`SEEDS_VARIABLE`] names a directory, writes the seeds made here for `target` into it,
/// each named by its hash (so writing them again changes nothing). Called from the targets'
/// `init`, which libFuzzer runs before it reads the corpus.
pub fn write_seeds(target: &str) {
    let Some(dir) = std::env::var_os(SEEDS_VARIABLE) else { return };
    let seeds = match target {
        "bundle" => bundle_school().seeds.clone(),
        "http_body" => service().seeds.clone(),
        _ => Vec::new(),
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).expect("the seed directory can be made");
    for seed in seeds {
        let path = dir.join(format!("made-{}", Digest::of(&seed)));
        std::fs::write(&path, seed).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// Verifies `data` as a proof bundle, and as the only file given to `verifier verify`, against
/// the fixed school. A bundle that verifies must account for every entry it holds, and
/// `verifier verify` must accept it too.
pub fn bundle(data: &[u8]) {
    let school = bundle_school();
    let verdicts = crate::offline::verify_documents(&[("fuzz".to_owned(), data.to_vec())], &school.key);
    if let Ok(report) = verify_bundle(data, &school.key) {
        let bundle: Bundle = serde_json::from_slice(data).expect("a verified bundle parses");
        assert_eq!(report.student, bundle.student, "the report is about another student");
        let counted: usize = report.counts.values().sum();
        assert_eq!(counted, bundle.entries.len(), "the report does not count every entry");
        let tree_size = report.checkpoint.tree_size;
        assert!(bundle.entries.iter().all(|e| e.index < tree_size), "an entry lies outside the checkpoint's tree");
        assert!(
            matches!(verdicts.as_slice(), [(_, Ok(_))]),
            "`verifier verify` refuses a bundle that verifies: {verdicts:?}"
        );
    }
}

/// The endpoints that read a request body, whether they are the school's (admin token), and
/// the media type they take.
const BODY_ENDPOINTS: [(&str, bool, &str); 5] = [
    ("/v1/enrol", false, "application/json"),
    ("/v1/receipts", false, "application/json"),
    ("/v1/requests", false, "application/json"),
    ("/v1/admin/decide", true, "application/json"),
    ("/v1/admin/roster", true, "text/csv"),
];

/// POSTs `data` as the body to every endpoint that reads one, and sends it as the signed history
/// request of `GET /v1/history`, through the real router against a real archive.
///
/// Asserts: every answer is a 2xx or a 4xx (a 5xx would mean the service failed on input a client
/// chose; the documented 5xx — storage unavailable, queue full — cannot happen on this idle
/// archive); a refused input appends nothing to the log; an accepted receipt or request is
/// acknowledged by an acknowledgement of exactly these bytes.
pub fn http_body(data: &[u8]) {
    let service = service();
    for (path, admin, media_type) in BODY_ENDPOINTS {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, media_type)
            .body(Body::from(data.to_vec()))
            .expect("a well-formed request");
        if admin {
            let bearer = format!("Bearer {}", service.token).parse().expect("a header value");
            request.headers_mut().insert(header::AUTHORIZATION, bearer);
        }
        let before = service.log_length();
        let (status, body) = service.send(request);
        assert!(
            status.is_success() || status.is_client_error(),
            "POST {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        if status.is_client_error() {
            assert_eq!(service.log_length(), before, "POST {path} was refused ({status}) but the log grew");
        }
        if status.is_success() && matches!(path, "/v1/receipts" | "/v1/requests") {
            let ack = shared::decode::<Acknowledgement>(&body).expect("a 200 carries an acknowledgement");
            assert_eq!(ack.unverified_body().object, Digest::of(data), "POST {path} acknowledged other bytes");
        }
    }
    let credentials = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
    let request = Request::get("/v1/history")
        .header(header::AUTHORIZATION, format!("Consent {credentials}"))
        .body(Body::empty())
        .expect("a well-formed request");
    let (status, body) = service.send(request);
    assert!(status.is_client_error(), "GET /v1/history answered {status}: {}", String::from_utf8_lossy(&body));
}

/// The school the bundle target trusts, with its seeds.
struct BundleSchool {
    key: PublicKey,
    seeds: Vec<Vec<u8>>,
}

fn bundle_school() -> &'static BundleSchool {
    static SCHOOL: OnceLock<BundleSchool> = OnceLock::new();
    SCHOOL.get_or_init(|| {
        let start = Timestamp::parse("2026-09-01T08:00:00Z").expect("an instant");
        let made = make_school("bundle", start);
        let report = verify_bundle(&made.bundle, &made.key).expect("the seed bundle verifies");
        assert!(report.counts.get(ConsentReceipt::KIND) == Some(&2), "the seed bundle holds both receipts");
        let _ = std::fs::remove_dir_all(&made.dir);
        BundleSchool { key: made.key, seeds: vec![made.bundle.clone(), made.receipts_file()] }
    })
}

/// The service under test: the router on a current-thread runtime, and a read-only look at the log.
struct Service {
    runtime: tokio::runtime::Runtime,
    router: Router,
    token: String,
    log: Mutex<rusqlite::Connection>,
    seeds: Vec<Vec<u8>>,
}

impl Service {
    fn send(&self, mut request: Request<Body>) -> (StatusCode, axum::body::Bytes) {
        // The rate limiter keys on the peer address, which a real connection supplies.
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.expect("the router never fails");
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("the body is read");
            (status, body)
        })
    }

    fn log_length(&self) -> i64 {
        let log = self.log.lock().expect("not poisoned");
        log.query_row("SELECT COUNT(*) FROM log", [], |row| row.get(0)).expect("the log is readable")
    }
}

fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        // An hour ago, so that everything made here is in the past when the service reads the clock.
        let now = crate::clock::now().expect("a usable clock");
        let start = Timestamp::from_unix(now.unix() - 3600).expect("an instant");
        let made = make_school("http", start);
        let mut config = Config::new(made.dir.clone());
        // Every input would otherwise soon be answered 429 before its body is read.
        config.rate_limit = RateLimit { per_second: 1e9, burst: 1e9 };
        let (state, _writer) = AppState::open(&config).expect("the service opens the archive");
        let router = service::app(state, &config);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let token = std::fs::read_to_string(made.dir.join(keys::ADMIN_TOKEN)).expect("the admin token");
        let log =
            rusqlite::Connection::open_with_flags(made.dir.join(DATABASE), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("the database opens read-only");
        let seeds = made.bodies.clone();
        Service { runtime, router, token: token.trim().to_owned(), log: Mutex::new(log), seeds }
    })
}

/// A deterministic stand-in for the system's random source: SHA-256 of a label and a counter.
struct Seeded {
    label: &'static str,
    counter: u64,
}

impl rand_core::RngCore for Seeded {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            let block = Sha256::digest(format!("consent-fuzz/{}/{}", self.label, self.counter));
            self.counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for Seeded {}

/// One student under 14 (guardians decide) who takes part, and one invited who has not enrolled.
const ROSTER: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-1,Ana,7B,2016-03-01,,Maria,m@example.org,,
s-2,Mihai,7B,2016-05-01,,Ioana,i@example.org,,
";

/// A roster the admin API would import: a new student.
const NEW_ROSTER: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-3,Elena,8A,2012-02-01,elena@example.org,Dan,d@example.org,Vera,v@example.org
";

/// What [`make_school`] made.
struct Made {
    dir: PathBuf,
    key: PublicKey,
    /// s-1's proof bundle.
    bundle: Vec<u8>,
    /// Bodies the service accepts at one of [`BODY_ENDPOINTS`].
    bodies: Vec<Vec<u8>>,
}

impl Made {
    /// A family's receipts file holding the bundle's objects and acknowledgements.
    fn receipts_file(&self) -> Vec<u8> {
        let bundle: Bundle = serde_json::from_slice(&self.bundle).expect("the bundle parses");
        let mut objects: Vec<Value> = Vec::new();
        for entry in bundle.entries {
            objects.push(entry.object);
            objects.extend(entry.acknowledgement);
        }
        let file = json!({ "format": RECEIPTS_FILE_FORMAT, "school": self.key.to_hex(), "objects": objects });
        to_canonical(&file).expect("canonical")
    }
}

/// A small form: two purposes, short texts in every language but the recipients, which are in
/// English only (a translation a school did not write).
fn form_content() -> FormContent {
    let text = |s: &str| Localized {
        pl: Some(format!("{s} (pl)")),
        ro: Some(format!("{s} (ro)")),
        uk: Some(format!("{s} (uk)")),
        de: Some(format!("{s} (de)")),
        ..Localized::english(s)
    };
    let contact = |name: &str| Contact {
        name: name.to_owned(),
        address: "1 School Street".to_owned(),
        email: "office@example.org".to_owned(),
        phone: "+40 21 000 0000".to_owned(),
    };
    let purpose = |id: &str| Purpose {
        id: PurposeId::try_from(id).expect("a purpose id"),
        title: text(id),
        description: text("What is done, and why."),
        recipients: vec![Localized::english("The school")],
        retention: text("Until the end of the school year."),
        optional: true,
    };
    FormContent {
        controller: Controller { school: contact("The school"), dpo: contact("The DPO") },
        supervisory_authority: contact("The authority"),
        policy: Policy::default(),
        purposes: vec![purpose("photos"), purpose("trips")],
    }
}

/// The canonical bytes of `value`.
fn canonical(value: &Value) -> Vec<u8> {
    to_canonical(value).expect("canonical")
}

/// The JSON value of a signed object.
fn object<T: SignedObject>(signed: &Signed<T>) -> Value {
    serde_json::from_slice(signed.bytes()).expect("a signed object is JSON")
}

/// This process's directory for the school `label`, in the temporary directory (which
/// `cargo xtask fuzz` gives each target and removes afterwards).
fn scratch_dir(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!("consent-fuzz-{label}-{}", std::process::id()))
}

/// Makes a school in a fresh scratch directory, starting at `start`; see the module documentation.
fn make_school(label: &'static str, start: Timestamp) -> Made {
    let dir = scratch_dir(label);
    let _ = std::fs::remove_dir_all(&dir);
    let mut rng = Seeded { label, counter: 0 };
    let at = |minutes: i64| Timestamp::from_unix(start.unix() + minutes * 60).expect("an instant");
    let (mut archive, school) = Archive::init(&dir, start, &mut rng).expect("init");
    let root = keys::read_secret(&dir.join(keys::ROOT_KEY)).expect("the root key");
    let form = sign(ConsentForm::new(school, 1, start, None, form_content()), &root).expect("the form signs");
    archive.publish_form(form.bytes(), start).expect("the form is published");
    let roster = Roster::parse(ROSTER).expect("the roster parses");
    let invited = archive.invite(&roster, &root, at(30 * 24 * 60), start, &mut rng).expect("invitations");
    let invitation = |student: &str| {
        invited.iter().find(|i| i.student.as_str() == student).expect("an invitation").invitation.clone()
    };
    let enrolment = |student: &str, key: &SigningKey| {
        let invitation = invitation(student);
        let body =
            EnrolmentRequest { school, invitation: invitation.hash(), key: PublicKey::of(key), client_time: at(1) };
        (invitation, sign(body, key).expect("the request signs"))
    };

    // s-1's guardian enrols, grants, withdraws, asks for access and is answered, asks again.
    let guardian = SigningKey::generate(&mut rng);
    let (invitation_1, request) = enrolment("s-1", &guardian);
    let certificate = archive.enrol(invitation_1.bytes(), request.bytes(), at(1)).expect("enrols");
    let receipt = |decision: Decision, previous: Option<Digest>, minute: i64| {
        let decisions = BTreeMap::from([(PurposeId::try_from("photos").expect("an id"), decision)]);
        let body = ConsentReceipt::by(certificate.signed(), form.hash(), decisions, at(minute), previous, Lang::En);
        sign(body, &guardian).expect("the receipt signs")
    };
    let granted = receipt(Decision::Grant, None, 2);
    archive.submit(Submission::receipt(granted.bytes()), at(2)).expect("logged");
    let withdrawn = receipt(Decision::Withdraw, Some(granted.hash()), 3);
    archive.submit(Submission::receipt(withdrawn.bytes()), at(3)).expect("logged");
    let rights_request = |right: Right, minute: i64, rng: &mut Seeded| {
        let body = RightsRequest {
            school,
            student: certificate.body().student.clone(),
            certificate: certificate.hash(),
            role: certificate.body().role,
            right,
            purposes: Vec::new(),
            text: "Please send me a copy of what you hold.".to_owned(),
            client_time: at(minute),
            nonce: Nonce::random(rng),
        };
        sign(body, &guardian).expect("the request signs")
    };
    let access = rights_request(Right::Access, 4, &mut rng);
    archive.submit(Submission::request(access.bytes()), at(4)).expect("logged");
    archive.decide(access.hash(), Outcome::Granted, "Sent by post.", at(5)).expect("decided");
    let erasure = rights_request(Right::Erasure, 6, &mut rng);
    archive.submit(Submission::request(erasure.bytes()), at(6)).expect("logged");
    let bundle = archive.export(&certificate.body().student).expect("the bundle exports");

    // What the service would accept next: s-2's enrolment, s-1's next receipt, another request,
    // the decision on the open one, and a new roster.
    let (invitation_2, request_2) = enrolment("s-2", &SigningKey::generate(&mut rng));
    let enrol_body = canonical(&json!({ "invitation": object(invitation_2.signed()), "request": object(&request_2) }));
    let next_receipt = receipt(Decision::Grant, Some(withdrawn.hash()), 7);
    let objection = rights_request(Right::Objection, 8, &mut rng);
    let decide_body =
        json!({ "request": erasure.hash().to_hex(), "outcome": "refused", "reason": "Kept by law." }).to_string();
    let bodies = vec![
        enrol_body,
        next_receipt.bytes().to_vec(),
        objection.bytes().to_vec(),
        decide_body.into_bytes(),
        NEW_ROSTER.as_bytes().to_vec(),
    ];
    Made { dir, key: school, bundle, bodies }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds made here are what the targets expect: the bundle verifies under the fixed
    /// school (checked when it is made), and each body passes `http_body`'s checks — which it
    /// could not if the service refused it with a 5xx or logged a refused one.
    #[test]
    fn the_seeds_pass_their_targets() {
        for seed in &bundle_school().seeds {
            bundle(seed);
        }
        let service = service();
        let before = service.log_length();
        for seed in &service.seeds {
            http_body(seed);
        }
        // The certificate, the receipt, the rights request and the decision were logged.
        assert_eq!(service.log_length(), before + 4);
        let _ = std::fs::remove_dir_all(scratch_dir("http"));
    }
}
