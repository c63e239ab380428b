//! The console's frame: the school's name and the greeting, the language picker, the navigation
//! bar (only the screens the role may open), the status line, then the screen.

use super::parts::problem_box;
use super::screens;
use super::state::{Note, Phase, Screen, State};
use crate::texts::Key;
use crate::words;
use leptos::prelude::*;
use shared::Lang;

/// The console.
#[component]
pub fn App() -> impl IntoView {
    let state = State::new();
    state.open();
    let _fragment = window_event_listener(leptos::ev::hashchange, move |_| state.follow_fragment());
    // The page's language follows the picker, so that screen readers pronounce it right.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", state.lang.get().code());
        }
    });
    view! {
        <header class="top">
            <div class="title">
                <p class="school">{move || state.school.with(|s| s.as_ref().map(|s| s.name.clone()))}</p>
                <h1>{move || state.text(Key::ConsoleTitle)}</h1>
            </div>
            <p class="whoami" data-testid="whoami">{move || greeting(state)}</p>
            <LanguagePicker state />
        </header>
        {move || (state.phase.get() == Phase::Ready).then(|| navigation(state))}
        <p class="status" role="status" aria-live="polite" data-testid="status">
            {move || state.note.get().map(|note| match note {
                Note::Said(key) => state.text(key).to_owned(),
                Note::Saved(file) => state.fill(Key::Saved, &[("file", &file)]),
            })}
        </p>
        {move || state.action_error.get().map(|problem| problem_box(state, problem))}
        <main id="main" tabindex="-1">
            {move || match state.phase.get() {
                Phase::Opening => view! { <p class="loading">{move || state.text(Key::Loading)}</p> }.into_any(),
                Phase::NoAccess => view! { <p class="no-access" data-testid="no-access">{move || state.text(Key::NoAccess)}</p> }.into_any(),
                Phase::Failed(problem) => problem_box(state, problem).into_any(),
                Phase::Ready => screen(state).into_any(),
            }}
        </main>
    }
}

/// "Signed in as …, role", once the service said who.
fn greeting(state: State) -> Option<String> {
    state.me.with(|me| {
        me.as_ref()
            .map(|me| state.fill(Key::Whoami, &[("name", &me.name), ("role", state.text(words::staff_role(me.role)))]))
    })
}

#[component]
fn LanguagePicker(state: State) -> impl IntoView {
    view! {
        <label class="lang">
            {move || state.text(Key::LanguageLabel)} " "
            <select data-testid="language" on:change=move |ev| {
                if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
                    state.choose_language(lang);
                }
            }>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() selected=move || state.lang.get() == lang>{lang.native_name()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Links to the screens the role may open; the current one is marked for screen readers too.
fn navigation(state: State) -> impl IntoView {
    let role = state.me.with_untracked(|me| me.as_ref().map(|me| me.role));
    let screens = Screen::ALL.into_iter().filter(move |s| role.is_some_and(|role| s.open_to(role)));
    view! {
        <nav class="sections" aria-label=move || state.text(Key::NavLabel)>
            <ul>
                {screens.map(|screen| view! {
                    <li>
                        <a href=format!("#{}", screen.name()) data-testid=format!("nav-{}", screen.name())
                            aria-current=move || (shown(state) == screen).then_some("page")>
                            {move || state.text(screen.title())}
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// The screen asked for, or the overview when the role may not open it.
fn shown(state: State) -> Screen {
    let asked = state.screen.get();
    let allowed = state.me.with(|me| me.as_ref().is_some_and(|me| asked.open_to(me.role)));
    if allowed {
        asked
    } else {
        Screen::Overview
    }
}

fn screen(state: State) -> impl IntoView {
    move || match shown(state) {
        Screen::Overview => screens::overview::show(state).into_any(),
        Screen::NotAnswered => screens::not_answered::show(state).into_any(),
        Screen::PhotoCheck => screens::photo_check::show(state).into_any(),
        Screen::Requests => screens::requests::show(state).into_any(),
        Screen::Student => screens::student::show(state).into_any(),
    }
}
