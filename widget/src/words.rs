//! What the screens say, in the reader's language: the sentences built from [`crate::view`]'s
//! values and `shared::texts`. Native, so that the tests read exactly what a family reads; the
//! components only put these strings on the page.

use crate::family::{Access, Family};
use crate::view::{Control, HistoryGroup, PurposeRow};
use shared::ids::PurposeId;
use shared::objects::{Decision, Role};
use shared::policy::Status;
use shared::texts::{fill, text, Key};
use shared::{Lang, Timestamp};
use std::fmt::Display;

/// The line near the top of the form naming the student it is about, with their class and date
/// of birth, so that a parent of two children tells the two forms apart. The invitation carries
/// the name and class (and stays with the family and the school's personal data, never in the
/// proof log); on a student's own invitation the name is their own.
pub fn student_line(family: &Family, lang: Lang) -> String {
    let invitation = family.invitation();
    let born = day(lang, invitation.student_birth_date);
    fill(
        text(lang, Key::StudentName),
        &[("student", &invitation.student_name), ("class", &invitation.class), ("born", &born)],
    )
}

/// An instant as its reader reads it, in their language and time zone: "14 May 2026, 09:30",
/// "14 maja 2026, 09:30". Never the protocol's ISO form.
pub fn instant(lang: Lang, at: Timestamp) -> String {
    clock::instant(lang, at, None)
}

/// A calendar date (a date of birth) in the reader's language: "14 May 2026". It takes the date
/// as the protocol writes it (`2026-05-14`), so that the widget needs no date type of its own.
pub fn day(lang: Lang, date: impl Display) -> String {
    clock::day(lang, &date.to_string())
}

/// In the browser, `Intl.DateTimeFormat` writes dates in the reader's language and time zone, so
/// the widget carries no date library and no month names of its own.
#[cfg(target_arch = "wasm32")]
pub mod clock {
    use js_sys::Intl::{DateTimeFormat, DateTimeFormatOptions, DayFormat, MonthFormat, NumericFormat, YearFormat};
    use js_sys::{Array, Date, JsString};
    use shared::{Lang, Timestamp};
    use wasm_bindgen::JsValue;

    /// `at` as a date and a time of day in `zone` (an IANA name; `None`: the browser's own).
    pub fn instant(lang: Lang, at: Timestamp, zone: Option<&str>) -> String {
        // Milliseconds since the epoch are exact in an f64 for every instant the protocol allows.
        let date = Date::new(&JsValue::from_f64(at.unix() as f64 * 1000.0));
        // Date and time apart, joined with a comma: some locales put a word ("at") between them.
        format!("{}, {}", write(lang, &date, zone, false), write(lang, &date, zone, true))
    }

    /// `iso`, a `YYYY-MM-DD` date, as that day (read as UTC, so no time zone moves it).
    pub fn day(lang: Lang, iso: &str) -> String {
        write(lang, &Date::new(&JsValue::from_str(iso)), Some("UTC"), false)
    }

    fn write(lang: Lang, date: &Date, zone: Option<&str>, time: bool) -> String {
        let options = DateTimeFormatOptions::new();
        if time {
            options.set_hour(NumericFormat::TwoDigit);
            options.set_minute(NumericFormat::TwoDigit);
        } else {
            options.set_day(DayFormat::Numeric);
            options.set_month(MonthFormat::Long);
            options.set_year(YearFormat::Numeric);
        }
        if let Some(zone) = zone {
            options.set_time_zone(zone);
        }
        let locales = Array::of1(&JsString::from(locale(lang)));
        let format = DateTimeFormat::new(&locales, &options).format();
        format.call1(&JsValue::UNDEFINED, date).ok().and_then(|text| text.as_string()).unwrap_or_default()
    }

    /// British English writes the day before the month, as the other languages do.
    fn locale(lang: Lang) -> &'static str {
        match lang {
            Lang::En => "en-GB",
            other => other.code(),
        }
    }
}

/// Natively (the tests) a plain, language-neutral form in UTC: `14.05.2026, 09:30 UTC`.
#[cfg(not(target_arch = "wasm32"))]
mod clock {
    use shared::{Lang, Timestamp};

    pub fn instant(_: Lang, at: Timestamp, _: Option<&str>) -> String {
        // The protocol's form is fixed: `YYYY-MM-DDTHH:MM:SSZ`.
        let iso = at.to_string();
        format!("{}, {} UTC", day(Lang::En, &iso[..10]), &iso[11..16])
    }

    pub fn day(_: Lang, iso: &str) -> String {
        format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[..4])
    }
}

/// Each signer's latest decision on the purpose — the others first, then the person's own —
/// with when the school recorded it.
pub fn decision_lines(lang: Lang, row: &PurposeRow) -> Vec<String> {
    let line = |who: Key, decision: Key| {
        fill(text(lang, Key::DecisionLine), &[("who", text(lang, who)), ("decision", text(lang, decision))])
    };
    let mut lines: Vec<String> = row
        .others
        .iter()
        .map(|other| {
            format!("{} ({})", line(role_name(other.role), decision_name(other.decision)), instant(lang, other.at))
        })
        .collect();
    match row.mine {
        Some((decision, Some(at))) => {
            lines.push(format!("{} ({})", line(Key::RoleYou, decision_name(decision)), instant(lang, at)))
        }
        // Not sent yet: what they chose, in the words they chose it, since nothing is given yet.
        Some((decision, None)) => {
            lines.push(format!("{} ({})", line(Key::RoleYou, answer_name(decision)), text(lang, Key::QueueNotSent)))
        }
        None => {}
    }
    lines
}

