//! The in-memory store: every table a map behind one lock, so a transaction
//! is checked and applied while holding it.

mod activity;
mod communities;
mod digests;
mod discussions;
mod documents;
mod ephemeral;
mod events;
mod invitations;
mod moderation;
mod notifications;
mod polls;
mod profiles;
mod spaces;

use std::ops::Bound;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use jiff::Timestamp;

use super::batch::check_wanted;
use super::{
    BatchStore, Chunk, ConditionFailure, Op, Range, Record, Records, StoreError, Transaction,
    Wanted, WriteStore,
};
use crate::validate::limits;

/// The tables' hash map: keyed by foldhash, seeded per process (SipHash,
/// the standard map's hasher, was a tenth of a thread page's store read).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A complete store in memory. Cloning shares the data.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<RwLock<State>>,
}

/// Every family's tables, behind the store's one lock (reads share it,
/// a write holds it alone).
#[derive(Debug, Default)]
struct State {
    activity: activity::Tables,
    communities: communities::Tables,
    digests: digests::Tables,
    ephemeral: ephemeral::Tables,
    discussions: discussions::Tables,
    documents: documents::Tables,
    events: events::Tables,
    invitations: invitations::Tables,
    moderation: moderation::Tables,
    notifications: notifications::Tables,
    polls: polls::Tables,
    profiles: profiles::Tables,
    spaces: spaces::Tables,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    // A panic while holding the lock cannot leave a half-applied
    // transaction (conditions are checked before anything is written), so
    // the data behind a poisoned lock is still consistent.

    /// The tables, to read (alongside other readers).
    fn lock(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The tables, to change (alone).
    fn lock_mut(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// Whether `op` may be applied now.
    fn check(&self, op: &Op) -> Result<(), ConditionFailure> {
        match op {
            Op::Activity(op) => self.activity.check(op),
            Op::Community(op) => self.communities.check(op),
            Op::Digest(op) => self.digests.check(op),
            Op::Discussion(op) => self.discussions.check(op),
            Op::Document(op) => self.documents.check(op),
            Op::Event(op) => self.events.check(op),
            Op::Invitation(op) => self.invitations.check(op),
            Op::Moderation(op) => self.moderation.check(op),
            Op::Notification(op) => self.notifications.check(op),
            Op::Poll(op) => self.polls.check(op),
            Op::Profile(op) => self.profiles.check(op),
            Op::Space(op) => self.spaces.check(op),
        }
    }

    /// Applies `op` (checked already).
    fn apply(&mut self, op: Op) {
        match op {
            Op::Activity(op) => self.activity.apply(op),
            Op::Community(op) => self.communities.apply(op),
            Op::Digest(op) => self.digests.apply(op),
            Op::Discussion(op) => self.discussions.apply(op),
            Op::Document(op) => self.documents.apply(op),
            Op::Event(op) => self.events.apply(op),
            Op::Invitation(op) => self.invitations.apply(op),
            Op::Moderation(op) => self.moderation.apply(op),
            Op::Notification(op) => self.notifications.apply(op),
            Op::Poll(op) => self.polls.apply(op),
            Op::Profile(op) => self.profiles.apply(op),
            Op::Space(op) => self.spaces.apply(op),
        }
    }
}

pub(super) use super::keys::{SEP, check_expect};

pub(super) fn parse_ulid_position<T: std::str::FromStr>(
    after: &Option<String>,
) -> Result<Option<T>, StoreError> {
    after
        .as_deref()
        .map(|p| p.parse::<T>().map_err(|_| StoreError::InvalidPosition))
        .transpose()
}

/// A range of keys, as `BTreeMap::range` takes it.
pub(super) type KeyRange<T> = (Bound<T>, Bound<T>);

/// The key range of one owner's items keyed `(owner, ULID id)`, for
/// reading them newest first (with `.rev()`): every item of `owner`, or
/// those before `after`. `id` makes an id from a raw ULID.
pub(super) fn owned_range<K: Clone, I>(
    owner: &K,
    after: Option<I>,
    id: fn(ulid::Ulid) -> I,
) -> KeyRange<(K, I)> {
    let end = match after {
        Some(after) => Bound::Excluded((owner.clone(), after)),
        None => Bound::Included((owner.clone(), id(ulid::Ulid(u128::MAX)))),
    };
    (Bound::Included((owner.clone(), id(ulid::Ulid(0)))), end)
}

/// Takes up to `limit` items from an ordered iterator and computes the next position.
pub(super) fn chunk_of<T>(
    items: impl Iterator<Item = T>,
    limit: u32,
    position: impl Fn(&T) -> String,
) -> Chunk<T> {
    let limit = limit.clamp(1, limits::PAGE_MAX) as usize;
    let mut taken: Vec<T> = Vec::with_capacity(limit);
    let mut more = false;
    for item in items {
        if taken.len() == limit {
            more = true;
            break;
        }
        taken.push(item);
    }
    let positions: Vec<String> = taken.iter().map(&position).collect();
    let next = if more {
        positions.last().cloned()
    } else {
        None
    };
    Chunk {
        items: taken,
        positions,
        next,
    }
}

/// A position for lists ordered newest-first by (time, id): both descending.
///
/// `{ms:020}{SEP}{id}`, written into a string made large enough once,
/// without `fmt` (every page computes one position per item, and the
/// formatting machinery was a third of a page read's instructions).
pub(super) fn time_id_position(at: Timestamp, id: impl Into<ulid::Ulid>) -> String {
    const ZEROS: &str = "00000000000000000000";
    let ms = at.as_millisecond();
    let mut position = String::with_capacity(ZEROS.len() + SEP.len_utf8() + ulid::ULID_LEN);
    if ms >= 0 {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(ms);
        position.push_str(&ZEROS[digits.len().min(ZEROS.len())..]);
        position.push_str(digits);
    } else {
        use std::fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = write!(position, "{ms:020}");
    }
    position.push(SEP);
    position.push_str(id.into().array_to_str(&mut [0; ulid::ULID_LEN]));
    position
}

pub(super) fn parse_time_id<T: std::str::FromStr>(p: &str) -> Result<(i64, T), StoreError> {
    let (ms, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
    let ms = ms.parse::<i64>().map_err(|_| StoreError::InvalidPosition)?;
    let id = id.parse::<T>().map_err(|_| StoreError::InvalidPosition)?;
    Ok((ms, id))
}

/// Items of one parent ordered newest-first by (time, id).
pub(super) fn newest_first<
    'a,
    K: Copy + Ord + Into<ulid::Ulid> + std::str::FromStr + 'a,
    T: Clone + 'a,
>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> (Timestamp, K),
    range: &Range,
) -> Result<Chunk<T>, StoreError> {
    let after: Option<(i64, K)> = range.after.as_deref().map(parse_time_id).transpose()?;
    // Positions keep milliseconds (as DynamoDB sort keys do), so the order
    // must too: ordering by the finer instant would put two items of one
    // millisecond in an order the cursor cannot resume from.
    let mut sorted: Vec<&T> = items.collect();
    sorted.sort_by(|a, b| {
        let (ta, ia) = key(a);
        let (tb, ib) = key(b);
        (tb.as_millisecond(), ib).cmp(&(ta.as_millisecond(), ia))
    });
    let kept = sorted.into_iter().filter(|item| {
        let (t, id) = key(item);
        after
            .as_ref()
            .is_none_or(|(ms, aid)| (t.as_millisecond(), id) < (*ms, *aid))
    });
    Ok(chunk_of(kept.cloned(), range.limit, |item| {
        let (t, id) = key(item);
        time_id_position(t, id)
    }))
}

#[async_trait]
impl WriteStore for MemoryStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        tx.check_shape()?;
        let mut state = self.lock_mut();
        for (index, op) in tx.ops().iter().enumerate() {
            state
                .check(op)
                .map_err(|failure| StoreError::Condition { op: index, failure })?;
        }
        for op in tx.into_ops() {
            state.apply(op);
        }
        Ok(())
    }
}

