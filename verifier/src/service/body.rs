//! What a write route takes as its body: the media type `openapi.json` gives it (415 otherwise,
//! before a byte of the body is read), at most so many bytes (413), in time (408), and whole
//! (400 when it ends before its declared length).

use super::error::ApiError;
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body the family API reads (one signed document, or an enrolment pair).
pub const MAX_BODY_BYTES: usize = 2 * shared::encoding::MAX_DOCUMENT_BYTES + 64;

/// The media type of signed objects and of the admin API's JSON bodies.
pub const JSON: &str = "application/json";
/// The media type of a roster.
pub const CSV: &str = "text/csv";

/// Route middleware: 415 unless the request's `Content-Type` is `expected`, parameters such as
/// `; charset=utf-8` aside (RFC 9110 §8.3.1: the type is case-insensitive).
pub async fn require_media_type(State(expected): State<&'static str>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = given.map(|value| value.split(';').next().unwrap_or_default().trim());
    if essence.is_some_and(|essence| essence.eq_ignore_ascii_case(expected)) {
        return next.run(request).await;
    }
    let given = given.map_or_else(|| "none".to_owned(), |v| format!("{v:?}"));
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("send the body as `Content-Type: {expected}` (got {given})"),
    )
    .into_response()
}

/// Reads a family-API body: see [`read_body_within`].
pub(crate) async fn read_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    read_body_within(state, headers, body, MAX_BODY_BYTES).await
}

/// Reads a body of at most `limit` bytes: 413 before reading anything when the declared length
/// is too large, and as soon as the bytes read pass the limit; 408 if it does not arrive in time;
/// 400 `incomplete_body` if it ends before its declared length (the client closed early) or
/// cannot be read — the client's fault, and no reason to send a smaller body.
pub(crate) async fn read_body_within(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let too_large =
        || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the body is over {limit} bytes"));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    match tokio::time::timeout(state.body_timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) if over_limit(&error) => Err(too_large()),
        Ok(Err(error)) => {
            tracing::debug!(%error, "a request body could not be read");
            Err(ApiError::bad_request(
                "incomplete_body",
                "the body ended before its Content-Length, or could not be read",
            ))
        }
        Err(_) => {
            Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "the request body took too long to arrive"))
        }
    }
}

/// Whether reading a body failed because it passed the length limit (`to_bytes` reads through
/// `http_body_util::Limited`), rather than because the connection failed or closed early.
fn over_limit(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// The body of `POST /v1/enrol` and `POST /v1/console/enrol`: an invitation and the enrolment
/// request answering it, each a signed object as a JSON value.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct EnrolBody {
    invitation: serde_json::Value,
    request: serde_json::Value,
}

/// The canonical bytes of the invitation and of the request an enrolment body carries.
pub(crate) fn enrolment_pair(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let body: EnrolBody = shared::encoding::decode_canonical(bytes)?;
    let canonical = |value: &serde_json::Value| {
        shared::encoding::to_canonical(value).map_err(|e| ApiError::bad_request("schema", e.to_string()))
    };
    Ok((canonical(&body.invitation)?, canonical(&body.request)?))
}
