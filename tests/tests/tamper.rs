//! The tamper suite: what the protocol does with a valid signed object of every kind once its
//! bytes are changed.
//!
//! One valid object of each of the fifteen kinds is opened through the project's real path: the
//! `shared::open` a reader calls with the key it trusts for the object, and the kind's
//! `TrustStore` entry point (the same code in the widget and the verifier). The suite proves:
//!
//! - **Every single-bit flip** of the envelope bytes of every kind is rejected by both, bit by
//!   bit, exhaustively. The form is a compact one: the 196,600 bits of the 24 KiB example form
//!   take about 100 s in the debug profile, so for it a deterministic sample of one bit in 61
//!   (every bit position within a byte among them) is flipped instead.
//! - **Every non-canonical rewrite** is rejected with the error the decoder documents for it
//!   (`shared::encoding`), asserted on the variant and, where the decoder states one, on the byte
//!   offset; `TrustStore` reports the same error: reordered keys, JSON whitespace anywhere between
//!   tokens and `\u` escapes (or `\/`) of characters canonical JSON writes otherwise →
//!   `NotCanonical` at the first byte that differs; numbers written `1.0`, `1e0`, `-0` → `Schema`
//!   (the protocol has no floating-point numbers), with a leading zero or plus → `Syntax`; a key
//!   twice in one object, with the same value or another → `DuplicateKey`; truncation at every
//!   length → `Syntax`; any byte, or any text, after the value → `TrailingBytes`; whitespace
//!   that JSON does not allow (a byte order mark, a form feed, a no-break space) → `Syntax`.
//! - **Signatures**: S + kℓ for every k that fits in 32 bytes, every small-order R (in all
//!   fourteen encodings of the eight small-order points) → `BadSignature`; every small-order
//!   signer key → `Key(Weak)`, and its non-canonical encodings → `Key(NonCanonical)`; the trust
//!   store neither certifies nor enrols such a key. Where a plain (non-strict) `verify` would
//!   accept the forgery, the test says so, so that it fails if strict verification is dropped.
//! - **ed25519-dalek's validation criteria**: the edge cases its `tests/validation_criteria.rs`
//!   documents (a subset of its `VALIDATIONVECTORS`, committed under `tests/vectors/ed25519/`)
//!   get pinned verdicts through the two functions `Envelope::verify` calls
//!   (`PublicKey::verifying_key`, then `primitives::verify_strict`), and those accept exactly
//!   what ed25519-dalek's test expects `verify_strict` to accept: signatures whose key or R has
//!   a small-order *component* whose torsion cancels out. Such mixed-order keys cannot be
//!   recognised by a blocklist, and the cofactorless equation still refuses the signatures whose
//!   torsion does not cancel (`low_order_residue`).
//!
//! # Changes the canonical form declares equivalent
//!
//! RFC 8785 makes four kinds of change equivalent: the order of object members, whitespace
//! between tokens, how a character in a string is escaped, and how a number is spelled (`42`,
//! `42.0` and `4.2e1` are one number). The decoder accepts a document only if it *is* its
//! canonical form, so none of these rewrites gets the verdict of the original: each is refused as
//! above, because a signed object must have exactly one spelling for its hash (its name) to be
//! its identity. The identical verdict belongs to their canonicalisation instead:
//! `canonicalising_an_equivalent_spelling_gives_back_the_same_bytes_name_and_verdict` checks that
//! every such rewrite canonicalises back to the original bytes, hence the same name and the same
//! verdict. Duplicate keys (RFC 8785 requires I-JSON, which forbids them), truncation, trailing
//! data and leading zeros (not JSON) are not equivalent spellings, and neither is any bit flip.

use consent_tests::fixtures::{at, nonce, purpose, signed, School, Student};
use consent_tests::vectors::L;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{SigningKey, Verifier, VerifyingKey};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest as _, Sha512};
use shared::encoding::{to_canonical, DecodeError};
use shared::envelope::{signed_message, SignatureError};
use shared::objects::Method;
use shared::objects::{
    Acknowledgement, Checkpoint, ConsentForm, Contact, Controller, Decision, EnrolmentCertificate, EnrolmentRequest,
    FormContent, HistoryRequest, Invitation, Localized, Outcome, Policy, Purpose, RequestDecision, Right,
    RightsRequest, Role, StaffCertificate, StaffEnrolmentRequest, StaffInvitation, StaffRevocation, StaffRole,
};
use shared::primitives::{self, BadSignature, Digest, KeyError, PublicKey, Signature};
use shared::trust::{IssueError, TrustError, TrustStore, Verified};
use shared::{open, sign, OpenError, Signed, SignedObject, Timestamp};
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;

// ----- One valid object of every kind, and the two ways a reader opens it -----

/// Opens bytes as one kind under the key the reader trusts for it (`shared::open`).
type Open = fn(&[u8], &PublicKey) -> Result<(), OpenError>;

/// Verifies bytes as one kind through the trust store, with the objects it depends on.
type Trust = fn(&World, &[u8]) -> Result<(), TrustError>;

/// A valid signed object of one kind.
#[derive(Clone)]
struct Case {
    kind: &'static str,
    bytes: Vec<u8>,
    /// The key a reader trusts for this object, given to `open`.
    signer: PublicKey,
    /// The key that signed it.
    signing_key: SigningKey,
    open: Open,
    trust: Trust,
}

impl Case {
    fn opened(&self, bytes: &[u8]) -> Result<(), OpenError> {
        (self.open)(bytes, &self.signer)
    }

    fn trusted(&self, world: &World, bytes: &[u8]) -> Result<(), TrustError> {
        (self.trust)(world, bytes)
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).expect("canonical JSON is UTF-8")
    }

    /// A top-level string field of the envelope (`sig`, `signer`).
    fn field(&self, name: &str) -> String {
        let envelope: Value = serde_json::from_slice(&self.bytes).expect("JSON");
        envelope[name].as_str().unwrap_or_else(|| panic!("{}: no {name}", self.kind)).to_owned()
    }

    /// The envelope with its signature replaced.
    fn with_signature(&self, signature: &[u8; 64]) -> Vec<u8> {
        let old = format!("\"sig\":\"{}\"", self.field("sig"));
        let new = format!("\"sig\":\"{}\"", hex::encode(signature));
        self.text().replacen(&old, &new, 1).into_bytes()
    }

    /// The envelope with every occurrence of its signer's key replaced by `key`: the envelope's
    /// `signer`, and the body's named signer for the kinds that name one (the school for what the
    /// root key signs, the offered key for an enrolment request), so that the key is what is
    /// judged, not a mismatch between the two.
    fn with_signer(&self, key: &str) -> Vec<u8> {
        self.text().replace(&self.signer.to_hex(), key).into_bytes()
    }
}

