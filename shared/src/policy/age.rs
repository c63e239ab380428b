//! Age rules (policy 2.6, GDPR art. 8): under the co-signing age a guardian decides; from it until
//! the adult age the guardian and the student decide together; from the adult age the student alone.
//! Ages are counted in whole years on UTC calendar dates.

use crate::objects::{Policy, Role};
use crate::time::Timestamp;
use chrono::{Months, NaiveDate};

/// Who must sign for a consent to take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signers {
    /// Under the co-signing age: a guardian alone.
    Guardian,
    /// Between the co-signing age and the adult age: a guardian and the student, both.
    GuardianAndStudent,
    /// From the adult age: the student alone.
    Student,
}

impl Signers {
    /// The roles whose grant is required.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Signers::Guardian => &[Role::Guardian],
            Signers::GuardianAndStudent => &[Role::Guardian, Role::Student],
            Signers::Student => &[Role::Student],
        }
    }

    /// Whether `role` is one of them.
    pub fn includes(self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

/// Completed years of life on `on` (0 before birth).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

/// The first date on which a person born on `birth` is `years` old.
///
/// For a birth on 29 February this is 1 March in common years, consistent with [`age_on`].
pub fn birthday_at(birth: NaiveDate, years: u8) -> Option<NaiveDate> {
    let candidate = birth.checked_add_months(Months::new(12 * u32::from(years)))?;
    if age_on(birth, candidate) >= u32::from(years) {
        Some(candidate)
    } else {
        candidate.succ_opt()
    }
}

/// Who must sign for a student born on `birth`, on the date `on`.
pub fn required_signers(policy: &Policy, birth: NaiveDate, on: NaiveDate) -> Signers {
    let age = age_on(birth, on);
    if age >= u32::from(policy.adult_age) {
        Signers::Student
    } else if age >= u32::from(policy.co_signing_age) {
        Signers::GuardianAndStudent
    } else {
        Signers::Guardian
    }
}

/// The most recent birthday on or before `on` at which the required signers changed, if any.
///
/// Grants made before it were given under other rules and are flagged for re-confirmation.
pub fn last_threshold(policy: &Policy, birth: NaiveDate, on: NaiveDate) -> Option<NaiveDate> {
    [policy.adult_age, policy.co_signing_age]
        .into_iter()
        .filter_map(|years| birthday_at(birth, years))
        .find(|birthday| *birthday <= on)
}

/// The deadline for answering a rights request received at `received` (GDPR art. 12(3)).
pub fn rights_deadline(policy: &Policy, received: Timestamp) -> Option<Timestamp> {
    let months = Months::new(u32::from(policy.rights_deadline_months));
    received.datetime().checked_add_months(months).and_then(Timestamp::from_datetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    fn check(birth: &str, on: &str, expected: Signers) {
        assert_eq!(required_signers(&Policy::default(), date(birth), date(on)), expected, "born {birth}, on {on}");
    }

    #[test]
    fn required_signers_follow_the_birthdays() {
        check("2012-05-14", "2026-05-13", Signers::Guardian);
        check("2012-05-14", "2026-05-14", Signers::GuardianAndStudent);
        check("2008-05-14", "2026-05-13", Signers::GuardianAndStudent);
        check("2008-05-14", "2026-05-14", Signers::Student);
        check("2012-02-29", "2026-02-28", Signers::Guardian);
        check("2012-02-29", "2026-03-01", Signers::GuardianAndStudent);
    }

    #[test]
    fn birthdays_agree_with_ages() {
        assert_eq!(birthday_at(date("2012-02-29"), 14), Some(date("2026-03-01")));
        assert_eq!(birthday_at(date("2012-02-29"), 16), Some(date("2028-02-29")));
        assert_eq!(birthday_at(date("2012-05-14"), 14), Some(date("2026-05-14")));
    }

    #[test]
    fn the_last_threshold_is_the_latest_one_passed() {
        let policy = Policy::default();
        let birth = date("2008-05-14");
        assert_eq!(last_threshold(&policy, birth, date("2021-01-01")), None);
        assert_eq!(last_threshold(&policy, birth, date("2023-01-01")), Some(date("2022-05-14")));
        assert_eq!(last_threshold(&policy, birth, date("2026-06-01")), Some(date("2026-05-14")));
    }

    #[test]
    fn rights_deadline_is_one_calendar_month_by_default() {
        let received = Timestamp::parse("2026-01-31T10:00:00Z").expect("instant");
        let deadline = rights_deadline(&Policy::default(), received).expect("in range");
        assert_eq!(deadline.to_string(), "2026-02-28T10:00:00Z");
    }
}
