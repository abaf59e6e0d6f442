//! Key values of every item (see the layout table in [`super`]).
//!
//! Composite sort keys join their parts with [`SEP`] (U+001F), which no id,
//! user id, slug, handle or name may contain, so a part can never run into
//! the next one and `begins_with` on a part plus [`SEP`] is exact.

use copkit_core::model::{
    Handle, ParticipationLevel, ReactionKind, ReportStatus, Role, Slug, TokenHash,
};
use copkit_core::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use jiff::Timestamp;

pub use copkit_core::store::keys::{SEP, time_key};

/// A table key: partition and sort values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// `PK`.
    pub pk: String,
    /// `SK`.
    pub sk: String,
}

impl Key {
    fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// A profile.
pub fn profile(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "PROFILE")
}

/// A handle claim (holds the user id).
pub fn handle(handle: &Handle) -> Key {
    Key::new(format!("HANDLE#{}", handle.as_str()), "HANDLE")
}

/// A person's calendar feed.
pub fn calendar_feed(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "CALFEED")
}

/// A calendar feed's token claim (holds the user id).
pub fn feed_token(hash: &TokenHash) -> Key {
    Key::new(format!("CALFEED#{}", hash.as_str()), "CALFEED")
}

/// A community.
pub fn community(id: &CommunityId) -> Key {
    Key::new(format!("COMM#{id}"), "META")
}

/// A slug claim (holds the community id).
pub fn slug(slug: &Slug) -> Key {
    Key::new(format!("SLUG#{}", slug.as_str()), "SLUG")
}

/// A membership.
pub fn membership(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("MEMBER#{user}"))
}

/// A member's participation record.
pub fn participation(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("PART#{user}"))
}

/// How many partitions the participation review index is spread over, so
/// that busy communities never make one hot index partition.
pub const REVIEW_SHARDS: u8 = 16;

/// GSI3: participation records due for review, in one shard (sort: review
/// time, community, user).
pub fn review_shard(community: &CommunityId, user: &UserId) -> String {
    let mixed = user
        .as_str()
        .bytes()
        .fold((community.0.0 % 251) as u8, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(b)
        });
    review_partition(mixed % REVIEW_SHARDS)
}

/// GSI3: one shard of the review index.
pub fn review_partition(shard: u8) -> String {
    format!("REVIEW#{shard:02}")
}

/// GSI3 sort key of a review entry.
pub fn review_sort(at: Timestamp, community: &CommunityId, user: &UserId) -> String {
    format!("{}{SEP}{community}{SEP}{user}", time_key(at))
}

/// The queue of document purges, one partition (purges are rare): sort
/// key `due-time␟document`.
pub fn purge(purge: &copkit_core::model::BlobPurge) -> Key {
    Key {
        pk: PURGES.to_owned(),
        sk: format!("{}{SEP}{}", time_key(purge.due_at), purge.document),
    }
}

/// The partition of the purge queue.
pub const PURGES: &str = "PURGES";

/// The highest sort key due at `due` in a time-ordered queue.
pub fn review_upto(due: Timestamp) -> String {
    // U+0020 sorts just above SEP, so entries of exactly `due` are included.
    format!("{}\u{20}", time_key(due))
}

/// GSI3: active members at one participation level (sort: user id).
pub fn level_roster(community: &CommunityId, level: ParticipationLevel) -> String {
    let level = match level {
        ParticipationLevel::Core => "core",
        ParticipationLevel::Active => "active",
        ParticipationLevel::Peripheral => "peripheral",
    };
    format!("COMM#{community}#LEVEL#{level}")
}

/// A report (in its community's partition).
pub fn report(community: &CommunityId, id: &ReportId) -> Key {
    Key::new(format!("COMM#{community}"), format!("REPORT#{id}"))
}

/// GSI1: a community's reports in one status (sort: report id).
pub fn report_queue(community: &CommunityId, status: ReportStatus) -> String {
    let status = match status {
        ReportStatus::Open => "open",
        ReportStatus::Resolved => "resolved",
    };
    format!("COMM#{community}#REPORTS#{status}")
}

/// An entry of a community's moderation log.
pub fn moderation_entry(community: &CommunityId, id: &ModerationId) -> Key {
    Key::new(moderation_log(community), id.to_string())
}

/// The partition of a community's moderation log.
pub fn moderation_log(community: &CommunityId) -> String {
    format!("COMM#{community}#MODLOG")
}

/// A member's digest schedule.
pub fn digest_schedule(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "DIGEST")
}

/// How many partitions the due-digest index is spread over.
pub const DIGEST_SHARDS: u8 = 16;