fn opened<T: SignedObject>(bytes: &[u8], signer: &PublicKey) -> Result<(), OpenError> {
    open::<T>(bytes, signer).map(drop)
}

/// A school whose trust store holds its delegation, the objects other kinds are checked against,
/// and one valid object of every kind.
struct World {
    trust: TrustStore,
    /// The instant invitations are checked at.
    now: Timestamp,
    form: Verified<ConsentForm>,
    invitation: Verified<Invitation>,
    certificate: Verified<EnrolmentCertificate>,
    staff_invitation: Verified<StaffInvitation>,
    staff_certificate: Verified<StaffCertificate>,
    dpo_certificate: Verified<StaffCertificate>,
    /// The school's archive key, which signs certificates.
    archive: SigningKey,
    cases: Vec<Case>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(build_world)
}

fn case<T: SignedObject>(object: &Signed<T>, signing_key: &SigningKey, signer: PublicKey, trust: Trust) -> Case {
    Case {
        kind: T::KIND,
        bytes: object.bytes().to_vec(),
        signer,
        signing_key: signing_key.clone(),
        open: opened::<T>,
        trust,
    }
}

/// A form with two purposes, every text in English, Polish and Romanian and the first title also
/// in Ukrainian and German, small enough that all of its bits
/// can be flipped in the time budget (the example form is 25 KiB). Its texts hold what canonical
/// JSON escapes (a quote, a backslash, a newline, a tab), non-ASCII letters and a character
/// outside the Basic Multilingual Plane, so that the escape rewrites meet each of them.
fn compact_form(school: PublicKey) -> ConsentForm {
    let text =
        |en: &str, pl: &str, ro: &str| Localized { pl: Some(pl.into()), ro: Some(ro.into()), ..Localized::english(en) };
    let contact = |name: &str| Contact {
        name: name.into(),
        address: "Strada Exemplu 12, București".into(),
        email: "office@example.org".into(),
        phone: "+40 21 000 0000".into(),
    };
    let purposes = vec![
        Purpose {
            id: purpose("photos"),
            title: Localized {
                uk: Some("Фото класу".into()),
                de: Some("Klassenfotos".into()),
                ..text("Class photos", "Zdjęcia klasowe", "Fotografii de clasă")
            },
            description: text(
                "Photos of \"class events\" on the notice board.\nNever online.",
                "Zdjęcia z wydarzeń\tna tablicy.",
                "Fotografii pe avizier \\ nu online.",
            ),
            recipients: vec![text("Teachers", "Nauczyciele", "Profesori")],
            retention: text("One school year", "Jeden rok szkolny", "Un an școlar"),
            optional: true,
        },
        Purpose {
            id: purpose("trips"),
            title: text("School trips 🚌", "Wycieczki", "Excursii"),
            description: text("Names on the trip list.", "Nazwiska na liście.", "Nume pe listă."),
            recipients: vec![text("The bus company", "Przewoźnik", "Transportatorul")],
            retention: text("Until the trip ends", "Do końca wycieczki", "Până la sfârșitul excursiei"),
            optional: true,
        },
    ];
    let content = FormContent {
        controller: Controller { school: contact("Lindenfield School"), dpo: contact("Data Protection Officer") },
        supervisory_authority: contact("ANSPDCP"),
        policy: Policy::default(),
        purposes,
    };
    ConsentForm::new(school, 1, at("2026-09-01T08:00:00Z"), None, content)
}

