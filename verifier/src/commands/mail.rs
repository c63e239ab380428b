//! The SMTP options that `invite`, `remind` and `serve` share.

use anyhow::Result;
use clap::Args;
use verifier::mail::Mailer;

/// The school's SMTP server, for e-mail to families; without it nothing is sent.
#[derive(Args)]
pub struct MailArgs {
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
    pub fn mailer(&self) -> Result<Option<Mailer>> {
        let (Some(url), Some(from)) = (&self.smtp, &self.mail_from) else { return Ok(None) };
        let password = std::env::var(verifier::mail::PASSWORD_VARIABLE).ok();
        Ok(Some(Mailer::new(url, from, password)?))
    }
}
