//! Printed letters: a family opens the short link of its letter on a phone and signs, as with the
//! long link; a second device with the same, now used, code is told to ask the school office for
//! a new letter. The letters page itself, at A4 width, is photographed.

use crate::flows::grant;
use crate::scene::{now, screenshots_dir, Scene};
use anyhow::{ensure, Context, Result};
use consent_tests::browser::Browser;
use consent_tests::demo::CHILD;
use shared::texts::{text, Key};
use shared::Lang;

/// A4's width at the CSS 96 pixels to the inch: 210 mm.
const A4_WIDTH: u32 = 794;

#[tokio::test]
async fn a_letters_short_link_opens_the_form_and_once_used_sends_the_family_to_the_office() -> Result<()> {
    let scene = Scene::new()?;
    let person = format!("{CHILD}-g1");
    let short_link = scene.short_link(&person);
    ensure!(short_link.contains("#code=") && short_link.len() < 80, "a short link: {short_link}");
    let phone = Browser::open(360).await?;
    phone.open_invitation(&short_link).await?;
    let shown = phone.text("student").await.unwrap_or_default();
    ensure!(shown.contains("Ana Popescu"), "the form names the child of the letter: {shown}");
    phone.screenshot(360, &screenshots_dir().join("short-link-form-360.png")).await?;
    grant(&phone, &["photos-published"]).await?;
    ensure!(scene.audit_state("photos-published", CHILD, now())? == "allowed", "the receipt is archived");
    scene.verifier(&["check"])?;
    // Reopened, the page is this person's form again: the address bar now holds the long link.
    let address = phone.script("return location.hash;").await?;
    ensure!(address.as_str().is_some_and(|hash| hash.starts_with("#invitation=")), "the address: {address}");
    phone.reload().await?;
    phone.element("decisions").await?;
    phone.close().await?;

    let other = Browser::open(360).await?;
    other.goto(&short_link).await?;
    other.wait_text("failure", text(Lang::En, Key::ErrorCodeRefused)).await?;
    other.screenshot(360, &screenshots_dir().join("short-link-used-360.png")).await?;
    other.close().await
}

#[tokio::test]
async fn the_letters_page_prints_one_letter_per_person_at_a4_width() -> Result<()> {
    let scene = Scene::new()?;
    let letters = scene.school.letters();
    let url = format!("file://{}", letters.to_str().context("a UTF-8 path")?);
    let browser = Browser::open(A4_WIDTH).await?;
    browser.goto(&url).await?;
    let count = browser.script("return document.querySelectorAll('article.letter').length;").await?;
    ensure!(count == serde_json::json!(scene.school.invitees.len()), "one letter per person invited: {count}");
    browser.screenshot(A4_WIDTH, &screenshots_dir().join("letters.png")).await?;
    browser.close().await
}
