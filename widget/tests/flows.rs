//! The widget's flows, natively, against the real verifier service on 127.0.0.1 with a real
//! SQLite archive: the same `Family` code the browser runs, with an HTTP client in place of
//! `fetch` and a map in place of `localStorage`. Each test is named after the flow or rule it
//! guards.
#![cfg(not(target_arch = "wasm32"))]

use chrono::{Datelike, NaiveDate};
use rand_core::OsRng;
use shared::ids::PurposeId;
use shared::objects::{ConsentForm, Decision, Invitation, Right, Role};
use shared::policy::Status;
use shared::primitives::PublicKey;
use shared::texts::{text, Key};
use shared::{sign, Lang, Signed, Timestamp};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use verifier::archive::{Archive, Roster};
use verifier::keys;
use verifier::service::{self, Config};
use widget::family::{exchange_code, Access, Family, School};
use widget::link::Fragment;
use widget::outbox::SetAsideReason;
use widget::problem::Problem;
use widget::store::Store;
use widget::transport::{not_answered, Reply, Transport};
use widget::view::{self, Control};
use widget::words;

/// `localStorage` as a map; cloning it is a second browser profile.
#[derive(Default, Clone)]
struct MemoryStore(RefCell<HashMap<String, String>>);

impl Store for MemoryStore {
    fn load(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }

    fn save(&self, key: &str, value: &str) -> Result<(), widget::store::StorageRefused> {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

/// HTTP over loopback, as `fetch` would do it.
struct Http {
    base: String,
    client: reqwest::Client,
}

impl Transport for Http {
    async fn get(&self, path: &str, authorization: Option<&str>) -> Result<Reply, Problem> {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        reply(request.send().await).await
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, Problem> {
        let request = self.client.post(format!("{}{path}", self.base)).header("content-type", "application/json");
        reply(request.body(body).send().await).await
    }
}

/// A transport that counts the requests it carries and can lose the next few POSTs on the way,
/// as a dying connection does after the service received nothing.
struct Watched<'a> {
    inner: &'a Http,
    requests: std::cell::Cell<usize>,
    lose_posts: std::cell::Cell<usize>,
}

impl<'a> Watched<'a> {
    fn new(inner: &'a Http) -> Watched<'a> {
        Watched { inner, requests: 0.into(), lose_posts: 0.into() }
    }
}

impl Transport for Watched<'_> {
    async fn get(&self, path: &str, authorization: Option<&str>) -> Result<Reply, Problem> {
        self.requests.set(self.requests.get() + 1);
        self.inner.get(path, authorization).await
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, Problem> {
        self.requests.set(self.requests.get() + 1);
        if self.lose_posts.get() > 0 {
            self.lose_posts.set(self.lose_posts.get() - 1);
            return Err(Problem::Offline("connection lost".into()));
        }
        self.inner.post(path, body).await
    }
}

/// A transport that edits the JSON answers to GETs whose path starts with `path`, as a wrong or
/// hostile service would answer.
struct Edited<'a> {
    inner: &'a Http,
    path: &'static str,
    edit: fn(&mut serde_json::Value),
}

impl Transport for Edited<'_> {
    async fn get(&self, path: &str, authorization: Option<&str>) -> Result<Reply, Problem> {
        let mut reply = self.inner.get(path, authorization).await?;
        if path.starts_with(self.path) {
            let mut value: serde_json::Value = serde_json::from_slice(&reply.body).expect("a JSON answer");
            (self.edit)(&mut value);
            reply.body = value.to_string().into_bytes();
        }
        Ok(reply)
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, Problem> {
        self.inner.post(path, body).await
    }
}

async fn reply(response: reqwest::Result<reqwest::Response>) -> Result<Reply, Problem> {
    // This machine is online, as a browser with a network is: no answer is the service's problem.
    let response = response.map_err(|e| not_answered(true, e.to_string()))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| not_answered(true, e.to_string()))?.to_vec();
    Ok(Reply { status, body })
}

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

fn born_years_ago(years: i32) -> NaiveDate {
    let today = now().date();
    NaiveDate::from_ymd_opt(today.year() - years, 1, 1).expect("a date")
}

/// A school with a published form and three families: a child of 10 (two guardians, each alone
/// enough), a student of 15 (guardian and student co-sign) and one of 19 (the student alone); the
/// child's first guardian, Maria, is also the sole guardian of a child of 12.
struct SchoolFixture {
    http: Http,
    key: PublicKey,
    token: String,
    invitations: HashMap<String, Signed<Invitation>>,
    /// Each person's printed letter's short code, as the letter writes it.
    codes: HashMap<String, String>,
    _dir: tempfile::TempDir,
}

async fn school() -> SchoolFixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut archive, key) = Archive::init(dir.path(), now(), &mut OsRng).expect("init");
    let root = keys::read_secret(&dir.path().join(keys::ROOT_KEY)).expect("root key");
    let content = consent_tests::fixtures::example_form_content();
    let form = sign(ConsentForm::new(key, 1, now(), None, content), &root).expect("form");
    archive.publish_form(form.bytes(), now()).expect("publish");
    let roster = format!(
        "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n\
         s-10,Ana,5A,{},,Maria,m@example.org,Petru,p@example.org\n\
         s-15,Mihai,8B,{},mihai@example.org,Ioana,i@example.org,,\n\
         s-19,Elena,12C,{},elena@example.org,Dan,d@example.org,,\n\
         s-12,Radu,6B,{},,Maria,m@example.org,,\n",
        born_years_ago(10),
        born_years_ago(15),
        born_years_ago(19),
        born_years_ago(12)
    );
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let invited =
        archive.invite(&Roster::parse(&roster).expect("roster"), &root, expires, now(), &mut OsRng).expect("invite");
    drop(archive);
    let invitations =
        invited.iter().map(|i| (i.invitation.body().person.to_string(), i.invitation.signed().clone())).collect();
    let codes = invited.iter().map(|i| (i.invitation.body().person.to_string(), i.code.grouped())).collect();
    let (http, service) = Service::start(dir.path()).await;
    std::mem::forget(service);
    let token = std::fs::read_to_string(dir.path().join(keys::ADMIN_TOKEN)).expect("token").trim().to_owned();
    SchoolFixture { http, key, token, invitations, codes, _dir: dir }
}

/// `verifier serve` over a data directory, on a free loopback port, until stopped.
struct Service {
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
    writer: std::thread::JoinHandle<()>,
}

