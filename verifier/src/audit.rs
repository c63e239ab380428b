//! Audit queries: the state of a purpose for each student of a class (or the school) at an
//! instant — who may appear in the photo, who refused or withdrew, who has not answered, who needs
//! re-confirmation — and the rights requests with their deadlines.
//!
//! Every receipt is verified again through the chain of trust before it is folded, so an audit
//! never rests on a row that was altered after it was written; and every query of one audit reads
//! one consistent snapshot of the archive.

use crate::archive::{read, Archive, ArchiveError, LogEntry, Stored, StudentRecord};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use rayon::prelude::*;
use rusqlite::Connection;
use shared::ids::{PersonId, PurposeId, StudentId};
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, Outcome, PaperRecord, RequestDecision, Right,
    RightsRequest, Role, StaffCertificate,
};
use shared::policy::{
    consent_state, rights_deadline, ConsentState, FoldContext, LoggedPaper, LoggedReceipt, PurposeState,
};
use shared::primitives::Digest;
use shared::trust::{TrustStore, Verified};
use shared::{Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;

/// One student's line in a purpose audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// The student.
    pub student: StudentRecord,
    /// The purpose's state for them, from the entries the archive holds.
    pub state: PurposeState,
    /// Entries of their record lost when an older copy of the database was restored and not
    /// given back yet: then `state` may not be what the family decided, and the student may not
    /// be included.
    pub lost: usize,
}

/// The answer to "who in class C may be included in purpose P at instant T?".
#[derive(Debug, Clone)]
pub struct PurposeAudit {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its English title in the form in force at that instant.
    pub title: String,
    /// The instant asked about.
    pub at: Timestamp,
    /// The class asked about, or every class.
    pub class: Option<String>,
    /// One row per student, by class and name.
    pub rows: Vec<AuditRow>,
}

/// Why an audit cannot be answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The form in force then has no such purpose.
    #[error("the form in force then has no purpose `{purpose}`; its purposes are: {known}")]
    UnknownPurpose {
        /// The purpose asked about.
        purpose: String,
        /// The purposes it has.
        known: String,
    },
    /// No student is in that class.
    #[error("no student is in class `{0}`")]
    UnknownClass(String),
    /// No form had been published at that instant.
    #[error("no consent form had been published by {0}")]
    NoFormThen(Timestamp),
    /// The archive failed, or an object in it no longer verifies.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// A rights request with its deadline and, if any, the school's decision.
#[derive(Debug, Clone)]
pub struct RequestRow {
    /// The request's hash, by which `verifier decide` names it.
    pub hash: Digest,
    /// The student concerned.
    pub student: StudentId,
    /// The right exercised.
    pub right: Right,
    /// The purposes concerned; empty for all processing of the student's data.
    pub purposes: Vec<PurposeId>,
    /// Who asked: their pseudonymous id and capacity.
    pub person: PersonId,
    /// Guardian or student.
    pub role: Role,
    /// The requester's own words.
    pub text: String,
    /// When the archive received it.
    pub received: Timestamp,
    /// When the answer is due, under the policy in force when it arrived (GDPR art. 12(3)).
    pub deadline: Timestamp,
    /// The decision, if made.
    pub decision: Option<RequestDecision>,
}

impl RequestRow {
    /// Undecided after its deadline.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.decision.is_none() && now > self.deadline
    }

    /// Decided, but after its deadline.
    pub fn decided_late(&self) -> bool {
        self.decision.as_ref().is_some_and(|d| d.decided > self.deadline)
    }
}

/// What [`Archive::class_states`] found.
#[derive(Debug)]
pub struct ClassStates {
    /// The form version in force at the instant, if any.
    pub form: Option<Verified<ConsentForm>>,
    /// Each student with the state of every purpose.
    pub rows: Vec<(StudentRecord, ConsentState)>,
}

impl Archive {
    /// Every form version published by `at`, oldest first, as the fold takes them.
    fn forms_by(&self, conn: &Connection, at: Timestamp) -> Result<Vec<Verified<ConsentForm>>, ArchiveError> {
        read::entries_of_kind(conn, ConsentForm::KIND)?
            .into_iter()
            .filter(|entry| entry.logged_at <= at)
            .filter_map(|entry| entry.bytes)
            .map(|bytes| self.trust().form(&bytes).stored("form"))
            .collect()
    }

