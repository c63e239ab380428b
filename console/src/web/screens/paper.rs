//! The student view's "Record a paper slip" form (DPO and director): who of the family signed
//! the slip, what it says per purpose of the form in force (yes, no, or left blank), the date
//! written on it and its scanned file, whose SHA-256 is computed here in the browser; the record
//! is signed by the staff member's key. Nothing is sent until every part is filled in.

use crate::problem::Problem;
use crate::session::Slip;
use crate::texts::Key;
use crate::web::browser;
use crate::web::parts::{problem_box, purpose_title};
use crate::web::state::State;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::console::{FamilyMember, StudentHistory};
use shared::ids::{PersonId, PurposeId};
use shared::objects::{Decision, PaperSigner};
use shared::primitives::Digest;
use std::collections::{BTreeMap, BTreeSet};

/// The scan as read: not chosen, read (its hash), or unreadable (the browser's words).
type Scan = Option<Result<Digest, String>>;

/// What the form holds, checked into a [`Slip`], or the sentence saying what is missing.
fn slip(
    history: &StudentHistory,
    signed: &BTreeSet<PersonId>,
    decisions: &BTreeMap<PurposeId, Decision>,
    date: &str,
    scan: &Scan,
) -> Result<Slip, Key> {
    let form = history.form.ok_or(Key::PaperNoForm)?;
    let student_birth_date = history.birth_date.parse().map_err(|_| Key::ErrorBadAnswer)?;
    let signers: Vec<PaperSigner> = history
        .family
        .iter()
        .filter(|m| signed.contains(&m.person))
        .map(|m| PaperSigner { person: m.person.clone(), role: m.role })
        .collect();
    if signers.is_empty() {
        return Err(Key::PaperChooseSigner);
    }
    if decisions.is_empty() {
        return Err(Key::PaperChooseDecision);
    }
    let signed_on: chrono::NaiveDate = date.parse().map_err(|_| Key::PaperChooseDate)?;
    if signed_on > browser::now().date() {
        return Err(Key::PaperDateLater);
    }
    let scan = match scan {
        None => return Err(Key::PaperChooseScan),
        Some(Err(_)) => return Err(Key::PaperScanUnreadable),
        Some(Ok(digest)) => *digest,
    };
    Ok(Slip {
        student: history.student.student.clone(),
        student_birth_date,
        form,
        signers,
        decisions: decisions.clone(),
        signed_on,
        scan,
    })
}

/// The form, for `history`'s student; `reload` asks for the student view again once recorded.
pub fn form(state: State, history: &StudentHistory, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let today = browser::now().date().to_string();
    let signed = RwSignal::new(BTreeSet::<PersonId>::new());
    let decisions = RwSignal::new(BTreeMap::<PurposeId, Decision>::new());
    let date = RwSignal::new(today.clone());
    let scan = RwSignal::new(None::<Result<Digest, String>>);
    let missing = RwSignal::new(None::<Key>);
    let sent = RwSignal::new(None::<Result<(), Problem>>);
    let sending = RwSignal::new(false);
    let file = NodeRef::<leptos::html::Input>::new();
    let read_scan = move |_| {
        let Some(input) = file.get_untracked() else { return };
        scan.set(None);
        spawn_local(async move { scan.set(browser::chosen_file_digest(&input).await.transpose()) });
    };
    let kept = history.clone();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = slip(&kept, &signed.get(), &decisions.get(), &date.get(), &scan.get());
        match checked {
            Err(key) => missing.set(Some(key)),
            Ok(slip) => {
                missing.set(None);
                sending.set(true);
                sent.set(None);
                state.record_paper(slip, sent, reload);
            }
        }
    };
    Effect::new(move |_| {
        if sent.get().is_some() {
            sending.set(false);
        }
    });
    let purposes = state.me.with_untracked(|me| me.iter().flat_map(|me| me.purposes.clone()).collect::<Vec<_>>());
    view! {
        <form class="paper" data-testid="paper-form" on:submit=send>
            <h3>{text(Key::PaperTitle)}</h3>
            <p class="hint">{text(Key::PaperHint)}</p>
            <fieldset>
                <legend>{text(Key::PaperSigners)}</legend>
                {history.family.iter().cloned().map(|member| signer(state, member, signed)).collect_view()}
            </fieldset>
            <fieldset>
                <legend>{text(Key::PaperDecisions)}</legend>
                {purposes.into_iter().map(|p| choice(state, p.id, decisions)).collect_view()}
            </fieldset>
            <label for="paper-date">{text(Key::PaperDate)}</label>
            <input type="date" id="paper-date" data-testid="paper-date" required max=today
                prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
            <label for="paper-scan">{text(Key::PaperScan)}</label>
            <input type="file" id="paper-scan" data-testid="paper-scan" node_ref=file on:change=read_scan />
            {move || scan.get().and_then(Result::ok).map(|digest| view! {
                <p class="hint" data-testid="paper-scan-hash">"SHA-256 "<span class="id">{digest.to_hex()}</span></p>
            })}
            {move || missing.get().map(|key| view! { <p class="missing" data-testid="error" role="alert">{move || state.text(key)}</p> })}
            {move || sent.get().and_then(Result::err).map(|problem| problem_box(state, problem))}
            <button type="submit" class="primary" data-testid="paper-send" disabled=move || sending.get()>
                {move || if sending.get() { state.text(Key::Sending) } else { state.text(Key::PaperSend) }}
            </button>
        </form>
    }
}

/// A family member's checkbox: they signed the slip.
fn signer(state: State, member: FamilyMember, signed: RwSignal<BTreeSet<PersonId>>) -> impl IntoView {
    let id = format!("paper-signer-{}", member.person);
    let person = member.person.clone();
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        signed.update(|s| {
            if on {
                s.insert(person.clone());
            } else {
                s.remove(&person);
            }
        });
    };
    let role = words::role(member.role);
    view! {
        <div class="choice">
            <input type="checkbox" id=id.clone() data-testid="paper-signer" data-person=member.person.to_string()
                on:change=toggle />
            <label for=id>{member.name}" ("{move || state.text(role)}")"</label>
        </div>
    }
}

/// A purpose's choice: yes, no, or not on the slip (the default).
fn choice(state: State, purpose: PurposeId, decisions: RwSignal<BTreeMap<PurposeId, Decision>>) -> impl IntoView {
    let group = format!("paper-{purpose}");
    let options = [
        ("paper-yes", Some(Decision::Grant), Key::DecisionGrant),
        ("paper-no", Some(Decision::Refuse), Key::DecisionRefuse),
        ("paper-blank", None, Key::PaperBlank),
    ];
    let title = {
        let purpose = purpose.clone();
        move || purpose_title(state, &purpose)
    };
    view! {
        <fieldset class="decide" data-testid="paper-purpose" data-purpose=purpose.to_string()>
            <legend>{title}</legend>
            {options.into_iter().map(|(testid, decision, key)| {
                let id = format!("{group}-{testid}");
                let purpose = purpose.clone();
                let pick = move |_| decisions.update(|d| match decision {
                    Some(decision) => { d.insert(purpose.clone(), decision); }
                    None => { d.remove(&purpose); }
                });
                view! {
                    <input type="radio" id=id.clone() name=group.clone() data-testid=testid
                        checked=decision.is_none() on:change=pick />
                    <label for=id>{move || state.text(key)}</label>
                }
            }).collect_view()}
        </fieldset>
    }
}
