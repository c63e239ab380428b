//! The staff console's API (`/v1/console/…`; shapes in `shared::console`, views in
//! [`crate::console`]). `POST /v1/console/enrol` turns a staff invitation and a key into a
//! certificate; every other route is behind [`authorize`]: `Authorization: Staff <base64url of a
//! signed staff-request/1>` answering a fresh challenge from `GET /v1/challenge`, signed by the key
//! of an unrevoked, unexpired staff certificate, for exactly this method, path and query, and body.

use super::body::{enrolment_pair, read_body};
use super::challenges::Refused;
use super::error::ApiError;
use super::respond::signed_json;
use super::AppState;
use crate::console::{self, ConsoleError};
use crate::remind::{self, Kinds};
use crate::report;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use shared::console::{RemindRequest, Reminded, AUTHORIZATION_SCHEME};
use shared::objects::{self, StaffCertificate};
use shared::primitives::Digest;
use shared::trust::Verified;
use std::sync::Arc;

/// The caller, as their signed request proved them: what every guarded handler is given.
#[derive(Clone)]
pub struct Caller(pub Arc<Verified<StaffCertificate>>);

impl From<ConsoleError> for ApiError {
    fn from(error: ConsoleError) -> ApiError {
        match error {
            ConsoleError::OutOfScope(why) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", why),
            ConsoleError::BadQuery(why) => ApiError::bad_request("bad_query", why),
            ConsoleError::NoConsentPage => {
                ApiError::new(StatusCode::CONFLICT, "no_consent_page", ConsoleError::NoConsentPage.to_string())
            }
            ConsoleError::Letters(letters) => ApiError::internal(&letters),
            ConsoleError::Audit(audit) => audit.into(),
            ConsoleError::Archive(archive) => archive.into(),
        }
    }
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// The guard of every console route but enrolment. Checks, in this order, so that nobody can burn
/// another's challenge: the header; the challenge is this service's and unexpired; the signature
/// under an unrevoked, unexpired certificate in the log; the signed method, path and query, and
/// body hash are this call's; then redeems the challenge. The body (within the family API's
/// limits) is read here to hash it, and handed on.
pub async fn authorize(State(app): State<AppState>, request: Request, next: Next) -> Response {
    match authorized(&app, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn authorized(app: &AppState, request: Request) -> Result<Request, ApiError> {
    let credentials = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let encoded = credentials
        .strip_prefix(AUTHORIZATION_SCHEME)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| unauthorized("send `Authorization: Staff <signed staff request, base64url>`"))?;
    let signed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim())
        .map_err(|_| unauthorized("the credentials are not base64url"))?;
    let unverified = shared::decode::<objects::StaffRequest>(&signed).map_err(|e| unauthorized(e.to_string()))?;
    let challenge = unverified.unverified_body().challenge;
    app.challenges.check(&challenge, super::now()?).map_err(refused_challenge)?;
    let now = super::now()?;
    let (certificate, signed_request) = app
        .readers
        .read(move |archive| {
            archive.staff_call(&signed, now).map_err(|error| {
                // Anything wrong with the credentials is a 401; the service's own failures stay 5xx.
                let error = ApiError::from(error);
                if error.status.is_client_error() {
                    unauthorized(error.message)
                } else {
                    error
                }
            })
        })
        .await?;
    let (parts, body) = request.into_parts();
    let bytes = read_body(app, &parts.headers, body).await?;
    let call = signed_request.body();
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |original| original.0.clone())
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let method = match parts.method {
        Method::GET => objects::Method::Get,
        Method::POST => objects::Method::Post,
        _ => return Err(unauthorized("the console takes GET and POST only")),
    };
    let body = (!bytes.is_empty()).then(|| Digest::of(&bytes));
    if call.method != method || call.path != path || call.body != body {
        return Err(unauthorized("the signed request is for another call: sign this method, path and body"));
    }
    app.challenges.redeem(&challenge, super::now()?).map_err(refused_challenge)?;
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(Caller(Arc::new(certificate)));
    Ok(request)
}

fn refused_challenge(refused: Refused) -> ApiError {
    match refused {
        Refused::Full => {
            ApiError::unavailable("busy", "too many signed calls in the last minutes; retry soon", &refused)
        }
        other => unauthorized(other.to_string()),
    }
}

