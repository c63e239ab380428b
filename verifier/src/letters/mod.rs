//! Printed letters: one A4 page per invited person, in their language, for families who read
//! paper (`verifier invite --letters`, and `GET /v1/console/letters` for invitations already
//! issued). A letter says who it is from and for, what the form is about, how to open it — the
//! QR code of the short link, or the link typed — until when, and whom to ask.
//!
//! The page is one self-contained HTML file: the stylesheet inline (the service's
//! Content-Security-Policy admits exactly it, by its hash: [`style_source`]), each QR code a PNG
//! data URI, every text from the school or the roster HTML-escaped. It holds the codes, which
//! open the families' forms: whoever writes it writes it owner-only.

mod qr;
pub mod texts;

pub use qr::QrError;

use crate::archive::{Invited, Printable, ShortCode};
use crate::report::escape;
use base64::Engine as _;
use chrono::Datelike as _;
use sha2::Digest as _;
use shared::ids::PersonId;
use shared::objects::{ConsentForm, Contact, Invitation, Role};
use shared::{Lang, Timestamp};
use texts::{fill, text, Key};

/// What one letter says about its reader, from the signed invitation (so that the letter names
/// whom the form names), the person's language and the invitation's short code.
#[derive(Debug, Clone)]
pub struct Letter {
    /// The invited person (on the page as `data-person`, for finding a letter again).
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Guardian or student.
    pub role: Role,
    /// The student's name.
    pub student_name: String,
    /// The student's class.
    pub class: String,
    /// The language the letter is written in.
    pub language: Lang,
    /// The code the link carries.
    pub code: ShortCode,
    /// When the invitation, and so the code, stops working.
    pub expires: Timestamp,
}

impl Letter {
    /// The letter for `invitation`, in `language`, with `code`.
    pub fn new(invitation: &Invitation, language: Lang, code: ShortCode) -> Letter {
        Letter {
            person: invitation.person.clone(),
            name: invitation.display_name.clone(),
            role: invitation.role,
            student_name: invitation.student_name.clone(),
            class: invitation.class.clone(),
            language,
            code,
            expires: invitation.expires,
        }
    }
}

impl From<&Invited> for Letter {
    fn from(invited: &Invited) -> Letter {
        Letter::new(invited.invitation.body(), invited.language, invited.code.clone())
    }
}

impl From<&Printable> for Letter {
    fn from(printable: &Printable) -> Letter {
        Letter::new(printable.invitation.body(), printable.language, printable.code.clone())
    }
}

