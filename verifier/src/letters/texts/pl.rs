//! Polish texts. The family is addressed politely ("Państwa", "proszę") as in a school's own
//! letters; a student is addressed directly, as teachers do.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::Title, "Formularz zgód"),
    (Key::Greeting, "Dzień dobry, {name},"),
    (Key::AboutGuardian, "{school} prosi o Państwa decyzje w sprawie ucznia {student}, klasa {class}: co szkoła może robić ze zdjęciami, nagraniami i danymi."),
    (Key::AboutStudent, "{school} prosi o Twoje własne decyzje jako ucznia klasy {class}: co szkoła może robić z Twoimi zdjęciami, nagraniami i danymi."),
    (Key::Purposes, "Formularz dotyczy:"),
    (Key::Choice, "Każda zgoda jest dobrowolna i żadna nie jest warunkiem nauki w szkole. Nic nie zostaje zgodzone bez odpowiedzi „tak”, a zgodę można w każdej chwili wycofać w tym samym miejscu."),
    (Key::HowTo, "Jak odpowiedzieć"),
    (Key::Scan, "Proszę skierować aparat telefonu na ten kod i otworzyć pokazany link."),
    (Key::Type, "Albo wpisać ten adres w przeglądarce internetowej:"),
    (Key::ValidUntil, "Kod działa do {date}."),
    (Key::Secret, "Ten kod jest tylko dla adresata: otwiera formularz raz, na jednym urządzeniu. Proszę go nikomu nie przekazywać ani nie publikować."),
    (Key::NewLetter, "Jeśli kod nie działa, proszę poprosić sekretariat szkoły o nowy list."),
    (Key::QrAlt, "Kod QR adresu podanego poniżej"),
    (Key::Contacts, "Pytania?"),
    (Key::Office, "Sekretariat szkoły"),
    (Key::Dpo, "Inspektor ochrony danych"),
];