impl Service {
    async fn start(data: &std::path::Path) -> (Http, Service) {
        let config = Config::new(data.to_path_buf());
        let (state, writer) = service::AppState::open(&config).expect("service state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let app = service::app(state, &config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let served = tokio::spawn(service::serve(listener, app, config.header_read_timeout, shutdown));
        (Http { base, client: reqwest::Client::new() }, Service { stop, served, writer })
    }

    /// Stops the service and waits until the archive is closed.
    async fn stop(self) {
        let _ = self.stop.send(());
        self.served.await.expect("served").expect("stopped cleanly");
        self.writer.join().expect("the writer stops");
    }
}

impl SchoolFixture {
    /// Opens `person`'s invitation link in a browser profile `store`.
    async fn open(&self, person: &str, store: &MemoryStore) -> Family {
        let school = School::load(&self.http, self.key).await.expect("the form verifies under the school key");
        let invitation = self.invitations[person].bytes().to_vec();
        let mut family = Family::open(school, Fragment::Object(invitation), store, now()).expect("invitation opens");
        family.refresh(&self.http, store, now()).await.expect("refresh");
        family
    }

    /// Reopens the page without the link, without the first refresh.
    async fn reopen_expecting(&self, store: &MemoryStore) -> Family {
        let school = School::load(&self.http, self.key).await.expect("form");
        Family::open(school, Fragment::Absent, store, now()).expect("reopens from the device")
    }

    /// Reopens the page without the link, as on a later visit.
    async fn reopen(&self, store: &MemoryStore) -> Family {
        let school = School::load(&self.http, self.key).await.expect("form");
        let mut family = Family::open(school, Fragment::Absent, store, now()).expect("reopens from the device");
        family.refresh(&self.http, store, now()).await.expect("refresh");
        family
    }
}

fn purpose(id: &str) -> PurposeId {
    PurposeId::try_from(id).expect("purpose id")
}

/// Answers "yes" to `granted` (and nothing else), presses "Sign and send", and sends.
async fn sign_and_send(fixture: &SchoolFixture, family: &mut Family, store: &MemoryStore, granted: &[&str]) -> usize {
    let answers: Vec<(&str, Decision)> = granted.iter().map(|p| (*p, Decision::Grant)).collect();
    answer_and_send(fixture, family, store, &answers).await
}

/// Answers each purpose as given, presses "Sign and send", and sends.
async fn answer_and_send(
    fixture: &SchoolFixture,
    family: &mut Family,
    store: &MemoryStore,
    answers: &[(&str, Decision)],
) -> usize {
    let rows = view::purpose_rows(family, now());
    family.decide(view::decisions_to_send(&rows, &answered(answers)), Lang::Pl, now(), store).expect("recorded");
    let sent = family.flush(&fixture.http, store, now()).await.expect("sent and acknowledged");
    family.refresh(&fixture.http, store, now()).await.expect("refresh");
    sent
}

fn answered(answers: &[(&str, Decision)]) -> BTreeMap<PurposeId, Decision> {
    answers.iter().map(|(p, d)| (purpose(p), *d)).collect()
}

fn status_of(family: &Family, id: &str) -> (Status, Control) {
    let row = view::purpose_rows(family, now()).into_iter().find(|r| r.purpose.id == purpose(id)).expect("row");
    (row.status, row.control)
}

#[tokio::test(flavor = "current_thread")]
async fn flow_1_invitation_then_sign_and_send_keeps_the_acknowledgement() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;

    // Rule 1: nothing is given before the family acts; every purpose offers yes and no.
    let rows = view::purpose_rows(&family, now());
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.status == Status::NotAnswered && r.control == Control::Choose && r.mine.is_none()));
    assert!(family.key().is_none(), "no key exists before the person signs");
    assert_eq!(family.access(), &Access::Open, "the link was asked about before any decision");
    assert!(view::decisions_to_send(&rows, &BTreeMap::new()).is_empty(), "nothing answered, nothing to sign");

    let sent = sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    assert_eq!(sent, 1);
    assert!(matches!(status_of(&family, "photos-published"), (Status::InEffect { .. }, Control::Withdraw)));
    // Rule 1: what was not answered is neither granted nor refused.
    assert_eq!(status_of(&family, "transport"), (Status::NotAnswered, Control::Choose));
    assert_eq!(family.device().kept.len(), 1, "the receipt and its acknowledgement are kept");
    assert!(family.device().outbox.is_empty());

    // A later visit, without the link: the same key, the same decisions, from the device.
    let key = family.key();
    let later = fixture.reopen(&store).await;
    assert_eq!(later.key(), key);
    assert!(matches!(status_of(&later, "photos-published"), (Status::InEffect { .. }, _)));
}

#[tokio::test(flavor = "current_thread")]
async fn flow_2_co_signing_takes_effect_only_when_both_granted() {
    let fixture = school().await;
    let (guardian_store, student_store) = (MemoryStore::default(), MemoryStore::default());
    let mut guardian = fixture.open("s-15-g1", &guardian_store).await;
    sign_and_send(&fixture, &mut guardian, &guardian_store, &["recordings-events"]).await;
    let (status, _) = status_of(&guardian, "recordings-events");
    assert_eq!(
        status,
        Status::Waiting { for_roles: vec![Role::Student] },
        "the guardian sees: waiting for the student"
    );

    // The student, from their own invitation, sees the guardian's pending decision and co-signs.
    let mut student = fixture.open("s-15-s", &student_store).await;
    assert_eq!(
        status_of(&student, "recordings-events"),
        (Status::Waiting { for_roles: vec![Role::Student] }, Control::Choose)
    );
    let row = view::purpose_rows(&student, now()).into_iter().find(|r| r.purpose.id == purpose("recordings-events"));
    let others: Vec<(Role, Decision)> = row.expect("row").others.iter().map(|o| (o.role, o.decision)).collect();
    assert_eq!(others, [(Role::Guardian, Decision::Grant)], "the student sees the guardian's decision first");
    assert!(student.certificate().is_none(), "seen before enrolling, with the invitation");
    sign_and_send(&fixture, &mut student, &student_store, &["recordings-events"]).await;
    assert!(matches!(status_of(&student, "recordings-events").0, Status::InEffect { .. }));
    guardian.refresh(&fixture.http, &guardian_store, now()).await.expect("refresh");
    assert!(matches!(status_of(&guardian, "recordings-events").0, Status::InEffect { .. }));

    // 18+: the decision passed to the student; the guardian has no control left.
    let adult_guardian = fixture.open("s-19-g1", &MemoryStore::default()).await;
    assert_eq!(status_of(&adult_guardian, "recordings-events").1, Control::NotTheirs);
    let adult = fixture.open("s-19-s", &MemoryStore::default()).await;
    assert_eq!(status_of(&adult, "recordings-events").1, Control::Choose);
}

