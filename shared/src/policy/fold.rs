//! The state of every purpose for one student at an instant, folded from verified receipts in log order.
//!
//! The rules, in the order they are applied:
//! 1. Only receipts for this student, logged at or before the instant, count. A receipt seen
//!    twice counts once. Each signer's receipts form a chain (`previous`); a receipt that does not
//!    extend its signer's chain — an old receipt replayed, or a fork — is ignored and reported.
//! 2. Each signer's latest decision on a purpose supersedes their earlier ones.
//! 3. Only signers whose role the age rules require at the instant count (see [`Signers`]).
//! 4. If any counted signer's latest decision is a withdrawal or refusal, the purpose is not in
//!    effect: either one withdrawing ends it.
//! 5. Otherwise the purpose is in effect when every required role has granted against the same
//!    form version (the current one if any grant is on it); if not, it waits for the missing roles.
//! 6. A purpose not in effect for which a grant was made before the student last crossed an age
//!    threshold needs re-confirmation; a grant against a superseded form needs re-consent.
//!
//! Each signer's state depends only on their own receipts, and rules 3–6 combine those states
//! without regard to order, so the result is the same for every interleaving of signers that keeps
//! each signer's own order.

use super::age::{last_threshold, required_signers, Signers};
use crate::envelope::Signed;
use crate::ids::{PersonId, PurposeId, StudentId};
use crate::objects::{ConsentForm, ConsentReceipt, Decision, Role};
use crate::primitives::Digest;
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// What the fold needs to know about the student and the school.
#[derive(Debug, Clone, Copy)]
pub struct FoldContext<'a> {
    /// The student.
    pub student: &'a StudentId,
    /// Their date of birth.
    pub birth_date: NaiveDate,
    /// The form version in force: its policy and purposes, and the hash grants are compared to.
    pub form: &'a Signed<ConsentForm>,
}

/// A receipt as the log holds it.
#[derive(Debug, Clone, Copy)]
pub struct LoggedReceipt<'a> {
    /// The verified receipt.
    pub receipt: &'a Signed<ConsentReceipt>,
    /// The person behind the signer's certificate (stable across their devices).
    pub signer: &'a PersonId,
    /// The archive's time for it (from its acknowledgement).
    pub logged_at: Timestamp,
}

/// Where a purpose stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Nobody who must decide has decided anything.
    NotAnswered,
    /// Some required signers granted; these roles have not (on the same form version).
    Waiting {
        /// The roles still to grant.
        for_roles: Vec<Role>,
    },
    /// Every required signer granted against `form`.
    InEffect {
        /// The form version all grants answered.
        form: Digest,
        /// When the last required grant was logged.
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
    /// A grant was given before the student crossed an age threshold and no longer suffices.
    pub needs_reconfirmation: bool,
    /// A counted grant answered a form version that has since been superseded.
    pub form_superseded: bool,
}

/// Why a receipt did not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoredReason {
    /// It is about another student.
    OtherStudent,
    /// The same receipt appeared earlier in the log.
    Duplicate,
    /// It does not extend its signer's chain: replayed, or forked from an older receipt.
    BrokenChain {
        /// The signer's latest receipt at that point (`None`: they had none).
        expected: Option<Digest>,
        /// What the receipt named as previous.
        got: Option<Digest>,
    },
}

/// A receipt the fold did not count, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// The receipt's hash.
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

/// One signer's latest decision on one purpose.
#[derive(Debug, Clone, Copy)]
struct Latest {
    role: Role,
    decision: Decision,
    form: Digest,
    logged_at: Timestamp,
    receipt: Digest,
}

/// Folds `receipts` (in log order) into the state of every purpose at `at`.
pub fn consent_state<'a>(
    context: FoldContext<'_>,
    receipts: impl IntoIterator<Item = LoggedReceipt<'a>>,
    at: Timestamp,
) -> ConsentState {
    let (latest, mut ignored) = latest_decisions(context.student, receipts, at);
    ignored.sort_by_key(|i| i.receipt);
    let form = context.form.body();
    let required = required_signers(&form.policy, context.birth_date, at.date());
    let threshold = last_threshold(&form.policy, context.birth_date, at.date());
    let current = context.form.hash();
    let purposes = form
        .purposes
        .iter()
        .map(|purpose| {
            let decisions: Vec<Latest> =
                latest.get(&purpose.id).map(|m| m.values().copied().collect()).unwrap_or_default();
            (purpose.id.clone(), purpose_state(&decisions, required, threshold, current))
        })
        .collect();
    ConsentState { required, purposes, ignored }
}

