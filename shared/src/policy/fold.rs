//! The state of every purpose for one student at an instant, folded from verified receipts.
//!
//! The rules, in the order they are applied:
//! 1. A receipt counts only if it is about this student, was logged at or before the instant, and
//!    answers a known form version; a receipt seen twice counts once.
//! 2. Each signer's receipts form a chain through `previous`. Chains are followed by their links,
//!    not by log position. A receipt whose `previous` is not among the signer's receipts is ignored
//!    and reported. If a chain forks (two devices signed from the same head), a withdrawal or
//!    refusal on any branch wins over a grant: a fork can never bring a consent back.
//! 3. Along a signer's chain, a later decision on a purpose supersedes an earlier one. A run of
//!    grants collects every form version the signer granted since their last refusal or withdrawal.
//! 4. When the student crosses an age threshold the rules change, so decisions logged before the
//!    latest threshold no longer count; a grant among them flags the purpose for re-confirmation.
//! 5. Only signers whose role the age rules require at the instant count (see [`Signers`]).
//! 6. If any counted signer's current decision is a withdrawal or refusal, the purpose is not in
//!    effect: either one withdrawing ends it.
//! 7. Otherwise the purpose is in effect when, for some form version, every required role has a
//!    signer who granted that version (the current version is preferred); if not, it waits.
//!    A consent in effect only under a superseded version is flagged for re-consent.
//!
//! Each signer's state depends only on their own receipts and links, and rules 5–7 combine those
//! states without regard to order, so the result is the same for every interleaving of signers.
//!
//! **Paper slips** ([`LoggedPaper`]) count for each person who signed the slip, from the slip's
//! date: on every branch of that person's chain a slip's decisions take their place among the
//! device-signed ones by time (a device decision logged on the slip's day or later comes after
//! it), so a later device-signed withdrawal always overrides a slip, and a slip dated after a
//! device decision overrides that. Rule 1 applies to slips as to receipts; a slip counts from
//! when it was logged, never before. A state that rests on a slip names it
//! ([`PurposeState::paper`]), so that everything showing it can say "on paper".

use super::age::{last_threshold, required_signers, Signers};
use crate::envelope::Signed;
use crate::ids::{PersonId, PurposeId, StudentId};
use crate::lists::map_of;
use crate::objects::{Acknowledgement, ConsentForm, ConsentReceipt, Decision, EnrolmentCertificate, PaperRecord, Role};
use crate::primitives::Digest;
use crate::time::Timestamp;
use crate::trust::Signer;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// What the fold needs to know about the student and the school.
#[derive(Debug, Clone, Copy)]
pub struct FoldContext<'a> {
    /// The student.
    pub student: &'a StudentId,
    /// Their date of birth.
    pub birth_date: NaiveDate,
    /// Every published form version, oldest first; the last one is in force. Its policy and
    /// purposes apply; grants of any other version listed here count as grants of a superseded one.
    pub forms: &'a [Signed<ConsentForm>],
}

/// A receipt as the log holds it: with the certificate of its signer and the archive's
/// acknowledgement, from which the fold takes the signer's role and person and the time.
#[derive(Debug, Clone, Copy)]
pub struct LoggedReceipt<'a> {
    receipt: &'a Signed<ConsentReceipt>,
    person: &'a PersonId,
    role: Role,
    logged_at: Timestamp,
}

/// Why a receipt, its certificate and its acknowledgement do not belong together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// A field of the receipt does not match the certificate or acknowledgement.
    #[error("the receipt's `{0}` does not match its certificate or acknowledgement")]
    Mismatch(&'static str),
}

