//! Activity in memory: the tables, the checks and effects of
//! [`ActivityOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use jiff::Timestamp;

use super::{HashMap, MemoryStore, check_expect, chunk_of, owned_range, parse_ulid_position};
use crate::ids::{ActivityId, CommunityId, UserId, ValueStoryId};
use crate::model::{Activity, Participation, ValueStory};
use crate::store::{
    ActivityOp, ActivityStore, Chunk, ConditionFailure, ParticipationStore, Range, StoreError,
    ValueStoryStore,
};

/// The activity tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) participations: HashMap<(CommunityId, UserId), Participation>,
    /// Participation records by review time.
    pub(super) participation_reviews: BTreeSet<(Timestamp, CommunityId, UserId)>,
    /// Activity by actor.
    pub(super) user_activity: BTreeMap<(UserId, ActivityId), CommunityId>,
    pub(super) value_stories: BTreeMap<(CommunityId, ValueStoryId), ValueStory>,
    pub(super) user_value_stories: BTreeMap<(UserId, ValueStoryId), CommunityId>,
    pub(super) activity: BTreeMap<(CommunityId, ActivityId), Activity>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &ActivityOp) -> Result<(), ConditionFailure> {
        match op {
            ActivityOp::RecordActivity { activity } => {
                if self
                    .activity
                    .contains_key(&(activity.community, activity.id))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            ActivityOp::AnonymiseActivity { activity } => {
                if self
                    .activity
                    .contains_key(&(activity.community, activity.id))
                {
                    Ok(())
                } else {
                    Err(ConditionFailure::VersionMismatch)
                }
            }
            ActivityOp::PutParticipation {
                participation,
                expect,
            } => check_expect(
                self.participations
                    .get(&(participation.community, participation.user.clone()))
                    .map(|p| p.version),
                *expect,
            ),
            ActivityOp::PutValueStory { story, expect } => check_expect(
                self.value_stories
                    .get(&(story.community, story.id))
                    .map(|s| s.version),
                *expect,
            ),
            ActivityOp::ForgetParticipation { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: ActivityOp) {
        match op {
            ActivityOp::RecordActivity { activity } => {
                self.user_activity
                    .insert((activity.actor.clone(), activity.id), activity.community);
                self.activity
                    .insert((activity.community, activity.id), activity);
            }
            ActivityOp::AnonymiseActivity { activity } => {
                let key = (activity.community, activity.id);
                if let Some(old) = self.activity.get(&key) {
                    self.user_activity.remove(&(old.actor.clone(), old.id));
                }
                self.activity.insert(key, activity);
            }
            ActivityOp::PutParticipation { participation, .. } => {
                let key = (participation.community, participation.user.clone());
                if let Some(old) = self.participations.get(&key)
                    && let Some(at) = old.review_at
                {
                    self.participation_reviews
                        .remove(&(at, key.0, key.1.clone()));
                }
                if let Some(at) = participation.review_at {
                    self.participation_reviews
                        .insert((at, key.0, key.1.clone()));
                }
                self.participations.insert(key, participation);
            }
            ActivityOp::PutValueStory { story, .. } => {
                if let Some(old) = self.value_stories.get(&(story.community, story.id)) {
                    self.user_value_stories
                        .remove(&(old.author.clone(), old.id));
                }
                if !story.author.is_former_member() {
                    self.user_value_stories
                        .insert((story.author.clone(), story.id), story.community);
                }
                self.value_stories
                    .insert((story.community, story.id), story);
            }
            ActivityOp::ForgetParticipation { community, user } => {
                if let Some(old) = self.participations.remove(&(community, user.clone()))
                    && let Some(at) = old.review_at
                {
                    self.participation_reviews.remove(&(at, community, user));
                }
            }
        }
    }
}

#[async_trait]
impl ActivityStore for MemoryStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .activity
            .activity
            .range(owned_range(community, after, ActivityId))
            .rev()
            .map(|(_, a)| a.clone());
        Ok(chunk_of(items, range.limit, |a| a.id.to_string()))
    }

    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .activity
            .user_activity
            .range(owned_range(user, after, ActivityId))
            .rev()
            .filter_map(|((_, id), c)| state.activity.activity.get(&(*c, *id)).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |a| {
            a.id.to_string()
        }))
    }
}

#[async_trait]
impl ParticipationStore for MemoryStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        Ok(self
            .lock()
            .activity
            .participations
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        let state = self.lock();
        Ok(state
            .activity
            .participation_reviews
            .iter()
            .take_while(|(at, _, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, c, u)| state.activity.participations.get(&(*c, u.clone())).cloned())
            .collect())
    }
}

#[async_trait]
impl ValueStoryStore for MemoryStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let after: Option<ValueStoryId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .activity
            .value_stories
            .range(owned_range(community, after, ValueStoryId))
            .rev()
            .map(|(_, s)| s.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |s| {
            s.id.to_string()
        }))
    }

    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let after: Option<ValueStoryId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .activity
            .user_value_stories
            .range(owned_range(user, after, ValueStoryId))
            .rev()
            .filter_map(|((_, id), c)| state.activity.value_stories.get(&(*c, *id)).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |s| {
            s.id.to_string()
        }))
    }
}
