//! Spaces inside a community, and guest grants.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{ActivityKind, CountDelta, Role, Space, SpaceGrant, SpaceVisibility};
use crate::policy::{self, CommunityAction, SpaceAction, SpaceViewer, Standing};
use crate::service::access::CommunityAccess;
use crate::service::{Actor, Copkit, check_version};
use crate::store::batch::MAX_WANTED;
use crate::store::{CommunityOp, Expect, SpaceOp, Transaction, Wanted};
use crate::validate::{Checker, limits};

/// What it takes to create a space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewSpace {
    /// Its name, 3–80 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 80)
    )]
    pub name: String,
    /// What it is for, up to 1,000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 1000))]
    pub description: String,
    /// Who can see it.
    pub visibility: SpaceVisibility,
}

/// Changes to a space; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SpaceChanges {
    /// New name.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 80)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// New description.
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 1000))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// New visibility.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub visibility: Option<SpaceVisibility>,
}

fn checked_visibility(check: &mut Checker, visibility: SpaceVisibility) -> SpaceVisibility {
    match visibility {
        SpaceVisibility::Restricted { users, roles } => {
            let users: Vec<UserId> = users
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if users.len() > limits::RESTRICTED_USERS_MAX {
                check.fail(
                    "visibility.users",
                    "too_many",
                    format!("at most {} people", limits::RESTRICTED_USERS_MAX),
                );
            }
            // Guests enter a space only through a grant: naming their role
            // admits nobody, so it is dropped.
            let roles: Vec<Role> = roles
                .into_iter()
                .filter(|r| *r != Role::Guest)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            SpaceVisibility::Restricted { users, roles }
        }
        other => other,
    }
}

