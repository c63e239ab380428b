//! Installs what the tasks need, only when it is missing, so every task can run on a fresh machine
//! that has nothing but rustup, and again without doing anything twice.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// `rustup target add wasm32-unknown-unknown`, unless it is installed.
pub fn wasm_target() -> Result<()> {
    let output = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("running `rustup target list --installed`: is rustup installed? See https://rustup.rs")?;
    let installed = String::from_utf8_lossy(&output.stdout);
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("==> rustup target add {WASM_TARGET}");
    let status = Command::new("rustup").args(["target", "add", WASM_TARGET]).status()?;
    if !status.success() {
        bail!("`rustup target add {WASM_TARGET}` failed ({status})");
    }
    Ok(())
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must be exactly the same.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(super::workspace_root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

/// `cargo install wasm-bindgen-cli` at the locked version, unless that version is installed.
///
/// Without `--locked`: one dependency the CLI's own lock file pins is missing from the registry
/// this project builds from, and the CLI builds and works with current ones.
pub fn wasm_bindgen_cli() -> Result<()> {
    let version = locked_wasm_bindgen()?;
    let installed = Command::new("wasm-bindgen").arg("--version").output();
    if installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().nth(1) == Some(&version)) {
        return Ok(());
    }
    println!("==> cargo install wasm-bindgen-cli --version {version} (a few minutes, once per machine)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo).args(["install", "wasm-bindgen-cli", "--version", &version]).status()?;
    if !status.success() {
        bail!("`cargo install wasm-bindgen-cli --version {version}` failed ({status})");
    }
    Ok(())
}

/// The binaryen release whose `wasm-opt` is known to produce working modules for this output.
const BINARYEN: &str = "binaryen@132.0.0";

/// `wasm-opt` from the npm `binaryen` package, installed under `target/tools` when missing.
///
/// Never the one on `PATH`: Debian's binaryen 108 silently produces a module that Chromium
/// rejects ("WebAssembly.Table.set(): Argument 1 is invalid for table").
pub fn wasm_opt() -> Result<PathBuf> {
    let tools = super::workspace_root().join("target/tools");
    let wasm_opt = tools.join("node_modules/.bin/wasm-opt");
    if wasm_opt.exists() {
        return Ok(wasm_opt);
    }
    need_command("npm", "Node.js and npm (Debian: `apt-get install nodejs npm`)")?;
    std::fs::create_dir_all(&tools)?;
    println!("==> npm install {BINARYEN} (into target/tools)");
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&tools)
        .arg(BINARYEN)
        .status()?;
    if !status.success() || !wasm_opt.exists() {
        bail!("`npm install {BINARYEN}` failed ({status})");
    }
    Ok(wasm_opt)
}

/// Chromium and chromedriver from Debian's packages, for the browser tests.
pub fn chromium() -> Result<()> {
    let present = |path: &str| Path::new(path).exists();
    if present(CHROMIUM) && present(CHROMEDRIVER) {
        return Ok(());
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !root {
        bail!(
            "the browser tests need Chromium and chromedriver. Install them with \
             `sudo apt-get install -y chromium chromium-driver` and run this again."
        );
    }
    println!("==> apt-get install -y chromium chromium-driver");
    let update = Command::new("apt-get").args(["update", "-q"]).status()?;
    let install = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !update.success() || !install.success() || !present(CHROMIUM) || !present(CHROMEDRIVER) {
        bail!("installing chromium and chromium-driver with apt-get failed");
    }
    Ok(())
}

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver, of the same version.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn need_command(name: &str, what: &str) -> Result<()> {
    match Command::new(name).arg("--version").output() {
        Ok(output) if output.status.success() => Ok(()),
        _ => bail!("`{name}` is missing: install {what} and run this again"),
    }
}
