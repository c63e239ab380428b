//! The flows of one person on one device: open an invitation, decide, withdraw, make a rights
//! request, send what is queued, read the student's history, and witness that the school's log
//! only grows. Every object from the service is verified through [`shared::trust`] — the same
//! code the verifier and an auditor run — before the widget shows it.
//!
//! Nothing here touches the DOM, the network or the clock directly: the transport, the store and
//! `now` are passed in, so the native tests drive these flows against the real service. (Signing
//! a receipt is timed through [`crate::timing`], which only records, and only in the browser.)

use crate::device::{Device, Kept, SeenTree, Slot};
use crate::link::base64url;
use crate::outbox::Outgoing;
use crate::problem::Problem;
use crate::store::Store;
use crate::timing;
use crate::transport::Transport;
use serde::Deserialize;
use serde_json::Value;
use shared::ids::PurposeId;
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, HistoryRequest,
    Invitation, RequestDecision, Right, RightsRequest, Role,
};
use shared::policy::{required_signers, Signers};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::trust::{TrustError, TrustStore, Verified};
use shared::{sign, Lang, Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;
use std::fmt::Display;

/// The school as the widget knows it: its root key, the archive keys it delegated, and the form
/// in force — all verified against the key the page was configured with, never the one the
/// service names.
#[derive(Debug, Clone)]
pub struct School {
    trust: TrustStore,
    delegations: Vec<Vec<u8>>,
    form: Verified<ConsentForm>,
}

/// `GET /v1/form`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormResponse {
    #[allow(dead_code)] // Informative: the configured key is the one trusted.
    school_key: PublicKey,
    #[allow(dead_code)]
    fingerprint: Digest,
    form: Value,
    delegations: Vec<Value>,
}

impl School {
    /// Fetches the form and the archive delegations and verifies them under `school`.
    pub async fn load(transport: &impl Transport, school: PublicKey) -> Result<School, Problem> {
        let body = transport.get("/v1/form", None).await?.ok()?;
        let response: FormResponse = serde_json::from_slice(&body).map_err(bad_answer)?;
        let mut trust = TrustStore::new(school);
        let mut delegations = Vec::new();
        for delegation in &response.delegations {
            let bytes = canonical(delegation)?;
            trust.add_delegation(&bytes).map_err(not_the_school)?;
            delegations.push(bytes);
        }
        let form = trust.form(&canonical(&response.form)?).map_err(not_the_school)?;
        Ok(School { trust, delegations, form })
    }

    /// The form in force.
    pub fn form(&self) -> &Verified<ConsentForm> {
        &self.form
    }

    /// The archive-key delegations (canonical JSON), for the family's receipts file.
    pub fn delegations(&self) -> &[Vec<u8>] {
        &self.delegations
    }

    /// The school's root key.
    pub fn key(&self) -> &PublicKey {
        self.trust.root()
    }
}

/// What the service returned about the student, every object verified.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Certificates of everyone enrolled for the student.
    pub certificates: Vec<Verified<EnrolmentCertificate>>,
    /// Receipts, with their acknowledgements, in log order.
    pub receipts: Vec<(Signed<ConsentReceipt>, Verified<Acknowledgement>)>,
    /// Rights requests, with their acknowledgements and the school's decision once made.
    pub requests: Vec<LoggedRequest>,
}

/// A rights request, the school's acknowledgement of it, and its decision once made.
pub type LoggedRequest = (Signed<RightsRequest>, Verified<Acknowledgement>, Option<Verified<RequestDecision>>);

/// One person's session for one student.
#[derive(Debug, Clone)]
pub struct Family {
    school: School,
    invitation: Verified<Invitation>,
    certificate: Option<Verified<EnrolmentCertificate>>,
    slot: Slot,
    device: Device,
    history: History,
}

