//! The HTTP endpoints, one module per area. Handlers only extract, call one
//! use case, and shape the answer; every rule lives in `copkit-core`.

use copkit_core::ids::{
    CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, SpaceId, ThreadId, UserId,
};
use copkit_core::model::ReactionKind;
use serde::Deserialize;
use utoipa::IntoParams;

use api_router::ApiRouter;

pub mod api_router;
mod calendar_feed;
mod communities;
mod cpd;
mod digest;
mod documents;
mod events;
pub mod health;
mod health_report;
mod invitations;
mod levels;
mod me;
mod members;
mod moderation;
mod notifications;
mod polls;
mod requests;
mod search;
mod spaces;
mod threads;
mod uploads;
mod value;

/// Every route, with its OpenAPI description.
pub fn all() -> ApiRouter {
    ApiRouter::new()
        .merge(health::routes())
        .merge(me::routes())
        .merge(communities::routes())
        .merge(members::routes())
        .merge(levels::routes())
        .merge(value::routes())
        .merge(cpd::routes())
        .merge(digest::routes())
        .merge(notifications::routes())
        .merge(calendar_feed::routes())
        .merge(moderation::routes())
        .merge(health_report::routes())
        .merge(requests::routes())
        .merge(invitations::routes())
        .merge(spaces::routes())
        .merge(threads::routes())
        .merge(documents::routes())
        .merge(uploads::routes())
        .merge(events::routes())
        .merge(polls::routes())
        .merge(search::routes())
}

macro_rules! id_path {
    ($(#[$doc:meta])* $name:ident, $ty:ty) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            /// The id (a ULID).
            #[param(value_type = String, format = "copkit:ulid")]
            pub id: $ty,
        }
    };
}

id_path!(
    /// `/communities/{id}`.
    CommunityPath,
    CommunityId
);
id_path!(
    /// `/spaces/{id}`.
    SpacePath,
    SpaceId
);
id_path!(
    /// `/threads/{id}`.
    ThreadPath,
    ThreadId
);
id_path!(
    /// `/posts/{id}`.
    PostPath,
    PostId
);
id_path!(
    /// `/documents/{id}`.
    DocumentPath,
    DocumentId
);
id_path!(
    /// `/events/{id}`.
    EventPath,
    EventId
);
id_path!(
    /// `/polls/{id}`.
    PollPath,
    PollId
);

/// `/communities/{id}/members/{user_id}` and the like.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CommunityUserPath {
    /// The community (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: CommunityId,
    /// The person (their subject id).
    #[param(value_type = String, format = "copkit:user-id")]
    pub user_id: UserId,
}

/// `/spaces/{id}/grants/{user_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SpaceUserPath {
    /// The space (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: SpaceId,
    /// The person (their subject id).
    #[param(value_type = String, format = "copkit:user-id")]
    pub user_id: UserId,
}

/// `/users/{user_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The person (their subject id).
    #[param(value_type = String, format = "copkit:user-id")]
    pub user_id: UserId,
}

/// `/communities/{id}/invitations/{invitation_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InvitationPath {
    /// The community (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: CommunityId,
    /// The invitation (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub invitation_id: InvitationId,
}

/// `/posts/{id}/reactions/{kind}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReactionPath {
    /// The post (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: PostId,
    /// The reaction.
    pub kind: ReactionKind,
}

/// `/events/{id}/occurrences/{occurrence}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OccurrencePath {
    /// The event (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: EventId,
    /// The occurrence: its local start, `YYYY-MM-DDTHH:MM:SS`.
    #[param(format = "copkit:occurrence")]
    pub occurrence: String,
}

/// `/events/{id}/occurrences/{occurrence}/attendance/{user_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttendancePath {
    /// The event (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: EventId,
    /// The occurrence: its local start, `YYYY-MM-DDTHH:MM:SS`.
    #[param(format = "copkit:occurrence")]
    pub occurrence: String,
    /// The person (their subject id).
    #[param(value_type = String, format = "copkit:user-id")]
    pub user_id: UserId,
}

/// Answers with no body.
pub type NoContent = axum::http::StatusCode;

/// 204.
pub const NO_CONTENT: NoContent = axum::http::StatusCode::NO_CONTENT;
