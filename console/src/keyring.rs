//! What this browser keeps for a staff member: their secret key and the archive's certificate
//! for it, as JSON in `localStorage` under the school's key (one entry per school, so a teacher
//! of two schools served from one origin keeps both). Nothing kept is trusted as kept: the
//! certificate is verified again under the school's key on every visit.

use crate::problem::Problem;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use shared::objects::StaffCertificate;
use shared::primitives::PublicKey;
use shared::trust::Verified;

/// The format tag of what is kept.
pub const FORMAT: &str = "school-console-staff/1";

pub use shared::client::{StorageRefused, Store};

impl From<StorageRefused> for Problem {
    fn from(refused: StorageRefused) -> Problem {
        Problem::Storage(refused.0)
    }
}

/// A staff member's key and certificate, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Held {
    /// Always [`FORMAT`].
    pub format: String,
    /// The school's root key.
    pub school: PublicKey,
    /// The Ed25519 secret key, hex. It never leaves this browser.
    pub secret: String,
    /// The staff certificate, canonical JSON, as the archive signed it.
    pub certificate: String,
}

impl Held {
    /// What to keep for `key`, certified by `certificate`.
    pub fn new(key: &SigningKey, certificate: &Verified<StaffCertificate>) -> Held {
        Held {
            format: FORMAT.to_owned(),
            school: certificate.body().school,
            secret: hex::encode(key.to_bytes()),
            certificate: String::from_utf8_lossy(certificate.bytes()).into_owned(),
        }
    }

    /// The secret key.
    pub fn key(&self) -> Result<SigningKey, Problem> {
        let bytes = hex::decode(&self.secret).map_err(|e| Problem::Storage(e.to_string()))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| Problem::Storage("a secret key is 32 bytes".into()))?;
        Ok(SigningKey::from_bytes(&bytes))
    }

    /// What `store` keeps for `school`, if anything. A kept entry this version cannot read is
    /// reported, not replaced: it may hold the only copy of a key still certified.
    pub fn load(store: &impl Store, school: &PublicKey) -> Result<Option<Held>, Problem> {
        let Some(json) = store.load(&slot(school)) else { return Ok(None) };
        let held: Held = serde_json::from_str(&json).map_err(|e| Problem::Storage(e.to_string()))?;
        if held.format != FORMAT || held.school != *school {
            return Err(Problem::Storage(format!("kept access of format {:?} for another school", held.format)));
        }
        Ok(Some(held))
    }

    /// Keeps this in `store`, replacing what was kept for the school.
    pub fn save(&self, store: &impl Store) -> Result<(), Problem> {
        let json = serde_json::to_string(self).map_err(|e| Problem::Storage(e.to_string()))?;
        Ok(store.save(&slot(&self.school), &json)?)
    }
}

/// The storage key for `school`.
fn slot(school: &PublicKey) -> String {
    format!("school-console/{}", school.to_hex())
}
