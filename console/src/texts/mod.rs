//! Every sentence the console shows to school staff, in every language it speaks.
//!
//! As for the widget's texts (`shared::texts`), there is one catalogue per language (`en.rs`,
//! `pl.rs`, `ro.rs`, `uk.rs`, `de.rs`), a plain list of `(Key, text)` pairs in the order of the screens, so that a
//! translator edits one file. The console's words are kept apart from the widget's so that
//! nothing of the console reaches the parents' download.
//!
//! English is the fallback: a key a catalogue lacks is shown in English rather than blank. The
//! tests fail if any language actually falls back, or if its `{placeholders}` differ from the
//! English ones. Counts are written after a colon ("Days left: 3"), so that no language needs
//! plural forms.

use shared::texts::{Catalogue, Catalogues};
use shared::Lang;

mod de;
mod en;
mod pl;
mod ro;
mod uk;

shared::catalogue_keys! {
    "One user-facing text of the console; each variant's doc says where it is shown.";
    // ----- Frame -----
    /// The page's heading, after the school's name.
    ConsoleTitle,
    /// Label of the language picker.
    LanguageLabel,
    /// Shown while an answer is awaited.
    Loading,
    /// The navigation bar's accessible name.
    NavLabel,
    /// Navigation: the overview.
    NavOverview,
    /// Navigation: families who have not answered.
    NavNotAnswered,
    /// Navigation: the photo check.
    NavPhotoCheck,
    /// Navigation: rights requests.
    NavRequests,
    /// Navigation: one student's record.
    NavStudent,
    /// The greeting: `{name}` and `{role}`.
    Whoami,
    /// Staff role: the data protection officer.
    RoleDpo,
    /// Staff role: the director.
    RoleDirector,
    /// Staff role: a teacher.
    RoleTeacher,
    /// Family role: a parent or guardian.
    RoleGuardian,
    /// Family role: the student.
    RoleStudent,
    /// Button that repeats what failed.
    TryAgain,
    /// Saying that a file was saved: `{file}`.
    Saved,
    /// A date that never happened yet ("last check: never").
    Never,

    // ----- Access -----
    /// Without a key in this browser and without a link.
    NoAccess,
    /// While the browser's key is being certified.
    Enrolling,
    /// Once it is.
    Enrolled,
    /// The link is cut or edited.
    ErrorLinkDamaged,
    /// The link was not signed by this school.
    ErrorLinkInvalid,
    /// The link expired before it was used.
    ErrorLinkExpired,
    /// The link was used already (another browser).
    ErrorLinkUsed,
    /// 401: the certificate is revoked or expired.
    ErrorAccessEnded,
    /// 403: outside the role's scope; the service's message follows.
    ErrorForbidden,
    /// Another refusal of the service; the service's message follows.
    ErrorRefused,
    /// The service is overloaded or failing.
    ErrorUnavailable,
    /// The service cannot be reached.
    ErrorUnreachable,
    /// An answer that does not decode or verify; a detail follows.
    ErrorBadAnswer,
    /// The browser refuses to keep the key.
    ErrorStorage,

    // ----- Overview -----
    /// Heading of the overview.
    OverviewTitle,
    /// Caption of the classes table.
    OverviewClasses,
    /// Column: class.
    ColClass,
    /// Column: students.
    ColStudents,
    /// Column: students with an invitation sent.
    ColInvited,
    /// Column: students whose family answered everything.
    ColAnswered,
    /// Column: the others.
    ColNotAnswered,
    /// Column: the share answered, as a bar.
    ColShareAnswered,
    /// Caption of the purposes table.
    OverviewPurposes,
    /// Column: purpose.
    ColPurpose,
    /// Column: in effect for how many.
    ColInEffect,
    /// `{count}` of `{total}`.
    CountOf,
    /// Heading of the log's facts.
    OverviewLog,
    /// The log's size.
    LogSize,
    /// When the archive signed its latest checkpoint.
    LastCheckpoint,
    /// When `verifier check` last passed.
    LastCheck,

    // ----- Not answered -----
    /// Heading.
    NotAnsweredTitle,
    /// What the list is for.
    NotAnsweredIntro,
    /// Column: student.
    ColStudent,
    /// Column: purposes still waiting.
    ColWaiting,
    /// Column: the person's role.
    ColRole,
    /// Column: the person's name.
    ColName,
    /// Column: e-mail.
    ColEmail,
    /// Column: invitation status.
    ColInvitation,
    /// Invitation: none signed.
    InvitationNone,
    /// Invitation: sent, usable.
    InvitationSent,
    /// Invitation: used.
    InvitationUsed,
    /// Invitation: expired unused.
    InvitationExpired,
    /// Nobody left to ask.
    NobodyToAsk,
    /// Button: download the list as CSV.
    DownloadCsv,
    /// Button: print the letters of the invitations still usable (also the frame's title).
    PrintLetters,
    /// What the letters are: one page per person, in their language, with a QR code.
    PrintLettersHint,
    /// Column: when the person was last reminded.
    ColLastReminded,
    /// Button: remind everyone on the list (DPO and director).
    SendReminders,
    /// What the button does.
    SendRemindersHint,
    /// While reminders are being sent.
    SendingReminders,
    /// What the reminders did: `{emailed}`, `{listed}`, `{failed}`, `{uninvited}`.
    RemindersDone,

    // ----- Photo check -----
    /// Heading.
    PhotoTitle,
    /// What it is for.
    PhotoIntro,
    /// Picker: class.
    PickClass,
    /// Picker: purpose.
    PickPurpose,
    /// Picker: date.
    PickDate,
    /// Button: run the check.
    RunCheck,
    /// Button: print.
    Print,
    /// The printed list's heading: `{school}`, `{class}`, `{purpose}`, `{date}`.
    PhotoHeading,
    /// When the audit was computed: `{at}`.
    PhotoAt,
    /// How many may appear: `{count}`, `{total}`.
    PhotoSummary,
    /// Column: the mark.
    ColMark,
    /// A class without students.
    NoStudents,
    /// Mark: allowed.
    MarkAllowed,
    /// Mark: nobody answered.
    MarkNotAnswered,
    /// Mark: the student must still co-sign.
    MarkWaitingForStudent,
    /// Mark: a guardian must still co-sign.
    MarkWaitingForGuardian,
    /// Mark: refused.
    MarkRefused,
    /// Mark: withdrawn.
    MarkWithdrawn,
    /// Mark: must be confirmed again.
    MarkNeedsReconfirmation,

    // ----- Rights requests -----
    /// Heading.
    RequestsTitle,
    /// Caption of the undecided requests.
    RequestsInbox,
    /// Caption of the decided ones.
    RequestsDecided,
    /// Nothing waits.
    NoRequestsWaiting,
    /// Nothing decided yet.
    NoRequestsDecided,
    /// Column: received.
    ColReceived,
    /// Column: deadline.
    ColDeadline,
    /// Column: the right.
    ColRight,
    /// Column: the request's text.
    ColRequest,
    /// Column: the decision form.
    ColDecide,
    /// Days to the deadline: `{days}`.
    DaysLeft,
    /// Days past it: `{days}`.
    Overdue,
    /// Right: access (art. 15).
    RightAccess,
    /// Right: rectification (art. 16).
    RightRectification,
    /// Right: erasure (art. 17).
    RightErasure,
    /// Right: restriction (art. 18).
    RightRestriction,
    /// Right: objection (art. 21).
    RightObjection,
    /// The decision's legend.
    Decision,
    /// Radio: grant.
    Grant,
    /// Radio: refuse.
    Refuse,
    /// The reason's label.
    Reason,
    /// Button: sign and send.
    SignAndSend,
    /// Missing choice.
    ChooseOutcome,
    /// Missing reason.
    WriteReason,
    /// While sending.
    Sending,
    /// Once the archive's decision verified.
    DecisionSent,
    /// Column: outcome.
    ColOutcome,
    /// Column: reason.
    ColReason,
    /// Column: when decided.
    ColDecided,
    /// Column: by whom.
    ColBy,
    /// Outcome: granted.
    OutcomeGranted,
    /// Outcome: refused.
    OutcomeRefused,
    /// Decided with the admin token, not by a staff member.
    ByAdministrator,
    /// Who filed a request: `{name}`, `{role}`.
    AskedBy,
    /// The purposes a request names: `{purposes}`.
    AskedAbout,

    // ----- Student -----
    /// Heading.
    StudentTitle,
    /// Picker: student.
    PickStudent,
    /// The option that asks to choose.
    ChooseOne,
    /// Date of birth: `{date}`.
    BornOn,
    /// Caption: how each purpose stands now.
    StudentNow,
    /// Caption: the history.
    StudentHistory,
    /// Column: when logged.
    ColWhen,
    /// Column: what.
    ColWhat,
    /// Column: who.
    ColWho,
    /// Column: form version.
    ColFormVersion,
    /// Column: the decisions of a receipt.
    ColDecisions,
    /// Event: a consent receipt.
    EventReceipt,
    /// Event: a paper slip, recorded by the staff member `{name}`.
    EventPaper,
    /// A paper slip's date `{date}` and who signed it, `{signers}`.
    PaperSlipSigned,
    /// Beside a mark whose state rests on a paper slip.
    OnPaper,
    /// Event: a rights request: `{right}`.
    EventRequest,
    /// Event: a decision on a request: `{outcome}`.
    EventDecision,
    /// A receipt's decision: yes.
    DecisionGrant,
    /// A receipt's decision: no.
    DecisionRefuse,
    /// A receipt's decision: withdrawn.
    DecisionWithdraw,
    /// Nothing logged yet.
    NoEvents,
    /// Button: download the proof bundle.
    DownloadBundle,
    /// What the bundle is for.
    BundleHint,

    // ----- Recording a paper slip (student view, DPO and director) -----
    /// Heading of the form.
    PaperTitle,
    /// What recording a slip means.
    PaperHint,
    /// Legend: who signed the slip.
    PaperSigners,
    /// Legend: what the slip says per purpose.
    PaperDecisions,
    /// A purpose the slip leaves blank.
    PaperBlank,
    /// Label: the date written on the slip.
    PaperDate,
    /// Label: the scanned slip's file.
    PaperScan,
    /// Button: sign and record.
    PaperSend,
    /// Status line: the slip is recorded.
    PaperRecorded,
    /// Missing: nobody ticked as a signer.
    PaperChooseSigner,
    /// Missing: every purpose left blank.
    PaperChooseDecision,
    /// Missing: no date, or not a date.
    PaperChooseDate,
    /// The date is after today.
    PaperDateLater,
    /// Missing: no scan chosen.
    PaperChooseScan,
    /// The browser would not read the scan.
    PaperScanUnreadable,
    /// The school has not published a form yet.
    PaperNoForm,
}

