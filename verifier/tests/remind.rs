//! E-mail and reminders through the real `verifier` binary: `invite --smtp` and `remind --smtp`
//! deliver to a real SMTP server on 127.0.0.1 that the test starts and reads (each message in the
//! family's language, plain text and HTML, with the exact link of that person's invitation);
//! without `--smtp` nothing is sent and `reminders.csv` is written; every reminder is recorded;
//! publishing a new form version lists exactly the families whose consents it touches.

mod common;

use base64::Engine as _;
use consent_tests::fixtures::{example_form_content, key, purpose};
use consent_tests::smtp::{Received, SmtpSink};
use mail_parser::{MessageParser, MimeHeaders as _};
use rand_core::OsRng;
use shared::objects::{ConsentForm, ConsentReceipt, Decision, EnrolmentRequest, Invitation};
use shared::primitives::{Digest, PublicKey};
use shared::{decode, sign, Lang, Timestamp};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use verifier::archive::{Archive, Roster, Submission, DATABASE};
use verifier::keys;

const CONSENT_PAGE: &str = "https://school.example/consent.html";
const FROM: &str = "Liceum Office <office@school.example>";

/// Two families with children under 14: one writes Polish, one English.
const ROSTER: &str = "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email,language
s-1,Ola Nowak,7B,2016-03-01,,Anna Nowak,anna@example.org,,,pl
s-2,Tom Smith,7B,2016-04-01,,Jane Smith,jane@example.org,,,en
";

fn now() -> Timestamp {
    verifier::clock::now().expect("a usable clock")
}

fn verifier(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verifier"))
        .current_dir(dir)
        .env("VERIFIER_DATA", "school")
        .env_remove(verifier::mail::PASSWORD_VARIABLE)
        .args(args)
        .output()
        .expect("the verifier binary runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let output = verifier(dir, args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "verifier {args:?} failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// A school in `dir/school` with the example form published and the roster in `dir/roster.csv`.
fn school(dir: &Path) -> String {
    let data = dir.join("school");
    let (mut archive, school) = Archive::init(&data, now(), &mut OsRng).expect("init");
    let root = keys::read_secret(&data.join(keys::ROOT_KEY)).expect("root");
    let form = sign(ConsentForm::new(school, 1, now(), None, example_form_content()), &root).expect("form");
    archive.publish_form(form.bytes(), now()).expect("publish");
    std::fs::write(dir.join("roster.csv"), ROSTER).expect("roster");
    form.body().controller.school.name.clone()
}

/// The people's links from `out/invitations.csv`, by e-mail address.
fn links(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("out/invitations.csv")).expect("invitations.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.expect("a line");
            (record[2].to_owned(), record[3].to_owned())
        })
        .collect()
}

/// A message as the family's mail program shows it.
#[derive(Debug)]
struct Mail {
    envelope_to: Vec<String>,
    to: String,
    subject: String,
    text: String,
    html: String,
    /// The MIME types of its parts, in order.
    parts: Vec<String>,
}

fn read(received: &Received) -> Mail {
    let message = MessageParser::default().parse(&received.data).expect("a MIME message");
    let parts = message
        .parts
        .iter()
        .filter_map(|part| part.content_type())
        .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
        .collect();
    Mail {
        envelope_to: received.to.clone(),
        to: message.to().and_then(|to| to.first()).and_then(|a| a.address()).unwrap_or_default().to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        parts,
    }
}

/// The message sent to `address` among `received`.
fn to<'a>(mails: &'a [Mail], address: &str) -> &'a Mail {
    mails.iter().find(|m| m.envelope_to == [address]).unwrap_or_else(|| panic!("nothing sent to {address}: {mails:?}"))
}

/// The invitation a link carries.
fn invitation_in(link: &str) -> Invitation {
    let fragment = link.strip_prefix(&format!("{CONSENT_PAGE}#invitation=")).expect("a link to the consent page");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(fragment).expect("base64url");
    decode::<Invitation>(&bytes).expect("an invitation").unverified_body().clone()
}

