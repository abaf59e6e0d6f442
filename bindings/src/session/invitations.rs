//! Invitations by email or link.

use copkit_core::model::Membership;
use copkit_core::service::{CreatedInvitation, InvitationPreview, InvitationView, NewInvitation};
use copkit_core::{CommunityId, InvitationId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Invites by email or makes a link; the token is returned only here.
    pub async fn create_invitation(
        &self,
        community: CommunityId,
        input: NewInvitation,
    ) -> SessionResult<CreatedInvitation> {
        Ok(both!(self, create_invitation(&community, input))?)
    }

    /// Invitations of a community (moderators).
    pub async fn list_invitations(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<InvitationPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_invitations(&community, &page))?.into())
    }

    /// Revokes an invitation (moderators).
    pub async fn revoke_invitation(
        &self,
        community: CommunityId,
        id: InvitationId,
    ) -> SessionResult<InvitationView> {
        Ok(both!(self, revoke_invitation(&community, &id))?)
    }

    /// What a token leads to, before accepting.
    pub async fn preview_invitation(&self, token: String) -> SessionResult<InvitationPreview> {
        Ok(both!(self, preview_invitation(&token))?)
    }

    /// Accepts an invitation.
    pub async fn accept_invitation(&self, token: String) -> SessionResult<Membership> {
        Ok(both!(self, accept_invitation(&token))?)
    }
}
