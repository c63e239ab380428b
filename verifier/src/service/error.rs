//! Every error the service returns: JSON `{"error": {"code": "…", "message": "…"}}` with a stable
//! `code` a client can act on. A 4xx says exactly what was wrong with the input; a 5xx says only
//! that the service could not do it now, and the details go to the log.

use crate::archive::{ArchiveError, RosterError};
use crate::audit::AuditError;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::encoding::DecodeError;
use shared::envelope::SignatureError;
use shared::primitives::HexError;
use shared::trust::TrustError;
use shared::OpenError;

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code, documented in `openapi.json`.
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

impl ApiError {
    /// An admin JSON body that is not JSON (400) or not of the route's shape (422): `bad_body`.
    pub fn bad_body(error: &serde_json::Error) -> ApiError {
        let status = if error.is_data() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::BAD_REQUEST };
        ApiError::new(status, "bad_body", error.to_string())
    }

    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 503: something the request needs is unavailable right now; `message` says what, and that
    /// nothing was done, so the client may retry later. The cause is logged.
    pub fn unavailable(code: &'static str, message: &str, detail: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%detail, code, "unavailable");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    /// 503: the archive cannot write now (disk full, read-only); nothing was acknowledged.
    pub fn storage_unavailable(detail: &dyn std::fmt::Display) -> ApiError {
        ApiError::unavailable(
            "storage_unavailable",
            "the archive cannot store anything right now; nothing was acknowledged, please retry later",
            detail,
        )
    }

    /// 500, logged in full, generic to the client.
    pub fn internal(detail: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("bad_query", rejection.body_text())
    }
}

/// A hash in a query or a body that is not 64 lowercase hex digits.
impl From<HexError> for ApiError {
    fn from(error: HexError) -> ApiError {
        ApiError::bad_request("bad_query", error.to_string())
    }
}

impl From<DecodeError> for ApiError {
    fn from(error: DecodeError) -> ApiError {
        let code = match &error {
            DecodeError::TooLarge { .. } => {
                return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", error.to_string())
            }
            DecodeError::Syntax { .. } => "malformed_json",
            DecodeError::TrailingBytes { .. } => "trailing_bytes",
            DecodeError::DuplicateKey { .. } => "duplicate_key",
            DecodeError::UnknownField { .. } => "unknown_field",
            DecodeError::NotCanonical { .. } => "not_canonical",
            _ => "schema",
        };
        ApiError::bad_request(code, error.to_string())
    }
}

impl From<OpenError> for ApiError {
    fn from(error: OpenError) -> ApiError {
        match error {
            OpenError::Decode(decode) => decode.into(),
            OpenError::WrongKind { .. } => ApiError::bad_request("wrong_kind", error.to_string()),
            OpenError::Invalid(_) => ApiError::bad_request("invalid_content", error.to_string()),
            OpenError::Signature(SignatureError::BadSignature(_)) => {
                ApiError::bad_request("bad_signature", error.to_string())
            }
            OpenError::Signature(SignatureError::WrongSigner { .. }) => {
                ApiError::bad_request("wrong_signer", error.to_string())
            }
            OpenError::Signature(_) => ApiError::bad_request("bad_key", error.to_string()),
            other => ApiError::bad_request("invalid", other.to_string()),
        }
    }
}

impl From<TrustError> for ApiError {
    fn from(error: TrustError) -> ApiError {
        let code = match &error {
            TrustError::Open(open) => return open.clone().into(),
            TrustError::WrongSchool { .. } => "wrong_school",
            TrustError::NotDelegated { .. } => "not_delegated",
            TrustError::Expired { .. } => {
                return ApiError::new(StatusCode::GONE, "invitation_expired", error.to_string())
            }
            TrustError::WeakKey(_) => "weak_key",
            TrustError::Mismatch { .. } => "mismatch",
            TrustError::UnknownPurpose(_) => "unknown_purpose",
            TrustError::CertificateExpired { .. } => {
                return ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", error.to_string())
            }
            TrustError::OutOfScope { .. } => {
                return ApiError::new(StatusCode::FORBIDDEN, "forbidden", error.to_string())
            }
            // `TrustError` may grow (it is `shared`'s, and non-exhaustive): still a refusal.
            _ => "invalid",
        };
        ApiError::bad_request(code, error.to_string())
    }
}

