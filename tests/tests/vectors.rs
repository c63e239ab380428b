//! The committed vectors under `tests/vectors/` still give their verdicts, and regenerating them
//! from their seeds gives the same bytes (so a change of encoding cannot slip in unnoticed).

use consent_tests::vectors::{generate, Vector};
use shared::objects::ConsentReceipt;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn committed() -> BTreeMap<String, Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "vector"))
        .map(|path| {
            let name = path.file_name().expect("file name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("readable vector"))
        })
        .collect()
}

#[test]
fn every_committed_vector_gives_its_expected_verdict() {
    let files = committed();
    assert!(files.len() >= 30, "expected the full set of vectors, found {}", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|(name, contents)| {
            let vector = match Vector::parse(name, contents) {
                Ok(vector) => vector,
                Err(error) => return Some(format!("{name}: unreadable: {error}")),
            };
            match vector.run() {
                Ok(got) if got == vector.expect => None,
                Ok(got) => Some(format!("{name}: expected {:?}, got {got:?}", vector.expect)),
                Err(error) => Some(format!("{name}: {error}")),
            }
        })
        .collect();
    assert!(failures.is_empty(), "failing vectors:\n{}", failures.join("\n"));
}

#[test]
fn regenerating_the_vectors_gives_identical_bytes() {
    let files = committed();
    let generated: BTreeMap<String, Vec<u8>> = generate().into_iter().map(|v| (v.name.clone(), v.render())).collect();
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&files), names(&generated), "run `cargo xtask vectors` and commit the result");
    for (name, bytes) in &generated {
        assert!(files[name] == *bytes, "{name} differs from what its seeds generate; run `cargo xtask vectors`");
    }
}

#[test]
fn every_kind_has_a_valid_vector() {
    let vectors = generate();
    let kinds = consent_tests::vectors::ALL_KINDS;
    for kind in kinds {
        assert!(vectors.iter().any(|v| v.kind == kind && v.expect == "ok"), "no valid vector of kind {kind}");
    }
}

#[test]
fn every_verdict_has_a_vector() {
    let vectors = generate();
    let verdicts = [
        "ok",
        "too large",
        "not json",
        "trailing bytes",
        "duplicate key",
        "unknown field",
        "schema",
        "not canonical",
        "wrong kind",
        "invalid content",
        "wrong signer",
        "weak key",
        "not a point",
        "non-canonical key",
        "bad signature",
        "wrong school",
    ];
    for verdict in verdicts {
        assert!(vectors.iter().any(|v| v.expect == verdict), "no vector expects {verdict:?}");
    }
}

/// Every bit of every small valid object (all but the forms, whose bits the property tests sample).
#[test]
fn flipping_any_bit_of_a_valid_vector_makes_it_fail() {
    for vector in generate().into_iter().filter(|v| v.expect == "ok" && v.bytes.len() <= 2048) {
        for bit in 0..vector.bytes.len() * 8 {
            let mut flipped = vector.clone();
            flipped.bytes[bit / 8] ^= 1 << (bit % 8);
            let verdict = flipped.run().expect("known kind");
            assert_ne!(verdict, "ok", "{}: bit {bit} flipped still verifies", vector.name);
        }
    }
}

/// The small-order-R vector is only useful if a plain (non-strict) verification would accept it:
/// then the suite fails if `verify_strict` is ever replaced by `verify`.
#[test]
fn the_small_order_r_vector_separates_strict_from_plain_verification() {
    use ed25519_dalek::Verifier;
    let vector = generate().into_iter().find(|v| v.name == "consent-receipt.small-order-r.vector").expect("vector");
    let envelope = shared::decode::<ConsentReceipt>(&vector.bytes).expect("well-formed");
    let key = vector.signer.verifying_key().expect("strong key");
    let signature = ed25519_dalek::Signature::from_bytes(&envelope.signature().0);
    assert!(key.verify(envelope.signed_message(), &signature).is_ok(), "plain verify accepts it");
    assert!(key.verify_strict(envelope.signed_message(), &signature).is_err(), "verify_strict refuses it");
    assert_eq!(vector.run(), Ok("bad signature"));
}
