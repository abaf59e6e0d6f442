//! Value stories: members record how the community helped them.

use axum::Json;
use axum::extract::State;
use copkit_core::model::{Page, ValueStory};
use copkit_core::service::NewValueStory;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new().routes(routes!(list, tell))
}

/// A community's value stories, newest first (members).
#[utoipa::path(get, path = "/communities/{id}/value-stories", tag = "value",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of stories", body = Page<ValueStory>)))]
async fn list(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<ValueStory>>> {
    Ok(Json(
        s.copkit
            .list_value_stories(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// Tells how the community helped you (members); it counts toward your
/// participation level.
#[utoipa::path(post, path = "/communities/{id}/value-stories", tag = "value",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = NewValueStory,
    responses((status = 201, description = "Told", body = ValueStory,
        headers(("Location" = String, description = "The community's value stories"), ("ETag" = String, description = "Its version")))))]
async fn tell(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(input): ApiJson<NewValueStory>,
) -> ApiResult<Created<ValueStory>> {
    let story = s.copkit.tell_value_story(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/communities/{}/value-stories", p.id),
        version: Some(story.version),
        body: story,
    })
}
