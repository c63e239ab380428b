//! `cargo xtask fuzz`: every fuzz target under `fuzz/`, one after another, each for a bounded
//! time, seeded from `tests/vectors/`; then a table of runs, corpus sizes and crashes.
//!
//! The targets are built by `cargo fuzz` (installed here at a pinned version) in `fuzz/target`,
//! apart from the workspace's own builds. Without a sanitizer they build and run on the stable
//! toolchain as it is: libFuzzer's coverage instrumentation and `--cfg fuzzing` are stable rustc
//! flags. AddressSanitizer needs `-Zsanitizer`, which stable rustc accepts only with
//! `RUSTC_BOOTSTRAP=1`; it builds into its own directory and runs several times slower, for
//! little gain here: `shared` and `verifier` forbid `unsafe`.

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Which sanitizer the targets are built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sanitizer {
    /// Coverage instrumentation only: plain stable Rust.
    None,
    /// AddressSanitizer, through `RUSTC_BOOTSTRAP=1`.
    Address,
}

/// One fuzz target: its name (a file in `fuzz/fuzz_targets/`), the kind of the test vectors it is
/// seeded with (`None`: all of them), and the longest input libFuzzer may make.
struct Target {
    name: &'static str,
    kind: Option<&'static str>,
    max_len: usize,
}

/// A signed document is at most 64 KiB; a little more lets the fuzzer cross the limit.
const DOCUMENT: usize = 64 * 1024 + 64;

const fn object(name: &'static str, kind: &'static str) -> Target {
    Target { name, kind: Some(kind), max_len: DOCUMENT }
}

/// Every target, in the order they run.
const TARGETS: [Target; 20] = [
    Target { name: "envelope", kind: None, max_len: DOCUMENT },
    object("form", "consent-form/1"),
    object("delegation", "archive-delegation/1"),
    object("invitation", "invitation/1"),
    object("enrolment_request", "enrolment-request/1"),
    object("enrolment", "enrolment/1"),
    object("receipt", "consent-receipt/1"),
    object("rights_request", "rights-request/1"),
    object("decision", "request-decision/1"),
    object("acknowledgement", "acknowledgement/1"),
    object("checkpoint", "checkpoint/1"),
    object("history_request", "history-request/1"),
    object("staff_invitation", "staff-invitation/1"),
    object("staff_enrolment_request", "staff-enrolment-request/1"),
    object("staff_certificate", "staff-certificate/1"),
    object("staff_request", "staff-request/1"),
    object("staff_decision", "staff-decision/1"),
    object("staff_revocation", "staff-revocation/1"),
    // A bundle holds many documents; the service reads bodies of up to two (and a roster).
    Target { name: "bundle", kind: None, max_len: 256 * 1024 },
    Target { name: "http_body", kind: None, max_len: 2 * DOCUMENT + 4096 },
];

/// The environment variable through which a target is asked to add the seeds its library makes
/// (a valid proof bundle, bodies the service accepts) to its corpus: `verifier::fuzzing`.
const SEEDS_VARIABLE: &str = "CONSENT_FUZZ_SEEDS";

/// What one target's run came to.
struct Outcome {
    target: &'static str,
    runs: u64,
    per_second: u64,
    corpus_files: usize,
    corpus_bytes: u64,
    new_units: u64,
    crashes: Vec<PathBuf>,
    log: PathBuf,
}

