//! Every sentence the widget shows to a family, in every language it speaks.
//!
//! There is one catalogue per language (`en.rs`, `pl.rs`, `ro.rs`, `uk.rs`, `de.rs`), each a plain list of
//! `(Key, text)` pairs, so that a translator edits one file and sees every text of that
//! language in the order of the screens. The widget never writes user-facing text itself: it
//! asks for a [`Key`] in the reader's [`Lang`].
//!
//! English is the fallback: if a catalogue lacks a key, [`text`] returns the English text
//! rather than nothing, so a family never sees a blank button. That fallback is only a safety
//! net. The test `every_key_exists_in_every_language` fails if any language actually falls
//! back, and the other tests check that no text is empty, that every language uses the same
//! `{placeholders}`, that every language but English is really translated, and that each
//! addresses the reader with its formal "you".
//!
//! Texts may contain placeholders such as `{date}` or `{school}`; [`fill`] replaces them.

use crate::lang::Lang;

mod de;
mod en;
mod pl;
mod ro;
mod uk;

/// Declares another app's `Key` enum (the console's, the printed letters') and `Key::ALL`, its
/// variants in declaration order (for the tests), from one list: `catalogue_keys! { "what the
/// keys are"; Variant, … }`, each variant with its doc.
#[macro_export]
macro_rules! catalogue_keys {
    ($what:literal; $($(#[$doc:meta])* $name:ident,)+) => {
        #[doc = $what]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($(#[$doc])* $name,)+
        }

        impl Key {
            /// Every key, in declaration order (for the tests).
            pub const ALL: &'static [Key] = &[$(Key::$name,)+];
        }
    };
}

/// Declares [`Key`], its list of every variant and its names, from one list of variants.
macro_rules! keys {
    ($($(#[$attr:meta])* $name:ident,)+) => {
        /// One user-facing text of the widget; each variant's doc says where it is shown.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($(#[$attr])* $name,)+
        }

        impl Key {
            /// Every key, in the order in which they are declared.
            pub const ALL: &'static [Key] = &[$(Key::$name,)+];

            /// The variant's name, e.g. `"SignAndSend"`, for tests and debugging.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$name => stringify!($name),)+
                }
            }
        }
    };
}