impl<'a> LoggedReceipt<'a> {
    /// Links a receipt to its signer's certificate and its acknowledgement, checking that the
    /// certificate is the one the receipt names, its key signed the receipt, the role, student and
    /// school agree, and the acknowledgement is for this receipt.
    ///
    /// The certificate and the acknowledgement must have been verified through the chain of trust
    /// (archive key delegated by the school's root key); that is the verifier's part.
    pub fn new(
        receipt: &'a Signed<ConsentReceipt>,
        certificate: &'a Signed<EnrolmentCertificate>,
        acknowledgement: &Signed<Acknowledgement>,
    ) -> Result<LoggedReceipt<'a>, LinkError> {
        let (body, cert, ack) = (receipt.body(), certificate.body(), acknowledgement.body());
        Signer::of_receipt(receipt).agrees_with(certificate).map_err(|mismatch| LinkError::Mismatch(mismatch.field))?;
        if ack.school != body.school {
            return Err(LinkError::Mismatch("school"));
        }
        if ack.object != receipt.hash() {
            return Err(LinkError::Mismatch("acknowledgement"));
        }
        Ok(LoggedReceipt { receipt, person: &cert.person, role: cert.role, logged_at: ack.server_time })
    }

    /// The receipt.
    pub fn receipt(&self) -> &'a Signed<ConsentReceipt> {
        self.receipt
    }

    /// When the archive logged it.
    pub fn logged_at(&self) -> Timestamp {
        self.logged_at
    }
}

/// A paper slip as the log holds it, with the archive's acknowledgement (which gives the time
/// it was logged). Its staff signature must have been verified through the chain of trust
/// (staff certificate, archive key, root key); that is the verifier's part.
#[derive(Debug, Clone, Copy)]
pub struct LoggedPaper<'a> {
    record: &'a Signed<PaperRecord>,
    logged_at: Timestamp,
}

impl<'a> LoggedPaper<'a> {
    /// Links a slip to its acknowledgement, checking that the acknowledgement is for this slip.
    pub fn new(
        record: &'a Signed<PaperRecord>,
        acknowledgement: &Signed<Acknowledgement>,
    ) -> Result<LoggedPaper<'a>, LinkError> {
        let ack = acknowledgement.body();
        if ack.school != record.body().school {
            return Err(LinkError::Mismatch("school"));
        }
        if ack.object != record.hash() {
            return Err(LinkError::Mismatch("acknowledgement"));
        }
        Ok(LoggedPaper { record, logged_at: ack.server_time })
    }

    /// The record.
    pub fn record(&self) -> &'a Signed<PaperRecord> {
        self.record
    }

    /// When the archive logged it.
    pub fn logged_at(&self) -> Timestamp {
        self.logged_at
    }
}

/// Where a purpose stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Nobody who must decide has decided anything (that still counts).
    NotAnswered,
    /// Some required signers granted; these roles have not (on the same form version).
    Waiting {
        /// The roles still to grant.
        for_roles: Vec<Role>,
    },
    /// Every required role granted `form`.
    InEffect {
        /// The form version all required roles granted.
        form: Digest,
        /// When the last required role first granted it in an unbroken run of grants.
        since: Timestamp,
    },
    /// A required signer refused.
    Refused {
        /// Their role.
        by: Role,
    },
    /// A required signer withdrew.
    Withdrawn {
        /// Their role.
        by: Role,
        /// When the withdrawal was logged.
        at: Timestamp,
    },
}

/// The state of one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeState {
    /// Where it stands.
    pub status: Status,
    /// A grant was given before the student crossed an age threshold and must be confirmed anew.
    pub needs_reconfirmation: bool,
    /// The consent rests on a superseded form version: the school should ask for re-consent.
    pub form_superseded: bool,
    /// The paper slips this state rests on (a grant counted, or the refusal or withdrawal that
    /// decides it), by hash; empty when every decision behind it was signed on a device.
    pub paper: BTreeSet<Digest>,
}

/// Why a receipt did not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoredReason {
    /// It is about another student.
    OtherStudent,
    /// The same receipt appeared earlier in the log.
    Duplicate,
    /// It answers a form version that is not among the published ones.
    UnknownForm(Digest),
    /// Its `previous` is not one of its signer's receipts: the chain is broken.
    BrokenChain {
        /// What the receipt named as previous.
        previous: Digest,
    },
}

/// A receipt or paper slip the fold did not count, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// The receipt's (or slip's) hash.
    pub receipt: Digest,
    /// Why.
    pub reason: IgnoredReason,
}

/// The state of every purpose of the current form for one student at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    /// Who must sign at the instant.
    pub required: Signers,
    /// One entry per purpose of the current form.
    pub purposes: BTreeMap<PurposeId, PurposeState>,
    /// Receipts that did not count, sorted by hash.
    pub ignored: Vec<Ignored>,
}