/// Runs the targets named in `only` (all when empty) for `seconds` each.
pub fn run(seconds: u64, sanitizer: Sanitizer, only: &[String]) -> Result<()> {
    if let Some(unknown) = only.iter().find(|name| !TARGETS.iter().any(|t| t.name == name.as_str())) {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        bail!("no fuzz target {unknown:?}; the targets are {}", names.join(", "));
    }
    let targets: Vec<&Target> =
        TARGETS.iter().filter(|t| only.is_empty() || only.iter().any(|name| name == t.name)).collect();
    super::setup::cxx_compiler()?;
    super::setup::cargo_fuzz()?;
    let root = super::workspace_root();
    let fuzz = root.join("fuzz");
    println!("==> cargo fuzz build");
    super::run_command("cargo fuzz build", &mut fuzz_command(&root, sanitizer, &["build"], &[], &[]))?;
    let vectors = read_vectors(&root.join("tests/vectors"))?;
    let mut outcomes = Vec::new();
    for target in targets {
        outcomes.push(run_target(&fuzz, sanitizer, target, &vectors, seconds)?);
    }
    print_table(&outcomes);
    let crashed: Vec<String> = outcomes
        .iter()
        .flat_map(|o| o.crashes.iter().map(move |artifact| (o.target, artifact)))
        .map(|(target, artifact)| {
            let shown = artifact.strip_prefix(&root).unwrap_or(artifact).display();
            let replay = match sanitizer {
                Sanitizer::None => "cargo fuzz run --sanitizer none",
                Sanitizer::Address => {
                    "RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer address --target-dir fuzz/target/address"
                }
            };
            format!("{target}: {shown} (replay it with `{replay} {target} {shown}`)")
        })
        .collect();
    if !crashed.is_empty() {
        bail!("fuzzing found {} crash(es):\n  {}", crashed.len(), crashed.join("\n  "));
    }
    Ok(())
}

/// Seeds, runs and measures one target; its libFuzzer output goes to `fuzz/logs/TARGET.log`.
fn run_target(fuzz: &Path, sanitizer: Sanitizer, target: &Target, vectors: &[Vector], seconds: u64) -> Result<Outcome> {
    let corpus = fuzz.join("corpus").join(target.name);
    std::fs::create_dir_all(&corpus)?;
    for vector in vectors {
        if target.kind.is_none() || target.kind == vector.kind.as_deref() {
            std::fs::write(corpus.join(format!("vector-{}", vector.name)), &vector.bytes)?;
        }
    }
    let artifacts = fuzz.join("artifacts").join(target.name);
    std::fs::create_dir_all(&artifacts)?;
    let before = list(&artifacts)?;
    let logs = fuzz.join("logs");
    std::fs::create_dir_all(&logs)?;
    let log = logs.join(format!("{}.log", target.name));
    // The service target makes its archive in the temporary directory: give it one to remove.
    let temp = fuzz.join("target").join(format!("tmp-{}", target.name));
    std::fs::create_dir_all(&temp)?;
    println!("==> fuzzing {} for {seconds} s (libFuzzer's output: {})", target.name, log.display());
    let libfuzzer = [
        format!("-max_total_time={seconds}"),
        format!("-max_len={}", target.max_len),
        "-rss_limit_mb=2048".to_owned(),
        "-timeout=30".to_owned(),
        "-print_final_stats=1".to_owned(),
    ];
    let libfuzzer: Vec<&str> = libfuzzer.iter().map(String::as_str).collect();
    let env = [(SEEDS_VARIABLE, corpus.as_path()), ("TMPDIR", temp.as_path())];
    let status = cargo_fuzz_logged(fuzz, sanitizer, &["run", target.name], &libfuzzer, &env, &log);
    std::fs::remove_dir_all(&temp).with_context(|| format!("removing {}", temp.display()))?;
    let status = status?;
    let crashes: Vec<PathBuf> = list(&artifacts)?
        .into_iter()
        .filter(|path| !before.contains(path))
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            ["crash-", "leak-", "timeout-", "oom-"].iter().any(|prefix| name.starts_with(prefix))
        })
        .collect();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() && crashes.is_empty() {
        print_tail(&text);
        bail!("`cargo fuzz run {}` failed ({status}) without a crash artifact; see {}", target.name, log.display());
    }
    if !crashes.is_empty() {
        print_crash(&text);
    }
    let stat = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("stat::{name}:"))).and_then(|v| v.trim().parse().ok())
    };
    let files = list(&corpus)?;
    let corpus_bytes = files.iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum();
    Ok(Outcome {
        target: target.name,
        runs: stat("number_of_executed_units").unwrap_or(0),
        per_second: stat("average_exec_per_sec").unwrap_or(0),
        corpus_files: files.len(),
        corpus_bytes,
        new_units: stat("new_units_added").unwrap_or(0),
        crashes,
        log,
    })
}

