//! Invitations by email and by shareable link.

use crate::service::rate_limits::Limited;
use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Forbidden, Result};
use askama::Template;

use crate::ids::{CommunityId, InvitationId, MailId, SpaceId, UserId};
use crate::model::{
    ActivityKind, Digest, Invitation, InvitationTarget, InvitedRole, JoinedVia, Mail, MailDelivery,
    Membership, Page, PageRequest, Role, SpaceGrant, TokenHash,
};
use crate::policy::CommunityAction;
use crate::service::communities::CommunityCard;
use crate::service::members::{MembershipWrites, activated};
use crate::service::{Actor, Copkit};
use crate::store::{DigestOp, Expect, InvitationOp, SpaceOp, Transaction};
use crate::validate::{Checker, limits};

/// What it takes to invite someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewInvitation {
    /// One person by email, or a shareable link.
    pub target: InviteTarget,
    /// What accepting grants.
    pub access: InviteAccess,
    /// Lifetime in hours (1–2,160; default 336, two weeks).
    #[serde(default, deserialize_with = "crate::json::whole_option_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 2160))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_in_hours: Option<u32>,
}

impl NewInvitation {
    /// A shareable link for up to `max_uses` people, as members, for two weeks.
    pub fn link(max_uses: u32) -> Self {
        NewInvitation {
            target: InviteTarget::Link {
                max_uses: Some(max_uses),
            },
            access: InviteAccess::Member,
            expires_in_hours: None,
        }
    }

    /// An invitation for one person by email, as a member, for two weeks.
    pub fn email(address: impl Into<String>) -> Self {
        NewInvitation {
            target: InviteTarget::Email {
                address: address.into(),
            },
            access: InviteAccess::Member,
            expires_in_hours: None,
        }
    }

    /// Makes it a guest invitation to these spaces.
    pub fn as_guest(mut self, spaces: Vec<SpaceId>) -> Self {
        self.access = InviteAccess::Guest { spaces };
        self
    }

    /// Sets its lifetime.
    pub fn expiring_in_hours(mut self, hours: u32) -> Self {
        self.expires_in_hours = Some(hours);
        self
    }
}

/// Who an invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InviteTarget {
    /// One person; only they may accept (their verified email must match).
    Email {
        /// The address.
        #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
        address: String,
    },
    /// Anyone holding the link, up to `max_uses` people.
    Link {
        /// How many people may use it (1–1,000; default 10).
        #[serde(default, deserialize_with = "crate::json::whole_option_u32")]
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
        max_uses: Option<u32>,
    },
}

/// What accepting an invitation grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "role",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InviteAccess {
    /// Full membership.
    Member,
    /// A guest, granted these spaces (1–20).
    Guest {
        /// The spaces.
        #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
        spaces: Vec<SpaceId>,
    },
}

/// The strict input form of [`InviteTarget`] (unknown fields refused).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum InviteTargetInput {
    Email {
        address: String,
    },
    Link {
        #[serde(default, deserialize_with = "crate::json::whole_option_u32")]
        max_uses: Option<u32>,
    },
}

impl From<InviteTargetInput> for InviteTarget {
    fn from(t: InviteTargetInput) -> Self {
        match t {
            InviteTargetInput::Email { address } => InviteTarget::Email { address },
            InviteTargetInput::Link { max_uses } => InviteTarget::Link { max_uses },
        }
    }
}

/// The strict input form of [`InviteAccess`] (unknown fields refused).
#[derive(Deserialize)]
#[serde(tag = "role", rename_all = "snake_case", deny_unknown_fields)]
enum InviteAccessInput {
    Member {},
    Guest { spaces: Vec<SpaceId> },
}

crate::json::strict_tagged!(InviteAccess, InviteAccessInput, "role");
crate::json::strict_tagged!(InviteTarget, InviteTargetInput, "type");

impl From<InviteAccessInput> for InviteAccess {
    fn from(a: InviteAccessInput) -> Self {
        match a {
            InviteAccessInput::Member {} => InviteAccess::Member,
            InviteAccessInput::Guest { spaces } => InviteAccess::Guest { spaces },
        }
    }
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InvitationState {
    /// It can be accepted.
    Usable,
    /// Revoked by a moderator.
    Revoked,
    /// Past its expiry.
    Expired,
    /// Every use is taken.
    UsedUp,
}

/// An invitation as moderators see it (never its token or token hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvitationView {
    /// Its id.
    pub id: InvitationId,
    /// Its community.
    pub community: CommunityId,
    /// Who it is for.
    pub target: InvitationTarget,
    /// The role it grants.
    pub role: InvitedRole,
    /// Spaces granted to a guest.
    pub guest_spaces: Vec<SpaceId>,
    /// Who made it.
    pub created_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// Its use limit.
    pub max_uses: u32,
    /// Uses so far.
    pub uses: u32,
    /// Where it stands now.
    pub state: InvitationState,
    /// Its version (the `ETag`).
    pub version: u64,
}

