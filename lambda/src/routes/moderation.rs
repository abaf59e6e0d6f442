//! Moderation: reports of posts and documents, the moderators' queue,
//! decisions (hide, unhide, remove, dismiss) and the moderation log.

use axum::Json;
use axum::extract::State;
use copkit_core::model::{ModerationEntry, Page, Report, ReportStatus};
use copkit_core::service::{Moderation, NewReport};
use serde::Deserialize;
use utoipa::IntoParams;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_reports, report))
        .routes(routes!(log, moderate))
}

/// Which reports, and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// Open (the queue, the default) or resolved.
    status: Option<ReportStatus>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `next` cursor of the previous page.
    #[param(min_length = 1, max_length = 1024)]
    cursor: Option<String>,
}

/// Reports anything you can read — a post or a document — to the
/// community's moderators.
#[utoipa::path(post, path = "/communities/{id}/reports", tag = "moderation",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = NewReport,
    responses((status = 201, description = "Reported", body = Report,
        headers(("Location" = String, description = "The community's reports"), ("ETag" = String, description = "Its version")))))]
async fn report(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(input): ApiJson<NewReport>,
) -> ApiResult<Created<Report>> {
    let report = s.copkit.report_content(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/communities/{}/reports", p.id),
        version: Some(report.version),
        body: report,
    })
}

/// The reports queue, oldest first (moderators); `status=resolved` for
/// decided ones.
#[utoipa::path(get, path = "/communities/{id}/reports", tag = "moderation",
    params(CommunityPath, ReportQuery),
    responses((status = 200, description = "A page of reports", body = Page<Report>)))]
async fn list_reports(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<Page<Report>>> {
    let page = Paging {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let status = q.status.unwrap_or(ReportStatus::Open);
    Ok(Json(
        s.copkit.list_reports(&me, &p.id, status, &page).await?,
    ))
}

/// Hides, unhides or removes a post or document, or dismisses a report
/// (moderators), with a reason; the decision closes the report it names
/// and is appended to the moderation log.
#[utoipa::path(post, path = "/communities/{id}/moderation-log", tag = "moderation",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = Moderation,
    responses((status = 201, description = "Decided and logged", body = ModerationEntry,
        headers(("Location" = String, description = "The moderation log"), ("ETag" = String, description = "Always 1: entries never change")))))]
async fn moderate(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(input): ApiJson<Moderation>,
) -> ApiResult<Created<ModerationEntry>> {
    let entry = s.copkit.moderate(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/communities/{}/moderation-log", p.id),
        version: Some(1),
        body: entry,
    })
}

/// The community's append-only moderation log, newest first (moderators).
#[utoipa::path(get, path = "/communities/{id}/moderation-log", tag = "moderation",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of decisions", body = Page<ModerationEntry>)))]
async fn log(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<ModerationEntry>>> {
    Ok(Json(
        s.copkit
            .moderation_log(&me, &p.id, &paging.request()?)
            .await?,
    ))
}