fn build_world() -> World {
    let school = School::new("tamper");
    let root = school.id();
    let archive = PublicKey::of(&school.archive);
    let form = signed(compact_form(root), &school.root);
    let delegation = school.delegation();
    let child = Student::new("s-tamper", "Ștefan Popescu", "5A", "2015-03-02");
    let invitation = school.invite(&child, "p-tamper", Role::Guardian, "Ana Popescu, mama lui Ștefan");
    let mut guardian = school.enrol(&invitation, at("2026-09-02T18:00:01Z"));
    let person = PublicKey::of(&guardian.key);
    let request = EnrolmentRequest {
        school: root,
        invitation: invitation.hash(),
        key: person,
        client_time: at("2026-09-02T18:00:00Z"),
    };
    let request = signed(request, &guardian.key);
    guardian.decide(&form, &[("photos", Decision::Grant), ("trips", Decision::Refuse)], at("2026-09-02T18:00:05Z"));
    // The second receipt, so that the optional `previous` is present.
    let receipt = guardian.decide(&form, &[("photos", Decision::Withdraw)], at("2026-11-20T07:45:00Z"));
    let rights = RightsRequest {
        school: root,
        student: child.id.clone(),
        certificate: guardian.certificate.hash(),
        role: Role::Guardian,
        right: Right::Objection,
        purposes: vec![purpose("photos")],
        text: "Please take the class photo 📷 off the board.\nMulțumesc!".into(),
        client_time: at("2026-11-20T08:00:00Z"),
        nonce: nonce("tamper-objection"),
    };
    let rights = signed(rights, &guardian.key);
    let decision = RequestDecision {
        school: root,
        request: rights.hash(),
        outcome: Outcome::Granted,
        reason: "The photo was taken down on 2026-11-21.".into(),
        decided: at("2026-11-21T09:00:00Z"),
        staff_decision: None,
    };
    let checkpoint = Checkpoint {
        school: root,
        tree_size: 42,
        root_hash: Digest::of(b"tamper root"),
        time: at("2026-11-20T07:45:01Z"),
    };
    // Index 0, so that the number rewrites meet a zero (`-0`) as well as other numbers.
    let ack = Acknowledgement {
        school: root,
        object: receipt.hash(),
        log_index: 0,
        server_time: at("2026-11-20T07:45:01Z"),
        checkpoint: checkpoint.clone(),
    };
    let history = HistoryRequest {
        school: root,
        certificate: guardian.certificate.hash(),
        challenge: nonce("tamper-challenge"),
        client_time: at("2026-11-21T10:00:00Z"),
    };

    let staff_invitation =
        school.invite_staff("t-tamper", StaffRole::Teacher, &["5A", "7B"], "Maria Ionescu, dirigintă");
    let teacher = school.enrol_staff(&staff_invitation, at("2026-09-02T17:00:01Z"));
    let staff_key = PublicKey::of(&teacher.key);
    let staff_request = teacher.enrolment_request(at("2026-09-02T17:00:00Z"));
    let call =
        teacher.call(Method::Post, "/v1/staff/requests/decide?lang=ro", "tamper-staff", at("2026-11-21T10:00:00Z"));
    let dpo = school.enrol_staff(
        &school.invite_staff("t-tamper-dpo", StaffRole::Dpo, &[], "Responsabil protecția datelor"),
        at("2026-09-02T17:00:02Z"),
    );
    let dpo_key = PublicKey::of(&dpo.key);
    let staff_decision = dpo.decide(
        rights.hash(),
        Outcome::Refused,
        "Nu putem: fotografia e în arhiva tipărită.",
        at("2026-11-21T09:00:00Z"),
    );
    let slip = dpo.record_paper(
        &form,
        &child,
        &[(&guardian.certificate.body().person, Role::Guardian)],
        &[("photos", Decision::Grant)],
        "2026-09-02",
        at("2026-09-02T17:30:00Z"),
    );
    let revocation = StaffRevocation {
        school: root,
        certificate: teacher.certificate.hash(),
        person: teacher.certificate.body().person.clone(),
        revoked: at("2026-11-22T12:00:00Z"),
    };

    let mut trust = TrustStore::new(root);
    trust.add_delegation(delegation.bytes()).expect("the school's delegation verifies");
    let now = at("2026-09-02T18:00:00Z");
    let verified_form = trust.form(form.bytes()).expect("the form verifies");
    let verified_invitation = trust.invitation(invitation.bytes(), now).expect("the invitation verifies");
    let verified_certificate = trust.certificate(guardian.certificate.bytes()).expect("the certificate verifies");
    let verified_staff_invitation =
        trust.staff_invitation(staff_invitation.bytes(), now).expect("the staff invitation verifies");
    let verified_staff_certificate =
        trust.staff_certificate(teacher.certificate.bytes()).expect("the staff certificate verifies");
    let verified_dpo_certificate =
        trust.staff_certificate(dpo.certificate.bytes()).expect("the DPO's certificate verifies");

    let cases = vec![
        case(&form, &school.root, root, |w, b| w.trust.form(b).map(drop)),
        case(&delegation, &school.root, root, |w, b| w.trust.delegation(b).map(drop)),
        case(&invitation, &school.root, root, |w, b| w.trust.invitation(b, w.now).map(drop)),
        case(&request, &guardian.key, person, |w, b| w.trust.enrolment_request(b, &w.invitation).map(drop)),
        case(&guardian.certificate, &school.archive, archive, |w, b| w.trust.certificate(b).map(drop)),
        case(&receipt, &guardian.key, person, |w, b| w.trust.receipt(b, &w.certificate, &w.form).map(drop)),
        case(&rights, &guardian.key, person, |w, b| w.trust.request(b, &w.certificate).map(drop)),
        case(&signed(decision, &school.archive), &school.archive, archive, |w, b| w.trust.decision(b).map(drop)),
        case(&signed(checkpoint, &school.archive), &school.archive, archive, |w, b| w.trust.checkpoint(b).map(drop)),
        case(&signed(ack, &school.archive), &school.archive, archive, |w, b| w.trust.acknowledgement(b).map(drop)),
        case(&signed(history, &guardian.key), &guardian.key, person, |w, b| {
            w.trust.history_request(b, &w.certificate).map(drop)
        }),
        case(&staff_invitation, &school.root, root, |w, b| w.trust.staff_invitation(b, w.now).map(drop)),
        case(&staff_request, &teacher.key, staff_key, |w, b| {
            w.trust.staff_enrolment_request(b, &w.staff_invitation).map(drop)
        }),
        case(&teacher.certificate, &school.archive, archive, |w, b| w.trust.staff_certificate(b).map(drop)),
        case(&call, &teacher.key, staff_key, |w, b| w.trust.staff_request(b, &w.staff_certificate, w.now).map(drop)),
        case(&staff_decision, &dpo.key, dpo_key, |w, b| w.trust.staff_decision(b, &w.dpo_certificate, w.now).map(drop)),
        case(&slip, &dpo.key, dpo_key, |w, b| w.trust.paper_record(b, &w.dpo_certificate, &w.form, w.now).map(drop)),
        case(&signed(revocation, &school.archive), &school.archive, archive, |w, b| {
            w.trust.staff_revocation(b).map(drop)
        }),
    ];
    World {
        trust,
        now,
        form: verified_form,
        invitation: verified_invitation,
        certificate: verified_certificate,
        staff_invitation: verified_staff_invitation,
        staff_certificate: verified_staff_certificate,
        dpo_certificate: verified_dpo_certificate,
        archive: school.archive.clone(),
        cases,
    }
}

#[test]
fn every_kind_is_covered_and_opens_unmodified_through_open_and_the_trust_store() {
    let world = world();
    let kinds: BTreeSet<&str> = world.cases.iter().map(|c| c.kind).collect();
    let all = consent_tests::vectors::ALL_KINDS;
    assert_eq!(kinds, BTreeSet::from(all), "one case per kind");
    for case in &world.cases {
        assert_eq!(case.opened(&case.bytes), Ok(()), "{}", case.kind);
        assert_eq!(case.trusted(world, &case.bytes), Ok(()), "{}", case.kind);
    }
}

// ----- Bit flips -----

#[test]
fn every_single_bit_flip_of_every_kind_is_rejected() {
    let world = world();
    let mut failures = Vec::new();
    let mut flips = 0;
    for case in &world.cases {
        let mut bytes = case.bytes.clone();
        for bit in 0..bytes.len() * 8 {
            bytes[bit / 8] ^= 1 << (bit % 8);
            let opened = case.opened(&bytes);
            let trusted = case.trusted(world, &bytes);
            match (&opened, &trusted) {
                (Ok(()), _) | (_, Ok(())) => {
                    failures.push(format!("{}: bit {bit} flipped: open {opened:?}, trust store {trusted:?}", case.kind))
                }
                // A document that does not decode is refused by the trust store for the same reason.
                (Err(error @ OpenError::Decode(_)), Err(trust_error))
                    if *trust_error != TrustError::Open(error.clone()) =>
                {
                    failures.push(format!("{}: bit {bit}: open {error:?} but trust store {trust_error:?}", case.kind))
                }
                _ => {}
            }
            bytes[bit / 8] ^= 1 << (bit % 8);
            flips += 1;
        }
    }
    assert!(flips > 50_000, "only {flips} flips");
    assert!(failures.is_empty(), "{} of {flips} flips misjudged:\n{}", failures.len(), first(&failures));
}

