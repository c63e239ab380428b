//! The flows of one person on one device: open an invitation, decide, withdraw, make a rights
//! request, send what is queued, read the student's history, and witness that the school's log
//! only grows. Every object from the service is verified through [`shared::trust`] — the same
//! code the verifier and an auditor run — before the widget shows it.
//!
//! Nothing here touches the DOM, the network or the clock directly: the transport, the store and
//! `now` are passed in, so the native tests drive these flows against the real service. (Signing
//! a receipt is timed through [`crate::timing`], which only records, and only in the browser.)
//!
//! Three rules keep a person able to withdraw whatever happened on other tabs or devices:
//! - the chain head a new receipt follows is read from the school's verified history just
//!   before signing, never remembered on the device ([`Family::chain_head`]);
//! - decisions taken while another device or tab moved that head on are not signed over it:
//!   they are set aside and offered again with the current state, as is a receipt the school
//!   refuses for good — nothing saved keeps pointing at a refused receipt;
//! - what the school signed and the device kept is verified again on every load; a damaged
//!   copy is dropped and taken again from the school's verified history.

use crate::device::{Device, Kept, Slot};
use crate::history::{acknowledgement_of, bad_answer, canonical, receipt_by, History};
use crate::link::{base64url, Fragment};
use crate::outbox::{Outgoing, SetAside, SetAsideReason};
use crate::problem::Problem;
use crate::store::Store;
use crate::timing;
use crate::transport::{Reply, Transport};
use crate::witness::{kind_of, ConsistencyProof, TreeHead};
use futures_util::future;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use shared::ids::PurposeId;
use shared::lists::{self, map_of};
use shared::objects::{
    Acknowledgement, Checkpoint, ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest,
    HistoryRequest, Invitation, Right, RightsRequest,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::trust::{TrustError, TrustStore, Verified};
use shared::{sign, Lang, OpenError, SignedObject, Timestamp};
use std::collections::BTreeMap;

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
    /// Must be the key the school's page names: a page pointed at another school's service
    /// says so, instead of failing on a signature.
    school_key: PublicKey,
    /// For people comparing keys by eye; the key itself is what is checked.
    #[serde(rename = "fingerprint")]
    _fingerprint: IgnoredAny,
    form: Value,
    delegations: Vec<Value>,
}

impl School {
    /// Fetches the form and the archive delegations and verifies them under `school`.
    pub async fn load(transport: &impl Transport, school: PublicKey) -> Result<School, Problem> {
        let body = transport.get("/v1/form", None).await?.ok()?;
        let response: FormResponse = shared::encoding::from_json(&body).map_err(bad_answer)?;
        if response.school_key != school {
            return Err(Problem::NotTheSchool(format!(
                "the service serves the form of school {}",
                response.school_key
            )));
        }
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

/// `POST /v1/invitation`: the bytes of the invitation a printed letter's short code stands for,
/// not verified yet — [`Family::open`] verifies them under the school key exactly as a long
/// link's. A code the school refuses for good (unknown, or its invitation used, replaced or
/// expired) is [`Problem::CodeRefused`], whatever the reason: only a new letter helps. A service
/// out of reach stays what it is, and opening the page again may succeed.
pub async fn exchange_code(transport: &impl Transport, code: &str) -> Result<Vec<u8>, Problem> {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        code: &'a str,
    }
    let body = shared::encoding::to_canonical(&Body { code }).map_err(|e| Problem::CodeRefused(e.to_string()))?;
    match transport.post("/v1/invitation", body).await?.ok() {
        Ok(bytes) => Ok(bytes),
        Err(problem) if problem.is_temporary() => Err(problem),
        Err(problem) => Err(Problem::CodeRefused(problem.to_string())),
    }
}

/// Whether this person can act through this link on this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Not asked yet (the first sync after opening has not ended): no decision is offered yet.
    Unchecked,
    /// The school could not be reached to ask: the person may decide; it waits on the device.
    Unreachable,
    /// The link can still enrol this device; the person sees everyone's decisions and decides.
    Open,
    /// This device is enrolled.
    Enrolled,
    /// The link can no longer enrol this device ([`Problem::closes_the_link`]): say why, and
    /// offer the key backup instead of any decision.
    Closed(Problem),
}

impl Access {
    /// Whether decisions are offered.
    pub fn may_decide(&self) -> bool {
        matches!(self, Access::Unreachable | Access::Open | Access::Enrolled)
    }
}

/// One person's session for one student.
#[derive(Debug, Clone)]
pub struct Family {
    school: School,
    invitation: Verified<Invitation>,
    certificate: Option<Verified<EnrolmentCertificate>>,
    slot: Slot,
    device: Device,
    history: History,
    seen: Option<TreeHead>,
    access: Access,
    repaired: bool,
    /// Kept objects the school's last history answer lacked: given back to it (`/v1/restore`),
    /// since after a restore of its database only families' copies can.
    missing: Vec<Digest>,
}