keys! {
    // ----- Frame of the widget -----
    /// Heading at the top of the widget.
    WidgetTitle,
    /// Line under the heading naming the student the form is about: `{student}` is their name,
    /// `{class}` their class, `{born}` their date of birth (in words).
    StudentName,
    /// The twelve months' names as written after a day's number ("14 May"), January first,
    /// separated by single spaces; in Polish the genitive ("maja").
    MonthNames,
    /// A calendar date: `{day}` its number without a leading zero, `{month}` a name from
    /// `MonthNames`, `{year}` four digits ("14 May 2026").
    DateWritten,
    /// Label of the language switcher.
    LanguageLabel,
    /// Shown while the form or the history is loading.
    Loading,
    /// Button that returns to the previous screen.
    Back,
    /// Button shown next to a network or service error.
    TryAgain,
    /// Navigation tab to the consent decisions.
    NavConsents,
    /// Navigation tab to the history of decisions.
    NavHistory,
    /// Navigation tab to rights requests.
    NavRequests,
    /// Navigation tab to receipts and the key backup.
    NavReceipts,
    /// Who signed: a parent or guardian.
    RoleGuardian,
    /// Who signed: the student.
    RoleStudent,
    /// Who signed: the person reading.
    RoleYou,
    /// A co-signed purpose that waits for the reader's own decision.
    CosignWaitingForYou,
    /// History entry: consent not given.
    HistoryRefused,

    // ----- Information shown before any checkbox -----
    /// First paragraph of the information section, before any checkbox.
    InfoIntro,
    /// First layer: one line naming the data controller; `{school}` is the school's name.
    FirstLayerController,
    /// First layer: one line naming the data protection officer; `{name}` is their name.
    FirstLayerDpo,
    /// First layer: one line naming the supervisory authority; `{authority}` is its name.
    FirstLayerAuthority,
    /// Summary of the folded second layer: every contact in full and every right.
    MoreInformation,
    /// Heading of the data controller (the school) block.
    ControllerHeading,
    /// Sentence naming the school as data controller; `{school}` is its name.
    ControllerIntro,
    /// Contact line with a postal address, used for the school, the DPO and the authority.
    ContactAddress,
    /// Contact line with an email address, used for the school, the DPO and the authority.
    ContactEmail,
    /// Contact line with a phone number, used for the school, the DPO and the authority.
    ContactPhone,
    /// Heading of the data protection officer block.
    DpoHeading,
    /// Sentence introducing the data protection officer's contacts.
    DpoIntro,
    /// Heading of the purposes, one card each with its information and its decision.
    PurposesHeading,
    /// Line under a purpose naming who receives the data; `{recipients}` is the list.
    PurposeRecipients,
    /// Line under a purpose saying how long data is kept; `{retention}` is the period.
    PurposeRetention,
    /// Badge on every purpose.
    PurposeOptional,
    /// Note in a purpose of which the school left some text untranslated in the reader's
    /// language, shown once per purpose: those texts are shown in English.
    PurposeNotTranslated,
    /// Notice above the checkboxes: every purpose is optional, saying no has no consequence.
    EveryPurposeOptional,
    /// Notice above the decisions: nothing is chosen in advance, and what is left unanswered stays as it is.
    NothingPreTicked,
    /// Notice above the sign button: nothing leaves the device before signing.
    NothingSentUntilSigned,

    // ----- Rights -----
    /// Heading of the rights section (information screen and rights requests screen).
    RightsHeading,
    /// First sentence of the rights section.
    RightsIntro,
    /// Rights section: consent can be withdrawn at any time.
    RightWithdrawExplained,
    /// Rights section and withdraw button: withdrawal is not retroactive.
    WithdrawalNotRetroactive,
    /// Name of the right of information and access, in the list and the request form.
    RightAccess,
    /// One plain sentence explaining the right of information and access.
    RightAccessExplained,
    /// Name of the right to rectification, in the list and the request form.
    RightRectification,
    /// One plain sentence explaining the right to rectification.
    RightRectificationExplained,
    /// Name of the right to erasure, in the list and the request form.
    RightErasure,
    /// One plain sentence explaining the right to erasure.
    RightErasureExplained,
    /// Name of the right to restriction of processing, in the list and the request form.
    RightRestriction,
    /// One plain sentence explaining the right to restriction of processing.
    RightRestrictionExplained,
    /// Name of the right to object, in the list and the request form.
    RightObjection,
    /// One plain sentence explaining the right to object.
    RightObjectionExplained,
    /// Heading of the supervisory authority block.
    AuthorityHeading,
    /// Sentence on complaining to the supervisory authority; `{authority}` is its name.
    AuthorityIntro,

    // ----- The decision -----
    /// The "yes" choice of one purpose.
    AnswerYes,
    /// The "no" choice of one purpose.
    AnswerNo,
    /// One signer's latest decision under a purpose; `{who}` is the role (or "You"), `{decision}` the decision.
    DecisionLine,
    /// Above the sign button: what will be signed; `{decisions}` lists each purpose with its decision.
    WillSign,
    /// Above the sign button when no purpose has been answered yet.
    NothingToSign,
    /// Note above the sign button when a parent or guardian signs.
    SigningAsGuardian,
    /// Note above the sign button when the student signs.
    SigningAsStudent,
    /// Note for co-signed consents (students old enough to co-sign but under 18).
    CosignExplained,
    /// The button that signs and sends the decisions.
    SignAndSend,

    // ----- Progress of signing and sending -----
    /// Status while the form's signature is checked against the school key.
    StatusVerifyingForm,
    /// Status while the person's key is generated on the device.
    StatusGeneratingKey,
    /// Status while the key is enrolled with the school's service.
    StatusEnrolling,
    /// Status while the decision is signed.
    StatusSigning,
    /// Status while the signed decision is sent.
    StatusSending,
    /// Status once the school's signed acknowledgement has been received and checked.
    StatusAcknowledged,
    /// Heading of the box showing the school's acknowledgement.
    AcknowledgementHeading,
    /// What the acknowledgement means, in one sentence; `{date}` is when the school recorded it.
    AcknowledgementDetails,

    // ----- Errors -----
    /// Error: the invitation link has expired.
    ErrorInvitationExpired,
    /// Error: the invitation link has already been used.
    ErrorInvitationUsed,
    /// Error: the form's signature does not match the school key.
    ErrorFormSignature,
    /// Error: the page was opened without an invitation.
    ErrorNoInvitation,
    /// Error: the device cannot reach the service.
    ErrorNetwork,
    /// Error: the service answered with an error.
    ErrorService,
    /// Error: the school's acknowledgement does not verify.
    ErrorAcknowledgementInvalid,
    /// Error: the school's log is not consistent with the checkpoint the device saw before.
    ErrorLogInconsistent,
    /// Error: an imported file is not a key backup.
    ErrorKeyFileInvalid,
    /// Error: the link's invitation does not decode (cut short or edited).
    ErrorLinkDamaged,
    /// Error: the link's invitation is not one this school signed.
    ErrorLinkNotValid,
    /// Error: the school sent a newer invitation, which replaced this one.
    ErrorInvitationReplaced,
    /// Error: a printed letter's code opens nothing (unknown, used, replaced or expired).
    ErrorCodeRefused,
    /// Error: what the browser kept is damaged and the school's record cannot restore it.
    ErrorDeviceDamaged,
    /// Error: the browser refuses to keep data.
    ErrorStorage,

    // ----- Repairs, and decisions set aside -----
    /// Notice: damaged data on the device was replaced from the school's verified record.
    DeviceRepaired,
    /// Decisions set aside because another device or tab changed the person's decisions first.
    ChangedElsewhere,
    /// Decisions set aside because this link cannot enrol this device.
    SetAsideLinkClosed,
    /// Decisions set aside because the school's service refused them.
    SetAsideRefused,
    /// Before the list of decisions set aside.
    SetAsideList,
    /// Button that signs the decisions set aside again.
    SignAgain,
    /// Button that forgets the decisions set aside.
    Discard,

    // ----- Offline queue -----
    /// Marker on a queued decision or request that has not been sent yet.
    QueueNotSent,
    /// Marker on a queued decision or request once it has been sent.
    QueueSent,
    /// Banner while the device is offline.
    QueueOfflineNotice,

    // ----- State of each purpose, and withdrawal -----
    /// State of a purpose with consent; `{date}` is when it took effect.
    StateGiven,
    /// State of a purpose without consent.
    StateNotGiven,
    /// State of a purpose whose consent was withdrawn; `{date}` is when.
    StateWithdrawn,
    /// The one-action withdraw button next to each purpose with consent.
    Withdraw,
    /// Confirmation after a withdrawal; `{purpose}` is the purpose's title.
    WithdrawDone,
    /// Co-signing state: the guardian has granted, the student has not yet.
    CosignWaitingForStudent,
    /// Co-signing state, shown to the student: the student has granted, the guardian not yet.
    CosignWaitingForGuardian,
    /// Co-signing state: both have granted, so the consent is in effect.
    CosignInEffect,
    /// Co-signing state: the student is now an adult and decides alone.
    CosignPassedToStudent,
    /// Beside that, to a guardian who can read the school's record: the adult student has not decided.
    StudentNotDecided,
    /// Beside that, to a guardian who can read the school's record: the adult student said no.
    StudentRefused,
    /// Banner on a consent that must be confirmed again because the student crossed an age threshold.
    ReconfirmNeeded,
    /// Banner on a purpose whose form changed, so a new decision is needed.
    FormChanged,

    // ----- History -----
    /// Heading of the history screen.
    HistoryHeading,
    /// History screen with no entries.
    HistoryEmpty,
    /// History screen, when the school's record could not be read (yet): nothing is known to list.
    HistoryUnread,
    /// History entry type: a consent given.
    HistoryGranted,
    /// History entry type: a consent withdrawn.
    HistoryWithdrawn,
    /// History entry line; `{name}` is the signer, `{date}` when they signed.
    HistorySignedBy,
    /// History entry line; `{date}` is the time of the school's acknowledgement.
    HistoryAcknowledged,
    /// History entry line of a paper slip; `{name}` is who signed it, `{date}` the date on the
    /// slip, `{staff}` who at the school recorded it (one of the `PaperRecorder…` texts).
    HistoryOnPaper,
    /// Who recorded a paper slip: the data protection officer.
    PaperRecorderDpo,
    /// Who recorded a paper slip: the director.
    PaperRecorderDirector,
    /// Who recorded a paper slip: another member of staff.
    PaperRecorderStaff,
    /// Added to a decision line, and to a purpose's state, that rests on a paper slip.
    OnPaper,
    /// Note on the history screen: withdrawal does not erase the history.
    HistoryKept,

    // ----- Receipts -----
    /// Heading of the receipts section.
    ReceiptsHeading,
    /// Sentence explaining what a receipt is for.
    ReceiptExplained,
    /// Button that downloads a receipt as JSON.
    DownloadReceiptJson,
    /// Button that opens a receipt as a printable page.
    PrintReceipt,
    /// Title of the printable receipt page.
    ReceiptTitle,
    /// Line of the printable receipt; `{hash}` is the hash of the form version answered.
    ReceiptFormVersion,

    // ----- Key backup -----
    /// Heading of the key backup section.
    KeyHeading,
    /// Sentence explaining the device key and why to back it up.
    KeyExplained,
    /// Button that exports the device key to a backup file.
    ExportKey,
    /// Button that imports the device key from a backup file.
    ImportKey,
    /// Warning next to the export button.
    KeyBackupWarning,
    /// Confirmation after a successful import.
    KeyImported,

    // ----- Rights requests -----
    /// Heading of the rights requests screen.
    RequestsHeading,
    /// Button that opens a new rights request.
    NewRequest,
    /// Label of the choice of right in a new request.
    RequestTypeLabel,
    /// Label of the free-text field of a new request.
    RequestDetailsLabel,
    /// Button that signs and sends a rights request.
    SendRequest,
    /// Line of a request; `{date}` is when it was sent.
    RequestSentOn,
    /// Line of a request; `{date}` is the deadline for the school's answer.
    RequestDeadline,
    /// Sentence under a new request explaining the deadline; `{date}` is the deadline.
    RequestDeadlineExplained,
    /// Request status: acknowledged by the school.
    RequestStatusReceived,
    /// Request status: the school is handling it.
    RequestStatusInProgress,
    /// Request status: the school has decided.
    RequestStatusDecided,
    /// The school's decision: granted.
    RequestDecisionGranted,
    /// The school's decision: refused.
    RequestDecisionRefused,
    /// The school's reason for its decision; `{reason}` is the school's text.
    RequestDecisionReason,
    /// Note under a decision: the requester may complain to the authority.
    RequestComplaint,
}

