//! Communities, their slugs and the directory; memberships, rosters and
//! access facts, in SQLite. The same rules as the memory store's
//! `communities.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | community | `COMM#id` / `META` | index 1 (when listed): `DIRECTORY` / `lower name␟id` |
//! | slug claim | `SLUG#slug` / `SLUG` | — |
//! | membership | `COMM#community` / `MEMBER#user` | index 1 (active or banned): `ROSTER␟community␟a|b` / `role␟user`; index 2 (active): `MEMBERSHIPS␟user` / `community`; index 3 (active): `LEVEL␟community␟level` / `user` |

use copkit_core::model::{Community, Membership, MembershipStatus, ParticipationLevel, Slug};
use copkit_core::store::{
    AccessFacts, Chunk, CommunityOp, ConditionFailure, DirectoryQuery, MemberFilter, Range,
    StoreError, rules,
};
use copkit_core::{CommunityId, SpaceId, UserId};
use rusqlite::Connection;

use super::{check_expect, spaces};
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn community_key(id: &CommunityId) -> Key {
    Key::new(format!("COMM#{id}"), "META")
}

/// Every community's id, Secret ones included, in id order (to rebuild
/// what is derived from all of them, such as the search index).
pub(crate) fn all_community_ids(conn: &Connection) -> Result<Vec<CommunityId>, StoreError> {
    let mut statement = conn
        .prepare(
            "SELECT pk FROM items WHERE pk >= 'COMM#' AND pk < 'COMM$' AND sk = 'META' ORDER BY pk",
        )
        .map_err(crate::database::store_error)?;
    let keys = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(crate::database::store_error)?;
    let mut ids = Vec::new();
    for key in keys {
        let key = key.map_err(crate::database::store_error)?;
        let id = key
            .strip_prefix("COMM#")
            .and_then(|id| id.parse::<CommunityId>().ok())
            .ok_or_else(|| StoreError::Internal(format!("not a community key: {key}")))?;
        ids.push(id);
    }
    Ok(ids)
}

fn slug_key(slug: &Slug) -> Key {
    Key::new(format!("SLUG#{}", slug.as_str()), "SLUG")
}

fn membership_key(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("MEMBER#{user}"))
}

const DIRECTORY: &str = "DIRECTORY";

fn roster(community: &CommunityId, banned: bool) -> String {
    format!(
        "ROSTER{SEP}{community}{SEP}{}",
        if banned { 'b' } else { 'a' }
    )
}

fn memberships_of(user: &UserId) -> String {
    format!("MEMBERSHIPS{SEP}{user}")
}

fn level_list(community: &CommunityId, level: ParticipationLevel) -> String {
    format!("LEVEL{SEP}{community}{SEP}{}", level as u8)
}

fn member_position(m: &Membership) -> String {
    format!("{}{SEP}{}", m.role as u8, m.user)
}

/// Where a community is listed: in the directory while listed.
fn community_listing(c: &Community) -> Listed {
    if c.visibility.is_listed() {
        Listed::nowhere().on(
            Index::One,
            DIRECTORY,
            format!("{}{SEP}{}", c.name.to_lowercase(), c.id),
        )
    } else {
        Listed::nowhere()
    }
}

