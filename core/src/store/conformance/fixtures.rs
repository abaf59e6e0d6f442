//! Records and helpers the checks share.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use crate::clock::{IdSource, RandomIds};
use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, SpaceId, ThreadId,
    UserId,
};
use crate::model::{
    Activity, ActivityKind, Community, CommunityCounts, CommunityKind, Document, DocumentVersion,
    Event, Invitation, InvitationTarget, InvitedRole, JoinPolicy, Membership, MembershipStatus,
    Poll, Post, Profile, ReactionCounts, ResultsVisibility, Role, Rsvp, RsvpResponse, Slug, Space,
    SpaceVisibility, Thread, ThreadKind, TokenHash, Visibility,
};
use crate::store::{
    CommunityOp, ConditionFailure, EventOp, Expect, Op, Range, SpaceOp, Store, StoreError,
    Transaction,
};

/// A fixed instant the suite's records are stamped with.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap() // 2026-01-01T00:00:00Z
}

/// A fresh ULID; ids made later sort later (as they do in production, where
/// the clock moves), with random bits so concurrent test runs never collide.
pub(super) fn ulid() -> ulid::Ulid {
    static TICK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let tick = TICK.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    RandomIds.ulid(Timestamp::now() + SignedDuration::from_millis(tick))
}

/// A unique token for names and slugs in this run.
pub fn unique() -> String {
    ulid().to_string().to_lowercase()
}

/// A unique user id.
pub fn user(label: &str) -> UserId {
    UserId::new(format!("{label}-{}", unique())).unwrap()
}

