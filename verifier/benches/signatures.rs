//! Signature verification, the limit of everything the verifier does: single `verify_strict`,
//! `ed25519_dalek::verify_batch`, and the subgroup check of `R` a batch would need to keep
//! `verify_strict`'s verdict for every input. `cargo xtask bench` turns these into ratios.

use consent_tests::fixtures::key;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::Scalar;
use ed25519_dalek::{Signature, Signer as _, VerifyingKey};
use std::hint::black_box;

const MESSAGE: usize = 600;

fn signed(count: usize) -> (Vec<VerifyingKey>, Vec<Vec<u8>>, Vec<Signature>) {
    let signers: Vec<_> = (0..count).map(|i| key(&format!("criterion/{i}"))).collect();
    let messages: Vec<Vec<u8>> = (0..count).map(|i| vec![i as u8; MESSAGE]).collect();
    let signatures = signers.iter().zip(&messages).map(|(k, m)| k.sign(m)).collect();
    (signers.iter().map(|k| k.verifying_key()).collect(), messages, signatures)
}

fn verification(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    let (keys, messages, signatures) = signed(256);
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_strict", |b| {
        b.iter(|| keys[0].verify_strict(black_box(&messages[0]), black_box(&signatures[0])))
    });
    for size in [64, 256] {
        let refs: Vec<&[u8]> = messages[..size].iter().map(Vec::as_slice).collect();
        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(format!("verify_batch/{size}"), |b| {
            b.iter(|| ed25519_dalek::verify_batch(black_box(&refs), &signatures[..size], &keys[..size]))
        });
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function("subgroup_check_of_r", |b| {
        b.iter(|| {
            let r = CompressedEdwardsY(*black_box(&signatures[0]).r_bytes()).decompress().expect("a point");
            EdwardsPoint::vartime_double_scalar_mul_basepoint(&-Scalar::ONE, &r, &Scalar::ZERO) == -r
        })
    });
    group.finish();
}

criterion_group!(benches, verification);
criterion_main!(benches);
