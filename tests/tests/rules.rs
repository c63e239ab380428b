//! The rules of PRODUCT.md that live in the protocol, one test named after each, through the same
//! signing and folding code the widget and the verifier use.

use consent_tests::fixtures::{at, purpose, Ledger, School, Signer, Student};
use shared::objects::{ConsentReceipt, Decision, Role};
use shared::policy::{IgnoredReason, Signers, Status};
use shared::primitives::PublicKey;
use shared::{open, OpenError, Signed, Timestamp};

/// A school with one student and one enrolled person per given role.
struct Family {
    school: School,
    student: Student,
    guardian: Signer,
    student_signer: Signer,
    ledger: Ledger,
}

impl Family {
    fn new(birth_date: &str) -> Family {
        let school = School::new("rules");
        let student = Student::new("s-7b-01", birth_date);
        let guardian =
            school.enrol(&school.invite(&student, "p-guardian", Role::Guardian, "Ana"), at("2026-09-02T10:00:00Z"));
        let student_signer =
            school.enrol(&school.invite(&student, "p-student", Role::Student, "Mihai"), at("2026-09-02T10:00:00Z"));
        Family { school, student, guardian, student_signer, ledger: Ledger::default() }
    }

    /// `who` decides at `time`, and the archive logs it a second later.
    fn decide(&mut self, who: Role, decisions: &[(&str, Decision)], time: &str) -> Signed<ConsentReceipt> {
        let signer = match who {
            Role::Guardian => &mut self.guardian,
            Role::Student => &mut self.student_signer,
        };
        let client_time = at(time);
        let receipt = signer.decide(&self.school.form, decisions, client_time);
        let logged_at = Timestamp::from_unix(client_time.unix() + 1).expect("in range");
        self.ledger.log(signer, &receipt, logged_at);
        receipt
    }

    fn status(&self, purpose_id: &str, time: &str) -> Status {
        self.ledger.status(&self.school.form, &self.student, purpose_id, at(time)).status
    }
}

fn in_effect(status: &Status) -> bool {
    matches!(status, Status::InEffect { .. })
}

#[test]
fn rule_1_no_default_consent() {
    let mut family = Family::new("2016-01-10");
    let state = family.ledger.state(&family.school.form, &family.student, at("2026-12-01T00:00:00Z"));
    assert_eq!(state.purposes.len(), family.school.form.body().purposes.len());
    assert!(state.purposes.values().all(|p| p.status == Status::NotAnswered), "silence is not consent");

    // Deciding on one purpose says nothing about the others, and a refusal is not a grant.
    family.decide(Role::Guardian, &[("meals", Decision::Refuse)], "2026-09-03T10:00:00Z");
    let state = family.ledger.state(&family.school.form, &family.student, at("2026-12-01T00:00:00Z"));
    assert_eq!(state.purposes[&purpose("meals")].status, Status::Refused { by: Role::Guardian });
    assert!(state.purposes.values().all(|p| !in_effect(&p.status)));
}

#[test]
fn rule_2_granular_and_separate() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("photos-internal", Decision::Grant)], "2026-09-03T10:00:00Z");
    let state = family.ledger.state(&family.school.form, &family.student, at("2026-09-04T00:00:00Z"));
    for (id, purpose) in &state.purposes {
        assert_eq!(in_effect(&purpose.status), id.as_str() == "photos-internal", "{id}");
    }
    // Every purpose is separately optional in the signed form itself.
    assert!(family.school.form.body().purposes.iter().all(|p| p.optional));
}

#[test]
fn rule_4_withdrawal_as_easy_as_consent() {
    let mut family = Family::new("2016-01-10");
    family.decide(
        Role::Guardian,
        &[("photos-internal", Decision::Grant), ("transport", Decision::Grant)],
        "2026-09-03T10:00:00Z",
    );
    // One action, one purpose: the withdrawal names only what it withdraws.
    let withdrawal = family.decide(Role::Guardian, &[("photos-internal", Decision::Withdraw)], "2026-11-20T08:00:00Z");
    assert_eq!(withdrawal.body().decisions.len(), 1);
    assert!(matches!(
        family.status("photos-internal", "2026-11-21T00:00:00Z"),
        Status::Withdrawn { by: Role::Guardian, .. }
    ));
    assert!(in_effect(&family.status("transport", "2026-11-21T00:00:00Z")), "other purposes are untouched");
    // History is kept: before the withdrawal the consent was, and stays, in effect.
    assert!(in_effect(&family.status("photos-internal", "2026-10-01T00:00:00Z")));
}