impl Family {
    /// Opens the person's session from the invitation in the link or, without one, from what
    /// this device last kept for the school.
    ///
    /// An expired invitation still opens a session this device already enrolled with it; only
    /// enrolling a new key needs an unexpired one.
    pub fn open(
        school: School,
        invitation: Option<&[u8]>,
        store: &impl Store,
        now: Timestamp,
    ) -> Result<Family, Problem> {
        let (invitation, device) = match invitation {
            Some(bytes) => {
                let (invitation, expired) = verify_invitation(&school.trust, bytes, now)?;
                let body = invitation.body();
                let slot = Slot::new(*school.key(), body.student.clone(), body.person.clone());
                let device = match Device::load(store, &slot)? {
                    Some(mut device) => {
                        // A re-sent invitation replaces one this device never enrolled with.
                        if device.certificate.is_none() {
                            device.invitation = text(invitation.bytes());
                        }
                        device
                    }
                    None if expired => return Err(Problem::InvitationExpired),
                    None => Device::new(*school.key(), invitation.bytes()),
                };
                (invitation, device)
            }
            None => {
                let device = Device::load_last(store, school.key())?.ok_or(Problem::NoInvitation)?;
                let (invitation, _) = verify_invitation(&school.trust, device.invitation.as_bytes(), now)?;
                (invitation, device)
            }
        };
        let body = invitation.body();
        let slot = Slot::new(*school.key(), body.student.clone(), body.person.clone());
        Family::assemble(school, invitation, slot, device)
    }

    /// The session of a device's saved state: its certificate and every kept receipt and
    /// acknowledgement verified again, since storage is not trusted more than the network.
    fn assemble(
        school: School,
        invitation: Verified<Invitation>,
        slot: Slot,
        device: Device,
    ) -> Result<Family, Problem> {
        let mut family = Family { school, invitation, certificate: None, slot, device, history: History::default() };
        if let Some(bytes) = &family.device.certificate {
            family.certificate = Some(family.accept_certificate(bytes.as_bytes())?);
        }
        for kept in family.device.kept.clone() {
            family.remember(kept.object.as_bytes(), kept.acknowledgement.as_bytes())?;
        }
        Ok(family)
    }

    /// The school.
    pub fn school(&self) -> &School {
        &self.school
    }

    /// The verified invitation.
    pub fn invitation(&self) -> &Invitation {
        self.invitation.body()
    }

    /// The certificate, once enrolled.
    pub fn certificate(&self) -> Option<&Verified<EnrolmentCertificate>> {
        self.certificate.as_ref()
    }

    /// What this device keeps.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The verified history, as last read (and completed with what this device sent since).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// This person's public key, once generated.
    pub fn key(&self) -> Option<PublicKey> {
        self.device.existing_key().ok().flatten().map(|key| PublicKey::of(&key))
    }

    /// Records the person's decisions on the form in force, to be signed and sent by [`Family::flush`].
    /// The key is generated now, on the device, and saved before anything else happens.
    pub fn decide(
        &mut self,
        decisions: BTreeMap<PurposeId, Decision>,
        language: Lang,
        now: Timestamp,
        store: &impl Store,
    ) -> Result<(), Problem> {
        if decisions.is_empty() {
            return Ok(());
        }
        self.device.key()?;
        let form = self.school.form.hash();
        self.device.outbox.push(Outgoing::Decisions { form, decisions, client_time: now, language });
        self.save(store)
    }

    /// Records a rights request, to be signed and sent by [`Family::flush`].
    pub fn request_right(
        &mut self,
        right: Right,
        purposes: Vec<PurposeId>,
        text: String,
        now: Timestamp,
        store: &impl Store,
    ) -> Result<(), Problem> {
        self.device.key()?;
        let nonce = Nonce::random(&mut rand_core::OsRng);
        self.device.outbox.push(Outgoing::Rights { right, purposes, text, client_time: now, nonce });
        self.save(store)
    }

    /// Replaces this device's state for the person with a backup file, if it is one for this
    /// school and this invitation's student and person. Nothing changes otherwise.
    pub fn import_backup(&mut self, json: &str, store: &impl Store) -> Result<(), Problem> {
        let device = Device::from_json(json).map_err(Problem::KeyFileInvalid)?;
        let invitation = self
            .school
            .trust
            .invitation(device.invitation.as_bytes(), self.invitation.body().expires)
            .map_err(|e| Problem::KeyFileInvalid(e.to_string()))?;
        let (mine, theirs) = (self.invitation.body(), invitation.body());
        if device.school != *self.school.key() || mine.student != theirs.student || mine.person != theirs.person {
            return Err(Problem::KeyFileInvalid("the backup is for another person or student".into()));
        }
        let restored = Family::assemble(self.school.clone(), invitation, self.slot.clone(), device)?;
        if restored.certificate.as_ref().is_some_and(|c| Some(c.body().key) != restored.key()) {
            return Err(Problem::KeyFileInvalid("the certificate is not for the backup's key".into()));
        }
        restored.save(store)?;
        *self = restored;
        Ok(())
    }

