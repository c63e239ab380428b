//! The widget's state as signals, and the actions that change it. Every action is a flow of
//! [`crate::family`] run under a lock that this person's tabs share; while one runs, the buttons
//! that start another are disabled, so two flows never work on the same state at once.

use super::browser::{self, Fetch, Local};
use super::Config;
use crate::family::{exchange_code, Family, School};
use crate::link;
use crate::problem::Problem;
use crate::timing;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::PurposeId;
use shared::objects::{Decision, Right};
use shared::texts::{self, Key};
use shared::{Lang, Timestamp};
use std::collections::BTreeMap;

/// The tabs of the widget once the form is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Information, then one decision per purpose.
    Consents,
    /// Every decision about the student, with acknowledgements.
    History,
    /// The rights and the person's requests.
    Requests,
    /// Receipts to keep and the key backup.
    Receipts,
}

/// How the status line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Work in progress.
    Busy,
    /// Something completed.
    Done,
    /// Something the person should know: queued, or failed.
    Warning,
}

/// Everything the screens read and the actions write. Signals are `Copy` handles.
#[derive(Clone, Copy)]
pub struct State {
    /// The language shown.
    pub lang: RwSignal<Lang>,
    /// The person's session, once the form and invitation verified.
    pub family: RwSignal<Option<Family>, LocalStorage>,
    /// Why the widget cannot show the form, if it cannot.
    pub failure: RwSignal<Option<Problem>>,
    /// The status line.
    pub status: RwSignal<Option<(Key, Tone)>>,
    /// The status line's element, which takes the focus when the button pressed is disabled.
    pub status_node: NodeRef<leptos::html::P>,
    /// A flow is running.
    pub busy: RwSignal<bool>,
    /// The tab shown.
    pub tab: RwSignal<Tab>,
    /// The instant the screens are computed for; moved on after every flow.
    pub now: RwSignal<Timestamp>,
    /// The answers given and not signed yet: "yes" or "no" per purpose, none at first.
    pub answers: RwSignal<BTreeMap<PurposeId, Decision>>,
    /// The verified school, when the failure shown can be mended with a key backup.
    restorable: StoredValue<Option<School>, LocalStorage>,
    endpoint: StoredValue<String>,
    school: StoredValue<Option<shared::primitives::PublicKey>>,
}

impl State {
    /// Fresh state for the widget configured by `config`: nothing loaded, the consents tab.
    pub fn new(config: Config) -> State {
        State {
            lang: RwSignal::new(config.lang),
            family: RwSignal::new_local(None),
            failure: RwSignal::new(None),
            status: RwSignal::new(None),
            status_node: NodeRef::new(),
            busy: RwSignal::new(false),
            tab: RwSignal::new(Tab::Consents),
            now: RwSignal::new(browser::now()),
            answers: RwSignal::new(BTreeMap::new()),
            restorable: StoredValue::new_local(None),
            endpoint: StoredValue::new(config.endpoint),
            school: StoredValue::new(config.school),
        }
    }

