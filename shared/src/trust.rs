//! The chain of trust: school root key → archive-key delegation → enrolment certificates →
//! receipts, requests, decisions, acknowledgements and checkpoints; and for staff, root key →
//! staff invitation → staff certificate (archive-signed) → staff requests.
//!
//! It lives in the protocol crate so that the widget in the browser and the verifier on the server
//! answer "is this object trusted?" with the same code. Every entry point takes bytes (and the
//! already-verified objects it depends on) and returns a [`Verified`] value or a precise
//! [`TrustError`]. The order of checks is always: decode and verify the signature under the key
//! that must have signed ([`open`]), then the school, then the links to other objects, then time.
//!
//! The one other way to a [`Verified`] value is for the holder of a trusted key to sign a new
//! object with it: [`TrustStore::sign_by_root`] and [`TrustStore::sign_by_archive`] check that the
//! key is the one this store trusts for that kind at that instant, and the rules verification
//! would apply to the body, before signing. They verify no signature (the object was signed a
//! moment ago by a key the caller holds), so the archive's append path costs no more than it did.

use crate::envelope::SignatureError;
use crate::ids::{PurposeId, StudentId};
use crate::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate,
    EnrolmentRequest, HistoryRequest, Invitation, PaperRecord, RequestDecision, RightsRequest, Role, StaffCertificate,
    StaffDecision, StaffEnrolmentRequest, StaffInvitation, StaffRequest, StaffRevocation, StaffRole,
};
use crate::primitives::{Digest, KeyError, PublicKey};
use crate::{decode, open, sign, Envelope, OpenError, SignError, Signed, SignedObject, Timestamp};
use ed25519_dalek::SigningKey;

/// An object that passed every check of the trust chain.
///
/// Constructed only by [`TrustStore`]: by verification, or by signing with the key it trusts for
/// the kind. Code that must not see unverified input (the archive, the audits, the widget's
/// screens) takes `Verified<T>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<T>(Signed<T>);

impl<T: SignedObject> Verified<T> {
    /// The verified body.
    pub fn body(&self) -> &T {
        self.0.body()
    }

    /// The object's name (SHA-256 of its canonical bytes).
    pub fn hash(&self) -> Digest {
        self.0.hash()
    }

    /// The canonical bytes.
    pub fn bytes(&self) -> &[u8] {
        self.0.bytes()
    }

    /// The signed object, as the protocol's pure functions take it.
    pub fn signed(&self) -> &Signed<T> {
        &self.0
    }
}

/// Why an object is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The bytes are not a well-formed, correctly signed object of the expected kind.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The object belongs to another school.
    #[error("the object belongs to school {got}, not to {expected}")]
    WrongSchool {
        /// This school's root key.
        expected: PublicKey,
        /// The school the object names.
        got: PublicKey,
    },
    /// Signed by an archive key that no delegation from the root key covers at that time.
    #[error("key {key} is not a delegated archive key at {at}")]
    NotDelegated {
        /// The signing key.
        key: PublicKey,
        /// The instant the object claims.
        at: Timestamp,
    },
    /// The invitation has expired.
    #[error("the invitation expired at {expired}; it is now {now}")]
    Expired {
        /// When it expired.
        expired: Timestamp,
        /// The time of the attempt.
        now: Timestamp,
    },
    /// The staff certificate has expired; it authorises nothing from that instant on.
    #[error("the staff certificate expired at {expired}; it is now {now}")]
    CertificateExpired {
        /// When it expired.
        expired: Timestamp,
        /// The time of the attempt.
        now: Timestamp,
    },
    /// The staff member's role may not do this (a teacher deciding a rights request).
    #[error("a {role:?} may not do this")]
    OutOfScope {
        /// The certified role.
        role: StaffRole,
    },
    /// The key offered for enrolment is a weak (small-order) key or not a curve point.
    #[error("the key offered for enrolment is not acceptable: {0}")]
    WeakKey(KeyError),
    /// The object refers to another object than the one it was checked against.
    #[error("`{field}` names {got}, expected {expected}")]
    Mismatch {
        /// Which field.
        field: &'static str,
        /// The value it should have.
        expected: String,
        /// The value it has.
        got: String,
    },
    /// A receipt decides on a purpose its form does not have.
    #[error("purpose `{0}` is not in the form the receipt answers")]
    UnknownPurpose(PurposeId),
}

/// Why [`TrustStore::sign_by_root`] or [`TrustStore::sign_by_archive`] refused to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The object would not be trusted: verification would refuse it for this reason (the key
    /// is not the root key, or not delegated at the object's instant; the body names another
    /// school; a certificate certifies a weak key…).
    #[error(transparent)]
    Untrusted(#[from] TrustError),
    /// The body breaks a rule of its kind, or has no canonical encoding.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// What an object a person signed (a receipt, a rights request) states about who signed it.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    /// The key its envelope names as signer.
    pub key: &'a PublicKey,
    /// The school it is addressed to.
    pub school: &'a PublicKey,
    /// The hash of the signer's enrolment certificate.
    pub certificate: &'a Digest,
    /// The student it is about.
    pub student: &'a StudentId,
    /// The role it is signed in.
    pub role: Role,
}