impl Copkit {
    /// Creates a space (moderators).
    pub async fn create_space(
        &self,
        actor: &Actor,
        community: &CommunityId,
        input: NewSpace,
    ) -> Result<Space> {
        self.authorize(actor, community, CommunityAction::ManageSpaces)
            .await?;
        let mut check = Checker::new();
        let name = check.line("name", &input.name, limits::NAME_MIN, limits::NAME_MAX);
        let description = check.text(
            "description",
            &input.description,
            0,
            limits::DESCRIPTION_MAX,
        );
        let visibility = checked_visibility(&mut check, input.visibility);
        check.finish()?;
        let now = self.now();
        let space = Space {
            id: SpaceId(self.new_ulid(now)),
            community: *community,
            name,
            description,
            visibility,
            archived_at: None,
            created_by: actor.user.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let tx = Transaction::new()
            .with(SpaceOp::PutSpace {
                space: space.clone(),
                expect: Expect::Absent,
            })
            .with(CommunityOp::AdjustCounts {
                community: *community,
                delta: CountDelta {
                    spaces: 1,
                    ..CountDelta::default()
                },
            })
            .with(self.activity(
                actor,
                *community,
                Some(space.id),
                now,
                ActivityKind::SpaceCreated,
            ));
        self.commit(tx).await?;
        self.space_parents.remember(&space);
        Ok(space)
    }

    /// One space, if the caller may see it.
    pub async fn get_space(&self, actor: &Actor, id: &SpaceId) -> Result<Space> {
        Ok(self
            .authorize_space(actor, id, SpaceAction::View)
            .await?
            .space)
    }

    /// The spaces of a community the caller may see, oldest first.
    pub async fn list_spaces(&self, actor: &Actor, community: &CommunityId) -> Result<Vec<Space>> {
        let access = self
            .authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        self.visible_spaces(actor, &access).await
    }

    /// The ids of the spaces of the community in `access` that the caller
    /// may see (what binds every surface derived from their content).
    pub(crate) async fn visible_space_ids(
        &self,
        actor: &Actor,
        access: &CommunityAccess,
    ) -> Result<std::collections::HashSet<SpaceId>> {
        Ok(self
            .visible_spaces(actor, access)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect())
    }

    /// The spaces of the community in `access` that the caller may see. The
    /// caller's grants are read only when a grant could open a space.
    pub(crate) async fn visible_spaces(
        &self,
        actor: &Actor,
        access: &CommunityAccess,
    ) -> Result<Vec<Space>> {
        let spaces = self.store().list_spaces(&access.community.id).await?;
        let sees = |space: &Space, granted: bool| {
            let viewer = SpaceViewer {
                user: &actor.user,
                standing: access.standing,
                granted,
            };
            policy::space(&access.community, space, viewer, SpaceAction::View).is_ok()
        };
        let grants_matter = matches!(access.standing, Standing::Active(_))
            && spaces.iter().any(|s| !sees(s, false) && sees(s, true));
        let granted: Vec<SpaceId> = if grants_matter {
            self.store()
                .list_user_grants(&access.community.id, &actor.user)
                .await?
                .into_iter()
                .filter(|g| g.holds_for(access.membership.as_ref()))
                .map(|g| g.space)
                .collect()
        } else {
            Vec::new()
        };
        let visible = spaces
            .into_iter()
            .filter(|space| sees(space, granted.contains(&space.id)))
            .collect();
        Ok(visible)
    }

    async fn put_space(
        &self,
        actor: &Actor,
        old: &Space,
        new: Space,
        kind: ActivityKind,
    ) -> Result<Space> {
        let now = new.updated_at;
        let tx = Transaction::new()
            .with(SpaceOp::PutSpace {
                space: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(self.activity(actor, old.community, Some(old.id), now, kind));
        self.commit(tx).await?;
        Ok(new)
    }

    /// Changes a space's name, description or visibility (moderators who can see it).
    pub async fn update_space(
        &self,
        actor: &Actor,
        id: &SpaceId,
        changes: SpaceChanges,
        expected_version: u64,
    ) -> Result<Space> {
        let access = self.authorize_space(actor, id, SpaceAction::Manage).await?;
        let old = access.space;
        check_version(old.version, expected_version)?;
        let mut check = Checker::new();
        let mut new = old.clone();
        if let Some(name) = changes.name {
            new.name = check.line("name", &name, limits::NAME_MIN, limits::NAME_MAX);
        }
        if let Some(d) = changes.description {
            new.description = check.text("description", &d, 0, limits::DESCRIPTION_MAX);
        }
        if let Some(v) = changes.visibility {
            new.visibility = checked_visibility(&mut check, v);
        }
        check.finish()?;
        new.updated_at = self.now();
        new.version = old.version + 1;
        self.put_space(actor, &old, new, ActivityKind::SpaceUpdated)
            .await
    }

    /// Archives (`true`) or restores (`false`) a space. Archived spaces stay
    /// readable but take no new content.
    pub async fn set_space_archived(
        &self,
        actor: &Actor,
        id: &SpaceId,
        archived: bool,
        expected_version: u64,
    ) -> Result<Space> {
        let access = self.authorize_space(actor, id, SpaceAction::Manage).await?;
        let old = access.space;
        check_version(old.version, expected_version)?;
        if old.is_archived() == archived {
            return Ok(old);
        }
        let now = self.now();
        let new = Space {
            archived_at: archived.then_some(now),
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        let kind = if archived {
            ActivityKind::SpaceArchived
        } else {
            ActivityKind::SpaceUnarchived
        };
        self.put_space(actor, &old, new, kind).await
    }

    /// Grants an active guest (or member) access to a space (moderators).
    pub async fn grant_space(
        &self,
        actor: &Actor,
        id: &SpaceId,
        user: &UserId,
    ) -> Result<SpaceGrant> {
        let access = self.authorize_space(actor, id, SpaceAction::Manage).await?;
        let community = access.space.community;
        let target = self.store().get_membership(&community, user).await?;
        if !target.as_ref().is_some_and(|m| m.is_active()) {
            // Only current members and guests can be granted a space.
            return Err(Error::NotFound);
        }
        let now = self.now();
        let grant = SpaceGrant {
            space: *id,
            community,
            user: user.clone(),
            granted_by: actor.user.clone(),
            granted_at: now,
        };
        let tx = Transaction::new()
            .with(SpaceOp::PutGrant {
                grant: grant.clone(),
            })
            .with(self.activity(
                actor,
                community,
                Some(*id),
                now,
                ActivityKind::GuestGranted { user: user.clone() },
            ));
        self.commit(tx).await?;
        Ok(grant)
    }

    /// Revokes a grant (moderators).
    pub async fn revoke_space_grant(
        &self,
        actor: &Actor,
        id: &SpaceId,
        user: &UserId,
    ) -> Result<()> {
        let access = self.authorize_space(actor, id, SpaceAction::Manage).await?;
        let community = access.space.community;
        let now = self.now();
        let tx = Transaction::new()
            .with(SpaceOp::DeleteGrant {
                space: *id,
                user: user.clone(),
            })
            .with(self.activity(
                actor,
                community,
                Some(*id),
                now,
                ActivityKind::GuestRevoked { user: user.clone() },
            ));
        self.commit(tx).await
    }

    /// The grants of a space that admit their holders (moderators): a
    /// departed person's grant left for a later step is not listed.
    pub async fn list_space_grants(&self, actor: &Actor, id: &SpaceId) -> Result<Vec<SpaceGrant>> {
        let access = self.authorize_space(actor, id, SpaceAction::Manage).await?;
        let grants = self.store().list_space_grants(id).await?;
        let mut holding = Vec::with_capacity(grants.len());
        for chunk in grants.chunks(MAX_WANTED) {
            let wanted: Vec<Wanted> = chunk
                .iter()
                .map(|g| Wanted::Membership(access.community.community.id, g.user.clone()))
                .collect();
            let mut records = self.store().get_records(&wanted).await?;
            for grant in chunk {
                let membership = records.membership_of(&grant.user);
                if grant.holds_for(membership.as_ref()) {
                    holding.push(grant.clone());
                }
            }
        }
        Ok(holding)
    }
}
