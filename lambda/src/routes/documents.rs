//! The document library. Uploads send the bytes as the request body and the
//! details in the query. The document's type (on the library's allow-list)
//! is the `Content-Type` header, or the `content_type` query parameter when
//! the header is `application/octet-stream` (what generated clients send);
//! the bytes must look like that type. An optional RFC 9530
//! `Content-Digest: sha-256=:…:` header is checked against the bytes.
//! Downloads answer the bytes with their content type and digest.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use copkit_core::model::{Document, DocumentVersion, Page};
use copkit_core::service::{DocumentChanges, NewDocument, NewVersion};
use serde::Deserialize;
use utoipa::IntoParams;

use super::api_router::{ApiRouter, routes};
use super::{DocumentPath, NO_CONTENT, NoContent, SpacePath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, IfMatch, Paging, Tagged, too_large};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The largest document version the HTTP API takes, in bytes.
pub const MAX_UPLOAD: usize = 50 * 1024 * 1024;

pub(super) fn routes() -> ApiRouter {
    let upload_limit = axum::extract::DefaultBodyLimit::max(MAX_UPLOAD);
    let (describe, path, method) = routes!(list, upload);
    let (v_describe, v_path, v_method) = routes!(list_versions, add_version);
    ApiRouter::new()
        .routes((describe, path, method.layer(upload_limit)))
        .routes((v_describe, v_path, v_method.layer(upload_limit)))
        .routes(routes!(get_document, update, delete))
        .routes(routes!(content))
}

/// The raw bytes of an upload with the type its header declares and its
/// optional digest; [`Upload::typed`] settles and checks the type.
#[derive(Debug)]
pub struct Upload {
    header_type: String,
    sha256: Option<String>,
    bytes: Vec<u8>,
}

/// The `Content-Type` of a body that says nothing about what it holds.
const UNTYPED: &str = "application/octet-stream";

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let header_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase()
            })
            .unwrap_or_default();
        if header_type != UNTYPED && !is_accepted(&header_type) {
            return Err(unsupported(
                "This library does not accept that content type.",
            ));
        }
        let sha256 = match headers.get("content-digest") {
            None => None,
            Some(v) => Some(parse_digest(v).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_digest",
                    "Content-Digest must be sha-256=:<base64>:",
                )
            })?),
        };
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| too_large())?;
        Ok(Upload {
            header_type,
            sha256,
            bytes: bytes.to_vec(),
        })
    }
}

/// An upload whose type is settled and matches its bytes.
#[derive(Debug)]
pub struct TypedUpload {
    content_type: String,
    sha256: Option<String>,
    bytes: Vec<u8>,
}

impl Upload {
    /// Settles the document's type: the `content_type` query parameter when
    /// the header is `application/octet-stream`, else the header (a query
    /// parameter that names another type is refused). The bytes must look
    /// like that type.
    pub fn typed(self, query_type: Option<&str>) -> ApiResult<TypedUpload> {
        let query_type = query_type.map(str::to_lowercase);
        let content_type = match (self.header_type.as_str(), query_type) {
            (UNTYPED, None) => {
                return Err(unsupported(
                    "Say the document's type: a Content-Type on the allow-list, or content_type in the query.",
                ));
            }
            (UNTYPED, Some(named)) => named,
            (header, Some(named)) if named != header => {
                return Err(ApiError::bad_request(
                    "invalid_query",
                    "content_type names another type than the Content-Type header",
                ));
            }
            (header, _) => header.to_owned(),
        };
        if !is_accepted(&content_type) {
            return Err(unsupported(
                "This library does not accept that content type.",
            ));
        }
        if !copkit_core::blob::content_matches(&content_type, &self.bytes) {
            return Err(unsupported(format!("The bytes are not {content_type}.")));
        }
        Ok(TypedUpload {
            content_type,
            sha256: self.sha256,
            bytes: self.bytes,
        })
    }
}

fn is_accepted(content_type: &str) -> bool {
    copkit_core::service::DEFAULT_CONTENT_TYPES.contains(&content_type)
}

fn unsupported(detail: impl Into<String>) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        detail,
    )
}

/// `sha-256=:<base64>:` → lower-case hex.
fn parse_digest(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    text.split(',').find_map(|part| {
        let b64 = part.trim().strip_prefix("sha-256=:")?.strip_suffix(':')?;
        let bytes = STANDARD.decode(b64).ok()?;
        (bytes.len() == 32).then(|| hex::encode(bytes))
    })
}

/// The details of a new document.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Title, 3–200 characters.
    #[param(format = "copkit:line", min_length = 3, max_length = 200)]
    pub title: String,
    /// Description, up to 2,000 characters.
    #[param(format = "copkit:text", max_length = 2000)]
    pub description: Option<String>,
    /// Up to 10 comma-separated tags.
    #[param(format = "copkit:tag-list")]
    pub tags: Option<String>,
    /// The document's type, when the body is sent as
    /// `application/octet-stream`.
    #[param(format = "copkit:content-type")]
    pub content_type: Option<String>,
}

/// A space's library, most recently updated first.
#[utoipa::path(get, path = "/spaces/{id}/documents", tag = "documents", params(SpacePath, Paging),
    responses((status = 200, description = "A page of documents", body = Page<Document>)))]