/// The example form as schools write it is too large to flip every bit of in the time budget
/// (see the module documentation); every 61st bit, which visits each bit position of a byte.
#[test]
fn a_sample_of_single_bit_flips_of_the_example_form_is_rejected() {
    let school = School::new("tamper");
    let root = school.id();
    let mut bytes = school.form.bytes().to_vec();
    let mut failures = Vec::new();
    for bit in (0..bytes.len() * 8).step_by(61) {
        bytes[bit / 8] ^= 1 << (bit % 8);
        if open::<ConsentForm>(&bytes, &root).is_ok() {
            failures.push(format!("bit {bit}"));
        }
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    assert!(failures.is_empty(), "flipped bits of the example form still verify: {}", first(&failures));
}

// ----- Non-canonical rewrites -----

/// What a rewrite must be refused with.
#[derive(Debug, Clone)]
enum Expect {
    /// Exactly this error, offsets included.
    Exactly(DecodeError),
    /// Not JSON (serde_json's own message and position).
    Syntax,
    /// A number with a fraction or exponent where the protocol has an integer.
    FloatingPoint,
}

impl Expect {
    fn admits(&self, error: &DecodeError) -> bool {
        match self {
            Expect::Exactly(expected) => error == expected,
            Expect::Syntax => matches!(error, DecodeError::Syntax { .. }),
            Expect::FloatingPoint => {
                matches!(error, DecodeError::Schema { message } if message.contains("invalid type: floating point"))
            }
        }
    }
}

/// The rewrites of one class, of one canonical document.
type Rewrites = fn(&[u8]) -> Vec<Rewrite>;

/// A changed spelling of a canonical document and what it must be refused with.
struct Rewrite {
    what: String,
    bytes: Vec<u8>,
    expect: Expect,
}

/// `NotCanonical` at the first byte where `rewritten` differs from `canonical`: what
/// `check_canonical` reports for a document that decodes to the same value.
fn not_canonical(canonical: &[u8], rewritten: &[u8]) -> Expect {
    let offset = canonical.iter().zip(rewritten).position(|(a, b)| a != b).unwrap_or(canonical.len());
    Expect::Exactly(DecodeError::NotCanonical { offset })
}

fn splice(text: &[u8], range: Range<usize>, insert: &[u8]) -> Vec<u8> {
    [&text[..range.start], insert, &text[range.end..]].concat()
}

/// Checks every rewrite of every kind against open and the trust store, and reports all misjudged.
fn check_all(rewrites: Rewrites, at_least: usize) {
    let world = world();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &world.cases {
        for rewrite in rewrites(&case.bytes) {
            checked += 1;
            let what = format!("{} {}", case.kind, rewrite.what);
            match case.opened(&rewrite.bytes) {
                Err(OpenError::Decode(error)) if rewrite.expect.admits(&error) => {
                    let trusted = case.trusted(world, &rewrite.bytes);
                    let expected = TrustError::Open(OpenError::Decode(error));
                    if trusted != Err(expected.clone()) {
                        failures.push(format!("{what}: trust store {trusted:?}, expected {expected:?}"));
                    }
                }
                got => failures.push(format!("{what}: open {got:?}, expected {:?}", rewrite.expect)),
            }
        }
    }
    assert!(checked >= at_least, "only {checked} rewrites");
    assert!(failures.is_empty(), "{} of {checked} rewrites misjudged:\n{}", failures.len(), first(&failures));
}

fn first(failures: &[String]) -> String {
    failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
}

/// Where things are in a canonical document, found by a small parser that relies on canonical
/// JSON having no whitespace.
#[derive(Default)]
struct Layout {
    /// Offsets between two tokens, and both ends.
    gaps: Vec<usize>,
    /// Every character inside every string (keys included), as spelled.
    chars: Vec<Range<usize>>,
    numbers: Vec<Range<usize>>,
    /// The members of every object, in order.
    objects: Vec<Vec<Member>>,
}

struct Member {
    span: Range<usize>,
    key: String,
}

impl Layout {
    fn of(text: &[u8]) -> Layout {
        let mut layout = Layout::default();
        let end = layout.value(text, 0);
        assert_eq!(end, text.len(), "one value");
        layout.gaps.sort_unstable();
        layout.gaps.dedup();
        layout
    }

    /// The value starting at `at`; returns where it ends.
    fn value(&mut self, text: &[u8], at: usize) -> usize {
        self.gaps.push(at);
        let end = match text[at] {
            b'{' => self.object(text, at),
            b'[' => self.array(text, at),
            b'"' => self.string(text, at),
            b't' | b'n' => at + 4,
            b'f' => at + 5,
            _ => {
                let len = text[at..].iter().position(|b| !b"-+.0123456789eE".contains(b)).unwrap_or(text.len() - at);
                self.numbers.push(at..at + len);
                at + len
            }
        };
        self.gaps.push(end);
        end
    }

    fn object(&mut self, text: &[u8], at: usize) -> usize {
        let mut members = Vec::new();
        let mut next = at + 1;
        if text[next] == b'}' {
            self.gaps.push(next);
            self.objects.push(members);
            return next + 1;
        }
        loop {
            let key_end = self.value(text, next);
            assert_eq!(text[key_end], b':', "a colon after a key");
            let end = self.value(text, key_end + 1);
            let key = serde_json::from_slice(&text[next..key_end]).expect("a key");
            members.push(Member { span: next..end, key });
            match text[end] {
                b',' => next = end + 1,
                b'}' => {
                    self.objects.push(members);
                    return end + 1;
                }
                other => panic!("unexpected {:?} at {end}", other as char),
            }
        }
    }

    fn array(&mut self, text: &[u8], at: usize) -> usize {
        let mut next = at + 1;
        if text[next] == b']' {
            self.gaps.push(next);
            return next + 1;
        }
        loop {
            let end = self.value(text, next);
            match text[end] {
                b',' => next = end + 1,
                b']' => return end + 1,
                other => panic!("unexpected {:?} at {end}", other as char),
            }
        }
    }

    fn string(&mut self, text: &[u8], at: usize) -> usize {
        let mut next = at + 1;
        while text[next] != b'"' {
            let len = match text[next] {
                b'\\' if text[next + 1] == b'u' => 6,
                b'\\' => 2,
                b if b < 0x80 => 1,
                b if b >= 0xf0 => 4,
                b if b >= 0xe0 => 3,
                _ => 2,
            };
            self.chars.push(next..next + len);
            next += len;
        }
        next + 1
    }
}

/// Every adjacent pair of members swapped, in every object, and the envelope's members reversed.
fn reordered_keys(text: &[u8]) -> Vec<Rewrite> {
    let layout = Layout::of(text);
    let mut out = Vec::new();
    for members in &layout.objects {
        for pair in members.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let swapped = [&text[b.span.clone()], b",", &text[a.span.clone()]].concat();
            let bytes = splice(text, a.span.start..b.span.end, &swapped);
            let what = format!("with {:?} and {:?} swapped", a.key, b.key);
            out.push(Rewrite { what, expect: not_canonical(text, &bytes), bytes });
        }
    }
    let envelope = layout.objects.last().expect("the envelope is the last object to close");
    let reversed: Vec<&[u8]> = envelope.iter().rev().map(|m| &text[m.span.clone()]).collect();
    let bytes = [b"{".as_slice(), &reversed.join(b",".as_slice()), b"}"].concat();
    out.push(Rewrite {
        what: "with the envelope's members reversed".into(),
        expect: not_canonical(text, &bytes),
        bytes,
    });
    out
}

