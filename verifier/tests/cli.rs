//! The whole school scenario through the real `verifier` binary, with receipts signed by a test
//! driver using `shared` exactly as the widget will.

mod common;

use base64::Engine as _;
use consent_tests::fixtures::{key, purpose};
use ed25519_dalek::SigningKey;
use shared::objects::{
    ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, EnrolmentRequest, Invitation, Right, RightsRequest,
    Role,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::{decode, sign, Lang, Timestamp};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn verifier(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verifier"))
        .current_dir(dir)
        .env("VERIFIER_DATA", "school")
        .args(args)
        .output()
        .expect("the verifier binary runs")
}

/// Runs the binary and expects success, returning standard output.
fn ok(dir: &Path, args: &[&str]) -> String {
    let output = verifier(dir, args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "verifier {args:?} failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

/// A roster of 30 in three classes: ten children under 14, ten aged 16 (co-signing), ten of 19.
fn roster(today: chrono::NaiveDate) -> String {
    let mut text = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n".to_owned();
    for i in 0..30 {
        let (class, years) = match i / 10 {
            0 => ("5A", 10),
            1 => ("10B", 16),
            _ => ("12C", 19),
        };
        let birth = today.checked_sub_months(chrono::Months::new(12 * years + 1)).expect("date");
        text += &format!("s-{i:03},Student {i},{class},{birth},s{i}@example.org,Parent {i},p{i}@example.org,,\n");
    }
    text
}

/// A person acting through the widget: their key, certificate and receipt chain.
struct Person {
    key: SigningKey,
    certificate: Vec<u8>,
    previous: Option<Digest>,
}

impl Person {
    /// The key that signed the certificate (the archive's); the certificate names it.
    fn archive_key(&self) -> PublicKey {
        *decode::<EnrolmentCertificate>(&self.certificate).expect("certificate").signer()
    }
}

struct School {
    dir: PathBuf,
    invitations: BTreeMap<String, Vec<u8>>,
    form: Vec<u8>,
    files: u32,
}

impl School {
    fn file(&mut self, bytes: &[u8]) -> String {
        self.files += 1;
        let name = format!("object-{}.json", self.files);
        std::fs::write(self.dir.join(&name), bytes).expect("write");
        name
    }

    /// Enrols `person` with a fresh key through `verifier enrol`.
    fn enrol(&mut self, person: &str) -> Person {
        let key = key(&format!("cli/{person}"));
        let invitation = self.invitations[person].clone();
        let school = decode::<Invitation>(&invitation).expect("invitation").unverified_body().school;
        let request = EnrolmentRequest {
            school,
            invitation: Digest::of(&invitation),
            key: PublicKey::of(&key),
            client_time: now(),
        };
        let request = sign(request, &key).expect("signs");
        let (invitation_file, request_file) = (self.file(&invitation), self.file(request.bytes()));
        let out = format!("certificate-{person}.json");
        ok(&self.dir, &["enrol", "--invitation", &invitation_file, "--request", &request_file, "--out", &out]);
        Person { key, certificate: std::fs::read(self.dir.join(out)).expect("certificate"), previous: None }
    }

    /// Signs a receipt as `person` and returns its file name (not yet submitted).
    fn receipt(&mut self, person: &mut Person, decisions: &[(&str, Decision)]) -> String {
        let certificate =
            shared::open::<EnrolmentCertificate>(&person.certificate, &person.archive_key()).expect("certificate");
        let form = decode::<ConsentForm>(&self.form).expect("form");
        let decisions = decisions.iter().map(|(p, d)| (purpose(p), *d)).collect();
        let body = ConsentReceipt::by(&certificate, form.hash(), decisions, now(), person.previous, Lang::Pl);
        let receipt = sign(body, &person.key).expect("signs");
        person.previous = Some(receipt.hash());
        self.file(receipt.bytes())
    }

    fn decide(&mut self, person: &mut Person, decisions: &[(&str, Decision)]) -> String {
        let file = self.receipt(person, decisions);
        ok(&self.dir, &["submit", &file]);
        file
    }
}

fn csv_column(text: &str, student: &str) -> String {
    text.lines()
        .find(|l| l.starts_with(&format!("{student},")))
        .unwrap_or_else(|| panic!("no row for {student}"))
        .to_owned()
}

#[test]
fn a_school_year_through_the_command_line() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().to_path_buf();
    fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [&["--data", "school"][..], args].concat()
    }

    // A new school, its form, its roster.
    let init = ok(&dir, &with(&["init"]));
    let school_key = std::fs::read_to_string(dir.join("school/school.pub")).expect("public key").trim().to_owned();
    assert!(init.contains(&school_key));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("school/school.key")).expect("root key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the root key is readable by its owner only");
    }
    let form_toml = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/form.toml");
    ok(&dir, &with(&["form", "sign", form_toml, "--out", "form-v1.json"]));
    ok(&dir, &with(&["form", "publish", "form-v1.json"]));
    std::fs::write(dir.join("roster.csv"), roster(now().date())).expect("roster");
    let invited = ok(
        &dir,
        &with(&[
            "invite",
            "--roster",
            "roster.csv",
            "--base-url",
            "https://school.example/consent",
            "--out-dir",
            "out",
        ]),
    );
    assert!(invited.contains("Invited 50 people for 30 students"), "{invited}");
    let links = std::fs::read_to_string(dir.join("out/invitations.csv")).expect("links");
    let invitations: BTreeMap<String, Vec<u8>> = links
        .lines()
        .skip(1)
        .map(|line| {
            let person = line.split(',').next().expect("person").to_owned();
            let after = line.rsplit("#invitation=").next().expect("fragment");
            // The link column, up to the short link's column after it.
            let fragment = after.split(',').next().expect("fragment");
            (person, base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(fragment).expect("base64url"))
        })
        .collect();
    let form = std::fs::read(dir.join("form-v1.json")).expect("form");
    let mut school = School { dir: dir.clone(), invitations, form, files: 0 };

    // Under 14: the guardian alone grants photos only.
    let mut parent_0 = school.enrol("s-000-g1");
    school.decide(&mut parent_0, &[("photos-published", Decision::Grant), ("meals", Decision::Refuse)]);
    // 14-17: the guardian grants, the student co-signs; another pair where only the guardian did.
    let mut parent_10 = school.enrol("s-010-g1");
    let mut student_10 = school.enrol("s-010-s");
    school.decide(&mut parent_10, &[("photos-published", Decision::Grant)]);
    school.decide(&mut student_10, &[("photos-published", Decision::Grant)]);
    let mut parent_11 = school.enrol("s-011-g1");
    school.decide(&mut parent_11, &[("photos-published", Decision::Grant)]);
    // 18+: the student alone; then one withdraws.
    let mut student_20 = school.enrol("s-020-s");
    let grant_20 = school.decide(&mut student_20, &[("photos-published", Decision::Grant)]);
    let mut student_21 = school.enrol("s-021-s");
    school.decide(&mut student_21, &[("photos-published", Decision::Grant)]);
    school.decide(&mut student_21, &[("photos-published", Decision::Withdraw)]);

    // A replayed older receipt is refused, and the archive file is not touched.
    let archive = dir.join("school/archive.sqlite");
    let before = common::dump(&archive);
    let mut replayed_chain =
        Person { key: student_20.key.clone(), certificate: student_20.certificate.clone(), previous: None };
    let stale = school.receipt(&mut replayed_chain, &[("photos-published", Decision::Refuse)]);
    let refused = verifier(&dir, &with(&["submit", &stale]));
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("replay"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(common::dump(&archive), before, "a refused receipt changes nothing");
    // The same receipt submitted twice gives the same acknowledgement and adds nothing.
    let first_ack = ok(&dir, &with(&["submit", &grant_20]));
    assert_eq!(ok(&dir, &with(&["submit", &grant_20])), first_ack);
    assert_eq!(common::dump(&archive), before, "a resubmission changes nothing");

    // A rights request: submitted, listed with its deadline, decided, listed as decided.
    let objection = RightsRequest {
        school: decode::<Invitation>(&school.invitations["s-000-g1"]).expect("invitation").unverified_body().school,
        student: shared::ids::StudentId::try_from("s-000").expect("id"),
        certificate: Digest::of(&parent_0.certificate),
        role: Role::Guardian,
        right: Right::Objection,
        purposes: vec![purpose("photos-published")],
        text: "Please do not publish the class photo from the trip.".into(),
        client_time: now(),
        nonce: Nonce([5; 16]),
    };
    let objection = sign(objection, &parent_0.key).expect("signs");
    let file = school.file(objection.bytes());
    ok(&dir, &with(&["submit", &file]));
    let open = ok(&dir, &with(&["requests"]));
    assert!(
        open.contains(&objection.hash().to_hex()) && open.contains("open") && open.contains("1 requests, 0 overdue"),
        "{open}"
    );
    assert!(!ok(&dir, &with(&["requests", "--overdue"])).contains(&objection.hash().to_hex()));
    let hash = objection.hash().to_hex();
    ok(&dir, &with(&["decide", &hash, "--grant", "--reason", "The photo will not be published."]));
    let decided = ok(&dir, &with(&["requests", "--format", "csv"]));
    assert!(decided.contains("granted on") && decided.contains("will not be published"), "{decided}");
    let again = verifier(&dir, &with(&["decide", &hash, "--refuse", "--reason", "No."]));
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already been decided"));

    // The audit: who may appear in a published photo now.
    let at = Timestamp::from_unix(now().unix() + 60).expect("in range").to_string();
    let table = ok(&dir, &with(&["audit", "--purpose", "photos-published", "--at", &at]));
    assert!(table.contains("3 may be included, 1 refused or withdrew, 26 without consent yet"), "{table}");
    let csv = ok(&dir, &with(&["audit", "--purpose", "photos-published", "--at", &at, "--format", "csv"]));
    assert_eq!(csv.lines().count(), 31, "a header and 30 students");
    assert!(csv_column(&csv, "s-000").contains(",yes,allowed,"), "{csv}");
    assert!(csv_column(&csv, "s-010").contains(",yes,allowed,"));
    assert!(csv_column(&csv, "s-011").contains("waiting for student"));
    assert!(csv_column(&csv, "s-020").contains(",yes,allowed,"));
    assert!(csv_column(&csv, "s-021").contains("withdrawn by student"));
    assert!(csv_column(&csv, "s-005").contains("not answered"));
    let class = ok(&dir, &with(&["audit", "--purpose", "meals", "--at", &at, "--class", "5A", "--format", "csv"]));
    assert!(csv_column(&class, "s-000").contains("refused by guardian"));
    assert_eq!(class.lines().count(), 11);
    let html = ok(&dir, &with(&["audit", "--purpose", "photos-published", "--at", &at, "--format", "html"]));
    assert!(html.starts_with("<!doctype html>") && html.contains("<td>withdrawn by student"));
    let unknown = verifier(&dir, &with(&["audit", "--purpose", "no-such-purpose", "--at", &at]));
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("photos-published"));

    // An auditor verifies the exported bundle with nothing but the school key.
    ok(&dir, &with(&["export", "--student", "s-010", "--out", "bundle.json"]));
    let auditor = tempfile::tempdir().expect("auditor's empty directory");
    let bundle = std::fs::read(dir.join("bundle.json")).expect("bundle");
    std::fs::write(auditor.path().join("bundle.json"), &bundle).expect("copy");
    let verdict = ok(auditor.path(), &["verify", "--school-key", &school_key, "bundle.json"]);
    assert!(verdict.contains("VALID") && verdict.contains("photos-published"), "{verdict}");
    for position in [10, bundle.len() / 3, bundle.len() / 2, bundle.len() - 40] {
        let mut edited = bundle.clone();
        edited[position] = if edited[position] == b'0' { b'1' } else { b'0' };
        std::fs::write(auditor.path().join("edited.json"), &edited).expect("write");
        let output = verifier(auditor.path(), &["verify", "--school-key", &school_key, "edited.json"]);
        assert_eq!(output.status.code(), Some(1), "an edit at byte {position} must be caught");
    }
    let other_key = PublicKey::of(&key("cli/another-school")).to_hex();
    assert_eq!(verifier(auditor.path(), &["verify", "--school-key", &other_key, "bundle.json"]).status.code(), Some(1));

    // `check` passes, then catches a row edited directly in the SQLite file.
    assert!(ok(&dir, &with(&["check"])).contains("0 problems"));
    let conn = rusqlite::Connection::open(&archive).expect("open archive");
    conn.execute(
        "UPDATE log SET bytes = replace(bytes, CAST('\"grant\"' AS BLOB), CAST('\"refus\"' AS BLOB)) WHERE kind = 'consent-receipt/1' AND student = 's-000'",
        [],
    )
    .expect("tamper");
    drop(conn);
    let check = verifier(&dir, &with(&["check"]));
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("PROBLEM"), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = "00".repeat(32);
    let usage_errors: [&[&str]; 9] = [
        &["audit"],
        &["no-such-command"],
        &["decide", "abc", "--grant", "--reason", "x"],
        &["decide", &hash, "--reason", "neither grant nor refuse"],
        &["decide", &hash, "--grant", "--refuse", "--reason", "both"],
        &["verify"],
        &["verify", "--school-key", "not-a-key", "file.json"],
        &["audit", "--purpose", "meals", "--at", "yesterday"],
        &["export", "--student", "Not An Id"],
    ];
    for args in usage_errors {
        assert_eq!(verifier(dir.path(), args).status.code(), Some(2), "{args:?}");
    }
}

