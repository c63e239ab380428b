//! One signed-envelope format for every object of the protocol.
//!
//! On the wire an envelope is the canonical JSON (see [`crate::encoding`]) of
//! `{"body": …, "kind": "consent-receipt/1", "sig": "<128 hex>", "signer": "<64 hex>"}`.
//! The signature is `Sign(k, M)` over the domain-separated message
//! `M = "school-consent" ‖ 0x00 ‖ kind ‖ 0x00 ‖ canonical(body)`, so a signature made for one kind
//! (or one version of a kind) can never be replayed as another. An object is named by the SHA-256
//! of its canonical envelope bytes ([`Digest`]).

use crate::encoding::{self, DecodeError, EncodeError, KindOnly};
use crate::primitives::{self, BadSignature, Digest, KeyError, PublicKey, Signature};
use crate::validate::ContentError;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;

/// The fixed prefix of every signed message; it keeps these signatures apart from any other use
/// of the same key.
pub const DOMAIN: &[u8] = b"school-consent";

/// A body type that travels in an envelope.
pub trait SignedObject: Serialize + DeserializeOwned + Clone + Debug + PartialEq {
    /// The type tag and version, e.g. `consent-receipt/1`; part of the signed message.
    const KIND: &'static str;

    /// The rules a well-formed body of this kind obeys beyond its schema (non-empty texts,
    /// consistent thresholds…), checked when signing and when decoding.
    fn validate(&self) -> Result<(), ContentError>;

    /// The key that must have signed this body, when the body itself names it: the school's root
    /// key for what only the root signs, the offered key for a proof of possession. Checked by
    /// [`Envelope::verify`], so such a body can never travel under another key.
    fn named_signer(&self) -> Option<&PublicKey> {
        None
    }
}

/// The envelope as it appears on the wire.
#[derive(Serialize, Deserialize)]
struct Wire<T> {
    body: T,
    kind: String,
    sig: Signature,
    signer: PublicKey,
}

/// A decoded, well-formed envelope whose signature has **not** been checked yet.
///
/// Only [`Envelope::verify`] turns it into a [`Signed`] value; until then the body is reachable
/// only as [`Envelope::unverified_body`], so that no caller mistakes it for a trusted one.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<T> {
    body: T,
    signer: PublicKey,
    signature: Signature,
    bytes: Vec<u8>,
    /// The domain-separated message the signature covers, kept so that verification need not re-encode.
    message: Vec<u8>,
    hash: Digest,
}

/// An object whose signature verified strictly under a given key.
///
/// Constructed only by [`sign`], [`open`] and [`Envelope::verify`]. It proves the signer's key
/// signed these bytes; whether that key is *trusted* for this object is the verifier's question.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed<T>(Envelope<T>);

/// Why a well-formed envelope does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The envelope names a different signer than the key it was checked against.
    #[error("signed by key {got}, expected key {expected}")]
    WrongSigner {
        /// The key the caller trusts for this object.
        expected: PublicKey,
        /// The key the envelope names.
        got: PublicKey,
    },
    /// The signer key is not usable: not a curve point, or a weak (small-order) key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature does not verify strictly under the signer key.
    #[error(transparent)]
    BadSignature(#[from] BadSignature),
}

