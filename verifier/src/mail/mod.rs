//! E-mail to families through the school's own SMTP server, and only when the school configured
//! one (`--smtp URL --mail-from ADDRESS`): nothing here runs otherwise, and nothing is sent through
//! anyone else's service.
//!
//! - [`Mailer`]: the server and the sender, checked before anything is sent — an unencrypted
//!   connection is refused unless the server is on this machine, and the password comes from the
//!   environment ([`PASSWORD_VARIABLE`]), never from a flag or the URL, so it stays out of shell
//!   histories and process lists;
//! - [`compose`]: what a message says, in the person's language (`texts`), as plain text and
//!   HTML with every value escaped.

mod compose;
mod texts;

pub use compose::{compose, Composed, Letter, Link, Occasion};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport as _};
use std::time::Duration;

/// The environment variable the SMTP password is read from.
pub const PASSWORD_VARIABLE: &str = "SMTP_PASSWORD";

/// How long one exchange with the SMTP server may take before that message counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why mail could not be configured or one message not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The `--smtp` URL is not one lettre's SMTP transport takes.
    #[error("--smtp {url:?}: {why} (e.g. smtps://mail.school.example or smtp://mail.school.example:587?tls=required)")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// A connection without TLS to another machine would carry families' links in the clear.
    #[error(
        "--smtp: a connection to {host} without TLS would send families' links unencrypted; use smtps://{host} \
         or smtp://{host}:587?tls=required (plain smtp:// is only for a server on this machine, 127.0.0.1)"
    )]
    Unencrypted {
        /// The server named.
        host: String,
    },
    /// The URL carries a password.
    #[error("--smtp: do not put the password in the URL; set it in the {PASSWORD_VARIABLE} environment variable")]
    PasswordInUrl,
    /// A user is named but no password given, or the other way round.
    #[error("--smtp: {0}")]
    Credentials(String),
    /// The sender is not an address.
    #[error("--mail-from {0:?} is not an address like \"School office <office@school.example>\"")]
    BadFrom(String),
    /// The person's e-mail address is not one.
    #[error("{0:?} is not an e-mail address")]
    BadRecipient(String),
    /// The message could not be put together.
    #[error("the message could not be built: {0}")]
    Message(String),
    /// The server refused the message, or could not be reached.
    #[error("the SMTP server did not take the message: {0}")]
    Send(String),
}

/// The school's SMTP server and the address its messages come from.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// The server at `url` (lettre's form: `smtps://host`, `smtp://host:587?tls=required`, or
    /// plain `smtp://127.0.0.1:2525` for a relay on this machine; `smtp://user@host…` to log in
    /// with `password`), sending as `from`. Refuses, before connecting, a plain connection to
    /// another machine, a password in the URL, a user without a password and the reverse.
    pub fn new(url: &str, from: &str, password: Option<String>) -> Result<Mailer, MailError> {
        let bad = |why: &str| MailError::BadUrl { url: url.to_owned(), why: why.to_owned() };
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if parsed.password().is_some() {
            return Err(MailError::PasswordInUrl);
        }
        let host = parsed.host().ok_or_else(|| bad("it names no server"))?;
        let tls = parsed.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
        let encrypted = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) | ("smtp", Some("required")) => true,
            // Opportunistic TLS falls back to plain text when the server (or someone between)
            // does not offer it: no better than none for a link that enrols a device.
            ("smtp", None | Some("opportunistic")) => false,
            ("smtp", Some(_)) => return Err(bad("tls= takes `required` or `opportunistic`")),
            _ => return Err(bad("the scheme must be smtp or smtps")),
        };
        let loopback = match &host {
            // `smtp:` is not a scheme the URL standard knows, so an IPv4 address stays a name.
            url::Host::Domain(name) => {
                name.eq_ignore_ascii_case("localhost")
                    || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        if !encrypted && !loopback {
            return Err(MailError::Unencrypted { host: host.to_string() });
        }
        let user = percent_encoding::percent_decode_str(parsed.username())
            .decode_utf8()
            .map_err(|_| bad("the user name is not UTF-8"))?
            .into_owned();
        let mut builder = SmtpTransport::from_url(url).map_err(|e| bad(&e.to_string()))?.timeout(Some(TIMEOUT));
        match (user.is_empty(), password) {
            (true, None) => {}
            (false, Some(password)) => builder = builder.credentials(Credentials::new(user, password)),
            (false, None) => {
                return Err(MailError::Credentials(format!("the URL names the user {user:?}: set {PASSWORD_VARIABLE}")))
            }
            (true, Some(_)) => {
                return Err(MailError::Credentials(format!(
                    "{PASSWORD_VARIABLE} is set but the URL names no user: smtps://USER@host"
                )))
            }
        }
        let from: Mailbox = from.parse().map_err(|_| MailError::BadFrom(from.to_owned()))?;
        Ok(Mailer { transport: builder.build(), from })
    }

    /// The sender, as given.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Sends `message` to `name <email>`: multipart/alternative, its plain text first and its
    /// HTML second, so that a reader that cannot show HTML shows the same words.
    pub fn send(&self, name: &str, email: &str, message: &Composed) -> Result<(), MailError> {
        let address = email.parse().map_err(|_| MailError::BadRecipient(email.to_owned()))?;
        let to = Mailbox::new(Some(name.to_owned()), address);
        let built = Message::builder()
            .from(self.from.clone())
            .reply_to(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
            .map_err(|e| MailError::Message(e.to_string()))?;
        self.transport.send(&built).map(|_| ()).map_err(|e| MailError::Send(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, password: Option<&str>) -> String {
        match Mailer::new(url, "School <office@school.example>", password.map(str::to_owned)) {
            Ok(_) => panic!("{url} was accepted"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_plain_connection_is_for_this_machine_only() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost",
            "smtp://[::1]:25",
            "smtps://mail.example.org",
            "smtp://mail.example.org:587?tls=required",
        ] {
            let made = Mailer::new(url, "office@school.example", None);
            assert!(made.is_ok(), "{url}: {:?}", made.err());
        }
        for url in ["smtp://mail.example.org", "smtp://10.0.0.5:25", "smtp://mail.example.org?tls=opportunistic"] {
            assert!(refused(url, None).contains("unencrypted"), "{url}");
        }
    }

    #[test]
    fn the_password_comes_from_the_environment_only() {
        assert!(refused("smtps://office:secret@mail.example.org", None).contains(PASSWORD_VARIABLE));
        assert!(refused("smtps://office@mail.example.org", None).contains(PASSWORD_VARIABLE));
        assert!(refused("smtps://mail.example.org", Some("secret")).contains("names no user"));
        assert!(Mailer::new("smtps://office@mail.example.org", "office@school.example", Some("secret".into())).is_ok());
    }

    #[test]
    fn bad_urls_and_senders_are_named() {
        assert!(refused("http://mail.example.org", None).contains("scheme"));
        assert!(refused("smtp://mail.example.org?tls=maybe", None).contains("tls="));
        assert!(refused("not a url", None).contains("--smtp"));
        let error = Mailer::new("smtp://127.0.0.1:2525", "the office", None).expect_err("no address");
        assert!(matches!(error, MailError::BadFrom(_)), "{error}");
    }
}