/// One language's texts: each key with its text, in the order of the screens.
pub type Catalogue<K> = &'static [(K, &'static str)];

/// One app's texts in every language: the widget's [`Key`]s here, the console's in its crate.
pub struct Catalogues<K: 'static> {
    /// English, which every other language falls back to.
    pub en: Catalogue<K>,
    /// Polish.
    pub pl: Catalogue<K>,
    /// Romanian.
    pub ro: Catalogue<K>,
    /// Ukrainian.
    pub uk: Catalogue<K>,
    /// German.
    pub de: Catalogue<K>,
}

impl<K: PartialEq> Catalogues<K> {
    /// The catalogue of one language.
    pub fn of(&self, lang: Lang) -> Catalogue<K> {
        match lang {
            Lang::En => self.en,
            Lang::Pl => self.pl,
            Lang::Ro => self.ro,
            Lang::Uk => self.uk,
            Lang::De => self.de,
        }
    }

    /// The text of `key` in `catalogue`, else in English.
    pub fn text_in(&self, catalogue: Catalogue<K>, key: K) -> Option<&'static str> {
        lookup_in(catalogue, &key).or_else(|| lookup_in(self.en, &key))
    }
}

/// The widget's texts.
const CATALOGUES: Catalogues<Key> =
    Catalogues { en: en::CATALOG, pl: pl::CATALOG, ro: ro::CATALOG, uk: uk::CATALOG, de: de::CATALOG };

