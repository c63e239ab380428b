//! The class roster: personal data in, one invitation per guardian and per student old enough to
//! co-sign out. Names, classes and e-mail addresses go to the personal-data tables only (the
//! invitations, which carry the names and the class to the family, are kept there too).
//!
//! Roster CSV: a header line naming the columns (in any order; the optional ones may be left out),
//! then one row per student, at least one:
//!
//! | column | meaning |
//! |---|---|
//! | `student_id` | the school's pseudonymous id for the student (`a-z 0-9 - _ .`, ≤ 64) |
//! | `student_name` | full name, at most 200 characters (personal data, never in the log) |
//! | `class` | e.g. `7B`, at most 50 characters (personal data too) |
//! | `birth_date` | `YYYY-MM-DD` |
//! | `student_email` | the student's own address (used from the co-signing age), may be empty |
//! | `guardian_name`, `guardian_email` | the first parent or legal guardian |
//! | `guardian2_name`, `guardian2_email` | a second one, both may be empty |
//! | `language` | the family's language for letters and e-mails (`en`, `pl`, `ro`, …), else the school's default |
//!
//! Importing a roster again updates names, classes and contacts; a changed birth date is refused
//! unless confirmed ([`Roster::confirm_birth_date_changes`]), because it changes who must sign, and
//! a confirmed one is recorded in `roster_changes`.

use super::{Archive, ArchiveError, ShortCode};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use shared::ids::{PersonId, StudentId};
use shared::objects::{Invitation, Role};
use shared::policy::{required_signers, Signers};
use shared::primitives::Nonce;
use shared::trust::Verified;
use shared::{Lang, Timestamp};

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
    /// The family's language code, if the school knows it.
    #[serde(default)]
    pub language: String,
}

/// The columns a roster must have, and those it may have.
const REQUIRED_COLUMNS: [&str; 6] =
    ["student_id", "student_name", "class", "birth_date", "guardian_name", "guardian_email"];
const OPTIONAL_COLUMNS: [&str; 4] = ["student_email", "guardian2_name", "guardian2_email", "language"];

/// A parsed, checked roster.
#[derive(Debug, Clone)]
pub struct Roster {
    students: Vec<(StudentId, NaiveDate, Option<Lang>, RosterRow)>,
    /// The language of families whose line names none.
    default_language: Lang,
    /// Whether the school confirmed that birth dates this roster changes are corrections.
    birth_date_changes_confirmed: bool,
}

/// Why a roster cannot be imported; nothing is imported then.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    /// The text is not a roster: a line is malformed, the header is not a roster's, or no student
    /// follows it.
    #[error("roster line {line}: {message}")]
    Line {
        /// 1-based line in the file (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The roster changes the birth date the archive holds for these students, as (student,
    /// stored date, new date); that changes who must sign, so it needs confirming.
    #[error(
        "the roster changes the birth date of {}; that changes who must sign, so confirm the change to import it",
        show_changes(.0)
    )]
    BirthDateChanged(Vec<(StudentId, NaiveDate, NaiveDate)>),
    /// The archive refused or failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

impl From<rusqlite::Error> for RosterError {
    fn from(error: rusqlite::Error) -> RosterError {
        RosterError::Archive(error.into())
    }
}

fn show_changes(changes: &[(StudentId, NaiveDate, NaiveDate)]) -> String {
    let each: Vec<String> =
        changes.iter().map(|(student, old, new)| format!("{student} from {old} to {new}")).collect();
    each.join(", ")
}

