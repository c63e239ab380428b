//! The committed test vectors under `tests/vectors/`: how they are made, written and checked.
//!
//! Each file is a small header, a blank line, then the exact bytes under test:
//!
//! ```text
//! expect: bad signature
//! kind: consent-receipt/1
//! signer: 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
//! comment: the last hex digit of the signature is changed
//!
//! {"body":{…},"kind":"consent-receipt/1","sig":"…","signer":"…"}
//! ```
//!
//! `signer` is the key the reader trusts for the object; `expect` names exactly one outcome
//! ([`verdict`]). An optional `school:` line (after `signer`) names the school the reader is: an
//! object that opens but names another school is `wrong school`, the trust store's first check
//! after the signature, for the kinds whose signer does not fix their school (certificates). Everything is derived from fixed labels ([`crate::fixtures`]), so `cargo xtask
//! vectors` regenerates identical bytes, and a test checks that it does.

use crate::fixtures::{at, example_form_content_in_en_pl_ro, key, nonce, purpose, signed, School, Student};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use shared::encoding::{to_canonical, DecodeError};
use shared::envelope::{signed_message, SignatureError};
use shared::objects::{
    Acknowledgement, ArchiveDelegation, Checkpoint, ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate,
    EnrolmentRequest, HistoryRequest, Invitation, Method, Outcome, PaperRecord, RequestDecision, Right, RightsRequest,
    Role, StaffCertificate, StaffDecision, StaffEnrolmentRequest, StaffInvitation, StaffRequest, StaffRevocation,
    StaffRole,
};
use shared::primitives::{self, Digest, KeyError, PublicKey};
use shared::trust::HasSchool;
use shared::{open, OpenError, SignedObject};
use std::fmt::Write as _;

/// One vector: the header fields and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vector {
    /// File name without directory, e.g. `consent-receipt.bad-signature.vector`.
    pub name: String,
    /// The expected [`verdict`].
    pub expect: String,
    /// The kind the reader asks for.
    pub kind: String,
    /// The key the reader trusts for the object.
    pub signer: PublicKey,
    /// The school the reader is, when the case is about which school the object names.
    pub school: Option<PublicKey>,
    /// What the case is about.
    pub comment: String,
    /// The bytes under test.
    pub bytes: Vec<u8>,
}

impl Vector {
    /// The file's contents.
    pub fn render(&self) -> Vec<u8> {
        let mut text = String::new();
        let _ = writeln!(text, "expect: {}", self.expect);
        let _ = writeln!(text, "kind: {}", self.kind);
        let _ = writeln!(text, "signer: {}", self.signer);
        if let Some(school) = self.school {
            let _ = writeln!(text, "school: {school}");
        }
        let _ = writeln!(text, "comment: {}", self.comment);
        text.push('\n');
        [text.into_bytes(), self.bytes.clone()].concat()
    }

    /// Parses a file's contents.
    pub fn parse(name: &str, contents: &[u8]) -> Result<Vector, String> {
        let split = contents.windows(2).position(|w| w == b"\n\n").ok_or("no blank line after the header")?;
        let header = std::str::from_utf8(&contents[..split]).map_err(|e| e.to_string())?;
        let field = |key: &str| {
            header
                .lines()
                .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix(": ")))
                .map(str::to_owned)
                .ok_or(format!("header has no `{key}`"))
        };
        Ok(Vector {
            name: name.to_owned(),
            expect: field("expect")?,
            kind: field("kind")?,
            signer: PublicKey::from_hex(&field("signer")?).map_err(|e| e.to_string())?,
            school: field("school").ok().map(|hex| PublicKey::from_hex(&hex)).transpose().map_err(|e| e.to_string())?,
            comment: field("comment")?,
            bytes: contents[split + 2..].to_vec(),
        })
    }

    /// Opens the bytes as `kind` under `signer` and returns the verdict.
    pub fn run(&self) -> Result<&'static str, String> {
        let (bytes, signer, school) = (&self.bytes, &self.signer, self.school.as_ref());
        let verdict = match self.kind.as_str() {
            ConsentForm::KIND => opened::<ConsentForm>(bytes, signer, school),
            ArchiveDelegation::KIND => opened::<ArchiveDelegation>(bytes, signer, school),
            Invitation::KIND => opened::<Invitation>(bytes, signer, school),
            EnrolmentRequest::KIND => opened::<EnrolmentRequest>(bytes, signer, school),
            EnrolmentCertificate::KIND => opened::<EnrolmentCertificate>(bytes, signer, school),
            ConsentReceipt::KIND => opened::<ConsentReceipt>(bytes, signer, school),
            RightsRequest::KIND => opened::<RightsRequest>(bytes, signer, school),
            RequestDecision::KIND => opened::<RequestDecision>(bytes, signer, school),
            Checkpoint::KIND => opened::<Checkpoint>(bytes, signer, school),
            Acknowledgement::KIND => opened::<Acknowledgement>(bytes, signer, school),
            HistoryRequest::KIND => opened::<HistoryRequest>(bytes, signer, school),
            StaffInvitation::KIND => opened::<StaffInvitation>(bytes, signer, school),
            StaffEnrolmentRequest::KIND => opened::<StaffEnrolmentRequest>(bytes, signer, school),
            StaffCertificate::KIND => opened::<StaffCertificate>(bytes, signer, school),
            StaffRequest::KIND => opened::<StaffRequest>(bytes, signer, school),
            StaffDecision::KIND => opened::<StaffDecision>(bytes, signer, school),
            StaffRevocation::KIND => opened::<StaffRevocation>(bytes, signer, school),
            PaperRecord::KIND => opened::<PaperRecord>(bytes, signer, school),
            other => return Err(format!("unknown kind {other:?}")),
        };
        Ok(verdict)
    }
}