/// One signer's standing on one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Standing {
    /// Granting, since their last refusal or withdrawal: each version granted, with when it was
    /// first granted, and the paper slips among those grants.
    Granting { forms: BTreeMap<Digest, Timestamp>, paper: BTreeSet<Digest> },
    /// Their latest decision is a refusal or withdrawal, signed on a device or (`paper`) on a slip.
    Ended { decision: Decision, at: Timestamp, receipt: Digest, paper: bool },
}

/// One decision of a person in their own sequence: a receipt they signed, or a slip they signed
/// on paper, at the instant it takes effect (a receipt's logging, a slip's date).
#[derive(Debug, Clone, Copy)]
struct Step<'a> {
    decisions: &'a BTreeMap<PurposeId, Decision>,
    form: Digest,
    role: Role,
    at: Timestamp,
    hash: Digest,
    paper: bool,
}

impl<'a> Step<'a> {
    fn of_receipt(logged: &LoggedReceipt<'a>) -> Step<'a> {
        let body = logged.receipt.body();
        Step {
            decisions: &body.decisions,
            form: body.form,
            role: logged.role,
            at: logged.logged_at,
            hash: logged.receipt.hash(),
            paper: false,
        }
    }
}

/// A signer's standings, split by the latest age threshold.
#[derive(Debug, Default)]
struct SignerPurpose {
    role: Option<Role>,
    /// From decisions logged since the threshold: these count.
    current: Option<Standing>,
    /// A grant logged before the threshold was the signer's standing then.
    granted_before_threshold: bool,
}

/// Folds `receipts` and paper slips (`papers`) into the state of every purpose at `at`.
pub fn consent_state<'a>(
    context: FoldContext<'_>,
    receipts: impl IntoIterator<Item = LoggedReceipt<'a>>,
    papers: impl IntoIterator<Item = LoggedPaper<'a>>,
    at: Timestamp,
) -> ConsentState {
    let Some(current_form) = context.forms.last() else {
        return ConsentState { required: Signers::Guardian, purposes: BTreeMap::new(), ignored: Vec::new() };
    };
    let form = current_form.body();
    let required = required_signers(&form.policy, context.birth_date, at.date());
    let threshold = last_threshold(&form.policy, context.birth_date, at.date());
    let known_forms: BTreeMap<Digest, &ConsentForm> = map_of(context.forms.iter().map(|f| (f.hash(), f.body())));

    let (by_signer, mut ignored) = admitted(context.student, &known_forms, receipts, at);
    let (on_paper, paper_ignored) = admitted_paper(context.student, &known_forms, papers, at);
    ignored.extend(paper_ignored);
    let mut people: BTreeSet<&PersonId> = by_signer.keys().copied().collect();
    people.extend(on_paper.keys().copied());
    let mut standings: BTreeMap<&PurposeId, Vec<SignerPurpose>> = BTreeMap::new();
    for person in people {
        let (chain_branches, broken) = by_signer.get(person).map(branches).unwrap_or_default();
        ignored.extend(broken);
        let slips = on_paper.get(person).map(Vec::as_slice).unwrap_or_default();
        let branches = with_slips(chain_branches, slips);
        for purpose in &form.purposes {
            let standing = signer_standing(&branches, &purpose.id, threshold, &known_forms);
            standings.entry(&purpose.id).or_default().push(standing);
        }
    }
    ignored.sort_by_key(|i| i.receipt);

    let purposes = map_of(form.purposes.iter().map(|purpose| {
        let signers = standings.get(&purpose.id).map(Vec::as_slice).unwrap_or_default();
        (purpose.id.clone(), purpose_state(signers, required, current_form.hash()))
    }));
    ConsentState { required, purposes, ignored }
}

