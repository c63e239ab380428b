//! Where the device keeps what it must not forget: `localStorage` in the browser
//! (`consent_web::Local`), a map in tests — behind `shared::client::Store`, which the console
//! keeps its staff key behind too.

use crate::problem::Problem;
pub use shared::client::{StorageRefused, Store};

impl From<StorageRefused> for Problem {
    fn from(refused: StorageRefused) -> Problem {
        Problem::Storage(refused.0)
    }
}
