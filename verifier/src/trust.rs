//! The chain of trust: school root key → archive-key delegation → enrolment certificates →
//! receipts, requests, decisions, acknowledgements and checkpoints.
//!
//! Every entry point takes bytes (and the already-verified objects it depends on) and returns a
//! [`Verified`] value, which only this module can construct, or a precise [`TrustError`]. The
//! order of checks is always: decode and verify the signature under the key that must have signed
//! (`shared::open`), then the school, then the links to other objects, then time.

use shared::ids::{PurposeId, StudentId};
use shared::objects::Role;
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate,
    EnrolmentRequest, HistoryRequest, Invitation, RequestDecision, RightsRequest,
};
use shared::primitives::{Digest, KeyError, PublicKey};
use shared::{decode, envelope::SignatureError, open, OpenError, Signed, SignedObject, Timestamp};

/// An object that passed every check of the trust chain.
///
/// Constructed only by this module: the archive and the audits take `Verified<T>`, so unverified
/// input cannot reach them.
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

    /// Wraps an object this process has just signed itself with a key it trusts.
    pub(crate) fn issued(signed: Signed<T>) -> Verified<T> {
        Verified(signed)
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

fn same<T: PartialEq + std::fmt::Display>(field: &'static str, expected: &T, got: &T) -> Result<(), TrustError> {
    if expected == got {
        return Ok(());
    }
    Err(TrustError::Mismatch { field, expected: expected.to_string(), got: got.to_string() })
}

fn school(expected: &PublicKey, got: &PublicKey) -> Result<(), TrustError> {
    if expected != got {
        return Err(TrustError::WrongSchool { expected: *expected, got: *got });
    }
    Ok(())
}

/// What an offline reader trusts: the school's root key and the archive keys it delegated.
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

    /// Verifies a delegation under the root key and trusts its archive key from then on.
    pub fn add_delegation(&mut self, bytes: &[u8]) -> Result<Verified<ArchiveDelegation>, TrustError> {
        let delegation: Signed<ArchiveDelegation> = open(bytes, &self.root)?;
        school(&self.root, &delegation.body().school)?;
        let verified = Verified(delegation);
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
        let invitation: Verified<Invitation> = self.root_signed(bytes)?;
        let expired = invitation.body().expires;
        if now > expired {
            return Err(TrustError::Expired { expired, now });
        }
        Ok(invitation)
    }

    /// An enrolment request for `invitation`, signed by the strong key it offers.
    pub fn enrolment_request(
        &self,
        bytes: &[u8],
        invitation: &Verified<Invitation>,
    ) -> Result<Verified<EnrolmentRequest>, TrustError> {
        let envelope = decode::<EnrolmentRequest>(bytes)?;
        let offered = envelope.unverified_body().key;
        offered.verifying_key().map_err(TrustError::WeakKey)?;
        let request = envelope.verify(&offered).map_err(OpenError::from)?;
        school(&self.root, &request.body().school)?;
        same("invitation", &invitation.hash(), &request.body().invitation)?;
        Ok(Verified(request))
    }

    /// An enrolment certificate, signed by an archive key delegated at its issue time.
    pub fn certificate(&self, bytes: &[u8]) -> Result<Verified<EnrolmentCertificate>, TrustError> {
        let certificate: Verified<EnrolmentCertificate> =
            self.archive_signed(bytes, |c: &EnrolmentCertificate| c.issued)?;
        certificate.body().key.verifying_key().map_err(TrustError::WeakKey)?;
        Ok(certificate)
    }

    /// A receipt signed by the holder of `certificate`, answering `form`.
    pub fn receipt(
        &self,
        bytes: &[u8],
        certificate: &Verified<EnrolmentCertificate>,
        form: &Verified<ConsentForm>,
    ) -> Result<Verified<ConsentReceipt>, TrustError> {
        let receipt: Signed<ConsentReceipt> = open(bytes, &certificate.body().key)?;
        let body = receipt.body();
        self.signed_as(certificate, &body.school, &body.certificate, &body.student, body.role)?;
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
        let body = request.body();
        self.signed_as(certificate, &body.school, &body.certificate, &body.student, body.role)?;
        Ok(Verified(request))
    }

    /// A history request signed by the holder of `certificate`.
    pub fn history_request(
        &self,
        bytes: &[u8],
        certificate: &Verified<EnrolmentCertificate>,
    ) -> Result<Verified<HistoryRequest>, TrustError> {
        let request: Signed<HistoryRequest> = open(bytes, &certificate.body().key)?;
        school(&self.root, &request.body().school)?;
        same("certificate", &certificate.hash(), &request.body().certificate)?;
        Ok(Verified(request))
    }

    /// The school's decision on a request, signed by an archive key delegated when it was made.
    pub fn decision(&self, bytes: &[u8]) -> Result<Verified<RequestDecision>, TrustError> {
        self.archive_signed(bytes, |d: &RequestDecision| d.decided)
    }

    /// A checkpoint, signed by an archive key delegated at its time.
    pub fn checkpoint(&self, bytes: &[u8]) -> Result<Verified<Checkpoint>, TrustError> {
        let checkpoint: Verified<Checkpoint> = self.archive_signed(bytes, |c: &Checkpoint| c.time)?;
        Ok(checkpoint)
    }

    /// An acknowledgement, signed by an archive key delegated at its server time.
    pub fn acknowledgement(&self, bytes: &[u8]) -> Result<Verified<Acknowledgement>, TrustError> {
        let ack: Verified<Acknowledgement> = self.archive_signed(bytes, |a: &Acknowledgement| a.server_time)?;
        school(&self.root, &ack.body().checkpoint.school)?;
        Ok(ack)
    }

    /// What a person-signed object states about its signer agrees with their certificate.
    fn signed_as(
        &self,
        certificate: &Verified<EnrolmentCertificate>,
        stated_school: &PublicKey,
        stated_certificate: &Digest,
        stated_student: &StudentId,
        stated_role: Role,
    ) -> Result<(), TrustError> {
        let cert = certificate.body();
        school(&self.root, stated_school)?;
        same("certificate", &certificate.hash(), stated_certificate)?;
        same("student", &cert.student, stated_student)?;
        same("role", &format!("{:?}", cert.role), &format!("{stated_role:?}"))
    }

    fn root_signed<T: SignedObject + HasSchool>(&self, bytes: &[u8]) -> Result<Verified<T>, TrustError> {
        let signed: Signed<T> = open(bytes, &self.root)?;
        school(&self.root, signed.body().school())?;
        Ok(Verified(signed))
    }

    /// Opens an object under the archive key it names, if a delegation covers the time `when` it claims.
    fn archive_signed<T: SignedObject + HasSchool>(
        &self,
        bytes: &[u8],
        when: impl Fn(&T) -> Timestamp,
    ) -> Result<Verified<T>, TrustError> {
        let envelope = decode::<T>(bytes)?;
        let key = *envelope.signer();
        let at = when(envelope.unverified_body());
        if !self.delegates(&key, at) {
            // Check the signature first, so that a forged object is reported as forged.
            envelope.clone().verify(&key).map_err(OpenError::from)?;
            return Err(TrustError::NotDelegated { key, at });
        }
        let signed = envelope.verify(&key).map_err(|e: SignatureError| OpenError::from(e))?;
        school(&self.root, signed.body().school())?;
        Ok(Verified(signed))
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
    Acknowledgement
);