/// The letters' stylesheet: A4 pages, one letter each, black on white (it prints the same on a
/// black-and-white printer), the link large in a monospace font, the QR code 4 cm square.
pub const STYLESHEET: &str = "\
@page { size: A4; margin: 12mm 16mm; }
html { color: #000; background: #fff; }
body { margin: 0; font: 10.5pt/1.4 \"DejaVu Sans\", Arial, sans-serif; }
.letter { break-after: page; max-width: 178mm; margin: 0 auto; }
.letter:last-child { break-after: auto; }
p { margin: 0 0 2.5mm; }
.from { border-bottom: 1.5pt solid #000; padding-bottom: 2mm; margin-bottom: 5mm; }
.from strong { font-size: 13pt; display: block; }
h1 { font-size: 16pt; margin: 0 0 3mm; }
h2 { font-size: 12pt; margin: 4mm 0 2mm; }
ul { margin: 0 0 2.5mm; padding-left: 5mm; columns: 2; column-gap: 8mm; }
li { break-inside: avoid; }
.open { display: flex; gap: 7mm; align-items: center; border: 1.5pt solid #000; padding: 4mm; break-inside: avoid; }
.open img { width: 40mm; height: 40mm; flex: none; image-rendering: pixelated; }
.link { font: 700 12pt/1.35 \"DejaVu Sans Mono\", \"Courier New\", monospace; overflow-wrap: anywhere; }
.link .code { display: block; font-size: 17pt; letter-spacing: 0.04em; margin-top: 1mm; }
.secret { font-weight: 700; margin-top: 4mm; }
.contacts { display: flex; gap: 8mm; border-top: 1pt solid #000; margin-top: 4mm; padding-top: 1mm; font-size: 9pt; }
.contacts section { flex: 1; }
.contacts h2 { font-size: 9.5pt; margin: 1.5mm 0 1mm; }
address { font-style: normal; }
@media screen { html { background: #ddd; } .letter { background: #fff; padding: 12mm 16mm; margin: 6mm auto; } }
";

/// The CSP source that admits [`STYLESHEET`] inline, `'sha256-…'` (CSP Level 3 §8.4): the console
/// opens a letters page as a document of the service's origin, under its policy.
pub fn style_source() -> String {
    let digest = sha2::Sha256::digest(STYLESHEET.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The letters page: one A4 page per letter, for the purposes of `form`, each link on the consent
/// page at `consent_page`. Letters print in the order given.
pub fn page(form: &ConsentForm, consent_page: &str, letters: &[Letter]) -> Result<String, QrError> {
    let school = &form.controller.school.name;
    let lang = letters.first().map_or(Lang::En, |letter| letter.language);
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLESHEET}</style>\n</head>\n<body>\n",
        lang.code(),
        escape(&format!("{school}: {}", text(lang, Key::Title))),
    );
    for letter in letters {
        html += &one(form, consent_page, letter)?;
    }
    html += "</body>\n</html>\n";
    Ok(html)
}

/// One letter, as an `<article>` in its own language.
fn one(form: &ConsentForm, consent_page: &str, letter: &Letter) -> Result<String, QrError> {
    let lang = letter.language;
    let school = &form.controller.school;
    let link = letter.code.link(consent_page);
    let qr = qr::png_data_uri(&link)?;
    let about = match letter.role {
        Role::Guardian => fill(
            lang,
            Key::AboutGuardian,
            &[("school", &school.name), ("student", &letter.student_name), ("class", &letter.class)],
        ),
        Role::Student => fill(lang, Key::AboutStudent, &[("school", &school.name), ("class", &letter.class)]),
    };
    let purposes: String =
        form.purposes.iter().map(|purpose| format!("<li>{}</li>", escape(purpose.title.get(lang)))).collect();
    let expires = letter.expires.date();
    let until = shared::texts::date_in_words(lang, expires.year_ce().1, expires.month(), expires.day());
    // The link's address, then its code on a line of its own, so that it is typed in groups.
    let (address, code) = link.split_at(link.len() - letter.code.grouped().len());
    Ok(format!(
        "<article class=\"letter\" lang=\"{lang}\" data-person=\"{person}\">
<p class=\"from\"><strong>{school_name}</strong>{school_address}</p>
<h1>{title}</h1>
<p>{greeting}</p>
<p>{about}</p>
<p>{purposes_label}</p>
<ul>{purposes}</ul>
<p>{choice}</p>
<h2>{how_to}</h2>
<div class=\"open\">
<img src=\"{qr}\" alt=\"{qr_alt}\" width=\"151\" height=\"151\">
<div>
<p>{scan}</p>
<p>{type_it}</p>
<p class=\"link\">{address}<span class=\"code\">{code}</span></p>
<p>{until}</p>
</div>
</div>
<p class=\"secret\">{secret}</p>
<p>{new_letter}</p>
<div class=\"contacts\">
<section><h2>{office}</h2>{office_contact}</section>
<section><h2>{dpo}</h2>{dpo_contact}</section>
</div>
</article>
",
        lang = lang.code(),
        person = escape(letter.person.as_str()),
        school_name = escape(&school.name),
        school_address = escape(&school.address),
        title = escape(text(lang, Key::Title)),
        greeting = escape(&fill(lang, Key::Greeting, &[("name", &letter.name)])),
        about = escape(&about),
        purposes_label = escape(text(lang, Key::Purposes)),
        choice = escape(text(lang, Key::Choice)),
        how_to = escape(text(lang, Key::HowTo)),
        qr_alt = escape(text(lang, Key::QrAlt)),
        scan = escape(text(lang, Key::Scan)),
        type_it = escape(text(lang, Key::Type)),
        address = escape(address),
        code = escape(code),
        until = escape(&fill(lang, Key::ValidUntil, &[("date", &until)])),
        secret = escape(text(lang, Key::Secret)),
        new_letter = escape(text(lang, Key::NewLetter)),
        office = escape(text(lang, Key::Office)),
        office_contact = contact(school),
        dpo = escape(text(lang, Key::Dpo)),
        dpo_contact = contact(&form.controller.dpo),
    ))
}

/// A contact as an `<address>`: name, postal address, e-mail, phone, each on its line.
fn contact(contact: &Contact) -> String {
    let lines: Vec<String> = [&contact.name, &contact.address, &contact.email, &contact.phone]
        .into_iter()
        .filter(|line| !line.is_empty())
        .map(|line| escape(line))
        .collect();
    format!("<address>{}</address>", lines.join("<br>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(name: &str, role: Role, language: Lang) -> Letter {
        Letter {
            person: PersonId::try_from("s-1-g1").expect("id"),
            name: name.to_owned(),
            role,
            student_name: "Ana <Popescu>".to_owned(),
            class: "7B".to_owned(),
            language,
            code: ShortCode::parse("K7QF-2M9X-ABCD-EFGH-JKMN").expect("code"),
            expires: Timestamp::parse("2026-06-14T10:00:00Z").expect("instant"),
        }
    }

    fn form() -> ConsentForm {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        ConsentForm::new(
            shared::primitives::PublicKey::of(&key),
            1,
            Timestamp::parse("2026-05-01T00:00:00Z").expect("instant"),
            None,
            consent_tests::fixtures::example_form_content(),
        )
    }

    #[test]
    fn a_letter_says_whom_it_is_for_in_their_language_with_everything_escaped() {
        let form = form();
        let html = page(&form, "https://school.example/consent.html", &[letter("Ewa & Jan", Role::Guardian, Lang::Pl)])
            .expect("page");
        assert!(html.contains("<article class=\"letter\" lang=\"pl\" data-person=\"s-1-g1\">"), "{html}");
        assert!(html.contains("Dzień dobry, Ewa &amp; Jan,"), "the name, escaped");
        assert!(html.contains("Ana &lt;Popescu&gt;, klasa 7B"), "the student and class, escaped");
        assert!(!html.contains("<Popescu>"), "nothing from the roster is markup");
        assert!(
            html.contains(&escape(&form.controller.school.name)) && html.contains(&escape(&form.controller.dpo.email))
        );
        for purpose in &form.purposes {
            assert!(html.contains(&escape(purpose.title.get(Lang::Pl))), "the purpose {}", purpose.id);
        }
        assert!(html
            .contains("https://school.example/consent.html#code=<span class=\"code\">K7QF-2M9X-ABCD-EFGH-JKMN</span>"));
        assert!(html.contains("Kod działa do 14 czerwca 2026."), "{html}");
        assert!(html.contains("<img src=\"data:image/png;base64,"));
        assert_eq!(html.matches("<style>").count(), 1);
        assert!(
            html.contains(&format!("<style>{STYLESHEET}</style>")),
            "the stylesheet the CSP hash admits, byte for byte"
        );
    }

    #[test]
    fn a_student_reads_about_their_own_decisions_and_each_letter_is_a_page() {
        let form = form();
        let letters = [letter("Jan", Role::Student, Lang::En), letter("Maria", Role::Guardian, Lang::Ro)];
        let html = page(&form, "https://school.example/consent.html", &letters).expect("page");
        assert_eq!(html.matches("<article class=\"letter\"").count(), 2);
        assert!(html.contains("asks for your own decisions, as a student of class 7B"));
        assert!(html.contains("lang=\"ro\"") && html.contains("Bună ziua, Maria,"));
    }
}
