//! One student's record: pick a class, then a student; how each purpose stands now (saying
//! when that rests on a paper slip), every receipt, paper slip, request and decision about them
//! in log order, the proof bundle an auditor checks offline with `verifier verify`, and, for
//! the DPO and the director, the form to record a paper slip ([`super::paper`]).

use crate::format;
use crate::problem::Problem;
use crate::routes;
use crate::texts::Key;
use crate::web::parts::{loaded, mark, on_paper, purpose_title, when};
use crate::web::state::State;
use crate::words;
use leptos::prelude::*;
use shared::console::{Event, EventKind, StudentHistory, Students};

/// The screen.
pub fn show(state: State) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let class = RwSignal::new(String::new());
    let students = RwSignal::new(None::<Result<Students, Problem>>);
    let student = RwSignal::new(String::new());
    let history = RwSignal::new(None::<Result<StudentHistory, Problem>>);
    let pick_class = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        class.set(picked.clone());
        student.set(String::new());
        if !picked.is_empty() {
            state.get(routes::students(&picked), students);
        }
    };
    let pick_student = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        student.set(picked.clone());
        if !picked.is_empty() {
            state.get(routes::student(&picked), history);
        }
    };
    view! {
        <h2>{text(Key::StudentTitle)}</h2>
        <div class="pickers">
            <label>{text(Key::PickClass)}
                <select data-testid="student-class" on:change=pick_class>
                    <option value="" selected=move || class.get().is_empty()>{text(Key::ChooseOne)}</option>
                    {move || state.me.with(|me| me.iter().flat_map(|me| me.classes.clone()).map(|c| {
                        view! { <option value=c.clone()>{c.clone()}</option> }
                    }).collect_view())}
                </select>
            </label>
            {move || (!class.get().is_empty()).then(|| loaded(state, students, move |list| view! {
                <label>{text(Key::PickStudent)}
                    <select data-testid="student-pick" on:change=pick_student>
                        <option value="" selected=move || student.get().is_empty()>{text(Key::ChooseOne)}</option>
                        {list.rows.into_iter().map(|s| view! { <option value=s.student.to_string()>{s.name}</option> }).collect_view()}
                    </select>
                </label>
            }))}
        </div>
        {move || (!student.get().is_empty()).then(|| loaded(state, history, move |h| {
            let reload = move || state.get(routes::student(&student.get_untracked()), history);
            record(state, h, reload)
        }))}
    }
}

fn record(state: State, history: StudentHistory, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let id = history.student.student.to_string();
    let download = move |_| {
        let name = format!("bundle-{}.json", format::file_part(&id));
        state.download(routes::export(&id), name, "application/json");
    };
    let born = history.birth_date.clone();
    let slip_form = state.may_record_paper_slips().then(|| super::paper::form(state, &history, reload));
    view! {
        <h3>{history.student.name}" · "{history.student.class}</h3>
        <p>{move || state.fill(Key::BornOn, &[("date", &born)])}</p>
        <table data-testid="student-now" class="marks">
            <caption>{text(Key::StudentNow)}</caption>
            <thead><tr>
                <th scope="col">{text(Key::ColPurpose)}</th>
                <th scope="col">{text(Key::ColMark)}</th>
            </tr></thead>
            <tbody>
                {history.now.into_iter().map(|now| view! {
                    <tr data-testid="row" data-purpose=now.purpose.to_string() data-mark=words::mark_name(now.mark)
                        data-paper=now.on_paper.to_string()>
                        <th scope="row">{let id = now.purpose.clone(); move || purpose_title(state, &id)}</th>
                        <td>{mark(state, now.mark)}{now.on_paper.then(|| on_paper(state))}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3>{text(Key::StudentHistory)}</h3>
        {if history.events.is_empty() {
            view! { <p class="empty" data-testid="student-history">{text(Key::NoEvents)}</p> }.into_any()
        } else {
            let student = history.student.student.to_string();
            view! {
                <div class="scroll" tabindex="0">
                    <table data-testid="student-history">
                        <thead><tr>
                            <th scope="col">{text(Key::ColWhen)}</th>
                            <th scope="col">{text(Key::ColWhat)}</th>
                            <th scope="col">{text(Key::ColWho)}</th>
                            <th scope="col">{text(Key::ColRole)}</th>
                            <th scope="col" class="number">{text(Key::ColFormVersion)}</th>
                            <th scope="col">{text(Key::ColDecisions)}</th>
                        </tr></thead>
                        <tbody>{history.events.into_iter().map(|e| event(state, &student, e)).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <p class="actions">
            <button type="button" data-testid="bundle-download" on:click=download>{text(Key::DownloadBundle)}</button>
        </p>
        <p class="hint">{text(Key::BundleHint)}</p>
        {slip_form}
    }
}

/// One logged object about the student. A receipt's decisions name each purpose by its title
/// and by its id, as the proof bundle and the CSV lists name it, so that the two can be matched.
fn event(state: State, student: &str, event: Event) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let by = event.by.clone();
    let kind = event.what.clone();
    let recorder = event.by.clone().unwrap_or_default();
    let what = move || match &kind {
        EventKind::Receipt { .. } => state.text(Key::EventReceipt).to_owned(),
        EventKind::Paper { signed_on, signers, .. } => {
            let signers: Vec<String> =
                signers.iter().map(|(role, name)| format!("{name} ({})", state.text(words::role(*role)))).collect();
            format!(
                "{} {}",
                state.fill(Key::EventPaper, &[("name", &recorder)]),
                state.fill(Key::PaperSlipSigned, &[("date", signed_on.as_str()), ("signers", &signers.join(", "))])
            )
        }
        EventKind::Request { right } => state.fill(Key::EventRequest, &[("right", state.text(words::right(*right)))]),
        EventKind::Decision { outcome } => {
            state.fill(Key::EventDecision, &[("outcome", state.text(words::outcome(*outcome)))])
        }
    };
    let paper = matches!(event.what, EventKind::Paper { .. });
    let (version, decisions) = match event.what {
        EventKind::Receipt { form_version, decisions } => (Some(form_version), decisions),
        EventKind::Paper { decisions, .. } => (None, decisions),
        EventKind::Request { .. } | EventKind::Decision { .. } => (None, Vec::new()),
    };
    view! {
        <tr data-testid="row" data-student=student.to_owned() data-index=event.index.to_string()
            data-paper=paper.to_string()>
            <td>{when(event.logged)}</td>
            <td>{what}</td>
            <td>{move || by.clone().unwrap_or_else(|| state.text(Key::ByAdministrator).to_owned())}</td>
            <td>{event.role.map(|role| text(words::role(role)))}</td>
            <td class="number">{version}</td>
            <td>
                <ul class="plain">
                    {decisions.into_iter().map(|(purpose, decision)| {
                        let id = purpose.to_string();
                        view! {
                            <li>
                                {move || purpose_title(state, &purpose)}" "<span class="id">"("{id}")"</span>
                                ": "{text(words::decision(decision))}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}
