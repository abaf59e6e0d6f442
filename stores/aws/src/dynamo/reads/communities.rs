//! Reading communities from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Community, Membership, Slug};
use copkit_core::store::{
    AccessFacts, Chunk, CommunityStore, DirectoryQuery, MemberFilter, MembershipStore, Range,
    StoreError,
};
use copkit_core::{CommunityId, SpaceId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_COMMUNITY, decode, get_s, json_name};
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::{GSI1, GSI2, GSI3};

#[async_trait]
impl CommunityStore for DynamoStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        self.get(&keys::community(id)).await
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        self.batch_get(ids.iter().map(keys::community).collect())
            .await
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        match self.community_id_by_slug(slug).await? {
            Some(id) => self.get_community(&id).await,
            None => Ok(None),
        }
    }

    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        let Some(claim) = self.get_item(&keys::slug(slug)).await? else {
            return Ok(None);
        };
        let id = get_s(&claim, CLAIM_COMMUNITY)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| StoreError::Internal("a slug claim without its community".into()))?;
        Ok(Some(id))
    }

    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        let mut listing = match query.kind {
            Some(kind) => Listing::index(GSI2, keys::directory_of_kind(&json_name(&kind)?)),
            None => Listing::index(GSI3, keys::DIRECTORY.to_owned()),
        };
        if let Some(prefix) = query.name_prefix.as_deref().filter(|p| !p.is_empty()) {
            listing = listing.with_prefix(prefix.to_lowercase());
        }
        self.page(&listing, range).await
    }
}

#[async_trait]
impl MembershipStore for DynamoStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        self.get(&keys::membership(community, user)).await
    }

    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        let community_key = keys::community(community);
        let membership_key = keys::membership(community, user);
        let grant_key = space.map(|s| keys::grant(s, user));
        let mut wanted = vec![community_key.clone(), membership_key.clone()];
        wanted.extend(grant_key.clone());
        let mut facts = AccessFacts::default();
        for item in self.batch_get_items(wanted).await? {
            let key = keys::Key {
                pk: get_s(&item, "PK").unwrap_or_default().to_owned(),
                sk: get_s(&item, "SK").unwrap_or_default().to_owned(),
            };
            if key == community_key {
                facts.community = Some(decode(item)?);
            } else if key == membership_key {
                facts.membership = Some(decode(item)?);
            } else if Some(&key) == grant_key.as_ref() {
                facts.grant = Some(decode(item)?);
            }
        }
        Ok(facts)
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let listing = match filter {
            MemberFilter::Active => Listing::index(GSI2, keys::roster(community)),
            MemberFilter::Banned => Listing::index(GSI2, keys::banned(community)),
            MemberFilter::Level(level) => {
                Listing::index(GSI3, keys::level_roster(community, level))
            }
        };
        self.page(&listing, range).await
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        self.page(&Listing::index(GSI1, keys::user_memberships(user)), range)
            .await
    }
}
