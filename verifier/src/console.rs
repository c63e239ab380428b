//! What the staff console shows, computed from the archive for one caller: each view takes the
//! caller's verified staff certificate and refuses, before reading anything, what its scope does
//! not cover ([`StaffCertificate::may_see_class`], `may_handle_requests`, `may_read_records`,
//! `may_print_letters`).
//! Purpose states come from the same re-verifying fold as `verifier audit`, never from a cached
//! flag; names and contacts are joined from the personal-data tables.

use crate::archive::{Archive, ArchiveError, Stored, StudentRecord};
use crate::audit::AuditError;
use shared::console::{
    answered, ClassSummary, DecisionSummary, Event, EventKind, FamilyMember, FamilyToAsk, InvitationStatus, Mark, Me,
    NotAnswered, Overview, PhotoCheck, PhotoRow, PurposeName, PurposeNow, PurposeSummary, RequestSummary, Requests,
    StudentHistory, StudentName, Students,
};
use shared::ids::{PurposeId, StudentId};
use shared::objects::{
    ConsentForm, ConsentReceipt, PaperRecord, RequestDecision, RightsRequest, StaffCertificate, StaffDecision,
};
use shared::policy::ConsentState;
use shared::primitives::Digest;
use shared::trust::Verified;
use shared::{SignedObject, Timestamp};
use std::collections::BTreeMap;

