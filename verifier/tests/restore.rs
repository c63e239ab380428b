//! A restored older copy of the database must not go unnoticed (issue 12, item 7): the log
//! ledger outside the database shows what the archive signed; until `recover` rebuilds it the
//! archive signs, audits and exports nothing; the rebuilt log has the same entries at the same
//! indexes, and a family's kept receipt sent again gets the acknowledgement it already holds —
//! never a second one at another index; and `verifier verify` refuses a bundle older than what
//! the family was acknowledged.

use consent_tests::fixtures::{example_form_content, key, purpose};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use shared::objects::{ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, Invitation};
use shared::objects::{Right, RightsRequest};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{sign, Lang, Signed, Timestamp};
use std::path::Path;
use verifier::archive::{Archive, ArchiveError, Roster, Submission, DATABASE};
use verifier::audit::AuditError;
use verifier::keys;

fn at(offset_days: i64) -> Timestamp {
    Timestamp::from_unix(1_790_000_000 + offset_days * 86_400).expect("in range")
}

const ROSTER: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-1,Ana,7B,2017-01-01,,Maria,m@example.org,,
s-2,Mihai,7B,2016-01-01,,Ioana,i@example.org,,
";

struct School {
    dir: tempfile::TempDir,
    form: Signed<ConsentForm>,
    invitations: Vec<Signed<Invitation>>,
}

/// One family member's device.
struct Device {
    key: SigningKey,
    certificate: Signed<EnrolmentCertificate>,
    head: Option<Digest>,
}

impl School {
    fn new() -> School {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut archive, school) = Archive::init(dir.path(), at(0), &mut OsRng).expect("init");
        let root = keys::read_secret(&dir.path().join(keys::ROOT_KEY)).expect("root key");
        let form = sign(ConsentForm::new(school, 1, at(0), None, example_form_content()), &root).expect("form");
        archive.publish_form(form.bytes(), at(0)).expect("publish");
        let roster = Roster::parse(ROSTER).expect("roster");
        let invited = archive.invite(&roster, &root, at(30), at(0), &mut OsRng).expect("invite");
        let invitations = invited.iter().map(|i| i.invitation.signed().clone()).collect();
        School { dir, form, invitations }
    }

    fn open(&self) -> Archive {
        Archive::open(self.dir.path()).expect("opens")
    }

    fn enrol(&self, archive: &mut Archive, which: usize, label: &str) -> Device {
        let key = key(label);
        let invitation = &self.invitations[which];
        let request = EnrolmentRequest {
            school: archive.school(),
            invitation: invitation.hash(),
            key: PublicKey::of(&key),
            client_time: at(1),
        };
        let request = sign(request, &key).expect("request");
        let certificate = archive.enrol(invitation.bytes(), request.bytes(), at(1)).expect("enrols");
        Device { key, certificate: certificate.signed().clone(), head: None }
    }

    /// Signs the next receipt of `device` (without sending it).
    fn receipt(&self, device: &mut Device, decisions: &[(&str, Decision)]) -> Signed<ConsentReceipt> {
        let decisions = decisions.iter().map(|(p, d)| (purpose(p), *d)).collect();
        let body = ConsentReceipt::by(&device.certificate, self.form.hash(), decisions, at(2), device.head, Lang::En);
        let receipt = sign(body, &device.key).expect("receipt");
        device.head = Some(receipt.hash());
        receipt
    }
}

/// The database as a backup made now has it.
fn backup(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join(DATABASE)).expect("the database")
}

/// Puts an older copy of the database back, as an operator restoring a backup does; the log
/// ledger beside it is left as it is.
fn restore(dir: &Path, copy: &[u8]) {
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("{DATABASE}{stale}")));
    }
    std::fs::write(dir.join(DATABASE), copy).expect("restored");
}

