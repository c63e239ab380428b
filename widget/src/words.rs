//! What the screens say, in the reader's language: the sentences built from [`crate::view`]'s
//! values and `shared::texts`. Native, so that the tests read exactly what a family reads; the
//! components only put these strings on the page.

use crate::family::{Access, Family};
use crate::view::{Control, HistoryGroup, PurposeRow};
use shared::ids::PurposeId;
use shared::objects::{Decision, Role, StaffRole};
use shared::policy::Status;
use shared::texts::{date_in_words, fill, text, Key};
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
///
/// The widget writes dates itself ([`date_in_words`]) rather than through the browser's
/// `Intl.DateTimeFormat`: making the first formatter loads the browser's locale data, which on a
/// first visit took over 100 ms before the form could show. The browser test
/// `dates_read_as_the_browser_writes_them_in_each_language` checks every month of every
/// language against `Intl`.
pub fn instant(lang: Lang, at: Timestamp) -> String {
    let local = clock::local(at);
    format!("{}, {:02}:{:02}", date_in_words(lang, local.year, local.month, local.day), local.hour, local.minute)
}

/// A calendar date (a date of birth) in the reader's language: "14 May 2026". It takes the date
/// as the protocol writes it (`2026-05-14`), so that the widget needs no date type of its own; a
/// date has no time zone, so no clock reads it.
pub fn day(lang: Lang, date: impl Display) -> String {
    let iso = date.to_string();
    let mut parts = iso.splitn(3, '-').map(str::parse::<u32>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) => date_in_words(lang, year, month, day),
        _ => iso,
    }
}

/// An instant's fields on the reader's clock.
pub mod clock {
    use shared::Timestamp;

    /// The calendar and clock fields of an instant, as the reader's clock shows it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Local {
        /// The year, e.g. 2026.
        pub year: u32,
        /// The month, 1 to 12.
        pub month: u32,
        /// The day of the month, 1 to 31.
        pub day: u32,
        /// The hour, 0 to 23.
        pub hour: u32,
        /// The minute, 0 to 59.
        pub minute: u32,
    }

    /// `at` in the browser's time zone, which is the reader's.
    #[cfg(target_arch = "wasm32")]
    pub fn local(at: Timestamp) -> Local {
        // Milliseconds since the epoch are exact in an f64 for every instant the protocol allows.
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.unix() as f64 * 1000.0));
        Local {
            year: date.get_full_year(),
            month: date.get_month() + 1,
            day: date.get_date(),
            hour: date.get_hours(),
            minute: date.get_minutes(),
        }
    }

    /// Natively (the tests), UTC: the fields of the protocol's fixed form `YYYY-MM-DDTHH:MM:SSZ`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn local(at: Timestamp) -> Local {
        let iso = at.to_string();
        let field = |range: std::ops::Range<usize>| iso.get(range).and_then(|f| f.parse().ok()).unwrap_or_default();
        Local { year: field(0..4), month: field(5..7), day: field(8..10), hour: field(11..13), minute: field(14..16) }
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
            let decided = line(role_name(other.role), decision_name(other.decision));
            match other.paper {
                true => format!("{decided} ({}, {})", day(lang, other.at.date()), text(lang, Key::OnPaper)),
                false => format!("{decided} ({})", instant(lang, other.at)),
            }
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
    if row.on_paper {
        parts.push(text(lang, Key::OnPaper).to_owned());
    }
    parts.retain(|part| !part.is_empty());
    parts.join(" · ")
}

/// What the history screen says when it lists nothing: that there is nothing to list, only once
/// the school's record was read.
pub fn no_history(family: &Family, lang: Lang) -> &'static str {
    text(lang, if record_read(family) { Key::HistoryEmpty } else { Key::HistoryUnread })
}

/// A history group's heading: who signed, and when their device signed — or, for a paper slip,
/// the date on the slip and who at the school recorded it.
pub fn signed_by(lang: Lang, group: &HistoryGroup) -> String {
    let who = text(lang, if group.by_me { Key::RoleYou } else { role_name(group.role) });
    let Some(recorder) = group.paper else {
        return fill(text(lang, Key::HistorySignedBy), &[("name", who), ("date", &instant(lang, group.signed_at))]);
    };
    let staff = text(lang, recorder_name(recorder));
    fill(
        text(lang, Key::HistoryOnPaper),
        &[("name", who), ("date", &day(lang, group.signed_at.date())), ("staff", staff)],
    )
}

/// Who at the school recorded a paper slip.
fn recorder_name(role: StaffRole) -> Key {
    match role {
        StaffRole::Dpo => Key::PaperRecorderDpo,
        StaffRole::Director => Key::PaperRecorderDirector,
        StaffRole::Teacher => Key::PaperRecorderStaff,
    }
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
