//! English texts: plain words a family reads once, at home, with the letter in hand.

use super::Key;

pub(super) const CATALOG: &[(Key, &str)] = &[
    (Key::Title, "Your consent form"),
    (Key::Greeting, "Dear {name},"),
    (Key::AboutGuardian, "{school} asks for your decisions about {student}, class {class}: what the school may do with photos, recordings and data."),
    (Key::AboutStudent, "{school} asks for your own decisions, as a student of class {class}: what the school may do with your photos, recordings and data."),
    (Key::Purposes, "The form asks about:"),
    (Key::Choice, "Each one is your choice, and none is a condition of schooling. Nothing is agreed unless you answer \"yes\", and you can withdraw a consent at any time, in the same place."),
    (Key::HowTo, "How to answer"),
    (Key::Scan, "Point your phone's camera at this code and open the link it shows."),
    (Key::Type, "Or type this address into a web browser:"),
    (Key::ValidUntil, "The code works until {date}."),
    (Key::Secret, "This code is for you alone: it opens your form on one device, once. Do not share it or post it."),
    (Key::NewLetter, "If the code does not work, ask the school office for a new letter."),
    (Key::QrAlt, "QR code of the address below"),
    (Key::Contacts, "Questions?"),
    (Key::Office, "School office"),
    (Key::Dpo, "Data protection officer"),
];