#[tokio::test(flavor = "current_thread")]
async fn flow_3_withdrawal_is_one_action_and_history_keeps_both() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;

    family
        .decide(BTreeMap::from([(purpose("photos-published"), Decision::Withdraw)]), Lang::En, now(), &store)
        .expect("recorded");
    assert_eq!(family.flush(&fixture.http, &store, now()).await.expect("acknowledged"), 1);
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");
    assert!(matches!(
        status_of(&family, "photos-published"),
        (Status::Withdrawn { by: Role::Guardian, .. }, Control::Choose)
    ));

    let photos: Vec<Decision> = view::history_groups(&family)
        .into_iter()
        .flat_map(|g| g.decisions)
        .filter(|(p, _)| *p == purpose("photos-published"))
        .map(|(_, decision)| decision)
        .collect();
    assert_eq!(photos, vec![Decision::Withdraw, Decision::Grant], "newest first, the grant still listed");
    assert_eq!(family.device().kept.len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn flow_4_receipts_file_holds_every_object_needed_offline() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    let kit: serde_json::Value = serde_json::from_str(&widget::receipts::kit(&family)).expect("json");
    assert_eq!(kit["format"], widget::receipts::FORMAT);
    let kinds: Vec<&str> =
        kit["objects"].as_array().expect("objects").iter().filter_map(|o| o["kind"].as_str()).collect();
    for kind in ["archive-delegation/1", "consent-form/1", "enrolment/1", "consent-receipt/1", "acknowledgement/1"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    // What an auditor runs: `verifier verify --school-key <key> consent-receipts.json`.
    let file = widget::receipts::kit(&family).into_bytes();
    let verdicts = verifier::offline::verify_documents(&[("consent-receipts.json".into(), file)], &fixture.key);
    assert_eq!(verdicts.len(), kinds.len());
    for (name, verdict) in &verdicts {
        assert!(verdict.is_ok(), "{name}: {verdict:?}");
    }
    let stranger = PublicKey::of(&consent_tests::fixtures::key("another school"));
    let file = widget::receipts::kit(&family).into_bytes();
    let verdicts = verifier::offline::verify_documents(&[("consent-receipts.json".into(), file)], &stranger);
    assert!(verdicts.iter().all(|(_, v)| v.is_err()), "nothing verifies under another school's key");
}

#[tokio::test(flavor = "current_thread")]
async fn flow_5_rights_request_gets_deadline_and_decision() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    family
        .request_right(Right::Objection, Vec::new(), "No photos on the website.".into(), now(), &store)
        .expect("recorded");
    assert_eq!(family.flush(&fixture.http, &store, now()).await.expect("acknowledged"), 1);
    let rows = view::request_rows(&family);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].deadline > rows[0].received && rows[0].decision.is_none());

    let (request, _, _) = &family.history().requests[0];
    let decide = serde_json::json!({"request": request.hash().to_hex(), "outcome": "granted", "reason": "Removed."});
    let response = fixture
        .http
        .client
        .post(format!("{}/v1/admin/decide", fixture.http.base))
        .bearer_auth(&fixture.token)
        .json(&decide)
        .send()
        .await
        .expect("decide");
    assert_eq!(response.status(), 200);
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");
    let decision = view::request_rows(&family).remove(0).decision.expect("the decision came back");
    assert_eq!((decision.0, decision.1.as_str()), (shared::objects::Outcome::Granted, "Removed."));
}

#[tokio::test(flavor = "current_thread")]
async fn flow_6_nothing_signed_is_lost_offline_or_on_reload() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    // The network goes away after the page loaded: a port nothing listens on.
    let dead = Http { base: "http://127.0.0.1:9".into(), client: reqwest::Client::new() };
    let rows = view::purpose_rows(&family, now());
    family
        .decide(
            view::decisions_to_send(&rows, &answered(&[("trips-abroad", Decision::Grant)])),
            Lang::Ro,
            now(),
            &store,
        )
        .expect("recorded");
    let failed = family.flush(&dead, &store, now()).await.expect_err("offline");
    assert!(failed.is_temporary(), "{failed}");
    assert_eq!(family.device().outbox.len(), 1, "queued");
    let row =
        view::purpose_rows(&family, now()).into_iter().find(|r| r.purpose.id == purpose("trips-abroad")).expect("row");
    assert_eq!(row.mine, Some((Decision::Grant, None)), "shown as not sent yet");

    // The page is reloaded: the queue comes back from storage and is sent.
    drop(family);
    let mut reloaded = fixture.reopen(&store).await;
    assert_eq!(reloaded.device().outbox.len(), 1);
    assert_eq!(reloaded.flush(&fixture.http, &store, now()).await.expect("sent"), 1);
    reloaded.refresh(&fixture.http, &store, now()).await.expect("refresh");
    assert!(matches!(status_of(&reloaded, "trips-abroad").0, Status::InEffect { .. }));
}

#[tokio::test(flavor = "current_thread")]
async fn key_backup_moves_a_person_to_another_browser() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    let backup = family.device().to_backup();

    let other = MemoryStore::default();
    let mut moved = fixture.open("s-10-g1", &other).await;
    assert_eq!(moved.access(), &Access::Closed(Problem::InvitationUsed), "the link was used by the first browser");
    assert!(moved.import_backup("{\"format\":\"nope\"}", &other).is_err(), "a bad file changes nothing");
    assert!(moved.key().is_none());
    moved.import_backup(&backup, &other).expect("imports");
    moved.refresh(&fixture.http, &other, now()).await.expect("refresh");
    assert_eq!(moved.key(), family.key());
    assert_eq!(status_of(&moved, "photos-published").1, Control::Withdraw);
}

#[tokio::test(flavor = "current_thread")]
async fn nothing_is_shown_unless_it_verifies_under_the_configured_school_key() {
    let fixture = school().await;
    let stranger = PublicKey::of(&consent_tests::fixtures::key("another school"));
    let refused = School::load(&fixture.http, stranger).await.expect_err("another school's key");
    assert!(matches!(refused, Problem::NotTheSchool(_)), "{refused}");

    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let missing =
        Family::open(school, Fragment::Absent, &MemoryStore::default(), now()).expect_err("no link, nothing kept");
    assert_eq!(missing, Problem::NoInvitation);

    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let later = Timestamp::from_unix(now().unix() + 2 * 86_400).expect("in range");
    let invitation = Fragment::Object(fixture.invitations["s-10-g1"].bytes().to_vec());
    let expired = Family::open(school, invitation, &MemoryStore::default(), later).expect_err("expired");
    assert_eq!(expired, Problem::InvitationExpired);
}

