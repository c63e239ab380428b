//! What one message to one person says, in their language: the school, whom it is about, why it
//! is written, what the form is about, the link and until when it works, and whom to ask. The
//! same sentences make the plain text and the HTML; in the HTML every value is escaped, since
//! names come from a roster and titles from the form.

use super::texts::{fill, Key};
use crate::remind::Reason;
use crate::report::escape;
use shared::objects::Contact;
use shared::{Lang, Timestamp};

/// Why the message is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// A new invitation.
    Invitation,
    /// A reminder, for this reason.
    Reminder(Reason),
}

/// Where the message sends the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link<'a> {
    /// Their own invitation's link, which works until `until`.
    Invitation {
        /// The link.
        url: &'a str,
        /// Its expiry.
        until: Timestamp,
    },
    /// The consent page, for someone whose device already holds their key.
    ConsentPage {
        /// The page's address.
        url: &'a str,
    },
}

/// Everything a message says.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// Why it is written.
    pub occasion: Occasion,
    /// The person's language.
    pub language: Lang,
    /// The school (the form in force's `controller.school`): its name, and the office's contact.
    pub school: &'a Contact,
    /// The person's name.
    pub name: &'a str,
    /// The student's name.
    pub student: &'a str,
    /// The student's class.
    pub class: &'a str,
    /// The titles, in the person's language, of the purposes it is about.
    pub purposes: Vec<&'a str>,
    /// Where to answer.
    pub link: Link<'a>,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body: the same sentences.
    pub html: String,
}

/// One paragraph of a message.
enum Block {
    Text(String),
    List(Vec<String>),
    Link(String),
}

/// Writes `letter` in its language.
pub fn compose(letter: &Letter<'_>) -> Composed {
    let lang = letter.language;
    let school = letter.school.name.as_str();
    let about = [("school", school), ("student", letter.student), ("class", letter.class)];
    let (subject, opening) = match letter.occasion {
        Occasion::Invitation => (Key::SubjectInvitation, Key::BodyInvitation),
        Occasion::Reminder(Reason::NotAnswered) => (Key::SubjectReminder, Key::BodyNotAnswered),
        Occasion::Reminder(Reason::NewFormVersion) => (Key::SubjectReconfirm, Key::BodyNewFormVersion),
        Occasion::Reminder(Reason::AgeThreshold) => (Key::SubjectReconfirm, Key::BodyAgeThreshold),
    };
    let mut blocks = vec![
        Block::Text(fill(lang, Key::Greeting, &[("name", letter.name)])),
        Block::Text(fill(lang, opening, &about)),
    ];
    if !letter.purposes.is_empty() {
        blocks.push(Block::Text(fill(lang, Key::PurposesLead, &[])));
        blocks.push(Block::List(letter.purposes.iter().map(|title| (*title).to_owned()).collect()));
    }
    match letter.link {
        Link::Invitation { url, until } => {
            blocks.push(Block::Text(fill(lang, Key::LinkInvitation, &[])));
            blocks.push(Block::Link(url.to_owned()));
            blocks.push(Block::Text(fill(lang, Key::LinkValidUntil, &[("date", until.date().to_string().as_str())])));
        }
        Link::ConsentPage { url } => {
            blocks.push(Block::Text(fill(lang, Key::LinkConsentPage, &[])));
            blocks.push(Block::Link(url.to_owned()));
        }
    }
    let office = letter.school;
    blocks.push(Block::Text(fill(
        lang,
        Key::Contact,
        &[("email", office.email.as_str()), ("phone", office.phone.as_str())],
    )));
    blocks.push(Block::Text(format!("{}\n{school}", fill(lang, Key::Closing, &[]))));
    Composed { subject: fill(lang, subject, &about), text: plain(&blocks), html: html(lang, &blocks) }
}