/// Why a view was not given.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The caller's role or classes do not cover it.
    #[error("{0}")]
    OutOfScope(&'static str),
    /// The query names something that is not there.
    #[error("{0}")]
    BadQuery(String),
    /// No `verifier invite` has named the consent page the letters' links open yet.
    #[error("no consent page is known yet: run `verifier invite --base-url …` once")]
    NoConsentPage,
    /// A letter could not be drawn.
    #[error(transparent)]
    Letters(#[from] crate::letters::QrError),
    /// The audit refused (an unknown purpose or class).
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

type Caller = Verified<StaffCertificate>;

fn require(allowed: bool, what: &'static str) -> Result<(), ConsoleError> {
    if allowed {
        Ok(())
    } else {
        Err(ConsoleError::OutOfScope(what))
    }
}

/// The purposes of `form`, with their titles.
fn purposes(form: &Verified<ConsentForm>) -> Vec<PurposeName> {
    form.body().purposes.iter().map(|p| PurposeName { id: p.id.clone(), title: p.title.clone() }).collect()
}

/// Each purpose of `form` with its mark in `state`.
fn marks(form: &Verified<ConsentForm>, state: &ConsentState) -> Vec<(PurposeId, Mark)> {
    form.body().purposes.iter().filter_map(|p| state.purposes.get(&p.id).map(|s| (p.id.clone(), Mark::of(s)))).collect()
}

/// Each purpose of `form` with its mark in `state`, and whether that rests on a paper slip.
fn standing(form: &Verified<ConsentForm>, state: &ConsentState) -> Vec<PurposeNow> {
    form.body()
        .purposes
        .iter()
        .filter_map(|p| {
            let state = state.purposes.get(&p.id)?;
            Some(PurposeNow { purpose: p.id.clone(), mark: Mark::of(state), on_paper: !state.paper.is_empty() })
        })
        .collect()
}

/// The classes `caller` may see, of those the school has.
fn visible_classes(archive: &Archive, caller: &Caller) -> Result<Vec<String>, ArchiveError> {
    let mut classes: Vec<String> = archive.classes()?;
    classes.retain(|class| caller.body().may_see_class(class));
    Ok(classes)
}

/// `GET /v1/console/me`.
pub fn me(archive: &Archive, caller: &Caller) -> Result<Me, ConsoleError> {
    let body = caller.body();
    let name = archive.staff_name(body)?.unwrap_or_default();
    let purposes = archive.current_form()?.map(|form| purposes(&form)).unwrap_or_default();
    Ok(Me { person: body.person.clone(), name, role: body.role, classes: visible_classes(archive, caller)?, purposes })
}

/// `GET /v1/console/overview`: the classes the caller may see, at `now`.
pub fn overview(archive: &Archive, caller: &Caller, now: Timestamp) -> Result<Overview, ConsoleError> {
    let classes = visible_classes(archive, caller)?;
    let states = archive.class_states(None, now)?;
    let invited: std::collections::BTreeSet<StudentId> = archive
        .family_contacts()?
        .into_iter()
        .filter(|c| c.enrolled || c.invited_until.is_some())
        .map(|c| c.student)
        .collect();
    let mut by_class: BTreeMap<&str, ClassSummary> = BTreeMap::new();
    let form = states.form.as_ref();
    let mut in_effect: BTreeMap<PurposeId, u32> = BTreeMap::new();
    let mut counted = 0;
    for (student, state) in &states.rows {
        if !classes.contains(&student.class) {
            continue;
        }
        counted += 1;
        let summary = by_class.entry(&student.class).or_insert_with(|| ClassSummary {
            class: student.class.clone(),
            students: 0,
            invited: 0,
            answered: 0,
            not_answered: 0,
        });
        summary.students += 1;
        summary.invited += u32::from(invited.contains(&student.student));
        let marks = form.map(|form| marks(form, state)).unwrap_or_default();
        if answered(&marks.iter().map(|(_, mark)| *mark).collect::<Vec<_>>()) && form.is_some() {
            summary.answered += 1;
        } else {
            summary.not_answered += 1;
        }
        for (purpose, mark) in marks {
            *in_effect.entry(purpose).or_default() += u32::from(mark == Mark::Allowed);
        }
    }
    let purposes = form
        .map(|form| {
            purposes(form)
                .into_iter()
                .map(|purpose| PurposeSummary {
                    in_effect: in_effect.get(&purpose.id).copied().unwrap_or_default(),
                    students: counted,
                    purpose,
                })
                .collect()
        })
        .unwrap_or_default();
    let checkpoint = archive.latest_checkpoint()?;
    let last_checkpoint = checkpoint
        .map(|bytes| shared::decode::<shared::objects::Checkpoint>(&bytes).map(|c| c.unverified_body().time))
        .transpose()
        .stored("checkpoint")?;
    Ok(Overview {
        classes: by_class.into_values().collect(),
        purposes,
        log_size: archive.log_size()?,
        last_checkpoint,
        last_check: archive.last_passed_check()?.map(|(at, _)| at),
    })
}

/// `GET /v1/console/not-answered`: every person to ask, for each student whose family has not
/// answered at `now` (DPO and director).
pub fn not_answered(archive: &Archive, caller: &Caller, now: Timestamp) -> Result<NotAnswered, ConsoleError> {
    require(caller.body().may_read_records(), "only the DPO and the director see families' contacts")?;
    let states = archive.class_states(None, now)?;
    let Some(form) = states.form.as_ref() else { return Ok(NotAnswered { rows: Vec::new() }) };
    let mut contacts: BTreeMap<StudentId, Vec<crate::archive::FamilyContact>> = BTreeMap::new();
    for contact in archive.family_contacts()? {
        contacts.entry(contact.student.clone()).or_default().push(contact);
    }
    let last_reminded = archive.last_reminded()?;
    let mut rows = Vec::new();
    for (student, state) in &states.rows {
        let waiting: Vec<(PurposeId, Mark)> =
            marks(form, state).into_iter().filter(|(_, mark)| mark.asks_the_family()).collect();
        if waiting.is_empty() {
            continue;
        }
        for contact in contacts.get(&student.student).into_iter().flatten() {
            let invitation = match (contact.enrolled, contact.invited_until) {
                (true, _) => InvitationStatus::Used,
                (false, Some(until)) if until >= now => InvitationStatus::Sent,
                (false, Some(_)) => InvitationStatus::Expired,
                (false, None) => InvitationStatus::None,
            };
            rows.push(FamilyToAsk {
                student: student.student.clone(),
                student_name: student.name.clone(),
                class: student.class.clone(),
                waiting: waiting.clone(),
                role: contact.role,
                name: contact.name.clone(),
                email: contact.email.clone(),
                invitation,
                last_reminded: last_reminded.get(&contact.person).copied(),
            });
        }
    }
    Ok(NotAnswered { rows })
}

/// `GET /v1/console/letters[?class=…]`: the letters page (`verifier::letters`) for every
/// invitation of `class` (or of every class) that can still enrol at `now` — the same letters
/// `verifier invite --letters` printed, with the same codes (DPO and director).
pub fn letters(
    archive: &Archive,
    caller: &Caller,
    class: Option<&str>,
    now: Timestamp,
) -> Result<String, ConsoleError> {
    require(caller.body().may_print_letters(), "only the DPO and the director print families' letters")?;
    if let Some(class) = class {
        require(caller.body().may_see_class(class), "your certificate does not cover this class")?;
    }
    let form = archive.current_form()?.ok_or(ArchiveError::NoForm)?;
    let consent_page = archive.consent_page()?.ok_or(ConsoleError::NoConsentPage)?;
    let letters: Vec<crate::letters::Letter> =
        archive.printable_invitations(class, now)?.iter().map(crate::letters::Letter::from).collect();
    Ok(crate::letters::page(form.body(), &consent_page, &letters)?)
}

/// Refuses, before anything is read or sent, a caller who may not have the school write to
/// families (`POST /v1/console/remind`).
pub fn may_remind(caller: &Caller) -> Result<(), ConsoleError> {
    require(caller.body().may_remind_families(), "only the DPO and the director send reminders to families")
}

/// `GET /v1/console/photo-check`: who in `class` may appear in what is published for `purpose` on
/// `date` (`YYYY-MM-DD`), audited at the end of that day, or at `now` if that is earlier.
pub fn photo_check(
    archive: &Archive,
    caller: &Caller,
    class: &str,
    purpose: &str,
    date: &str,
    now: Timestamp,
) -> Result<PhotoCheck, ConsoleError> {
    require(caller.body().may_see_class(class), "your certificate does not cover this class")?;
    let day: chrono::NaiveDate =
        date.parse().map_err(|_| ConsoleError::BadQuery(format!("{date:?} is not a date like 2026-05-14")))?;
    let end = day.and_hms_opt(23, 59, 59).and_then(|t| Timestamp::from_unix(t.and_utc().timestamp()));
    let at = end.map_or(now, |end| end.min(now));
    let audit = archive.audit_purpose(purpose, at, Some(class))?;
    let form = archive.current_form()?.ok_or(ArchiveError::NoForm)?;
    let title = form
        .body()
        .purposes
        .iter()
        .find(|p| p.id == audit.purpose)
        .map(|p| p.title.clone())
        .ok_or_else(|| ConsoleError::BadQuery(format!("no purpose {purpose:?} in the form in force")))?;
    let mut rows: Vec<PhotoRow> = audit
        .rows
        .iter()
        .map(|row| PhotoRow {
            student: row.student.student.clone(),
            name: row.student.name.clone(),
            mark: Mark::of(&row.state),
            on_paper: !row.state.paper.is_empty(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(PhotoCheck {
        class: class.to_owned(),
        purpose: PurposeName { id: audit.purpose, title },
        date: day.to_string(),
        at,
        rows,
    })
}

/// `GET /v1/console/requests`: every rights request with its decision and who made it (DPO and
/// director).
pub fn requests(archive: &Archive, caller: &Caller) -> Result<Requests, ConsoleError> {
    require(caller.body().may_handle_requests(), "only the DPO and the director handle rights requests")?;
    let students: BTreeMap<StudentId, StudentRecord> =
        archive.student_records()?.into_iter().map(|s| (s.student.clone(), s)).collect();
    let names: BTreeMap<_, String> = archive.family_contacts()?.into_iter().map(|c| (c.person, c.name)).collect();
    let mut rows = Vec::new();
    for request in archive.requests()? {
        let student = students.get(&request.student);
        let decision = request
            .decision
            .as_ref()
            .map(|decision| {
                Ok::<_, ArchiveError>(DecisionSummary {
                    outcome: decision.outcome,
                    reason: decision.reason.clone(),
                    decided: decision.decided,
                    by: staff_who_decided(archive, decision)?,
                })
            })
            .transpose()?;
        rows.push(RequestSummary {
            request: request.hash,
            student_name: student.map(|s| s.name.clone()).unwrap_or_default(),
            class: student.map(|s| s.class.clone()).unwrap_or_default(),
            requester: names.get(&request.person).cloned().unwrap_or_default(),
            student: request.student,
            right: request.right,
            purposes: request.purposes,
            role: request.role,
            text: request.text,
            received: request.received,
            deadline: request.deadline,
            decision,
        });
    }
    Ok(Requests { rows })
}

/// The name of the staff member whose signed decision `decision` carries out.
fn staff_who_decided(archive: &Archive, decision: &RequestDecision) -> Result<Option<String>, ArchiveError> {
    let Some(staff) = decision.staff_decision else { return Ok(None) };
    let Some(bytes) = archive.logged_object(staff, StaffDecision::KIND)? else { return Ok(None) };
    let named = shared::decode::<StaffDecision>(&bytes).stored("staff decision")?.unverified_body().certificate;
    staff_named(archive, named)
}

/// The name of the staff member whose logged certificate is `certificate`: also when it has
/// since been revoked, since what they signed before stays theirs.
fn staff_named(archive: &Archive, certificate: Digest) -> Result<Option<String>, ArchiveError> {
    let Some(bytes) = archive.logged_object(certificate, StaffCertificate::KIND)? else { return Ok(None) };
    let certificate = archive.trust().staff_certificate(&bytes).stored("staff certificate")?;
    archive.staff_name(certificate.body())
}

/// `GET /v1/console/students?class=…`: the students of a class the caller may see.
pub fn students(archive: &Archive, caller: &Caller, class: &str) -> Result<Students, ConsoleError> {
    require(caller.body().may_see_class(class), "your certificate does not cover this class")?;
    let rows = archive
        .student_records()?
        .into_iter()
        .filter(|s| s.class == class)
        .map(|s| StudentName { student: s.student, name: s.name, class: s.class })
        .collect();
    Ok(Students { rows })
}

/// `GET /v1/console/student?id=…`: one student's decisions over time (DPO and director).
pub fn student(archive: &Archive, caller: &Caller, id: &str, now: Timestamp) -> Result<StudentHistory, ConsoleError> {
    require(caller.body().may_read_records(), "only the DPO and the director read a student's record")?;
    let id = StudentId::try_from(id).map_err(|e| ConsoleError::BadQuery(e.to_string()))?;
    let record = archive
        .student_records()?
        .into_iter()
        .find(|s| s.student == id)
        .ok_or_else(|| ConsoleError::BadQuery(format!("no student {id}")))?;
    let states = archive.class_states(Some(&record.class), now)?;
    let current = states
        .rows
        .iter()
        .find(|(s, _)| s.student == id)
        .and_then(|(_, state)| states.form.as_ref().map(|form| standing(form, state)))
        .unwrap_or_default();
    let contacts = archive.family_contacts()?;
    let names: BTreeMap<String, String> = contacts.iter().map(|c| (c.person.to_string(), c.name.clone())).collect();
    let family = contacts
        .into_iter()
        .filter(|c| c.student == id)
        .map(|c| FamilyMember { person: c.person, role: c.role, name: c.name })
        .collect();
    let forms: BTreeMap<_, u32> = archive.forms()?.into_iter().map(|(f, _)| (f.hash(), f.body().version)).collect();
    let mut events = Vec::new();
    for entry in archive.student_log(&id)? {
        let Some(bytes) = entry.bytes.as_deref() else { continue };
        let corrupt = |e: shared::OpenError| ArchiveError::Corrupt(format!("entry {}: {e}", entry.index));
        let by = entry.person.as_ref().and_then(|p| names.get(p).cloned());
        match entry.kind.as_str() {
            ConsentReceipt::KIND => {
                let receipt = shared::decode::<ConsentReceipt>(bytes).map_err(corrupt)?;
                let body = receipt.unverified_body();
                let kind = EventKind::Receipt {
                    form_version: forms.get(&body.form).copied().unwrap_or_default(),
                    decisions: body.decisions.iter().map(|(purpose, decision)| (purpose.clone(), *decision)).collect(),
                };
                events.push(Event {
                    index: entry.index,
                    logged: entry.logged_at,
                    what: kind,
                    by,
                    role: Some(body.role),
                });
            }
            PaperRecord::KIND => {
                let slip = shared::decode::<PaperRecord>(bytes).map_err(corrupt)?;
                let body = slip.unverified_body();
                let signers = body
                    .signers
                    .iter()
                    .map(|s| (s.role, names.get(s.person.as_str()).cloned().unwrap_or_default()))
                    .collect();
                let kind = EventKind::Paper {
                    signed_on: body.signed_on.to_string(),
                    signers,
                    decisions: body.decisions.iter().map(|(purpose, decision)| (purpose.clone(), *decision)).collect(),
                };
                events.push(Event {
                    index: entry.index,
                    logged: entry.logged_at,
                    what: kind,
                    by: staff_named(archive, body.certificate)?,
                    role: None,
                });
            }
            RightsRequest::KIND => {
                let request = shared::decode::<RightsRequest>(bytes).map_err(corrupt)?;
                let body = request.unverified_body();
                events.push(Event {
                    index: entry.index,
                    logged: entry.logged_at,
                    what: EventKind::Request { right: body.right },
                    by,
                    role: Some(body.role),
                });
            }
            RequestDecision::KIND => {
                let decision = shared::decode::<RequestDecision>(bytes).map_err(corrupt)?;
                let body = decision.unverified_body();
                events.push(Event {
                    index: entry.index,
                    logged: entry.logged_at,
                    what: EventKind::Decision { outcome: body.outcome },
                    by: staff_who_decided(archive, body)?,
                    role: None,
                });
            }
            _ => {}
        }
    }
    Ok(StudentHistory {
        birth_date: record.birth_date.to_string(),
        student: StudentName { student: record.student, name: record.name, class: record.class },
        now: current,
        family,
        form: states.form.as_ref().map(|form| form.hash()),
        events,
    })
}

/// `GET /v1/console/export?student=…`: the student's proof bundle (DPO and director).
pub fn export(archive: &Archive, caller: &Caller, id: &str) -> Result<Vec<u8>, ConsoleError> {
    require(caller.body().may_read_records(), "only the DPO and the director export proof bundles")?;
    let id = StudentId::try_from(id).map_err(|e| ConsoleError::BadQuery(e.to_string()))?;
    Ok(archive.export(&id)?)
}
