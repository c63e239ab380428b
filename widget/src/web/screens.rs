//! The screens. They render values from [`crate::view`] and call [`State`]'s actions; native
//! inputs with labels, one `aria-live` status region, and stable `data-testid`s for the browser
//! tests. No inline style: the widget's stylesheet is a file, so a strict CSP holds.

use super::app::{State, Tab, Tone};
use super::browser;
use crate::receipts;
use crate::view::{self, Control, PurposeRow};
use leptos::prelude::*;
use shared::objects::{Contact, Decision, Outcome, Right, Role};
use shared::policy::{Signers, Status};
use shared::texts::{fill, Key};
use shared::{Lang, Timestamp};
use std::collections::BTreeMap;

/// The whole widget: heading, language, status, then the failure or the tabs.
pub fn frame(state: State) -> impl IntoView {
    view! {
        <section class="consent-widget" lang=move || state.lang.get().code() data-testid="consent-widget">
            <header class="cw-header">
                <h2>{move || state.text(Key::WidgetTitle)}</h2>
                <LanguagePicker state />
            </header>
            <p class="cw-person" data-testid="person">
                {move || state.family.with(|f| f.as_ref().map(|f| f.invitation().display_name.clone()))}
            </p>
            <p class="cw-status" role="status" aria-live="polite" data-testid="status"
                class:cw-busy=move || matches!(state.status.get(), Some((_, Tone::Busy)))
                class:cw-done=move || matches!(state.status.get(), Some((_, Tone::Done)))
                class:cw-warning=move || matches!(state.status.get(), Some((_, Tone::Warning)))>
                {move || state.status.get().map(|(key, _)| state.text(key))}
            </p>
            {move || match (state.failure.get(), state.family.with(Option::is_some)) {
                (Some(key), _) => failure(state, key).into_any(),
                (None, false) => view! { <p class="cw-loading">{move || state.text(Key::Loading)}</p> }.into_any(),
                (None, true) => tabs(state).into_any(),
            }}
        </section>
    }
}