#[tokio::test(flavor = "current_thread")]
async fn an_answer_about_another_school_student_or_log_size_is_refused_and_changes_nothing() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    let kept = store.0.borrow().clone();

    let other_school = Edited {
        inner: &fixture.http,
        path: "/v1/form",
        edit: |form| form["school_key"] = PublicKey::of(&consent_tests::fixtures::key("another")).to_hex().into(),
    };
    let refused = School::load(&other_school, fixture.key).await.expect_err("another school's form");
    assert!(
        matches!(refused, Problem::NotTheSchool(ref why) if why.contains("serves the form of school")),
        "{refused}"
    );

    let other_student =
        Edited { inner: &fixture.http, path: "/v1/history", edit: |history| history["student"] = "s-15".into() };
    let refused = family.refresh(&other_student, &store, now()).await.expect_err("another student's history");
    assert!(matches!(refused, Problem::BadAnswer(ref why) if why.contains("history of student s-15")), "{refused}");

    // The log grows, so the device asks for a proof that it only grew; a proof between other
    // sizes proves nothing about this device's.
    let mut neighbour = fixture.open("s-15-g1", &MemoryStore::default()).await;
    sign_and_send(&fixture, &mut neighbour, &MemoryStore::default(), &["meals"]).await;
    let other_sizes = Edited {
        inner: &fixture.http,
        path: "/v1/proof/consistency",
        edit: |proof| proof["first"] = (proof["first"].as_u64().expect("a size") - 1).into(),
    };
    let refused = family.refresh(&other_sizes, &store, now()).await.expect_err("a proof for other sizes");
    assert!(matches!(refused, Problem::BadAnswer(ref why) if why.contains("consistency proof")), "{refused}");
    assert_eq!(*store.0.borrow(), kept, "nothing a refused answer said was kept");
    family.refresh(&fixture.http, &store, now()).await.expect("the true answers still verify");
}

/// Copies the school's data directory as it is now (the service is idle between requests), as
/// a backup would.
fn copy_of_data(from: &std::path::Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("data dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).expect("copied");
    }
    copy
}

/// Replaces the device's kept value at `pointer` (a JSON pointer into the saved state) by
/// `edit` of it, as a damaged browser profile would.
fn damage(store: &MemoryStore, pointer: &str, edit: impl FnOnce(&str) -> String) {
    let slot = store.0.borrow().keys().find(|k| !k.ends_with("/last")).cloned().expect("a slot");
    let mut device: serde_json::Value = serde_json::from_str(&store.load(&slot).expect("saved")).expect("json");
    let value = device.pointer_mut(pointer).expect("the damaged field");
    *value = serde_json::Value::String(edit(value.as_str().expect("text")));
    store.save(&slot, &device.to_string()).expect("saved");
}

/// One character changed in the middle of a signed object.
fn one_character_changed(signed: &str) -> String {
    let at = signed.find("\"sig\":\"").expect("a signature") + 10;
    let mut bytes = signed.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).expect("still text")
}

#[tokio::test(flavor = "current_thread")]
async fn every_family_witnesses_that_the_log_only_grows() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;

    // The school signed, for this device, a larger log than the one it now serves: a copy of
    // its archive that grew by one entry stands for the record it later lost.
    let copy = copy_of_data(fixture._dir.path());
    let mut other = Archive::open(copy.path()).expect("the copy opens");
    let root = keys::read_secret(&copy.path().join(keys::ROOT_KEY)).expect("root key");
    let until = Timestamp::from_unix(now().unix() + 86_400 * 365).expect("in range");
    other.delegate(&root, until, now()).expect("the copy grows");
    let larger = other.latest_checkpoint().expect("read").expect("a checkpoint");
    let slot = store.0.borrow().keys().find(|k| !k.ends_with("/last")).cloned().expect("a slot");
    let mut device: serde_json::Value = serde_json::from_str(&store.load(&slot).expect("saved")).expect("json");
    device["seen"] = serde_json::Value::String(String::from_utf8(larger).expect("json"));
    store.save(&slot, &device.to_string()).expect("saved");

    let mut family = fixture.reopen_expecting(&store).await;
    let problem = family.refresh(&fixture.http, &store, now()).await.expect_err("the log shrank");
    assert!(matches!(problem, Problem::LogInconsistent(ref why) if why.contains("fewer")), "{problem}");
    assert!(!family.take_repaired(), "the school's signed tree head is not damaged data");

    // The school's log grows again to that size, with other entries: a fork.
    let mut neighbour = fixture.open("s-15-g1", &MemoryStore::default()).await;
    sign_and_send(&fixture, &mut neighbour, &MemoryStore::default(), &["meals"]).await;
    let problem = family.refresh(&fixture.http, &store, now()).await.expect_err("forked");
    assert!(matches!(problem, Problem::LogInconsistent(_)), "{problem}");
    // Withdrawing still works, and the inconsistency is still said.
    family
        .decide(BTreeMap::from([(purpose("photos-published"), Decision::Withdraw)]), Lang::En, now(), &store)
        .expect("recorded");
    let sent = family.flush(&fixture.http, &store, now()).await;
    assert!(matches!(sent, Err(Problem::LogInconsistent(_))), "{sent:?}");
    assert!(family.device().outbox.is_empty(), "the withdrawal was acknowledged");
    assert!(family.device().kept.iter().any(|k| k.object.contains("withdraw")));
}

#[tokio::test(flavor = "current_thread")]
async fn damaged_local_data_is_the_devices_own_and_comes_back_from_the_school() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    let kept = family.device().kept.clone();
    assert_eq!(kept.len(), 1);

    for pointer in ["/kept/0/object", "/kept/0/acknowledgement", "/seen", "/certificate"] {
        damage(&store, pointer, one_character_changed);
        let mut family = fixture.reopen_expecting(&store).await;
        assert!(family.take_repaired(), "{pointer}: the damage is found and said");
        family.refresh(&fixture.http, &store, now()).await.unwrap_or_else(|p| panic!("{pointer}: {p}"));
        assert_eq!(family.device().kept, kept, "{pointer}: the receipt is kept again, from the school's record");
        assert!(family.device().seen.is_some() && family.certificate().is_some(), "{pointer}");
        assert!(matches!(status_of(&family, "photos-published"), (Status::InEffect { .. }, Control::Withdraw)));
    }

    // The key itself cannot come back from the school: that is said, and nothing is replaced.
    damage(&store, "/secret", |secret| secret[..10].to_owned());
    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let damaged = Family::open(school, Fragment::Absent, &store, now()).expect_err("no key");
    assert!(matches!(damaged, Problem::DeviceDamaged(_)), "{damaged}");
    assert_eq!(damaged.text_key(), shared::texts::Key::ErrorDeviceDamaged);
}