/// The verdict on `bytes` opened as `T` under `signer`: [`verdict`]'s, or `wrong school` for an
/// object that opens but names another school than `school`.
fn opened<T: SignedObject + HasSchool>(bytes: &[u8], signer: &PublicKey, school: Option<&PublicKey>) -> &'static str {
    match open::<T>(bytes, signer) {
        Ok(signed) if school.is_some_and(|school| school != signed.body().school()) => "wrong school",
        result => verdict(&result.map(drop)),
    }
}

/// The one word for each outcome of [`shared::open`], as written after `expect:`.
pub fn verdict(result: &Result<(), OpenError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(OpenError::Decode(error)) => match error {
            DecodeError::TooLarge { .. } => "too large",
            DecodeError::Syntax { .. } => "not json",
            DecodeError::TrailingBytes { .. } => "trailing bytes",
            DecodeError::DuplicateKey { .. } => "duplicate key",
            DecodeError::UnknownField { .. } => "unknown field",
            DecodeError::Schema { .. } => "schema",
            DecodeError::NotCanonical { .. } => "not canonical",
            _ => "other decode error",
        },
        Err(OpenError::WrongKind { .. }) => "wrong kind",
        Err(OpenError::Invalid(_)) => "invalid content",
        Err(OpenError::Signature(error)) => match error {
            SignatureError::WrongSigner { .. } => "wrong signer",
            SignatureError::Key(KeyError::Weak(_)) => "weak key",
            SignatureError::Key(KeyError::NonCanonical(_)) => "non-canonical key",
            SignatureError::Key(_) => "not a point",
            SignatureError::BadSignature(_) => "bad signature",
            _ => "other signature error",
        },
        Err(_) => "other error",
    }
}

