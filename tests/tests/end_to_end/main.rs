//! End to end, as a school and its families use the product: the demo school made with the
//! `verifier` command line, its site served by the real `verifier serve` on 127.0.0.1, each family
//! member in their own headless Chromium (a fresh profile is a fresh device) driven through
//! chromedriver (`consent_tests::browser`), and the school's questions answered by `verifier
//! audit`, `requests` and `decide`.
//!
//! `cargo xtask test` installs Chromium, chromedriver and axe-core, builds the widget and the
//! `verifier` binary, and runs these with `--features browser`. Screenshots land in
//! `target/screenshots/`.

mod accessibility;
mod console;
mod flows;
mod letters;
mod promise;
mod scene;
mod screens;
