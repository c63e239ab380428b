//! The content rules that every kind of object checks beyond its schema, and their errors.

use crate::ids::PurposeId;

/// The largest integer the canonical form carries exactly: RFC 8785 writes numbers as IEEE 754
/// doubles, which are exact only up to 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a well-typed body breaks a rule of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// A text that people read is empty or only whitespace.
    #[error("`{field}` must not be empty")]
    EmptyText {
        /// Which field.
        field: &'static str,
    },
    /// A text or list is longer than its limit.
    #[error("`{field}` is longer than {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// The limit, in characters or items.
        max: usize,
    },
    /// A form lists no purposes, or a receipt no decisions.
    #[error("`{field}` must hold at least one entry")]
    Missing {
        /// Which field.
        field: &'static str,
    },
    /// Two purposes of one form share an id.
    #[error("purpose `{0}` appears twice in the form")]
    DuplicatePurpose(PurposeId),
    /// A purpose is not marked optional: no consent may be a condition of schooling.
    #[error("purpose `{0}` must be optional: no consent may be a condition of schooling")]
    PurposeNotOptional(PurposeId),
    /// Age thresholds that do not describe "guardian, then guardian and student, then student".
    #[error("age thresholds must satisfy 1 ≤ co-signing age ({co_signing}) < adult age ({adult}) ≤ 21")]
    AgeThresholds {
        /// Age from which the student co-signs.
        co_signing: u8,
        /// Age from which the student decides alone.
        adult: u8,
    },
    /// A number that must be positive is zero.
    #[error("`{field}` must be at least 1")]
    Zero {
        /// Which field.
        field: &'static str,
    },
    /// A number beyond what canonical JSON carries exactly.
    #[error("`{field}` exceeds 2^53 - 1")]
    NumberTooLarge {
        /// Which field.
        field: &'static str,
    },
    /// A time window that ends before it starts.
    #[error("`{until}` must be after `{from}`")]
    EmptyWindow {
        /// The start field.
        from: &'static str,
        /// The end field.
        until: &'static str,
    },
    /// A withdrawal in a signer's first receipt: there is nothing of theirs to withdraw.
    #[error("purpose `{0}` is withdrawn in a first receipt; a first decision is a grant or a refusal")]
    WithdrawalWithoutPrevious(PurposeId),
    /// An acknowledgement whose log index lies outside the tree of its checkpoint.
    #[error("log index {index} is not inside a tree of size {tree_size}")]
    IndexOutsideTree {
        /// The index.
        index: u64,
        /// The tree size of the checkpoint.
        tree_size: u64,
    },
    /// A list whose order is part of its one spelling is out of order or names an entry twice.
    #[error("`{field}` must be sorted and name each entry once")]
    NotSortedUnique {
        /// Which field.
        field: &'static str,
    },
    /// A DPO or a director, who see the whole school, is given classes.
    #[error("a DPO or a director sees the whole school and names no class")]
    ClassesForWholeSchool,
    /// A paper slip dated after the day it is recorded, or before 1970.
    #[error("`signed_on` must lie between 1970 and the day the slip is recorded")]
    SlipDate,
    /// A signed path that does not start with `/` or holds anything but printable ASCII.
    #[error("`path` must start with `/` and hold only printable ASCII")]
    NotAPath,
}

/// A text people read: non-empty after trimming and at most `max` characters.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<(), ContentError> {
    if value.trim().is_empty() {
        return Err(ContentError::EmptyText { field });
    }
    if value.chars().count() > max {
        return Err(ContentError::TooLong { field, max });
    }
    Ok(())
}

/// A list with between 1 and `max` entries.
pub(crate) fn count(field: &'static str, len: usize, max: usize) -> Result<(), ContentError> {
    match len {
        0 => Err(ContentError::Missing { field }),
        n if n > max => Err(ContentError::TooLong { field, max }),
        _ => Ok(()),
    }
}

/// A list in strictly increasing order: sorted, and no entry twice.
pub(crate) fn sorted_unique<T: Ord>(field: &'static str, items: &[T]) -> Result<(), ContentError> {
    if items.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(ContentError::NotSortedUnique { field });
    }
    Ok(())
}

/// A number the canonical form carries exactly.
pub(crate) fn safe_integer(field: &'static str, value: u64) -> Result<(), ContentError> {
    if value > MAX_SAFE_INTEGER {
        return Err(ContentError::NumberTooLarge { field });
    }
    Ok(())
}

/// Serde for a count or index that canonical JSON must carry exactly: larger values are a schema
/// error on reading, rather than silently rounded to the nearest double on writing.
pub(crate) mod safe_integer {
    use super::MAX_SAFE_INTEGER;
    use serde::{de, Deserialize, Deserializer, Serializer};

    /// Writes the number, refusing one beyond 2^53 − 1.
    pub(crate) fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        if *value > MAX_SAFE_INTEGER {
            return Err(serde::ser::Error::custom(format!("{value} exceeds 2^53 - 1")));
        }
        serializer.serialize_u64(*value)
    }

    /// Reads a number no larger than 2^53 − 1.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let value = u64::deserialize(deserializer)?;
        if value > MAX_SAFE_INTEGER {
            return Err(de::Error::custom(format!(
                "{value} exceeds 2^53 - 1, the largest integer canonical JSON carries exactly"
            )));
        }
        Ok(value)
    }
}