/// Every vector, in a fixed order.
pub fn generate() -> Vec<Vector> {
    let mut out = Vectors::default();
    // Signed over the form as it read in English, Polish and Romanian only, so that these bytes,
    // committed before Ukrainian and German were added, show that adding a language changed none.
    let school = School::with_form("vectors", example_form_content_in_en_pl_ro());
    let root = PublicKey::of(&school.root);
    let archive = PublicKey::of(&school.archive);
    let child = Student::new("s-0001", "Ștefan Popescu", "5A", "2015-03-02");
    let teen = Student::new("s-0002", "Mihai Ionescu", "9B", "2011-06-20");

    out.ok("consent-form.v1", "form version 1: the example form", &school.form, root);
    let v2 = school.next_form(&school.form, at("2027-01-10T08:00:00Z"));
    out.ok("consent-form.v2", "form version 2 supersedes version 1", &v2, root);
    out.ok(
        "consent-form.translated",
        "the example form with its Ukrainian and German texts, a few of them not translated",
        &School::new("vectors").form,
        root,
    );
    out.ok(
        "archive-delegation",
        "the root key delegates the archive key for one school year",
        &school.delegation(),
        root,
    );
    let guardian_invite = school.invite(&child, "p-0001", Role::Guardian, "Ana Popescu");
    let student_invite = school.invite(&teen, "p-0003", Role::Student, "Mihai Ionescu");
    out.ok("invitation.guardian", "a guardian's invitation for a child under 14", &guardian_invite, root);
    out.ok("invitation.student", "a student's own invitation, aged 14-17", &student_invite, root);
    let person_key = key("person/p-0001");
    let request = EnrolmentRequest {
        school: school.id(),
        invitation: guardian_invite.hash(),
        key: PublicKey::of(&person_key),
        client_time: at("2026-09-02T18:00:00Z"),
    };
    let request = signed(request, &person_key);
    let request_bytes = request.bytes().to_vec();
    out.ok(
        "enrolment-request",
        "a new device key asks to enrol, signed by itself",
        &request,
        PublicKey::of(&person_key),
    );
    let mut guardian = school.enrol(&guardian_invite, at("2026-09-02T18:00:01Z"));
    out.ok("enrolment", "the archive certifies the guardian's key", &guardian.certificate, archive);

    let grant = guardian.decide(
        &school.form,
        &[("photos-internal", Decision::Grant), ("photos-published", Decision::Refuse)],
        at("2026-09-02T18:00:05Z"),
    );
    let person = PublicKey::of(&guardian.key);
    out.ok("consent-receipt.first", "a guardian's first receipt: one grant, one refusal", &grant, person);
    let withdrawal =
        guardian.decide(&school.form, &[("photos-internal", Decision::Withdraw)], at("2026-11-20T07:45:00Z"));
    out.ok(
        "consent-receipt.withdrawal",
        "one action withdraws one purpose; the receipt chains to the first",
        &withdrawal,
        person,
    );
    let second_invite = school.invite(&child, "p-guardian-2", Role::Guardian, "Petru");
    let mut second = school.enrol(&second_invite, at("2026-09-05T09:00:01Z"));
    let one_answer = second.decide(&school.form, &[("trips-abroad", Decision::Refuse)], at("2026-09-05T09:00:05Z"));
    out.ok(
        "consent-receipt.second-guardian",
        "a second guardian's first receipt names only the purpose they answered: what the first guardian decided on the others stands",
        &one_answer,
        PublicKey::of(&second.key),
    );

    let objection = RightsRequest {
        school: school.id(),
        student: child.id.clone(),
        certificate: guardian.certificate.hash(),
        role: Role::Guardian,
        right: Right::Objection,
        purposes: vec![purpose("photos-published")],
        text: "Please remove the class photo with my daughter from the website. Mulțumesc! Dziękuję!".into(),
        client_time: at("2026-11-20T08:00:00Z"),
        nonce: nonce("objection"),
    };
    let objection = signed(objection, &guardian.key);
    out.ok("rights-request", "an objection in free text with non-ASCII letters", &objection, person);
    let decision = RequestDecision {
        school: school.id(),
        request: objection.hash(),
        outcome: Outcome::Granted,
        reason: "The photo was removed from the website on 2026-11-21.".into(),
        decided: at("2026-11-21T09:00:00Z"),
        staff_decision: None,
    };
    out.ok(
        "request-decision",
        "the school grants the objection, with its reason",
        &signed(decision, &school.archive),
        archive,
    );
    let checkpoint = Checkpoint {
        school: school.id(),
        tree_size: 42,
        root_hash: Digest::of(b"root"),
        time: at("2026-11-20T07:45:01Z"),
    };
    let signed_checkpoint = signed(checkpoint.clone(), &school.archive);
    let checkpoint_bytes = signed_checkpoint.bytes().to_vec();
    out.ok("checkpoint", "a signed tree head", &signed_checkpoint, archive);
    let ack = Acknowledgement {
        school: school.id(),
        object: withdrawal.hash(),
        log_index: 41,
        server_time: at("2026-11-20T07:45:01Z"),
        checkpoint: checkpoint.clone(),
    };
    out.ok("acknowledgement", "the archive acknowledges the withdrawal", &signed(ack, &school.archive), archive);

    let history = HistoryRequest {
        school: school.id(),
        certificate: guardian.certificate.hash(),
        challenge: nonce("history-challenge"),
        client_time: at("2026-11-21T10:00:00Z"),
    };
    out.ok(
        "history-request",
        "a guardian answers the service's challenge to read their history",
        &signed(history, &guardian.key),
        person,
    );
    let receipt = grant.bytes().to_vec();
    let text = String::from_utf8(receipt.clone()).unwrap_or_default();
    let kind = ConsentReceipt::KIND;
    out.bad(
        "consent-receipt.bad-signature",
        "bad signature",
        kind,
        person,
        "the last hex digit of the signature is changed",
        flip_last_signature_digit(&text).into_bytes(),
    );
    out.bad(
        "consent-receipt.s-plus-l",
        "bad signature",
        kind,
        person,
        "S is replaced by S + L (same value mod L, non-canonical): verify_strict refuses",
        add_l_to_s(&text).into_bytes(),
    );
    out.bad(
        "consent-receipt.wrong-signer",
        "wrong signer",
        kind,
        archive,
        "a valid receipt checked against another key than its signer's",
        receipt.clone(),
    );
    let (weak, weak_key) = with_signer(&text, &small_order_key());
    out.bad(
        "consent-receipt.weak-key",
        "weak key",
        kind,
        weak_key,
        "the signer is a small-order point, under which signatures can be forged",
        weak.into_bytes(),
    );
    let (off_curve, off_key) = with_signer(&text, &off_curve_key());
    out.bad(
        "consent-receipt.not-a-point",
        "not a point",
        kind,
        off_key,
        "the signer's 32 bytes do not decode to a curve point",
        off_curve.into_bytes(),
    );
    out.bad(
        "consent-receipt.duplicate-key",
        "duplicate key",
        kind,
        person,
        "the body holds `language` twice",
        text.replacen("\"language\":\"en\"", "\"language\":\"en\",\"language\":\"pl\"", 1).into_bytes(),
    );
    out.bad(
        "consent-receipt.unknown-field",
        "unknown field",
        kind,
        person,
        "the body holds a field the protocol does not define",
        text.replacen("{\"body\":{", "{\"body\":{\"aaa\":1,", 1).into_bytes(),
    );
    out.bad(
        "consent-receipt.whitespace",
        "not canonical",
        kind,
        person,
        "a space after a colon",
        text.replacen("\"kind\":", "\"kind\": ", 1).into_bytes(),
    );
    out.bad(
        "consent-receipt.key-order",
        "not canonical",
        kind,
        person,
        "`sig` and `signer` swapped",
        swap_sig_and_signer(&text).into_bytes(),
    );
    out.bad(
        "consent-receipt.unicode-escape",
        "not canonical",
        kind,
        person,
        "`en` written as `\\u0065n`: the same string, another spelling",
        text.replacen("\"language\":\"en\"", "\"language\":\"\\u0065n\"", 1).into_bytes(),
    );
    out.bad(
        "consent-receipt.uppercase-hex",
        "schema",
        kind,
        person,
        "the signer key in uppercase hex",
        text.replacen(
            &format!("\"signer\":\"{person}\""),
            &format!("\"signer\":\"{}\"", person.to_hex().to_uppercase()),
            1,
        )
        .into_bytes(),
    );
    out.bad(
        "consent-receipt.trailing-newline",
        "trailing bytes",
        kind,
        person,
        "a newline after the closing brace",
        [receipt.as_slice(), b"\n"].concat(),
    );
    out.bad(
        "consent-receipt.truncated",
        "not json",
        kind,
        person,
        "the last byte is cut off",
        receipt[..receipt.len() - 1].to_vec(),
    );
    out.bad(
        "consent-receipt.too-large",
        "too large",
        kind,
        person,
        "65,537 bytes: over the limit before any parsing",
        vec![b' '; shared::encoding::MAX_DOCUMENT_BYTES + 1],
    );
    out.bad(
        "consent-receipt.as-form",
        "wrong kind",
        ConsentForm::KIND,
        person,
        "a receipt presented as a form",
        receipt.clone(),
    );
    out.bad(
        "consent-receipt.unknown-role",
        "schema",
        kind,
        person,
        "role `teacher` is not a role",
        resigned(&text, &guardian.key, |body| body["role"] = json!("teacher")),
    );
    out.bad(
        "consent-receipt.missing-field",
        "schema",
        kind,
        person,
        "no `language`",
        resigned(&text, &guardian.key, |body| drop(body.as_object_mut().map(|o| o.remove("language")))),
    );
    out.bad(
        "consent-receipt.withdraw-first",
        "invalid content",
        kind,
        person,
        "a withdrawal in a first receipt",
        resigned(&text, &guardian.key, |body| body["decisions"]["photos-internal"] = json!("withdraw")),
    );
    out.bad(
        "consent-receipt.no-decisions",
        "invalid content",
        kind,
        person,
        "a receipt that decides nothing",
        resigned(&text, &guardian.key, |body| body["decisions"] = json!({})),
    );
    let form_text = String::from_utf8(school.form.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "consent-form.not-optional",
        "invalid content",
        ConsentForm::KIND,
        root,
        "a purpose that is not optional",
        resigned(&form_text, &school.root, |body| body["purposes"][0]["optional"] = json!(false)),
    );
    out.bad(
        "consent-form.duplicate-purpose",
        "invalid content",
        ConsentForm::KIND,
        root,
        "two purposes share an id",
        resigned(&form_text, &school.root, |body| body["purposes"][1]["id"] = body["purposes"][0]["id"].clone()),
    );
    out.bad(
        "consent-receipt.small-order-r",
        "bad signature",
        kind,
        person,
        "R is the identity point and S = H(R,A,M)a: plain verify accepts it, verify_strict must not",
        small_order_r(&text, &guardian.key).into_bytes(),
    );
    let (non_canonical, non_canonical_key) = with_signer(&text, &non_canonical_key());
    out.bad(
        "consent-receipt.non-canonical-key",
        "non-canonical key",
        kind,
        non_canonical_key,
        "the signer key encodes y = p + 3, another spelling of the point y = 3",
        non_canonical.into_bytes(),
    );
    out.bad(
        "consent-receipt.leap-second",
        "schema",
        kind,
        person,
        "client_time 23:59:60 is a leap second, which readers disagree on",
        resigned(&text, &guardian.key, |body| body["client_time"] = json!("2026-09-02T23:59:60Z")),
    );
    let other_school = key("vectors/other-root");
    out.bad(
        "consent-form.names-another-school",
        "wrong signer",
        ConsentForm::KIND,
        PublicKey::of(&other_school),
        "a form signed by one school's key that names another school",
        resigned(&form_text, &other_school, |_| ()),
    );
    let invitation_text = String::from_utf8(guardian_invite.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "invitation.lenient-date",
        "schema",
        Invitation::KIND,
        root,
        "the birth date written 2015-3-02",
        resigned(&invitation_text, &school.root, |body| body["student_birth_date"] = json!("2015-3-02")),
    );
    let stranger = key("vectors/stranger");
    let request_text = String::from_utf8(request_bytes).unwrap_or_default();
    out.bad(
        "enrolment-request.not-by-offered-key",
        "wrong signer",
        EnrolmentRequest::KIND,
        PublicKey::of(&stranger),
        "a proof of possession signed by another key than the one offered",
        resigned(&request_text, &stranger, |_| ()),
    );
    let checkpoint_text = String::from_utf8(checkpoint_bytes).unwrap_or_default();
    out.bad(
        "checkpoint.beyond-2-53",
        "schema",
        Checkpoint::KIND,
        archive,
        "tree_size 2^53 + 1, which canonical JSON cannot carry exactly",
        checkpoint_text.replacen("\"tree_size\":42", "\"tree_size\":9007199254740993", 1).into_bytes(),
    );
    let bad_ack = Acknowledgement {
        school: school.id(),
        object: withdrawal.hash(),
        log_index: 42,
        server_time: at("2026-11-20T07:45:01Z"),
        checkpoint,
    };
    let bad_ack =
        raw_envelope(Acknowledgement::KIND, serde_json::to_value(&bad_ack).unwrap_or_default(), &school.archive);
    out.bad(
        "acknowledgement.index-outside-tree",
        "invalid content",
        Acknowledgement::KIND,
        archive,
        "log index 42 in a tree of 42 entries",
        bad_ack,
    );
    staff(&mut out, &school, objection.hash());
    out.0
}