#[test]
fn rule_5_demonstrable() {
    let mut family = Family::new("2016-01-10");
    let receipt = family.decide(Role::Guardian, &[("photos-published", Decision::Grant)], "2026-09-03T10:00:00Z");
    let body = receipt.body();
    assert_eq!(body.form, family.school.form.hash(), "pins the exact form version");
    assert_eq!(body.certificate, family.guardian.certificate.hash(), "names the signer's certificate");
    assert_eq!(body.decisions[&purpose("photos-published")], Decision::Grant, "carries the decision");
    let signer = PublicKey::of(&family.guardian.key);
    assert_eq!(family.guardian.certificate.body().key, signer, "the certificate binds the signing key");
    // Anyone with the bytes and the key can check it; nobody can alter it.
    let reopened = open::<ConsentReceipt>(receipt.bytes(), &signer).expect("verifies");
    assert_eq!(reopened.hash(), receipt.hash());
    let forged = String::from_utf8(receipt.bytes().to_vec()).expect("utf-8").replace("\"grant\"", "\"refuse\"");
    assert!(matches!(open::<ConsentReceipt>(forged.as_bytes(), &signer), Err(OpenError::Signature(_))));
}

#[test]
fn rule_6_age_rules() {
    // Under 14: a guardian alone.
    let mut child = Family::new("2016-01-10");
    child.decide(Role::Guardian, &[("recordings-events", Decision::Grant)], "2026-09-03T10:00:00Z");
    assert!(in_effect(&child.status("recordings-events", "2026-09-04T00:00:00Z")));

    // 14 to 17: the guardian's grant waits for the student; the student's grant completes it;
    // either one withdrawing ends it.
    let mut teen = Family::new("2011-03-01");
    teen.decide(Role::Guardian, &[("recordings-events", Decision::Grant)], "2026-09-03T10:00:00Z");
    assert_eq!(
        teen.status("recordings-events", "2026-09-04T00:00:00Z"),
        Status::Waiting { for_roles: vec![Role::Student] }
    );
    teen.decide(Role::Student, &[("recordings-events", Decision::Grant)], "2026-09-05T10:00:00Z");
    assert!(in_effect(&teen.status("recordings-events", "2026-09-06T00:00:00Z")));
    teen.decide(Role::Student, &[("recordings-events", Decision::Withdraw)], "2026-10-01T10:00:00Z");
    assert!(matches!(
        teen.status("recordings-events", "2026-10-02T00:00:00Z"),
        Status::Withdrawn { by: Role::Student, .. }
    ));

    // 18 and over: the student alone; a guardian's grant no longer counts.
    let mut adult = Family::new("2008-01-10");
    adult.decide(Role::Student, &[("contests", Decision::Grant)], "2026-09-03T10:00:00Z");
    adult.decide(Role::Guardian, &[("contests", Decision::Refuse)], "2026-09-03T11:00:00Z");
    let state = adult.ledger.state(&adult.school.form, &adult.student, at("2026-09-04T00:00:00Z"));
    assert_eq!(state.required, Signers::Student);
    assert!(in_effect(&state.purposes[&purpose("contests")].status));
}

