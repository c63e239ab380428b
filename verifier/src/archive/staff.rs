//! Staff: invitations signed by the root key (kept with the personal data, since they carry a
//! name), certificates and revocations in the log, the check of every console call's signed
//! authorisation, and decisions on rights requests signed by a staff member.
//!
//! An invitation is used once: its certificate refers to it in the log, under the log's unique
//! index, as a family's does. A revocation refers to the certificate it ends, so it is logged
//! once; an unused invitation is revoked in its table. Every call checks the certificate against
//! the log at that instant, so a revocation takes effect from its commit.

use super::{append_entry, begin, read, seal, Archive, ArchiveError, Entry};
use ed25519_dalek::SigningKey;
use rand_core::CryptoRngCore;
use rusqlite::{Connection, OptionalExtension};
use shared::ids::PersonId;
use shared::objects::{
    RequestDecision, RightsRequest, StaffCertificate, StaffDecision, StaffInvitation, StaffRequest, StaffRevocation,
    StaffRole,
};
use shared::primitives::{Digest, Nonce};
use shared::trust::{TrustError, Verified};
use shared::{decode, SignedObject, Timestamp};

/// How long a staff certificate authorises calls: a school year and a little more; a new link
/// renews it.
pub const CERTIFICATE_SECONDS: i64 = 400 * 86_400;

/// A staff member as `verifier staff list` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Their pseudonymous id.
    pub person: PersonId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: StaffRole,
    /// A teacher's classes.
    pub classes: Vec<String>,
    /// Where their latest invitation stands.
    pub status: StaffStatus,
}

/// Where a staff member's access stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffStatus {
    /// Invited; the link is usable until then.
    Invited {
        /// The invitation's expiry.
        until: Timestamp,
    },
    /// The link expired unused.
    Expired,
    /// Enrolled: their certificate authorises calls until it expires.
    Active {
        /// The certificate's expiry.
        until: Timestamp,
    },
    /// Revoked, or their certificate expired.
    Revoked,
}

