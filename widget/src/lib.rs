//! The consent widget a school embeds with one script tag: a Leptos client-side component compiled
//! to WebAssembly that shows the signed form, generates the person's key on their device and signs
//! their decisions with [`shared`](../shared/index.html).
//!
//! Not written yet (it is its own issue); this crate holds no code until then, so that nothing here
//! pretends to work.
