//! `cargo xtask bench`: how close the product comes to what this machine allows. Every figure is
//! measured in this one run and divided by a limit measured in the same run — raw
//! `verify_strict` on one core above all — so the ratios mean the same on any machine. The report
//! goes to the terminal and to BENCHMARKS.md, with the machine it ran on.
//!
//! A measurement, not a test: it asserts nothing about speed. Loads are bounded in count, and
//! servers listen on 127.0.0.1 only. The criterion benches (`cargo bench -p verifier`) time the
//! same primitives in isolation, with statistics; this command runs them first.

pub mod archive;
pub mod ingest;
mod report;
mod signatures;

use anyhow::Result;
use report::{Report, Row};
use std::time::Duration;

/// What to measure, and how much.
pub struct Options {
    /// Receipts in the synthetic archive for `check` and the audit.
    pub receipts: usize,
    /// Guardians who signed them.
    pub people: usize,
    /// Receipts sent over HTTP.
    pub http_receipts: usize,
    /// Concurrent HTTP clients.
    pub concurrency: usize,
    /// Audit queries timed.
    pub audits: usize,
    /// First visits of the widget timed.
    pub widget_runs: usize,
    /// Also run the criterion benches first.
    pub criterion: bool,
}

pub fn run(options: &Options) -> Result<()> {
    if cfg!(debug_assertions) {
        // Measure the code as it is deployed: run this command again, built for release.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let arguments: Vec<String> = std::env::args().skip(1).collect();
        let status = std::process::Command::new(cargo)
            .args(["run", "--release", "--locked", "-p", "xtask", "--"])
            .args(&arguments)
            .current_dir(crate::workspace_root())
            .status()?;
        anyhow::ensure!(status.success(), "the benchmark failed");
        return Ok(());
    }
    if options.criterion {
        crate::cargo(&[
            "bench",
            "-p",
            "verifier",
            "--locked",
            "--bench",
            "signatures",
            "--bench",
            "archive",
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ])?;
    }
    let mut report = Report::new(options)?;

    println!("==> signatures: the baseline and batches");
    let signatures = signatures::Signatures::new(4096);
    let strict = signatures.strict_rate();
    report.baseline(strict);
    let subgroup = signatures.subgroup_check_rate();
    for size in [64, 256] {
        let batch = signatures.batch_rate(size);
        report.row(Row::ratio(&format!("2. `verify_batch` of {size}, one core"), batch, strict, "—"));
        // Each signature costs its share of the batch plus the check of its `R`.
        let exact = 1.0 / (1.0 / batch + 1.0 / subgroup);
        report.row(Row::ratio(&format!("2. … with the subgroup check strictness needs, {size}"), exact, strict, "—"));
    }

    println!("==> library ingest");
    let single = ingest::library_rate(50, 20, 1)?;
    let grouped = ingest::library_rate(ingest::GROUP, 40, ingest::GROUP)?;
    let pipelined = ingest::pipelined_rate(ingest::GROUP, 40, ingest::GROUP)?;
    report.row(Row::ratio("1. library ingest, one receipt per commit", single, strict, "—"));
    report.row(Row::ratio(&format!("1. library ingest, `submit_many` of {}", ingest::GROUP), grouped, strict, "—"));
    report.row(Row::ratio(
        &format!("1. library ingest, groups of {} verified beside the writer", ingest::GROUP),
        pipelined,
        strict,
        "≥ 0.8",
    ));

    println!("==> HTTP ingest");
    let http = ingest::http(options.concurrency, options.http_receipts)?;
    report.row(
        Row::ratio(&format!("5. HTTP ingest, concurrency {}", options.concurrency), http.rate, pipelined, "≥ 0.8")
            .against("library ingest"),
    );
    report.row(Row::latency("5. HTTP ingest p50", http.p50, "—"));
    report.row(Row::latency("5. HTTP ingest p99", http.p99, "≤ 50 ms"));

    println!("==> a synthetic archive of {} receipts", options.receipts);
    let synthetic = archive::build(options.people, options.receipts)?;
    report.note(format!(
        "The synthetic archive: {} guardians in classes of 25, {} receipts, {:.1} GB on disk.",
        options.people,
        synthetic.receipts,
        archive::size_on_disk(synthetic.dir.path()) as f64 / 1e9
    ));
    let check = archive::check_rate(&synthetic)?;
    report.row(Row::ratio(&format!("3. `verifier check`, {} cores", report.cores()), check, strict, "≥ 1.0"));
    let audits = archive::audit_latencies(&synthetic, options.audits)?;
    report.row(Row::latency("4. audit of one purpose, class, instant: p50", quantile(&audits, 0.50), "≤ 50 ms"));
    report.row(Row::latency("4. audit of one purpose, class, instant: p99", quantile(&audits, 0.99), "—"));
    drop(synthetic);

    println!("==> the widget");
    let size = crate::widget::measure_size(&crate::widget::WIDGET)?;
    let total = size.total();
    report.row(Row::bytes("6. widget wasm + js + css, gzip -9", total.gzip, "≤ 120 KB"));
    report.row(Row::bytes("6. widget wasm + js + css, brotli 11", total.brotli, "—"));
    let timings = crate::widget_timing::measure(options.widget_runs)?;
    report.row(Row::millis(
        "6. navigation to interactive (median of runs)",
        median(&timings.interactive_ms),
        "≤ 100 ms",
    ));
    report.row(Row::millis(
        "6. navigation to interactive, phone on slow 4G (median)",
        median(&timings.phone_interactive_ms),
        "≤ 1.5 s",
    ));
    report.row(Row::millis("6. one signature in Chromium (median of runs)", median(&timings.signature_ms), "≤ 2 ms"));

    report.finish()
}

/// The `q` quantile of sorted durations (nearest rank).
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}

/// The middle value (the mean of the two middle ones for an even count); NaN for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
