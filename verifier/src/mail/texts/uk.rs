//! Ukrainian texts of the e-mails to families: polite («Ви»), plain, no jargon.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::SubjectInvitation, "{school}: згода щодо {student}"),
    (Key::SubjectReminder, "{school}: нагадування про згоду щодо {student}"),
    (Key::SubjectReconfirm, "{school}: будь ласка, підтвердьте знову згоду щодо {student}"),
    (Key::Greeting, "Добрий день, {name}!"),
    (Key::BodyInvitation, "{school} просить Ваших рішень щодо {student} (клас {class}). Кожна мета необов'язкова: ніщо не вважається «так», доки Ви цього не скажете, і Ви можете будь-коли відкликати згоду."),
    (Key::BodyNotAnswered, "{school} ще не отримала всіх відповідей, про які просила, щодо {student} (клас {class}). Ніщо не вважається «так», доки Ви цього не скажете, і «ні» — теж відповідь."),
    (Key::BodyNewFormVersion, "{school} опублікувала нову версію форми згоди. Згоди щодо {student} (клас {class}), надані за попередньою версією, потребують Вашої відповіді знову."),
    (Key::BodyAgeThreshold, "{student} (клас {class}) досяг(ла) віку, з якого змінюються правила про те, хто вирішує, тому раніше надані згоди потрібно підтвердити знову."),
    (Key::PurposesLead, "Йдеться про:"),
    (Key::LinkInvitation, "Відкрийте Ваше особисте посилання (воно лише для Вас; будь ласка, не пересилайте його):"),
    (Key::LinkValidUntil, "Посилання дійсне до {date}."),
    (Key::LinkConsentPage, "Відкрийте сторінку згоди школи у браузері, яким Ви користувалися минулого разу; там збережено Ваші рішення:"),
    (Key::Contact, "Маєте запитання? Напишіть до канцелярії школи на {email} або зателефонуйте {phone}."),
    (Key::Closing, "З повагою,"),
];
