//! Polls in memory: the tables, the checks and effects of
//! [`PollOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{PollId, SpaceId, UserId};
use crate::model::{Ballot, Poll};
use crate::store::{Chunk, ConditionFailure, PollOp, PollStore, Range, StoreError, rules};

/// The polls tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) polls: HashMap<PollId, Poll>,
    pub(super) space_polls: BTreeSet<(SpaceId, PollId)>,
    pub(super) ballots: BTreeMap<(PollId, UserId), Ballot>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &PollOp) -> Result<(), ConditionFailure> {
        match op {
            PollOp::PutPoll { poll, expect } => {
                check_expect(self.polls.get(&poll.id).map(|p| p.version), *expect)
            }
            PollOp::PutBallot { ballot, expect } => check_expect(
                self.ballots
                    .get(&(ballot.poll, ballot.user.clone()))
                    .map(|b| b.version),
                *expect,
            ),
            PollOp::AdjustTally {
                poll,
                deltas,
                voters,
                now,
            } => rules::adjust_poll_tally(self.polls.get(poll), deltas, *voters, *now).map(drop),
            PollOp::ForgetBallot { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: PollOp) {
        match op {
            PollOp::PutPoll { mut poll, .. } => {
                if let Some(current) = self.polls.get(&poll.id) {
                    poll.tally = current.tally.clone();
                    poll.voters = current.voters;
                }
                self.space_polls.insert((poll.space, poll.id));
                self.polls.insert(poll.id, poll);
            }
            PollOp::PutBallot { ballot, .. } => {
                self.ballots
                    .insert((ballot.poll, ballot.user.clone()), ballot);
            }
            PollOp::AdjustTally {
                poll,
                deltas,
                voters,
                now,
            } => {
                if let Some(p) = self.polls.get_mut(&poll)
                    && let Ok((tally, count)) =
                        rules::adjust_poll_tally(Some(p), &deltas, voters, now)
                {
                    p.tally = tally;
                    p.voters = count;
                }
            }
            PollOp::ForgetBallot { poll, user } => {
                self.ballots.remove(&(poll, user));
            }
        }
    }
}

#[async_trait]
impl PollStore for MemoryStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        Ok(self.lock().polls.polls.get(id).cloned())
    }

    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        let after: Option<PollId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(p) => Bound::Excluded((*space, p)),
            None => Bound::Included((*space, PollId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .polls
            .space_polls
            .range((Bound::Included((*space, PollId(ulid::Ulid(0)))), end))
            .rev()
            .filter_map(|(_, id)| state.polls.polls.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |p| p.id.to_string()))
    }

    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        Ok(self
            .lock()
            .polls
            .ballots
            .get(&(*poll, user.clone()))
            .cloned())
    }

    async fn list_ballots(
        &self,
        poll: &PollId,
        range: &Range,
    ) -> Result<Chunk<Ballot>, StoreError> {
        let after = range
            .after
            .as_deref()
            .map(|p| UserId::new(p).map_err(|_| StoreError::InvalidPosition))
            .transpose()?;
        let start = match after {
            Some(u) => Bound::Excluded((*poll, u)),
            None => Bound::Included((*poll, UserId::range_start())),
        };
        let state = self.lock();
        let items = state
            .polls
            .ballots
            .range((start, Bound::Unbounded))
            .take_while(|((p, _), _)| p == poll)
            .map(|(_, b)| b.clone());
        Ok(chunk_of(items, range.limit, |b| b.user.to_string()))
    }
}