/// Rows of the `reminders` table: (person, reason, channel).
fn recorded(dir: &Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(dir.join("school").join(DATABASE)).expect("open");
    let mut statement =
        conn.prepare("SELECT person, reason, channel FROM reminders ORDER BY person, at, reason").expect("query");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn triple(person: &str, reason: &str, channel: &str) -> (String, String, String) {
    (person.to_owned(), reason.to_owned(), channel.to_owned())
}

/// Checks the message to one family: addressed to them, in their language, both parts, the link.
fn check(mail: &Mail, address: &str, subject: &str, sentence: &str, link: &str) {
    assert_eq!(mail.to, address);
    assert_eq!(mail.subject, subject);
    assert_eq!(mail.parts, ["multipart/alternative", "text/plain", "text/html"], "{mail:?}");
    assert!(mail.text.contains(sentence) && mail.html.contains(sentence), "{sentence:?} in {mail:?}");
    assert!(mail.text.lines().any(|line| line == link), "the exact link in the text: {}", mail.text);
    assert!(mail.html.contains(&format!("<a href=\"{link}\">{link}</a>")), "the exact link in the HTML: {}", mail.html);
}

/// Invites `roster` through the library and has Anna (`s-1-g1`) grant photos for Ola from a
/// device of her own; returns the archive and everyone invited.
fn anna_grants_photos(dir: &Path, roster: &str) -> (Archive, Vec<verifier::archive::Invited>) {
    let data = dir.join("school");
    let mut archive = Archive::open(&data).expect("archive");
    let root = keys::read_secret(&data.join(keys::ROOT_KEY)).expect("root");
    let expires = Timestamp::from_unix(now().unix() + 30 * 86_400).expect("in range");
    let invited =
        archive.invite(&Roster::parse(roster).expect("roster"), &root, expires, now(), &mut OsRng).expect("invite");
    let anna = invited.iter().find(|i| i.person.as_str() == "s-1-g1").expect("Anna");
    let device = key("remind/anna");
    let request = EnrolmentRequest {
        school: archive.school(),
        invitation: Digest::of(anna.invitation.bytes()),
        key: PublicKey::of(&device),
        client_time: now(),
    };
    let certificate =
        archive.enrol(anna.invitation.bytes(), sign(request, &device).expect("signs").bytes(), now()).expect("enrols");
    let form = archive.current_form().expect("form").expect("published").hash();
    let decisions = [(purpose("photos-published"), Decision::Grant)].into_iter().collect();
    let receipt = ConsentReceipt::by(certificate.signed(), form, decisions, now(), None, Lang::Pl);
    archive.submit(Submission::receipt(sign(receipt, &device).expect("signs").bytes()), now()).expect("accepted");
    (archive, invited)
}

#[test]
fn invitations_and_reminders_reach_each_family_by_email_in_its_language() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    let school_name = school(dir);
    let sink = SmtpSink::start().expect("an SMTP server on loopback");
    let smtp = sink.url();
    let mail = ["--smtp", smtp.as_str(), "--mail-from", FROM];

    let invited = ok(
        dir,
        &[&["invite", "--roster", "roster.csv", "--base-url", CONSENT_PAGE, "--out-dir", "out"][..], &mail].concat(),
    );
    assert!(invited.contains("2 messages: 2 e-mailed, 0 on the list, 0 failed."), "{invited}");
    let links = links(dir);
    let mails: Vec<Mail> = sink.wait_for(2, Duration::from_secs(10)).iter().map(read).collect();
    assert_eq!(mails.len(), 2);
    let (anna, jane) = (&links["anna@example.org"], &links["jane@example.org"]);
    check(
        to(&mails, "anna@example.org"),
        "anna@example.org",
        &format!("{school_name}: zgody dotyczące ucznia Ola Nowak"),
        "Dzień dobry, Anna Nowak,",
        anna,
    );
    check(
        to(&mails, "jane@example.org"),
        "jane@example.org",
        &format!("{school_name}: consent for Tom Smith"),
        "Dear Jane Smith,",
        jane,
    );
    assert!(
        to(&mails, "anna@example.org").text.contains("- Zdjęcia wykorzystywane wewnątrz szkoły"),
        "purpose titles in Polish"
    );
    // Each link opens that person's own invitation.
    let (for_anna, for_jane) = (invitation_in(anna), invitation_in(jane));
    assert_eq!((for_anna.person.as_str(), for_anna.display_name.as_str()), ("s-1-g1", "Anna Nowak"));
    assert_eq!((for_jane.person.as_str(), for_jane.student_name.as_str()), ("s-2-g1", "Tom Smith"));

    // Nobody answered: the reminders carry the same links, now as reminders.
    let reminded = ok(dir, &[&["remind", "--base-url", CONSENT_PAGE, "--out-dir", "out"][..], &mail].concat());
    assert!(reminded.contains("2 messages: 2 e-mailed, 0 on the list, 0 failed."), "{reminded}");
    assert!(reminded.contains("not-answered") && reminded.contains("Anna Nowak"), "{reminded}");
    let all: Vec<Mail> = sink.wait_for(4, Duration::from_secs(10)).iter().map(read).collect();
    let reminders = &all[2..];
    check(
        to(reminders, "anna@example.org"),
        "anna@example.org",
        &format!("{school_name}: przypomnienie o zgodach dotyczących ucznia Ola Nowak"),
        "nie otrzymaliśmy jeszcze wszystkich odpowiedzi",
        anna,
    );
    check(
        to(reminders, "jane@example.org"),
        "jane@example.org",
        &format!("{school_name}: a reminder about consent for Tom Smith"),
        "has not yet received all the answers",
        jane,
    );
    assert!(!dir.join("out/reminders.csv").exists(), "everyone was e-mailed: no list");
    assert_eq!(
        recorded(dir),
        [
            triple("s-1-g1", "invitation", "email"),
            triple("s-1-g1", "not-answered", "email"),
            triple("s-2-g1", "invitation", "email"),
            triple("s-2-g1", "not-answered", "email"),
        ]
    );
    let archive = Archive::open(&dir.join("school")).expect("archive");
    let last = archive.last_reminded().expect("last reminded");
    assert_eq!(last.keys().map(|p| p.as_str()).collect::<Vec<_>>(), ["s-1-g1", "s-2-g1"]);
}

