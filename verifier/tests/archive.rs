//! The archive's promises, through the library: bad input is refused with a precise error and
//! changes nothing; acknowledged objects are in the log; `check` catches every kind of tampering;
//! purging keeps the log verifiable; a proof bundle fails after any byte is changed.

use consent_tests::fixtures::{example_form_content, key, purpose};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use shared::ids::StudentId;
use shared::objects::{
    ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, Invitation, Outcome, Right,
    RightsRequest, Role,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{sign, Lang, Signed, Timestamp};
use verifier::archive::{Archive, ArchiveError, Roster, DATABASE};
use verifier::bundle::verify_bundle;
use verifier::keys;
use verifier::trust::TrustError;

fn at(offset_days: i64) -> Timestamp {
    Timestamp::from_unix(1_790_000_000 + offset_days * 86_400).expect("in range")
}

struct Fixture {
    _dir: tempfile::TempDir,
    archive: Archive,
    root: SigningKey,
    form: Signed<ConsentForm>,
    invitations: Vec<Signed<Invitation>>,
}

const ROSTER: &str =
    "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email
s-1,Ana,7B,2017-01-01,,Maria,m@example.org,,
s-2,Mihai,10A,2011-01-01,mihai@example.org,Ioana,i@example.org,,
";

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut archive, school) = Archive::init(dir.path(), at(0), &mut OsRng).expect("init");
    let root = keys::read_secret(&dir.path().join(keys::ROOT_KEY)).expect("root key");
    let form = sign(ConsentForm::new(school, 1, at(0), None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), at(0)).expect("publish");
    let roster = Roster::parse(ROSTER).expect("roster");
    let invited = archive.invite(&roster, &root, at(30), at(0), &mut OsRng).expect("invite");
    let invitations = invited.iter().map(|i| i.invitation.signed().clone()).collect();
    Fixture { _dir: dir, archive, root, form, invitations }
}

impl Fixture {
    fn file(&self) -> Vec<u8> {
        std::fs::read(self.archive.dir().join(DATABASE)).expect("archive file")
    }

    fn request(&self, invitation: usize, key: &SigningKey) -> Signed<EnrolmentRequest> {
        let body = EnrolmentRequest {
            school: self.archive.school(),
            invitation: self.invitations[invitation].hash(),
            key: PublicKey::of(key),
            client_time: at(1),
        };
        sign(body, key).expect("request")
    }

    fn enrol(&mut self, invitation: usize, label: &str) -> (SigningKey, Signed<EnrolmentCertificate>) {
        let key = key(label);
        let request = self.request(invitation, &key);
        let bytes = self.invitations[invitation].bytes().to_vec();
        let certificate = self.archive.enrol(&bytes, request.bytes(), at(1)).expect("enrols");
        (key, certificate.signed().clone())
    }

    fn receipt(
        &self,
        key: &SigningKey,
        certificate: &Signed<EnrolmentCertificate>,
        decisions: &[(&str, Decision)],
        previous: Option<Digest>,
    ) -> Signed<ConsentReceipt> {
        let decisions = decisions.iter().map(|(p, d)| (purpose(p), *d)).collect();
        let body = ConsentReceipt::by(certificate, self.form.hash(), decisions, at(2), previous, Lang::Ro);
        sign(body, key).expect("receipt")
    }

    /// Runs `attempt`, expects it to fail as `expected` says, and the archive file to be unchanged.
    fn refused(
        &mut self,
        what: &str,
        attempt: impl FnOnce(&mut Archive) -> Result<(), ArchiveError>,
        expected: fn(&ArchiveError) -> bool,
    ) {
        let before = self.file();
        let error = attempt(&mut self.archive).expect_err(what);
        assert!(expected(&error), "{what}: unexpected error {error:?}");
        assert_eq!(self.file(), before, "{what}: the archive changed");
    }
}

