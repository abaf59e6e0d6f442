//! Discussions: threads, posts, replies, reactions, pins, locks, answers.
//! A deleted thread or post is 404 with code `deleted` when asked for
//! directly; its tombstone keeps its place in lists.

use axum::Json;
use axum::extract::State;
use copkit_core::PostId;
use copkit_core::model::{Page, Post, ReactionKind, Thread};
use copkit_core::service::{NewPost, NewThread, ThreadChanges};
use serde::Deserialize;
use utoipa::ToSchema;

use super::api_router::{ApiRouter, routes};
use super::{PostPath, ReactionPath, SpacePath, ThreadPath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, IfMatch, Paging, Tagged};
use crate::json_memo::JsonBytes;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list_threads, start_thread))
        .routes(routes!(pinned))
        .routes(routes!(get_thread, edit_thread, delete_thread))
        .routes(routes!(pin, unpin))
        .routes(routes!(lock, unlock))
        .routes(routes!(accept_answer, withdraw_answer))
        .routes(routes!(list_posts, add_post))
        .routes(routes!(get_post, edit_post, delete_post))
        .routes(routes!(react, unreact))
        .routes(routes!(my_reactions))
}

/// A space's threads, latest activity first.
#[utoipa::path(get, path = "/spaces/{id}/threads", tag = "discussions", params(SpacePath, Paging),
    responses((status = 200, description = "A page of threads", body = Page<Thread>)))]
async fn list_threads(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<JsonBytes> {
    let request = paging.request()?;
    let page = s.copkit.list_threads(&me, &p.id, &request).await?;
    Ok(s.memos.threads.json((p.id, request), page)?)
}

/// Starts a discussion or asks a question.
#[utoipa::path(post, path = "/spaces/{id}/threads", tag = "discussions",
    params(SpacePath, crate::openapi::IdempotencyKeyHeader), request_body = NewThread,
    responses((status = 201, description = "Started", body = Thread,
        headers(("Location" = String, description = "The new thread"), ("ETag" = String, description = "Its version")))))]
async fn start_thread(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiJson(input): ApiJson<NewThread>,
) -> ApiResult<Created<Thread>> {
    let t = s.copkit.start_thread(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/threads/{}", t.id),
        version: Some(t.version),
        body: t,
    })
}

/// A space's pinned threads.
#[utoipa::path(get, path = "/spaces/{id}/threads/pinned", tag = "discussions", params(SpacePath),
    responses((status = 200, description = "Pinned threads", body = Vec<Thread>)))]
async fn pinned(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
) -> ApiResult<JsonBytes> {
    let pinned = s.copkit.pinned_threads(&me, &p.id).await?;
    Ok(s.memos.pinned.json(p.id, pinned)?)
}

fn live_thread(t: Thread) -> ApiResult<Tagged<Thread>> {
    if t.deleted_at.is_some() {
        Err(ApiError::deleted())
    } else {
        Ok(Tagged(t.version, t))
    }
}

/// One thread.
#[utoipa::path(get, path = "/threads/{id}", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "The thread", body = Thread,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_thread(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Tagged<Thread>> {
    live_thread(s.copkit.get_thread(&me, &p.id).await?)
}

/// Edits a thread (its author).
#[utoipa::path(patch, path = "/threads/{id}", tag = "discussions",
    params(ThreadPath, crate::openapi::IfMatchHeader), request_body = ThreadChanges,
    responses((status = 200, description = "Edited", body = Thread,
        headers(("ETag" = String, description = "Its new version")))))]
async fn edit_thread(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<ThreadChanges>,
) -> ApiResult<Tagged<Thread>> {
    let t = s.copkit.edit_thread(&me, &p.id, changes, version).await?;
    Ok(Tagged(t.version, t))
}

/// Deletes a thread, leaving a tombstone (its author or a moderator).
#[utoipa::path(delete, path = "/threads/{id}", tag = "discussions", params(ThreadPath),
    responses((status = 204, description = "Deleted")))]
async fn delete_thread(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<super::NoContent> {
    s.copkit.delete_thread(&me, &p.id).await?;
    Ok(super::NO_CONTENT)
}

/// Pins a thread (moderators).
#[utoipa::path(put, path = "/threads/{id}/pin", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "Pinned", body = Thread)))]
async fn pin(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(s.copkit.set_thread_pinned(&me, &p.id, true).await?))
}

/// Unpins a thread (moderators).
#[utoipa::path(delete, path = "/threads/{id}/pin", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "Unpinned", body = Thread)))]
async fn unpin(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(s.copkit.set_thread_pinned(&me, &p.id, false).await?))
}

/// Locks a thread: no new posts (moderators).
#[utoipa::path(put, path = "/threads/{id}/lock", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "Locked", body = Thread)))]
async fn lock(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(s.copkit.set_thread_locked(&me, &p.id, true).await?))
}

/// Unlocks a thread (moderators).
#[utoipa::path(delete, path = "/threads/{id}/lock", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "Unlocked", body = Thread)))]
async fn unlock(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(s.copkit.set_thread_locked(&me, &p.id, false).await?))
}

