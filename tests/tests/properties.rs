//! Properties of the protocol over generated inputs: the canonical writer agrees with the reference
//! implementation of RFC 8785, canonical encoding round-trips byte for byte,
//! any flipped bit of a signed object is rejected, and the consent fold does not depend on how
//! different signers' receipts interleave in the log.

use consent_tests::fixtures::{at, key, purpose, signed, Ledger, School, Signer, Student};
use proptest::prelude::*;
use serde_json::Value;
use shared::encoding::to_canonical;
use shared::ids::{PurposeId, StudentId};
use shared::objects::{Acknowledgement, Checkpoint, ConsentReceipt, Decision, Invitation, Right, RightsRequest, Role};
use shared::policy::Status;
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::validate::MAX_SAFE_INTEGER;
use shared::{open, Lang, Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;

fn school_key() -> PublicKey {
    PublicKey::of(&key("properties/root"))
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0i64..4_102_444_800).prop_map(|s| Timestamp::from_unix(s).expect("in range"))
}

fn digest() -> impl Strategy<Value = Digest> {
    any::<[u8; 32]>().prop_map(Digest)
}

fn id() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9._-]{0,20}"
}

/// Any text people could type, control characters and astral-plane letters included.
fn text() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("non-empty", |s| !s.trim().is_empty())
}

/// A class as a school could write it, within the invitation's limit.
fn class() -> impl Strategy<Value = String> {
    text().prop_filter("a class is short", |s| s.chars().count() <= Invitation::MAX_CLASS)
}

fn decisions() -> impl Strategy<Value = BTreeMap<PurposeId, Decision>> {
    let decision = prop_oneof![Just(Decision::Grant), Just(Decision::Refuse), Just(Decision::Withdraw)];
    prop::collection::btree_map(id().prop_map(|p| purpose(&p)), decision, 1..6)
}

fn receipt() -> impl Strategy<Value = ConsentReceipt> {
    (digest(), id(), digest(), decisions(), timestamp(), digest(), prop::sample::select(Lang::ALL.to_vec())).prop_map(
        |(form, student, certificate, decisions, client_time, previous, language)| ConsentReceipt {
            school: school_key(),
            form,
            student: StudentId::try_from(student).expect("valid id"),
            certificate,
            role: Role::Guardian,
            decisions,
            client_time,
            previous: Some(previous),
            language,
        },
    )
}

fn request() -> impl Strategy<Value = RightsRequest> {
    (
        id(),
        digest(),
        prop::sample::select(Right::ALL.to_vec()),
        prop::collection::vec(id(), 0..4),
        text(),
        timestamp(),
        any::<[u8; 16]>(),
    )
        .prop_map(|(student, certificate, right, purposes, text, client_time, nonce)| RightsRequest {
            school: school_key(),
            student: StudentId::try_from(student).expect("valid id"),
            certificate,
            role: Role::Student,
            right,
            purposes: purposes.iter().map(|p| purpose(p)).collect(),
            text,
            client_time,
            nonce: Nonce(nonce),
        })
}

fn invitation() -> impl Strategy<Value = Invitation> {
    (id(), id(), text(), text(), class(), 0i64..20_000, timestamp(), any::<[u8; 16]>()).prop_map(
        |(student, person, display_name, student_name, class, days, expires, nonce)| Invitation {
            school: school_key(),
            student: StudentId::try_from(student).expect("valid id"),
            person: person.try_into().expect("valid id"),
            role: Role::Guardian,
            display_name,
            student_name,
            class,
            student_birth_date: chrono::NaiveDate::from_num_days_from_ce_opt(730_000 + days as i32).expect("date"),
            expires,
            nonce: Nonce(nonce),
        },
    )
}

fn acknowledgement() -> impl Strategy<Value = Acknowledgement> {
    (1..=MAX_SAFE_INTEGER, any::<u64>(), digest(), digest(), timestamp()).prop_map(
        |(tree_size, index, object, root_hash, time)| Acknowledgement {
            school: school_key(),
            object,
            log_index: index % tree_size,
            server_time: time,
            checkpoint: Checkpoint { school: school_key(), tree_size, root_hash, time },
        },
    )
}

