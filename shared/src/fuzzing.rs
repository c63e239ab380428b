//! What the fuzz targets under `fuzz/` run (`cargo xtask fuzz`). Compiled only with
//! `--cfg fuzzing`, which `cargo fuzz` passes, and for this crate's unit tests, which run every
//! test vector through it so that it cannot break unnoticed between fuzzing runs.
//!
//! Each helper feeds arbitrary bytes to a decoder and, when the bytes are accepted, asserts what
//! every accepted document must satisfy. A panic or a failed assertion is a crash the fuzzer
//! reports with the input that caused it.

use crate::encoding::{self, to_canonical};
use crate::envelope::signed_message;
use crate::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, EnrolmentCertificate,
    EnrolmentRequest, HistoryRequest, Invitation, PaperRecord, RequestDecision, RightsRequest, StaffCertificate,
    StaffDecision, StaffEnrolmentRequest, StaffInvitation, StaffRequest, StaffRevocation,
};
use crate::primitives::{Digest, PublicKey, Signature};
use crate::{decode, SignedObject};
use serde::Serialize;

/// The envelope's wire form, written out again here rather than borrowed from [`crate::envelope`],
/// so that the round trip is checked against an independent statement of the format.
#[derive(Serialize)]
struct Wire<'a, T> {
    body: &'a T,
    kind: &'a str,
    sig: &'a Signature,
    signer: &'a PublicKey,
}

/// Decodes `bytes` as an envelope of kind `T`; returns whether it was accepted.
///
/// For accepted bytes it asserts: the decoded envelope re-encodes to the input byte for byte; the
/// body alone is a canonical document that decodes to the same value; the object's name is the
/// hash of the input and the signed message is the domain-separated body; the content rules
/// hold. Then it verifies the signature under the key the envelope names, which must not panic
/// whatever that key and signature are.
pub fn object<T: SignedObject>(bytes: &[u8]) -> bool {
    let Ok(envelope) = decode::<T>(bytes) else { return false };
    let body = envelope.unverified_body();
    let wire = Wire { body, kind: T::KIND, sig: envelope.signature(), signer: envelope.signer() };
    let again = to_canonical(&wire).expect("an accepted envelope has a canonical encoding");
    assert!(again == bytes, "{}: accepted, but re-encodes to other bytes", T::KIND);
    let body_bytes = to_canonical(body).expect("an accepted body has a canonical encoding");
    let body_again: T = encoding::decode_canonical(&body_bytes).expect("the canonical body decodes on its own");
    assert!(&body_again == body, "{}: the body decodes to another value on its own", T::KIND);
    assert!(envelope.hash() == Digest::of(bytes), "{}: the name is not the hash of the bytes", T::KIND);
    assert!(
        envelope.signed_message() == signed_message(T::KIND, &body_bytes).as_slice(),
        "{}: the signed message is not the domain-separated canonical body",
        T::KIND
    );
    assert!(body.validate().is_ok(), "{}: accepted a body that breaks its content rules", T::KIND);
    let signer = *envelope.signer();
    let _ = envelope.verify(&signer);
    true
}

/// [`object`] for one kind.
pub type Decoder = fn(&[u8]) -> bool;

/// Every kind's [`object`], with its kind tag.
pub const KINDS: [(&str, Decoder); 18] = [
    (ConsentForm::KIND, object::<ConsentForm>),
    (ArchiveDelegation::KIND, object::<ArchiveDelegation>),
    (Invitation::KIND, object::<Invitation>),
    (EnrolmentRequest::KIND, object::<EnrolmentRequest>),
    (EnrolmentCertificate::KIND, object::<EnrolmentCertificate>),
    (ConsentReceipt::KIND, object::<ConsentReceipt>),
    (RightsRequest::KIND, object::<RightsRequest>),
    (RequestDecision::KIND, object::<RequestDecision>),
    (Acknowledgement::KIND, object::<Acknowledgement>),
    (Checkpoint::KIND, object::<Checkpoint>),
    (HistoryRequest::KIND, object::<HistoryRequest>),
    (StaffInvitation::KIND, object::<StaffInvitation>),
    (StaffEnrolmentRequest::KIND, object::<StaffEnrolmentRequest>),
    (StaffCertificate::KIND, object::<StaffCertificate>),
    (StaffRequest::KIND, object::<StaffRequest>),
    (StaffDecision::KIND, object::<StaffDecision>),
    (StaffRevocation::KIND, object::<StaffRevocation>),
    (PaperRecord::KIND, object::<PaperRecord>),
];

/// Decodes `bytes` as any document and as every kind of envelope.
///
/// Asserts that a canonical document re-encodes to itself, that at most one kind accepts the
/// bytes (the kind tag is part of them), and that whatever a kind accepts is a canonical document.
pub fn envelope(bytes: &[u8]) {
    let canonical = encoding::decode_canonical::<serde_json::Value>(bytes).is_ok_and(|value| {
        let again = to_canonical(&value).expect("an accepted document has a canonical encoding");
        assert!(again == bytes, "a canonical document re-encodes to other bytes");
        true
    });
    let kinds = KINDS.iter().filter(|(_, object)| object(bytes)).count();
    assert!(kinds <= 1, "{kinds} kinds accept the same bytes");
    assert!(kinds == 0 || canonical, "a kind accepts bytes that are not a canonical document");
}

#[cfg(test)]
mod tests {
    /// Every test vector (the fuzz targets' seeds) goes through [`super::envelope`] without a
    /// failed assertion, and each one expected to open is accepted as its kind.
    #[test]
    fn every_vector_passes_the_fuzzing_checks() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let mut accepted = 0;
        for entry in std::fs::read_dir(&dir).expect("tests/vectors") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "vector") {
                continue;
            }
            let contents = std::fs::read(&path).expect("a vector");
            let split = contents.windows(2).position(|w| w == b"\n\n").expect("a header");
            let bytes = &contents[split + 2..];
            super::envelope(bytes);
            if contents.starts_with(b"expect: ok\n") {
                let header = String::from_utf8_lossy(&contents[..split]);
                let kind = header.lines().find_map(|l| l.strip_prefix("kind: ")).expect("a kind");
                let (_, object) = super::KINDS.iter().find(|(k, _)| *k == kind).expect("a known kind");
                assert!(object(bytes), "{} does not decode as {kind}", path.display());
                accepted += 1;
            }
        }
        assert!(accepted >= 11, "only {accepted} vectors are expected to open");
    }
}