    /// The state of every purpose for `student` at `at`, under the form versions in force then.
    pub fn consent_state(&self, student: &StudentId, at: Timestamp) -> Result<ConsentState, ArchiveError> {
        let snapshot = self.snapshot()?;
        let forms = self.forms_by(&snapshot, at)?;
        let logged = StudentLog::read(&snapshot, student, at)?;
        logged.fold(self.trust(), self.archive_key(), student, None, &forms, at)
    }

    /// Who in `class` (or the whole school) may be included in `purpose` at `at`, under the form
    /// version in force at `at`.
    pub fn audit_purpose(&self, purpose: &str, at: Timestamp, class: Option<&str>) -> Result<PurposeAudit, AuditError> {
        self.ensure_whole()?;
        let snapshot = self.snapshot()?;
        let forms = self.forms_by(&snapshot, at)?;
        let current = forms.last().ok_or(AuditError::NoFormThen(at))?;
        let known = || current.body().purposes.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
        let unknown = || AuditError::UnknownPurpose { purpose: purpose.to_owned(), known: known() };
        let id = PurposeId::try_from(purpose).map_err(|_| unknown())?;
        let title = current.body().purpose(&id).ok_or_else(unknown)?.title.en.clone();
        let students = read::students(&snapshot, class)?;
        if let (Some(class), true) = (class, students.is_empty()) {
            return Err(AuditError::UnknownClass(class.to_owned()));
        }
        let mut rows = Vec::new();
        for (student, mut state, lost) in self.fold_students(&snapshot, students, &forms, at)? {
            let purpose_state = state.purposes.remove(&id).ok_or_else(unknown)?;
            rows.push(AuditRow { student, state: purpose_state, lost });
        }
        Ok(PurposeAudit { purpose: id, title, at, class: class.map(str::to_owned), rows })
    }

    /// The state of every purpose at `at` for each student of `class` (or of the whole school),
    /// by the same re-verifying fold as [`Archive::audit_purpose`], with the form version in
    /// force then; `None` for the form when none was published by `at`.
    pub fn class_states(&self, class: Option<&str>, at: Timestamp) -> Result<ClassStates, AuditError> {
        self.ensure_whole()?;
        let snapshot = self.snapshot()?;
        let forms = self.forms_by(&snapshot, at)?;
        let students = read::students(&snapshot, class)?;
        let rows = self
            .fold_students(&snapshot, students, &forms, at)?
            .into_iter()
            .map(|(student, state, _)| (student, state))
            .collect();
        Ok(ClassStates { form: forms.last().cloned(), rows })
    }

    /// Each student's log read on this thread, which holds the snapshot, then verified and folded
    /// on every core; with how many of their entries were lost in a restore.
    fn fold_students(
        &self,
        snapshot: &Connection,
        students: Vec<StudentRecord>,
        forms: &[Verified<ConsentForm>],
        at: Timestamp,
    ) -> Result<Vec<(StudentRecord, ConsentState, usize)>, ArchiveError> {
        let logs = students
            .iter()
            .map(|student| StudentLog::read(snapshot, &student.student, at))
            .collect::<Result<Vec<_>, _>>()?;
        let lost: Vec<usize> = logs.iter().map(StudentLog::lost).collect();
        let (trust, key) = (self.trust(), self.archive_key());
        let states: Vec<Result<ConsentState, ArchiveError>> = students
            .par_iter()
            .zip(logs)
            .map(|(student, log)| log.fold(trust, key, &student.student, Some(student.birth_date), forms, at))
            .collect();
        students.into_iter().zip(states).zip(lost).map(|((student, state), lost)| Ok((student, state?, lost))).collect()
    }

