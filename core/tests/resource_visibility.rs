//! Every resource kind from the outsider's and the guest's side: what they
//! may not see answers `NotFound` — never `Forbidden` — exactly like an id
//! that does not exist, for reads and writes alike.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, new_space};
use copkit_core::blob::sha256_hex;
use copkit_core::model::{
    Frequency, JoinPolicy, PageRequest, ReactionKind, Recurrence, RecurrenceEnd, ResultsVisibility,
    Role, RsvpResponse, SpaceVisibility, ThreadKind, Visibility,
};
use copkit_core::service::{
    DocumentChanges, EventInput, NewDocument, NewInvitation, NewPoll, NewPost, NewThread,
    NewVersion, ThreadChanges,
};
use copkit_core::{Actor, DocumentId, Error, EventId, PollId, PostId, SpaceId, ThreadId};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use ulid::Ulid;

/// One of each resource in one space.
#[derive(Clone, Copy)]
struct Resources {
    space: SpaceId,
    thread: ThreadId,
    post: PostId,
    document: DocumentId,
    event: EventId,
    poll: PollId,
}

const OCCURRENCE: &str = "2026-03-10T18:30:00";

fn event_input() -> EventInput {
    EventInput {
        title: "Session".into(),
        description: String::new(),
        location: None,
        online_url: None,
        time_zone: "Europe/London".into(),
        start_date: date(2026, 3, 10),
        start_time: "18:30".into(),
        duration_minutes: 60,
        recurrence: Some(Recurrence {
            frequency: Frequency::Daily,
            interval: 7,
            end: Some(RecurrenceEnd::Count { count: 4 }),
        }),
        capacity: None,
    }
}

fn document(title: &str) -> NewDocument {
    NewDocument {
        title: title.into(),
        description: String::new(),
        tags: vec![],
        content_type: "text/plain".into(),
        sha256: Some(sha256_hex(b"notes")),
        bytes: b"notes".to_vec(),
    }
}