/// Signs, opens and re-encodes `body`, checking every step gives back exactly what went in.
fn round_trip<T: SignedObject>(body: T) -> Result<(), TestCaseError> {
    let signer = key("properties/root");
    let signed = signed(body.clone(), &signer);
    let opened: Signed<T> =
        open(signed.bytes(), &PublicKey::of(&signer)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(opened.body(), &body);
    prop_assert_eq!(opened.bytes(), signed.bytes());
    // The bytes are RFC 8785 as any JSON reader sees them, not only as our types write them.
    let generic: Value = serde_json::from_slice(signed.bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(to_canonical(&generic).map_err(|e| TestCaseError::fail(e.to_string()))?, signed.bytes().to_vec());
    Ok(())
}

/// Flips bit `bit` of a signed `body` and checks the result is rejected.
fn flipped_bit_fails<T: SignedObject>(body: T, bit: usize) -> Result<(), TestCaseError> {
    let signer = key("properties/root");
    let mut bytes = signed(body, &signer).bytes().to_vec();
    let bit = bit % (bytes.len() * 8);
    bytes[bit / 8] ^= 1 << (bit % 8);
    prop_assert!(open::<T>(&bytes, &PublicKey::of(&signer)).is_err(), "bit {} flipped still verifies", bit);
    Ok(())
}

/// Whether `value` holds a fraction or an integer beyond ±(2^53 − 1).
fn has_number_outside_the_protocol(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_i64().is_none_or(|n| n.unsigned_abs() > MAX_SAFE_INTEGER),
        Value::Array(items) => items.iter().any(has_number_outside_the_protocol),
        Value::Object(members) => members.values().any(has_number_outside_the_protocol),
        _ => false,
    }
}

/// Any JSON value: every string, integers inside and beyond ±(2^53 − 1), fractions, nesting.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(MAX_SAFE_INTEGER as i64)..=MAX_SAFE_INTEGER as i64).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e30f64..1e30).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_canonical_writer_agrees_with_the_reference_byte_for_byte(value in json()) {
        match to_canonical(&value) {
            Ok(ours) => {
                let reference =
                    serde_json_canonicalizer::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
            }
            // Only a number the protocol never writes is refused.
            Err(_) => prop_assert!(has_number_outside_the_protocol(&value), "refused {}", value),
        }
    }

    #[test]
    fn encoding_round_trips_byte_for_byte_receipts(body in receipt()) { round_trip(body)?; }

    #[test]
    fn encoding_round_trips_byte_for_byte_requests(body in request()) { round_trip(body)?; }

    #[test]
    fn encoding_round_trips_byte_for_byte_invitations(body in invitation()) { round_trip(body)?; }

    #[test]
    fn encoding_round_trips_byte_for_byte_acknowledgements(body in acknowledgement()) { round_trip(body)?; }

    #[test]
    fn flipping_any_bit_of_a_signed_receipt_makes_it_fail(body in receipt(), bit in any::<usize>()) {
        flipped_bit_fails(body, bit)?;
    }

    #[test]
    fn flipping_any_bit_of_a_signed_request_makes_it_fail(body in request(), bit in any::<usize>()) {
        flipped_bit_fails(body, bit)?;
    }

    #[test]
    fn flipping_any_bit_of_a_signed_acknowledgement_makes_it_fail(body in acknowledgement(), bit in any::<usize>()) {
        flipped_bit_fails(body, bit)?;
    }
}

/// One step of a signer: decisions on some of three purposes, and the seconds since their previous step.
type Step = (BTreeMap<&'static str, Decision>, u32);

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let purposes = prop::sample::select(vec!["photos-internal", "meals", "contests"]);
    let decision = prop_oneof![Just(Decision::Grant), Just(Decision::Refuse), Just(Decision::Withdraw)];
    let step = (prop::collection::btree_map(purposes, decision, 1..=3), 0u32..2_000_000);
    prop::collection::vec(step, 0..5)
}

