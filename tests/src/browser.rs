//! One person's device: a headless Chromium with a fresh profile, driven through its own
//! chromedriver. Elements are found by the widget's `data-testid`s; every wait on the page is
//! bounded.
//!
//! The end-to-end tests (`tests/end_to_end/`) and the widget's benchmark in `xtask` both drive
//! Chromium through this, so it is the library's (feature `webdriver`), not a test file's.

use anyhow::{bail, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::wd::{WebDriverCompatibleCommand, WindowHandle};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for anything on the page. Past the widget's 5 s retry, with room for a slow CI.
const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

/// A WebDriver command under way.
type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, CmdError>> + Send>>;

/// The flags TOOLCHAIN.md lists for Chromium on this kind of machine.
const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Where Chromium and its chromedriver are installed.
#[derive(Debug, Clone)]
pub struct Chromium {
    /// The browser, e.g. Debian's `/usr/bin/chromium`.
    pub binary: PathBuf,
    /// Its chromedriver, of the same version, e.g. `/usr/bin/chromedriver`.
    pub driver: PathBuf,
}

impl Chromium {
    /// `$CHROMIUM` and `$CHROMEDRIVER`, else Debian's.
    pub fn from_env() -> Chromium {
        let var = |name: &str, default: &str| std::env::var_os(name).map_or_else(|| default.into(), PathBuf::from);
        Chromium { binary: var("CHROMIUM", "/usr/bin/chromium"), driver: var("CHROMEDRIVER", "/usr/bin/chromedriver") }
    }
}

/// A User Timing entry of the page (`performance.mark` or `performance.measure`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// When it started, in milliseconds since the navigation started.
    pub start_ms: f64,
    /// How long it lasted, in milliseconds (0 for a mark).
    pub duration_ms: f64,
}

/// A phone on a mobile network, as Chromium's DevTools emulate one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phone {
    /// Download speed, in bits per second.
    pub download_bits: u32,
    /// Upload speed, in bits per second.
    pub upload_bits: u32,
    /// Added to every round trip, in milliseconds.
    pub round_trip_ms: u32,
    /// How many times slower than this machine's the phone's CPU runs.
    pub cpu_slowdown: u32,
}

impl Phone {
    /// The mid-range phone on a slow 4G link that Lighthouse's mobile profile uses: 1.6 Mbit/s
    /// down, 750 kbit/s up, 150 ms round trips, a CPU four times slower.
    pub const SLOW_4G: Phone =
        Phone { download_bits: 1_600_000, upload_bits: 750_000, round_trip_ms: 150, cpu_slowdown: 4 };
}

/// A Chrome DevTools Protocol command, sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.command, "params": self.params }).to_string()))
    }
}

/// One person's device: a headless Chromium with its own fresh profile.
pub struct Browser {
    client: Client,
    /// Held for its `Drop`: chromedriver lives as long as the browser.
    _driver: Driver,
    /// The profile (`profile/`) and the temporary folder Chromium writes into (`tmp/`), both
    /// this browser's alone and removed with it.
    home: tempfile::TempDir,
}