/// The staff objects: a teacher's way from invitation to a signed console call, a DPO's
/// invitation and signed decision on `objection` (with the archive's decision carrying it out),
/// a revocation, and what the scope rule and the trust chain refuse.
fn staff(out: &mut Vectors, school: &School, objection: Digest) {
    let root = school.id();
    let archive = PublicKey::of(&school.archive);
    let teacher_invite = school.invite_staff("t-0001", StaffRole::Teacher, &["5A", "7B"], "Maria Ionescu");
    out.ok("staff-invitation.teacher", "a teacher's invitation for two classes", &teacher_invite, root);
    let dpo_invite = school.invite_staff("t-dpo", StaffRole::Dpo, &[], "Data Protection Officer");
    out.ok(
        "staff-invitation.dpo",
        "the DPO's invitation names no class: the DPO sees the whole school",
        &dpo_invite,
        root,
    );
    let teacher = school.enrol_staff(&teacher_invite, at("2026-09-03T08:00:01Z"));
    let staff_key = PublicKey::of(&teacher.key);
    let request = teacher.enrolment_request(at("2026-09-03T08:00:00Z"));
    out.ok(
        "staff-enrolment-request",
        "a key new in the teacher's browser asks to be certified, signed by itself",
        &request,
        staff_key,
    );
    out.ok(
        "staff-certificate.teacher",
        "the archive certifies the teacher's key for their two classes",
        &teacher.certificate,
        archive,
    );
    let call =
        teacher.call(Method::Get, "/v1/staff/classes/7B/students", "staff-challenge", at("2026-11-21T10:00:00Z"));
    out.ok(
        "staff-request",
        "the teacher authorises one console call by signing its challenge and route",
        &call,
        staff_key,
    );

    let dpo = school.enrol_staff(&dpo_invite, at("2026-09-03T09:00:01Z"));
    let reason = "The photo was removed from the website on 2026-11-21.";
    let staff_decision = dpo.decide(objection, Outcome::Granted, reason, at("2026-11-21T08:59:58Z"));
    out.ok(
        "staff-decision",
        "the DPO grants the objection in the console, signed by their own key",
        &staff_decision,
        PublicKey::of(&dpo.key),
    );
    let carried_out = RequestDecision {
        school: root,
        request: objection,
        outcome: Outcome::Granted,
        reason: reason.into(),
        decided: at("2026-11-21T09:00:00Z"),
        staff_decision: Some(staff_decision.hash()),
    };
    out.ok(
        "request-decision.by-staff",
        "the archive's decision carrying out the DPO's, which it names",
        &signed(carried_out, &school.archive),
        archive,
    );
    let decision_text = String::from_utf8(staff_decision.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "staff-decision.without-reason",
        "invalid content",
        StaffDecision::KIND,
        PublicKey::of(&dpo.key),
        "a decision that gives no reason",
        resigned(&decision_text, &dpo.key, |body| body["reason"] = json!(" ")),
    );
    // The same child and guardian as the family's vectors.
    let child = Student::new("s-0001", "Ștefan Popescu", "5A", "2015-03-02");
    let guardian_person = shared::ids::PersonId::try_from("p-0001").unwrap_or_else(|e| panic!("{e}"));
    let slip = dpo.record_paper(
        &school.form,
        &child,
        &[(&guardian_person, Role::Guardian)],
        &[("photos-published", Decision::Grant), ("meals", Decision::Refuse)],
        "2026-09-01",
        at("2026-09-04T10:00:00Z"),
    );
    out.ok(
        "paper-record",
        "the DPO records the guardian's paper slip, signed by their own key",
        &slip,
        PublicKey::of(&dpo.key),
    );
    let slip_text = String::from_utf8(slip.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "paper-record.dated-after-recording",
        "invalid content",
        PaperRecord::KIND,
        PublicKey::of(&dpo.key),
        "a slip dated after the day it was recorded",
        resigned(&slip_text, &dpo.key, |body| body["signed_on"] = json!("2026-09-05")),
    );
    out.bad(
        "paper-record.signer-twice",
        "invalid content",
        PaperRecord::KIND,
        PublicKey::of(&dpo.key),
        "a slip naming one signer twice",
        resigned(&slip_text, &dpo.key, |body| {
            let signer = body["signers"][0].clone();
            body["signers"] = json!([signer.clone(), signer]);
        }),
    );
    let revocation = StaffRevocation {
        school: root,
        certificate: teacher.certificate.hash(),
        person: teacher.certificate.body().person.clone(),
        revoked: at("2027-02-01T12:00:00Z"),
    };
    out.ok(
        "staff-revocation",
        "the archive revokes the teacher's certificate: from then on it authorises nothing",
        &signed(revocation, &school.archive),
        archive,
    );

    let invitation_text = String::from_utf8(teacher_invite.bytes().to_vec()).unwrap_or_default();
    let kind = StaffInvitation::KIND;
    let refused = [
        ("staff-invitation.teacher-without-class", "a teacher with no class", json!([]), "teacher"),
        ("staff-invitation.dpo-with-class", "a DPO who names a class", json!(["7B"]), "dpo"),
        ("staff-invitation.classes-unsorted", "a teacher's classes out of order", json!(["7B", "5A"]), "teacher"),
        ("staff-invitation.classes-duplicated", "a teacher's class named twice", json!(["7B", "7B"]), "teacher"),
    ];
    for (name, comment, classes, role) in refused {
        let bytes = resigned(&invitation_text, &school.root, |body| {
            body["classes"] = classes;
            body["role"] = json!(role);
        });
        out.bad(name, "invalid content", kind, root, comment, bytes);
    }
    out.bad(
        "staff-invitation.unknown-role",
        "schema",
        kind,
        root,
        "role `guardian` is not a staff role",
        resigned(&invitation_text, &school.root, |body| body["role"] = json!("guardian")),
    );
    out.bad(
        "staff-invitation.signed-by-archive",
        "wrong signer",
        kind,
        root,
        "a staff invitation signed by the archive key: only the offline root key invites staff",
        resigned(&invitation_text, &school.archive, |_| ()),
    );
    let other = School::new("vectors-other");
    let elsewhere = other
        .enrol_staff(&other.invite_staff("t-0001", StaffRole::Director, &[], "Director"), at("2026-09-03T08:00:01Z"));
    let certificate_text = String::from_utf8(elsewhere.certificate.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "staff-certificate.another-school",
        "wrong school",
        StaffCertificate::KIND,
        archive,
        "a director's certificate, signed by this school's archive key, that names another school",
        resigned(&certificate_text, &school.archive, |_| ()),
    );
    out.judged_by(root);
    let call_text = String::from_utf8(call.bytes().to_vec()).unwrap_or_default();
    out.bad(
        "staff-request.relative-path",
        "invalid content",
        StaffRequest::KIND,
        staff_key,
        "a path that does not start at the root",
        resigned(&call_text, &teacher.key, |body| body["path"] = json!("v1/staff/classes/7B/students")),
    );
}