impl Family {
    /// Opens the person's session from the invitation in the link or, without one, from what
    /// this device last kept for the school. A damaged link, or one the school did not sign,
    /// opens nobody's form.
    ///
    /// An expired invitation still opens a session this device already enrolled with it; only
    /// enrolling a new key needs an unexpired one.
    pub fn open(school: School, link: Fragment, store: &impl Store, now: Timestamp) -> Result<Family, Problem> {
        let (invitation, device) = match link {
            Fragment::Damaged => return Err(Problem::LinkDamaged),
            Fragment::Object(bytes) => {
                let (invitation, expired) = verify_invitation(&school.trust, &bytes, now).map_err(|e| match e {
                    // Bytes that are not an invitation at all: the link was cut or edited.
                    TrustError::Open(OpenError::Decode(_)) => Problem::LinkDamaged,
                    other => Problem::LinkNotValid(other.to_string()),
                })?;
                let slot = slot_of(&school, &invitation);
                let device = match Device::load(store, &slot)? {
                    Some(mut device) => {
                        // A re-sent invitation replaces one this device never enrolled with;
                        // the one it enrolled with is taken again from the link, whole.
                        let enrolled_with = device.certificate.as_deref().and_then(certificate_invitation);
                        if enrolled_with.is_none_or(|hash| hash == invitation.hash()) {
                            device.invitation = text(invitation.bytes());
                        }
                        device
                    }
                    None if expired => return Err(Problem::InvitationExpired),
                    None => Device::new(*school.key(), invitation.bytes()),
                };
                (invitation, device)
            }
            Fragment::Absent => {
                let device = Device::load_last(store, school.key())?.ok_or(Problem::NoInvitation)?;
                let (invitation, _) = verify_invitation(&school.trust, device.invitation.as_bytes(), now)
                    .map_err(|e| Problem::DeviceDamaged(format!("the kept invitation: {e}")))?;
                (invitation, device)
            }
        };
        let slot = slot_of(&school, &invitation);
        let family = Family::assemble(school, invitation, slot, device, History::default())?;
        if family.repaired {
            family.save(store)?;
        }
        Ok(family)
    }

    /// The session of a device's saved state, everything the school signed verified again, since
    /// storage is not trusted more than the network. Only a copy *damaged on the device* — one
    /// that no longer decodes or no longer carries the signature of the key it names — is
    /// dropped (the school's verified history gives it back). A copy that merely cannot be
    /// trusted now (an archive key the service's answer left out, a certificate not read yet) is
    /// kept as it is: nothing the school says can make a device delete its proof. A damaged key
    /// is the one thing that cannot be restored.
    fn assemble(
        school: School,
        invitation: Verified<Invitation>,
        slot: Slot,
        mut device: Device,
        history: History,
    ) -> Result<Family, Problem> {
        let mut repaired = false;
        let key = device.public_key();
        let certificate = match device.certificate.as_deref().map(|c| school.trust.certificate(c.as_bytes())) {
            Some(Ok(certificate)) if Some(certificate.body().key) == key => Some(certificate),
            Some(Ok(_)) => return Err(Problem::DeviceDamaged("the key does not match its certificate".into())),
            Some(Err(_)) if device.certificate.as_deref().is_some_and(damaged::<EnrolmentCertificate>) => {
                // The same key enrolling again gets the same certificate.
                device.certificate = None;
                repaired = true;
                None
            }
            _ => None,
        };
        let seen = match device.seen.as_deref().map(|s| TreeHead::verify(&school.trust, s)) {
            Some(Ok(seen)) => Some(seen),
            Some(Err(_)) if device.seen.as_deref().is_some_and(damaged_tree_head) => {
                device.seen = None;
                repaired = true;
                None
            }
            _ => None,
        };
        let access = if certificate.is_some() { Access::Enrolled } else { Access::Unchecked };
        let mut family = Family {
            school,
            invitation,
            certificate,
            slot,
            device,
            history,
            seen,
            access,
            repaired,
            missing: Vec::new(),
        };
        let kept = std::mem::take(&mut family.device.kept);
        for kept in kept {
            match family.remember(kept.object.as_bytes(), kept.acknowledgement.as_bytes()) {
                Err(_) if kept.is_damaged() => family.repaired = true,
                _ => family.device.kept.push(kept),
            }
        }
        let damaged = family.device.outbox.take_out(|item| !item.decodes());
        family.repaired |= !damaged.is_empty();
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

    /// Where this browser keeps the person's state; also the name of the lock their tabs share.
    pub fn storage_key(&self) -> String {
        self.slot.key()
    }

    /// Whether the person can act through this link on this device.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Whether something damaged on this device was dropped since the last call (to say so
    /// once); what the school signed comes back with the next history read.
    pub fn take_repaired(&mut self) -> bool {
        std::mem::take(&mut self.repaired)
    }

    /// This person's public key, once generated.
    pub fn key(&self) -> Option<PublicKey> {
        self.device.public_key()
    }

    /// Whether `receipt` is this person's: signed under a certificate for the person of this
    /// invitation (with this key or an earlier one of theirs).
    pub fn is_mine(&self, certificate: Digest) -> bool {
        let person = self
            .history
            .person_of(certificate)
            .or_else(|| self.certificate.as_ref().filter(|c| c.hash() == certificate).map(|c| &c.body().person));
        person == Some(&self.invitation.body().person)
    }

    /// The receipt this person's next one must name as `previous`: the last one signed and not
    /// sent yet, else their latest receipt in the school's verified history (the archive keeps
    /// one chain per person and student, whichever of their keys signed).
    pub fn chain_head(&self) -> Option<Digest> {
        let unsent = self.device.outbox.iter().filter_map(|item| match item {
            Outgoing::Receipt { receipt } => Some(Digest::of(receipt.as_bytes())),
            _ => None,
        });
        unsent.last().or_else(|| {
            self.history.receipts.iter().rev().find(|(r, _)| self.is_mine(r.body().certificate)).map(|(r, _)| r.hash())
        })
    }

    /// Records the person's decisions on the form in force, to be signed and sent by
    /// [`Family::flush`]. The key is generated now, on the device, and saved before anything
    /// else happens.
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
        // What the person saw when deciding; another tab's newer state is taken up after it.
        let after = self.chain_head();
        self.reload(store)?;
        self.device.key()?;
        let form = self.school.form.hash();
        self.device.outbox.push(Outgoing::Decisions { form, after, decisions, client_time: now, language });
        self.save(store)
    }