/// `cargo fuzz SUBCOMMAND…` with its output in `log`; `fuzz` is the fuzz project's directory.
fn cargo_fuzz_logged(
    fuzz: &Path,
    sanitizer: Sanitizer,
    subcommand: &[&str],
    libfuzzer: &[&str],
    env: &[(&str, &Path)],
    log: &Path,
) -> Result<std::process::ExitStatus> {
    let root = fuzz.parent().unwrap_or(fuzz);
    let file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut command = fuzz_command(root, sanitizer, subcommand, libfuzzer, env);
    command.stdout(Stdio::from(file.try_clone()?)).stderr(Stdio::from(file));
    command.status().context("starting `cargo fuzz`")
}

/// `cargo fuzz SUBCOMMAND… --sanitizer S -- LIBFUZZER_FLAGS…` in the workspace root `root`.
fn fuzz_command(
    root: &Path,
    sanitizer: Sanitizer,
    subcommand: &[&str],
    libfuzzer: &[&str],
    env: &[(&str, &Path)],
) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.arg("fuzz").args(subcommand).current_dir(root);
    match sanitizer {
        Sanitizer::None => {
            command.args(["--sanitizer", "none"]);
        }
        Sanitizer::Address => {
            // Another set of compiler flags: its own build directory, so that switching back and
            // forth does not rebuild everything each time.
            command.args(["--sanitizer", "address", "--target-dir", "fuzz/target/address"]);
            command.env("RUSTC_BOOTSTRAP", "1");
        }
    }
    if !libfuzzer.is_empty() {
        command.arg("--").args(libfuzzer);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// A test vector file, as `consent_tests::vectors` writes them.
struct Vector {
    /// The file name without `.vector`.
    name: String,
    /// `kind:` from the header.
    kind: Option<String>,
    /// The bytes after the header.
    bytes: Vec<u8>,
}

/// The top-level `*.vector` files of `dir`.
fn read_vectors(dir: &Path) -> Result<Vec<Vector>> {
    let mut vectors = Vec::new();
    for path in list(dir)? {
        if path.extension().is_none_or(|e| e != "vector") {
            continue;
        }
        let contents = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let Some(split) = contents.windows(2).position(|w| w == b"\n\n") else { continue };
        let header = String::from_utf8_lossy(&contents[..split]);
        let kind = header.lines().find_map(|l| l.strip_prefix("kind: ")).map(str::to_owned);
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        vectors.push(Vector { name, kind, bytes: contents[split + 2..].to_vec() });
    }
    if vectors.is_empty() {
        bail!("no test vectors in {}: run `cargo xtask vectors`", dir.display());
    }
    Ok(vectors)
}

/// The files in `dir`, sorted.
fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What a target's log says about its crash: the panic message, libFuzzer's verdict and where it
/// kept the input.
fn print_crash(log: &str) {
    let lines: Vec<&str> = log.lines().collect();
    if let Some(start) = lines.iter().position(|l| l.contains("panicked at")) {
        for line in lines[start..].iter().take(12).take_while(|l| !l.starts_with("stack backtrace")) {
            println!("    {line}");
        }
    }
    let verdict = |l: &&&str| l.contains("ERROR: libFuzzer") || l.starts_with("SUMMARY:") || l.contains("Test unit");
    for line in lines.iter().filter(verdict) {
        println!("    {line}");
    }
}

/// The end of a target's log, where cargo or libFuzzer says what went wrong.
fn print_tail(log: &str) {
    let lines: Vec<&str> = log.lines().filter(|l| !l.starts_with('#') && !l.starts_with('"')).collect();
    for line in &lines[lines.len().saturating_sub(40)..] {
        println!("    {line}");
    }
}

fn print_table(outcomes: &[Outcome]) {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<18} {:>10} {:>8} {:>14} {:>10} {:>8}",
        "target", "runs", "runs/s", "corpus", "new units", "crashes"
    );
    for o in outcomes {
        let corpus = format!("{} ({} KiB)", o.corpus_files, o.corpus_bytes / 1024);
        let _ = writeln!(
            table,
            "{:<18} {:>10} {:>8} {:>14} {:>10} {:>8}",
            o.target,
            o.runs,
            o.per_second,
            corpus,
            o.new_units,
            o.crashes.len()
        );
    }
    println!("\n{table}");
    if let Some(o) = outcomes.iter().find(|o| !o.crashes.is_empty()) {
        println!("libFuzzer's full output, e.g. {}", o.log.display());
    }
}