#[test]
fn bad_input_gets_a_precise_error_and_changes_nothing() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let first = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    f.archive.submit_receipt(first.bytes(), at(2)).expect("accepted");

    let invitation = f.invitations[0].bytes().to_vec();
    let other = key("someone-else");
    let request = f.request(0, &other);
    f.refused(
        "a used invitation",
        |a| a.enrol(&invitation, request.bytes(), at(2)).map(drop),
        |e| matches!(e, ArchiveError::InvitationUsed(_)),
    );
    let fresh = f.invitations[1].bytes().to_vec();
    let request = f.request(1, &other);
    f.refused(
        "an expired invitation",
        |a| a.enrol(&fresh, request.bytes(), at(31)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Expired { .. })),
    );
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let weak_request = shared::encoding::to_canonical(&serde_json::json!({
        "body": {"client_time": at(1).to_string(), "invitation": f.invitations[1].hash(), "key": PublicKey(weak), "school": f.archive.school()},
        "kind": "enrolment-request/1", "sig": "00".repeat(64), "signer": PublicKey(weak)
    }))
    .expect("json");
    f.refused(
        "a weak key",
        |a| a.enrol(&fresh, &weak_request, at(2)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::WeakKey(_))),
    );

    let stale = f.receipt(&key_1, &certificate, &[("meals", Decision::Refuse)], None);
    f.refused(
        "a replay",
        |a| a.submit_receipt(stale.bytes(), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Replay { .. }),
    );
    let mut forged = first.bytes().to_vec();
    let position = forged.len() - 10;
    forged[position] = if forged[position] == b'0' { b'1' } else { b'0' };
    f.refused(
        "a bad signature",
        |a| a.submit_receipt(&forged, at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let unknown = f.receipt(&key("stranger"), &certificate, &[("meals", Decision::Grant)], Some(first.hash()));
    f.refused(
        "a receipt signed by another key than its certificate's",
        |a| a.submit_receipt(unknown.bytes(), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let mut no_such_certificate =
        f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], Some(first.hash())).body().clone();
    no_such_certificate.certificate = Digest([9; 32]);
    let no_such_certificate = sign(no_such_certificate, &key_1).expect("signs");
    f.refused(
        "an unknown signer",
        |a| a.submit_receipt(no_such_certificate.bytes(), at(3)).map(drop),
        |e| matches!(e, ArchiveError::UnknownSigner(_)),
    );
    let malformed = b"{\"kind\":\"consent-receipt/1\",\"kind\":\"x\"}".to_vec();
    f.refused(
        "duplicate keys",
        |a| a.submit_receipt(&malformed, at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let again =
        sign(ConsentForm::new(f.archive.school(), 3, at(3), Some(f.form.hash()), example_form_content()), &f.root)
            .expect("form");
    f.refused(
        "a form version out of sequence",
        |a| a.publish_form(again.bytes(), at(3)).map(drop),
        |e| matches!(e, ArchiveError::FormOutOfSequence { current: 1, got: 3 }),
    );
    let stranger_root = key("another-school");
    let foreign = sign(
        ConsentForm::new(PublicKey::of(&stranger_root), 2, at(3), Some(f.form.hash()), example_form_content()),
        &stranger_root,
    )
    .expect("form");
    f.refused(
        "another school's form",
        |a| a.publish_form(foreign.bytes(), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(_)),
    );
    f.refused(
        "a decision on no request",
        |a| a.decide(Digest([1; 32]), Outcome::Granted, "ok", at(3)).map(drop),
        |e| matches!(e, ArchiveError::UnknownRequest(_)),
    );
}

#[test]
fn requests_are_acknowledged_decided_once_and_listed_with_their_deadline() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let request = RightsRequest {
        school: f.archive.school(),
        student: StudentId::try_from("s-1").expect("id"),
        certificate: certificate.hash(),
        role: Role::Guardian,
        right: Right::Objection,
        purposes: vec![purpose("photos-published")],
        text: "Please take down the class photo.".into(),
        client_time: at(2),
        nonce: Nonce([3; 16]),
    };
    let request = sign(request, &key_1).expect("signs");
    let ack = f.archive.submit_request(request.bytes(), at(2)).expect("accepted");
    assert_eq!(ack.body().object, request.hash());
    let rows = f.archive.requests().expect("requests");
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].overdue(at(30)) && rows[0].overdue(at(40)),
        "one month from {}: {}",
        rows[0].received,
        rows[0].deadline
    );
    f.refused(
        "an empty reason",
        |a| a.decide(request.hash(), Outcome::Granted, " ", at(3)).map(drop),
        |e| matches!(e, ArchiveError::Invalid(_)),
    );
    f.archive.decide(request.hash(), Outcome::Granted, "The photo was taken down.", at(3)).expect("decided");
    f.refused(
        "a second decision",
        |a| a.decide(request.hash(), Outcome::Refused, "No.", at(4)).map(drop),
        |e| matches!(e, ArchiveError::AlreadyDecided(_)),
    );
    assert!(f.archive.requests().expect("requests")[0].decision.is_some());
}

