//! Discussions in memory: the tables, the checks and effects of
//! [`DiscussionOp`], and the reads.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::ops::Bound;

use async_trait::async_trait;

use super::{
    HashMap, MemoryStore, check_expect, chunk_of, parse_time_id, parse_ulid_position,
    time_id_position,
};
use crate::ids::{PostId, SpaceId, ThreadId, UserId};
use crate::model::{Post, ReactionKind, Thread};
use crate::store::{Chunk, ConditionFailure, DiscussionOp, Range, StoreError, ThreadStore, rules};

/// A thread's place in its space's newest-first list: the space, then
/// (activity in ms, id) descending.
pub(super) type RecentEntry = (SpaceId, Reverse<(i64, ThreadId)>);

/// Where `thread` is listed among its space's recent threads (nowhere once
/// deleted).
fn recent_entry(thread: &Thread) -> Option<RecentEntry> {
    thread.deleted_at.is_none().then(|| {
        (
            thread.space,
            Reverse((thread.last_activity_at.as_millisecond(), thread.id)),
        )
    })
}

/// The discussions tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) threads: HashMap<ThreadId, Thread>,
    pub(super) space_threads: BTreeSet<(SpaceId, ThreadId)>,
    /// Each space's threads not deleted, newest activity first, so a page
    /// costs the same whatever the space holds.
    pub(super) recent: BTreeSet<RecentEntry>,
    pub(super) posts: HashMap<PostId, Post>,
    pub(super) thread_posts: BTreeSet<(ThreadId, PostId)>,
    pub(super) reactions: BTreeSet<(PostId, UserId, ReactionKind)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &DiscussionOp) -> Result<(), ConditionFailure> {
        match op {
            DiscussionOp::PutThread { thread, expect } => {
                check_expect(self.threads.get(&thread.id).map(|t| t.version), *expect)
            }
            DiscussionOp::TouchThread { thread, posts, .. } => {
                rules::touch_thread(self.threads.get(thread), *posts).map(drop)
            }
            DiscussionOp::PutPost { post, expect } => {
                check_expect(self.posts.get(&post.id).map(|p| p.version), *expect)
            }
            DiscussionOp::AddReaction { reaction } => {
                if !self.posts.contains_key(&reaction.post) {
                    Err(ConditionFailure::VersionMismatch)
                } else if self.reactions.contains(&(
                    reaction.post,
                    reaction.user.clone(),
                    reaction.kind,
                )) {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            DiscussionOp::RemoveReaction { post, user, kind } => {
                if self.reactions.contains(&(*post, user.clone(), *kind)) {
                    Ok(())
                } else {
                    Err(ConditionFailure::VersionMismatch)
                }
            }
            DiscussionOp::ForgetReaction { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: DiscussionOp) {
        match op {
            DiscussionOp::PutThread { mut thread, .. } => {
                if let Some(current) = self.threads.get(&thread.id) {
                    thread.last_activity_at = current.last_activity_at;
                    thread.post_count = current.post_count;
                    if let Some(entry) = recent_entry(current) {
                        self.recent.remove(&entry);
                    }
                }
                self.recent.extend(recent_entry(&thread));
                self.space_threads.insert((thread.space, thread.id));
                self.threads.insert(thread.id, thread);
            }
            DiscussionOp::TouchThread { thread, at, posts } => {
                if let Some(t) = self.threads.get_mut(&thread)
                    && let Ok(count) = rules::touch_thread(Some(t), posts)
                {
                    if let Some(entry) = recent_entry(t) {
                        self.recent.remove(&entry);
                    }
                    t.last_activity_at = t.last_activity_at.max(at);
                    t.post_count = count;
                    self.recent.extend(recent_entry(t));
                }
            }
            DiscussionOp::PutPost { mut post, .. } => {
                if let Some(current) = self.posts.get(&post.id) {
                    post.reactions = current.reactions;
                }
                self.thread_posts.insert((post.thread, post.id));
                self.posts.insert(post.id, post);
            }
            DiscussionOp::AddReaction { reaction } => {
                if let Some(p) = self.posts.get_mut(&reaction.post)
                    && let Some(next) = p.reactions.adjusted(reaction.kind, 1)
                {
                    p.reactions = next;
                }
                self.reactions
                    .insert((reaction.post, reaction.user, reaction.kind));
            }
            DiscussionOp::RemoveReaction { post, user, kind } => {
                if let Some(p) = self.posts.get_mut(&post)
                    && let Some(next) = p.reactions.adjusted(kind, -1)
                {
                    p.reactions = next;
                }
                self.reactions.remove(&(post, user, kind));
            }
            DiscussionOp::ForgetReaction { post, user, kind } => {
                self.reactions.remove(&(post, user, kind));
            }
        }
    }
}

#[async_trait]
impl ThreadStore for MemoryStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        Ok(self.lock().discussions.threads.get(id).cloned())
    }

    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        let after: Option<(i64, ThreadId)> =
            range.after.as_deref().map(parse_time_id).transpose()?;
        let start = match after {
            Some(after) => Bound::Excluded((*space, Reverse(after))),
            None => Bound::Included((*space, Reverse((i64::MAX, ThreadId(ulid::Ulid(u128::MAX)))))),
        };
        let state = self.lock();
        let threads = state
            .discussions
            .recent
            .range((start, Bound::Unbounded))
            .take_while(|(s, _)| s == space)
            .filter_map(|(_, Reverse((_, id)))| state.discussions.threads.get(id))
            .cloned();
        Ok(chunk_of(threads, range.limit, |t| {
            time_id_position(t.last_activity_at, t.id)
        }))
    }

    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        let state = self.lock();
        Ok(state
            .discussions
            .space_threads
            .range((*space, ThreadId(ulid::Ulid(0)))..=(*space, ThreadId(ulid::Ulid(u128::MAX))))
            .rev()
            .filter_map(|(_, id)| state.discussions.threads.get(id))
            .filter(|t| t.pinned && t.deleted_at.is_none())
            .cloned()
            .collect())
    }

    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        Ok(self.lock().discussions.posts.get(id).cloned())
    }

    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        let after: Option<PostId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(p) => Bound::Excluded((*thread, p)),
            None => Bound::Included((*thread, PostId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .discussions
            .thread_posts
            .range((
                start,
                Bound::Included((*thread, PostId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, id)| state.discussions.posts.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |p| p.id.to_string()))
    }

    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        let state = self.lock();
        Ok(ReactionKind::ALL
            .into_iter()
            .filter(|k| {
                state
                    .discussions
                    .reactions
                    .contains(&(*post, user.clone(), *k))
            })
            .collect())
    }
}