/// A person's shard among `shards` (a small hash of their id).
fn user_shard(user: &UserId, shards: u8) -> u8 {
    shard_of(user.as_str(), shards)
}

/// The shard of `text` among `shards` (a small hash).
fn shard_of(text: &str, shards: u8) -> u8 {
    let mixed = text
        .bytes()
        .fold(7u8, |acc, b| acc.wrapping_mul(31).wrapping_add(b));
    mixed % shards
}

/// GSI3: digest schedules by due time, in one shard (sort: due time, user).
pub fn digest_shard(user: &UserId) -> String {
    digest_partition(user_shard(user, DIGEST_SHARDS))
}

/// GSI3: one shard of the due-digest index.
pub fn digest_partition(shard: u8) -> String {
    format!("DIGEST#{shard:02}")
}

/// GSI3 sort key of a due-digest entry.
pub fn digest_sort(at: Timestamp, user: &UserId) -> String {
    format!("{}{SEP}{user}", time_key(at))
}

/// Shards of the pending-mail index (spread by person, like digests).
pub const MAIL_SHARDS: u8 = 16;

/// GSI3: pending mail by next attempt, in one shard (sort: time, user, id).
pub fn mail_due_shard(user: &UserId) -> String {
    mail_due_partition(user_shard(user, MAIL_SHARDS))
}

/// GSI3: one shard of the pending-mail index.
pub fn mail_due_partition(shard: u8) -> String {
    format!("MAILQ#{shard:02}")
}

/// GSI3 sort key of a pending mail.
pub fn mail_due_sort(at: Timestamp, user: &UserId, id: &MailId) -> String {
    format!("{}{SEP}{user}{SEP}{id}", time_key(at))
}

/// A mail in a person's outbox (listed newest first by its ULID).
pub fn mail(user: &UserId, id: &MailId) -> Key {
    Key::new(outbox(user), format!("{MAIL_PREFIX}{id}"))
}

/// The partition of a person's outbox.
pub fn outbox(user: &UserId) -> String {
    format!("USER#{user}#OUTBOX")
}

/// The sort-key prefix of mail.
pub const MAIL_PREFIX: &str = "MAIL#";

/// A notification in a person's inbox (listed newest first by its
/// activity's ULID).
pub fn notification(user: &UserId, id: &ActivityId) -> Key {
    Key::new(inbox(user), format!("{NOTIFICATION_PREFIX}{id}"))
}

/// The partition of a person's inbox.
pub fn inbox(user: &UserId) -> String {
    format!("USER#{user}#INBOX")
}

/// GSI1: the notifications one person is the actor of.
pub fn notifications_by_actor(actor: &UserId) -> String {
    format!("NOTED#{actor}")
}

/// GSI1 sort key of a notification in its actor's listing.
pub fn notification_by_actor_sort(user: &UserId, id: &ActivityId) -> String {
    format!("{user}{SEP}{id}")
}

/// The sort-key prefix of notifications.
pub const NOTIFICATION_PREFIX: &str = "NOTE#";

/// A person's inbox bookkeeping.
pub fn inbox_state(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "INBOX")
}

/// A person's notification preferences.
pub fn notification_preferences(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "NOTIFYPREFS")
}

/// An activity queued for notifying.
pub fn fanout(activity: &ActivityId) -> Key {
    Key::new(format!("FANOUT#{activity}"), "FANOUT")
}

/// Shards of the fan-out queue (spread by activity).
pub const FANOUT_SHARDS: u8 = 16;

/// GSI3: queued activity by due time, in one shard (sort: due, activity).
pub fn fanout_due_shard(activity: &ActivityId) -> String {
    fanout_due_partition(shard_of(&activity.to_string(), FANOUT_SHARDS))
}

/// GSI3: one shard of the fan-out queue.
pub fn fanout_due_partition(shard: u8) -> String {
    format!("FANOUTQ#{shard:02}")
}

/// GSI3 sort key of a queued activity.
pub fn fanout_due_sort(at: Timestamp, activity: &ActivityId) -> String {
    format!("{}{SEP}{activity}", time_key(at))
}

/// A value story (listed newest first by its ULID within the community).
pub fn value_story(community: &CommunityId, id: &ValueStoryId) -> Key {
    Key::new(
        format!("COMM#{community}"),
        format!("{VALUE_STORY_PREFIX}{id}"),
    )
}

/// The sort-key prefix of a community's value stories.
pub const VALUE_STORY_PREFIX: &str = "STORY#";

/// GSI1: the value stories a person told (sort: story id).
pub fn user_value_stories(user: &UserId) -> String {
    format!("USER#{user}#STORIES")
}

/// A join request.
pub fn join_request(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("JOINREQ#{user}"))
}

