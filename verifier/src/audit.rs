//! Audit queries: the state of a purpose for each student of a class (or the school) at an
//! instant — who may appear in the photo, who refused or withdrew, who has not answered, who needs
//! re-confirmation — and the rights requests with their deadlines.
//!
//! Every receipt is verified again through the chain of trust before it is folded, so an audit
//! never rests on a row that was altered after it was written.

use crate::archive::{read, Archive, ArchiveError, StudentRecord};
use crate::trust::Verified;
use shared::ids::{PurposeId, StudentId};
use shared::objects::{
    Acknowledgement, ConsentForm, ConsentReceipt, EnrolmentCertificate, Outcome, RequestDecision, Right, RightsRequest,
};
use shared::policy::{consent_state, rights_deadline, ConsentState, FoldContext, LoggedReceipt, PurposeState};
use shared::primitives::Digest;
use shared::{Signed, SignedObject, Timestamp};
use std::collections::BTreeMap;

/// One student's line in a purpose audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// The student.
    pub student: StudentRecord,
    /// The purpose's state for them.
    pub state: PurposeState,
}

/// The answer to "who in class C may be included in purpose P at instant T?".
#[derive(Debug, Clone)]
pub struct PurposeAudit {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its English title in the form in force.
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
    /// The form in force has no such purpose.
    #[error("the form has no purpose `{purpose}`; its purposes are: {known}")]
    UnknownPurpose {
        /// The purpose asked about.
        purpose: String,
        /// The purposes it has.
        known: String,
    },
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
    /// The requester's own words.
    pub text: String,
    /// When the archive received it.
    pub received: Timestamp,
    /// When the answer is due (GDPR art. 12(3): one month by default).
    pub deadline: Timestamp,
    /// The decision, if made.
    pub decision: Option<RequestDecision>,
}

impl RequestRow {
    /// Undecided after its deadline.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.decision.is_none() && now > self.deadline
    }
}

impl Archive {
    /// Every published form version, as the fold takes them.
    fn signed_forms(&self) -> Result<Vec<Signed<ConsentForm>>, ArchiveError> {
        Ok(self.forms()?.iter().map(|f| f.signed().clone()).collect())
    }

    /// The state of every purpose for `student` at `at`, from the receipts in the log, each
    /// verified again with its certificate and acknowledgement.
    pub fn consent_state(&self, student: &StudentRecord, at: Timestamp) -> Result<ConsentState, ArchiveError> {
        let forms = self.signed_forms()?;
        self.state_with_forms(student, &forms, at)
    }

