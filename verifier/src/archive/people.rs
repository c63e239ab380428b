//! The class roster: personal data in, one invitation per guardian and per student old enough to
//! co-sign out. Names and e-mail addresses go to the personal-data tables only.
//!
//! Roster CSV, with a header line; one row per student:
//!
//! | column | meaning |
//! |---|---|
//! | `student_id` | the school's pseudonymous id for the student (`a-z 0-9 - _ .`, ≤ 64) |
//! | `student_name` | full name (personal data, never in the log) |
//! | `class` | e.g. `7B` |
//! | `birth_date` | `YYYY-MM-DD` |
//! | `student_email` | the student's own address (used from the co-signing age), may be empty |
//! | `guardian_name`, `guardian_email` | the first parent or legal guardian |
//! | `guardian2_name`, `guardian2_email` | a second one, both may be empty |

use super::{Archive, ArchiveError};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use shared::ids::{PersonId, StudentId};
use shared::objects::{Invitation, Role};
use shared::policy::{required_signers, Signers};
use shared::primitives::Nonce;
use shared::trust::Verified;
use shared::Timestamp;

/// One roster line, as written by the school.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterRow {
    /// Pseudonymous id.
    pub student_id: String,
    /// Full name.
    pub student_name: String,
    /// Class.
    pub class: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: String,
    /// The student's own e-mail address, if any.
    #[serde(default)]
    pub student_email: String,
    /// First guardian's name.
    pub guardian_name: String,
    /// First guardian's e-mail address.
    pub guardian_email: String,
    /// Second guardian's name, if any.
    #[serde(default)]
    pub guardian2_name: String,
    /// Second guardian's e-mail address, if any.
    #[serde(default)]
    pub guardian2_email: String,
}

/// A parsed, checked roster.
#[derive(Debug, Clone)]
pub struct Roster {
    students: Vec<(StudentId, NaiveDate, RosterRow)>,
}

/// Why a roster cannot be imported; nothing is imported then.
#[derive(Debug, thiserror::Error)]
#[error("roster line {line}: {message}")]
pub struct RosterError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl Roster {
    /// Parses CSV text, checking every line before anything is used.
    pub fn parse(text: &str) -> Result<Roster, RosterError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let mut students = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (number, row) in reader.deserialize::<RosterRow>().enumerate() {
            let line = number as u64 + 2;
            let fail = |message: String| RosterError { line, message };
            let row = row.map_err(|e| fail(e.to_string()))?;
            let id = StudentId::try_from(row.student_id.as_str()).map_err(|e| fail(e.to_string()))?;
            let birth = NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d")
                .map_err(|_| fail(format!("birth_date {:?} is not YYYY-MM-DD", row.birth_date)))?;
            for (field, value) in
                [("student_name", &row.student_name), ("class", &row.class), ("guardian_name", &row.guardian_name)]
            {
                if value.is_empty() {
                    return Err(fail(format!("`{field}` is empty")));
                }
            }
            if row.guardian2_name.is_empty() != row.guardian2_email.is_empty() {
                return Err(fail("give both guardian2_name and guardian2_email, or neither".into()));
            }
            if !seen.insert(id.clone()) {
                return Err(fail(format!("student {id} appears twice")));
            }
            students.push((id, birth, row));
        }
        Ok(Roster { students })
    }

    /// Number of students.
    pub fn len(&self) -> usize {
        self.students.len()
    }

    /// Whether the roster lists nobody.
    pub fn is_empty(&self) -> bool {
        self.students.is_empty()
    }
}

/// One invitation issued, with the personal data needed to deliver it.
#[derive(Debug, Clone)]
pub struct Invited {
    /// The student.
    pub student: StudentId,
    /// Their class.
    pub class: String,
    /// The invited person.
    pub person: PersonId,
    /// Guardian or student.
    pub role: Role,
    /// The person's name.
    pub name: String,
    /// Where to send the link.
    pub email: String,
    /// The signed invitation.
    pub invitation: Verified<Invitation>,
}

impl Archive {
    /// Imports `roster` and signs one invitation, valid until `expires`, per guardian and per
    /// student who at `now` is old enough to co-sign (or decide alone) under the current form's
    /// policy; a person's earlier unused invitations are revoked. One transaction.
    pub fn invite(
        &mut self,
        roster: &Roster,
        root: &SigningKey,
        expires: Timestamp,
        now: Timestamp,
        rng: &mut impl rand_core::CryptoRngCore,
    ) -> Result<Vec<Invited>, ArchiveError> {
        let policy = self.current_form()?.ok_or(ArchiveError::NoForm)?.body().policy.clone();
        let school = self.school();
        let mut invited = Vec::new();
        for (student, birth, row) in &roster.students {
            let mut people = vec![(Role::Guardian, "g1", &row.guardian_name, &row.guardian_email)];
            if !row.guardian2_name.is_empty() {
                people.push((Role::Guardian, "g2", &row.guardian2_name, &row.guardian2_email));
            }
            if required_signers(&policy, *birth, now.date()) != Signers::Guardian {
                people.push((Role::Student, "s", &row.student_name, &row.student_email));
            }
            for (role, suffix, name, email) in people {
                let person = PersonId::try_from(format!("{student}-{suffix}"))
                    .map_err(|e| ArchiveError::Corrupt(format!("derived person id: {e}")))?;
                let body = Invitation {
                    school,
                    student: student.clone(),
                    person: person.clone(),
                    role,
                    display_name: name.clone(),
                    student_birth_date: *birth,
                    expires,
                    nonce: Nonce::random(rng),
                };
                let invitation = self.trust.sign_by_root(body, root)?;
                invited.push(Invited {
                    student: student.clone(),
                    class: row.class.clone(),
                    person,
                    role,
                    name: name.clone(),
                    email: email.clone(),
                    invitation,
                });
            }
        }
        let tx = self.write(now)?;
        for (student, birth, row) in &roster.students {
            tx.execute(
                "INSERT INTO students (student, name, class, birth_date) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (student) DO UPDATE SET name = excluded.name, class = excluded.class, birth_date = excluded.birth_date",
                (student.as_str(), &row.student_name, &row.class, birth.to_string()),
            )?;
        }
        for person in &invited {
            let role = match person.role {
                Role::Guardian => "guardian",
                Role::Student => "student",
            };
            tx.execute(
                "INSERT INTO people (person, student, role, name, email) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (person) DO UPDATE SET name = excluded.name, email = excluded.email",
                (person.person.as_str(), person.student.as_str(), role, &person.name, &person.email),
            )?;
            // A new invitation replaces the person's unused ones, so only one link can enrol.
            tx.execute(
                "UPDATE invitations SET revoked = 1 WHERE person = ?1 AND used_by IS NULL",
                [person.person.as_str()],
            )?;
            tx.execute(
                "INSERT INTO invitations (hash, person, bytes, used_by) VALUES (?1, ?2, ?3, NULL)",
                (person.invitation.hash().0.as_slice(), person.person.as_str(), person.invitation.bytes()),
            )?;
        }
        tx.commit()?;
        Ok(invited)
    }
}
