//! Test support shared by the protocol's cross-crate tests, the test-vector generator
//! (`cargo xtask vectors`) and, later, the end-to-end tests: deterministic keys, the example school
//! and its form, and signing helpers.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod fixtures;
pub mod vectors;
