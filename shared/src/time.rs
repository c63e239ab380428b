//! Instants in signed objects. The protocol never reads a clock: every instant is a value the
//! caller passes in, so the same inputs always give the same bytes and the same verdicts.

//!
//! Both spellings (`2026-05-14T09:30:00Z`, `2012-05-14`) are read and written by hand at fixed
//! positions rather than through chrono's `strftime` machinery, which would cost the widget some
//! 30 KB of WebAssembly for two formats that never change.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

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
        let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
        let date = parse_date(date)?;
        let [hour, minute, second] = fields::<3>(time, b':')?;
        let naive = date.and_hms_opt(hour, minute, second)?;
        let stamp = Timestamp::from_unix(naive.and_utc().timestamp())?;
        (stamp.to_string() == text).then_some(stamp)
    }

    /// The first instant of `date` in UTC, if it lies in the years 1970 to 9999.
    pub fn start_of_day(date: NaiveDate) -> Option<Timestamp> {
        Timestamp::from_unix(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
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
        let (date, time) = (self.0.date_naive(), self.0.time());
        write_date(f, date)?;
        write!(f, "T{:02}:{:02}:{:02}Z", time.hour(), time.minute(), time.second())
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

/// `YYYY-MM-DD` with a four-digit year, or nothing.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let [year, month, day] = fields::<3>(text, b'-')?;
    (text.len() == 10 && text.as_bytes()[4] == b'-').then_some(())?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// `N` fields of ASCII digits separated by `separator`, the first of any length up to four
/// digits and the others of exactly two (the shapes of `2026-05-14` and `09:30:00`).
fn fields<const N: usize>(text: &str, separator: u8) -> Option<[u32; N]> {
    let mut values = [0; N];
    let mut parts = text.as_bytes().split(|&b| b == separator);
    for (index, value) in values.iter_mut().enumerate() {
        let part = parts.next()?;
        let width_ok = if index == 0 { (1..=4).contains(&part.len()) } else { part.len() == 2 };
        if !width_ok || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *value = part.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'));
    }
    parts.next().is_none().then_some(values)
}

fn write_date(f: &mut impl fmt::Write, date: NaiveDate) -> fmt::Result {
    write!(f, "{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// Serde for calendar dates (dates of birth) in their one spelling, `2012-05-14`, with a
/// four-digit year: anything else is a schema error, not a date read leniently.
pub(crate) mod date {
    use chrono::NaiveDate;
    use serde::{de, Deserialize, Deserializer, Serializer};

    /// Writes `2012-05-14`.
    pub(crate) fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(10);
        super::write_date(&mut text, *date).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    /// Reads exactly `YYYY-MM-DD`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        super::parse_date(&text)
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
        for other in ["2026-05-14T09:30:60Z", "0999-05-14T09:30:00Z", "2026-02-30T09:30:00Z", "+2026-05-14T09:30:00Z"] {
            assert_eq!(Timestamp::parse(other), None, "{other}");
        }
        let last = Timestamp::parse("9999-12-31T23:59:59Z").expect("the last instant");
        assert_eq!(last.to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn dates_read_only_in_their_one_spelling() {
        assert_eq!(super::parse_date("2012-05-14"), chrono::NaiveDate::from_ymd_opt(2012, 5, 14));
        for other in ["2012-5-14", "12-05-14", "2012-05-14 ", "2012/05/14", "2012-02-30", "２012-05-14", "2012-05-1a"]
        {
            assert_eq!(super::parse_date(other), None, "{other}");
        }
    }
}