impl InvitationView {
    pub(crate) fn of(i: &Invitation, now: Timestamp) -> Self {
        let state = if i.revoked_at.is_some() {
            InvitationState::Revoked
        } else if now >= i.expires_at {
            InvitationState::Expired
        } else if i.uses >= i.max_uses {
            InvitationState::UsedUp
        } else {
            InvitationState::Usable
        };
        InvitationView {
            id: i.id,
            community: i.community,
            target: i.target.clone(),
            role: i.role,
            guest_spaces: i.guest_spaces.clone(),
            created_by: i.created_by.clone(),
            created_at: i.created_at,
            expires_at: i.expires_at,
            max_uses: i.max_uses,
            uses: i.uses,
            state,
            version: i.version,
        }
    }
}

/// A new invitation and its secret token (shown only this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreatedInvitation {
    /// The invitation.
    pub invitation: InvitationView,
    /// The token to send or share; copkit keeps only its hash.
    pub token: String,
}

/// What the holder of a token may see before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvitationPreview {
    /// The community's card (even a Secret one: the token is the key).
    pub community: CommunityCard,
    /// The role accepting grants.
    pub role: InvitedRole,
    /// When it stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// Where it stands now.
    pub state: InvitationState,
}

impl Copkit {
    /// Invites someone by email, or makes a shareable link (moderators).
    pub async fn create_invitation(
        &self,
        actor: &Actor,
        community: &CommunityId,
        input: NewInvitation,
    ) -> Result<CreatedInvitation> {
        let access = self
            .authorize(actor, community, CommunityAction::Invite)
            .await?;
        let mut check = Checker::new();
        let (target, max_uses) = match &input.target {
            InviteTarget::Email { address } => (
                InvitationTarget::Email {
                    address: check.email("target.address", address),
                },
                1,
            ),
            InviteTarget::Link { max_uses } => {
                let uses = max_uses.unwrap_or(10);
                if !(1..=limits::INVITATION_USES_MAX).contains(&uses) {
                    check.fail(
                        "target.max_uses",
                        "out_of_range",
                        format!("must be 1 to {}", limits::INVITATION_USES_MAX),
                    );
                }
                (InvitationTarget::Link, uses)
            }
        };
        let hours = input
            .expires_in_hours
            .map_or(limits::INVITATION_HOURS_DEFAULT, i64::from);
        if !(limits::INVITATION_HOURS_MIN..=limits::INVITATION_HOURS_MAX).contains(&hours) {
            check.fail(
                "expires_in_hours",
                "out_of_range",
                format!(
                    "must be {} to {} hours",
                    limits::INVITATION_HOURS_MIN,
                    limits::INVITATION_HOURS_MAX
                ),
            );
        }
        let (role, spaces) = match &input.access {
            InviteAccess::Member => (InvitedRole::Member, BTreeSet::new()),
            InviteAccess::Guest { spaces } => {
                if spaces.is_empty() || spaces.len() > limits::GUEST_SPACES_MAX {
                    check.fail(
                        "access.spaces",
                        "out_of_range",
                        format!("a guest needs 1 to {} spaces", limits::GUEST_SPACES_MAX),
                    );
                }
                (InvitedRole::Guest, spaces.iter().copied().collect())
            }
        };
        check.finish()?;
        if !spaces.is_empty() {
            // Spaces named in the body are authorized like path ids: one
            // the inviter may not see (a Restricted space they are not
            // admitted to, moderators included) is not found; an archived
            // one takes no guests.
            let existing = self.visible_spaces(actor, &access).await?;
            for id in &spaces {
                match existing.iter().find(|s| s.id == *id) {
                    None => return Err(Error::NotFound),
                    Some(s) if s.is_archived() => {
                        return Err(Error::Conflict(Conflict::WrongState));
                    }
                    Some(_) => {}
                }
            }
        }

        let now = self.now();
        let token = self.secret_token()?;
        let invitation = Invitation {
            id: InvitationId(self.new_ulid(now)),
            community: *community,
            target,
            role,
            guest_spaces: spaces.into_iter().collect(),
            token_hash: TokenHash::of(&token),
            created_by: actor.user.clone(),
            created_at: now,
            expires_at: now
                .saturating_add(SignedDuration::from_hours(hours))
                .map_err(|e| Error::Internal(format!("expiry overflow: {e}")))?,
            max_uses,
            uses: 0,
            revoked_at: None,
            version: 1,
        };
        let mut tx = Transaction::new()
            .with(InvitationOp::CreateInvitation {
                invitation: invitation.clone(),
            })
            .with(self.activity(
                actor,
                *community,
                None,
                now,
                ActivityKind::InvitationCreated {
                    invitation: invitation.id,
                },
            ));
        if let InvitationTarget::Email { address } = &invitation.target {
            let inviter = match &actor.display_name {
                Some(name) => name.clone(),
                None => self
                    .store()
                    .get_profile(&actor.user)
                    .await?
                    .map_or_else(|| actor.user.to_string(), |p| p.display_name),
            };
            let mail = self.invitation_mail(
                &invitation,
                address,
                &token,
                &inviter,
                &access.community.name,
            );
            tx.push(DigestOp::PutMail {
                mail: Box::new(mail),
                expect: Expect::Absent,
            });
        }
        access.hold_authority(&mut tx);
        self.count_write(actor, Limited::Invitations, now).await?;
        self.commit(tx).await?;
        Ok(CreatedInvitation {
            invitation: InvitationView::of(&invitation, now),
            token,
        })
    }