async fn fill(w: &World, author: &Actor, space: SpaceId) -> Resources {
    let k = &w.copkit;
    let thread = k
        .start_thread(
            author,
            &space,
            NewThread {
                kind: ThreadKind::Question,
                title: "Question".into(),
                body: "Body".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .id;
    let post = k
        .add_post(
            author,
            &thread,
            NewPost {
                body: "Answer".into(),
                parent: None,
            },
        )
        .await
        .unwrap()
        .id;
    let document = k
        .upload_document(author, &space, document("Notes"))
        .await
        .unwrap()
        .id;
    let event = k
        .schedule_event(author, &space, event_input())
        .await
        .unwrap()
        .id;
    let poll = k
        .create_poll(
            author,
            &space,
            NewPoll {
                question: "Topic?".into(),
                options: vec!["A".into(), "B".into()],
                multiple_choice: false,
                closes_in_hours: 24,
                results: ResultsVisibility::AfterVote,
            },
        )
        .await
        .unwrap()
        .poll
        .id;
    Resources {
        space,
        thread,
        post,
        document,
        event,
        poll,
    }
}

fn nothing() -> Resources {
    Resources {
        space: SpaceId(Ulid::from_parts(9, 1)),
        thread: ThreadId(Ulid::from_parts(9, 2)),
        post: PostId(Ulid::from_parts(9, 3)),
        document: DocumentId(Ulid::from_parts(9, 4)),
        event: EventId(Ulid::from_parts(9, 5)),
        poll: PollId(Ulid::from_parts(9, 6)),
    }
}

/// Every resource use case aimed at `r`, reads and writes, as (name, outcome).
async fn every_call(
    w: &World,
    who: &Actor,
    r: Resources,
) -> Vec<(&'static str, Result<(), Error>)> {
    let k = &w.copkit;
    let page = PageRequest::first();
    let from: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let to = from + SignedDuration::from_hours(24 * 60);
    let version = NewVersion {
        content_type: "text/plain".into(),
        sha256: Some(sha256_hex(b"v2")),
        bytes: b"v2".to_vec(),
        note: String::new(),
    };
    vec![
        (
            "list_threads",
            k.list_threads(who, &r.space, &page).await.map(drop),
        ),
        (
            "pinned_threads",
            k.pinned_threads(who, &r.space).await.map(drop),
        ),
        (
            "start_thread",
            k.start_thread(
                who,
                &r.space,
                NewThread {
                    kind: ThreadKind::Discussion,
                    title: "Mine".into(),
                    body: String::new(),
                    tags: vec![],
                },
            )
            .await
            .map(drop),
        ),
        ("get_thread", k.get_thread(who, &r.thread).await.map(drop)),
        (
            "edit_thread",
            k.edit_thread(who, &r.thread, ThreadChanges::default(), 1)
                .await
                .map(drop),
        ),
        (
            "delete_thread",
            k.delete_thread(who, &r.thread).await.map(drop),
        ),
        (
            "set_thread_pinned",
            k.set_thread_pinned(who, &r.thread, true).await.map(drop),
        ),
        (
            "set_thread_locked",
            k.set_thread_locked(who, &r.thread, true).await.map(drop),
        ),
        (
            "accept_answer",
            k.accept_answer(who, &r.thread, Some(r.post))
                .await
                .map(drop),
        ),
        (
            "list_posts",
            k.list_posts(who, &r.thread, &page).await.map(drop),
        ),
        (
            "add_post",
            k.add_post(
                who,
                &r.thread,
                NewPost {
                    body: "hi".into(),
                    parent: None,
                },
            )
            .await
            .map(drop),
        ),
        ("get_post", k.get_post(who, &r.post).await.map(drop)),
        (
            "edit_post",
            k.edit_post(who, &r.post, "edit", 1).await.map(drop),
        ),
        ("delete_post", k.delete_post(who, &r.post).await.map(drop)),
        (
            "react",
            k.react(who, &r.post, ReactionKind::Like).await.map(drop),
        ),
        (
            "unreact",
            k.unreact(who, &r.post, ReactionKind::Like).await.map(drop),
        ),
        ("my_reactions", k.my_reactions(who, &r.post).await.map(drop)),
        (
            "list_documents",
            k.list_documents(who, &r.space, &page).await.map(drop),
        ),
        (
            "upload_document",
            k.upload_document(who, &r.space, document("Mine"))
                .await
                .map(drop),
        ),
        (
            "get_document",
            k.get_document(who, &r.document).await.map(drop),
        ),
        (
            "download_document",
            k.download_document(who, &r.document, None).await.map(drop),
        ),
        (
            "list_document_versions",
            k.list_document_versions(who, &r.document, &page)
                .await
                .map(drop),
        ),
        (
            "add_document_version",
            k.add_document_version(who, &r.document, version, 1)
                .await
                .map(drop),
        ),
        (
            "update_document",
            k.update_document(who, &r.document, DocumentChanges::default(), 1)
                .await
                .map(drop),
        ),
        ("delete_document", k.delete_document(who, &r.document).await),
        (
            "schedule_event",
            k.schedule_event(who, &r.space, event_input())
                .await
                .map(drop),
        ),
        ("get_event", k.get_event(who, &r.event).await.map(drop)),
        (
            "update_event",
            k.update_event(who, &r.event, event_input(), 1)
                .await
                .map(drop),
        ),
        (
            "event_occurrences",
            k.event_occurrences(who, &r.event, from, to).await.map(drop),
        ),
        (
            "set_occurrence_cancelled",
            k.set_occurrence_cancelled(who, &r.event, OCCURRENCE, true, 1)
                .await
                .map(drop),
        ),
        (
            "rsvp",
            k.rsvp(who, &r.event, OCCURRENCE, RsvpResponse::Going)
                .await
                .map(drop),
        ),
        (
            "list_rsvps",
            k.list_rsvps(who, &r.event, OCCURRENCE, &page)
                .await
                .map(drop),
        ),
        (
            "rsvp_tally",
            k.rsvp_tally(who, &r.event, OCCURRENCE).await.map(drop),
        ),
        (
            "record_attendance",
            k.record_attendance(who, &r.event, OCCURRENCE, &who.user, true)
                .await
                .map(drop),
        ),
        (
            "list_attendance",
            k.list_attendance(who, &r.event, OCCURRENCE).await.map(drop),
        ),
        (
            "list_polls",
            k.list_polls(who, &r.space, &page).await.map(drop),
        ),
        (
            "create_poll",
            k.create_poll(
                who,
                &r.space,
                NewPoll {
                    question: "Mine?".into(),
                    options: vec!["x".into(), "y".into()],
                    multiple_choice: false,
                    closes_in_hours: 1,
                    results: ResultsVisibility::AfterVote,
                },
            )
            .await
            .map(drop),
        ),
        ("get_poll", k.get_poll(who, &r.poll).await.map(drop)),
        ("vote", k.vote(who, &r.poll, &[0]).await.map(drop)),
        ("close_poll", k.close_poll(who, &r.poll).await.map(drop)),
    ]
}

fn assert_invisible(
    who: &str,
    real: &[(&str, Result<(), Error>)],
    missing: &[(&str, Result<(), Error>)],
) {
    for ((name, got), (_, none)) in real.iter().zip(missing) {
        assert_eq!(got, &Err(Error::NotFound), "{who}: {name} must be NotFound");
        assert_eq!(got, none, "{who}: {name} must answer like a missing id");
    }
}

struct Scene {
    w: World,
    owner: Actor,
    member: Actor,
    guest: Actor,
    general: Resources,
    granted: Resources,
    core: Resources,
    secret_public: Resources,
}

async fn scene() -> Scene {
    let w = World::new();
    let owner = actor("owner");
    let member = actor("member");
    let guest = actor("guest");
    let k = &w.copkit;
    let c = w
        .community(
            &owner,
            "private-group",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&owner, &c, &member).await;
    let general = k
        .create_space(&owner, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let teaching = k
        .create_space(&owner, &c, new_space("Teaching", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let core = k
        .create_space(
            &owner,
            &c,
            new_space(
                "Core",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await
        .unwrap()
        .id;
    let invite = k
        .create_invitation(&owner, &c, NewInvitation::link(1).as_guest(vec![teaching]))
        .await
        .unwrap();
    k.accept_invitation(&guest, &invite.token).await.unwrap();
    let secret = w
        .community(
            &owner,
            "secret-group",
            Visibility::Secret,
            JoinPolicy::InviteOnly,
        )
        .await;
    let window = k
        .create_space(
            &owner,
            &secret,
            new_space("Window", SpaceVisibility::Public),
        )
        .await
        .unwrap()
        .id;
    Scene {
        general: fill(&w, &owner, general).await,
        granted: fill(&w, &owner, teaching).await,
        core: fill(&w, &owner, core).await,
        secret_public: fill(&w, &owner, window).await,
        w,
        owner,
        member,
        guest,
    }
}

#[tokio::test]
async fn outsiders_find_nothing_in_private_spaces_or_secret_communities() {
    let s = scene().await;
    let outsider = actor("outsider");
    let missing = every_call(&s.w, &outsider, nothing()).await;
    for (label, r) in [
        ("members space", s.general),
        ("restricted room", s.core),
        ("secret community's public space", s.secret_public),
    ] {
        let real = every_call(&s.w, &outsider, r).await;
        assert_invisible(&format!("outsider/{label}"), &real, &missing);
    }
}

#[tokio::test]
async fn a_guest_finds_nothing_outside_the_granted_space_and_works_inside_it() {
    let s = scene().await;
    let missing = every_call(&s.w, &s.guest, nothing()).await;
    for (label, r) in [
        ("ungranted members space", s.general),
        ("restricted room", s.core),
    ] {
        let real = every_call(&s.w, &s.guest, r).await;
        assert_invisible(&format!("guest/{label}"), &real, &missing);
    }
    // Inside the granted space a guest reads and contributes, but does not moderate.
    let k = &s.w.copkit;
    assert!(k.get_thread(&s.guest, &s.granted.thread).await.is_ok());
    assert!(
        k.add_post(
            &s.guest,
            &s.granted.thread,
            NewPost {
                body: "Outside view".into(),
                parent: None
            }
        )
        .await
        .is_ok()
    );
    assert!(
        k.download_document(&s.guest, &s.granted.document, None)
            .await
            .is_ok()
    );
    assert!(k.vote(&s.guest, &s.granted.poll, &[1]).await.is_ok());
    assert!(matches!(
        k.set_thread_pinned(&s.guest, &s.granted.thread, true).await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        k.delete_document(&s.guest, &s.granted.document).await,
        Err(Error::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_member_finds_nothing_in_a_restricted_room_they_are_not_named_in() {
    let s = scene().await;
    let missing = every_call(&s.w, &s.member, nothing()).await;
    let real = every_call(&s.w, &s.member, s.core).await;
    assert_invisible("member/restricted room", &real, &missing);
    // ... while the owner reaches everything in it.
    assert!(
        s.w.copkit
            .get_thread(&s.owner, &s.core.thread)
            .await
            .is_ok()
    );
}