/// Whether the school's record of the student was read: by the invitation, or as an enrolled
/// person (whose kept receipts are there in any case). Before that nothing is known of the others.
fn record_read(family: &Family) -> bool {
    matches!(family.access(), Access::Open | Access::Enrolled)
}

/// The purpose's state in words, as this person should read it.
pub fn status_line(lang: Lang, family: &Family, row: &PurposeRow) -> String {
    let role = family.invitation().role;
    let mut parts: Vec<String> = Vec::new();
    if row.control == Control::NotTheirs {
        parts.push(text(lang, Key::CosignPassedToStudent).to_owned());
        // The state is the student's alone now: said as theirs, and only when it is known.
        if !record_read(family) {
            return parts.join(" · ");
        }
        match row.status {
            Status::NotAnswered => parts.push(text(lang, Key::StudentNotDecided).to_owned()),
            Status::Refused { .. } => parts.push(text(lang, Key::StudentRefused).to_owned()),
            _ => {}
        }
    }
    let queued = matches!(row.mine, Some((_, None)));
    if let Some((decision, None)) = row.mine {
        // What they chose and that it is not sent yet: it is not in effect, and "not given" beside
        // their "yes" would read as if it had been lost.
        parts.push(text(lang, answer_name(decision)).to_owned());
        parts.push(text(lang, Key::QueueNotSent).to_owned());
    }
    parts.push(match &row.status {
        Status::NotAnswered if queued => String::new(),
        Status::InEffect { since, .. } => {
            let given = fill(text(lang, Key::StateGiven), &[("date", &instant(lang, *since))]);
            format!("{} · {given}", text(lang, Key::CosignInEffect))
        }
        Status::Waiting { for_roles } if for_roles.contains(&role) => text(lang, Key::CosignWaitingForYou).to_owned(),
        Status::Waiting { for_roles } if for_roles.contains(&Role::Student) => {
            text(lang, Key::CosignWaitingForStudent).to_owned()
        }
        Status::Waiting { .. } => text(lang, Key::CosignWaitingForGuardian).to_owned(),
        Status::Withdrawn { at, .. } => fill(text(lang, Key::StateWithdrawn), &[("date", &instant(lang, *at))]),
        Status::Refused { .. } | Status::NotAnswered if row.control == Control::NotTheirs => String::new(),
        Status::Refused { .. } | Status::NotAnswered => text(lang, Key::StateNotGiven).to_owned(),
    });
    if row.needs_reconfirmation {
        parts.push(text(lang, Key::ReconfirmNeeded).to_owned());
    }
    if row.form_superseded {
        parts.push(text(lang, Key::FormChanged).to_owned());
    }
    parts.retain(|part| !part.is_empty());
    parts.join(" · ")
}

/// What the history screen says when it lists nothing: that there is nothing to list, only once
/// the school's record was read.
pub fn no_history(family: &Family, lang: Lang) -> &'static str {
    text(lang, if record_read(family) { Key::HistoryEmpty } else { Key::HistoryUnread })
}

/// A history group's heading: who signed, and when their device signed.
pub fn signed_by(lang: Lang, group: &HistoryGroup) -> String {
    let who = if group.by_me { Key::RoleYou } else { role_name(group.role) };
    fill(text(lang, Key::HistorySignedBy), &[("name", text(lang, who)), ("date", &instant(lang, group.signed_at))])
}

/// One decision of a receipt: "Purpose title: Consent given".
pub fn decided(lang: Lang, family: &Family, purpose: &PurposeId, decision: Decision) -> String {
    let form = family.school().form().body();
    let title = form.purpose(purpose).map_or_else(|| purpose.to_string(), |p| p.title.get(lang).to_owned());
    format!("{title}: {}", text(lang, decision_name(decision)))
}

/// A history group's last line: when the school recorded the receipt, and where in its log.
pub fn confirmed(lang: Lang, group: &HistoryGroup) -> String {
    let when = fill(text(lang, Key::HistoryAcknowledged), &[("date", &instant(lang, group.logged_at))]);
    format!("{when} (#{})", group.log_index)
}

/// The school's confirmation of this person's latest receipt, in one sentence saying what it
/// means; `None` before the school confirmed anything they signed.
pub fn last_acknowledgement(family: &Family, lang: Lang) -> Option<String> {
    let me = family.key()?;
    let (_, ack) = family.history().receipts.iter().rev().find(|(r, _)| *r.signer() == me)?;
    Some(fill(text(lang, Key::AcknowledgementDetails), &[("date", &instant(lang, ack.body().server_time))]))
}

/// A decision as the person gives it: the words of the choice they made.
pub fn answer_name(decision: Decision) -> Key {
    match decision {
        Decision::Grant => Key::AnswerYes,
        Decision::Refuse => Key::AnswerNo,
        Decision::Withdraw => Key::Withdraw,
    }
}

/// A decision as the history and the other signers' lines name it.
pub fn decision_name(decision: Decision) -> Key {
    match decision {
        Decision::Grant => Key::HistoryGranted,
        Decision::Refuse => Key::HistoryRefused,
        Decision::Withdraw => Key::HistoryWithdrawn,
    }
}

/// Who signed, as the history and the other signers' lines name them.
pub fn role_name(role: Role) -> Key {
    match role {
        Role::Guardian => Key::RoleGuardian,
        Role::Student => Key::RoleStudent,
    }
}
