//! Logged objects read back and verified through the chain of trust: the forms, certificates,
//! invitations and acknowledgements that writes and the service's reads look up.
//!
//! Forms and certificates never change once logged, so each is verified once per handle and
//! kept behind an [`Arc`]: a receipt's form is a 25 KiB document that re-verifying, or even
//! copying, for every receipt would cost more than the rest of an append.

use super::{read, Archive, ArchiveError};
use rusqlite::{Connection, OptionalExtension};
use shared::objects::{Acknowledgement, ConsentForm, EnrolmentCertificate, Invitation};
use shared::primitives::Digest;
use shared::trust::{TrustStore, Verified};
use shared::{SignedObject, Timestamp};
use std::collections::HashMap;
use std::sync::Arc;

/// A form version verified through the chain of trust, shared rather than copied.
pub type SharedForm = Arc<Verified<ConsentForm>>;

/// Certificates kept verified at most; past it the cache starts afresh.
const CACHED_CERTIFICATES: usize = 200_000;

/// See the module's documentation.
#[derive(Default)]
pub(super) struct VerifiedCache {
    forms: HashMap<Digest, SharedForm>,
    certificates: HashMap<Digest, Arc<Verified<EnrolmentCertificate>>>,
}

/// What the archive itself stored failing to read back as what it was: the archive contradicts
/// itself. The one place that turns such a failure into [`ArchiveError::Corrupt`].
pub(crate) trait Stored<T> {
    /// `what`: the kind of object read back, for the message.
    fn stored(self, what: &str) -> Result<T, ArchiveError>;
}

impl<T, E: std::fmt::Display> Stored<T> for Result<T, E> {
    fn stored(self, what: &str) -> Result<T, ArchiveError> {
        self.map_err(|e| ArchiveError::Corrupt(format!("stored {what}: {e}")))
    }
}

impl Archive {
    /// The certificate `hash`, verified through the chain of trust (once per handle).
    pub fn certificate(&self, hash: Digest) -> Result<Option<Arc<Verified<EnrolmentCertificate>>>, ArchiveError> {
        if let Some(certificate) = self.verified.borrow().certificates.get(&hash) {
            return Ok(Some(Arc::clone(certificate)));
        }
        let Some(bytes) = read::object_bytes(&self.conn, hash, EnrolmentCertificate::KIND)? else { return Ok(None) };
        let certificate = Arc::new(self.trust.certificate(&bytes).stored("certificate")?);
        let mut cache = self.verified.borrow_mut();
        if cache.certificates.len() >= CACHED_CERTIFICATES {
            cache.certificates.clear();
        }
        cache.certificates.insert(hash, Arc::clone(&certificate));
        Ok(Some(certificate))
    }

    /// The form version `hash`, verified under the root key (once per handle).
    pub fn form(&self, hash: Digest) -> Result<Option<SharedForm>, ArchiveError> {
        if let Some(form) = self.verified.borrow().forms.get(&hash) {
            return Ok(Some(Arc::clone(form)));
        }
        let Some(bytes) = read::object_bytes(&self.conn, hash, ConsentForm::KIND)? else { return Ok(None) };
        Ok(Some(self.verified_form(hash, &bytes)?))
    }

    /// Every published form version with the time it was logged, oldest first.
    pub fn forms(&self) -> Result<Vec<(SharedForm, Timestamp)>, ArchiveError> {
        read::entries_of_kind(&self.conn, ConsentForm::KIND)?
            .into_iter()
            .filter_map(|entry| Some((entry.hash, entry.bytes?, entry.logged_at)))
            .map(|(hash, bytes, at)| Ok((self.verified_form(hash, &bytes)?, at)))
            .collect()
    }

    /// The form version in force, if one was published.
    pub fn current_form(&self) -> Result<Option<SharedForm>, ArchiveError> {
        Ok(self.forms()?.pop().map(|(form, _)| form))
    }

    /// The logged form `bytes` (of hash `hash`), verified once per handle.
    fn verified_form(&self, hash: Digest, bytes: &[u8]) -> Result<SharedForm, ArchiveError> {
        if let Some(form) = self.verified.borrow().forms.get(&hash) {
            return Ok(Arc::clone(form));
        }
        let form = Arc::new(self.trust.form(bytes).stored("form")?);
        self.verified.borrow_mut().forms.insert(hash, Arc::clone(&form));
        Ok(form)
    }

    /// The invitation in `bytes`, if it can still enrol a key: signed by the root key, unexpired at
    /// `now`, not replaced by a newer one and not used. Its holder may then read the student's
    /// history before enrolling (`GET /v1/history` with `Authorization: Invitation …`), so that a
    /// person sees the other signers' decisions, or learns that the link was used elsewhere,
    /// before they decide anything.
    pub fn unused_invitation(&self, bytes: &[u8], now: Timestamp) -> Result<Verified<Invitation>, ArchiveError> {
        let invitation = self.trust.invitation(bytes, now)?;
        match issued_for(&self.conn, &self.trust, &invitation)? {
            Some(_) => Err(ArchiveError::InvitationUsed(invitation.hash())),
            None => Ok(invitation),
        }
    }
}

/// The certificate already issued for `invitation`, if any; refused if a newer invitation
/// replaced it. The log itself says whether an invitation was used: certificates refer to it.
pub(super) fn issued_for(
    conn: &Connection,
    trust: &TrustStore,
    invitation: &Verified<Invitation>,
) -> Result<Option<Verified<EnrolmentCertificate>>, ArchiveError> {
    let revoked: Option<bool> = conn
        .prepare_cached("SELECT revoked FROM invitations WHERE hash = ?1")?
        .query_row([invitation.hash().0.as_slice()], |row| row.get(0))
        .optional()?;
    if revoked == Some(true) {
        return Err(ArchiveError::InvitationRevoked(invitation.hash()));
    }
    match certificate_for_invitation(conn, invitation.hash())? {
        Issued::Never => Ok(None),
        Issued::Logged(bytes) => Ok(Some(trust.certificate(&bytes).stored("certificate")?)),
        // Used, by a key no one can compare until its family gives it back.
        Issued::Lost => Err(ArchiveError::InvitationUsed(invitation.hash())),
    }
}

/// Whether a certificate was issued for an invitation.
enum Issued {
    /// None was.
    Never,
    /// One was: its bytes.
    Logged(Vec<u8>),
    /// One was, but its bytes were lost in a restore.
    Lost,
}

/// The certificate issued for `invitation`, if any.
fn certificate_for_invitation(conn: &Connection, invitation: Digest) -> Result<Issued, ArchiveError> {
    let row: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT bytes FROM log WHERE refers_to = ?1 AND kind = ?2")?
        .query_row((invitation.0.as_slice(), EnrolmentCertificate::KIND), |row| row.get(0))
        .optional()?;
    Ok(match row {
        None => Issued::Never,
        Some(Some(bytes)) => Issued::Logged(bytes),
        Some(None) => Issued::Lost,
    })
}

/// The stored acknowledgement of `hash`, if the object is already in the log.
pub(super) fn stored_acknowledgement(
    conn: &Connection,
    trust: &TrustStore,
    hash: Digest,
) -> Result<Option<Verified<Acknowledgement>>, ArchiveError> {
    let bytes: Option<Vec<u8>> = conn
        .prepare_cached("SELECT bytes FROM acknowledgements WHERE hash = ?1")?
        .query_row([hash.0.as_slice()], |row| row.get(0))
        .optional()?;
    bytes.map(|b| trust.acknowledgement(&b).stored("acknowledgement")).transpose()
}
