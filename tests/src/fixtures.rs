//! A deterministic demo school: keys derived from labels, the example form, invitations,
//! enrolments and receipts. Everything here is a pure function of its arguments, so the test
//! vectors made from it are identical on every machine.

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use sha2::{Digest as _, Sha256};
use shared::ids::{PersonId, PurposeId, StudentId};
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate,
    FormContent, Invitation, Method, Outcome, PaperRecord, PaperSigner, Role, StaffCertificate, StaffDecision,
    StaffEnrolmentRequest, StaffInvitation, StaffRequest, StaffRole,
};
use shared::policy::{consent_state, ConsentState, FoldContext, LoggedPaper, LoggedReceipt, PurposeState};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{sign, Lang, Signed, Timestamp};
use std::collections::BTreeMap;

/// The example form as schools write it (`verifier/examples/form.toml`).
pub const EXAMPLE_FORM_TOML: &str = include_str!("../../verifier/examples/form.toml");

/// The example form's content.
///
/// # Panics
/// If the committed example does not parse, which a test of its own would report first.
pub fn example_form_content() -> FormContent {
    toml::from_str(EXAMPLE_FORM_TOML).expect("verifier/examples/form.toml parses")
}

/// The example form as it read before the widget spoke Ukrainian and German: its Ukrainian and
/// German texts left out. The committed test vectors are signed over this content, so that they
/// show that adding a language left the bytes of every form signed before it unchanged.
pub fn example_form_content_in_en_pl_ro() -> FormContent {
    let mut content = example_form_content();
    for purpose in &mut content.purposes {
        let texts = [&mut purpose.title, &mut purpose.description, &mut purpose.retention];
        for text in texts.into_iter().chain(&mut purpose.recipients) {
            text.uk = None;
            text.de = None;
        }
    }
    content
}

/// An Ed25519 key derived from a label: `SHA-256("consent-tests/key/" ‖ label)` as the secret seed.
pub fn key(label: &str) -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(format!("consent-tests/key/{label}")).into())
}

/// A nonce derived from a label.
pub fn nonce(label: &str) -> Nonce {
    let digest: [u8; 32] = Sha256::digest(format!("consent-tests/nonce/{label}")).into();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Nonce(bytes)
}

/// An instant written as `2026-05-14T09:30:00Z`.
///
/// # Panics
/// On any other spelling: fixtures are written by hand.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or_else(|| panic!("fixture instant {text:?}"))
}

/// A date written as `2012-05-14`.
///
/// # Panics
/// On any other spelling.
pub fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|_| panic!("fixture date {text:?}"))
}