#[tokio::test(flavor = "current_thread")]
async fn a_damaged_or_foreign_link_opens_no_ones_form() {
    let fixture = school().await;
    let store = MemoryStore::default();
    fixture.open("s-10-g1", &store).await;
    let school = || School::load(&fixture.http, fixture.key);

    let cut =
        Family::open(school().await.expect("form"), widget::link::read_fragment("#invitation=eyJib2R5"), &store, now());
    assert_eq!(cut.expect_err("damaged"), Problem::LinkDamaged, "never the person opened before");

    let mut edited = fixture.invitations["s-15-s"].bytes().to_vec();
    let name = edited.windows(5).position(|w| w == b"Mihai").expect("the display name");
    edited[name] = b'N';
    let edited = Family::open(school().await.expect("form"), Fragment::Object(edited), &store, now());
    let problem = edited.expect_err("not the school's");
    assert!(matches!(problem, Problem::LinkNotValid(_)), "{problem}");
    assert_eq!(problem.text_key(), shared::texts::Key::ErrorLinkNotValid, "not the form's signature");

    let stranger = consent_tests::fixtures::key("another school");
    let mut foreign = fixture.invitations["s-15-s"].body().clone();
    foreign.school = PublicKey::of(&stranger);
    let foreign = sign(foreign, &stranger).expect("signed").bytes().to_vec();
    let foreign = Family::open(school().await.expect("form"), Fragment::Object(foreign), &store, now());
    assert!(matches!(foreign, Err(Problem::LinkNotValid(_))), "{foreign:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_used_link_on_a_second_device_says_so_before_any_decision_and_stops_retrying() {
    let fixture = school().await;
    let first = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &first).await;
    sign_and_send(&fixture, &mut family, &first, &["photos-published"]).await;

    // The second device decided while offline, before it could ask about the link.
    let second = MemoryStore::default();
    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let invitation = Fragment::Object(fixture.invitations["s-10-g1"].bytes().to_vec());
    let mut other = Family::open(school, invitation, &second, now()).expect("opens");
    assert_eq!(other.access(), &Access::Unchecked, "no decision is offered before the link is asked about");
    other.decide(BTreeMap::from([(purpose("meals"), Decision::Grant)]), Lang::En, now(), &second).expect("recorded");

    let watched = Watched::new(&fixture.http);
    let refused = other.flush(&watched, &second, now()).await.expect_err("the link was used");
    assert_eq!(refused, Problem::InvitationUsed);
    assert_eq!(refused.text_key(), shared::texts::Key::ErrorInvitationUsed);
    assert_eq!(other.access(), &Access::Closed(Problem::InvitationUsed));
    assert!(!other.access().may_decide());
    assert!(other.device().outbox.is_empty(), "nothing waits to be retried");
    let set_aside = other.device().set_aside.clone().expect("the decision is kept to offer again");
    assert_eq!(set_aside.reason, SetAsideReason::LinkClosed);

    // Nothing is retried, now or after a reload.
    let asked = watched.requests.get();
    assert_eq!(other.flush(&watched, &second, now()).await, Ok(0));
    let mut reloaded = fixture.reopen_expecting(&second).await;
    assert_eq!(reloaded.flush(&watched, &second, now()).await, Ok(0));
    assert_eq!(watched.requests.get(), asked, "no request after the refusal");

    // Opened afresh, the device is told at once, before any decision.
    let third = MemoryStore::default();
    let fresh = fixture.open("s-10-g1", &third).await;
    assert_eq!(fresh.access(), &Access::Closed(Problem::InvitationUsed));
    assert!(fresh.key().is_none(), "no key was made for a used link");

    // With the first device's backup the second one continues, and can give its decision again.
    let backup = family.device().to_backup();
    reloaded.import_backup(&backup, &second).expect("imports");
    assert_eq!(reloaded.access(), &Access::Enrolled);
}

#[tokio::test(flavor = "current_thread")]
async fn two_tabs_or_a_stale_device_never_lock_a_person_out_of_withdrawing() {
    let fixture = school().await;
    let store = MemoryStore::default();
    // Two tabs of one browser: one storage, two sessions in memory.
    let mut first = fixture.open("s-10-g1", &store).await;
    let mut second = fixture.open("s-10-g1", &store).await;

    sign_and_send(&fixture, &mut first, &store, &["photos-published"]).await;
    // The second tab still shows the old state and the person answers there.
    let rows = view::purpose_rows(&second, now());
    let answers = answered(&[("trips-abroad", Decision::Grant)]);
    second.decide(view::decisions_to_send(&rows, &answers), Lang::En, now(), &store).expect("recorded");
    assert_eq!(second.flush(&fixture.http, &store, now()).await, Ok(0), "nothing signed over what it did not see");
    let set_aside = second.device().set_aside.clone().expect("offered again");
    assert_eq!(set_aside.reason, SetAsideReason::ChangedElsewhere);
    second.refresh(&fixture.http, &store, now()).await.expect("the current state");
    assert!(matches!(status_of(&second, "photos-published"), (Status::InEffect { .. }, Control::Withdraw)));
    let rows = view::purpose_rows(&second, now());
    let again = view::set_aside_decisions(&rows, &second);
    assert_eq!(again, answers);
    second.decide_again(again, Lang::En, now(), &store).expect("recorded");
    assert!(second.device().set_aside.is_none(), "given again, no longer set aside");
    assert_eq!(second.flush(&fixture.http, &store, now()).await, Ok(1));

    // A device restored from a backup signs while a receipt of this one, signed on the old head,
    // was lost on the way: the service refuses that one as a replay, and nothing saved keeps
    // pointing at it.
    let restored_store = MemoryStore::default();
    let mut restored = fixture.open("s-10-g1", &restored_store).await;
    restored.import_backup(&first.device().to_backup(), &restored_store).expect("imports");
    restored.refresh(&fixture.http, &restored_store, now()).await.expect("refresh");
    first.reload(&store).expect("the other tab's receipt");
    first.refresh(&fixture.http, &store, now()).await.expect("refresh");

    let flaky = Watched::new(&fixture.http);
    flaky.lose_posts.set(1);
    first.decide(BTreeMap::from([(purpose("meals"), Decision::Grant)]), Lang::En, now(), &store).expect("recorded");
    assert!(first.flush(&flaky, &store, now()).await.expect_err("lost").is_temporary());
    let withdraw = BTreeMap::from([(purpose("photos-published"), Decision::Withdraw)]);
    restored.decide(withdraw, Lang::En, now(), &restored_store).expect("recorded");
    assert_eq!(restored.flush(&fixture.http, &restored_store, now()).await, Ok(1));

    assert_eq!(first.flush(&fixture.http, &store, now()).await, Ok(0), "the replay is set aside, not an error");
    first.refresh(&fixture.http, &store, now()).await.expect("refresh");
    assert!(first.device().outbox.is_empty());
    assert_eq!(first.device().set_aside.as_ref().map(|s| &s.reason), Some(&SetAsideReason::ChangedElsewhere));
    assert!(matches!(status_of(&first, "photos-published").0, Status::Withdrawn { .. }), "the current state");
    let rows = view::purpose_rows(&first, now());
    let again = view::set_aside_decisions(&rows, &first);
    assert_eq!(again, answered(&[("meals", Decision::Grant)]), "the person's intent, offered again");
    first.decide_again(again, Lang::En, now(), &store).expect("recorded");
    assert_eq!(first.flush(&fixture.http, &store, now()).await, Ok(1), "signed on the current head");

    // And withdrawing still works, from either device, after a reload.
    let mut reloaded = fixture.reopen(&store).await;
    let withdraw = BTreeMap::from([(purpose("meals"), Decision::Withdraw)]);
    reloaded.decide(withdraw, Lang::En, now(), &store).expect("recorded");
    assert_eq!(reloaded.flush(&fixture.http, &store, now()).await, Ok(1));
    reloaded.refresh(&fixture.http, &store, now()).await.expect("refresh");
    assert!(matches!(status_of(&reloaded, "meals").0, Status::Withdrawn { .. }));
    assert_eq!(reloaded.chain_head(), reloaded.history().receipts.last().map(|(r, _)| r.hash()));
}

