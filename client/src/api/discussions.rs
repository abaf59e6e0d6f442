//! Threads, posts and reactions.

use copkit_core::model::{Page, PageRequest, Post, ReactionKind, Thread};
use copkit_core::service::{NewPost, NewThread, ThreadChanges};
use copkit_core::{PostId, SpaceId, ThreadId};
use serde_json::json;

use super::communities::spelled;
use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Starts a discussion or a question.
    pub async fn start_thread(&self, space: &SpaceId, input: NewThread) -> ClientResult<Thread> {
        self.json(Call::new(&START_THREAD, &[space]).json(&input)?)
            .await
    }

    /// A thread.
    pub async fn get_thread(&self, id: &ThreadId) -> ClientResult<Thread> {
        self.json(Call::new(&GET_THREAD, &[id])).await
    }

    /// Threads of a space, most recently active first.
    pub async fn list_threads(
        &self,
        space: &SpaceId,
        page: &PageRequest,
    ) -> ClientResult<Page<Thread>> {
        self.json(Call::new(&LIST_THREADS, &[space]).page(page))
            .await
    }

    /// Pinned threads of a space.
    pub async fn pinned_threads(&self, space: &SpaceId) -> ClientResult<Vec<Thread>> {
        self.json(Call::new(&PINNED, &[space])).await
    }

    /// Edits a thread (its author); `expected_version` is the version read.
    pub async fn edit_thread(
        &self,
        id: &ThreadId,
        changes: ThreadChanges,
        expected_version: u64,
    ) -> ClientResult<Thread> {
        let call = Call::new(&EDIT_THREAD, &[id]).if_match(expected_version);
        self.json(call.json(&changes)?).await
    }

    /// Deletes a thread (its author or moderators).
    pub async fn delete_thread(&self, id: &ThreadId) -> ClientResult<()> {
        self.empty(Call::new(&DELETE_THREAD, &[id])).await
    }

    /// Pins or unpins a thread (moderators).
    pub async fn set_thread_pinned(&self, id: &ThreadId, pinned: bool) -> ClientResult<Thread> {
        let op = if pinned { &PIN } else { &UNPIN };
        self.json(Call::new(op, &[id])).await
    }

    /// Locks or unlocks a thread (moderators).
    pub async fn set_thread_locked(&self, id: &ThreadId, locked: bool) -> ClientResult<Thread> {
        let op = if locked { &LOCK } else { &UNLOCK };
        self.json(Call::new(op, &[id])).await
    }

    /// Marks a reply as a question's answer, or clears it with `None`.
    pub async fn accept_answer(&self, id: &ThreadId, post: Option<PostId>) -> ClientResult<Thread> {
        let call = match post {
            Some(post) => Call::new(&ACCEPT_ANSWER, &[id]).json(&json!({ "post": post }))?,
            None => Call::new(&WITHDRAW_ANSWER, &[id]),
        };
        self.json(call).await
    }

    /// Replies in a thread.
    pub async fn add_post(&self, thread: &ThreadId, input: NewPost) -> ClientResult<Post> {
        self.json(Call::new(&ADD_POST, &[thread]).json(&input)?)
            .await
    }

    /// Posts of a thread, oldest first.
    pub async fn list_posts(
        &self,
        thread: &ThreadId,
        page: &PageRequest,
    ) -> ClientResult<Page<Post>> {
        self.json(Call::new(&LIST_POSTS, &[thread]).page(page))
            .await
    }

    /// A post.
    pub async fn get_post(&self, id: &PostId) -> ClientResult<Post> {
        self.json(Call::new(&GET_POST, &[id])).await
    }

    /// Edits a post (its author); `expected_version` is the version read.
    pub async fn edit_post(
        &self,
        id: &PostId,
        body: &str,
        expected_version: u64,
    ) -> ClientResult<Post> {
        let call = Call::new(&EDIT_POST, &[id]).if_match(expected_version);
        self.json(call.json(&json!({ "body": body }))?).await
    }

    /// Deletes a post (its author or moderators).
    pub async fn delete_post(&self, id: &PostId) -> ClientResult<()> {
        self.empty(Call::new(&DELETE_POST, &[id])).await
    }

    /// Adds the caller's reaction to a post.
    pub async fn react(&self, post: &PostId, kind: ReactionKind) -> ClientResult<Post> {
        let kind = spelled(&kind)?;
        self.json(Call::new(&REACT, &[post, &kind])).await
    }

    /// Takes the caller's reaction back.
    pub async fn unreact(&self, post: &PostId, kind: ReactionKind) -> ClientResult<Post> {
        let kind = spelled(&kind)?;
        self.json(Call::new(&UNREACT, &[post, &kind])).await
    }

    /// The caller's reactions to a post.
    pub async fn my_reactions(&self, post: &PostId) -> ClientResult<Vec<ReactionKind>> {
        self.json(Call::new(&MY_REACTIONS, &[post])).await
    }
}