    /// Every rights request, oldest first, verified again, with its deadline and decision.
    pub fn requests(&self) -> Result<Vec<RequestRow>, ArchiveError> {
        let snapshot = self.snapshot()?;
        let forms = read::entries_of_kind(&snapshot, ConsentForm::KIND)?;
        let mut rows = Vec::new();
        for entry in read::entries_of_kind(&snapshot, RightsRequest::KIND)? {
            let Some(bytes) = entry.bytes.as_deref() else { continue };
            let corrupt = |e: String| ArchiveError::Corrupt(format!("request at entry {}: {e}", entry.index));
            let certificate_hash = shared::decode::<RightsRequest>(bytes)
                .map_err(|e| corrupt(e.to_string()))?
                .unverified_body()
                .certificate;
            let certificate = read::object_bytes(&snapshot, certificate_hash, EnrolmentCertificate::KIND)?
                .ok_or_else(|| corrupt("its certificate is missing".into()))?;
            let certificate = self.trust().certificate(&certificate).map_err(|e| corrupt(e.to_string()))?;
            let request = self.trust().request(bytes, &certificate).map_err(|e| corrupt(e.to_string()))?;
            let body = request.body().clone();
            let decision = read::decision_for(&snapshot, entry.hash)?
                .map(|bytes: Vec<u8>| self.trust().decision(&bytes).map(|d| d.body().clone()))
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?;
            // The policy of the form version in force when the request arrived.
            let form = forms
                .iter()
                .filter(|f| f.index < entry.index)
                .filter_map(|f| f.bytes.as_deref())
                .next_back()
                .ok_or(ArchiveError::NoForm)?;
            let policy = self.trust().form(form).map_err(|e| corrupt(e.to_string()))?.body().policy.clone();
            let deadline = rights_deadline(&policy, entry.logged_at).unwrap_or(entry.logged_at);
            rows.push(RequestRow {
                hash: entry.hash,
                student: body.student,
                right: body.right,
                purposes: body.purposes,
                person: certificate.body().person.clone(),
                role: body.role,
                text: body.text,
                received: entry.logged_at,
                deadline,
                decision,
            });
        }
        Ok(rows)
    }
}

/// One student's log entries as of an instant (certificates, and receipts and paper slips
/// logged by then), with their acknowledgements and the staff certificates of whoever recorded
/// the slips: everything an audit reads, so that folding needs no database.
struct StudentLog {
    entries: Vec<LogEntry>,
    acknowledgements: BTreeMap<Digest, Vec<u8>>,
    staff: BTreeMap<Digest, Vec<u8>>,
}

impl StudentLog {
    fn read(conn: &Connection, student: &StudentId, at: Timestamp) -> Result<StudentLog, ArchiveError> {
        let entries: Vec<LogEntry> = read::student_entries(conn, student.as_str())?
            .into_iter()
            .filter(|entry| entry.kind == EnrolmentCertificate::KIND || entry.logged_at <= at)
            .collect();
        let mut acknowledgements = BTreeMap::new();
        let mut staff = BTreeMap::new();
        for entry in
            entries.iter().filter(|entry| [ConsentReceipt::KIND, PaperRecord::KIND].contains(&entry.kind.as_str()))
        {
            if let Some(ack) = read::acknowledgement(conn, entry.hash)? {
                acknowledgements.insert(entry.hash, ack);
            }
            if let (PaperRecord::KIND, Some(bytes)) = (entry.kind.as_str(), entry.bytes.as_deref()) {
                let recorder = shared::decode::<PaperRecord>(bytes)
                    .map_err(|e| ArchiveError::Corrupt(format!("paper slip at entry {}: {e}", entry.index)))?
                    .unverified_body()
                    .certificate;
                if let Some(certificate) = read::object_bytes(conn, recorder, StaffCertificate::KIND)? {
                    staff.insert(recorder, certificate);
                }
            }
        }
        Ok(StudentLog { entries, acknowledgements, staff })
    }

    /// How many of these entries were lost in a restore and not given back yet.
    fn lost(&self) -> usize {
        self.entries.iter().filter(|entry| entry.lost).count()
    }

