//! What one person's device keeps for one student: their key, the invitation and certificate,
//! the receipts and acknowledgements to keep, the outbox, decisions set aside, and the last log
//! tree head the school signed for it.
//!
//! It is saved as JSON in the browser's `localStorage` after every change, and the same JSON is
//! the key backup file the person can export and import on another device.
//!
//! Everything kept here that the school signed stays signed: a receipt, an acknowledgement or a
//! tree head damaged on the device fails verification, so it is told apart from a school that
//! changed its record, and replaced from the school's verified history. What the device alone
//! knows (the secret key, the queue) cannot be restored that way. Nothing is derived here that
//! the verified history already says: the chain head, in particular, is read from it.

use crate::outbox::{Outbox, SetAside};
use crate::problem::Problem;
use crate::store::Store;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use shared::ids::{PersonId, StudentId};
use shared::primitives::PublicKey;

/// The format tag of the saved state and backup files.
pub const FORMAT: &str = "school-consent-device/2";

/// The first format, still read: it kept the chain head and an unsigned tree head, both of
/// which are now read from what the school signed.
const FORMAT_1: &str = "school-consent-device/1";

/// An object the school acknowledged, with its acknowledgement: what the family keeps as proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kept {
    /// The signed receipt or request (canonical JSON).
    pub object: String,
    /// The archive's signed acknowledgement of it (canonical JSON).
    pub acknowledgement: String,
}

/// One person's state for one student on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Always [`FORMAT`].
    pub format: String,
    /// The school's root key.
    pub school: PublicKey,
    /// The person's Ed25519 secret key, hex; `None` until they first sign.
    pub secret: Option<String>,
    /// The invitation (canonical JSON).
    pub invitation: String,
    /// The enrolment certificate (canonical JSON), once the school issued it.
    pub certificate: Option<String>,
    /// What waits to be sent.
    pub outbox: Outbox,
    /// Decisions not sent as they were, to offer again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<SetAside>,
    /// Receipts and requests the school acknowledged.
    pub kept: Vec<Kept>,
    /// The largest log tree head the school signed for this device: a signed checkpoint, or an
    /// acknowledgement (which carries one), as canonical JSON. Every later one must extend it.
    pub seen: Option<String>,
}

impl Device {
    /// A device that has seen `invitation` and holds nothing else yet.
    pub fn new(school: PublicKey, invitation: &[u8]) -> Device {
        Device {
            format: FORMAT.to_owned(),
            school,
            secret: None,
            invitation: String::from_utf8_lossy(invitation).into_owned(),
            certificate: None,
            outbox: Outbox::default(),
            set_aside: None,
            kept: Vec::new(),
            seen: None,
        }
    }

    /// The person's key, generated on this device from the browser's CSPRNG the first time.
    pub fn key(&mut self) -> Result<SigningKey, Problem> {
        if let Some(secret) = &self.secret {
            return decode_secret(secret);
        }
        let key = SigningKey::generate(&mut rand_core::OsRng);
        self.secret = Some(hex::encode(key.to_bytes()));
        Ok(key)
    }

    /// The key, if one was generated.
    pub fn existing_key(&self) -> Result<Option<SigningKey>, Problem> {
        self.secret.as_deref().map(decode_secret).transpose()
    }

    /// The key this device holds, if any, as the school would see it.
    pub fn public_key(&self) -> Option<PublicKey> {
        self.existing_key().ok().flatten().map(|key| PublicKey::of(&key))
    }

    /// Writes the device to `store` under its slot.
    pub fn save(&self, store: &impl Store, slot: &Slot) -> Result<(), Problem> {
        let json = serde_json::to_string(self).map_err(|e| Problem::Storage(e.to_string()))?;
        store.save(&slot.key(), &json)?;
        Ok(store.save(&Slot::last_key(&self.school), &slot.key())?)
    }

    /// The device saved in `slot`, if any. A saved state this version cannot read is reported,
    /// never silently replaced: it may hold the only copy of a key.
    pub fn load(store: &impl Store, slot: &Slot) -> Result<Option<Device>, Problem> {
        store.load(&slot.key()).map(|json| Device::from_json(&json).map_err(Problem::DeviceDamaged)).transpose()
    }

    /// The device last saved for `school`, for a visit without an invitation link.
    pub fn load_last(store: &impl Store, school: &PublicKey) -> Result<Option<Device>, Problem> {
        let Some(slot) = store.load(&Slot::last_key(school)) else { return Ok(None) };
        store.load(&slot).map(|json| Device::from_json(&json).map_err(Problem::DeviceDamaged)).transpose()
    }

    /// Parses saved state or a backup file, checking its format and its key. A file of the first
    /// format loses only what is read from the school anyway (its chain head and tree head).
    pub fn from_json(json: &str) -> Result<Device, String> {
        let mut value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if let Some(fields) =
            value.as_object_mut().filter(|o| o.get("format").and_then(|f| f.as_str()) == Some(FORMAT_1))
        {
            fields.remove("head");
            fields.remove("seen");
            fields.insert("format".into(), FORMAT.into());
        }
        let device: Device = serde_json::from_value(value).map_err(|e| e.to_string())?;
        if device.format != FORMAT {
            return Err(format!("format {:?}, expected {FORMAT:?}", device.format));
        }
        device.existing_key().map_err(|e| e.to_string())?;
        Ok(device)
    }

    /// The backup file: this state as pretty JSON.
    pub fn to_backup(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn decode_secret(secret: &str) -> Result<SigningKey, Problem> {
    let bytes = hex::decode(secret).map_err(|e| Problem::KeyFileInvalid(e.to_string()))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| Problem::KeyFileInvalid("a secret key is 32 bytes".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Where one person's state for one student is kept: one slot per (school, student, person), so
/// a guardian of two students, or two guardians sharing a browser, never mix keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    school: PublicKey,
    student: StudentId,
    person: PersonId,
}

impl Slot {
    /// The slot of `person` signing for `student` at `school`.
    pub fn new(school: PublicKey, student: StudentId, person: PersonId) -> Slot {
        Slot { school, student, person }
    }

    /// The storage key.
    pub fn key(&self) -> String {
        format!("school-consent/{}/{}/{}", self.school.to_hex(), self.student, self.person)
    }

    fn last_key(school: &PublicKey) -> String {
        format!("school-consent/{}/last", school.to_hex())
    }
}
