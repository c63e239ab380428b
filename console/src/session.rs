//! A staff member's signed calls. Every call but the enrolment answers a fresh challenge from
//! `GET /v1/challenge` with a `staff-request/1` signed by the staff key for exactly that method,
//! path and query, and body hash, sent as `Authorization: Staff <base64url>`; a challenge serves
//! one call. A decision on a rights request is itself a signed `staff-decision/1`, and the
//! archive's `request-decision/1` that answers it is verified and must name it; so is a paper
//! slip's `paper-record/1`, whose acknowledgement must name it.

use crate::api::{Call, Transport};
use crate::keyring::Held;
use crate::link::base64url;
use crate::problem::{bad_answer, Problem};
use crate::routes;
use ed25519_dalek::SigningKey;
use serde::de::DeserializeOwned;
use shared::console::{RemindRequest, Reminded, AUTHORIZATION_SCHEME};
use shared::ids::{PurposeId, StudentId};
use shared::objects::{
    Acknowledgement, Decision, Method, Outcome, PaperRecord, PaperSigner, RequestDecision, StaffCertificate,
    StaffDecision, StaffRequest,
};
use shared::primitives::{Digest, Nonce, PublicKey};
use shared::trust::{TrustStore, Verified};
use shared::{sign, Timestamp};
use std::collections::BTreeMap;

/// What a staff member read off a paper slip; [`Session::record_paper`] adds who records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    /// The student.
    pub student: StudentId,
    /// Their date of birth, as the roster holds it.
    pub student_birth_date: chrono::NaiveDate,
    /// The form version on the slip.
    pub form: Digest,
    /// Who signed it (any order: the record sorts them).
    pub signers: Vec<PaperSigner>,
    /// What it says, per purpose not left blank.
    pub decisions: BTreeMap<PurposeId, Decision>,
    /// The date written on it.
    pub signed_on: chrono::NaiveDate,
    /// The SHA-256 of its scan.
    pub scan: Digest,
}

/// A staff member with a certified key, able to sign calls.
#[derive(Debug, Clone)]
pub struct Session {
    trust: TrustStore,
    key: SigningKey,
    certificate: Verified<StaffCertificate>,
}

impl Session {
    /// The session of what this browser kept, once the certificate verifies again under the
    /// school's key, certifies this very key and has not expired.
    pub fn resume(trust: TrustStore, held: &Held, now: Timestamp) -> Result<Session, Problem> {
        let key = held.key()?;
        let certificate = trust.staff_certificate(held.certificate.as_bytes()).map_err(bad_answer)?;
        Session::new(trust, key, certificate, now)
    }

    /// The session of `key`, certified by `certificate`.
    pub fn new(
        trust: TrustStore,
        key: SigningKey,
        certificate: Verified<StaffCertificate>,
        now: Timestamp,
    ) -> Result<Session, Problem> {
        if certificate.body().key != PublicKey::of(&key) {
            return Err(bad_answer("the certificate certifies another key than this browser's"));
        }
        if now > certificate.body().expires {
            return Err(Problem::AccessEnded(format!("the certificate expired at {}", certificate.body().expires)));
        }
        Ok(Session { trust, key, certificate })
    }

    /// The certificate: role and classes, as the archive certified them.
    pub fn certificate(&self) -> &Verified<StaffCertificate> {
        &self.certificate
    }

    /// What the browser keeps of this session.
    pub fn held(&self) -> Held {
        Held::new(&self.key, &self.certificate)
    }

