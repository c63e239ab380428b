//! The rules of PRODUCT.md that live in the protocol, one test named after each, through the same
//! signing, folding and trust code the widget and the verifier use.

use consent_tests::fixtures::{at, purpose, Ledger, School, Signer, Staff, Student};
use shared::ids::PersonId;
use shared::objects::{ConsentForm, ConsentReceipt, Decision, Method, Role, StaffCertificate, StaffRole};
use shared::policy::{ConsentState, IgnoredReason, PurposeState, Signers, Status};
use shared::primitives::{Digest, PublicKey};
use shared::trust::{IssueError, TrustError, TrustStore, Verified};
use shared::{open, OpenError, SignError, Signed, Timestamp};

/// A school with one student and one enrolled person per given role.
struct Family {
    school: School,
    forms: Vec<Signed<ConsentForm>>,
    student: Student,
    guardian: Signer,
    student_signer: Signer,
    ledger: Ledger,
}

impl Family {
    fn new(birth_date: &str) -> Family {
        let school = School::new("rules");
        let student = Student::new("s-7b-01", "Mihai", "7B", birth_date);
        let guardian =
            school.enrol(&school.invite(&student, "p-guardian", Role::Guardian, "Ana"), at("2026-09-02T10:00:00Z"));
        let student_signer =
            school.enrol(&school.invite(&student, "p-student", Role::Student, "Mihai"), at("2026-09-02T10:00:00Z"));
        let forms = vec![school.form.clone()];
        let ledger = Ledger::new(&school);
        Family { school, forms, student, guardian, student_signer, ledger }
    }

    /// `who` decides at `time`, and the archive logs it a second later.
    fn decide(&mut self, who: Role, decisions: &[(&str, Decision)], time: &str) -> Signed<ConsentReceipt> {
        let signer = match who {
            Role::Guardian => &mut self.guardian,
            Role::Student => &mut self.student_signer,
        };
        let client_time = at(time);
        let form = self.forms.last().expect("a published form");
        let receipt = signer.decide(form, decisions, client_time);
        let logged_at = Timestamp::from_unix(client_time.unix() + 1).expect("in range");
        self.ledger.log(signer, &receipt, logged_at);
        receipt
    }

    fn status(&self, purpose_id: &str, time: &str) -> Status {
        self.state(purpose_id, time).status
    }

    fn state(&self, purpose_id: &str, time: &str) -> PurposeState {
        self.ledger.status(&self.forms, &self.student, purpose_id, at(time))
    }

    fn all(&self, time: &str) -> ConsentState {
        self.ledger.state(&self.forms, &self.student, at(time))
    }

    /// Publishes the next form version with the same purposes.
    fn publish_next_form(&mut self, time: &str) {
        let next = self.school.next_form(self.forms.last().expect("a published form"), at(time));
        self.forms.push(next);
    }
}

fn in_effect(status: &Status) -> bool {
    matches!(status, Status::InEffect { .. })
}

#[test]
fn rule_1_no_default_consent() {
    let mut family = Family::new("2016-01-10");
    let state = family.all("2026-12-01T00:00:00Z");
    assert_eq!(state.purposes.len(), family.school.form.body().purposes.len());
    assert!(state.purposes.values().all(|p| p.status == Status::NotAnswered), "silence is not consent");

    // Deciding on one purpose says nothing about the others, and a refusal is not a grant.
    family.decide(Role::Guardian, &[("meals", Decision::Refuse)], "2026-09-03T10:00:00Z");
    let state = family.all("2026-12-01T00:00:00Z");
    assert_eq!(state.purposes[&purpose("meals")].status, Status::Refused { by: Role::Guardian });
    assert!(state.purposes.values().all(|p| !in_effect(&p.status)));
}

/// Who decides, what, and when.
type Turn<'a> = (&'a str, &'a [(&'a str, Decision)], &'a str);