#[tokio::test(flavor = "current_thread")]
async fn a_second_guardian_answering_one_purpose_never_ends_what_the_first_granted() {
    for (first, second) in [("s-10-g1", "s-10-g2"), ("s-10-g2", "s-10-g1")] {
        let fixture = school().await;
        let (first_store, second_store) = (MemoryStore::default(), MemoryStore::default());
        let mut granting = fixture.open(first, &first_store).await;
        sign_and_send(&fixture, &mut granting, &first_store, &["photos-published", "meals"]).await;

        // The other guardian sees those decisions before deciding anything.
        let mut other = fixture.open(second, &second_store).await;
        assert!(other.certificate().is_none());
        let row = view::purpose_rows(&other, now()).into_iter().find(|r| r.purpose.id == purpose("meals"));
        let row = row.expect("row");
        assert!(matches!(row.status, Status::InEffect { .. }), "{first} then {second}: {:?}", row.status);
        assert_eq!(
            row.others.iter().map(|o| (o.role, o.decision)).collect::<Vec<_>>(),
            [(Role::Guardian, Decision::Grant)]
        );

        // They answer one other purpose only: only that one is signed.
        answer_and_send(&fixture, &mut other, &second_store, &[("trips-abroad", Decision::Refuse)]).await;
        let (_, ack) = other.history().receipts.last().expect("a receipt");
        let (receipt, _) = other.history().receipts.iter().find(|(_, a)| a == ack).expect("it");
        assert_eq!(receipt.body().decisions.keys().map(|p| p.as_str()).collect::<Vec<_>>(), ["trips-abroad"]);
        for granted in ["photos-published", "meals"] {
            assert!(
                matches!(status_of(&other, granted).0, Status::InEffect { .. }),
                "{first} then {second}: {granted}"
            );
        }
        assert_eq!(status_of(&other, "trips-abroad").0, Status::Refused { by: Role::Guardian });
        assert_eq!(status_of(&other, "transport").0, Status::NotAnswered, "silence stays silence");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_school_restored_from_an_older_copy_gets_the_familys_receipts_back_as_they_were_acknowledged() {
    // A school of its own, whose service can be stopped.
    let fixture = school().await;
    let data = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(fixture._dir.path()).expect("data") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), data.path().join(entry.file_name())).expect("copied");
    }
    let (http, service) = Service::start(data.path()).await;
    let school = || School::load(&http, fixture.key);
    let store = MemoryStore::default();
    let invitation = Fragment::Object(fixture.invitations["s-10-g1"].bytes().to_vec());
    let mut family = Family::open(school().await.expect("form"), invitation, &store, now()).expect("opens");
    family.refresh(&http, &store, now()).await.expect("refresh");
    let rows = view::purpose_rows(&family, now());
    family
        .decide(
            view::decisions_to_send(&rows, &answered(&[("photos-published", Decision::Grant)])),
            Lang::En,
            now(),
            &store,
        )
        .expect("recorded");
    family.flush(&http, &store, now()).await.expect("granted");
    service.stop().await;
    let backup = std::fs::read(data.path().join(verifier::archive::DATABASE)).expect("backup");

    // The family withdraws; then the school's disk fails and last night's copy is put back.
    let (http, service) = Service::start(data.path()).await;
    family
        .decide(BTreeMap::from([(purpose("photos-published"), Decision::Withdraw)]), Lang::En, now(), &store)
        .expect("recorded");
    assert_eq!(family.flush(&http, &store, now()).await, Ok(1));
    let withdrawal = family.device().kept.last().cloned().expect("kept");
    service.stop().await;
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data.path().join(format!("{}{stale}", verifier::archive::DATABASE)));
    }
    std::fs::write(data.path().join(verifier::archive::DATABASE), backup).expect("restored");

    // Until the operator recovers, the service answers nothing, and the family is told to wait.
    let (http, service) = Service::start(data.path()).await;
    let problem = family.refresh(&http, &store, now()).await.expect_err("the archive is behind its ledger");
    assert!(problem.is_temporary(), "{problem}");
    service.stop().await;
    let report = Archive::open(data.path()).expect("opens").recover(&[]).expect("recovers");
    assert_eq!((report.rebuilt, report.missing.len()), (1, 1), "the withdrawal is rebuilt, its object to come");

    // The family's next visit gives the withdrawal back, with the acknowledgement it holds.
    let (http, _service) = Service::start(data.path()).await;
    family.refresh(&http, &store, now()).await.expect("given back");
    assert_eq!(family.device().kept.last(), Some(&withdrawal));
    let mut archive = Archive::open(data.path()).expect("opens");
    assert!(archive.recover(&[]).expect("nothing left").missing.is_empty(), "the archive is whole again");
    let student = shared::ids::StudentId::try_from("s-10").expect("id");
    archive.export(&student).expect("the record is whole");
    let audit = archive.audit_purpose("photos-published", now(), None).expect("audit");
    let row = audit.rows.iter().find(|r| r.student.student == student).expect("row");
    assert!(matches!(row.state.status, Status::Withdrawn { .. }), "{:?}", row.state.status);
}

#[tokio::test(flavor = "current_thread")]
async fn a_parent_of_two_children_sees_each_childs_name_and_class_on_their_form() {
    let fixture = school().await;
    // Maria's two links, one per child: each form says which child it is about.
    let ana = fixture.open("s-10-g1", &MemoryStore::default()).await;
    let radu = fixture.open("s-12-g1", &MemoryStore::default()).await;
    assert_eq!(ana.invitation().display_name, radu.invitation().display_name, "one parent");
    let born = |years| words::day(Lang::En, born_years_ago(years));
    assert_eq!(words::student_line(&ana, Lang::En), format!("Student: Ana, class 5A, born {}", born(10)));
    assert_eq!(words::student_line(&radu, Lang::En), format!("Student: Radu, class 6B, born {}", born(12)));
    for lang in Lang::ALL {
        for (family, name, class) in [(&ana, "Ana", "5A"), (&radu, "Radu", "6B")] {
            let line = words::student_line(family, lang);
            assert!(line.contains(name) && line.contains(class), "{lang:?}: {line}");
        }
    }
    // A student's own invitation names them, in the same line.
    let mihai = fixture.open("s-15-s", &MemoryStore::default()).await;
    let born = words::day(Lang::Pl, born_years_ago(15));
    assert_eq!(words::student_line(&mihai, Lang::Pl), format!("Dotyczy ucznia: Mihai, klasa 8B, ur. {born}"));
}

