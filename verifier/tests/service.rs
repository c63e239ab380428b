//! The HTTP service over a real socket on 127.0.0.1: the widget's flows with objects signed by
//! `shared` in the test, and every kind of bad request with its documented error.

mod common;

use base64::Engine as _;
use consent_tests::fixtures::{example_form_content, key, purpose};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use reqwest::StatusCode;
use serde_json::Value;
use shared::encoding::to_canonical;
use shared::objects::{
    ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, HistoryRequest, Invitation,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::trust::TrustStore;
use shared::{open, sign, Lang, Signed, Timestamp};
use verifier::archive::{Archive, Roster, ShortCode, DATABASE};
use verifier::keys;
use verifier::service::{self, Config};

const ROSTER: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-1,Ana,7B,2017-01-01,,Maria,m@example.org,,
s-2,Mihai,7B,2016-01-01,,Ioana,i@example.org,,
";

/// The consent page the test school's letters link to.
const CONSENT_PAGE: &str = "https://school.example/consent.html";

struct Server {
    base: String,
    client: reqwest::Client,
    school: PublicKey,
    token: String,
    invitations: Vec<Signed<Invitation>>,
    /// The letters' short codes of `invitations`, in the same order.
    codes: Vec<ShortCode>,
    form: Signed<ConsentForm>,
    _dir: tempfile::TempDir,
}

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

/// A school with a form and two invited families, served on 127.0.0.1 (a free port).
async fn start(www: Option<std::path::PathBuf>) -> Server {
    start_with(www, |_| {}).await
}

/// [`start`], with the service's configuration adjusted by `configure`.
async fn start_with(www: Option<std::path::PathBuf>, configure: impl FnOnce(&mut Config)) -> Server {
    start_school(ROSTER, www, configure).await
}

/// [`start_with`], with the families of `roster` invited.
async fn start_school(roster: &str, www: Option<std::path::PathBuf>, configure: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut archive, school) = Archive::init(dir.path(), now(), &mut OsRng).expect("init");
    let root = keys::read_secret(&dir.path().join(keys::ROOT_KEY)).expect("root");
    let form = sign(ConsentForm::new(school, 1, now(), None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), now()).expect("publish");
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let invited =
        archive.invite(&Roster::parse(roster).expect("roster"), &root, expires, now(), &mut OsRng).expect("invite");
    archive.remember_consent_page(CONSENT_PAGE, now()).expect("remembers the consent page");
    drop(archive);
    let mut config = Config::new(dir.path().to_path_buf());
    config.www = www;
    configure(&mut config);
    let header_read_timeout = config.header_read_timeout;
    let (state, _writer) = service::AppState::open(&config).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = service::app(state, &config);
    tokio::spawn(service::serve(listener, app, header_read_timeout, std::future::pending()));
    let token = std::fs::read_to_string(dir.path().join(keys::ADMIN_TOKEN)).expect("token").trim().to_owned();
    Server {
        base,
        client: reqwest::Client::new(),
        school,
        token,
        invitations: invited.iter().map(|i| i.invitation.signed().clone()).collect(),
        codes: invited.iter().map(|i| i.code.clone()).collect(),
        form,
        _dir: dir,
    }
}

/// A family member's device: its key and certificate.
struct Device {
    key: SigningKey,
    certificate: Signed<EnrolmentCertificate>,
}

impl Server {
    /// POSTs a JSON body, as the widget does.
    async fn post(&self, path: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
        self.post_as(path, Some("application/json"), None, body).await
    }