    /// Gives again the decisions set aside (those still different from the person's own current
    /// ones), as new decisions taken now.
    pub fn decide_again(
        &mut self,
        decisions: BTreeMap<PurposeId, Decision>,
        language: Lang,
        now: Timestamp,
        store: &impl Store,
    ) -> Result<(), Problem> {
        self.decide(decisions, language, now, store)?;
        self.device.set_aside = None;
        self.save(store)
    }

    /// Forgets the decisions set aside.
    pub fn discard_set_aside(&mut self, store: &impl Store) -> Result<(), Problem> {
        self.reload(store)?;
        self.device.set_aside = None;
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
        self.reload(store)?;
        self.device.key()?;
        let nonce = Nonce::random(&mut rand_core::OsRng);
        self.device.outbox.push(Outgoing::Rights { right, purposes, text, client_time: now, nonce });
        self.save(store)
    }

    /// Replaces this device's state for the person with a backup file, if it is one for this
    /// school and this invitation's student and person. Nothing changes otherwise. What the
    /// backup queued goes the way of any other queue: checked against the verified history
    /// before it is signed.
    pub fn import_backup(&mut self, json: &str, store: &impl Store) -> Result<(), Problem> {
        let restored = Family::from_backup(self.school.clone(), json, self.history.clone())?;
        let (mine, theirs) = (self.invitation.body(), restored.invitation.body());
        if mine.student != theirs.student || mine.person != theirs.person {
            return Err(Problem::KeyFileInvalid("the backup is for another person or student".into()));
        }
        restored.save(store)?;
        *self = restored;
        Ok(())
    }

    /// Opens the session a backup file holds, in a browser that has none for it (or only a
    /// damaged one, which the backup replaces): with or without the invitation link.
    pub fn restore(school: School, json: &str, store: &impl Store) -> Result<Family, Problem> {
        let restored = Family::from_backup(school, json, History::default())?;
        restored.save(store)?;
        Ok(restored)
    }

    /// The session of a backup file, checked like saved state: for this school, with an
    /// invitation it signed and a certificate for the backup's key.
    fn from_backup(school: School, json: &str, history: History) -> Result<Family, Problem> {
        let device = Device::from_json(json).map_err(Problem::KeyFileInvalid)?;
        if device.school != *school.key() {
            return Err(Problem::KeyFileInvalid("the backup is for another school".into()));
        }
        // Offline the question is who signed it, not whether it is still open.
        let expires = shared::decode::<Invitation>(device.invitation.as_bytes())
            .map_err(|e| Problem::KeyFileInvalid(e.to_string()))?
            .unverified_body()
            .expires;
        let invitation = school
            .trust
            .invitation(device.invitation.as_bytes(), expires)
            .map_err(|e| Problem::KeyFileInvalid(e.to_string()))?;
        let slot = slot_of(&school, &invitation);
        let restored = Family::assemble(school, invitation, slot, device, history)
            .map_err(|e| Problem::KeyFileInvalid(e.to_string()))?;
        if restored.certificate.is_none() {
            return Err(Problem::KeyFileInvalid("the backup holds no enrolled key".into()));
        }
        Ok(restored)
    }