    /// The `Authorization` header for `method path` with `body`, answering `challenge`.
    pub fn authorization(
        &self,
        challenge: Nonce,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<String, Problem> {
        let request = StaffRequest {
            school: *self.trust.root(),
            certificate: self.certificate.hash(),
            challenge,
            method,
            path: path.to_owned(),
            body: body.map(Digest::of),
            client_time: now,
        };
        let signed = sign(request, &self.key).map_err(bad_answer)?;
        Ok(format!("{AUTHORIZATION_SCHEME} {}", base64url(signed.bytes())))
    }

    /// Sends `method path` with `body`, signed over a fresh challenge, and returns the body of
    /// the answer. A 401 is asked once more with another challenge: a service restarted between
    /// the two requests no longer knows the first; a revoked certificate is refused twice.
    pub async fn call(
        &self,
        transport: &impl Transport,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<Vec<u8>, Problem> {
        match self.call_once(transport, method, path, body, now).await {
            Err(Problem::AccessEnded(_)) => self.call_once(transport, method, path, body, now).await,
            answer => answer,
        }
    }

    async fn call_once(
        &self,
        transport: &impl Transport,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<Vec<u8>, Problem> {
        let challenge = Call { method: Method::Get, path: routes::CHALLENGE, authorization: None, body: None };
        let challenge: shared::client::Challenge =
            shared::encoding::from_json(&transport.send(challenge).await?.ok()?).map_err(bad_answer)?;
        let authorization = self.authorization(challenge.challenge, method, path, body, now)?;
        transport.send(Call { method, path, authorization: Some(&authorization), body }).await?.ok()
    }

    /// `GET path`, decoded as `T` with the decoder the widget uses for the service's answers.
    pub async fn get<T: DeserializeOwned>(
        &self,
        transport: &impl Transport,
        path: &str,
        now: Timestamp,
    ) -> Result<T, Problem> {
        let body = self.call(transport, Method::Get, path, None, now).await?;
        shared::encoding::from_json(&body).map_err(bad_answer)
    }

    /// Has the school remind the families of `class` (or of the whole school) who have not
    /// answered or must confirm again; the service records each reminder.
    pub async fn remind(
        &self,
        transport: &impl Transport,
        class: Option<&str>,
        now: Timestamp,
    ) -> Result<Reminded, Problem> {
        let body = serde_json::to_vec(&RemindRequest { class: class.map(str::to_owned) }).map_err(bad_answer)?;
        let answer = self.call(transport, Method::Post, routes::REMIND, Some(&body), now).await?;
        shared::encoding::from_json(&answer).map_err(bad_answer)
    }

    /// Signs this staff member's decision on `request` and sends it; returns the archive's
    /// decision once it verifies under a delegated archive key and carries out exactly this one.
    pub async fn decide(
        &self,
        transport: &impl Transport,
        request: Digest,
        outcome: Outcome,
        reason: &str,
        now: Timestamp,
    ) -> Result<Verified<RequestDecision>, Problem> {
        let decision = StaffDecision {
            school: *self.trust.root(),
            certificate: self.certificate.hash(),
            request,
            outcome,
            reason: reason.to_owned(),
            client_time: now,
        };
        let decision = sign(decision, &self.key).map_err(bad_answer)?;
        let answer = self.call(transport, Method::Post, routes::DECIDE, Some(decision.bytes()), now).await?;
        let carried_out = self.trust.decision(&answer).map_err(bad_answer)?;
        let body = carried_out.body();
        if body.staff_decision != Some(decision.hash()) || body.request != request || body.outcome != outcome {
            return Err(bad_answer("the archive's decision does not carry out the decision signed here"));
        }
        Ok(carried_out)
    }

    /// Signs this staff member's record of `slip` and sends it; returns the archive's
    /// acknowledgement once it verifies under a delegated archive key and names exactly this
    /// record.
    pub async fn record_paper(
        &self,
        transport: &impl Transport,
        slip: Slip,
        now: Timestamp,
    ) -> Result<Verified<Acknowledgement>, Problem> {
        let mut signers = slip.signers;
        signers.sort();
        let record = PaperRecord {
            school: *self.trust.root(),
            certificate: self.certificate.hash(),
            student: slip.student,
            student_birth_date: slip.student_birth_date,
            form: slip.form,
            signers,
            decisions: slip.decisions,
            signed_on: slip.signed_on,
            scan: slip.scan,
            client_time: now,
        };
        let record = sign(record, &self.key).map_err(bad_answer)?;
        let answer = self.call(transport, Method::Post, routes::PAPER, Some(record.bytes()), now).await?;
        let ack = self.trust.acknowledgement(&answer).map_err(bad_answer)?;
        if ack.body().object != record.hash() {
            return Err(bad_answer("the archive acknowledged another object than the slip signed here"));
        }
        Ok(ack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use consent_tests::fixtures::{at, School};
    use shared::objects::StaffRole;

    fn session(role: StaffRole, classes: &[&str]) -> (School, Session) {
        let school = School::new("console");
        let mut trust = TrustStore::new(school.id());
        trust.add_delegation(school.delegation().bytes()).expect("delegation");
        let staff =
            school.enrol_staff(&school.invite_staff("staff-1", role, classes, "Ana"), at("2026-09-02T08:00:00Z"));
        let certificate = trust.staff_certificate(staff.certificate.bytes()).expect("certificate");
        let session = Session::new(trust, staff.key, certificate, at("2026-09-03T08:00:00Z")).expect("session");
        (school, session)
    }

    #[test]
    fn the_header_is_a_staff_request_the_service_verifies_for_that_path_and_body() {
        let (_, session) = session(StaffRole::Teacher, &["7B"]);
        let path = routes::photo_check("7B", "photos-published", "2026-05-14", routes::Format::Json);
        let now = at("2026-09-03T08:00:00Z");
        let header = session.authorization(Nonce([7; 16]), Method::Get, &path, None, now).expect("signed");
        let encoded = header.strip_prefix("Staff ").expect("the scheme");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        let verified = session.trust.staff_request(&bytes, &session.certificate, now).expect("verifies");
        assert_eq!(verified.body().path, path);
        assert_eq!(verified.body().challenge, Nonce([7; 16]));
        assert_eq!(verified.body().body, None);

        let header = session.authorization(Nonce([8; 16]), Method::Post, routes::DECIDE, Some(b"{}"), now);
        let encoded = header.expect("signed").split_off("Staff ".len());
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        let verified = session.trust.staff_request(&bytes, &session.certificate, now).expect("verifies");
        assert_eq!(verified.body().body, Some(Digest::of(b"{}")));
    }

    #[test]
    fn a_kept_session_resumes_only_with_its_own_unexpired_certificate() {
        let (school, session) = session(StaffRole::Dpo, &[]);
        let held = session.held();
        let trust = session.trust.clone();
        assert!(Session::resume(trust.clone(), &held, at("2026-09-04T08:00:00Z")).is_ok());
        assert!(matches!(
            Session::resume(trust.clone(), &held, at("2027-09-02T08:00:00Z")),
            Err(Problem::AccessEnded(_))
        ));
        let other = school
            .enrol_staff(&school.invite_staff("staff-2", StaffRole::Director, &[], "Bo"), at("2026-09-02T08:00:00Z"));
        let swapped = Held { certificate: String::from_utf8_lossy(other.certificate.bytes()).into_owned(), ..held };
        assert!(matches!(Session::resume(trust, &swapped, at("2026-09-04T08:00:00Z")), Err(Problem::BadAnswer(_))));
    }
}
