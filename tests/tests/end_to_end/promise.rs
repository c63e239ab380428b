//! The promise under stress (issue 12), in a real Chromium against the real service: a family
//! can always withdraw, whatever their other tabs and devices did, and nothing the device sees
//! misleads it — a broken link, a link used elsewhere, damaged local data.

use crate::flows::grant;
use crate::scene::{next_second, now, Scene};
use anyhow::{Context, Result};
use base64::Engine as _;
use consent_tests::browser::Browser;
use consent_tests::demo::CHILD;
use shared::texts::{text, Key};
use shared::Lang;

const PHOTOS: &str = "photos-published";
const MEALS: &str = "meals";

/// The `localStorage` key under which the widget keeps the one person opened in a test browser.
const SAVED: &str = "Object.keys(localStorage).find(k => k.startsWith('school-consent/') && !k.endsWith('/last'))";

#[tokio::test]
async fn two_tabs_of_one_browser_never_lock_a_person_out_of_withdrawing() -> Result<()> {
    let scene = Scene::new()?;
    let link = scene.link(&format!("{CHILD}-g1"));
    let browser = Browser::open(360).await?;
    browser.open_invitation(&link).await?;
    let first = browser.tab().await?;
    browser.new_tab().await?;
    browser.open_invitation(&link).await?;
    let second = browser.tab().await?;

    // The first tab grants; the second, open all along, follows and withdraws from there.
    browser.switch_to(first.clone()).await?;
    grant(&browser, &[PHOTOS]).await?;
    next_second();
    let granted = now();
    next_second();
    browser.switch_to(second.clone()).await?;
    browser.click(&format!("withdraw-{PHOTOS}")).await.context("the second tab offers the withdrawal")?;
    browser.wait_text(&format!("decided-{PHOTOS}"), text(Lang::En, Key::HistoryWithdrawn)).await?;
    assert_eq!(scene.audit_state(PHOTOS, CHILD, granted)?, "allowed");
    assert!(scene.audit_state(PHOTOS, CHILD, now())?.starts_with("withdrawn"), "the withdrawal is honoured");

    // Back in the first tab, which showed the grant when it was last looked at: its next
    // decision is signed too — at once if the tab followed the other one, or after one "sign
    // again" over the current state if it was overtaken.
    browser.switch_to(first).await?;
    browser.click(&format!("answer-{MEALS}-yes")).await?;
    browser.click("sign-and-send").await?;
    let mine = shared::texts::fill(
        text(Lang::En, Key::DecisionLine),
        &[("who", text(Lang::En, Key::RoleYou)), ("decision", text(Lang::En, Key::HistoryGranted))],
    );
    // Acknowledged, with the date the school logged it in words ("You: Consent given (1 December
    // 2026, 09:30)"); a decision not sent yet reads "You: Yes, I agree (Not sent yet…)".
    let acknowledged = format!("{mine} (");
    let line = match browser.wait_text(&format!("decided-{MEALS}"), &acknowledged).await {
        Ok(line) => line,
        Err(_) => {
            browser.click("sign-again").await.context("the decision is offered again")?;
            browser.wait_text(&format!("decided-{MEALS}"), &acknowledged).await?
        }
    };
    assert!(!line.contains(&now().date().to_string()), "a date in words, not ISO: {line}");
    assert_eq!(scene.audit_state(MEALS, CHILD, now())?, "allowed");
    let status = browser.status().await;
    assert!(!status.contains(text(Lang::En, Key::ErrorService)), "no tab says the service failed: {status}");
    scene.verifier(&["check"])?;
    browser.close().await
}

