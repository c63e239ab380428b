//! What the staff console and the service say to each other under `/v1/console/…`: the
//! answers' shapes, and the marks a purpose's state is shown with. Here, not in either side,
//! so that the console (wasm) and the verifier decode and encode the same types.
//!
//! Every call but `POST /v1/console/enrol` carries `Authorization: Staff <base64url of a signed
//! staff-request/1>` answering a challenge from `GET /v1/challenge`, for exactly that method,
//! path and query, and body (see [`crate::objects::StaffRequest`]). Names and contacts appear
//! only in these answers, joined by the service from its personal-data tables; the log holds
//! pseudonymous ids alone.

use crate::ids::{PersonId, PurposeId, StudentId};
use crate::objects::{Localized, Outcome, Right, Role, StaffRole};
use crate::policy::{PurposeState, Status};
use crate::primitives::Digest;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The scheme of the `Authorization` header that carries a signed staff request.
pub const AUTHORIZATION_SCHEME: &str = "Staff";

/// `GET /v1/console/me`: who the certificate says the caller is, and what they may pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The staff member's pseudonymous id.
    pub person: PersonId,
    /// Their name, from their invitation.
    pub name: String,
    /// Their role.
    pub role: StaffRole,
    /// The classes they may see: a teacher's own, or every class of the school.
    pub classes: Vec<String>,
    /// The purposes of the form in force, for the photo check's picker.
    pub purposes: Vec<PurposeName>,
}

/// A purpose's id and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeName {
    /// Its id.
    pub id: PurposeId,
    /// Its title in each language.
    pub title: Localized,
}

/// `GET /v1/console/overview`: the school (or a teacher's classes) at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// One row per class the caller may see, sorted.
    pub classes: Vec<ClassSummary>,
    /// Per purpose, how many of those students it is in effect for.
    pub purposes: Vec<PurposeSummary>,
    /// The log's size.
    pub log_size: u64,
    /// When the archive signed its latest checkpoint.
    pub last_checkpoint: Option<Timestamp>,
    /// When `verifier check` last passed on this archive.
    pub last_check: Option<Timestamp>,
}

/// One class's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// The class.
    pub class: String,
    /// Its students.
    pub students: u32,
    /// Students with at least one invitation sent.
    pub invited: u32,
    /// Students for whom nothing more is needed from the family ([`answered`]).
    pub answered: u32,
    /// The others: the "not answered" list.
    pub not_answered: u32,
}

/// One purpose's share in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeSummary {
    /// The purpose.
    pub purpose: PurposeName,
    /// Students it is in effect for now.
    pub in_effect: u32,
    /// Students counted.
    pub students: u32,
}

/// How a purpose stands for one student, as the console marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Every required signer agreed, and nothing asks them again.
    Allowed,
    /// Nobody who must decide has decided.
    NotAnswered,
    /// The guardian agreed; the student (14–17) has not yet.
    WaitingForStudent,
    /// The student agreed; a guardian has not yet.
    WaitingForGuardian,
    /// A required signer said no.
    Refused,
    /// A required signer withdrew an earlier yes.
    Withdrawn,
    /// A yes given before an age threshold, or on a superseded form version, that must be
    /// confirmed again: not allowed until it is.
    NeedsReconfirmation,
}

impl Mark {
    /// The one mapping from a purpose's state to its mark. A consent that must be confirmed
    /// again (a birthday threshold, a changed form) is never shown as allowed.
    pub fn of(state: &PurposeState) -> Mark {
        match &state.status {
            Status::InEffect { .. } if state.needs_reconfirmation || state.form_superseded => Mark::NeedsReconfirmation,
            Status::InEffect { .. } => Mark::Allowed,
            Status::NotAnswered => Mark::NotAnswered,
            Status::Waiting { for_roles } if for_roles.contains(&Role::Student) => Mark::WaitingForStudent,
            Status::Waiting { .. } => Mark::WaitingForGuardian,
            Status::Refused { .. } => Mark::Refused,
            Status::Withdrawn { .. } => Mark::Withdrawn,
        }
    }

    /// Whether the family still has to do something for this purpose: nothing is needed after
    /// every required signer has answered, yes or no, on the form in force.
    pub fn asks_the_family(self) -> bool {
        matches!(
            self,
            Mark::NotAnswered | Mark::WaitingForStudent | Mark::WaitingForGuardian | Mark::NeedsReconfirmation
        )
    }
}

/// Whether a student's family has answered: no purpose of the form in force asks them anything.
pub fn answered(marks: &[Mark]) -> bool {
    !marks.iter().any(|mark| mark.asks_the_family())
}

/// `GET /v1/console/not-answered[?format=csv]`: one row per person to contact for a student whose
/// family has not answered, whole-school roles only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAnswered {
    /// The rows, by class, then student name.
    pub rows: Vec<FamilyToAsk>,
}

/// One person to ask, with what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyToAsk {
    /// The student.
    pub student: StudentId,
    /// Their name.
    pub student_name: String,
    /// Their class.
    pub class: String,
    /// The purposes still waiting, with their marks.
    pub waiting: Vec<(PurposeId, Mark)>,
    /// The person's role.
    pub role: Role,
    /// The person's name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// Where their invitation stands.
    pub invitation: InvitationStatus,
    /// When the school last reminded them, by e-mail or on its list.
    pub last_reminded: Option<Timestamp>,
}

/// `POST /v1/console/remind`'s body: remind the people of `class`, or of the whole school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindRequest {
    /// The class; absent for every class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// What `POST /v1/console/remind` did: every reminder is recorded, each person's "last