/// Two guardians of a child under 14, each of whom may consent alone: the one named first grants
/// two purposes; the other, who sees that before deciding, then answers one other purpose only.
fn second_guardian_answers_one_purpose(first: &str, second: &str) -> ConsentState {
    let mut family = Family::new("2016-01-10");
    let enrol = |person: &str| {
        let invitation = family.school.invite(&family.student, person, Role::Guardian, person);
        family.school.enrol(&invitation, at("2026-09-02T10:00:00Z"))
    };
    let mut guardians = std::collections::BTreeMap::from([(first, enrol(first)), (second, enrol(second))]);
    let form = family.forms.last().expect("a published form").clone();
    let turns: [Turn; 2] = [
        (first, &[("photos-published", Decision::Grant), ("meals", Decision::Grant)], "2026-09-03T10:00:00Z"),
        (second, &[("trips-abroad", Decision::Refuse)], "2026-09-04T10:00:00Z"),
    ];
    for (who, answers, time) in turns {
        let guardian = guardians.get_mut(who).expect("enrolled");
        let receipt = guardian.decide(&form, answers, at(time));
        family.ledger.log(guardian, &receipt, Timestamp::from_unix(at(time).unix() + 1).expect("in range"));
    }
    family.all("2026-09-05T00:00:00Z")
}

#[test]
fn rule_1_a_second_guardian_answering_one_purpose_leaves_the_first_guardians_consents_in_either_order() {
    for (first, second) in [("p-maria", "p-petru"), ("p-petru", "p-maria")] {
        let state = second_guardian_answers_one_purpose(first, second);
        for granted in ["photos-published", "meals"] {
            assert!(in_effect(&state.purposes[&purpose(granted)].status), "{first} then {second}: {granted}");
        }
        assert_eq!(state.purposes[&purpose("trips-abroad")].status, Status::Refused { by: Role::Guardian });
        assert_eq!(state.purposes[&purpose("transport")].status, Status::NotAnswered, "silence stays silence");
    }
}

#[test]
fn rule_2_granular_and_separate() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("photos-internal", Decision::Grant)], "2026-09-03T10:00:00Z");
    let state = family.all("2026-09-04T00:00:00Z");
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
    // One action, one purpose: a receipt that names only what it withdraws.
    family.decide(Role::Guardian, &[("photos-internal", Decision::Withdraw)], "2026-11-20T08:00:00Z");
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
    let state = adult.all("2026-09-04T00:00:00Z");
    assert_eq!(state.required, Signers::Student);
    assert!(in_effect(&state.purposes[&purpose("contests")].status));
}

#[test]
fn rule_6_guardian_consent_is_flagged_for_reconfirmation_when_the_student_turns_14() {
    let mut family = Family::new("2012-10-15");
    family.decide(Role::Guardian, &[("photos-internal", Decision::Grant)], "2026-09-03T10:00:00Z");
    let before = family.state("photos-internal", "2026-10-14T12:00:00Z");
    assert!(in_effect(&before.status) && !before.needs_reconfirmation);
    // From the 14th birthday the guardian-only consent no longer holds: both must confirm it.
    let after = family.state("photos-internal", "2026-10-15T12:00:00Z");
    assert_eq!(after.status, Status::NotAnswered);
    assert!(after.needs_reconfirmation);
    family.decide(Role::Student, &[("photos-internal", Decision::Grant)], "2026-10-20T10:00:00Z");
    let half = family.state("photos-internal", "2026-10-21T00:00:00Z");
    assert_eq!(half.status, Status::Waiting { for_roles: vec![Role::Guardian] });
    assert!(half.needs_reconfirmation);
    family.decide(Role::Guardian, &[("photos-internal", Decision::Grant)], "2026-10-22T10:00:00Z");
    let confirmed = family.state("photos-internal", "2026-10-23T00:00:00Z");
    assert!(in_effect(&confirmed.status) && !confirmed.needs_reconfirmation);
}

#[test]
fn rule_6_guardian_consent_is_flagged_for_reconfirmation_when_the_student_turns_18() {
    let mut family = Family::new("2008-10-15");
    family.decide(Role::Guardian, &[("trips-abroad", Decision::Grant)], "2026-09-03T10:00:00Z");
    let after = family.state("trips-abroad", "2026-10-16T00:00:00Z");
    assert_eq!(after.status, Status::NotAnswered, "the decision has passed to the student");
    assert!(after.needs_reconfirmation);
}