    /// Takes again what another tab of this browser saved for the person since this one last
    /// read or wrote it; returns whether anything changed. The school's history read so far is
    /// kept. Every step that changes the device starts with it, so that no tab writes over what
    /// another saved (the browser also runs each step under a lock shared by the tabs).
    pub fn reload(&mut self, store: &impl Store) -> Result<bool, Problem> {
        let Some(stored) = Device::load(store, &self.slot)? else { return Ok(false) };
        if stored == self.device {
            return Ok(false);
        }
        let invitation = self.invitation.clone();
        let mut reloaded =
            Family::assemble(self.school.clone(), invitation, self.slot.clone(), stored, self.history.clone())?;
        if reloaded.certificate.is_none() {
            reloaded.access = self.access.clone();
        }
        *self = reloaded;
        Ok(true)
    }

    /// Sends what is queued, in order, until the queue is empty or something fails; returns how
    /// many objects the school acknowledged. A temporary failure leaves the item queued. What
    /// the school refuses for good leaves the queue: decisions are set aside to offer again, a
    /// request is reported.
    pub async fn flush(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        now: Timestamp,
    ) -> Result<usize, Problem> {
        self.reload(store)?;
        let mut acknowledged = 0;
        // A log found inconsistent is reported once everything is sent: it must not stop a
        // family from withdrawing.
        let mut inconsistent = None;
        while let Some(item) = self.device.outbox.front().cloned() {
            // What is signed already is sent as it is; only signing needs the certificate.
            let (path, object) = match &item {
                Outgoing::Receipt { receipt } => ("/v1/receipts", receipt),
                Outgoing::Request { request } => ("/v1/requests", request),
                Outgoing::Decisions { .. } | Outgoing::Rights { .. } => {
                    self.sign_front(transport, store, item, now).await?;
                    continue;
                }
            };
            match self.send(transport, store, path, object).await {
                Ok(head) => {
                    acknowledged += 1;
                    inconsistent = inconsistent.or(self.witness_sent(transport, store, head).await?);
                }
                Err(Problem::Refused { code, .. }) if path == "/v1/receipts" => {
                    // Refused for good (and already off the queue): what the person meant is
                    // offered again, over the state the school now holds.
                    let reason = match code.as_str() {
                        "replay" => SetAsideReason::ChangedElsewhere,
                        _ => SetAsideReason::Refused { code },
                    };
                    self.set_aside(item.decisions(), reason);
                    self.save(store)?;
                    if let Some(certificate) = self.certificate.clone() {
                        self.read_history(transport, &certificate, now).await?;
                    }
                }
                Err(problem) => return Err(problem),
            }
        }
        inconsistent.map_or(Ok(acknowledged), Err)
    }

    /// Signs the front item — decisions or a rights request — in its place, enrolling first when
    /// the device has no certificate. Decisions taken while the person's chain moved on elsewhere
    /// are set aside instead.
    async fn sign_front(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        item: Outgoing,
        now: Timestamp,
    ) -> Result<(), Problem> {
        let certificate = match &self.certificate {
            Some(certificate) => certificate.clone(),
            None => {
                return match self.enrol(transport, store, now).await {
                    Err(problem) if problem.closes_the_link() => Err(self.close_link(problem, store)),
                    enrolled => enrolled,
                };
            }
        };
        let key = self.device.key()?;
        match item {
            Outgoing::Decisions { form, after, decisions, client_time, language } => {
                // The person's latest receipt, as the school has it now.
                self.read_history(transport, &certificate, now).await?;
                let head = self.chain_head();
                if head != after {
                    self.device.outbox.pop_front();
                    self.set_aside(decisions, SetAsideReason::ChangedElsewhere);
                    return self.save(store);
                }
                let decisions = if head.is_none() { as_first_receipt(decisions) } else { decisions };
                let body = ConsentReceipt::by(certificate.signed(), form, decisions, client_time, head, language);
                let receipt = timing::signing(|| sign(body, &key)).map_err(bad_answer)?;
                self.device.outbox.replace_front(Outgoing::Receipt { receipt: text(receipt.bytes()) });
                // Decisions taken later on this device were taken over these.
                self.device.outbox.rebase(head, receipt.hash());
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
            }
            Outgoing::Receipt { .. } | Outgoing::Request { .. } => return Ok(()),
        }
        self.save(store)
    }

    /// Witnesses the tree head of an acknowledgement just kept: an inconsistency is returned to
    /// report later; any other failure stops the flush.
    async fn witness_sent(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        head: TreeHead,
    ) -> Result<Option<Problem>, Problem> {
        match self.witness(transport, store, head).await {
            Ok(()) => Ok(None),
            Err(problem @ Problem::LogInconsistent(_)) => Ok(Some(problem)),
            Err(problem) => Err(problem),
        }
    }

