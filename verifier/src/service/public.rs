//! The family-facing API (`/v1/…`): the form, enrolment, receipts and requests, one's own
//! history, and the log's checkpoints and proofs.

use super::body::{enrolment_pair, read_body};
use super::challenges::Refused;
use super::error::ApiError;
use super::respond::{object, signed_json};
use super::AppState;
use crate::archive::{read, Archive, ArchiveError, ProofRequestError, Submission};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::objects::{
    ConsentReceipt, EnrolmentCertificate, HistoryRequest, PaperRecord, RequestDecision, RightsRequest, StaffCertificate,
};
use shared::primitives::Digest;
use shared::SignedObject;

/// `GET /v1/form`: the form version in force, the school key (with its fingerprint, for
/// people to compare with the one printed on the school's letter), and every delegation of an
/// archive key, oldest first, so that a client that trusts only the school key can verify the
/// certificates and acknowledgements the archive signs.
pub async fn form(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    app.readers
        .read(|archive| {
            let form = archive.current_form()?.ok_or(ArchiveError::NoForm)?;
            let delegations =
                archive.delegations()?.iter().map(|d| object(d.bytes())).collect::<Result<Vec<_>, _>>()?;
            Ok(Json(json!({
                "school_key": archive.school().to_hex(),
                "fingerprint": archive.school().fingerprint().to_hex(),
                "form": object(form.bytes())?,
                "delegations": delegations,
            })))
        })
        .await
}

/// `POST /v1/enrol`: invitation + enrolment request (signed by the new key) → certificate.
pub async fn enrol(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let (invitation, request) = enrolment_pair(&read_body(&app, &headers, body).await?)?;
    let now = super::now()?;
    let certificate =
        app.writer.run(move |archive| Ok(archive.enrol(&invitation, &request, now)?.bytes().to_vec())).await?;
    Ok(signed_json(certificate))
}

/// The body of `POST /v1/invitation`.
#[derive(Debug, Deserialize, serde::Serialize)]
struct CodeBody {
    /// A printed letter's short code, as typed or as the link carries it (`K7QF-2M9X-…`).
    code: String,
}

/// `POST /v1/invitation` with `{"code": "…"}`: the signed invitation a letter's short code
/// stands for, its canonical bytes unchanged (the widget verifies them under the school key as
/// it verifies a long link's), while the invitation can still enrol — unused, not replaced,
/// unexpired. Otherwise 404 `unknown_code`, or the invitation's own refusal (409
/// `invitation_used`, 410 `invitation_revoked` or `invitation_expired`). Reads only, under the
/// per-client rate limit like every route: a code's 100 bits are not guessed at that rate.
pub async fn invitation(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    // Strict, as every family-API body: a field the route does not take is `unknown_field`.
    let CodeBody { code } = shared::encoding::decode_canonical::<CodeBody>(&read_body(&app, &headers, body).await?)?;
    let now = super::now()?;
    let invitation =
        app.readers.read(move |archive| Ok(archive.invitation_for_code(&code, now)?.bytes().to_vec())).await?;
    Ok(signed_json(invitation))
}

/// `POST /v1/receipts`: a signed receipt → the archive's signed acknowledgement.
pub async fn receipt(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(&app, &headers, body).await?.to_vec();
    submit(&app, Submission::Receipt(bytes)).await
}

/// `POST /v1/requests`: a signed rights request → the archive's signed acknowledgement.
pub async fn request(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(&app, &headers, body).await?.to_vec();
    submit(&app, Submission::Request(bytes)).await
}

/// Verifies `submission` on a reader, beside the writer, then has the writer log it: the
/// signature checks of many requests run on every core while the writer commits.
async fn submit(app: &AppState, submission: Submission) -> Result<Response, ApiError> {
    let checked = app.readers.verify(submission).await?;
    Ok(signed_json(app.writer.submit(checked).await?))
}

/// `POST /v1/restore`: a signed object a family's device kept, given back to an entry that was
/// lost when an older copy of the archive's database was restored (a certificate, receipt or
/// request; see `verifier recover`). Answers `{"acknowledgement": …}`, the entry's stored
/// acknowledgement — for a receipt or request the one the family holds, so the device can check
/// that it was not acknowledged anew — or `null` for a certificate. An entry that was never lost
/// is left as it is and answered the same way.
pub async fn restore(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(&app, &headers, body).await?.to_vec();
    let ack = app.writer.run(move |archive| Ok(archive.give_back(&bytes)?.map(|ack| ack.bytes().to_vec()))).await?;
    Ok(Json(json!({ "acknowledgement": ack.map(|ack| object(&ack)).transpose()? })))
}

