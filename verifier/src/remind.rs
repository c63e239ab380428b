//! Who the school should remind, and reminding them: `verifier remind` and the console's "Send
//! reminders" button.
//!
//! **Who.** For each student, the state of every purpose of the form in force comes from the same
//! re-verifying fold as the audits ([`Archive::class_states`]). A purpose asks again the roles it
//! still waits for — every role the age rules require when nobody counted has answered, the
//! missing co-signer's role when one granted — and, when a consent must be confirmed again (the
//! student crossed an age threshold, or a new form version superseded the one granted), every
//! role it waits for or, if the old consent still stands, every required role. Each person of the
//! family with such a role is reminded once, for the most specific reason among the purposes
//! that ask them ([`Reason`]), listing those purposes. A required role for which the school has
//! nobody on file (a student who turned 14 since the roster was imported) is listed apart: they
//! need a first invitation.
//!
//! **How.** By e-mail when the school configured its SMTP server and the person has an address
//! and a link ([`deliver`]); everyone else is listed (`reminders.csv`,
//! [`crate::report::reminders_csv`]). Each reminder
//! is recorded in the personal-data table `reminders` ([`Archive::record_messages`]) — never in
//! the proof log, which holds no contact data — so that the console shows when each person was
//! last reminded.

use crate::archive::{Archive, ArchiveError, FamilyContact, Invited, StudentRecord};
use crate::audit::AuditError;
use crate::mail::{self, Composed, Letter, Link, MailError, Mailer, Occasion};
use base64::Engine as _;
use shared::ids::{PersonId, PurposeId, StudentId};
use shared::objects::{ConsentForm, Role};
use shared::policy::{PurposeState, Signers, Status};
use shared::trust::Verified;
use shared::{Lang, Timestamp};
use std::collections::BTreeMap;

/// Why a person is reminded, from the least to the most specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Answers they must give are missing.
    NotAnswered,
    /// A new form version superseded the one a consent was given under.
    NewFormVersion,
    /// The student crossed an age threshold (14 or 18 by default): consents given before must be
    /// confirmed again.
    AgeThreshold,
}

impl Reason {
    /// Its name in lists, CSV files and the `reminders` table.
    pub fn name(self) -> &'static str {
        match self {
            Reason::NotAnswered => "not-answered",
            Reason::NewFormVersion => "new-form-version",
            Reason::AgeThreshold => "age-threshold",
        }
    }

    /// Whether the person must confirm again what was once given, rather than answer at all.
    pub fn is_reconfirmation(self) -> bool {
        self != Reason::NotAnswered
    }
}

impl Occasion {
    /// Its name in the `reminders` table: an invitation, or the reminder's reason.
    pub fn name(self) -> &'static str {
        match self {
            Occasion::Invitation => "invitation",
            Occasion::Reminder(reason) => reason.name(),
        }
    }
}

/// How a message reached the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Sent through the school's SMTP server.
    Email,
    /// Put on the list (`reminders.csv`) for the office to send, print or call.
    List,
}

impl Channel {
    /// Its name in the `reminders` table.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::List => "list",
        }
    }
}

/// Which reminders to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    /// To people whose answer is missing ([`Reason::NotAnswered`]).
    pub not_answered: bool,
    /// To people who must confirm again ([`Reason::is_reconfirmation`]).
    pub reconfirm: bool,
}

impl Kinds {
    /// Both kinds.
    pub const ALL: Kinds = Kinds { not_answered: true, reconfirm: true };

    fn include(self, reason: Reason) -> bool {
        if reason.is_reconfirmation() {
            self.reconfirm
        } else {
            self.not_answered
        }
    }
}

/// Where a reminder sends the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Their current unused invitation.
    Invitation {
        /// Its link.
        link: String,
        /// Its expiry.
        until: Timestamp,
    },
    /// They enrolled a device: the consent page, opened on it.
    ConsentPage {
        /// The page.
        link: String,
    },
    /// Their invitation expired unused (or none is on file): sign a new one with
    /// [`NEW_INVITATION_COMMAND`].
    NeedsInvitation,
}

