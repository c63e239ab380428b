//! Instants in signed objects. The protocol never reads a clock: every instant is a value the
//! caller passes in, so the same inputs always give the same bytes and the same verdicts.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The one spelling of an instant: UTC, whole seconds, `2026-05-14T09:30:00Z`.
const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An instant in UTC with whole-second precision.
///
/// Sub-second parts are dropped when the value is made, so a value always survives encoding unchanged.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The instant `seconds` after 1970-01-01T00:00:00Z, if it is within chrono's range.
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        DateTime::from_timestamp(seconds, 0).map(Timestamp)
    }

    /// The instant, truncated to whole seconds.
    pub fn from_datetime(instant: DateTime<Utc>) -> Timestamp {
        Timestamp::from_unix(instant.timestamp()).unwrap_or(Timestamp(instant))
    }

    /// Parses the canonical spelling, e.g. `2026-05-14T09:30:00Z`.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let naive = NaiveDateTime::parse_from_str(text, FORMAT).ok()?;
        let stamp = Timestamp(naive.and_utc());
        (stamp.to_string() == text).then_some(stamp)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        self.0.timestamp()
    }

    /// The chrono value, for calendar arithmetic.
    pub fn datetime(self) -> DateTime<Utc> {
        self.0
    }

    /// The calendar date in UTC.
    pub fn date(self) -> chrono::NaiveDate {
        self.0.date_naive()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Timestamp::parse(&text)
            .ok_or_else(|| de::Error::custom(format!("expected an instant like 2026-05-14T09:30:00Z, got {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn only_the_canonical_spelling_parses() {
        assert_eq!(Timestamp::parse("2026-05-14T09:30:00Z").map(|t| t.unix()), Some(1_778_751_000));
        for other in
            ["2026-05-14T09:30:00+00:00", "2026-05-14T09:30:00.5Z", "2026-5-14T09:30:00Z", "2026-05-14 09:30:00Z"]
        {
            assert_eq!(Timestamp::parse(other), None, "{other}");
        }
    }
}
