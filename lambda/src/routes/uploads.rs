//! Two-step uploads and download links (see `copkit_core::service::uploads`).
//!
//! `POST /spaces/{id}/uploads` answers a ticket. With S3 behind the API its
//! `put` is a presigned request straight to the bucket; otherwise it points
//! at `PUT /uploads/{token}` here, which streams the body into the blob
//! store (on the local server: a file under the data folder). The upload is
//! then filed with `POST /spaces/{id}/documents/uploaded` or
//! `POST /documents/{id}/versions/uploaded`. `GET /documents/{id}/download`
//! answers where to fetch a version's bytes the same way round.

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::Json;
use axum::body::{Body, BodyDataStream};
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use copkit_core::blob::{ByteSource, SignedRequest};
use copkit_core::model::Document;
use copkit_core::service::{
    DownloadLink, NewUploadedDocument, UploadIntent, UploadTicket, UploadedVersion,
};
use copkit_core::store::StoreError;
use futures::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::api_router::{ApiRouter, routes};
use super::documents::ContentQuery;
use super::{DocumentPath, NO_CONTENT, NoContent, SpacePath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, IfMatch};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(begin))
        .routes(routes!(receive))
        .routes(routes!(file_document))
        .routes(routes!(file_version))
        .routes(routes!(download))
}

/// `/uploads/{token}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UploadPath {
    /// The upload token from the ticket.
    #[param(format = "copkit:token")]
    pub token: String,
}

/// Asks to upload bytes into a space's library.
#[utoipa::path(post, path = "/spaces/{id}/uploads", tag = "documents",
    params(SpacePath, crate::openapi::IdempotencyKeyHeader),
    request_body = UploadIntent,
    responses((status = 201, description = "The ticket: send the bytes as `put` says", body = UploadTicket,
        headers(("Location" = String, description = "Where to send the bytes")))))]
async fn begin(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiJson(intent): ApiJson<UploadIntent>,
) -> ApiResult<Created<UploadTicket>> {
    let content_type = intent.content_type.clone();
    let mut ticket = s.copkit.begin_upload(&me, &p.id, intent).await?;
    let own_url = format!("/uploads/{}", ticket.upload);
    let put = ticket.put.get_or_insert_with(|| SignedRequest {
        method: "PUT".into(),
        url: own_url,
        headers: BTreeMap::from([("content-type".to_owned(), content_type)]),
    });
    Ok(Created {
        location: put.url.clone(),
        version: None,
        body: ticket,
    })
}

/// A request body as a [`ByteSource`].
struct BodySource(BodyDataStream);

#[async_trait]
impl ByteSource for BodySource {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        match self.0.next().await {
            Some(Ok(bytes)) => Ok(Some(bytes.to_vec())),
            Some(Err(e)) => Err(StoreError::Internal(format!("reading the body: {e}"))),
            None => Ok(None),
        }
    }
}

/// The raw body of an upload.
pub struct Streamed(Body);

impl<S: Send + Sync> FromRequest<S> for Streamed {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Streamed(req.into_body()))
    }
}

/// Sends an upload's bytes through the API (when the ticket says so). The
/// body is streamed into storage and checked against the ticket's size and
/// SHA-256; bytes that do not match are dropped (422).
#[utoipa::path(put, path = "/uploads/{token}", tag = "documents", params(UploadPath),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The bytes, under any `Content-Type` (the ticket's `headers` name the one storage expects): they are checked against the ticket's size and SHA-256"),
    responses((status = 204, description = "Received")))]
async fn receive(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<UploadPath>,
    Streamed(body): Streamed,
) -> ApiResult<NoContent> {
    let mut source = BodySource(body.into_data_stream());
    s.copkit.receive_upload(&me, &p.token, &mut source).await?;
    Ok(NO_CONTENT)
}

/// Files an upload as a new document.
#[utoipa::path(post, path = "/spaces/{id}/documents/uploaded", tag = "documents",
    params(SpacePath, crate::openapi::IdempotencyKeyHeader),
    request_body = NewUploadedDocument,
    responses((status = 201, description = "Added", body = Document,
        headers(("Location" = String, description = "The new document"), ("ETag" = String, description = "Its version")))))]
async fn file_document(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiJson(input): ApiJson<NewUploadedDocument>,
) -> ApiResult<Created<Document>> {
    let d = s.copkit.add_uploaded_document(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/documents/{}", d.id),
        version: Some(d.version),
        body: d,
    })
}

/// Files an upload as a document's new version (its uploader or a moderator).
#[utoipa::path(post, path = "/documents/{id}/versions/uploaded", tag = "documents",
    params(DocumentPath, crate::openapi::IfMatchHeader),
    request_body = UploadedVersion,
    responses((status = 201, description = "Added", body = Document,
        headers(("Location" = String, description = "The document"), ("ETag" = String, description = "Its new version")))))]
async fn file_version(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UploadedVersion>,
) -> ApiResult<Created<Document>> {
    let d = s
        .copkit
        .add_uploaded_version(&me, &p.id, input, version)
        .await?;
    Ok(Created {
        location: format!("/documents/{}", d.id),
        version: Some(d.version),
        body: d,
    })
}

/// Where to fetch a version's bytes: a presigned request to storage when
/// there is one, otherwise this API's content endpoint.
#[utoipa::path(get, path = "/documents/{id}/download", tag = "documents", params(DocumentPath, ContentQuery),
    responses((status = 200, description = "Where the bytes are", body = DownloadLink)))]
async fn download(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<DocumentPath>,
    ApiQuery(q): ApiQuery<ContentQuery>,
) -> ApiResult<Json<DownloadLink>> {
    q.check()?;
    let mut link = s
        .copkit
        .document_download_link(&me, &p.id, q.version)
        .await?;
    if link.get.is_none() {
        link.get = Some(SignedRequest {
            method: "GET".into(),
            url: format!(
                "/documents/{}/content?version={}",
                p.id, link.version.number
            ),
            headers: BTreeMap::from([(
                header::ACCEPT.as_str().to_owned(),
                link.version.content_type.clone(),
            )]),
        });
    }
    Ok(Json(link))
}