/// Why bytes are not a valid, correctly signed object of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The bytes are not a well-formed document (size, JSON, duplicates, schema, canonical form).
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The envelope holds another kind of object, or another version of this kind.
    #[error("this is a {got:?} object, expected {expected:?}")]
    WrongKind {
        /// The kind the caller asked for.
        expected: &'static str,
        /// The kind the envelope declares.
        got: String,
    },
    /// The body breaks a rule of its kind.
    #[error(transparent)]
    Invalid(#[from] ContentError),
    /// The signature or signer is not right.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

/// Why an object could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The body breaks a rule of its kind; signing it would make an object nobody accepts.
    #[error(transparent)]
    Invalid(#[from] ContentError),
    /// The body has no canonical encoding.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The message that is signed for a body of kind `kind` whose canonical bytes are `body`.
pub fn signed_message(kind: &str, body: &[u8]) -> Vec<u8> {
    [DOMAIN, &[0], kind.as_bytes(), &[0], body].concat()
}

/// Signs `body` with `key`, after checking the rules of its kind.
pub fn sign<T: SignedObject>(body: T, key: &SigningKey) -> Result<Signed<T>, SignError> {
    body.validate()?;
    let body_bytes = encoding::to_canonical(&body)?;
    let message = signed_message(T::KIND, &body_bytes);
    let wire =
        Wire { body, kind: T::KIND.to_owned(), sig: primitives::sign(key, &message), signer: PublicKey::of(key) };
    // The envelope around the body already encoded, instead of encoding the body a second time.
    let bytes = [ENVELOPE_HEAD, &body_bytes, envelope_tail(&wire).as_bytes()].concat();
    Ok(Signed(Envelope::from_wire(wire, bytes, message)))
}

/// Decodes and verifies in one step: [`decode`], then [`Envelope::verify`] against `signer`.
pub fn open<T: SignedObject>(bytes: &[u8], signer: &PublicKey) -> Result<Signed<T>, OpenError> {
    Ok(decode::<T>(bytes)?.verify(signer)?)
}

/// Decodes an envelope of kind `T::KIND` without checking its signature.
///
/// The checks, in order: size; one JSON value, no trailing bytes, no duplicate keys; the kind tag;
/// the schema, without unknown fields; canonical form; the content rules of the kind.
pub fn decode<T: SignedObject>(bytes: &[u8]) -> Result<Envelope<T>, OpenError> {
    encoding::check_size(bytes)?;
    let wire = match canonical_of_kind::<T>(bytes) {
        Some(wire) => wire,
        None => checked_in_order::<T>(bytes)?,
    };
    wire.body.validate()?;
    let message = match body_bytes(bytes, &wire) {
        Some(body) => signed_message(T::KIND, body),
        None => signed_message(
            T::KIND,
            &encoding::to_canonical(&wire.body).map_err(|e| DecodeError::Schema { message: e.to_string() })?,
        ),
    };
    Ok(Envelope::from_wire(wire, bytes.to_vec(), message))
}

/// The common case, in two passes instead of four: bytes that decode as an envelope of kind
/// `T::KIND` and are exactly its canonical encoding. Canonical bytes hold no duplicate key, no
/// unknown field (re-encoding would drop it) and nothing after the value, so every check of
/// [`checked_in_order`] would pass; `None` sends anything else there for its precise error.
fn canonical_of_kind<T: SignedObject>(bytes: &[u8]) -> Option<Wire<T>> {
    // The same typed decode as the full path's, so the widget's wasm holds one copy of it per kind.
    let wire: Wire<T> = encoding::decode_typed(bytes).ok()?;
    (wire.kind == T::KIND && encoding::to_canonical(&wire).ok()? == bytes).then_some(wire)
}

/// Every check of [`decode`] but the content rules, one after another, each with its own error.
fn checked_in_order<T: SignedObject>(bytes: &[u8]) -> Result<Wire<T>, OpenError> {
    encoding::check_syntax(bytes)?;
    let kind = encoding::from_json::<KindOnly>(bytes).map(|k| k.kind);
    match kind {
        Ok(kind) if kind == T::KIND => {}
        Ok(got) => return Err(OpenError::WrongKind { expected: T::KIND, got }),
        // No usable `kind`: the typed decode below names what is missing or wrong.
        Err(_) => {}
    }
    let wire: Wire<T> = encoding::decode_typed(bytes)?;
    encoding::check_canonical(&wire, bytes)?;
    Ok(wire)
}

/// The canonical envelope's members are sorted, so it is `{"body":` BODY `,"kind":"…","sig":"…",
/// "signer":"…"}`: this head, the body's canonical bytes, and a tail fixed by the other three
/// fields (a kind, and hex, need no escaping).
const ENVELOPE_HEAD: &[u8] = b"{\"body\":";

/// See [`ENVELOPE_HEAD`].
fn envelope_tail<T>(wire: &Wire<T>) -> String {
    format!(
        ",\"kind\":\"{}\",\"sig\":\"{}\",\"signer\":\"{}\"}}",
        wire.kind,
        hex::encode(wire.sig.0),
        hex::encode(wire.signer.0)
    )
}

/// The canonical bytes of the body, cut out of the canonical envelope instead of encoded again
/// (see [`ENVELOPE_HEAD`]).
fn body_bytes<'a, T: SignedObject>(envelope: &'a [u8], wire: &Wire<T>) -> Option<&'a [u8]> {
    envelope.strip_prefix(ENVELOPE_HEAD)?.strip_suffix(envelope_tail(wire).as_bytes())
}

