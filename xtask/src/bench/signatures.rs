//! The baseline and item 2: raw `verify_strict` on one core — the unit every other figure is
//! divided by — and `ed25519_dalek::verify_batch`, with the price of making a batch give
//! `verify_strict`'s verdict for every input: a subgroup check of each signature's `R`.
//!
//! Why that check: the batch equation is one random combination of the signatures' equations
//! without the cofactor. A signer can put a small torsion point into `R`; `verify_strict` refuses
//! that signature, but a random 128-bit coefficient cancels a point of order 2 half the time, so
//! the batch accepts it. Only `[ℓ]R = 0` for every `R` (and every key) rules that out, and it
//! costs most of a verification, which is why the product verifies one by one on every core.

use consent_tests::fixtures::key;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::Scalar;
use ed25519_dalek::{Signature, Signer as _, VerifyingKey};
use std::hint::black_box;
use std::time::Instant;

/// Signatures over messages the size of a receipt's signed message, by distinct signers.
pub struct Signatures {
    keys: Vec<VerifyingKey>,
    messages: Vec<Vec<u8>>,
    signatures: Vec<Signature>,
}

impl Signatures {
    pub fn new(count: usize) -> Signatures {
        let signers: Vec<_> = (0..count).map(|i| key(&format!("bench/{i}"))).collect();
        let messages: Vec<Vec<u8>> = (0..count).map(|i| vec![(i % 251) as u8; 600]).collect();
        let signatures: Vec<Signature> = signers.iter().zip(&messages).map(|(k, m)| k.sign(m)).collect();
        Signatures { keys: signers.iter().map(|k| k.verifying_key()).collect(), messages, signatures }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// Single `verify_strict`, one core: signatures per second.
    pub fn strict_rate(&self) -> f64 {
        rate(self.len(), || {
            for i in 0..self.len() {
                let verdict = self.keys[i].verify_strict(black_box(&self.messages[i]), &self.signatures[i]);
                black_box(verdict).expect("valid");
            }
        })
    }

    /// `ed25519_dalek::verify_batch` in batches of `size`, one core: signatures per second.
    pub fn batch_rate(&self, size: usize) -> f64 {
        let messages: Vec<&[u8]> = self.messages.iter().map(Vec::as_slice).collect();
        rate(self.len() / size * size, || {
            for start in (0..self.len() / size).map(|c| c * size) {
                let range = start..start + size;
                let verdict = ed25519_dalek::verify_batch(
                    black_box(&messages[range.clone()]),
                    &self.signatures[range.clone()],
                    &self.keys[range],
                );
                black_box(verdict).expect("valid");
            }
        })
    }

    /// Decompressing each signature's `R` and checking `[ℓ]R = 0` (as `[ℓ − 1]R = −R`, in
    /// variable time), one core: signatures per second.
    pub fn subgroup_check_rate(&self) -> f64 {
        rate(self.len(), || {
            for signature in &self.signatures {
                let r = CompressedEdwardsY(*signature.r_bytes()).decompress().expect("a point");
                let in_subgroup =
                    EdwardsPoint::vartime_double_scalar_mul_basepoint(&-Scalar::ONE, &r, &Scalar::ZERO) == -r;
                assert!(black_box(in_subgroup));
            }
        })
    }
}

/// `count` ÷ the seconds `work` takes, best of three runs (the least disturbed by other work).
fn rate(count: usize, work: impl Fn()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            work();
            count as f64 / start.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}
