//! Builds the WebAssembly apps for release into the site — the families' widget into
//! `target/site/widget/`, the staff console into `target/site/console/` — and reports their size.
//!
//! The steps are those Trunk would run, without its 13-minute install: `cargo build` with the
//! size profile, `wasm-bindgen --target web`, `wasm-opt -Oz` from npm's binaryen, then the
//! app's files from its `assets/` folder. Each app is its own module, so nothing of the
//! console reaches the parents' download; one [`App`] value describes each, and one function
//! builds either.
//!
//! Every file the loader names gets its content hash in its name (`consent_widget_bg.1a2b….wasm`),
//! so a browser may keep it for a year and a new release is a new name; the loader, the one name
//! a page knows, is rewritten to import those names. Each file is written beside its `.br` and
//! `.gz`, compressed once here at the highest levels, for `verifier serve` to send as the
//! browser's `Accept-Encoding` allows.

use super::{cargo, run_command, setup, workspace_root};
use anyhow::{bail, Context, Result};
use flate2::{write::GzEncoder, Compression};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Leptos app compiled to its own WebAssembly module and served from its own folder of the site.
pub struct App {
    /// The cargo package (its `cdylib` is `<package>.wasm`, with `_` for `-`).
    package: &'static str,
    /// The name wasm-bindgen gives the module (`<out_name>.js`, `<out_name>_bg.wasm`).
    out_name: &'static str,
    /// The loader, the one script a page names; never renamed.
    loader: &'static str,
    /// The files the loader names, as its source spells them before hashing.
    hashed: &'static [&'static str],
    /// The app's own files (loader, stylesheet, page), relative to the workspace.
    assets: &'static str,
    /// The site folder it is built into, and its name in reports.
    folder: &'static str,
}

/// The families' consent widget: a school's page loads `widget/consent-widget.js`.
pub const WIDGET: App = App {
    package: "widget",
    out_name: "consent_widget",
    loader: "consent-widget.js",
    hashed: &["consent_widget.js", "consent_widget_bg.wasm", "consent-widget.css"],
    assets: "widget/assets",
    folder: "widget",
};

/// The staff console: `console/index.html` loads `console.js` and its stylesheet, neither renamed,
/// since the page's address is what staff are sent.
pub const CONSOLE: App = App {
    package: "staff-console",
    out_name: "staff_console",
    loader: "console.js",
    hashed: &["staff_console.js", "staff_console_bg.wasm"],
    assets: "console/assets",
    folder: "console",
};

/// Where the demo site is assembled: `www/` plus the built widget.
pub fn site_dir() -> PathBuf {
    workspace_root().join("target/site")
}

/// Copies `www/` into the site folder and builds the widget and the console into their folders.
pub fn build_site() -> Result<PathBuf> {
    let site = site_dir();
    copy_dir(&workspace_root().join("www"), &site)?;
    for app in [&WIDGET, &CONSOLE] {
        build(app, &site.join(app.folder))?;
    }
    Ok(site)
}

/// Builds `app` for release into `out`.
pub fn build(app: &App, out: &Path) -> Result<()> {
    setup::wasm_target()?;
    setup::wasm_bindgen_cli()?;
    let wasm_opt = setup::wasm_opt()?;
    let release = ["--target", "wasm32-unknown-unknown", "--profile", "wasm-release", "--locked"];
    cargo(&[&["build", "-p", app.package][..], &release].concat())?;
    let module = workspace_root()
        .join(format!("target/wasm32-unknown-unknown/wasm-release/{}.wasm", app.package.replace('-', "_")));
    // A clean folder: files of an earlier release's hashes must not linger beside the new ones.
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("emptying {}", out.display()))?;
    }
    std::fs::create_dir_all(out)?;
    run_command(
        "wasm-bindgen",
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", app.out_name, "--out-dir"])
            .arg(out)
            .arg(&module),
    )?;
    let bindgen_output = out.join(format!("{}_bg.wasm", app.out_name));
    run_command(
        "wasm-opt -Oz",
        Command::new(wasm_opt)
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(&bindgen_output)
            .arg("-o")
            .arg(&bindgen_output),
    )?;
    copy_dir(&workspace_root().join(app.assets), out)?;
    name_by_content(app, out)?;
    for entry in std::fs::read_dir(out)? {
        precompress(&entry?.path())?;
    }
    println!("==> {} built into {}", app.package, out.display());
    Ok(())
}

/// Renames each of the app's hashed files to carry its content hash and rewrites the loader to
/// import them.
fn name_by_content(app: &App, out: &Path) -> Result<()> {
    let loader_path = out.join(app.loader);
    let mut loader =
        std::fs::read_to_string(&loader_path).with_context(|| format!("reading {}", loader_path.display()))?;
    for &name in app.hashed {
        let bytes = std::fs::read(out.join(name)).with_context(|| format!("reading {name}"))?;
        let hashed = hashed_name(name, &bytes);
        let quoted = |name: &str| format!("\"./{name}\"");
        if loader.matches(&quoted(name)).count() != 1 {
            bail!("{} must name {} exactly once", app.loader, quoted(name));
        }
        loader = loader.replace(&quoted(name), &quoted(&hashed));
        std::fs::rename(out.join(name), out.join(&hashed))?;
    }
    std::fs::write(&loader_path, loader)?;
    Ok(())
}

