//! Discussion threads, their posts and reactions.
//!
//! The reads ([`ThreadStore`]) and the writes ([`DiscussionOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{PostId, SpaceId, ThreadId, UserId};
use crate::model::{Post, Reaction, ReactionKind, Thread};

/// Discussion threads, posts and reactions.
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// One thread.
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError>;
    /// A space's threads that are not deleted, latest activity first (then
    /// newest id first).
    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError>;
    /// A space's pinned threads that are not deleted, newest first.
    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError>;
    /// One post.
    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError>;
    /// A thread's posts and replies (tombstones included), oldest first.
    async fn list_posts(&self, thread: &ThreadId, range: &Range)
    -> Result<Chunk<Post>, StoreError>;
    /// The reactions one person gave one post.
    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DiscussionOp {
    /// Create or replace a thread's content and flags (its activity time and
    /// post count are the store's and survive a replace).
    PutThread {
        /// The new record.
        thread: Thread,
        /// Its expected current state.
        expect: Expect,
    },
    /// Record activity on a thread: its latest-activity time moves to `at`
    /// (never backwards) and its post count changes by `posts`. Fails
    /// `Closed` if the thread is locked or deleted, `VersionMismatch` if gone.
    TouchThread {
        /// The thread.
        thread: ThreadId,
        /// When.
        at: Timestamp,
        /// Change in posts.
        posts: i64,
    },
    /// Create or replace a post (its reaction counts are the store's and
    /// survive a replace).
    PutPost {
        /// The new record.
        post: Post,
        /// Its expected current state.
        expect: Expect,
    },
    /// Add a reaction and count it on the post (`AlreadyExists` if given
    /// already, `VersionMismatch` if the post is gone).
    AddReaction {
        /// The reaction.
        reaction: Reaction,
    },
    /// Remove a reaction and uncount it (`VersionMismatch` if not given).
    RemoveReaction {
        /// The post.
        post: PostId,
        /// Who.
        user: UserId,
        /// Which.
        kind: ReactionKind,
    },
    /// Delete a person's reaction record, keeping the post's counts (an
    /// aggregate; erasure). Nothing happens when absent.
    ForgetReaction {
        /// The post.
        post: PostId,
        /// Whose.
        user: UserId,
        /// Which.
        kind: ReactionKind,
    },
}

impl DiscussionOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            DiscussionOp::PutThread { thread, .. } => vec![ItemKey::Thread(thread.id)],
            DiscussionOp::TouchThread { thread, .. } => vec![ItemKey::Thread(*thread)],
            DiscussionOp::PutPost { post, .. } => vec![ItemKey::Post(post.id)],
            DiscussionOp::AddReaction { reaction } => vec![
                ItemKey::Reaction(reaction.post, reaction.user.clone(), reaction.kind),
                ItemKey::Post(reaction.post),
            ],
            DiscussionOp::RemoveReaction { post, user, kind } => vec![
                ItemKey::Reaction(*post, user.clone(), *kind),
                ItemKey::Post(*post),
            ],
            DiscussionOp::ForgetReaction { post, user, kind } => {
                vec![ItemKey::Reaction(*post, user.clone(), *kind)]
            }
        }
    }
}

impl From<DiscussionOp> for Op {
    fn from(op: DiscussionOp) -> Op {
        Op::Discussion(op)
    }
}
