//! The conditions of the counting operations, as pure functions every store
//! shares: the in-memory store checks them directly; a database store
//! writes them as condition expressions and, when the database refuses,
//! calls them on the record it reads back to say *which* condition failed.

use jiff::Timestamp;

use super::ConditionFailure;
use crate::model::{CommunityCounts, CountDelta, Poll, RsvpTally, Thread};
use crate::validate::limits;

/// A community's counts after `delta` ([`Op::AdjustCounts`](super::Op::AdjustCounts)).
pub fn adjust_counts(
    current: Option<&CommunityCounts>,
    delta: CountDelta,
) -> Result<CommunityCounts, ConditionFailure> {
    let current = current.ok_or(ConditionFailure::VersionMismatch)?;
    let Some(after) = current.apply(delta) else {
        return Err(if delta.owners < 0 && current.owners > 0 {
            ConditionFailure::LastOwner
        } else {
            ConditionFailure::VersionMismatch
        });
    };
    if delta.owners < 0 && after.owners < 1 {
        Err(ConditionFailure::LastOwner)
    } else if delta.spaces > 0 && after.spaces > limits::SPACES_PER_COMMUNITY_MAX {
        Err(ConditionFailure::LimitReached)
    } else {
        Ok(after)
    }
}

/// Whether a thread takes activity ([`Op::TouchThread`](super::Op::TouchThread)).
pub fn touch_thread(current: Option<&Thread>, posts: i64) -> Result<u32, ConditionFailure> {
    let thread = current.ok_or(ConditionFailure::VersionMismatch)?;
    if thread.locked || thread.deleted_at.is_some() {
        return Err(ConditionFailure::Closed);
    }
    u32::try_from(i64::from(thread.post_count) + posts)
        .map_err(|_| ConditionFailure::VersionMismatch)
}

/// An occurrence's tally after a change ([`Op::AdjustRsvpTally`](super::Op::AdjustRsvpTally)).
pub fn adjust_rsvp_tally(
    current: RsvpTally,
    going: i64,
    maybe: i64,
    declined: i64,
    capacity: Option<u32>,
) -> Result<RsvpTally, ConditionFailure> {
    let add = |v: u32, d: i64| u32::try_from(i64::from(v) + d).ok();
    let after = (|| {
        Some(RsvpTally {
            going: add(current.going, going)?,
            maybe: add(current.maybe, maybe)?,
            declined: add(current.declined, declined)?,
        })
    })()
    .ok_or(ConditionFailure::VersionMismatch)?;
    if going > 0 && capacity.is_some_and(|c| after.going > c) {
        Err(ConditionFailure::LimitReached)
    } else {
        Ok(after)
    }
}

/// A poll's tally and voter count after a vote ([`Op::AdjustTally`](super::Op::AdjustTally)).
pub fn adjust_poll_tally(
    current: Option<&Poll>,
    deltas: &[i64],
    voters: i64,
    now: Timestamp,
) -> Result<(Vec<u32>, u32), ConditionFailure> {
    let poll = current.ok_or(ConditionFailure::VersionMismatch)?;
    if poll.is_closed_at(now) {
        return Err(ConditionFailure::Closed);
    }
    if deltas.len() != poll.tally.len() {
        return Err(ConditionFailure::VersionMismatch);
    }
    let tally = poll
        .tally
        .iter()
        .zip(deltas)
        .map(|(v, d)| u32::try_from(i64::from(*v) + d).ok())
        .collect::<Option<Vec<u32>>>()
        .ok_or(ConditionFailure::VersionMismatch)?;
    let count = u32::try_from(i64::from(poll.voters) + voters)
        .map_err(|_| ConditionFailure::VersionMismatch)?;
    Ok((tally, count))
}