/// Runs the binary under `umask 022`, the usual default that leaves new files readable by all.
#[cfg(unix)]
fn verifier_under_umask_022(dir: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .current_dir(dir)
        .env("VERIFIER_DATA", "school")
        .args(["-c", "umask 022 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_verifier")])
        .args(args)
        .output()
        .expect("the verifier binary runs")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// A new school made under `umask 022`, its form published and `roster` invited into `out/`.
#[cfg(unix)]
fn school_under_umask_022(dir: &Path, roster: &str) {
    let run = |args: &[&str]| {
        let output = verifier_under_umask_022(dir, args);
        assert!(output.status.success(), "verifier {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    run(&["init"]);
    let form_toml = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/form.toml");
    run(&["form", "sign", form_toml, "--out", "form-v1.json"]);
    run(&["form", "publish", "form-v1.json"]);
    std::fs::write(dir.join("roster.csv"), roster).expect("roster");
    run(&["invite", "--roster", "roster.csv", "--base-url", "https://school.example/consent", "--out-dir", "out"]);
}

#[cfg(unix)]
#[test]
fn personal_data_on_disk_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school_under_umask_022(dir, &roster(now().date()));
    let (data, database) = (dir.join("school"), dir.join("school/archive.sqlite"));
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&database), 0o600, "the database");
    assert_eq!(mode(&dir.join("out/invitations.csv")), 0o600, "names, e-mail addresses and links");
    assert_eq!(mode(&dir.join("out/invited.csv")), 0o600, "names and e-mail addresses");
    let export = verifier_under_umask_022(dir, &["export", "--student", "s-000", "--out", "bundle.json"]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    assert_eq!(mode(&dir.join("bundle.json")), 0o600, "a proof bundle");
    // SQLite makes its `-wal` and `-shm` files with the database's mode, whatever the umask.
    let conn = rusqlite::Connection::open(&database).expect("open");
    let _: i64 = conn.query_row("SELECT COUNT(*) FROM log", [], |row| row.get(0)).expect("read");
    for suffix in ["-wal", "-shm"] {
        assert_eq!(mode(&dir.join(format!("school/archive.sqlite{suffix}"))), 0o600, "{suffix}");
    }
    drop(conn);
    // An archive left readable by others is made owner-only when it is opened.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("loosen");
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).expect("loosen");
    let check = verifier_under_umask_022(dir, &["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert_eq!((mode(&data), mode(&database)), (0o700, 0o600), "tightened on open");
}

#[cfg(unix)]
#[test]
fn a_roster_that_changes_a_birth_date_needs_confirming() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    let roster = roster(now().date());
    school_under_umask_022(dir, &roster);
    let database = dir.join("school/archive.sqlite");
    let first = roster.lines().nth(1).expect("a row").to_owned();
    let birth = first.split(',').nth(3).expect("birth date").to_owned();
    let changed = roster.replacen(&first, &first.replacen(&birth, "2001-02-03", 1), 1);
    std::fs::write(dir.join("changed.csv"), changed).expect("roster");
    let args =
        ["invite", "--roster", "changed.csv", "--base-url", "https://school.example/consent", "--out-dir", "again"];
    let before = common::dump(&database);
    let refused = verifier(dir, &args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "refused without confirmation");
    assert!(stderr.contains("s-000") && stderr.contains(&birth) && stderr.contains("2001-02-03"), "{stderr}");
    assert!(stderr.contains("--confirm-birth-date-changes"), "{stderr}");
    assert_eq!(common::dump(&database), before, "a refused roster writes nothing");
    let confirmed = verifier(dir, &[&args[..], &["--confirm-birth-date-changes"]].concat());
    assert!(confirmed.status.success(), "{}", String::from_utf8_lossy(&confirmed.stderr));
    assert!(common::dump(&database).contains("roster_changes: Text(\"s-000\") | Text(\"birth_date\")"));
}

