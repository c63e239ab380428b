//! Paper slips in the archive: a DPO's or director's record of what a family signed on paper is
//! logged, audited, exported and checked as paper — never as a family's signature — and anything
//! else is refused without changing the archive.

mod common;

use consent_tests::fixtures::{example_form_content, key};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use shared::ids::{PersonId, PurposeId};
use shared::objects::{
    ConsentForm, ConsentReceipt, Decision, PaperRecord, PaperSigner, Role, StaffCertificate, StaffEnrolmentRequest,
    StaffRole,
};
use shared::policy::Status;
use shared::primitives::{Digest, PublicKey};
use shared::trust::TrustError;
use shared::{sign, Lang, Signed, SignedObject, Timestamp};
use verifier::archive::{Archive, ArchiveError, Roster, Submission, DATABASE};
use verifier::bundle::verify_bundle;
use verifier::keys;

/// Day `n` of the school year, at noon.
fn at(day: i64) -> Timestamp {
    Timestamp::from_unix(1_788_220_800 + day * 86_400 + 43_200).expect("in range")
}

const ROSTER: &str = "student_id,student_name,class,birth_date,guardian_name,guardian_email
s-1,Ana Popescu,7B,2017-01-01,Maria Popescu,m@example.org
";

struct School {
    _dir: tempfile::TempDir,
    archive: Archive,
    root: SigningKey,
    form: Signed<ConsentForm>,
    invitation: Vec<u8>,
}

fn school() -> School {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut archive, school) = Archive::init(dir.path(), at(0), &mut OsRng).expect("init");
    let root = keys::read_secret(&dir.path().join(keys::ROOT_KEY)).expect("root key");
    let form = sign(ConsentForm::new(school, 1, at(0), None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), at(0)).expect("publish");
    let invited =
        archive.invite(&Roster::parse(ROSTER).expect("roster"), &root, at(30), at(0), &mut OsRng).expect("invite");
    let invitation = invited[0].invitation.bytes().to_vec();
    School { _dir: dir, archive, root, form, invitation }
}

impl School {
    fn file(&self) -> String {
        common::dump(&self.archive.dir().join(DATABASE))
    }

    /// A staff member invited and enrolled as `role`.
    fn staff(&mut self, person: &str, role: StaffRole, classes: &[&str]) -> (SigningKey, Signed<StaffCertificate>) {
        let root = self.root.clone();
        let classes = classes.iter().map(|&c| c.to_owned()).collect();
        let person_id = PersonId::try_from(person).expect("id");
        let invitation = self
            .archive
            .invite_staff(&root, person_id, person, role, classes, at(30), at(1), &mut OsRng)
            .expect("invited");
        let staff_key = key(&format!("staff/{person}"));
        let request = StaffEnrolmentRequest {
            school: self.archive.school(),
            invitation: invitation.hash(),
            key: PublicKey::of(&staff_key),
            client_time: at(1),
        };
        let request = sign(request, &staff_key).expect("request");
        let certificate = self.archive.enrol_staff(invitation.bytes(), request.bytes(), at(1)).expect("enrolled");
        (staff_key, certificate.signed().clone())
    }

    /// A slip about s-1, signed by `signers` on `signed_on` (a day number), recorded on day 3.
    fn slip(
        &self,
        staff: &(SigningKey, Signed<StaffCertificate>),
        signers: &[(&str, Role)],
        decisions: &[(&str, Decision)],
        signed_on: i64,
    ) -> Signed<PaperRecord> {
        let body = PaperRecord {
            school: self.archive.school(),
            certificate: staff.1.hash(),
            student: "s-1".try_into().expect("id"),
            student_birth_date: "2017-01-01".parse().expect("date"),
            form: self.form.hash(),
            signers: signers
                .iter()
                .map(|(p, role)| PaperSigner { person: PersonId::try_from(*p).expect("id"), role: *role })
                .collect(),
            decisions: decisions.iter().map(|(p, d)| (PurposeId::try_from(*p).expect("purpose"), *d)).collect(),
            signed_on: at(signed_on).date(),
            scan: Digest::of(b"the scanned slip"),
            client_time: at(3),
        };
        sign(body, &staff.0).expect("slip")
    }

    /// Runs `attempt`, expects the error `expected` describes, and the archive file unchanged.
    fn refused(&mut self, what: &str, bytes: &[u8], expected: fn(&ArchiveError) -> bool) {
        let before = self.file();
        let error = self.archive.record_paper(bytes, at(3)).expect_err(what);
        assert!(expected(&error), "{what}: unexpected error {error:?}");
        assert_eq!(self.file(), before, "{what}: the archive changed");
    }
}