#[test]
fn a_restored_older_database_is_refused_until_recovered_and_no_object_is_acknowledged_twice() {
    let school = School::new();
    let mut archive = school.open();
    let mut ana = school.enrol(&mut archive, 0, "ana's guardian");
    let granted = school.receipt(&mut ana, &[("photos-published", Decision::Grant)]);
    archive.submit(Submission::receipt(granted.bytes()), at(2)).expect("accepted");
    drop(archive);
    let copy = backup(school.dir.path());

    // After the backup: Ana's guardian withdraws, asks for access, and Mihai's guardian enrols.
    let mut archive = school.open();
    let withdrawn = school.receipt(&mut ana, &[("photos-published", Decision::Withdraw)]);
    let withdrawal_ack = archive.submit(Submission::receipt(withdrawn.bytes()), at(3)).expect("accepted");
    let request = RightsRequest {
        school: archive.school(),
        student: ana.certificate.body().student.clone(),
        certificate: ana.certificate.hash(),
        role: ana.certificate.body().role,
        right: Right::Access,
        purposes: Vec::new(),
        text: "What do you hold?".into(),
        client_time: at(3),
        nonce: Nonce([9; 16]),
    };
    let request = sign(request, &ana.key).expect("request");
    let request_ack = archive.submit(Submission::request(request.bytes()), at(3)).expect("accepted");
    let mihai = school.enrol(&mut archive, 1, "mihai's guardian");
    drop(archive);

    restore(school.dir.path(), &copy);
    let mut archive = school.open();
    let next = school.receipt(&mut ana, &[("meals", Decision::Grant)]);
    let refused = archive.submit(Submission::receipt(next.bytes()), at(4)).expect_err("the log is behind its ledger");
    assert!(matches!(refused, ArchiveError::LogBehind { .. }), "{refused}");
    let audit = archive.audit_purpose("photos-published", at(4), None).expect_err("no audit from a lost log");
    assert!(matches!(audit, AuditError::Archive(ArchiveError::LogBehind { .. })), "{audit}");
    let student = ana.certificate.body().student.clone();
    assert!(matches!(archive.export(&student), Err(ArchiveError::LogBehind { .. })));
    let check = archive.check(false).expect("check runs");
    assert!(check.problems.iter().any(|p| p.contains("restored from an older copy")), "{:?}", check.problems);

    // The operator recovers: the same entries at the same indexes, the objects still to come.
    let report = archive.recover(&[]).expect("recovers");
    assert_eq!(report.rebuilt, 3, "the withdrawal, the request and Mihai's certificate");
    assert_eq!(report.missing.len(), 3);
    archive.ensure_whole().expect("the log is whole again");
    let audit = archive.audit_purpose("photos-published", at(4), None).expect("audits again");
    let row = audit.rows.iter().find(|r| r.student.student == student).expect("ana");
    assert!(row.lost > 0, "Ana's record is said to be incomplete, not allowed");
    assert!(matches!(archive.export(&student), Err(ArchiveError::Incomplete { .. })));

    // The family sends its kept withdrawal again: the acknowledgement it already holds, at its index.
    let again = archive.submit(Submission::receipt(withdrawn.bytes()), at(5)).expect("the stored acknowledgement");
    assert_eq!(again.bytes(), withdrawal_ack.bytes(), "byte for byte the first acknowledgement");

    // The family's receipts file gives back the rest; its acknowledgement is the archive's own.
    let files = vec![
        ("request.json".to_owned(), request.bytes().to_vec()),
        ("request-ack.json".to_owned(), request_ack.bytes().to_vec()),
        ("certificate.json".to_owned(), mihai.certificate.bytes().to_vec()),
    ];
    let report = archive.recover(&files).expect("recovers");
    assert_eq!((report.rebuilt, report.confirmed), (0, 1));
    assert!(report.missing.is_empty(), "{:?} {:?}", report.missing, report.unused);
    let check = archive.check(false).expect("check runs");
    assert!(check.problems.is_empty(), "{:?}", check.problems);

    // And the family goes on: the next receipt follows the withdrawal, which the chain kept.
    archive.submit(Submission::receipt(next.bytes()), at(6)).expect("accepted");
    let audit = archive.audit_purpose("photos-published", at(6), None).expect("audit");
    let row = audit.rows.iter().find(|r| r.student.student == student).expect("ana");
    assert_eq!((row.lost, verifier::audit::label(&row.state).starts_with("withdrawn")), (0, true));
    archive.export(&student).expect("a whole record exports");
}

#[test]
fn verify_refuses_a_bundle_older_than_what_the_family_was_acknowledged() {
    let school = School::new();
    let mut archive = school.open();
    let mut ana = school.enrol(&mut archive, 0, "ana's guardian");
    let granted = school.receipt(&mut ana, &[("photos-published", Decision::Grant)]);
    let granted_ack = archive.submit(Submission::receipt(granted.bytes()), at(2)).expect("accepted");
    let student = ana.certificate.body().student.clone();
    let old_bundle = archive.export(&student).expect("bundle");
    let withdrawn = school.receipt(&mut ana, &[("photos-published", Decision::Withdraw)]);
    let withdrawal_ack = archive.submit(Submission::receipt(withdrawn.bytes()), at(3)).expect("accepted");
    let school_key = archive.school();

    let documents = |bundle: &[u8]| {
        vec![
            ("bundle.json".to_owned(), bundle.to_vec()),
            ("granted.json".to_owned(), granted.bytes().to_vec()),
            ("granted-ack.json".to_owned(), granted_ack.bytes().to_vec()),
            ("withdrawn.json".to_owned(), withdrawn.bytes().to_vec()),
            ("withdrawn-ack.json".to_owned(), withdrawal_ack.bytes().to_vec()),
        ]
    };
    let verdicts = verifier::offline::verify_documents(&documents(&old_bundle), &school_key);
    let bundle = &verdicts[0].1;
    assert!(bundle.as_ref().is_err_and(|why| why.contains("beyond this bundle's checkpoint")), "{bundle:?}");

    let new_bundle = archive.export(&student).expect("bundle");
    let verdicts = verifier::offline::verify_documents(&documents(&new_bundle), &school_key);
    assert!(verdicts.iter().all(|(_, v)| v.is_ok()), "{verdicts:?}");
}