impl From<ArchiveError> for ApiError {
    fn from(error: ArchiveError) -> ApiError {
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code, error.to_string());
        match &error {
            ArchiveError::Trust(trust) => trust.clone().into(),
            ArchiveError::UnknownSigner(_) => ApiError::bad_request("unknown_signer", error.to_string()),
            ArchiveError::UnknownForm(_) => ApiError::bad_request("unknown_form", error.to_string()),
            ArchiveError::Replay { .. } => conflict("replay"),
            ArchiveError::InvitationUsed(_) => conflict("invitation_used"),
            ArchiveError::UnknownCode => ApiError::new(StatusCode::NOT_FOUND, "unknown_code", error.to_string()),
            ArchiveError::InvitationRevoked(_) => {
                ApiError::new(StatusCode::GONE, "invitation_revoked", error.to_string())
            }
            ArchiveError::FormOutOfSequence { .. } => conflict("form_out_of_sequence"),
            ArchiveError::AlreadyDecided(_) => conflict("already_decided"),
            ArchiveError::UnknownRequest(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_request", error.to_string())
            }
            ArchiveError::Invalid(_) => ApiError::bad_request("invalid_content", error.to_string()),
            ArchiveError::NoForm => ApiError::new(StatusCode::NOT_FOUND, "no_form", error.to_string()),
            ArchiveError::KeyNotDelegated(_) => ApiError::unavailable(
                "storage_unavailable",
                "the archive cannot sign anything right now; nothing was acknowledged, please retry later",
                &error,
            ),
            ArchiveError::LogBehind { .. } | ArchiveError::LogForked { .. } | ArchiveError::LedgerMissing => ApiError::unavailable(
                "log_behind",
                "the school's archive is being restored from a backup; nothing was acknowledged, please retry later",
                &error,
            ),
            ArchiveError::Incomplete { .. } => conflict("record_incomplete"),
            ArchiveError::NotLogged(_) => ApiError::new(StatusCode::NOT_FOUND, "not_logged", error.to_string()),
            ArchiveError::NotGivenBack(_) => ApiError::bad_request("not_given_back", error.to_string()),
            ArchiveError::UnknownStaffInvitation(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_staff_invitation", error.to_string())
            }
            ArchiveError::UnknownStaffCertificate(_) | ArchiveError::StaffRevoked(_) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", error.to_string())
            }
            ArchiveError::UnknownStudent(_) => ApiError::new(StatusCode::NOT_FOUND, "unknown_student", error.to_string()),
            ArchiveError::NotInRoster { .. } => ApiError::bad_request("not_in_roster", error.to_string()),
            ArchiveError::NotOfFamily { .. } => ApiError::bad_request("not_of_family", error.to_string()),
            ArchiveError::UnknownStaff(_) => ApiError::new(StatusCode::NOT_FOUND, "unknown_staff", error.to_string()),
            e if e.is_storage() => ApiError::storage_unavailable(&error),
            _ => ApiError::internal(&error),
        }
    }
}

impl From<RosterError> for ApiError {
    fn from(error: RosterError) -> ApiError {
        match error {
            RosterError::Archive(archive) => archive.into(),
            RosterError::BirthDateChanged(_) => ApiError::new(
                StatusCode::CONFLICT,
                "birth_date_changed",
                format!("{error}: add ?confirm_birth_date_changes=true"),
            ),
            other => ApiError::bad_request("bad_roster", other.to_string()),
        }
    }
}

impl From<AuditError> for ApiError {
    fn from(error: AuditError) -> ApiError {
        match error {
            AuditError::Archive(archive) => archive.into(),
            other => ApiError::bad_request("bad_query", other.to_string()),
        }
    }
}