    /// The mail that carries an email invitation to its addressee (in the
    /// outbox of [`UserId::invitee`], with the invitation's id): who
    /// invites them where, and the link (or code) to accept it.
    fn invitation_mail(
        &self,
        invitation: &Invitation,
        address: &str,
        token: &str,
        inviter: &str,
        community: &str,
    ) -> Mail {
        let now = self.now();
        let subject = format!("{inviter} invites you to {community} on copkit");
        let link = self
            .config()
            .invitation_link
            .as_ref()
            .map(|template| template.replace("{token}", token));
        let expires = invitation.expires_at.strftime("%-d %b %Y").to_string();
        let view = InvitationMailView {
            inviter,
            community,
            link: link.as_deref(),
            code: token,
            expires: &expires,
        };
        let text = view
            .render()
            .unwrap_or_else(|e| format!("{subject}\n\n(rendering failed: {e})"));
        let html = HtmlInvitationMail(&view)
            .render()
            .unwrap_or_else(|_| "<p>See the plain-text part of this message.</p>".to_owned());
        let to = UserId::invitee(&invitation.id);
        Mail {
            id: MailId(invitation.id.0),
            to: to.clone(),
            email: Some(address.to_owned()),
            subject,
            text,
            html,
            digest: Digest {
                user: to,
                since: now,
                until: now,
                communities: Vec::new(),
            },
            notification: None,
            unsubscribe_url: None,
            created_at: now,
            delivery: MailDelivery::pending(now),
            version: 1,
        }
    }

