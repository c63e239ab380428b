//! `verifier`: the school's and the auditor's command line. Each subcommand is a thin shell over
//! the library; `--help` on any of them says what it does. This file defines the command line
//! and dispatches; each subcommand's function is in [`commands`].

use anyhow::Result;
use clap::{Parser, Subcommand};
use commands::{
    audit, families, form, invite, log, now, paper, parse_instant, remind, requests, school, serve, staff, verify,
};
use shared::ids::StudentId;
use shared::primitives::PublicKey;
use shared::Timestamp;
use std::path::PathBuf;
use std::process::ExitCode;
use verifier::report::Format;

mod commands;

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
    Invite(invite::InviteArgs),
    /// Remind the people who have not answered the form in force, or must confirm a consent
    /// again (a new form version, a student who turned 14 or 18): by e-mail through the school's
    /// SMTP server when `--smtp` is given, otherwise on the list `reminders.csv` for the office.
    /// Each reminder is recorded (in the personal-data tables, never the log); the console
    /// shows when each person was last reminded. Both kinds unless one is chosen.
    Remind(remind::RemindArgs),
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
        #[arg(long, value_parser = verify::parse_school_key)]
        school_key: PublicKey,
        /// Files to verify.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Who may be included in a purpose at an instant: allowed, refused, withdrawn, not answered,
    /// needing re-confirmation.
    Audit(audit::AuditArgs),
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
    Decide(requests::DecideArgs),
    /// Invite, list and revoke school staff, who use the console at /console/ in their browser.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Record a decision a family gave on a paper slip, signed with a DPO's or director's staff key.
    #[command(subcommand)]
    Paper(PaperCommand),
    /// Export a student's proof bundle, which `verify` checks with only the school key.
    Export {
        /// The student's pseudonymous id.
        #[arg(long, value_parser = audit::parse_student)]
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
    Serve(serve::ServeArgs),
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
    Invite(staff::InviteArgs),
    /// Everyone invited, with their role, classes and where their access stands.
    List,
    /// Enrol a staff key kept in a file, for a DPO or director who works at the terminal (the
    /// console keeps one in the browser instead).
    Enrol(paper::EnrolArgs),
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
    Record(paper::RecordArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The library's warnings (files made owner-only, a confirmed birth-date change) go to
    // standard error for every command; the service logs its requests' failures too.
    let level = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
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

/// Runs the subcommand. Those whose exit status says more than "no error" return it; the rest
/// exit 0 unless they fail.
fn run(cli: Cli) -> Result<ExitCode> {
    let data = &cli.data;
    match cli.command {
        Command::Init => school::init(data)?,
        Command::Form(FormCommand::Sign { form, out, root_key }) => form::sign(data, &form, out, root_key)?,
        Command::Form(FormCommand::Publish { signed, out_dir }) => form::publish(data, &signed, &out_dir)?,
        Command::Invite(args) => invite::invite(data, args)?,
        Command::Remind(args) => return remind::remind(data, args),
        Command::Enrol { invitation, request, out } => families::enrol(data, &invitation, &request, out)?,
        Command::Submit { files } => families::submit(data, &files)?,
        Command::Verify { school_key, files } => return verify::verify(&school_key, &files),
        Command::Audit(args) => audit::audit(data, args)?,
        Command::Requests { overdue, format } => requests::list(data, overdue, format)?,
        Command::Decide(args) => requests::decide(data, args)?,
        Command::Staff(StaffCommand::Invite(args)) => staff::invite(data, args)?,
        Command::Staff(StaffCommand::List) => staff::list(data)?,
        Command::Staff(StaffCommand::Enrol(args)) => paper::enrol(data, args, now()?)?,
        Command::Staff(StaffCommand::Revoke { person }) => staff::revoke(data, &person)?,
        Command::Paper(PaperCommand::Record(args)) => paper::record(data, args, now()?)?,
        Command::Export { student, out } => audit::export(data, &student, out)?,
        Command::Check => return log::check(data),
        Command::Recover { files, new_ledger } => return log::recover(data, &files, new_ledger),
        Command::Purge { before } => log::purge(data, before)?,
        Command::Serve(args) => serve::serve(data, args)?,
        Command::Delegate { days, root_key } => school::delegate(data, days, root_key)?,
    }
    Ok(ExitCode::SUCCESS)
}