/// Collects vectors.
#[derive(Default)]
struct Vectors(Vec<Vector>);

impl Vectors {
    fn ok<T: SignedObject>(&mut self, name: &str, comment: &str, object: &shared::Signed<T>, signer: PublicKey) {
        self.bad(name, "ok", T::KIND, signer, comment, object.bytes().to_vec());
    }

    fn bad(&mut self, name: &str, expect: &str, kind: &str, signer: PublicKey, comment: &str, bytes: Vec<u8>) {
        self.0.push(Vector {
            name: format!("{name}.vector"),
            expect: expect.to_owned(),
            kind: kind.to_owned(),
            signer,
            school: None,
            comment: comment.to_owned(),
            bytes,
        });
    }

    /// The last case, judged as a reader of `school` judges it.
    fn judged_by(&mut self, school: PublicKey) {
        if let Some(last) = self.0.last_mut() {
            last.school = Some(school);
        }
    }
}

/// Signs a body without the content checks of [`shared::sign`], to make objects that must fail them.
fn raw_envelope(kind: &str, body: Value, key: &SigningKey) -> Vec<u8> {
    let body_bytes = to_canonical(&body).unwrap_or_default();
    let signature = primitives::sign(key, &signed_message(kind, &body_bytes));
    let envelope =
        json!({ "body": body, "kind": kind, "sig": hex::encode(signature.0), "signer": PublicKey::of(key).to_hex() });
    to_canonical(&envelope).unwrap_or_default()
}

