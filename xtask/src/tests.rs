//! Runs `cargo test`, passing its output through, and adds up the counts of every test binary.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// What all test binaries of one `cargo test` run reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Whether cargo itself exited successfully (a build error runs no test at all).
    pub succeeded: bool,
}

impl Totals {
    /// Adds another run's counts; the sum succeeded only if both did.
    pub fn add(&mut self, other: Totals) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.succeeded &= other.succeeded;
    }
}

/// Runs `cargo ARGS` with the environment variables `env` added, echoing every line, and sums
/// the `test result:` lines.
pub fn run(args: &[&str], env: &[(&str, &std::path::Path)]) -> Result<Totals> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("==> cargo {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(super::workspace_root())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting cargo test")?;
    let mut totals = Totals::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            add_result_line(&mut totals, &line);
        }
    }
    totals.succeeded = child.wait()?.success();
    Ok(totals)
}

/// Adds the counts of a line like `test result: ok. 8 passed; 0 failed; 0 ignored; …`.
fn add_result_line(totals: &mut Totals, line: &str) {
    let Some(rest) = line.strip_prefix("test result: ") else { return };
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(label), Some(count)) = (words.next(), words.next()) else { continue };
        let Ok(count) = count.parse::<u64>() else { continue };
        match label {
            "passed" => totals.passed += count,
            "failed" => totals.failed += count,
            _ => {}
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn result_lines_add_up() {
        let mut totals = Totals::default();
        add_result_line(&mut totals, "test result: ok. 8 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
        add_result_line(&mut totals, "test result: FAILED. 9 passed; 2 failed; 0 ignored; 0 measured");
        add_result_line(&mut totals, "running 3 tests");
        assert_eq!((totals.passed, totals.failed), (17, 2));
    }
}
