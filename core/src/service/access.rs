//! Loading the facts a policy decision needs, in as few reads as possible.
//!
//! A resource in a space (thread, post, document, event, poll) names its
//! space and community, so its access facts are one batched read after the
//! resource. A space named alone needs its community first; a space never
//! moves to another community, so that fact is remembered
//! ([`SpaceParents`]) and later requests for the same space make one read.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::ids::{CommunityId, SpaceId};
use crate::model::{Community, Membership, Participation, Space};
use crate::policy::{self, CommunityAction, SpaceAction, SpaceViewer, Standing};
use crate::service::{Actor, Copkit};
use crate::store::{CommunityOp, ItemKey, Records, Transaction, Wanted};

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

    /// Conditions `tx` on the actor's membership as read here (their role
    /// and standing, on whose authority the write is made): if it changed
    /// in between, the write does not land (`VersionMismatch`). Nothing is
    /// added when the actor has no membership, or `tx` writes it anyway
    /// (with its own condition).
    pub fn hold_authority(&self, tx: &mut Transaction) {
        let Some(membership) = &self.membership else {
            return;
        };
        let item = ItemKey::Membership(membership.community, membership.user.clone());
        if tx.ops().iter().any(|op| op.items().contains(&item)) {
            return;
        }
        tx.push(CommunityOp::RequireMembership {
            community: membership.community,
            user: membership.user.clone(),
            version: membership.version,
        });
    }
}

/// A space as seen by one caller.
#[derive(Debug, Clone)]
pub(crate) struct SpaceAccess {
    pub space: Space,
    pub community: CommunityAccess,
    pub granted: bool,
    /// The caller's participation record in the community, if any.
    pub participation: Option<Participation>,
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

/// Which community each space seen by this process belongs to. Spaces never
/// move, so entries never go stale; the map is emptied when it reaches
/// [`SpaceParents::CAPACITY`] so memory stays bounded.
#[derive(Debug, Default)]
pub(crate) struct SpaceParents {
    known: Mutex<HashMap<SpaceId, CommunityId>>,
}

impl SpaceParents {
    /// Entries kept before starting afresh (about 3 MB).
    pub const CAPACITY: usize = 50_000;

    fn get(&self, space: &SpaceId) -> Option<CommunityId> {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(space)
            .copied()
    }

    pub(crate) fn remember(&self, space: &Space) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= Self::CAPACITY {
            known.clear();
        }
        known.insert(space.id, space.community);
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

    /// The space, its community and the caller's standing and grant: one
    /// batched read when the space's community is known to this process,
    /// else the space first.
    pub(crate) async fn space_access(&self, actor: &Actor, id: &SpaceId) -> Result<SpaceAccess> {
        let community = match self.space_parents.get(id) {
            Some(community) => community,
            None => {
                let space = self.store().get_space(id).await?.ok_or(Error::NotFound)?;
                self.space_parents.remember(&space);
                space.community
            }
        };
        self.space_access_in(actor, &community, id).await
    }

    /// Access to space `id` of `community` (as a resource in it records):
    /// one batched read. A space that is missing or belongs elsewhere is
    /// `NotFound`.
    pub(crate) async fn space_access_in(
        &self,
        actor: &Actor,
        community: &CommunityId,
        id: &SpaceId,
    ) -> Result<SpaceAccess> {
        let (access, _) = self
            .space_access_with(actor, community, id, Vec::new())
            .await?;
        Ok(access)
    }

    /// [`Copkit::space_access_in`] plus the records in `also`, read in the
    /// same batch (a ballot, an RSVP, a document version…).
    pub(crate) async fn space_access_with(
        &self,
        actor: &Actor,
        community: &CommunityId,
        id: &SpaceId,
        also: Vec<Wanted>,
    ) -> Result<(SpaceAccess, Records)> {
        let mut wanted = vec![
            Wanted::Community(*community),
            Wanted::Membership(*community, actor.user.clone()),
            Wanted::Space(*id),
            Wanted::Grant(*id, actor.user.clone()),
            Wanted::Participation(*community, actor.user.clone()),
        ];
        wanted.extend(also);
        let mut records = self.store().get_records(&wanted).await?;
        let space = records
            .space()
            .filter(|s| s.community == *community)
            .ok_or(Error::NotFound)?;
        self.space_parents.remember(&space);
        let community = records.community().ok_or(Error::NotFound)?;
        let membership = records.membership_of(&actor.user);
        let granted = records
            .grant_of(&actor.user)
            .is_some_and(|g| g.holds_for(membership.as_ref()));
        let participation = records.participation_of(&actor.user);
        let standing = Standing::of(membership.as_ref(), false, self.now());
        let access = SpaceAccess {
            space,
            granted,
            participation,
            community: CommunityAccess {
                community,
                membership,
                standing,
            },
        };
        Ok((access, records))
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
