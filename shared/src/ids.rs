//! Pseudonymous identifiers. They are what the proof log holds instead of names, so they are
//! restricted to a small ASCII alphabet: they sort the same in UTF-8 and UTF-16 (so canonical JSON
//! keys are unambiguous), they are safe in URLs and file names, and they cannot smuggle personal text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {value:?} must be 1 to 64 characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit")]
pub struct IdError {
    kind: &'static str,
    value: String,
}

fn is_valid_id(text: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.');
    let starts_well = text.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    starts_well && text.len() <= 64 && text.bytes().all(allowed)
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                if is_valid_id(&value) {
                    Ok($name(value))
                } else {
                    Err(IdError { kind: $kind, value })
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(value: &str) -> Result<Self, IdError> {
                $name::try_from(value.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", $kind, self.0)
            }
        }
    };
}

identifier!(
    /// A purpose's stable id (`photos-published`, `transport`…): receipts name purposes by it across form versions.
    PurposeId,
    "purpose id"
);
identifier!(
    /// A student's pseudonymous id; the name behind it lives outside the proof log.
    StudentId,
    "student id"
);
identifier!(
    /// A person's pseudonymous id (a guardian, the student as a signer, or a staff member); stable
    /// across their devices.
    PersonId,
    "person id"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, valid: bool) {
        assert_eq!(StudentId::try_from(text).is_ok(), valid, "{text:?}");
    }

    #[test]
    fn identifiers_are_short_lowercase_ascii() {
        check("s-2026-0001", true);
        check("0", true);
        check(&"a".repeat(64), true);
        check(&"a".repeat(65), false);
        check("", false);
        check("-leading-dash", false);
        check("Upper", false);
        check("ana maria", false);
        check("zoë", false);
    }
}