    /// Sends what is queued, in order, until the queue is empty or something fails; returns how
    /// many objects the school acknowledged. A temporary failure leaves the item queued; an
    /// object the school refuses for good leaves the queue and is reported.
    pub async fn flush(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        now: Timestamp,
    ) -> Result<usize, Problem> {
        let mut acknowledged = 0;
        while let Some(item) = self.device.outbox.front().cloned() {
            let certificate = match &self.certificate {
                Some(certificate) => certificate.clone(),
                None => {
                    self.enrol(transport, store, now).await?;
                    continue;
                }
            };
            let key = self.device.key()?;
            match item {
                Outgoing::Decisions { form, decisions, client_time, language } => {
                    let body = ConsentReceipt::by(
                        certificate.signed(),
                        form,
                        decisions,
                        client_time,
                        self.device.head,
                        language,
                    );
                    let receipt = timing::signing(|| sign(body, &key)).map_err(bad_answer)?;
                    self.device.head = Some(receipt.hash());
                    self.device.outbox.replace_front(Outgoing::Receipt { receipt: text(receipt.bytes()) });
                    self.save(store)?;
                }
                Outgoing::Rights { right, purposes, text: words, client_time, nonce } => {
                    let cert = certificate.body();
                    let body = RightsRequest {
                        school: cert.school,
                        student: cert.student.clone(),
                        certificate: certificate.hash(),
                        role: cert.role,
                        right,
                        purposes,
                        text: words,
                        client_time,
                        nonce,
                    };
                    let request = sign(body, &key).map_err(bad_answer)?;
                    self.device.outbox.replace_front(Outgoing::Request { request: text(request.bytes()) });
                    self.save(store)?;
                }
                Outgoing::Receipt { receipt } => {
                    self.send(transport, store, "/v1/receipts", &receipt).await.inspect_err(|problem| {
                        if !problem.is_temporary() {
                            // The chain continues from the receipt before the refused one.
                            self.device.head = previous_of(&receipt);
                        }
                    })?;
                    acknowledged += 1;
                }
                Outgoing::Request { request } => {
                    self.send(transport, store, "/v1/requests", &request).await?;
                    acknowledged += 1;
                }
            }
        }
        Ok(acknowledged)
    }

    /// Reads the log's latest checkpoint (checking it extends the one this device saw) and, once
    /// enrolled, the student's whole history.
    pub async fn refresh(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        now: Timestamp,
    ) -> Result<(), Problem> {
        match transport.get("/v1/checkpoint", None).await?.ok() {
            Ok(bytes) => {
                let checkpoint = self.school.trust.checkpoint(&bytes).map_err(bad_answer)?;
                let body = checkpoint.body();
                self.witness(transport, store, SeenTree { tree_size: body.tree_size, root_hash: body.root_hash })
                    .await?;
            }
            // An empty log has no checkpoint yet; anything else is a failure.
            Err(Problem::Refused { code, .. }) if code == "empty_log" => {}
            Err(problem) => return Err(problem),
        }
        if self.certificate.is_none() && self.waits_for_this_student(now) {
            self.enrol(transport, store, now).await?;
        }
        let Some(certificate) = self.certificate.clone() else { return Ok(()) };
        let key = self.device.key()?;
        let challenge: ChallengeResponse =
            serde_json::from_slice(&transport.get("/v1/challenge", None).await?.ok()?).map_err(bad_answer)?;
        let request = HistoryRequest {
            school: *self.school.key(),
            certificate: certificate.hash(),
            challenge: challenge.challenge,
            client_time: now,
        };
        let request = sign(request, &key).map_err(bad_answer)?;
        let authorization = format!("Consent {}", base64url(request.bytes()));
        let body = transport.get("/v1/history", Some(&authorization)).await?.ok()?;
        self.read_history(&body)
    }