/// An invitation (listed newest first by its ULID within the community).
pub fn invitation(community: &CommunityId, id: &InvitationId) -> Key {
    Key::new(format!("COMM#{community}"), format!("INVITE#{id}"))
}

/// The sort-key prefix of a community's invitations.
pub const INVITATION_PREFIX: &str = "INVITE#";

/// A token claim (holds the invitation's community and id).
pub fn token(hash: &TokenHash) -> Key {
    Key::new(format!("TOKEN#{}", hash.as_str()), "TOKEN")
}

/// A space.
pub fn space(id: &SpaceId) -> Key {
    Key::new(format!("SPACE#{id}"), "META")
}

/// A guest grant on a space.
pub fn grant(space: &SpaceId, user: &UserId) -> Key {
    Key::new(format!("SPACE#{space}"), format!("GRANT#{user}"))
}

/// The sort-key prefix of a space's grants.
pub const GRANT_PREFIX: &str = "GRANT#";

/// An activity, in its community's month bucket.
pub fn activity(community: &CommunityId, id: &ActivityId, at: Timestamp) -> Key {
    let month = at.strftime("%Y-%m");
    Key::new(format!("COMM#{community}#ACT#{month}"), id.to_string())
}

/// A thread.
pub fn thread(id: &ThreadId) -> Key {
    Key::new(format!("THREAD#{id}"), "META")
}

/// A post.
pub fn post(id: &PostId) -> Key {
    Key::new(format!("POST#{id}"), "META")
}

/// One reaction of one person to one post.
pub fn reaction(post: &PostId, user: &UserId, kind: ReactionKind) -> Key {
    Key::new(
        format!("POST#{post}"),
        format!("{}{kind}", reaction_prefix(user)),
    )
}

/// The sort-key prefix of one person's reactions to a post.
pub fn reaction_prefix(user: &UserId) -> String {
    format!("REACT#{user}{SEP}")
}

/// A document.
pub fn document(id: &DocumentId) -> Key {
    Key::new(format!("DOC#{id}"), "META")
}

/// A document version (numbers zero-padded so they sort).
pub fn document_version(document: &DocumentId, number: u32) -> Key {
    Key::new(format!("DOC#{document}"), format!("V#{number:010}"))
}

/// The sort-key prefix of a document's versions.
pub const VERSION_PREFIX: &str = "V#";

/// An event.
pub fn event(id: &EventId) -> Key {
    Key::new(format!("EVENT#{id}"), "META")
}

/// The sort-key prefix of one occurrence's RSVPs.
pub fn rsvp_prefix(occurrence: &str) -> String {
    format!("RSVP#{occurrence}{SEP}")
}

/// One person's RSVP to one occurrence.
pub fn rsvp(event: &EventId, occurrence: &str, user: &UserId) -> Key {
    Key::new(
        format!("EVENT#{event}"),
        format!("{}{user}", rsvp_prefix(occurrence)),
    )
}

/// One occurrence's RSVP tally.
pub fn tally(event: &EventId, occurrence: &str) -> Key {
    Key::new(format!("EVENT#{event}"), format!("TALLY#{occurrence}"))
}

/// The sort-key prefix of one occurrence's attendance.
pub fn attendance_prefix(occurrence: &str) -> String {
    format!("ATTEND#{occurrence}{SEP}")
}

/// One person's attendance at one occurrence.
pub fn attendance(event: &EventId, occurrence: &str, user: &UserId) -> Key {
    Key::new(
        format!("EVENT#{event}"),
        format!("{}{user}", attendance_prefix(occurrence)),
    )
}

/// A poll.
pub fn poll(id: &PollId) -> Key {
    Key::new(format!("POLL#{id}"), "META")
}

/// The sort key prefix of a poll's ballots.
pub const BALLOT_PREFIX: &str = "BALLOT#";

/// One person's ballot.
pub fn ballot(poll: &PollId, user: &UserId) -> Key {
    Key::new(format!("POLL#{poll}"), format!("{BALLOT_PREFIX}{user}"))
}

// ------------------------------------------------------- index partitions

/// GSI1: a person's active memberships (sort: community id).
pub fn user_memberships(user: &UserId) -> String {
    format!("USER#{user}#COMMS")
}

/// GSI1: the email invitations addressed to one address (sort: invitation
/// id). The key holds the address's SHA-256, not the address.
pub fn invited_email(address: &str) -> String {
    format!(
        "INVITED#{}",
        copkit_core::blob::sha256_hex(address.as_bytes())
    )
}

/// GSI1: a person's grants (sort: community, then space).
pub fn user_grants(user: &UserId) -> String {
    format!("USER#{user}#GRANTS")
}

