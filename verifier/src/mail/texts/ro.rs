//! Romanian texts of the e-mails to families, in the polite plural a school writes in.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::SubjectInvitation, "{school}: consimțământ pentru {student}"),
    (Key::SubjectReminder, "{school}: reamintire privind consimțământul pentru {student}"),
    (Key::SubjectReconfirm, "{school}: vă rugăm să confirmați din nou consimțământul pentru {student}"),
    (Key::Greeting, "Bună ziua, {name},"),
    (Key::BodyInvitation, "{school} vă cere deciziile privind elevul {student} (clasa {class}). Fiecare scop este opțional: nimic nu înseamnă „da” până nu îl dați dumneavoastră și vă puteți retrage oricând consimțământul."),
    (Key::BodyNotAnswered, "{school} nu a primit încă toate răspunsurile cerute privind elevul {student} (clasa {class}). Nimic nu înseamnă „da” până nu îl dați dumneavoastră, iar un „nu” este tot un răspuns."),
    (Key::BodyNewFormVersion, "{school} a publicat o versiune nouă a formularului de consimțământ. Consimțămintele privind elevul {student} (clasa {class}) date în versiunea anterioară au nevoie din nou de răspunsul dumneavoastră."),
    (Key::BodyAgeThreshold, "{student} (clasa {class}) a ajuns la o vârstă la care se schimbă regulile despre cine decide, așa că acordurile date mai devreme trebuie confirmate din nou."),
    (Key::PurposesLead, "Este vorba despre:"),
    (Key::LinkInvitation, "Deschideți linkul dumneavoastră personal (este doar pentru dumneavoastră; vă rugăm să nu îl trimiteți mai departe):"),
    (Key::LinkValidUntil, "Linkul funcționează până la {date}."),
    (Key::LinkConsentPage, "Deschideți pagina de consimțământ a școlii în browserul folosit data trecută; deciziile dumneavoastră sunt păstrate acolo:"),
    (Key::Contact, "Întrebări? Scrieți secretariatului școlii la {email} sau sunați la {phone}."),
    (Key::Closing, "Cu stimă,"),
];