    /// Reads the log's latest checkpoint (checking it extends the one this device saw) and the
    /// student's whole history: with the device's certificate once enrolled, else with the
    /// invitation, which tells at once whether the link can still be used. A log that does not
    /// extend what the school confirmed to this device is reported after the history is read,
    /// so the person still sees the current state and can still withdraw.
    pub async fn refresh(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        now: Timestamp,
    ) -> Result<(), Problem> {
        self.reload(store)?;
        // A device that holds no key yet reads the history by its invitation: that answer does
        // not depend on the log's head, so both are asked for at once (on a phone, a round trip
        // less before the form can be used). Both are still checked in the same order.
        let invited =
            (self.certificate.is_none() && self.device.secret.is_none()).then(|| self.invitation_authorization());
        let history_by_invitation = async {
            match &invited {
                Some(authorization) => Some(transport.get("/v1/history", Some(authorization)).await),
                None => None,
            }
        };
        let (checkpoint, history_by_invitation) =
            future::join(transport.get("/v1/checkpoint", None), history_by_invitation).await;
        let witnessed = match checkpoint.and_then(|reply| reply.ok()) {
            Ok(bytes) => {
                let latest = TreeHead::verify(&self.school.trust, &text(&bytes))?;
                self.witness_latest(transport, store, latest).await
            }
            // An empty log has no checkpoint yet.
            Err(Problem::Refused { code, .. }) if code == "empty_log" => Ok(()),
            Err(problem) => Err(problem),
        };
        let read = match witnessed {
            Err(ref problem) if problem.is_temporary() => Err(problem.clone()),
            _ => self.read_current_history(transport, store, now, history_by_invitation).await,
        };
        if self.access == Access::Unchecked {
            self.access = Access::Unreachable;
        }
        read.and(witnessed)
    }

    /// The student's history, by the enrolled key or else by the invitation. A device that holds
    /// a key but no certificate (a damaged copy, or an answer that never arrived) enrols again
    /// first: the same key gets the same certificate, and its own use of the link is no reason
    /// to close it.
    ///
    /// `by_invitation` is the answer to the invitation's history request, if it was asked already.
    async fn read_current_history(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        now: Timestamp,
        by_invitation: Option<Result<Reply, Problem>>,
    ) -> Result<(), Problem> {
        if self.certificate.is_none() && self.device.secret.is_some() {
            match self.enrol(transport, store, now).await {
                Err(problem) if problem.closes_the_link() => {
                    self.close_link(problem, store);
                    return Ok(());
                }
                enrolled => enrolled?,
            }
        }
        let read = match self.certificate.clone() {
            Some(certificate) => self.read_history(transport, &certificate, now).await,
            None => {
                let reply = match by_invitation {
                    Some(reply) => reply,
                    None => transport.get("/v1/history", Some(&self.invitation_authorization())).await,
                };
                self.read_history_as_invited(reply?, store)
            }
        };
        // A history read that shows the school acknowledged something anew still counts.
        if let Err(problem) = &read {
            if !matches!(problem, Problem::LogInconsistent(_)) {
                return read;
            }
        }
        self.keep_what_is_mine(store)?;
        let given_back = self.give_back(transport).await;
        read.and(given_back)
    }

    /// Sends the school every kept object its history lacked (`/v1/restore`): after its database
    /// was restored from an older copy, this is how the family's receipts come back, at their
    /// indexes. The acknowledgement the school holds for each must be the one this device kept.
    async fn give_back(&mut self, transport: &impl Transport) -> Result<(), Problem> {
        for hash in std::mem::take(&mut self.missing) {
            let Some(kept) = self.device.kept.iter().find(|k| Digest::of(k.object.as_bytes()) == hash).cloned() else {
                continue;
            };
            let answer = transport.post("/v1/restore", kept.object.clone().into_bytes()).await?.ok();
            let stored = match answer {
                Ok(body) => shared::encoding::from_json::<RestoreResponse>(&body).map_err(bad_answer)?.acknowledgement,
                Err(Problem::Refused { code, .. }) if code == "not_logged" => None,
                Err(problem) => return Err(problem),
            };
            let stored = stored.as_ref().map(canonical).transpose()?;
            if stored.as_deref() != Some(kept.acknowledgement.as_bytes()) {
                let index = kept_index(&kept);
                return Err(Problem::LogInconsistent(format!(
                    "the school no longer holds {hash} as it acknowledged it to this device (at log index {index})"
                )));
            }
        }
        Ok(())
    }