/// `stem.ext` → `stem.<the first hex digits of SHA-256(bytes)>.ext`, as many as the service
/// recognises as a content hash.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = hex::encode(Sha256::digest(bytes));
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    format!("{stem}.{}.{extension}", &hash[..verifier::service::CONTENT_HASH_DIGITS])
}

/// Writes `path.gz` (gzip -9) and `path.br` (brotli quality 11) beside `path`.
fn precompress(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    std::fs::write(with_suffix(path, ".gz"), gzip(&bytes)?)?;
    std::fs::write(with_suffix(path, ".br"), brotli(&bytes)?)?;
    Ok(())
}

/// `path` with `suffix` added to its file name: `a.wasm` → `a.wasm.br`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `cargo xtask size`: builds the widget and the console and prints what a browser downloads of
/// each: each file as it is stored, and as `verifier serve` sends it to a browser that accepts
/// gzip or brotli; then, if `visits` > 0, the medians of that many timed first visits of the
/// widget. Only the widget has a size target: parents download it on phones; the console is
/// for staff, and is reported so that its growth is seen.
pub fn report_size(visits: usize) -> Result<()> {
    let total = print_size(&WIDGET)?;
    println!(
        "gzip total {:.1} KB, brotli total {:.1} KB, against a target of 120 KB gzip: {:.2}× the target",
        total.gzip as f64 / 1000.0,
        total.brotli as f64 / 1000.0,
        total.gzip as f64 / 120_000.0
    );
    let total = print_size(&CONSOLE)?;
    println!(
        "console: gzip total {:.1} KB, brotli total {:.1} KB (staff only, outside the widget's target)",
        total.gzip as f64 / 1000.0,
        total.brotli as f64 / 1000.0
    );
    if visits > 0 {
        let timings = crate::widget_timing::measure(visits)?;
        println!("{:<58} {:>10}   target", "median of first visits", "ms");
        let median = crate::bench::median;
        println!("{:<58} {:>10.1}   ≤ 100 ms", "navigation to interactive, loopback", median(&timings.interactive_ms));
        println!(
            "{:<58} {:>10.1}   ≤ 1.5 s",
            "navigation to interactive, phone on slow 4G",
            median(&timings.phone_interactive_ms)
        );
        println!("{:<58} {:>10.1}   ≤ 2 ms", "one signature", median(&timings.signature_ms));
    }
    Ok(())
}

/// Builds `app`, prints its files' sizes and returns their total.
fn print_size(app: &App) -> Result<FileSize> {
    let size = measure_size(app)?;
    println!("{:<40} {:>10} {:>10} {:>10}", format!("{}/ file", app.folder), "bytes", "gzip -9", "brotli 11");
    for file in &size.files {
        println!("{:<40} {:>10} {:>10} {:>10}", file.name, file.raw, file.gzip, file.brotli);
    }
    let total = size.total();
    println!("{:<40} {:>10} {:>10} {:>10}", "total", total.raw, total.gzip, total.brotli);
    Ok(total)
}

/// One file a browser downloads, in bytes: stored, and as sent with each encoding.
#[derive(Debug, Clone, Default)]
pub struct FileSize {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// What a browser downloads of an app: each file of its release build.
pub struct Size {
    pub files: Vec<FileSize>,
}

impl Size {
    /// All files together (named `total`).
    pub fn total(&self) -> FileSize {
        self.files.iter().fold(FileSize { name: "total".into(), ..FileSize::default() }, |sum, file| FileSize {
            raw: sum.raw + file.raw,
            gzip: sum.gzip + file.gzip,
            brotli: sum.brotli + file.brotli,
            ..sum
        })
    }
}

/// Builds `app` for release and measures its files, reading the precompressed copies the
/// service sends.
pub fn measure_size(app: &App) -> Result<Size> {
    let out = site_dir().join(app.folder);
    build(app, &out)?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&out)?
        .map(|e| e.map(|e| e.path()))
        .filter(|p| p.as_ref().map_or(true, |p| !matches!(p.extension().and_then(|e| e.to_str()), Some("gz" | "br"))))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let length =
            |suffix: &str| -> Result<usize> { Ok(std::fs::metadata(with_suffix(&path, suffix))?.len() as usize) };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(FileSize { name, raw: length("")?, gzip: length(".gz")?, brotli: length(".br")? });
    }
    Ok(Size { files })
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params)?;
    Ok(compressed)
}

/// Copies the files of `from` (recursively) into `to`, replacing same-named files.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| format!("copying to {}", target.display()))?;
        }
    }
    Ok(())
}
