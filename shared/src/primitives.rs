//! Thin wrappers over the two primitives the protocol uses, in the notation of their specifications:
//! SHA-256 (FIPS 180-4) for content hashes, and Ed25519 (RFC 8032 §5.1) with strict verification.
//!
//! Every fixed-size value is serialised inside canonical JSON as lowercase hex; uppercase hex is
//! refused so that each value has exactly one spelling.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use std::fmt;

/// A SHA-256 digest: the name of a signed object (hash of its canonical bytes) or a Merkle tree hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// `SHA-256(data)`.
    pub fn of(data: &[u8]) -> Digest {
        Digest(Sha256::digest(data).into())
    }

    /// `SHA-256(parts[0] ‖ parts[1] ‖ …)`, without building the concatenation.
    pub fn of_parts(parts: &[&[u8]]) -> Digest {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Digest(hasher.finalize().into())
    }

    /// Lowercase hex, as written in canonical JSON.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 lowercase hex digits: the one spelling [`Digest::to_hex`] writes, as an object's
    /// name is given on a command line or in a query.
    pub fn from_hex(text: &str) -> Result<Digest, HexError> {
        decode_hex(text).map(Digest)
    }
}

/// An Ed25519 public key `A` (RFC 8032 §5.1.5), as 32 encoded bytes.
///
/// Kept as bytes so that decoding never fails on a key that is not a curve point; the point is
/// decompressed, and weak keys refused, only when the key is used ([`PublicKey::verifying_key`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

/// Why bytes cannot serve as a public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The 32 bytes do not decode to a point on the curve (RFC 8032 §5.1.3 decoding fails).
    #[error("public key {0} is not a valid Ed25519 point")]
    NotAPoint(String),
    /// The key is of small order: anyone can forge signatures that verify under it.
    #[error("public key {0} is a weak (small-order) key")]
    Weak(String),
    /// A non-canonical encoding of a point (y ≥ p): the same key would have two spellings.
    #[error("public key {0} is not the canonical encoding of its point")]
    NonCanonical(String),
}

impl PublicKey {
    /// The public key of a signing key.
    pub fn of(key: &SigningKey) -> PublicKey {
        PublicKey(key.verifying_key().to_bytes())
    }

    /// The decompressed key, refusing points that do not decode, non-canonical encodings and
    /// small-order (weak) points.
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| KeyError::NotAPoint(self.to_hex()))?;
        if !is_canonical_encoding(&self.0) {
            return Err(KeyError::NonCanonical(self.to_hex()));
        }
        if key.is_weak() {
            return Err(KeyError::Weak(self.to_hex()));
        }
        Ok(key)
    }

    /// `SHA-256(A)`: the fingerprint people compare, e.g. the school key printed on a letter.
    pub fn fingerprint(&self) -> Digest {
        Digest::of(&self.0)
    }

    /// Lowercase hex, as written in canonical JSON and in `data-school-key`.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 lowercase hex digits.
    pub fn from_hex(text: &str) -> Result<PublicKey, HexError> {
        decode_hex(text).map(PublicKey)
    }
}

/// Whether 32 bytes that decode to a point are the canonical encoding of it (RFC 8032 §5.1.2): `y`
/// below p = 2²⁵⁵ − 19, and no sign bit on x = 0 (the points with y = 1 and y = p − 1). The same
/// verdict as encoding the point again and comparing, without the field inversion that costs.
fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    let sign = bytes[31] & 0x80 != 0;
    let mut y = *bytes;
    y[31] &= 0x7f;
    // y ≥ p exactly when bytes 1..=30 are 0xff, byte 31 is 0x7f and byte 0 is at least 0xed.
    let at_least_p = y[0] >= 0xed && y[1..31].iter().all(|b| *b == 0xff) && y[31] == 0x7f;
    let one = y[0] == 1 && y[1..].iter().all(|b| *b == 0);
    let p_minus_one = y[0] == 0xec && y[1..31].iter().all(|b| *b == 0xff) && y[31] == 0x7f;
    !at_least_p && !(sign && (one || p_minus_one))
}

/// An Ed25519 signature `R ‖ S` (RFC 8032 §5.1.6), 64 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; 64]);

/// Why a signature does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Ed25519 signature does not verify under the signer's key")]
pub struct BadSignature;

