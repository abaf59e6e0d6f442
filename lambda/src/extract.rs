//! Extractors and response wrappers that turn every malformed request into
//! a problem answer and put `ETag` / `Location` on the way out.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use copkit_core::model::{Cursor, PageRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::problem::ApiError;

/// A JSON body; malformed JSON is 400, a wrong shape (unknown fields, wrong
/// types, missing fields) 422, a missing JSON content type 415, a body over
/// the limit 413.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.body_text(),
            )),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(ApiError::bad_request(
                "malformed_json",
                "The body is not valid JSON.",
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json.",
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(too_large())
            }
            Err(e) => Err(ApiError::bad_request("unreadable_body", e.body_text())),
        }
    }
}

/// 413.
pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The body is larger than this endpoint accepts.",
    )
}

/// Path parameters; anything that does not parse (a malformed id) is 404,
/// like an id that does not exist.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::not_found()),
            Err(_) => Err(ApiError::not_found()),
        }
    }
}

/// Query parameters; unknown or malformed ones are 400.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::bad_request("invalid_query", e.body_text()))
            }
            Err(e) => Err(ApiError::bad_request("invalid_query", e.body_text())),
        }
    }
}

/// `?limit=&cursor=` for every list.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page (opaque; bound to this list).
    #[param(min_length = 1, max_length = 1024)]
    pub cursor: Option<String>,
}

impl Paging {
    /// The core page request; a limit outside 1–100 is 400.
    pub fn request(self) -> Result<PageRequest, ApiError> {
        if self.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            return Err(ApiError::bad_request(
                "invalid_query",
                "limit must be 1 to 100",
            ));
        }
        if self
            .cursor
            .as_ref()
            .is_some_and(|c| c.is_empty() || c.len() > 1024)
        {
            return Err(ApiError::bad_request(
                "invalid_cursor",
                "This cursor is not valid for this list.",
            ));
        }
        Ok(PageRequest {
            limit: self.limit,
            cursor: self.cursor.map(Cursor),
        })
    }
}

/// The version an update was based on, from `If-Match: "N"` (or the tag a
/// GET answered, `"N.<digest>"`: only the version is compared).
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub u64);

/// The `If-Match` pattern the OpenAPI document declares.
pub const IF_MATCH_PATTERN: &str = r#"^(?:W/)?"[0-9]{1,15}(?:\.[0-9a-f]{32})?"$"#;

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Err(ApiError::bad_request(
                "if_match_required",
                "Send If-Match with the ETag you read: updates never overwrite blindly.",
            ));
        };
        parse_if_match(value).map(IfMatch).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_if_match",
                "If-Match must be an ETag such as \"3\".",
            )
        })
    }
}

fn parse_if_match(value: &HeaderValue) -> Option<u64> {
    let text = value.to_str().ok()?;
    let text = text.strip_prefix("W/").unwrap_or(text);
    let tag = text.strip_prefix('"')?.strip_suffix('"')?;
    let inner = match tag.split_once('.') {
        Some((version, digest))
            if digest.len() == 32
                && digest
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            version
        }
        Some(_) => return None,
        None => tag,
    };
    if inner.is_empty() || inner.len() > 15 || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok()
}

/// The `ETag` of a version.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// A JSON body with its `ETag`.
#[derive(Debug)]
pub struct Tagged<T>(pub u64, pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.1).into_response();
        response.headers_mut().insert(header::ETAG, etag(self.0));
        response
    }
}

/// 201 Created with `Location`, an optional `ETag`, and the JSON body.
#[derive(Debug)]
pub struct Created<T> {
    /// Where the new resource lives.
    pub location: String,
    /// Its version, when it has one.
    pub version: Option<u64>,
    /// The body.
    pub body: T,
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.location) {
            headers.insert(header::LOCATION, v);
        }
        if let Some(version) = self.version {
            headers.insert(header::ETAG, etag(version));
        }
        (StatusCode::CREATED, headers, Json(self.body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_strong_and_weak_etags_only() {
        let parse = |s: &str| parse_if_match(&HeaderValue::from_str(s).unwrap());
        assert_eq!(parse("\"3\""), Some(3));
        assert_eq!(parse("W/\"12\""), Some(12));
        let read = format!("\"7.{}\"", "0a".repeat(16));
        assert_eq!(parse(&read), Some(7));
        for bad in [
            "3",
            "\"\"",
            "\"x\"",
            "*",
            "\"1\", \"2\"",
            "\"1234567890123456\"",
            "\"1.abc\"",
            "\".0123456789abcdef0123456789abcdef\"",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let pattern = regex::Regex::new(IF_MATCH_PATTERN).unwrap();
        assert!(pattern.is_match("\"3\"") && pattern.is_match("W/\"3\"") && !pattern.is_match("3"));
        assert!(pattern.is_match(&read) && !pattern.is_match("\"1.abc\""));
    }
}

/// `?from=&to=`: a period of whole days (UTC) for a report, checked before
/// anything else: both days between 2000-01-01 and 2100-12-31, `from` not
/// after `to`, at most 366 days (else 400 `invalid_query` naming the
/// parameter; nothing is cut silently).
#[derive(Debug, Clone, Copy, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Days {
    /// First day, `YYYY-MM-DD` (2000-01-01 to 2100-12-31).
    #[param(value_type = String, format = Date, pattern = r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$")]
    pub from: jiff::civil::Date,
    /// Last day, `YYYY-MM-DD` (2000-01-01 to 2100-12-31, not before `from`,
    /// at most 365 days after it).
    #[param(value_type = String, format = Date, pattern = r"^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$")]
    pub to: jiff::civil::Date,
}

impl Days {
    /// The period, once checked.
    pub fn checked(self) -> Result<Days, ApiError> {
        copkit_core::service::check_period(self.from, self.to).map_err(ApiError::in_query)?;
        Ok(self)
    }
}