/// `GET /v1/challenge`: a fresh single-use challenge for `GET /v1/history`. Nothing is stored
/// (see `challenges`), so this cannot run out.
pub async fn challenge(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let (challenge, expires) = app
        .challenges
        .issue(super::now()?)
        .ok_or_else(|| ApiError::internal(&"the clock is past what a challenge can hold"))?;
    Ok(Json(json!({ "challenge": challenge.to_string(), "expires": expires.to_string() })))
}

/// A challenge that cannot be used: 401, or 503 when too many were redeemed to remember another.
fn refused_challenge(refused: Refused) -> ApiError {
    match refused {
        Refused::Full => ApiError::unavailable(
            "busy",
            "too many history reads in the last minutes; nothing was read, please retry in a few minutes",
            &refused,
        ),
        other => unauthorized(other.to_string()),
    }
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// `GET /v1/history`: every signed object about the requester's student (their family's), with
/// acknowledgements and decisions — never another student's. Two ways to ask:
/// - `Authorization: Consent <base64url of a signed history-request>` answering a challenge,
///   signed by an enrolled key: the certificate that signed it decides which student;
/// - `Authorization: Invitation <base64url of the invitation>`, while the invitation can still
///   enrol (unexpired, not replaced, not used): so that before deciding anything a person sees
///   the other signers' decisions, and learns at once if their link was used on another device.
pub async fn history(State(app): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let credentials = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let decode = |encoded: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded.trim())
            .map_err(|_| unauthorized("the credentials are not base64url"))
    };
    let student = if let Some(encoded) = credentials.strip_prefix("Consent ") {
        student_of_history_request(&app, decode(encoded)?).await?
    } else if let Some(encoded) = credentials.strip_prefix("Invitation ") {
        let bytes = decode(encoded)?;
        let now = super::now()?;
        let invitation = app.readers.read(move |archive| Ok(archive.unused_invitation(&bytes, now)?)).await?;
        invitation.body().student.clone()
    } else {
        return Err(unauthorized(
            "send `Authorization: Consent <signed history request, base64url>` or `Invitation <invitation, base64url>`",
        ));
    };
    app.readers.read(move |archive| student_history(archive, &student)).await.map(Json)
}

/// The student whose history a signed history request may read: its signature by an enrolled
/// key, then its challenge, consumed only once the signature is good, so that nobody can burn
/// another's challenge.
async fn student_of_history_request(app: &AppState, bytes: Vec<u8>) -> Result<shared::ids::StudentId, ApiError> {
    let request = shared::decode::<HistoryRequest>(&bytes).map_err(|e| unauthorized(e.to_string()))?;
    let (challenge, certificate_hash) = (request.unverified_body().challenge, request.unverified_body().certificate);
    // A challenge this service did not make, or an expired one, is refused before any read.
    app.challenges.check(&challenge, super::now()?).map_err(refused_challenge)?;
    let verified = app
        .readers
        .read(move |archive| {
            let certificate =
                archive.certificate(certificate_hash)?.ok_or_else(|| unauthorized("no such enrolment certificate"))?;
            archive.trust().history_request(&bytes, &certificate).map_err(|e| unauthorized(e.to_string()))?;
            Ok(certificate)
        })
        .await?;
    app.challenges.redeem(&challenge, super::now()?).map_err(refused_challenge)?;
    Ok(verified.body().student.clone())
}