/// The accepted answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The post accepted as the answer (in this thread).
    #[schema(value_type = String, format = "copkit:ulid")]
    pub post: PostId,
}

/// Accepts a post as a question's answer (the asker or a moderator).
#[utoipa::path(put, path = "/threads/{id}/answer", tag = "discussions", params(ThreadPath),
    request_body = Answer, responses((status = 200, description = "Accepted", body = Thread)))]
async fn accept_answer(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
    ApiJson(body): ApiJson<Answer>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(
        s.copkit.accept_answer(&me, &p.id, Some(body.post)).await?,
    ))
}

/// Withdraws the accepted answer (the asker or a moderator).
#[utoipa::path(delete, path = "/threads/{id}/answer", tag = "discussions", params(ThreadPath),
    responses((status = 200, description = "Withdrawn", body = Thread)))]
async fn withdraw_answer(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
) -> ApiResult<Json<Thread>> {
    Ok(Json(s.copkit.accept_answer(&me, &p.id, None).await?))
}

/// A thread's posts and replies, oldest first (tombstones included).
#[utoipa::path(get, path = "/threads/{id}/posts", tag = "discussions", params(ThreadPath, Paging),
    responses((status = 200, description = "A page of posts", body = Page<Post>)))]
async fn list_posts(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<JsonBytes> {
    let request = paging.request()?;
    let page = s.copkit.list_posts(&me, &p.id, &request).await?;
    Ok(s.memos.posts.json((p.id, request), page)?)
}

/// Posts in a thread, or replies to one of its top-level posts.
#[utoipa::path(post, path = "/threads/{id}/posts", tag = "discussions",
    params(ThreadPath, crate::openapi::IdempotencyKeyHeader), request_body = NewPost,
    responses((status = 201, description = "Posted", body = Post,
        headers(("Location" = String, description = "The new post"), ("ETag" = String, description = "Its version")))))]
async fn add_post(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ThreadPath>,
    ApiJson(input): ApiJson<NewPost>,
) -> ApiResult<Created<Post>> {
    let post = s.copkit.add_post(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/posts/{}", post.id),
        version: Some(post.version),
        body: post,
    })
}

/// One post.
#[utoipa::path(get, path = "/posts/{id}", tag = "discussions", params(PostPath),
    responses((status = 200, description = "The post", body = Post,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_post(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PostPath>,
) -> ApiResult<Tagged<Post>> {
    let post = s.copkit.get_post(&me, &p.id).await?;
    if post.deleted_at.is_some() {
        return Err(ApiError::deleted());
    }
    Ok(Tagged(post.version, post))
}

/// New text for a post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostEdit {
    /// Markdown, 1–20,000 characters.
    #[schema(format = "copkit:nonblank-text", min_length = 1, max_length = 20000)]
    pub body: String,
}

/// Edits a post (its author).
#[utoipa::path(patch, path = "/posts/{id}", tag = "discussions",
    params(PostPath, crate::openapi::IfMatchHeader), request_body = PostEdit,
    responses((status = 200, description = "Edited", body = Post,
        headers(("ETag" = String, description = "Its new version")))))]
async fn edit_post(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PostPath>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<PostEdit>,
) -> ApiResult<Tagged<Post>> {
    let post = s.copkit.edit_post(&me, &p.id, &body.body, version).await?;
    Ok(Tagged(post.version, post))
}

/// Deletes a post, leaving a tombstone (its author or a moderator).
#[utoipa::path(delete, path = "/posts/{id}", tag = "discussions", params(PostPath),
    responses((status = 204, description = "Deleted")))]
async fn delete_post(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PostPath>,
) -> ApiResult<super::NoContent> {
    s.copkit.delete_post(&me, &p.id).await?;
    Ok(super::NO_CONTENT)
}

/// Reacts to a post (once per kind; repeating is harmless).
#[utoipa::path(put, path = "/posts/{id}/reactions/{kind}", tag = "discussions", params(ReactionPath),
    responses((status = 200, description = "The post with its counts", body = Post)))]
async fn react(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ReactionPath>,
) -> ApiResult<Json<Post>> {
    Ok(Json(s.copkit.react(&me, &p.id, p.kind).await?))
}

/// Takes a reaction back.
#[utoipa::path(delete, path = "/posts/{id}/reactions/{kind}", tag = "discussions", params(ReactionPath),
    responses((status = 200, description = "The post with its counts", body = Post)))]
async fn unreact(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<ReactionPath>,
) -> ApiResult<Json<Post>> {
    Ok(Json(s.copkit.unreact(&me, &p.id, p.kind).await?))
}

/// The caller's reactions to a post (404 once the post is deleted).
#[utoipa::path(get, path = "/posts/{id}/reactions", tag = "discussions", params(PostPath),
    responses((status = 200, description = "Your reactions", body = Vec<ReactionKind>)))]
async fn my_reactions(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<PostPath>,
) -> ApiResult<Json<Vec<ReactionKind>>> {
    Ok(Json(s.copkit.my_reactions(&me, &p.id).await?))
}