    /// A student who co-signs enrols on their first visit, before deciding anything, because
    /// only an enrolled key may read the guardian's decisions that wait for theirs.
    fn waits_for_this_student(&self, now: Timestamp) -> bool {
        let invitation = self.invitation.body();
        let policy = &self.school.form.body().policy;
        invitation.role == Role::Student
            && required_signers(policy, invitation.student_birth_date, now.date()) == Signers::GuardianAndStudent
    }

    fn save(&self, store: &impl Store) -> Result<(), Problem> {
        self.device.save(store, &self.slot)
    }

    /// Enrols the device's key with the invitation; the same key enrolling again gets the same
    /// certificate, so a lost answer is simply asked for again.
    async fn enrol(&mut self, transport: &impl Transport, store: &impl Store, now: Timestamp) -> Result<(), Problem> {
        let key = self.device.key()?;
        let request = EnrolmentRequest {
            school: *self.school.key(),
            invitation: self.invitation.hash(),
            key: PublicKey::of(&key),
            client_time: now,
        };
        let request = sign(request, &key).map_err(bad_answer)?;
        let body = format!(r#"{{"invitation":{},"request":{}}}"#, text(self.invitation.bytes()), text(request.bytes()));
        let bytes = transport.post("/v1/enrol", body.into_bytes()).await?.ok()?;
        let certificate = self.accept_certificate(&bytes)?;
        let cert = certificate.body();
        if cert.key != PublicKey::of(&key) || cert.invitation != self.invitation.hash() {
            return Err(Problem::BadAnswer("the certificate is not for this key and invitation".into()));
        }
        self.device.certificate = Some(text(&bytes));
        self.certificate = Some(certificate);
        self.save(store)
    }

    fn accept_certificate(&self, bytes: &[u8]) -> Result<Verified<EnrolmentCertificate>, Problem> {
        self.school.trust.certificate(bytes).map_err(bad_answer)
    }

    /// Sends the front item; on its acknowledgement, keeps both and takes it off the queue.
    async fn send(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        path: &str,
        object: &str,
    ) -> Result<(), Problem> {
        let reply = transport.post(path, object.as_bytes().to_vec()).await?.ok();
        let ack_bytes = match reply {
            Ok(bytes) => bytes,
            Err(problem) if problem.is_temporary() => return Err(problem),
            Err(problem) => {
                self.device.outbox.pop_front();
                self.save(store)?;
                return Err(problem);
            }
        };
        let ack = self.remember(object.as_bytes(), &ack_bytes)?;
        self.device.kept.push(Kept { object: object.to_owned(), acknowledgement: text(&ack_bytes) });
        self.device.outbox.pop_front();
        self.save(store)?;
        let checkpoint = &ack.body().checkpoint;
        self.witness(transport, store, SeenTree { tree_size: checkpoint.tree_size, root_hash: checkpoint.root_hash })
            .await
    }

    /// Verifies an object this device sent and the school's acknowledgement of it, and adds them
    /// to the history shown.
    fn remember(&mut self, object: &[u8], ack: &[u8]) -> Result<Verified<Acknowledgement>, Problem> {
        let ack = self.acknowledgement_of(object, ack)?;
        let certificate = self.certificate.clone().ok_or_else(|| Problem::BadAnswer("not enrolled".into()))?;
        match kind_of(object).as_deref() {
            Some(ConsentReceipt::KIND) => {
                let receipt = receipt_by(object, &certificate)?;
                self.history.add_receipt(receipt, ack.clone());
            }
            Some(RightsRequest::KIND) => {
                let request = self.school.trust.request(object, &certificate).map_err(bad_answer)?;
                self.history.add_request(request.signed().clone(), ack.clone(), None);
            }
            other => return Err(Problem::BadAnswer(format!("unexpected kept object {other:?}"))),
        }
        Ok(ack)
    }

    fn acknowledgement_of(&self, object: &[u8], ack: &[u8]) -> Result<Verified<Acknowledgement>, Problem> {
        let ack = self.school.trust.acknowledgement(ack).map_err(bad_answer)?;
        if ack.body().object != Digest::of(object) {
            return Err(Problem::BadAnswer("the acknowledgement is for another object".into()));
        }
        Ok(ack)
    }

    /// Checks that the tree head `tree` and the one this device saw before are consistent (the
    /// smaller tree is a prefix of the larger), then keeps the larger.
    async fn witness(&mut self, transport: &impl Transport, store: &impl Store, tree: SeenTree) -> Result<(), Problem> {
        let Some(seen) = self.device.seen else {
            self.device.seen = Some(tree);
            return self.save(store);
        };
        let (older, newer) = if seen.tree_size <= tree.tree_size { (seen, tree) } else { (tree, seen) };
        let proof = if older.tree_size == newer.tree_size {
            Vec::new()
        } else {
            let path = format!("/v1/proof/consistency?first={}&second={}", older.tree_size, newer.tree_size);
            let proof: ConsistencyProof =
                serde_json::from_slice(&transport.get(&path, None).await?.ok()?).map_err(bad_answer)?;
            proof.proof
        };
        shared::merkle::verify_consistency(
            older.tree_size,
            newer.tree_size,
            &older.root_hash,
            &newer.root_hash,
            &proof,
        )
        .map_err(|e| Problem::LogInconsistent(e.to_string()))?;
        if tree.tree_size > seen.tree_size {
            self.device.seen = Some(tree);
            self.save(store)?;
        }
        Ok(())
    }

    /// Verifies every object of a `GET /v1/history` answer; on any failure nothing is replaced.
    fn read_history(&mut self, body: &[u8]) -> Result<(), Problem> {
        let response: HistoryResponse = serde_json::from_slice(body).map_err(bad_answer)?;
        let trust = &self.school.trust;
        let mut history = History::default();
        for item in &response.certificates {
            history.certificates.push(trust.certificate(&canonical(&item.object)?).map_err(bad_answer)?);
        }
        let mut receipts = Vec::new();
        for item in &response.receipts {
            let bytes = canonical(&item.object)?;
            let named = shared::decode::<ConsentReceipt>(&bytes).map_err(bad_answer)?.unverified_body().certificate;
            let receipt = receipt_by(&bytes, certificate_named(&history.certificates, named)?)?;
            let ack = self.acknowledgement_of(&bytes, &canonical(item.acknowledged()?)?)?;
            receipts.push((receipt, ack));
        }
        let mut requests = Vec::new();
        for RequestItem { request: item, decision } in &response.requests {
            let bytes = canonical(&item.object)?;
            let named = shared::decode::<RightsRequest>(&bytes).map_err(bad_answer)?.unverified_body().certificate;
            let certificate = certificate_named(&history.certificates, named)?;
            let request = trust.request(&bytes, certificate).map_err(bad_answer)?;
            let ack = self.acknowledgement_of(&bytes, &canonical(item.acknowledged()?)?)?;
            let decision = match decision {
                Some(decision) => {
                    let decision = trust.decision(&canonical(decision)?).map_err(bad_answer)?;
                    if decision.body().request != request.hash() {
                        return Err(Problem::BadAnswer("a decision on another request".into()));
                    }
                    Some(decision)
                }
                None => None,
            };
            requests.push((request.signed().clone(), ack, decision));
        }
        for (receipt, ack) in receipts {
            history.add_receipt(receipt, ack);
        }
        for (request, ack, decision) in requests {
            history.add_request(request, ack, decision);
        }
        // What this device sent and the school acknowledged stays shown even if the answer
        // above was read before it was logged.
        for (receipt, ack) in std::mem::take(&mut self.history.receipts) {
            history.add_receipt(receipt, ack);
        }
        for (request, ack, decision) in std::mem::take(&mut self.history.requests) {
            history.add_request(request, ack, decision);
        }
        self.history = history;
        Ok(())
    }
}

impl History {
    fn add_receipt(&mut self, receipt: Signed<ConsentReceipt>, ack: Verified<Acknowledgement>) {
        if !self.receipts.iter().any(|(r, _)| r.hash() == receipt.hash()) {
            self.receipts.push((receipt, ack));
            self.receipts.sort_by_key(|(_, ack)| ack.body().log_index);
        }
    }

