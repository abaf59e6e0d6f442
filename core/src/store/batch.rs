//! Reading several records in one round trip ([`BatchStore`]): a use case
//! that needs a resource and the caller's own record about it (a poll and
//! their ballot, a post and its thread) asks for both at once instead of one
//! after the other.

use async_trait::async_trait;

use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, PollId, PostId, SpaceId, ThreadId, UserId,
};
use crate::model::{
    Attendance, Ballot, Community, Document, DocumentVersion, Event, FanoutJob, JoinRequest,
    Membership, Participation, Poll, Post, ReactionKind, Rsvp, RsvpTally, Space, SpaceGrant,
    Thread,
};

use super::StoreError;

/// A record to read in a batch, by key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Wanted {
    /// A community.
    Community(CommunityId),
    /// A space.
    Space(SpaceId),
    /// A person's grant on a space.
    Grant(SpaceId, UserId),
    /// A thread.
    Thread(ThreadId),
    /// A post.
    Post(PostId),
    /// A poll.
    Poll(PollId),
    /// A person's ballot in a poll.
    Ballot(PollId, UserId),
    /// A person's reaction of one kind to a post.
    Reaction(PostId, UserId, ReactionKind),
    /// An event.
    Event(EventId),
    /// A person's RSVP to one occurrence.
    Rsvp(EventId, String, UserId),
    /// An occurrence's RSVP tally.
    RsvpTally(EventId, String),
    /// A document.
    Document(DocumentId),
    /// One version of a document.
    DocumentVersion(DocumentId, u32),
    /// A membership.
    Membership(CommunityId, UserId),
    /// A join request.
    JoinRequest(CommunityId, UserId),
    /// A member's participation record.
    Participation(CommunityId, UserId),
    /// A person's attendance at one occurrence.
    Attendance(EventId, String, UserId),
    /// An activity queued for the notification producer.
    Fanout(ActivityId),
}

/// A record read in a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A community.
    Community(Community),
    /// A space.
    Space(Space),
    /// A grant.
    Grant(SpaceGrant),
    /// A thread.
    Thread(Thread),
    /// A post.
    Post(Post),
    /// A poll.
    Poll(Poll),
    /// A ballot.
    Ballot(Ballot),
    /// A reaction that exists (post, who, kind).
    Reaction(PostId, UserId, ReactionKind),
    /// An event.
    Event(Event),
    /// An RSVP.
    Rsvp(Rsvp),
    /// A tally.
    RsvpTally(RsvpTally),
    /// A document.
    Document(Document),
    /// A document version.
    DocumentVersion(DocumentVersion),
    /// A membership.
    Membership(Membership),
    /// A join request.
    JoinRequest(JoinRequest),
    /// A participation record.
    Participation(Participation),
    /// An attendance record.
    Attendance(Attendance),
    /// A queued activity.
    Fanout(FanoutJob),
}

/// The records a batch found (missing ones are simply absent), taken out by
/// kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records(pub Vec<Record>);

