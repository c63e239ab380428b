//! Staff identities: the school's root key invites a staff member (offline, as it invites
//! families), their browser generates a key and proves it with a [`super::StaffEnrolmentRequest`],
//! the archive certifies that key with the person's role and, for a teacher, their classes, and
//! every console call is a [`StaffRequest`] signed by that key over a fresh challenge.
//!
//! Who sees what is decided in one place, [`StaffCertificate::may_see_class`],
//! [`StaffCertificate::may_handle_requests`], [`StaffCertificate::may_read_records`] and
//! [`StaffCertificate::may_record_paper_slips`], from the
//! certified role and classes alone.

use super::request::Outcome;
use crate::envelope::{Signed, SignedObject};
use crate::ids::PersonId;
use crate::primitives::{Digest, Nonce, PublicKey};
use crate::time::Timestamp;
use crate::validate::{self, ContentError};
use serde::{Deserialize, Serialize};

/// A staff member's role, which fixes what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// The data protection officer: the whole school, and the rights requests.
    Dpo,
    /// The director: the whole school, and the rights requests.
    Director,
    /// A teacher: their own classes only, and no rights requests.
    Teacher,
}

impl StaffRole {
    /// The role's name as signed objects spell it (`dpo`, `director`, `teacher`).
    pub fn name(self) -> &'static str {
        match self {
            StaffRole::Dpo => "dpo",
            StaffRole::Director => "director",
            StaffRole::Teacher => "teacher",
        }
    }

    /// Whether the role sees every class, rather than the classes it names.
    pub fn sees_whole_school(self) -> bool {
        matches!(self, StaffRole::Dpo | StaffRole::Director)
    }
}

/// The most classes one staff member may name.
pub const MAX_CLASSES: usize = 64;

/// The rule tying a role to its classes: a teacher names at least one class, a DPO or a director
/// (who see the whole school) names none; classes are sorted and named once, so that one scope
/// has one spelling; each is a short label like the class of a family's invitation.
fn scope(role: StaffRole, classes: &[String]) -> Result<(), ContentError> {
    if role.sees_whole_school() {
        if !classes.is_empty() {
            return Err(ContentError::ClassesForWholeSchool);
        }
        return Ok(());
    }
    validate::count("classes", classes.len(), MAX_CLASSES)?;
    for class in classes {
        validate::text("classes", class, super::Invitation::MAX_CLASS)?;
    }
    validate::sorted_unique("classes", classes)
}

/// A staff invitation, signed by the school's root key and carried to the staff member in a
/// link, as a family's invitation is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInvitation {
    /// The school's root public key.
    pub school: PublicKey,
    /// The staff member's pseudonymous id.
    pub person: PersonId,
    /// The name the console greets them with; personal data, kept out of the proof log.
    pub display_name: String,
    /// Their role.
    pub role: StaffRole,
    /// For a teacher, the classes they teach (at least one, sorted, each once); for a DPO or a
    /// director, none.
    pub classes: Vec<String>,
    /// After this instant the invitation can no longer be used to enrol.
    pub expires: Timestamp,
    /// Makes the invitation single-use.
    pub nonce: Nonce,
}

impl SignedObject for StaffInvitation {
    const KIND: &'static str = "staff-invitation/1";

    /// Only the school's root key signs these.
    fn named_signer(&self) -> Option<&PublicKey> {
        Some(&self.school)
    }

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("display_name", &self.display_name, super::Invitation::MAX_NAME)?;
        scope(self.role, &self.classes)
    }
}

/// The archive's certificate binding a staff key to (person, role, classes), until it expires or
/// the archive revokes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCertificate {
    /// The school's root public key.
    pub school: PublicKey,
    /// The staff invitation it was issued for.
    pub invitation: Digest,
    /// The staff member.
    pub person: PersonId,
    /// Their role.
    pub role: StaffRole,
    /// Their classes, under the invitation's rule.
    pub classes: Vec<String>,
    /// The staff member's public key.
    pub key: PublicKey,
    /// When the archive issued it.
    pub issued: Timestamp,
    /// After this instant it authorises nothing.
    pub expires: Timestamp,
}

impl StaffCertificate {
    /// The certificate for the holder of `key` invited by `invitation`: person, role and classes
    /// come from the invitation, so the archive cannot certify another scope than the root key's.
    pub fn new(
        invitation: &Signed<StaffInvitation>,
        key: PublicKey,
        issued: Timestamp,
        expires: Timestamp,
    ) -> StaffCertificate {
        let inv = invitation.body();
        StaffCertificate {
            school: inv.school,
            invitation: invitation.hash(),
            person: inv.person.clone(),
            role: inv.role,
            classes: inv.classes.clone(),
            key,
            issued,
            expires,
        }
    }

