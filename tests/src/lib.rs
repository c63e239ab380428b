//! Test support shared by the protocol's cross-crate tests, the test-vector generator
//! (`cargo xtask vectors`), `cargo xtask demo` and the end-to-end tests: deterministic keys, the example
//! school and its form, signing helpers, the demo school made through the `verifier` command line, and
//! an SMTP server that keeps what it receives;
//! with the feature `webdriver`, a headless Chromium to drive (the end-to-end tests, `cargo xtask bench`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "webdriver")]
pub mod browser;
pub mod demo;
pub mod fixtures;
pub mod smtp;
pub mod vectors;
