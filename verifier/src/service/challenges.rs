//! Single-use challenges for reading one's history, kept without state until one is used: the
//! service hands out `expiry ‖ random ‖ MAC`, the person signs it with their enrolled key, and the
//! service checks the MAC and the expiry, then remembers the challenge as redeemed until it
//! expires, so a captured request cannot be replayed.
//!
//! Issuing stores nothing, so no number of requests for challenges can exhaust anything (the
//! per-client rate limit still applies). Only redemptions are stored, and each needs a valid
//! signature by an enrolled key: that set grows with honest work alone, and is bounded anyway.
//!
//! Layout of the 16 bytes of a [`Nonce`]: the expiry in Unix seconds (4 bytes, big-endian), a
//! 4-byte serial number, and the first 8 bytes of HMAC-SHA-256 (RFC 2104) over those 8 bytes
//! under a random key of one SHA-256 block (64 bytes) made when the process starts. The serial
//! counts up from a random start: 4 random bytes would repeat among the tens of thousands of
//! challenges a busy second can issue (a birthday collision), and a repeat would be refused as
//! used; a counter repeats only after 2^32 challenges. The MAC, not the serial, makes a challenge
//! unforgeable: one chance in 2^64 per attempt. A restart invalidates the challenges handed out
//! before it, which only costs a new request.

use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use shared::primitives::Nonce;
use shared::Timestamp;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How long a challenge stays valid.
pub const LIFETIME_SECONDS: i64 = 300;

/// Redeemed challenges remembered at most: past it, history reads are refused until some expire.
/// Reaching it takes 330 signed history reads a second by enrolled keys, for five minutes.
pub const MAX_REDEEMED: usize = 100_000;

type HmacSha256 = Hmac<sha2::Sha256>;

/// Where the expiry, the serial number and the MAC lie in a challenge.
const EXPIRY: std::ops::Range<usize> = 0..4;
const SERIAL: std::ops::Range<usize> = 4..8;
const MACED: std::ops::Range<usize> = 0..8;
const TAG: std::ops::Range<usize> = 8..16;

/// The key challenges are made under, the next serial number, and the challenges already
/// redeemed with their expiry.
#[derive(Clone)]
pub struct Challenges {
    key: Arc<[u8; 64]>,
    serial: Arc<AtomicU32>,
    redeemed: Arc<Mutex<HashMap<Nonce, i64>>>,
}

/// Why a challenge cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The service did not make it (or made it before it last started).
    #[error("the challenge was not issued by this service; ask for a new one")]
    Forged,
    /// Its lifetime is over.
    #[error("the challenge has expired; ask for a new one")]
    Expired,
    /// It was redeemed already.
    #[error("the challenge was already used; ask for a new one")]
    Used,
    /// Too many challenges are redeemed and unexpired to remember another.
    #[error("too many history reads in the last minutes")]
    Full,
}

impl Challenges {
    /// Challenges under a fresh random key.
    pub fn new(rng: &mut impl CryptoRngCore) -> Challenges {
        let mut key = [0u8; 64];
        rng.fill_bytes(&mut key);
        let serial = Arc::new(AtomicU32::new(rng.next_u32()));
        Challenges { key: Arc::new(key), serial, redeemed: Arc::default() }
    }

    /// A new challenge, valid until the returned instant; `None` if that instant does not fit in
    /// the challenge (after 2106).
    pub fn issue(&self, now: Timestamp) -> Option<(Nonce, Timestamp)> {
        let expires = Timestamp::from_unix(now.unix() + LIFETIME_SECONDS)?;
        let mut bytes = [0u8; 16];
        bytes[EXPIRY].copy_from_slice(&u32::try_from(expires.unix()).ok()?.to_be_bytes());
        bytes[SERIAL].copy_from_slice(&self.serial.fetch_add(1, Ordering::Relaxed).to_be_bytes());
        let tag = self.mac(&bytes[MACED]).finalize().into_bytes();
        bytes[TAG].copy_from_slice(&tag[..TAG.len()]);
        Some((Nonce(bytes), expires))
    }

