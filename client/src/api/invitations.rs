//! Invitations.

use copkit_core::model::{Membership, Page, PageRequest};
use copkit_core::service::{CreatedInvitation, InvitationPreview, InvitationView, NewInvitation};
use copkit_core::{CommunityId, InvitationId};
use serde_json::json;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Invites someone (the token is in the answer, once).
    pub async fn create_invitation(
        &self,
        community: &CommunityId,
        input: NewInvitation,
    ) -> ClientResult<CreatedInvitation> {
        self.json(Call::new(&INVITE, &[community]).json(&input)?)
            .await
    }

    /// A community's invitations (moderators).
    pub async fn list_invitations(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<InvitationView>> {
        self.json(Call::new(&LIST_INVITATIONS, &[community]).page(page))
            .await
    }

    /// Revokes an invitation (moderators).
    pub async fn revoke_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> ClientResult<InvitationView> {
        self.json(Call::new(&REVOKE_INVITATION, &[community, id]))
            .await
    }

    /// What an invitation token is for, before accepting it.
    pub async fn preview_invitation(&self, token: &str) -> ClientResult<InvitationPreview> {
        let call = Call::new(&PREVIEW_INVITATION, &[]).json(&json!({ "token": token }))?;
        self.json(call).await
    }

    /// Accepts an invitation.
    pub async fn accept_invitation(&self, token: &str) -> ClientResult<Membership> {
        let call = Call::new(&ACCEPT_INVITATION, &[]).json(&json!({ "token": token }))?;
        self.json(call).await
    }
}