/// `Sign(k, M)` of RFC 8032 §5.1.6 (deterministic).
pub fn sign(key: &SigningKey, message: &[u8]) -> Signature {
    Signature(key.sign(message).to_bytes())
}

/// Strict verification: RFC 8032 §5.1.7 plus the checks of `verify_strict`, which refuse a
/// non-canonical `S` (S ≥ ℓ), a small-order `R` and a small-order `A`, so that a signature has
/// exactly one valid form and no weak key verifies anything.
pub fn verify_strict(key: &VerifyingKey, message: &[u8], signature: &Signature) -> Result<(), BadSignature> {
    let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
    key.verify_strict(message, &signature).map_err(|_| BadSignature)
}

/// A nonce that makes an invitation or a request single-use: 16 random bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nonce(pub [u8; 16]);

impl Nonce {
    /// A fresh nonce from the caller's CSPRNG (the protocol itself has no source of randomness).
    pub fn random(rng: &mut impl rand_core::CryptoRngCore) -> Nonce {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Nonce(bytes)
    }
}

/// Why text is not the hex spelling of a fixed-size value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} lowercase hex digits, got {got:?}")]
pub struct HexError {
    expected: usize,
    got: String,
}

fn decode_hex<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let error = || HexError { expected: 2 * N, got: text.chars().take(2 * N + 8).collect() };
    let lowercase = text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !lowercase || text.len() != 2 * N {
        return Err(error());
    }
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes).map_err(|_| error())?;
    Ok(bytes)
}

/// Serde and formatting for the fixed-size values: hex in JSON, in `Debug` and in `Display`.
macro_rules! hex_value {
    ($name:ident, $len:literal) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&hex::encode(self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                decode_hex::<$len>(&text).map($name).map_err(de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), hex::encode(self.0))
            }
        }
    };
}

hex_value!(Digest, 32);
hex_value!(PublicKey, 32);
hex_value!(Signature, 64);
hex_value!(Nonce, 16);

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte test agrees with decoding and encoding again, for every encoding near the edges
    /// (y < 64, y ≥ p − 64, either sign) and the keys of a thousand signing keys.
    #[test]
    fn the_canonical_encoding_test_agrees_with_encoding_again() {
        let mut encodings = Vec::new();
        for low in 0u8..64 {
            for sign in [0, 0x80] {
                let mut small = [0u8; 32];
                small[0] = low;
                small[31] = sign;
                let mut large = [0xffu8; 32];
                large[0] = 0xed_u8.wrapping_sub(32).wrapping_add(low);
                large[31] = 0x7f | sign;
                encodings.extend([small, large]);
            }
        }
        encodings.extend((0..1000u32).map(|i| {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_le_bytes());
            SigningKey::from_bytes(&seed).verifying_key().to_bytes()
        }));
        let mut points = 0;
        for bytes in encodings {
            let Ok(key) = VerifyingKey::from_bytes(&bytes) else { continue };
            points += 1;
            assert_eq!(is_canonical_encoding(&bytes), key.to_edwards().compress().to_bytes() == bytes, "{bytes:02x?}");
        }
        assert!(points > 1000, "only {points} encodings were points");
    }

    #[test]
    fn hex_must_be_lowercase_and_exact_length() {
        let ok = "00".repeat(32);
        assert!(PublicKey::from_hex(&ok).is_ok());
        assert!(Digest::from_hex(&ok).is_ok());
        for bad in ["AB".repeat(32), "00".repeat(31), "00".repeat(33), "0g".repeat(32), String::new()] {
            assert_eq!(PublicKey::from_hex(&bad).err(), Digest::from_hex(&bad).err(), "{bad:?}");
            assert!(Digest::from_hex(&bad).is_err(), "{bad:?}");
        }
    }

    /// A digest reads back from the hex it writes, and from nothing else of that length.
    #[test]
    fn a_digest_round_trips_through_its_hex() {
        let digest = Digest::of(b"a consent receipt");
        assert_eq!(Digest::from_hex(&digest.to_hex()), Ok(digest));
        assert_eq!(Digest::from_hex(&digest.to_string()), Ok(digest));
        assert!(Digest::from_hex(&digest.to_hex().to_uppercase()).is_err());
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(PublicKey(identity).verifying_key(), Err(KeyError::Weak(_))));
    }
}
