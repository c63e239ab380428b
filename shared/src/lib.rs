//! The consent protocol shared by the widget (in the browser) and the verifier (on the server and
//! on an auditor's machine): the signed objects, their one canonical encoding, signing and strict
//! verification, the consent rules as pure functions, and every text the widget shows.
//!
//! Layers, from the bottom:
//! - [`encoding`]: canonical JSON (RFC 8785) and the strict decoder — no cryptography;
//! - [`primitives`]: SHA-256 and Ed25519 with `verify_strict`, in the notation of their RFCs;
//! - [`merkle`]: verification of the log's RFC 9162 inclusion and consistency proofs;
//! - [`envelope`]: the one signed-envelope format, with domain separation per kind and version;
//! - [`objects`]: the bodies of the signed objects;
//! - [`trust`]: which key is trusted for which object, from the school's root key, returning
//!   [`trust::Verified`] values;
//! - [`policy`]: who must sign, and the state of consent at an instant;
//! - [`texts`]: the widget's words in English, Polish and Romanian.
//! - [`client`]: what the widget and the console read alike from links and the service's answers.
//! - [`console`]: the shapes of the staff console's API, and the marks of a purpose's state.
//! - [`lists`]: sorting and collecting short lists through one compiled sort (the widget's size).
//!
//! This crate does no I/O and reads no clock: time and randomness are parameters, so that it
//! builds for `wasm32-unknown-unknown` and every verdict is reproducible.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod console;
pub mod encoding;
pub mod envelope;
#[cfg(any(fuzzing, test))]
pub mod fuzzing;
pub mod ids;
mod lang;
pub mod lists;
pub mod merkle;
pub mod objects;
pub mod policy;
pub mod primitives;
pub mod texts;
mod time;
pub mod trust;
pub mod validate;

pub use envelope::{decode, open, sign, Envelope, OpenError, SignError, Signed, SignedObject};
pub use lang::Lang;
pub use time::Timestamp;