impl Roster {
    /// Parses CSV text, checking the header and every line before anything is used.
    pub fn parse(text: &str) -> Result<Roster, RosterError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| RosterError::Line { line: 1, message: e.to_string() })?;
        check_header(header).map_err(|message| RosterError::Line { line: 1, message })?;
        let mut students = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (number, row) in reader.deserialize::<RosterRow>().enumerate() {
            let line = number as u64 + 2;
            let fail = |message: String| RosterError::Line { line, message };
            let row = row.map_err(|e| fail(e.to_string()))?;
            let id = StudentId::try_from(row.student_id.as_str()).map_err(|e| fail(e.to_string()))?;
            let birth = NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d")
                .map_err(|_| fail(format!("birth_date {:?} is not YYYY-MM-DD", row.birth_date)))?;
            // The invitations carry the names and the class, so a line that breaks their limits
            // is named here, before anything is signed.
            for (field, value, required, max) in [
                ("student_name", &row.student_name, true, Invitation::MAX_NAME),
                ("class", &row.class, true, Invitation::MAX_CLASS),
                ("guardian_name", &row.guardian_name, true, Invitation::MAX_NAME),
                ("guardian2_name", &row.guardian2_name, false, Invitation::MAX_NAME),
            ] {
                if required && value.is_empty() {
                    return Err(fail(format!("`{field}` is empty")));
                }
                if value.chars().count() > max {
                    return Err(fail(format!("`{field}` is longer than {max} characters")));
                }
            }
            if row.guardian2_name.is_empty() != row.guardian2_email.is_empty() {
                return Err(fail("give both guardian2_name and guardian2_email, or neither".into()));
            }
            if !seen.insert(id.clone()) {
                return Err(fail(format!("student {id} appears twice")));
            }
            let language = match row.language.as_str() {
                "" => None,
                code => Some(Lang::from_code(code).ok_or_else(|| {
                    let known: Vec<&str> = Lang::ALL.iter().map(|lang| lang.code()).collect();
                    fail(format!("language {code:?} is not one of {}", known.join(", ")))
                })?),
            };
            students.push((id, birth, language, row));
        }
        if students.is_empty() {
            return Err(RosterError::Line { line: 2, message: "no student follows the header".into() });
        }
        Ok(Roster { students, default_language: Lang::En, birth_date_changes_confirmed: false })
    }

    /// The same roster, with `language` for the families whose line names none (the school's
    /// own language; English unless set).
    pub fn default_language(self, language: Lang) -> Roster {
        Roster { default_language: language, ..self }
    }

    /// The same roster, with the school's confirmation that the birth dates it changes are
    /// corrections to import.
    pub fn confirm_birth_date_changes(self) -> Roster {
        Roster { birth_date_changes_confirmed: true, ..self }
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

/// A roster's header must name every required column, and no column that is not a roster's: a
/// file whose first line is not that header is some other file.
fn check_header(header: &csv::StringRecord) -> Result<(), String> {
    let unknown: Vec<&str> =
        header.iter().filter(|c| !REQUIRED_COLUMNS.contains(c) && !OPTIONAL_COLUMNS.contains(c)).collect();
    let missing: Vec<&str> = REQUIRED_COLUMNS.iter().copied().filter(|c| !header.iter().any(|h| h == *c)).collect();
    if unknown.is_empty() && missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the first line must be the header, naming the columns {} (and optionally {}); unknown: {}; missing: {}",
        REQUIRED_COLUMNS.join(","),
        OPTIONAL_COLUMNS.join(","),
        if unknown.is_empty() { "none".to_owned() } else { unknown.join(",") },
        if missing.is_empty() { "none".to_owned() } else { missing.join(",") },
    ))
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
    /// The language letters and e-mails to them are written in.
    pub language: Lang,
    /// The signed invitation.
    pub invitation: Verified<Invitation>,
    /// Its short code, for a printed letter's link (`archive::codes`).
    pub code: ShortCode,
}