#[tokio::test(flavor = "current_thread")]
async fn the_main_flow_says_dates_in_words_and_no_protocol_terms() {
    let fixture = school().await;
    let (guardian_store, student_store) = (MemoryStore::default(), MemoryStore::default());
    let mut guardian = fixture.open("s-15-g1", &guardian_store).await;
    sign_and_send(&fixture, &mut guardian, &guardian_store, &["recordings-events"]).await;
    let mut student = fixture.open("s-15-s", &student_store).await;
    sign_and_send(&fixture, &mut student, &student_store, &["recordings-events"]).await;
    let logged =
        student.history().receipts.iter().map(|(_, ack)| ack.body().server_time.to_string()).collect::<Vec<_>>();
    assert_eq!(logged.len(), 2);
    for lang in Lang::ALL {
        let row =
            view::purpose_rows(&student, now()).into_iter().find(|r| r.purpose.id == purpose("recordings-events"));
        let row = row.expect("row");
        let mut said = vec![words::status_line(lang, &student, &row)];
        said.extend(words::decision_lines(lang, &row));
        said.push(words::last_acknowledgement(&student, lang).expect("the school confirmed the student's receipt"));
        for sentence in &said {
            for instant in &logged {
                assert!(!sentence.contains(instant.as_str()), "{lang:?}: a raw instant in {sentence:?}");
            }
            let lower = sentence.to_lowercase();
            for term in ["checkpoint", "certificate", "hash", "certyfikat", "certificat", "#"] {
                assert!(!lower.contains(term), "{lang:?}: {term:?} in {sentence:?}");
            }
        }
        // The instant is there, written for the reader instead.
        let mine = row.mine.and_then(|(_, logged)| logged).expect("the student's decision was logged");
        assert!(said.iter().any(|s| s.contains(&words::instant(lang, mine))), "{said:?}");
    }
}

/// A school service behind a proxy that answers every request with one status.
struct Answering(u16);

impl Transport for Answering {
    async fn get(&self, _: &str, _: Option<&str>) -> Result<Reply, Problem> {
        Ok(Reply { status: self.0, body: b"Bad Gateway".to_vec() })
    }

    async fn post(&self, _: &str, _: Vec<u8>) -> Result<Reply, Problem> {
        Ok(Reply { status: self.0, body: b"Bad Gateway".to_vec() })
    }
}

/// Answers "yes" to trips abroad and tries to send it to a school service nobody listens for.
async fn grant_trips_while_the_service_is_down(family: &mut Family, store: &MemoryStore) -> Result<usize, Problem> {
    let rows = view::purpose_rows(family, now());
    let decisions = view::decisions_to_send(&rows, &answered(&[("trips-abroad", Decision::Grant)]));
    family.decide(decisions, Lang::En, now(), store).expect("recorded");
    let down = Http { base: "http://127.0.0.1:9".into(), client: reqwest::Client::new() };
    family.flush(&down, store, now()).await
}

#[tokio::test(flavor = "current_thread")]
async fn a_school_service_down_is_not_called_a_lost_internet_connection() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    // The device is online; the school's service is not listening, or its proxy answers 502.
    let down = grant_trips_while_the_service_is_down(&mut family, &store).await;
    for failed in [down, family.flush(&Answering(502), &store, now()).await] {
        let failed = failed.expect_err("not sent");
        assert_eq!(failed.text_key(), Key::ErrorService, "{failed}");
        assert!(failed.is_temporary(), "{failed}");
    }
    assert_eq!(family.device().outbox.len(), 1, "kept, to be sent when the service answers");
    assert_eq!(family.flush(&fixture.http, &store, now()).await, Ok(1));
}

#[tokio::test(flavor = "current_thread")]
async fn a_queued_grant_says_what_was_chosen_and_offers_no_withdrawal() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    grant_trips_while_the_service_is_down(&mut family, &store).await.expect_err("not sent");

    // Not in effect yet, so nothing to withdraw; the row says what was chosen, and that it waits.
    let row = |family: &Family| {
        view::purpose_rows(family, now()).into_iter().find(|r| r.purpose.id == purpose("trips-abroad")).expect("row")
    };
    let queued = row(&family);
    assert_eq!(queued.control, Control::Queued);
    assert_eq!(words::status_line(Lang::En, &family, &queued), "Yes, I agree · Not sent yet — will retry");
    assert_eq!(words::decision_lines(Lang::En, &queued), ["You: Yes, I agree (Not sent yet — will retry)"]);

    // Once the school has it, it is in effect and one button withdraws it.
    assert_eq!(family.flush(&fixture.http, &store, now()).await, Ok(1));
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");
    let sent = row(&family);
    assert_eq!(sent.control, Control::Withdraw);
    assert!(words::status_line(Lang::En, &family, &sent).starts_with("In effect · Given on "));
}

#[tokio::test(flavor = "current_thread")]
async fn the_guardian_of_an_adult_student_reads_what_the_student_decided() {
    let fixture = school().await;
    let student_store = MemoryStore::default();
    let mut student = fixture.open("s-19-s", &student_store).await;
    sign_and_send(&fixture, &mut student, &student_store, &["photos-published"]).await;

    // Before the school's record is read, only that the decision is the student's is known.
    let store = MemoryStore::default();
    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let invitation = Fragment::Object(fixture.invitations["s-19-g1"].bytes().to_vec());
    let mut guardian = Family::open(school, invitation, &store, now()).expect("opens");
    let line = |family: &Family, id: &str| {
        let row = view::purpose_rows(family, now()).into_iter().find(|r| r.purpose.id == purpose(id)).expect("row");
        assert_eq!(row.control, Control::NotTheirs);
        words::status_line(Lang::En, family, &row)
    };
    let passed = text(Lang::En, Key::CosignPassedToStudent);
    assert_eq!(line(&guardian, "photos-published"), passed);
    assert_eq!(words::no_history(&guardian, Lang::En), text(Lang::En, Key::HistoryUnread));

    // Read with the invitation: what the student decided, as theirs; never "not given".
    guardian.refresh(&fixture.http, &store, now()).await.expect("refresh");
    let photos = line(&guardian, "photos-published");
    assert!(photos.starts_with(passed) && photos.contains(text(Lang::En, Key::CosignInEffect)), "{photos}");
    let transport = line(&guardian, "transport");
    assert_eq!(transport, format!("{passed} · {}", text(Lang::En, Key::StudentNotDecided)));
    let groups = view::history_groups(&guardian);
    let signed: Vec<_> = groups.iter().map(|g| (g.role, g.decisions.clone())).collect();
    assert_eq!(signed, [(Role::Student, vec![(purpose("photos-published"), Decision::Grant)])]);
}

