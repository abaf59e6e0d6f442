//! Discussion threads, their posts and reactions, in SQLite. The same rules
//! as the memory store's `discussions.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | thread | `THREAD#id` / `META` | index 1 (not deleted): `RECENT␟space` / `activity ms␟id`; index 2 (pinned, not deleted): `PINNED␟space` / `id` |
//! | post | `POST#id` / `META` | index 1: `POSTS␟thread` / `id` |
//! | reaction | `POST#post` / `REACTION#user␟kind` | — |

use copkit_core::model::{Post, ReactionKind, Thread};
use copkit_core::store::{Chunk, ConditionFailure, DiscussionOp, Range, StoreError, rules};
use copkit_core::{PostId, SpaceId, ThreadId, UserId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn thread_key(id: &ThreadId) -> Key {
    Key::new(format!("THREAD#{id}"), "META")
}

fn post_key(id: &PostId) -> Key {
    Key::new(format!("POST#{id}"), "META")
}

fn reaction_key(post: &PostId, user: &UserId, kind: ReactionKind) -> Key {
    Key::new(
        format!("POST#{post}"),
        format!("REACTION#{user}{SEP}{}", kind as u8),
    )
}

fn recent(space: &SpaceId) -> String {
    format!("RECENT{SEP}{space}")
}

fn pinned(space: &SpaceId) -> String {
    format!("PINNED{SEP}{space}")
}

fn posts_of(thread: &ThreadId) -> String {
    format!("POSTS{SEP}{thread}")
}

/// A thread's place in its space's newest-first list.
fn activity_position(t: &Thread) -> String {
    format!("{:020}{SEP}{}", t.last_activity_at.as_millisecond(), t.id)
}

fn thread_listing(t: &Thread) -> Listed {
    let mut listed = Listed::nowhere();
    if t.deleted_at.is_none() {
        listed = listed.on(Index::One, recent(&t.space), activity_position(t));
        if t.pinned {
            listed = listed.on(Index::Two, pinned(&t.space), t.id.to_string());
        }
    }
    listed
}

fn put_thread(conn: &Connection, t: &Thread) -> Result<(), StoreError> {
    items::put(conn, &thread_key(&t.id), t, &thread_listing(t))
}

fn put_post(conn: &Connection, p: &Post) -> Result<(), StoreError> {
    let listed = Listed::nowhere().on(Index::One, posts_of(&p.thread), p.id.to_string());
    items::put(conn, &post_key(&p.id), p, &listed)
}

pub(crate) fn has_reaction(
    conn: &Connection,
    post: &PostId,
    user: &UserId,
    kind: ReactionKind,
) -> Result<bool, StoreError> {
    Ok(items::get::<ReactionKind>(conn, &reaction_key(post, user, kind))?.is_some())
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &DiscussionOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        DiscussionOp::PutThread { thread, expect } => {
            check_expect(get_thread(conn, &thread.id)?.map(|t| t.version), *expect)
        }
        DiscussionOp::TouchThread { thread, posts, .. } => {
            rules::touch_thread(get_thread(conn, thread)?.as_ref(), *posts).map(drop)
        }
        DiscussionOp::PutPost { post, expect } => {
            check_expect(get_post(conn, &post.id)?.map(|p| p.version), *expect)
        }
        DiscussionOp::AddReaction { reaction } => {
            if get_post(conn, &reaction.post)?.is_none() {
                Err(ConditionFailure::VersionMismatch)
            } else if has_reaction(conn, &reaction.post, &reaction.user, reaction.kind)? {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
        DiscussionOp::RemoveReaction { post, user, kind } => {
            if has_reaction(conn, post, user, *kind)? {
                Ok(())
            } else {
                Err(ConditionFailure::VersionMismatch)
            }
        }
        DiscussionOp::ForgetReaction { .. } => Ok(()),
    })
}

/// Changes a post's count of one reaction kind.
fn count_reaction(
    conn: &Connection,
    post: &PostId,
    kind: ReactionKind,
    delta: i64,
) -> Result<(), StoreError> {
    if let Some(mut p) = get_post(conn, post)?
        && let Some(next) = p.reactions.adjusted(kind, delta)
    {
        p.reactions = next;
        put_post(conn, &p)?;
    }
    Ok(())
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: DiscussionOp) -> Result<(), StoreError> {
    match op {
        DiscussionOp::PutThread { mut thread, .. } => {
            if let Some(current) = get_thread(conn, &thread.id)? {
                thread.last_activity_at = current.last_activity_at;
                thread.post_count = current.post_count;
            }
            put_thread(conn, &thread)
        }
        DiscussionOp::TouchThread { thread, at, posts } => {
            if let Some(mut t) = get_thread(conn, &thread)?
                && let Ok(count) = rules::touch_thread(Some(&t), posts)
            {
                t.last_activity_at = t.last_activity_at.max(at);
                t.post_count = count;
                put_thread(conn, &t)?;
            }
            Ok(())
        }
        DiscussionOp::PutPost { mut post, .. } => {
            if let Some(current) = get_post(conn, &post.id)? {
                post.reactions = current.reactions;
            }
            put_post(conn, &post)
        }
        DiscussionOp::AddReaction { reaction } => {
            count_reaction(conn, &reaction.post, reaction.kind, 1)?;
            items::put(
                conn,
                &reaction_key(&reaction.post, &reaction.user, reaction.kind),
                &reaction.kind,
                &Listed::nowhere(),
            )
        }
        DiscussionOp::RemoveReaction { post, user, kind } => {
            count_reaction(conn, &post, kind, -1)?;
            items::delete(conn, &reaction_key(&post, &user, kind))
        }
        DiscussionOp::ForgetReaction { post, user, kind } => {
            items::delete(conn, &reaction_key(&post, &user, kind))
        }
    }
}

/// One thread.
pub(crate) fn get_thread(conn: &Connection, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
    items::get(conn, &thread_key(id))
}

/// A space's threads not deleted, latest activity first.
pub(crate) fn list_threads(
    conn: &Connection,
    space: &SpaceId,
    range: &Range,
) -> Result<Chunk<Thread>, StoreError> {
    if let Some(p) = &range.after {
        let (ms, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
        ms.parse::<i64>().map_err(|_| StoreError::InvalidPosition)?;
        id.parse::<ThreadId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &recent(space),
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &Thread| true,
    )
}

/// A space's pinned threads, newest first.
pub(crate) fn list_pinned_threads(
    conn: &Connection,
    space: &SpaceId,
) -> Result<Vec<Thread>, StoreError> {
    items::records(
        conn,
        Source::Index {
            index: Index::Two,
            pk: &pinned(space),
            prefix: "",
        },
        Order::Descending,
        usize::MAX,
    )
}

/// One post.
pub(crate) fn get_post(conn: &Connection, id: &PostId) -> Result<Option<Post>, StoreError> {
    items::get(conn, &post_key(id))
}

/// A thread's posts, oldest first.
pub(crate) fn list_posts(
    conn: &Connection,
    thread: &ThreadId,
    range: &Range,
) -> Result<Chunk<Post>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<PostId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &posts_of(thread),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Post| true,
    )
}

/// The kinds of reaction `user` gave `post`.
pub(crate) fn get_reactions(
    conn: &Connection,
    post: &PostId,
    user: &UserId,
) -> Result<Vec<ReactionKind>, StoreError> {
    let mut kinds = Vec::new();
    for kind in ReactionKind::ALL {
        if has_reaction(conn, post, user, kind)? {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}