/// The catalogue of one language.
fn catalogue(lang: Lang) -> Catalogue<Key> {
    CATALOGUES.of(lang)
}

/// The text of `key` in `catalogue`, if it has one.
fn lookup_in<K: PartialEq>(catalogue: Catalogue<K>, key: &K) -> Option<&'static str> {
    catalogue.iter().find(|(candidate, _)| candidate == key).map(|(_, text)| *text)
}

/// The text of `key` in `catalogue`, else in English, else (never, by test) the key's name.
fn text_in(catalogue: Catalogue<Key>, key: Key) -> &'static str {
    CATALOGUES.text_in(catalogue, key).unwrap_or_else(|| key.name())
}

/// The text of `key` in `lang`, falling back to English if that language lacks it.
pub fn text(lang: Lang, key: Key) -> &'static str {
    text_in(catalogue(lang), key)
}

/// The text of `key` in `lang` exactly, without falling back to English.
pub fn lookup(lang: Lang, key: Key) -> Option<&'static str> {
    lookup_in(catalogue(lang), &key)
}

/// Day, month name and year, in the language's order and with its month names ("14 May 2026",
/// "14 maja 2026"): the widget's dates, and the printed letters' (`verifier::letters`).
pub fn date_in_words(lang: Lang, year: u32, month: u32, day: u32) -> String {
    let names = text(lang, Key::MonthNames);
    let month_name = usize::try_from(month).ok().and_then(|m| names.split(' ').nth(m.wrapping_sub(1))).unwrap_or("?");
    fill(text(lang, Key::DateWritten), &[("day", &day.to_string()), ("month", month_name), ("year", &year.to_string())])
}

