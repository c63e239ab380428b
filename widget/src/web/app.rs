//! The widget's state as signals, and the actions that change it. Every action runs the flows of
//! [`crate::family`]; while one runs, the buttons that start another are disabled, so two flows
//! never work on the same state at once.

use super::browser::{self, Fetch, Local};
use super::screens;
use super::Config;
use crate::family::{Family, School};
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
use std::time::Duration;

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
    pub failure: RwSignal<Option<Key>>,
    /// The status line.
    pub status: RwSignal<Option<(Key, Tone)>>,
    /// A flow is running.
    pub busy: RwSignal<bool>,
    /// The tab shown.
    pub tab: RwSignal<Tab>,
    /// The instant the screens are computed for; moved on after every flow.
    pub now: RwSignal<Timestamp>,
    /// The purposes ticked and not sent yet.
    pub ticked: RwSignal<Vec<PurposeId>>,
    endpoint: StoredValue<String>,
    school: StoredValue<Option<shared::primitives::PublicKey>>,
}

impl State {
    /// The text of `key` in the language shown.
    pub fn text(self, key: Key) -> &'static str {
        texts::text(self.lang.get(), key)
    }

    fn fetch(self) -> Fetch {
        Fetch::new(&self.endpoint.get_value())
    }

    fn say(self, key: Key, tone: Tone) {
        self.status.set(Some((key, tone)));
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
            let opened = async {
                let school_key =
                    self.school.get_value().ok_or_else(|| Problem::NotTheSchool("no data-school-key".into()))?;
                let school = School::load(&self.fetch(), school_key).await?;
                let fragment = window().location().hash().unwrap_or_default();
                let invitation = link::invitation_from_fragment(&fragment);
                Family::open(school, invitation.as_deref(), &Local, browser::now())
            }
            .await;
            match opened {
                Ok(family) => {
                    self.status.set(None);
                    self.family.set(Some(family));
                    self.sync();
                }
                Err(problem) => {
                    browser::log(&problem);
                    self.status.set(None);
                    self.failure.set(Some(problem.text_key()));
                }
            }
        });
    }

    /// Sends what is queued, then reads the log head and the history. Does nothing while
    /// another flow runs; the retry timer calls it again.
    pub fn sync(self) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(mut family) = self.family.get_untracked() else { return };
        self.busy.set(true);
        spawn_local(async move {
            let fetch = self.fetch();
            if !family.device().outbox.is_empty() {
                let step = if family.certificate().is_none() { Key::StatusEnrolling } else { Key::StatusSending };
                self.say(step, Tone::Busy);
            }
            let sent = family.flush(&fetch, &Local, browser::now()).await;
            let refreshed = match &sent {
                Ok(_) => family.refresh(&fetch, &Local, browser::now()).await,
                Err(_) => Ok(()),
            };
            match (sent, refreshed) {
                (Ok(0), Ok(())) => {}
                (Ok(_), Ok(())) => self.say(Key::StatusAcknowledged, Tone::Done),
                (Err(problem), _) | (_, Err(problem)) => self.report(&problem),
            }
            self.now.set(browser::now());
            self.family.set(Some(family));
            self.busy.set(false);
            // The first sync after opening has ended: from now on a click acts.
            timing::interactive();
        });
    }

    /// Records decisions (a key is generated the first time), then sends them.
    pub fn decide(self, decisions: BTreeMap<PurposeId, Decision>) {
        if self.busy.get_untracked() || decisions.is_empty() {
            return;
        }
        self.say(Key::StatusSigning, Tone::Busy);
        let lang = self.lang.get_untracked();
        let recorded =
            self.family.try_update(|family| family.as_mut().map(|f| f.decide(decisions, lang, browser::now(), &Local)));
        self.after_recording(recorded.flatten());
    }

    /// Records a rights request, then sends it.
    pub fn request(self, right: Right, text: String) {
        if self.busy.get_untracked() {
            return;
        }
        self.say(Key::StatusSigning, Tone::Busy);
        let recorded = self.family.try_update(|family| {
            family.as_mut().map(|f| f.request_right(right, Vec::new(), text, browser::now(), &Local))
        });
        self.after_recording(recorded.flatten());
    }

    /// Restores the person's key and receipts from a backup file.
    pub fn import(self, json: String) {
        if self.busy.get_untracked() {
            return;
        }
        let imported = self.family.try_update(|family| family.as_mut().map(|f| f.import_backup(&json, &Local)));
        match imported.flatten() {
            Some(Ok(())) => {
                self.say(Key::KeyImported, Tone::Done);
                self.sync();
            }
            Some(Err(problem)) => self.report(&problem),
            None => {}
        }
    }

    fn after_recording(self, recorded: Option<Result<(), Problem>>) {
        match recorded {
            Some(Ok(())) => {
                self.ticked.set(Vec::new());
                self.now.set(browser::now());
                self.sync();
            }
            Some(Err(problem)) => self.report(&problem),
            None => {}
        }
    }
}

/// How often what is queued is retried while the page is open.
const RETRY: Duration = Duration::from_secs(5);

/// The widget.
#[component]
pub fn App(config: Config) -> impl IntoView {
    let state = State {
        lang: RwSignal::new(config.lang),
        family: RwSignal::new_local(None),
        failure: RwSignal::new(None),
        status: RwSignal::new(None),
        busy: RwSignal::new(false),
        tab: RwSignal::new(Tab::Consents),
        now: RwSignal::new(browser::now()),
        ticked: RwSignal::new(Vec::new()),
        endpoint: StoredValue::new(config.endpoint),
        school: StoredValue::new(config.school),
    };
    state.load();
    set_interval(
        move || {
            let queued = state.family.with_untracked(|f| f.as_ref().is_some_and(|f| !f.device().outbox.is_empty()));
            if queued {
                state.sync();
            }
        },
        RETRY,
    );
    let _online = window_event_listener(leptos::ev::online, move |_| state.sync());
    // An invitation link opened in a tab that already shows the page changes only the fragment, so
    // the browser does not reload it. Reloading here starts the new person from nothing: no ticks,
    // no screen and no sync of the previous one carry over. Other fragments (`#main`) are left alone.
    let _new_link = window_event_listener(leptos::ev::hashchange, move |_| {
        let fragment = window().location().hash().unwrap_or_default();
        if link::invitation_from_fragment(&fragment).is_some() {
            let _ = window().location().reload();
        }
    });
    screens::frame(state)
}
