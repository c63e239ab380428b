//! German texts. The family, and a student old enough to decide, are addressed with "Sie", plainly
//! and kindly, as in a German school's own letters.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::Title, "Ihr Einwilligungsformular"),
    (Key::Greeting, "Guten Tag {name},"),
    (Key::AboutGuardian, "{school} bittet Sie um Ihre Entscheidungen zu {student}, Klasse {class}: was die Schule mit Fotos, Aufnahmen und Daten tun darf."),
    (Key::AboutStudent, "{school} bittet Sie als Schülerin oder Schüler der Klasse {class} um Ihre eigenen Entscheidungen: was die Schule mit Ihren Fotos, Aufnahmen und Daten tun darf."),
    (Key::Purposes, "Im Formular geht es um:"),
    (Key::Choice, "Sie entscheiden jeweils frei, und keine Einwilligung ist Voraussetzung für den Schulbesuch. Nichts gilt als vereinbart, solange Sie nicht mit „Ja“ antworten, und Sie können jede Einwilligung jederzeit an derselben Stelle widerrufen."),
    (Key::HowTo, "So antworten Sie"),
    (Key::Scan, "Richten Sie die Kamera Ihres Handys auf diesen Code und öffnen Sie den angezeigten Link."),
    (Key::Type, "Oder geben Sie diese Adresse in einen Webbrowser ein:"),
    (Key::ValidUntil, "Der Code gilt bis zum {date}."),
    (Key::Secret, "Dieser Code ist nur für Sie bestimmt: Er öffnet Ihr Formular einmal, auf einem Gerät. Bitte geben Sie ihn nicht weiter und veröffentlichen Sie ihn nicht."),
    (Key::NewLetter, "Wenn der Code nicht funktioniert, fragen Sie bitte im Sekretariat der Schule nach einem neuen Brief."),
    (Key::QrAlt, "QR-Code der unten stehenden Adresse"),
    (Key::Contacts, "Fragen?"),
    (Key::Office, "Sekretariat"),
    (Key::Dpo, "Datenschutzbeauftragte(r)"),
];
