//! Belonging: joining, leaving, the roster, removal, bans, roles, ownership.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Forbidden, Result};
use crate::ids::{CommunityId, UserId};
use crate::model::{
    ActivityKind, CountDelta, JoinedVia, Membership, MembershipStatus, ModerationAction, Page,
    PageRequest, ParticipationLevel, Role,
};
use crate::policy::{self, CommunityAction};
use crate::service::access::CommunityAccess;
use crate::service::{Actor, Copkit};
use crate::store::{CommunityOp, Expect, MemberFilter, Op, SpaceOp, Transaction};
use crate::validate::{Checker, limits};

/// One person on a community's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MemberView {
    /// Who.
    pub user: UserId,
    /// Their display name (their id if they have no profile).
    pub display_name: String,
    /// Their professional role.
    pub professional_role: Option<String>,
    /// Their organisation.
    pub organisation: Option<String>,
    /// Their role here.
    pub role: Role,
    /// Their participation level here.
    pub level: ParticipationLevel,
    /// When they joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub joined_at: Timestamp,
}

/// Membership writes for one community, with the count changes they imply
/// folded into a single `AdjustCounts` (a transaction may touch the
/// community record only once).
pub(crate) struct MembershipWrites {
    community: CommunityId,
    delta: CountDelta,
    ops: Vec<Op>,
}

impl MembershipWrites {
    pub fn new(community: CommunityId) -> Self {
        MembershipWrites {
            community,
            delta: CountDelta::default(),
            ops: Vec::new(),
        }
    }

    /// Replaces `old` (as read) by `new`.
    pub fn put(&mut self, old: Option<&Membership>, new: Membership) {
        let before = old.map(Membership::counted).unwrap_or_default();
        let after = new.counted();
        let d = after.minus(before);
        self.delta = CountDelta {
            members: self.delta.members + d.members,
            guests: self.delta.guests + d.guests,
            owners: self.delta.owners + d.owners,
            spaces: self.delta.spaces + d.spaces,
        };
        self.ops.push(
            CommunityOp::PutMembership {
                membership: new,
                expect: Expect::from_version(old.map(|m| m.version)),
            }
            .into(),
        );
    }

    /// Adds the writes to `tx`.
    pub fn into_tx(self, tx: &mut Transaction) {
        for op in self.ops {
            tx.push(op);
        }
        if !self.delta.is_zero() {
            tx.push(CommunityOp::AdjustCounts {
                community: self.community,
                delta: self.delta,
            });
        }
    }
}

/// The record of `user` becoming an active `role` at `now`, replacing `old`.
pub(crate) fn activated(
    old: Option<&Membership>,
    community: CommunityId,
    user: &UserId,
    role: Role,
    now: Timestamp,
) -> Membership {
    let staying = old.filter(|m| m.is_active());
    Membership {
        community,
        user: user.clone(),
        role,
        status: MembershipStatus::Active,
        level: if role.moderates() {
            ParticipationLevel::Core
        } else {
            staying.map_or(ParticipationLevel::Peripheral, |m| m.level)
        },
        joined_at: staying.map_or(now, |m| m.joined_at),
        updated_at: now,
        version: old.map_or(1, |m| m.version + 1),
    }
}

fn with_status(old: &Membership, status: MembershipStatus, now: Timestamp) -> Membership {
    Membership {
        status,
        updated_at: now,
        version: old.version + 1,
        ..old.clone()
    }
}

fn with_role(old: &Membership, role: Role, now: Timestamp) -> Membership {
    let level = if role.moderates() {
        ParticipationLevel::Core
    } else if old.role.moderates() {
        Membership::default_level(role)
    } else {
        old.level
    };
    Membership {
        role,
        level,
        updated_at: now,
        version: old.version + 1,
        ..old.clone()
    }
}

/// Grant deletions per transaction when a membership ends: well inside
/// the 100 items of a transaction, with room for the membership change,
/// the community's counts and the activity record in the first one.
const GRANTS_PER_STEP: usize = 90;

fn last_owner_guard(access: &CommunityAccess, leaving: &Membership) -> Result<()> {
    if leaving.role == Role::Owner && access.community.counts.owners <= 1 {
        Err(Error::Conflict(Conflict::LastOwner))
    } else {
        Ok(())
    }
}