/// Every object about `student`, with its acknowledgement (and a request's decision).
fn student_history(archive: &Archive, student: &shared::ids::StudentId) -> Result<Value, ApiError> {
    let snapshot = archive.snapshot()?;
    let mut certificates = Vec::new();
    let mut receipts = Vec::new();
    let mut requests = Vec::new();
    let mut papers = Vec::new();
    for entry in read::student_entries(&snapshot, student.as_str())? {
        let Some(bytes) = entry.bytes.as_deref() else { continue };
        let ack = read::acknowledgement(&snapshot, entry.hash)?.map(|a| object(&a)).transpose()?;
        let item =
            json!({ "object": object(bytes)?, "acknowledgement": ack, "logged_at": entry.logged_at.to_string() });
        match entry.kind.as_str() {
            EnrolmentCertificate::KIND => certificates.push(item),
            ConsentReceipt::KIND => receipts.push(item),
            RightsRequest::KIND => {
                let decision = read::decision_for(&snapshot, entry.hash)?.map(|d| object(&d)).transpose()?;
                requests.push(json!({ "request": item, "decision": decision }));
            }
            // With the certificate of the staff member who recorded it, which the widget
            // verifies it under (a staff certificate carries no family's data).
            PaperRecord::KIND => {
                let named = shared::decode::<PaperRecord>(bytes)
                    .map_err(|e| ApiError::internal(&e))?
                    .unverified_body()
                    .certificate;
                let staff = read::object_bytes(&snapshot, named, StaffCertificate::KIND)?
                    .ok_or_else(|| ApiError::internal(&format!("paper slip {} without its recorder", entry.hash)))?;
                papers.push(json!({ "slip": item, "staff": object(&staff)? }));
            }
            RequestDecision::KIND => {}
            _ => {}
        }
    }
    Ok(json!({
        "student": student.as_str(),
        "certificates": certificates,
        "receipts": receipts,
        "requests": requests,
        "papers": papers,
    }))
}

/// `GET /v1/checkpoint`: the latest signed checkpoint.
pub async fn checkpoint(State(app): State<AppState>) -> Result<Response, ApiError> {
    let bytes = app.readers.read(|archive| Ok(archive.latest_checkpoint()?)).await?;
    bytes.map(signed_json).ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "empty_log", "nothing is logged yet"))
}

/// Query of `GET /v1/proof/inclusion`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The object's hash.
    hash: String,
    /// The tree size to prove against (default: the whole log).
    tree_size: Option<u64>,
}

fn proof_error(error: ProofRequestError) -> ApiError {
    match error {
        ProofRequestError::NotLogged(_) => ApiError::new(StatusCode::NOT_FOUND, "not_logged", error.to_string()),
        ProofRequestError::BadRange(_) => ApiError::bad_request("bad_range", error.to_string()),
        ProofRequestError::Archive(archive) => archive.into(),
    }
}

fn hex_list(proof: &[Digest]) -> Vec<String> {
    proof.iter().map(Digest::to_hex).collect()
}

/// `GET /v1/proof/inclusion?hash=…[&tree_size=…]`: RFC 9162 inclusion proof.
pub async fn inclusion(
    State(app): State<AppState>,
    query: Result<Query<InclusionQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let hash = Digest::from_hex(&query.hash)?;
    let (index, tree_size, proof) =
        app.readers.read(move |archive| archive.inclusion_proof(hash, query.tree_size).map_err(proof_error)).await?;
    Ok(Json(json!({ "hash": hash.to_hex(), "index": index, "tree_size": tree_size, "proof": hex_list(&proof) })))
}

/// Query of `GET /v1/proof/consistency`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older tree size.
    first: u64,
    /// The newer tree size.
    second: u64,
}

/// `GET /v1/proof/consistency?first=…&second=…`: RFC 9162 consistency proof, with which a family's
/// device checks that the log only grew since the checkpoint it saw last.
pub async fn consistency(
    State(app): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let (first, second) = (query.first, query.second);
    let proof = app.readers.read(move |archive| archive.consistency_proof(first, second).map_err(proof_error)).await?;
    Ok(Json(json!({ "first": first, "second": second, "proof": hex_list(&proof) })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A challenge that cannot be remembered is the service's limit, said as such: never the
    /// storage message, never the family's fault.
    #[test]
    fn a_full_set_of_redeemed_challenges_is_busy_and_says_so() {
        let error = refused_challenge(Refused::Full);
        assert_eq!((error.status, error.code), (StatusCode::SERVICE_UNAVAILABLE, "busy"));
        assert!(error.message.contains("history reads") && !error.message.contains("store"), "{}", error.message);
        for refused in [Refused::Forged, Refused::Expired, Refused::Used] {
            assert_eq!(refused_challenge(refused).status, StatusCode::UNAUTHORIZED, "{refused:?}");
        }
    }
}