/// `POST /v1/console/enrol`: a staff invitation and the proof of the key the browser generated →
/// the archive's staff certificate.
pub async fn enrol(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let (invitation, request) = enrolment_pair(&read_body(&app, &headers, body).await?)?;
    let now = super::now()?;
    let certificate =
        app.writer.run(move |archive| Ok(archive.enrol_staff(&invitation, &request, now)?.bytes().to_vec())).await?;
    Ok(signed_json(certificate))
}

/// `GET /v1/console/me`.
pub async fn me(State(app): State<AppState>, Extension(caller): Extension<Caller>) -> Result<Json<Value>, ApiError> {
    view(&app, move |archive| json(&console::me(archive, &caller.0)?)).await
}

/// `GET /v1/console/overview`.
pub async fn overview(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    let now = super::now()?;
    view(&app, move |archive| json(&console::overview(archive, &caller.0, now)?)).await
}

/// The `format` a list may be downloaded in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    format: Option<ListFormat>,
}

/// JSON for the console's tables, CSV for the school's mailing tool and photographer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ListFormat {
    Json,
    Csv,
}

/// `GET /v1/console/not-answered[?format=csv]`.
pub async fn not_answered(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let now = super::now()?;
    let list = app.readers.read(move |archive| Ok(console::not_answered(archive, &caller.0, now)?)).await?;
    match query.format {
        Some(ListFormat::Csv) => csv(report::not_answered_csv(&list), "not-answered.csv"),
        _ => Ok(Json(json(&list)?).into_response()),
    }
}

/// Query of `GET /v1/console/letters`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LettersQuery {
    class: Option<String>,
}

/// `GET /v1/console/letters[?class=…]`: the printable letters (HTML, one A4 page each) for the
/// invitations still usable, which the console opens for printing. Holds the families' codes.
pub async fn letters(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<LettersQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let now = super::now()?;
    let page =
        app.readers.read(move |archive| Ok(console::letters(archive, &caller.0, query.class.as_deref(), now)?)).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

/// Query of `GET /v1/console/photo-check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoCheckQuery {
    class: String,
    purpose: String,
    date: String,
    format: Option<ListFormat>,
}

/// `GET /v1/console/photo-check?class=…&purpose=…&date=YYYY-MM-DD[&format=csv]`.
pub async fn photo_check(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<PhotoCheckQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let now = super::now()?;
    let format = query.format;
    let check = app
        .readers
        .read(move |archive| {
            Ok(console::photo_check(archive, &caller.0, &query.class, &query.purpose, &query.date, now)?)
        })
        .await?;
    match format {
        Some(ListFormat::Csv) => csv(report::photo_check_csv(&check), "photo-check.csv"),
        _ => Ok(Json(json(&check)?).into_response()),
    }
}

/// `GET /v1/console/requests`.
pub async fn requests(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    view(&app, move |archive| json(&console::requests(archive, &caller.0)?)).await
}

/// `POST /v1/console/decide`: a signed staff decision, by the caller → the archive's signed
/// decision carrying it out, which the requester's widget shows. Whether the caller's role may
/// decide is the trust store's rule (`TrustStore::staff_decision`: 403 `forbidden` otherwise).
pub async fn decide(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = own_signed::<objects::StaffDecision>(&caller, body).await?;
    let now = super::now()?;
    let decided = app.writer.run(move |archive| Ok(archive.decide_as_staff(&bytes, now)?.bytes().to_vec())).await?;
    Ok(signed_json(decided))
}

/// `POST /v1/console/paper`: a paper slip the caller recorded and signed → the archive's
/// acknowledgement of it, once logged. Whether the caller's role may record slips is the trust
/// store's rule (`TrustStore::paper_record`: 403 `forbidden` otherwise); who signed the slip must
/// be in the roster (400 `not_of_family`).
pub async fn paper(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = own_signed::<objects::PaperRecord>(&caller, body).await?;
    let now = super::now()?;
    let ack = app.writer.run(move |archive| Ok(archive.record_paper(&bytes, now)?.bytes().to_vec())).await?;
    Ok(signed_json(ack))
}