/// A chromedriver process, stopped when dropped, however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// A new device with a window `width` px wide, in the Chromium [`Chromium::from_env`] names.
    pub async fn open(width: u32) -> Result<Browser> {
        Browser::launch(&Chromium::from_env(), width).await
    }

    /// A new device with a window `width` px wide, in `chromium`.
    pub async fn launch(chromium: &Chromium, width: u32) -> Result<Browser> {
        let home = tempfile::tempdir()?;
        let (profile, temp) = (home.path().join("profile"), home.path().join("tmp"));
        std::fs::create_dir_all(&temp)?;
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port();
        let driver = Driver(
            Command::new(&chromium.driver)
                .arg(format!("--port={port}"))
                // Chromium inherits it, and leaves folders in its temporary folder.
                .env("TMPDIR", &temp)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {}: `cargo xtask test` installs it", chromium.driver.display()))?,
        );
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={width},900"));
        let capabilities = json!({ "goog:chromeOptions": { "binary": chromium.binary, "args": args } });
        let Value::Object(capabilities) = capabilities else { unreachable!("a JSON object literal") };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if started.elapsed() > WAIT {
                bail!("chromedriver did not listen on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a Chromium session")?;
        Ok(Browser { client, _driver: driver, home })
    }

    /// Makes this device `phone` from now on: its network and its CPU speed, for what the page
    /// loads and runs after this.
    pub async fn emulate(&self, phone: Phone) -> Result<()> {
        let commands = [
            DevTools { command: "Network.enable", params: json!({}) },
            DevTools {
                command: "Network.emulateNetworkConditions",
                params: json!({
                    "offline": false,
                    "latency": phone.round_trip_ms,
                    "downloadThroughput": phone.download_bits / 8,
                    "uploadThroughput": phone.upload_bits / 8,
                }),
            },
            DevTools { command: "Emulation.setCPUThrottlingRate", params: json!({ "rate": phone.cpu_slowdown }) },
        ];
        for command in commands {
            let name = command.command;
            self.client.issue_cmd(command).await.with_context(|| format!("DevTools {name}"))?;
        }
        Ok(())
    }

    /// Navigates to `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) -> Result<()> {
        Ok(self.client.goto(url).await?)
    }

    /// Reloads the page, as the person's browser does.
    pub async fn reload(&self) -> Result<()> {
        Ok(self.client.refresh().await?)
    }

    /// Opens an invitation link and waits until the widget has verified the form and shows the
    /// decisions.
    pub async fn open_invitation(&self, link: &str) -> Result<()> {
        self.goto(link).await?;
        self.element("decisions").await.map(drop)
    }

    /// The element with this `data-testid`, once it is there.
    pub async fn element(&self, testid: &str) -> Result<Element> {
        self.wait_css(&by_testid(testid)).await
    }

    /// Does `act` to the element with this `data-testid`. The widget re-renders as its state
    /// changes, so an element found a moment ago may be gone: then it is found again.
    async fn on<T>(&self, testid: &str, act: impl Fn(Element) -> Pending<T>) -> Result<T> {
        let started = Instant::now();
        loop {
            match act(self.element(testid).await?).await {
                Err(error) if error.is_stale_element_reference() && started.elapsed() < WAIT => {
                    tokio::time::sleep(POLL).await;
                }
                done => return Ok(done?),
            }
        }
    }

    /// Clicks the element once it is enabled: the widget disables its buttons while it talks to
    /// the service, and a click on a disabled button does nothing.
    pub async fn click(&self, testid: &str) -> Result<()> {
        let started = Instant::now();
        while !self.on(testid, |e| Box::pin(async move { e.is_enabled().await })).await? {
            if started.elapsed() > WAIT {
                bail!("`{testid}` stayed disabled for {WAIT:?}; status: {}", self.status().await);
            }
            tokio::time::sleep(POLL).await;
        }
        self.on(testid, |e| Box::pin(async move { e.click().await })).await
    }

    /// Whether the checkbox with this `data-testid` is ticked.
    pub async fn is_checked(&self, testid: &str) -> Result<bool> {
        let checked = self.on(testid, |e| Box::pin(async move { e.prop("checked").await })).await?;
        Ok(checked.as_deref() == Some("true"))
    }

    /// Types `text` into the field with this `data-testid`.
    pub async fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        let text = text.to_owned();
        self.on(testid, |e| {
            let text = text.clone();
            Box::pin(async move { e.send_keys(&text).await })
        })
        .await
    }

    /// The text of the element with this `data-testid`.
    pub async fn text(&self, testid: &str) -> Result<String> {
        self.on(testid, |e| Box::pin(async move { e.text().await })).await
    }

    /// The first element matching a CSS selector, once it is there.
    pub async fn wait_css(&self, selector: &str) -> Result<Element> {
        let found = self.client.wait().at_most(WAIT).every(POLL).for_element(Locator::Css(selector)).await;
        match found {
            Ok(element) => Ok(element),
            Err(error) => bail!("no `{selector}` within {WAIT:?} ({error}); the widget says: {}", self.status().await),
        }
    }

    /// Chooses the file at `path` in the file input with this `data-testid`, as a person picking
    /// it in the file dialog does.
    pub async fn choose_file(&self, testid: &str, path: &Path) -> Result<()> {
        let input = self.element(testid).await?;
        Ok(input.send_keys(&path.display().to_string()).await?)
    }

    /// Opens a second tab of this browser (same profile, same storage) and switches to it;
    /// returns the tab that was shown, for [`Browser::switch_to`].
    pub async fn new_tab(&self) -> Result<WindowHandle> {
        let shown = self.client.window().await?;
        let tab = self.client.new_window(true).await?;
        self.client.switch_to_window(tab.handle).await?;
        Ok(shown)
    }

    /// The tab shown now.
    pub async fn tab(&self) -> Result<WindowHandle> {
        Ok(self.client.window().await?)
    }

    /// Shows `tab` (a headless browser runs every tab's scripts, shown or not).
    pub async fn switch_to(&self, tab: WindowHandle) -> Result<()> {
        Ok(self.client.switch_to_window(tab).await?)
    }

    /// Runs a script in the page and returns its value.
    pub async fn script(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// The page's first User Timing entry named `name`, once there is one.
    pub async fn timing(&self, name: &str) -> Result<Timing> {
        let script = "const e = performance.getEntriesByName(arguments[0])[0];
                      return e ? [e.startTime, e.duration] : null;";
        let started = Instant::now();
        loop {
            let found = self.client.execute(script, vec![json!(name)]).await?;
            if let Some([start_ms, duration_ms]) = serde_json::from_value::<Option<[f64; 2]>>(found)? {
                return Ok(Timing { start_ms, duration_ms });
            }
            if started.elapsed() > WAIT {
                bail!("no `{name}` timing within {WAIT:?}; the widget says: {}", self.status().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The texts of every element with this `data-testid`, in page order.
    pub async fn texts(&self, testid: &str) -> Result<Vec<String>> {
        let started = Instant::now();
        'fresh: loop {
            let mut texts = Vec::new();
            for element in self.client.find_all(Locator::Css(&by_testid(testid))).await? {
                match element.text().await {
                    Ok(text) => texts.push(text),
                    Err(error) if error.is_stale_element_reference() && started.elapsed() < WAIT => continue 'fresh,
                    Err(error) => return Err(error.into()),
                }
            }
            return Ok(texts);
        }
    }

    /// Waits until an element with this `data-testid` shows `needle`; returns its text.
    pub async fn wait_text(&self, testid: &str, needle: &str) -> Result<String> {
        let started = Instant::now();
        loop {
            let texts = self.texts(testid).await?;
            if let Some(text) = texts.iter().find(|t| t.contains(needle)) {
                return Ok(text.clone());
            }
            if started.elapsed() > WAIT {
                bail!("`{testid}` never showed {needle:?} (it shows {texts:?}); status: {}", self.status().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The widget's status line (empty when it has nothing to say).
    pub async fn status(&self) -> String {
        match self.client.find(Locator::Css(&by_testid("status"))).await {
            Ok(status) => status.text().await.unwrap_or_default(),
            Err(_) => "(no widget on the page)".into(),
        }
    }

    /// Picks the widget's language, as a reader does with its selector.
    pub async fn language(&self, code: &str) -> Result<()> {
        let code = code.to_owned();
        self.on("language", |e| {
            let code = code.clone();
            Box::pin(async move { e.select_by_value(&code).await })
        })
        .await
    }

    /// Presses and releases one key, sent to whatever has the focus: the keyboard alone.
    pub async fn press(&self, key: Key) -> Result<()> {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// The `data-testid` of the focused element, if it has one.
    pub async fn focused(&self) -> Result<Option<String>> {
        Ok(self.client.active_element().await?.attr("data-testid").await?)
    }

    /// Writes a PNG of the whole page at `width` px (the window is made as tall as the page first),
    /// and one of the widget alone beside it.
    pub async fn screenshot(&self, width: u32, path: &Path) -> Result<()> {
        self.client.set_window_size(width, 900).await?;
        let height = self.script("return document.documentElement.scrollHeight;").await?;
        let height = height.as_u64().and_then(|h| u32::try_from(h).ok()).context("the page's height")?;
        self.client.set_window_size(width, height.max(900)).await?;
        let png = self.client.screenshot().await?;
        write_png(path, &png)?;
        // The widget alone as well, when the page has it: what the README shows.
        if let Ok(widget) = self.client.find(Locator::Css(&by_testid("consent-widget"))).await {
            write_png(&path.with_extension("widget.png"), &widget.screenshot().await?)?;
        }
        Ok(())
    }

    /// Runs axe-core (its browser bundle `axe_core`, from npm, injected into the page) and returns
    /// the serious and critical violations, one line each.
    pub async fn axe(&self, axe_core: &Path) -> Result<Vec<String>> {
        let source = std::fs::read_to_string(axe_core).with_context(|| format!("reading {}", axe_core.display()))?;
        self.client.execute(&source, vec![]).await.context("injecting axe-core")?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(
                   r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)),
                   e => done([`axe-core failed: ${e}`]));",
                vec![],
            )
            .await?;
        serde_json::from_value(found).context("axe-core's answer")
    }

    /// Ends the session, which closes Chromium; chromedriver stops with the `Browser`.
    pub async fn close(self) -> Result<()> {
        Ok(self.client.clone().close().await?)
    }
}

impl Drop for Browser {
    /// After `close` this finds nothing to do. After a failed test the session is still open, and
    /// stopping chromedriver would leave its Chromium running: that Chromium is found by its
    /// profile folder, which is this browser's alone, and stopped. (Through the shell's `kill`:
    /// `/bin/kill` is not on every machine.)
    fn drop(&mut self) {
        let profile = self.home.path().join("profile").to_string_lossy().into_owned();
        for process in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let command_line = std::fs::read(process.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&command_line).contains(&profile) {
                let pid = process.file_name().to_string_lossy().into_owned();
                if pid.bytes().all(|b| b.is_ascii_digit()) {
                    let _ = Command::new("sh").arg("-c").arg(format!("kill {pid}")).status();
                }
            }
        }
    }
}

fn write_png(path: &Path, png: &[u8]) -> Result<()> {
    std::fs::create_dir_all(path.parent().context("a folder")?)?;
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
}

/// The CSS selector of the elements with this `data-testid`.
fn by_testid(testid: &str) -> String {
    format!("[data-testid='{testid}']")
}
