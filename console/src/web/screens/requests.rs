//! Rights requests: the undecided ones, oldest first, with the days left before their deadline
//! (overdue ones marked), each with a form to grant or refuse with a reason, signed by the staff
//! member's key; then the decisions made.

use crate::format::{self, Due};
use crate::problem::Problem;
use crate::routes;
use crate::texts::Key;
use crate::web::browser;
use crate::web::parts::{loaded, problem_box, purpose_title, when};
use crate::web::state::State;
use crate::words;
use leptos::prelude::*;
use shared::console::{RequestSummary, Requests};
use shared::objects::Outcome;

/// The screen.
pub fn show(state: State) -> impl IntoView {
    let requests = RwSignal::new(None);
    let reload = move || state.get(routes::REQUESTS.to_owned(), requests);
    reload();
    view! {
        <h2>{move || state.text(Key::RequestsTitle)}</h2>
        {loaded(state, requests, move |requests| tables(state, requests, reload))}
    }
}

fn tables(state: State, requests: Requests, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let (decided, waiting): (Vec<_>, Vec<_>) = requests.rows.into_iter().partition(|r| r.decision.is_some());
    let inbox = if waiting.is_empty() {
        view! { <p class="empty" data-testid="requests-inbox">{text(Key::NoRequestsWaiting)}</p> }.into_any()
    } else {
        view! {
            <div class="scroll" tabindex="0">
                <table data-testid="requests-inbox" class="requests">
                    <thead><tr>
                        <th scope="col">{text(Key::ColReceived)}</th>
                        <th scope="col">{text(Key::ColDeadline)}</th>
                        <th scope="col">{text(Key::ColStudent)}</th>
                        <th scope="col">{text(Key::ColRight)}</th>
                        <th scope="col">{text(Key::ColRequest)}</th>
                        <th scope="col">{text(Key::ColDecide)}</th>
                    </tr></thead>
                    <tbody>{waiting.into_iter().map(|r| undecided(state, r, reload)).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let past = if decided.is_empty() {
        view! { <p class="empty" data-testid="requests-decided">{text(Key::NoRequestsDecided)}</p> }.into_any()
    } else {
        view! {
            <div class="scroll" tabindex="0">
                <table data-testid="requests-decided">
                    <thead><tr>
                        <th scope="col">{text(Key::ColReceived)}</th>
                        <th scope="col">{text(Key::ColStudent)}</th>
                        <th scope="col">{text(Key::ColRight)}</th>
                        <th scope="col">{text(Key::ColRequest)}</th>
                        <th scope="col">{text(Key::ColOutcome)}</th>
                        <th scope="col">{text(Key::ColReason)}</th>
                        <th scope="col">{text(Key::ColDecided)}</th>
                        <th scope="col">{text(Key::ColBy)}</th>
                    </tr></thead>
                    <tbody>{decided.into_iter().map(|r| past_decision(state, r)).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <h3>{text(Key::RequestsInbox)}</h3>
        {inbox}
        <h3>{text(Key::RequestsDecided)}</h3>
        {past}
    }
}

/// One undecided request, with its decision form.
fn undecided(state: State, request: RequestSummary, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let hash = request.request;
    let id = hash.to_hex();
    let due = format::due(request.deadline, browser::now());
    let outcome = RwSignal::new(None::<Outcome>);
    let reason = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<Result<(), Problem>>);
    let sending = RwSignal::new(false);
    let missing = RwSignal::new(None::<Key>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let written = reason.get().trim().to_owned();
        match (outcome.get(), written.is_empty()) {
            (None, _) => missing.set(Some(Key::ChooseOutcome)),
            (Some(_), true) => missing.set(Some(Key::WriteReason)),
            (Some(chosen), false) => {
                missing.set(None);
                sending.set(true);
                sent.set(None);
                state.decide(hash, chosen, written, sent, reload);
            }
        }
    };
    Effect::new(move |_| {
        if sent.get().is_some() {
            sending.set(false);
        }
    });
    let (grant_id, refuse_id, reason_id) = (format!("grant-{id}"), format!("refuse-{id}"), format!("reason-{id}"));
    let group = format!("outcome-{id}");
    let asked = asked(state, &request);
    view! {
        <tr data-testid="row" data-student=request.student.to_string() data-request=id.clone()
            class:overdue=matches!(due, Due::Overdue(_))>
            <td>{when(request.received)}</td>
            <td>
                {when(request.deadline)}<br />
                <span class="due">{move || match due {
                    Due::Left(days) => state.fill(Key::DaysLeft, &[("days", &days.to_string())]),
                    Due::Overdue(days) => format!("⚠ {}", state.fill(Key::Overdue, &[("days", &days.to_string())])),
                }}</span>
            </td>
            <td>{request.student_name}" ("{request.class}")"</td>
            <td>{text(words::right(request.right))}</td>
            {asked}
            <td>
                <form class="decide" on:submit=send>
                    <fieldset>
                        <legend>{text(Key::Decision)}</legend>
                        <input type="radio" id=grant_id.clone() name=group.clone() data-testid="decide-grant"
                            on:change=move |_| outcome.set(Some(Outcome::Granted)) />
                        <label for=grant_id>{text(Key::Grant)}</label>
                        <input type="radio" id=refuse_id.clone() name=group data-testid="decide-refuse"
                            on:change=move |_| outcome.set(Some(Outcome::Refused)) />
                        <label for=refuse_id>{text(Key::Refuse)}</label>
                    </fieldset>
                    <label for=reason_id.clone()>{text(Key::Reason)}</label>
                    <textarea id=reason_id data-testid="decide-reason" rows="3" maxlength="4000"
                        on:input=move |ev| reason.set(event_target_value(&ev)) prop:value=move || reason.get()></textarea>
                    {move || missing.get().map(|key| view! { <p class="missing" data-testid="error" role="alert">{move || state.text(key)}</p> })}
                    {move || sent.get().and_then(Result::err).map(|problem| problem_box(state, problem))}
                    <button type="submit" class="primary" data-testid="decide-send" disabled=move || sending.get()>
                        {move || if sending.get() { state.text(Key::Sending) } else { state.text(Key::SignAndSend) }}
                    </button>
                </form>
            </td>
        </tr>
    }
}

/// The request's own cell: its words, who asked in which capacity, and the purposes it names.
fn asked(state: State, request: &RequestSummary) -> impl IntoView {
    let role = words::role(request.role);
    let requester = request.requester.clone();
    let purposes = request.purposes.clone();
    view! {
        <td class="request-text">
            {request.text.clone()}
            <br /><span class="hint">{move || state.fill(Key::AskedBy, &[("name", &requester), ("role", state.text(role))])}</span>
            {(!purposes.is_empty()).then(|| view! {
                <br /><span class="hint">{move || state.fill(Key::AskedAbout, &[("purposes", &purposes.iter().map(|p| purpose_title(state, p)).collect::<Vec<_>>().join(", "))])}</span>
            })}
        </td>
    }
}

/// One decided request.
fn past_decision(state: State, request: RequestSummary) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let decision = request.decision.clone();
    let asked = asked(state, &request);
    view! {
        <tr data-testid="row" data-student=request.student.to_string() data-request=request.request.to_hex()>
            <td>{when(request.received)}</td>
            <td>{request.student_name}" ("{request.class}")"</td>
            <td>{text(words::right(request.right))}</td>
            {asked}
            {decision.map(|d| view! {
                <td>{text(words::outcome(d.outcome))}</td>
                <td>{d.reason}</td>
                <td>{when(d.decided)}</td>
                <td>{move || d.by.clone().unwrap_or_else(|| state.text(Key::ByAdministrator).to_owned())}</td>
            })}
        </tr>
    }
}