/// reminded" shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminded {
    /// Reminders e-mailed through the school's SMTP server.
    pub emailed: u32,
    /// Reminders put on the list (no SMTP server configured, no address, no usable link).
    pub listed: u32,
    /// E-mails the server did not take (on the list too).
    pub failed: u32,
    /// Signers the age rules require with nobody on file: they need a first invitation.
    pub uninvited: u32,
    /// The list as CSV (`reminders.csv`), when anything is on it: for the office to send, print
    /// or call.
    pub list: Option<String>,
}

/// Where a person's latest invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// No invitation was signed for them.
    None,
    /// Sent and still usable.
    Sent,
    /// Used: they enrolled a device.
    Used,
    /// Expired unused: send a new one.
    Expired,
}

/// `GET /v1/console/photo-check?class=…&purpose=…&date=YYYY-MM-DD[&format=csv]`: who in a class
/// may appear in what is published for a purpose on a date, computed by the re-verifying audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoCheck {
    /// The class.
    pub class: String,
    /// The purpose.
    pub purpose: PurposeName,
    /// The date asked about.
    pub date: String,
    /// The instant audited: the end of that day, or now if that is earlier.
    pub at: Timestamp,
    /// One row per student, by name.
    pub rows: Vec<PhotoRow>,
}

/// One student in the photo check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRow {
    /// The student.
    pub student: StudentId,
    /// Their name.
    pub name: String,
    /// How the purpose stands for them.
    pub mark: Mark,
    /// Whether that rests on a paper slip ([`PurposeState::paper`]).
    pub on_paper: bool,
}

/// `GET /v1/console/requests`: every rights request, oldest first (DPO and director only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// The requests.
    pub rows: Vec<RequestSummary>,
}

/// One rights request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    /// The request's hash, which a decision names.
    pub request: Digest,
    /// The student.
    pub student: StudentId,
    /// Their name.
    pub student_name: String,
    /// Their class.
    pub class: String,
    /// The right exercised.
    pub right: Right,
    /// The purposes concerned; empty for all processing of the student's data.
    pub purposes: Vec<PurposeId>,
    /// Who asked: their name, as the school knows them (empty if no longer known).
    pub requester: String,
    /// In which capacity.
    pub role: Role,
    /// The request in the requester's words.
    pub text: String,
    /// When the archive logged it.
    pub received: Timestamp,
    /// When the answer is due (the form's policy).
    pub deadline: Timestamp,
    /// The decision, once made.
    pub decision: Option<DecisionSummary>,
}

/// A decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionSummary {
    /// Granted or refused.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
    /// When.
    pub decided: Timestamp,
    /// The name of the staff member who decided, or `None` when the school decided with its
    /// admin token.
    pub by: Option<String>,
}

/// `GET /v1/console/students?class=…`: a class's students, for the student screen's picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Students {
    /// The students, by name.
    pub rows: Vec<StudentName>,
}

/// A student's id, name and class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentName {
    /// The student.
    pub student: StudentId,
    /// Their name.
    pub name: String,
    /// Their class.
    pub class: String,
}

/// `GET /v1/console/student?id=…`: one student's decisions over time (DPO and director only); the
/// bundle is `GET /v1/console/export?student=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentHistory {
    /// The student.
    pub student: StudentName,
    /// Their date of birth, `YYYY-MM-DD`.
    pub birth_date: String,
    /// How each purpose stands now.
    pub now: Vec<PurposeNow>,
    /// The people of the family, by role then name: who may have signed a paper slip.
    pub family: Vec<FamilyMember>,
    /// The hash of the form in force, which a paper slip recorded now names; `None` before the
    /// school published one.
    pub form: Option<Digest>,
    /// Every receipt, paper slip, request and decision about them, in log order.
    pub events: Vec<Event>,
}

/// How one purpose stands for a student, as the student view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeNow {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its mark.
    pub mark: Mark,
    /// Whether the state rests on a paper slip ([`PurposeState::paper`]), which the console
    /// says beside the mark: a slip is a staff member's record, never the family's signature.
    pub on_paper: bool,
}

/// One person of a student's family, as the roster knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyMember {
    /// Their pseudonymous id, which a paper slip's signers name.
    pub person: PersonId,
    /// Guardian or student.
    pub role: Role,
    /// Their name.
    pub name: String,
}

/// One logged object about a student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Its index in the log.
    pub index: u64,
    /// When the log recorded it.
    pub logged: Timestamp,
    /// What it is.
    pub what: EventKind,
    /// Who signed it: a family member's or staff member's name (`None` for the archive acting
    /// on the admin token).
    pub by: Option<String>,
    /// Their role in the family, for a family member's object.
    pub role: Option<Role>,
}

/// What a logged object about a student says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A consent receipt: the form version answered, and each purpose's decision.
    Receipt {
        /// The form version.
        form_version: u32,
        /// `(purpose, decision)` as signed: `grant`, `refuse` or `withdraw`.
        decisions: Vec<(PurposeId, crate::objects::Decision)>,
    },
    /// A paper slip a member of staff recorded (the event's `by` is the recorder, never the
    /// family).
    Paper {
        /// The date written on the slip, `YYYY-MM-DD`.
        signed_on: String,
        /// Who signed the slip: each one's role and name (empty if no longer known).
        signers: Vec<(Role, String)>,
        /// `(purpose, decision)` as the slip says; purposes left blank are not named.
        decisions: Vec<(PurposeId, crate::objects::Decision)>,
    },
    /// A rights request.
    Request {
        /// The right.
        right: Right,
    },
    /// A decision on one.
    Decision {
        /// Granted or refused.
        outcome: Outcome,
    },
}