/// A signer with their receipts, in their own order, each with its log time.
type SignedPlan = (Signer, Vec<(Signed<ConsentReceipt>, Timestamp)>);

/// Every signer's receipts, signed in their own order.
fn sign_all(school: &School, student: &Student, plans: &[(Role, &str, Vec<Step>)]) -> Vec<SignedPlan> {
    let start = at("2026-09-01T00:00:00Z").unix();
    plans
        .iter()
        .map(|(role, person, steps)| {
            let invitation = school.invite(student, person, *role, person);
            let mut signer = school.enrol(&invitation, at("2026-09-01T00:00:00Z"));
            // A signer's receipts reach the log in their own order, so their times only grow.
            let mut elapsed = 0i64;
            let receipts = steps
                .iter()
                .map(|(decisions, gap)| {
                    elapsed += i64::from(*gap);
                    let first = signer.previous.is_none();
                    let decisions: Vec<(&str, Decision)> = decisions
                        .iter()
                        .map(|(p, d)| (*p, if first && *d == Decision::Withdraw { Decision::Refuse } else { *d }))
                        .collect();
                    let time = Timestamp::from_unix(start + elapsed).expect("in range");
                    (signer.decide(&school.form, &decisions, time), time)
                })
                .collect();
            (signer, receipts)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_fold_is_the_same_for_every_interleaving_of_signers(
        birth in prop::sample::select(vec!["2016-02-01", "2011-02-01", "2008-12-01", "2012-10-01"]),
        guardian in steps(),
        second_guardian in steps(),
        student_steps in steps(),
        choices in prop::collection::vec(any::<u8>(), 15),
        when in 0u32..9_000_000,
    ) {
        let school = School::new("properties");
        let student = Student::new("s-prop", "Ana Popescu", "4A", birth);
        let plans = [
            (Role::Guardian, "p-mother", guardian),
            (Role::Guardian, "p-father", second_guardian),
            (Role::Student, "p-student", student_steps),
        ];
        let signed = sign_all(&school, &student, &plans);

        let mut in_order = Ledger::new(&school);
        for (signer, receipts) in &signed {
            for (receipt, time) in receipts {
                in_order.log(signer, receipt, *time);
            }
        }
        let mut interleaved = Ledger::new(&school);
        let mut next = vec![0usize; signed.len()];
        for choice in choices.iter().cycle().take(signed.iter().map(|(_, r)| r.len()).sum()) {
            let open_signers: Vec<usize> = (0..signed.len()).filter(|i| next[*i] < signed[*i].1.len()).collect();
            let pick = open_signers[usize::from(*choice) % open_signers.len()];
            let (signer, receipts) = &signed[pick];
            let (receipt, time) = &receipts[next[pick]];
            interleaved.log(signer, receipt, *time);
            next[pick] += 1;
        }

        let instant = Timestamp::from_unix(at("2026-09-01T00:00:00Z").unix() + i64::from(when)).expect("in range");
        let forms = [school.form.clone()];
        let state = in_order.state(&forms, &student, instant);
        prop_assert_eq!(&state, &interleaved.state(&forms, &student, instant));

        // For a child under 14 throughout, the answer itself is simple to state: a purpose is in
        // effect exactly when some guardian decided it by `instant` and every guardian's latest
        // decision on it by then is a grant.
        if birth == "2016-02-01" {
            for purpose_id in ["photos-internal", "meals", "contests"] {
                let latest: Vec<Decision> = signed[..2]
                    .iter()
                    .filter_map(|(_, receipts)| {
                        receipts
                            .iter()
                            .rev()
                            .filter(|(_, time)| *time <= instant)
                            .find_map(|(r, _)| r.body().decisions.get(&purpose(purpose_id)).copied())
                    })
                    .collect();
                let expected = !latest.is_empty() && latest.iter().all(|d| *d == Decision::Grant);
                let got = matches!(state.purposes[&purpose(purpose_id)].status, Status::InEffect { .. });
                prop_assert_eq!(got, expected, "{} with latest guardian decisions {:?}", purpose_id, latest);
            }
        }
    }
}
