//! English texts of the e-mails to families: plain, polite, no jargon.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::SubjectInvitation, "{school}: consent for {student}"),
    (Key::SubjectReminder, "{school}: a reminder about consent for {student}"),
    (Key::SubjectReconfirm, "{school}: please confirm your consent for {student} again"),
    (Key::Greeting, "Dear {name},"),
    (Key::BodyInvitation, "{school} asks for your decisions about {student} (class {class}). Every purpose is optional: nothing counts as a yes until you give it, and you can withdraw at any time."),
    (Key::BodyNotAnswered, "{school} has not yet received all the answers it asked for about {student} (class {class}). Nothing counts as a yes until you give it, and a no is an answer too."),
    (Key::BodyNewFormVersion, "{school} has published a new version of its consent form. Consents about {student} (class {class}) given under the earlier version need your answer again."),
    (Key::BodyAgeThreshold, "{student} (class {class}) has reached an age at which the rules on who decides change, so the consents given earlier need to be confirmed again."),
    (Key::PurposesLead, "It is about:"),
    (Key::LinkInvitation, "Open your personal link (it is for you alone; please do not forward it):"),
    (Key::LinkValidUntil, "The link works until {date}."),
    (Key::LinkConsentPage, "Open the school's consent page in the browser you used last time; your decisions are kept there:"),
    (Key::Contact, "Questions? Write to the school office at {email} or call {phone}."),
    (Key::Closing, "Kind regards,"),
];
