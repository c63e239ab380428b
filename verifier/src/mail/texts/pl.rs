//! Polish texts of the e-mails to families, in the register of a school's own letters.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::SubjectInvitation, "{school}: zgody dotyczące ucznia {student}"),
    (Key::SubjectReminder, "{school}: przypomnienie o zgodach dotyczących ucznia {student}"),
    (Key::SubjectReconfirm, "{school}: prosimy ponownie potwierdzić zgody dotyczące ucznia {student}"),
    (Key::Greeting, "Dzień dobry, {name},"),
    (Key::BodyInvitation, "{school}: prosimy o Państwa decyzje dotyczące ucznia {student} (klasa {class}). Każda zgoda jest dobrowolna: nic nie jest zgodą, dopóki jej Państwo nie wyrażą, i można ją wycofać w każdej chwili."),
    (Key::BodyNotAnswered, "{school}: nie otrzymaliśmy jeszcze wszystkich odpowiedzi dotyczących ucznia {student} (klasa {class}). Nic nie jest zgodą, dopóki jej Państwo nie wyrażą; odmowa także jest odpowiedzią."),
    (Key::BodyNewFormVersion, "{school}: opublikowaliśmy nową wersję formularza zgód. Zgody dotyczące ucznia {student} (klasa {class}) wyrażone w poprzedniej wersji wymagają ponownej odpowiedzi."),
    (Key::BodyAgeThreshold, "Uczeń {student} (klasa {class}) osiągnął wiek, w którym zmieniają się zasady, kto decyduje, dlatego wcześniejsze zgody trzeba potwierdzić ponownie."),
    (Key::PurposesLead, "Dotyczy to:"),
    (Key::LinkInvitation, "Proszę otworzyć swój osobisty link (jest tylko dla Państwa; prosimy go nie przekazywać):"),
    (Key::LinkValidUntil, "Link działa do {date}."),
    (Key::LinkConsentPage, "Proszę otworzyć stronę zgód szkoły w tej przeglądarce, której użyto ostatnio; tam są zapisane Państwa decyzje:"),
    (Key::Contact, "Pytania? Prosimy pisać do sekretariatu szkoły na adres {email} lub dzwonić pod numer {phone}."),
    (Key::Closing, "Z poważaniem"),
];