/// Rule 1: the receipts that may count, grouped by signer, and those that may not.
fn admitted<'a>(
    student: &StudentId,
    known_forms: &BTreeMap<Digest, &ConsentForm>,
    receipts: impl IntoIterator<Item = LoggedReceipt<'a>>,
    at: Timestamp,
) -> (BTreeMap<&'a PersonId, BTreeMap<Digest, LoggedReceipt<'a>>>, Vec<Ignored>) {
    let mut by_signer: BTreeMap<&PersonId, BTreeMap<Digest, LoggedReceipt<'a>>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut ignored = Vec::new();
    for logged in receipts.into_iter().filter(|r| r.logged_at <= at) {
        let body = logged.receipt.body();
        let hash = logged.receipt.hash();
        match not_admitted(student, known_forms, &mut seen, (&body.student, body.form, hash)) {
            Some(reason) => ignored.push(Ignored { receipt: hash, reason }),
            None => {
                by_signer.entry(logged.person).or_default().insert(hash, logged);
            }
        }
    }
    (by_signer, ignored)
}

/// Rule 1 for one receipt or slip — (its student, its form version, its hash) — given the
/// hashes `seen` before it: why it may not count, if it may not.
fn not_admitted(
    student: &StudentId,
    known_forms: &BTreeMap<Digest, &ConsentForm>,
    seen: &mut BTreeSet<Digest>,
    (about, form, hash): (&StudentId, Digest, Digest),
) -> Option<IgnoredReason> {
    if about != student {
        Some(IgnoredReason::OtherStudent)
    } else if !seen.insert(hash) {
        Some(IgnoredReason::Duplicate)
    } else if !known_forms.contains_key(&form) {
        Some(IgnoredReason::UnknownForm(form))
    } else {
        None
    }
}

/// Rule 1 for paper slips: the steps of each person who signed a slip that may count, in time
/// order, and the slips that may not.
fn admitted_paper<'a>(
    student: &StudentId,
    known_forms: &BTreeMap<Digest, &ConsentForm>,
    papers: impl IntoIterator<Item = LoggedPaper<'a>>,
    at: Timestamp,
) -> (BTreeMap<&'a PersonId, Vec<Step<'a>>>, Vec<Ignored>) {
    let mut by_person: BTreeMap<&PersonId, Vec<Step<'a>>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut ignored = Vec::new();
    for logged in papers.into_iter().filter(|p| p.logged_at <= at) {
        let body = logged.record.body();
        let hash = logged.record.hash();
        if let Some(reason) = not_admitted(student, known_forms, &mut seen, (&body.student, body.form, hash)) {
            ignored.push(Ignored { receipt: hash, reason });
            continue;
        }
        for signer in &body.signers {
            let step = Step {
                decisions: &body.decisions,
                form: body.form,
                role: signer.role,
                at: body.effective(),
                hash,
                paper: true,
            };
            by_person.entry(&signer.person).or_default().push(step);
        }
    }
    for steps in by_person.values_mut() {
        steps.sort_by_key(|step| (step.at, step.hash));
    }
    (by_person, ignored)
}

/// A person's slips, placed among the steps of each branch of their chain by time; a device
/// decision at the same instant as a slip comes after it. Without a chain, the slips alone.
fn with_slips<'a>(branches: Vec<Vec<Step<'a>>>, slips: &[Step<'a>]) -> Vec<Vec<Step<'a>>> {
    if branches.is_empty() {
        return vec![slips.to_vec()];
    }
    branches
        .into_iter()
        .map(|branch| {
            let mut merged = Vec::with_capacity(branch.len() + slips.len());
            let (mut device, mut paper) = (branch.into_iter().peekable(), slips.iter().copied().peekable());
            loop {
                let take_paper = match (device.peek(), paper.peek()) {
                    (Some(d), Some(p)) => p.at <= d.at,
                    (None, Some(_)) => true,
                    (_, None) => false,
                };
                match if take_paper { paper.next() } else { device.next() } {
                    Some(step) => merged.push(step),
                    None => break,
                }
            }
            merged
        })
        .collect()
}

/// Rule 2: every branch of a signer's chain, root first, and the receipts that hang from nothing.
fn branches<'a>(chain: &BTreeMap<Digest, LoggedReceipt<'a>>) -> (Vec<Vec<Step<'a>>>, Vec<Ignored>) {
    let mut children: BTreeMap<Option<Digest>, Vec<Digest>> = BTreeMap::new();
    for (hash, logged) in chain {
        children.entry(logged.receipt.body().previous).or_default().push(*hash);
    }
    // Walk from the roots (no previous); every receipt reached is linked, the rest are broken.
    let mut linked = BTreeSet::new();
    let mut paths = Vec::new();
    let mut stack: Vec<Vec<Digest>> = children.get(&None).into_iter().flatten().map(|root| vec![*root]).collect();
    while let Some(path) = stack.pop() {
        let Some(tip) = path.last().copied() else { continue };
        linked.insert(tip);
        match children.get(&Some(tip)) {
            Some(next) => {
                stack.extend(next.iter().filter(|n| !path.contains(n)).map(|n| [path.clone(), vec![*n]].concat()))
            }
            None => paths.push(path),
        }
    }
    let broken = chain
        .iter()
        .filter(|(hash, _)| !linked.contains(*hash))
        .filter_map(|(hash, logged)| {
            let previous = logged.receipt.body().previous?;
            Some(Ignored { receipt: *hash, reason: IgnoredReason::BrokenChain { previous } })
        })
        .collect();
    let branches = paths
        .into_iter()
        .map(|path| path.iter().filter_map(|h| chain.get(h)).map(Step::of_receipt).collect())
        .collect();
    (branches, broken)
}

