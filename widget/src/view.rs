//! What the screens show, computed from a [`Family`] at an instant: one row per purpose with its
//! state and the one control this person may use, the history of decisions, and the rights
//! requests. The components render these values and nothing else.

use crate::family::Family;
use crate::outbox::Outgoing;
use shared::ids::PurposeId;
use shared::objects::{Decision, Outcome, Purpose, Right, Role};
use shared::policy::{consent_state, rights_deadline, FoldContext, LoggedReceipt, Signers, Status};
use shared::primitives::Digest;
use shared::Timestamp;
use std::collections::BTreeMap;

/// The one thing this person can do about a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// A checkbox, unticked until they tick it: they have not granted it (or withdrew it).
    Tick,
    /// A "withdraw" button: they granted it, and withdrawing is one action.
    Withdraw,
    /// Nothing: it is not their decision at the student's age (a guardian of a student of 18+).
    NotTheirs,
}

/// One purpose of the form in force, as this person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeRow {
    /// The purpose, with its texts.
    pub purpose: Purpose,
    /// Where it stands for the student, from every signer's acknowledged receipts.
    pub status: Status,
    /// This person's own latest decision on it and when the school logged it (`None`: queued).
    pub mine: Option<(Decision, Option<Timestamp>)>,
    /// What they can do.
    pub control: Control,
    /// A grant from before an age threshold must be given again.
    pub needs_reconfirmation: bool,
    /// The grant answers an earlier version of the form.
    pub form_superseded: bool,
}

/// One decision in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When the school logged it.
    pub logged_at: Timestamp,
    /// Who signed, in which capacity.
    pub role: Role,
    /// Whether it was this person.
    pub by_me: bool,
    /// The purpose.
    pub purpose: PurposeId,
    /// The decision.
    pub decision: Decision,
    /// The receipt's entry in the school's log.
    pub log_index: u64,
    /// The receipt's hash.
    pub receipt: Digest,
}

/// A rights request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    /// The right exercised.
    pub right: Right,
    /// The requester's words.
    pub text: String,
    /// When the school logged it (`None`: not sent yet).
    pub received: Option<Timestamp>,
    /// The answer is due by then.
    pub deadline: Option<Timestamp>,
    /// The school's decision and reason, once made.
    pub decision: Option<(Outcome, String, Timestamp)>,
}

/// Who must decide for the student at `now`.
pub fn required_signers(family: &Family, now: Timestamp) -> Signers {
    let policy = &family.school().form().body().policy;
    shared::policy::required_signers(policy, family.invitation().student_birth_date, now.date())
}

/// The rows of the consent screen.
pub fn purpose_rows(family: &Family, now: Timestamp) -> Vec<PurposeRow> {
    let history = family.history();
    let form = family.school().form();
    let logged = history.receipts.iter().filter_map(|(receipt, ack)| {
        let certificate =
            history.certificates.iter().chain(family.certificate()).find(|c| c.hash() == receipt.body().certificate)?;
        LoggedReceipt::new(receipt, certificate.signed(), ack.signed()).ok()
    });
    let forms = [form.signed().clone()];
    let student = &family.invitation().student;
    let context = FoldContext { student, birth_date: family.invitation().student_birth_date, forms: &forms };
    let state = consent_state(context, logged, now);
    let mine = my_decisions(family);
    let role = family.invitation().role;
    form.body()
        .purposes
        .iter()
        .map(|purpose| {
            let fold = state.purposes.get(&purpose.id);
            let my = mine.get(&purpose.id).copied();
            let control = if !state.required.includes(role) {
                Control::NotTheirs
            } else if matches!(my, Some((Decision::Grant, _))) {
                Control::Withdraw
            } else {
                Control::Tick
            };
            PurposeRow {
                purpose: purpose.clone(),
                status: fold.map_or(Status::NotAnswered, |f| f.status.clone()),
                mine: my,
                control,
                needs_reconfirmation: fold.is_some_and(|f| f.needs_reconfirmation),
                form_superseded: fold.is_some_and(|f| f.form_superseded),
            }
        })
        .collect()
}

/// This person's latest decision per purpose: acknowledged ones with their log time, then
/// queued ones (not logged yet) over them.
fn my_decisions(family: &Family) -> BTreeMap<PurposeId, (Decision, Option<Timestamp>)> {
    let mut mine = BTreeMap::new();
    let me = family.key();
    for (receipt, ack) in &family.history().receipts {
        if Some(*receipt.signer()) == me {
            for (purpose, decision) in &receipt.body().decisions {
                mine.insert(purpose.clone(), (*decision, Some(ack.body().server_time)));
            }
        }
    }
    for (purpose, decision) in family.device().outbox.pending_decisions() {
        mine.insert(purpose, (decision, None));
    }
    mine
}

/// The decisions to send when the person presses "Sign and send" with `ticked` purposes ticked:
/// a grant for each ticked box, and a refusal for each unticked one they have not already
/// refused or withdrawn — so that a "no" is as provable as a "yes", and nothing is sent twice.
pub fn decisions_to_send(rows: &[PurposeRow], ticked: &[PurposeId]) -> BTreeMap<PurposeId, Decision> {
    rows.iter()
        .filter(|row| row.control == Control::Tick)
        .filter_map(|row| {
            let id = &row.purpose.id;
            if ticked.contains(id) {
                Some((id.clone(), Decision::Grant))
            } else if row.mine.is_none() {
                Some((id.clone(), Decision::Refuse))
            } else {
                None
            }
        })
        .collect()
}

/// Every decision on every acknowledged receipt about the student, newest first.
pub fn history_entries(family: &Family) -> Vec<HistoryEntry> {
    let me = family.key();
    let mut entries: Vec<HistoryEntry> = family
        .history()
        .receipts
        .iter()
        .flat_map(|(receipt, ack)| {
            let ack = ack.body();
            receipt.body().decisions.iter().map(move |(purpose, decision)| HistoryEntry {
                logged_at: ack.server_time,
                role: receipt.body().role,
                by_me: Some(*receipt.signer()) == me,
                purpose: purpose.clone(),
                decision: *decision,
                log_index: ack.log_index,
                receipt: receipt.hash(),
            })
        })
        .collect();
    entries.sort_by(|a, b| b.log_index.cmp(&a.log_index).then(a.purpose.cmp(&b.purpose)));
    entries
}

/// The person's rights requests, oldest first, then those not sent yet.
pub fn request_rows(family: &Family) -> Vec<RequestRow> {
    let policy = &family.school().form().body().policy;
    let me = family.key();
    let mut rows: Vec<RequestRow> = family
        .history()
        .requests
        .iter()
        .filter(|(request, _, _)| Some(*request.signer()) == me)
        .map(|(request, ack, decision)| {
            let received = ack.body().server_time;
            RequestRow {
                right: request.body().right,
                text: request.body().text.clone(),
                received: Some(received),
                deadline: rights_deadline(policy, received),
                decision: decision.as_ref().map(|d| {
                    let d = d.body();
                    (d.outcome, d.reason.clone(), d.decided)
                }),
            }
        })
        .collect();
    for item in family.device().outbox.iter() {
        let queued = match item {
            Outgoing::Rights { right, text, .. } => Some((*right, text.clone())),
            Outgoing::Request { request } => shared::decode::<shared::objects::RightsRequest>(request.as_bytes())
                .ok()
                .map(|e| (e.unverified_body().right, e.unverified_body().text.clone())),
            _ => None,
        };
        if let Some((right, text)) = queued {
            rows.push(RequestRow { right, text, received: None, deadline: None, decision: None });
        }
    }
    rows
}
