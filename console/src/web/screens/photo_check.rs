//! The photo check: "who in class 7B may appear in a published photo on 2026-05-14?", computed
//! by the service's re-verifying audit, listed with a symbol and a word per student, printable
//! on one A4 page (the print stylesheet keeps the heading and the list) and saved as CSV.

use crate::format;
use crate::routes::{self, Format};
use crate::texts::Key;
use crate::web::browser;
use crate::web::parts::{loaded, mark, on_paper, when};
use crate::web::state::State;
use crate::words;
use leptos::prelude::*;
use shared::console::{Mark, PhotoCheck};

/// The screen.
pub fn show(state: State) -> impl IntoView {
    let first = |f: fn(&shared::console::Me) -> Option<String>| state.me.with_untracked(|me| me.as_ref().and_then(f));
    let class = RwSignal::new(first(|me| me.classes.first().cloned()).unwrap_or_default());
    let purpose = RwSignal::new(first(|me| me.purposes.first().map(|p| p.id.to_string())).unwrap_or_default());
    let date = RwSignal::new(format::local_date(browser::now(), browser::offset_minutes(browser::now())));
    let result = RwSignal::new(None::<Result<PhotoCheck, crate::problem::Problem>>);
    let asked = RwSignal::new(false);
    let ready = move || !class.get().is_empty() && !purpose.get().is_empty() && !date.get().is_empty();
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ready() {
            asked.set(true);
            state.get(routes::photo_check(&class.get(), &purpose.get(), &date.get(), Format::Json), result);
        }
    };
    let text = move |key| move || state.text(key);
    view! {
        <h2 class="no-print">{text(Key::PhotoTitle)}</h2>
        <p class="intro no-print">{text(Key::PhotoIntro)}</p>
        <form class="pickers no-print" on:submit=run>
            <label>{text(Key::PickClass)}
                <select data-testid="photo-class" on:change=move |ev| class.set(event_target_value(&ev))>
                    {move || state.me.with(|me| me.iter().flat_map(|me| me.classes.clone()).map(|c| {
                        let value = c.clone();
                        view! { <option value=value.clone() selected=move || class.get() == value>{c}</option> }
                    }).collect_view())}
                </select>
            </label>
            <label>{text(Key::PickPurpose)}
                <select data-testid="photo-purpose" on:change=move |ev| purpose.set(event_target_value(&ev))>
                    {move || state.me.with(|me| me.iter().flat_map(|me| me.purposes.clone()).map(|p| {
                        let id = p.id.to_string();
                        let (lang, title) = (p.title.lang_attribute(state.lang.get()), p.title.get(state.lang.get()).to_owned());
                        view! { <option value=id.clone() lang=lang selected=move || purpose.get() == id>{title}</option> }
                    }).collect_view())}
                </select>
            </label>
            <label>{text(Key::PickDate)}
                <input type="date" data-testid="photo-date" required
                    prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" data-testid="photo-run" disabled=move || !ready()>{text(Key::RunCheck)}</button>
        </form>
        {move || asked.get().then(|| loaded(state, result, move |check| list(state, check)))}
    }
}

fn list(state: State, check: PhotoCheck) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let total = check.rows.len();
    let allowed = check.rows.iter().filter(|row| row.mark == Mark::Allowed).count();
    let title = check.purpose.title.clone();
    let (class, date) = (check.class.clone(), check.date.clone());
    let heading = move || {
        let school = state.school.with(|s| s.as_ref().map(|s| s.name.clone())).unwrap_or_default();
        let purpose = title.get(state.lang.get()).to_owned();
        state.fill(Key::PhotoHeading, &[("school", &school), ("class", &class), ("purpose", &purpose), ("date", &date)])
    };
    let csv = {
        let (class, purpose, date) = (check.class.clone(), check.purpose.id.to_string(), check.date.clone());
        move |_| {
            let name =
                format!("photo-check-{}-{}-{}.csv", format::file_part(&class), format::file_part(&purpose), date);
            state.download(routes::photo_check(&class, &purpose, &date, Format::Csv), name, "text/csv");
        }
    };
    let at = when(check.at);
    view! {
        <section class="photo-list" aria-labelledby="photo-heading">
            <h2 id="photo-heading" class="print-heading">{heading}</h2>
            <p class="audit">{move || state.fill(Key::PhotoAt, &[("at", &at)])}</p>
            <p class="summary">{move || state.fill(Key::PhotoSummary, &[("count", &allowed.to_string()), ("total", &total.to_string())])}</p>
            <p class="actions no-print">
                <button type="button" data-testid="print" on:click=move |_| browser::print()>{text(Key::Print)}</button>
                " "
                <button type="button" data-testid="csv-download" on:click=csv>{text(Key::DownloadCsv)}</button>
            </p>
            {if check.rows.is_empty() {
                view! { <p class="empty" data-testid="photo-check-table">{text(Key::NoStudents)}</p> }.into_any()
            } else {
                view! {
                    <table data-testid="photo-check-table" class="marks">
                        <thead><tr>
                            <th scope="col">{text(Key::ColStudent)}</th>
                            <th scope="col">{text(Key::ColMark)}</th>
                        </tr></thead>
                        <tbody>
                            {check.rows.into_iter().map(|row| view! {
                                <tr data-testid="row" data-student=row.student.to_string() data-mark=words::mark_name(row.mark)
                                    data-paper=row.on_paper.to_string()>
                                    <th scope="row">{row.name}</th>
                                    <td>{mark(state, row.mark)}{row.on_paper.then(|| on_paper(state))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
