//! The school's API (`/v1/admin/…`): audits, rights requests and decisions, proof bundles and the
//! roster. Closed unless the data directory holds an admin token (`verifier init` writes one);
//! every call must present it as `Authorization: Bearer <token>`.

use super::body::{read_body, read_body_within};
use super::error::ApiError;
use super::respond::signed_json;
use super::AppState;
use crate::archive::Roster;
use crate::keys;
use crate::report::{self, Format};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::ids::StudentId;
use shared::objects::Outcome;
use shared::primitives::Digest;
use shared::Timestamp;

/// A roster may be much larger than one signed object.
const MAX_ROSTER_BYTES: usize = 4 * 1024 * 1024;

/// Compares in time independent of where the inputs first differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware guarding every admin route.
pub async fn authorize(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = app.admin_token.as_deref() else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_closed",
            "the admin API is closed: no admin token is configured",
        )
        .into_response();
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match presented {
        Some(presented) if same_secret(presented.trim().as_bytes(), token.as_bytes()) => next.run(request).await,
        _ => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send `Authorization: Bearer <admin token>`")
            .into_response(),
    }
}

fn parse_instant(text: &str) -> Result<Timestamp, ApiError> {
    Timestamp::parse(text).ok_or_else(|| {
        ApiError::bad_request("bad_query", format!("{text:?} is not an instant like 2026-05-14T12:00:00Z"))
    })
}

fn report_response(text: String, format: Format) -> Response {
    let content_type = match format {
        Format::Table => "text/plain; charset=utf-8",
        Format::Csv => "text/csv; charset=utf-8",
        Format::Html => "text/html; charset=utf-8",
    };
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// Query of `GET /v1/admin/audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    purpose: String,
    at: String,
    class: Option<String>,
    format: Option<Format>,
}

/// `GET /v1/admin/audit?purpose=…&at=…[&class=…][&format=table|csv|html]`.
pub async fn audit(
    State(app): State<AppState>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let at = parse_instant(&query.at)?;
    let format = query.format.unwrap_or(Format::Table);
    let text = app
        .readers
        .read(move |archive| {
            let audit = archive.audit_purpose(&query.purpose, at, query.class.as_deref())?;
            report::audit(&audit, format).map_err(|e| ApiError::internal(&e))
        })
        .await?;
    Ok(report_response(text, format))
}

/// Query of `GET /v1/admin/requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    overdue: Option<bool>,
    format: Option<Format>,
}

/// `GET /v1/admin/requests[?overdue=true][&format=…]`.
pub async fn requests(
    State(app): State<AppState>,
    query: Result<Query<RequestsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let now = super::now()?;
    let format = query.format.unwrap_or(Format::Table);
    let text = app
        .readers
        .read(move |archive| {
            let rows: Vec<_> =
                archive.requests()?.into_iter().filter(|r| !query.overdue.unwrap_or(false) || r.overdue(now)).collect();
            report::requests(&rows, now, format).map_err(|e| ApiError::internal(&e))
        })
        .await?;
    Ok(report_response(text, format))
}

/// Body of `POST /v1/admin/decide`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    request: String,
    outcome: Outcome,
    reason: String,
}

/// `POST /v1/admin/decide` → the signed decision.
///
/// The body is read as every write's is (the family API's size limit, the body timeout, 400
/// `incomplete_body`), then parsed as JSON of [`DecideBody`]'s shape.
pub async fn decide(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(&app, &headers, body).await?;
    let body: DecideBody = serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_body(&e))?;
    let request = Digest::from_hex(&body.request)?;
    let now = super::now()?;
    let decision = app
        .writer
        .run(move |archive| Ok(archive.decide(request, body.outcome, &body.reason, now)?.bytes().to_vec()))
        .await?;
    Ok(signed_json(decision))
}

/// Query of `GET /v1/admin/export`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    student: String,
}

/// `GET /v1/admin/export?student=…` → the student's proof bundle.
pub async fn export(
    State(app): State<AppState>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let student =
        StudentId::try_from(query.student.as_str()).map_err(|e| ApiError::bad_request("bad_query", e.to_string()))?;
    let bundle = app.readers.read(move |archive| Ok(archive.export(&student)?)).await?;
    Ok(signed_json(bundle))
}

/// Query of `POST /v1/admin/roster`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    /// The school confirms that the birth dates the roster changes are corrections.
    #[serde(default)]
    confirm_birth_date_changes: bool,
}

/// `POST /v1/admin/roster[?confirm_birth_date_changes=true]` (CSV body, see
/// `verifier::archive::people`): imports the roster and, when the root key is in the data
/// directory (a demo; a real school keeps it offline and runs `verifier invite`), signs the
/// invitations and returns each person's link fragment. A changed birth date is refused (409)
/// unless confirmed.
pub async fn roster(
    State(app): State<AppState>,
    query: Result<Query<RosterQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let bytes = read_body_within(&app, &headers, body, MAX_ROSTER_BYTES).await?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("bad_roster", "the roster is not UTF-8"))?;
    let mut roster = Roster::parse(&text)?;
    if query.confirm_birth_date_changes {
        roster = roster.confirm_birth_date_changes();
    }
    let root_path = app.dir.join(keys::ROOT_KEY);
    if !root_path.exists() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "root_key_offline",
            "the root key is offline: run `verifier invite` where it is kept",
        ));
    }
    let root = keys::read_secret(&root_path).map_err(|e| ApiError::internal(&e))?;
    let now = super::now()?;
    let expires =
        Timestamp::from_unix(now.unix() + 30 * 86_400).ok_or_else(|| ApiError::internal(&"date out of range"))?;
    let invited =
        app.writer.run(move |archive| Ok(archive.invite(&roster, &root, expires, now, &mut rand_core::OsRng)?)).await?;
    let people: Vec<Value> = invited
        .iter()
        .map(|person| {
            json!({
                "student": person.student.as_str(),
                "person": person.person.as_str(),
                "role": person.role.name(),
                "name": person.name,
                "email": person.email,
                "fragment": format!("invitation={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(person.invitation.bytes())),
            })
        })
        .collect();
    Ok(Json(json!({ "invited": people })))
}