macro_rules! take_record {
    ($($(#[$doc:meta])* $name:ident => $variant:ident($ty:ty)),* $(,)?) => {
        impl Records {
            $(
                $(#[$doc])*
                pub fn $name(&mut self) -> Option<$ty> {
                    let at = self
                        .0
                        .iter()
                        .position(|r| matches!(r, Record::$variant(_)))?;
                    match self.0.swap_remove(at) {
                        Record::$variant(record) => Some(record),
                        _ => None,
                    }
                }
            )*
        }
    };
}

take_record! {
    /// Takes the community out, if found.
    community => Community(Community),
    /// Takes the space out, if found.
    space => Space(Space),
    /// Takes the grant out, if found.
    grant => Grant(SpaceGrant),
    /// Takes the thread out, if found.
    thread => Thread(Thread),
    /// Takes the post out, if found.
    post => Post(Post),
    /// Takes the poll out, if found.
    poll => Poll(Poll),
    /// Takes the ballot out, if found.
    ballot => Ballot(Ballot),
    /// Takes the event out, if found.
    event => Event(Event),
    /// Takes the RSVP out, if found.
    rsvp => Rsvp(Rsvp),
    /// Takes the tally out, if found.
    tally => RsvpTally(RsvpTally),
    /// Takes the document out, if found.
    document => Document(Document),
    /// Takes the document version out, if found.
    version => DocumentVersion(DocumentVersion),
    /// Takes the membership out, if found.
    membership => Membership(Membership),
    /// Takes the join request out, if found.
    join_request => JoinRequest(JoinRequest),
    /// Takes the participation record out, if found.
    participation => Participation(Participation),
    /// Takes the attendance record out, if found.
    attendance => Attendance(Attendance),
    /// Takes the queued activity out, if found.
    fanout => Fanout(FanoutJob),
}

impl Records {
    /// Whether the batch found a reaction of `kind`.
    pub fn has_reaction(&self, kind: ReactionKind) -> bool {
        self.0
            .iter()
            .any(|r| matches!(r, Record::Reaction(_, _, k) if *k == kind))
    }

    /// Takes out the ballot cast in `poll`, if found.
    pub fn ballot_for(&mut self, poll: &PollId) -> Option<Ballot> {
        let at = self
            .0
            .iter()
            .position(|r| matches!(r, Record::Ballot(b) if b.poll == *poll))?;
        match self.0.swap_remove(at) {
            Record::Ballot(ballot) => Some(ballot),
            _ => None,
        }
    }

    /// Takes out `user`'s participation record, if found (a batch may hold
    /// several).
    pub fn participation_of(&mut self, user: &UserId) -> Option<Participation> {
        let at = self
            .0
            .iter()
            .position(|r| matches!(r, Record::Participation(p) if p.user == *user))?;
        match self.0.swap_remove(at) {
            Record::Participation(participation) => Some(participation),
            _ => None,
        }
    }

    /// Takes out `user`'s grant, if found (a batch may hold several).
    pub fn grant_of(&mut self, user: &UserId) -> Option<SpaceGrant> {
        let at = self
            .0
            .iter()
            .position(|r| matches!(r, Record::Grant(g) if g.user == *user))?;
        match self.0.swap_remove(at) {
            Record::Grant(grant) => Some(grant),
            _ => None,
        }
    }

    /// Takes out `user`'s membership, if found (a batch may hold several).
    pub fn membership_of(&mut self, user: &UserId) -> Option<Membership> {
        let at = self
            .0
            .iter()
            .position(|r| matches!(r, Record::Membership(m) if m.user == *user))?;
        match self.0.swap_remove(at) {
            Record::Membership(membership) => Some(membership),
            _ => None,
        }
    }
}

/// Batched reads by key.
#[async_trait]
pub trait BatchStore: Send + Sync {
    /// The records of `wanted` that exist, read consistently in one round
    /// trip (stores that can batch). At most [`MAX_WANTED`] keys,
    /// each at most once (else `StoreError::Internal`).
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError>;
}

/// The most keys one batch may ask for (DynamoDB's BatchGetItem limit).
pub const MAX_WANTED: usize = 100;

/// Checks a batch's shape: not too many keys, none twice.
pub fn check_wanted(wanted: &[Wanted]) -> Result<(), StoreError> {
    if wanted.len() > MAX_WANTED {
        return Err(StoreError::Internal(format!(
            "a batch of {} keys (at most {MAX_WANTED})",
            wanted.len()
        )));
    }
    // Most batches are a handful of keys (an access check reads five):
    // comparing each with those before it is cheaper than hashing them.
    let repeated = if wanted.len() <= 16 {
        (1..wanted.len()).any(|i| wanted[..i].contains(&wanted[i]))
    } else {
        let distinct: std::collections::HashSet<&Wanted> = wanted.iter().collect();
        distinct.len() != wanted.len()
    };
    if repeated {
        return Err(StoreError::Internal("a batch asks for a key twice".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spaces(n: u128) -> Vec<Wanted> {
        (0..n)
            .map(|i| Wanted::Space(SpaceId(ulid::Ulid(i))))
            .collect()
    }

    #[test]
    fn a_batch_is_refused_when_it_asks_for_a_key_twice_or_is_too_large() {
        // Small batches are compared pairwise, larger ones hashed: both ways.
        for n in [1, 2, 16, 17, MAX_WANTED as u128 - 1] {
            let mut wanted = spaces(n);
            assert!(check_wanted(&wanted).is_ok(), "{n} distinct keys");
            wanted.push(wanted[0].clone());
            assert!(
                matches!(check_wanted(&wanted), Err(StoreError::Internal(_))),
                "{n} keys and a repeat"
            );
        }
        assert!(check_wanted(&spaces(MAX_WANTED as u128 + 1)).is_err());
        assert!(check_wanted(&[]).is_ok());
    }
}
