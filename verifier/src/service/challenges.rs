//! Single-use challenges for reading one's history: the service hands out a random nonce, the
//! person signs it with their enrolled key, and the nonce is consumed on first use or after a
//! few minutes, so a captured request cannot be replayed.

use shared::primitives::Nonce;
use shared::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a challenge stays valid.
pub const LIFETIME_SECONDS: i64 = 300;

/// The challenges handed out and not yet used.
#[derive(Clone, Default)]
pub struct Challenges {
    open: Arc<Mutex<HashMap<Nonce, Timestamp>>>,
}

impl Challenges {
    /// A new challenge, valid until the returned instant.
    pub fn issue(&self, now: Timestamp) -> (Nonce, Timestamp) {
        let nonce = Nonce::random(&mut rand_core::OsRng);
        let expires = Timestamp::from_unix(now.unix() + LIFETIME_SECONDS).unwrap_or(now);
        if let Ok(mut open) = self.open.lock() {
            open.retain(|_, until| *until >= now);
            open.insert(nonce, expires);
        }
        (nonce, expires)
    }

    /// Consumes `nonce`: true once, if it was issued and has not expired.
    pub fn redeem(&self, nonce: &Nonce, now: Timestamp) -> bool {
        self.open.lock().ok().and_then(|mut open| open.remove(nonce)).is_some_and(|until| until >= now)
    }
}
