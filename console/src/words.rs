//! The words and symbols for the API's values: each mark with a symbol *and* a word (never
//! colour alone, WCAG 1.4.1), each role, right, outcome and decision with its text.

use crate::texts::Key;
use shared::console::{InvitationStatus, Mark};
use shared::objects::{Decision, Outcome, Right, Role, StaffRole};

/// A mark's symbol (hidden from screen readers, which read the word) and its word.
pub fn mark(mark: Mark) -> (&'static str, Key) {
    match mark {
        Mark::Allowed => ("✓", Key::MarkAllowed),
        Mark::NotAnswered => ("?", Key::MarkNotAnswered),
        Mark::WaitingForStudent => ("…", Key::MarkWaitingForStudent),
        Mark::WaitingForGuardian => ("…", Key::MarkWaitingForGuardian),
        Mark::Refused => ("✗", Key::MarkRefused),
        Mark::Withdrawn => ("✗", Key::MarkWithdrawn),
        Mark::NeedsReconfirmation => ("!", Key::MarkNeedsReconfirmation),
    }
}

/// A mark's name as the API spells it (`needs_reconfirmation`): the `data-mark` of a row and its
/// CSS class, so that tests and the stylesheet read the same value the service sent.
pub fn mark_name(mark: Mark) -> String {
    serde_json::to_value(mark).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A staff role.
pub fn staff_role(role: StaffRole) -> Key {
    match role {
        StaffRole::Dpo => Key::RoleDpo,
        StaffRole::Director => Key::RoleDirector,
        StaffRole::Teacher => Key::RoleTeacher,
    }
}

/// A family member's role.
pub fn role(role: Role) -> Key {
    match role {
        Role::Guardian => Key::RoleGuardian,
        Role::Student => Key::RoleStudent,
    }
}

/// A right.
pub fn right(right: Right) -> Key {
    match right {
        Right::Access => Key::RightAccess,
        Right::Rectification => Key::RightRectification,
        Right::Erasure => Key::RightErasure,
        Right::Restriction => Key::RightRestriction,
        Right::Objection => Key::RightObjection,
    }
}

/// A decision on a request.
pub fn outcome(outcome: Outcome) -> Key {
    match outcome {
        Outcome::Granted => Key::OutcomeGranted,
        Outcome::Refused => Key::OutcomeRefused,
    }
}

/// A receipt's decision on one purpose.
pub fn decision(decision: Decision) -> Key {
    match decision {
        Decision::Grant => Key::DecisionGrant,
        Decision::Refuse => Key::DecisionRefuse,
        Decision::Withdraw => Key::DecisionWithdraw,
    }
}

/// Where an invitation stands.
pub fn invitation(status: InvitationStatus) -> Key {
    match status {
        InvitationStatus::None => Key::InvitationNone,
        InvitationStatus::Sent => Key::InvitationSent,
        InvitationStatus::Used => Key::InvitationUsed,
        InvitationStatus::Expired => Key::InvitationExpired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKS: [Mark; 7] = [
        Mark::Allowed,
        Mark::NotAnswered,
        Mark::WaitingForStudent,
        Mark::WaitingForGuardian,
        Mark::Refused,
        Mark::Withdrawn,
        Mark::NeedsReconfirmation,
    ];

    #[test]
    fn every_mark_has_its_own_word_and_the_apis_name() {
        let names: Vec<String> = MARKS.iter().map(|&m| mark_name(m)).collect();
        assert_eq!(
            names,
            [
                "allowed",
                "not_answered",
                "waiting_for_student",
                "waiting_for_guardian",
                "refused",
                "withdrawn",
                "needs_reconfirmation"
            ]
        );
        let mut words: Vec<Key> = MARKS.iter().map(|&m| mark(m).1).collect();
        words.dedup();
        assert_eq!(words.len(), MARKS.len());
    }

    #[test]
    fn only_allowed_carries_the_tick() {
        for m in MARKS {
            assert_eq!(mark(m).0 == "✓", m == Mark::Allowed, "{m:?}");
        }
    }
}
