//! Where the device keeps what it must not forget: `localStorage` in the browser, a map in tests.

use crate::problem::Problem;

/// A small key–value store of text, like the browser's `localStorage`.
pub trait Store {
    /// The value under `key`, if any.
    fn load(&self, key: &str) -> Option<String>;
    /// Replaces the value under `key`; fails when the browser refuses (quota, private mode).
    fn save(&self, key: &str, value: &str) -> Result<(), Problem>;
}