    /// Reads the history with a challenge signed by the enrolled key.
    async fn read_history(
        &mut self,
        transport: &impl Transport,
        certificate: &Verified<EnrolmentCertificate>,
        now: Timestamp,
    ) -> Result<(), Problem> {
        let key = self.device.key()?;
        let mut attempts = 0;
        let body = loop {
            let challenge: shared::client::Challenge =
                shared::encoding::from_json(&transport.get("/v1/challenge", None).await?.ok()?).map_err(bad_answer)?;
            let request = HistoryRequest {
                school: *self.school.key(),
                certificate: certificate.hash(),
                challenge: challenge.challenge,
                client_time: now,
            };
            let request = sign(request, &key).map_err(bad_answer)?;
            let authorization = format!("Consent {}", base64url(request.bytes()));
            attempts += 1;
            match transport.get("/v1/history", Some(&authorization)).await?.ok() {
                // A service that restarted between the two requests no longer knows the
                // challenge, and one whose database was restored may have lost the certificate:
                // the device gives its copy back, then asks once more with a fresh challenge.
                Err(Problem::Refused { code, .. }) if code == "unauthorized" && attempts == 1 => {
                    let _ = transport.post("/v1/restore", certificate.bytes().to_vec()).await;
                }
                answer => break answer?,
            }
        };
        self.take_history(&body)
    }

    /// Reads the history with the invitation, before enrolling: the answer also says whether
    /// the link can still enrol this device. A closed link sets aside what waits for it.
    fn read_history_as_invited(&mut self, reply: Reply, store: &impl Store) -> Result<(), Problem> {
        match reply.ok() {
            Ok(body) => {
                self.take_history(&body)?;
                self.access = Access::Open;
                Ok(())
            }
            Err(problem) if problem.closes_the_link() => {
                self.close_link(problem, store);
                Ok(())
            }
            Err(problem) => Err(problem),
        }
    }

    /// How a device without a key asks for the student's history: by the invitation itself.
    fn invitation_authorization(&self) -> String {
        format!("Invitation {}", base64url(self.invitation.bytes()))
    }

    /// Adds a verified history answer to what this device holds. Where the school acknowledges
    /// an object differently from the acknowledgement this device kept, the device's stays — it
    /// is the family's proof — and the school's log is inconsistent with it.
    fn take_history(&mut self, body: &[u8]) -> Result<(), Problem> {
        let answer = History::read(&self.school.trust, &self.invitation.body().student, &self.school.form, body)?;
        self.missing =
            self.device.kept.iter().map(|k| Digest::of(k.object.as_bytes())).filter(|h| !answer.holds(*h)).collect();
        let differ = self.history.merge(answer);
        match differ.first() {
            None => Ok(()),
            Some((object, mine, theirs)) => Err(Problem::LogInconsistent(format!(
                "the school acknowledges {object} at log index {theirs}, but acknowledged it to this device at index {mine}"
            ))),
        }
    }

    /// Keeps, as this device's proof, every receipt and request of this person the verified
    /// history holds with its acknowledgement, beside what it kept already, in log order: what
    /// another tab overwrote or what was damaged here comes back from the school's record, and
    /// nothing kept is dropped because the school's answer lacks it.
    fn keep_what_is_mine(&mut self, store: &impl Store) -> Result<(), Problem> {
        let receipts = self.history.receipts.iter().map(|(r, ack)| (r.body().certificate, r.bytes(), ack));
        let requests = self.history.requests.iter().map(|(r, ack, _)| (r.body().certificate, r.bytes(), ack));
        let mut kept = self.device.kept.clone();
        for (_, object, ack) in receipts.chain(requests).filter(|(certificate, _, _)| self.is_mine(*certificate)) {
            if !kept.iter().any(|k| k.object.as_bytes() == object) {
                kept.push(Kept { object: text(object), acknowledgement: text(ack.bytes()) });
            }
        }
        lists::sort_by_key(&mut kept, kept_index);
        if kept != self.device.kept {
            self.device.kept = kept;
            self.save(store)?;
        }
        Ok(())
    }

    /// The link can no longer enrol this device: what waits on it to be signed is set aside
    /// (decisions) or dropped (requests, which the person is told about with the problem).
    fn close_link(&mut self, problem: Problem, store: &impl Store) -> Problem {
        let waiting =
            self.device.outbox.take_out(|item| matches!(item, Outgoing::Decisions { .. } | Outgoing::Rights { .. }));
        let decisions: BTreeMap<PurposeId, Decision> = map_of(waiting.iter().flat_map(Outgoing::decisions));
        self.set_aside(decisions, SetAsideReason::LinkClosed);
        self.access = Access::Closed(problem.clone());
        // Saving may fail (a full browser store); the problem to show is the link's.
        let _ = self.save(store);
        problem
    }