    fn state_with_forms(
        &self,
        student: &StudentRecord,
        forms: &[Signed<ConsentForm>],
        at: Timestamp,
    ) -> Result<ConsentState, ArchiveError> {
        let corrupt = |what: String| ArchiveError::Corrupt(what);
        let entries = read::student_entries(self.conn(), student.student.as_str())?;
        let mut certificates: BTreeMap<Digest, Verified<EnrolmentCertificate>> = BTreeMap::new();
        let mut receipts = Vec::new();
        for entry in entries.iter().filter(|e| e.bytes.is_some()) {
            let bytes = entry.bytes.as_deref().unwrap_or_default();
            match entry.kind.as_str() {
                EnrolmentCertificate::KIND => {
                    let certificate =
                        self.trust().certificate(bytes).map_err(|e| corrupt(format!("entry {}: {e}", entry.index)))?;
                    certificates.insert(certificate.hash(), certificate);
                }
                ConsentReceipt::KIND => receipts.push(entry),
                _ => {}
            }
        }
        let by_hash: BTreeMap<Digest, &Signed<ConsentForm>> = forms.iter().map(|f| (f.hash(), f)).collect();
        let mut linked = Vec::new();
        for entry in receipts {
            let bytes = entry.bytes.as_deref().unwrap_or_default();
            let fail = |e: String| corrupt(format!("receipt at entry {}: {e}", entry.index));
            let unverified = shared::decode::<ConsentReceipt>(bytes).map_err(|e| fail(e.to_string()))?;
            let body = unverified.unverified_body();
            let certificate =
                certificates.get(&body.certificate).ok_or_else(|| fail("its certificate is missing".into()))?;
            let form = by_hash.get(&body.form).ok_or_else(|| fail("its form is missing".into()))?;
            let form = self.trust().form(form.bytes()).map_err(|e| fail(e.to_string()))?;
            let receipt = self.trust().receipt(bytes, certificate, &form).map_err(|e| fail(e.to_string()))?;
            let ack_bytes =
                read::acknowledgement(self.conn(), receipt.hash())?.ok_or_else(|| fail("no acknowledgement".into()))?;
            let ack: Verified<Acknowledgement> =
                self.trust().acknowledgement(&ack_bytes).map_err(|e| fail(e.to_string()))?;
            linked.push((receipt, certificate.clone(), ack));
        }
        let birth_date = certificates.values().next().map_or(student.birth_date, |c| c.body().student_birth_date);
        let context = FoldContext { student: &student.student, birth_date, forms };
        let logged = linked
            .iter()
            .map(|(receipt, certificate, ack)| LoggedReceipt::new(receipt.signed(), certificate.signed(), ack.signed()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(consent_state(context, logged, at))
    }

    /// Who in `class` (or the whole school) may be included in `purpose` at `at`.
    pub fn audit_purpose(&self, purpose: &str, at: Timestamp, class: Option<&str>) -> Result<PurposeAudit, AuditError> {
        let forms = self.signed_forms()?;
        let current = forms.last().ok_or(ArchiveError::NoForm)?;
        let known = || current.body().purposes.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
        let unknown = || AuditError::UnknownPurpose { purpose: purpose.to_owned(), known: known() };
        let id = PurposeId::try_from(purpose).map_err(|_| unknown())?;
        let title = current.body().purpose(&id).ok_or_else(unknown)?.title.en.clone();
        let mut rows = Vec::new();
        for student in read::students(self.conn(), class)? {
            let mut state = self.state_with_forms(&student, &forms, at)?;
            let purpose_state = state.purposes.remove(&id).ok_or_else(unknown)?;
            rows.push(AuditRow { student, state: purpose_state });
        }
        Ok(PurposeAudit { purpose: id, title, at, class: class.map(str::to_owned), rows })
    }

    /// Every rights request, oldest first, with its deadline and decision.
    pub fn requests(&self) -> Result<Vec<RequestRow>, ArchiveError> {
        let policy = self.current_form()?.ok_or(ArchiveError::NoForm)?.body().policy.clone();
        let mut rows = Vec::new();
        for entry in read::entries_of_kind(self.conn(), RightsRequest::KIND)? {
            let Some(bytes) = entry.bytes.as_deref() else { continue };
            let corrupt = |e: String| ArchiveError::Corrupt(format!("request at entry {}: {e}", entry.index));
            let request = shared::decode::<RightsRequest>(bytes).map_err(|e| corrupt(e.to_string()))?;
            let body = request.unverified_body().clone();
            let decision = read::decision_for(self.conn(), entry.hash)?
                .map(|bytes: Vec<u8>| self.trust().decision(&bytes).map(|d| d.body().clone()))
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?;
            let deadline = rights_deadline(&policy, entry.logged_at).unwrap_or(entry.logged_at);
            rows.push(RequestRow {
                hash: entry.hash,
                student: body.student,
                right: body.right,
                text: body.text,
                received: entry.logged_at,
                deadline,
                decision,
            });
        }
        Ok(rows)
    }
}

/// A short, plain label of a purpose state for reports.
pub fn label(state: &PurposeState) -> String {
    use shared::objects::Role;
    use shared::policy::Status;
    let role = |r: &Role| match r {
        Role::Guardian => "guardian",
        Role::Student => "student",
    };
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
