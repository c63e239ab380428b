//! The staff console in headless Chromium against the real service: the DPO and a teacher open
//! the links `verifier staff invite` printed, as the demo school's staff would. Every screen is
//! photographed at 1280 px into `target/screenshots/` and checked with axe-core.

use crate::accessibility::tab_to;
use crate::flows::grant;
use crate::scene::{axe_core, screenshots_dir, Scene};
use anyhow::{ensure, Result};
use consent_tests::browser::Browser;
use consent_tests::demo::{CHILD, DPO, TEACHER, TEEN};
use fantoccini::key::Key;

/// The console is a desktop and tablet page: staff work at a school computer…
const WIDTH: u32 = 1280;
/// …or on a tablet in portrait…
const TABLET: u32 = 800;
/// …or, to record a paper slip where the paper is, on a phone.
const PHONE: u32 = 360;

/// Photographs a console screen and collects axe-core's findings on it.
async fn shoot(browser: &Browser, screen: &str, findings: &mut Vec<String>) -> Result<()> {
    browser.screenshot(WIDTH, &screenshots_dir().join(format!("console-{screen}-{WIDTH}.png"))).await?;
    findings.extend(browser.axe(&axe_core()?).await?.into_iter().map(|f| format!("console {screen}: {f}")));
    Ok(())
}

/// Chooses `value` in the `<select>` with this `data-testid`, as a person does with the keyboard.
async fn pick(browser: &Browser, testid: &str, value: &str) -> Result<()> {
    browser
        .script(&format!(
            "const s = document.querySelector('[data-testid={testid}]'); s.value = '{value}';
             s.dispatchEvent(new Event('input', {{bubbles: true}})); s.dispatchEvent(new Event('change', {{bubbles: true}}));"
        ))
        .await
        .map(drop)
}

/// The data-mark of every row of the photo check, by student id.
async fn marks(browser: &Browser) -> Result<Vec<(String, String)>> {
    let rows = browser
        .script(
            "return [...document.querySelectorAll('[data-testid=photo-check-table] [data-testid=row]')]
                .map(r => [r.dataset.student, r.dataset.mark]);",
        )
        .await?;
    Ok(serde_json::from_value(rows)?)
}