/// GSI1 sort-key prefix of a person's grants in one community.
pub fn user_grants_prefix(community: &CommunityId) -> String {
    format!("{community}{SEP}")
}

/// GSI1: a person's activity (sort: activity id).
pub fn user_activity(user: &UserId) -> String {
    format!("USER#{user}#ACT")
}

/// GSI1: one person's attendance records (sort: recorded time, event,
/// occurrence).
pub fn user_attendance(user: &UserId) -> String {
    format!("USER#{user}#ATTEND")
}

/// GSI1 sort key of an attendance record in its person's list.
pub fn user_attendance_sort(recorded_at: Timestamp, event: &EventId, occurrence: &str) -> String {
    format!("{}{SEP}{event}{SEP}{occurrence}", time_key(recorded_at))
}

/// GSI1: a community's spaces (sort: space id, oldest first).
pub fn community_spaces(community: &CommunityId) -> String {
    format!("COMM#{community}#SPACES")
}

/// GSI1: a thread's posts (sort: post id, oldest first).
pub fn thread_posts(thread: &ThreadId) -> String {
    format!("THREAD#{thread}#POSTS")
}

/// GSI1: a community's events (sort: event id, oldest first).
pub fn community_events(community: &CommunityId) -> String {
    format!("COMM#{community}#EVENTS")
}

/// GSI1: a space's polls (sort: poll id, newest first).
pub fn space_polls(space: &SpaceId) -> String {
    format!("SPACE#{space}#POLLS")
}

/// GSI2: active members by role (sort: role rank, then user id).
pub fn roster(community: &CommunityId) -> String {
    format!("COMM#{community}#ROSTER")
}

/// GSI2 sort key of a roster entry.
pub fn roster_sort(role: Role, user: &UserId) -> String {
    format!("{}{SEP}{user}", role as u8)
}

/// GSI2: banned people (sort: user id).
pub fn banned(community: &CommunityId) -> String {
    format!("COMM#{community}#BANNED")
}

/// GSI2: the directory of one kind (sort: lower-cased name, then id).
pub fn directory_of_kind(kind: &str) -> String {
    format!("DIR#{kind}")
}

/// GSI3: the whole directory (sort: lower-cased name, then id).
pub const DIRECTORY: &str = "DIR";

/// GSI2/GSI3 sort key of a directory entry.
pub fn directory_sort(lower_name: &str, id: &CommunityId) -> String {
    format!("{lower_name}{SEP}{id}")
}

/// GSI2: a community's activity (sort: activity id, newest first).
pub fn community_activity(community: &CommunityId) -> String {
    format!("COMM#{community}#ACT")
}

/// GSI2: a space's live threads (sort: latest activity, then id).
pub fn space_threads(space: &SpaceId) -> String {
    format!("SPACE#{space}#THREADS")
}

/// GSI2: a space's live documents (sort: last update, then id).
pub fn space_documents(space: &SpaceId) -> String {
    format!("SPACE#{space}#DOCS")
}

/// GSI2 sort key ordering by a time, then an id.
pub fn time_sort(at: Timestamp, id: impl std::fmt::Display) -> String {
    format!("{}{SEP}{id}", time_key(at))
}

/// GSI3: a community's pending join requests (sort: time asked, then user).
pub fn pending_requests(community: &CommunityId) -> String {
    format!("COMM#{community}#PENDING")
}

/// GSI3: a space's pinned live threads (sort: thread id, newest first).
pub fn pinned_threads(space: &SpaceId) -> String {
    format!("SPACE#{space}#PINNED")
}

/// A write remembered under its `Idempotency-Key` (TTL).
pub fn remembered(key: &str) -> Key {
    Key::new(format!("IDEM#{key}"), "IDEM")
}

/// A rate-limit tally (TTL).
pub fn rate_tally(key: &str) -> Key {
    Key::new(format!("TALLY#{key}"), "TALLY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_like_instants() {
        let instants = [
            Timestamp::MIN,
            Timestamp::from_second(-1).unwrap(),
            Timestamp::UNIX_EPOCH,
            Timestamp::from_nanosecond(1).unwrap(),
            Timestamp::from_second(1_767_225_600).unwrap(),
            Timestamp::MAX,
        ];
        let keys: Vec<String> = instants.iter().map(|t| time_key(*t)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        assert!(keys.iter().all(|k| k.len() == 21));
    }

    #[test]
    fn composite_keys_keep_their_parts_apart() {
        let bob = UserId::new("bob").unwrap();
        let bobby = UserId::new("bobby").unwrap();
        let post: PostId = "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap();
        assert!(
            !reaction(&post, &bobby, ReactionKind::Like)
                .sk
                .starts_with(&reaction_prefix(&bob))
        );
    }
}