/// The four whitespace characters JSON allows, at every gap between tokens.
fn json_whitespace(text: &[u8]) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for gap in Layout::of(text).gaps {
        for space in [" ", "\t", "\n", "\r", "\r\n  "] {
            let bytes = splice(text, gap..gap, space.as_bytes());
            let expect = if gap == text.len() {
                Expect::Exactly(DecodeError::TrailingBytes { offset: gap })
            } else {
                Expect::Exactly(DecodeError::NotCanonical { offset: gap })
            };
            out.push(Rewrite { what: format!("with {space:?} at {gap}"), bytes, expect });
        }
    }
    out
}

/// Whitespace JSON does not allow, at every gap between tokens: not JSON, or trailing bytes after
/// the value.
fn other_whitespace(text: &[u8]) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for gap in Layout::of(text).gaps {
        for space in ["\u{feff}", "\u{c}", "\u{b}", "\u{a0}", "\u{2028}"] {
            let bytes = splice(text, gap..gap, space.as_bytes());
            let expect = if gap == text.len() {
                Expect::Exactly(DecodeError::TrailingBytes { offset: gap })
            } else {
                Expect::Syntax
            };
            out.push(Rewrite { what: format!("with {space:?} at {gap}"), bytes, expect });
        }
    }
    out
}

/// Every character of every string (keys included) in another escape: `\u` with lowercase and
/// uppercase hex digits (a surrogate pair beyond the Basic Multilingual Plane), `\/` for `/`, and
/// `\u` for what canonical JSON escapes in short form (`\"`, `\\`, `\n`, `\t`).
fn escapes(text: &[u8]) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for range in Layout::of(text).chars {
        let raw = std::str::from_utf8(&text[range.clone()]).expect("UTF-8");
        let decoded: String = serde_json::from_str(&format!("\"{raw}\"")).expect("a string");
        let c = decoded.chars().next().expect("one character");
        let mut units = [0u16; 2];
        let units = c.encode_utf16(&mut units);
        let lower: String = units.iter().map(|u| format!("\\u{u:04x}")).collect();
        let upper: String = units.iter().map(|u| format!("\\u{u:04X}")).collect();
        let slash = (c == '/').then(|| "\\/".to_owned());
        let mut spellings: Vec<String> = [Some(lower), Some(upper), slash].into_iter().flatten().collect();
        spellings.dedup();
        for spelling in spellings.into_iter().filter(|s| s != raw) {
            let bytes = splice(text, range.clone(), spelling.as_bytes());
            let what = format!("with {raw:?} at {} written {spelling:?}", range.start);
            out.push(Rewrite { what, expect: not_canonical(text, &bytes), bytes });
        }
    }
    out
}

/// Every number written with a fraction or an exponent (the same number in RFC 8785's eyes, a
/// floating-point number to the protocol's integer fields), as `-0`, or with a leading zero or
/// plus (not JSON).
fn numbers(text: &[u8]) -> Vec<Rewrite> {
    let mut out = Vec::new();
    for range in Layout::of(text).numbers {
        let n = std::str::from_utf8(&text[range.clone()]).expect("ASCII");
        let mut spellings = vec![
            (format!("{n}.0"), Expect::FloatingPoint),
            (format!("{n}.00"), Expect::FloatingPoint),
            (format!("{n}e0"), Expect::FloatingPoint),
            (format!("{n}E+0"), Expect::FloatingPoint),
            (format!("{n}.0e-0"), Expect::FloatingPoint),
            (format!("0{n}"), Expect::Syntax),
            (format!("+{n}"), Expect::Syntax),
            (format!("{n}."), Expect::Syntax),
        ];
        if n != "0" {
            spellings.push((format!("{n}0e-1"), Expect::FloatingPoint));
        }
        if n.len() > 1 {
            spellings.push((format!("{}.{}e{}", &n[..1], &n[1..], n.len() - 1), Expect::FloatingPoint));
        }
        if n == "0" {
            spellings.push(("-0".into(), Expect::FloatingPoint));
        }
        for (spelling, expect) in spellings {
            let bytes = splice(text, range.clone(), spelling.as_bytes());
            out.push(Rewrite { what: format!("with {n} at {} written {spelling}", range.start), bytes, expect });
        }
    }
    out
}

/// Every member of every object repeated: right after itself with the same value, and at the end
/// of its object with `null`.
fn duplicate_keys(text: &[u8]) -> Vec<Rewrite> {
    let layout = Layout::of(text);
    let mut out = Vec::new();
    for members in &layout.objects {
        let object_end = members.last().expect("objects here have members").span.end;
        for member in members {
            let expect = Expect::Exactly(DecodeError::DuplicateKey { key: member.key.clone() });
            let copy = [b",".as_slice(), &text[member.span.clone()]].concat();
            let bytes = splice(text, member.span.end..member.span.end, &copy);
            out.push(Rewrite { what: format!("with {:?} twice", member.key), bytes, expect: expect.clone() });
            let key_spelling = &text[member.span.start..member.span.start + member.key.len() + 2];
            let null = [b",", key_spelling, b":null"].concat();
            let bytes = splice(text, object_end..object_end, &null);
            out.push(Rewrite { what: format!("with {:?} again as null", member.key), bytes, expect });
        }
    }
    out
}

fn truncations(text: &[u8]) -> Vec<Rewrite> {
    (0..text.len())
        .map(|len| Rewrite { what: format!("cut to {len} bytes"), bytes: text[..len].to_vec(), expect: Expect::Syntax })
        .collect()
}

