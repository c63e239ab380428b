//! Single-use challenges for reading one's history: the service hands out a random nonce, the
//! person signs it with their enrolled key, and the nonce is consumed on first use or after a
//! few minutes, so a captured request cannot be replayed.

use shared::primitives::Nonce;
use shared::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a challenge stays valid.
pub const LIFETIME_SECONDS: i64 = 300;

/// Open challenges at most: beyond it new ones are refused until old ones expire, so no client
/// can grow this map without bound.
pub const MAX_OPEN: usize = 50_000;

/// The challenges handed out and not yet used.
#[derive(Clone, Default)]
pub struct Challenges {
    open: Arc<Mutex<HashMap<Nonce, Timestamp>>>,
}

impl Challenges {
    /// A new challenge, valid until the returned instant; `None` when too many are open.
    pub fn issue(&self, now: Timestamp) -> Option<(Nonce, Timestamp)> {
        let nonce = Nonce::random(&mut rand_core::OsRng);
        let expires = Timestamp::from_unix(now.unix() + LIFETIME_SECONDS).unwrap_or(now);
        let mut open = self.open.lock().ok()?;
        if open.len() >= MAX_OPEN {
            open.retain(|_, until| *until >= now);
            if open.len() >= MAX_OPEN {
                return None;
            }
        }
        open.insert(nonce, expires);
        Some((nonce, expires))
    }

    /// Consumes `nonce`: true once, if it was issued and has not expired.
    pub fn redeem(&self, nonce: &Nonce, now: Timestamp) -> bool {
        self.open.lock().ok().and_then(|mut open| open.remove(nonce)).is_some_and(|until| until >= now)
    }
}