    /// A community's invitations, newest first (moderators).
    pub async fn list_invitations(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<InvitationView>> {
        self.authorize(actor, community, CommunityAction::Invite)
            .await?;
        let scope = format!("invitations|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_invitations(community, &range).await?;
        let now = self.now();
        Ok(self
            .page(&scope, chunk)?
            .map(|i| InvitationView::of(&i, now)))
    }

    /// Revokes an invitation (moderators). Revoking twice is harmless.
    pub async fn revoke_invitation(
        &self,
        actor: &Actor,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<InvitationView> {
        self.authorize(actor, community, CommunityAction::Invite)
            .await?;
        let current = self
            .store()
            .get_invitation(community, id)
            .await?
            .ok_or(Error::NotFound)?;
        let now = self.now();
        if current.revoked_at.is_some() {
            return Ok(InvitationView::of(&current, now));
        }
        let revoked = Invitation {
            revoked_at: Some(now),
            version: current.version + 1,
            ..current.clone()
        };
        let mut tx = Transaction::new()
            .with(InvitationOp::UpdateInvitation {
                invitation: revoked.clone(),
                expect_version: current.version,
            })
            .with(self.activity(
                actor,
                *community,
                None,
                now,
                ActivityKind::InvitationRevoked { invitation: *id },
            ));
        if matches!(current.target, InvitationTarget::Email { .. }) {
            // Its mail goes too: not sent if it was still waiting.
            tx.push(DigestOp::ForgetMail {
                user: UserId::invitee(id),
                id: MailId(id.0),
            });
        }
        self.commit(tx).await?;
        Ok(InvitationView::of(&revoked, now))
    }

    async fn invitation_by_token(&self, token: &str) -> Result<Invitation> {
        if token.is_empty() || token.len() > 256 {
            return Err(Error::NotFound);
        }
        self.store()
            .get_invitation_by_token(&TokenHash::of(token))
            .await?
            .ok_or(Error::NotFound)
    }

    /// What a token opens, for its holder to decide.
    pub async fn preview_invitation(
        &self,
        _actor: &Actor,
        token: &str,
    ) -> Result<InvitationPreview> {
        let invitation = self.invitation_by_token(token).await?;
        let community = self
            .store()
            .get_community(&invitation.community)
            .await?
            .ok_or(Error::NotFound)?;
        let view = InvitationView::of(&invitation, self.now());
        Ok(InvitationPreview {
            community: CommunityCard::from(&community),
            role: invitation.role,
            expires_at: invitation.expires_at,
            state: view.state,
        })
    }

    /// An invitation speaks for whoever made it, so it works only while
    /// they still may invite, and grants only spaces they still see: made
    /// by someone since demoted, banned or gone, or naming a Restricted
    /// space they are no longer admitted to (or one since archived), it is
    /// unavailable.
    async fn inviter_still_vouches(&self, invitation: &Invitation) -> Result<()> {
        let unavailable = Error::Conflict(Conflict::InvitationUnavailable);
        let inviter = Actor::new(invitation.created_by.clone());
        let access = match self
            .authorize(&inviter, &invitation.community, CommunityAction::Invite)
            .await
        {
            Ok(access) => access,
            Err(Error::NotFound | Error::Forbidden(_)) => return Err(unavailable),
            Err(other) => return Err(other),
        };
        if invitation.guest_spaces.is_empty() {
            return Ok(());
        }
        let visible = self.visible_spaces(&inviter, &access).await?;
        let grantable = |id: &SpaceId| visible.iter().any(|s| s.id == *id && !s.is_archived());
        if invitation.guest_spaces.iter().all(grantable) {
            Ok(())
        } else {
            Err(unavailable)
        }
    }

    /// Accepts an invitation: one use is counted and the caller becomes a
    /// member (or a guest with the invitation's space grants) in one write.
    /// It must still be usable, addressed to the caller (when by email),
    /// and vouched for by its inviter (see `inviter_still_vouches`).
    pub async fn accept_invitation(&self, actor: &Actor, token: &str) -> Result<Membership> {
        let invitation = self.invitation_by_token(token).await?;
        let now = self.now();
        if !invitation.is_usable_at(now) {
            return Err(Error::Conflict(Conflict::InvitationUnavailable));
        }
        if let InvitationTarget::Email { address } = &invitation.target {
            let mine = actor.email.as_deref().map(|e| e.trim().to_lowercase());
            if mine.as_deref() != Some(address.as_str()) {
                return Err(Error::Forbidden(Forbidden::InvitationForSomeoneElse));
            }
        }
        let community = invitation.community;
        let facts = self
            .store()
            .access_facts(&community, &actor.user, None)
            .await?;
        if facts.community.is_none() {
            return Err(Error::NotFound);
        }
        let old = facts.membership;
        if old.as_ref().is_some_and(|m| m.is_banned_at(now)) {
            return Err(Error::Forbidden(Forbidden::Banned));
        }
        let current_role = old.as_ref().filter(|m| m.is_active()).map(|m| m.role);
        let role = match (current_role, invitation.role) {
            (Some(Role::Guest), InvitedRole::Guest) | (None, InvitedRole::Guest) => Role::Guest,
            (Some(Role::Guest) | None, InvitedRole::Member) => Role::Member,
            (Some(_), _) => return Err(Error::Conflict(Conflict::AlreadyMember)),
        };
        self.inviter_still_vouches(&invitation).await?;

        let mut tx = Transaction::new();
        tx.push(InvitationOp::ConsumeInvitation {
            community,
            id: invitation.id,
            now,
        });
        if let Some(op) = self.first_profile_op(actor, now).await? {
            tx.push(op);
        }
        let membership = activated(old.as_ref(), community, &actor.user, role, now);
        let mut writes = MembershipWrites::new(community);
        writes.put(old.as_ref(), membership.clone());
        writes.into_tx(&mut tx);
        if role == Role::Guest {
            for space in &invitation.guest_spaces {
                tx.push(SpaceOp::PutGrant {
                    grant: SpaceGrant {
                        space: *space,
                        community,
                        user: actor.user.clone(),
                        granted_by: invitation.created_by.clone(),
                        granted_at: now,
                    },
                });
            }
        }
        tx.push(self.activity(
            actor,
            community,
            None,
            now,
            ActivityKind::MemberJoined {
                user: actor.user.clone(),
                role,
                via: JoinedVia::Invitation,
            },
        ));
        self.commit(tx).await?;
        Ok(membership)
    }
}

/// An invitation mail's text.
#[derive(Template)]
#[template(path = "invitation.txt", escape = "none")]
struct InvitationMailView<'a> {
    inviter: &'a str,
    community: &'a str,
    link: Option<&'a str>,
    code: &'a str,
    expires: &'a str,
}

/// An invitation mail's HTML (every value escaped).
#[derive(Template)]
#[template(path = "invitation.html")]
struct HtmlInvitationMail<'a>(&'a InvitationMailView<'a>);
