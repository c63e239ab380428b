//! Romanian texts. The family is addressed with the polite "dumneavoastră", as in a school's own
//! letters; a student is addressed directly.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::Title, "Formularul de consimțământ"),
    (Key::Greeting, "Bună ziua, {name},"),
    (Key::AboutGuardian, "{school} vă roagă să decideți pentru {student}, clasa {class}: ce poate face școala cu fotografiile, înregistrările și datele."),
    (Key::AboutStudent, "{school} îți cere propriile decizii, ca elev al clasei {class}: ce poate face școala cu fotografiile, înregistrările și datele tale."),
    (Key::Purposes, "Formularul se referă la:"),
    (Key::Choice, "Fiecare consimțământ este opțional și niciunul nu este o condiție pentru școlarizare. Nimic nu este acceptat fără răspunsul „da”, iar consimțământul poate fi retras oricând, în același loc."),
    (Key::HowTo, "Cum răspundeți"),
    (Key::Scan, "Îndreptați camera telefonului spre acest cod și deschideți linkul afișat."),
    (Key::Type, "Sau scrieți această adresă într-un browser web:"),
    (Key::ValidUntil, "Codul funcționează până la {date}."),
    (Key::Secret, "Acest cod este doar pentru dumneavoastră: deschide formularul o singură dată, pe un singur dispozitiv. Nu îl împărtășiți și nu îl publicați."),
    (Key::NewLetter, "Dacă codul nu funcționează, cereți secretariatului școlii o scrisoare nouă."),
    (Key::QrAlt, "Codul QR al adresei de mai jos"),
    (Key::Contacts, "Întrebări?"),
    (Key::Office, "Secretariatul școlii"),
    (Key::Dpo, "Responsabilul cu protecția datelor"),
];