/// A placeholder found in a template: its name, and the byte range of `{name}`.
struct Placeholder<'a> {
    name: &'a str,
    start: usize,
    end: usize,
}

/// Every well-formed `{name}` in `template`, in order; a name is ASCII letters, digits and `_`.
fn scan(template: &str) -> Vec<Placeholder<'_>> {
    let mut found = Vec::new();
    let mut rest_start = 0;
    while let Some(open) = template[rest_start..].find('{').map(|at| rest_start + at) {
        let after = open + 1;
        let name_len = template[after..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(template.len() - after);
        let close = after + name_len;
        if name_len > 0 && template[close..].starts_with('}') {
            found.push(Placeholder { name: &template[after..close], start: open, end: close + 1 });
            rest_start = close + 1;
        } else {
            rest_start = after;
        }
    }
    found
}

/// `template` with every `{name}` that appears in `values` replaced by its value.
///
/// Unknown placeholders, and braces that do not form a placeholder, are left as they are.
/// Values are inserted verbatim and never scanned for placeholders themselves.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut copied = 0;
    for placeholder in scan(template) {
        if let Some((_, value)) = values.iter().find(|(name, _)| *name == placeholder.name) {
            filled.push_str(&template[copied..placeholder.start]);
            filled.push_str(value);
            copied = placeholder.end;
        }
    }
    filled.push_str(&template[copied..]);
    filled
}