#[tokio::test]
async fn the_dpo_finds_who_has_not_answered_and_decides_an_objection_the_guardian_then_sees() -> Result<()> {
    let scene = Scene::new()?;
    // A guardian answers and files an objection from the widget.
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{CHILD}-g1"))).await?;
    grant(&guardian, &["photos-published"]).await?;
    guardian.click("tab-requests").await?;
    guardian.click("right-objection").await?;
    guardian.type_into("request-details", "Please take my daughter's photo off the website.").await?;
    guardian.click("send-request").await?;
    guardian.element("request-status").await?;

    let mut findings = Vec::new();
    let dpo = Browser::open(WIDTH).await?;
    dpo.goto(&scene.staff_link(DPO.0)).await?;
    dpo.wait_text("whoami", DPO.1).await?;
    dpo.element("overview-classes").await?;
    shoot(&dpo, "overview", &mut findings).await?;

    // The family of the 14–17 student has not answered: it is on the list, with its contacts.
    dpo.click("nav-not-answered").await?;
    dpo.wait_css(&format!("[data-testid=not-answered-table] [data-student='{TEEN}']")).await?;
    let listed = dpo.text("not-answered-table").await?;
    ensure!(listed.contains("ewa.kowalska@example.org"), "the guardian's address is listed: {listed}");
    dpo.element("csv-download").await?;
    let teen = format!("[data-testid=not-answered-table] [data-student='{TEEN}'] [data-testid=last-reminded]");
    dpo.wait_css(&format!("{teen}[data-reminded=false]")).await?;
    // Without an SMTP server the reminders are a list to download; each is recorded, and the
    // list shows when each person was last reminded.
    dpo.click("send-reminders").await?;
    let reminded = dpo.wait_text("reminded", "On the list").await?;
    ensure!(reminded.contains("By e-mail: 0."), "no SMTP server, nothing e-mailed: {reminded}");
    dpo.wait_css(&format!("{teen}[data-reminded=true]")).await?;
    shoot(&dpo, "not-answered", &mut findings).await?;
    let lists = tempfile::tempdir()?;
    let out = lists.path().to_string_lossy().into_owned();
    let recorded = scene.verifier(&["remind", "--base-url", &scene.page("consent.html"), "--out-dir", &out])?;
    ensure!(!recorded.contains("never"), "the command line sees the console's reminders: {recorded}");

    // The letters of the invitations still unused print from the console: the service's page,
    // styled under the service's policy, one letter per person (the guardian who answered has
    // none), each with its QR code 4 cm wide.
    dpo.click("print-letters").await?;
    dpo.element("letters-frame").await?;
    let mut letters = serde_json::Value::Null;
    for _ in 0..100 {
        letters = dpo
            .script(
                "const frame = document.querySelector('[data-testid=letters-frame]');
             const page = frame.contentDocument;
             if (!page || page.readyState !== 'complete') return null;
             const letters = [...page.querySelectorAll('article.letter')];
             const img = page.querySelector('.open img');
             return { people: letters.map(l => l.dataset.person), qr: img && img.getBoundingClientRect().width,
                      styled: img && getComputedStyle(letters[0]).breakAfter };",
            )
            .await?;
        if !letters.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ensure!(!letters["people"].as_array().is_some_and(|p| p.iter().any(|p| p == &format!("{CHILD}-g1"))), "{letters}");
    ensure!(letters["people"].as_array().is_some_and(|p| p.iter().any(|p| p == &format!("{TEEN}-g1"))), "{letters}");
    ensure!(letters["styled"] == "page", "the letters' stylesheet applies under the CSP: {letters}");
    let qr_width = letters["qr"].as_f64().unwrap_or_default();
    ensure!((150.0..152.0).contains(&qr_width), "the QR code is 4 cm (151 px): {letters}");

    dpo.click("nav-requests").await?;
    let inbox = dpo.wait_text("requests-inbox", "off the website").await?;
    ensure!(inbox.contains("Ana Popescu"), "the request names its student: {inbox}");
    shoot(&dpo, "requests", &mut findings).await?;
    dpo.click("decide-grant").await?;
    dpo.type_into("decide-reason", "The photo was taken off the website today.").await?;
    dpo.click("decide-send").await?;
    dpo.wait_text("requests-decided", "taken off the website").await?;
    shoot(&dpo, "requests-decided", &mut findings).await?;

    // The student screen and the proof bundle the DPO can hand to an auditor.
    dpo.click("nav-student").await?;
    dpo.element("student-class").await?;
    shoot(&dpo, "student-pick", &mut findings).await?;
    pick(&dpo, "student-class", "4A").await?;
    dpo.wait_css(&format!("[data-testid=student-pick] option[value='{CHILD}']")).await?;
    pick(&dpo, "student-pick", CHILD).await?;
    dpo.wait_text("student-history", "photos-published").await?;
    dpo.element("bundle-download").await?;
    shoot(&dpo, "student", &mut findings).await?;
    dpo.close().await?;

    // The guardian's widget shows the decision and its reason.
    guardian.reload().await?;
    guardian.element("decisions").await?;
    guardian.click("tab-requests").await?;
    guardian.wait_text("request-decision", "taken off the website").await?;
    guardian.close().await?;
    let decided = scene.verifier(&["requests"])?;
    ensure!(decided.contains("taken off the website"), "the command line sees the decision: {decided}");
    scene.verifier(&["check"])?;
    ensure!(findings.is_empty(), "axe-core found serious or critical violations:\n{}", findings.join("\n"));
    Ok(())
}

#[tokio::test]
async fn the_dpo_records_a_guardians_paper_slip_which_the_history_shows_on_paper() -> Result<()> {
    let scene = Scene::new()?;
    let scan = tempfile::Builder::new().suffix(".pdf").tempfile()?;
    std::fs::write(scan.path(), b"%PDF-1.4 the slip Maria Popescu signed")?;
    let mut findings = Vec::new();
    // A phone's width: the DPO records a slip wherever the paper is.
    let dpo = Browser::open(PHONE).await?;
    dpo.goto(&scene.staff_link(DPO.0)).await?;
    dpo.wait_text("whoami", DPO.1).await?;
    dpo.click("nav-student").await?;
    dpo.element("student-class").await?;
    pick(&dpo, "student-class", "4A").await?;
    dpo.wait_css(&format!("[data-testid=student-pick] option[value='{CHILD}']")).await?;
    pick(&dpo, "student-pick", CHILD).await?;
    dpo.element("paper-form").await?;
    let history = dpo.text("student-history").await?;
    ensure!(!history.contains("On paper"), "no slip yet: {history}");

    // Nothing is sent until the slip is filled in.
    dpo.click("paper-send").await?;
    dpo.wait_text("error", "Tick who signed").await?;
    dpo.wait_css(&format!("[data-testid=paper-signer][data-person='{CHILD}-g1']")).await?.click().await?;
    dpo.wait_css("[data-testid=paper-purpose][data-purpose='photos-published'] [data-testid=paper-yes]")
        .await?
        .click()
        .await?;
    dpo.choose_file("paper-scan", scan.path()).await?;
    let hash = dpo.text("paper-scan-hash").await?;
    let expected = shared::primitives::Digest::of(&std::fs::read(scan.path())?).to_hex();
    ensure!(hash.contains(&expected), "the scan's SHA-256 is computed in the browser: {hash}");
    dpo.screenshot(PHONE, &screenshots_dir().join(format!("console-paper-slip-{PHONE}.png"))).await?;
    findings.extend(dpo.axe(&axe_core()?).await?.into_iter().map(|f| format!("console paper slip: {f}")));
    dpo.click("paper-send").await?;
    dpo.wait_text("status", "Recorded").await?;

    // The refreshed student view shows the slip as the DPO's record, and the state as on paper.
    dpo.wait_css("[data-testid=student-history] [data-testid=row][data-paper=true]").await?;
    let history = dpo.text("student-history").await?;
    ensure!(history.contains(&format!("On paper, recorded by {}", DPO.1)), "the slip's row: {history}");
    ensure!(history.contains("Maria Popescu"), "who signed it: {history}");
    dpo.wait_css("[data-testid=student-now] [data-purpose='photos-published'][data-mark=allowed][data-paper=true]")
        .await?;
    ensure!(dpo.text("student-now").await?.contains("on paper"), "the mark says on paper");
    dpo.screenshot(PHONE, &screenshots_dir().join(format!("console-paper-recorded-{PHONE}.png"))).await?;
    findings.extend(dpo.axe(&axe_core()?).await?.into_iter().map(|f| format!("console paper recorded: {f}")));
    dpo.close().await?;
    scene.verifier(&["check"])?;
    ensure!(findings.is_empty(), "axe-core found serious or critical violations:\n{}", findings.join("\n"));
    Ok(())
}

#[tokio::test]
async fn a_teacher_runs_the_photo_check_for_their_class_and_reaches_nothing_else() -> Result<()> {
    let scene = Scene::new()?;
    // The student of 9B and one guardian agree to published photos; the other family of the
    // school is in another class.
    let guardian = Browser::open(360).await?;
    guardian.open_invitation(&scene.link(&format!("{TEEN}-g1"))).await?;
    grant(&guardian, &["photos-published"]).await?;
    guardian.close().await?;

    let mut findings = Vec::new();
    let teacher = Browser::open(WIDTH).await?;
    teacher.goto(&scene.staff_link(TEACHER.0)).await?;
    teacher.wait_text("whoami", TEACHER.1).await?;
    let classes = teacher.text("overview-classes").await?;
    ensure!(classes.contains(TEACHER.2) && !classes.contains("4A"), "a teacher sees their class only: {classes}");
    shoot(&teacher, "teacher-overview", &mut findings).await?;
    for absent in ["nav-not-answered", "nav-requests", "nav-student"] {
        let shown = teacher.script(&format!("return !!document.querySelector('[data-testid={absent}]');")).await?;
        ensure!(shown == serde_json::Value::Bool(false), "a teacher's console has no {absent}");
    }

    teacher.click("nav-photo-check").await?;
    teacher.element("photo-run").await?;
    pick(&teacher, "photo-purpose", "photos-published").await?;
    teacher.click("photo-run").await?;
    teacher.element("photo-check-table").await?;
    // The guardian agreed, the student has not yet: waiting for the student, not allowed.
    ensure!(marks(&teacher).await? == [(TEEN.to_owned(), "waiting_for_student".to_owned())], "the marks");
    teacher.element("print").await?;
    teacher.element("csv-download").await?;
    shoot(&teacher, "photo-check", &mut findings).await?;
    // The same list in the console's other languages, for the staff who read them.
    for lang in ["pl", "ro", "uk", "de"] {
        teacher.language(lang).await?;
        teacher.element("photo-check-table").await?;
        shoot(&teacher, &format!("photo-check-{lang}"), &mut findings).await?;
        teacher.click("nav-overview").await?;
        teacher.element("overview-classes").await?;
        shoot(&teacher, &format!("teacher-overview-{lang}"), &mut findings).await?;
        teacher.click("nav-photo-check").await?;
        teacher.click("photo-run").await?;
    }
    teacher.language("en").await?;
    // On a tablet, the same screens.
    teacher.screenshot(TABLET, &screenshots_dir().join(format!("console-photo-check-{TABLET}.png"))).await?;
    findings.extend(teacher.axe(&axe_core()?).await?.into_iter().map(|f| format!("console photo check, tablet: {f}")));
    // Printed on one A4 page: the print stylesheet hides the navigation and the controls.
    let printed = teacher
        .script(
            "const nav = document.querySelector('nav'); const rules = [...document.styleSheets]
                .flatMap(s => [...s.cssRules]).filter(r => r.media && r.media.mediaText.includes('print'));
             return rules.length > 0 && !!nav;",
        )
        .await?;
    ensure!(printed == serde_json::Value::Bool(true), "the console has a print stylesheet");
    // Nor can another class be picked (the service refuses it too: `verifier/tests/service.rs`).
    let offered = teacher
        .script("return [...document.querySelectorAll('[data-testid=photo-class] option')].map(o => o.value);")
        .await?;
    ensure!(offered == serde_json::json!([TEACHER.2]), "the classes offered: {offered}");
    teacher.close().await?;
    ensure!(findings.is_empty(), "axe-core found serious or critical violations:\n{}", findings.join("\n"));
    Ok(())
}

#[tokio::test]
async fn a_teacher_runs_the_photo_check_with_the_keyboard_alone() -> Result<()> {
    let scene = Scene::new()?;
    let teacher = Browser::open(WIDTH).await?;
    teacher.goto(&scene.staff_link(TEACHER.0)).await?;
    teacher.wait_text("whoami", TEACHER.1).await?;
    tab_to(&teacher, "nav-photo-check").await?;
    teacher.press(Key::Enter).await?;
    tab_to(&teacher, "photo-run").await?;
    teacher.press(Key::Enter).await?;
    teacher.element("photo-check-table").await?;
    ensure!(marks(&teacher).await?.len() == 1, "the class's one student is listed");
    teacher.close().await
}