#[test]
fn grants_must_answer_the_same_form_version() {
    let mut family = Family::new("2011-03-01");
    family.decide(Role::Guardian, &[("recordings-events", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.publish_next_form("2026-10-01T00:00:00Z");
    family.decide(Role::Student, &[("recordings-events", Decision::Grant)], "2026-10-02T10:00:00Z");
    let state = family.state("recordings-events", "2026-10-03T00:00:00Z");
    assert_eq!(state.status, Status::Waiting { for_roles: vec![Role::Guardian] });
    assert!(state.form_superseded, "the guardian's grant answered the old version");
}

#[test]
fn a_grant_against_a_superseded_form_is_flagged_for_reconsent() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-09-03T10:00:00Z");
    let first_form = family.forms[0].hash();
    family.publish_next_form("2026-10-01T00:00:00Z");
    let state = family.state("meals", "2026-10-03T00:00:00Z");
    assert!(matches!(state.status, Status::InEffect { form, .. } if form == first_form));
    assert!(state.form_superseded);
}

#[test]
fn answering_a_reconsent_request_never_ends_a_consent() {
    let mut family = Family::new("2011-03-01");
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Student, &[("meals", Decision::Grant)], "2026-09-04T10:00:00Z");
    family.publish_next_form("2026-10-01T00:00:00Z");
    family.decide(Role::Student, &[("meals", Decision::Grant)], "2026-10-02T10:00:00Z");
    let state = family.state("meals", "2026-10-03T00:00:00Z");
    assert!(in_effect(&state.status) && state.form_superseded, "still in effect on version 1: {state:?}");
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-10-05T10:00:00Z");
    let state = family.state("meals", "2026-10-06T00:00:00Z");
    assert!(matches!(state.status, Status::InEffect { form, .. } if form == family.forms[1].hash()));
    assert!(!state.form_superseded);
}

#[test]
fn a_grant_against_an_unpublished_form_does_not_count() {
    let mut family = Family::new("2016-01-10");
    let stranger = School::new("stranger-school");
    let receipt = family.guardian.decide(&stranger.form, &[("meals", Decision::Grant)], at("2026-09-03T10:00:00Z"));
    family.ledger.log(&family.guardian, &receipt, at("2026-09-03T10:00:01Z"));
    let state = family.all("2026-09-04T00:00:00Z");
    assert_eq!(state.purposes[&purpose("meals")].status, Status::NotAnswered);
    assert_eq!(state.ignored[0].reason, IgnoredReason::UnknownForm(stranger.form.hash()));
}

#[test]
fn restating_a_grant_keeps_the_time_it_took_effect() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(
        Role::Guardian,
        &[("meals", Decision::Grant), ("photos-internal", Decision::Refuse)],
        "2026-11-01T10:00:00Z",
    );
    let since = at("2026-09-03T10:00:01Z");
    assert!(matches!(family.status("meals", "2026-11-02T00:00:00Z"), Status::InEffect { since: s, .. } if s == since));
}

#[test]
fn either_of_two_guardians_withdrawing_ends_a_consent() {
    let mut family = Family::new("2016-01-10");
    let invitation = family.school.invite(&family.student, "p-second-guardian", Role::Guardian, "Ion");
    let mut father = family.school.enrol(&invitation, at("2026-09-02T10:00:00Z"));
    family.decide(Role::Guardian, &[("trips-abroad", Decision::Grant)], "2026-09-03T10:00:00Z");
    let withdrawal = father.decide(&family.forms[0], &[("trips-abroad", Decision::Refuse)], at("2026-09-04T10:00:00Z"));
    family.ledger.log(&father, &withdrawal, at("2026-09-04T10:00:01Z"));
    assert_eq!(family.status("trips-abroad", "2026-09-05T00:00:00Z"), Status::Refused { by: Role::Guardian });
    let grant = father.decide(&family.forms[0], &[("trips-abroad", Decision::Grant)], at("2026-09-06T10:00:00Z"));
    family.ledger.log(&father, &grant, at("2026-09-06T10:00:01Z"));
    assert!(in_effect(&family.status("trips-abroad", "2026-09-07T00:00:00Z")));
}