    /// The text of `key` in the language shown.
    pub fn text(self, key: Key) -> &'static str {
        texts::text(self.lang.get(), key)
    }

    /// Whether the failure shown can be mended by restoring a key backup.
    pub fn can_restore(self) -> bool {
        self.restorable.with_value(Option::is_some)
    }

    fn fetch(self) -> Fetch {
        Fetch::new(&self.endpoint.get_value())
    }

    fn say(self, key: Key, tone: Tone) {
        self.status.set(Some((key, tone)));
    }

    /// Moves the focus to the status line: the button just pressed is disabled while the flow
    /// runs, and the browser would otherwise drop the focus to the page's start. There the
    /// person hears and reads how signing went, and continues from where they were.
    fn focus_status(self) {
        if let Some(node) = self.status_node.get_untracked() {
            let _ = node.focus();
        }
    }

    fn report(self, problem: &Problem) {
        browser::log(problem);
        self.say(problem.text_key(), Tone::Warning);
    }

    /// Verifies the form, opens the invitation, then sends what is queued and reads the history.
    pub fn load(self) {
        self.failure.set(None);
        self.say(Key::StatusVerifyingForm, Tone::Busy);
        spawn_local(async move {
            let school = match self.school.get_value() {
                Some(key) => School::load(&self.fetch(), key).await,
                None => Err(Problem::NotTheSchool("no data-school-key".into())),
            };
            let fragment = window().location().hash().unwrap_or_default();
            // A letter's code becomes its invitation's bytes, and the address bar the long link.
            let link = match (&school, link::read_code(&fragment)) {
                (Ok(_), Some(code)) => exchange_code(&self.fetch(), code).await.map(|bytes| {
                    browser::replace_fragment(&link::fragment_of(&bytes));
                    link::Fragment::Object(bytes)
                }),
                _ => Ok(link::read_fragment(&fragment)),
            };
            let opened = school.and_then(|school| {
                link.and_then(|link| Family::open(school.clone(), link, &Local, browser::now())).inspect_err(
                    |problem| {
                        // Without a usable link or saved state, a key backup still opens the session.
                        if matches!(
                            problem,
                            Problem::NoInvitation | Problem::DeviceDamaged(_) | Problem::CodeRefused(_)
                        ) {
                            self.restorable.set_value(Some(school));
                        }
                    },
                )
            });
            self.status.set(None);
            match opened {
                Ok(family) => self.opened(family),
                Err(problem) => {
                    browser::log(&problem);
                    self.failure.set(Some(problem));
                }
            }
        });
    }

    fn opened(self, mut family: Family) {
        if family.take_repaired() {
            self.say(Key::DeviceRepaired, Tone::Warning);
        }
        self.failure.set(None);
        self.restorable.set_value(None);
        self.family.set(Some(family));
        self.sync();
    }

    /// Sends what is queued, then reads the log head and the history. Does nothing while
    /// another flow runs; the retry timer calls it again.
    pub fn sync(self) {
        self.flow(|_| Ok(()));
    }

    /// Runs `step` on the session (a decision, a request…), then sends what is queued and reads
    /// the log head and the history — all under the lock this person's tabs share.
    fn flow(self, step: impl FnOnce(&mut Family) -> Result<(), Problem> + 'static) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(mut family) = self.family.get_untracked() else { return };
        self.busy.set(true);
        spawn_local(async move {
            let lock = family.storage_key();
            browser::exclusively(&lock, async {
                if let Err(problem) = step(&mut family) {
                    return self.report(&problem);
                }
                let fetch = self.fetch();
                if !family.device().outbox.is_empty() {
                    let step = if family.certificate().is_none() { Key::StatusEnrolling } else { Key::StatusSending };
                    self.say(step, Tone::Busy);
                }
                let sent = family.flush(&fetch, &Local, browser::now()).await;
                let refreshed = match &sent {
                    Ok(_) | Err(Problem::LogInconsistent(_)) => family.refresh(&fetch, &Local, browser::now()).await,
                    Err(_) => Ok(()),
                };
                match (sent, refreshed) {
                    (Err(problem), _) | (_, Err(problem)) => self.report(&problem),
                    (Ok(_), Ok(())) if family.take_repaired() => self.say(Key::DeviceRepaired, Tone::Warning),
                    (Ok(0), Ok(())) => {
                        if matches!(self.status.get_untracked(), Some((_, Tone::Busy))) {
                            self.status.set(None);
                        }
                    }
                    (Ok(_), Ok(())) => self.say(Key::StatusAcknowledged, Tone::Done),
                }
            })
            .await;
            self.now.set(browser::now());
            self.family.set(Some(family));
            self.busy.set(false);
            // The first sync after opening has ended: from now on a click acts.
            timing::interactive();
        });
    }

    /// Signs and sends decisions (a key is generated the first time).
    pub fn decide(self, decisions: BTreeMap<PurposeId, Decision>) {
        if self.busy.get_untracked() || decisions.is_empty() {
            return;
        }
        self.say(Key::StatusSigning, Tone::Busy);
        self.focus_status();
        let lang = self.lang.get_untracked();
        self.answers.set(BTreeMap::new());
        self.flow(move |family| family.decide(decisions, lang, browser::now(), &Local));
    }

    /// Signs again the decisions that were set aside.
    pub fn decide_again(self, decisions: BTreeMap<PurposeId, Decision>) {
        if self.busy.get_untracked() {
            return;
        }
        self.say(Key::StatusSigning, Tone::Busy);
        self.focus_status();
        let lang = self.lang.get_untracked();
        self.flow(move |family| family.decide_again(decisions, lang, browser::now(), &Local));
    }

    /// Forgets the decisions set aside.
    pub fn discard_set_aside(self) {
        self.flow(|family| family.discard_set_aside(&Local));
    }

    /// Records a rights request, then sends it.
    pub fn request(self, right: Right, text: String) {
        if self.busy.get_untracked() {
            return;
        }
        self.say(Key::StatusSigning, Tone::Busy);
        self.focus_status();
        self.flow(move |family| family.request_right(right, Vec::new(), text, browser::now(), &Local));
    }

    /// Restores the person's key and receipts from a backup file: into the session shown, or,
    /// where none could be opened, as the session.
    pub fn import(self, json: String) {
        if self.busy.get_untracked() {
            return;
        }
        if let Some(school) = self.restorable.get_value() {
            match Family::restore(school, &json, &Local) {
                Ok(family) => {
                    self.say(Key::KeyImported, Tone::Done);
                    self.opened(family);
                }
                Err(problem) => self.report(&problem),
            }
            return;
        }
        self.say(Key::KeyImported, Tone::Done);
        self.flow(move |family| family.import_backup(&json, &Local));
    }

    /// Shows what another tab saved for this person, when no flow runs here.
    pub fn follow_other_tab(self, changed_key: Option<String>) {
        if self.busy.get_untracked() {
            return;
        }
        let ours = self.family.with_untracked(|f| f.as_ref().map(Family::storage_key));
        if ours.is_none() || changed_key != ours {
            return;
        }
        let reloaded = self.family.try_update(|family| family.as_mut().map(|f| f.reload(&Local)));
        if let Some(Some(Err(problem))) = reloaded {
            self.report(&problem);
        }
        self.now.set(browser::now());
    }
}