#[component]
fn LanguagePicker(state: State) -> impl IntoView {
    view! {
        <label class="cw-lang">
            {move || state.text(Key::LanguageLabel)} " "
            <select data-testid="language" on:change=move |ev| {
                if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
                    state.lang.set(lang);
                }
            }>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.code() selected=move || state.lang.get() == lang>{lang.native_name()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

fn failure(state: State, key: Key) -> impl IntoView {
    view! {
        <div class="cw-failure" role="alert" data-testid="failure">
            <p>{move || state.text(key)}</p>
            <button type="button" on:click=move |_| state.load()>{move || state.text(Key::TryAgain)}</button>
        </div>
    }
}

fn tabs(state: State) -> impl IntoView {
    let tab_button = move |tab: Tab, key: Key, testid: &'static str| {
        view! {
            <button type="button" data-testid=testid
                aria-current=move || (state.tab.get() == tab).then_some("page")
                on:click=move |_| state.tab.set(tab)>
                {move || state.text(key)}
            </button>
        }
    };
    view! {
        <nav class="cw-tabs">
            {tab_button(Tab::Consents, Key::NavConsents, "tab-consents")}
            {tab_button(Tab::History, Key::NavHistory, "tab-history")}
            {tab_button(Tab::Requests, Key::NavRequests, "tab-requests")}
            {tab_button(Tab::Receipts, Key::NavReceipts, "tab-receipts")}
        </nav>
        {move || match state.tab.get() {
            Tab::Consents => consents(state).into_any(),
            Tab::History => history(state).into_any(),
            Tab::Requests => requests(state).into_any(),
            Tab::Receipts => receipts_and_key(state).into_any(),
        }}
    }
}

fn date(at: Timestamp) -> String {
    at.date().to_string()
}

/// Information first (rule 3), then one decision per purpose.
fn consents(state: State) -> impl IntoView {
    let rows = Memo::new(move |_| {
        state.family.with(|f| f.as_ref().map(|f| view::purpose_rows(f, state.now.get())).unwrap_or_default())
    });
    let first_visit = Memo::new(move |_| rows.with(|rows| rows.iter().all(|r| r.mine.is_none())));
    view! {
        <details class="cw-information" open=move || first_visit.get() data-testid="information">
            <summary>{move || state.text(Key::InfoIntro)}</summary>
            {move || information(state)}
        </details>
        <section class="cw-decisions" data-testid="decisions">
            <h3>{move || state.text(Key::ConsentHeading)}</h3>
            <p>{move || signing_as(state)}</p>
            <p>{move || state.text(Key::EveryPurposeOptional)}</p>
            <p>{move || state.text(Key::NothingPreTicked)}</p>
            <ul class="cw-purposes">
                {move || rows.get().into_iter().map(|row| purpose_row(state, row)).collect_view()}
            </ul>
            <p>{move || state.text(Key::NothingSentUntilSigned)}</p>
            <button type="button" class="cw-primary" data-testid="sign-and-send"
                disabled=move || state.busy.get() || !rows.with(|r| r.iter().any(|r| r.control == Control::Tick))
                on:click=move |_| {
                    let decisions = view::decisions_to_send(&rows.get_untracked(), &state.ticked.get_untracked());
                    state.decide(decisions);
                }>
                {move || state.text(Key::SignAndSend)}
            </button>
            {move || last_acknowledgement(state)}
        </section>
    }
}

fn signing_as(state: State) -> String {
    state.family.with(|family| {
        let Some(family) = family else { return String::new() };
        let role_line = match family.invitation().role {
            Role::Guardian => state.text(Key::SigningAsGuardian),
            Role::Student => state.text(Key::SigningAsStudent),
        };
        match view::required_signers(family, state.now.get()) {
            Signers::GuardianAndStudent => format!("{role_line} {}", state.text(Key::CosignExplained)),
            _ => role_line.to_owned(),
        }
    })
}

fn information(state: State) -> impl IntoView {
    state.family.with(|family| {
        let family = family.as_ref()?;
        let form = family.school().form().body().clone();
        let lang = state.lang.get();
        let contact = move |contact: Contact| {
            view! {
                <p>{contact.name}</p>
                <ul>
                    <li>{fill(state.text(Key::ContactAddress), &[("address", &contact.address)])}</li>
                    <li>{fill(state.text(Key::ContactEmail), &[("email", &contact.email)])}</li>
                    <li>{fill(state.text(Key::ContactPhone), &[("phone", &contact.phone)])}</li>
                </ul>
            }
        };
        let school_name = form.controller.school.name.clone();
        let authority_name = form.supervisory_authority.name.clone();
        Some(view! {
            <h3>{state.text(Key::ControllerHeading)}</h3>
            <p>{fill(state.text(Key::ControllerIntro), &[("school", &school_name)])}</p>
            {contact(form.controller.school.clone())}
            <h3>{state.text(Key::DpoHeading)}</h3>
            <p>{state.text(Key::DpoIntro)}</p>
            {contact(form.controller.dpo.clone())}
            <h3>{state.text(Key::PurposesHeading)}</h3>
            <ul class="cw-purpose-info">
                {form.purposes.iter().map(|purpose| {
                    let recipients: Vec<&str> = purpose.recipients.iter().map(|r| r.get(lang)).collect();
                    view! {
                        <li data-testid=format!("info-{}", purpose.id)>
                            <h4>{purpose.title.get(lang).to_owned()} " "
                                <span class="cw-badge">{state.text(Key::PurposeOptional)}</span></h4>
                            <p>{purpose.description.get(lang).to_owned()}</p>
                            <p>{fill(state.text(Key::PurposeRecipients), &[("recipients", &recipients.join(", "))])}</p>
                            <p>{fill(state.text(Key::PurposeRetention), &[("retention", purpose.retention.get(lang))])}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h3>{state.text(Key::RightsHeading)}</h3>
            <p>{state.text(Key::RightsIntro)}</p>
            <ul>
                <li>{state.text(Key::RightWithdrawExplained)} " " {state.text(Key::WithdrawalNotRetroactive)}</li>
                {Right::ALL.into_iter().map(|right| view! {
                    <li><strong>{state.text(right_name(right))}</strong> ": " {state.text(right_explained(right))}</li>
                }).collect_view()}
            </ul>
            <h3>{state.text(Key::AuthorityHeading)}</h3>
            <p>{fill(state.text(Key::AuthorityIntro), &[("authority", &authority_name)])}</p>
            {contact(form.supervisory_authority.clone())}
        })
    })
}

fn purpose_row(state: State, row: PurposeRow) -> impl IntoView {
    let id = row.purpose.id.clone();
    let input_id = format!("cw-purpose-{id}");
    let title = row.purpose.title.clone();
    let title_text = move || title.get(state.lang.get()).to_owned();
    let status_text = {
        let row = row.clone();
        move || status_line(state, &row)
    };
    let control = match row.control {
        Control::Tick => {
            let (checked_id, toggled_id) = (id.clone(), id.clone());
            let label = title_text.clone();
            view! {
                <input type="checkbox" id=input_id.clone() data-testid=format!("consent-{id}")
                    prop:checked=move || state.ticked.with(|t| t.contains(&checked_id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        state.ticked.update(|t| {
                            t.retain(|p| *p != toggled_id);
                            if on { t.push(toggled_id.clone()); }
                        });
                    } />
                <label for=input_id>{move || fill(state.text(Key::ConsentCheckbox), &[("purpose", &label())])}</label>
            }
            .into_any()
        }
        Control::Withdraw => {
            let withdrawn = id.clone();
            view! {
                <button type="button" class="cw-withdraw" data-testid=format!("withdraw-{id}")
                    disabled=move || state.busy.get()
                    on:click=move |_| state.decide(BTreeMap::from([(withdrawn.clone(), Decision::Withdraw)]))>
                    {move || state.text(Key::Withdraw)}
                </button>
            }
            .into_any()
        }
        Control::NotTheirs => ().into_any(),
    };
    view! {
        <li class="cw-purpose" data-testid=format!("purpose-{}", row.purpose.id)>
            <h4>{title_text}</h4>
            <p class="cw-state" data-testid=format!("state-{}", row.purpose.id)>{status_text}</p>
            {control}
        </li>
    }
}

/// The purpose's state in words, as this person should read it.
fn status_line(state: State, row: &PurposeRow) -> String {
    let role = state.family.with(|f| f.as_ref().map(|f| f.invitation().role));
    let mut parts: Vec<String> = Vec::new();
    if row.control == Control::NotTheirs {
        parts.push(state.text(Key::CosignPassedToStudent).to_owned());
    }
    parts.push(match &row.status {
        Status::InEffect { since, .. } => {
            format!(
                "{} · {}",
                state.text(Key::CosignInEffect),
                fill(state.text(Key::StateGiven), &[("date", &date(*since))])
            )
        }
        Status::Waiting { for_roles } if role.is_some_and(|r| for_roles.contains(&r)) => {
            state.text(Key::CosignWaitingForYou).to_owned()
        }
        Status::Waiting { for_roles } if for_roles.contains(&Role::Student) => {
            state.text(Key::CosignWaitingForStudent).to_owned()
        }
        Status::Waiting { .. } => state.text(Key::CosignWaitingForGuardian).to_owned(),
        Status::Withdrawn { at, .. } => fill(state.text(Key::StateWithdrawn), &[("date", &date(*at))]),
        Status::Refused { .. } | Status::NotAnswered => state.text(Key::StateNotGiven).to_owned(),
    });
    if matches!(row.mine, Some((_, None))) {
        parts.push(state.text(Key::QueueNotSent).to_owned());
    }
    if row.needs_reconfirmation {
        parts.push(state.text(Key::ReconfirmNeeded).to_owned());
    }
    if row.form_superseded {
        parts.push(state.text(Key::FormChanged).to_owned());
    }
    parts.join(" · ")
}

/// The school's acknowledgement of this person's latest receipt.
fn last_acknowledgement(state: State) -> impl IntoView {
    state.family.with(|family| {
        let family = family.as_ref()?;
        let me = family.key()?;
        let (_, ack) = family.history().receipts.iter().rev().find(|(r, _)| *r.signer() == me)?;
        let ack = ack.body();
        Some(view! {
            <div class="cw-ack" data-testid="acknowledgement">
                <h4>{state.text(Key::AcknowledgementHeading)}</h4>
                <p>{fill(state.text(Key::AcknowledgementDetails), &[
                    ("date", &ack.server_time.to_string()),
                    ("index", &ack.log_index.to_string()),
                ])}</p>
            </div>
        })
    })
}

fn history(state: State) -> impl IntoView {
    move || {
        state.family.with(|family| {
            let family = family.as_ref()?;
            let entries = view::history_entries(family);
            let form = family.school().form().body().clone();
            let lang = state.lang.get();
            Some(view! {
                <section class="cw-history" data-testid="history">
                    <h3>{state.text(Key::HistoryHeading)}</h3>
                    <p>{state.text(Key::HistoryKept)}</p>
                    {entries.is_empty().then(|| view! { <p>{state.text(Key::HistoryEmpty)}</p> })}
                    <ol>
                        {entries.into_iter().map(|entry| {
                            let title = form.purpose(&entry.purpose).map_or(entry.purpose.to_string(), |p| p.title.get(lang).to_owned());
                            let what = decision_name(entry.decision);
                            let who = if entry.by_me { Key::RoleYou } else { role_name(entry.role) };
                            view! {
                                <li data-testid="history-entry" data-decision=format!("{:?}", entry.decision).to_lowercase()>
                                    <strong>{title}</strong> ": " {state.text(what)}
                                    <br />
                                    {fill(state.text(Key::HistorySignedBy), &[("name", state.text(who)), ("date", &date(entry.logged_at))])}
                                    <br />
                                    {fill(state.text(Key::HistoryAcknowledged), &[("date", &entry.logged_at.to_string())])}
                                    " (#" {entry.log_index} ")"
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </section>
            })
        })
    }
}

fn requests(state: State) -> impl IntoView {
    let right = RwSignal::new(Right::Access);
    let details = RwSignal::new(String::new());
    let rows = move || state.family.with(|f| f.as_ref().map(view::request_rows).unwrap_or_default());
    view! {
        <section class="cw-requests" data-testid="requests">
            <h3>{move || state.text(Key::RequestsHeading)}</h3>
            <p>{move || state.text(Key::RightsIntro)}</p>
            <fieldset>
                <legend>{move || state.text(Key::RequestTypeLabel)}</legend>
                {Right::ALL.into_iter().map(|choice| {
                    let id = format!("cw-right-{choice:?}").to_lowercase();
                    view! {
                        <div class="cw-choice">
                            <input type="radio" name="cw-right" id=id.clone() data-testid=format!("right-{choice:?}").to_lowercase()
                                prop:checked=move || right.get() == choice
                                on:change=move |_| right.set(choice) />
                            <label for=id>
                                <strong>{move || state.text(right_name(choice))}</strong>
                                " — " {move || state.text(right_explained(choice))}
                            </label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <label for="cw-request-details">{move || state.text(Key::RequestDetailsLabel)}</label>
            <textarea id="cw-request-details" data-testid="request-details" rows="3"
                prop:value=move || details.get()
                on:input=move |ev| details.set(event_target_value(&ev))></textarea>
            <button type="button" class="cw-primary" data-testid="send-request" disabled=move || state.busy.get()
                on:click=move |_| {
                    let words = details.get_untracked();
                    let words = if words.trim().is_empty() { state.text(right_name(right.get_untracked())).to_owned() } else { words };
                    state.request(right.get_untracked(), words);
                    details.set(String::new());
                }>
                {move || state.text(Key::SendRequest)}
            </button>
            <ul class="cw-request-list">
                {move || rows().into_iter().map(|row| request_row(state, row)).collect_view()}
            </ul>
            <p>{move || state.text(Key::RequestComplaint)}</p>
        </section>
    }
}

fn request_row(state: State, row: view::RequestRow) -> impl IntoView {
    let status = match (&row.received, &row.decision) {
        (None, _) => state.text(Key::QueueNotSent).to_owned(),
        (Some(_), Some(_)) => state.text(Key::RequestStatusDecided).to_owned(),
        (Some(_), None) => state.text(Key::RequestStatusReceived).to_owned(),
    };
    view! {
        <li data-testid="request">
            <strong>{state.text(right_name(row.right))}</strong> " — " <span data-testid="request-status">{status}</span>
            {row.received.map(|at| view! { <br /> {fill(state.text(Key::RequestSentOn), &[("date", &date(at))])} })}
            {row.deadline.map(|at| view! { <br /> {fill(state.text(Key::RequestDeadlineExplained), &[("date", &date(at))])} })}
            {row.decision.map(|(outcome, reason, _)| {
                let key = match outcome { Outcome::Granted => Key::RequestDecisionGranted, Outcome::Refused => Key::RequestDecisionRefused };
                view! {
                    <p data-testid="request-decision">{state.text(key)} " " {fill(state.text(Key::RequestDecisionReason), &[("reason", &reason)])}</p>
                }
            })}
        </li>
    }
}

fn receipts_and_key(state: State) -> impl IntoView {
    let download = move |_| {
        state.family.with_untracked(|family| {
            if let Some(family) = family {
                let kit = receipts::kit(family);
                if let Err(error) = browser::save_file("consent-receipts.json", "application/json", &kit) {
                    web_sys::console::warn_1(&error);
                }
            }
        })
    };
    let backup = move |_| {
        state.family.with_untracked(|family| {
            if let Some(family) = family {
                if let Err(error) =
                    browser::save_file("consent-key-backup.json", "application/json", &family.device().to_backup())
                {
                    web_sys::console::warn_1(&error);
                }
            }
        })
    };
    let restore = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        leptos::task::spawn_local(async move {
            if let Some(json) = browser::read_chosen_file(&input).await {
                state.import(json);
            }
        });
    };
    view! {
        <section class="cw-receipts" data-testid="receipts">
            <h3>{move || state.text(Key::ReceiptsHeading)}</h3>
            <p>{move || state.text(Key::ReceiptExplained)}</p>
            <button type="button" data-testid="download-receipts" on:click=download>{move || state.text(Key::DownloadReceiptJson)}</button>
            " "
            <button type="button" data-testid="print-receipt" on:click=move |_| { let _ = window().print(); }>{move || state.text(Key::PrintReceipt)}</button>
            {move || printable(state)}
            <h3>{move || state.text(Key::KeyHeading)}</h3>
            <p>{move || state.text(Key::KeyExplained)}</p>
            <p>{move || state.text(Key::KeyBackupWarning)}</p>
            <button type="button" data-testid="export-key" on:click=backup>{move || state.text(Key::ExportKey)}</button>
            <label for="cw-import-key" class="cw-file">{move || state.text(Key::ImportKey)}</label>
            <input type="file" id="cw-import-key" data-testid="import-key" accept="application/json,.json" on:change=restore />
        </section>
    }
}

/// The printable receipt: what this person decided, when the school confirmed it, and the form
/// version's hash, in words (the print stylesheet shows only this part).
fn printable(state: State) -> impl IntoView {
    state.family.with(|family| {
        let family = family.as_ref()?;
        let form = family.school().form();
        let lang = state.lang.get();
        let entries: Vec<_> = view::history_entries(family).into_iter().filter(|e| e.by_me).collect();
        Some(view! {
            <article class="cw-printable" data-testid="printable-receipt">
                <h4>{state.text(Key::ReceiptTitle)}</h4>
                <p>{form.body().controller.school.name.clone()}</p>
                <p>{family.invitation().display_name.clone()}</p>
                <p>{fill(state.text(Key::ReceiptFormVersion), &[("hash", &form.hash().to_hex())])}</p>
                <ul>
                    {entries.into_iter().map(|e| {
                        let title = form.body().purpose(&e.purpose).map_or(e.purpose.to_string(), |p| p.title.get(lang).to_owned());
                        let what = decision_name(e.decision);
                        view! {
                            <li>{title} ": " {state.text(what)} " — "
                                {fill(state.text(Key::HistoryAcknowledged), &[("date", &e.logged_at.to_string())])}
                                " (#" {e.log_index} ", " {e.receipt.to_hex()} ")"</li>
                        }
                    }).collect_view()}
                </ul>
            </article>
        })
    })
}

fn decision_name(decision: Decision) -> Key {
    match decision {
        Decision::Grant => Key::HistoryGranted,
        Decision::Refuse => Key::HistoryRefused,
        Decision::Withdraw => Key::HistoryWithdrawn,
    }
}

fn role_name(role: Role) -> Key {
    match role {
        Role::Guardian => Key::RoleGuardian,
        Role::Student => Key::RoleStudent,
    }
}

fn right_name(right: Right) -> Key {
    match right {
        Right::Access => Key::RightAccess,
        Right::Rectification => Key::RightRectification,
        Right::Erasure => Key::RightErasure,
        Right::Restriction => Key::RightRestriction,
        Right::Objection => Key::RightObjection,
    }
}

fn right_explained(right: Right) -> Key {
    match right {
        Right::Access => Key::RightAccessExplained,
        Right::Rectification => Key::RightRectificationExplained,
        Right::Erasure => Key::RightErasureExplained,
        Right::Restriction => Key::RightRestrictionExplained,
        Right::Objection => Key::RightObjectionExplained,
    }
}