/// Runs `check` after `tamper` on a fresh, valid archive and expects it to report a problem.
fn check_catches(what: &str, tamper: &str) {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let receipt = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    f.archive.submit_receipt(receipt.bytes(), at(2)).expect("accepted");
    assert!(f.archive.check(false).expect("check").problems.is_empty(), "a fresh archive passes");
    let conn = rusqlite::Connection::open(f.archive.dir().join(DATABASE)).expect("open");
    conn.execute_batch(tamper).expect("tamper");
    drop(conn);
    let reopened = Archive::open(f.archive.dir()).expect("reopen");
    let report = reopened.check(false).expect("check runs");
    assert!(!report.problems.is_empty(), "check missed: {what}");
}

#[test]
fn check_catches_every_kind_of_tampering() {
    check_catches(
        "an edited log time",
        "UPDATE log SET logged_at = logged_at - 86400 WHERE kind = 'consent-receipt/1'",
    );
    check_catches("a moved student", "UPDATE log SET student = 's-2' WHERE kind = 'consent-receipt/1'");
    check_catches("an edited leaf", "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 1");
    check_catches("a deleted inner node", "DELETE FROM tree_nodes WHERE level = 1 AND idx = 0");
    check_catches("a swapped object", "UPDATE log SET bytes = (SELECT bytes FROM log WHERE idx = 0) WHERE idx = 1");
    check_catches(
        "an edited checkpoint",
        "UPDATE checkpoints SET bytes = (SELECT bytes FROM checkpoints WHERE tree_size = 1) WHERE tree_size = 2",
    );
    check_catches("a deleted entry", "DELETE FROM log WHERE idx = (SELECT MAX(idx) FROM log)");
}

#[test]
fn purging_redacts_personal_data_and_keeps_the_log_verifiable() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let receipt = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    f.archive.submit_receipt(receipt.bytes(), at(2)).expect("accepted");
    let report = f.archive.purge(at(400)).expect("purge");
    assert_eq!(report.students, 1);
    assert_eq!(report.redacted_entries, 2, "the certificate and the receipt");
    assert!(report.personal_rows >= 3);
    let check = f.archive.check(false).expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.purged, 2);
    // The other student's bundle still verifies against the same checkpoints.
    let (key_2, certificate_2) = f.enrol(1, "guardian-2");
    let receipt = f.receipt(&key_2, &certificate_2, &[("meals", Decision::Grant)], None);
    f.archive.submit_receipt(receipt.bytes(), at(401)).expect("accepted");
    let bundle = f.archive.export(&StudentId::try_from("s-2").expect("id")).expect("export");
    verify_bundle(&bundle, &f.archive.school()).expect("still verifies");
}

#[test]
fn a_bundle_fails_after_any_single_byte_edit() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let first = f.receipt(&key_1, &certificate, &[("photos-published", Decision::Grant)], None);
    f.archive.submit_receipt(first.bytes(), at(2)).expect("accepted");
    let second = f.receipt(&key_1, &certificate, &[("photos-published", Decision::Withdraw)], Some(first.hash()));
    f.archive.submit_receipt(second.bytes(), at(3)).expect("accepted");
    let bundle = f.archive.export(&StudentId::try_from("s-1").expect("id")).expect("export");
    let school = f.archive.school();
    let report = verify_bundle(&bundle, &school).expect("verifies");
    assert_eq!(report.counts.get("consent-receipt/1"), Some(&2));
    // The form alone is two thirds of the bundle; every byte outside it, and every 7th inside.
    let form_text = String::from_utf8_lossy(f.form.bytes()).into_owned();
    let bundle_text = String::from_utf8_lossy(&bundle).into_owned();
    let form_start = bundle_text.find(&form_text).expect("form inside the bundle");
    let form_range = form_start..form_start + form_text.len();
    for position in (0..bundle.len()).filter(|p| !form_range.contains(p) || p % 7 == 0) {
        let mut edited = bundle.clone();
        edited[position] ^= 0x01;
        assert!(verify_bundle(&edited, &school).is_err(), "an edit at byte {position} was not caught");
    }
}
