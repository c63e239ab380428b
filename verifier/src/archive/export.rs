//! Exporting a student's proof bundle (format in [`crate::bundle`]).

use super::nodes::SqlNodes;
use super::{read, Archive, ArchiveError, Stored};
use crate::bundle::{Bundle, BundleEntry, FORMAT};
use crate::merkle;
use serde_json::Value;
use shared::encoding::to_canonical;
use shared::ids::StudentId;
use shared::objects::{ArchiveDelegation, ConsentForm, PaperRecord, StaffDecision};
use shared::primitives::Digest;
use shared::SignedObject;

impl Archive {
    /// The canonical bytes of `student`'s proof bundle, anchored to the latest checkpoint.
    pub fn export(&self, student: &StudentId) -> Result<Vec<u8>, ArchiveError> {
        self.ensure_whole()?;
        let snapshot = self.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let tree_size = read::tree_size(conn)?;
        let checkpoint = read::checkpoint(conn, tree_size)?
            .ok_or_else(|| ArchiveError::Corrupt(format!("no checkpoint for tree size {tree_size}")))?;
        let mut logged = read::entries_of_kind(conn, ArchiveDelegation::KIND)?;
        logged.extend(read::entries_of_kind(conn, ConsentForm::KIND)?);
        let own = read::student_entries(conn, student.as_str())?;
        // Who decided the student's requests and recorded their paper slips: the staff
        // certificates those name.
        let mut staff = Vec::new();
        for entry in &own {
            let Some(bytes) = entry.bytes.as_deref() else { continue };
            let Some(certificate) = staff_certificate_named(&entry.kind, bytes)? else { continue };
            if let Some(index) = read::index_of(conn, certificate)? {
                if !staff.contains(&index) {
                    staff.push(index);
                }
            }
        }
        for index in staff {
            logged.extend(read::entries(conn, index, index + 1)?);
        }
        logged.extend(own);
        // A bundle with a hole where a lost receipt was would prove a state the family did not sign.
        let lost = logged.iter().filter(|entry| entry.lost).count();
        if lost > 0 {
            return Err(ArchiveError::Incomplete { student: student.to_string(), lost });
        }
        let mut entries = Vec::new();
        for entry in logged {
            // Purged entries have no bytes left to prove; their leaves still anchor the tree.
            let Some(bytes) = entry.bytes else { continue };
            let acknowledgement = read::acknowledgement(conn, entry.hash)?.map(|ack| json(&ack)).transpose()?;
            entries.push(BundleEntry {
                acknowledgement,
                index: entry.index,
                object: json(&bytes)?,
                proof: merkle::inclusion_proof(&SqlNodes(conn), entry.index, tree_size)?,
            });
        }
        entries.sort_by_key(|e| e.index);
        let bundle = Bundle {
            checkpoint: json(&checkpoint)?,
            entries,
            format: FORMAT.to_owned(),
            school: self.school(),
            student: student.clone(),
        };
        to_canonical(&bundle).map_err(|e| ArchiveError::Corrupt(e.to_string()))
    }
}

/// The staff certificate a staff-signed entry of a student (a staff decision, a paper slip)
/// names; `None` for any other kind.
fn staff_certificate_named(kind: &str, bytes: &[u8]) -> Result<Option<Digest>, ArchiveError> {
    Ok(match kind {
        StaffDecision::KIND => Some(shared::decode::<StaffDecision>(bytes).stored(kind)?.unverified_body().certificate),
        PaperRecord::KIND => Some(shared::decode::<PaperRecord>(bytes).stored(kind)?.unverified_body().certificate),
        _ => None,
    })
}

fn json(bytes: &[u8]) -> Result<Value, ArchiveError> {
    serde_json::from_slice(bytes).map_err(|e| ArchiveError::Corrupt(format!("a stored object is not JSON: {e}")))
}