/// Where a membership is listed: on the roster while active or banned, and
/// among the person's memberships and by level while active.
fn membership_listing(m: &Membership) -> Listed {
    let banned = matches!(m.status, MembershipStatus::Banned { .. });
    let mut listed = Listed::nowhere();
    if m.is_active() || banned {
        listed = listed.on(Index::One, roster(&m.community, banned), member_position(m));
    }
    if m.is_active() {
        listed = listed
            .on(Index::Two, memberships_of(&m.user), m.community.to_string())
            .on(
                Index::Three,
                level_list(&m.community, m.level),
                m.user.to_string(),
            );
    }
    listed
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &CommunityOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    let slug_taken = |slug: &Slug| items::get::<CommunityId>(conn, &slug_key(slug));
    Ok(match op {
        CommunityOp::CreateCommunity { community } => {
            let exists = get_community(conn, &community.id)?.is_some();
            let taken = match community.slug_claim() {
                Some(slug) => slug_taken(slug)?.is_some(),
                None => false,
            };
            if exists || taken {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
        CommunityOp::UpdateCommunity {
            community,
            previous_claim,
            expect_version,
        } => match get_community(conn, &community.id)? {
            Some(current)
                if current.version == *expect_version
                    && current.slug_claim() == previous_claim.as_ref() =>
            {
                match community.slug_claim() {
                    Some(slug)
                        if Some(slug) != previous_claim.as_ref() && slug_taken(slug)?.is_some() =>
                    {
                        Err(ConditionFailure::AlreadyExists)
                    }
                    _ => Ok(()),
                }
            }
            _ => Err(ConditionFailure::VersionMismatch),
        },
        CommunityOp::AdjustCounts { community, delta } => {
            let current = get_community(conn, community)?;
            rules::adjust_counts(current.as_ref().map(|c| &c.counts), *delta).map(drop)
        }
        CommunityOp::PutMembership { membership, expect } => check_expect(
            get_membership(conn, &membership.community, &membership.user)?.map(|m| m.version),
            *expect,
        ),
        CommunityOp::ForgetMembership { .. } => Ok(()),
        CommunityOp::RequireMembership {
            community,
            user,
            version,
        } => check_expect(
            get_membership(conn, community, user)?.map(|m| m.version),
            copkit_core::store::Expect::Version(*version),
        ),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: CommunityOp) -> Result<(), StoreError> {
    match op {
        CommunityOp::CreateCommunity { community } => {
            if let Some(slug) = community.slug_claim() {
                items::put(conn, &slug_key(slug), &community.id, &Listed::nowhere())?;
            }
            items::put(
                conn,
                &community_key(&community.id),
                &community,
                &community_listing(&community),
            )
        }
        CommunityOp::UpdateCommunity {
            mut community,
            previous_claim,
            ..
        } => {
            if let Some(current) = get_community(conn, &community.id)? {
                community.counts = current.counts;
            }
            if previous_claim.as_ref() != community.slug_claim() {
                if let Some(previous) = &previous_claim {
                    items::delete(conn, &slug_key(previous))?;
                }
                if let Some(slug) = community.slug_claim() {
                    items::put(conn, &slug_key(slug), &community.id, &Listed::nowhere())?;
                }
            }
            items::put(
                conn,
                &community_key(&community.id),
                &community,
                &community_listing(&community),
            )
        }
        CommunityOp::AdjustCounts { community, delta } => {
            if let Some(mut c) = get_community(conn, &community)?
                && let Ok(after) = rules::adjust_counts(Some(&c.counts), delta)
            {
                c.counts = after;
                items::put(conn, &community_key(&community), &c, &community_listing(&c))?;
            }
            Ok(())
        }
        CommunityOp::PutMembership { membership, .. } => items::put(
            conn,
            &membership_key(&membership.community, &membership.user),
            &membership,
            &membership_listing(&membership),
        ),
        CommunityOp::RequireMembership { .. } => Ok(()),
        CommunityOp::ForgetMembership { community, user } => {
            items::delete(conn, &membership_key(&community, &user))
        }
    }
}

/// One community.
pub(crate) fn get_community(
    conn: &Connection,
    id: &CommunityId,
) -> Result<Option<Community>, StoreError> {
    items::get(conn, &community_key(id))
}

/// The id of the community claiming `slug`.
pub(crate) fn community_id_by_slug(
    conn: &Connection,
    slug: &Slug,
) -> Result<Option<CommunityId>, StoreError> {
    items::get(conn, &slug_key(slug))
}

/// Listed communities by name, optionally of one kind and starting with a
/// prefix (case-insensitive).
pub(crate) fn list_directory(
    conn: &Connection,
    query: &DirectoryQuery,
    range: &Range,
) -> Result<Chunk<Community>, StoreError> {
    if let Some(p) = &range.after {
        let (_, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
        id.parse::<CommunityId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    let prefix = query
        .name_prefix
        .as_deref()
        .map(str::to_lowercase)
        .unwrap_or_default();
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: DIRECTORY,
            prefix: &prefix,
        },
        Order::Ascending,
        range,
        |c: &Community| query.kind.is_none_or(|k| c.kind == k),
    )
}

/// One membership.
pub(crate) fn get_membership(
    conn: &Connection,
    community: &CommunityId,
    user: &UserId,
) -> Result<Option<Membership>, StoreError> {
    items::get(conn, &membership_key(community, user))
}

/// The community, the person's membership and their grant to `space`.
pub(crate) fn access_facts(
    conn: &Connection,
    community: &CommunityId,
    user: &UserId,
    space: Option<&SpaceId>,
) -> Result<AccessFacts, StoreError> {
    Ok(AccessFacts {
        community: get_community(conn, community)?,
        membership: get_membership(conn, community, user)?,
        grant: match space {
            Some(space) => spaces::get_grant(conn, space, user)?,
            None => None,
        },
    })
}

/// A community's members: active or banned ones by (role, user), or
/// active ones at one level by user.
pub(crate) fn list_members(
    conn: &Connection,
    community: &CommunityId,
    filter: MemberFilter,
    range: &Range,
) -> Result<Chunk<Membership>, StoreError> {
    let list = match filter {
        MemberFilter::Level(level) => {
            if let Some(p) = &range.after {
                UserId::new(p.as_str()).map_err(|_| StoreError::InvalidPosition)?;
            }
            level_list(community, level)
        }
        MemberFilter::Active | MemberFilter::Banned => {
            if let Some(p) = &range.after {
                let (role, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                role.parse::<u8>()
                    .map_err(|_| StoreError::InvalidPosition)?;
                UserId::new(user).map_err(|_| StoreError::InvalidPosition)?;
            }
            roster(community, matches!(filter, MemberFilter::Banned))
        }
    };
    let index = match filter {
        MemberFilter::Level(_) => Index::Three,
        _ => Index::One,
    };
    items::chunk(
        conn,
        Source::Index {
            index,
            pk: &list,
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Membership| true,
    )
}

/// A person's active memberships, by community.
pub(crate) fn list_user_memberships(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<Membership>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<CommunityId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::Two,
            pk: &memberships_of(user),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Membership| true,
    )
}
