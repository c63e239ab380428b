//! Test support shared by the protocol's cross-crate tests, the test-vector generator
//! (`cargo xtask vectors`), `cargo xtask demo` and the end-to-end tests: deterministic keys, the example
//! school and its form, signing helpers, and the demo school made through the `verifier` command line;
//! with the feature `webdriver`, a headless Chromium to drive (the end-to-end tests, `cargo xtask bench`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "webdriver")]
pub mod browser;
pub mod demo;
pub mod fixtures;
pub mod vectors;
