//! The verifier: the part that turns signed objects into proof a school can show an auditor.
//!
//! - [`merkle`]: the RFC 9162 Merkle tree and its proofs, as the archive stores them;
//! - [`archive`]: the SQLite archive — proof log, checkpoints, acknowledgements, personal data;
//! - [`audit`]: who may appear in the photo, who refused, who has not answered, overdue requests;
//! - [`bundle`]: proof bundles an auditor verifies offline with only the school's key;
//! - [`check`]: re-verifying a whole archive;
//! - [`letters`]: printed letters with the QR code of each invitation's short link;
//! - [`private`]: owner-only files for personal data;
//! - [`mail`]: e-mail through the school's own SMTP server;
//! - [`remind`]: who to remind, by e-mail or on a list, and the record of it;
//! - [`service`]: the HTTP service (`verifier serve`).
//!
//! `shared` holds every encoding and signature rule, the chain of trust (`shared::trust`) and proof
//! verification (`shared::merkle`); this crate adds storage, time and reports.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod archive;
pub mod audit;
pub mod bundle;
pub mod check;
pub mod clock;
pub mod console;
#[cfg(any(fuzzing, test))]
pub mod fuzzing;
pub mod keys;
pub mod letters;
pub mod mail;
pub mod merkle;
pub mod offline;
pub mod private;
pub mod remind;
pub mod report;
pub mod service;