async fn list(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Document>>> {
    Ok(Json(
        s.copkit
            .list_documents(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// Adds a document: the body is the bytes, their type the `Content-Type`
/// header or, under `application/octet-stream`, the `content_type` query
/// parameter.
#[utoipa::path(post, path = "/spaces/{id}/documents", tag = "documents",
    params(SpacePath, UploadQuery, crate::openapi::IdempotencyKeyHeader),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The document's bytes, sent either with their own `Content-Type` (one of those `content_type` lists) or as `application/octet-stream` with `content_type` in the query"),
    responses((status = 201, description = "Added", body = Document,
        headers(("Location" = String, description = "The new document"), ("ETag" = String, description = "Its version")))))]
async fn upload(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    upload: Upload,
) -> ApiResult<Created<Document>> {
    let upload = upload.typed(q.content_type.as_deref())?;
    let tags = q
        .tags
        .filter(|t| !t.is_empty())
        .map(|t| t.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let document = s
        .copkit
        .upload_document(
            &me,
            &p.id,
            NewDocument {
                title: q.title,
                description: q.description.unwrap_or_default(),
                tags,
                content_type: upload.content_type,
                sha256: upload.sha256,
                bytes: upload.bytes,
            },
        )
        .await?;
    Ok(Created {
        location: format!("/documents/{}", document.id),
        version: Some(document.version),
        body: document,
    })
}

/// One document's details.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(DocumentPath),
    responses((status = 200, description = "The document", body = Document,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_document(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
) -> ApiResult<Tagged<Document>> {
    let d = s.copkit.get_document(&me, &p.id).await?;
    Ok(Tagged(d.version, d))
}

/// Changes a document's details (its uploader or a moderator).
#[utoipa::path(patch, path = "/documents/{id}", tag = "documents",
    params(DocumentPath, crate::openapi::IfMatchHeader), request_body = DocumentChanges,
    responses((status = 200, description = "Changed", body = Document,
        headers(("ETag" = String, description = "Its new version")))))]
async fn update(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<DocumentChanges>,
) -> ApiResult<Tagged<Document>> {
    let d = s
        .copkit
        .update_document(&me, &p.id, changes, version)
        .await?;
    Ok(Tagged(d.version, d))
}

/// Deletes a document (its uploader or a moderator).
#[utoipa::path(delete, path = "/documents/{id}", tag = "documents", params(DocumentPath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
) -> ApiResult<NoContent> {
    s.copkit.delete_document(&me, &p.id).await?;
    Ok(NO_CONTENT)
}

/// A document's versions, oldest first.
#[utoipa::path(get, path = "/documents/{id}/versions", tag = "documents", params(DocumentPath, Paging),
    responses((status = 200, description = "A page of versions", body = Page<DocumentVersion>)))]
async fn list_versions(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<DocumentVersion>>> {
    Ok(Json(
        s.copkit
            .list_document_versions(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// What changed in a new version.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// What changed, up to 500 characters.
    #[param(format = "copkit:text", max_length = 500)]
    pub note: Option<String>,
    /// The version's type, when the body is sent as
    /// `application/octet-stream`.
    #[param(format = "copkit:content-type")]
    pub content_type: Option<String>,
}

/// Uploads a new version (its uploader or a moderator).
#[utoipa::path(post, path = "/documents/{id}/versions", tag = "documents",
    params(DocumentPath, VersionQuery, crate::openapi::IfMatchHeader),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The new version's bytes, sent either with their own `Content-Type` (one of those `content_type` lists) or as `application/octet-stream` with `content_type` in the query"),
    responses((status = 201, description = "Uploaded", body = Document,
        headers(("Location" = String, description = "The document"), ("ETag" = String, description = "Its new version")))))]
async fn add_version(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    ApiQuery(q): ApiQuery<VersionQuery>,
    IfMatch(version): IfMatch,
    upload: Upload,
) -> ApiResult<Created<Document>> {
    let upload = upload.typed(q.content_type.as_deref())?;
    let d = s
        .copkit
        .add_document_version(
            &me,
            &p.id,
            NewVersion {
                content_type: upload.content_type,
                sha256: upload.sha256,
                bytes: upload.bytes,
                note: q.note.unwrap_or_default(),
            },
            version,
        )
        .await?;
    Ok(Created {
        location: format!("/documents/{}", d.id),
        version: Some(d.version),
        body: d,
    })
}

/// Which version to download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContentQuery {
    /// A version number (default: the current one).
    #[param(minimum = 1, maximum = 100000)]
    pub version: Option<u32>,
}

impl ContentQuery {
    /// Refuses a version number out of range.
    pub fn check(&self) -> ApiResult<()> {
        if self.version.is_some_and(|v| !(1..=100_000).contains(&v)) {
            return Err(ApiError::bad_request(
                "invalid_query",
                "version must be 1 to 100,000",
            ));
        }
        Ok(())
    }
}

/// A version's bytes, checked against their SHA-256.
#[utoipa::path(get, path = "/documents/{id}/content", tag = "documents", params(DocumentPath, ContentQuery),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream", body = Vec<u8>,
        headers(("Content-Digest" = String, description = "sha-256 of the bytes")))))]
async fn content(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    ApiQuery(q): ApiQuery<ContentQuery>,
) -> ApiResult<Response> {
    q.check()?;
    let download = s.copkit.download_document(&me, &p.id, q.version).await?;
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&download.version.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(raw) = hex::decode(&download.version.sha256)
        && let Ok(v) = HeaderValue::from_str(&format!("sha-256=:{}:", STANDARD.encode(raw)))
    {
        headers.insert("content-digest", v);
    }
    // The file name is made of letters, digits, dashes and a dot only, so
    // it needs no quoting rules beyond the quotes.
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", download.filename))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    Ok((headers, download.bytes).into_response())
}