impl Copkit {
    /// Commits `tx`, which ends `user`'s membership of `community`, and
    /// deletes every grant they hold there, however many: as many as fit
    /// go in `tx` itself, the rest follow in further transactions of
    /// [`GRANTS_PER_STEP`]. Each step is atomic and idempotent, and the
    /// person has no access from the first one on (a grant admits only
    /// during the membership it was made in: [`crate::model::SpaceGrant::holds_for`]).
    /// A later step that fails leaves inert grants behind and does not
    /// undo or fail the change; the next departure clears them.
    pub(crate) async fn commit_dropping_grants(
        &self,
        mut tx: Transaction,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<()> {
        let grants = self.store().list_user_grants(community, user).await?;
        let delete = |grant: &crate::model::SpaceGrant| SpaceOp::DeleteGrant {
            space: grant.space,
            user: grant.user.clone(),
        };
        let room = GRANTS_PER_STEP.saturating_sub(tx.ops().len());
        let (now, later) = grants.split_at(room.min(grants.len()));
        for grant in now {
            tx.push(delete(grant));
        }
        self.commit(tx).await?;
        for step in later.chunks(GRANTS_PER_STEP) {
            let mut tx = Transaction::new();
            for grant in step {
                tx.push(delete(grant));
            }
            if self.commit(tx).await.is_err() {
                break;
            }
        }
        Ok(())
    }

    /// The active membership of `user`, or `NotFound`.
    async fn active_member(&self, community: &CommunityId, user: &UserId) -> Result<Membership> {
        self.store()
            .get_membership(community, user)
            .await?
            .filter(Membership::is_active)
            .ok_or(Error::NotFound)
    }

    /// Joins an Open community as a Member (a guest is upgraded).
    pub async fn join(&self, actor: &Actor, community: &CommunityId) -> Result<Membership> {
        let access = self
            .authorize(actor, community, CommunityAction::Join)
            .await?;
        let now = self.now();
        let old = access.membership.as_ref();
        let membership = activated(old, *community, &actor.user, Role::Member, now);
        let mut tx = Transaction::new();
        if let Some(op) = self.first_profile_op(actor, now).await? {
            tx.push(op);
        }
        let mut writes = MembershipWrites::new(*community);
        writes.put(old, membership.clone());
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberJoined {
                user: actor.user.clone(),
                role: Role::Member,
                via: JoinedVia::Open,
            },
        ));
        self.commit(tx).await?;
        Ok(membership)
    }

    /// Leaves a community. The last owner must hand over first.
    pub async fn leave(&self, actor: &Actor, community: &CommunityId) -> Result<()> {
        let access = self
            .authorize(actor, community, CommunityAction::Leave)
            .await?;
        let Some(old) = access.membership.as_ref() else {
            return Err(Error::NotFound);
        };
        last_owner_guard(&access, old)?;
        let now = self.now();
        let mut tx = Transaction::new();
        let mut writes = MembershipWrites::new(*community);
        writes.put(Some(old), with_status(old, MembershipStatus::Left, now));
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberLeft {
                user: actor.user.clone(),
            },
        ));
        self.commit_dropping_grants(tx, community, &actor.user)
            .await
    }

    /// The roster (members only; guests never see it), owners first.
    pub async fn list_members(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<MemberView>> {
        let scope = format!("members|{community}");
        self.roster_page(actor, community, MemberFilter::Active, &scope, page)
            .await
    }

    /// A page of a roster (`filter`) as member views, for members only;
    /// `scope` binds the cursor to this list.
    pub(crate) async fn roster_page(
        &self,
        actor: &Actor,
        community: &CommunityId,
        filter: MemberFilter,
        scope: &str,
        page: &PageRequest,
    ) -> Result<Page<MemberView>> {
        self.authorize(actor, community, CommunityAction::ListMembers)
            .await?;
        let range = self.range(scope, page)?;
        let chunk = self.store().list_members(community, filter, &range).await?;
        let views = self.member_views(&chunk.items).await?;
        let page = self.page(scope, chunk)?;
        Ok(Page {
            items: views,
            next: page.next,
        })
    }

    /// Memberships with their members' profiles (one batched read).
    pub(crate) async fn member_views(&self, members: &[Membership]) -> Result<Vec<MemberView>> {
        let users: Vec<UserId> = members.iter().map(|m| m.user.clone()).collect();
        let profiles = self.store().get_profiles(&users).await?;
        Ok(members
            .iter()
            .map(|m| {
                let profile = profiles.iter().find(|p| p.user == m.user);
                MemberView {
                    display_name: profile
                        .map_or_else(|| m.user.to_string(), |p| p.display_name.clone()),
                    professional_role: profile.and_then(|p| p.professional_role.clone()),
                    organisation: profile.and_then(|p| p.organisation.clone()),
                    user: m.user.clone(),
                    role: m.role,
                    level: m.level,
                    joined_at: m.joined_at,
                }
            })
            .collect())
    }

    /// Banned people (moderators only), including bans that have ended but
    /// were not lifted.
    pub async fn list_banned(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<Membership>> {
        self.authorize(actor, community, CommunityAction::ManageMembers)
            .await?;
        let scope = format!("banned|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self
            .store()
            .list_members(community, MemberFilter::Banned, &range)
            .await?;
        self.page(&scope, chunk)
    }

    /// One person's membership of a community, as members see it.
    pub async fn get_member(
        &self,
        actor: &Actor,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Membership> {
        if *user != actor.user {
            self.authorize(actor, community, CommunityAction::ListMembers)
                .await?;
        } else {
            self.authorize(actor, community, CommunityAction::ViewListing)
                .await?;
        }
        self.active_member(community, user).await
    }

    /// Removes a member or guest (moderators: members and guests only).
    pub async fn remove_member(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &UserId,
    ) -> Result<()> {
        let access = self
            .authorize(actor, community, CommunityAction::ManageMembers)
            .await?;
        if *target == actor.user {
            return Err(Error::Forbidden(Forbidden::SelfAction));
        }
        let old = self.active_member(community, target).await?;
        self.check_manage(&access, &old)?;
        last_owner_guard(&access, &old)?;
        let now = self.now();
        let mut tx = Transaction::new();
        let mut writes = MembershipWrites::new(*community);
        writes.put(
            Some(&old),
            with_status(&old, MembershipStatus::Removed, now),
        );
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberRemoved {
                user: target.clone(),
            },
        ));
        access.hold_authority(&mut tx);
        self.commit_dropping_grants(tx, community, target).await
    }

    fn check_manage(&self, access: &CommunityAccess, target: &Membership) -> Result<()> {
        let actor_role = access.standing.role().ok_or(Error::NotFound)?;
        policy::manage_member(actor_role, target.role).map_err(Error::from)
    }

    /// Bans someone for `days` (`None`: permanently), with a reason. Works
    /// on members, guests, former members and people who never joined.
    pub async fn ban_member(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &UserId,
        days: Option<u32>,
        reason: &str,
    ) -> Result<Membership> {
        let access = self
            .authorize(actor, community, CommunityAction::ManageMembers)
            .await?;
        let now = self.now();
        let mut check = Checker::new();
        let reason = check.text("reason", reason, 1, limits::REASON_MAX);
        if days.is_some_and(|d| d == 0 || i64::from(d) > limits::BAN_DAYS_MAX) {
            check.fail(
                "days",
                "out_of_range",
                format!(
                    "must be 1 to {}; omit it for a permanent ban",
                    limits::BAN_DAYS_MAX
                ),
            );
        }
        check.finish()?;
        if *target == actor.user {
            return Err(Error::Forbidden(Forbidden::SelfAction));
        }
        let until = match days {
            Some(d) => Some(
                now.saturating_add(SignedDuration::from_hours(i64::from(d) * 24))
                    .map_err(|e| Error::Internal(format!("ban end overflow: {e}")))?,
            ),
            None => None,
        };

        let old = self.store().get_membership(community, target).await?;
        if let Some(old) = old.as_ref().filter(|m| m.is_active()) {
            self.check_manage(&access, old)?;
            last_owner_guard(&access, old)?;
        }
        let banned_status = MembershipStatus::Banned {
            until,
            reason: reason.clone(),
        };
        let banned = match old.as_ref() {
            Some(m) => with_status(m, banned_status, now),
            None => Membership {
                community: *community,
                user: target.clone(),
                role: Role::Member,
                status: banned_status,
                level: ParticipationLevel::Peripheral,
                joined_at: now,
                updated_at: now,
                version: 1,
            },
        };
        let mut tx = Transaction::new();
        let mut writes = MembershipWrites::new(*community);
        writes.put(old.as_ref(), banned.clone());
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberBanned {
                user: target.clone(),
                until,
            },
        ));
        tx.push(self.member_moderation(
            actor,
            *community,
            target,
            ModerationAction::Banned,
            reason,
            now,
        ));
        access.hold_authority(&mut tx);
        self.commit_dropping_grants(tx, community, target).await?;
        Ok(banned)
    }

    /// Lifts a ban; the person may then join again.
    pub async fn unban_member(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &UserId,
    ) -> Result<()> {
        let access = self
            .authorize(actor, community, CommunityAction::ManageMembers)
            .await?;
        let old = self
            .store()
            .get_membership(community, target)
            .await?
            .filter(|m| matches!(m.status, MembershipStatus::Banned { .. }))
            .ok_or(Error::NotFound)?;
        self.check_manage(&access, &old)?;
        let now = self.now();
        let mut tx = Transaction::new();
        tx.push(CommunityOp::PutMembership {
            membership: with_status(&old, MembershipStatus::Removed, now),
            expect: Expect::Version(old.version),
        });
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberUnbanned {
                user: target.clone(),
            },
        ));
        tx.push(self.member_moderation(
            actor,
            *community,
            target,
            ModerationAction::Unbanned,
            "The ban was lifted.".to_owned(),
            now,
        ));
        access.hold_authority(&mut tx);
        self.commit(tx).await
    }

    /// Changes an active member's role (owners only). Demoting the last
    /// owner is refused.
    pub async fn change_role(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &UserId,
        role: Role,
    ) -> Result<Membership> {
        let access = self
            .authorize(actor, community, CommunityAction::ChangeRoles)
            .await?;
        let old = self.active_member(community, target).await?;
        if old.role == role {
            return Ok(old);
        }
        if old.role == Role::Owner {
            last_owner_guard(&access, &old)?;
        }
        let now = self.now();
        let new = with_role(&old, role, now);
        let mut tx = Transaction::new();
        let mut writes = MembershipWrites::new(*community);
        writes.put(Some(&old), new.clone());
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::RoleChanged {
                user: target.clone(),
                from: old.role,
                to: role,
            },
        ));
        access.hold_authority(&mut tx);
        self.commit(tx).await?;
        Ok(new)
    }

    /// Hands ownership to an active member or moderator; the caller becomes
    /// a Moderator. Both changes happen in one write.
    pub async fn transfer_ownership(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &UserId,
    ) -> Result<()> {
        let access = self
            .authorize(actor, community, CommunityAction::ChangeRoles)
            .await?;
        if *target == actor.user {
            return Err(Error::Forbidden(Forbidden::SelfAction));
        }
        let Some(me) = access.membership.as_ref() else {
            return Err(Error::NotFound);
        };
        // The owner sees the roster, so naming someone who is not a member
        // reveals nothing: it is a clash with the roster, not a missing thing.
        let them = match self.active_member(community, target).await {
            Ok(m) => m,
            Err(Error::NotFound) => return Err(Error::Conflict(Conflict::WrongState)),
            Err(e) => return Err(e),
        };
        if them.role == Role::Guest {
            // A guest must become a member before owning the community.
            return Err(Error::Conflict(Conflict::WrongState));
        }
        let now = self.now();
        let mut tx = Transaction::new();
        let mut writes = MembershipWrites::new(*community);
        writes.put(Some(&them), with_role(&them, Role::Owner, now));
        writes.put(Some(me), with_role(me, Role::Moderator, now));
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::OwnershipTransferred { to: target.clone() },
        ));
        self.commit(tx).await
    }
}