#[tokio::test(flavor = "current_thread")]
async fn history_shows_one_group_per_signature_with_purposes_in_the_forms_order() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    let form: Vec<PurposeId> = family.school().form().body().purposes.iter().map(|p| p.id.clone()).collect();
    // Answered in an order that is neither the form's nor the ids'.
    let mut answered_ids: Vec<&str> = form.iter().map(PurposeId::as_str).collect();
    answered_ids.reverse();
    sign_and_send(&fixture, &mut family, &store, &answered_ids).await;
    let rows = view::purpose_rows(&family, now());
    let withdraw = BTreeMap::from([(form[0].clone(), Decision::Withdraw)]);
    family
        .decide(
            view::decisions_to_send(&rows, &BTreeMap::new()).into_iter().chain(withdraw).collect(),
            Lang::En,
            now(),
            &store,
        )
        .expect("recorded");
    family.flush(&fixture.http, &store, now()).await.expect("sent");
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");

    let groups = view::history_groups(&family);
    assert_eq!(groups.len(), 2, "one group per receipt: {groups:#?}");
    assert_eq!(groups[0].decisions, [(form[0].clone(), Decision::Withdraw)], "newest first");
    let granted: Vec<PurposeId> = groups[1].decisions.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(granted, form, "in the form's order");
    assert!(groups.iter().all(|g| g.by_me && g.role == Role::Guardian));
    let heading = words::signed_by(Lang::En, &groups[1]);
    assert!(heading.starts_with("Signed by You on "), "{heading}");
    assert_eq!(words::confirmed(Lang::En, &groups[0]).matches("(#").count(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_paper_slip_shows_as_on_paper_and_a_withdrawal_on_the_device_overrides_it() {
    use shared::objects::{PaperRecord, PaperSigner, StaffEnrolmentRequest, StaffRole};
    let fixture = school().await;
    // The DPO records the guardian's paper slip (as the console does, through the archive).
    let dir = fixture._dir.path();
    let mut archive = Archive::open(dir).expect("archive");
    let root = keys::read_secret(&dir.join(keys::ROOT_KEY)).expect("root key");
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let person = "staff-dpo".try_into().expect("id");
    let invitation = archive
        .invite_staff(&root, person, "Dana", StaffRole::Dpo, Vec::new(), expires, now(), &mut OsRng)
        .expect("invited");
    let staff_key = consent_tests::fixtures::key("paper/dpo");
    let request = StaffEnrolmentRequest {
        school: fixture.key,
        invitation: invitation.hash(),
        key: PublicKey::of(&staff_key),
        client_time: now(),
    };
    let request = sign(request, &staff_key).expect("signs");
    let certificate = archive.enrol_staff(invitation.bytes(), request.bytes(), now()).expect("enrolled");
    let guardian = fixture.invitations["s-10-g1"].body();
    let slip = PaperRecord {
        school: fixture.key,
        certificate: certificate.hash(),
        student: guardian.student.clone(),
        student_birth_date: guardian.student_birth_date,
        form: archive.current_form().expect("read").expect("a form").hash(),
        signers: vec![PaperSigner { person: guardian.person.clone(), role: Role::Guardian }],
        decisions: BTreeMap::from([(purpose("photos-published"), Decision::Grant)]),
        signed_on: now().date(),
        scan: shared::primitives::Digest::of(b"the scanned slip"),
        client_time: now(),
    };
    archive.record_paper(sign(slip, &staff_key).expect("signs").bytes(), now()).expect("recorded");
    drop(archive);

    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    let row = view::purpose_rows(&family, now()).into_iter().find(|r| r.purpose.id == purpose("photos-published"));
    let row = row.expect("row");
    assert!(matches!(row.status, Status::InEffect { .. }) && row.on_paper, "{:?}", row.status);
    assert_eq!(row.control, Control::Withdraw, "what the family gave on paper, it can withdraw here");
    let groups = view::history_groups(&family);
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].paper, groups[0].by_me), (Some(StaffRole::Dpo), true));
    let heading = widget::words::signed_by(Lang::En, &groups[0]);
    assert!(heading.starts_with("On paper") && heading.contains("data protection officer"), "{heading}");

    family
        .decide(BTreeMap::from([(purpose("photos-published"), Decision::Withdraw)]), Lang::En, now(), &store)
        .expect("recorded");
    assert_eq!(family.flush(&fixture.http, &store, now()).await.expect("acknowledged"), 1);
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");
    let row = view::purpose_rows(&family, now()).into_iter().find(|r| r.purpose.id == purpose("photos-published"));
    let row = row.expect("row");
    assert!(matches!(row.status, Status::Refused { by: Role::Guardian }), "{:?}", row.status);
    assert!(!row.on_paper && row.control == Control::Choose);
    assert_eq!(view::history_groups(&family).len(), 2, "the slip stays in the history");
}

#[tokio::test(flavor = "current_thread")]
async fn a_letters_code_opens_the_form_its_link_opens_until_the_invitation_is_used() {
    let fixture = school().await;
    let code = &fixture.codes["s-10-g1"];
    let bytes = exchange_code(&fixture.http, code).await.expect("the code gives the invitation");
    assert_eq!(bytes, fixture.invitations["s-10-g1"].bytes(), "the signed bytes, which the widget verifies");
    let store = MemoryStore::default();
    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let mut family = Family::open(school, Fragment::Object(bytes), &store, now()).expect("opens as the link does");
    family.refresh(&fixture.http, &store, now()).await.expect("refresh");
    assert_eq!(family.access(), &Access::Open);
    assert_eq!(sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await, 1);

    // Used: on another device the code opens nothing, and the family reads whom to ask.
    let refused = exchange_code(&fixture.http, code).await;
    assert!(matches!(refused, Err(Problem::CodeRefused(_))), "{refused:?}");
    assert_eq!(refused.err().map(|p| p.text_key()), Some(Key::ErrorCodeRefused));
    assert!(text(Lang::En, Key::ErrorCodeRefused).contains("school office for a new letter"));
    let unknown = exchange_code(&fixture.http, "0000-0000-0000-0000-0000").await;
    assert!(matches!(unknown, Err(Problem::CodeRefused(_))), "{unknown:?}");
    // The other guardian's letter still opens their form.
    assert!(exchange_code(&fixture.http, &fixture.codes["s-10-g2"]).await.is_ok());
}
