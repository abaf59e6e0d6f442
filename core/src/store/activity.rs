//! The activity record, participation (contribution points behind levels) and value stories.
//!
//! The reads ([`ActivityStore`], [`ParticipationStore`], [`ValueStoryStore`]) and the writes ([`ActivityOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{CommunityId, UserId};
use crate::model::{Activity, Participation, ValueStory};

/// The activity record.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// A community's activity, newest first.
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError>;
    /// What one person did, in every community, newest first.
    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError>;
}

/// Participation records (contribution points behind levels).
#[async_trait]
pub trait ParticipationStore: Send + Sync {
    /// A member's participation record in a community.
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError>;
    /// Records whose `review_at` is at or before `due`, earliest first, at
    /// most `limit` (1–100). Reading never changes them; a record
    /// rewritten with a later `review_at` stops being due.
    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError>;
}

/// Value stories.
#[async_trait]
pub trait ValueStoryStore: Send + Sync {
    /// A community's value stories, newest first.
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError>;
    /// The stories a person told, in every community, newest first.
    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ActivityOp {
    /// Append to the activity record (`AlreadyExists` if the id is taken).
    RecordActivity {
        /// The activity.
        activity: Activity,
    },
    /// Replace a recorded activity with its anonymised copy (erasure: the
    /// actor is [`UserId::former_member`], and the activity leaves its
    /// person's activity list). `VersionMismatch` if it is not recorded.
    AnonymiseActivity {
        /// The anonymised record (same id, community and time).
        activity: Activity,
    },
    /// Create or replace a member's participation record (and index it
    /// for review at its `review_at`).
    PutParticipation {
        /// The new record.
        participation: Participation,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a value story.
    PutValueStory {
        /// The new record.
        story: ValueStory,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a participation record and its review entry (erasure;
    /// nothing happens when absent).
    ForgetParticipation {
        /// The community.
        community: CommunityId,
        /// Whose.
        user: UserId,
    },
}

impl ActivityOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            ActivityOp::RecordActivity { activity } => vec![ItemKey::Activity(activity.id)],
            ActivityOp::AnonymiseActivity { activity } => vec![ItemKey::Activity(activity.id)],
            ActivityOp::PutParticipation { participation, .. } => vec![ItemKey::Participation(
                participation.community,
                participation.user.clone(),
            )],
            ActivityOp::PutValueStory { story, .. } => vec![ItemKey::ValueStory(story.id)],
            ActivityOp::ForgetParticipation { community, user } => {
                vec![ItemKey::Participation(*community, user.clone())]
            }
        }
    }
}

impl From<ActivityOp> for Op {
    fn from(op: ActivityOp) -> Op {
        Op::Activity(op)
    }
}
