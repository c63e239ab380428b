//! The consent widget a school embeds with one script tag: a Leptos client-side component compiled
//! to WebAssembly. It checks the school's signed form against the school key before showing it,
//! generates the person's key on their device, signs their decisions with [`shared`], sends them
//! to the verifier service and keeps the school's signed acknowledgements.
//!
//! The crate is split so that everything a family relies on can be tested natively:
//! - [`link`], [`device`], [`outbox`], [`problem`]: the invitation link, what is kept on the
//!   device, the queue of what is not sent yet (and what was set aside), and what can go wrong
//!   — plain data;
//! - [`family`]: the flows (enrol, decide, withdraw, request, history, log consistency) over two
//!   small traits, [`transport::Transport`] and [`store::Store`]; [`history`] verifies what the
//!   school's record says, [`witness`] checks that its log only grows;
//! - [`view`]: what each screen shows, computed from the verified history, and [`words`]: the
//!   sentences it says, in the reader's language;
//! - [`receipts`]: the file a family keeps, which `verifier verify` checks offline;
//! - [`timing`]: the User Timing entries a benchmark reads (time to interactive, one signature);
//! - `web` (WebAssembly only): `fetch`, `localStorage`, file downloads and the Leptos components,
//!   which only wire signals to the above.

pub mod device;
pub mod family;
pub mod history;
pub mod link;
pub mod outbox;
pub mod problem;
pub mod receipts;
pub mod store;
pub mod timing;
pub mod transport;
pub mod view;
pub mod witness;
pub mod words;

#[cfg(target_arch = "wasm32")]
pub mod web;
