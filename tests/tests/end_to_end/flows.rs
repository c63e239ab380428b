//! The flows of issue 6, each from the family's browser to the school's answer on the command line.

use crate::scene::{next_second, now, Scene};
use anyhow::{Context, Result};
use consent_tests::browser::Browser;
use consent_tests::demo::{ADULT, CHILD, TEEN};
use shared::texts::{text, Key};
use shared::Lang;

const PHOTOS: &str = "photos-published";
const EVENTS: &str = "recordings-events";

/// `data-testid`s of the answers chosen on the page.
pub async fn chosen(browser: &Browser) -> Result<Vec<String>> {
    let chosen = browser
        .script("return [...document.querySelectorAll('input[type=radio]')].filter(b => b.checked).map(b => b.dataset.testid);")
        .await?;
    Ok(serde_json::from_value(chosen)?)
}

/// Answers "yes" for `purposes` (and nothing else), signs and waits for the school's acknowledgement.
pub async fn grant(browser: &Browser, purposes: &[&str]) -> Result<()> {
    for purpose in purposes {
        browser.click(&format!("answer-{purpose}-yes")).await?;
    }
    browser.click("sign-and-send").await?;
    browser.element("acknowledgement").await.map(drop)
}

#[tokio::test]
async fn flow_1_guardian_of_a_child_under_14_grants_photos_only_and_the_audit_allows_that_child_alone() -> Result<()> {
    let scene = Scene::new()?;
    let guardian = Browser::open(1280).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;

    // Informed first: the information is open, before any box, on a first visit.
    let open = guardian.script("return document.querySelector(\"[data-testid='information']\").open;").await?;
    assert_eq!(open, serde_json::Value::Bool(true), "the information starts open");
    let words = guardian.text("information").await?;
    for needed in ["Lindenfield International School", "ANSPDCP"] {
        assert!(words.contains(needed), "the information names {needed}");
    }
    // No default consent: no answer is chosen in advance, and nothing answered signs nothing.
    assert_eq!(chosen(&guardian).await?, Vec::<String>::new());
    guardian.wait_text("will-sign", text(Lang::En, Key::NothingToSign)).await?;
    guardian.click(&format!("answer-{PHOTOS}-yes")).await?;
    // Before signing, one sentence says what will be signed.
    guardian.wait_text("will-sign", "Photos on the school website and social media: Yes, I agree").await?;

    grant(&guardian, &[]).await?;
    let at = now();
    assert_eq!(scene.audit_state(PHOTOS, CHILD, at)?, "allowed");
    assert_eq!(scene.audit_state(PHOTOS, TEEN, at)?, "not answered");
    assert_eq!(scene.audit_state(PHOTOS, ADULT, at)?, "not answered");
    // What was not answered was not signed: neither a consent nor a refusal.
    assert_eq!(scene.audit_state("photos-internal", CHILD, at)?, "not answered");

    // The archive holds the receipt verified: `check` re-verifies it, and the child's bundle
    // verifies offline under the school's key alone.
    scene.verifier(&["check"])?;
    let bundle = scene.school.data.join("bundle.json");
    let bundle = bundle.to_str().context("a UTF-8 path")?;
    scene.verifier(&["export", "--student", CHILD, "--out", bundle])?;
    scene.verifier(&["verify", "--school-key", &scene.school.school_key, bundle])?;
    guardian.close().await
}

/// The guardian of the 14–17 student grants events, the audit waits for the student, the student
/// co-signs from their own invitation. Returns both devices.
async fn guardian_and_student_grant_events(scene: &Scene) -> Result<(Browser, Browser)> {
    let guardian = Browser::open(1280).await?;
    guardian.open_invitation(&scene.link(&format!("{TEEN}-g1"))).await?;
    grant(&guardian, &[EVENTS]).await?;
    assert_eq!(scene.audit_state(EVENTS, TEEN, now())?, "waiting for student");

    let student = Browser::open(360).await?;
    student.open_invitation(&scene.link(&format!("{TEEN}-s"))).await?;
    let waiting = text(Lang::En, Key::CosignWaitingForYou);
    student.wait_text(&format!("state-{EVENTS}"), waiting).await?;
    assert_eq!(chosen(&student).await?, Vec::<String>::new(), "the guardian's grant chooses nothing for the student");
    let guardian_said = text(Lang::En, Key::RoleGuardian);
    student.wait_text(&format!("decided-{EVENTS}"), guardian_said).await?;
    grant(&student, &[EVENTS]).await?;
    assert_eq!(scene.audit_state(EVENTS, TEEN, now())?, "allowed");
    Ok((guardian, student))
}

