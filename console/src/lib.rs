//! The school staff's console: a Leptos client-side app, compiled to its own WebAssembly module
//! (nothing of it reaches the parents' widget) and served by `verifier serve` at `/console/`.
//! Staff open it from the link in their letter; their browser generates a key, the archive
//! certifies it with their role, and every call after that is signed by that key.
//!
//! Everything but the DOM is plain Rust, tested natively:
//! - [`link`], [`keyring`]: the invitation link, and what the browser keeps (key, certificate);
//! - [`school`], [`access`]: the school's verified keys, and getting in (enrol, or resume);
//! - [`session`], [`api`], [`routes`]: signed calls, their answers, and the paths they sign;
//! - [`texts`], [`words`], [`format`]: every sentence in English, Polish and Romanian, the words
//!   for the API's values (marks with a symbol and a word), and dates as staff read them;
//! - [`problem`]: what can go wrong, as staff are told;
//! - `web` (WebAssembly only): `fetch`, `localStorage`, files and printing, and the screens,
//!   which only wire signals to the above.

#![forbid(unsafe_code)]

pub mod access;
pub mod api;
pub mod format;
pub mod keyring;
pub mod link;
pub mod problem;
pub mod routes;
pub mod school;
pub mod session;
pub mod texts;
pub mod words;

#[cfg(target_arch = "wasm32")]
mod web;
