//! Pieces the screens share: an answer awaited or failed, a mark with its symbol and word, a
//! share as a bar, a purpose's title, an instant in local time.

use super::browser;
use super::state::{Load, State};
use crate::format;
use crate::problem::Problem;
use crate::texts::Key;
use crate::words;
use leptos::prelude::*;
use shared::console::Mark;
use shared::ids::PurposeId;
use shared::Timestamp;

/// What `load` holds: "Loading…", the problem, or `show` of the answer.
pub fn loaded<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    state: State,
    load: Load<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || match load.get() {
        None => view! { <p class="loading">{move || state.text(Key::Loading)}</p> }.into_any(),
        Some(Err(problem)) => problem_box(state, problem).into_any(),
        Some(Ok(answer)) => show(answer).into_any(),
    }
}

/// A problem in plain words, with the service's own message under it when it says more.
pub fn problem_box(state: State, problem: Problem) -> impl IntoView {
    let key = problem.text_key();
    let detail = problem.detail().map(str::to_owned);
    view! {
        <div class="problem" role="alert" data-testid="error">
            <p>{move || state.text(key)}</p>
            {detail.map(|detail| view! { <p class="detail">{detail}</p> })}
            {problem.may_pass().then(|| view! {
                <button type="button" on:click=move |_| browser::reload()>{move || state.text(Key::TryAgain)}</button>
            })}
        </div>
    }
}

/// A mark: its symbol (hidden from screen readers) and its word, classed by its API name so
/// that the stylesheet can add colour on top of both.
pub fn mark(state: State, mark: Mark) -> impl IntoView {
    let (symbol, key) = words::mark(mark);
    view! {
        <span class=format!("mark mark-{}", words::mark_name(mark))>
            <span class="symbol" aria-hidden="true">{symbol}</span>" "{move || state.text(key)}
        </span>
    }
}

/// The note beside a mark whose state rests on a paper slip: a staff member's record of it,
/// not the family's signature.
pub fn on_paper(state: State) -> impl IntoView {
    view! { " "<span class="on-paper" data-testid="on-paper">{move || state.text(Key::OnPaper)}</span> }
}

/// "`count` of `total`" beside a bar of that share (a `<meter>`, which the stylesheet draws:
/// no inline style is allowed under the service's CSP).
pub fn share(state: State, count: u32, total: u32) -> impl IntoView {
    let words = move || state.fill(Key::CountOf, &[("count", &count.to_string()), ("total", &total.to_string())]);
    view! {
        <span class="share">
            <meter min="0" max=total.max(1).to_string() value=count.to_string() aria-hidden="true"></meter>
            " "<span>{words}</span>
        </span>
    }
}

/// A purpose's title in the language shown, from the form in force; its id if the form no
/// longer has it.
pub fn purpose_title(state: State, id: &PurposeId) -> String {
    let lang = state.lang.get();
    state.me.with(|me| {
        me.as_ref()
            .and_then(|me| me.purposes.iter().find(|p| p.id == *id))
            .map_or_else(|| id.to_string(), |p| p.title.get(lang).to_owned())
    })
}

/// An instant in the staff member's local time.
pub fn when(at: Timestamp) -> String {
    format::local_time(at, browser::offset_minutes(at))
}
