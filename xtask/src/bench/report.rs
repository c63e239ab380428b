//! The benchmark report: one table of figures with their ratios and targets, printed and written
//! between the markers of BENCHMARKS.md (the explanations around it are kept as written).

use super::Options;
use anyhow::{Context, Result};
use std::time::Duration;

const BEGIN: &str = "<!-- cargo xtask bench: report begins -->";
const END: &str = "<!-- cargo xtask bench: report ends -->";

/// One figure.
pub struct Row {
    name: String,
    figure: String,
    ratio: Option<f64>,
    unit: &'static str,
    target: &'static str,
}

impl Row {
    /// A rate and its ratio to `limit`, measured in the same run.
    pub fn ratio(name: &str, rate: f64, limit: f64, target: &'static str) -> Row {
        Row {
            name: name.to_owned(),
            figure: format!("{rate:.0} /s"),
            ratio: Some(rate / limit),
            unit: "× `verify_strict`",
            target,
        }
    }

    /// Says what the ratio is to, when it is not the baseline.
    pub fn against(mut self, unit: &'static str) -> Row {
        self.unit = unit;
        self
    }

    pub fn latency(name: &str, latency: Duration, target: &'static str) -> Row {
        Row::millis(name, latency.as_secs_f64() * 1e3, target)
    }

    pub fn millis(name: &str, millis: f64, target: &'static str) -> Row {
        Row { name: name.to_owned(), figure: format!("{millis:.1} ms"), ratio: None, unit: "", target }
    }

    pub fn bytes(name: &str, bytes: usize, target: &'static str) -> Row {
        Row { name: name.to_owned(), figure: format!("{:.1} KB", bytes as f64 / 1000.0), ratio: None, unit: "", target }
    }

    fn ratio_text(&self) -> String {
        self.ratio.map(|r| format!("{r:.2} {}", self.unit)).unwrap_or_default()
    }
}

/// The rows so far, and the machine they were measured on.
pub struct Report {
    machine: Vec<String>,
    rows: Vec<Row>,
    notes: Vec<String>,
    cores: usize,
}

impl Report {
    pub fn new(options: &Options) -> Result<Report> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let cpu = first_line_with("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown processor".into());
        let memory = first_line_with("/proc/meminfo", "MemTotal").unwrap_or_else(|| "unknown memory".into());
        let rustc = command_output("rustc", &["--version"]);
        let commit = command_output("git", &["rev-parse", "--short", "HEAD"]);
        let machine = vec![
            format!("- Date: {}", verifier::clock::now()?),
            format!("- Commit: {commit}"),
            format!("- Processor: {cpu}, {cores} cores available"),
            format!("- Memory: {memory}"),
            format!("- Toolchain: {rustc}"),
            format!(
                "- Sizes: {} receipts by {} guardians; HTTP {} receipts at concurrency {}; {} audits; {} widget runs",
                options.receipts,
                options.people,
                options.http_receipts,
                options.concurrency,
                options.audits,
                options.widget_runs
            ),
        ];
        Ok(Report { machine, rows: Vec::new(), notes: Vec::new(), cores })
    }

    pub fn cores(&self) -> usize {
        self.cores
    }

    pub fn baseline(&mut self, strict: f64) {
        let row = Row {
            name: "baseline: single `verify_strict`, one core".into(),
            figure: format!("{strict:.0} /s"),
            ratio: Some(1.0),
            unit: "× `verify_strict`",
            target: "—",
        };
        self.row(row);
    }

    pub fn row(&mut self, row: Row) {
        println!("{:<58} {:>12} {:>28}   target {}", row.name, row.figure, row.ratio_text(), row.target);
        self.rows.push(row);
    }

    pub fn note(&mut self, note: String) {
        println!("{note}");
        self.notes.push(note);
    }

    /// Prints the table again and writes it into BENCHMARKS.md.
    pub fn finish(self) -> Result<()> {
        let mut text = format!("{BEGIN}\n{}\n\n", self.machine.join("\n"));
        text += "| figure | measured | ratio | target |\n|---|---:|---:|---|\n";
        for row in &self.rows {
            text += &format!("| {} | {} | {} | {} |\n", row.name, row.figure, row.ratio_text(), row.target);
        }
        for note in &self.notes {
            text += &format!("\n{note}\n");
        }
        text += END;
        println!("\n{text}");
        let path = crate::workspace_root().join("BENCHMARKS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let new = match (old.find(BEGIN), old.find(END)) {
            (Some(begin), Some(end)) if begin < end => format!("{}{text}{}", &old[..begin], &old[end + END.len()..]),
            _ => format!("# Benchmarks\n\n{text}\n"),
        };
        std::fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
        println!("written into {}", path.display());
        Ok(())
    }
}

fn first_line_with(file: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|line| line.starts_with(key))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}
