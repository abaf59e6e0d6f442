//! Community health for a period (moderators).

use axum::Json;
use axum::extract::State;
use copkit_core::service::HealthReport;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery, Days};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(community_health))
}

/// The community's health in a period (moderators): members by level,
/// joins and leaves, contributors, threads and replies, time to first
/// reply, questions answered within 48 h, documents, events held and
/// attendance, value stories (definitions in `copkit_core::service::health`).
#[utoipa::path(get, path = "/communities/{id}/health", tag = "value",
    params(CommunityPath, Days),
    responses((status = 200, description = "The report", body = HealthReport)))]
async fn community_health(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(q): ApiQuery<Days>,
) -> ApiResult<Json<HealthReport>> {
    let q = q.checked()?;
    Ok(Json(
        s.copkit.community_health(&me, &p.id, q.from, q.to).await?,
    ))
}
