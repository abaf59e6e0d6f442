//! RFC 9457 problem details: every error answer, with a stable `code`.
//!
//! Nothing internal ever reaches a caller: an [`Error::Internal`] is logged
//! and answered with a generic 500, and what the caller may not see is the
//! same 404 body as what does not exist.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use copkit_core::{Conflict, Error, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem answers.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The challenge every 401 carries: a bearer token (RFC 6750).
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"copkit\"";

/// One field a request got wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, as the request named it (`name`, `access.spaces`, `tags[2]`).
    pub field: String,
    /// A stable snake_case code (`too_short`, `control_character`, ...).
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// A stable snake_case code (`not_found`, `version_conflict`, ...).
    pub code: String,
    /// What happened, for people.
    pub detail: String,
    /// For invalid input: every field that is wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error answer: a status and a problem document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    problem: Box<Problem>,
    retry_after_secs: Option<u32>,
}

impl ApiError {
    /// A problem with `status`, `code` and `detail`.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            problem: Box::new(Problem {
                kind: format!("https://copkit.dev/problems/{code}"),
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                status: status.as_u16(),
                code: code.to_owned(),
                detail: detail.into(),
                errors: Vec::new(),
            }),
            retry_after_secs: None,
        }
    }

    /// 401: no identity (answered with [`WWW_AUTHENTICATE`]).
    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in: this request carries no valid identity.",
        )
    }

    /// 404, the same for what is missing and what is invisible.
    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such resource.")
    }

    /// 400 with a code.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 404 with code `deleted`: the resource was deleted (its tombstone
    /// stays in lists). Not 410, so a client treats it like any other
    /// missing resource unless it cares to tell the two apart.
    pub fn deleted() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "deleted", "This was deleted.")
    }

    /// 422 with one invalid field.
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("{field}: {message}"),
        );
        e.problem.errors.push(ProblemField {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        });
        e
    }

    /// 400 `invalid_query` listing the query parameters a use case found
    /// invalid (its field errors); any other error as usual.
    pub fn in_query(e: Error) -> Self {
        match e {
            Error::Invalid(errors) => {
                let mut api = ApiError::bad_request(
                    "invalid_query",
                    "Some query parameters are invalid; see `errors`.",
                );
                api.problem.errors = fields(errors);
                api
            }
            other => other.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem document.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

fn fields(errors: Vec<FieldError>) -> Vec<ProblemField> {
    errors
        .into_iter()
        .map(|f| ProblemField {
            field: f.field,
            code: f.code.to_owned(),
            message: f.message,
        })
        .collect()
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound => ApiError::not_found(),
            Error::Forbidden(reason) => {
                ApiError::new(StatusCode::FORBIDDEN, reason.code(), reason.to_string())
            }
            Error::Conflict(reason) => {
                ApiError::new(StatusCode::CONFLICT, reason.code(), reason.to_string())
            }
            // Bytes that are not what their content type says: 415.
            Error::Invalid(errors) if errors.iter().any(|e| e.code == "content_mismatch") => {
                let mut api = ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "The bytes are not what their content type says.",
                );
                api.problem.errors = fields(errors);
                api
            }
            Error::Invalid(errors) => {
                let mut api = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    "Some fields are invalid; see `errors`.",
                );
                api.problem.errors = fields(errors);
                api
            }
            Error::InvalidCursor => ApiError::bad_request(
                "invalid_cursor",
                "This cursor was altered or belongs to another list.",
            ),
            Error::RateLimited { retry_after_secs } => {
                let mut api = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "You did this too often lately; please wait before trying again.",
                );
                api.retry_after_secs = Some(retry_after_secs.max(1));
                api
            }
            Error::Unavailable { retry_after_secs } => {
                let mut api = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is busy; please retry shortly.",
                );
                api.retry_after_secs = Some(retry_after_secs.max(1));
                api
            }
            Error::Internal(message) => {
                tracing::error!(%message, "internal error");
                internal()
            }
            other => {
                tracing::error!(error = ?other, "unmapped error");
                internal()
            }
        }
    }
}

