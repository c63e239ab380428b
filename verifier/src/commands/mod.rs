//! Subcommands with a module of their own: their arguments and what they run, so that
//! `main.rs` only dispatches to them.

pub mod paper;
