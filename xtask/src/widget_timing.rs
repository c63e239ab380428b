//! The widget's speed where a family meets it, in headless Chromium: the time from navigation to
//! interactive, and the time to sign one consent receipt. Both are read from the User Timing
//! entries the widget sets (`widget/src/timing.rs` defines them), so the browser's own clock
//! measures them and no WebDriver round trip is counted.
//!
//! Every run is a first visit as the guardian of the child under 14 would make it: a new demo
//! school (an invitation enrols one device only), its site staged and served by the release
//! `verifier serve` on loopback, and a new Chromium profile — nothing cached, no key stored. The
//! guardian opens their link, answers "yes" to one purpose and signs and sends; the run ends with
//! the school's acknowledgement. Each run is made twice: on this machine as it is, and as a phone
//! on a slow mobile network ([`Phone::SLOW_4G`], through Chromium's DevTools), where the bytes the
//! widget downloads and the work it does before the first decision show. A measurement, not a
//! test: it asserts nothing about the figures.

use crate::bench::ingest::release_binary;
use crate::{setup, widget};
use anyhow::{bail, Context, Result};
use consent_tests::browser::{Browser, Chromium, Phone};
use consent_tests::demo::{DemoSchool, CHILD};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// The mark the widget sets when it first becomes interactive (`widget::timing::INTERACTIVE`).
const INTERACTIVE: &str = "consent:interactive";
/// The measure around signing one receipt (`widget::timing::SIGN`).
const SIGN: &str = "consent:sign";
/// The purpose the guardian answers "yes" to.
const PURPOSE: &str = "photos-published";
/// A laptop's window: the whole widget in view.
const WIDTH: u32 = 1280;

/// The figures of `runs` first visits, one entry per run, in run order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetTimings {
    /// Milliseconds from the start of navigation to the `consent:interactive` mark.
    pub interactive_ms: Vec<f64>,
    /// The same, on a phone ([`Phone::SLOW_4G`]).
    pub phone_interactive_ms: Vec<f64>,
    /// Milliseconds the `consent:sign` measure lasted: one Ed25519 signature of a consent
    /// receipt, at the 0.1 ms resolution Chromium gives a page that is not cross-origin isolated.
    pub signature_ms: Vec<f64>,
}

/// Builds the site (release widget) and the release `verifier`, installs Chromium when missing,
/// then measures `runs` first visits.
pub fn measure(runs: usize) -> Result<WidgetTimings> {
    setup::chromium()?;
    let site = widget::build_site()?;
    let verifier = release_binary()?;
    let chromium = Chromium { binary: setup::CHROMIUM.into(), driver: setup::CHROMEDRIVER.into() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut timings = WidgetTimings::default();
    for run in 1..=runs {
        let (interactive, signature) = first_visit(&runtime, &chromium, &verifier, &site, None)
            .with_context(|| format!("widget timing, run {run}"))?;
        timings.interactive_ms.push(interactive);
        timings.signature_ms.push(signature);
        let (interactive, _) = first_visit(&runtime, &chromium, &verifier, &site, Some(Phone::SLOW_4G))
            .with_context(|| format!("widget timing on a phone, run {run}"))?;
        timings.phone_interactive_ms.push(interactive);
    }
    Ok(timings)
}

/// One first visit in a world of its own, on `phone` if one is given: (time to interactive, one
/// signature), in milliseconds.
fn first_visit(
    runtime: &tokio::runtime::Runtime,
    chromium: &Chromium,
    verifier: &Path,
    built_site: &Path,
    phone: Option<Phone>,
) -> Result<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port();
    let consent_page = format!("http://127.0.0.1:{port}/consent.html");
    let today = verifier::clock::now()?.date();
    let school = DemoSchool::create(verifier, &dir.path().join("data"), &consent_page, today)?;
    let site = dir.path().join("site");
    school.stage_site(built_site, &site)?;
    let _service = Service::start(verifier, &school.data, port, &site, &dir.path().join("service.log"))?;
    let link = school.link(&consent_page, &format!("{CHILD}-g1"))?;
    runtime.block_on(async {
        let guardian = Browser::launch(chromium, WIDTH).await?;
        if let Some(phone) = phone {
            guardian.emulate(phone).await?;
        }
        guardian.goto(&link).await?;
        let interactive = guardian.timing(INTERACTIVE).await?.start_ms;
        guardian.click(&format!("answer-{PURPOSE}-yes")).await?;
        guardian.click("sign-and-send").await?;
        guardian.element("acknowledgement").await?;
        let signature = guardian.timing(SIGN).await?.duration_ms;
        guardian.close().await?;
        Ok((interactive, signature))
    })
}

/// `verifier serve` over a school and its site, stopped when dropped.
struct Service {
    child: Child,
    /// Kept open while the service runs, so that it never writes to a closed pipe.
    stdout: BufReader<ChildStdout>,
}

impl Service {
    /// Starts the service on `port` and returns once it listens (it says so on its first line).
    fn start(verifier: &Path, data: &Path, port: u16, site: &Path, log: &Path) -> Result<Service> {
        let mut child = Command::new(verifier)
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--www"])
            .arg(site)
            .stdout(Stdio::piped())
            .stderr(File::create(log)?)
            .spawn()
            .context("starting `verifier serve`")?;
        let stdout = child.stdout.take().context("the service's output")?;
        let mut service = Service { child, stdout: BufReader::new(stdout) };
        let mut line = String::new();
        service.stdout.read_line(&mut line)?;
        if !line.starts_with("Listening on ") {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            bail!("`verifier serve` did not start:\n{line}{log}");
        }
        Ok(service)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