#[tokio::test]
async fn flow_2_co_signing_takes_effect_only_when_guardian_and_student_both_grant() -> Result<()> {
    let scene = Scene::new()?;
    let (guardian, student) = guardian_and_student_grant_events(&scene).await?;
    guardian.close().await?;
    student.close().await
}

#[tokio::test]
async fn flow_3_withdrawal_is_one_action_honoured_from_then_on_and_history_keeps_both() -> Result<()> {
    let scene = Scene::new()?;
    let (guardian, student) = guardian_and_student_grant_events(&scene).await?;
    guardian.close().await?;
    next_second();
    let before = now();
    next_second();

    student.click(&format!("withdraw-{EVENTS}")).await?;
    student.click("tab-history").await?;
    student.wait_css("[data-testid='history-entry'][data-decision='withdraw']").await?;
    let after = now();
    assert_eq!(scene.audit_state(EVENTS, TEEN, before)?, "allowed");
    assert!(scene.audit_state(EVENTS, TEEN, after)?.starts_with("withdrawn by student"));

    // Both decisions stay in the history, each with the school's acknowledgement and its place in
    // the log: the guardian's grant, the student's grant, then the student's withdrawal.
    let entries = student.texts("history-receipt").await?;
    let logged = |decision: Key| -> Vec<u64> {
        let decision = text(Lang::En, decision);
        entries.iter().filter(|e| e.contains(decision)).filter_map(|e| log_index(e)).collect()
    };
    let (grants, withdrawals) = (logged(Key::HistoryGranted), logged(Key::HistoryWithdrawn));
    assert_eq!((grants.len(), withdrawals.len()), (2, 1), "{entries:#?}");
    assert!(grants.iter().all(|g| *g < withdrawals[0]), "the withdrawal is logged after both grants: {entries:#?}");
    student.close().await
}

/// The log index an acknowledged history entry shows as `(#N)`.
fn log_index(entry: &str) -> Option<u64> {
    let after = &entry[entry.rfind("(#")? + 2..];
    after[..after.find(')')?].parse().ok()
}

#[tokio::test]
async fn flow_4_an_objection_gets_a_deadline_and_the_school_decision_reaches_the_guardian() -> Result<()> {
    let scene = Scene::new()?;
    let guardian = Browser::open(1280).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    guardian.click("tab-requests").await?;
    guardian.click("right-objection").await?;
    guardian.type_into("request-details", "Please stop using my child's photo in the newsletter.").await?;
    guardian.click("send-request").await?;
    guardian.wait_text("request-status", text(Lang::En, Key::RequestStatusReceived)).await?;
    let deadline = text(Lang::En, Key::RequestDeadlineExplained).split('{').next().unwrap_or_default();
    guardian.wait_text("request", deadline).await?;

    // The school finds the request in its list and decides it from the command line.
    let listed = scene.verifier(&["requests", "--format", "csv"])?;
    let mut rows = csv::Reader::from_reader(listed.as_bytes());
    let row = rows.records().next().context("the request is listed")??;
    assert_eq!(row.get(2), Some("objection"), "{row:?}");
    let request = row.get(0).context("the request's hash")?.to_owned();
    let reason = "We have removed the photo and will not publish your child's likeness.";
    scene.verifier(&["decide", &request, "--grant", "--reason", reason])?;

    guardian.reload().await?;
    guardian.element("decisions").await?;
    guardian.click("tab-requests").await?;
    guardian.wait_text("request-decision", reason).await?;
    guardian.close().await
}

#[tokio::test]
async fn flow_5_a_receipt_signed_while_the_service_is_down_is_queued_and_arrives_when_it_is_back() -> Result<()> {
    let mut scene = Scene::new()?;
    let guardian = Browser::open(1280).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    scene.stop_service()?;

    guardian.click(&format!("answer-{PHOTOS}-yes")).await?;
    guardian.click("sign-and-send").await?;
    guardian.wait_text(&format!("decided-{PHOTOS}"), text(Lang::En, Key::QueueNotSent)).await?;
    assert_eq!(scene.audit_state(PHOTOS, CHILD, now())?, "not answered");

    scene.start_service()?;
    guardian.element("acknowledgement").await.with_context(|| scene.service_log())?;
    assert_eq!(scene.audit_state(PHOTOS, CHILD, now())?, "allowed");
    guardian.close().await
}

/// A phone's screen at 360 px wide: 740 px of page.
const PHONE_SCREEN_PX: f64 = 740.0;