/// Every single byte after the value, and longer tails: whitespace, another value, the document again.
fn trailing_data(text: &[u8]) -> Vec<Rewrite> {
    let expect = Expect::Exactly(DecodeError::TrailingBytes { offset: text.len() });
    let tails: Vec<Vec<u8>> = (0..=255u8)
        .map(|b| vec![b])
        .chain(["\r\n", "  ", "{}", "null", "0", ",{}", "\u{feff}"].map(|t| t.as_bytes().to_vec()))
        .chain([text.to_vec()])
        .collect();
    tails
        .into_iter()
        .map(|tail| Rewrite {
            what: format!("followed by {:?}", String::from_utf8_lossy(&tail[..tail.len().min(8)])),
            bytes: [text, &tail].concat(),
            expect: expect.clone(),
        })
        .collect()
}

#[test]
fn reordered_keys_are_refused_as_not_canonical_at_the_first_moved_key() {
    check_all(reordered_keys, 140);
}

#[test]
fn added_whitespace_is_refused_where_it_was_added_or_as_trailing_bytes() {
    check_all(json_whitespace, 3_500);
}

#[test]
fn whitespace_json_does_not_allow_is_refused_as_not_json() {
    check_all(other_whitespace, 3_500);
}

#[test]
fn unicode_escapes_of_ordinary_characters_are_refused_as_not_canonical() {
    check_all(escapes, 6_800);
}

#[test]
fn numbers_written_another_way_are_refused_as_floating_point_or_not_json() {
    check_all(numbers, 50);
}

#[test]
fn duplicate_keys_are_refused_with_the_same_value_or_another() {
    check_all(duplicate_keys, 300);
}

#[test]
fn every_truncation_is_refused_as_incomplete_json() {
    check_all(truncations, 5_000);
}

#[test]
fn any_trailing_data_is_refused_as_trailing_bytes() {
    check_all(trailing_data, 2_500);
}

#[test]
fn canonicalising_an_equivalent_spelling_gives_back_the_same_bytes_name_and_verdict() {
    let world = world();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &world.cases {
        let classes: [Rewrites; 4] = [reordered_keys, json_whitespace, escapes, numbers];
        let equivalent = classes
            .iter()
            .flat_map(|rewrites| rewrites(&case.bytes))
            // Leading zeros and plus signs are not JSON, hence not a spelling of anything.
            .filter(|rewrite| !matches!(rewrite.expect, Expect::Syntax));
        for rewrite in equivalent {
            checked += 1;
            let value: Value = serde_json::from_slice(&rewrite.bytes).expect("JSON");
            let canonical = to_canonical(&value).expect("canonical");
            if canonical != case.bytes {
                failures.push(format!("{} {}: canonicalises to other bytes", case.kind, rewrite.what));
            }
        }
        // The same bytes: the same name (their hash) and the same verdict as the original's.
        assert_eq!(case.opened(&case.bytes), Ok(()), "{}", case.kind);
    }
    assert!(checked > 10_000, "only {checked} equivalent spellings");
    assert!(failures.is_empty(), "{} of {checked}:\n{}", failures.len(), first(&failures));
}

// ----- Signatures -----

/// `a + b` as 256-bit little-endian numbers, or `None` if the sum needs more than 32 bytes.
fn add(a: [u8; 32], b: [u8; 32]) -> Option<[u8; 32]> {
    let mut sum = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let total = u16::from(a[i]) + u16::from(b[i]) + carry;
        sum[i] = (total & 0xff) as u8;
        carry = total >> 8;
    }
    (carry == 0).then_some(sum)
}

/// The canonical encodings of the eight points of small order (order 1, 2, 4 and 8), from the
/// list in C2SP/CCTV's `ed25519vectors/README.md`.
const SMALL_ORDER: [&str; 8] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// The other encodings of small-order points that decompress: y ≥ p, or x = −0.
const NON_CANONICAL_SMALL_ORDER: [&str; 6] = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0100000000000000000000000000000000000000000000000000000000000080",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

/// The identity point, of order 1.
const IDENTITY: &str = "0100000000000000000000000000000000000000000000000000000000000000";

fn bytes32(text: &str) -> [u8; 32] {
    hex::decode(text).expect("hex").try_into().expect("32 bytes")
}

/// The message the signature of `bytes` covers: the domain-separated canonical body.
fn message_of(kind: &str, bytes: &[u8]) -> Vec<u8> {
    let envelope: Value = serde_json::from_slice(bytes).expect("JSON");
    signed_message(kind, &to_canonical(&envelope["body"]).expect("canonical body"))
}

