//! The screens. They render values from [`crate::view`] and call [`State`]'s actions; native
//! inputs with labels, one `aria-live` status region, and stable `data-testid`s for the browser
//! tests. No inline style: the widget's stylesheet is a file, so a strict CSP holds.

use super::browser;
use super::state::{State, Tab, Tone};
use crate::family::Access;
use crate::outbox::SetAsideReason;
use crate::problem::Problem;
use crate::receipts;
use crate::view::{self, Control, PurposeRow};
use crate::words::{self, answer_name};
use leptos::prelude::*;
use shared::objects::{Contact, Decision, Outcome, Purpose, Right, Role};
use shared::policy::Signers;
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
            <p class="cw-student" data-testid="student">
                {move || state.family.with(|f| f.as_ref().map(|f| words::student_line(f, state.lang.get())))}
            </p>
            <p class="cw-status" role="status" aria-live="polite" data-testid="status" tabindex="-1" node_ref=state.status_node
                class:cw-busy=move || matches!(state.status.get(), Some((_, Tone::Busy)))
                class:cw-done=move || matches!(state.status.get(), Some((_, Tone::Done)))
                class:cw-warning=move || matches!(state.status.get(), Some((_, Tone::Warning)))>
                {move || state.status.get().map(|(key, _)| state.text(key))}
            </p>
            {move || match (state.failure.get(), state.family.with(|f| f.as_ref().map(|f| f.access().clone()))) {
                (Some(problem), _) => failure(state, problem).into_any(),
                (None, None) => view! { <p class="cw-loading">{move || state.text(Key::Loading)}</p> }.into_any(),
                (None, Some(Access::Closed(problem))) => link_closed(state, problem.text_key()).into_any(),
                (None, Some(_)) => tabs(state).into_any(),
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

fn failure(state: State, problem: Problem) -> impl IntoView {
    let key = problem.text_key();
    view! {
        <div class="cw-failure" role="alert" data-testid="failure">
            <p>{move || state.text(key)}</p>
            {problem.may_pass().then(|| view! {
                <button type="button" on:click=move |_| state.load()>{move || state.text(Key::TryAgain)}</button>
            })}
            {state.can_restore().then(|| view! { <p>{import_control(state)}</p> })}
        </div>
    }
}

/// The link cannot be used on this device (used elsewhere, replaced, expired): said before any
/// decision, with the one way to continue here — the key backup from the other device.
fn link_closed(state: State, key: Key) -> impl IntoView {
    view! {
        <div class="cw-failure" role="alert" data-testid="link-closed">
            <p>{move || state.text(key)}</p>
            <p>{import_control(state)}</p>
        </div>
    }
}

/// The control that restores a key backup file.
fn import_control(state: State) -> impl IntoView {
    let restore = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        leptos::task::spawn_local(async move {
            if let Some(json) = browser::read_chosen_file(&input).await {
                state.import(json);
            }
        });
    };
    view! {
        <label for="cw-import-key" class="cw-file">{move || state.text(Key::ImportKey)}</label>
        <input type="file" id="cw-import-key" data-testid="import-key" accept="application/json,.json" on:change=restore />
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

fn date(state: State, at: Timestamp) -> String {
    words::instant(state.lang.get(), at)
}

/// Information first (rule 3), then one decision per purpose.
fn consents(state: State) -> impl IntoView {
    let rows = Memo::new(move |_| {
        state.family.with(|f| f.as_ref().map(|f| view::purpose_rows(f, state.now.get())).unwrap_or_default())
    });
    let first_visit = Memo::new(move |_| rows.with(|rows| rows.iter().all(|r| r.mine.is_none())));
    let may_decide = Memo::new(move |_| state.family.with(|f| f.as_ref().is_some_and(|f| f.access().may_decide())));
    let to_sign = Memo::new(move |_| rows.with(|rows| state.answers.with(|a| view::decisions_to_send(rows, a))));
    view! {
        <details class="cw-information" open=move || first_visit.get() data-testid="information">
            <summary>{move || state.text(Key::InfoIntro)}</summary>
            {move || information(state)}
        </details>
        <section class="cw-decisions" data-testid="decisions">
            <h3>{move || state.text(Key::PurposesHeading)}</h3>
            <p>{move || signing_as(state)}</p>
            <p>{move || state.text(Key::NothingPreTicked)}</p>
            {move || set_aside(state, &rows.get())}
            {move || if may_decide.get() {
                view! {
                    <ul class="cw-purposes">
                        {move || rows.get().into_iter().map(|row| purpose_row(state, row)).collect_view()}
                    </ul>
                    <p class="cw-summary" data-testid="will-sign">{move || will_sign(state, &rows.get(), &to_sign.get())}</p>
                    <p>{move || state.text(Key::NothingSentUntilSigned)}</p>
                    <button type="button" class="cw-primary" data-testid="sign-and-send"
                        disabled=move || state.busy.get() || to_sign.with(BTreeMap::is_empty)
                        on:click=move |_| state.decide(to_sign.get_untracked())>
                        {move || state.text(Key::SignAndSend)}
                    </button>
                }.into_any()
            } else {
                view! { <p class="cw-loading">{move || state.text(Key::Loading)}</p> }.into_any()
            }}
            {move || last_acknowledgement(state)}
        </section>
    }
}

/// The one sentence before "Sign and send" that lists what will be signed.
fn will_sign(state: State, rows: &[PurposeRow], decisions: &BTreeMap<shared::ids::PurposeId, Decision>) -> String {
    if decisions.is_empty() {
        return state.text(Key::NothingToSign).to_owned();
    }
    fill(state.text(Key::WillSign), &[("decisions", &listed(state, rows, decisions))])
}

/// "Title: decision; Title: decision", in the form's order.
fn listed(state: State, rows: &[PurposeRow], decisions: &BTreeMap<shared::ids::PurposeId, Decision>) -> String {
    let lang = state.lang.get();
    rows.iter()
        .filter_map(|row| {
            let decision = decisions.get(&row.purpose.id)?;
            Some(format!("{}: {}", row.purpose.title.get(lang), state.text(answer_name(*decision))))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Decisions that were not signed or not accepted as they were: why, the current state above
/// them, and one button to sign again what would still change something.
fn set_aside(state: State, rows: &[PurposeRow]) -> Option<impl IntoView> {
    let (reason, again) = state.family.with(|family| {
        let family = family.as_ref()?;
        let set_aside = family.device().set_aside.as_ref()?;
        Some((set_aside.reason.clone(), view::set_aside_decisions(rows, family)))
    })?;
    let reason = match reason {
        SetAsideReason::ChangedElsewhere => Key::ChangedElsewhere,
        SetAsideReason::LinkClosed => Key::SetAsideLinkClosed,
        SetAsideReason::Refused { .. } => Key::SetAsideRefused,
    };
    let list = (!again.is_empty()).then(|| listed(state, rows, &again));
    Some(view! {
        <div class="cw-set-aside" role="alert" data-testid="set-aside">
            <p><strong>{state.text(reason)}</strong></p>
            {list.map(|list| view! {
                <p>{state.text(Key::SetAsideList)} " " {list}</p>
                <button type="button" class="cw-primary" data-testid="sign-again" disabled=move || state.busy.get()
                    on:click=move |_| state.decide_again(again.clone())>
                    {state.text(Key::SignAgain)}
                </button>
                " "
            })}
            <button type="button" data-testid="discard-set-aside" disabled=move || state.busy.get()
                on:click=move |_| state.discard_set_aside()>
                {state.text(Key::Discard)}
            </button>
        </div>
    })
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

/// The information's first layer (who is responsible, the officer, the authority, each a tap
/// away; every purpose optional; withdrawal one action), then all contacts and every right
/// folded under one summary. What each purpose means sits on its own card, above its decision.
fn information(state: State) -> impl IntoView {
    state.family.with(|family| {
        let family = family.as_ref()?;
        let form = family.school().form().body().clone();
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
        // One line each, the contact a tap away: the first layer WP260 asks for (addresses and
        // phone numbers are in the second).
        let line = move |key: Key, name: (&'static str, String), contact: &Contact| {
            let email = contact.email.clone();
            view! {
                <li>
                    {fill(state.text(key), &[(name.0, &name.1)])} " · "
                    <a href=format!("mailto:{email}")>{email.clone()}</a>
                </li>
            }
        };
        let school_name = form.controller.school.name.clone();
        let authority_name = form.supervisory_authority.name.clone();
        Some(view! {
            <ul class="cw-first-layer">
                {line(Key::FirstLayerController, ("school", school_name.clone()), &form.controller.school)}
                {line(Key::FirstLayerDpo, ("name", form.controller.dpo.name.clone()), &form.controller.dpo)}
                {line(Key::FirstLayerAuthority, ("authority", authority_name.clone()), &form.supervisory_authority)}
                <li>{state.text(Key::EveryPurposeOptional)}</li>
                <li>{state.text(Key::RightWithdrawExplained)}</li>
            </ul>
            <details class="cw-more" data-testid="information-more">
                <summary>{state.text(Key::MoreInformation)}</summary>
                <h3>{state.text(Key::ControllerHeading)}</h3>
                <p>{fill(state.text(Key::ControllerIntro), &[("school", &school_name)])}</p>
                {contact(form.controller.school.clone())}
                <h3>{state.text(Key::DpoHeading)}</h3>
                <p>{state.text(Key::DpoIntro)}</p>
                {contact(form.controller.dpo.clone())}
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
            </details>
        })
    })
}

/// What the purpose is, who receives its data and for how long: read right above its decision.
///
/// A text the school did not translate into the reader's language is shown in English, marked
/// `lang="en"` (so that a screen reader pronounces it as English), under one note per purpose.
fn purpose_information(state: State, purpose: &Purpose) -> impl IntoView {
    let purpose = purpose.clone();
    move || {
        let lang = state.lang.get();
        let recipients = purpose.recipients.iter().map(|r| in_page(lang, r)).collect::<Vec<_>>();
        let (recipients_before, recipients_after) = around(state.text(Key::PurposeRecipients), "recipients");
        let (retention_before, retention_after) = around(state.text(Key::PurposeRetention), "retention");
        let (description_lang, description) = in_page(lang, &purpose.description);
        let (retention_lang, retention) = in_page(lang, &purpose.retention);
        view! {
            {(!purpose.translated_into(lang)).then(|| view! {
                <p class="cw-untranslated" data-testid=format!("untranslated-{}", purpose.id)>
                    {state.text(Key::PurposeNotTranslated)}
                </p>
            })}
            <p lang=description_lang>{description}</p>
            <p>
                {recipients_before}
                {recipients.into_iter().enumerate().map(|(at, (lang, text))| view! {
                    {(at > 0).then_some(", ")}<span lang=lang>{text}</span>
                }).collect_view()}
                {recipients_after}
            </p>
            <p>{retention_before}<span lang=retention_lang>{retention}</span>{retention_after}</p>
        }
    }
}

/// A form text for a page in `lang`: its `lang` attribute (set only where it falls back to
/// English) and the text.
fn in_page(lang: Lang, text: &shared::objects::Localized) -> (Option<&'static str>, String) {
    (text.lang_attribute(lang), text.get(lang).to_owned())
}

/// The parts of `template` before and after its `{name}`, so that what fills it can carry its
/// own `lang`; all of `template` before, if it lacks the placeholder (the catalogue tests forbid that).
fn around(template: &'static str, name: &str) -> (&'static str, &'static str) {
    template.split_once(&format!("{{{name}}}")).unwrap_or((template, ""))
}

fn purpose_row(state: State, row: PurposeRow) -> impl IntoView {
    let id = row.purpose.id.clone();
    let title = row.purpose.title.clone();
    let title_in_page = move || in_page(state.lang.get(), &title);
    let title_view = move || {
        let (lang, text) = title_in_page();
        view! { <span lang=lang>{text}</span> }
    };
    let status_text = {
        let row = row.clone();
        move || status_line(state, &row)
    };
    let decisions = {
        let row = row.clone();
        move || decision_lines(state, &row)
    };
    let control = match row.control {
        Control::Choose => {
            let legend = title_view.clone();
            let answer = move |decision: Decision, testid: &'static str, key: Key| {
                let (checked_id, chosen_id) = (id.clone(), id.clone());
                let input_id = format!("cw-answer-{id}-{testid}");
                view! {
                    <div class="cw-choice">
                        <input type="radio" name=format!("cw-answer-{id}") id=input_id.clone()
                            data-testid=format!("answer-{id}-{testid}")
                            prop:checked=move || state.answers.with(|a| a.get(&checked_id) == Some(&decision))
                            on:change=move |_| state.answers.update(|a| { a.insert(chosen_id.clone(), decision); }) />
                        <label for=input_id>{move || state.text(key)}</label>
                    </div>
                }
            };
            view! {
                <fieldset class="cw-answer">
                    <legend class="cw-hidden">{legend}</legend>
                    {answer(Decision::Grant, "yes", Key::AnswerYes)}
                    {answer(Decision::Refuse, "no", Key::AnswerNo)}
                </fieldset>
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
        Control::Queued | Control::NotTheirs => ().into_any(),
    };
    view! {
        <li class="cw-purpose" data-testid=format!("purpose-{}", row.purpose.id)>
            <h4>{title_view} " " <span class="cw-badge">{move || state.text(Key::PurposeOptional)}</span></h4>
            <div class="cw-purpose-info" data-testid=format!("info-{}", row.purpose.id)>
                {purpose_information(state, &row.purpose)}
            </div>
            <p class="cw-state" data-testid=format!("state-{}", row.purpose.id)>{status_text}</p>
            <ul class="cw-decided" data-testid=format!("decided-{}", row.purpose.id)>{decisions}</ul>
            {control}
        </li>
    }
}

/// Each signer's latest decision on the purpose — the others first, then the person's own.
fn decision_lines(state: State, row: &PurposeRow) -> Vec<impl IntoView> {
    words::decision_lines(state.lang.get(), row).into_iter().map(|line| view! { <li>{line}</li> }).collect()
}

/// The purpose's state in words, as this person should read it.
fn status_line(state: State, row: &PurposeRow) -> String {
    state.family.with(|f| f.as_ref().map(|f| words::status_line(state.lang.get(), f, row)).unwrap_or_default())
}

/// The school's acknowledgement of this person's latest receipt.
fn last_acknowledgement(state: State) -> impl IntoView {
    let sentence = state.family.with(|family| words::last_acknowledgement(family.as_ref()?, state.lang.get()))?;
    Some(view! {
        <div class="cw-ack" data-testid="acknowledgement">
            <h4>{state.text(Key::AcknowledgementHeading)}</h4>
            <p>{sentence}</p>
        </div>
    })
}

fn history(state: State) -> impl IntoView {
    move || {
        state.family.with(|family| {
            let family = family.as_ref()?;
            let groups = view::history_groups(family);
            let lang = state.lang.get();
            Some(view! {
                <section class="cw-history" data-testid="history">
                    <h3>{state.text(Key::HistoryHeading)}</h3>
                    <p>{state.text(Key::HistoryKept)}</p>
                    {groups.is_empty().then(|| view! { <p>{words::no_history(family, lang)}</p> })}
                    <ol class="cw-receipt-list">
                        {groups.into_iter().map(|group| view! {
                            <li class="cw-receipt-group" data-testid="history-receipt">
                                <p><strong>{words::signed_by(lang, &group)}</strong></p>
                                <ul>
                                    {group.decisions.iter().map(|(purpose, decision)| view! {
                                        <li data-testid="history-entry" data-decision=format!("{decision:?}").to_ascii_lowercase()>
                                            {words::decided(lang, family, purpose, *decision)}
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <p class="cw-confirmed">{words::confirmed(lang, &group)}</p>
                            </li>
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
                    let id = format!("cw-right-{choice:?}").to_ascii_lowercase();
                    view! {
                        <div class="cw-choice">
                            <input type="radio" name="cw-right" id=id.clone() data-testid=format!("right-{choice:?}").to_ascii_lowercase()
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
            {row.received.map(|at| view! { <br /> {fill(state.text(Key::RequestSentOn), &[("date", &date(state, at))])} })}
            {row.deadline.map(|at| view! { <br /> {fill(state.text(Key::RequestDeadlineExplained), &[("date", &date(state, at))])} })}
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
            {import_control(state)}
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
        let groups: Vec<_> = view::history_groups(family).into_iter().filter(|g| g.by_me).collect();
        Some(view! {
            <article class="cw-printable" data-testid="printable-receipt">
                <h4>{state.text(Key::ReceiptTitle)}</h4>
                <p>{form.body().controller.school.name.clone()}</p>
                <p>{family.invitation().display_name.clone()}</p>
                <p>{fill(state.text(Key::ReceiptFormVersion), &[("hash", &form.hash().to_hex())])}</p>
                <ul>
                    {groups.into_iter().map(|group| view! {
                        <li>
                            {words::signed_by(lang, &group)}
                            <ul>
                                {group.decisions.iter().map(|(purpose, decision)| view! {
                                    <li>{words::decided(lang, family, purpose, *decision)}</li>
                                }).collect_view()}
                            </ul>
                            {words::confirmed(lang, &group)} " — " {group.receipt.to_hex()}
                        </li>
                    }).collect_view()}
                </ul>
            </article>
        })
    })
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