    /// Whether the holder may see the students of `class`: a DPO or a director every class, a
    /// teacher only the classes certified.
    pub fn may_see_class(&self, class: &str) -> bool {
        self.role.sees_whole_school() || self.classes.iter().any(|c| c == class)
    }

    /// Whether the holder may read and answer rights requests: the DPO and the director, never a
    /// teacher (a request concerns a student's data across the whole school).
    pub fn may_handle_requests(&self) -> bool {
        self.role.sees_whole_school()
    }

    /// Whether the holder may record a decision a family gave on a paper slip: the DPO and the
    /// director, who answer for the school's records; a teacher hands slips to them.
    pub fn may_record_paper_slips(&self) -> bool {
        self.role.sees_whole_school()
    }

    /// Whether the holder may read families' records: contacts, a student's history, proof
    /// bundles — the DPO and the director; a teacher needs only the purposes' status for their
    /// classes.
    pub fn may_read_records(&self) -> bool {
        self.role.sees_whole_school()
    }

    /// Whether the holder may print families' invitation letters: the DPO and the director. A
    /// letter's code opens a family's form, so it is handed over like the family's contacts,
    /// never by a teacher.
    pub fn may_print_letters(&self) -> bool {
        self.role.sees_whole_school()
    }

    /// Whether the holder may have the school write to families (the console's "Send
    /// reminders"): the DPO and the director, who answer for contacting families; a teacher
    /// sees who has not answered in their classes, but the school's letters are not theirs.
    pub fn may_remind_families(&self) -> bool {
        self.role.sees_whole_school()
    }
}

impl SignedObject for StaffCertificate {
    const KIND: &'static str = "staff-certificate/1";

    fn validate(&self) -> Result<(), ContentError> {
        scope(self.role, &self.classes)?;
        if self.expires <= self.issued {
            return Err(ContentError::EmptyWindow { from: "issued", until: "expires" });
        }
        Ok(())
    }
}

/// An HTTP method a console call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// A read.
    Get,
    /// A write.
    Post,
}

/// The most characters a signed path may have.
pub const MAX_PATH: usize = 512;

/// The authorisation of one console call: the staff key signs the service's fresh, single-use
/// challenge together with the call it authorises, so that it cannot be replayed against another
/// route or with another body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRequest {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the caller's staff certificate; its key must have signed this request.
    pub certificate: Digest,
    /// The challenge the service issued; it is single-use and short-lived.
    pub challenge: Nonce,
    /// The call's method.
    pub method: Method,
    /// The call's path and query, exactly as sent (`/v1/staff/classes/7B/students`).
    pub path: String,
    /// The SHA-256 of the call's body, for a call that has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Digest>,
    /// The browser's clock.
    pub client_time: Timestamp,
}

impl SignedObject for StaffRequest {
    const KIND: &'static str = "staff-request/1";

    /// The path is printable ASCII starting with `/`, so that what was signed is what the service
    /// routes, with no spelling a reader could take for another path.
    fn validate(&self) -> Result<(), ContentError> {
        let printable = self.path.bytes().all(|b| b.is_ascii_graphic());
        if !self.path.starts_with('/') || !printable {
            return Err(ContentError::NotAPath);
        }
        if self.path.len() > MAX_PATH {
            return Err(ContentError::TooLong { field: "path", max: MAX_PATH });
        }
        Ok(())
    }
}

/// A staff member's decision on a rights request, signed by their own key: the log's proof of who
/// decided, when and on what grounds. The archive carries it out with a
/// [`super::RequestDecision`] naming it, which is what the requester receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDecision {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the deciding staff member's certificate; its key must have signed this.
    pub certificate: Digest,
    /// The hash of the rights request decided.
    pub request: Digest,
    /// Granted or refused.
    pub outcome: Outcome,
    /// Why, in words the requester can understand.
    pub reason: String,
    /// The browser's clock when signing.
    pub client_time: Timestamp,
}

impl SignedObject for StaffDecision {
    const KIND: &'static str = "staff-decision/1";

    fn validate(&self) -> Result<(), ContentError> {
        validate::text("reason", &self.reason, super::request::MAX_REASON)
    }
}

