//! Communities, the directory and the activity record.

use copkit_core::CommunityId;
use copkit_core::model::CommunityKind;
use copkit_core::service::{CommunityChanges, CommunityView, NewCommunity};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Starts a community; the caller becomes its Owner.
    pub async fn create_community(&self, input: NewCommunity) -> SessionResult<CommunityView> {
        Ok(both!(self, create_community(input))?)
    }

    /// A community as the caller sees it (NotFound when it is Secret to them).
    pub async fn get_community(&self, id: CommunityId) -> SessionResult<CommunityView> {
        Ok(both!(self, get_community(&id))?)
    }

    /// A community by its slug.
    pub async fn get_community_by_slug(&self, slug: String) -> SessionResult<CommunityView> {
        Ok(both!(self, get_community_by_slug(&slug))?)
    }

    /// Changes a community's settings (owners); `expected_version` from the
    /// card (Conflict when someone changed it since).
    pub async fn update_community(
        &self,
        id: CommunityId,
        changes: CommunityChanges,
        expected_version: u64,
    ) -> SessionResult<CommunityView> {
        Ok(both!(
            self,
            update_community(&id, changes, expected_version)
        )?)
    }

    /// The directory of listed communities, by name.
    pub async fn directory(
        &self,
        kind: Option<CommunityKind>,
        name_prefix: Option<String>,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<CommunityCardPage> {
        let page = pages::request(limit, cursor);
        let prefix = name_prefix.as_deref();
        Ok(both!(self, directory(kind, prefix, &page))?.into())
    }

    /// The caller's communities.
    pub async fn my_communities(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MyCommunityPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, my_communities(&page))?.into())
    }

    /// A community's activity, newest first (members).
    pub async fn list_activity(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ActivityPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_activity(&community, &page))?.into())
    }
}