/// The command that signs new invitations.
pub const NEW_INVITATION_COMMAND: &str = "verifier invite --roster ROSTER.csv --base-url …";

/// One person to remind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The person.
    pub person: PersonId,
    /// Their student.
    pub student: StudentId,
    /// The student's name.
    pub student_name: String,
    /// The student's class.
    pub class: String,
    /// Guardian or student.
    pub role: Role,
    /// Their name.
    pub name: String,
    /// Their e-mail address (may be empty).
    pub email: String,
    /// The language to write to them in.
    pub language: Lang,
    /// Why, the most specific reason among the purposes that ask them.
    pub reason: Reason,
    /// The purposes that ask them, in the form's order.
    pub purposes: Vec<PurposeId>,
    /// Where to send them.
    pub reach: Reach,
    /// When they were last reminded, if ever.
    pub last_reminded: Option<Timestamp>,
}

/// A role the age rules require for a student, with nobody of that role on file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uninvited {
    /// The student.
    pub student: StudentRecord,
    /// The role missing.
    pub role: Role,
    /// Why they are needed.
    pub reason: Reason,
}

/// Everyone to remind now.
#[derive(Debug, Clone)]
pub struct Reminders {
    /// The form in force, for the messages: the school, the purposes' titles.
    pub form: Verified<ConsentForm>,
    /// People to remind, by class, student and role.
    pub rows: Vec<Reminder>,
    /// Required signers nobody invited yet.
    pub uninvited: Vec<Uninvited>,
}

/// The roles `state` asks, and why; `None` when it asks nobody.
fn asked(state: &PurposeState, required: Signers) -> Option<(Reason, Vec<Role>)> {
    let reason = if state.needs_reconfirmation {
        Reason::AgeThreshold
    } else if state.form_superseded {
        Reason::NewFormVersion
    } else {
        Reason::NotAnswered
    };
    let roles = match &state.status {
        Status::NotAnswered => required.roles().to_vec(),
        Status::Waiting { for_roles } => for_roles.clone(),
        Status::InEffect { .. } if reason.is_reconfirmation() => required.roles().to_vec(),
        Status::InEffect { .. } | Status::Refused { .. } | Status::Withdrawn { .. } => return None,
    };
    Some((reason, roles))
}