    /// The fold over the student's receipts, each verified again with its certificate and
    /// acknowledgement (the archive's own signature, checked by signing again). The date of birth
    /// comes from the latest certificate (a roster correction re-enrols), else from
    /// `fallback_birth` (the roster).
    fn fold(
        &self,
        trust: &TrustStore,
        archive_key: &SigningKey,
        student: &StudentId,
        fallback_birth: Option<NaiveDate>,
        forms: &[Verified<ConsentForm>],
        at: Timestamp,
    ) -> Result<ConsentState, ArchiveError> {
        let corrupt = |what: String| ArchiveError::Corrupt(what);
        let mut certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>> = BTreeMap::new();
        let mut birth_date = fallback_birth;
        let mut linked = Vec::new();
        let mut slips = Vec::new();
        let by_hash: BTreeMap<Digest, &Verified<ConsentForm>> = forms.iter().map(|f| (f.hash(), f)).collect();
        for entry in &self.entries {
            let Some(bytes) = entry.bytes.as_deref() else { continue };
            let fail = |e: String| corrupt(format!("entry {} ({}): {e}", entry.index, entry.kind));
            match entry.kind.as_str() {
                EnrolmentCertificate::KIND => {
                    let certificate = trust.certificate(bytes).map_err(|e| fail(e.to_string()))?;
                    birth_date = Some(certificate.body().student_birth_date);
                    certificates.insert(certificate.hash(), certificate);
                }
                ConsentReceipt::KIND if entry.logged_at <= at => {
                    let unverified = shared::decode::<ConsentReceipt>(bytes).map_err(|e| fail(e.to_string()))?;
                    let body = unverified.unverified_body();
                    let certificate =
                        certificates.get(&body.certificate).ok_or_else(|| fail("its certificate is missing".into()))?;
                    // A receipt answering a version published after `at` cannot have been logged by then.
                    let Some(form) = by_hash.get(&body.form) else { continue };
                    let receipt =
                        trust.decoded_receipt(unverified, certificate, form).map_err(|e| fail(e.to_string()))?;
                    let ack =
                        self.acknowledgements.get(&entry.hash).ok_or_else(|| fail("no acknowledgement".into()))?;
                    let ack: Verified<Acknowledgement> =
                        trust.own_acknowledgement(ack, archive_key).map_err(|e| fail(e.to_string()))?;
                    linked.push((receipt, certificate.clone(), ack));
                }
                PaperRecord::KIND if entry.logged_at <= at => {
                    let recorder = shared::decode::<PaperRecord>(bytes).map_err(|e| fail(e.to_string()))?;
                    let recorder = recorder.unverified_body();
                    let Some(form) = by_hash.get(&recorder.form) else { continue };
                    let staff = self
                        .staff
                        .get(&recorder.certificate)
                        .ok_or_else(|| fail("its recorder's staff certificate is missing".into()))?;
                    let staff = trust.staff_certificate(staff).map_err(|e| fail(e.to_string()))?;
                    let record =
                        trust.paper_record(bytes, &staff, form, entry.logged_at).map_err(|e| fail(e.to_string()))?;
                    let ack =
                        self.acknowledgements.get(&entry.hash).ok_or_else(|| fail("no acknowledgement".into()))?;
                    let ack: Verified<Acknowledgement> =
                        trust.own_acknowledgement(ack, archive_key).map_err(|e| fail(e.to_string()))?;
                    slips.push((record, ack));
                }
                _ => {}
            }
        }
        let birth_date = birth_date.ok_or_else(|| corrupt(format!("no date of birth for student {student}")))?;
        let forms: Vec<Signed<ConsentForm>> = forms.iter().map(|form| form.signed().clone()).collect();
        let context = FoldContext { student, birth_date, forms: &forms };
        let logged = linked
            .iter()
            .map(|(receipt, certificate, ack)| LoggedReceipt::new(receipt.signed(), certificate.signed(), ack.signed()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        let slips = slips
            .iter()
            .map(|(record, ack)| LoggedPaper::new(record.signed(), ack.signed()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(consent_state(context, logged, slips, at))
    }
}

/// A short, plain label of a purpose state for reports.
pub fn label(state: &PurposeState) -> String {
    use shared::policy::Status;
    let role = |r: &Role| r.name();
    let main = match &state.status {
        Status::InEffect { .. } => "allowed".to_owned(),
        Status::NotAnswered => "not answered".to_owned(),
        Status::Waiting { for_roles } => {
            format!("waiting for {}", for_roles.iter().map(role).collect::<Vec<_>>().join(" and "))
        }
        Status::Refused { by } => format!("refused by {}", role(by)),
        Status::Withdrawn { by, at } => format!("withdrawn by {} on {}", role(by), at.date()),
    };
    let mut flags = Vec::new();
    if state.needs_reconfirmation {
        flags.push("needs re-confirmation");
    }
    if state.form_superseded {
        flags.push("form changed: ask again");
    }
    if !state.paper.is_empty() {
        flags.push("on paper");
    }
    if flags.is_empty() {
        main
    } else {
        format!("{main} ({})", flags.join("; "))
    }
}

/// The outcome as a word.
pub fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Granted => "granted",
        Outcome::Refused => "refused",
    }
}
