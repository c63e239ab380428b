//! The verifier: trust chain from the school's root key, the tamper-evident archive (SQLite and a
//! Merkle log), audits, proof bundles, the command line and the HTTP service.
//!
//! Not written yet (it is its own issues); this crate holds no code until then, so that nothing
//! here pretends to work.
