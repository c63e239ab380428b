//! Instants and deadlines as staff read them: local wall-clock time, numbers without words to
//! decline, and names for saved files. The browser supplies the offset from UTC (it knows the
//! staff member's time zone and its summer time); the arithmetic is here, testable.

use chrono::{Datelike, Duration, Timelike};
use shared::Timestamp;

/// `at` as `YYYY-MM-DD HH:MM` in the time zone `offset_minutes` east of UTC.
pub fn local_time(at: Timestamp, offset_minutes: i32) -> String {
    let local = at.datetime() + Duration::minutes(i64::from(offset_minutes));
    format!("{} {:02}:{:02}", date(local.date_naive()), local.hour(), local.minute())
}

/// The calendar date of `at`, `YYYY-MM-DD`, in the time zone `offset_minutes` east of UTC: the
/// photo check's "today".
pub fn local_date(at: Timestamp, offset_minutes: i32) -> String {
    date((at.datetime() + Duration::minutes(i64::from(offset_minutes))).date_naive())
}

fn date(day: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// Where a deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Days left, counting a part of a day as a day: 1 on the last day.
    Left(i64),
    /// Days past it, likewise: 1 on the first day late.
    Overdue(i64),
}

/// How `deadline` stands at `now`.
pub fn due(deadline: Timestamp, now: Timestamp) -> Due {
    const DAY: i64 = 86_400;
    let seconds = deadline.unix() - now.unix();
    if seconds >= 0 {
        Due::Left((seconds + DAY - 1) / DAY)
    } else {
        Due::Overdue((-seconds + DAY - 1) / DAY)
    }
}

/// `text` as a part of a file name: letters, digits, `-` and `_` kept, anything else `_`, so
/// that a class like `7/B` cannot name a folder.
pub fn file_part(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("a timestamp")
    }

    #[test]
    fn local_time_follows_the_offset_across_midnight() {
        assert_eq!(local_time(at("2026-05-14T09:30:59Z"), 0), "2026-05-14 09:30");
        assert_eq!(local_time(at("2026-05-14T22:30:00Z"), 120), "2026-05-15 00:30");
        assert_eq!(local_date(at("2026-05-14T22:30:00Z"), 120), "2026-05-15");
        assert_eq!(local_date(at("2026-05-14T01:00:00Z"), -300), "2026-05-13");
    }

    #[test]
    fn a_part_of_a_day_counts_as_a_day() {
        let now = at("2026-05-14T12:00:00Z");
        assert_eq!(due(at("2026-05-14T12:00:00Z"), now), Due::Left(0));
        assert_eq!(due(at("2026-05-14T12:00:01Z"), now), Due::Left(1));
        assert_eq!(due(at("2026-05-17T12:00:00Z"), now), Due::Left(3));
        assert_eq!(due(at("2026-05-14T11:59:59Z"), now), Due::Overdue(1));
        assert_eq!(due(at("2026-05-12T12:00:00Z"), now), Due::Overdue(2));
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_part("7B"), "7B");
        assert_eq!(file_part("7/B ó.."), "7_B____");
        assert_eq!(file_part("photos-published_2"), "photos-published_2");
    }
}