#[test]
fn a_paper_slip_is_logged_audited_exported_and_checked_as_paper_until_a_device_withdrawal_overrides_it() {
    let mut s = school();
    let dpo = s.staff("staff-dpo", StaffRole::Dpo, &[]);
    let slip = s.slip(&dpo, &[("s-1-g1", Role::Guardian)], &[("meals", Decision::Grant)], 2);
    let ack = s.archive.record_paper(slip.bytes(), at(3)).expect("recorded");
    assert_eq!(ack.body().object, slip.hash());
    let again = s.archive.record_paper(slip.bytes(), at(4)).expect("recorded again");
    assert_eq!(again.bytes(), ack.bytes(), "the same slip gets its stored acknowledgement");

    let audit = s.archive.audit_purpose("meals", at(4), None).expect("audit");
    let state = &audit.rows[0].state;
    assert!(matches!(state.status, Status::InEffect { .. }), "{:?}", state.status);
    assert_eq!(state.paper, [slip.hash()].into());
    assert!(verifier::audit::label(state).contains("on paper"), "{}", verifier::audit::label(state));

    let school_key = s.archive.school();
    let bundle = s.archive.export(&"s-1".try_into().expect("id")).expect("export");
    let report = verify_bundle(&bundle, &school_key).expect("the bundle verifies with the school key alone");
    assert_eq!(report.paper.len(), 1);
    assert_eq!(report.paper[0].recorded_by, (PersonId::try_from("staff-dpo").expect("id"), StaffRole::Dpo));
    assert_eq!(report.counts.get(PaperRecord::KIND), Some(&1));
    assert!(report.state.purposes.values().any(|p| p.paper.contains(&slip.hash())));
    let verdicts = verifier::offline::verify_documents(&[("bundle.json".into(), bundle.clone())], &school_key);
    let said = verdicts[0].1.as_ref().expect("verified");
    assert!(
        said.contains(
            "0 receipts signed on the family's devices; 1 on paper, recorded by staff, not signed by the family"
        ) && said.contains("recorded by staff-dpo (dpo)"),
        "{said}"
    );
    assert!(s.archive.check(false).expect("check").problems.is_empty());

    // The guardian later refuses on their own device: that stands, and nothing rests on paper.
    let invitation = s.invitation.clone();
    let guardian = key("guardian-device");
    let request = shared::objects::EnrolmentRequest {
        school: school_key,
        invitation: Digest::of(&invitation),
        key: PublicKey::of(&guardian),
        client_time: at(5),
    };
    let certificate =
        s.archive.enrol(&invitation, sign(request, &guardian).expect("request").bytes(), at(5)).expect("enrols");
    let decisions = [(PurposeId::try_from("meals").expect("purpose"), Decision::Refuse)].into();
    let receipt = ConsentReceipt::by(certificate.signed(), s.form.hash(), decisions, at(5), None, Lang::En);
    s.archive.submit(Submission::receipt(sign(receipt, &guardian).expect("receipt").bytes()), at(5)).expect("accepted");
    let state = &s.archive.audit_purpose("meals", at(6), None).expect("audit").rows[0].state;
    assert_eq!(state.status, Status::Refused { by: Role::Guardian });
    assert!(state.paper.is_empty());
    let bundle = s.archive.export(&"s-1".try_into().expect("id")).expect("export");
    let report = verify_bundle(&bundle, &school_key).expect("verifies");
    assert_eq!(report.paper.len(), 1, "the slip stays in the history");
    assert!(s.archive.check(false).expect("check").problems.is_empty());
}

#[test]
fn a_paper_slip_from_a_teacher_a_revoked_key_or_naming_someone_outside_the_family_is_refused_and_changes_nothing() {
    let mut s = school();
    let teacher = s.staff("staff-teacher", StaffRole::Teacher, &["7B"]);
    let grant = [("meals", Decision::Grant)];
    let guardian = [("s-1-g1", Role::Guardian)];
    let slip = s.slip(&teacher, &guardian, &grant, 2);
    s.refused("a teacher's slip", slip.bytes(), |e| {
        matches!(e, ArchiveError::Trust(TrustError::OutOfScope { role: StaffRole::Teacher }))
    });

    let dpo = s.staff("staff-dpo", StaffRole::Dpo, &[]);
    let stranger = s.slip(&dpo, &[("s-9-g1", Role::Guardian)], &grant, 2);
    s.refused("a signer not in the roster", stranger.bytes(), |e| matches!(e, ArchiveError::NotOfFamily { .. }));
    let wrong_role = s.slip(&dpo, &[("s-1-g1", Role::Student)], &grant, 2);
    s.refused("a guardian named as the student", wrong_role.bytes(), |e| matches!(e, ArchiveError::NotOfFamily { .. }));
    let unknown = s.slip(&dpo, &guardian, &[("no-such-purpose", Decision::Grant)], 2);
    s.refused("a purpose the form lacks", unknown.bytes(), |e| {
        matches!(e, ArchiveError::Trust(TrustError::UnknownPurpose(_)))
    });
    let mut forged = s.slip(&dpo, &guardian, &grant, 2).bytes().to_vec();
    let at_sig = forged.len() - 10;
    forged[at_sig] ^= if forged[at_sig] == b'a' { 3 } else { 1 };
    s.refused("a forged signature", &forged, |e| matches!(e, ArchiveError::Trust(_)));
    s.refused("not a slip at all", b"{\"kind\":\"paper-record/1\"}", |e| matches!(e, ArchiveError::Trust(_)));

    s.archive.revoke_staff(&PersonId::try_from("staff-dpo").expect("id"), at(2)).expect("revoked");
    let after = s.slip(&dpo, &guardian, &grant, 2);
    s.refused("a revoked key's slip", after.bytes(), |e| matches!(e, ArchiveError::StaffRevoked(_)));
}