/// A purpose id.
///
/// # Panics
/// If `text` is not a valid id.
pub fn purpose(text: &str) -> PurposeId {
    PurposeId::try_from(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Signs a fixture, which is valid by construction.
///
/// # Panics
/// If the fixture breaks a content rule.
pub fn signed<T: shared::SignedObject>(body: T, key: &SigningKey) -> Signed<T> {
    sign(body, key).unwrap_or_else(|e| panic!("fixture {} does not sign: {e}", T::KIND))
}

/// The demo school: its keys and its first form version.
pub struct School {
    /// The offline root key.
    pub root: SigningKey,
    /// The online archive key.
    pub archive: SigningKey,
    /// Form version 1, signed by the root key.
    pub form: Signed<ConsentForm>,
}

impl School {
    /// The school with keys derived from `label`, publishing the example form at 2026-09-01.
    pub fn new(label: &str) -> School {
        School::with_form(label, example_form_content())
    }

    /// The school with keys derived from `label`, publishing a form with `content` at 2026-09-01.
    pub fn with_form(label: &str, content: FormContent) -> School {
        let root = key(&format!("{label}/root"));
        let archive = key(&format!("{label}/archive"));
        let body = ConsentForm::new(PublicKey::of(&root), 1, at("2026-09-01T08:00:00Z"), None, content);
        let form = signed(body, &root);
        School { root, archive, form }
    }

    /// The root public key, which every object names as its school.
    pub fn id(&self) -> PublicKey {
        PublicKey::of(&self.root)
    }

    /// The delegation of the archive key for the school year.
    pub fn delegation(&self) -> Signed<ArchiveDelegation> {
        let body = ArchiveDelegation {
            school: self.id(),
            archive_key: PublicKey::of(&self.archive),
            valid_from: at("2026-09-01T00:00:00Z"),
            valid_until: at("2027-09-01T00:00:00Z"),
        };
        signed(body, &self.root)
    }

    /// A new form version replacing `previous`, with the same content.
    pub fn next_form(&self, previous: &Signed<ConsentForm>, published: Timestamp) -> Signed<ConsentForm> {
        let body = ConsentForm {
            version: previous.body().version + 1,
            published,
            supersedes: Some(previous.hash()),
            ..previous.body().clone()
        };
        signed(body, &self.root)
    }

    /// Invites `person` to sign for `student` as `role`.
    pub fn invite(&self, student: &Student, person: &str, role: Role, display_name: &str) -> Signed<Invitation> {
        let body = Invitation {
            school: self.id(),
            student: student.id.clone(),
            person: PersonId::try_from(person).unwrap_or_else(|e| panic!("{e}")),
            role,
            display_name: display_name.to_owned(),
            student_name: student.name.clone(),
            class: student.class.clone(),
            student_birth_date: student.birth_date,
            expires: at("2026-10-01T00:00:00Z"),
            nonce: nonce(&format!("{}/{person}", student.id)),
        };
        signed(body, &self.root)
    }

    /// Enrols the holder of `invitation` with a key derived from the person's id.
    pub fn enrol(&self, invitation: &Signed<Invitation>, issued: Timestamp) -> Signer {
        let inv = invitation.body();
        let key = key(&format!("person/{}", inv.person));
        let body = EnrolmentCertificate {
            school: self.id(),
            invitation: invitation.hash(),
            student: inv.student.clone(),
            person: inv.person.clone(),
            role: inv.role,
            student_birth_date: inv.student_birth_date,
            key: PublicKey::of(&key),
            issued,
        };
        Signer { key, certificate: signed(body, &self.archive), previous: None }
    }
}

impl School {
    /// Invites staff member `person` as `role` for `classes` (none for a DPO or a director).
    pub fn invite_staff(
        &self,
        person: &str,
        role: StaffRole,
        classes: &[&str],
        display_name: &str,
    ) -> Signed<StaffInvitation> {
        let body = StaffInvitation {
            school: self.id(),
            person: PersonId::try_from(person).unwrap_or_else(|e| panic!("{e}")),
            display_name: display_name.to_owned(),
            role,
            classes: classes.iter().map(|&c| c.to_owned()).collect(),
            expires: at("2026-10-01T00:00:00Z"),
            nonce: nonce(&format!("staff/{person}")),
        };
        signed(body, &self.root)
    }

    /// Certifies, until the end of the school year, a key derived from the staff member's id for
    /// the holder of `invitation`.
    pub fn enrol_staff(&self, invitation: &Signed<StaffInvitation>, issued: Timestamp) -> Staff {
        let key = key(&format!("staff/{}", invitation.body().person));
        let body = StaffCertificate::new(invitation, PublicKey::of(&key), issued, at("2027-09-01T00:00:00Z"));
        Staff { key, certificate: signed(body, &self.archive) }
    }
}

/// A certified staff member: their key and certificate.
pub struct Staff {
    /// The staff key (in their browser in real life).
    pub key: SigningKey,
    /// Their staff certificate.
    pub certificate: Signed<StaffCertificate>,
}

impl Staff {
    /// The request, signed by the staff key, that asked for the certificate: the proof of
    /// possession answering the invitation the certificate names, at `client_time`.
    pub fn enrolment_request(&self, client_time: Timestamp) -> Signed<StaffEnrolmentRequest> {
        let cert = self.certificate.body();
        let body =
            StaffEnrolmentRequest { school: cert.school, invitation: cert.invitation, key: cert.key, client_time };
        signed(body, &self.key)
    }

    /// Signs this staff member's decision on the request `request`, at `client_time`.
    pub fn decide(
        &self,
        request: Digest,
        outcome: Outcome,
        reason: &str,
        client_time: Timestamp,
    ) -> Signed<StaffDecision> {
        let body = StaffDecision {
            school: self.certificate.body().school,
            certificate: self.certificate.hash(),
            request,
            outcome,
            reason: reason.to_owned(),
            client_time,
        };
        signed(body, &self.key)
    }

    /// Signs this staff member's record of a paper slip about `student` answering `form`, signed
    /// on `signed_on` by `signers` (person, role), deciding `decisions`, recorded at `client_time`.
    pub fn record_paper(
        &self,
        form: &Signed<ConsentForm>,
        student: &Student,
        signers: &[(&PersonId, Role)],
        decisions: &[(&str, Decision)],
        signed_on: &str,
        client_time: Timestamp,
    ) -> Signed<PaperRecord> {
        let mut signers: Vec<PaperSigner> =
            signers.iter().map(|(person, role)| PaperSigner { person: (*person).clone(), role: *role }).collect();
        signers.sort();
        let body = PaperRecord {
            school: self.certificate.body().school,
            certificate: self.certificate.hash(),
            student: student.id.clone(),
            student_birth_date: student.birth_date,
            form: form.hash(),
            signers,
            decisions: decisions.iter().map(|(p, d)| (purpose(p), *d)).collect(),
            signed_on: date(signed_on),
            scan: Digest::of(format!("scan of the slip of {signed_on}").as_bytes()),
            client_time,
        };
        signed(body, &self.key)
    }

    /// Signs the authorisation of the call `method path` answering the challenge derived from
    /// `challenge`, at `client_time`.
    pub fn call(&self, method: Method, path: &str, challenge: &str, client_time: Timestamp) -> Signed<StaffRequest> {
        let body = StaffRequest {
            school: self.certificate.body().school,
            certificate: self.certificate.hash(),
            challenge: nonce(challenge),
            method,
            path: path.to_owned(),
            body: None,
            client_time,
        };
        signed(body, &self.key)
    }
}

/// A student: a pseudonymous id and a date of birth.
#[derive(Debug, Clone)]
pub struct Student {
    /// Pseudonymous id.
    pub id: StudentId,
    /// Full name, which their invitations carry.
    pub name: String,
    /// Class, which their invitations carry.
    pub class: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
}

impl Student {
    /// A student with id `id`, named `name`, in `class`, born on `birth_date` (`YYYY-MM-DD`): the
    /// columns of a roster, in its order.
    ///
    /// # Panics
    /// On an invalid id or date.
    pub fn new(id: &str, name: &str, class: &str, birth_date: &str) -> Student {
        Student {
            id: StudentId::try_from(id).unwrap_or_else(|e| panic!("{e}")),
            name: name.to_owned(),
            class: class.to_owned(),
            birth_date: date(birth_date),
        }
    }
}

/// An enrolled person: their key, certificate, and the head of their receipt chain.
pub struct Signer {
    /// The person key (on their device in real life).
    pub key: SigningKey,
    /// Their enrolment certificate.
    pub certificate: Signed<EnrolmentCertificate>,
    /// Their latest receipt for this student, which the next one names as previous.
    pub previous: Option<Digest>,
}

impl Signer {
    /// Signs a receipt with `decisions` against `form` at `client_time`, extending the chain.
    pub fn decide(
        &mut self,
        form: &Signed<ConsentForm>,
        decisions: &[(&str, Decision)],
        client_time: Timestamp,
    ) -> Signed<ConsentReceipt> {
        let decisions = decisions.iter().map(|(p, d)| (purpose(p), *d)).collect::<BTreeMap<_, _>>();
        let body = ConsentReceipt::by(&self.certificate, form.hash(), decisions, client_time, self.previous, Lang::En);
        let receipt = signed(body, &self.key);
        self.previous = Some(receipt.hash());
        receipt
    }

    /// The person behind the certificate.
    pub fn person(&self) -> &PersonId {
        &self.certificate.body().person
    }
}

/// Receipts in log order, each acknowledged by the archive key at the time it was logged, as the
/// archive will hold them.
pub struct Ledger {
    archive: SigningKey,
    entries: Vec<(Signed<ConsentReceipt>, Signed<EnrolmentCertificate>, Signed<Acknowledgement>)>,
    papers: Vec<(Signed<PaperRecord>, Signed<Acknowledgement>)>,
}

impl Ledger {
    /// An empty log of `school`.
    pub fn new(school: &School) -> Ledger {
        Ledger { archive: school.archive.clone(), entries: Vec::new(), papers: Vec::new() }
    }

    /// Appends `receipt` by `signer`, acknowledged at `logged_at`.
    pub fn log(&mut self, signer: &Signer, receipt: &Signed<ConsentReceipt>, logged_at: Timestamp) {
        let ack = self.acknowledge(receipt.body().school, receipt.hash(), logged_at);
        self.entries.push((receipt.clone(), signer.certificate.clone(), ack));
    }

    /// Appends the paper slip `record`, acknowledged at `logged_at`.
    pub fn log_paper(&mut self, record: &Signed<PaperRecord>, logged_at: Timestamp) {
        let ack = self.acknowledge(record.body().school, record.hash(), logged_at);
        self.papers.push((record.clone(), ack));
    }

    /// The archive's acknowledgement of `object`, the next entry of this log.
    fn acknowledge(&self, school: PublicKey, object: Digest, logged_at: Timestamp) -> Signed<Acknowledgement> {
        let tree_size = (self.entries.len() + self.papers.len()) as u64 + 1;
        let checkpoint = Checkpoint { school, tree_size, root_hash: Digest([0; 32]), time: logged_at };
        let ack = Acknowledgement { school, object, log_index: tree_size - 1, server_time: logged_at, checkpoint };
        signed(ack, &self.archive)
    }

    /// The state of every purpose for `student` at `at`, under the published `forms` (oldest first).
    ///
    /// # Panics
    /// If a logged receipt does not link to its certificate and acknowledgement.
    pub fn state(&self, forms: &[Signed<ConsentForm>], student: &Student, at: Timestamp) -> ConsentState {
        let context = FoldContext { student: &student.id, birth_date: student.birth_date, forms };
        let receipts = self.entries.iter().map(|(receipt, certificate, ack)| {
            LoggedReceipt::new(receipt, certificate, ack).unwrap_or_else(|e| panic!("fixture receipt: {e}"))
        });
        let papers = self
            .papers
            .iter()
            .map(|(record, ack)| LoggedPaper::new(record, ack).unwrap_or_else(|e| panic!("fixture paper slip: {e}")));
        consent_state(context, receipts, papers, at)
    }

    /// The state of one purpose.
    pub fn status(
        &self,
        forms: &[Signed<ConsentForm>],
        student: &Student,
        purpose_id: &str,
        at: Timestamp,
    ) -> PurposeState {
        let state = self.state(forms, student, at);
        state.purposes.get(&purpose(purpose_id)).cloned().unwrap_or_else(|| panic!("no purpose {purpose_id}"))
    }
}
