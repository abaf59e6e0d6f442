//! Asking to join an Approval community, and deciding on requests.

use crate::service::rate_limits::Limited;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{CommunityId, UserId};
use crate::model::{
    ActivityKind, JoinRequest, JoinedVia, Membership, Page, PageRequest, RequestStatus, Role,
};
use crate::policy::{CommunityAction, Standing};
use crate::service::members::{MembershipWrites, activated};
use crate::service::{Actor, Copkit};
use crate::store::{Expect, InvitationOp, Transaction};
use crate::validate::{Checker, limits};

/// A pending request as moderators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JoinRequestView {
    /// Who asks.
    pub user: UserId,
    /// Their display name (their id if they have no profile).
    pub display_name: String,
    /// Their answer to the join question.
    pub answer: Option<String>,
    /// When they asked.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
}

impl Copkit {
    /// Asks to join an Approval community, answering its join question
    /// (required when the community asks one).
    pub async fn request_to_join(
        &self,
        actor: &Actor,
        community: &CommunityId,
        answer: Option<&str>,
    ) -> Result<JoinRequest> {
        let mut access = self.community_access(actor, community).await?;
        let old = self
            .store()
            .get_join_request(community, &actor.user)
            .await?;
        if access.standing == Standing::Outsider
            && old.as_ref().is_some_and(JoinRequest::is_pending)
        {
            access.standing = Standing::Pending;
        }
        access.require(CommunityAction::RequestToJoin)?;

        let mut check = Checker::new();
        let answer = check.text("answer", answer.unwrap_or_default(), 0, limits::ANSWER_MAX);
        check.finish()?;
        if access.community.join_question.is_some() && answer.trim().is_empty() {
            return Err(Error::Conflict(Conflict::AnswerRequired));
        }

        let now = self.now();
        if let Some(RequestStatus::Denied { at, .. }) = old.as_ref().map(|r| &r.status) {
            let until = at
                .saturating_add(self.config().request_cooldown)
                .map_err(|e| Error::Internal(format!("cool-down overflow: {e}")))?;
            if now < until {
                return Err(Error::Conflict(Conflict::RequestCooldown { until }));
            }
        }
        let request = JoinRequest {
            community: *community,
            user: actor.user.clone(),
            answer: if answer.is_empty() {
                None
            } else {
                Some(answer)
            },
            status: RequestStatus::Pending,
            requested_at: now,
            version: old.as_ref().map_or(1, |r| r.version + 1),
        };
        let mut tx = Transaction::new();
        if let Some(op) = self.first_profile_op(actor, now).await? {
            tx.push(op);
        }
        tx.push(InvitationOp::PutJoinRequest {
            request: request.clone(),
            expect: Expect::from_version(old.map(|r| r.version)),
        });
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::JoinRequested {
                user: actor.user.clone(),
            },
        ));
        self.count_write(actor, Limited::JoinRequests, now).await?;
        self.commit(tx).await?;
        Ok(request)
    }

    /// The caller's own request to a community (with a denial's reason).
    pub async fn my_join_request(
        &self,
        actor: &Actor,
        community: &CommunityId,
    ) -> Result<JoinRequest> {
        self.authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        self.store()
            .get_join_request(community, &actor.user)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Withdraws the caller's pending request; with nothing pending it is
    /// `Conflict::WrongState` (there is nothing to withdraw).
    pub async fn withdraw_join_request(
        &self,
        actor: &Actor,
        community: &CommunityId,
    ) -> Result<()> {
        self.authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        let Some(old) = self
            .store()
            .get_join_request(community, &actor.user)
            .await?
            .filter(JoinRequest::is_pending)
        else {
            return Err(Error::Conflict(Conflict::WrongState));
        };
        let now = self.now();
        let tx = Transaction::new()
            .with(InvitationOp::PutJoinRequest {
                request: JoinRequest {
                    status: RequestStatus::Withdrawn { at: now },
                    version: old.version + 1,
                    ..old.clone()
                },
                expect: Expect::Version(old.version),
            })
            .with(self.activity(
                actor,
                *community,
                None,
                now,
                ActivityKind::JoinRequestWithdrawn {
                    user: actor.user.clone(),
                },
            ));
        self.commit(tx).await
    }

    /// Pending requests, oldest first (moderators only).
    pub async fn list_join_requests(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<JoinRequestView>> {
        self.authorize(actor, community, CommunityAction::ReviewRequests)
            .await?;
        let scope = format!("requests|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self
            .store()
            .list_pending_requests(community, &range)
            .await?;
        let users: Vec<UserId> = chunk.items.iter().map(|r| r.user.clone()).collect();
        let profiles = self.store().get_profiles(&users).await?;
        Ok(self.page(&scope, chunk)?.map(|r| JoinRequestView {
            display_name: profiles
                .iter()
                .find(|p| p.user == r.user)
                .map_or_else(|| r.user.to_string(), |p| p.display_name.clone()),
            user: r.user,
            answer: r.answer,
            requested_at: r.requested_at,
        }))
    }

    async fn pending_request(&self, community: &CommunityId, user: &UserId) -> Result<JoinRequest> {
        let request = self
            .store()
            .get_join_request(community, user)
            .await?
            .ok_or(Error::NotFound)?;
        if request.is_pending() {
            Ok(request)
        } else {
            Err(Error::Conflict(Conflict::WrongState))
        }
    }

    /// Approves a pending request: the person becomes a Member, in the same
    /// write that closes the request.
    pub async fn approve_join_request(
        &self,
        actor: &Actor,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Membership> {
        let access = self
            .authorize(actor, community, CommunityAction::ReviewRequests)
            .await?;
        let request = self.pending_request(community, user).await?;
        let old = self.store().get_membership(community, user).await?;
        let now = self.now();
        match old.as_ref() {
            Some(m) if m.is_active() && m.role != Role::Guest => {
                return Err(Error::Conflict(Conflict::AlreadyMember));
            }
            Some(m) if m.is_banned_at(now) => return Err(Error::Conflict(Conflict::WrongState)),
            _ => {}
        }
        let membership = activated(old.as_ref(), *community, user, Role::Member, now);
        let mut tx = Transaction::new();
        tx.push(InvitationOp::PutJoinRequest {
            request: JoinRequest {
                status: RequestStatus::Approved {
                    by: actor.user.clone(),
                    at: now,
                },
                version: request.version + 1,
                ..request.clone()
            },
            expect: Expect::Version(request.version),
        });
        let mut writes = MembershipWrites::new(*community);
        writes.put(old.as_ref(), membership.clone());
        writes.into_tx(&mut tx);
        tx.push(self.activity(
            actor,
            *community,
            None,
            now,
            ActivityKind::MemberJoined {
                user: user.clone(),
                role: Role::Member,
                via: JoinedVia::Approval,
            },
        ));
        access.hold_authority(&mut tx);
        self.commit(tx).await?;
        Ok(membership)
    }

    /// Denies a pending request with a reason the person will see. They may
    /// ask again after the configured cool-down.
    pub async fn deny_join_request(
        &self,
        actor: &Actor,
        community: &CommunityId,
        user: &UserId,
        reason: &str,
    ) -> Result<JoinRequest> {
        let access = self
            .authorize(actor, community, CommunityAction::ReviewRequests)
            .await?;
        let mut check = Checker::new();
        let reason = check.text("reason", reason, 1, limits::REASON_MAX);
        check.finish()?;
        let request = self.pending_request(community, user).await?;
        let now = self.now();
        let denied = JoinRequest {
            status: RequestStatus::Denied {
                by: actor.user.clone(),
                at: now,
                reason,
            },
            version: request.version + 1,
            ..request.clone()
        };
        let mut tx = Transaction::new()
            .with(InvitationOp::PutJoinRequest {
                request: denied.clone(),
                expect: Expect::Version(request.version),
            })
            .with(self.activity(
                actor,
                *community,
                None,
                now,
                ActivityKind::JoinRequestDenied { user: user.clone() },
            ));
        access.hold_authority(&mut tx);
        self.commit(tx).await?;
        Ok(denied)
    }
}
