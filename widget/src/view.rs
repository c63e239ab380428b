//! What the screens show, computed from a [`Family`] at an instant: one row per purpose with its
//! state, the other signers' decisions and the one control this person may use, the history of
//! decisions, and the rights requests. The components render these values and nothing else.
//!
//! Every decision is explicit (rule 1): a purpose offers "yes" and "no", neither selected, and
//! only the purposes the person answered are signed — silence is never a refusal either, so a
//! second guardian answering one purpose cannot end what the first one granted on another.

use crate::family::Family;
use crate::outbox::Outgoing;
use shared::ids::{PersonId, PurposeId};
use shared::lists::{self, map_of};
use shared::objects::{Decision, Outcome, Purpose, Right, Role, StaffRole};
use shared::policy::{consent_state, rights_deadline, FoldContext, LoggedPaper, LoggedReceipt, Signers, Status};
use shared::primitives::Digest;
use shared::Timestamp;
use std::collections::BTreeMap;

/// The one thing this person can do about a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// "Yes" and "no", neither selected: they have not granted it (they never answered, refused
    /// or withdrew).
    Choose,
    /// A "withdraw" button: the school logged their grant, and withdrawing is one action.
    Withdraw,
    /// Nothing yet: their decision waits on this device to be sent, and is not in effect, so
    /// there is nothing to withdraw; once the school has it, the usual control returns.
    Queued,
    /// Nothing: it is not their decision at the student's age (a guardian of a student of 18+).
    NotTheirs,
}

/// Another signer's latest decision on a purpose, shown before this person decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherDecision {
    /// In which capacity they signed.
    pub role: Role,
    /// What they decided.
    pub decision: Decision,
    /// When it took effect: when the school logged it, or the date on a paper slip.
    pub at: Timestamp,
    /// Whether it was given on a paper slip the school recorded.
    pub paper: bool,
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
    /// Everyone else's latest decision on it, in log order.
    pub others: Vec<OtherDecision>,
    /// What they can do.
    pub control: Control,
    /// A grant from before an age threshold must be given again.
    pub needs_reconfirmation: bool,
    /// The grant answers an earlier version of the form.
    pub form_superseded: bool,
    /// The state rests on a paper slip the school recorded, not only on signatures.
    pub on_paper: bool,
}

/// One signed receipt in the history: who signed it and when, and what it decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryGroup {
    /// When the signer's device signed it (the device's clock, as signed).
    pub signed_at: Timestamp,
    /// When the school logged it.
    pub logged_at: Timestamp,
    /// Who signed, in which capacity.
    pub role: Role,
    /// Whether it was this person.
    pub by_me: bool,
    /// Its decisions, in the order of the form's purposes (those the form no longer has last).
    pub decisions: Vec<(PurposeId, Decision)>,
    /// The receipt's entry in the school's log.
    pub log_index: u64,
    /// The receipt's (or paper slip's) hash.
    pub receipt: Digest,
    /// For a paper slip, who at the school recorded it; `None` for a receipt signed on a device.
    pub paper: Option<StaffRole>,
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
    let slips = history.papers.iter().filter_map(|slip| LoggedPaper::new(slip.record.signed(), slip.ack.signed()).ok());
    let forms = [form.signed().clone()];
    let student = &family.invitation().student;
    let context = FoldContext { student, birth_date: family.invitation().student_birth_date, forms: &forms };
    let state = consent_state(context, logged, slips, now);
    let pending = family.device().outbox.pending_decisions();
    let role = family.invitation().role;
    form.body()
        .purposes
        .iter()
        .map(|purpose| {
            let fold = state.purposes.get(&purpose.id);
            let my = my_decision(family, &pending, &purpose.id);
            let control = if !state.required.includes(role) {
                Control::NotTheirs
            } else if matches!(my, Some((_, None))) {
                Control::Queued
            } else if matches!(my, Some((Decision::Grant, _))) {
                Control::Withdraw
            } else {
                Control::Choose
            };
            PurposeRow {
                purpose: purpose.clone(),
                status: fold.map_or(Status::NotAnswered, |f| f.status.clone()),
                mine: my,
                others: others_decisions(family, &purpose.id),
                control,
                needs_reconfirmation: fold.is_some_and(|f| f.needs_reconfirmation),
                form_superseded: fold.is_some_and(|f| f.form_superseded),
                on_paper: fold.is_some_and(|f| !f.paper.is_empty()),
            }
        })
        .collect()
}