/// The names of the placeholders in `template`, sorted and without duplicates.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = scan(template).into_iter().map(|p| p.name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{catalogue, en, fill, lookup, placeholders, text, text_in, Key};
    use crate::lang::Lang;

    /// Texts that may read the same in English and in another language: only punctuation
    /// around placeholders.
    const SAME_AS_ENGLISH: &[(Lang, Key)] = &[
        (Lang::Pl, Key::DecisionLine),
        (Lang::Ro, Key::DecisionLine),
        (Lang::Uk, Key::DecisionLine),
        (Lang::De, Key::DecisionLine),
        // Day, month, year: these languages write a date in the same order, without a dot.
        (Lang::Pl, Key::DateWritten),
        (Lang::Ro, Key::DateWritten),
    ];

    fn fail_with(problems: &[String]) {
        assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let mut missing = Vec::new();
        for lang in Lang::ALL {
            for &key in Key::ALL {
                if lookup(lang, key).is_none() {
                    missing.push(format!("{}: {} is missing", lang.code(), key.name()));
                }
            }
        }
        fail_with(&missing);
    }

    #[test]
    fn no_text_is_empty_or_padded() {
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            for (key, text) in catalogue(lang) {
                if text.is_empty() {
                    problems.push(format!("{}: {} is empty", lang.code(), key.name()));
                } else if text.trim() != *text {
                    problems.push(format!("{}: {} is padded: {text:?}", lang.code(), key.name()));
                }
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn placeholders_match_across_languages() {
        let mut problems = Vec::new();
        for &key in Key::ALL {
            let english = placeholders(text(Lang::En, key));
            for lang in Lang::ALL {
                if let Some(translated) = lookup(lang, key) {
                    let found = placeholders(translated);
                    if found != english {
                        problems.push(format!(
                            "{}: {} has {found:?}, English has {english:?}",
                            lang.code(),
                            key.name()
                        ));
                    }
                }
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn no_key_appears_twice_in_a_catalogue() {
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            let mut seen = HashSet::new();
            for (key, _) in catalogue(lang) {
                if !seen.insert(*key) {
                    problems.push(format!("{}: {} appears twice", lang.code(), key.name()));
                }
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn falls_back_to_english() {
        static PARTIAL: &[(Key, &str)] = &[(Key::SignAndSend, "Signer et envoyer")];
        assert_eq!(text_in(PARTIAL, Key::SignAndSend), "Signer et envoyer");
        for &key in Key::ALL.iter().filter(|&&key| key != Key::SignAndSend) {
            assert_eq!(text_in(PARTIAL, key), text(Lang::En, key), "{}", key.name());
        }
        assert_eq!(text_in(&[], Key::Withdraw), text(Lang::En, Key::Withdraw));
        assert_eq!(text_in(en::CATALOG, Key::Withdraw), text(Lang::En, Key::Withdraw));
    }

    #[test]
    fn every_language_but_english_is_translated() {
        let mut problems = Vec::new();
        for lang in Lang::ALL.into_iter().filter(|&lang| lang != Lang::En) {
            for &key in Key::ALL {
                let allowed = SAME_AS_ENGLISH.contains(&(lang, key));
                if !allowed && lookup(lang, key) == lookup(Lang::En, key) {
                    problems.push(format!("{}: {} is the English text", lang.code(), key.name()));
                }
            }
        }
        fail_with(&problems);
    }

    /// The words of `text`, lowercased, without punctuation.
    fn words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    }

    #[test]
    fn polish_addresses_the_reader_formally_throughout() {
        // The informal "ty" and its forms, and the informal imperatives of the widget's actions.
        const INFORMAL: &[&str] = &[
            "ty",
            "ciebie",
            "cię",
            "tobie",
            "twój",
            "twoja",
            "twoją",
            "twoje",
            "twojego",
            "twojej",
            "twoich",
            "możesz",
            "spróbuj",
            "podpisz",
            "wyślij",
            "wycofaj",
            "pobierz",
            "zapisz",
            "przywróć",
            "złóż",
            "odrzuć",
            "sprawdź",
            "otwórz",
            "poproś",
            "wybierz",
            "naciśnij",
            "kliknij",
            "użyj",
            "zachowaj",
        ];
        fail_with(&informal_words(Lang::Pl, INFORMAL));
    }

    /// Every word of the catalogue of `lang` that `informal` holds, as "code: key says word".
    fn informal_words(lang: Lang, informal: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, text) in catalogue(lang) {
            for word in words(text) {
                if informal.contains(&word.as_str()) {
                    problems.push(format!("{}: {} says {word:?}: {text:?}", lang.code(), key.name()));
                }
            }
        }
        problems
    }

    #[test]
    fn ukrainian_addresses_the_reader_with_a_capital_vy_throughout() {
        // The informal "ти" and its forms, and the polite forms written in lower case: a
        // consent form addresses one reader and capitalises "Ви", "Ваш", "Вам".
        const INFORMAL: &[&str] = &[
            "ти",
            "тебе",
            "тобі",
            "тобою",
            "твій",
            "твоя",
            "твоє",
            "твої",
            "твого",
            "твоєї",
            "твоїх",
            "можеш",
            "спробуй",
            "підпиши",
            "надішли",
            "відклич",
            "збережи",
            "відкрий",
        ];
        let mut problems = informal_words(Lang::Uk, INFORMAL);
        const POLITE: &[&str] = &[
            "ви",
            "вас",
            "вам",
            "вами",
            "ваш",
            "ваша",
            "ваше",
            "ваші",
            "вашого",
            "вашої",
            "вашим",
            "вашій",
            "ваших",
            "вашу",
            "вашими",
        ];
        for (key, text) in catalogue(Lang::Uk) {
            for word in text.split(|c: char| !c.is_alphanumeric()) {
                if POLITE.contains(&word) {
                    problems.push(format!("uk: {} writes {word:?} in lower case: {text:?}", key.name()));
                }
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn german_addresses_the_reader_with_sie_throughout() {
        const INFORMAL: &[&str] =
            &["du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "deines", "euch", "euer", "eure"];
        fail_with(&informal_words(Lang::De, INFORMAL));
    }

    #[test]
    fn romanian_calls_consent_acord_throughout() {
        let mut problems = Vec::new();
        for (key, text) in catalogue(Lang::Ro) {
            if words(text).iter().any(|w| w.starts_with("consimț")) {
                problems.push(format!("ro: {} says \"consimțământ\", not \"acord\": {text:?}", key.name()));
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn romanian_uses_comma_below_not_cedilla() {
        let mut problems = Vec::new();
        for (key, text) in catalogue(Lang::Ro) {
            if text.contains(['ş', 'Ş', 'ţ', 'Ţ']) {
                problems.push(format!("ro: {} has a cedilla: {text:?}", key.name()));
            }
        }
        fail_with(&problems);
    }

    #[test]
    fn key_names_are_unique_and_match_the_variants() {
        let names: HashSet<&str> = Key::ALL.iter().map(|key| key.name()).collect();
        assert_eq!(names.len(), Key::ALL.len());
        assert_eq!(Key::SignAndSend.name(), "SignAndSend");
        assert_eq!(format!("{:?}", Key::RightErasureExplained), Key::RightErasureExplained.name());
    }

    #[test]
    fn fill_replaces_known_placeholders_and_leaves_others() {
        // (template, values, expected)
        type Case = (&'static str, &'static [(&'static str, &'static str)], &'static str);
        let cases: &[Case] = &[
            ("Deadline: {date}", &[("date", "2026-06-14")], "Deadline: 2026-06-14"),
            ("Signed by {name} on {date}", &[("date", "2026-05-14"), ("name", "Ana")], "Signed by Ana on 2026-05-14"),
            ("{a}{a}", &[("a", "x")], "xx"),
            ("Waiting for {who}", &[("date", "today")], "Waiting for {who}"),
            ("{name} and {other}", &[("name", "Ana")], "Ana and {other}"),
            ("no placeholders", &[("name", "Ana")], "no placeholders"),
            ("{} { name} {{name}} {name", &[("name", "Ana")], "{} { name} {Ana} {name"),
            ("{name}", &[("name", "{date}"), ("date", "never")], "{date}"),
            ("Zgoda: {purpose} – ąęłż", &[("purpose", "zdjęcia")], "Zgoda: zdjęcia – ąęłż"),
        ];
        for (template, values, expected) in cases {
            assert_eq!(fill(template, values), *expected, "template {template:?}");
        }
    }

    #[test]
    fn placeholders_are_sorted_and_deduplicated() {
        assert_eq!(placeholders("{date} {name} {date}"), ["date", "name"]);
        assert_eq!(placeholders("{} {a b} {{x}} {y"), ["x"]);
        assert!(placeholders("Sign and send").is_empty());
    }
}