fn plain(blocks: &[Block]) -> String {
    let each: Vec<String> = blocks
        .iter()
        .map(|block| match block {
            Block::Text(text) | Block::Link(text) => text.clone(),
            Block::List(items) => items.iter().map(|item| format!("- {item}")).collect::<Vec<_>>().join("\n"),
        })
        .collect();
    each.join("\n\n") + "\n"
}

fn html(lang: Lang, blocks: &[Block]) -> String {
    let mut out =
        format!("<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"></head><body>\n", lang.code());
    for block in blocks {
        match block {
            Block::Text(text) => out += &format!("<p>{}</p>\n", escape(text).replace('\n', "<br>")),
            Block::List(items) => {
                out += "<ul>\n";
                for item in items {
                    out += &format!("<li>{}</li>\n", escape(item));
                }
                out += "</ul>\n";
            }
            Block::Link(url) => out += &format!("<p><a href=\"{0}\">{0}</a></p>\n", escape(url)),
        }
    }
    out + "</body></html>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> Contact {
        Contact {
            name: "Liceum <Nr 1> & Co".into(),
            address: "ul. Szkolna 1".into(),
            email: "office@school.example".into(),
            phone: "+48 22 000 00 00".into(),
        }
    }

    fn letter<'a>(school: &'a Contact, occasion: Occasion, language: Lang, link: Link<'a>) -> Letter<'a> {
        Letter {
            occasion,
            language,
            school,
            name: "Anna \"Ania\" Nowak",
            student: "Ola <b>Nowak</b>",
            class: "7B",
            purposes: vec!["Zdjęcia & filmy"],
            link,
        }
    }

    #[test]
    fn both_parts_say_the_same_in_the_persons_language_and_the_html_is_escaped() {
        let school = school();
        let until = Timestamp::parse("2026-06-30T12:00:00Z").expect("instant");
        let url = "https://school.example/consent.html#invitation=abc&x=\"y\"";
        let message = compose(&letter(&school, Occasion::Invitation, Lang::Pl, Link::Invitation { url, until }));
        assert!(message.subject.contains("Ola <b>Nowak</b>"), "{}", message.subject);
        assert!(message.text.contains("Dzień dobry, Anna \"Ania\" Nowak"), "{}", message.text);
        assert!(
            message.text.contains(url)
                && message.text.contains("2026-06-30")
                && message.text.contains("- Zdjęcia & filmy")
        );
        assert!(message.html.starts_with("<!DOCTYPE html>\n<html lang=\"pl\">"));
        assert!(
            message.html.contains("Ola &lt;b&gt;Nowak&lt;/b&gt;") && !message.html.contains("<b>"),
            "{}",
            message.html
        );
        assert!(
            message.html.contains("Liceum &lt;Nr 1&gt; &amp; Co")
                && message.html.contains("<li>Zdjęcia &amp; filmy</li>")
        );
        let escaped = "https://school.example/consent.html#invitation=abc&amp;x=&quot;y&quot;";
        assert!(message.html.contains(&format!("<a href=\"{escaped}\">{escaped}</a>")), "{}", message.html);
        assert!(message.text.contains("office@school.example") && message.html.contains("+48 22 000 00 00"));
    }

    #[test]
    fn each_reason_opens_with_its_own_sentence() {
        let school = school();
        let page = Link::ConsentPage { url: "https://school.example/consent.html" };
        let openings: Vec<String> = [Reason::NotAnswered, Reason::NewFormVersion, Reason::AgeThreshold]
            .into_iter()
            .map(|reason| compose(&letter(&school, Occasion::Reminder(reason), Lang::En, page)).text)
            .collect();
        assert!(openings[0].contains("has not yet received"), "{}", openings[0]);
        assert!(openings[1].contains("new version"), "{}", openings[1]);
        assert!(openings[2].contains("reached an age"), "{}", openings[2]);
        assert!(openings.iter().all(|text| text.contains("in the browser you used") && !text.contains("works until")));
    }
}
