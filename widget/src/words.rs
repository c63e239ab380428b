//! What the screens say, in the reader's language: the sentences built from [`crate::view`]'s
//! values and `shared::texts`. Native, so that the tests read exactly what a family reads; the
//! components only put these strings on the page.

use crate::family::Family;
use shared::objects::Role;
use shared::texts::{fill, text, Key};
use shared::Lang;

/// The line near the top of the form naming the student it is about.
///
/// The invitation, the only signed object naming anyone, carries the invited person's name but
/// not the student's name or class (the roster keeps those apart, with the personal data): it
/// names the student by their pseudonymous school number and date of birth, which tell apart
/// the forms of a parent's two children. A student's own invitation names them.
pub fn student_line(family: &Family, lang: Lang) -> String {
    let invitation = family.invitation();
    let student = match invitation.role {
        Role::Student => invitation.display_name.as_str(),
        Role::Guardian => invitation.student.as_str(),
    };
    let born = invitation.student_birth_date.to_string();
    fill(text(lang, Key::StudentName), &[("student", student), ("born", &born)])
}