#[test]
fn a_withdrawal_before_the_18th_birthday_is_not_undone_by_it() {
    let mut family = Family::new("2008-10-15");
    family.decide(Role::Guardian, &[("photos-published", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Student, &[("photos-published", Decision::Grant)], "2026-09-03T11:00:00Z");
    family.decide(Role::Guardian, &[("photos-published", Decision::Withdraw)], "2026-09-20T10:00:00Z");
    assert!(matches!(family.status("photos-published", "2026-10-14T00:00:00Z"), Status::Withdrawn { .. }));
    let at_18 = family.state("photos-published", "2026-10-15T12:00:00Z");
    assert_eq!(at_18.status, Status::NotAnswered, "the student decides anew, alone");
}

#[test]
fn an_old_receipt_replayed_cannot_override_a_later_withdrawal() {
    let mut family = Family::new("2016-01-10");
    let grant = family.decide(Role::Guardian, &[("photos-published", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Guardian, &[("photos-published", Decision::Withdraw)], "2026-09-10T10:00:00Z");
    family.ledger.log(&family.guardian, &grant, at("2026-09-11T10:00:00Z"));
    let state = family.all("2026-09-12T00:00:00Z");
    assert!(matches!(state.purposes[&purpose("photos-published")].status, Status::Withdrawn { .. }));
    assert_eq!(state.ignored.len(), 1);
    assert_eq!(state.ignored[0].reason, IgnoredReason::Duplicate);
}

#[test]
fn a_fork_never_lets_a_grant_win_over_a_withdrawal() {
    let mut family = Family::new("2016-01-10");
    let first = family.decide(Role::Guardian, &[("transport", Decision::Grant)], "2026-09-03T10:00:00Z");
    family.decide(Role::Guardian, &[("transport", Decision::Withdraw)], "2026-09-10T10:00:00Z");
    // Another device, still at the first receipt, grants again: a second branch from `first`.
    family.guardian.previous = Some(first.hash());
    family.decide(Role::Guardian, &[("transport", Decision::Grant)], "2026-09-11T10:00:00Z");
    let state = family.all("2026-09-12T00:00:00Z");
    assert!(matches!(state.purposes[&purpose("transport")].status, Status::Withdrawn { .. }));
}

#[test]
fn chains_follow_their_links_not_their_log_positions() {
    let mut family = Family::new("2016-01-10");
    let first = family.guardian.decide(&family.forms[0], &[("transport", Decision::Grant)], at("2026-09-03T10:00:00Z"));
    let second =
        family.guardian.decide(&family.forms[0], &[("transport", Decision::Withdraw)], at("2026-09-04T10:00:00Z"));
    // The withdrawal reaches the log before the receipt it follows.
    family.ledger.log(&family.guardian, &second, at("2026-09-05T10:00:00Z"));
    family.ledger.log(&family.guardian, &first, at("2026-09-06T10:00:00Z"));
    assert!(matches!(family.status("transport", "2026-09-07T00:00:00Z"), Status::Withdrawn { .. }));
}

#[test]
fn a_receipt_whose_previous_is_unknown_is_ignored() {
    let mut family = Family::new("2016-01-10");
    family.guardian.previous = Some(shared::primitives::Digest([7; 32]));
    let orphan = family.decide(Role::Guardian, &[("transport", Decision::Grant)], "2026-09-03T10:00:00Z");
    let state = family.all("2026-09-04T00:00:00Z");
    assert_eq!(state.purposes[&purpose("transport")].status, Status::NotAnswered);
    assert_eq!(state.ignored[0].receipt, orphan.hash());
    assert!(matches!(state.ignored[0].reason, IgnoredReason::BrokenChain { .. }));
}

// ----- Staff identities: who sees what, and what authorises a console call -----

/// A school's trust store holding its archive delegation.
fn staff_trust(school: &School) -> TrustStore {
    let mut trust = TrustStore::new(school.id());
    trust.add_delegation(school.delegation().bytes()).expect("the school's delegation verifies");
    trust
}

/// The certificate of a staff member invited as `role` for `classes`, verified from its bytes.
fn certified(school: &School, person: &str, role: StaffRole, classes: &[&str]) -> (Staff, Verified<StaffCertificate>) {
    let staff = school.enrol_staff(&school.invite_staff(person, role, classes, person), at("2026-09-03T08:00:00Z"));
    let verified = staff_trust(school).staff_certificate(staff.certificate.bytes()).expect("the certificate verifies");
    (staff, verified)
}

#[test]
fn a_teacher_sees_only_their_classes_and_never_rights_requests() {
    let school = School::new("rules-staff");
    let (_, teacher) = certified(&school, "t-7b", StaffRole::Teacher, &["7A", "7B"]);
    let cert = teacher.body();
    assert!(cert.may_see_class("7A") && cert.may_see_class("7B"));
    assert!(!cert.may_see_class("7C") && !cert.may_see_class("5A"), "no class the certificate does not name");
    assert!(!cert.may_handle_requests(), "a rights request concerns a student's data across the school");
}

#[test]
fn the_dpo_and_the_director_see_the_whole_school_and_handle_rights_requests() {
    let school = School::new("rules-staff");
    for (person, role) in [("t-dpo", StaffRole::Dpo), ("t-director", StaffRole::Director)] {
        let (_, whole) = certified(&school, person, role, &[]);
        assert!(whole.body().classes.is_empty(), "{role:?}");
        assert!(["5A", "7B", "12C"].iter().all(|class| whole.body().may_see_class(class)), "{role:?}");
        assert!(whole.body().may_handle_requests(), "{role:?}");
    }
}

#[test]
fn a_teacher_has_at_least_one_class_and_a_dpo_or_director_none_in_every_signed_object() {
    let school = School::new("rules-staff");
    let trust = staff_trust(&school);
    let invalid = |e: &IssueError| matches!(e, IssueError::Sign(SignError::Invalid(_)));
    for (role, classes) in
        [(StaffRole::Teacher, &[][..]), (StaffRole::Dpo, &["7B"][..]), (StaffRole::Director, &["7B"][..])]
    {
        let (_, valid) = certified(&school, "t-1", StaffRole::Teacher, &["7B"]);
        let body =
            StaffCertificate { role, classes: classes.iter().map(|&c| c.to_owned()).collect(), ..valid.body().clone() };
        let refused = trust.sign_by_archive(body, &school.archive);
        assert!(refused.as_ref().is_err_and(invalid), "{role:?} {classes:?}: {refused:?}");
    }
}

#[test]
fn a_signed_console_call_authorises_only_its_route_under_its_certificate_until_it_expires() {
    let school = School::new("rules-staff");
    let trust = staff_trust(&school);
    let (teacher, certificate) = certified(&school, "t-7b", StaffRole::Teacher, &["7B"]);
    let path = "/v1/staff/classes/7B/students";
    let call = teacher.call(Method::Get, path, "rules-challenge", at("2026-11-21T10:00:00Z"));
    let now = at("2026-11-21T10:00:01Z");
    let verified = trust.staff_request(call.bytes(), &certificate, now).expect("the call is authorised");
    // The route is inside the signed bytes: the service compares it with the call it answers.
    assert_eq!((verified.body().method, verified.body().path.as_str()), (Method::Get, path));

    // Signed with another staff member's key, it authorises nothing under this certificate.
    let (colleague, _) = certified(&school, "t-7c", StaffRole::Teacher, &["7C"]);
    let forged = Staff { key: colleague.key, certificate: teacher.certificate.clone() };
    let forged = forged.call(Method::Get, path, "rules-challenge", at("2026-11-21T10:00:00Z"));
    assert!(matches!(trust.staff_request(forged.bytes(), &certificate, now), Err(TrustError::Open(_))));

    // From the instant its certificate expires, the staff key authorises nothing.
    let expired = certificate.body().expires;
    let later = Timestamp::from_unix(expired.unix() + 1).expect("in range");
    assert!(trust.staff_request(call.bytes(), &certificate, expired).is_ok());
    assert_eq!(
        trust.staff_request(call.bytes(), &certificate, later).map(drop),
        Err(TrustError::CertificateExpired { expired, now: later })
    );
}

// ----- Paper slips: a family without a device, recorded by staff and marked as such -----

impl Family {
    /// The DPO records a slip signed on `signed_on` by `who` (guardian and/or student) deciding
    /// `decisions`; the archive logs it at `logged`.
    fn on_paper(&mut self, who: &[Role], decisions: &[(&str, Decision)], signed_on: &str, logged: &str) -> Digest {
        let (dpo, _) = certified(&self.school, "t-dpo", StaffRole::Dpo, &[]);
        let signers: Vec<(&PersonId, Role)> = who
            .iter()
            .map(|role| match role {
                Role::Guardian => (&self.guardian.certificate.body().person, Role::Guardian),
                Role::Student => (&self.student_signer.certificate.body().person, Role::Student),
            })
            .collect();
        let form = self.forms.last().expect("a published form");
        let record = dpo.record_paper(form, &self.student, &signers, decisions, signed_on, at(logged));
        self.ledger.log_paper(&record, at(logged));
        record.hash()
    }
}

#[test]
fn a_paper_slip_counts_from_its_date_once_logged_and_is_marked_on_paper() {
    let mut family = Family::new("2016-01-10");
    let slip = family.on_paper(
        &[Role::Guardian],
        &[("photos-published", Decision::Grant)],
        "2026-09-01",
        "2026-09-05T09:00:00Z",
    );
    let state = family.state("photos-published", "2026-09-06T00:00:00Z");
    assert_eq!(state.status, Status::InEffect { form: family.school.form.hash(), since: at("2026-09-01T00:00:00Z") });
    assert_eq!(state.paper, [slip].into(), "the consent rests on the slip, and says so");
    // Before the school recorded it, the log cannot have proved it.
    assert_eq!(family.status("photos-published", "2026-09-04T00:00:00Z"), Status::NotAnswered);
    // A device-signed consent is not marked.
    family.decide(Role::Guardian, &[("meals", Decision::Grant)], "2026-09-03T10:00:00Z");
    assert!(family.state("meals", "2026-09-06T00:00:00Z").paper.is_empty());
}

#[test]
fn a_later_device_signed_withdrawal_overrides_a_paper_slip() {
    // Logged after the withdrawal, but dated before it: the device's later decision stands.
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("photos-published", Decision::Grant)], "2026-08-20T10:00:00Z");
    family.decide(Role::Guardian, &[("photos-published", Decision::Withdraw)], "2026-09-10T10:00:00Z");
    family.on_paper(&[Role::Guardian], &[("photos-published", Decision::Grant)], "2026-09-01", "2026-09-20T09:00:00Z");
    let state = family.state("photos-published", "2026-09-21T00:00:00Z");
    assert_eq!(state.status, Status::Withdrawn { by: Role::Guardian, at: at("2026-09-10T10:00:01Z") });
    assert!(state.paper.is_empty(), "the state rests on the device-signed withdrawal");

    // Recorded first, withdrawn on a device later, also on the slip's own day.
    let mut family = Family::new("2016-01-10");
    family.on_paper(&[Role::Guardian], &[("photos-published", Decision::Grant)], "2026-09-01", "2026-09-01T08:00:00Z");
    family.decide(Role::Guardian, &[("photos-published", Decision::Refuse)], "2026-09-01T10:00:00Z");
    assert_eq!(family.status("photos-published", "2026-09-02T00:00:00Z"), Status::Refused { by: Role::Guardian });
}

#[test]
fn a_paper_slip_dated_after_a_device_decision_overrides_it() {
    let mut family = Family::new("2016-01-10");
    family.decide(Role::Guardian, &[("photos-published", Decision::Refuse)], "2026-09-01T10:00:00Z");
    let slip = family.on_paper(
        &[Role::Guardian],
        &[("photos-published", Decision::Grant)],
        "2026-09-08",
        "2026-09-09T09:00:00Z",
    );
    let state = family.state("photos-published", "2026-09-10T00:00:00Z");
    assert!(in_effect(&state.status), "{:?}", state.status);
    assert_eq!(state.paper, [slip].into());
    // And a paper withdrawal is marked as the paper that ended it.
    let ended = family.on_paper(
        &[Role::Guardian],
        &[("photos-published", Decision::Withdraw)],
        "2026-09-12",
        "2026-09-12T09:00:00Z",
    );
    let state = family.state("photos-published", "2026-09-13T00:00:00Z");
    assert_eq!(state.status, Status::Withdrawn { by: Role::Guardian, at: at("2026-09-12T00:00:00Z") });
    assert_eq!(state.paper, [ended].into());
}

#[test]
fn a_paper_slip_follows_the_age_rules_a_co_signing_student_signs_it_too() {
    let mut family = Family::new("2011-03-01");
    family.on_paper(&[Role::Guardian], &[("photos-published", Decision::Grant)], "2026-09-01", "2026-09-02T09:00:00Z");
    assert_eq!(
        family.status("photos-published", "2026-09-03T00:00:00Z"),
        Status::Waiting { for_roles: vec![Role::Student] }
    );
    let both = family.on_paper(
        &[Role::Guardian, Role::Student],
        &[("photos-published", Decision::Grant)],
        "2026-09-04",
        "2026-09-05T09:00:00Z",
    );
    let state = family.state("photos-published", "2026-09-06T00:00:00Z");
    assert!(in_effect(&state.status), "{:?}", state.status);
    assert!(state.paper.contains(&both));
    // The student withdrawing on their own device ends it.
    family.decide(Role::Student, &[("photos-published", Decision::Refuse)], "2026-09-07T10:00:00Z");
    assert_eq!(family.status("photos-published", "2026-09-08T00:00:00Z"), Status::Refused { by: Role::Student });
}

#[test]
fn only_a_dpo_or_a_director_records_a_paper_slip_and_only_on_the_forms_purposes() {
    let family = Family::new("2016-01-10");
    let trust = staff_trust(&family.school);
    let form = trust.form(family.school.form.bytes()).expect("the form verifies");
    let guardian = family.guardian.certificate.body().person.clone();
    let slip = |staff: &Staff, decisions: &[(&str, Decision)]| {
        staff.record_paper(
            &family.school.form,
            &family.student,
            &[(&guardian, Role::Guardian)],
            decisions,
            "2026-09-01",
            at("2026-09-04T09:00:00Z"),
        )
    };
    let grant = [("photos-published", Decision::Grant)];
    for (person, role) in [("t-dpo", StaffRole::Dpo), ("t-director", StaffRole::Director)] {
        let (staff, certificate) = certified(&family.school, person, role, &[]);
        let record = slip(&staff, &grant);
        assert!(
            trust.paper_record(record.bytes(), &certificate, &form, at("2026-09-04T09:00:00Z")).is_ok(),
            "{role:?}"
        );
    }
    let (teacher, certificate) = certified(&family.school, "t-7b", StaffRole::Teacher, &["7B"]);
    let refused = trust.paper_record(slip(&teacher, &grant).bytes(), &certificate, &form, at("2026-09-04T09:00:00Z"));
    assert!(matches!(refused, Err(TrustError::OutOfScope { role: StaffRole::Teacher })), "{refused:?}");

    let (dpo, certificate) = certified(&family.school, "t-dpo", StaffRole::Dpo, &[]);
    let unknown = trust.paper_record(
        slip(&dpo, &[("no-such-purpose", Decision::Grant)]).bytes(),
        &certificate,
        &form,
        at("2026-09-04T09:00:00Z"),
    );
    assert!(matches!(unknown, Err(TrustError::UnknownPurpose(_))), "{unknown:?}");
    let expired = trust.paper_record(slip(&dpo, &grant).bytes(), &certificate, &form, at("2027-09-02T00:00:00Z"));
    assert!(matches!(expired, Err(TrustError::CertificateExpired { .. })), "{expired:?}");
    let next = family.school.next_form(&family.school.form, at("2026-09-03T00:00:00Z"));
    let next = trust.form(next.bytes()).expect("v2 verifies");
    let other_form = trust.paper_record(slip(&dpo, &grant).bytes(), &certificate, &next, at("2026-09-04T09:00:00Z"));
    assert!(matches!(other_form, Err(TrustError::Mismatch { field: "form", .. })), "{other_form:?}");
}