/// The envelope `text` with its body edited by `edit` and signed again by `key`.
fn resigned(text: &str, key: &SigningKey, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let envelope: Value = serde_json::from_str(text).unwrap_or_default();
    let mut body = envelope["body"].clone();
    let kind = envelope["kind"].as_str().unwrap_or_default().to_owned();
    edit(&mut body);
    raw_envelope(&kind, body, key)
}

fn field_value<'t>(text: &'t str, key: &str) -> &'t str {
    let start = text.rfind(&format!("\"{key}\":\"")).map(|i| i + key.len() + 4).unwrap_or_default();
    let end = text[start..].find('"').map(|i| start + i).unwrap_or(start);
    &text[start..end]
}

fn flip_last_signature_digit(text: &str) -> String {
    let sig = field_value(text, "sig");
    let flipped = format!("{}{}", &sig[..sig.len() - 1], if sig.ends_with('0') { '1' } else { '0' });
    text.replacen(sig, &flipped, 1)
}

/// Every kind of signed object, in the order the protocol introduces them.
pub const ALL_KINDS: [&str; 18] = [
    ConsentForm::KIND,
    ArchiveDelegation::KIND,
    Invitation::KIND,
    EnrolmentRequest::KIND,
    EnrolmentCertificate::KIND,
    ConsentReceipt::KIND,
    RightsRequest::KIND,
    RequestDecision::KIND,
    Checkpoint::KIND,
    Acknowledgement::KIND,
    HistoryRequest::KIND,
    StaffInvitation::KIND,
    StaffEnrolmentRequest::KIND,
    StaffCertificate::KIND,
    StaffRequest::KIND,
    StaffDecision::KIND,
    StaffRevocation::KIND,
    PaperRecord::KIND,
];

/// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
pub const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn add_l_to_s(text: &str) -> String {
    let sig = field_value(text, "sig");
    let mut bytes = hex::decode(sig).unwrap_or_default();
    let mut carry = 0u16;
    for (byte, l) in bytes[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    text.replacen(sig, &hex::encode(bytes), 1)
}

fn with_signer(text: &str, signer: &PublicKey) -> (String, PublicKey) {
    (text.replacen(field_value(text, "signer"), &signer.to_hex(), 1), *signer)
}

/// The identity point (y = 1), of order 1.
fn small_order_key() -> PublicKey {
    let mut bytes = [0u8; 32];
    bytes[0] = 1;
    PublicKey(bytes)
}

/// The first y = 2, 3, … whose encoding does not decompress to a curve point.
fn off_curve_key() -> PublicKey {
    (2u8..=255)
        .map(|y| {
            let mut bytes = [0u8; 32];
            bytes[0] = y;
            PublicKey(bytes)
        })
        .find(|key| matches!(key.verifying_key(), Err(KeyError::NotAPoint(_))))
        .unwrap_or(PublicKey([0xff; 32]))
}

/// A signature with R the identity point and S = k·a, k = H(R ‖ A ‖ M) (RFC 8032 §5.1.6 with a
/// small-order R): it satisfies the verification equation [S]B = R + [k]A, so a plain `verify`
/// accepts it, but `verify_strict` refuses small-order R.
fn small_order_r(text: &str, key: &SigningKey) -> String {
    use curve25519_dalek::Scalar;
    use sha2::{Digest as _, Sha512};
    let envelope: Value = serde_json::from_str(text).unwrap_or_default();
    let body = to_canonical(&envelope["body"]).unwrap_or_default();
    let message = signed_message(envelope["kind"].as_str().unwrap_or_default(), &body);
    let mut r = [0u8; 32];
    r[0] = 1;
    let hash = Sha512::new().chain_update(r).chain_update(PublicKey::of(key).0).chain_update(&message).finalize();
    let k = Scalar::from_bytes_mod_order_wide(&hash.into());
    let s = k * key.to_scalar();
    let signature = [r, s.to_bytes()].concat();
    text.replacen(field_value(text, "sig"), &hex::encode(signature), 1)
}

/// The encoding of y = p + 3 (p = 2^255 − 19): a non-canonical spelling of the point with y = 3.
fn non_canonical_key() -> PublicKey {
    let mut bytes = [0xff; 32];
    bytes[0] = 0xf0;
    bytes[31] = 0x7f;
    PublicKey(bytes)
}

fn swap_sig_and_signer(text: &str) -> String {
    let sig = field_value(text, "sig").to_owned();
    let signer = field_value(text, "signer").to_owned();
    let tail = format!(",\"sig\":\"{sig}\",\"signer\":\"{signer}\"}}");
    text.replacen(&tail, &format!(",\"signer\":\"{signer}\",\"sig\":\"{sig}\"}}"), 1)
}