impl<'a> Signer<'a> {
    /// What a consent receipt states about its signer.
    pub fn of_receipt(receipt: &'a Signed<ConsentReceipt>) -> Signer<'a> {
        let body = receipt.body();
        Signer {
            key: receipt.signer(),
            school: &body.school,
            certificate: &body.certificate,
            student: &body.student,
            role: body.role,
        }
    }

    /// What a rights request states about its signer.
    pub fn of_request(request: &'a Signed<RightsRequest>) -> Signer<'a> {
        let body = request.body();
        Signer {
            key: request.signer(),
            school: &body.school,
            certificate: &body.certificate,
            student: &body.student,
            role: body.role,
        }
    }

    /// The one rule tying a person-signed object to its signer's certificate, wherever it is
    /// checked (the trust store, the fold, the widget's history): the object names that
    /// certificate, was signed by its key, and states its school, student and role.
    pub fn agrees_with(&self, certificate: &Signed<EnrolmentCertificate>) -> Result<(), Mismatch> {
        let cert = certificate.body();
        agreeing("certificate", &certificate.hash(), self.certificate)?;
        agreeing("signer", &cert.key, self.key)?;
        agreeing("school", &cert.school, self.school)?;
        agreeing("student", &cert.student, self.student)?;
        agreeing("role", &cert.role.name(), &self.role.name())
    }
}

/// A field of an object that differs from the object it must agree with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` is {got}, expected {expected}")]
pub struct Mismatch {
    /// Which field.
    pub field: &'static str,
    /// The value it should have.
    pub expected: String,
    /// The value it has.
    pub got: String,
}

impl From<Mismatch> for TrustError {
    fn from(Mismatch { field, expected, got }: Mismatch) -> TrustError {
        TrustError::Mismatch { field, expected, got }
    }
}

fn agreeing<T: PartialEq + std::fmt::Display>(field: &'static str, expected: &T, got: &T) -> Result<(), Mismatch> {
    if expected == got {
        return Ok(());
    }
    Err(Mismatch { field, expected: expected.to_string(), got: got.to_string() })
}

fn same<T: PartialEq + std::fmt::Display>(field: &'static str, expected: &T, got: &T) -> Result<(), TrustError> {
    Ok(agreeing(field, expected, got)?)
}

fn school(expected: &PublicKey, got: &PublicKey) -> Result<(), TrustError> {
    if expected != got {
        return Err(TrustError::WrongSchool { expected: *expected, got: *got });
    }
    Ok(())
}

/// What a reader trusts: the school's root key and the archive keys it delegated.
#[derive(Debug, Clone)]
pub struct TrustStore {
    root: PublicKey,
    delegations: Vec<Verified<ArchiveDelegation>>,
}

impl TrustStore {
    /// Trust in `root` alone; delegations are added as they are verified.
    pub fn new(root: PublicKey) -> TrustStore {
        TrustStore { root, delegations: Vec::new() }
    }

    /// The school's root key.
    pub fn root(&self) -> &PublicKey {
        &self.root
    }

    /// A delegation, signed by the root key; it does not make its archive key trusted (see
    /// [`TrustStore::add_delegation`]).
    pub fn delegation(&self, bytes: &[u8]) -> Result<Verified<ArchiveDelegation>, TrustError> {
        self.root_signed(bytes)
    }

    /// Verifies a delegation under the root key and trusts its archive key from then on.
    pub fn add_delegation(&mut self, bytes: &[u8]) -> Result<Verified<ArchiveDelegation>, TrustError> {
        let verified = self.delegation(bytes)?;
        if !self.delegations.iter().any(|d| d.hash() == verified.hash()) {
            self.delegations.push(verified.clone());
        }
        Ok(verified)
    }

    /// Whether a delegation covers archive key `key` at `at`.
    pub fn delegates(&self, key: &PublicKey, at: Timestamp) -> bool {
        self.delegations.iter().any(|d| {
            let d = d.body();
            d.archive_key == *key && d.valid_from <= at && at <= d.valid_until
        })
    }

    /// A form version, signed by the root key.
    pub fn form(&self, bytes: &[u8]) -> Result<Verified<ConsentForm>, TrustError> {
        self.root_signed(bytes)
    }

    /// An invitation, signed by the root key and unexpired at `now`.
    pub fn invitation(&self, bytes: &[u8], now: Timestamp) -> Result<Verified<Invitation>, TrustError> {
        self.unexpired_invitation(bytes, now)
    }

    /// An enrolment request for `invitation`, signed by the strong key it offers.
    pub fn enrolment_request(
        &self,
        bytes: &[u8],
        invitation: &Verified<Invitation>,
    ) -> Result<Verified<EnrolmentRequest>, TrustError> {
        self.key_request(bytes, invitation.hash())
    }

    /// An enrolment certificate, signed by an archive key delegated at its issue time.
    pub fn certificate(&self, bytes: &[u8]) -> Result<Verified<EnrolmentCertificate>, TrustError> {
        self.archive_signed(bytes)
    }

    /// A receipt signed by the holder of `certificate`, answering `form`.
    pub fn receipt(
        &self,
        bytes: &[u8],
        certificate: &Verified<EnrolmentCertificate>,
        form: &Verified<ConsentForm>,
    ) -> Result<Verified<ConsentReceipt>, TrustError> {
        self.decoded_receipt(decode(bytes)?, certificate, form)
    }

    /// [`TrustStore::receipt`] for a receipt already decoded (to find its certificate and form).
    pub fn decoded_receipt(
        &self,
        receipt: Envelope<ConsentReceipt>,
        certificate: &Verified<EnrolmentCertificate>,
        form: &Verified<ConsentForm>,
    ) -> Result<Verified<ConsentReceipt>, TrustError> {
        let receipt = receipt.verify(&certificate.body().key).map_err(OpenError::from)?;
        self.receipt_rules(receipt, certificate, form)
    }

    /// The checks on a receipt once its signature verified under the certificate's key.
    fn receipt_rules(
        &self,
        receipt: Signed<ConsentReceipt>,
        certificate: &Verified<EnrolmentCertificate>,
        form: &Verified<ConsentForm>,
    ) -> Result<Verified<ConsentReceipt>, TrustError> {
        self.signed_as(certificate, Signer::of_receipt(&receipt))?;
        let body = receipt.body();
        same("form", &form.hash(), &body.form)?;
        if let Some(unknown) = body.decisions.keys().find(|p| form.body().purpose(p).is_none()) {
            return Err(TrustError::UnknownPurpose(unknown.clone()));
        }
        Ok(Verified(receipt))
    }

    /// A rights request signed by the holder of `certificate`.
    pub fn request(
        &self,
        bytes: &[u8],
        certificate: &Verified<EnrolmentCertificate>,
    ) -> Result<Verified<RightsRequest>, TrustError> {
        let request: Signed<RightsRequest> = open(bytes, &certificate.body().key)?;
        self.signed_as(certificate, Signer::of_request(&request))?;
        Ok(Verified(request))
    }

    /// A history request signed by the holder of `certificate`.
    pub fn history_request(
        &self,
        bytes: &[u8],
        certificate: &Verified<EnrolmentCertificate>,
    ) -> Result<Verified<HistoryRequest>, TrustError> {
        self.challenge_answer(bytes, certificate, &certificate.body().key)
    }

    /// A staff invitation, signed by the root key and unexpired at `now`.
    pub fn staff_invitation(&self, bytes: &[u8], now: Timestamp) -> Result<Verified<StaffInvitation>, TrustError> {
        self.unexpired_invitation(bytes, now)
    }

    /// A staff enrolment request for `invitation`, signed by the strong key it offers.
    pub fn staff_enrolment_request(
        &self,
        bytes: &[u8],
        invitation: &Verified<StaffInvitation>,
    ) -> Result<Verified<StaffEnrolmentRequest>, TrustError> {
        self.key_request(bytes, invitation.hash())
    }

    /// A staff certificate, signed by an archive key delegated at its issue time, certifying a
    /// strong key. Whether it was revoked since is the archive's to say, not the certificate's.
    pub fn staff_certificate(&self, bytes: &[u8]) -> Result<Verified<StaffCertificate>, TrustError> {
        self.archive_signed(bytes)
    }

    /// A console call's authorisation, signed by the holder of `certificate`, which must be
    /// unexpired at `now`. The caller checks, in its own state, that the challenge is one it
    /// issued and unused, that the certificate is not revoked, and that `method`, `path` and
    /// `body` are those of the call it is answering.
    pub fn staff_request(
        &self,
        bytes: &[u8],
        certificate: &Verified<StaffCertificate>,
        now: Timestamp,
    ) -> Result<Verified<StaffRequest>, TrustError> {
        self.staff_signed(bytes, certificate, now)
    }

    /// A staff member's decision on a rights request, signed by the holder of `certificate` while
    /// it was unexpired (at `now`, when the archive receives it; an auditor passes the instant the
    /// log recorded), by a role that may handle requests. Revocation is the archive's state: the
    /// caller checks it, as for [`TrustStore::staff_request`].
    pub fn staff_decision(
        &self,
        bytes: &[u8],
        certificate: &Verified<StaffCertificate>,
        now: Timestamp,
    ) -> Result<Verified<StaffDecision>, TrustError> {
        if !certificate.body().may_handle_requests() {
            return Err(TrustError::OutOfScope { role: certificate.body().role });
        }
        self.staff_signed(bytes, certificate, now)
    }

    /// A staff member's record of a family's paper slip, signed by the holder of `certificate`
    /// while it was unexpired (at `now`, as for [`TrustStore::staff_decision`]), by a role that
    /// may record slips, answering the published version `form` and deciding only on its
    /// purposes. Which family members exist is the archive's to check, as revocation is.
    pub fn paper_record(
        &self,
        bytes: &[u8],
        certificate: &Verified<StaffCertificate>,
        form: &Verified<ConsentForm>,
        now: Timestamp,
    ) -> Result<Verified<PaperRecord>, TrustError> {
        if !certificate.body().may_record_paper_slips() {
            return Err(TrustError::OutOfScope { role: certificate.body().role });
        }
        let record: Verified<PaperRecord> = self.staff_signed(bytes, certificate, now)?;
        let body = record.body();
        same("form", &form.hash(), &body.form)?;
        if let Some(unknown) = body.decisions.keys().find(|p| form.body().purpose(p).is_none()) {
            return Err(TrustError::UnknownPurpose(unknown.clone()));
        }
        Ok(record)
    }

    /// The archive's revocation of a staff certificate, signed by a key delegated at its instant.
    pub fn staff_revocation(&self, bytes: &[u8]) -> Result<Verified<StaffRevocation>, TrustError> {
        self.archive_signed(bytes)
    }

    /// The school's decision on a request, signed by an archive key delegated when it was made.
    pub fn decision(&self, bytes: &[u8]) -> Result<Verified<RequestDecision>, TrustError> {
        self.archive_signed(bytes)
    }

    /// A checkpoint, signed by an archive key delegated at its time.
    pub fn checkpoint(&self, bytes: &[u8]) -> Result<Verified<Checkpoint>, TrustError> {
        self.archive_signed(bytes)
    }

    /// An acknowledgement, signed by an archive key delegated at its server time.
    pub fn acknowledgement(&self, bytes: &[u8]) -> Result<Verified<Acknowledgement>, TrustError> {
        self.archive_signed(bytes)
    }

    /// [`TrustStore::acknowledgement`], with the same verdict, for the archive that holds `key`:
    /// its own signatures are checked by signing again ([`crate::Envelope::verify_own`]).
    pub fn own_acknowledgement(&self, bytes: &[u8], key: &SigningKey) -> Result<Verified<Acknowledgement>, TrustError> {
        let envelope = decode::<Acknowledgement>(bytes)?;
        if envelope.signer() != &PublicKey::of(key) {
            return self.archive_signed(bytes);
        }
        self.archive_signed_rules(envelope.verify_own(key))
    }

    /// Signs `body` with the root key `key` (a form version, an invitation, a delegation).
    ///
    /// Refuses, before signing, a key other than this store's root key (`WrongSigner`, as
    /// verification would) and a body naming another school.
    pub fn sign_by_root<T: RootSigned>(&self, body: T, key: &SigningKey) -> Result<Verified<T>, IssueError> {
        let signer = PublicKey::of(key);
        if signer != self.root {
            let wrong = SignatureError::WrongSigner { expected: self.root, got: signer };
            return Err(TrustError::Open(wrong.into()).into());
        }
        school(&self.root, body.school())?;
        Ok(Verified(sign(body, key)?))
    }

    /// Signs `body` with the archive key `key` (a certificate, a decision, a checkpoint, an
    /// acknowledgement).
    ///
    /// Refuses, before signing, a key that no delegation covers at the instant the body states
    /// ([`ArchiveSigned::signed_at`], the instant verification checks), and a body that breaks
    /// the rules verification applies after the signature: checking the key is a lookup, and no
    /// signature is verified.
    pub fn sign_by_archive<T: ArchiveSigned>(&self, body: T, key: &SigningKey) -> Result<Verified<T>, IssueError> {
        let signer = PublicKey::of(key);
        let at = body.signed_at();
        if !self.delegates(&signer, at) {
            return Err(TrustError::NotDelegated { key: signer, at }.into());
        }
        self.archive_rules(&body)?;
        Ok(Verified(sign(body, key)?))
    }

    /// What a person-signed object states about its signer agrees with their certificate, and
    /// names this school.
    fn signed_as(&self, certificate: &Verified<EnrolmentCertificate>, stated: Signer<'_>) -> Result<(), TrustError> {
        school(&self.root, stated.school)?;
        Ok(stated.agrees_with(certificate.signed())?)
    }

    /// An invitation of either kind: signed by the root key, unexpired at `now`.
    fn unexpired_invitation<T: RootSigned + Expiring>(
        &self,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<Verified<T>, TrustError> {
        let invitation: Verified<T> = self.root_signed(bytes)?;
        let expired = invitation.body().expires();
        if now > expired {
            return Err(TrustError::Expired { expired, now });
        }
        Ok(invitation)
    }

    /// A proof of possession answering the invitation named `invitation`: the key it offers is
    /// strong (checked before its signature is looked at) and signed it.
    fn key_request<T: OffersKey>(&self, bytes: &[u8], invitation: Digest) -> Result<Verified<T>, TrustError> {
        let envelope = decode::<T>(bytes)?;
        let offered = *envelope.unverified_body().key();
        strong(&offered)?;
        let request = envelope.verify(&offered).map_err(OpenError::from)?;
        school(&self.root, request.body().school())?;
        same("invitation", &invitation, request.body().invitation())?;
        Ok(Verified(request))
    }

    /// An answer to a service challenge, signed by `key`, the key of `certificate`, which it names.
    fn challenge_answer<T: AnswersChallenge, C: SignedObject>(
        &self,
        bytes: &[u8],
        certificate: &Verified<C>,
        key: &PublicKey,
    ) -> Result<Verified<T>, TrustError> {
        let request: Signed<T> = open(bytes, key)?;
        school(&self.root, request.body().school())?;
        same("certificate", &certificate.hash(), request.body().certificate())?;
        Ok(Verified(request))
    }

    /// An object signed by a staff key for `certificate`, which names it, while the certificate
    /// is unexpired at `now`.
    fn staff_signed<T: AnswersChallenge>(
        &self,
        bytes: &[u8],
        certificate: &Verified<StaffCertificate>,
        now: Timestamp,
    ) -> Result<Verified<T>, TrustError> {
        let signed = self.challenge_answer(bytes, certificate, &certificate.body().key)?;
        let expired = certificate.body().expires;
        if now > expired {
            return Err(TrustError::CertificateExpired { expired, now });
        }
        Ok(signed)
    }

    fn root_signed<T: RootSigned>(&self, bytes: &[u8]) -> Result<Verified<T>, TrustError> {
        let signed: Signed<T> = open(bytes, &self.root)?;
        school(&self.root, signed.body().school())?;
        Ok(Verified(signed))
    }

    /// Opens an object under the archive key it names, if a delegation covers the instant it claims.
    fn archive_signed<T: ArchiveSigned>(&self, bytes: &[u8]) -> Result<Verified<T>, TrustError> {
        let envelope = decode::<T>(bytes)?;
        let key = *envelope.signer();
        self.archive_signed_rules(envelope.verify(&key))
    }

    /// The checks on an archive-signed object once its signature is checked under the key it
    /// names: a forged object is reported as forged first; then the key must be delegated at the
    /// instant the body states, and the body must keep the archive's rules.
    fn archive_signed_rules<T: ArchiveSigned>(
        &self,
        signed: Result<Signed<T>, SignatureError>,
    ) -> Result<Verified<T>, TrustError> {
        let signed = signed.map_err(OpenError::from)?;
        let (key, at) = (*signed.signer(), signed.body().signed_at());
        if !self.delegates(&key, at) {
            return Err(TrustError::NotDelegated { key, at });
        }
        self.archive_rules(signed.body())?;
        Ok(Verified(signed))
    }

    /// The checks on an archive-signed body once its signer is trusted: its school, then the
    /// rules of its kind. Shared by verifying and signing, so the two cannot drift apart.
    fn archive_rules<T: ArchiveSigned>(&self, body: &T) -> Result<(), TrustError> {
        school(&self.root, body.school())?;
        body.trust_rules(&self.root)
    }
}

/// Objects that name their school.
pub trait HasSchool {
    /// The school's root key, as the object states it.
    fn school(&self) -> &PublicKey;
}

macro_rules! has_school {
    ($($kind:ty),*) => {
        $(impl HasSchool for $kind {
            fn school(&self) -> &PublicKey {
                &self.school
            }
        })*
    };
}

has_school!(
    HistoryRequest,
    ConsentForm,
    ArchiveDelegation,
    Invitation,
    EnrolmentRequest,
    EnrolmentCertificate,
    ConsentReceipt,
    RightsRequest,
    RequestDecision,
    Checkpoint,
    Acknowledgement,
    StaffInvitation,
    StaffEnrolmentRequest,
    StaffCertificate,
    StaffRequest,
    StaffDecision,
    StaffRevocation,
    PaperRecord
);

/// The invitations, which stop admitting enrolments at an instant they state.
trait Expiring {
    fn expires(&self) -> Timestamp;
}

/// The proofs of possession: a request, signed by the key it offers, to certify that key for an
/// invitation.
trait OffersKey: SignedObject + HasSchool {
    fn invitation(&self) -> &Digest;
    fn key(&self) -> &PublicKey;
}

/// The objects signed by the key of the certificate they name: answers to a service challenge,
/// and a staff member's decisions.
trait AnswersChallenge: SignedObject + HasSchool {
    fn certificate(&self) -> &Digest;
}

impl Expiring for Invitation {
    fn expires(&self) -> Timestamp {
        self.expires
    }
}

impl Expiring for StaffInvitation {
    fn expires(&self) -> Timestamp {
        self.expires
    }
}

impl OffersKey for EnrolmentRequest {
    fn invitation(&self) -> &Digest {
        &self.invitation
    }
    fn key(&self) -> &PublicKey {
        &self.key
    }
}

impl OffersKey for StaffEnrolmentRequest {
    fn invitation(&self) -> &Digest {
        &self.invitation
    }
    fn key(&self) -> &PublicKey {
        &self.key
    }
}

impl AnswersChallenge for HistoryRequest {
    fn certificate(&self) -> &Digest {
        &self.certificate
    }
}

impl AnswersChallenge for StaffRequest {
    fn certificate(&self) -> &Digest {
        &self.certificate
    }
}

impl AnswersChallenge for StaffDecision {
    fn certificate(&self) -> &Digest {
        &self.certificate
    }
}

impl AnswersChallenge for PaperRecord {
    fn certificate(&self) -> &Digest {
        &self.certificate
    }
}

/// The kinds only the school's root key signs. The bound on [`TrustStore::sign_by_root`] keeps
/// the root key from minting a trusted object of any other kind.
pub trait RootSigned: SignedObject + HasSchool {}

impl RootSigned for ConsentForm {}
impl RootSigned for Invitation {}
impl RootSigned for ArchiveDelegation {}
impl RootSigned for StaffInvitation {}

/// The kinds a delegated archive key signs, with the instant its delegation must cover. The bound
/// on [`TrustStore::sign_by_archive`] keeps the archive key from minting a trusted receipt or form.
pub trait ArchiveSigned: SignedObject + HasSchool {
    /// The instant the object states it was signed at; a delegation must cover it.
    fn signed_at(&self) -> Timestamp;

    /// The kind's rules beyond its signer and its school (which are checked for every kind),
    /// given this school's root key `root`; none unless the kind says so.
    fn trust_rules(&self, _root: &PublicKey) -> Result<(), TrustError> {
        Ok(())
    }
}

impl ArchiveSigned for EnrolmentCertificate {
    fn signed_at(&self) -> Timestamp {
        self.issued
    }

    /// The certified key must be a strong curve point: anyone can forge signatures under a weak
    /// (small-order) key.
    fn trust_rules(&self, _root: &PublicKey) -> Result<(), TrustError> {
        strong(&self.key)
    }
}

impl ArchiveSigned for StaffCertificate {
    fn signed_at(&self) -> Timestamp {
        self.issued
    }

    /// As for a family's certificate, the certified key must be strong.
    fn trust_rules(&self, _root: &PublicKey) -> Result<(), TrustError> {
        strong(&self.key)
    }
}

/// A key that is a curve point, canonically encoded, not of small order.
fn strong(key: &PublicKey) -> Result<(), TrustError> {
    key.verifying_key().map(|_| ()).map_err(TrustError::WeakKey)
}

impl ArchiveSigned for StaffRevocation {
    fn signed_at(&self) -> Timestamp {
        self.revoked
    }
}

impl ArchiveSigned for RequestDecision {
    fn signed_at(&self) -> Timestamp {
        self.decided
    }
}

impl ArchiveSigned for Checkpoint {
    fn signed_at(&self) -> Timestamp {
        self.time
    }
}

impl ArchiveSigned for Acknowledgement {
    fn signed_at(&self) -> Timestamp {
        self.server_time
    }

    /// The checkpoint inside is this school's tree head too.
    fn trust_rules(&self, root: &PublicKey) -> Result<(), TrustError> {
        school(root, &self.checkpoint.school)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Digest;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_bytes(&[byte; 32])
    }

    fn at(unix: i64) -> Timestamp {
        Timestamp::from_unix(unix).expect("in range")
    }

    /// A school whose root key delegated `key(2)` from 1000 to 2000.
    fn store() -> (TrustStore, SigningKey) {
        let root = key(1);
        let mut trust = TrustStore::new(PublicKey::of(&root));
        let delegation = ArchiveDelegation {
            school: PublicKey::of(&root),
            archive_key: PublicKey::of(&key(2)),
            valid_from: at(1000),
            valid_until: at(2000),
        };
        let delegation = trust.sign_by_root(delegation, &root).expect("the root key signs a delegation");
        assert_eq!(trust.add_delegation(delegation.bytes()), Ok(delegation));
        (trust, root)
    }

    fn checkpoint(school: PublicKey, time: i64) -> Checkpoint {
        Checkpoint { school, tree_size: 1, root_hash: Digest::of(b"leaf"), time: at(time) }
    }

    /// Signs `body` with `signer` through `sign_by_archive`; what it returns must read back, from
    /// its bytes, as the same verified object, and what it refuses verification must refuse too.
    fn check<T: ArchiveSigned>(
        trust: &TrustStore,
        body: T,
        signer: &SigningKey,
        read: impl Fn(&TrustStore, &[u8]) -> Result<Verified<T>, TrustError>,
        expected: Result<(), TrustError>,
    ) {
        let issued = trust.sign_by_archive(body.clone(), signer);
        match (issued, expected) {
            (Ok(issued), Ok(())) => assert_eq!(read(trust, issued.bytes()), Ok(issued)),
            (Err(IssueError::Untrusted(got)), Err(want)) => {
                assert_eq!(got, want);
                let signed = sign(body, signer).expect("signs");
                assert_eq!(read(trust, signed.bytes()).map(|_| ()), Err(want));
            }
            (got, want) => panic!("got {got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn the_archive_signs_only_what_verification_accepts() {
        let (trust, root) = store();
        let school = *trust.root();
        let archive = PublicKey::of(&key(2));
        let other = PublicKey::of(&key(9));
        let read = TrustStore::checkpoint;
        check(&trust, checkpoint(school, 1500), &key(2), read, Ok(()));
        // The delegation's bounds are inclusive.
        check(&trust, checkpoint(school, 2000), &key(2), read, Ok(()));
        check(
            &trust,
            checkpoint(school, 2001),
            &key(2),
            read,
            Err(TrustError::NotDelegated { key: archive, at: at(2001) }),
        );
        check(
            &trust,
            checkpoint(school, 1500),
            &key(9),
            read,
            Err(TrustError::NotDelegated { key: other, at: at(1500) }),
        );
        check(
            &trust,
            checkpoint(school, 1500),
            &root,
            read,
            Err(TrustError::NotDelegated { key: school, at: at(1500) }),
        );
        check(
            &trust,
            checkpoint(other, 1500),
            &key(2),
            read,
            Err(TrustError::WrongSchool { expected: school, got: other }),
        );

        let ack = |checkpoint_school| Acknowledgement {
            school,
            object: Digest::of(b"receipt"),
            log_index: 0,
            server_time: at(1500),
            checkpoint: checkpoint(checkpoint_school, 1500),
        };
        let read = TrustStore::acknowledgement;
        check(&trust, ack(school), &key(2), read, Ok(()));
        check(&trust, ack(other), &key(2), read, Err(TrustError::WrongSchool { expected: school, got: other }));

        let certificate = |key: PublicKey| EnrolmentCertificate {
            school,
            invitation: Digest::of(b"invitation"),
            student: StudentId::try_from("s-1").expect("id"),
            person: crate::ids::PersonId::try_from("s-1-g1").expect("id"),
            role: Role::Guardian,
            student_birth_date: chrono::NaiveDate::from_ymd_opt(2017, 1, 1).expect("date"),
            key,
            issued: at(1500),
        };
        let read = TrustStore::certificate;
        check(&trust, certificate(other), &key(2), read, Ok(()));
        // The identity point, of order one: every signature "by" it would be meaningless.
        let mut weak = [0; 32];
        weak[0] = 1;
        let weak = PublicKey(weak);
        let want = weak.verifying_key().map(|_| ()).map_err(TrustError::WeakKey);
        check(&trust, certificate(weak), &key(2), read, want);
    }

    #[test]
    fn only_the_root_key_signs_as_the_root() {
        let (trust, root) = store();
        let school = *trust.root();
        let delegation = |school| ArchiveDelegation {
            school,
            archive_key: PublicKey::of(&key(3)),
            valid_from: at(1000),
            valid_until: at(3000),
        };
        let signed = trust.sign_by_root(delegation(school), &root).expect("signs");
        assert_eq!(trust.delegation(signed.bytes()), Ok(signed));
        // Signing does not make the new archive key trusted; adding the delegation does.
        assert!(!trust.delegates(&PublicKey::of(&key(3)), at(1500)));

        let archive = PublicKey::of(&key(2));
        let wrong_signer = SignatureError::WrongSigner { expected: school, got: archive };
        assert_eq!(
            trust.sign_by_root(delegation(school), &key(2)),
            Err(IssueError::Untrusted(TrustError::Open(wrong_signer.into())))
        );
        let other = PublicKey::of(&key(9));
        assert_eq!(
            trust.sign_by_root(delegation(other), &root),
            Err(IssueError::Untrusted(TrustError::WrongSchool { expected: school, got: other }))
        );
    }

    #[test]
    fn a_staff_key_is_trusted_from_a_root_signed_invitation_to_each_call_until_its_certificate_expires() {
        use crate::objects::{Method, StaffRole};
        let (trust, root) = store();
        let school = *trust.root();
        let staff = key(5);
        let invitation = StaffInvitation {
            school,
            person: crate::ids::PersonId::try_from("staff-7b").expect("id"),
            display_name: "Maria Ionescu".into(),
            role: StaffRole::Teacher,
            classes: vec!["7B".into()],
            expires: at(1200),
            nonce: crate::primitives::Nonce([7; 16]),
        };
        let signed_invitation = sign(invitation.clone(), &root).expect("signs");
        let verified = trust.staff_invitation(signed_invitation.bytes(), at(1100)).expect("a valid invitation");
        assert_eq!(
            trust.staff_invitation(signed_invitation.bytes(), at(1201)).map(drop),
            Err(TrustError::Expired { expired: at(1200), now: at(1201) })
        );
        // The archive key cannot invite staff: only the root key may.
        let by_archive = sign(invitation.clone(), &key(2)).expect("signs");
        let wrong_signer = SignatureError::WrongSigner { expected: school, got: PublicKey::of(&key(2)) };
        assert_eq!(
            trust.staff_invitation(by_archive.bytes(), at(1100)).map(drop),
            Err(TrustError::Open(wrong_signer.into()))
        );

        let request = |invitation: Digest| StaffEnrolmentRequest {
            school,
            invitation,
            key: PublicKey::of(&staff),
            client_time: at(1100),
        };
        let enrol = sign(request(verified.hash()), &staff).expect("signs");
        assert!(trust.staff_enrolment_request(enrol.bytes(), &verified).is_ok());
        let elsewhere = sign(request(Digest::of(b"another invitation")), &staff).expect("signs");
        assert!(matches!(
            trust.staff_enrolment_request(elsewhere.bytes(), &verified),
            Err(TrustError::Mismatch { field: "invitation", .. })
        ));

        let body = StaffCertificate::new(&signed_invitation, PublicKey::of(&staff), at(1100), at(1500));
        assert_eq!(body.classes, ["7B"]);
        let certificate = trust.sign_by_archive(body.clone(), &key(2)).expect("the archive certifies");
        assert_eq!(trust.staff_certificate(certificate.bytes()), Ok(certificate.clone()));
        let other = PublicKey::of(&key(9));
        assert_eq!(
            trust.sign_by_archive(StaffCertificate { school: other, ..body }, &key(2)),
            Err(IssueError::Untrusted(TrustError::WrongSchool { expected: school, got: other }))
        );

        let call = |certificate: Digest| StaffRequest {
            school,
            certificate,
            challenge: crate::primitives::Nonce([8; 16]),
            method: Method::Get,
            path: "/v1/staff/classes/7B/students".into(),
            body: None,
            client_time: at(1400),
        };
        let signed_call = sign(call(certificate.hash()), &staff).expect("signs");
        assert!(trust.staff_request(signed_call.bytes(), &certificate, at(1500)).is_ok());
        assert_eq!(
            trust.staff_request(signed_call.bytes(), &certificate, at(1501)).map(drop),
            Err(TrustError::CertificateExpired { expired: at(1500), now: at(1501) })
        );
        let other_certificate = sign(call(Digest::of(b"another certificate")), &staff).expect("signs");
        assert!(matches!(
            trust.staff_request(other_certificate.bytes(), &certificate, at(1400)),
            Err(TrustError::Mismatch { field: "certificate", .. })
        ));
        let by_another_key = sign(call(certificate.hash()), &key(6)).expect("signs");
        assert!(matches!(
            trust.staff_request(by_another_key.bytes(), &certificate, at(1400)),
            Err(TrustError::Open(OpenError::Signature(SignatureError::WrongSigner { .. })))
        ));
    }

    /// A certificate for `role` (classes `7B` for a teacher) of the key `staff`, signed by the
    /// archive key 2 of [`store`], valid from 1100 to 1500.
    fn staff_certificate(trust: &TrustStore, role: StaffRole, staff: &SigningKey) -> Verified<StaffCertificate> {
        let classes = if role.sees_whole_school() { vec![] } else { vec!["7B".to_owned()] };
        let body = StaffCertificate {
            school: *trust.root(),
            invitation: Digest::of(b"staff invitation"),
            person: crate::ids::PersonId::try_from("staff-1").expect("id"),
            role,
            classes,
            key: PublicKey::of(staff),
            issued: at(1100),
            expires: at(1500),
        };
        trust.sign_by_archive(body, &key(2)).expect("the archive certifies")
    }

    #[test]
    fn only_a_dpo_or_director_decides_a_rights_request_and_only_while_certified() {
        let (trust, _) = store();
        let staff = key(7);
        let decision = |certificate: Digest| StaffDecision {
            school: *trust.root(),
            certificate,
            request: Digest::of(b"request"),
            outcome: crate::objects::Outcome::Granted,
            reason: "Done.".into(),
            client_time: at(1400),
        };
        for role in [StaffRole::Dpo, StaffRole::Director] {
            let certificate = staff_certificate(&trust, role, &staff);
            let signed = sign(decision(certificate.hash()), &staff).expect("signs");
            assert!(trust.staff_decision(signed.bytes(), &certificate, at(1400)).is_ok(), "{role:?}");
            assert_eq!(
                trust.staff_decision(signed.bytes(), &certificate, at(1501)).map(drop),
                Err(TrustError::CertificateExpired { expired: at(1500), now: at(1501) })
            );
        }
        let teacher = staff_certificate(&trust, StaffRole::Teacher, &staff);
        let signed = sign(decision(teacher.hash()), &staff).expect("signs");
        assert_eq!(
            trust.staff_decision(signed.bytes(), &teacher, at(1400)).map(drop),
            Err(TrustError::OutOfScope { role: StaffRole::Teacher })
        );
    }

    #[test]
    fn a_staff_revocation_is_the_archive_s_while_delegated() {
        let (trust, _) = store();
        let body = StaffRevocation {
            school: *trust.root(),
            certificate: Digest::of(b"staff certificate"),
            person: crate::ids::PersonId::try_from("staff-1").expect("id"),
            revoked: at(1400),
        };
        let revocation = trust.sign_by_archive(body.clone(), &key(2)).expect("the archive revokes");
        assert_eq!(trust.staff_revocation(revocation.bytes()), Ok(revocation));
        let by_root = sign(body, &key(1)).expect("signs");
        assert!(matches!(trust.staff_revocation(by_root.bytes()), Err(TrustError::NotDelegated { .. })));
    }

    #[test]
    fn a_body_that_breaks_its_rules_is_not_signed() {
        let (trust, _) = store();
        let decision = RequestDecision {
            school: *trust.root(),
            request: Digest::of(b"request"),
            outcome: crate::objects::Outcome::Refused,
            reason: String::new(),
            decided: at(1500),
            staff_decision: None,
        };
        assert!(matches!(trust.sign_by_archive(decision, &key(2)), Err(IssueError::Sign(SignError::Invalid(_)))));
    }
}
