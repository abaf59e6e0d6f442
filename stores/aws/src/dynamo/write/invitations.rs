//! Planning the writes of [`InvitationOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use aws_sdk_dynamodb::types::AttributeValue;
use copkit_core::model::{Invitation, JoinRequest};
use copkit_core::store::{ConditionFailure, Expect, InvitationOp, StoreError};

use super::{EXPIRES, Expr, Parts, REVOKED, absent, exists, expect_condition, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_COMMUNITY, CLAIM_ID, Item, b, encode, key_item, n, s, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::{DEFINITION, GSI1, GSI3};

/// How long DynamoDB keeps an invitation after it expired.
const INVITATION_GRACE_SECS: i64 = 90 * 24 * 3600;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_invitations(
        &self,
        op: &InvitationOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            InvitationOp::CreateInvitation { invitation } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(invitation_item(invitation)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
                let mut claim = key_item(&keys::token(&invitation.token_hash));
                claim.insert(CLAIM_COMMUNITY.into(), s(invitation.community.to_string()));
                claim.insert(CLAIM_ID.into(), s(invitation.id.to_string()));
                claim.insert(DEFINITION.ttl_attribute.into(), invitation_ttl(invitation));
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(claim, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
            }
            InvitationOp::UpdateInvitation {
                invitation,
                expect_version,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(Expect::Version(*expect_version), &mut e);
                parts.add(
                    self.put(invitation_item(invitation)?, &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            InvitationOp::ConsumeInvitation { community, id, now } => {
                let mut e = Expr::default();
                let uses = e.name("uses");
                let max_uses = e.name("max_uses");
                let version = e.name("version");
                let one = e.value(n(1));
                let set = vec![
                    format!("{uses} = {uses} + {one}"),
                    format!("{version} = {version} + {one}"),
                ];
                let revoked = e.name(REVOKED);
                let expires = e.name(EXPIRES);
                let conditions = vec![
                    exists(&mut e),
                    format!("{revoked} = {}", e.value(b(false))),
                    format!("{expires} > {}", e.value(s(keys::time_key(*now)))),
                    format!("{uses} < {max_uses}"),
                ];
                parts.add(
                    self.update(&keys::invitation(community, id), &set, &[], &conditions, e)?,
                    fixed(ConditionFailure::InvitationUnusable),
                );
            }
            InvitationOp::PutJoinRequest { request, expect } => {
                parts.put_expecting(self, join_request_item(request)?, *expect)?;
            }
            InvitationOp::ForgetJoinRequest { community, user } => {
                parts.forget(self, &keys::join_request(community, user))?;
            }
        }
        Ok(())
    }
}

fn join_request_item(r: &JoinRequest) -> Result<Item, StoreError> {
    let mut item = encode(r, &keys::join_request(&r.community, &r.user))?;
    if r.is_pending() {
        set_index(
            &mut item,
            GSI3,
            keys::pending_requests(&r.community),
            keys::time_sort(r.requested_at, &r.user),
        );
    }
    Ok(item)
}

fn invitation_ttl(i: &Invitation) -> AttributeValue {
    n(i.expires_at
        .as_second()
        .saturating_add(INVITATION_GRACE_SECS))
}

fn invitation_item(i: &Invitation) -> Result<Item, StoreError> {
    let mut item = encode(i, &keys::invitation(&i.community, &i.id))?;
    item.insert(REVOKED.into(), b(i.revoked_at.is_some()));
    item.insert(EXPIRES.into(), s(keys::time_key(i.expires_at)));
    item.insert(DEFINITION.ttl_attribute.into(), invitation_ttl(i));
    if let Some(address) = i.addressed_to() {
        set_index(
            &mut item,
            GSI1,
            keys::invited_email(address),
            i.id.to_string(),
        );
    }
    Ok(item)
}