impl<T: SignedObject> Envelope<T> {
    fn from_wire(wire: Wire<T>, bytes: Vec<u8>, message: Vec<u8>) -> Envelope<T> {
        let hash = Digest::of(&bytes);
        Envelope { body: wire.body, signer: wire.signer, signature: wire.sig, bytes, message, hash }
    }

    /// Checks, in order: the envelope names `expected` as its signer, and so does the body if it
    /// names one; that key is a valid, strong key; the signature verifies strictly over the
    /// domain-separated message.
    pub fn verify(self, expected: &PublicKey) -> Result<Signed<T>, SignatureError> {
        let key = self.signer_key(expected)?;
        primitives::verify_strict(&key, &self.message, &self.signature)?;
        Ok(Signed(self))
    }

    /// [`Envelope::verify`] for the holder of the signing key, at half the cost: Ed25519 signing
    /// is deterministic (RFC 8032 §5.1.6), so a signature equal to the one `key` makes now is
    /// valid; any other is verified as usual. The verdict is the same as `verify`'s.
    pub fn verify_own(self, key: &SigningKey) -> Result<Signed<T>, SignatureError> {
        let signer = PublicKey::of(key);
        if self.signer == signer && primitives::sign(key, &self.message) == self.signature {
            // The key is the holder's own, so a valid point: only the named signers are left.
            self.named_signers(&signer)?;
            return Ok(Signed(self));
        }
        self.verify(&signer)
    }

    /// Everything [`Envelope::verify`] checks before the signature itself: the named signers and
    /// the key.
    fn signer_key(&self, expected: &PublicKey) -> Result<VerifyingKey, SignatureError> {
        self.named_signers(expected)?;
        Ok(self.signer.verifying_key()?)
    }

    /// The envelope names `expected` as its signer, and so does the body if it names one.
    fn named_signers(&self, expected: &PublicKey) -> Result<(), SignatureError> {
        if self.signer != *expected {
            return Err(SignatureError::WrongSigner { expected: *expected, got: self.signer });
        }
        if let Some(named) = self.body.named_signer().filter(|named| **named != self.signer) {
            return Err(SignatureError::WrongSigner { expected: *named, got: self.signer });
        }
        Ok(())
    }

    /// The domain-separated message the signature covers (for batch verification).
    pub fn signed_message(&self) -> &[u8] {
        &self.message
    }

    /// The body, which nobody has vouched for yet.
    pub fn unverified_body(&self) -> &T {
        &self.body
    }

    /// The key the envelope says signed it.
    pub fn signer(&self) -> &PublicKey {
        &self.signer
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The object's name: SHA-256 of its canonical bytes.
    pub fn hash(&self) -> Digest {
        self.hash
    }

    /// The canonical bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl<T: SignedObject> Signed<T> {
    /// The verified body.
    pub fn body(&self) -> &T {
        &self.0.body
    }

    /// The key that signed it.
    pub fn signer(&self) -> &PublicKey {
        &self.0.signer
    }

    /// The object's name: SHA-256 of its canonical bytes.
    pub fn hash(&self) -> Digest {
        self.0.hash
    }

    /// The canonical bytes, exactly as signed and as stored.
    pub fn bytes(&self) -> &[u8] {
        &self.0.bytes
    }
}