/// The link a person's invitation opens: the consent page with the signed invitation in the
/// fragment, which browsers never send to a server.
pub fn invitation_link(base_url: &str, invitation: &[u8]) -> String {
    format!("{base_url}#invitation={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(invitation))
}

fn reach(contact: &FamilyContact, consent_page: &str, now: Timestamp) -> Reach {
    match (&contact.invitation, contact.invited_until) {
        (Some(bytes), Some(until)) if until >= now => {
            Reach::Invitation { link: invitation_link(consent_page, bytes), until }
        }
        _ if contact.enrolled => Reach::ConsentPage { link: consent_page.to_owned() },
        _ => Reach::NeedsInvitation,
    }
}

impl Archive {
    /// Who to remind at `now`, of `class` (or the whole school), of the `kinds` asked; links
    /// open `consent_page`.
    pub fn reminders(
        &self,
        now: Timestamp,
        class: Option<&str>,
        kinds: Kinds,
        consent_page: &str,
    ) -> Result<Reminders, AuditError> {
        let states = self.class_states(class, now)?;
        if let (Some(class), true) = (class, states.rows.is_empty()) {
            return Err(AuditError::UnknownClass(class.to_owned()));
        }
        let form = states.form.ok_or(ArchiveError::NoForm)?;
        let mut contacts: BTreeMap<StudentId, Vec<FamilyContact>> = BTreeMap::new();
        for contact in self.family_contacts()? {
            contacts.entry(contact.student.clone()).or_default().push(contact);
        }
        let last = self.last_reminded()?;
        let (mut rows, mut uninvited) = (Vec::new(), Vec::new());
        for (student, state) in states.rows {
            // Per role: the most specific reason, and the purposes asking it.
            let mut by_role: BTreeMap<Role, (Reason, Vec<PurposeId>)> = BTreeMap::new();
            for purpose in &form.body().purposes {
                let Some((reason, roles)) = state.purposes.get(&purpose.id).and_then(|s| asked(s, state.required))
                else {
                    continue;
                };
                if !kinds.include(reason) {
                    continue;
                }
                for role in roles {
                    let entry = by_role.entry(role).or_insert((reason, Vec::new()));
                    entry.0 = entry.0.max(reason);
                    entry.1.push(purpose.id.clone());
                }
            }
            let family = contacts.get(&student.student).map(Vec::as_slice).unwrap_or_default();
            for (role, (reason, purposes)) in by_role {
                let people: Vec<&FamilyContact> = family.iter().filter(|c| c.role == role).collect();
                if people.is_empty() {
                    uninvited.push(Uninvited { student: student.clone(), role, reason });
                }
                for contact in people {
                    rows.push(Reminder {
                        person: contact.person.clone(),
                        student: student.student.clone(),
                        student_name: student.name.clone(),
                        class: student.class.clone(),
                        role,
                        name: contact.name.clone(),
                        email: contact.email.clone(),
                        language: contact.language,
                        reason,
                        purposes: purposes.clone(),
                        reach: reach(contact, consent_page, now),
                        last_reminded: last.get(&contact.person).copied(),
                    });
                }
            }
        }
        Ok(Reminders { form, rows, uninvited })
    }

    /// Records that each `(person, occasion, channel)` was written to at `now`, in the
    /// personal-data table `reminders`, in one transaction.
    pub fn record_messages(
        &self,
        messages: &[(PersonId, Occasion, Channel)],
        now: Timestamp,
    ) -> Result<(), ArchiveError> {
        let tx = self.conn().unchecked_transaction()?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO reminders (person, at, reason, channel) VALUES (?1, ?2, ?3, ?4)")?;
            for (person, occasion, channel) in messages {
                insert.execute((person.as_str(), now.unix(), occasion.name(), channel.name()))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// When each person was last reminded (invitations aside).
    pub fn last_reminded(&self) -> Result<BTreeMap<PersonId, Timestamp>, ArchiveError> {
        let mut statement = self.conn().prepare_cached(
            "SELECT person, MAX(at) FROM reminders WHERE reason <> ?1 GROUP BY person ORDER BY person",
        )?;
        let rows = statement
            .query_map([Occasion::Invitation.name()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?;
        rows.map(|row| {
            let (person, at) = row?;
            let corrupt = || ArchiveError::Corrupt(format!("reminder of {person:?}"));
            Ok((
                PersonId::try_from(person.as_str()).map_err(|_| corrupt())?,
                Timestamp::from_unix(at).ok_or_else(corrupt)?,
            ))
        })
        .collect()
    }
}

/// What became of each message: by index into the list given.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Sent by e-mail.
    pub emailed: Vec<usize>,
    /// Left for the list: no SMTP server configured, no address, or no link to send.
    pub listed: Vec<usize>,
    /// The server did not take them (they are listed too).
    pub failed: Vec<(usize, MailError)>,
}

impl Delivery {
    /// Every message with the channel it took, to record: the failed ones are on the list.
    pub fn records(&self, people: impl Fn(usize) -> (PersonId, Occasion)) -> Vec<(PersonId, Occasion, Channel)> {
        let emailed = self.emailed.iter().map(|&i| (i, Channel::Email));
        let listed = self.listed.iter().chain(self.failed.iter().map(|(i, _)| i)).map(|&i| (i, Channel::List));
        emailed
            .chain(listed)
            .map(|(i, channel)| {
                let (person, occasion) = people(i);
                (person, occasion, channel)
            })
            .collect()
    }

    /// Indexes of the messages on the list, in order.
    pub fn on_the_list(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.listed.iter().copied().chain(self.failed.iter().map(|(i, _)| *i)).collect();
        all.sort_unstable();
        all
    }
}

/// The titles of `purposes` in `lang`, in that order.
fn titles<'a>(form: &'a ConsentForm, purposes: &[PurposeId], lang: Lang) -> Vec<&'a str> {
    purposes.iter().filter_map(|id| form.purpose(id)).map(|p| p.title.get(lang)).collect()
}

/// Sends each message that can be sent through `mailer` (`None`: nothing is sent), one after
/// another: a failure is reported for that person and the others are still tried.
fn send_each<T>(
    items: &[T],
    mailer: Option<&Mailer>,
    compose: impl Fn(&T) -> Option<(&str, &str, Composed)>,
) -> Delivery {
    let mut delivery = Delivery::default();
    for (index, item) in items.iter().enumerate() {
        match (mailer, compose(item)) {
            (Some(mailer), Some((name, email, message))) => match mailer.send(name, email, &message) {
                Ok(()) => delivery.emailed.push(index),
                Err(error) => {
                    tracing::warn!(%error, "a message was not sent");
                    delivery.failed.push((index, error));
                }
            },
            _ => delivery.listed.push(index),
        }
    }
    delivery
}

/// The message of one reminder, or `None` when there is nothing to send it with (no address,
/// or no link).
pub fn reminder_message<'a>(form: &ConsentForm, reminder: &'a Reminder) -> Option<(&'a str, &'a str, Composed)> {
    let link = match &reminder.reach {
        Reach::Invitation { link, until } => Link::Invitation { url: link, until: *until },
        Reach::ConsentPage { link } => Link::ConsentPage { url: link },
        Reach::NeedsInvitation => return None,
    };
    if reminder.email.is_empty() {
        return None;
    }
    let letter = Letter {
        occasion: Occasion::Reminder(reminder.reason),
        language: reminder.language,
        school: &form.controller.school,
        name: &reminder.name,
        student: &reminder.student_name,
        class: &reminder.class,
        purposes: titles(form, &reminder.purposes, reminder.language),
        link,
    };
    Some((&reminder.name, &reminder.email, mail::compose(&letter)))
}

/// Reminds everyone in `reminders`: by e-mail through `mailer` where it can, else on the list.
pub fn deliver(reminders: &Reminders, mailer: Option<&Mailer>) -> Delivery {
    let form = reminders.form.body();
    send_each(&reminders.rows, mailer, |reminder| reminder_message(form, reminder))
}

/// What to record of a reminder run: each reminder with the channel it took (the failed ones
/// are on the list).
pub fn records(reminders: &Reminders, delivery: &Delivery) -> Vec<(PersonId, Occasion, Channel)> {
    delivery.records(|i| {
        let reminder = &reminders.rows[i];
        (reminder.person.clone(), Occasion::Reminder(reminder.reason))
    })
}

impl Archive {
    /// E-mails each new invitation in `invited` that has an address (the link `invitations.csv`
    /// holds, to `consent_page`) through `mailer`, and records each one sent.
    pub fn email_invitations(
        &self,
        invited: &[Invited],
        consent_page: &str,
        mailer: &Mailer,
        now: Timestamp,
    ) -> Result<Delivery, ArchiveError> {
        let form = self.current_form()?.ok_or(ArchiveError::NoForm)?;
        let delivery = send_invitations(invited, form.body(), consent_page, mailer);
        let sent: Vec<(PersonId, Occasion, Channel)> = delivery
            .emailed
            .iter()
            .map(|&i| (invited[i].person.clone(), Occasion::Invitation, Channel::Email))
            .collect();
        self.record_messages(&sent, now)?;
        Ok(delivery)
    }

    /// The families whose consents rest on a superseded form version at `now` — after a new
    /// version is published, exactly those who granted under an earlier one — with the purposes
    /// and the people who must grant again.
    pub fn reconsent(&self, now: Timestamp) -> Result<Vec<Reconsent>, AuditError> {
        let states = self.class_states(None, now)?;
        let Some(form) = states.form else { return Ok(Vec::new()) };
        let contacts = self.family_contacts()?;
        let mut families = Vec::new();
        for (student, state) in states.rows {
            let mut purposes = Vec::new();
            let mut roles = std::collections::BTreeSet::new();
            for purpose in &form.body().purposes {
                let Some(purpose_state) = state.purposes.get(&purpose.id).filter(|s| s.form_superseded) else {
                    continue;
                };
                purposes.push(purpose.id.clone());
                roles.extend(asked(purpose_state, state.required).map(|(_, roles)| roles).unwrap_or_default());
            }
            if purposes.is_empty() {
                continue;
            }
            let people =
                contacts.iter().filter(|c| c.student == student.student && roles.contains(&c.role)).cloned().collect();
            families.push(Reconsent { student, purposes, roles: roles.into_iter().collect(), people });
        }
        Ok(families)
    }
}

/// A family whose consent a new form version touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconsent {
    /// The student.
    pub student: StudentRecord,
    /// The purposes consented to under a superseded version.
    pub purposes: Vec<PurposeId>,
    /// The roles that must grant them again.
    pub roles: Vec<Role>,
    /// The people of those roles on file.
    pub people: Vec<FamilyContact>,
}