#[test]
fn serve_refuses_a_site_folder_that_overlaps_the_data_directory() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    ok(dir, &["init"]);
    std::fs::create_dir(dir.join("school/site")).expect("a folder inside");
    for www in ["school", "school/site", ".", "./school/../school"] {
        let mut serve = Command::new(env!("CARGO_BIN_EXE_verifier"))
            .current_dir(dir)
            .env("VERIFIER_DATA", "school")
            .args(["serve", "--listen", "127.0.0.1:0", "--www", www])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the verifier binary runs");
        // A service that started anyway is stopped, so that a failure leaves nothing running.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while serve.try_wait().expect("status").is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if serve.try_wait().expect("status").is_none() {
            serve.kill().expect("stop the service");
            serve.wait().expect("stopped");
            panic!("--www {www} was accepted: the service started");
        }
        let output = serve.wait_with_output().expect("output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains("overlaps the data directory"), "--www {www}: {stderr}");
    }
}

#[test]
fn a_dpo_at_the_terminal_records_a_paper_slip_with_their_own_staff_key_and_every_report_says_on_paper() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().to_path_buf();
    let with =
        |args: &[&str]| -> Vec<String> { ["--data", "school"].iter().chain(args).map(|a| (*a).to_owned()).collect() };
    let run = |args: &[&str]| ok(&dir, &with(args).iter().map(String::as_str).collect::<Vec<_>>());
    run(&["init"]);
    let form_toml = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/form.toml");
    run(&["form", "sign", form_toml, "--out", "form-v1.json"]);
    run(&["form", "publish", "form-v1.json"]);
    std::fs::write(dir.join("roster.csv"), roster(now().date())).expect("roster");
    run(&["invite", "--roster", "roster.csv", "--base-url", "https://school.example/consent", "--out-dir", "out"]);
    let link = run(&["staff", "invite", "--name", "Dana Pop", "--role", "dpo", "--person", "staff-dpo"]);
    let enrolled = run(&["staff", "enrol", "--link", link.trim(), "--key", "dpo.key"]);
    assert!(enrolled.contains("Enrolled staff-dpo as dpo"), "{enrolled}");
    std::fs::write(dir.join("slip.pdf"), b"%PDF- the scanned slip").expect("scan");
    let today = now().date().to_string();
    let recorded = run(&[
        "paper",
        "record",
        "--staff-key",
        "dpo.key",
        "--student",
        "s-000",
        "--signer",
        "s-000-g1",
        "--grant",
        "photos-published",
        "--refuse",
        "meals",
        "--date",
        &today,
        "--scan",
        "slip.pdf",
    ]);
    assert!(recorded.contains("as on paper, recorded by staff-dpo"), "{recorded}");

    let later = Timestamp::from_unix(now().unix() + 60).expect("in range").to_string();
    let audit = run(&["audit", "--purpose", "photos-published", "--at", &later, "--class", "5A", "--format", "csv"]);
    assert!(csv_column(&audit, "s-000").contains("on paper"), "{audit}");
    run(&["export", "--student", "s-000", "--out", "s-000.json"]);
    let verified = ok(&dir, &["verify", "--school-key", "school/school.pub", "s-000.json"]);
    assert!(verified.contains("1 on paper, recorded by staff, not signed by the family"), "{verified}");

    // Not a teacher's to record, and not for someone outside the family; nothing is logged then.
    let teacher = run(&["staff", "invite", "--name", "T", "--role", "teacher", "--class", "5A", "--person", "staff-t"]);
    run(&["staff", "enrol", "--link", teacher.trim(), "--key", "teacher.key"]);
    for (key, signer) in [("teacher.key", "s-000-g1"), ("dpo.key", "s-001-g1")] {
        let args = with(&[
            "paper",
            "record",
            "--staff-key",
            key,
            "--student",
            "s-000",
            "--signer",
            signer,
            "--grant",
            "meals",
            "--date",
            &today,
            "--scan",
            "slip.pdf",
        ]);
        let output = verifier(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!output.status.success(), "{key} {signer}: {}", String::from_utf8_lossy(&output.stdout));
    }
    let check = run(&["check"]);
    assert!(check.contains(" 0 problems"), "{check}");
}