#[tokio::test]
async fn a_used_link_on_a_second_device_is_said_at_once_and_a_key_backup_continues_there() -> Result<()> {
    let scene = Scene::new()?;
    let link = scene.link(&format!("{CHILD}-g1"));
    let phone = Browser::open(360).await?;
    phone.open_invitation(&link).await?;
    grant(&phone, &[PHOTOS]).await?;

    // The same link on a laptop: said before any decision, with what to do.
    let laptop = Browser::open(1280).await?;
    laptop.goto(&link).await?;
    laptop.wait_text("link-closed", text(Lang::En, Key::ErrorInvitationUsed)).await?;
    let decisions = laptop.script("return document.querySelector(\"[data-testid='decisions']\") === null;").await?;
    assert_eq!(decisions, serde_json::Value::Bool(true), "no decision is offered");

    // The phone's key backup continues on the laptop, where the person withdraws.
    // What the browser keeps for the person is the backup file's contents (gloo-storage keeps
    // each value as a JSON string).
    let backup = phone.script(&format!("return JSON.parse(localStorage.getItem({SAVED}));")).await?;
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), backup.as_str().context("the saved state")?)?;
    laptop.choose_file("import-key", file.path()).await?;
    laptop.click(&format!("withdraw-{PHOTOS}")).await?;
    laptop.wait_text(&format!("decided-{PHOTOS}"), text(Lang::En, Key::HistoryWithdrawn)).await?;
    assert!(scene.audit_state(PHOTOS, CHILD, now())?.starts_with("withdrawn"));
    phone.close().await?;
    laptop.close().await
}

#[tokio::test]
async fn a_broken_or_edited_link_says_so_and_opens_no_ones_form() -> Result<()> {
    let scene = Scene::new()?;
    let link = scene.link(&format!("{CHILD}-g1"));
    let browser = Browser::open(360).await?;
    browser.open_invitation(&link).await?;
    browser.element("decisions").await?;

    // Cut short, as a mail program wrapping a long line might.
    let cut = &link[..link.len() - 40];
    browser.goto(&scene.page("index.html")).await?;
    browser.goto(cut).await?;
    browser.wait_text("failure", text(Lang::En, Key::ErrorLinkDamaged)).await?;
    assert_eq!(browser.text("person").await?, "", "nobody's form is shown, not even the last one opened");

    // One letter of the invitation changed: it no longer carries the school's signature.
    let (page, fragment) = link.split_once("#invitation=").context("an invitation link")?;
    let mut invitation = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(fragment)?;
    let name = invitation.windows(5).position(|w| w == b"Maria").context("the name in the invitation")?;
    invitation[name] = b'N';
    let edited = format!("{page}#invitation={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&invitation));
    browser.goto(&scene.page("index.html")).await?;
    browser.goto(&edited).await?;
    browser.wait_text("failure", text(Lang::En, Key::ErrorLinkNotValid)).await?;
    assert_eq!(browser.text("person").await?, "");
    browser.close().await
}

#[tokio::test]
async fn damaged_data_in_the_browser_is_restored_from_the_schools_record() -> Result<()> {
    let scene = Scene::new()?;
    let browser = Browser::open(360).await?;
    browser.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    grant(&browser, &[PHOTOS]).await?;

    // One character of the kept acknowledgement changes on the device.
    browser
        .script(&format!(
            "const key = {SAVED};
             const device = JSON.parse(JSON.parse(localStorage.getItem(key)));
             const ack = device.kept[0].acknowledgement;
             const at = ack.indexOf('\"sig\":\"') + 10;
             device.kept[0].acknowledgement = ack.slice(0, at) + (ack[at] === '0' ? '1' : '0') + ack.slice(at + 1);
             localStorage.setItem(key, JSON.stringify(JSON.stringify(device)));"
        ))
        .await?;
    browser.reload().await?;
    browser.wait_text("status", text(Lang::En, Key::DeviceRepaired)).await?;
    browser.element(&format!("withdraw-{PHOTOS}")).await?;
    browser.element("acknowledgement").await?;
    let kept =
        browser.script(&format!("return JSON.parse(JSON.parse(localStorage.getItem({SAVED}))).kept.length;")).await?;
    assert_eq!(kept, serde_json::json!(1), "the receipt is kept again, from the school's record");
    browser.close().await
}