/// Sends each new invitation with an address to that address, through `mailer`: the link
/// `invitations.csv` holds, to the consent page `consent_page`.
fn send_invitations(invited: &[Invited], form: &ConsentForm, consent_page: &str, mailer: &Mailer) -> Delivery {
    let purposes: Vec<PurposeId> = form.purposes.iter().map(|p| p.id.clone()).collect();
    let links: Vec<String> = invited.iter().map(|p| invitation_link(consent_page, p.invitation.bytes())).collect();
    let indexed: Vec<(usize, &Invited)> = invited.iter().enumerate().collect();
    send_each(&indexed, Some(mailer), |(index, person)| {
        if person.email.is_empty() {
            return None;
        }
        let letter = Letter {
            occasion: Occasion::Invitation,
            language: person.language,
            school: &form.controller.school,
            name: &person.name,
            student: &person.invitation.body().student_name,
            class: &person.class,
            purposes: titles(form, &purposes, person.language),
            link: Link::Invitation { url: &links[*index], until: person.invitation.body().expires },
        };
        Some((person.name.as_str(), person.email.as_str(), mail::compose(&letter)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::primitives::Digest;

    fn check(status: Status, flags: (bool, bool), required: Signers, expected: Option<(Reason, &[Role])>) {
        let state = PurposeState {
            status: status.clone(),
            needs_reconfirmation: flags.0,
            form_superseded: flags.1,
            paper: Default::default(),
        };
        let got = asked(&state, required);
        assert_eq!(got, expected.map(|(reason, roles)| (reason, roles.to_vec())), "{status:?} {flags:?} {required:?}");
    }

    #[test]
    fn a_purpose_asks_the_roles_it_still_waits_for_for_the_most_specific_reason() {
        use Role::{Guardian, Student};
        let both = Signers::GuardianAndStudent;
        let in_effect = Status::InEffect { form: Digest::of(b"v1"), since: Timestamp::from_unix(0).expect("epoch") };
        let withdrawn = Status::Withdrawn { by: Guardian, at: Timestamp::from_unix(0).expect("epoch") };
        check(Status::NotAnswered, (false, false), both, Some((Reason::NotAnswered, &[Guardian, Student])));
        check(Status::NotAnswered, (false, false), Signers::Guardian, Some((Reason::NotAnswered, &[Guardian])));
        check(
            Status::Waiting { for_roles: vec![Student] },
            (false, false),
            both,
            Some((Reason::NotAnswered, &[Student])),
        );
        check(Status::NotAnswered, (true, false), both, Some((Reason::AgeThreshold, &[Guardian, Student])));
        check(
            Status::Waiting { for_roles: vec![Guardian] },
            (false, true),
            both,
            Some((Reason::NewFormVersion, &[Guardian])),
        );
        check(in_effect.clone(), (false, true), Signers::Student, Some((Reason::NewFormVersion, &[Student])));
        check(in_effect, (false, false), both, None);
        check(Status::Refused { by: Student }, (false, false), both, None);
        check(withdrawn, (false, false), both, None);
    }
}
