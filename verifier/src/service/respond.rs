//! How answers carry signed objects, for every audience's routes: alone, as its canonical bytes
//! unchanged, so that the client verifies exactly what the archive signed; or inside a larger
//! answer as a JSON value.

use super::error::ApiError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A signed object's canonical bytes as a JSON response.
pub(super) fn signed_json(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// A signed object's canonical bytes as a value to place inside a larger JSON answer; a client
/// gets the signed bytes back by encoding it canonically, as `POST /v1/enrol` does with its body.
pub(super) fn object(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::internal(&e))
}
