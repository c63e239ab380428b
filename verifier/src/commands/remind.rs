//! `verifier remind`: the people who have not answered, or must confirm again, reminded by e-mail
//! or listed for the office.

use super::mail::MailArgs;
use super::{now, write_private};
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use verifier::archive::Archive;
use verifier::remind::{self, Kinds};
use verifier::report;

/// Arguments of `verifier remind`.
#[derive(Args)]
pub struct RemindArgs {
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

/// Who, why and how, then the counts; exit status 1 if a message failed.
pub fn remind(data: &Path, args: RemindArgs) -> Result<ExitCode> {
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