/// For every card: its purpose, whether its information comes before its "yes" in the DOM, the
/// length of that information, and how far the "yes" sits below the top of the widget (what comes
/// before it on the page is the school's).
const CARDS: &str = "const widget = document.querySelector('[data-consent-widget]').getBoundingClientRect().top;
return [...document.querySelectorAll(\"li[data-testid^='purpose-']\")].map(card => {
    const id = card.dataset.testid.slice('purpose-'.length);
    const info = card.querySelector(`[data-testid='info-${id}']`);
    const yes = card.querySelector(`[data-testid='answer-${id}-yes']`);
    const before = !!info && !!yes && !!(info.compareDocumentPosition(yes) & Node.DOCUMENT_POSITION_FOLLOWING);
    return [id, before, info ? info.textContent.length : 0, yes ? yes.getBoundingClientRect().top - widget : -1];
});";

#[tokio::test]
async fn informed_first_each_purpose_is_explained_on_its_card_above_its_decision_within_two_phone_screens() -> Result<()>
{
    let scene = Scene::new()?;
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    for lang in Lang::ALL {
        guardian.language(lang.code()).await?;
        let cards: Vec<(String, bool, u64, f64)> = serde_json::from_value(guardian.script(CARDS).await?)?;
        assert!(cards.len() >= 9, "{lang:?}: one card per purpose, found {}", cards.len());
        for (purpose, before, length, _) in &cards {
            assert!(*before && *length > 100, "{lang:?}: {purpose}'s card explains it before its decision");
        }
        let first = cards[0].3;
        eprintln!("{lang:?}: the first decision is {first:.0} px below the top of the widget");
        assert!(
            (0.0..2.0 * PHONE_SCREEN_PX).contains(&first),
            "{lang:?}: the first decision is {first} px down the widget, more than two phone screens"
        );
        // Each purpose is explained once, on its card, not again elsewhere.
        let description = guardian.text(&format!("info-{}", cards[0].0)).await?;
        let first_sentence = description.split(". ").next().unwrap_or_default().to_owned();
        let page = guardian.script("return document.body.innerText;").await?;
        let times = page.as_str().unwrap_or_default().matches(&first_sentence).count();
        assert_eq!(times, 1, "{lang:?}: {first_sentence:?} appears {times} times");
    }
    Ok(())
}

/// A first visit asks for what it needs side by side (issue 13): the form by the loader, beside
/// the module's download rather than once the module runs, and then the log's head beside the
/// history by the invitation. On a phone each is a round trip less before the form can be used.
/// The widget still verifies every answer, in the same order.
#[tokio::test]
async fn a_first_visit_asks_for_the_form_and_the_history_beside_other_downloads() -> Result<()> {
    let scene = Scene::new()?;
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    // The form shows once it verifies; the log's head and the history may still be arriving (a
    // resource is listed when its answer is complete): wait for both, however busy the machine.
    let requests = guardian
        .script(
            "const listed = () => performance.getEntriesByType('resource')
                 .map(e => [new URL(e.name).pathname, e.startTime, e.responseEnd]);
             const both = () => ['/v1/checkpoint', '/v1/history'].every(p => listed().some(([q]) => q === p));
             return (async () => {
                 for (let waited = 0; !both() && waited < 10000; waited += 50) {
                     await new Promise(resolve => setTimeout(resolve, 50));
                 }
                 return listed();
             })();",
        )
        .await?;
    let requests: Vec<(String, f64, f64)> = serde_json::from_value(requests)?;
    let asked = |path: &str| {
        requests.iter().filter(|(p, _, _)| p == path).map(|(_, start, end)| (*start, *end)).collect::<Vec<_>>()
    };
    let module = requests.iter().find(|(path, _, _)| path.ends_with(".wasm")).context("the module's download")?.1;
    let (forms, checkpoints, histories) = (asked("/v1/form"), asked("/v1/checkpoint"), asked("/v1/history"));
    assert_eq!((forms.len(), checkpoints.len(), histories.len()), (1, 1, 1), "each asked for once: {requests:?}");
    assert!(forms[0].0 <= module, "the form is asked for as the module's download begins: {requests:?}");
    // Both are asked for together (`future::join` in `Family::refresh`); which of the two the
    // browser starts first, and whether a loopback answer beats the second one's start, is its
    // scheduling on a busy machine, not the widget's behaviour, so no order between them is asserted
    // (the first visit's time is `cargo xtask bench`'s to measure).
    guardian.close().await
}
