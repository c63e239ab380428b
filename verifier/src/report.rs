//! Audit output for people: a terminal table, CSV for spreadsheets, and a printable HTML page.

use crate::audit::{label, outcome_label, PurposeAudit, RequestRow};
use crate::remind::{Delivery, Reach, Reconsent, Reminders, NEW_INVITATION_COMMAND};
use comfy_table::{presets::UTF8_FULL, ContentArrangement, Table};
use shared::policy::Status;
use shared::Timestamp;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// CSV with a header line.
    Csv,
    /// A self-contained HTML page, laid out for printing.
    Html,
}

/// The one-word answer to "may this student be included?".
fn answer(status: &Status) -> &'static str {
    match status {
        Status::InEffect { .. } => "yes",
        Status::NotAnswered | Status::Waiting { .. } => "no (no consent yet)",
        Status::Refused { .. } | Status::Withdrawn { .. } => "no",
    }
}

const AUDIT_HEADER: [&str; 6] = ["student", "name", "class", "may include", "state", "since"];

fn audit_rows(audit: &PurposeAudit) -> Vec<[String; 6]> {
    audit
        .rows
        .iter()
        .map(|row| {
            let since = match &row.state.status {
                Status::InEffect { since, .. } if row.lost == 0 => since.to_string(),
                _ => String::new(),
            };
            let (may, state) = if row.lost > 0 {
                let state = format!("record incomplete: {} entries lost in a restore (verifier recover)", row.lost);
                ("no (record incomplete)".to_owned(), state)
            } else {
                (answer(&row.state.status).to_owned(), label(&row.state))
            };
            [row.student.student.to_string(), row.student.name.clone(), row.student.class.clone(), may, state, since]
        })
        .collect()
}

/// Counts of students who may be included, who refused or withdrew, and who has not answered.
fn summary(audit: &PurposeAudit) -> String {
    let count = |f: fn(&Status) -> bool| audit.rows.iter().filter(|r| r.lost == 0 && f(&r.state.status)).count();
    let allowed = count(|s| matches!(s, Status::InEffect { .. }));
    let ended = count(|s| matches!(s, Status::Refused { .. } | Status::Withdrawn { .. }));
    let open = count(|s| matches!(s, Status::NotAnswered | Status::Waiting { .. }));
    let reconfirm = audit.rows.iter().filter(|r| r.state.needs_reconfirmation).count();
    let incomplete = audit.rows.iter().filter(|r| r.lost > 0).count();
    let summary = format!(
        "{allowed} may be included, {ended} refused or withdrew, {open} without consent yet ({reconfirm} need re-confirmation)"
    );
    if incomplete == 0 {
        summary
    } else {
        format!("{summary}; {incomplete} with a record incomplete after a restore")
    }
}

fn heading(audit: &PurposeAudit) -> String {
    let class = audit.class.as_deref().map_or_else(|| "all classes".to_owned(), |c| format!("class {c}"));
    format!("{} ({}) — {} — at {}", audit.title, audit.purpose, class, audit.at)
}

/// Renders a purpose audit.
pub fn audit(audit: &PurposeAudit, format: Format) -> Result<String, csv::Error> {
    let rows = audit_rows(audit);
    match format {
        Format::Table => Ok(format!("{}\n{}\n{}\n", heading(audit), table(&AUDIT_HEADER, &rows), summary(audit))),
        Format::Csv => csv(&AUDIT_HEADER, &rows),
        Format::Html => Ok(html(&format!("Consent audit: {}", heading(audit)), &summary(audit), &AUDIT_HEADER, &rows)),
    }
}

const REQUEST_HEADER: [&str; 7] = ["request", "student", "right", "received", "deadline", "status", "text"];

/// Renders rights requests, marking those undecided after their deadline at `now`.
pub fn requests(requests: &[RequestRow], now: Timestamp, format: Format) -> Result<String, csv::Error> {
    let rows: Vec<[String; 7]> = requests
        .iter()
        .map(|r| {
            let status = match &r.decision {
                Some(d) => {
                    let late = if r.decided_late() { " (late)" } else { "" };
                    format!("{} on {}{late}: {}", outcome_label(d.outcome), d.decided.date(), d.reason)
                }
                None if r.overdue(now) => "OVERDUE".to_owned(),
                None => "open".to_owned(),
            };
            [
                r.hash.to_string(),
                r.student.to_string(),
                r.right.name().to_owned(),
                r.received.to_string(),
                r.deadline.to_string(),
                status,
                r.text.clone(),
            ]
        })
        .collect();
    let note = format!("{} requests, {} overdue", requests.len(), requests.iter().filter(|r| r.overdue(now)).count());
    match format {
        Format::Table => Ok(format!("{}\n{note}\n", table(&REQUEST_HEADER, &rows))),
        Format::Csv => csv(&REQUEST_HEADER, &rows),
        Format::Html => Ok(html("Rights requests", &note, &REQUEST_HEADER, &rows)),
    }
}

fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    for row in rows {
        table.add_row(row.to_vec());
    }
    table.to_string()
}

const NOT_ANSWERED_HEADER: [&str; 8] =
    ["class", "student", "student_name", "role", "name", "email", "invitation", "waiting"];

/// The staff console's "not answered" list as CSV, for the school's mailing tool.
pub fn not_answered_csv(list: &shared::console::NotAnswered) -> Result<String, csv::Error> {
    let rows: Vec<[String; 8]> = list
        .rows
        .iter()
        .map(|row| {
            let waiting: Vec<String> =
                row.waiting.iter().map(|(purpose, mark)| format!("{purpose}: {}", word(mark))).collect();
            [
                row.class.clone(),
                row.student.to_string(),
                row.student_name.clone(),
                word(&row.role),
                row.name.clone(),
                row.email.clone(),
                word(&row.invitation),
                waiting.join("; "),
            ]
        })
        .collect();
    csv(&NOT_ANSWERED_HEADER, &rows)
}

const PHOTO_CHECK_HEADER: [&str; 6] = ["class", "purpose", "date", "student", "name", "mark"];

/// The staff console's photo check as CSV.
pub fn photo_check_csv(check: &shared::console::PhotoCheck) -> Result<String, csv::Error> {
    let rows: Vec<[String; 6]> = check
        .rows
        .iter()
        .map(|row| {
            [
                check.class.clone(),
                check.purpose.id.to_string(),
                check.date.clone(),
                row.student.to_string(),
                row.name.clone(),
                word(&row.mark),
            ]
        })
        .collect();
    csv(&PHOTO_CHECK_HEADER, &rows)
}

const REMINDERS_HEADER: [&str; 14] = [
    "student",
    "student_name",
    "class",
    "person",
    "role",
    "name",
    "email",
    "language",
    "reason",
    "purposes",
    "action",
    "link",
    "link_expires",
    "last_reminded",
];

/// What a reminder asks the office to do, for the list.
fn action(reach: &Reach) -> String {
    match reach {
        Reach::Invitation { .. } => "send them the link".to_owned(),
        Reach::ConsentPage { .. } => "ask them to open the consent page on their device".to_owned(),
        Reach::NeedsInvitation => format!("needs a new invitation: {NEW_INVITATION_COMMAND}"),
    }
}