/// The console's texts, looked up as the widget's are.
const CATALOGUES: Catalogues<Key> =
    Catalogues { en: en::CATALOG, pl: pl::CATALOG, ro: ro::CATALOG, uk: uk::CATALOG, de: de::CATALOG };

fn catalogue(lang: Lang) -> Catalogue<Key> {
    CATALOGUES.of(lang)
}

/// The text of `key` in `lang`, or in English if that catalogue lacks it.
pub fn text(lang: Lang, key: Key) -> &'static str {
    CATALOGUES.text_in(catalogue(lang), key).unwrap_or_default()
}

/// The text of `key` in `lang` with its `{placeholders}` filled from `values`.
pub fn fill(lang: Lang, key: Key, values: &[(&str, &str)]) -> String {
    shared::texts::fill(text(lang, key), values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::texts::placeholders;

    #[test]
    fn every_key_exists_in_every_language_once_and_is_not_empty() {
        for lang in Lang::ALL {
            for key in Key::ALL {
                let found: Vec<_> = catalogue(lang).iter().filter(|(k, _)| k == key).collect();
                assert_eq!(found.len(), 1, "{key:?} in {lang:?}");
                assert!(!found[0].1.trim().is_empty(), "{key:?} in {lang:?} is empty");
            }
            assert_eq!(catalogue(lang).len(), Key::ALL.len(), "{lang:?} has keys twice");
        }
    }

    /// Every language but English, which the others are compared with.
    fn translations() -> impl Iterator<Item = Lang> {
        Lang::ALL.into_iter().filter(|&lang| lang != Lang::En)
    }

    #[test]
    fn every_language_has_the_english_placeholders() {
        for lang in translations() {
            for &key in Key::ALL {
                assert_eq!(placeholders(text(lang, key)), placeholders(text(Lang::En, key)), "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn every_language_but_english_is_translated() {
        // Short words may coincide ("E-mail"); most of a catalogue may not.
        for lang in translations() {
            let same = Key::ALL.iter().filter(|&&key| text(lang, key) == text(Lang::En, key)).count();
            assert!(same * 10 < Key::ALL.len(), "{lang:?}: {same} texts are the English ones");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill(Lang::En, Key::CountOf, &[("count", "3"), ("total", "25")]), "3 of 25");
        assert_eq!(fill(Lang::Pl, Key::DaysLeft, &[("days", "4")]), "Pozostało dni: 4");
        assert_eq!(fill(Lang::Uk, Key::DaysLeft, &[("days", "4")]), "Залишилося днів: 4");
        assert_eq!(fill(Lang::De, Key::DaysLeft, &[("days", "4")]), "Verbleibende Tage: 4");
    }
}