    /// Adds `decisions` to those set aside (later ones over earlier ones), with `reason`.
    fn set_aside(&mut self, decisions: BTreeMap<PurposeId, Decision>, reason: SetAsideReason) {
        if decisions.is_empty() {
            return;
        }
        let mut all = self.device.set_aside.take().map(|s| s.decisions).unwrap_or_default();
        all.extend(decisions);
        self.device.set_aside = Some(SetAside { decisions: all, reason });
    }

    fn save(&self, store: &impl Store) -> Result<(), Problem> {
        self.device.save(store, &self.slot)
    }

    /// Enrols the device's key with the invitation; the same key enrolling again gets the same
    /// certificate, so a lost answer (or a damaged copy) is simply asked for again.
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
        let certificate = self.school.trust.certificate(&bytes).map_err(bad_answer)?;
        let cert = certificate.body();
        if cert.key != PublicKey::of(&key) || cert.invitation != self.invitation.hash() {
            return Err(Problem::BadAnswer("the certificate is not for this key and invitation".into()));
        }
        self.device.certificate = Some(text(&bytes));
        self.certificate = Some(certificate);
        self.access = Access::Enrolled;
        self.save(store)
    }

    /// Sends the front item; on its acknowledgement, keeps both and takes it off the queue, and
    /// returns the tree head the acknowledgement states. An item refused for good is taken off
    /// the queue too.
    async fn send(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        path: &str,
        object: &str,
    ) -> Result<TreeHead, Problem> {
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
        acknowledgement_of(&self.school.trust, object.as_bytes(), &ack_bytes)?;
        // Shown in the history once its certificate is known (it is, unless the device's copy of
        // it was damaged): the acknowledgement alone is the proof to keep.
        let _ = self.remember(object.as_bytes(), &ack_bytes);
        self.device.kept.push(Kept { object: object.to_owned(), acknowledgement: text(&ack_bytes) });
        self.device.outbox.pop_front();
        self.save(store)?;
        TreeHead::verify(&self.school.trust, &text(&ack_bytes))
    }

    /// Verifies an object this device sent and the school's acknowledgement of it, and adds them
    /// to the history shown.
    fn remember(&mut self, object: &[u8], ack: &[u8]) -> Result<Verified<Acknowledgement>, Problem> {
        let ack = acknowledgement_of(&self.school.trust, object, ack)?;
        let named = match kind_of(object).as_deref() {
            Some(RightsRequest::KIND) => {
                shared::decode::<RightsRequest>(object).map(|e| e.unverified_body().certificate)
            }
            _ => shared::decode::<ConsentReceipt>(object).map(|e| e.unverified_body().certificate),
        }
        .map_err(bad_answer)?;
        // Signed with this key, or with an earlier one of this person's.
        let certificate = self
            .certificate
            .iter()
            .chain(&self.history.certificates)
            .find(|c| c.hash() == named)
            .cloned()
            .ok_or_else(|| Problem::BadAnswer(format!("its certificate {named} is not known yet")))?;
        match kind_of(object).as_deref() {
            Some(ConsentReceipt::KIND) => {
                let receipt = receipt_by(object, &certificate)?;
                self.history.add_certificate(certificate);
                self.history.add_receipt(receipt, ack.clone());
            }
            Some(RightsRequest::KIND) => {
                let request = self.school.trust.request(object, &certificate).map_err(bad_answer)?;
                self.history.add_certificate(certificate);
                self.history.add_request(request.signed().clone(), ack.clone(), None);
            }
            other => return Err(Problem::BadAnswer(format!("unexpected kept object {other:?}"))),
        }
        Ok(ack)
    }

    /// The service's latest tree head: it may not be smaller than one the school signed for
    /// this device before — a log that shrank is the school's record falling behind what it
    /// confirmed, never a service failure.
    async fn witness_latest(
        &mut self,
        transport: &impl Transport,
        store: &impl Store,
        latest: TreeHead,
    ) -> Result<(), Problem> {
        if let Some(seen) = &self.seen {
            if latest.tree_size < seen.tree_size {
                return Err(Problem::LogInconsistent(format!(
                    "the school's log has {} entries, fewer than the {} it confirmed to this device",
                    latest.tree_size, seen.tree_size
                )));
            }
        }
        self.witness(transport, store, latest).await
    }

    /// Checks that `tree` and the tree head this device saw before describe one log, then keeps
    /// the larger.
    async fn witness(&mut self, transport: &impl Transport, store: &impl Store, tree: TreeHead) -> Result<(), Problem> {
        let Some(seen) = self.seen.clone() else {
            return self.keep_tree_head(tree, store);
        };
        let proof = match seen.proof_range(&tree) {
            None => Vec::new(),
            Some((first, second)) => {
                let path = format!("/v1/proof/consistency?first={first}&second={second}");
                let body = match transport.get(&path, None).await?.ok() {
                    Err(Problem::Refused { code, .. }) if code == "bad_range" => {
                        return Err(Problem::LogInconsistent(format!(
                            "the school's log has fewer than the {second} entries it confirmed to this device"
                        )));
                    }
                    body => body?,
                };
                let proof: ConsistencyProof = shared::encoding::from_json(&body).map_err(bad_answer)?;
                proof.between(first, second)?
            }
        };
        seen.consistent_with(&tree, &proof)?;
        if tree.tree_size > seen.tree_size {
            self.keep_tree_head(tree, store)?;
        }
        Ok(())
    }

    fn keep_tree_head(&mut self, tree: TreeHead, store: &impl Store) -> Result<(), Problem> {
        self.device.seen = Some(tree.signed.clone());
        self.seen = Some(tree);
        self.save(store)
    }
}