/// This person's latest decision on `purpose`: a queued one (not logged yet, among `pending`)
/// over the latest acknowledged one, which comes with its log time.
///
/// Here and in [`others_decisions`], one purpose at a time through the history's few receipts
/// rather than maps of every purpose: each map type would compile its own B-tree into the
/// widget that parents download.
fn my_decision(
    family: &Family,
    pending: &BTreeMap<PurposeId, Decision>,
    purpose: &PurposeId,
) -> Option<(Decision, Option<Timestamp>)> {
    if let Some(decision) = pending.get(purpose) {
        return Some((*decision, None));
    }
    let me = &family.invitation().person;
    let latest = decisions_on(family, purpose).into_iter().rev().find(|made| made.person == me)?;
    Some((latest.other.decision, Some(latest.other.at)))
}

/// Every other signer's latest decision on `purpose`, in the order they took effect.
fn others_decisions(family: &Family, purpose: &PurposeId) -> Vec<OtherDecision> {
    let me = &family.invitation().person;
    let mut latest: Vec<Made<'_>> = Vec::new();
    for made in decisions_on(family, purpose).into_iter().filter(|made| made.person != me) {
        latest.retain(|earlier| earlier.person != made.person);
        latest.push(made);
    }
    latest.into_iter().map(|made| made.other).collect()
}

/// One decision on a purpose in the student's record, and whose it is.
struct Made<'a> {
    person: &'a PersonId,
    log_index: u64,
    other: OtherDecision,
}

/// Every decision on `purpose` the record holds — signed on a device, or on a paper slip (one per
/// person who signed it) — in the order they took effect, as the fold places them: a device
/// decision at its logging, a slip at the start of the day written on it, before any device
/// decision of the same instant.
fn decisions_on<'a>(family: &'a Family, purpose: &PurposeId) -> Vec<Made<'a>> {
    let history = family.history();
    let mut made: Vec<Made<'a>> = Vec::new();
    for (receipt, ack) in &history.receipts {
        let body = receipt.body();
        let Some(decision) = body.decisions.get(purpose) else { continue };
        let person = history
            .person_of(body.certificate)
            .or_else(|| family.certificate().filter(|c| c.hash() == body.certificate).map(|c| &c.body().person));
        let Some(person) = person else { continue };
        let other = OtherDecision { role: body.role, decision: *decision, at: ack.body().server_time, paper: false };
        made.push(Made { person, log_index: ack.body().log_index, other });
    }
    for slip in &history.papers {
        let body = slip.record.body();
        let Some(decision) = body.decisions.get(purpose) else { continue };
        for signer in &body.signers {
            let other = OtherDecision { role: signer.role, decision: *decision, at: body.effective(), paper: true };
            made.push(Made { person: &signer.person, log_index: slip.ack.body().log_index, other });
        }
    }
    // Both stable: by log index, then by the instant each took effect (a slip first at a tie).
    lists::sort_by_key(&mut made, |m| m.log_index);
    lists::sort_by_key(&mut made, |m| m.other.at.unix().unsigned_abs() * 2 + u64::from(!m.other.paper));
    made
}

