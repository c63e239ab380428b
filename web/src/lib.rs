//! What the families' widget and the staff console use of the browser alike: `localStorage`
//! behind `shared::client::Store`, and the clock. Each app's own `web/browser` module adds what
//! only it needs (its `fetch`, files, locks). Empty outside WebAssembly.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg(target_arch = "wasm32")]

use gloo_storage::{LocalStorage, Storage as _};
use shared::client::{StorageRefused, Store};
use shared::Timestamp;

/// The browser's `localStorage` (per origin; never sent anywhere, unlike a cookie).
#[derive(Debug, Clone, Copy)]
pub struct Local;

impl Store for Local {
    fn load(&self, key: &str) -> Option<String> {
        LocalStorage::get::<String>(key).ok()
    }

    fn save(&self, key: &str, value: &str) -> Result<(), StorageRefused> {
        LocalStorage::set(key, value).map_err(|e| StorageRefused(e.to_string()))
    }
}

/// The browser's clock, to the second.
pub fn now() -> Timestamp {
    let seconds = (js_sys::Date::now() / 1000.0) as i64;
    Timestamp::from_unix(seconds).expect("the browser's clock reads a year between 1970 and 9999")
}