/// Whether `bytes` are a copy damaged on this device: they no longer decode as a `T`, or no
/// longer carry the signature of the key they name. Nothing else the device could not verify is
/// its own fault.
fn damaged<T: SignedObject>(bytes: &str) -> bool {
    match shared::decode::<T>(bytes.as_bytes()) {
        Ok(envelope) => {
            let signer = *envelope.signer();
            envelope.verify(&signer).is_err()
        }
        Err(_) => true,
    }
}

/// [`damaged`] for a kept tree head: a signed checkpoint or an acknowledgement.
fn damaged_tree_head(signed: &str) -> bool {
    match kind_of(signed.as_bytes()).as_deref() {
        Some(Acknowledgement::KIND) => damaged::<Acknowledgement>(signed),
        _ => damaged::<Checkpoint>(signed),
    }
}

impl Kept {
    /// Whether the object or its acknowledgement is a copy damaged on this device.
    fn is_damaged(&self) -> bool {
        let object = match kind_of(self.object.as_bytes()).as_deref() {
            Some(RightsRequest::KIND) => damaged::<RightsRequest>(&self.object),
            _ => damaged::<ConsentReceipt>(&self.object),
        };
        object || damaged::<Acknowledgement>(&self.acknowledgement)
    }
}

impl Outgoing {
    /// Whether a signed item still decodes: one damaged on the device is dropped when loaded.
    fn decodes(&self) -> bool {
        match self {
            Outgoing::Receipt { receipt } => shared::decode::<ConsentReceipt>(receipt.as_bytes()).is_ok(),
            Outgoing::Request { request } => shared::decode::<RightsRequest>(request.as_bytes()).is_ok(),
            Outgoing::Decisions { .. } | Outgoing::Rights { .. } => true,
        }
    }
}

/// `POST /v1/restore`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RestoreResponse {
    acknowledgement: Option<Value>,
}

/// The log index a kept acknowledgement states (read without trusting it, to keep kept objects
/// in log order; one that does not decode goes last).
fn kept_index(kept: &Kept) -> u64 {
    shared::decode::<Acknowledgement>(kept.acknowledgement.as_bytes())
        .map_or(u64::MAX, |e| e.unverified_body().log_index)
}

/// Verifies an invitation under the school's key; an expired one is verified as of its expiry
/// and reported as expired, so that a device that enrolled in time keeps working.
fn verify_invitation(
    trust: &TrustStore,
    bytes: &[u8],
    now: Timestamp,
) -> Result<(Verified<Invitation>, bool), TrustError> {
    match trust.invitation(bytes, now) {
        Ok(invitation) => Ok((invitation, false)),
        Err(TrustError::Expired { expired, .. }) => Ok((trust.invitation(bytes, expired)?, true)),
        Err(e) => Err(e),
    }
}

/// The storage slot of the invitation's person and student at this school.
fn slot_of(school: &School, invitation: &Verified<Invitation>) -> Slot {
    let body = invitation.body();
    Slot::new(*school.key(), body.student.clone(), body.person.clone())
}

/// The invitation a kept certificate names, read without trusting it (it is verified later).
fn certificate_invitation(certificate: &str) -> Option<Digest> {
    shared::decode::<EnrolmentCertificate>(certificate.as_bytes()).ok().map(|c| c.unverified_body().invitation)
}

/// Canonical JSON is UTF-8 by construction.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn not_the_school(error: TrustError) -> Problem {
    Problem::NotTheSchool(error.to_string())
}

/// The decisions of a person's first receipt: a first receipt withdraws nothing (nothing of theirs
/// is signed yet), so ending a consent they gave on a paper slip is signed as a refusal, which
/// ends it just the same.
fn as_first_receipt(decisions: BTreeMap<PurposeId, Decision>) -> BTreeMap<PurposeId, Decision> {
    let first = |decision| if decision == Decision::Withdraw { Decision::Refuse } else { decision };
    map_of(decisions.into_iter().map(|(purpose, decision)| (purpose, first(decision))))
}