impl Archive {
    /// Signs a staff invitation with the root key and keeps it, with the name it carries, apart
    /// from the log. A teacher names their classes; a DPO or director none.
    #[allow(clippy::too_many_arguments)]
    pub fn invite_staff(
        &mut self,
        root: &SigningKey,
        person: PersonId,
        name: &str,
        role: StaffRole,
        classes: Vec<String>,
        expires: Timestamp,
        now: Timestamp,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Verified<StaffInvitation>, ArchiveError> {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        let mut classes = classes;
        classes.sort();
        classes.dedup();
        let body = StaffInvitation {
            school: self.school(),
            person,
            display_name: name.trim().to_owned(),
            role,
            classes,
            expires,
            nonce: Nonce(nonce),
        };
        let invitation = self.trust.sign_by_root(body, root)?;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        tx.execute(
            "INSERT INTO staff_invitations (hash, person, bytes, invited) VALUES (?1, ?2, ?3, ?4)",
            (invitation.hash().0.as_slice(), invitation.body().person.as_str(), invitation.bytes(), now.unix()),
        )?;
        tx.commit()?;
        Ok(invitation)
    }

    /// Certifies the key a staff member's browser generated: the invitation must be one this
    /// archive keeps, unrevoked, unexpired and unused, and the request must prove the key. The
    /// same key asking again gets the same certificate.
    pub fn enrol_staff(
        &mut self,
        invitation: &[u8],
        request: &[u8],
        now: Timestamp,
    ) -> Result<Verified<StaffCertificate>, ArchiveError> {
        let invitation = self.trust.staff_invitation(invitation, now)?;
        let request = self.trust.staff_enrolment_request(request, &invitation)?;
        let key = request.body().key;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        let revoked: Option<bool> = tx
            .query_row("SELECT revoked FROM staff_invitations WHERE hash = ?1", [invitation.hash().0.as_slice()], |r| {
                r.get(0)
            })
            .optional()?;
        match revoked {
            None => return Err(ArchiveError::UnknownStaffInvitation(invitation.hash())),
            Some(true) => return Err(ArchiveError::InvitationRevoked(invitation.hash())),
            Some(false) => {}
        }
        let issued: Option<Vec<u8>> = tx
            .prepare_cached("SELECT bytes FROM log WHERE refers_to = ?1 AND kind = ?2")?
            .query_row((invitation.hash().0.as_slice(), StaffCertificate::KIND), |row| row.get(0))
            .optional()?;
        if let Some(bytes) = issued {
            let existing = self.trust.staff_certificate(&bytes).map_err(corrupt("stored staff certificate"))?;
            drop(tx);
            return if existing.body().key == key {
                self.witness()?;
                Ok(existing)
            } else {
                Err(ArchiveError::InvitationUsed(invitation.hash()))
            };
        }
        let expires = Timestamp::from_unix(now.unix() + CERTIFICATE_SECONDS)
            .ok_or_else(|| ArchiveError::Corrupt("the clock is past what a certificate can hold".into()))?;
        let certificate = self
            .trust
            .sign_by_archive(StaffCertificate::new(invitation.signed(), key, now, expires), &self.archive_key)?;
        let person = invitation.body().person.as_str();
        let entry = Entry::of(&certificate, None, Some(person), Some(invitation.hash()));
        let index = append_entry(&tx, &entry, now)?;
        seal(&tx, &self.trust, &self.archive_key, &[(certificate.hash(), index)], now)?;
        tx.commit()?;
        self.witness()?;
        Ok(certificate)
    }

    /// Ends `person`'s access at `now`: each of their certificates not yet revoked gets a logged
    /// revocation, and their unused invitations can no longer enrol. Returns how many
    /// certificates and invitations it ended.
    pub fn revoke_staff(&mut self, person: &PersonId, now: Timestamp) -> Result<usize, ArchiveError> {
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM staff_invitations WHERE person = ?1)",
            [person.as_str()],
            |row| row.get(0),
        )?;
        if !known {
            return Err(ArchiveError::UnknownStaff(person.to_string()));
        }
        let school = self.school();
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        let unused = tx.execute(
            "UPDATE staff_invitations SET revoked = 1 WHERE person = ?1 AND revoked = 0
               AND hash NOT IN (SELECT refers_to FROM log WHERE kind = ?2 AND refers_to IS NOT NULL)",
            (person.as_str(), StaffCertificate::KIND),
        )?;
        let mut appended = Vec::new();
        for entry in read::entries_of_kind(&tx, StaffCertificate::KIND)? {
            if entry.person.as_deref() != Some(person.as_str()) || revocation_of(&tx, entry.hash)?.is_some() {
                continue;
            }
            let body = StaffRevocation { school, certificate: entry.hash, person: person.clone(), revoked: now };
            let revocation = self.trust.sign_by_archive(body, &self.archive_key)?;
            let index = append_entry(&tx, &Entry::of(&revocation, None, Some(person.as_str()), Some(entry.hash)), now)?;
            appended.push((revocation.hash(), index));
        }
        if !appended.is_empty() {
            seal(&tx, &self.trust, &self.archive_key, &appended, now)?;
        }
        tx.commit()?;
        self.witness()?;
        Ok(unused + appended.len())
    }

    /// Every staff member by name, with where their latest invitation or certificate stands at
    /// `now`.
    pub fn staff(&self, now: Timestamp) -> Result<Vec<StaffMember>, ArchiveError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT hash, bytes, revoked FROM staff_invitations ORDER BY person, invited, rowid")?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?, row.get::<_, bool>(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut members: Vec<StaffMember> = Vec::new();
        for (hash, bytes, revoked) in rows {
            let invitation = decode::<StaffInvitation>(&bytes).map_err(corrupt("stored staff invitation"))?;
            let body = invitation.unverified_body();
            let certificate: Option<(Vec<u8>, Vec<u8>)> = self
                .conn
                .prepare_cached("SELECT hash, bytes FROM log WHERE refers_to = ?1 AND kind = ?2")?
                .query_row((hash.as_slice(), StaffCertificate::KIND), |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let status = match certificate {
                Some((hash, bytes)) => {
                    let certificate =
                        self.trust.staff_certificate(&bytes).map_err(corrupt("stored staff certificate"))?;
                    let ended =
                        revocation_of(&self.conn, read::digest(&hash)?)?.is_some() || now > certificate.body().expires;
                    if ended {
                        StaffStatus::Revoked
                    } else {
                        StaffStatus::Active { until: certificate.body().expires }
                    }
                }
                None if revoked => StaffStatus::Revoked,
                None if now > body.expires => StaffStatus::Expired,
                None => StaffStatus::Invited { until: body.expires },
            };
            let member = StaffMember {
                person: body.person.clone(),
                name: body.display_name.clone(),
                role: body.role,
                classes: body.classes.clone(),
                status,
            };
            // The latest invitation of a person stands for them.
            match members.last_mut() {
                Some(last) if last.person == member.person => *last = member,
                _ => members.push(member),
            }
        }
        members.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.person.cmp(&b.person)));
        Ok(members)
    }

    /// The certificate `hash` if it is in the log and authorises calls now: verified, and not
    /// revoked (its expiry is the trust store's to check, against the call's instant).
    pub fn staff_certificate(&self, hash: Digest) -> Result<Verified<StaffCertificate>, ArchiveError> {
        let bytes = read::object_bytes(&self.conn, hash, StaffCertificate::KIND)?
            .ok_or(ArchiveError::UnknownStaffCertificate(hash))?;
        let certificate = self.trust.staff_certificate(&bytes).map_err(corrupt("stored staff certificate"))?;
        if revocation_of(&self.conn, hash)?.is_some() {
            return Err(ArchiveError::StaffRevoked(hash));
        }
        Ok(certificate)
    }

    /// A console call's signed authorisation, checked against the log: its certificate is this
    /// archive's, unrevoked and unexpired at `now`, and its key signed the request. The caller
    /// checks the challenge and that the request names the call it came with.
    pub fn staff_call(
        &self,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(Verified<StaffCertificate>, Verified<StaffRequest>), ArchiveError> {
        let named = decode::<StaffRequest>(bytes).map_err(TrustError::from)?.unverified_body().certificate;
        let certificate = self.staff_certificate(named)?;
        let request = self.trust.staff_request(bytes, &certificate, now)?;
        Ok((certificate, request))
    }

    /// The name a staff certificate's holder was invited under.
    pub fn staff_name(&self, certificate: &StaffCertificate) -> Result<Option<String>, ArchiveError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT bytes FROM staff_invitations WHERE hash = ?1")?
            .query_row([certificate.invitation.0.as_slice()], |row| row.get(0))
            .optional()?;
        bytes
            .map(|bytes| {
                let invitation = decode::<StaffInvitation>(&bytes).map_err(corrupt("stored staff invitation"))?;
                Ok(invitation.unverified_body().display_name.clone())
            })
            .transpose()
    }

    /// Records a DPO's or director's signed decision on a rights request: the staff decision and
    /// the archive's decision carrying it out (which the requester receives, naming it) are
    /// appended together, after one commit, or neither is.
    pub fn decide_as_staff(&mut self, bytes: &[u8], now: Timestamp) -> Result<Verified<RequestDecision>, ArchiveError> {
        let named = decode::<StaffDecision>(bytes).map_err(TrustError::from)?.unverified_body().certificate;
        let certificate = self.staff_certificate(named)?;
        let decision = self.trust.staff_decision(bytes, &certificate, now)?;
        let body = decision.body();
        let carried_out = RequestDecision {
            school: self.school(),
            request: body.request,
            outcome: body.outcome,
            reason: body.reason.clone(),
            decided: now,
            staff_decision: Some(decision.hash()),
        };
        let carried_out = self.trust.sign_by_archive(carried_out, &self.archive_key)?;
        let tx = begin(&mut self.conn, &self.trust, &self.archive_key, &self.dir, now)?;
        let student = student_of_request(&tx, body.request)?;
        if revocation_of(&tx, named)?.is_some() {
            return Err(ArchiveError::StaffRevoked(named));
        }
        if read::decision_for(&tx, body.request)?.is_some() {
            return Err(ArchiveError::AlreadyDecided(body.request));
        }
        let person = certificate.body().person.as_str();
        let first = append_entry(&tx, &Entry::of(&decision, Some(&student), Some(person), None), now)?;
        let second = append_entry(&tx, &Entry::of(&carried_out, Some(&student), None, Some(body.request)), now)?;
        seal(&tx, &self.trust, &self.archive_key, &[(decision.hash(), first), (carried_out.hash(), second)], now)?;
        tx.commit()?;
        self.witness()?;
        Ok(carried_out)
    }
}

/// The student a logged rights request is about.
pub(super) fn student_of_request(conn: &Connection, request: Digest) -> Result<String, ArchiveError> {
    let stored =
        read::object_bytes(conn, request, RightsRequest::KIND)?.ok_or(ArchiveError::UnknownRequest(request))?;
    let request = decode::<RightsRequest>(&stored).map_err(corrupt("stored request"))?;
    Ok(request.unverified_body().student.to_string())
}

/// The revocation of the staff certificate `certificate`, if one is logged.
pub(super) fn revocation_of(conn: &Connection, certificate: Digest) -> Result<Option<Vec<u8>>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM log WHERE refers_to = ?1 AND kind = ?2")?
        .query_row((certificate.0.as_slice(), StaffRevocation::KIND), |row| row.get(0))
        .optional()?)
}

/// A stored object that no longer verifies: the archive is inconsistent.
fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> ArchiveError {
    move |error| ArchiveError::Corrupt(format!("{what}: {error}"))
}
