//! Invitations and join requests, in SQLite. The same rules as the memory
//! store's `invitations.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | invitation | `INVITE#id` / `META` | index 1: `INVITES␟community` / `id`; index 2 (addressed): `INVITED␟address` / `id` |
//! | token | `TOKEN#hash` / `TOKEN` (holds the invitation id) | — |
//! | join request | `COMM#community` / `REQUEST#user` | index 1 (pending): `PENDING␟community` / `requested ms␟user` |

use copkit_core::model::{Invitation, JoinRequest, TokenHash};
use copkit_core::store::{Chunk, ConditionFailure, Expect, InvitationOp, Range, StoreError};
use copkit_core::{CommunityId, InvitationId, UserId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn invitation_key(id: &InvitationId) -> Key {
    Key::new(format!("INVITE#{id}"), "META")
}

fn token_key(hash: &TokenHash) -> Key {
    Key::new(format!("TOKEN#{}", hash.as_str()), "TOKEN")
}

fn request_key(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("REQUEST#{user}"))
}

fn invitations_of(community: &CommunityId) -> String {
    format!("INVITES{SEP}{community}")
}

fn invited(address: &str) -> String {
    format!("INVITED{SEP}{address}")
}

fn pending(community: &CommunityId) -> String {
    format!("PENDING{SEP}{community}")
}

fn put_invitation(conn: &Connection, i: &Invitation) -> Result<(), StoreError> {
    let mut listed =
        Listed::nowhere().on(Index::One, invitations_of(&i.community), i.id.to_string());
    if let Some(address) = i.addressed_to() {
        listed = listed.on(Index::Two, invited(address), i.id.to_string());
    }
    items::put(conn, &invitation_key(&i.id), i, &listed)
}

fn find_invitation(conn: &Connection, id: &InvitationId) -> Result<Option<Invitation>, StoreError> {
    items::get(conn, &invitation_key(id))
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &InvitationOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        InvitationOp::CreateInvitation { invitation } => {
            let exists = find_invitation(conn, &invitation.id)?.is_some()
                || items::get::<InvitationId>(conn, &token_key(&invitation.token_hash))?.is_some();
            if exists {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
        InvitationOp::UpdateInvitation {
            invitation,
            expect_version,
        } => check_expect(
            find_invitation(conn, &invitation.id)?.map(|i| i.version),
            Expect::Version(*expect_version),
        ),
        InvitationOp::ConsumeInvitation { community, id, now } => {
            match find_invitation(conn, id)? {
                Some(i) if i.community == *community && i.is_usable_at(*now) => Ok(()),
                _ => Err(ConditionFailure::InvitationUnusable),
            }
        }
        InvitationOp::PutJoinRequest { request, expect } => check_expect(
            get_join_request(conn, &request.community, &request.user)?.map(|r| r.version),
            *expect,
        ),
        InvitationOp::ForgetJoinRequest { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: InvitationOp) -> Result<(), StoreError> {
    match op {
        InvitationOp::CreateInvitation { invitation } => {
            items::put(
                conn,
                &token_key(&invitation.token_hash),
                &invitation.id,
                &Listed::nowhere(),
            )?;
            put_invitation(conn, &invitation)
        }
        InvitationOp::UpdateInvitation { invitation, .. } => put_invitation(conn, &invitation),
        InvitationOp::ConsumeInvitation { id, .. } => {
            if let Some(mut i) = find_invitation(conn, &id)? {
                i.uses += 1;
                i.version += 1;
                put_invitation(conn, &i)?;
            }
            Ok(())
        }
        InvitationOp::PutJoinRequest { request, .. } => {
            let listed = if request.is_pending() {
                Listed::nowhere().on(
                    Index::One,
                    pending(&request.community),
                    format!(
                        "{:020}{SEP}{}",
                        request.requested_at.as_millisecond(),
                        request.user
                    ),
                )
            } else {
                Listed::nowhere()
            };
            items::put(
                conn,
                &request_key(&request.community, &request.user),
                &request,
                &listed,
            )
        }
        InvitationOp::ForgetJoinRequest { community, user } => {
            items::delete(conn, &request_key(&community, &user))
        }
    }
}

/// An invitation of a community.
pub(crate) fn get_invitation(
    conn: &Connection,
    community: &CommunityId,
    id: &InvitationId,
) -> Result<Option<Invitation>, StoreError> {
    Ok(find_invitation(conn, id)?.filter(|i| i.community == *community))
}

/// The invitation whose token has this hash.
pub(crate) fn get_invitation_by_token(
    conn: &Connection,
    hash: &TokenHash,
) -> Result<Option<Invitation>, StoreError> {
    match items::get::<InvitationId>(conn, &token_key(hash))? {
        Some(id) => find_invitation(conn, &id),
        None => Ok(None),
    }
}

fn check_id_position(range: &Range) -> Result<(), StoreError> {
    if let Some(p) = &range.after {
        p.parse::<InvitationId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    Ok(())
}

/// A community's invitations, newest first.
pub(crate) fn list_invitations(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<Invitation>, StoreError> {
    check_id_position(range)?;
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &invitations_of(community),
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &Invitation| true,
    )
}

/// Invitations addressed to an email, oldest first.
pub(crate) fn list_invitations_to(
    conn: &Connection,
    address: &str,
    range: &Range,
) -> Result<Chunk<Invitation>, StoreError> {
    check_id_position(range)?;
    items::chunk(
        conn,
        Source::Index {
            index: Index::Two,
            pk: &invited(address),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Invitation| true,
    )
}

/// A person's request to join a community.
pub(crate) fn get_join_request(
    conn: &Connection,
    community: &CommunityId,
    user: &UserId,
) -> Result<Option<JoinRequest>, StoreError> {
    items::get(conn, &request_key(community, user))
}

/// A community's pending requests, oldest first.
pub(crate) fn list_pending_requests(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<JoinRequest>, StoreError> {
    if let Some(p) = &range.after {
        let (ms, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
        if ms.parse::<i64>().is_err() || UserId::new(user).is_err() {
            return Err(StoreError::InvalidPosition);
        }
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &pending(community),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &JoinRequest| true,
    )
}
