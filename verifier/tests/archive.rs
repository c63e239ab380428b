//! The archive's promises, through the library: bad input is refused with a precise error and
//! changes nothing; acknowledged objects are in the log; `check` catches every kind of tampering;
//! purging keeps the log verifiable; a proof bundle fails after any byte is changed.

mod common;

use consent_tests::fixtures::{example_form_content, key, purpose};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use shared::envelope::SignatureError;
use shared::ids::StudentId;
use shared::objects::{
    ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, Invitation, Outcome, Right,
    RightsRequest, Role,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::trust::TrustError;
use shared::{sign, Lang, OpenError, Signed, Timestamp};
use verifier::archive::{Archive, ArchiveError, Roster, RosterError, Submission, DATABASE, LEDGER};
use verifier::bundle::verify_bundle;
use verifier::keys;

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
s-1,Ana Popescu,7B,2017-01-01,,Maria Popescu,m@example.org,,
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
    fn file(&self) -> String {
        common::dump(&self.archive.dir().join(DATABASE))
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

    /// Signs and submits one receipt per step, chained, on days 2, 3, 4…; returns them in order.
    fn submit_chain(
        &mut self,
        key: &SigningKey,
        certificate: &Signed<EnrolmentCertificate>,
        steps: &[&[(&str, Decision)]],
    ) -> Vec<Signed<ConsentReceipt>> {
        let mut receipts: Vec<Signed<ConsentReceipt>> = Vec::new();
        for (day, decisions) in (2..).zip(steps) {
            let receipt = self.receipt(key, certificate, decisions, receipts.last().map(|r| r.hash()));
            self.archive.submit(Submission::receipt(receipt.bytes()), at(day)).expect("accepted");
            receipts.push(receipt);
        }
        receipts
    }

    /// Runs `attempt`, expects it to fail as `expected` says, and the archive file to be unchanged.
    fn refused<E: std::fmt::Debug>(
        &mut self,
        what: &str,
        attempt: impl FnOnce(&mut Archive) -> Result<(), E>,
        expected: fn(&E) -> bool,
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
    f.archive.submit(Submission::receipt(first.bytes()), at(2)).expect("accepted");

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
        |a| a.submit(Submission::receipt(stale.bytes()), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Replay { .. }),
    );
    let form = f.form.bytes().to_vec();
    f.refused(
        "a form submitted as a receipt",
        |a| a.submit(Submission::receipt(&form), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let mut forged = first.bytes().to_vec();
    let position = forged.len() - 10;
    forged[position] = if forged[position] == b'0' { b'1' } else { b'0' };
    f.refused(
        "a bad signature",
        |a| a.submit(Submission::receipt(&forged), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let unknown = f.receipt(&key("stranger"), &certificate, &[("meals", Decision::Grant)], Some(first.hash()));
    f.refused(
        "a receipt signed by another key than its certificate's",
        |a| a.submit(Submission::receipt(unknown.bytes()), at(3)).map(drop),
        |e| matches!(e, ArchiveError::Trust(TrustError::Open(_))),
    );
    let mut no_such_certificate =
        f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], Some(first.hash())).body().clone();
    no_such_certificate.certificate = Digest([9; 32]);
    let no_such_certificate = sign(no_such_certificate, &key_1).expect("signs");
    f.refused(
        "an unknown signer",
        |a| a.submit(Submission::receipt(no_such_certificate.bytes()), at(3)).map(drop),
        |e| matches!(e, ArchiveError::UnknownSigner(_)),
    );
    let malformed = b"{\"kind\":\"consent-receipt/1\",\"kind\":\"x\"}".to_vec();
    f.refused(
        "duplicate keys",
        |a| a.submit(Submission::receipt(&malformed), at(3)).map(drop),
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
    let ack = f.archive.submit(Submission::request(request.bytes()), at(2)).expect("accepted");
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

#[test]
fn a_group_commit_answers_each_receipt_on_its_own_under_one_checkpoint() {
    let mut f = fixture();
    let (key_1, certificate_1) = f.enrol(0, "guardian-1");
    let (key_2, certificate_2) = f.enrol(1, "guardian-2");
    let first = f.receipt(&key_1, &certificate_1, &[("meals", Decision::Grant)], None);
    let second = f.receipt(&key_1, &certificate_1, &[("meals", Decision::Refuse)], Some(first.hash()));
    let replayed_fork =
        f.receipt(&key_1, &certificate_1, &[("meals", Decision::Grant), ("transport", Decision::Grant)], None);
    let mut forged = f.receipt(&key_2, &certificate_2, &[("meals", Decision::Grant)], None).bytes().to_vec();
    let signature_hex = forged.len() - 200;
    forged[signature_hex] = if forged[signature_hex] == b'0' { b'1' } else { b'0' };
    let other = f.receipt(&key_2, &certificate_2, &[("transport", Decision::Grant)], None);
    let submissions: Vec<Submission> = [first.bytes(), second.bytes(), replayed_fork.bytes(), &forged, other.bytes()]
        .iter()
        .map(|bytes| Submission::Receipt(bytes.to_vec()))
        .collect();
    let results = f.archive.submit_many(&submissions, at(2));

    assert!(matches!(results[2], Err(ArchiveError::Replay { .. })), "{:?}", results[2]);
    assert!(matches!(results[3], Err(ArchiveError::Trust(_))), "{:?}", results[3]);
    let acks: Vec<_> = [0, 1, 4].iter().map(|&i| results[i].as_ref().expect("accepted").body().clone()).collect();
    let indices: Vec<u64> = acks.iter().map(|ack| ack.log_index).collect();
    assert_eq!(indices.windows(2).filter(|w| w[1] == w[0] + 1).count(), 2, "consecutive log indices {indices:?}");
    assert!(acks.iter().all(|ack| ack.checkpoint == acks[2].checkpoint), "one checkpoint for the whole group");
    assert_eq!(acks[2].checkpoint.tree_size, indices[2] + 1);
    assert_eq!(
        f.archive.submit(Submission::receipt(other.bytes()), at(3)).expect("again").body(),
        &acks[2],
        "stored answer"
    );
    assert!(f.archive.check(false).expect("check").problems.is_empty());
}

#[test]
fn a_submission_verified_for_one_school_is_not_appended_to_another() {
    let mut f = fixture();
    let mut other = fixture();
    let (key, certificate) = f.enrol(0, "guardian-1");
    let receipt = f.receipt(&key, &certificate, &[("meals", Decision::Grant)], None);
    let checked = f.archive.verify_submission(&Submission::receipt(receipt.bytes())).expect("verified");
    let before = other.file();
    let results = other.archive.append_checked(vec![checked], at(2));
    assert!(matches!(results[..], [Err(ArchiveError::Trust(TrustError::WrongSchool { .. }))]), "{results:?}");
    assert_eq!(other.file(), before, "nothing of the other school's was written");
    // Its own school appends it, as `submit` would have.
    let checked = f.archive.verify_submission(&Submission::receipt(receipt.bytes())).expect("verified");
    let ack = f.archive.append_checked(vec![checked], at(2)).pop().expect("one answer").expect("appended");
    assert_eq!(ack.body().object, receipt.hash());
}

#[test]
fn copies_of_one_object_in_one_group_get_one_acknowledgement() {
    let mut f = fixture();
    let (key_1, certificate_1) = f.enrol(0, "guardian-1");
    let (key_2, certificate_2) = f.enrol(1, "guardian-2");
    let receipt = f.receipt(&key_1, &certificate_1, &[("meals", Decision::Grant)], None);
    let request = RightsRequest {
        school: f.archive.school(),
        student: StudentId::try_from("s-1").expect("id"),
        certificate: certificate_1.hash(),
        role: Role::Guardian,
        right: Right::Access,
        purposes: Vec::new(),
        text: "What do you hold about us?".into(),
        client_time: at(2),
        nonce: Nonce([4; 16]),
    };
    let request = sign(request, &key_1).expect("signs");
    let other = f.receipt(&key_2, &certificate_2, &[("transport", Decision::Grant)], None);
    // Two tabs and a retrying client: three copies of each, among another family's receipt.
    let copies = [Submission::Receipt(receipt.bytes().to_vec()), Submission::Request(request.bytes().to_vec())];
    let mut submissions: Vec<Submission> = (0..3).flat_map(|_| copies.clone()).collect();
    submissions.insert(3, Submission::Receipt(other.bytes().to_vec()));
    let results = f.archive.submit_many(&submissions, at(2));

    let acks: Vec<Vec<u8>> = results
        .iter()
        .map(|result| result.as_ref().unwrap_or_else(|e| panic!("refused: {e:?}")).bytes().to_vec())
        .collect();
    let receipt_acks = [0, 2, 5].map(|i| &acks[i]);
    let request_acks = [1, 4, 6].map(|i| &acks[i]);
    assert!(
        receipt_acks.iter().all(|ack| *ack == receipt_acks[0]),
        "one acknowledgement for every copy of the receipt"
    );
    assert!(
        request_acks.iter().all(|ack| *ack == request_acks[0]),
        "one acknowledgement for every copy of the request"
    );
    let conn = rusqlite::Connection::open(f.archive.dir().join(DATABASE)).expect("open");
    let logged: i64 = conn
        .query_row("SELECT COUNT(*) FROM log WHERE kind IN ('consent-receipt/1', 'rights-request/1')", [], |row| {
            row.get(0)
        })
        .expect("count");
    assert_eq!(logged, 3, "each object is logged once");
    assert_eq!(
        f.archive.submit(Submission::receipt(receipt.bytes()), at(3)).expect("again").bytes(),
        receipt_acks[0].as_slice()
    );
    assert!(f.archive.check(false).expect("check").problems.is_empty());
}

#[test]
fn a_constraint_one_item_breaks_fails_that_item_alone() {
    let mut f = fixture();
    let (key_1, certificate_1) = f.enrol(0, "guardian-1");
    let (key_2, certificate_2) = f.enrol(1, "guardian-2");
    let (key_3, certificate_3) = f.enrol(2, "student-2");
    let first = f.receipt(&key_1, &certificate_1, &[("meals", Decision::Grant)], None);
    let refused = f.receipt(&key_2, &certificate_2, &[("meals", Decision::Grant)], None);
    let last = f.receipt(&key_3, &certificate_3, &[("meals", Decision::Grant)], None);
    // A trigger stands for any constraint of the log the middle item alone would break.
    let conn = rusqlite::Connection::open(f.archive.dir().join(DATABASE)).expect("open");
    conn.execute_batch(&format!(
        "CREATE TRIGGER refuse_one BEFORE INSERT ON log WHEN NEW.hash = X'{}' BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        refused.hash().to_hex()
    ))
    .expect("trigger");
    drop(conn);
    let submissions: Vec<Submission> =
        [&first, &refused, &last].iter().map(|r| Submission::Receipt(r.bytes().to_vec())).collect();
    let results = f.archive.submit_many(&submissions, at(2));
    let error = results[1].as_ref().expect_err("the item that breaks the constraint is refused");
    assert!(!error.is_storage(), "its own failure, not the storage's: {error:?}");
    assert!(results[0].is_ok() && results[2].is_ok(), "the others are acknowledged: {results:?}");
}

/// Runs `check` after `tamper` on a fresh, valid archive and expects it to report a problem.
fn check_catches(what: &str, tamper: &str) {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let receipt = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    f.archive.submit(Submission::receipt(receipt.bytes()), at(2)).expect("accepted");
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
    check_catches("a cleared reference", "UPDATE log SET refers_to = NULL WHERE kind = 'enrolment/1'");
    check_catches(
        "a deleted acknowledgement",
        "DELETE FROM acknowledgements WHERE hash = (SELECT hash FROM log WHERE idx = 1)",
    );
    check_catches(
        "a deleted checkpoint",
        "DELETE FROM checkpoints WHERE tree_size = (SELECT MAX(tree_size) FROM checkpoints)",
    );
}

#[test]
fn purging_redacts_closed_records_and_keeps_the_log_verifiable() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let grant = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    f.archive.submit(Submission::receipt(grant.bytes()), at(2)).expect("accepted");
    let three_years_later = at(3 * 366 + 10);
    // Proof is kept for the limitation period: a cut-off inside it is refused.
    f.refused(
        "a cut-off inside the retention period",
        |a| a.purge(at(400), at(500)).map(drop),
        |e| matches!(e, ArchiveError::PurgeTooRecent { .. }),
    );
    // A record with a consent still in effect is kept, however quiet.
    let report = f.archive.purge(at(5), three_years_later).expect("purge");
    assert_eq!((report.students, report.kept_open), (0, 1));
    // Once withdrawn, it is closed and purged after the period.
    let withdrawal = f.receipt(&key_1, &certificate, &[("meals", Decision::Withdraw)], Some(grant.hash()));
    f.archive.submit(Submission::receipt(withdrawal.bytes()), at(3)).expect("accepted");
    let report = f.archive.purge(at(5), three_years_later).expect("purge");
    assert_eq!((report.students, report.kept_open), (1, 0));
    assert_eq!(report.redacted_entries, 3, "the certificate and both receipts");
    assert!(report.personal_rows >= 3);
    let check = f.archive.check(false).expect("check");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
    assert_eq!(check.purged, 3);
    // Another student's bundle still verifies against the same tree.
    let (key_2, certificate_2) = f.enrol(1, "guardian-2");
    let receipt_2 = f.receipt(&key_2, &certificate_2, &[("meals", Decision::Grant)], None);
    f.archive.submit(Submission::receipt(receipt_2.bytes()), at(2)).expect("accepted");
    let bundle = f.archive.export(&StudentId::try_from("s-2").expect("id")).expect("export");
    verify_bundle(&bundle, &f.archive.school()).expect("still verifies");
}

/// Rule 8: the proof log holds pseudonymous ids and hashes. The names, the class and the contacts
/// that the invitations carry stay with the personal data, in the log table, the checkpoints, the
/// acknowledgements and the log ledger alike, so that erasing them never touches the log.
#[test]
fn names_classes_and_contacts_never_reach_the_proof_log() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    f.submit_chain(&key_1, &certificate, &[&[("meals", Decision::Grant)], &[("meals", Decision::Withdraw)]]);
    let invitation = f.invitations[0].body().clone();
    let personal = [invitation.student_name.as_str(), &invitation.class, &invitation.display_name, "m@example.org"];
    assert_eq!(personal[..3], ["Ana Popescu", "7B", "Maria Popescu"], "the invitation carries them");

    let conn = rusqlite::Connection::open(f.archive.dir().join(DATABASE)).expect("open");
    let column = |query: &str| -> Vec<Vec<u8>> {
        let mut statement = conn.prepare(query).expect("query");
        let rows = statement.query_map([], |row| row.get::<_, Vec<u8>>(0)).expect("rows");
        rows.map(|row| row.expect("row")).collect()
    };
    let invitations = column("SELECT bytes FROM invitations");
    assert!(invitations.iter().any(|bytes| contains(bytes, "Ana Popescu")), "kept with the personal data");
    let mut proof = column("SELECT bytes FROM log WHERE bytes IS NOT NULL");
    assert!(proof.len() >= 4, "the form, the certificate and both receipts are logged");
    proof.extend(column(
        "SELECT CAST(kind || ' ' || IFNULL(student, '') || ' ' || IFNULL(person, '') AS BLOB) FROM log",
    ));
    proof.extend(column("SELECT bytes FROM checkpoints"));
    proof.extend(column("SELECT bytes FROM acknowledgements"));
    proof.push(std::fs::read(f.archive.dir().join(LEDGER)).expect("the ledger"));
    for bytes in &proof {
        for value in personal {
            assert!(!contains(bytes, value), "{value:?} in the proof log: {}", String::from_utf8_lossy(bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[test]
fn a_roster_line_too_long_for_an_invitation_is_named_before_anything_is_signed() {
    let roster = ROSTER.replace(",7B,", &format!(",{},", "7".repeat(Invitation::MAX_CLASS + 1)));
    let error = Roster::parse(&roster).expect_err("a class longer than an invitation carries");
    assert!(matches!(&error, RosterError::Line { line: 2, message } if message.contains("`class`")), "{error}");
}

#[test]
fn the_archive_key_signs_only_while_it_is_delegated() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let receipt = f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None);
    let six_years = at(6 * 366);
    f.refused(
        "a write after the delegation ended",
        |a| a.submit(Submission::receipt(receipt.bytes()), six_years).map(drop),
        |e| matches!(e, ArchiveError::KeyNotDelegated(_)),
    );
    let root = f.root.clone();
    f.archive.delegate(&root, at(7 * 366), at(5 * 366)).expect("renewed");
    f.archive.submit(Submission::receipt(receipt.bytes()), six_years).expect("accepted under the renewed delegation");
    assert!(f.archive.check(false).expect("check").problems.is_empty());
    let delegations = f.archive.delegations().expect("delegations");
    let until: Vec<Timestamp> = delegations.iter().map(|d| d.body().valid_until).collect();
    assert_eq!(until, [at(5 * 365), at(7 * 366)], "every delegation, oldest first");
}

#[test]
fn only_the_root_key_signs_invitations() {
    let mut f = fixture();
    let roster = Roster::parse(ROSTER).expect("roster");
    f.refused(
        "invitations signed by another key than the school's root key",
        |a| a.invite(&roster, &key("not-the-root"), at(30), at(1), &mut OsRng).map(drop),
        |e| {
            matches!(
                e,
                RosterError::Archive(ArchiveError::Trust(TrustError::Open(OpenError::Signature(
                    SignatureError::WrongSigner { .. }
                ))))
            )
        },
    );
}

#[test]
fn an_invitation_enrols_once_even_from_two_handles() {
    let mut f = fixture();
    let mut other = Archive::open(f.archive.dir()).expect("a second handle, as another process would");
    let invitation = f.invitations[0].bytes().to_vec();
    let (first, second) = (key("first-device"), key("second-device"));
    f.archive.enrol(&invitation, f.request(0, &first).bytes(), at(1)).expect("enrols");
    let error = other.enrol(&invitation, f.request(0, &second).bytes(), at(1)).expect_err("used");
    assert!(matches!(error, ArchiveError::InvitationUsed(_)), "{error:?}");
}

#[test]
fn a_new_invitation_replaces_the_unused_one() {
    let mut f = fixture();
    let old = f.invitations[0].bytes().to_vec();
    let root = f.root.clone();
    f.archive.invite(&Roster::parse(ROSTER).expect("roster"), &root, at(30), at(1), &mut OsRng).expect("invite again");
    let request = f.request(0, &key("device"));
    f.refused(
        "a replaced invitation",
        |a| a.enrol(&old, request.bytes(), at(2)).map(drop),
        |e| matches!(e, ArchiveError::InvitationRevoked(_)),
    );
}

#[test]
fn an_audit_uses_the_form_in_force_at_its_instant() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    f.archive
        .submit(
            Submission::receipt(f.receipt(&key_1, &certificate, &[("meals", Decision::Grant)], None).bytes()),
            at(2),
        )
        .expect("ok");
    let v2 =
        sign(ConsentForm::new(f.archive.school(), 2, at(10), Some(f.form.hash()), example_form_content()), &f.root)
            .expect("v2");
    f.archive.publish_form(v2.bytes(), at(10)).expect("published");
    let before = f.archive.audit_purpose("meals", at(5), None).expect("audit");
    let row = before.rows.iter().find(|r| r.student.student.as_str() == "s-1").expect("row");
    assert!(!row.state.form_superseded, "version 2 did not exist on day 5");
    let after = f.archive.audit_purpose("meals", at(11), None).expect("audit");
    assert!(after.rows.iter().find(|r| r.student.student.as_str() == "s-1").expect("row").state.form_superseded);
}

/// A bundle of a guardian who granted, then withdrew; and the family's files.
fn granted_then_withdrew() -> (Fixture, Vec<u8>, Signed<ConsentReceipt>, Vec<u8>) {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let steps: [&[(&str, Decision)]; 2] =
        [&[("photos-published", Decision::Grant)], &[("photos-published", Decision::Withdraw)]];
    let withdrawal = f.submit_chain(&key_1, &certificate, &steps).pop().expect("two receipts");
    let ack = f.archive.submit(Submission::receipt(withdrawal.bytes()), at(9)).expect("the stored acknowledgement");
    let bundle = f.archive.export(&StudentId::try_from("s-1").expect("id")).expect("export");
    (f, bundle, withdrawal, ack.bytes().to_vec())
}

/// The bundle with the entry holding `hash` removed (still canonical JSON).
fn without(bundle: &[u8], hash: Digest) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(bundle).expect("json");
    let entries = value["entries"].as_array_mut().expect("entries");
    entries.retain(|e| Digest::of(&shared::encoding::to_canonical(&e["object"]).expect("canonical")) != hash);
    shared::encoding::to_canonical(&value).expect("canonical")
}

#[test]
fn a_bundle_that_leaves_out_a_withdrawal_fails_against_the_familys_acknowledgement() {
    let (f, bundle, withdrawal, ack) = granted_then_withdrew();
    let school = f.archive.school();
    let trimmed = without(&bundle, withdrawal.hash());
    // On its own the trimmed bundle cannot show what is missing after the last receipt it holds…
    verify_bundle(&trimmed, &school).expect("inclusion alone does not prove completeness");
    // …but the family's receipt and acknowledgement prove the archive had the withdrawal.
    let files = |bundle: &[u8]| {
        vec![
            ("bundle".to_owned(), bundle.to_vec()),
            ("receipt".to_owned(), withdrawal.bytes().to_vec()),
            ("ack".to_owned(), ack.clone()),
        ]
    };
    let verdicts = verifier::offline::verify_documents(&files(&trimmed), &school);
    assert!(verdicts[0].1.as_ref().is_err_and(|e| e.contains("omits")), "{verdicts:?}");
    let verdicts = verifier::offline::verify_documents(&files(&bundle), &school);
    assert!(verdicts[0].1.is_ok(), "{verdicts:?}");
}

#[test]
fn a_bundle_that_leaves_out_a_receipt_inside_a_chain_is_invalid() {
    let mut f = fixture();
    let (key_1, certificate) = f.enrol(0, "guardian-1");
    let steps: [&[(&str, Decision)]; 3] = [
        &[("photos-published", Decision::Grant)],
        &[("photos-published", Decision::Withdraw)],
        &[("meals", Decision::Grant)],
    ];
    let receipts = f.submit_chain(&key_1, &certificate, &steps);
    let bundle = f.archive.export(&StudentId::try_from("s-1").expect("id")).expect("export");
    let error = verify_bundle(&without(&bundle, receipts[1].hash()), &f.archive.school()).expect_err("incomplete");
    assert!(error.to_string().contains("incomplete"), "{error}");
}

#[test]
fn a_bundle_fails_after_any_single_byte_edit() {
    let (f, bundle, _, _) = granted_then_withdrew();
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

#[test]
fn a_family_is_written_to_in_its_roster_language_else_the_schools() {
    let mut f = fixture();
    let roster = ROSTER
        .replacen("guardian2_email\n", "guardian2_email,language\n", 1)
        .replacen(",m@example.org,,\n", ",m@example.org,,,pl\n", 1)
        .replacen(",i@example.org,,\n", ",i@example.org,,,\n", 1);
    let roster = Roster::parse(&roster).expect("roster with languages").default_language(Lang::Ro);
    let root = f.root.clone();
    let invited = f.archive.invite(&roster, &root, at(30), at(1), &mut OsRng).expect("invite");
    let languages: Vec<(&str, Lang)> = invited.iter().map(|i| (i.person.as_str(), i.language)).collect();
    assert_eq!(languages, [("s-1-g1", Lang::Pl), ("s-2-g1", Lang::Ro), ("s-2-s", Lang::Ro)]);
    let stored: Vec<(String, Lang)> = f
        .archive
        .family_contacts()
        .expect("contacts")
        .into_iter()
        .map(|c| (c.person.to_string(), c.language))
        .collect();
    assert_eq!(stored, [("s-1-g1".into(), Lang::Pl), ("s-2-g1".into(), Lang::Ro), ("s-2-s".into(), Lang::Ro)]);

    let unknown = ROSTER.replacen("guardian2_email\n", "guardian2_email,language\n", 1).replacen(
        ",m@example.org,,\n",
        ",m@example.org,,,xx\n",
        1,
    );
    let error = Roster::parse(&unknown).expect_err("an unknown language code");
    assert!(matches!(&error, RosterError::Line { line: 2, message } if message.contains("\"xx\"")), "{error}");
}

#[test]
fn an_archive_from_before_family_languages_opens_and_writes_to_them_in_english() {
    let f = fixture();
    let dir = f.archive.dir().to_path_buf();
    let conn = rusqlite::Connection::open(dir.join(DATABASE)).expect("open");
    conn.execute_batch("ALTER TABLE people DROP COLUMN language").expect("the older table");
    drop(conn);
    let reopened = Archive::open(&dir).expect("an older archive opens");
    let contacts = reopened.family_contacts().expect("contacts");
    assert!(!contacts.is_empty() && contacts.iter().all(|c| c.language == Lang::En));
}