    fn add_request(
        &mut self,
        request: Signed<RightsRequest>,
        ack: Verified<Acknowledgement>,
        decision: Option<Verified<RequestDecision>>,
    ) {
        match self.requests.iter_mut().find(|(r, _, _)| r.hash() == request.hash()) {
            Some(existing) if existing.2.is_none() => existing.2 = decision,
            Some(_) => {}
            None => {
                self.requests.push((request, ack, decision));
                self.requests.sort_by_key(|(_, ack, _)| ack.body().log_index);
            }
        }
    }
}

/// `GET /v1/challenge`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeResponse {
    challenge: Nonce,
    #[allow(dead_code)] // The service enforces it; the widget uses the challenge at once.
    expires: Timestamp,
}

/// `GET /v1/proof/consistency`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyProof {
    #[allow(dead_code)]
    first: u64,
    #[allow(dead_code)]
    second: u64,
    proof: Vec<Digest>,
}

/// `GET /v1/history`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryResponse {
    #[allow(dead_code)] // Each object names its student; the certificates are checked instead.
    student: String,
    certificates: Vec<HistoryItem>,
    receipts: Vec<HistoryItem>,
    requests: Vec<RequestItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryItem {
    object: Value,
    acknowledgement: Option<Value>,
    #[allow(dead_code)] // The acknowledgement's signed server time is used instead.
    logged_at: Timestamp,
}

