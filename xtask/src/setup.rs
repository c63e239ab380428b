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

/// The `cargo fuzz` that `cargo xtask fuzz` drives; its flags for the stable toolchain
/// (`--sanitizer none`) are known to work at this version.
const CARGO_FUZZ: &str = "0.13.2";

/// `cargo install cargo-fuzz --locked` at [`CARGO_FUZZ`], unless that version is installed.
pub fn cargo_fuzz() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let installed = Command::new(&cargo).args(["fuzz", "--version"]).output();
    if installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().nth(1) == Some(CARGO_FUZZ)) {
        return Ok(());
    }
    println!("==> cargo install cargo-fuzz --version {CARGO_FUZZ} --locked (a minute or two, once per machine)");
    let status = Command::new(cargo).args(["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"]).status()?;
    if !status.success() {
        bail!("`cargo install cargo-fuzz --version {CARGO_FUZZ} --locked` failed ({status})");
    }
    Ok(())
}

/// A C++ compiler, with which libfuzzer-sys builds libFuzzer: Debian's g++ when `c++` is missing.
pub fn cxx_compiler() -> Result<()> {
    if works("c++") {
        return Ok(());
    }
    apt_install(&["g++"], || works("c++"))
}

/// The binaryen release whose `wasm-opt` is known to produce working modules for this output.
const BINARYEN: &str = "binaryen@132.0.0";
/// The accessibility engine the browser tests inject into each screen.
const AXE_CORE: &str = "axe-core@4.14.1";

/// `wasm-opt` from the npm `binaryen` package, installed under `target/tools` when missing.
///
/// Never the one on `PATH`: Debian's binaryen 108 silently produces a module that Chromium
/// rejects ("WebAssembly.Table.set(): Argument 1 is invalid for table").
pub fn wasm_opt() -> Result<PathBuf> {
    npm_tool(BINARYEN, ".bin/wasm-opt")
}

/// axe-core's browser bundle, from npm, installed under `target/tools` when missing.
pub fn axe_core() -> Result<PathBuf> {
    npm_tool(AXE_CORE, "axe-core/axe.min.js")
}

/// Installs the npm package `spec` into `target/tools` unless its `file` (under `node_modules`)
/// is there, installing Node.js and npm from Debian first when they are missing.
fn npm_tool(spec: &str, file: &str) -> Result<PathBuf> {
    let tools = super::workspace_root().join("target/tools");
    let path = tools.join("node_modules").join(file);
    if path.exists() {
        return Ok(path);
    }
    if !works("npm") {
        apt_install(&["nodejs", "npm"], || works("npm"))?;
    }
    std::fs::create_dir_all(&tools)?;
    println!("==> npm install {spec} (into target/tools)");
    let status =
        Command::new("npm").args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&tools).arg(spec).status()?;
    if !status.success() || !path.exists() {
        bail!("`npm install {spec}` failed ({status})");
    }
    Ok(path)
}

/// Chromium and chromedriver from Debian's packages, for the browser tests.
pub fn chromium() -> Result<()> {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if present() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"], present)
}

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver, of the same version.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// `apt-get install` as root; anyone else is told the command to run. `installed` says whether
/// it worked.
fn apt_install(packages: &[&str], installed: impl Fn() -> bool) -> Result<()> {
    let list = packages.join(" ");
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !root {
        bail!("this needs {list}: install them with `sudo apt-get install -y {list}` and run this again");
    }
    println!("==> apt-get install -y {list}");
    let update = Command::new("apt-get").args(["update", "-q"]).status()?;
    let install = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !update.success() || !install.success() || !installed() {
        bail!("installing {list} with apt-get failed");
    }
    Ok(())
}

/// Whether `name --version` runs.
fn works(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success())
}
