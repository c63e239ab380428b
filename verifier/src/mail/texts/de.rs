//! German texts of the e-mails to families: the family is addressed with "Sie", plainly and
//! kindly, in the register of a German school's own letters.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::SubjectInvitation, "{school}: Einwilligungen für {student}"),
    (Key::SubjectReminder, "{school}: Erinnerung an die Einwilligungen für {student}"),
    (Key::SubjectReconfirm, "{school}: Bitte bestätigen Sie Ihre Einwilligungen für {student} erneut"),
    (Key::Greeting, "Guten Tag {name},"),
    (Key::BodyInvitation, "{school} bittet Sie um Ihre Entscheidungen zu {student} (Klasse {class}). Jede Einwilligung ist freiwillig: Nichts gilt als Ja, solange Sie es nicht selbst erteilen, und Sie können jederzeit widerrufen."),
    (Key::BodyNotAnswered, "{school} hat noch nicht alle erbetenen Antworten zu {student} (Klasse {class}) erhalten. Nichts gilt als Ja, solange Sie es nicht selbst erteilen, und auch ein Nein ist eine Antwort."),
    (Key::BodyNewFormVersion, "{school} hat eine neue Fassung des Einwilligungsformulars veröffentlicht. Einwilligungen zu {student} (Klasse {class}), die nach der früheren Fassung erteilt wurden, brauchen erneut Ihre Antwort."),
    (Key::BodyAgeThreshold, "{student} (Klasse {class}) hat ein Alter erreicht, in dem sich ändert, wer entscheidet. Deshalb müssen die früher erteilten Einwilligungen erneut bestätigt werden."),
    (Key::PurposesLead, "Es geht um:"),
    (Key::LinkInvitation, "Öffnen Sie Ihren persönlichen Link (er ist nur für Sie bestimmt; bitte leiten Sie ihn nicht weiter):"),
    (Key::LinkValidUntil, "Der Link gilt bis {date}."),
    (Key::LinkConsentPage, "Öffnen Sie die Einwilligungsseite der Schule in dem Browser, den Sie beim letzten Mal verwendet haben; dort sind Ihre Entscheidungen gespeichert:"),
    (Key::Contact, "Fragen? Schreiben Sie dem Sekretariat der Schule an {email} oder rufen Sie unter {phone} an."),
    (Key::Closing, "Mit freundlichen Grüßen"),
];
