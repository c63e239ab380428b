//! The receipts file a family downloads: every object needed to check their decisions offline
//! with `verifier verify --school-key <key> consent-receipts.json` — the school's delegations,
//! the form version, the person's certificate, and each receipt or request with the school's
//! acknowledgement (and its decision on a request).

use crate::family::Family;
use serde_json::{json, Value};

pub use shared::objects::RECEIPTS_FILE_FORMAT as FORMAT;

/// The receipts file of `family`, as pretty JSON (each object inside is a canonical envelope as a
/// JSON value; the verifier re-encodes it canonically before checking).
pub fn kit(family: &Family) -> String {
    let school = family.school();
    let mut objects: Vec<&[u8]> = school.delegations().iter().map(Vec::as_slice).collect();
    objects.push(school.form().bytes());
    if let Some(certificate) = family.certificate() {
        objects.push(certificate.bytes());
    }
    for kept in &family.device().kept {
        objects.push(kept.object.as_bytes());
        objects.push(kept.acknowledgement.as_bytes());
    }
    let decisions = family.history().requests.iter().filter_map(|(_, _, decision)| decision.as_ref());
    objects.extend(decisions.map(|d| d.bytes()));
    let objects: Vec<Value> = objects.into_iter().filter_map(|bytes| serde_json::from_slice(bytes).ok()).collect();
    let kit = json!({ "format": FORMAT, "school": school.key().to_hex(), "objects": objects });
    serde_json::to_string_pretty(&kit).unwrap_or_default()
}
