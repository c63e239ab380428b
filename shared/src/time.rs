//! Instants in signed objects. The protocol never reads a clock: every instant is a value the
//! caller passes in, so the same inputs always give the same bytes and the same verdicts.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The one spelling of an instant: UTC, whole seconds, `2026-05-14T09:30:00Z`.
const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// 9999-12-31T23:59:59Z, the last instant with a four-digit year.
const LAST_SECOND: i64 = 253_402_300_799;

/// An instant in UTC with whole-second precision.
///
/// Sub-second parts are dropped when the value is made, so a value always survives encoding unchanged.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The instant `seconds` after 1970-01-01T00:00:00Z, if it lies in the years 1970 to 9999
    /// (four-digit years, as every JSON date reader expects).
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        if !(0..=LAST_SECOND).contains(&seconds) {
            return None;
        }
        DateTime::from_timestamp(seconds, 0).map(Timestamp)
    }

    /// The instant, truncated to whole seconds, if it lies in the years 1970 to 9999.
    pub fn from_datetime(instant: DateTime<Utc>) -> Option<Timestamp> {
        Timestamp::from_unix(instant.timestamp())
    }

    /// Parses the canonical spelling, e.g. `2026-05-14T09:30:00Z`.
    ///
    /// A leap second (`:60`) and years outside 1970–9999 are refused: other readers disagree on them.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let naive = NaiveDateTime::parse_from_str(text, FORMAT).ok()?;
        let stamp = Timestamp::from_unix(naive.and_utc().timestamp())?;
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

/// Serde for calendar dates (dates of birth) in their one spelling, `2012-05-14`, with a
/// four-digit year: anything else is a schema error, not a date read leniently.
pub(crate) mod date {
    use chrono::NaiveDate;
    use serde::{de, Deserialize, Deserializer, Serializer};

    /// Writes `2012-05-14`.
    pub(crate) fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&date.format("%Y-%m-%d"))
    }

    /// Reads exactly `YYYY-MM-DD`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|date| text.len() == 10 && date.format("%Y-%m-%d").to_string() == text)
            .ok_or_else(|| de::Error::custom(format!("expected a date like 2012-05-14, got {text:?}")))
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
