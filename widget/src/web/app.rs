//! The widget's root: its state, the timers and browser events that drive it, and its frame.

use super::screens;
use super::state::State;
use super::Config;
use crate::link;
use leptos::prelude::*;
use std::time::Duration;

/// How often what is queued is retried while the page is open.
const RETRY: Duration = Duration::from_secs(5);

/// The widget.
#[component]
pub fn App(config: Config) -> impl IntoView {
    let state = State::new(config);
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
    let _other_tab = window_event_listener(leptos::ev::storage, move |event| state.follow_other_tab(event.key()));
    // An invitation link (or a letter's) opened in a tab that already shows the page changes only
    // the fragment, so the browser does not reload it. Reloading here starts the new person from
    // nothing: no answers, no screen and no sync of the previous one carry over. Other fragments
    // (`#main`) are left alone.
    let _new_link = window_event_listener(leptos::ev::hashchange, move |_| {
        let fragment = window().location().hash().unwrap_or_default();
        if link::opens_a_form(&fragment) {
            let _ = window().location().reload();
        }
    });
    screens::frame(state)
}
