//! `cargo xtask`: everything that is not plain cargo — set-up, the demo, test vectors and the full
//! test run. Each task installs what it needs first and is safe to run again.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod demo;
mod fuzz;
mod school;
mod setup;
mod stress;
mod synth;
mod tests;
mod widget;
mod widget_timing;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, demo, vector and test automation for the consent workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// The main job: build the widget, start the verifier with a demo school, serve the site.
    Demo {
        /// Where the service listens (loopback: the demo is for this machine).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Every check CI runs: set-up, rustfmt, clippy -D warnings, all tests, the wasm build of `shared`.
    Test,
    /// Build the widget and the staff console for release and print their sizes: raw, gzip and
    /// brotli, as served.
    Size {
        /// Also time this many first visits in headless Chromium, on loopback and as a phone on
        /// slow 4G (needs a release build of the verifier; `cargo xtask bench` does the same).
        #[arg(long, default_value_t = 0)]
        visits: usize,
    },
    /// Regenerate the test vectors under tests/vectors/ from their fixed seeds.
    Vectors,
    /// Fuzz the decoders, bundle verification and the service's request bodies (`fuzz/`), seeded
    /// from tests/vectors/, then print runs, corpus sizes and crashes; fails if any target crashed.
    ///
    /// The 20 targets run one after another, so a run takes about 20 × SECONDS plus the first
    /// build of the targets (a few minutes). Installs cargo-fuzz when it is missing. Not part of
    /// `cargo xtask test`.
    Fuzz {
        /// How long each target runs, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// `none` needs only the stable toolchain; `address` adds AddressSanitizer (a separate,
        /// slower build, through RUSTC_BOOTSTRAP=1).
        #[arg(long, value_enum, default_value = "none")]
        sanitizer: fuzz::Sanitizer,
        /// Run only these targets (default: all).
        targets: Vec<String>,
    },
    /// Measure against this machine's limits (criterion benches, then one report of ratios, also
    /// written into BENCHMARKS.md): verification, ingest, `check`, audits, HTTP and the widget.
    ///
    /// Takes 10 to 20 minutes on 2 cores with the default sizes, and about 2 GB of temporary disk.
    Bench {
        /// Receipts in the synthetic archive for `check` and the audits.
        #[arg(long, default_value_t = 1_000_000)]
        receipts: usize,
        /// Guardians who signed them (each signs receipts / people, chained).
        #[arg(long, default_value_t = 40_000)]
        people: usize,
        /// Receipts sent over HTTP.
        #[arg(long, default_value_t = 6_400)]
        http_receipts: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Audit queries timed.
        #[arg(long, default_value_t = 200)]
        audits: usize,
        /// First visits of the widget timed in headless Chromium.
        #[arg(long, default_value_t = 5)]
        widget_runs: usize,
        /// Skip the criterion benches.
        #[arg(long)]
        no_criterion: bool,
    },
    /// Count what the abuse loads of issue 12 do to a `verifier serve` on loopback — copies of one
    /// object sent together, one address holding slow bodies, a flood of challenges — and print
    /// one table; point `--verifier` at another build to compare. About a minute; not a test.
    Stress {
        /// The `verifier` binary to measure (default: this workspace's release build, built first).
        #[arg(long)]
        verifier: Option<PathBuf>,
        /// Copies of one rights request and of one receipt sent at once.
        #[arg(long, default_value_t = 32)]
        copies: usize,
        /// Other families' receipts sent with them.
        #[arg(long, default_value_t = 32)]
        others: usize,
        /// Seconds of the slow-body and the challenge loads.
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// Slow POSTs the attacker opens per second.
        #[arg(long, default_value_t = 100)]
        slow_per_second: u64,
    },
    /// Make a synthetic school (students, guardians, keys, enrolments, receipts) in a new archive.
    Synth {
        /// Number of students.
        #[arg(long, default_value_t = 100)]
        students: usize,
        /// The new data directory.
        #[arg(long)]
        data: PathBuf,
        /// Seed for people, keys and decisions.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write every invitation, certificate and receipt here as a signed JSON file.
        #[arg(long)]
        files: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.task {
        Task::Demo { listen } => demo::run(listen),
        Task::Test => test(),
        Task::Size { visits } => widget::report_size(visits),
        Task::Vectors => vectors(),
        Task::Fuzz { seconds, sanitizer, targets } => fuzz::run(seconds, sanitizer, &targets),
        Task::Bench { receipts, people, http_receipts, concurrency, audits, widget_runs, no_criterion } => {
            bench::run(&bench::Options {
                receipts,
                people,
                http_receipts,
                concurrency,
                audits,
                widget_runs,
                criterion: !no_criterion,
            })
        }
        Task::Stress { verifier, copies, others, seconds, slow_per_second } => {
            let verifier = match verifier {
                Some(path) => path,
                None => bench::ingest::release_binary()?,
            };
            stress::run(&stress::Options { verifier, copies, others, seconds, slow_per_second })
        }
        Task::Synth { students, data, seed, files } => {
            let summary = synth::run(&data, students, seed, files.as_deref())?;
            println!(
                "Made {} students, {} people enrolled, {} receipts in {}; audit it with `cargo run -p verifier -- --data {} audit --purpose photos-published --at <date>`.",
                summary.students,
                summary.people,
                summary.receipts,
                data.display(),
                data.display()
            );
            Ok(())
        }
    }
}

fn test() -> Result<()> {
    if std::env::var_os("CI").is_some() {
        // A clean clone builds once: incremental state would only take disk.
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    setup::wasm_target()?;
    setup::wasm_bindgen_cli()?;
    setup::chromium()?;
    let axe_core = setup::axe_core()?;
    cargo(&["fmt", "--all", "--check"])?;
    let browser_feature = ["--features", "consent-tests/browser"];
    cargo(
        &[&["clippy", "--workspace", "--all-targets", "--locked"][..], &browser_feature, &["--", "-D", "warnings"]]
            .concat(),
    )?;
    let wasm_clippy = ["--target", "wasm32-unknown-unknown", "--locked", "--", "-D", "warnings"];
    cargo(&[&["clippy", "-p", "shared"][..], &wasm_clippy].concat())?;
    cargo(&[&["clippy", "-p", "widget", "--all-targets"][..], &wasm_clippy].concat())?;
    cargo(&[&["clippy", "-p", "staff-console", "--all-targets"][..], &wasm_clippy].concat())?;
    // The site: `www/`, and the release builds (size profile, wasm-bindgen, wasm-opt) of the
    // widget parents download and of the staff console.
    let site = widget::build_site()?;
    let mut totals = tests::run(&["test", "--workspace", "--locked"], &[])?;
    // The widget's own wasm-bindgen-tests in Chromium.
    totals.add(in_chromium(&["test", "-p", "widget", "--target", "wasm32-unknown-unknown", "--locked"], &[])?);
    // End to end: the built site and the `verifier` binary, driven in Chromium. `cargo test`
    // built that binary for the verifier's own command-line tests; building it again alone would
    // resolve other features and compile its dependencies a second time.
    let root = workspace_root();
    let (verifier, screenshots) = (root.join("target/debug/verifier"), root.join("target/screenshots"));
    let env = [
        ("VERIFIER", verifier.as_path()),
        ("CONSENT_SITE", site.as_path()),
        ("CONSENT_SCREENSHOTS", screenshots.as_path()),
        ("AXE_CORE", axe_core.as_path()),
        ("CHROMIUM", Path::new(setup::CHROMIUM)),
    ];
    let end_to_end =
        [&["test", "-p", "consent-tests", "--test", "end_to_end", "--locked"][..], &browser_feature].concat();
    totals.add(in_chromium(&end_to_end, &env)?);
    println!("screenshots of every screen: {}", screenshots.display());
    // One plain closing line, so that the run's verdict does not hinge on the last crate's count.
    println!("{} passed, {} failed", totals.passed, totals.failed);
    if totals.failed > 0 || !totals.succeeded {
        bail!("some tests failed");
    }
    Ok(())
}

/// Runs tests that start Chromium through Debian's chromedriver. Chromium leaves profile folders
/// in the temp dir, so the run gets its own and removes it afterwards.
fn in_chromium(args: &[&str], env: &[(&str, &Path)]) -> Result<tests::Totals> {
    let temp = workspace_root().join("target/browser-tmp");
    std::fs::create_dir_all(&temp)?;
    let mut env = env.to_vec();
    env.extend([("CHROMEDRIVER", Path::new(setup::CHROMEDRIVER)), ("TMPDIR", temp.as_path())]);
    let totals = tests::run(args, &env);
    std::fs::remove_dir_all(&temp).with_context(|| format!("removing {}", temp.display()))?;
    totals
}

fn vectors() -> Result<()> {
    let dir = workspace_root().join("tests/vectors");
    std::fs::create_dir_all(&dir)?;
    let vectors = consent_tests::vectors::generate();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "vector") {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    for vector in &vectors {
        let path = dir.join(&vector.name);
        std::fs::write(&path, vector.render()).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("wrote {} vectors to {}", vectors.len(), dir.display());
    Ok(())
}

/// Runs `cargo ARGS` in the workspace root, echoing the command, failing if it fails.
fn cargo(args: &[&str]) -> Result<()> {
    // The cargo that runs xtask, so that the same toolchain builds everything.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let shown = format!("cargo {}", args.join(" "));
    println!("==> {shown}");
    run_command(&shown, Command::new(cargo).args(args).current_dir(workspace_root()))
}

/// Runs a command that inherits the terminal, failing (and naming it as `shown`) if it fails.
fn run_command(shown: &str, command: &mut Command) -> Result<()> {
    let status = command.status().with_context(|| format!("starting `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