/// The codes the HTTP face answers with by itself (before or around a use
/// case), with their status and meaning; the use cases' own codes come
/// from [`Error::every_kind`]. Both are listed in the OpenAPI document
/// ([`problem_codes`]).
pub const HTTP_CODES: &[(&str, u16, &str)] = &[
    ("unauthorized", 401, "No valid identity."),
    (
        "deleted",
        404,
        "The resource was deleted (its tombstone stays in lists).",
    ),
    (
        "method_not_allowed",
        405,
        "The path does not take this method.",
    ),
    ("malformed_json", 400, "The body is not JSON."),
    (
        "invalid_body",
        422,
        "The JSON does not fit the operation's schema (an unknown field, a wrong type, a missing field).",
    ),
    ("unreadable_body", 400, "The body could not be read."),
    (
        "invalid_query",
        400,
        "A query parameter is malformed or out of range.",
    ),
    (
        "invalid_if_match",
        400,
        "`If-Match` is not an entity tag of this API.",
    ),
    (
        "if_match_required",
        400,
        "This change needs the `If-Match` of the version read.",
    ),
    (
        "invalid_idempotency_key",
        400,
        "`Idempotency-Key` is not 8–128 of `A-Z a-z 0-9 _ -`.",
    ),
    (
        "idempotency_key_reused",
        422,
        "The key was used for a different request.",
    ),
    (
        "idempotency_in_progress",
        409,
        "A request with this key is still running.",
    ),
    (
        "invalid_digest",
        400,
        "`Content-Digest` is not a SHA-256 digest.",
    ),
    (
        "payload_too_large",
        413,
        "The body is larger than the operation takes.",
    ),
    (
        "unsupported_media_type",
        415,
        "The content type is not accepted here.",
    ),
];

/// Every problem code an answer may carry, with its status and meaning:
/// one per kind of [`Error`] (as [`ApiError::from`] answers it) and the
/// HTTP face's own ([`HTTP_CODES`]), sorted by code.
pub fn problem_codes() -> Vec<(String, u16, String)> {
    let mut codes: Vec<(String, u16, String)> = Error::every_kind()
        .into_iter()
        .map(|kind| {
            let detail = match &kind {
                Error::Internal(_) => "Something went wrong on our side.".to_owned(),
                Error::Invalid(_) => "Some fields are invalid; see `errors`.".to_owned(),
                Error::Conflict(Conflict::RequestCooldown { .. }) => {
                    "A denied request may be repeated only after a cool-down.".to_owned()
                }
                Error::Conflict(Conflict::HandOverFirst { .. }) => {
                    "You are a community's last owner: hand ownership over first.".to_owned()
                }
                other => other.to_string(),
            };
            let api = ApiError::from(kind);
            (api.problem.code.clone(), api.status.as_u16(), detail)
        })
        .collect();
    codes.extend(
        HTTP_CODES
            .iter()
            .map(|(code, status, meaning)| ((*code).to_owned(), *status, (*meaning).to_owned())),
    );
    codes.sort();
    codes.dedup_by(|a, b| a.0 == b.0);
    codes
}

/// 500 with no detail.
pub fn internal() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side.",
    )
}

/// An answer that could not be written as JSON (it cannot happen with
/// copkit's types; a 500 if it ever did).
impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "writing an answer's JSON");
        internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(self.problem.as_ref()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        // RFC 6750: a 401 names the scheme that would have worked.
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(WWW_AUTHENTICATE),
            );
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::{Conflict, Forbidden};

    #[test]
    fn statuses_and_codes_follow_the_design() {
        let cases = [
            (Error::NotFound, 404, "not_found"),
            (Error::Forbidden(Forbidden::OwnersOnly), 403, "owners_only"),
            (Error::Conflict(Conflict::LastOwner), 409, "last_owner"),
            (Error::Invalid(vec![]), 422, "invalid_input"),
            (Error::InvalidCursor, 400, "invalid_cursor"),
            (
                Error::RateLimited {
                    retry_after_secs: 30,
                },
                429,
                "rate_limited",
            ),
            (
                Error::Unavailable {
                    retry_after_secs: 2,
                },
                503,
                "unavailable",
            ),
            (
                Error::Internal("dynamodb table copkit-prod".into()),
                500,
                "internal",
            ),
        ];
        for (error, status, code) in cases {
            let api = ApiError::from(error);
            assert_eq!(api.status().as_u16(), status);
            assert_eq!(api.problem().code, code);
            assert!(!api.problem().detail.contains("copkit-prod"));
        }
    }

    #[test]
    fn unavailable_and_rate_limited_carry_retry_after() {
        let response = ApiError::from(Error::Unavailable {
            retry_after_secs: 3,
        })
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let response = ApiError::from(Error::RateLimited {
            retry_after_secs: 0,
        })
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