/// The body of a call that submits an object the caller's staff key signed: it must name the
/// caller's own certificate, so that no one submits what another staff member signed as theirs.
async fn own_signed<T: shared::SignedObject + StaffSigned>(caller: &Caller, body: Body) -> Result<Vec<u8>, ApiError> {
    // The guard read the body within the limits and handed it on.
    let bytes = axum::body::to_bytes(body, super::MAX_BODY_BYTES).await.map_err(|e| ApiError::internal(&e))?.to_vec();
    let object = shared::decode::<T>(&bytes)?;
    if object.unverified_body().certificate() != caller.0.hash() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "sign with your own certificate"));
    }
    Ok(bytes)
}

/// What a staff key signs for the archive to log, naming the signer's certificate.
trait StaffSigned {
    fn certificate(&self) -> Digest;
}

impl StaffSigned for objects::StaffDecision {
    fn certificate(&self) -> Digest {
        self.certificate
    }
}

impl StaffSigned for objects::PaperRecord {
    fn certificate(&self) -> Digest {
        self.certificate
    }
}

/// `POST /v1/console/remind` (DPO and director): reminds everyone who has not answered, or must
/// confirm again, in the class the body names or the whole school — by e-mail when `verifier serve`
/// has `--smtp`, else on the list it answers with — and records each reminder. The reminders are
/// found on a reader, sent on a blocking thread (an SMTP server may be slow; the writer must not
/// wait for it) and recorded by the writer.
pub async fn remind(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    console::may_remind(&caller.0)?;
    let bytes = axum::body::to_bytes(body, super::MAX_BODY_BYTES).await.map_err(|e| ApiError::internal(&e))?;
    let request: RemindRequest = serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_body(&e))?;
    let consent_page = app.reminders.consent_page.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "reminders_not_configured",
            "reminders need the consent page's address: start verifier serve with --consent-page URL \
             (and --smtp and --mail-from to send them by e-mail)",
        )
    })?;
    let now = super::now()?;
    let reminders = app
        .readers
        .read(move |archive| Ok(archive.reminders(now, request.class.as_deref(), Kinds::ALL, &consent_page)?))
        .await?;
    let mailer = app.reminders.mailer.clone();
    let (reminders, delivery) = tokio::task::spawn_blocking(move || {
        let delivery = remind::deliver(&reminders, mailer.as_ref());
        (reminders, delivery)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let records = remind::records(&reminders, &delivery);
    app.writer.run(move |archive| Ok(archive.record_messages(&records, now)?)).await?;
    let listed = delivery.on_the_list();
    let list = (!listed.is_empty() || !reminders.uninvited.is_empty())
        .then(|| report::reminders_csv(&reminders, &listed))
        .transpose()
        .map_err(|e| ApiError::internal(&e))?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    json(&Reminded {
        emailed: count(delivery.emailed.len()),
        listed: count(delivery.listed.len()),
        failed: count(delivery.failed.len()),
        uninvited: count(reminders.uninvited.len()),
        list,
    })
    .map(Json)
}

/// Query of `GET /v1/console/students`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudentsQuery {
    class: String,
}

/// `GET /v1/console/students?class=…`.
pub async fn students(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<StudentsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    view(&app, move |archive| json(&console::students(archive, &caller.0, &query.class)?)).await
}

/// Query of `GET /v1/console/student`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudentQuery {
    id: String,
}

/// Query of `GET /v1/console/export`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    student: String,
}

/// `GET /v1/console/student?id=…`.
pub async fn student(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<StudentQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let now = super::now()?;
    view(&app, move |archive| json(&console::student(archive, &caller.0, &query.id, now)?)).await
}

/// `GET /v1/console/export?student=…`: the proof bundle, which `verifier verify` checks offline.
pub async fn export(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let bundle = app.readers.read(move |archive| Ok(console::export(archive, &caller.0, &query.student)?)).await?;
    Ok(signed_json(bundle))
}

/// A view computed on a reader.
async fn view(
    app: &AppState,
    read: impl FnOnce(&crate::archive::Archive) -> Result<Value, ApiError> + Send + 'static,
) -> Result<Json<Value>, ApiError> {
    app.readers.read(read).await.map(Json)
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(&e))
}

fn csv(text: Result<String, csv::Error>, name: &str) -> Result<Response, ApiError> {
    let text = text.map_err(|e| ApiError::internal(&e))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        text,
    )
        .into_response())
}