#[test]
fn without_smtp_nothing_is_sent_and_the_list_is_written_and_recorded() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school(dir);
    let sink = SmtpSink::start().expect("an SMTP server on loopback");
    let invited = ok(dir, &["invite", "--roster", "roster.csv", "--base-url", CONSENT_PAGE, "--out-dir", "out"]);
    assert!(!invited.contains("e-mailed"), "{invited}");
    let reminded =
        ok(dir, &["remind", "--not-answered", "--class", "7B", "--base-url", CONSENT_PAGE, "--out-dir", "out"]);
    assert!(reminded.contains("2 messages: 0 e-mailed, 2 on the list, 0 failed."), "{reminded}");
    assert!(reminded.contains("never"), "nobody was reminded before: {reminded}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(sink.messages().is_empty(), "nothing is sent without --smtp");

    let path = dir.join("out/reminders.csv");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("reminders.csv").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "names, addresses and links");
    }
    let list = std::fs::read_to_string(&path).expect("reminders.csv");
    let mut reader = csv::Reader::from_reader(list.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    let links = links(dir);
    let seen: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                &r[column("person")],
                &r[column("language")],
                &r[column("reason")],
                &r[column("email")],
                &r[column("link")],
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("s-1-g1", "pl", "not-answered", "anna@example.org", links["anna@example.org"].as_str()),
            ("s-2-g1", "en", "not-answered", "jane@example.org", links["jane@example.org"].as_str()),
        ]
    );
    assert_eq!(recorded(dir), [triple("s-1-g1", "not-answered", "list"), triple("s-2-g1", "not-answered", "list")]);

    // The next run shows when each was reminded; an unknown class is refused.
    let again = ok(dir, &["remind", "--base-url", CONSENT_PAGE, "--out-dir", "out"]);
    assert!(!again.contains("never"), "{again}");
    let unknown = verifier(dir, &["remind", "--class", "9Z", "--base-url", CONSENT_PAGE]);
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("9Z"));
}