    /// Checks, without remembering anything, that this service made `nonce` and that it is valid
    /// at `now`; returns its expiry.
    pub fn check(&self, nonce: &Nonce, now: Timestamp) -> Result<i64, Refused> {
        self.mac(&nonce.0[MACED]).verify_truncated_left(&nonce.0[TAG]).map_err(|_| Refused::Forged)?;
        let mut expiry = [0u8; 4];
        expiry.copy_from_slice(&nonce.0[EXPIRY]);
        let expiry = i64::from(u32::from_be_bytes(expiry));
        if expiry < now.unix() {
            return Err(Refused::Expired);
        }
        Ok(expiry)
    }

    /// Consumes `nonce`: succeeds once, if it is valid at `now` ([`Challenges::check`]).
    pub fn redeem(&self, nonce: &Nonce, now: Timestamp) -> Result<(), Refused> {
        let expiry = self.check(nonce, now)?;
        let mut redeemed = self.redeemed.lock().unwrap_or_else(PoisonError::into_inner);
        if redeemed.contains_key(nonce) {
            return Err(Refused::Used);
        }
        if redeemed.len() >= MAX_REDEEMED {
            // An expired challenge is refused by its expiry alone: it need not be remembered.
            redeemed.retain(|_, until| *until >= now.unix());
            if redeemed.len() >= MAX_REDEEMED {
                return Err(Refused::Full);
            }
        }
        redeemed.insert(*nonce, expiry);
        Ok(())
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new(&(*self.key).into());
        mac.update(message);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    fn at(unix: i64) -> Timestamp {
        Timestamp::from_unix(unix).expect("in range")
    }

    #[test]
    fn a_challenge_is_redeemed_once_before_it_expires() {
        let challenges = Challenges::new(&mut OsRng);
        let (nonce, expires) = challenges.issue(at(1_800_000_000)).expect("issued");
        assert_eq!(expires, at(1_800_000_000 + LIFETIME_SECONDS));
        assert_eq!(challenges.check(&nonce, expires), Ok(expires.unix()), "valid up to its expiry");
        assert_eq!(challenges.redeem(&nonce, at(1_800_000_010)), Ok(()));
        assert_eq!(challenges.redeem(&nonce, at(1_800_000_011)), Err(Refused::Used), "reused");
    }

    #[test]
    fn an_expired_challenge_is_refused() {
        let challenges = Challenges::new(&mut OsRng);
        let (nonce, expires) = challenges.issue(at(1_800_000_000)).expect("issued");
        let later = at(expires.unix() + 1);
        assert_eq!(challenges.redeem(&nonce, later), Err(Refused::Expired));
    }

    #[test]
    fn a_forged_challenge_is_refused() {
        let challenges = Challenges::new(&mut OsRng);
        let now = at(1_800_000_000);
        let (nonce, _) = challenges.issue(now).expect("issued");
        // Any changed bit: a later expiry, another serial number, another tag.
        for (byte, bit) in [(3, 0x01), (5, 0x80), (15, 0x01)] {
            let mut forged = nonce;
            forged.0[byte] ^= bit;
            assert_eq!(challenges.redeem(&forged, now), Err(Refused::Forged), "byte {byte}");
        }
        assert_eq!(challenges.redeem(&Nonce([1; 16]), now), Err(Refused::Forged), "made up");
        // Another process's challenge (another key) is not this one's.
        let (theirs, _) = Challenges::new(&mut OsRng).issue(now).expect("issued");
        assert_eq!(challenges.redeem(&theirs, now), Err(Refused::Forged), "another key");
        assert_eq!(challenges.redeem(&nonce, now), Ok(()), "the genuine one still works");
    }

    #[test]
    fn redeemed_challenges_are_forgotten_once_expired_and_bounded() {
        let challenges = Challenges::new(&mut OsRng);
        let now = at(1_800_000_000);
        for _ in 0..MAX_REDEEMED {
            let (nonce, _) = challenges.issue(now).expect("issued");
            challenges.redeem(&nonce, now).expect("redeemed");
        }
        let (one_more, _) = challenges.issue(now).expect("issued");
        assert_eq!(challenges.redeem(&one_more, now), Err(Refused::Full), "bounded");
        // Once the first ones expired, they are forgotten and there is room again.
        let later = at(now.unix() + LIFETIME_SECONDS + 1);
        let (fresh, _) = challenges.issue(later).expect("issued");
        assert_eq!(challenges.redeem(&fresh, later), Ok(()));
        assert_eq!(challenges.redeemed.lock().expect("not poisoned").len(), 1);
    }
}
