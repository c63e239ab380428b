//! Builds the widget for release into the site (`target/site/widget/`), and reports its size.
//!
//! The steps are those Trunk would run, without its 13-minute install: `cargo build` with the
//! size profile, `wasm-bindgen --target web`, `wasm-opt -Oz` from npm's binaryen, then the
//! loader script and stylesheet from `widget/assets/`.

use super::{cargo, run_command, setup, workspace_root};
use anyhow::{Context, Result};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The name wasm-bindgen gives the module (`consent_widget.js`, `consent_widget_bg.wasm`).
const OUT_NAME: &str = "consent_widget";

/// Where the demo site is assembled: `www/` plus the built widget.
pub fn site_dir() -> PathBuf {
    workspace_root().join("target/site")
}

/// Copies `www/` into the site folder and builds the widget into its `widget/` folder.
pub fn build_site() -> Result<PathBuf> {
    let site = site_dir();
    copy_dir(&workspace_root().join("www"), &site)?;
    build(&site.join("widget"))?;
    Ok(site)
}

/// Builds the widget for release into `out`.
pub fn build(out: &Path) -> Result<()> {
    setup::wasm_target()?;
    setup::wasm_bindgen_cli()?;
    let wasm_opt = setup::wasm_opt()?;
    cargo(&["build", "-p", "widget", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release", "--locked"])?;
    let module = workspace_root().join("target/wasm32-unknown-unknown/wasm-release/widget.wasm");
    std::fs::create_dir_all(out)?;
    run_command(
        "wasm-bindgen",
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-name", OUT_NAME, "--out-dir"])
            .arg(out)
            .arg(&module),
    )?;
    let bindgen_output = out.join(format!("{OUT_NAME}_bg.wasm"));
    run_command(
        "wasm-opt -Oz",
        Command::new(wasm_opt)
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(&bindgen_output)
            .arg("-o")
            .arg(&bindgen_output),
    )?;
    copy_dir(&workspace_root().join("widget/assets"), out)?;
    println!("==> widget built into {}", out.display());
    Ok(())
}

/// `cargo xtask size`: builds the widget and prints what a browser downloads, raw and gzipped.
pub fn report_size() -> Result<()> {
    let size = measure_size()?;
    println!("{:<28} {:>10} {:>10}", "file", "bytes", "gzip -9");
    for (name, raw, gzipped) in &size.files {
        println!("{name:<28} {raw:>10} {gzipped:>10}");
    }
    println!("{:<28} {:>10} {:>10}", "total", size.raw_total, size.gzip_total);
    println!(
        "gzip total {:.1} KB against a target of 120 KB: {:.2}× the target",
        size.gzip_total as f64 / 1000.0,
        size.gzip_total as f64 / 120_000.0
    );
    Ok(())
}

/// What parents download: each file of the widget's release build, raw and gzipped.
pub struct Size {
    /// Name, bytes, bytes after `gzip -9`.
    pub files: Vec<(String, usize, usize)>,
    pub raw_total: usize,
    pub gzip_total: usize,
}

/// Builds the widget for release and measures its files.
pub fn measure_size() -> Result<Size> {
    let out = site_dir().join("widget");
    build(&out)?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&out)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push((name, bytes.len(), gzip_len(&bytes)?));
    }
    let raw_total = files.iter().map(|f| f.1).sum();
    let gzip_total = files.iter().map(|f| f.2).sum();
    Ok(Size { files, raw_total, gzip_total })
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
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
