//! One test's world: a demo school in a temporary folder, its site staged with the school's key,
//! and `verifier serve` over both on a free loopback port — stoppable and restartable on that
//! port, as an outage is. The school's side is the real command line.

use anyhow::{bail, Context, Result};
use consent_tests::demo::{self, DemoSchool};
use shared::Timestamp;
use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the service may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Scene {
    pub school: DemoSchool,
    site: PathBuf,
    port: u16,
    service: Option<Child>,
    dir: tempfile::TempDir,
}

impl Scene {
    /// A new school, its site and its service, ready for families.
    pub fn new() -> Result<Scene> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let consent_page = format!("http://127.0.0.1:{port}/consent.html");
        let today = now().date();
        let school = DemoSchool::create(&verifier_binary()?, &dir.path().join("data"), &consent_page, today)?;
        let site = dir.path().join("site");
        school.stage_site(&built_site()?, &site)?;
        let mut scene = Scene { school, site, port, service: None, dir };
        scene.start_service()?;
        Ok(scene)
    }

    /// The link person `person` received.
    pub fn link(&self, person: &str) -> String {
        self.school.link(&self.page("consent.html"), person).expect("the demo roster invites this person")
    }

    /// The short link of person `person`'s printed letter.
    pub fn short_link(&self, person: &str) -> String {
        self.school.short_link(&self.page("consent.html"), person).expect("the demo roster invites this person")
    }

    /// The console link staff member `person` received.
    pub fn staff_link(&self, person: &str) -> String {
        self.school.staff_link(&self.page("console/"), person).expect("the demo school invites this staff member")
    }

    /// The address of a page of the school's site.
    pub fn page(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Starts `verifier serve` (again) on this scene's port and waits until it listens.
    pub fn start_service(&mut self) -> Result<()> {
        let log = File::options().create(true).append(true).open(self.dir.path().join("service.log"))?;
        let child = Command::new(verifier_binary()?)
            .arg("--data")
            .arg(&self.school.data)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--www")
            .arg(&self.site)
            // The console's "Send reminders" links families to the consent page.
            .arg("--consent-page")
            .arg(self.page("consent.html"))
            // Every test's browsers share one client address, 127.0.0.1; a family's devices
            // have one each.
            .args(["--max-in-flight", "64"])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting `verifier serve`")?;
        let child = self.service.insert(child);
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("`verifier serve` stopped ({status}) before listening:\n{}", self.service_log());
            }
            if started.elapsed() > START_TIMEOUT {
                bail!("`verifier serve` did not listen within {START_TIMEOUT:?}:\n{}", self.service_log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Stops the service abruptly, as a power cut or a crash would.
    pub fn stop_service(&mut self) -> Result<()> {
        if let Some(mut child) = self.service.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// What the service wrote, for failure messages.
    pub fn service_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("service.log")).unwrap_or_default()
    }

    /// `verifier --data DATA ARGS…`: the school's command line over this scene's archive.
    pub fn verifier(&self, args: &[&str]) -> Result<String> {
        demo::run(&verifier_binary()?, &self.school.data, args)
    }

    /// `verifier audit --purpose PURPOSE --at AT --format csv`, as (student, state) pairs.
    pub fn audit(&self, purpose: &str, at: Timestamp) -> Result<Vec<(String, String)>> {
        let csv = self.verifier(&["audit", "--purpose", purpose, "--at", &at.to_string(), "--format", "csv"])?;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers()?.clone();
        let column = |name: &str| header.iter().position(|h| h == name).context("audit CSV column");
        let (student, state) = (column("student")?, column("state")?);
        reader
            .records()
            .map(|r| {
                let r = r?;
                Ok((r.get(student).unwrap_or_default().to_owned(), r.get(state).unwrap_or_default().to_owned()))
            })
            .collect()
    }

    /// The audit state of `student` for `purpose` at `at`, e.g. `allowed`.
    pub fn audit_state(&self, purpose: &str, student: &str, at: Timestamp) -> Result<String> {
        let rows = self.audit(purpose, at)?;
        match rows.into_iter().find(|(s, _)| s == student) {
            Some((_, state)) => Ok(state),
            None => bail!("the audit of {purpose} has no row for {student}"),
        }
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = self.stop_service();
    }
}

/// The instant now, to the second, as the archive and `audit --at` count it.
pub fn now() -> Timestamp {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock after 1970");
    Timestamp::from_unix(i64::try_from(seconds.as_secs()).expect("seconds fit")).expect("a representable instant")
}

/// Waits until the clock has moved on to the next second, so that what follows is logged later
/// than what came before.
pub fn next_second() {
    let start = now();
    while now() == start {
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// The workspace's `target/`, where `xtask` builds and installs what these tests use.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

/// Where a tool or artefact is: `$VARIABLE`, else `default` under `target/`; an error naming how
/// to get it when it is missing.
fn located(variable: &str, default: &str) -> Result<PathBuf> {
    let path = std::env::var_os(variable).map_or_else(|| target_dir().join(default), PathBuf::from);
    if !path.exists() {
        bail!("{} is missing (set ${variable}); `cargo xtask test` builds and installs it", path.display());
    }
    Ok(path)
}

/// Where screenshots go: `$CONSENT_SCREENSHOTS`, else `target/screenshots/`.
pub fn screenshots_dir() -> PathBuf {
    std::env::var_os("CONSENT_SCREENSHOTS").map_or_else(|| target_dir().join("screenshots"), PathBuf::from)
}

/// axe-core's browser bundle, which `cargo xtask test` installs from npm.
pub fn axe_core() -> Result<PathBuf> {
    located("AXE_CORE", "tools/node_modules/axe-core/axe.min.js")
}

fn verifier_binary() -> Result<PathBuf> {
    located("VERIFIER", "debug/verifier")
}

/// The site as `xtask` builds it: `www/` plus the release build of the widget.
fn built_site() -> Result<PathBuf> {
    let site = located("CONSENT_SITE", "site")?;
    if !site.join("widget/consent-widget.js").exists() {
        bail!("{} has no built widget; `cargo xtask test` (or `cargo xtask size`) builds it", site.display());
    }
    Ok(site)
}