/// A plain (non-strict) ed25519-dalek `verify`: what a reader without the strict checks accepts.
fn plain_verify(key: &str, message: &[u8], signature: &[u8; 64]) -> bool {
    let key = VerifyingKey::from_bytes(&bytes32(key)).expect("decompresses");
    key.verify(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
}

fn bad_signature() -> OpenError {
    OpenError::Signature(SignatureError::BadSignature(BadSignature))
}

#[test]
fn the_fourteen_small_order_encodings_are_the_eight_small_order_points() {
    let mut points = BTreeSet::new();
    for encoding in SMALL_ORDER {
        let point = CompressedEdwardsY(bytes32(encoding)).decompress().expect("a point");
        assert!(point.is_small_order(), "{encoding}");
        assert_eq!(hex::encode(point.compress().as_bytes()), encoding, "canonical");
        points.insert(encoding);
    }
    assert_eq!(points.len(), 8);
    for encoding in NON_CANONICAL_SMALL_ORDER {
        let point = CompressedEdwardsY(bytes32(encoding)).decompress().expect("decompresses");
        assert!(point.is_small_order(), "{encoding}");
        let canonical = hex::encode(point.compress().as_bytes());
        assert!(canonical != encoding && SMALL_ORDER.contains(&canonical.as_str()), "{encoding}");
    }
}

/// [S]B = [S + kℓ]B, so a reader that does not require S < ℓ would accept every one of these
/// signatures as well as the original: one object would have sixteen valid signatures, hence
/// sixteen names.
#[test]
fn s_plus_any_multiple_of_l_is_refused_for_every_kind() {
    let world = world();
    for case in &world.cases {
        let signature: [u8; 64] = hex::decode(case.field("sig")).expect("hex").try_into().expect("64 bytes");
        let s: [u8; 32] = signature[32..].try_into().expect("32 bytes");
        let mut tried = 0;
        let mut s_plus = s;
        while let Some(next) = add(s_plus, L) {
            s_plus = next;
            assert_eq!(Scalar::from_bytes_mod_order(s_plus), Scalar::from_bytes_mod_order(s), "the same scalar");
            let mut forged = signature;
            forged[32..].copy_from_slice(&s_plus);
            let bytes = case.with_signature(&forged);
            assert_eq!(case.opened(&bytes), Err(bad_signature()), "{}: S + {}ℓ", case.kind, tried + 1);
            assert_eq!(case.trusted(world, &bytes), Err(TrustError::Open(bad_signature())), "{}", case.kind);
            tried += 1;
        }
        assert!(tried >= 14, "{}: only {tried} multiples fit", case.kind);
    }
}

/// R of small order, with S = k·a for k = H(R ‖ A ‖ M): the verification equation
/// [S]B = R + [k]A holds exactly when R is the identity, which a plain `verify` then accepts.
#[test]
fn a_small_order_r_in_any_encoding_is_refused_for_every_kind() {
    let world = world();
    for case in &world.cases {
        let message = message_of(case.kind, &case.bytes);
        for r in SMALL_ORDER.iter().chain(&NON_CANONICAL_SMALL_ORDER) {
            let hash =
                Sha512::new().chain_update(bytes32(r)).chain_update(case.signer.0).chain_update(&message).finalize();
            let k = Scalar::from_bytes_mod_order_wide(&hash.into());
            let s = k * case.signing_key.to_scalar();
            let mut forged = [0u8; 64];
            forged[..32].copy_from_slice(&bytes32(r));
            forged[32..].copy_from_slice(s.as_bytes());
            if *r == IDENTITY {
                assert!(plain_verify(&case.signer.to_hex(), &message, &forged), "{}: plain verify accepts", case.kind);
            }
            let bytes = case.with_signature(&forged);
            assert_eq!(case.opened(&bytes), Err(bad_signature()), "{}: R = {r}", case.kind);
            assert_eq!(case.trusted(world, &bytes), Err(TrustError::Open(bad_signature())), "{}: R = {r}", case.kind);
        }
    }
}

/// Under a small-order key anyone can sign anything: with A the identity, R the identity and
/// S = 0 satisfy [S]B = R + [k]A for every message, and a plain `verify` accepts them.
#[test]
fn a_small_order_signer_key_in_any_encoding_is_refused_for_every_kind() {
    let world = world();
    let mut universal = [0u8; 64];
    universal[0] = 1;
    for case in &world.cases {
        for (encoding, canonical) in
            SMALL_ORDER.iter().map(|e| (e, true)).chain(NON_CANONICAL_SMALL_ORDER.iter().map(|e| (e, false)))
        {
            let forged = Case { bytes: case.with_signer(encoding), ..case.clone() };
            let bytes = forged.with_signature(&universal);
            if *encoding == IDENTITY {
                assert!(
                    plain_verify(encoding, &message_of(case.kind, &bytes), &universal),
                    "{}: plain verify accepts",
                    case.kind
                );
            }
            let key = PublicKey(bytes32(encoding));
            let expected = if canonical {
                KeyError::Weak(encoding.to_string())
            } else {
                KeyError::NonCanonical(encoding.to_string())
            };
            assert_eq!(
                (case.open)(&bytes, &key),
                Err(OpenError::Signature(SignatureError::Key(expected))),
                "{}: signer {encoding}",
                case.kind
            );
        }
    }
}

/// Person keys and staff keys enter the trust chain in two places each, and none lets a
/// small-order key in: the archive neither certifies one nor has its certificate of one verified,
/// and an enrolment request offering one is refused before its signature is looked at.
#[test]
fn the_trust_store_neither_certifies_nor_enrols_a_small_order_key() {
    let world = world();
    let request = world.cases.iter().find(|c| c.kind == EnrolmentRequest::KIND).expect("an enrolment request");
    let staff_request =
        world.cases.iter().find(|c| c.kind == StaffEnrolmentRequest::KIND).expect("a staff enrolment request");
    for (encoding, canonical) in
        SMALL_ORDER.iter().map(|e| (e, true)).chain(NON_CANONICAL_SMALL_ORDER.iter().map(|e| (e, false)))
    {
        let error =
            if canonical { KeyError::Weak(encoding.to_string()) } else { KeyError::NonCanonical(encoding.to_string()) };
        let expected = TrustError::WeakKey(error);
        let weak = PublicKey(bytes32(encoding));
        let body = EnrolmentCertificate { key: weak, ..world.certificate.body().clone() };
        let certificate = sign(body.clone(), &world.archive).expect("signs");
        assert_eq!(world.trust.certificate(certificate.bytes()).map(drop), Err(expected.clone()), "{encoding}");
        assert_eq!(
            world.trust.sign_by_archive(body, &world.archive).map(drop),
            Err(IssueError::Untrusted(expected.clone())),
            "{encoding}"
        );
        let body = StaffCertificate { key: weak, ..world.staff_certificate.body().clone() };
        let certificate = sign(body.clone(), &world.archive).expect("signs");
        assert_eq!(world.trust.staff_certificate(certificate.bytes()).map(drop), Err(expected.clone()), "{encoding}");
        assert_eq!(
            world.trust.sign_by_archive(body, &world.archive).map(drop),
            Err(IssueError::Untrusted(expected.clone())),
            "{encoding}"
        );
        let offered = request.with_signer(encoding);
        let result = world.trust.enrolment_request(&offered, &world.invitation).map(drop);
        assert_eq!(result, Err(expected.clone()), "{encoding}");
        let offered = staff_request.with_signer(encoding);
        let result = world.trust.staff_enrolment_request(&offered, &world.staff_invitation).map(drop);
        assert_eq!(result, Err(expected), "{encoding}");
    }
}

// ----- ed25519-dalek's validation criteria -----

/// One edge case of ed25519-dalek's `VALIDATIONVECTORS`, and this project's verdict on it.
#[derive(Deserialize)]
struct EdgeCase {
    number: usize,
    key: String,
    sig: String,
    msg: String,
    flags: BTreeSet<String>,
    expect: String,
}

fn edge_cases() -> Vec<EdgeCase> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/ed25519/validation-criteria.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the committed edge cases parse")
}

/// What ed25519-dalek's `tests/validation_criteria.rs` (2.2.0) allows `verify()` to accept.
const VERIFY_ALLOWED: [&str; 6] =
    ["low_order_A", "low_order_R", "non_canonical_A", "low_order_component_A", "low_order_component_R", "reencoded_k"];

/// What the same test allows `verify_strict()` to accept.
const VERIFY_STRICT_ALLOWED: [&str; 2] = ["low_order_component_A", "low_order_component_R"];

fn allowed(flags: &BTreeSet<String>, allowed: &[&str]) -> bool {
    flags.iter().all(|flag| allowed.contains(&flag.as_str()))
}