/// A community record with a unique slug.
pub fn community(name: &str, visibility: Visibility) -> Community {
    Community {
        id: CommunityId(ulid()),
        slug: Slug::new(&format!("c-{}", unique())).unwrap(),
        name: name.to_owned(),
        purpose: "Learning together".into(),
        kind: CommunityKind::TrainingGroup,
        visibility,
        join_policy: if visibility == Visibility::Secret {
            JoinPolicy::InviteOnly
        } else {
            JoinPolicy::Approval
        },
        join_question: None,
        created_by: user("founder"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
        counts: CommunityCounts {
            members: 1,
            guests: 0,
            owners: 1,
            spaces: 0,
        },
        level_rules: Default::default(),
        departed_uploads: Default::default(),
    }
}

/// An active membership record.
pub fn membership(community: CommunityId, user: &UserId, role: Role) -> Membership {
    Membership {
        community,
        user: user.clone(),
        role,
        status: MembershipStatus::Active,
        level: Membership::default_level(role),
        joined_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

pub(super) fn profile(user: &UserId, name: &str) -> Profile {
    Profile {
        user: user.clone(),
        display_name: name.into(),
        handle: None,
        professional_role: Some("GP trainee".into()),
        organisation: None,
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

pub(super) fn space(community: CommunityId, name: &str) -> Space {
    Space {
        id: SpaceId(ulid()),
        community,
        name: name.into(),
        description: String::new(),
        visibility: SpaceVisibility::Members,
        archived_at: None,
        created_by: user("mod"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

pub(super) fn invitation(community: CommunityId, max_uses: u32) -> (Invitation, String) {
    let token = format!("tok-{}", unique());
    let i = Invitation {
        id: InvitationId(ulid()),
        community,
        target: InvitationTarget::Link,
        role: InvitedRole::Member,
        guest_spaces: vec![],
        token_hash: TokenHash::of(&token),
        created_by: user("mod"),
        created_at: t0(),
        expires_at: t0() + SignedDuration::from_hours(24),
        max_uses,
        uses: 0,
        revoked_at: None,
        version: 1,
    };
    (i, token)
}

pub(super) fn activity(community: CommunityId, n: u32) -> Activity {
    Activity {
        id: ActivityId(ulid()),
        community,
        space: None,
        actor: UserId::new(format!("actor-{n}")).unwrap(),
        at: t0(),
        kind: ActivityKind::CommunityUpdated,
    }
}

pub(super) async fn commit<S: Store + ?Sized>(store: &S, ops: Vec<Op>) -> Result<(), StoreError> {
    let mut tx = Transaction::new();
    for op in ops {
        tx.push(op);
    }
    store.commit(tx).await
}

pub(super) async fn create<S: Store + ?Sized>(store: &S, c: &Community) -> Membership {
    let owner = membership(c.id, &c.created_by, Role::Owner);
    commit(
        store,
        vec![
            CommunityOp::CreateCommunity {
                community: c.clone(),
            }
            .into(),
            CommunityOp::PutMembership {
                membership: owner.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    owner
}

pub(super) fn failure(result: Result<(), StoreError>) -> (usize, ConditionFailure) {
    match result {
        Err(StoreError::Condition { op, failure }) => (op, failure),
        other => panic!("expected a condition failure, got {other:?}"),
    }
}

/// Reads a whole list by following positions, checking page sizes.
pub(super) async fn drain<T, F, Fut>(limit: u32, mut page: F) -> Vec<T>
where
    F: FnMut(Range) -> Fut,
    Fut: std::future::Future<Output = Result<crate::store::Chunk<T>, StoreError>>,
{
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let chunk = page(Range { limit, after }).await.unwrap();
        assert!(
            chunk.items.len() <= limit as usize,
            "page larger than limit"
        );
        let done = chunk.next.is_none();
        if !done {
            assert_eq!(
                chunk.items.len(),
                limit as usize,
                "short page before the end"
            );
        }
        all.extend(chunk.items);
        if done {
            return all;
        }
        after = chunk.next;
    }
    panic!("pagination never ended");
}

pub(super) fn thread(space: &Space, minutes: i64) -> Thread {
    let at = t0() + SignedDuration::from_mins(minutes);
    Thread {
        id: ThreadId(ulid()),
        space: space.id,
        community: space.community,
        kind: ThreadKind::Question,
        title: format!("Thread at {minutes}"),
        body: "What do you do when...".into(),
        tags: vec!["prescribing".into()],
        mentions: vec![],
        author: user("author"),
        created_at: at,
        edited_at: None,
        last_activity_at: at,
        post_count: 0,
        pinned: false,
        locked: false,
        accepted_answer: None,
        hidden: None,
        deleted_at: None,
        version: 1,
    }
}

pub(super) fn post(t: &Thread, parent: Option<PostId>) -> Post {
    Post {
        id: PostId(ulid()),
        thread: t.id,
        space: t.space,
        community: t.community,
        parent,
        author: user("poster"),
        body: "In my practice we...".into(),
        mentions: vec![],
        reactions: ReactionCounts::default(),
        created_at: t0(),
        edited_at: None,
        deleted_at: None,
        hidden: None,
        version: 1,
    }
}

pub(super) fn document(space: &Space, minutes: i64) -> Document {
    let at = t0() + SignedDuration::from_mins(minutes);
    Document {
        id: DocumentId(ulid()),
        space: space.id,
        community: space.community,
        title: format!("Doc {minutes}"),
        description: String::new(),
        tags: vec![],
        content_type: "application/pdf".into(),
        size: 3,
        sha256: crate::blob::sha256_hex(b"pdf"),
        current_version: 1,
        created_by: user("uploader"),
        created_at: at,
        updated_at: at,
        deleted_at: None,
        hidden: None,
        version: 1,
    }
}

pub(super) fn doc_version(d: &Document, number: u32) -> DocumentVersion {
    DocumentVersion {
        document: d.id,
        number,
        content_type: d.content_type.clone(),
        size: d.size,
        sha256: d.sha256.clone(),
        blob_key: format!("documents/{}/v{number}", d.id),
        uploaded_by: d.created_by.clone(),
        uploaded_at: t0(),
        note: String::new(),
    }
}

pub(super) fn event(space: &Space, capacity: Option<u32>) -> Event {
    Event {
        id: EventId(ulid()),
        space: space.id,
        community: space.community,
        title: "Small group".into(),
        description: String::new(),
        location: Some("Seminar room 2".into()),
        online_url: None,
        time_zone: "Europe/London".into(),
        starts: jiff::civil::date(2026, 9, 7).at(18, 30, 0, 0),
        duration_minutes: 90,
        recurrence: None,
        cancelled: vec![],
        capacity,
        created_by: user("organiser"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

pub(super) const OCCURRENCE: &str = "2026-09-07T18:30:00";

pub(super) fn rsvp(e: &Event, u: &UserId, response: RsvpResponse) -> Rsvp {
    Rsvp {
        event: e.id,
        occurrence: OCCURRENCE.into(),
        user: u.clone(),
        response,
        at: t0(),
        version: 1,
    }
}

pub(super) fn tally_op(e: &Event, going: i64, maybe: i64, declined: i64) -> Op {
    EventOp::AdjustRsvpTally {
        event: e.id,
        occurrence: OCCURRENCE.into(),
        going,
        maybe,
        declined,
        capacity: e.capacity,
    }
    .into()
}

pub(super) fn poll(space: &Space, options: usize) -> Poll {
    Poll {
        id: PollId(ulid()),
        space: space.id,
        community: space.community,
        question: "Next topic?".into(),
        options: (0..options).map(|i| format!("Option {i}")).collect(),
        multiple_choice: true,
        closes_at: t0() + SignedDuration::from_hours(24),
        results: ResultsVisibility::AfterVote,
        created_by: user("asker"),
        created_at: t0(),
        tally: vec![0; options],
        voters: 0,
        version: 1,
    }
}

pub(super) async fn space_in_new_community<S: Store + ?Sized>(store: &S, name: &str) -> Space {
    let c = community(name, Visibility::Private);
    create(store, &c).await;
    let s = space(c.id, "Room");
    commit(
        store,
        vec![
            SpaceOp::PutSpace {
                space: s.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    s
}

/// A pending mail to `user` (at `email`, if any) made at `at`: a subject,
/// text and HTML that greet them by name, an empty digest.
pub fn pending_mail(
    id: crate::ids::MailId,
    user: &str,
    email: Option<String>,
    at: Timestamp,
) -> crate::model::Mail {
    let to = UserId::new(user).unwrap();
    crate::model::Mail {
        id,
        to: to.clone(),
        email,
        subject: format!("Your copkit digest, {user}"),
        text: format!("Hello {user}, one new thread in Cases."),
        html: format!("<p>Hello {user}, one new thread in <b>Cases</b>.</p>"),
        digest: crate::model::Digest {
            user: to,
            since: at,
            until: at,
            communities: vec![],
        },
        notification: None,
        unsubscribe_url: None,
        created_at: at,
        delivery: crate::model::MailDelivery::pending(at),
        version: 1,
    }
}