/// Rules 1 and 2: each signer's latest decision per purpose, and the receipts that did not count.
fn latest_decisions<'a>(
    student: &StudentId,
    receipts: impl IntoIterator<Item = LoggedReceipt<'a>>,
    at: Timestamp,
) -> (BTreeMap<PurposeId, BTreeMap<PersonId, Latest>>, Vec<Ignored>) {
    let mut latest: BTreeMap<PurposeId, BTreeMap<PersonId, Latest>> = BTreeMap::new();
    let mut heads: BTreeMap<&PersonId, Digest> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut ignored = Vec::new();
    for logged in receipts.into_iter().filter(|r| r.logged_at <= at) {
        let body = logged.receipt.body();
        let hash = logged.receipt.hash();
        let expected = heads.get(logged.signer).copied();
        let reason = if &body.student != student {
            Some(IgnoredReason::OtherStudent)
        } else if !seen.insert(hash) {
            Some(IgnoredReason::Duplicate)
        } else if body.previous != expected {
            Some(IgnoredReason::BrokenChain { expected, got: body.previous })
        } else {
            None
        };
        if let Some(reason) = reason {
            ignored.push(Ignored { receipt: hash, reason });
            continue;
        }
        heads.insert(logged.signer, hash);
        for (purpose, decision) in &body.decisions {
            let entry = Latest {
                role: body.role,
                decision: *decision,
                form: body.form,
                logged_at: logged.logged_at,
                receipt: hash,
            };
            latest.entry(purpose.clone()).or_default().insert(logged.signer.clone(), entry);
        }
    }
    (latest, ignored)
}

/// Rules 3 to 6 for one purpose, given every signer's latest decision on it.
fn purpose_state(
    decisions: &[Latest],
    required: Signers,
    threshold: Option<NaiveDate>,
    current: Digest,
) -> PurposeState {
    let counted: Vec<&Latest> = decisions.iter().filter(|d| required.includes(d.role)).collect();
    let status = status(&counted, required, current);
    let waiting = matches!(status, Status::NotAnswered | Status::Waiting { .. });
    let granted_under_other_rules =
        |d: &Latest| d.decision == Decision::Grant && threshold.is_some_and(|crossed| d.logged_at.date() < crossed);
    PurposeState {
        needs_reconfirmation: waiting && decisions.iter().any(granted_under_other_rules),
        form_superseded: counted.iter().any(|d| d.decision == Decision::Grant && d.form != current),
        status,
    }
}

fn status(counted: &[&Latest], required: Signers, current: Digest) -> Status {
    let by_time = |d: &&&Latest| (d.logged_at, d.receipt);
    if let Some(ending) = counted.iter().filter(|d| d.decision != Decision::Grant).max_by_key(by_time) {
        return match ending.decision {
            Decision::Withdraw => Status::Withdrawn { by: ending.role, at: ending.logged_at },
            _ => Status::Refused { by: ending.role },
        };
    }
    // Every counted decision is now a grant.
    let Some(newest) = counted.iter().max_by_key(by_time) else {
        return Status::NotAnswered;
    };
    let form = if counted.iter().any(|d| d.form == current) { current } else { newest.form };
    let on_form = |role: Role| counted.iter().filter(move |d| d.role == role && d.form == form);
    let for_roles: Vec<Role> =
        required.roles().iter().copied().filter(|role| on_form(*role).next().is_none()).collect();
    if !for_roles.is_empty() {
        return Status::Waiting { for_roles };
    }
    // The consent took effect when the last role to grant first granted.
    let since = required.roles().iter().filter_map(|role| on_form(*role).map(|d| d.logged_at).min()).max();
    match since {
        Some(since) => Status::InEffect { form, since },
        None => Status::NotAnswered,
    }
}
