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
use shared::{sign, Lang, Signed, Timestamp};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use verifier::archive::{Archive, Roster};
use verifier::keys;
use verifier::service::{self, Config};
use widget::family::{Family, School};
use widget::problem::Problem;
use widget::store::Store;
use widget::transport::{Reply, Transport};
use widget::view::{self, Control};

/// `localStorage` as a map; cloning it is a second browser profile.
#[derive(Default, Clone)]
struct MemoryStore(RefCell<HashMap<String, String>>);

impl Store for MemoryStore {
    fn load(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key).cloned()
    }

    fn save(&self, key: &str, value: &str) -> Result<(), Problem> {
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

async fn reply(response: reqwest::Result<reqwest::Response>) -> Result<Reply, Problem> {
    let response = response.map_err(|e| Problem::Offline(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| Problem::Offline(e.to_string()))?.to_vec();
    Ok(Reply { status, body })
}

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

fn born_years_ago(years: i32) -> NaiveDate {
    let today = now().date();
    NaiveDate::from_ymd_opt(today.year() - years, 1, 1).expect("a date")
}

/// A school with a published form and three families: a child of 10 (guardian alone), a student
/// of 15 (guardian and student co-sign) and one of 19 (the student alone).
struct SchoolFixture {
    http: Http,
    key: PublicKey,
    token: String,
    invitations: HashMap<String, Signed<Invitation>>,
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
         s-10,Ana,5A,{},,Maria,m@example.org,,\n\
         s-15,Mihai,8B,{},mihai@example.org,Ioana,i@example.org,,\n\
         s-19,Elena,12C,{},elena@example.org,Dan,d@example.org,,\n",
        born_years_ago(10),
        born_years_ago(15),
        born_years_ago(19)
    );
    let expires = Timestamp::from_unix(now().unix() + 86_400).expect("in range");
    let invited =
        archive.invite(&Roster::parse(&roster).expect("roster"), &root, expires, now(), &mut OsRng).expect("invite");
    drop(archive);
    let invitations =
        invited.iter().map(|i| (i.invitation.body().person.to_string(), i.invitation.signed().clone())).collect();
    let config = Config::new(dir.path().to_path_buf());
    let (state, _writer) = service::AppState::open(&config).expect("service state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = service::app(state, &config);
    tokio::spawn(service::serve(listener, app, config.header_read_timeout, std::future::pending()));
    let token = std::fs::read_to_string(dir.path().join(keys::ADMIN_TOKEN)).expect("token").trim().to_owned();
    SchoolFixture { http: Http { base, client: reqwest::Client::new() }, key, token, invitations, _dir: dir }
}

impl SchoolFixture {
    /// Opens `person`'s invitation link in a browser profile `store`.
    async fn open(&self, person: &str, store: &MemoryStore) -> Family {
        let school = School::load(&self.http, self.key).await.expect("the form verifies under the school key");
        let invitation = self.invitations[person].bytes();
        let mut family = Family::open(school, Some(invitation), store, now()).expect("invitation opens");
        family.refresh(&self.http, store, now()).await.expect("refresh");
        family
    }

    /// Reopens the page without the link, as on a later visit.
    async fn reopen(&self, store: &MemoryStore) -> Family {
        let school = School::load(&self.http, self.key).await.expect("form");
        let mut family = Family::open(school, None, store, now()).expect("reopens from the device");
        family.refresh(&self.http, store, now()).await.expect("refresh");
        family
    }
}

fn purpose(id: &str) -> PurposeId {
    PurposeId::try_from(id).expect("purpose id")
}

/// Ticks `ticked`, presses "Sign and send", and sends.
async fn sign_and_send(fixture: &SchoolFixture, family: &mut Family, store: &MemoryStore, ticked: &[&str]) -> usize {
    let rows = view::purpose_rows(family, now());
    let ticked: Vec<PurposeId> = ticked.iter().map(|p| purpose(p)).collect();
    family.decide(view::decisions_to_send(&rows, &ticked), Lang::Pl, now(), store).expect("recorded");
    let sent = family.flush(&fixture.http, store, now()).await.expect("sent and acknowledged");
    family.refresh(&fixture.http, store, now()).await.expect("refresh");
    sent
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

    // Rule 1: nothing is given before the family acts; every purpose is a checkbox.
    let rows = view::purpose_rows(&family, now());
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.status == Status::NotAnswered && r.control == Control::Tick && r.mine.is_none()));
    assert!(family.key().is_none(), "no key exists before the person signs");

    let sent = sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;
    assert_eq!(sent, 1);
    assert!(matches!(status_of(&family, "photos-published"), (Status::InEffect { .. }, Control::Withdraw)));
    // Rule 2: one decision per purpose — the unticked ones are recorded as refused, not granted.
    assert!(matches!(status_of(&family, "transport"), (Status::Refused { by: Role::Guardian }, Control::Tick)));
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
        (Status::Waiting { for_roles: vec![Role::Student] }, Control::Tick)
    );
    sign_and_send(&fixture, &mut student, &student_store, &["recordings-events"]).await;
    assert!(matches!(status_of(&student, "recordings-events").0, Status::InEffect { .. }));
    guardian.refresh(&fixture.http, &guardian_store, now()).await.expect("refresh");
    assert!(matches!(status_of(&guardian, "recordings-events").0, Status::InEffect { .. }));

    // 18+: the decision passed to the student; the guardian has no control left.
    let adult_guardian = fixture.open("s-19-g1", &MemoryStore::default()).await;
    assert_eq!(status_of(&adult_guardian, "recordings-events").1, Control::NotTheirs);
    let adult = fixture.open("s-19-s", &MemoryStore::default()).await;
    assert_eq!(status_of(&adult, "recordings-events").1, Control::Tick);
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
        (Status::Withdrawn { by: Role::Guardian, .. }, Control::Tick)
    ));

    let photos: Vec<Decision> = view::history_entries(&family)
        .into_iter()
        .filter(|e| e.purpose == purpose("photos-published"))
        .map(|e| e.decision)
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
        .decide(view::decisions_to_send(&rows, &[purpose("trips-abroad")]), Lang::Ro, now(), &store)
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
    let missing = Family::open(school, None, &MemoryStore::default(), now()).expect_err("no link, nothing kept");
    assert_eq!(missing, Problem::NoInvitation);

    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let later = Timestamp::from_unix(now().unix() + 2 * 86_400).expect("in range");
    let invitation = fixture.invitations["s-10-g1"].bytes();
    let expired = Family::open(school, Some(invitation), &MemoryStore::default(), later).expect_err("expired");
    assert_eq!(expired, Problem::InvitationExpired);
}

#[tokio::test(flavor = "current_thread")]
async fn every_family_witnesses_that_the_log_only_grows() {
    let fixture = school().await;
    let store = MemoryStore::default();
    let mut family = fixture.open("s-10-g1", &store).await;
    sign_and_send(&fixture, &mut family, &store, &["photos-published"]).await;

    // Another device's memory of the log is edited: the root it saw is not the school's.
    let slot = store.0.borrow().keys().find(|k| !k.ends_with("/last")).cloned().expect("a slot");
    let saved = store.load(&slot).expect("saved");
    let mut device: serde_json::Value = serde_json::from_str(&saved).expect("json");
    device["seen"]["root_hash"] = serde_json::Value::String("00".repeat(32));
    store.save(&slot, &device.to_string()).expect("saved");

    let school = School::load(&fixture.http, fixture.key).await.expect("form");
    let mut family = Family::open(school, None, &store, now()).expect("opens");
    let problem = family.refresh(&fixture.http, &store, now()).await.expect_err("inconsistent");
    assert!(matches!(problem, Problem::LogInconsistent(_)), "{problem}");
}
