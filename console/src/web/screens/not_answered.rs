//! Families to ask: one row per person to contact for a student whose family has not answered
//! every purpose, with what is still waiting, where their invitation stands and when the school
//! last reminded them; the same list as the service's CSV, for a mail merge; "Send reminders",
//! which has the service remind them all (by e-mail, or as a list saved here) and record it; and
//! the printed letters of the invitations still usable (the service's page, printed from a hidden
//! frame), for families who read paper.

use crate::format;
use crate::routes::{self, Format};
use crate::texts::Key;
use crate::web::browser;
use crate::web::parts::{loaded, mark, problem_box, purpose_title, when};
use crate::web::state::State;
use crate::words;
use leptos::prelude::*;
use shared::console::{Mark, NotAnswered, Reminded};
use shared::ids::PurposeId;
use wasm_bindgen::JsCast as _;

/// The screen.
pub fn show(state: State) -> impl IntoView {
    let list = RwSignal::new(None);
    state.get(routes::not_answered(Format::Json), list);
    let today = || format::local_date(browser::now(), browser::offset_minutes(browser::now()));
    let download = move |_| {
        state.download(routes::not_answered(Format::Csv), format!("not-answered-{}.csv", today()), "text/csv");
    };
    let reminded: RwSignal<Option<Result<Reminded, _>>> = RwSignal::new(None);
    let pressed = RwSignal::new(false);
    // Pressed, and no answer yet: the button waits.
    let sending = move || pressed.get() && reminded.with(Option::is_none);
    let remind = move |_| {
        pressed.set(true);
        // The list shows each person's new "last reminded" once the service recorded it.
        state.remind(format!("reminders-{}.csv", today()), reminded, move || {
            state.get(routes::not_answered(Format::Json), list)
        });
    };
    let outcome = move || {
        reminded.get().map(|answer| match answer {
            Ok(done) => view! {
                <p class="done" role="status" data-testid="reminded">
                    {state.fill(Key::RemindersDone, &[
                        ("emailed", done.emailed.to_string().as_str()),
                        ("listed", done.listed.to_string().as_str()),
                        ("failed", done.failed.to_string().as_str()),
                        ("uninvited", done.uninvited.to_string().as_str()),
                    ])}
                </p>
            }
            .into_any(),
            Err(problem) => view! { <div data-testid="reminded">{problem_box(state, problem)}</div> }.into_any(),
        })
    };
    let letters = RwSignal::new(None::<String>);
    let print_letters = move |_| state.print_letters(routes::letters(None), letters);
    view! {
        <h2>{move || state.text(Key::NotAnsweredTitle)}</h2>
        <p class="intro">{move || state.text(Key::NotAnsweredIntro)}</p>
        <p class="actions">
            <button type="button" data-testid="csv-download" on:click=download>{move || state.text(Key::DownloadCsv)}</button>
            <button type="button" data-testid="print-letters" on:click=print_letters>{move || state.text(Key::PrintLetters)}</button>
            <button type="button" data-testid="send-reminders" on:click=remind disabled=sending>
                {move || state.text(Key::SendReminders)}
            </button>
        </p>
        <p class="hint">{move || state.text(Key::PrintLettersHint)}</p>
        <p class="hint">{move || state.text(Key::SendRemindersHint)}</p>
        {outcome}
        {move || letters.get().map(|url| view! {
            <iframe class="print-frame" data-testid="letters-frame" src=url title=move || state.text(Key::PrintLetters)
                on:load=|event| {
                    if let Some(frame) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlIFrameElement>().ok()) {
                        browser::print_frame(&frame);
                    }
                }></iframe>
        })}
        {loaded(state, list, move |list| table(state, list))}
    }
}

fn table(state: State, list: NotAnswered) -> impl IntoView {
    let text = move |key| move || state.text(key);
    if list.rows.is_empty() {
        return view! { <p class="empty" data-testid="not-answered-table">{text(Key::NobodyToAsk)}</p> }.into_any();
    }
    view! {
        <div class="scroll" tabindex="0">
            <table data-testid="not-answered-table">
                <thead><tr>
                    <th scope="col">{text(Key::ColStudent)}</th>
                    <th scope="col">{text(Key::ColClass)}</th>
                    <th scope="col">{text(Key::ColWaiting)}</th>
                    <th scope="col">{text(Key::ColRole)}</th>
                    <th scope="col">{text(Key::ColName)}</th>
                    <th scope="col">{text(Key::ColEmail)}</th>
                    <th scope="col">{text(Key::ColInvitation)}</th>
                    <th scope="col">{text(Key::ColLastReminded)}</th>
                </tr></thead>
                <tbody>
                    {list.rows.into_iter().map(|row| view! {
                        <tr data-testid="row" data-student=row.student.to_string()>
                            <th scope="row">{row.student_name}</th>
                            <td>{row.class}</td>
                            <td>
                                <ul class="plain">
                                    {by_mark(row.waiting).into_iter().map(|(m, purposes)| view! {
                                        <li>
                                            {mark(state, m)}": "
                                            {move || purposes.iter().map(|p| purpose_title(state, p)).collect::<Vec<_>>().join(", ")}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </td>
                            <td>{text(words::role(row.role))}</td>
                            <td>{row.name}</td>
                            <td><a href=format!("mailto:{}", row.email)>{row.email.clone()}</a></td>
                            <td>{text(words::invitation(row.invitation))}</td>
                            <td data-testid="last-reminded" data-reminded=row.last_reminded.is_some().to_string()>
                                {move || row.last_reminded.map_or_else(|| state.text(Key::Never).to_owned(), when)}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The waiting purposes grouped by mark, marks in the order they first appear: a family that
/// answered nothing reads as one line, not one per purpose.
fn by_mark(waiting: Vec<(PurposeId, Mark)>) -> Vec<(Mark, Vec<PurposeId>)> {
    let mut groups: Vec<(Mark, Vec<PurposeId>)> = Vec::new();
    for (purpose, m) in waiting {
        match groups.iter_mut().find(|(seen, _)| *seen == m) {
            Some((_, purposes)) => purposes.push(purpose),
            None => groups.push((m, vec![purpose])),
        }
    }
    groups
}
