//! A keyboard-only pass through flow 1: Tab to the "yes" of a purpose, Space to choose it, Tab to
//! the button, Enter to sign. (axe-core runs on every screen in `screens`.)

use crate::scene::{now, Scene};
use anyhow::{bail, Result};
use consent_tests::browser::Browser;
use consent_tests::demo::CHILD;
use fantoccini::key::Key;

/// More Tab presses than the page has focusable elements.
const MAX_TABS: usize = 200;

/// Presses Tab until the element with `testid` has the focus.
pub async fn tab_to(browser: &Browser, testid: &str) -> Result<()> {
    for _ in 0..MAX_TABS {
        if browser.focused().await?.as_deref() == Some(testid) {
            return Ok(());
        }
        browser.press(Key::Tab).await?;
    }
    bail!("{MAX_TABS} presses of Tab never reached `{testid}`")
}

#[tokio::test]
async fn keyboard_alone_completes_flow_1() -> Result<()> {
    let scene = Scene::new()?;
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;

    tab_to(&guardian, "answer-photos-published-yes").await?;
    guardian.press(Key::Space).await?;
    assert!(guardian.is_checked("answer-photos-published-yes").await?, "Space chooses the focused answer");
    tab_to(&guardian, "sign-and-send").await?;
    guardian.press(Key::Enter).await?;

    guardian.element("acknowledgement").await?;
    assert_eq!(scene.audit_state("photos-published", CHILD, now())?, "allowed");
    guardian.close().await
}

#[tokio::test]
async fn focus_moves_to_the_status_message_after_sign_and_send() -> Result<()> {
    let scene = Scene::new()?;
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    guardian.click("answer-photos-published-yes").await?;
    guardian.click("sign-and-send").await?;
    guardian.element("acknowledgement").await?;
    // The button pressed was disabled while signing; the focus is where the outcome is said,
    // not lost to the page's `<body>`.
    assert_eq!(guardian.focused().await?.as_deref(), Some("status"));
    let role = guardian.script("return document.activeElement.getAttribute('role');").await?;
    assert_eq!(role, serde_json::Value::String("status".into()));
    guardian.close().await
}