    /// POSTs `body` with this `Content-Type` and `Authorization`, if any.
    async fn post_as(
        &self,
        path: &str,
        content_type: Option<&str>,
        authorization: Option<String>,
        body: Vec<u8>,
    ) -> (StatusCode, Vec<u8>) {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.bytes().await.expect("body").to_vec())
    }

    async fn get(&self, path: &str, authorization: Option<String>) -> (StatusCode, Vec<u8>) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.bytes().await.expect("body").to_vec())
    }

    /// Enrols a new key for invitation `which` over HTTP.
    async fn enrol(&self, which: usize, label: &str) -> Device {
        let key = key(label);
        let invitation = &self.invitations[which];
        let request = EnrolmentRequest {
            school: self.school,
            invitation: invitation.hash(),
            key: PublicKey::of(&key),
            client_time: now(),
        };
        let request = sign(request, &key).expect("signs");
        let (status, bytes) = self.post("/v1/enrol", enrolment_body(invitation.bytes(), request.bytes())).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
        let certificate = shared::decode::<EnrolmentCertificate>(&bytes).expect("certificate");
        let archive_key = *certificate.signer();
        Device { key, certificate: open(&bytes, &archive_key).expect("verifies") }
    }

    fn receipt(
        &self,
        device: &Device,
        decisions: &[(&str, Decision)],
        previous: Option<Digest>,
    ) -> Signed<ConsentReceipt> {
        let decisions = decisions.iter().map(|(p, d)| (purpose(p), *d)).collect();
        sign(
            ConsentReceipt::by(&device.certificate, self.form.hash(), decisions, now(), previous, Lang::Ro),
            &device.key,
        )
        .expect("signs")
    }

    /// Reads the history as `device`, answering a fresh challenge.
    async fn history(&self, device: &Device, certificate: Digest) -> (StatusCode, Value) {
        let challenge = self.challenge().await;
        let request = HistoryRequest { school: self.school, certificate, challenge, client_time: now() };
        let request = sign(request, &device.key).expect("signs");
        let credentials = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(request.bytes());
        let (status, body) = self.get("/v1/history", Some(format!("Consent {credentials}"))).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

/// The body of `POST /v1/enrol` and `/v1/console/enrol`: an invitation and the request answering it.
fn enrolment_body(invitation: &[u8], request: &[u8]) -> Vec<u8> {
    let body = serde_json::json!({
        "invitation": serde_json::from_slice::<Value>(invitation).expect("json"),
        "request": serde_json::from_slice::<Value>(request).expect("json"),
    });
    to_canonical(&body).expect("canonical")
}

fn error_code(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("a JSON error, got {:?}", String::from_utf8_lossy(body)));
    value["error"]["code"].as_str().expect("an error code").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_enrols_consents_withdraws_and_reads_its_history_over_http() {
    let server = start(None).await;
    // The widget first checks the form against the school key from the page.
    let (status, body) = server.get("/v1/form", None).await;
    assert_eq!(status, StatusCode::OK);
    let form: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(form["school_key"], server.school.to_hex());
    let form_bytes = to_canonical(&form["form"]).expect("canonical");
    let verified = open::<ConsentForm>(&form_bytes, &server.school).expect("the form verifies under the school key");
    assert_eq!(verified.hash(), server.form.hash());
    // The delegations that come with the form let it trust what the archive key signs, with the
    // same chain of trust as the verifier.
    let mut trust = TrustStore::new(server.school);
    let delegations = form["delegations"].as_array().expect("delegations");
    assert_eq!(delegations.len(), 1, "`init` delegated the archive key once");
    for delegation in delegations {
        let bytes = to_canonical(delegation).expect("canonical");
        trust.add_delegation(&bytes).expect("the delegation verifies under the school key");
    }

    let device = server.enrol(0, "service/guardian-1").await;
    trust.certificate(device.certificate.bytes()).expect("the certificate verifies through the delegation");
    let grant = server.receipt(&device, &[("photos-published", Decision::Grant)], None);
    let (status, ack) = server.post("/v1/receipts", grant.bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&ack));
    let ack = trust.acknowledgement(&ack).expect("an acknowledgement by the delegated archive key");
    assert_eq!(ack.body().object, grant.hash());
    // The same receipt again: the same acknowledgement.
    let (_, again) = server.post("/v1/receipts", grant.bytes().to_vec()).await;
    assert_eq!(again, ack.bytes());
    let withdrawal = server.receipt(&device, &[("photos-published", Decision::Withdraw)], Some(grant.hash()));
    assert_eq!(server.post("/v1/receipts", withdrawal.bytes().to_vec()).await.0, StatusCode::OK);
    // A grant signed as if the withdrawal had never happened (naming no predecessor) is refused.
    let replay = server.receipt(&device, &[("photos-published", Decision::Grant), ("meals", Decision::Grant)], None);
    let (status, body) = server.post("/v1/receipts", replay.bytes().to_vec()).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::CONFLICT, "replay"));

    let (status, history) = server.history(&device, device.certificate.hash()).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["student"], "s-1");
    assert_eq!(history["receipts"].as_array().expect("receipts").len(), 2);
    assert!(history["receipts"][1]["acknowledgement"].is_object());

    // The log's proofs check out against the signed checkpoint.
    let (_, checkpoint) = server.get("/v1/checkpoint", None).await;
    let checkpoint = trust.checkpoint(&checkpoint).expect("signed checkpoint");
    let (status, proof) = server.get(&format!("/v1/proof/inclusion?hash={}", withdrawal.hash()), None).await;
    assert_eq!(status, StatusCode::OK);
    let proof: Value = serde_json::from_slice(&proof).expect("json");
    let path: Vec<Digest> = proof["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(|h| Digest(hex::decode(h.as_str().expect("hex")).expect("hex").try_into().expect("32")))
        .collect();
    let index = proof["index"].as_u64().expect("index");
    shared::merkle::verify_inclusion(
        &shared::merkle::leaf_hash(withdrawal.bytes()),
        index,
        checkpoint.body().tree_size,
        &path,
        &checkpoint.body().root_hash,
    )
    .expect("included");
    let (status, _) =
        server.get(&format!("/v1/proof/consistency?first=2&second={}", checkpoint.body().tree_size), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_reads_another_familys_history() {
    let server = start(None).await;
    let family_a = server.enrol(0, "service/a").await;
    let family_b = server.enrol(1, "service/b").await;
    // A's key cannot read with B's certificate, and a used or made-up challenge is refused.
    let (status, _) = server.history(&family_a, family_b.certificate.hash()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, history) = server.history(&family_b, family_b.certificate.hash()).await;
    assert_eq!((status, history["student"].as_str()), (StatusCode::OK, Some("s-2")));
    let made_up = HistoryRequest {
        school: server.school,
        certificate: family_a.certificate.hash(),
        challenge: Nonce([1; 16]),
        client_time: now(),
    };
    let made_up = sign(made_up, &family_a.key).expect("signs");
    let credentials = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(made_up.bytes());
    let (status, body) = server.get("/v1/history", Some(format!("Consent {credentials}"))).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let (status, _) = server.get("/v1/history", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_their_documented_errors() {
    let server = start(None).await;
    let device = server.enrol(0, "service/bad").await;
    let valid = server.receipt(&device, &[("meals", Decision::Grant)], None);
    let text = String::from_utf8(valid.bytes().to_vec()).expect("utf-8");
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("malformed JSON", b"{\"body\":".to_vec(), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            "duplicate keys",
            text.replacen("\"language\":\"ro\"", "\"language\":\"ro\",\"language\":\"pl\"", 1).into_bytes(),
            StatusCode::BAD_REQUEST,
            "duplicate_key",
        ),
        (
            "an unknown field",
            text.replacen("{\"body\":{", "{\"body\":{\"aaa\":1,", 1).into_bytes(),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
        (
            "whitespace",
            text.replacen("\"kind\":", "\"kind\": ", 1).into_bytes(),
            StatusCode::BAD_REQUEST,
            "not_canonical",
        ),
        (
            "a signature of the wrong length",
            text.replacen("\"sig\":\"", "\"sig\":\"00", 1).into_bytes(),
            StatusCode::BAD_REQUEST,
            "schema",
        ),
        ("a form as a receipt", server.form.bytes().to_vec(), StatusCode::BAD_REQUEST, "wrong_kind"),
    ];
    for (what, body, status, code) in cases {
        let (got_status, got_body) = server.post("/v1/receipts", body).await;
        assert_eq!((got_status, error_code(&got_body)), (status, code.to_owned()), "{what}");
    }
    let mut forged = valid.bytes().to_vec();
    let last_sig_digit = text.find("\",\"signer\"").expect("sig") - 1;
    forged[last_sig_digit] = if forged[last_sig_digit] == b'0' { b'1' } else { b'0' };
    let (status, body) = server.post("/v1/receipts", forged).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "bad_signature"));
    let (status, body) = server.get("/v1/receipts", None).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    let (status, body) = server.get("/v1/nothing-here", None).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    // The invitation is single-use: another key cannot enrol with it.
    let other = key("service/intruder");
    let request = sign(
        EnrolmentRequest {
            school: server.school,
            invitation: server.invitations[0].hash(),
            key: PublicKey::of(&other),
            client_time: now(),
        },
        &other,
    )
    .expect("signs");
    let body = serde_json::json!({
        "invitation": serde_json::from_slice::<Value>(server.invitations[0].bytes()).expect("json"),
        "request": serde_json::from_slice::<Value>(request.bytes()).expect("json"),
    });
    let (status, body) = server.post("/v1/enrol", to_canonical(&body).expect("canonical")).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::CONFLICT, "invitation_used"));
    // None of it was acknowledged or logged: the first receipt from this device still starts its chain.
    assert_eq!(server.post("/v1/receipts", valid.bytes().to_vec()).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_calls_need_the_token() {
    let server = start(None).await;
    let audit = "/v1/admin/audit?purpose=meals&at=2030-01-01T00:00:00Z&format=csv";
    let (status, body) = server.get(audit, None).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let (status, _) = server.get(audit, Some("Bearer wrong".into())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = server.get(audit, Some(format!("Bearer {}", server.token))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).starts_with("student,name,class"));
    let (status, body) = server.get("/v1/admin/export?student=s-1", Some(format!("Bearer {}", server.token))).await;
    assert_eq!(status, StatusCode::OK);
    verifier::bundle::verify_bundle(&body, &server.school).expect("the exported bundle verifies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_is_served_with_wasm_types_and_a_strict_policy() {
    let www = tempfile::tempdir().expect("site");
    std::fs::write(www.path().join("index.html"), "<!doctype html><title>School</title>").expect("page");
    std::fs::write(www.path().join("widget_bg.wasm"), [0u8, 97, 115, 109, 1, 0, 0, 0]).expect("wasm");
    let server = start(Some(www.path().to_path_buf())).await;
    let response = server.client.get(format!("{}/widget_bg.wasm", server.base)).send().await.expect("request");
    assert_eq!(response.headers()["content-type"], "application/wasm");
    let response = server.client.get(format!("{}/index.html", server.base)).send().await.expect("request");
    let policy = response.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'") && !policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

/// Every route `verifier::service::app` serves, as (method, path); `openapi.json` must document
/// exactly these, and the test below checks each against the running service.
const ROUTES: [(&str, &str); 29] = [
    ("GET", "/v1/form"),
    ("POST", "/v1/enrol"),
    ("POST", "/v1/invitation"),
    ("POST", "/v1/receipts"),
    ("POST", "/v1/requests"),
    ("POST", "/v1/restore"),
    ("GET", "/v1/challenge"),
    ("GET", "/v1/history"),
    ("GET", "/v1/checkpoint"),
    ("GET", "/v1/proof/inclusion"),
    ("GET", "/v1/proof/consistency"),
    ("GET", "/v1/admin/audit"),
    ("GET", "/v1/admin/requests"),
    ("POST", "/v1/admin/decide"),
    ("GET", "/v1/admin/export"),
    ("POST", "/v1/admin/roster"),
    ("POST", "/v1/console/enrol"),
    ("GET", "/v1/console/me"),
    ("GET", "/v1/console/overview"),
    ("GET", "/v1/console/not-answered"),
    ("GET", "/v1/console/letters"),
    ("GET", "/v1/console/photo-check"),
    ("GET", "/v1/console/requests"),
    ("POST", "/v1/console/decide"),
    ("POST", "/v1/console/paper"),
    ("POST", "/v1/console/remind"),
    ("GET", "/v1/console/students"),
    ("GET", "/v1/console/student"),
    ("GET", "/v1/console/export"),
];

/// The keys of an OpenAPI path item that are operations.
const OPENAPI_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The error code of a JSON error body; `None` for anything else (a success, or a framework's
/// plain-text rejection).
fn json_error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value["error"]["code"].is_string().then(|| error_code(body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_the_service() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json")).expect("openapi.json");
    let document: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let documented: std::collections::BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .expect("openapi.json has `paths`")
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item is an object");
            let methods = item.keys().filter(|key| OPENAPI_METHODS.contains(&key.as_str()));
            methods.map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let served = ROUTES.iter().map(|(method, path)| ((*method).to_owned(), (*path).to_owned())).collect();
    assert_eq!(documented, served, "openapi.json must document exactly the routes the router serves");
    let listed: Vec<&str> = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        ["enum"]
        .as_array()
        .expect("openapi.json lists the error codes in components.schemas.Error")
        .iter()
        .map(|code| code.as_str().expect("an error code is a string"))
        .collect();

    // Each documented route exists in the service: no 404 `not_found`, no 405 `method_not_allowed`
    // (validation errors for the empty request are expected). An undocumented path shows the
    // check can fail.
    let server = start(None).await;
    let mut produced = std::collections::BTreeSet::new();
    let requests = documented.iter().map(|(method, path)| (method.as_str(), path.as_str(), true));
    for (method, path, exists) in requests.chain([("GET", "/v1/undocumented", false)]) {
        let (status, body) = match method {
            "GET" => server.get(path, None).await,
            "POST" => server.post(path, Vec::new()).await,
            other => panic!("{other} {path}: the test sends only GET and POST"),
        };
        let code = json_error_code(&body);
        let missing = (status, code.as_deref()) == (StatusCode::NOT_FOUND, Some("not_found"));
        let wrong_method = (status, code.as_deref()) == (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"));
        if exists {
            assert!(!missing, "{method} {path} is documented but the service has no such path");
            assert!(!wrong_method, "{method} {path} is documented but the service does not take {method} there");
        } else {
            assert!(missing, "{method} {path} is not documented but got {status} {code:?}, not 404 `not_found`");
        }
        produced.extend(code.map(|code| (code, format!("{method} {path}"))));
    }

    for (code, route) in &produced {
        assert!(listed.contains(&code.as_str()), "{route} answered `{code}`, which openapi.json's Error.code omits");
    }

    // The form's answer has exactly the fields its schema documents, and all of them are required.
    let (status, form) = server.get("/v1/form", None).await;
    assert_eq!(status, StatusCode::OK);
    let form: Value = serde_json::from_slice(&form).expect("json");
    let served: std::collections::BTreeSet<&str> =
        form.as_object().expect("an object").keys().map(String::as_str).collect();
    let schema = &document["components"]["schemas"]["FormResponse"];
    let properties = schema["properties"].as_object().expect("FormResponse.properties").keys().map(String::as_str);
    let required = schema["required"].as_array().expect("FormResponse.required").iter().filter_map(Value::as_str);
    assert_eq!(properties.collect::<std::collections::BTreeSet<_>>(), served, "FormResponse.properties");
    assert_eq!(required.collect::<std::collections::BTreeSet<_>>(), served, "FormResponse.required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_rate_gets_429() {
    let server =
        start_with(None, |config| config.rate_limit = service::RateLimit { per_second: 0.5, burst: 3.0 }).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(server.get("/v1/checkpoint", None).await);
    }
    assert!(statuses[..3].iter().all(|(status, _)| *status == StatusCode::OK));
    let (status, body) = &statuses[4];
    assert_eq!((*status, error_code(body).as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_configured_origins_may_call_from_other_sites() {
    let server = start_with(None, |config| config.allowed_origins = vec!["https://school.example".into()]).await;
    let from =
        |origin: &'static str| server.client.get(format!("{}/v1/form", server.base)).header("origin", origin).send();
    let allowed = from("https://school.example").await.expect("request");
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://school.example");
    let other = from("https://tracker.example").await.expect("request");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_json_and_never_cached() {
    let server = start(None).await;
    for path in ["/", "/favicon.ico", "/v1/", "/V1/form"] {
        let (status, body) = server.get(path, None).await;
        assert_eq!((status, error_code(&body).as_str()), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    let (status, body) = server.get("/v1/proof/inclusion", None).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "bad_query"));
    let response = server.client.get(format!("{}/v1/checkpoint", server.base)).send().await.expect("request");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[test]
fn an_allowed_origin_must_be_exactly_scheme_and_host() {
    let check = |origin: &str| {
        let mut config = Config::new(std::path::PathBuf::from("data"));
        config.allowed_origins = vec![origin.to_owned()];
        config.validate()
    };
    assert!(check("https://school.example").is_ok());
    assert!(check("http://localhost:8080").is_ok());
    for bad in ["https://school.example/", "school.example", "https://", "https://school.example/consent"] {
        assert!(check(bad).is_err(), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_request_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start_with(None, |config| config.header_read_timeout = std::time::Duration::from_millis(300)).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    stream.write_all(b"GET /v1/form HTTP/1.1\r\nHost: school\r\n").await.expect("half a head");
    let mut buffer = [0u8; 512];
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buffer)).await;
    let read = closed.expect("the server ends the connection within the timeout");
    // Closed (0 bytes, or a reset), or a 408 answer before closing: never a served request.
    if let Ok(n) = read {
        let answer = String::from_utf8_lossy(&buffer[..n]);
        assert!(n == 0 || answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    // And the service goes on serving others.
    assert_eq!(server.get("/v1/checkpoint", None).await.0, StatusCode::OK);
}

/// A roster of `families` students under 14, one guardian each.
fn roster_of(families: usize) -> String {
    let mut roster = ROSTER.lines().next().expect("header").to_owned() + "\n";
    for i in 0..families {
        roster += &format!("s-{i},Student {i},7B,2017-01-01,,Parent {i},p{i}@example.org,,\n");
    }
    roster
}

/// An HTTP client whose connections come from `ip` (loopback holds every 127.x.y.z), so that
/// one test can be several clients of the service.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from(ip)).build().expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_sent_together_get_one_acknowledgement_and_nobody_a_5xx() {
    const COPIES: usize = 24;
    const OTHERS: usize = 8;
    let server = start_school(&roster_of(OTHERS + 1), None, |config| {
        config.max_in_flight_per_client = 1_000;
        config.rate_limit = service::RateLimit { per_second: 1e6, burst: 1e6 };
    })
    .await;
    let family = server.enrol(0, "service/copies").await;
    let receipt = server.receipt(&family, &[("meals", Decision::Grant)], None);
    let request = shared::objects::RightsRequest {
        school: server.school,
        student: family.certificate.body().student.clone(),
        certificate: family.certificate.hash(),
        role: family.certificate.body().role,
        right: shared::objects::Right::Access,
        purposes: Vec::new(),
        text: "What do you hold about us?".into(),
        client_time: now(),
        nonce: Nonce([7; 16]),
    };
    let request = sign(request, &family.key).expect("signs");
    let mut others = Vec::new();
    for i in 1..=OTHERS {
        let device = server.enrol(i, &format!("service/other-{i}")).await;
        others.push(server.receipt(&device, &[("transport", Decision::Grant)], None).bytes().to_vec());
    }
    // Two tabs and a retrying client, all at once, among other families' receipts.
    let mut sends = Vec::new();
    for _ in 0..COPIES {
        sends.push(("copy of the receipt", "/v1/receipts", receipt.bytes().to_vec()));
        sends.push(("copy of the request", "/v1/requests", request.bytes().to_vec()));
    }
    sends.extend(others.into_iter().map(|body| ("another family's receipt", "/v1/receipts", body)));
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(what, path, body)| {
            let (client, url) = (server.client.clone(), format!("{}{path}", server.base));
            tokio::spawn(async move {
                let response =
                    client.post(url).header("content-type", "application/json").body(body).send().await.expect("sent");
                (what, response.status(), response.bytes().await.expect("body").to_vec())
            })
        })
        .collect();
    let mut answers: std::collections::BTreeMap<&str, std::collections::BTreeSet<Vec<u8>>> = Default::default();
    for task in tasks {
        let (what, status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{what}: {}", String::from_utf8_lossy(&body));
        answers.entry(what).or_default().insert(body);
    }
    assert_eq!(answers["copy of the receipt"].len(), 1, "every copy of the receipt got the same acknowledgement");
    assert_eq!(answers["copy of the request"].len(), 1, "every copy of the request got the same acknowledgement");
    assert_eq!(answers["another family's receipt"].len(), OTHERS);
}

/// A connection from `ip` that sends the head of a receipt POST announcing 1000 bytes, and a few
/// of them, then holds: a body that never finishes.
async fn slow_post(server: &Server, ip: [u8; 4]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = connect(server, ip).await;
    let head =
        "POST /v1/receipts HTTP/1.1\r\nHost: school\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(b"{\"body\":").await.expect("a few bytes");
    stream
}

/// A raw connection to the service from the loopback address `ip`.
async fn connect(server: &Server, ip: [u8; 4]) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(std::net::SocketAddr::from((ip, 0))).expect("bind a loopback address");
    let address = server.base.trim_start_matches("http://").parse().expect("address");
    socket.connect(address).await.expect("connect")
}

/// The start of the answer on `stream`, reading for at most `wait`; empty if none came.
async fn answer_within(stream: &mut tokio::net::TcpStream, wait: std::time::Duration) -> String {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 1024];
    match tokio::time::timeout(wait, stream.read(&mut buffer)).await {
        Ok(Ok(n)) => String::from_utf8_lossy(&buffer[..n]).into_owned(),
        _ => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_holding_slow_bodies_cannot_delay_another_client() {
    const CAP: usize = 2;
    let body_timeout = std::time::Duration::from_secs(20);
    let server = start_with(None, |config| {
        // Fewer global slots than the attacker opens connections: only the per-client cap,
        // checked before a slot is taken, keeps one for the honest client.
        config.max_concurrency = 4;
        config.max_in_flight_per_client = CAP;
        config.timeout = body_timeout;
    })
    .await;
    let attacker = [127, 0, 0, 2];
    let mut held = Vec::new();
    for _ in 0..CAP {
        held.push(slow_post(&server, attacker).await);
    }
    // Let the service read those heads before the next ones arrive.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..3 {
        let mut refused = slow_post(&server, attacker).await;
        let answer = answer_within(&mut refused, body_timeout).await;
        assert!(answer.starts_with("HTTP/1.1 429"), "a slow POST past the cap is refused at once: {answer:?}");
        assert!(answer.contains("too_many_in_flight"), "{answer}");
    }
    // The honest client is answered, before the attacker's bodies time out…
    let honest = client_from([127, 0, 0, 3]);
    let response = tokio::time::timeout(body_timeout, honest.get(format!("{}/v1/checkpoint", server.base)).send())
        .await
        .expect("the honest client is answered before the attacker's bodies time out")
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    // …while every one of the attacker's admitted connections is still held open, unanswered.
    for stream in &mut held {
        let answer = answer_within(stream, std::time::Duration::from_millis(50)).await;
        assert_eq!(answer, "", "the attacker's slow POST is still waiting for its body");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_challenges_from_many_addresses_does_not_lock_out_a_family() {
    // Past the 50,000 challenges the service used to keep open; 25 addresses, 8 at a time each.
    const ADDRESSES: u8 = 25;
    const PER_TASK: usize = 300;
    const TASKS_PER_ADDRESS: usize = 8;
    let server =
        start_with(None, |config| config.rate_limit = service::RateLimit { per_second: 1e6, burst: 1e6 }).await;
    let family = server.enrol(0, "service/flooded").await;
    let mut tasks = Vec::new();
    for address in 0..ADDRESSES {
        let client = client_from([127, 0, 1, 10 + address]);
        for _ in 0..TASKS_PER_ADDRESS {
            let (client, url) = (client.clone(), format!("{}/v1/challenge", server.base));
            tasks.push(tokio::spawn(async move {
                let mut issued = 0;
                for _ in 0..PER_TASK {
                    let response = client.get(&url).send().await.expect("request");
                    issued += usize::from(response.status() == StatusCode::OK);
                }
                issued
            }));
        }
    }
    let mut issued = 0;
    for task in tasks {
        issued += task.await.expect("task");
    }
    assert_eq!(issued, usize::from(ADDRESSES) * TASKS_PER_ADDRESS * PER_TASK, "every challenge was issued");
    let (status, history) = server.history(&family, family.certificate.hash()).await;
    assert_eq!(status, StatusCode::OK, "the family reads its history after the flood: {history}");
    assert_eq!(history["student"], "s-1");
}

/// A body declared, or sent, longer than the limit gets 413 `too_large` as soon as that is known,
/// without the rest being read. Sent over a raw socket that then waits for the answer: a client
/// that went on writing could find the connection closed under it before it read the refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_before_the_rest_of_it_is_read() {
    use tokio::io::AsyncWriteExt;
    let server = start(None).await;
    let oversized = service::MAX_BODY_BYTES + 1;
    let post = |framing: String| {
        format!("POST /v1/receipts HTTP/1.1\r\nHost: school\r\nContent-Type: application/json\r\n{framing}\r\n")
    };
    // Declared too long: refused from the head alone.
    let mut declared = connect(&server, [127, 0, 0, 1]).await;
    declared.write_all(post(format!("Content-Length: {oversized}\r\n")).as_bytes()).await.expect("head");
    let answer = answer_within(&mut declared, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("too_large"), "{answer:?}");
    // Sent in chunks with no declared length: refused once the bytes read pass the limit.
    let mut chunked = connect(&server, [127, 0, 0, 1]).await;
    chunked.write_all(post("Transfer-Encoding: chunked\r\n".into()).as_bytes()).await.expect("head");
    chunked.write_all(format!("{oversized:x}\r\n").as_bytes()).await.expect("chunk size");
    chunked.write_all(&vec![b' '; oversized]).await.expect("chunk");
    let answer = answer_within(&mut chunked, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("too_large"), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_shorter_than_its_length_is_incomplete_not_too_large() {
    use tokio::io::AsyncWriteExt;
    let server = start(None).await;
    let mut stream = slow_post(&server, [127, 0, 0, 1]).await;
    // The client gives up half-way: it closes its side of the connection.
    stream.shutdown().await.expect("close the sending side");
    let answer = answer_within(&mut stream, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    assert!(answer.contains("incomplete_body"), "{answer}");
}

/// The admin decision takes its body as every write does: the family API's size limit (413
/// before reading), `incomplete_body` for one that ends early, then `bad_body` for what is not
/// JSON (400) or not the body's shape (422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_decision_reads_its_body_as_every_write_does() {
    use tokio::io::AsyncWriteExt;
    let server = start(None).await;
    let decide = |body: &str| {
        let admin = Some(format!("Bearer {}", server.token));
        server.post_as("/v1/admin/decide", Some("application/json"), admin, body.as_bytes().to_vec())
    };
    let (status, body) = decide("{\"request\":").await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "bad_body"), "not JSON");
    let (status, body) = decide("{\"request\":\"00\",\"outcome\":\"granted\"}").await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_body"), "no reason");
    let head = |length: usize| {
        format!(
            "POST /v1/admin/decide HTTP/1.1\r\nHost: school\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
            server.token
        )
    };
    let mut oversized = connect(&server, [127, 0, 0, 1]).await;
    oversized.write_all(head(service::MAX_BODY_BYTES + 1).as_bytes()).await.expect("head");
    let answer = answer_within(&mut oversized, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 413") && answer.contains("too_large"), "{answer:?}");
    let mut cut_short = connect(&server, [127, 0, 0, 1]).await;
    cut_short.write_all(head(1000).as_bytes()).await.expect("head");
    cut_short.write_all(b"{\"request\":").await.expect("a few bytes");
    cut_short.shutdown().await.expect("close the sending side");
    let answer = answer_within(&mut cut_short, std::time::Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("incomplete_body"), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_routes_take_only_their_media_type() {
    let server = start(None).await;
    let device = server.enrol(0, "service/media").await;
    let receipt = server.receipt(&device, &[("meals", Decision::Grant)], None);
    let admin = Some(format!("Bearer {}", server.token));
    let refused: [(&str, Option<&str>, Option<String>); 7] = [
        ("/v1/receipts", None, None),
        ("/v1/receipts", Some("text/plain"), None),
        ("/v1/requests", Some("application/x-www-form-urlencoded"), None),
        ("/v1/enrol", Some("text/csv"), None),
        ("/v1/admin/decide", Some("text/plain"), admin.clone()),
        ("/v1/admin/roster", Some("application/json"), admin.clone()),
        ("/v1/admin/roster", None, admin.clone()),
    ];
    for (path, content_type, authorization) in refused {
        let (status, body) = server.post_as(path, content_type, authorization, receipt.bytes().to_vec()).await;
        let got = (status, error_code(&body));
        assert_eq!(
            got,
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type".to_owned()),
            "{path} {content_type:?}"
        );
    }
    // Parameters and case do not matter; the receipt was not logged by the refusals above.
    let (status, body) =
        server.post_as("/v1/receipts", Some("Application/JSON; charset=utf-8"), None, receipt.bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (status, body) =
        server.post_as("/v1/admin/roster", Some("text/csv; charset=utf-8"), admin, ROSTER.into()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_never_serves_keys_tokens_the_database_or_dotfiles() {
    let www = tempfile::tempdir().expect("site");
    for name in
        ["index.html", "school.key", "archive.key", "admin.token", "archive.sqlite", "archive.sqlite-wal", ".env"]
    {
        std::fs::write(www.path().join(name), "secret").expect("file");
    }
    std::fs::create_dir(www.path().join(".git")).expect("dot folder");
    std::fs::write(www.path().join(".git/config"), "secret").expect("file");
    let server = start(Some(www.path().to_path_buf())).await;
    assert_eq!(server.get("/index.html", None).await.0, StatusCode::OK, "the site is served");
    let hidden = [
        "/school.key",
        "/archive.key",
        "/admin.token",
        "/archive.sqlite",
        "/archive.sqlite-wal",
        "/.env",
        "/.git/config",
        "/school%2Ekey",
        "/%61dmin.token",
        "/SCHOOL.KEY",
    ];
    for path in hidden {
        let (status, body) = server.get(path, None).await;
        assert_eq!((status, error_code(&body).as_str()), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_is_sent_precompressed_as_wasm_and_kept_by_browsers_by_its_content_hash() {
    let www = tempfile::tempdir().expect("site");
    let wasm = "consent_widget_bg.0123456789abcdef.wasm";
    std::fs::write(www.path().join(wasm), "the module").expect("file");
    std::fs::write(www.path().join(format!("{wasm}.br")), "brotli bytes").expect("file");
    std::fs::write(www.path().join(format!("{wasm}.gz")), "gzip bytes").expect("file");
    std::fs::write(www.path().join("consent-widget.js"), "the loader").expect("file");
    let server = start(Some(www.path().to_path_buf())).await;
    let fetch = |path: &str, accept: &str| {
        let request = server.client.get(format!("{}{path}", server.base)).header("accept-encoding", accept);
        async move {
            let response = request.send().await.expect("request");
            let header = |name: &str| {
                response.headers().get(name).map(|v| v.to_str().expect("ascii").to_owned()).unwrap_or_default()
            };
            let headers = [header("content-type"), header("content-encoding"), header("cache-control"), header("vary")];
            (response.status(), headers, response.text().await.expect("body"))
        }
    };
    let immutable = "public, max-age=31536000, immutable";
    let path = format!("/{wasm}");
    let (status, [media, encoding, cache, vary], body) = fetch(&path, "gzip, deflate, br, zstd").await;
    assert_eq!(
        (status, media.as_str(), encoding.as_str(), cache.as_str(), body.as_str()),
        (StatusCode::OK, "application/wasm", "br", immutable, "brotli bytes")
    );
    assert!(vary.to_ascii_lowercase().contains("accept-encoding"), "{vary}");
    let (_, [media, encoding, ..], body) = fetch(&path, "gzip").await;
    assert_eq!((media.as_str(), encoding.as_str(), body.as_str()), ("application/wasm", "gzip", "gzip bytes"));
    let (_, [_, encoding, ..], body) = fetch(&path, "identity").await;
    assert_eq!((encoding.as_str(), body.as_str()), ("", "the module"));
    let (status, [_, _, cache, _], body) = fetch("/consent-widget.js", "gzip, br").await;
    assert_eq!((status, cache.as_str(), body.as_str()), (StatusCode::OK, "no-cache", "the loader"));
}

impl Server {
    /// POSTs `roster` to the admin API, with `query` after the path.
    async fn roster(&self, query: &str, roster: &str) -> (StatusCode, Vec<u8>) {
        let path = format!("/v1/admin/roster{query}");
        self.post_as(&path, Some("text/csv"), Some(format!("Bearer {}", self.token)), roster.into()).await
    }

    /// Every row of the archive's tables.
    fn dump(&self) -> String {
        common::dump(&self._dir.path().join(DATABASE))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_a_roster_is_refused_and_writes_nothing() {
    let server = start(None).await;
    let header = ROSTER.lines().next().expect("header");
    let first_row = ROSTER.lines().nth(1).expect("a row");
    let not_rosters = [
        ("an empty body", String::new()),
        ("a header alone", format!("{header}\n")),
        ("no header", format!("{first_row}\n")),
        ("other columns", "name,email\nAna,a@example.org\n".to_owned()),
        ("an extra column", format!("{header},notes\n{first_row},x\n")),
        (
            "a missing column",
            "student_id,student_name,class,birth_date,guardian_name\ns-9,Ana,7B,2017-01-01,Maria\n".to_owned(),
        ),
    ];
    let before = server.dump();
    for (what, body) in not_rosters {
        let (status, answer) = server.roster("", &body).await;
        assert_eq!((status, error_code(&answer).as_str()), (StatusCode::BAD_REQUEST, "bad_roster"), "{what}");
        assert_eq!(server.dump(), before, "{what}: the archive changed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_birth_date_is_refused_unless_confirmed_and_then_recorded() {
    let server = start(None).await;
    let changed = ROSTER.replace("s-1,Ana,7B,2017-01-01", "s-1,Ana,7B,2010-01-01");
    let before = server.dump();
    let (status, answer) = server.roster("", &changed).await;
    assert_eq!((status, error_code(&answer).as_str()), (StatusCode::CONFLICT, "birth_date_changed"));
    let message = String::from_utf8_lossy(&answer).into_owned();
    assert!(message.contains("s-1") && message.contains("2017-01-01") && message.contains("2010-01-01"), "{message}");
    assert_eq!(server.dump(), before, "a refused roster writes nothing");
    // The same roster again changes nothing and needs no confirmation.
    assert_eq!(server.roster("", ROSTER).await.0, StatusCode::OK);

    let (status, answer) = server.roster("?confirm_birth_date_changes=true", &changed).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer));
    let conn = rusqlite::Connection::open(server._dir.path().join(DATABASE)).expect("open");
    let birth: String =
        conn.query_row("SELECT birth_date FROM students WHERE student = 's-1'", [], |row| row.get(0)).expect("student");
    assert_eq!(birth, "2010-01-01");
    let recorded: (String, String, String, String) = conn
        .query_row("SELECT student, field, old, new FROM roster_changes", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("one recorded change");
    assert_eq!(recorded, ("s-1".into(), "birth_date".into(), "2017-01-01".into(), "2010-01-01".into()));
    let (status, answer) = server.roster("?confirm_birth_date_changes=maybe", ROSTER).await;
    assert_eq!((status, error_code(&answer).as_str()), (StatusCode::BAD_REQUEST, "bad_query"));
}

// ---- The staff console (`/v1/console/…`) ----

const TWO_CLASSES: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-1,Ana,7B,2017-01-01,,Maria,m@example.org,,
s-2,Mihai,7B,2016-01-01,,Ioana,i@example.org,,
s-3,Elena,8A,2015-01-01,,Radu,r@example.org,,
";

/// A staff member's browser: its key and certificate.
struct StaffBrowser {
    key: SigningKey,
    certificate: Signed<shared::objects::StaffCertificate>,
}

impl Server {
    fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Invites a staff member with the root key (as `verifier staff invite` does) and enrols a
    /// new key for them over HTTP.
    async fn staff(&self, person: &str, role: shared::objects::StaffRole, classes: &[&str]) -> StaffBrowser {
        let root = keys::read_secret(&self.dir().join(keys::ROOT_KEY)).expect("root");
        let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
        let invitation = Archive::open(self.dir())
            .expect("archive")
            .invite_staff(
                &root,
                person.try_into().expect("id"),
                &format!("Staff {person}"),
                role,
                classes.iter().map(|&c| c.to_owned()).collect(),
                expires,
                now(),
                &mut OsRng,
            )
            .expect("invites");
        let key = key(&format!("staff/{person}"));
        let request = shared::objects::StaffEnrolmentRequest {
            school: self.school,
            invitation: invitation.hash(),
            key: PublicKey::of(&key),
            client_time: now(),
        };
        let request = sign(request, &key).expect("signs");
        let (status, bytes) = self.post("/v1/console/enrol", enrolment_body(invitation.bytes(), request.bytes())).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
        let archive_key = *shared::decode::<shared::objects::StaffCertificate>(&bytes).expect("decodes").signer();
        StaffBrowser { key, certificate: open(&bytes, &archive_key).expect("verifies") }
    }

    /// A fresh challenge from the service.
    async fn challenge(&self) -> Nonce {
        let (status, body) = self.get("/v1/challenge", None).await;
        assert_eq!(status, StatusCode::OK);
        let body: Value = serde_json::from_slice(&body).expect("json");
        let nonce: [u8; 16] =
            hex::decode(body["challenge"].as_str().expect("challenge")).expect("hex").try_into().expect("16 bytes");
        Nonce(nonce)
    }

    /// The `Authorization` header for `method path` with `body`, signed by `staff` over `challenge`.
    fn staff_header(
        &self,
        staff: &StaffBrowser,
        challenge: Nonce,
        method: shared::objects::Method,
        path: &str,
        body: &[u8],
    ) -> String {
        let request = shared::objects::StaffRequest {
            school: self.school,
            certificate: staff.certificate.hash(),
            challenge,
            method,
            path: path.to_owned(),
            body: (!body.is_empty()).then(|| Digest::of(body)),
            client_time: now(),
        };
        let signed = sign(request, &staff.key).expect("signs");
        format!("Staff {}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signed.bytes()))
    }

    /// A console call as the console makes it: a fresh challenge, then the call signed for it.
    async fn console(
        &self,
        staff: &StaffBrowser,
        method: shared::objects::Method,
        path: &str,
        body: &[u8],
    ) -> (StatusCode, Vec<u8>) {
        let header = self.staff_header(staff, self.challenge().await, method, path, body);
        match method {
            shared::objects::Method::Get => self.get(path, Some(header)).await,
            shared::objects::Method::Post => {
                self.post_as(path, Some("application/json"), Some(header), body.to_vec()).await
            }
        }
    }

    /// A rights request by `device`'s person, filed over HTTP.
    async fn file_request(&self, device: &Device, right: shared::objects::Right, text: &str) -> Digest {
        let request = shared::objects::RightsRequest {
            school: self.school,
            student: device.certificate.body().student.clone(),
            certificate: device.certificate.hash(),
            role: device.certificate.body().role,
            right,
            purposes: Vec::new(),
            text: text.into(),
            client_time: now(),
            nonce: Nonce([9; 16]),
        };
        let request = sign(request, &device.key).expect("signs");
        let (status, body) = self.post("/v1/requests", request.bytes().to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        request.hash()
    }
}

/// Every guarded console route, as a call a DPO may make (the date is filled in).
fn console_calls() -> Vec<(shared::objects::Method, String)> {
    use shared::objects::Method::{Get, Post};
    let date = now().date();
    let gets = [
        "/v1/console/me".to_owned(),
        "/v1/console/overview".to_owned(),
        "/v1/console/not-answered".to_owned(),
        "/v1/console/letters?class=7B".to_owned(),
        format!("/v1/console/photo-check?class=7B&purpose=photos-published&date={date}"),
        "/v1/console/requests".to_owned(),
        "/v1/console/students?class=7B".to_owned(),
        "/v1/console/student?id=s-1".to_owned(),
        "/v1/console/export?student=s-1".to_owned(),
    ];
    let posts = ["/v1/console/decide".to_owned(), "/v1/console/paper".to_owned(), "/v1/console/remind".to_owned()];
    gets.into_iter().map(|path| (Get, path)).chain(posts.into_iter().map(|path| (Post, path))).collect()
}

/// Sends `method path` with `header` (a decision on nothing as a POST's body).
async fn send_console(
    server: &Server,
    method: shared::objects::Method,
    path: &str,
    header: Option<String>,
    body: &[u8],
) -> StatusCode {
    match method {
        shared::objects::Method::Get => server.get(path, header).await.0,
        shared::objects::Method::Post => server.post_as(path, Some("application/json"), header, body.to_vec()).await.0,
    }
}

/// A paper slip about `student` (born `birth_date`) signed by the guardian `person` today,
/// granting the published photos, recorded by `staff`.
fn paper_slip(server: &Server, staff: &StaffBrowser, student: &str, birth_date: &str, person: &str) -> Vec<u8> {
    let slip = shared::objects::PaperRecord {
        school: staff.certificate.body().school,
        certificate: staff.certificate.hash(),
        student: student.try_into().expect("id"),
        student_birth_date: birth_date.parse().expect("date"),
        form: server.form.hash(),
        signers: vec![shared::objects::PaperSigner {
            person: person.try_into().expect("id"),
            role: shared::objects::Role::Guardian,
        }],
        decisions: [("photos-published".try_into().expect("id"), shared::objects::Decision::Grant)].into(),
        signed_on: now().date(),
        scan: Digest::of(b"scan"),
        client_time: now(),
    };
    sign(slip, &staff.key).expect("signs").bytes().to_vec()
}

fn staff_decision(staff: &StaffBrowser, request: Digest, reason: &str) -> Vec<u8> {
    let decision = shared::objects::StaffDecision {
        school: staff.certificate.body().school,
        certificate: staff.certificate.hash(),
        request,
        outcome: shared::objects::Outcome::Granted,
        reason: reason.into(),
        client_time: now(),
    };
    sign(decision, &staff.key).expect("signs").bytes().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_call_is_signed_for_its_route_and_body_and_its_challenge_is_used_once() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let (status, body) = server.console(&dpo, Method::Get, "/v1/console/me", b"").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let me: shared::console::Me = serde_json::from_slice(&body).expect("a Me");
    assert_eq!(
        (me.name.as_str(), me.role, me.classes.clone()),
        ("Staff dpo", StaffRole::Dpo, vec!["7B".into(), "8A".into()])
    );

    let before = common::dump(&server.dir().join(DATABASE));
    // Every route: unsigned, then signed and sent twice, the second time refused.
    let body = staff_decision(&dpo, Digest::of(b"no such request"), "Done.");
    for (method, path) in console_calls() {
        let body: &[u8] = if method == Method::Post { &body } else { b"" };
        assert_eq!(send_console(&server, method, &path, None, body).await, StatusCode::UNAUTHORIZED, "unsigned {path}");
        let header = server.staff_header(&dpo, server.challenge().await, method, &path, body);
        let first = send_console(&server, method, &path, Some(header.clone()), body).await;
        assert_ne!(first, StatusCode::UNAUTHORIZED, "{path} signed");
        let again = send_console(&server, method, &path, Some(header), body).await;
        assert_eq!(again, StatusCode::UNAUTHORIZED, "{path} replayed");
    }
    let challenge = server.challenge().await;
    let header = server.staff_header(&dpo, challenge, Method::Get, "/v1/console/overview", b"");
    assert_eq!(server.get("/v1/console/overview", Some(header.clone())).await.0, StatusCode::OK);
    assert_eq!(server.get("/v1/console/overview", Some(header)).await.0, StatusCode::UNAUTHORIZED, "replayed");
    let signed_for_overview =
        server.staff_header(&dpo, server.challenge().await, Method::Get, "/v1/console/overview", b"");
    let (status, body) = server.get("/v1/console/requests", Some(signed_for_overview)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed for another route: {}", String::from_utf8_lossy(&body));
    let forged = server.staff_header(&dpo, Nonce([1; 16]), Method::Get, "/v1/console/me", b"");
    assert_eq!(
        server.get("/v1/console/me", Some(forged)).await.0,
        StatusCode::UNAUTHORIZED,
        "a challenge never issued"
    );
    let stranger = StaffBrowser { key: key("stranger"), certificate: dpo.certificate.clone() };
    let (status, _) = server.console(&stranger, Method::Get, "/v1/console/me", b"").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed by a key the certificate does not certify");
    let decision = staff_decision(&dpo, Digest::of(b"no such request"), "Done.");
    let header = server.staff_header(&dpo, server.challenge().await, Method::Post, "/v1/console/decide", b"{}");
    let (status, _) = server.post_as("/v1/console/decide", Some("application/json"), Some(header), decision).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed for another body");
    assert_eq!(common::dump(&server.dir().join(DATABASE)), before, "a refused call changes nothing");
}

/// Every console route, asked by each role inside and outside its scope: a teacher of 7B reaches
/// the overview and the photo check of 7B and nothing else; the DPO reaches everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_sees_only_their_classes_and_never_contacts_records_or_requests() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let family = server.enrol(0, "console/family").await;
    let request = server.file_request(&family, shared::objects::Right::Objection, "No photos, please.").await;
    let teacher = server.staff("teacher-7b", StaffRole::Teacher, &["7B"]).await;
    let director = server.staff("director", StaffRole::Director, &[]).await;
    let date = now().date();
    let photo = |class: &str| format!("/v1/console/photo-check?class={class}&purpose=photos-published&date={date}");
    let reads = [
        ("/v1/console/me".to_owned(), true),
        ("/v1/console/overview".to_owned(), true),
        (photo("7B"), true),
        ("/v1/console/students?class=7B".to_owned(), true),
        (photo("8A"), false),
        (format!("{}&format=csv", photo("8A")), false),
        ("/v1/console/students?class=8A".to_owned(), false),
        ("/v1/console/not-answered".to_owned(), false),
        ("/v1/console/not-answered?format=csv".to_owned(), false),
        ("/v1/console/letters".to_owned(), false),
        // Not even their own class's: a letter's code opens a family's form.
        ("/v1/console/letters?class=7B".to_owned(), false),
        ("/v1/console/requests".to_owned(), false),
        ("/v1/console/student?id=s-1".to_owned(), false),
        ("/v1/console/student?id=s-3".to_owned(), false),
        ("/v1/console/export?student=s-1".to_owned(), false),
        ("/v1/console/export?student=s-3".to_owned(), false),
    ];
    let (mut refused, mut outside) = (0, 0);
    for (path, teacher_may) in &reads {
        let (status, body) = server.console(&teacher, Method::Get, path, b"").await;
        if *teacher_may {
            assert_eq!(status, StatusCode::OK, "teacher {path}: {}", String::from_utf8_lossy(&body));
        } else {
            outside += 1;
            assert_eq!(status, StatusCode::FORBIDDEN, "teacher {path}: {}", String::from_utf8_lossy(&body));
            refused += 1;
        }
        let (status, body) = server.console(&director, Method::Get, path, b"").await;
        assert_eq!(status, StatusCode::OK, "director {path}: {}", String::from_utf8_lossy(&body));
    }
    // The teacher's overview counts only 7B.
    let (_, body) = server.console(&teacher, Method::Get, "/v1/console/overview", b"").await;
    let overview: shared::console::Overview = serde_json::from_slice(&body).expect("an overview");
    assert_eq!(overview.classes.iter().map(|c| c.class.as_str()).collect::<Vec<_>>(), ["7B"]);
    // Nor may a teacher decide, even signing with their own key.
    let decision = staff_decision(&teacher, request, "I decide.");
    let (status, _) = server.console(&teacher, Method::Post, "/v1/console/decide", &decision).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a teacher's decision");
    outside += 1;
    refused += 1;
    // Nor record a paper slip, even for their own class.
    let slip = paper_slip(&server, &teacher, "s-1", "2017-01-01", "s-1-g1");
    let (status, _) = server.console(&teacher, Method::Post, "/v1/console/paper", &slip).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a teacher's paper slip");
    outside += 1;
    refused += 1;
    // Nor have the school write to families, for their class or any other.
    for body in [&br#"{"class":"7B"}"#[..], b"{}"] {
        let (status, _) = server.console(&teacher, Method::Post, "/v1/console/remind", body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a teacher's reminders");
        outside += 1;
        refused += 1;
    }
    println!("cross-scope reads refused: {refused} of {outside}");
    assert_eq!(refused, outside);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpo_decides_a_request_in_the_console_and_the_bundle_proves_who_decided() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let family = server.enrol(0, "console/objector").await;
    let request = server.file_request(&family, shared::objects::Right::Objection, "Please remove the photo.").await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let (_, body) = server.console(&dpo, Method::Get, "/v1/console/requests", b"").await;
    let inbox: shared::console::Requests = serde_json::from_slice(&body).expect("requests");
    assert_eq!(inbox.rows.len(), 1);
    assert_eq!((inbox.rows[0].request, inbox.rows[0].student_name.as_str()), (request, "Ana"));
    assert!(inbox.rows[0].decision.is_none());

    let decision = staff_decision(&dpo, request, "The photo was removed.");
    let (status, body) = server.console(&dpo, Method::Post, "/v1/console/decide", &decision).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let carried_out = shared::decode::<shared::objects::RequestDecision>(&body).expect("a decision");
    assert_eq!(carried_out.unverified_body().staff_decision, Some(Digest::of(&decision)));
    let (status, _) = server.console(&dpo, Method::Post, "/v1/console/decide", &decision).await;
    assert_eq!(status, StatusCode::CONFLICT, "a request is decided once");

    let (_, body) = server.console(&dpo, Method::Get, "/v1/console/requests", b"").await;
    let inbox: shared::console::Requests = serde_json::from_slice(&body).expect("requests");
    let decided = inbox.rows[0].decision.as_ref().expect("decided");
    assert_eq!((decided.by.as_deref(), decided.reason.as_str()), (Some("Staff dpo"), "The photo was removed."));
    let (_, history) = server.history(&family, family.certificate.hash()).await;
    assert_eq!(history["requests"][0]["decision"]["body"]["reason"], "The photo was removed.");

    let (status, bundle) = server.console(&dpo, Method::Get, "/v1/console/export?student=s-1", b"").await;
    assert_eq!(status, StatusCode::OK);
    let report = verifier::bundle::verify_bundle(&bundle, &server.school).expect("the bundle verifies offline");
    assert_eq!(report.counts.get("staff-decision/1"), Some(&1));
    assert_eq!(report.counts.get("staff-certificate/1"), Some(&1));
    let check = Archive::open(server.dir()).expect("archive").check(false).expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_staff_key_can_do_nothing_from_the_moment_of_revocation() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let teacher = server.staff("teacher-7b", StaffRole::Teacher, &["7B"]).await;
    assert_eq!(server.console(&teacher, Method::Get, "/v1/console/me", b"").await.0, StatusCode::OK);
    let signed_before = server.staff_header(&teacher, server.challenge().await, Method::Get, "/v1/console/me", b"");
    let ended =
        Archive::open(server.dir()).expect("archive").revoke_staff(&"teacher-7b".try_into().expect("id"), now());
    assert_eq!(ended.expect("revokes"), 1);
    let body = staff_decision(&teacher, Digest::of(b"no such request"), "Done.");
    for (method, path) in console_calls() {
        let body: &[u8] = if method == Method::Post { &body } else { b"" };
        let header = server.staff_header(&teacher, server.challenge().await, method, &path, body);
        let status = send_console(&server, method, &path, Some(header), body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} after revocation");
    }
    assert_eq!(server.get("/v1/console/me", Some(signed_before)).await.0, StatusCode::UNAUTHORIZED, "signed before");
    let check = Archive::open(server.dir()).expect("archive").check(false).expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}

/// A staff key can sign only staff decisions and console calls: a consent receipt or a rights
/// request it signs, naming its staff certificate, is refused and changes no audit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_staff_key_signs_counts_as_a_familys_decision() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let family = server.enrol(0, "console/real-family").await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let path = format!("/v1/console/photo-check?class=7B&purpose=photos-published&date={}", now().date());
    let (_, before) = server.console(&dpo, Method::Get, &path, b"").await;
    let mut receipt = server.receipt(&family, &[("photos-published", Decision::Grant)], None).body().clone();
    receipt.certificate = dpo.certificate.hash();
    let forged = sign(receipt, &dpo.key).expect("signs");
    let (status, body) = server.post("/v1/receipts", forged.bytes().to_vec()).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "unknown_signer"));
    let (_, after) = server.console(&dpo, Method::Get, &path, b"").await;
    let marks = |body: &[u8]| {
        let check: shared::console::PhotoCheck = serde_json::from_slice(body).expect("a photo check");
        check.rows.into_iter().map(|row| (row.student, row.mark)).collect::<Vec<_>>()
    };
    assert_eq!(marks(&after), marks(&before));
    assert!(marks(&after).iter().all(|(_, mark)| *mark == shared::console::Mark::NotAnswered));
}

/// A staff certificate authorises nothing after it expires: the check every console call goes
/// through, asked at an instant past the expiry, refuses it as the service's 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_staff_certificate_authorises_no_call() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let header = server.staff_header(&dpo, server.challenge().await, Method::Get, "/v1/console/me", b"");
    let signed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.strip_prefix("Staff ").expect("the scheme"))
        .expect("base64url");
    let archive = Archive::open(server.dir()).expect("archive");
    let expires = dpo.certificate.body().expires;
    assert!(archive.staff_call(&signed, expires).is_ok(), "valid until its last second");
    let after = Timestamp::from_unix(expires.unix() + 1).expect("in range");
    let refused = archive.staff_call(&signed, after).map(drop).expect_err("expired");
    assert!(
        matches!(refused, verifier::archive::ArchiveError::Trust(shared::trust::TrustError::CertificateExpired { .. })),
        "{refused}"
    );
    assert_eq!(verifier::service::error::ApiError::from(refused).status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpo_records_a_paper_slip_and_the_familys_history_shows_it_under_the_recorders_certificate() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let slip = paper_slip(&server, &dpo, "s-1", "2017-01-01", "s-1-g1");
    let (status, body) = server.console(&dpo, Method::Post, "/v1/console/paper", &slip).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let ack = shared::decode::<shared::objects::Acknowledgement>(&body).expect("an acknowledgement");
    assert_eq!(ack.unverified_body().object, Digest::of(&slip));

    let other = server.staff("director", StaffRole::Director, &[]).await;
    let before = common::dump(&server.dir().join(DATABASE));
    let stranger = paper_slip(&server, &dpo, "s-1", "2017-01-01", "s-3-g1");
    let (status, body) = server.console(&dpo, Method::Post, "/v1/console/paper", &stranger).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "not_of_family"));
    let wrong_birth = paper_slip(&server, &dpo, "s-1", "2017-01-02", "s-1-g1");
    let (status, body) = server.console(&dpo, Method::Post, "/v1/console/paper", &wrong_birth).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "not_in_roster"));
    let (status, _) = server.console(&other, Method::Post, "/v1/console/paper", &slip).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a slip signed with another's certificate");
    assert_eq!(common::dump(&server.dir().join(DATABASE)), before, "refused slips change nothing");

    let family = server.enrol(0, "paper/family").await;
    let (status, history) = server.history(&family, family.certificate.hash()).await;
    assert_eq!(status, StatusCode::OK);
    let papers = history["papers"].as_array().expect("papers");
    assert_eq!(papers.len(), 1);
    let staff = shared::encoding::to_canonical(&papers[0]["staff"]).expect("canonical");
    assert_eq!(Digest::of(&staff), dpo.certificate.hash(), "the recorder's certificate");
    let recorded = shared::encoding::to_canonical(&papers[0]["slip"]["object"]).expect("canonical");
    assert_eq!(recorded, slip);
}

// ---- Printed letters' short codes (`POST /v1/invitation`) and the console's letters ----

impl Server {
    /// `POST /v1/invitation` with `code`, as the widget sends it.
    async fn exchange(&self, code: &str) -> (StatusCode, Vec<u8>) {
        let body = to_canonical(&serde_json::json!({ "code": code })).expect("canonical");
        self.post("/v1/invitation", body).await
    }
}

/// Two families, one writing Polish and one English, for the console's reminders.
const TWO_LANGUAGES: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email,language
s-1,Ola Nowak,7B,2017-01-01,,Anna Nowak,anna@example.org,,,pl
s-2,Tom Smith,8A,2016-01-01,,Jane Smith,jane@example.org,,,en
";

impl Server {
    /// The not-answered view as the DPO sees it.
    async fn not_answered(&self, staff: &StaffBrowser) -> shared::console::NotAnswered {
        let (status, body) = self.console(staff, shared::objects::Method::Get, "/v1/console/not-answered", b"").await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("a NotAnswered")
    }

    /// `POST /v1/console/remind` with `body`, as `staff`.
    async fn remind(&self, staff: &StaffBrowser, body: &[u8]) -> shared::console::Reminded {
        let (status, answer) = self.console(staff, shared::objects::Method::Post, "/v1/console/remind", body).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer));
        serde_json::from_slice(&answer).expect("a Reminded")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letters_code_gives_its_signed_invitation_until_the_invitation_is_used() {
    let server = start(None).await;
    let database = server.dir().join(DATABASE);
    let before = common::dump(&database);
    for (index, code) in server.codes.iter().enumerate() {
        // As the link carries it, and as a person might type it.
        for typed in [code.grouped(), code.as_str().to_lowercase()] {
            let (status, bytes) = server.exchange(&typed).await;
            assert_eq!(status, StatusCode::OK, "{typed}: {}", String::from_utf8_lossy(&bytes));
            assert_eq!(bytes, server.invitations[index].bytes(), "the signed bytes, unchanged");
            let verified =
                TrustStore::new(server.school).invitation(&bytes, now()).expect("verifies under the school key");
            assert_eq!(verified.hash(), server.invitations[index].hash());
        }
    }
    assert_eq!(common::dump(&database), before, "an exchange writes nothing");

    // Once the invitation enrolled a device, its code opens nothing, as the link does not.
    server.enrol(0, "letters/used").await;
    let (status, body) = server.exchange(&server.codes[0].grouped()).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::CONFLICT, "invitation_used"));
    let (status, _) = server.exchange(&server.codes[1].grouped()).await;
    assert_eq!(status, StatusCode::OK, "the other family's code still works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_unknown_replaced_or_expired_is_refused_with_its_reason_and_changes_nothing() {
    let server = start(None).await;
    let root = keys::read_secret(&server.dir().join(keys::ROOT_KEY)).expect("root");
    let roster = Roster::parse(ROSTER).expect("roster");
    // Invited again: the first letters' codes name replaced invitations.
    let mut archive = Archive::open(server.dir()).expect("archive");
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let again = archive.invite(&roster, &root, expires, now(), &mut OsRng).expect("invite again");
    // And a third time with letters that expire in a second.
    let soon = Timestamp::from_unix(now().unix() + 1).expect("in range");
    let expired = archive.invite(&roster, &root, soon, now(), &mut OsRng).expect("invite, soon expired");
    drop(archive);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let database = server.dir().join(DATABASE);
    let before = common::dump(&database);
    let unknown = ShortCode::random(&mut OsRng);
    let cases: [(String, StatusCode, &str); 6] = [
        (server.codes[0].grouped(), StatusCode::GONE, "invitation_revoked"),
        (again[0].code.grouped(), StatusCode::GONE, "invitation_revoked"),
        (expired[0].code.grouped(), StatusCode::GONE, "invitation_expired"),
        (unknown.grouped(), StatusCode::NOT_FOUND, "unknown_code"),
        ("K7QF-2M9X".to_owned(), StatusCode::NOT_FOUND, "unknown_code"),
        ("<script>".to_owned(), StatusCode::NOT_FOUND, "unknown_code"),
    ];
    for (code, status, expected) in cases {
        let (got, body) = server.exchange(&code).await;
        assert_eq!((got, error_code(&body).as_str()), (status, expected), "{code}: {}", String::from_utf8_lossy(&body));
    }
    let bodies: [(&[u8], &str); 5] = [
        (b"code=K7QF", "malformed_json"),
        (br#"{"code":1}"#, "schema"),
        (br#"{"code":"K7QF","invitation":"x"}"#, "unknown_field"),
        (br#"{ "code": "K7QF" }"#, "not_canonical"),
        (br#"{}"#, "schema"),
    ];
    for (body, expected) in bodies {
        let (status, answer) = server.post("/v1/invitation", body.to_vec()).await;
        assert_eq!(
            (status, error_code(&answer).as_str()),
            (StatusCode::BAD_REQUEST, expected),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let (status, _) =
        server.post_as("/v1/invitation", Some("text/plain"), None, server.codes[0].grouped().into_bytes()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(common::dump(&database), before, "a refused code changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dpo_prints_the_letters_of_the_invitations_still_usable_with_their_codes() {
    use shared::objects::{Method, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    server.enrol(0, "letters/enrolled").await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let (status, page) = server.console(&dpo, Method::Get, "/v1/console/letters", b"").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&page));
    let page = String::from_utf8(page).expect("UTF-8");
    assert_eq!(page.matches("<article class=\"letter\"").count(), 2, "the enrolled person gets no letter");
    assert!(!page.contains(&server.codes[0].grouped()), "no code of a used invitation");
    for code in &server.codes[1..] {
        assert!(page.contains(&format!("{CONSENT_PAGE}#code=<span class=\"code\">{}</span>", code.grouped())));
    }
    let (status, page) = server.console(&dpo, Method::Get, "/v1/console/letters?class=8A", b"").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).expect("UTF-8");
    assert_eq!(page.matches("<article class=\"letter\"").count(), 1, "8A's one family");
    assert!(page.contains("data-person=\"s-3-g1\"") && page.contains(&server.codes[2].grouped()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_student_view_lists_a_paper_slip_under_its_recorders_name_and_marks_the_state_on_paper() {
    use shared::console::{EventKind, FamilyMember, Mark, PurposeNow, StudentHistory};
    use shared::objects::{Decision, Method, Role, StaffRole};
    let server = start_school(TWO_CLASSES, None, |_| {}).await;
    let dpo = server.staff("dpo", StaffRole::Dpo, &[]).await;
    let view = |body: Vec<u8>| serde_json::from_slice::<StudentHistory>(&body).expect("a StudentHistory");
    let (status, body) = server.console(&dpo, Method::Get, "/v1/console/student?id=s-1", b"").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let before = view(body);
    assert_eq!(
        before.family,
        vec![FamilyMember { person: "s-1-g1".try_into().expect("id"), role: Role::Guardian, name: "Maria".into() }],
        "what the slip form offers as signers"
    );
    assert_eq!(before.form, Some(server.form.hash()));
    assert!(before.events.is_empty());
    assert!(before.now.iter().all(|p| !p.on_paper));

    let slip = paper_slip(&server, &dpo, "s-1", "2017-01-01", "s-1-g1");
    let (status, body) = server.console(&dpo, Method::Post, "/v1/console/paper", &slip).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (status, body) = server.console(&dpo, Method::Get, "/v1/console/student?id=s-1", b"").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let after = view(body);
    assert_eq!(after.events.len(), 1);
    let event = &after.events[0];
    assert_eq!((event.by.as_deref(), event.role), (Some("Staff dpo"), None), "the recorder, not the family");
    assert_eq!(
        event.what,
        EventKind::Paper {
            signed_on: now().date().to_string(),
            signers: vec![(Role::Guardian, "Maria".into())],
            decisions: vec![("photos-published".try_into().expect("id"), Decision::Grant)],
        }
    );
    let photos = after.now.iter().find(|p| p.purpose.as_str() == "photos-published").expect("the purpose");
    assert_eq!(
        photos,
        &PurposeNow { purpose: "photos-published".try_into().expect("id"), mark: Mark::Allowed, on_paper: true }
    );
    assert!(after.now.iter().filter(|p| p.purpose != photos.purpose).all(|p| !p.on_paper), "only what the slip says");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_reminds_by_email_and_shows_when_each_person_was_last_reminded() {
    use consent_tests::smtp::SmtpSink;
    use mail_parser::MessageParser;
    let sink = SmtpSink::start().expect("an SMTP server on loopback");
    let mailer =
        verifier::mail::Mailer::new(&sink.url(), "School office <office@school.example>", None).expect("mailer");
    let server = start_school(TWO_LANGUAGES, None, |config| {
        config.consent_page = Some(CONSENT_PAGE.to_owned());
        config.mailer = Some(mailer);
    })
    .await;
    let dpo = server.staff("dpo", shared::objects::StaffRole::Dpo, &[]).await;
    assert!(server.not_answered(&dpo).await.rows.iter().all(|row| row.last_reminded.is_none()));

    // One class: only its family is written to.
    let done = server.remind(&dpo, br#"{"class":"7B"}"#).await;
    assert_eq!((done.emailed, done.listed, done.failed, done.uninvited, done.list), (1, 0, 0, 0, None));
    let received = sink.wait_for(1, std::time::Duration::from_secs(10));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["anna@example.org"]);
    let message = MessageParser::default().parse(&received[0].data).expect("a message");
    assert_eq!(
        message.subject(),
        Some("Lindenfield International School: przypomnienie o zgodach dotyczących ucznia Ola Nowak")
    );
    let link = verifier::remind::invitation_link(CONSENT_PAGE, server.invitations[0].bytes());
    assert_eq!(server.invitations[0].body().person.as_str(), "s-1-g1", "the link opens Anna's own invitation");
    assert!(message.body_text(0).expect("text").lines().any(|line| line == link));
    assert!(message.body_html(0).expect("html").contains(&format!("<a href=\"{link}\">")));
    let rows = server.not_answered(&dpo).await.rows;
    let reminded: Vec<(&str, bool)> = rows.iter().map(|r| (r.name.as_str(), r.last_reminded.is_some())).collect();
    assert_eq!(reminded, [("Anna Nowak", true), ("Jane Smith", false)]);

    // The whole school, then: Jane in English.
    let done = server.remind(&dpo, b"{}").await;
    assert_eq!((done.emailed, done.listed), (2, 0));
    let received = sink.wait_for(3, std::time::Duration::from_secs(10));
    let jane = received.iter().find(|m| m.to == ["jane@example.org"]).expect("Jane's reminder");
    let message = MessageParser::default().parse(&jane.data).expect("a message");
    assert_eq!(message.subject(), Some("Lindenfield International School: a reminder about consent for Tom Smith"));
    assert!(server.not_answered(&dpo).await.rows.iter().all(|row| row.last_reminded.is_some()));
    let (status, body) =
        server.console(&dpo, shared::objects::Method::Post, "/v1/console/remind", br#"{"class":"9Z"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_console_answers_the_list_and_records_it() {
    let server = start_school(TWO_LANGUAGES, None, |config| config.consent_page = Some(CONSENT_PAGE.to_owned())).await;
    let director = server.staff("director", shared::objects::StaffRole::Director, &[]).await;
    let done = server.remind(&director, b"{}").await;
    assert_eq!((done.emailed, done.listed, done.failed), (0, 2, 0));
    let list = done.list.expect("the list");
    for (which, email) in [(0, "anna@example.org"), (1, "jane@example.org")] {
        let link = verifier::remind::invitation_link(CONSENT_PAGE, server.invitations[which].bytes());
        assert!(
            list.lines().any(|line| line.contains(email) && line.contains(&link)),
            "{email} with their link: {list}"
        );
    }
    assert!(server.not_answered(&director).await.rows.iter().all(|row| row.last_reminded.is_some()));

    // A service started without the consent page's address says so.
    let bare = start_school(TWO_LANGUAGES, None, |_| {}).await;
    let dpo = bare.staff("dpo", shared::objects::StaffRole::Dpo, &[]).await;
    let (status, body) = bare.console(&dpo, shared::objects::Method::Post, "/v1/console/remind", b"{}").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "reminders_not_configured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_copies_its_write_ahead_log_into_the_database_as_it_runs() {
    let server = start(None).await;
    let family = server.enrol(0, "service/checkpoints").await;
    let receipt = server.receipt(&family, &[("meals", Decision::Grant)], None);
    let response = server
        .client
        .post(format!("{}/v1/receipts", server.base))
        .header("content-type", "application/json")
        .body(receipt.bytes().to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    // The writer leaves checkpoints to a thread of their own: the database file alone, without
    // its log, comes to hold the receipt.
    let database = server._dir.path().join(verifier::archive::DATABASE);
    let copy = tempfile::tempdir().expect("temp dir");
    let mut copied = false;
    for _ in 0..100 {
        std::fs::copy(&database, copy.path().join("alone.sqlite")).expect("copies the file");
        let alone = rusqlite::Connection::open(copy.path().join("alone.sqlite")).expect("opens");
        let found: i64 = alone
            .query_row("SELECT COUNT(*) FROM log WHERE hash = ?1", [receipt.hash().0.as_slice()], |row| row.get(0))
            .expect("reads");
        if found == 1 {
            copied = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(copied, "the receipt never reached the database file");
}
