//! `verifier invite`: a class roster in, one signed invitation per signer out, as links in a CSV,
//! as printable letters, and by e-mail.

use super::mail::MailArgs;
use super::{days_after, now, root_key, write_private};
use anyhow::{Context, Result};
use clap::Args;
use rand_core::OsRng;
use shared::Lang;
use std::path::{Path, PathBuf};
use verifier::archive::{Archive, Roster, RosterError};
use verifier::remind;
use verifier::report;

/// Arguments of `verifier invite`.
#[derive(Args)]
pub struct InviteArgs {
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

fn parse_language(code: &str) -> Result<Lang, String> {
    Lang::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Lang::ALL.iter().map(|lang| lang.code()).collect();
        format!("{code:?} is not a language this product speaks: {}", known.join(", "))
    })
}

/// Imports the roster, signs the invitations, writes the lists (and the letters), then e-mails
/// them when a mailer is set.
pub fn invite(data: &Path, args: InviteArgs) -> Result<()> {
    let mailer = args.mail.mailer()?;
    let text = std::fs::read_to_string(&args.roster).with_context(|| format!("reading {}", args.roster.display()))?;
    let mut roster =
        Roster::parse(&text).with_context(|| format!("in {}", args.roster.display()))?.default_language(args.language);
    if args.confirm_birth_date_changes {
        roster = roster.confirm_birth_date_changes();
    }
    let root = root_key(data, args.root_key)?;
    let mut archive = Archive::open(data)?;
    let now = now()?;
    let expires = days_after(now, args.valid_days)?;
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
        who.write_record([
            person.student.as_str(),
            &person.class,
            person.person.as_str(),
            person.role.name(),
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