/// The verdict of the checks `Envelope::verify` makes once the signer is the expected one: the
/// key (`PublicKey::verifying_key`), then the signature (`primitives::verify_strict`).
fn our_verdict(case: &EdgeCase) -> Result<(), SignatureError> {
    let key = PublicKey(bytes32(&case.key)).verifying_key()?;
    let signature = Signature(hex::decode(&case.sig).expect("hex").try_into().expect("64 bytes"));
    primitives::verify_strict(&key, case.msg.as_bytes(), &signature)?;
    Ok(())
}

fn verdict_word(verdict: &Result<(), SignatureError>) -> &'static str {
    match verdict {
        Ok(()) => "ok",
        Err(SignatureError::Key(KeyError::Weak(_))) => "weak key",
        Err(SignatureError::Key(KeyError::NonCanonical(_))) => "non-canonical key",
        Err(SignatureError::Key(_)) => "not a point",
        Err(SignatureError::BadSignature(_)) => "bad signature",
        Err(_) => "other",
    }
}

#[test]
fn ed25519_dalek_edge_cases_get_their_pinned_verdicts_through_our_key_and_signature_checks() {
    let failures: Vec<String> = edge_cases()
        .iter()
        .filter_map(|case| {
            let got = verdict_word(&our_verdict(case));
            (got != case.expect)
                .then(|| format!("#{}: {got}, pinned {:?} (flags {:?})", case.number, case.expect, case.flags))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn our_checks_accept_exactly_the_edge_cases_ed25519_dalek_expects_verify_strict_to_accept() {
    for case in edge_cases() {
        let ours = our_verdict(&case).is_ok();
        assert_eq!(ours, allowed(&case.flags, &VERIFY_STRICT_ALLOWED), "#{} {:?}", case.number, case.flags);
        let key = VerifyingKey::from_bytes(&bytes32(&case.key)).expect("every key decompresses");
        let signature =
            ed25519_dalek::Signature::from_bytes(&hex::decode(&case.sig).expect("hex").try_into().expect("64"));
        assert_eq!(key.verify_strict(case.msg.as_bytes(), &signature).is_ok(), ours, "#{}: verify_strict", case.number);
    }
}

/// The committed cases are ed25519-dalek's own (a transcription error in one that plain `verify`
/// accepts would fail here, as in its `check_validation_criteria`), and they still cover every
/// edge case: each flag, each of the fourteen small-order encodings as the key and as R, and each
/// verdict. The plain verify column is also the list of forgeries strict verification stops.
#[test]
fn the_committed_edge_cases_are_ed25519_dalek_s_and_cover_every_flag_and_small_order_encoding() {
    let cases = edge_cases();
    assert!(cases.len() >= 60, "only {} edge cases", cases.len());
    for case in &cases {
        let key = VerifyingKey::from_bytes(&bytes32(&case.key)).expect("every key decompresses");
        let signature: [u8; 64] = hex::decode(&case.sig).expect("hex").try_into().expect("64 bytes");
        let plain = key.verify(case.msg.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature)).is_ok();
        assert_eq!(plain, allowed(&case.flags, &VERIFY_ALLOWED), "#{}: plain verify {:?}", case.number, case.flags);
    }
    let flags: BTreeSet<&str> = cases.iter().flat_map(|c| c.flags.iter().map(String::as_str)).collect();
    for flag in VERIFY_ALLOWED.iter().chain(&["non_canonical_R", "low_order_residue"]) {
        assert!(flags.contains(flag), "no edge case flagged {flag}");
    }
    for encoding in SMALL_ORDER.iter().chain(&NON_CANONICAL_SMALL_ORDER) {
        assert!(cases.iter().any(|c| c.key == *encoding), "no edge case with key {encoding}");
        assert!(cases.iter().any(|c| c.sig.starts_with(encoding)), "no edge case with R = {encoding}");
    }
    for word in ["ok", "weak key", "non-canonical key", "bad signature"] {
        assert!(cases.iter().any(|c| c.expect == word), "no edge case expects {word:?}");
    }
}

/// `check` verifies the archive's own acknowledgements by signing them again
/// (`TrustStore::own_acknowledgement`): for every single-bit flip, for another valid signature by
/// the same key (another nonce, so not the one signing again makes), for S + ℓ and for a signature
/// by another key, it must give exactly the verdict of verifying.
#[test]
fn checking_an_acknowledgement_by_signing_it_again_gives_the_verdict_of_verifying_it() {
    let world = world();
    let case = world.cases.iter().find(|c| c.kind == Acknowledgement::KIND).expect("an acknowledgement case");
    let same_verdict = |bytes: &[u8], what: &str| {
        let own = world.trust.own_acknowledgement(bytes, &world.archive).map(drop);
        assert_eq!(own, world.trust.acknowledgement(bytes).map(drop), "{what}");
        own
    };
    assert_eq!(same_verdict(&case.bytes, "unmodified"), Ok(()));
    let mut bytes = case.bytes.clone();
    for bit in 0..bytes.len() * 8 {
        bytes[bit / 8] ^= 1 << (bit % 8);
        assert!(same_verdict(&bytes, &format!("bit {bit}")).is_err(), "bit {bit} flipped still verifies");
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    let message = message_of(case.kind, &case.bytes);
    let r = Scalar::from_bytes_mod_order([3; 32]);
    let big_r = curve25519_dalek::EdwardsPoint::mul_base(&r).compress();
    let hash = Sha512::new().chain_update(big_r.0).chain_update(case.signer.0).chain_update(&message).finalize();
    let s = r + Scalar::from_bytes_mod_order_wide(&hash.into()) * case.signing_key.to_scalar();
    let mut other_nonce = [0u8; 64];
    other_nonce[..32].copy_from_slice(&big_r.0);
    other_nonce[32..].copy_from_slice(s.as_bytes());
    let other_nonce = case.with_signature(&other_nonce);
    assert_ne!(other_nonce, case.bytes);
    assert_eq!(same_verdict(&other_nonce, "another nonce"), Ok(()));
    let signature: [u8; 64] = hex::decode(case.field("sig")).expect("hex").try_into().expect("64 bytes");
    let mut s_plus_l = signature;
    s_plus_l[32..].copy_from_slice(&add(signature[32..].try_into().expect("32 bytes"), L).expect("fits"));
    assert!(same_verdict(&case.with_signature(&s_plus_l), "S + ℓ").is_err());
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let by_stranger = primitives::sign(&stranger, &message);
    assert!(same_verdict(&case.with_signature(&by_stranger.0), "another key's signature").is_err());
}
