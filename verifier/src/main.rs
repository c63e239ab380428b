//! `verifier`: the school's and the auditor's command line. Each subcommand is a thin shell over
//! the library; `--help` on any of them says what it does.

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use clap::{ArgGroup, Args, Parser, Subcommand};
use rand_core::OsRng;
use shared::ids::{PersonId, StudentId};
use shared::objects::{ConsentForm, FormContent, Outcome, StaffRole};
use shared::primitives::{Digest, PublicKey};
use shared::{sign, Lang, Timestamp};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use verifier::archive::{Archive, Roster, RosterError, StaffStatus, Submission};
use verifier::keys;

mod commands;
use verifier::mail::Mailer;
use verifier::remind::{self, Kinds};
use verifier::report::{self, Format};

#[derive(Parser)]
#[command(name = "verifier", version, about = "Verify, archive and audit signed school consent")]
struct Cli {
    /// The school's data directory (keys and the archive).
    #[arg(long, global = true, env = "VERIFIER_DATA", default_value = "demo-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new school: root key and archive key (mode 0600), the archive, the delegation.
    Init,
    /// Sign or publish a consent form version.
    #[command(subcommand)]
    Form(FormCommand),
    /// Import a class roster (CSV) and write one invitation link per guardian and per student of
    /// co-signing age, plus a CSV of who was invited.
    Invite(InviteArgs),
    /// Remind the people who have not answered the form in force, or must confirm a consent
    /// again (a new form version, a student who turned 14 or 18): by e-mail through the school's
    /// SMTP server when `--smtp` is given, otherwise on the list `reminders.csv` for the office.
    /// Each reminder is recorded (in the personal-data tables, never the log); the console
    /// shows when each person was last reminded. Both kinds unless one is chosen.
    Remind(RemindArgs),
    /// Enrol the key of a person from their invitation and their signed enrolment request.
    Enrol {
        /// The invitation (JSON, as signed by the school).
        #[arg(long)]
        invitation: PathBuf,
        /// The enrolment request, signed by the new key.
        #[arg(long)]
        request: PathBuf,
        /// Where to write the certificate (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Add signed consent receipts or rights requests to the archive; prints each acknowledgement.
    Submit {
        /// Receipt or request files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Offline: verify signed objects and proof bundles with only the school's public key. Pass
    /// the family's receipts and acknowledgements with a bundle to check that it omits none.
    /// Exit status 0 if every file is valid, 1 otherwise.
    Verify {
        /// The school's public key: 64 hex digits, or a file holding them (school.pub).
        #[arg(long, value_parser = parse_school_key)]
        school_key: PublicKey,
        /// Files to verify.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Who may be included in a purpose at an instant: allowed, refused, withdrawn, not answered,
    /// needing re-confirmation.
    Audit(AuditArgs),
    /// Rights requests with their deadlines, decisions, and overdue ones.
    Requests {
        /// Only requests undecided after their deadline.
        #[arg(long)]
        overdue: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Decide a rights request; the signed decision goes back to the requester.
    Decide(DecideArgs),
    /// Invite, list and revoke school staff, who use the console at /console/ in their browser.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Record a decision a family gave on a paper slip, signed with a DPO's or director's staff key.
    #[command(subcommand)]
    Paper(PaperCommand),
    /// Export a student's proof bundle, which `verify` checks with only the school key.
    Export {
        /// The student's pseudonymous id.
        #[arg(long, value_parser = parse_student)]
        student: StudentId,
        /// Where to write it (default: bundle-STUDENT.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Re-verify every signature, the Merkle tree, checkpoints and acknowledgements.
    Check,
    /// After the database was restored from an older copy: rebuild what it lost from the log
    /// ledger (the same entries at the same indexes, the same checkpoints and acknowledgements),
    /// then give the rebuilt entries their objects back from FILES — families' receipts files,
    /// proof bundles, signed objects. Run it again when more files arrive. Exit status 0 once
    /// nothing is lost, 1 while entries still lack their objects.
    Recover {
        /// Files holding the lost objects (optional).
        files: Vec<PathBuf>,
        /// The log ledger itself is lost for good: start a new one from the database as it is
        /// (what was signed before can then no longer be checked against it).
        #[arg(long)]
        new_ledger: bool,
    },
    /// Retention: delete personal data and redact the log entries of students whose record closed
    /// before DATE (the limitation period). Leaf hashes stay, so the log stays verifiable.
    Purge {
        /// Cut-off, `YYYY-MM-DD` or an instant; at most now minus the form's retention period.
        #[arg(long, value_parser = parse_instant)]
        before: Timestamp,
    },
    /// Serve the HTTP API for the widget and the school (and the demo site) until SIGTERM/Ctrl-C.
    Serve {
        /// Address to listen on; port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Folder of the site to serve at `/` (the demo school site).
        #[arg(long)]
        www: Option<PathBuf>,
        /// A school website allowed to call the API from the browser (CORS); repeatable.
        #[arg(long = "allow-origin")]
        allow_origin: Vec<String>,
        /// Requests per second one client address may sustain.
        #[arg(long, default_value_t = 50.0)]
        rate_limit: f64,
        /// Requests one client address may have under way at once.
        #[arg(long, default_value_t = 16)]
        max_in_flight: usize,
        /// The consent page families' links open, e.g. https://school.example/consent.html: the
        /// console's "Send reminders" needs it.
        #[arg(long)]
        consent_page: Option<String>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Renew the archive key's delegation (signed by the root key) before it expires.
    Delegate {
        /// Days from now the delegation lasts.
        #[arg(long, default_value_t = 5 * 365)]
        days: u32,
        /// The root key file (default: DATA/school.key).
        #[arg(long)]
        root_key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum FormCommand {
    /// Sign FORM.toml with the root key as the next version (offline step); writes the signed form.
    Sign {
        /// The form, as documented in verifier/examples/form.toml.
        form: PathBuf,
        /// Where to write the signed form (default: form-vN.json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The root key file (default: DATA/school.key).
        #[arg(long)]
        root_key: Option<PathBuf>,
    },
    /// Publish a signed form version in the archive. A new version lists the families whose
    /// consents it touches (and writes them to reconsent.csv).
    Publish {
        /// The signed form (from `form sign`).
        signed: PathBuf,
        /// Folder for reconsent.csv.
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Sign a staff invitation with the root key and print the link that enrols the staff
    /// member's browser (send it to them; it works once).
    Invite(StaffInviteArgs),
    /// Everyone invited, with their role, classes and where their access stands.
    List,
    /// Enrol a staff key kept in a file, for a DPO or director who works at the terminal (the
    /// console keeps one in the browser instead).
    Enrol(commands::paper::EnrolArgs),
    /// End a staff member's access at once: their certificates are revoked in the log and their
    /// unused links stop working.
    Revoke {
        /// Their id (from `staff list`).
        person: String,
    },
}

#[derive(Subcommand)]
enum PaperCommand {
    /// Sign and log a paper slip: the student, who signed it, its decisions, its date and the
    /// SHA-256 of its scan. Audits, the console, bundles and the family's history show it as on
    /// paper, recorded by you; a later decision the family signs on a device overrides it.
    Record(commands::paper::RecordArgs),
}

#[derive(Args)]
struct StaffInviteArgs {
    /// The name the console greets them with.
    #[arg(long)]
    name: String,
    /// Their role: `dpo` and `director` see the whole school and the rights requests; a
    /// `teacher` sees the purposes' status for their classes.
    #[arg(long, value_parser = parse_role)]
    role: StaffRole,
    /// A teacher's class (repeat for each).
    #[arg(long = "class")]
    classes: Vec<String>,
    /// Their id; by default a new random one.
    #[arg(long)]
    person: Option<String>,
    /// Days the link stays usable.
    #[arg(long, default_value_t = 14)]
    valid_days: u32,
    /// The console's address, e.g. https://school.example/console/.
    #[arg(long, default_value = "http://127.0.0.1:8080/console/")]
    base_url: String,
    /// The root key file (default: DATA/school.key).
    #[arg(long)]
    root_key: Option<PathBuf>,
}

fn parse_language(code: &str) -> Result<Lang, String> {
    Lang::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Lang::ALL.iter().map(|lang| lang.code()).collect();
        format!("{code:?} is not a language this product speaks: {}", known.join(", "))
    })
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    match text {
        "dpo" => Ok(StaffRole::Dpo),
        "director" => Ok(StaffRole::Director),
        "teacher" => Ok(StaffRole::Teacher),
        other => Err(format!("{other:?} is not a staff role: dpo, director or teacher")),
    }
}

#[derive(Args)]
struct InviteArgs {
    /// The roster CSV (columns documented in `verifier::archive::people`; see README).
    #[arg(long)]
    roster: PathBuf,
    /// The consent page the links open, e.g. https://school.example/consent.html.
    #[arg(long)]
    base_url: String,
    /// Days the invitations stay valid.
    #[arg(long, default_value_t = 30)]
    valid_days: u32,
    /// Folder for invitations.csv (links) and invited.csv (who was invited).
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Also write printable letters (HTML, one A4 page per person in their language, with the QR
    /// code of their short link) to this file.
    #[arg(long)]
    letters: Option<PathBuf>,
    /// The school's language (en, pl, ro, …): letters and e-mails to families whose roster line
    /// names no `language` are written in it.
    #[arg(long, default_value = "en", value_parser = parse_language)]
    language: Lang,
    /// The root key file (default: DATA/school.key).
    #[arg(long)]
    root_key: Option<PathBuf>,
    /// Import even though the roster changes a student's stored birth date (which changes who
    /// must sign); each change is recorded. Without it such a roster is refused.
    #[arg(long)]
    confirm_birth_date_changes: bool,
    /// Also e-mail each new invitation to the person's address.
    #[command(flatten)]
    mail: MailArgs,
}

/// The school's SMTP server, for e-mail to families; without it nothing is sent.
#[derive(Args)]
struct MailArgs {
    /// The school's SMTP server: `smtps://mail.school.example`, `smtp://mail.school.example:587?tls=required`,
    /// or plain `smtp://127.0.0.1:2525` for a relay on this machine only. To log in, name the user
    /// (`smtps://USER@host`) and put the password in the SMTP_PASSWORD environment variable.
    #[arg(long, requires = "mail_from")]
    smtp: Option<String>,
    /// The sender of the e-mails, e.g. "School office <office@school.example>".
    #[arg(long, requires = "smtp")]
    mail_from: Option<String>,
}

impl MailArgs {
    /// The mailer, checked before anything is signed or sent; `None` without `--smtp`.
    fn mailer(&self) -> Result<Option<Mailer>> {
        let (Some(url), Some(from)) = (&self.smtp, &self.mail_from) else { return Ok(None) };
        let password = std::env::var(verifier::mail::PASSWORD_VARIABLE).ok();
        Ok(Some(Mailer::new(url, from, password)?))
    }
}

#[derive(Args)]
struct RemindArgs {
    /// Remind those whose answer is missing.
    #[arg(long)]
    not_answered: bool,
    /// Remind those who must confirm a consent again.
    #[arg(long)]
    reconfirm: bool,
    /// Only this class.
    #[arg(long)]
    class: Option<String>,
    /// The consent page the links open, e.g. https://school.example/consent.html.
    #[arg(long)]
    base_url: String,
    /// Folder for reminders.csv.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    #[command(flatten)]
    mail: MailArgs,
}

#[derive(Args)]
struct AuditArgs {
    /// The purpose id, e.g. photos-published.
    #[arg(long)]
    purpose: String,
    /// The instant: `YYYY-MM-DD` (the end of that day, UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
    #[arg(long, value_parser = parse_instant)]
    at: Timestamp,
    /// Only this class.
    #[arg(long)]
    class: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
#[command(group(ArgGroup::new("outcome").required(true).args(["grant", "refuse"])))]
struct DecideArgs {
    /// The request's hash (from `verifier requests`).
    #[arg(value_parser = Digest::from_hex)]
    request: Digest,
    /// Grant the request.
    #[arg(long)]
    grant: bool,
    /// Refuse the request.
    #[arg(long)]
    refuse: bool,
    /// The reason, in words the requester understands.
    #[arg(long)]
    reason: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The library's warnings (files made owner-only, a confirmed birth-date change) go to
    // standard error for every command; the service logs its requests' failures too.
    let level = if matches!(cli.command, Command::Serve { .. }) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn now() -> Result<Timestamp> {
    Ok(verifier::clock::now()?)
}

/// `YYYY-MM-DD` (the end of that day, UTC) or an instant; a usage error otherwise.
fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Some(stamp) = Timestamp::parse(text) {
        return Ok(stamp);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(23, 59, 59))
        .and_then(|end| Timestamp::from_datetime(end.and_utc()))
        .ok_or_else(|| format!("{text:?} is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM:SSZ"))
}

/// 64 hex digits, or a file holding them.
fn parse_school_key(text: &str) -> Result<PublicKey, String> {
    keys::read_public(text).map_err(|_| format!("{text:?} is neither 64 lowercase hex digits nor a file holding them"))
}

fn parse_student(text: &str) -> Result<StudentId, String> {
    StudentId::try_from(text).map_err(|e| e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// [`write`] for what holds personal data: readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    verifier::private::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn run(cli: Cli) -> Result<ExitCode> {
    let data = &cli.data;
    match cli.command {
        Command::Init => {
            let (_, school) = Archive::init(data, now()?, &mut OsRng)?;
            println!("New school in {}.", data.display());
            println!(
                "School public key (give it to auditors; it is also in {}):",
                data.join(keys::SCHOOL_PUBLIC_KEY).display()
            );
            println!("{school}");
            println!("Keep {} offline: it signs forms and invitations.", data.join(keys::ROOT_KEY).display());
        }
        Command::Form(FormCommand::Sign { form, out, root_key }) => {
            let text = std::fs::read_to_string(&form).with_context(|| format!("reading {}", form.display()))?;
            let content: FormContent =
                toml::from_str(&text).with_context(|| format!("{} is not a valid form", form.display()))?;
            let root = keys::read_secret(&root_key.unwrap_or_else(|| data.join(keys::ROOT_KEY)))?;
            let archive = Archive::open(data)?;
            if PublicKey::of(&root) != archive.school() {
                bail!("the root key does not belong to the school in {}", data.display());
            }
            let current = archive.current_form()?;
            let version = current.as_ref().map_or(1, |c| c.body().version + 1);
            let supersedes = current.map(|c| c.hash());
            let signed = sign(ConsentForm::new(archive.school(), version, now()?, supersedes, content), &root)?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("form-v{version}.json")));
            write(&out, signed.bytes())?;
            println!("Signed form version {version} ({}) to {}.", signed.hash(), out.display());
        }
        Command::Form(FormCommand::Publish { signed, out_dir }) => {
            let mut archive = Archive::open(data)?;
            let ack = archive.publish_form(&read(&signed)?, now()?)?;
            println!("Published; log index {}.", ack.body().log_index);
            reconsent(&archive, &out_dir)?;
        }
        Command::Invite(args) => invite(data, args)?,
        Command::Remind(args) => return run_remind(data, args),
        Command::Enrol { invitation, request, out } => {
            let mut archive = Archive::open(data)?;
            let certificate = archive.enrol(&read(&invitation)?, &read(&request)?, now()?)?;
            match out {
                // A certificate carries the student's birth date.
                Some(out) => write_private(&out, certificate.bytes())?,
                None => println!("{}", String::from_utf8_lossy(certificate.bytes())),
            }
        }
        Command::Submit { files } => {
            let mut archive = Archive::open(data)?;
            for file in files {
                let bytes = read(&file)?;
                let kind = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned));
                let ack = match kind.as_deref() {
                    Some("rights-request/1") => archive.submit(Submission::request(&bytes), now()?),
                    _ => archive.submit(Submission::receipt(&bytes), now()?),
                }
                .with_context(|| format!("{} was refused", file.display()))?;
                println!("{}", String::from_utf8_lossy(ack.bytes()));
            }
        }
        Command::Verify { school_key: school, files } => {
            let documents =
                files.iter().map(|f| Ok((f.display().to_string(), read(f)?))).collect::<Result<Vec<_>>>()?;
            let mut all_valid = true;
            for (name, verdict) in verifier::offline::verify_documents(&documents, &school) {
                match verdict {
                    Ok(summary) => println!("VALID   {name}: {summary}"),
                    Err(reason) => {
                        all_valid = false;
                        println!("INVALID {name}: {reason}");
                    }
                }
            }
            return Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        Command::Audit(args) => {
            let archive = Archive::open(data)?;
            let audit = archive.audit_purpose(&args.purpose, args.at, args.class.as_deref())?;
            let text = report::audit(&audit, args.format)?;
            match args.out {
                Some(out) => write_private(&out, text.as_bytes())?,
                None => print!("{text}"),
            }
        }
        Command::Requests { overdue, format } => {
            let archive = Archive::open(data)?;
            let now = now()?;
            let rows: Vec<_> = archive.requests()?.into_iter().filter(|r| !overdue || r.overdue(now)).collect();
            print!("{}", report::requests(&rows, now, format)?);
        }
        Command::Staff(command) => staff(data, command)?,
        Command::Paper(PaperCommand::Record(args)) => commands::paper::record(data, args, now()?)?,
        Command::Decide(args) => {
            let request = args.request;
            let outcome = if args.grant { Outcome::Granted } else { Outcome::Refused };
            let mut archive = Archive::open(data)?;
            let decision = archive.decide(request, outcome, &args.reason, now()?)?;
            println!("Decided: {}", String::from_utf8_lossy(decision.bytes()));
        }
        Command::Export { student, out } => {
            let archive = Archive::open(data)?;
            let bundle = archive.export(&student)?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("bundle-{student}.json")));
            write_private(&out, &bundle)?;
            println!("Wrote the proof bundle of {student} to {} ({} bytes).", out.display(), bundle.len());
        }
        Command::Check => {
            let archive = Archive::open(data)?;
            let report = archive.check(true)?;
            for problem in &report.problems {
                println!("PROBLEM {problem}");
            }
            println!(
                "{} entries checked ({} purged, {} lost in a restore), {} problems.",
                report.entries,
                report.purged,
                report.lost,
                report.problems.len()
            );
            if !report.problems.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
            archive.record_passed_check(report.entries, now()?)?;
        }
        Command::Recover { files, new_ledger } => {
            let documents =
                files.iter().map(|f| Ok((f.display().to_string(), read(f)?))).collect::<Result<Vec<_>>>()?;
            let mut archive = Archive::open(data)?;
            if new_ledger {
                archive.new_ledger()?;
                println!("Started a new log ledger from the database as it is.");
            }
            let report = archive.recover(&documents)?;
            println!("Rebuilt {} log entries from the ledger, at their indexes.", report.rebuilt);
            for (kind, count) in &report.restored {
                println!("Gave back {count} {kind} objects from the files.");
            }
            if report.confirmed > 0 {
                println!("{} acknowledgements in the files are the archive's own, byte for byte.", report.confirmed);
            }
            for unused in &report.unused {
                println!("NOT USED {unused}");
            }
            if report.missing.is_empty() {
                println!("Nothing is lost: the archive signs, audits and exports again.");
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{} entries are still lost; audits show their students as incomplete until their families' files \
                 give them back:",
                report.missing.len()
            );
            for (index, kind, student) in &report.missing {
                println!("LOST    entry {index} ({kind}), student {}", student.as_deref().unwrap_or("-"));
            }
            return Ok(ExitCode::FAILURE);
        }
        Command::Purge { before } => {
            let mut archive = Archive::open(data)?;
            let report = archive.purge(before, now()?)?;
            println!(
                "Purged {} students: {} log entries redacted (leaf hashes kept), {} rows of personal data deleted; \
                 {} quiet records kept because a consent is in effect or a request is open.",
                report.students, report.redacted_entries, report.personal_rows, report.kept_open
            );
        }
        Command::Serve { listen, www, allow_origin, rate_limit, max_in_flight, consent_page, mail } => {
            let mut config = verifier::service::Config::new(data.clone());
            config.consent_page = consent_page;
            config.mailer = mail.mailer()?;
            config.www = www;
            config.allowed_origins = allow_origin;
            config.rate_limit =
                verifier::service::RateLimit { per_second: rate_limit, burst: (rate_limit * 4.0).max(10.0) };
            config.max_in_flight_per_client = max_in_flight;
            config.validate().map_err(anyhow::Error::msg)?;
            serve(config, listen)?;
        }
        Command::Delegate { days, root_key } => {
            let root = keys::read_secret(&root_key.unwrap_or_else(|| data.join(keys::ROOT_KEY)))?;
            let mut archive = Archive::open(data)?;
            let now = now()?;
            let until = Timestamp::from_unix(now.unix() + i64::from(days) * 86_400).context("date out of range")?;
            archive.delegate(&root, until, now)?;
            println!("The archive key is delegated until {until}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How long requests in flight may take to finish after SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs the service until SIGTERM or Ctrl-C, then lets requests in flight and the writer finish.
fn serve(config: verifier::service::Config, listen: std::net::SocketAddr) -> Result<()> {
    use std::io::Write as _;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (state, writer) = verifier::service::AppState::open(&config)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        println!("Listening on http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        let app = verifier::service::app(state, &config);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let signal = async move {
            verifier::service::shutdown_signal().await;
            let _ = stop.send(true);
        };
        let server = verifier::service::serve(listener, app, config.header_read_timeout, signal);
        // Requests in flight get a grace period; a client holding a connection open with a
        // half-sent request must not keep the service from stopping.
        let grace = async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(GRACE).await;
        };
        tokio::select! {
            served = server => served?,
            () = grace => eprintln!("connections still open after {GRACE:?}; stopping anyway"),
        }
        anyhow::Ok(())
    })?;
    // Whatever is still running is dropped with the runtime; the queued writes still finish below.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    // Every handle to the writer is gone with the router: it finishes its queue and stops.
    writer.join().map_err(|_| anyhow::anyhow!("the archive writer stopped abnormally"))?;
    // Whoever started us may have stopped reading our output; that must not turn a clean stop into a crash.
    let _ = writeln!(std::io::stdout(), "Stopped.");
    Ok(())
}

fn staff(data: &Path, command: StaffCommand) -> Result<()> {
    let now = now()?;
    match command {
        StaffCommand::Invite(args) => {
            let root = keys::read_secret(&args.root_key.unwrap_or_else(|| data.join(keys::ROOT_KEY)))?;
            let person = match args.person {
                Some(person) => person,
                None => {
                    let mut bytes = [0u8; 6];
                    rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
                    format!("staff-{}", hex::encode(bytes))
                }
            };
            let person = PersonId::try_from(person.as_str()).map_err(|e| anyhow::anyhow!("--person: {e}"))?;
            let expires =
                Timestamp::from_unix(now.unix() + i64::from(args.valid_days) * 86_400).context("date out of range")?;
            let mut archive = Archive::open(data)?;
            let invitation =
                archive.invite_staff(&root, person, &args.name, args.role, args.classes, expires, now, &mut OsRng)?;
            println!("{}", staff_link(&args.base_url, invitation.bytes()));
            eprintln!(
                "Invited {} ({}) as {:?}; the link works once, until {expires}. Send it to them only.",
                invitation.body().display_name,
                invitation.body().person,
                invitation.body().role
            );
        }
        StaffCommand::Enrol(args) => commands::paper::enrol(data, args, now)?,
        StaffCommand::List => {
            let mut table = comfy_table::Table::new();
            table.set_header(["person", "name", "role", "classes", "access"]);
            for member in Archive::open(data)?.staff(now)? {
                let access = match member.status {
                    StaffStatus::Invited { until } => format!("invited, link usable until {until}"),
                    StaffStatus::Expired => "link expired unused".to_owned(),
                    StaffStatus::Active { until } => format!("active until {until}"),
                    StaffStatus::Revoked => "revoked".to_owned(),
                };
                let role = format!("{:?}", member.role).to_lowercase();
                table.add_row([member.person.to_string(), member.name, role, member.classes.join(" "), access]);
            }
            println!("{table}");
        }
        StaffCommand::Revoke { person } => {
            let person = PersonId::try_from(person.as_str()).map_err(|e| anyhow::anyhow!("{e}"))?;
            let ended = Archive::open(data)?.revoke_staff(&person, now)?;
            println!(
                "Revoked {person}: {ended} certificates and unused links ended; nothing they sign is accepted now."
            );
        }
    }
    Ok(())
}

/// The link that enrols a staff member's browser: the console with the invitation in the
/// fragment, which browsers never send to a server.
fn staff_link(base_url: &str, invitation: &[u8]) -> String {
    format!("{base_url}#staff-invitation={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(invitation))
}

fn invite(data: &Path, args: InviteArgs) -> Result<()> {
    let mailer = args.mail.mailer()?;
    let text = std::fs::read_to_string(&args.roster).with_context(|| format!("reading {}", args.roster.display()))?;
    let mut roster =
        Roster::parse(&text).with_context(|| format!("in {}", args.roster.display()))?.default_language(args.language);
    if args.confirm_birth_date_changes {
        roster = roster.confirm_birth_date_changes();
    }
    let root = keys::read_secret(&args.root_key.unwrap_or_else(|| data.join(keys::ROOT_KEY)))?;
    let mut archive = Archive::open(data)?;
    let now = now()?;
    let expires =
        Timestamp::from_unix(now.unix() + i64::from(args.valid_days) * 86_400).context("date out of range")?;
    let invited = archive.invite(&roster, &root, expires, now, &mut OsRng).map_err(|error| match error {
        RosterError::BirthDateChanged(_) => anyhow::anyhow!("{error} (--confirm-birth-date-changes)"),
        other => other.into(),
    })?;
    std::fs::create_dir_all(&args.out_dir)?;
    // Both lists hold names and e-mail addresses.
    let private_csv =
        |name: &str| verifier::private::create_file(&args.out_dir.join(name)).map(csv::Writer::from_writer);
    let mut links = private_csv("invitations.csv")?;
    links.write_record(["person", "name", "email", "link", "short_link"])?;
    let mut who = private_csv("invited.csv")?;
    who.write_record(["student", "class", "person", "role", "name", "email", "language", "expires"])?;
    for person in &invited {
        let link = remind::invitation_link(&args.base_url, person.invitation.bytes());
        let short_link = person.code.link(&args.base_url);
        links.write_record([person.person.as_str(), &person.name, &person.email, &link, &short_link])?;
        let role = format!("{:?}", person.role).to_lowercase();
        who.write_record([
            person.student.as_str(),
            &person.class,
            person.person.as_str(),
            &role,
            &person.name,
            &person.email,
            person.language.code(),
            &expires.to_string(),
        ])?;
    }
    links.flush()?;
    who.flush()?;
    // The console prints letters again later, with links to the same page.
    archive.remember_consent_page(&args.base_url, now)?;
    if let Some(path) = &args.letters {
        let form = archive.current_form()?.context("no form is published")?;
        let letters: Vec<verifier::letters::Letter> = invited.iter().map(Into::into).collect();
        write_private(path, verifier::letters::page(form.body(), &args.base_url, &letters)?.as_bytes())?;
        println!("Letters to print in {}.", path.display());
    }
    println!(
        "Invited {} people for {} students; links in {}, list in {}.",
        invited.len(),
        roster.len(),
        args.out_dir.join("invitations.csv").display(),
        args.out_dir.join("invited.csv").display()
    );
    if let Some(mailer) = mailer {
        let delivery = archive.email_invitations(&invited, &args.base_url, &mailer, now)?;
        for (index, error) in &delivery.failed {
            let person = &invited[*index];
            println!("NOT SENT to {} <{}>: {error}; the link is in invitations.csv", person.name, person.email);
        }
        println!("{}", report::delivery(&delivery, invited.len()));
    }
    Ok(())
}

/// `verifier remind`: who, why and how, then the counts; exit status 1 if a message failed.
fn run_remind(data: &Path, args: RemindArgs) -> Result<ExitCode> {
    let mailer = args.mail.mailer()?;
    let kinds = match (args.not_answered, args.reconfirm) {
        (false, false) => Kinds::ALL,
        (not_answered, reconfirm) => Kinds { not_answered, reconfirm },
    };
    let archive = Archive::open(data)?;
    let now = now()?;
    let reminders = archive.reminders(now, args.class.as_deref(), kinds, &args.base_url)?;
    let delivery = remind::deliver(&reminders, mailer.as_ref());
    archive.record_messages(&remind::records(&reminders, &delivery), now)?;
    let listed = delivery.on_the_list();
    if !listed.is_empty() || !reminders.uninvited.is_empty() {
        std::fs::create_dir_all(&args.out_dir)?;
        let path = args.out_dir.join("reminders.csv");
        // Names, addresses and links.
        write_private(&path, report::reminders_csv(&reminders, &listed)?.as_bytes())?;
        println!("The list for the office: {}.", path.display());
    }
    print!("{}", report::reminders(&reminders, &delivery));
    println!("{}", report::delivery(&delivery, reminders.rows.len()));
    if !reminders.uninvited.is_empty() {
        println!(
            "{} signers the age rules now require have no invitation yet: {}.",
            reminders.uninvited.len(),
            remind::NEW_INVITATION_COMMAND
        );
    }
    Ok(if delivery.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// After a new form version: the families whose consents it touches, as a table and as
/// `reconsent.csv`, and how to reach them.
fn reconsent(archive: &Archive, out_dir: &Path) -> Result<()> {
    let families = archive.reconsent(now()?)?;
    if families.is_empty() {
        return Ok(());
    }
    print!("{}", report::reconsent(&families));
    std::fs::create_dir_all(out_dir)?;
    let path = out_dir.join("reconsent.csv");
    write_private(&path, report::reconsent_csv(&families)?.as_bytes())?;
    println!(
        "{} students have a consent given under an earlier version: the people above must grant it again \
         (list in {}). `verifier remind --reconfirm --base-url …` reaches them.",
        families.len(),
        path.display()
    );
    Ok(())
}