#[test]
fn rule_6_guardian_consent_is_flagged_for_reconfirmation_when_the_student_turns_14() {
    let mut family = Family::new("2012-10-15");
    family.decide(Role::Guardian, &[("photos-internal", Decision::Grant)], "2026-09-03T10:00:00Z");
    let before =
        family.ledger.status(&family.school.form, &family.student, "photos-internal", at("2026-10-14T12:00:00Z"));
    assert!(in_effect(&before.status) && !before.needs_reconfirmation);
    let after =
        family.ledger.status(&family.school.form, &family.student, "photos-internal", at("2026-10-15T12:00:00Z"));
    assert_eq!(after.status, Status::Waiting { for_roles: vec![Role::Student] });
    assert!(after.needs_reconfirmation);
    family.decide(Role::Student, &[("photos-internal", Decision::Grant)], "2026-10-20T10:00:00Z");
    let confirmed =
        family.ledger.status(&family.school.form, &family.student, "photos-internal", at("2026-10-21T00:00:00Z"));
    assert!(in_effect(&confirmed.status) && !confirmed.needs_reconfirmation);
}

#[test]
fn rule_6_guardian_consent_is_flagged_for_reconfirmation_when_the_student_turns_18() {
    let mut family = Family::new("2008-10-15");
    family.decide(Role::Guardian, &[("trips-abroad", Decision::Grant)], "2026-09-03T10:00:00Z");
    let after = family.ledger.status(&family.school.form, &family.student, "trips-abroad", at("2026-10-16T00:00:00Z"));
    assert_eq!(after.status, Status::NotAnswered, "the decision has passed to the student");
    assert!(after.needs_reconfirmation);
}

#[test]
fn grants_must_answer_the_same_form_version() {
    let mut family = Family::new("2011-03-01");
    family.decide(Role::Guardian, &[("recordings-events", Decision::Grant)], "2026-09-03T10:00:00Z");
    let v2 = family.school.next_form(&family.school.form, at("2026-10-01T00:00:00Z"));
    let receipt =
        family.student_signer.decide(&v2, &[("recordings-events", Decision::Grant)], at("2026-10-02T10:00:00Z"));
    family.ledger.log(&family.student_signer, &receipt, at("2026-10-02T10:00:01Z"));
    let state = family.ledger.status(&v2, &family.student, "recordings-events", at("2026-10-03T00:00:00Z"));
    assert_eq!(state.status, Status::Waiting { for_roles: vec![Role::Guardian] });
    assert!(state.form_superseded, "the guardian's grant answered the old version");
}

#[test]
fn a_grant_against_a_superseded_form_is_flagged_for_reconsent() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-09-03T10:00:00Z");
    let v2 = family.school.next_form(&family.school.form, at("2026-10-01T00:00:00Z"));
    let state = family.ledger.status(&v2, &family.student, "meals", at("2026-10-03T00:00:00Z"));
    assert!(matches!(state.status, Status::InEffect { form, .. } if form == family.school.form.hash()));
    assert!(state.form_superseded);
}

#[test]
fn an_old_receipt_replayed_cannot_override_a_later_withdrawal() {
    let mut family = Family::new("2016-01-10");
    let grant = family.decide(Role::Guardian, &[("photos-published", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Guardian, &[("photos-published", Decision::Withdraw)], "2026-09-10T10:00:00Z");
    family.ledger.log(&family.guardian, &grant, at("2026-09-11T10:00:00Z"));
    let state = family.ledger.state(&family.school.form, &family.student, at("2026-09-12T00:00:00Z"));
    assert!(matches!(state.purposes[&purpose("photos-published")].status, Status::Withdrawn { .. }));
    assert_eq!(state.ignored.len(), 1);
    assert_eq!(state.ignored[0].reason, IgnoredReason::Duplicate);
}

#[test]
fn a_receipt_forked_from_an_older_one_is_ignored() {
    let mut family = Family::new("2016-01-10");
    let first = family.decide(Role::Guardian, &[("transport", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Guardian, &[("transport", Decision::Withdraw)], "2026-09-10T10:00:00Z");
    // A receipt signed as if the withdrawal had never happened: it names the first as previous.
    family.guardian.previous = Some(first.hash());
    family.decide(Role::Guardian, &[("transport", Decision::Grant)], "2026-09-11T10:00:00Z");
    let state = family.ledger.state(&family.school.form, &family.student, at("2026-09-12T00:00:00Z"));
    assert!(matches!(state.purposes[&purpose("transport")].status, Status::Withdrawn { .. }));
    assert!(matches!(state.ignored[0].reason, IgnoredReason::BrokenChain { .. }));
}