impl Archive {
    /// Imports `roster` and signs one invitation, valid until `expires`, per guardian and per
    /// student who at `now` is old enough to co-sign (or decide alone) under the current form's
    /// policy, each with a short code for a printed letter; a person's earlier unused invitations
    /// are revoked (and so their codes stop working). One transaction, which a
    /// changed birth date aborts unless the roster confirms it.
    pub fn invite(
        &mut self,
        roster: &Roster,
        root: &SigningKey,
        expires: Timestamp,
        now: Timestamp,
        rng: &mut impl rand_core::CryptoRngCore,
    ) -> Result<Vec<Invited>, RosterError> {
        let policy = self.current_form()?.ok_or(ArchiveError::NoForm)?.body().policy.clone();
        let school = self.school();
        let mut invited = Vec::new();
        for (student, birth, language, row) in &roster.students {
            let language = language.unwrap_or(roster.default_language);
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
                    student_name: row.student_name.clone(),
                    class: row.class.clone(),
                    student_birth_date: *birth,
                    expires,
                    nonce: Nonce::random(rng),
                };
                let invitation = self.trust.sign_by_root(body, root).map_err(ArchiveError::from)?;
                invited.push(Invited {
                    student: student.clone(),
                    class: row.class.clone(),
                    person,
                    role,
                    name: name.clone(),
                    email: email.clone(),
                    language,
                    invitation,
                    code: ShortCode::random(rng),
                });
            }
        }
        let tx = self.write(now)?;
        // Inside the write transaction, so that no other writer changes a date meanwhile.
        let changes = birth_date_changes(&tx, roster)?;
        if !changes.is_empty() && !roster.birth_date_changes_confirmed {
            return Err(RosterError::BirthDateChanged(changes));
        }
        for (student, old, new) in &changes {
            // The values stay with the personal data; the service's log names the student only.
            tracing::warn!(%student, field = "birth_date", "a confirmed roster changes a birth date");
            tx.execute(
                "INSERT INTO roster_changes (student, field, old, new, at) VALUES (?1, 'birth_date', ?2, ?3, ?4)",
                (student.as_str(), old.to_string(), new.to_string(), now.unix()),
            )?;
        }
        for (student, birth, _, row) in &roster.students {
            tx.execute(
                "INSERT INTO students (student, name, class, birth_date) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (student) DO UPDATE SET name = excluded.name, class = excluded.class, birth_date = excluded.birth_date",
                (student.as_str(), &row.student_name, &row.class, birth.to_string()),
            )?;
        }
        for person in &invited {
            let role = person.role.name();
            tx.execute(
                "INSERT INTO people (person, student, role, name, email, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (person) DO UPDATE SET name = excluded.name, email = excluded.email, language = excluded.language",
                (person.person.as_str(), person.student.as_str(), role, &person.name, &person.email, person.language.code()),
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
            tx.execute(
                "INSERT INTO invitation_codes (code, invitation) VALUES (?1, ?2)",
                (person.code.as_str(), person.invitation.hash().0.as_slice()),
            )?;
        }
        tx.commit()?;
        Ok(invited)
    }
}

/// The students of `roster` whose stored birth date differs from the roster's, as (student,
/// stored, new).
fn birth_date_changes(
    conn: &rusqlite::Connection,
    roster: &Roster,
) -> Result<Vec<(StudentId, NaiveDate, NaiveDate)>, RosterError> {
    let mut changes = Vec::new();
    for (student, birth, _, _) in &roster.students {
        let Some(stored) = super::read::birth_date(conn, student)? else { continue };
        if stored != *birth {
            changes.push((student.clone(), stored, *birth));
        }
    }
    Ok(changes)
}

/// A person of a family as the school knows them, with where their invitation stands: what the
/// staff console's "not answered" list is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyContact {
    /// The person.
    pub person: PersonId,
    /// Their student.
    pub student: StudentId,
    /// Guardian or student.
    pub role: Role,
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// The language to write to them in.
    pub language: Lang,
    /// Whether an invitation of theirs was used to enrol a device.
    pub enrolled: bool,
    /// The expiry of their current unused invitation, if they have one.
    pub invited_until: Option<Timestamp>,
    /// That invitation's signed bytes, which its link carries.
    pub invitation: Option<Vec<u8>>,
}

impl Archive {
    /// Every person of every family, by student then role and name.
    pub fn family_contacts(&self) -> Result<Vec<FamilyContact>, ArchiveError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT p.person, p.student, p.role, p.name, p.email, p.language,
                    EXISTS (SELECT 1 FROM invitations i WHERE i.person = p.person AND i.used_by IS NOT NULL),
                    (SELECT i.bytes FROM invitations i WHERE i.person = p.person AND i.used_by IS NULL AND i.revoked = 0)
             FROM people p ORDER BY p.student, p.role, p.name",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, bool>(6)?,
                row.get::<_, Option<Vec<u8>>>(7)?,
            ))
        })?;
        rows.map(|row| {
            let (person, student, role, name, email, language, enrolled, invitation) = row?;
            let corrupt = |what: &str| ArchiveError::Corrupt(format!("person {person}: bad {what}"));
            let invited_until = invitation
                .as_deref()
                .map(|bytes| {
                    shared::decode::<Invitation>(bytes)
                        .map(|invitation| invitation.unverified_body().expires)
                        .map_err(|_| corrupt("invitation"))
                })
                .transpose()?;
            Ok(FamilyContact {
                person: PersonId::try_from(person.as_str()).map_err(|_| corrupt("id"))?,
                student: StudentId::try_from(student.as_str()).map_err(|_| corrupt("student"))?,
                role: match role.as_str() {
                    "guardian" => Role::Guardian,
                    "student" => Role::Student,
                    _ => return Err(corrupt("role")),
                },
                name,
                email,
                language: Lang::from_code(&language).ok_or_else(|| corrupt("language"))?,
                enrolled,
                invited_until,
                invitation,
            })
        })
        .collect()
    }
}