/// The decisions "Sign and send" signs when the person answered `answers` (each a grant or a
/// refusal): only the purposes they answered and may decide, and only where the answer changes
/// their own standing — a "no" after their own "no" or withdrawal signs nothing new.
pub fn decisions_to_send(
    rows: &[PurposeRow],
    answers: &BTreeMap<PurposeId, Decision>,
) -> BTreeMap<PurposeId, Decision> {
    map_of(rows.iter().filter(|row| row.control == Control::Choose).filter_map(|row| {
        let answer = *answers.get(&row.purpose.id)?;
        changes_mine(row, answer).then(|| (row.purpose.id.clone(), answer))
    }))
}

/// The decisions set aside that would still change something, as the person's current
/// standing is now: offered again with one button, never signed without it.
pub fn set_aside_decisions(rows: &[PurposeRow], family: &Family) -> BTreeMap<PurposeId, Decision> {
    let Some(set_aside) = &family.device().set_aside else { return BTreeMap::new() };
    map_of(rows.iter().filter_map(|row| {
        let decision = *set_aside.decisions.get(&row.purpose.id)?;
        let allowed = match decision {
            Decision::Withdraw => row.control == Control::Withdraw,
            Decision::Grant | Decision::Refuse => row.control == Control::Choose,
        };
        (allowed && changes_mine(row, decision)).then(|| (row.purpose.id.clone(), decision))
    }))
}

/// Whether `decision` changes this person's own standing on the row's purpose.
fn changes_mine(row: &PurposeRow, decision: Decision) -> bool {
    let ended = |d: Decision| matches!(d, Decision::Refuse | Decision::Withdraw);
    match (row.mine.map(|(d, _)| d), decision) {
        (None, _) => true,
        (Some(mine), decision) if ended(mine) && ended(decision) => false,
        (Some(mine), decision) => mine != decision,
    }
}

/// Every acknowledged receipt about the student, newest first: one group per signature.
pub fn history_groups(family: &Family) -> Vec<HistoryGroup> {
    let purposes = &family.school().form().body().purposes;
    let place = |id: &PurposeId| purposes.iter().position(|p| p.id == *id).unwrap_or(purposes.len()) as u64;
    let mut groups: Vec<HistoryGroup> = family
        .history()
        .receipts
        .iter()
        .map(|(receipt, ack)| {
            let body = receipt.body();
            let mut decisions: Vec<(PurposeId, Decision)> =
                body.decisions.iter().map(|(purpose, decision)| (purpose.clone(), *decision)).collect();
            // Stable, so purposes the form no longer has keep their id order after the others.
            lists::sort_by_key(&mut decisions, |(purpose, _)| place(purpose));
            HistoryGroup {
                signed_at: body.client_time,
                logged_at: ack.body().server_time,
                role: body.role,
                by_me: family.is_mine(body.certificate),
                decisions,
                log_index: ack.body().log_index,
                receipt: receipt.hash(),
                paper: None,
            }
        })
        .collect();
    for slip in &family.history().papers {
        let body = slip.record.body();
        let mut decisions: Vec<(PurposeId, Decision)> =
            body.decisions.iter().map(|(purpose, decision)| (purpose.clone(), *decision)).collect();
        lists::sort_by_key(&mut decisions, |(purpose, _)| place(purpose));
        groups.extend(body.signers.iter().map(|signer| HistoryGroup {
            signed_at: body.effective(),
            logged_at: slip.ack.body().server_time,
            role: signer.role,
            by_me: signer.person == family.invitation().person,
            decisions: decisions.clone(),
            log_index: slip.ack.body().log_index,
            receipt: slip.record.hash(),
            paper: Some(slip.recorded_by),
        }));
    }
    // Newest first; a slip signed by two people is one group each, at the slip's log index.
    lists::sort_by_key(&mut groups, |group| group.log_index);
    groups.reverse();
    groups
}

/// The person's rights requests, oldest first, then those not sent yet.
pub fn request_rows(family: &Family) -> Vec<RequestRow> {
    let policy = &family.school().form().body().policy;
    let mut rows: Vec<RequestRow> = family
        .history()
        .requests
        .iter()
        .filter(|(request, _, _)| family.is_mine(request.body().certificate))
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