/// Rules 2–4 for one signer and one purpose: their standing since the threshold, over all branches.
fn signer_standing(
    branches: &[Vec<Step<'_>>],
    purpose: &PurposeId,
    threshold: Option<NaiveDate>,
    known_forms: &BTreeMap<Digest, &ConsentForm>,
) -> SignerPurpose {
    let mut result = SignerPurpose::default();
    let mut per_branch = Vec::new();
    for branch in branches {
        let mut current: Option<Standing> = None;
        let mut before: Option<Standing> = None;
        for step in branch {
            let Some(decision) = step.decisions.get(purpose) else { continue };
            // A decision on a purpose its own form version lacks carries no meaning.
            if known_forms.get(&step.form).is_none_or(|f| f.purpose(purpose).is_none()) {
                continue;
            }
            result.role = Some(step.role);
            let counts = threshold.is_none_or(|crossed| step.at.date() >= crossed);
            let slot = if counts { &mut current } else { &mut before };
            *slot = Some(apply(slot.take(), *decision, step));
        }
        result.granted_before_threshold |= matches!(before, Some(Standing::Granting { .. }));
        per_branch.push(current);
    }
    result.current = merge_branches(per_branch);
    result
}

/// One decision applied to a signer's standing.
fn apply(standing: Option<Standing>, decision: Decision, step: &Step<'_>) -> Standing {
    let (mut forms, mut paper) = match (decision, standing) {
        (Decision::Grant, Some(Standing::Granting { forms, paper })) => (forms, paper),
        (Decision::Grant, _) => Default::default(),
        (ending, _) => {
            return Standing::Ended { decision: ending, at: step.at, receipt: step.hash, paper: step.paper };
        }
    };
    forms.entry(step.form).or_insert(step.at);
    if step.paper {
        paper.insert(step.hash);
    }
    Standing::Granting { forms, paper }
}

/// A fork never lets a grant win over an ending: the latest ending on any branch wins; otherwise
/// only versions granted on every branch count, from the earliest time on any of them.
fn merge_branches(branches: Vec<Option<Standing>>) -> Option<Standing> {
    let decided: Vec<Standing> = branches.into_iter().flatten().collect();
    let latest_end = decided
        .iter()
        .filter_map(|s| match s {
            Standing::Ended { at, receipt, .. } => Some(((*at, *receipt), s)),
            Standing::Granting { .. } => None,
        })
        .max_by_key(|(key, _)| *key);
    if let Some((_, ending)) = latest_end {
        return Some(ending.clone());
    }
    decided.into_iter().reduce(|a, b| match (a, b) {
        (Standing::Granting { forms: a, paper: mut paper_a }, Standing::Granting { forms: b, paper: paper_b }) => {
            paper_a.extend(paper_b);
            let forms = map_of(a.iter().filter_map(|(form, t)| b.get(form).map(|u| (*form, (*t).min(*u)))));
            Standing::Granting { forms, paper: paper_a }
        }
        (other, _) => other,
    })
}

/// Rules 5–7 for one purpose, given every signer's standing on it.
fn purpose_state(signers: &[SignerPurpose], required: Signers, current: Digest) -> PurposeState {
    let counted: Vec<(Role, &Standing)> = signers
        .iter()
        .filter_map(|s| Some((s.role?, s.current.as_ref()?)))
        .filter(|(role, _)| required.includes(*role))
        .collect();
    let status = status(&counted, required, current);
    let undecided = matches!(status, Status::NotAnswered | Status::Waiting { .. });
    let form_superseded = match &status {
        Status::InEffect { form, .. } => *form != current,
        Status::Waiting { .. } => {
            counted.iter().any(|(_, s)| matches!(s, Standing::Granting { forms, .. } if !forms.contains_key(&current)))
        }
        _ => false,
    };
    let paper = match latest_ending(&counted) {
        Some(ending) => ending.paper.then_some(ending.receipt).into_iter().collect(),
        None => counted
            .iter()
            .flat_map(|(_, s)| match s {
                Standing::Granting { paper, .. } => paper.iter().copied().collect(),
                Standing::Ended { .. } => Vec::new(),
            })
            .collect(),
    };
    PurposeState {
        needs_reconfirmation: undecided && signers.iter().any(|s| s.granted_before_threshold),
        form_superseded,
        paper,
        status,
    }
}

/// The refusal or withdrawal that decides a purpose (rule 6): the latest among the counted
/// signers' endings.
struct Ending {
    at: Timestamp,
    receipt: Digest,
    by: Role,
    decision: Decision,
    paper: bool,
}

fn latest_ending(counted: &[(Role, &Standing)]) -> Option<Ending> {
    counted
        .iter()
        .filter_map(|(role, s)| match s {
            Standing::Ended { decision, at, receipt, paper } => {
                Some(Ending { at: *at, receipt: *receipt, by: *role, decision: *decision, paper: *paper })
            }
            Standing::Granting { .. } => None,
        })
        .max_by_key(|ending| (ending.at, ending.receipt))
}

fn status(counted: &[(Role, &Standing)], required: Signers, current: Digest) -> Status {
    if let Some(Ending { at, by, decision, .. }) = latest_ending(counted) {
        return match decision {
            Decision::Withdraw => Status::Withdrawn { by, at },
            _ => Status::Refused { by },
        };
    }
    if counted.is_empty() {
        return Status::NotAnswered;
    }
    // When each required role first granted `form`, if every one of them did.
    let granted_by_all = |form: &Digest| -> Option<Timestamp> {
        required
            .roles()
            .iter()
            .map(|role| {
                counted
                    .iter()
                    .filter(|(r, _)| r == role)
                    .filter_map(|(_, s)| match s {
                        Standing::Granting { forms, .. } => forms.get(form).copied(),
                        Standing::Ended { .. } => None,
                    })
                    .min()
            })
            .collect::<Option<Vec<Timestamp>>>()
            .and_then(|times| times.into_iter().max())
    };
    // By insertion, not `collect` (see `crate::lists`).
    let mut candidates = BTreeSet::new();
    candidates.extend(counted.iter().flat_map(|(_, s)| match s {
        Standing::Granting { forms, .. } => forms.keys().copied().collect::<Vec<_>>(),
        Standing::Ended { .. } => Vec::new(),
    }));
    let in_effect = std::iter::once(current)
        .chain(candidates.iter().copied())
        .find_map(|form| granted_by_all(&form).map(|since| (form, since)));
    if let Some((form, since)) = in_effect {
        return Status::InEffect { form, since };
    }
    let granted_any = |role: &&Role| counted.iter().any(|(r, _)| r == *role);
    let for_roles: Vec<Role> = required.roles().iter().filter(|role| !granted_any(role)).copied().collect();
    // Every role granted, but not one common version: those on older versions must grant again.
    let for_roles = if for_roles.is_empty() {
        let on_current = |role: &&Role| {
            counted.iter().any(|(r, s)| {
                r == *role && matches!(s, Standing::Granting { forms, .. } if forms.contains_key(&current))
            })
        };
        required.roles().iter().filter(|role| !on_current(role)).copied().collect()
    } else {
        for_roles
    };
    Status::Waiting { for_roles }
}