#[test]
fn mail_settings_that_would_leak_are_refused_before_anything_is_signed() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school(dir);
    let database = dir.join("school").join(DATABASE);
    let before = common::dump(&database);
    let invite = ["invite", "--roster", "roster.csv", "--base-url", CONSENT_PAGE, "--out-dir", "out"];
    for (smtp, said) in [
        ("smtp://mail.example.org:25", "unencrypted"),
        ("smtp://mail.example.org?tls=opportunistic", "unencrypted"),
        ("smtps://office:secret@mail.example.org", "SMTP_PASSWORD"),
        ("smtps://office@mail.example.org", "SMTP_PASSWORD"),
    ] {
        let output = verifier(dir, &[&invite[..], &["--smtp", smtp, "--mail-from", FROM]].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(said), "{smtp}: {stderr}");
    }
    let from = verifier(dir, &[&invite[..], &["--smtp", "smtp://127.0.0.1:25", "--mail-from", "the office"]].concat());
    assert!(!from.status.success() && String::from_utf8_lossy(&from.stderr).contains("--mail-from"));
    assert_eq!(common::dump(&database), before, "nothing signed or recorded");
    assert!(!dir.join("out").exists());
    let half = verifier(dir, &["remind", "--base-url", CONSENT_PAGE, "--smtp", "smtp://127.0.0.1:25"]);
    assert_eq!(half.status.code(), Some(2), "--smtp needs --mail-from");
}

#[test]
fn publishing_a_new_form_version_lists_exactly_the_families_whose_consents_it_touches() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school(dir);
    // Anna grants photos for Ola; the Smiths answer nothing.
    drop(anna_grants_photos(dir, ROSTER));

    let quiet =
        ok(dir, &["form", "sign", concat!(env!("CARGO_MANIFEST_DIR"), "/examples/form.toml"), "--out", "form-v2.json"]);
    assert!(quiet.contains("version 2"), "{quiet}");
    let published = ok(dir, &["form", "publish", "form-v2.json", "--out-dir", "out"]);
    assert!(published.contains("Ola Nowak") && published.contains("Anna Nowak"), "{published}");
    assert!(published.contains("photos-published") && published.contains("verifier remind"), "{published}");
    assert!(
        !published.contains("Tom Smith") && !published.contains("Jane Smith"),
        "only the family that granted: {published}"
    );
    let list = std::fs::read_to_string(dir.join("out/reconsent.csv")).expect("reconsent.csv");
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(lines[1], "s-1,Ola Nowak,7B,photos-published,guardian,s-1-g1,Anna Nowak,anna@example.org");

    // `remind --reconfirm` reaches exactly them, for the new version; Anna's device holds her key.
    let reminded = ok(dir, &["remind", "--reconfirm", "--base-url", CONSENT_PAGE, "--out-dir", "out"]);
    assert!(reminded.contains("1 messages: 0 e-mailed, 1 on the list"), "{reminded}");
    let reminders = std::fs::read_to_string(dir.join("out/reminders.csv")).expect("reminders.csv");
    assert!(
        reminders.contains("s-1-g1") && reminders.contains("new-form-version") && !reminders.contains("s-2"),
        "{reminders}"
    );
    assert!(reminders.contains("open the consent page on their device"), "{reminders}");
}