/// The list (`reminders.csv`): one line per reminder of `indexes`, then one per required signer
/// nobody invited, with who, why, in which language, their contact and the link.
pub fn reminders_csv(reminders: &Reminders, indexes: &[usize]) -> Result<String, csv::Error> {
    let mut rows: Vec<[String; 14]> = indexes
        .iter()
        .filter_map(|&i| reminders.rows.get(i))
        .map(|r| {
            let (link, expires) = match &r.reach {
                Reach::Invitation { link, until } => (link.clone(), until.to_string()),
                Reach::ConsentPage { link } => (link.clone(), String::new()),
                Reach::NeedsInvitation => (String::new(), String::new()),
            };
            let purposes: Vec<&str> = r.purposes.iter().map(|p| p.as_str()).collect();
            [
                r.student.to_string(),
                r.student_name.clone(),
                r.class.clone(),
                r.person.to_string(),
                word(&r.role),
                r.name.clone(),
                r.email.clone(),
                r.language.code().to_owned(),
                r.reason.name().to_owned(),
                purposes.join(" "),
                action(&r.reach),
                link,
                expires,
                r.last_reminded.map(|at| at.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    rows.extend(reminders.uninvited.iter().map(|missing| {
        let mut row: [String; 14] = Default::default();
        row[0] = missing.student.student.to_string();
        row[1] = missing.student.name.clone();
        row[2] = missing.student.class.clone();
        row[4] = word(&missing.role);
        row[8] = missing.reason.name().to_owned();
        row[10] = format!("nobody on file: {NEW_INVITATION_COMMAND}");
        row
    }));
    csv(&REMINDERS_HEADER, &rows)
}

/// `verifier remind`'s table: who was reminded, why, and how.
pub fn reminders(reminders: &Reminders, delivery: &Delivery) -> String {
    let how = |i: usize| {
        if delivery.emailed.contains(&i) {
            "e-mailed".to_owned()
        } else if let Some((_, error)) = delivery.failed.iter().find(|(f, _)| *f == i) {
            format!("NOT SENT ({error}); on the list")
        } else {
            format!("on the list: {}", reminders.rows.get(i).map(|r| action(&r.reach)).unwrap_or_default())
        }
    };
    let rows: Vec<[String; 7]> = reminders
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                r.class.clone(),
                r.student_name.clone(),
                word(&r.role),
                r.name.clone(),
                r.reason.name().to_owned(),
                how(i),
                r.last_reminded.map(|at| at.to_string()).unwrap_or_else(|| "never".to_owned()),
            ]
        })
        .collect();
    table(&["class", "student", "role", "name", "reason", "how", "reminded before"], &rows) + "\n"
}

/// The counts of one delivery of `total` messages.
pub fn delivery(delivery: &Delivery, total: usize) -> String {
    format!(
        "{total} messages: {} e-mailed, {} on the list, {} failed.",
        delivery.emailed.len(),
        delivery.listed.len(),
        delivery.failed.len()
    )
}

const RECONSENT_HEADER: [&str; 8] = ["student", "student_name", "class", "purposes", "role", "person", "name", "email"];

/// One line per person who must grant again (and per role with nobody on file).
fn reconsent_rows(families: &[Reconsent]) -> Vec<[String; 8]> {
    let mut rows = Vec::new();
    for family in families {
        let purposes: Vec<&str> = family.purposes.iter().map(|p| p.as_str()).collect();
        let student = &family.student;
        let line = |role, person: &str, name: &str, email: &str| {
            [
                student.student.to_string(),
                student.name.clone(),
                student.class.clone(),
                purposes.join(" "),
                word(&role),
                person.to_owned(),
                name.to_owned(),
                email.to_owned(),
            ]
        };
        for role in &family.roles {
            let people: Vec<_> = family.people.iter().filter(|p| p.role == *role).collect();
            if people.is_empty() {
                rows.push(line(*role, "", "(nobody on file)", ""));
            }
            rows.extend(people.into_iter().map(|p| line(*role, p.person.as_str(), &p.name, &p.email)));
        }
    }
    rows
}

/// `form publish`'s table of the families a new version touches.
pub fn reconsent(families: &[Reconsent]) -> String {
    table(&RECONSENT_HEADER, &reconsent_rows(families)) + "\n"
}

/// The same as `reconsent.csv`.
pub fn reconsent_csv(families: &[Reconsent]) -> Result<String, csv::Error> {
    csv(&RECONSENT_HEADER, &reconsent_rows(families))
}

/// A unit enum variant as its serialized name (`not_answered`, `guardian`).
fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn csv<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn html<const N: usize>(title: &str, summary: &str, header: &[&str; N], rows: &[[String; N]]) -> String {
    let head: String = header.iter().map(|h| format!("<th scope=\"col\">{}</th>", escape(h))).collect();
    let body: String = rows
        .iter()
        .map(|row| format!("<tr>{}</tr>\n", row.iter().map(|c| format!("<td>{}</td>", escape(c))).collect::<String>()))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n\
         body {{ font: 11pt/1.4 system-ui, sans-serif; margin: 2em; color: #111; }}\n\
         table {{ border-collapse: collapse; width: 100%; }}\n\
         th, td {{ border: 1px solid #555; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}\n\
         th {{ background: #eee; }}\n\
         @media print {{ body {{ margin: 0; }} tr {{ break-inside: avoid; }} }}\n\
         </style>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{summary}</p>\n\
         <table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n\
         <p><small>Made by <code>verifier</code> from the signed archive; every receipt was verified again \
         through the school's key.</small></p>\n</body>\n</html>\n",
        title = escape(title),
        summary = escape(summary),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn html_escaping_covers_markup_characters() {
        assert_eq!(escape(r#"<b>"Ana" & 'Ion'</b>"#), "&lt;b&gt;&quot;Ana&quot; &amp; &#39;Ion&#39;&lt;/b&gt;");
    }
}