#[async_trait]
impl BatchStore for MemoryStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        check_wanted(wanted)?;
        let state = self.lock();
        let found = wanted.iter().filter_map(|w| match w {
            Wanted::Community(id) => state
                .communities
                .communities
                .get(id)
                .cloned()
                .map(Record::Community),
            Wanted::Space(id) => state.spaces.spaces.get(id).cloned().map(Record::Space),
            Wanted::Grant(space, user) => state
                .spaces
                .grants
                .get(&(*space, user.clone()))
                .cloned()
                .map(Record::Grant),
            Wanted::Thread(id) => state
                .discussions
                .threads
                .get(id)
                .cloned()
                .map(Record::Thread),
            Wanted::Post(id) => state.discussions.posts.get(id).cloned().map(Record::Post),
            Wanted::Poll(id) => state.polls.polls.get(id).cloned().map(Record::Poll),
            Wanted::Ballot(poll, user) => state
                .polls
                .ballots
                .get(&(*poll, user.clone()))
                .cloned()
                .map(Record::Ballot),
            Wanted::Reaction(post, user, kind) => state
                .discussions
                .reactions
                .contains(&(*post, user.clone(), *kind))
                .then(|| Record::Reaction(*post, user.clone(), *kind)),
            Wanted::Event(id) => state.events.events.get(id).cloned().map(Record::Event),
            Wanted::Rsvp(event, occurrence, user) => state
                .events
                .rsvps
                .get(&(*event, occurrence.clone(), user.clone()))
                .cloned()
                .map(Record::Rsvp),
            Wanted::RsvpTally(event, occurrence) => state
                .events
                .tallies
                .get(&(*event, occurrence.clone()))
                .cloned()
                .map(Record::RsvpTally),
            Wanted::Document(id) => state
                .documents
                .documents
                .get(id)
                .cloned()
                .map(Record::Document),
            Wanted::DocumentVersion(id, number) => state
                .documents
                .document_versions
                .get(&(*id, *number))
                .cloned()
                .map(Record::DocumentVersion),
            Wanted::Membership(community, user) => state
                .communities
                .memberships
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::Membership),
            Wanted::Attendance(event, occurrence, user) => state
                .events
                .attendance
                .get(&(*event, occurrence.clone(), user.clone()))
                .cloned()
                .map(Record::Attendance),
            Wanted::Fanout(activity) => state
                .notifications
                .fanouts
                .get(activity)
                .cloned()
                .map(Record::Fanout),
            Wanted::Participation(community, user) => state
                .activity
                .participations
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::Participation),
            Wanted::JoinRequest(community, user) => state
                .invitations
                .join_requests
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::JoinRequest),
        });
        Ok(Records(found.collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_the_zero_padded_millisecond_and_the_id() {
        let ids = [
            ulid::Ulid::nil(),
            ulid::Ulid::from_parts(1_700_000_000_123, 42),
            ulid::Ulid::max(),
        ];
        for ms in [
            0,
            1,
            9,
            10,
            999,
            1_700_000_000_123,
            -1,
            -1_700_000_000_123,
            253_402_207_200_000,
            -377_705_023_201_000,
        ] {
            let at = Timestamp::from_millisecond(ms).unwrap();
            for id in ids {
                assert_eq!(
                    time_id_position(at, id),
                    format!("{ms:020}{SEP}{id}"),
                    "{ms} {id}"
                );
            }
        }
    }
}