impl HistoryItem {
    fn acknowledged(&self) -> Result<&Value, Problem> {
        self.acknowledgement
            .as_ref()
            .ok_or_else(|| Problem::BadAnswer("a logged object without acknowledgement".into()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestItem {
    request: HistoryItem,
    decision: Option<Value>,
}

/// Verifies an invitation under the school's key; an expired one is verified as of its expiry
/// and reported as expired, so that a device that enrolled in time keeps working.
fn verify_invitation(
    trust: &TrustStore,
    bytes: &[u8],
    now: Timestamp,
) -> Result<(Verified<Invitation>, bool), Problem> {
    match trust.invitation(bytes, now) {
        Ok(invitation) => Ok((invitation, false)),
        Err(TrustError::Expired { expired, .. }) => {
            Ok((trust.invitation(bytes, expired).map_err(not_the_school)?, true))
        }
        Err(e) => Err(not_the_school(e)),
    }
}

/// The certificate with hash `named` among those the history returned.
fn certificate_named(
    certificates: &[Verified<EnrolmentCertificate>],
    named: Digest,
) -> Result<&Verified<EnrolmentCertificate>, Problem> {
    certificates.iter().find(|c| c.hash() == named).ok_or_else(|| Problem::BadAnswer(format!("no certificate {named}")))
}

/// A receipt signed by the holder of `certificate` and saying so. Unlike the archive, the widget
/// does not insist that it answers the form in force: history holds answers to earlier versions.
fn receipt_by(bytes: &[u8], certificate: &Verified<EnrolmentCertificate>) -> Result<Signed<ConsentReceipt>, Problem> {
    let receipt: Signed<ConsentReceipt> = shared::open(bytes, &certificate.body().key).map_err(bad_answer)?;
    let (body, cert) = (receipt.body(), certificate.body());
    let agrees = body.certificate == certificate.hash()
        && body.school == cert.school
        && body.student == cert.student
        && body.role == cert.role;
    if !agrees {
        return Err(Problem::BadAnswer("a receipt that does not match its certificate".into()));
    }
    Ok(receipt)
}

fn previous_of(receipt: &str) -> Option<Digest> {
    shared::decode::<ConsentReceipt>(receipt.as_bytes()).ok().and_then(|e| e.unverified_body().previous)
}

fn kind_of(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    serde_json::from_slice::<Kind>(bytes).ok().map(|k| k.kind)
}

/// The canonical bytes of an object embedded as a JSON value in a service answer.
fn canonical(value: &Value) -> Result<Vec<u8>, Problem> {
    shared::encoding::to_canonical(value).map_err(bad_answer)
}

/// Canonical JSON is UTF-8 by construction.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn bad_answer(error: impl Display) -> Problem {
    Problem::BadAnswer(error.to_string())
}

fn not_the_school(error: TrustError) -> Problem {
    Problem::NotTheSchool(error.to_string())
}
