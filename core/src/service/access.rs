//! Loading the facts a policy decision needs, in as few reads as possible.

use crate::error::{Error, Result};
use crate::ids::{CommunityId, SpaceId};
use crate::model::{Community, Membership, Space};
use crate::policy::{self, CommunityAction, SpaceAction, SpaceViewer, Standing};
use crate::service::{Actor, Copkit};

/// A community as seen by one caller.
#[derive(Debug, Clone)]
pub(crate) struct CommunityAccess {
    pub community: Community,
    pub membership: Option<Membership>,
    pub standing: Standing,
}

impl CommunityAccess {
    /// Asks the policy; `Err` carries NotFound / Forbidden / Conflict.
    pub fn require(&self, action: CommunityAction) -> Result<()> {
        policy::community(&self.community, self.standing, action).map_err(Error::from)
    }
}

/// A space as seen by one caller.
#[derive(Debug, Clone)]
pub(crate) struct SpaceAccess {
    pub space: Space,
    pub community: CommunityAccess,
    pub granted: bool,
}

impl SpaceAccess {
    /// The policy's decision for `action`.
    pub fn decide(&self, actor: &Actor, action: SpaceAction) -> policy::Decision {
        let viewer = SpaceViewer {
            user: &actor.user,
            standing: self.community.standing,
            granted: self.granted,
        };
        policy::space(&self.community.community, &self.space, viewer, action)
    }

    /// Asks the policy; `Err` carries NotFound / Forbidden.
    pub fn require(&self, actor: &Actor, action: SpaceAction) -> Result<()> {
        self.decide(actor, action).map_err(Error::from)
    }
}

impl Copkit {
    /// The community and the caller's standing in it (one batched read).
    /// A missing community is `NotFound`; visibility is the policy's call.
    pub(crate) async fn community_access(
        &self,
        actor: &Actor,
        id: &CommunityId,
    ) -> Result<CommunityAccess> {
        let facts = self.store().access_facts(id, &actor.user, None).await?;
        let community = facts.community.ok_or(Error::NotFound)?;
        let standing = Standing::of(facts.membership.as_ref(), false, self.now());
        Ok(CommunityAccess {
            community,
            membership: facts.membership,
            standing,
        })
    }

    /// Loads the community access and checks `action` in one go.
    pub(crate) async fn authorize(
        &self,
        actor: &Actor,
        id: &CommunityId,
        action: CommunityAction,
    ) -> Result<CommunityAccess> {
        let access = self.community_access(actor, id).await?;
        access.require(action)?;
        Ok(access)
    }

    /// The space, its community and the caller's standing and grant
    /// (two reads: the space, then the batched facts).
    pub(crate) async fn space_access(&self, actor: &Actor, id: &SpaceId) -> Result<SpaceAccess> {
        let space = self.store().get_space(id).await?.ok_or(Error::NotFound)?;
        let facts = self
            .store()
            .access_facts(&space.community, &actor.user, Some(id))
            .await?;
        let community = facts.community.ok_or(Error::NotFound)?;
        let standing = Standing::of(facts.membership.as_ref(), false, self.now());
        Ok(SpaceAccess {
            space,
            granted: facts.grant.is_some(),
            community: CommunityAccess {
                community,
                membership: facts.membership,
                standing,
            },
        })
    }

    /// Loads the space access and checks `action` in one go.
    pub(crate) async fn authorize_space(
        &self,
        actor: &Actor,
        id: &SpaceId,
        action: SpaceAction,
    ) -> Result<SpaceAccess> {
        let access = self.space_access(actor, id).await?;
        access.require(actor, action)?;
        Ok(access)
    }
}