#[test]
fn a_student_who_turns_14_is_asked_for_and_their_guardian_must_confirm_again() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school(dir);
    // Ola turns 14 tomorrow: today her guardian decides alone, and grants photos.
    let today = now().date();
    let birthday = today.checked_add_days(chrono::Days::new(1)).expect("date");
    let birth = birthday.checked_sub_months(chrono::Months::new(12 * 14)).expect("date");
    let roster = ROSTER.replace("2016-03-01", &birth.to_string());
    let (archive, invited) = anna_grants_photos(dir, &roster);
    assert!(invited.iter().all(|i| i.person.as_str() != "s-1-s"), "under 14: the student is not invited");

    let today_asks = archive
        .reminders(now(), Some("7B"), verifier::remind::Kinds { not_answered: false, reconfirm: true }, CONSENT_PAGE)
        .expect("reminders");
    assert!(today_asks.rows.is_empty() && today_asks.uninvited.is_empty(), "nothing to confirm again yet");
    // Two days on, she is 14: the grant given before must be confirmed, by both of them.
    let later = Timestamp::from_unix(now().unix() + 2 * 86_400).expect("in range");
    let asks = archive
        .reminders(later, Some("7B"), verifier::remind::Kinds { not_answered: false, reconfirm: true }, CONSENT_PAGE)
        .expect("reminders");
    let rows: Vec<(&str, verifier::remind::Reason, Vec<&str>)> = asks
        .rows
        .iter()
        .map(|r| (r.person.as_str(), r.reason, r.purposes.iter().map(|p| p.as_str()).collect()))
        .collect();
    assert_eq!(rows, [("s-1-g1", verifier::remind::Reason::AgeThreshold, vec!["photos-published"])]);
    assert_eq!(
        asks.rows[0].reach,
        verifier::remind::Reach::ConsentPage { link: CONSENT_PAGE.to_owned() },
        "Anna's device holds her key"
    );
    let missing: Vec<(&str, shared::objects::Role)> =
        asks.uninvited.iter().map(|u| (u.student.student.as_str(), u.role)).collect();
    assert_eq!(
        missing,
        [("s-1", shared::objects::Role::Student)],
        "Ola was never invited: she needs a first invitation"
    );
    let list = verifier::report::reminders_csv(&asks, &[0]).expect("csv");
    assert!(list.contains("age-threshold") && list.contains("nobody on file: verifier invite"), "{list}");
}

#[test]
fn a_message_that_fails_is_reported_listed_and_does_not_stop_the_others() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    school(dir);
    std::fs::write(dir.join("roster.csv"), ROSTER.replace("jane@example.org", "jane at example")).expect("roster");
    ok(dir, &["invite", "--roster", "roster.csv", "--base-url", CONSENT_PAGE, "--out-dir", "out"]);
    let sink = SmtpSink::start().expect("an SMTP server on loopback");
    let output = verifier(
        dir,
        &["remind", "--base-url", CONSENT_PAGE, "--out-dir", "out", "--smtp", &sink.url(), "--mail-from", FROM],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "a message was not sent: {stdout}");
    assert!(stdout.contains("NOT SENT") && stdout.contains("jane at example"), "{stdout}");
    assert!(stdout.contains("2 messages: 1 e-mailed, 0 on the list, 1 failed."), "{stdout}");
    let received = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(received.iter().map(|m| m.to.clone()).collect::<Vec<_>>(), [vec!["anna@example.org".to_owned()]]);
    let list = std::fs::read_to_string(dir.join("out/reminders.csv")).expect("reminders.csv");
    assert!(list.contains("s-2-g1") && !list.contains("s-1-g1"), "the failed one is on the list: {list}");
    assert_eq!(recorded(dir), [triple("s-1-g1", "not-answered", "email"), triple("s-2-g1", "not-answered", "list")]);
}
