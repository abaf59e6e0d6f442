//! Communities, the directory, activity, levels, join requests.

use copkit_core::model::{
    Activity, CommunityKind, JoinRequest, LevelStanding, Page, PageRequest, ParticipationLevel,
};
use copkit_core::service::{
    CommunityCard, CommunityChanges, CommunityView, JoinRequestView, MemberView, NewCommunity,
};
use copkit_core::{CommunityId, UserId};
use serde::Deserialize;
use serde_json::json;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

/// The answer of `GET /communities/{id}/join-requests/mine`.
#[derive(Deserialize)]
struct MyRequest {
    request: Option<JoinRequest>,
}

/// A query value as the API spells it (`"practice"`, `"top_contributor"`).
pub(crate) fn spelled(value: &impl serde::Serialize) -> ClientResult<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(crate::ClientError::protocol(e)),
    }
}

impl Client {
    /// The directory: public and private communities (never secret ones),
    /// by name, optionally of one kind or starting with `name_prefix`.
    pub async fn directory(
        &self,
        kind: Option<CommunityKind>,
        name_prefix: Option<&str>,
        page: &PageRequest,
    ) -> ClientResult<Page<CommunityCard>> {
        let kind = kind.map(|k| spelled(&k)).transpose()?;
        let call = Call::new(&DIRECTORY, &[])
            .query("kind", kind)
            .query("name_prefix", name_prefix)
            .page(page);
        self.json(call).await
    }

    /// Starts a community (the caller is its owner).
    pub async fn create_community(&self, input: NewCommunity) -> ClientResult<CommunityView> {
        self.json(Call::new(&CREATE_COMMUNITY, &[]).json(&input)?)
            .await
    }

    /// A community the caller may see.
    pub async fn get_community(&self, id: &CommunityId) -> ClientResult<CommunityView> {
        self.json(Call::new(&GET_COMMUNITY, &[id])).await
    }

    /// A community by its slug.
    pub async fn get_community_by_slug(&self, slug: &str) -> ClientResult<CommunityView> {
        self.json(Call::new(&GET_BY_SLUG, &[&slug])).await
    }

    /// Changes a community (owners); `expected_version` is the version read.
    pub async fn update_community(
        &self,
        id: &CommunityId,
        changes: CommunityChanges,
        expected_version: u64,
    ) -> ClientResult<CommunityView> {
        let call = Call::new(&UPDATE_COMMUNITY, &[id]).if_match(expected_version);
        self.json(call.json(&changes)?).await
    }

    /// What happened in a community, newest first.
    pub async fn list_activity(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<Activity>> {
        self.json(Call::new(&ACTIVITY, &[community]).page(page))
            .await
    }

    /// The caller's participation level in a community.
    pub async fn my_level(&self, community: &CommunityId) -> ClientResult<LevelStanding> {
        self.json(Call::new(&MY_LEVEL, &[community])).await
    }

    /// Members at one participation level.
    pub async fn list_members_at_level(
        &self,
        community: &CommunityId,
        level: ParticipationLevel,
        page: &PageRequest,
    ) -> ClientResult<Page<MemberView>> {
        let level = spelled(&level)?;
        self.json(Call::new(&AT_LEVEL, &[community, &level]).page(page))
            .await
    }

    /// Asks to join a community that approves members, with the answer to
    /// its question when it has one.
    pub async fn request_to_join(
        &self,
        community: &CommunityId,
        answer: Option<&str>,
    ) -> ClientResult<JoinRequest> {
        let call = Call::new(&ASK, &[community]).json(&json!({ "answer": answer }))?;
        self.json(call).await
    }

    /// The caller's own request (not found when they never asked).
    pub async fn my_join_request(&self, community: &CommunityId) -> ClientResult<JoinRequest> {
        let mine: MyRequest = self.json(Call::new(&MY_REQUEST, &[community])).await?;
        mine.request.ok_or(crate::ClientError::NotFound {
            code: "not_found".into(),
        })
    }

    /// Withdraws the caller's pending request.
    pub async fn withdraw_join_request(&self, community: &CommunityId) -> ClientResult<()> {
        self.empty(Call::new(&WITHDRAW_REQUEST, &[community])).await
    }

    /// Pending requests, oldest first (moderators).
    pub async fn list_join_requests(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<JoinRequestView>> {
        self.json(Call::new(&LIST_REQUESTS, &[community]).page(page))
            .await
    }

    /// Approves a request (moderators).
    pub async fn approve_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> ClientResult<copkit_core::model::Membership> {
        self.json(Call::new(&APPROVE, &[community, user])).await
    }

    /// Denies a request with a reason the person sees (moderators).
    pub async fn deny_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
        reason: &str,
    ) -> ClientResult<JoinRequest> {
        let call = Call::new(&DENY, &[community, user]).json(&json!({ "reason": reason }))?;
        self.json(call).await
    }
}