/// The archive's withdrawal of a staff certificate: from `revoked` on, the certificate authorises
/// nothing. Logged, so that what a staff key could do at any instant is provable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRevocation {
    /// The school's root public key.
    pub school: PublicKey,
    /// The hash of the certificate revoked.
    pub certificate: Digest,
    /// Its holder.
    pub person: PersonId,
    /// From when it is revoked.
    pub revoked: Timestamp,
}

impl SignedObject for StaffRevocation {
    const KIND: &'static str = "staff-revocation/1";

    fn validate(&self) -> Result<(), ContentError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    fn check(role: StaffRole, names: &[&str], expected: Result<(), ContentError>) {
        assert_eq!(scope(role, &classes(names)), expected, "{role:?} {names:?}");
    }

    #[test]
    fn a_teacher_names_sorted_classes_and_the_whole_school_roles_none() {
        use StaffRole::*;
        check(Teacher, &["7B"], Ok(()));
        check(Teacher, &["5A", "7B"], Ok(()));
        check(Teacher, &[], Err(ContentError::Missing { field: "classes" }));
        check(Teacher, &["7B", "5A"], Err(ContentError::NotSortedUnique { field: "classes" }));
        check(Teacher, &["7B", "7B"], Err(ContentError::NotSortedUnique { field: "classes" }));
        check(Teacher, &[" "], Err(ContentError::EmptyText { field: "classes" }));
        check(Teacher, &[&"x".repeat(51)], Err(ContentError::TooLong { field: "classes", max: 50 }));
        let many: Vec<String> = (0..=MAX_CLASSES).map(|i| format!("{i:03}")).collect();
        assert_eq!(scope(Teacher, &many), Err(ContentError::TooLong { field: "classes", max: MAX_CLASSES }));
        check(Dpo, &[], Ok(()));
        check(Director, &[], Ok(()));
        check(Dpo, &["7B"], Err(ContentError::ClassesForWholeSchool));
        check(Director, &["7B"], Err(ContentError::ClassesForWholeSchool));
    }

    fn certificate(role: StaffRole, names: &[&str]) -> StaffCertificate {
        let at = |unix| Timestamp::from_unix(unix).expect("in range");
        StaffCertificate {
            school: PublicKey([1; 32]),
            invitation: Digest::of(b"invitation"),
            person: PersonId::try_from("staff-1").expect("id"),
            role,
            classes: classes(names),
            key: PublicKey([2; 32]),
            issued: at(1000),
            expires: at(2000),
        }
    }

    #[test]
    fn the_scope_follows_the_certified_role_and_classes() {
        let teacher = certificate(StaffRole::Teacher, &["5A", "7B"]);
        assert!(teacher.may_see_class("7B") && teacher.may_see_class("5A"));
        assert!(!teacher.may_see_class("7C") && !teacher.may_see_class("7b"));
        assert!(!teacher.may_handle_requests() && !teacher.may_read_records() && !teacher.may_record_paper_slips());
        for role in [StaffRole::Dpo, StaffRole::Director] {
            let whole = certificate(role, &[]);
            assert!(whole.may_see_class("7B") && whole.may_see_class("anything"));
            assert!(whole.may_handle_requests() && whole.may_read_records() && whole.may_record_paper_slips());
        }
    }

    #[test]
    fn a_certificate_expires_after_it_is_issued() {
        let mut cert = certificate(StaffRole::Dpo, &[]);
        assert_eq!(cert.validate(), Ok(()));
        cert.expires = cert.issued;
        assert_eq!(cert.validate(), Err(ContentError::EmptyWindow { from: "issued", until: "expires" }));
    }

    #[test]
    fn a_signed_path_is_printable_ascii_from_the_root() {
        let request = |path: &str| StaffRequest {
            school: PublicKey([1; 32]),
            certificate: Digest::of(b"certificate"),
            challenge: Nonce([3; 16]),
            method: Method::Get,
            path: path.to_owned(),
            body: None,
            client_time: Timestamp::from_unix(1500).expect("in range"),
        };
        assert_eq!(request("/v1/staff/classes/7B/students?answered=no").validate(), Ok(()));
        for bad in ["", "v1/staff", "/v1/staff classes", "/v1/ståff", "/v1/\n"] {
            assert_eq!(request(bad).validate(), Err(ContentError::NotAPath), "{bad:?}");
        }
        let long = format!("/{}", "a".repeat(MAX_PATH));
        assert_eq!(request(&long).validate(), Err(ContentError::TooLong { field: "path", max: MAX_PATH }));
    }
}
