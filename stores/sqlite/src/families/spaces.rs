//! Spaces and the guest grants that open them, in SQLite: the items, the
//! checks and effects of [`SpaceOp`], and the reads. The same rules as the
//! memory store's `spaces.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | space | `SPACE#id` / `META` | index 1: `SPACES␟community` / `id` |
//! | grant | `SPACE#space` / `GRANT#user` | index 1: `GRANTS␟community␟user` / `space` |

use copkit_core::model::{Space, SpaceGrant};
use copkit_core::store::{ConditionFailure, SpaceOp, StoreError};
use copkit_core::{CommunityId, SpaceId, UserId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn space_key(id: &SpaceId) -> Key {
    Key::new(format!("SPACE#{id}"), "META")
}

fn community_spaces(community: &CommunityId) -> String {
    format!("SPACES{SEP}{community}")
}

fn grant_key(space: &SpaceId, user: &UserId) -> Key {
    Key::new(format!("SPACE#{space}"), format!("GRANT#{user}"))
}

fn user_grants(community: &CommunityId, user: &UserId) -> String {
    format!("GRANTS{SEP}{community}{SEP}{user}")
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &SpaceOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        SpaceOp::PutSpace { space, expect } => {
            let current: Option<Space> = items::get(conn, &space_key(&space.id))?;
            check_expect(current.map(|s| s.version), *expect)
        }
        SpaceOp::PutGrant { .. } | SpaceOp::DeleteGrant { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: SpaceOp) -> Result<(), StoreError> {
    match op {
        SpaceOp::PutSpace { space, .. } => {
            let listed = Listed::nowhere().on(
                Index::One,
                community_spaces(&space.community),
                space.id.to_string(),
            );
            items::put(conn, &space_key(&space.id), &space, &listed)
        }
        SpaceOp::PutGrant { grant } => {
            let listed = Listed::nowhere().on(
                Index::One,
                user_grants(&grant.community, &grant.user),
                grant.space.to_string(),
            );
            items::put(conn, &grant_key(&grant.space, &grant.user), &grant, &listed)
        }
        SpaceOp::DeleteGrant { space, user } => items::delete(conn, &grant_key(&space, &user)),
    }
}

/// One grant.
pub(crate) fn get_grant(
    conn: &Connection,
    space: &SpaceId,
    user: &UserId,
) -> Result<Option<SpaceGrant>, StoreError> {
    items::get(conn, &grant_key(space, user))
}

/// One space.
pub(crate) fn get_space(conn: &Connection, id: &SpaceId) -> Result<Option<Space>, StoreError> {
    items::get(conn, &space_key(id))
}

/// Every space of a community, by id.
pub(crate) fn list_spaces(
    conn: &Connection,
    community: &CommunityId,
) -> Result<Vec<Space>, StoreError> {
    items::records(
        conn,
        Source::Index {
            index: Index::One,
            pk: &community_spaces(community),
            prefix: "",
        },
        Order::Ascending,
        usize::MAX,
    )
}

/// Every grant of a member in a community, by space.
pub(crate) fn list_user_grants(
    conn: &Connection,
    community: &CommunityId,
    user: &UserId,
) -> Result<Vec<SpaceGrant>, StoreError> {
    items::records(
        conn,
        Source::Index {
            index: Index::One,
            pk: &user_grants(community, user),
            prefix: "",
        },
        Order::Ascending,
        usize::MAX,
    )
}

/// Every grant of a space, by user.
pub(crate) fn list_space_grants(
    conn: &Connection,
    space: &SpaceId,
) -> Result<Vec<SpaceGrant>, StoreError> {
    items::records(
        conn,
        Source::Partition {
            pk: &format!("SPACE#{space}"),
            prefix: "GRANT#",
        },
        Order::Ascending,
        usize::MAX,
    )
}
