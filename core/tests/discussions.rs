//! Threads, posts, replies, reactions, mentions, pins, locks and answers.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{
    JoinPolicy, PageRequest, ReactionCounts, ReactionKind, Role, SpaceVisibility, ThreadKind,
    Visibility,
};
use copkit_core::service::{NewPost, NewThread, ProfileChanges, ThreadChanges};
use copkit_core::{Actor, CommunityId, Conflict, Error, Forbidden, SpaceId};

struct Group {
    w: World,
    c: CommunityId,
    space: SpaceId,
    owner: Actor,
    tom: Actor,
    mia: Actor,
}

async fn group() -> Group {
    let w = World::new();
    let owner = actor("helen");
    let tom = actor("tom");
    let mia = actor("mia");
    let c = w
        .community(&owner, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&owner, &c, &tom).await;
    w.add_member(&owner, &c, &mia).await;
    let space = w
        .copkit
        .create_space(
            &owner,
            &c,
            new_space("Case discussion", SpaceVisibility::Members),
        )
        .await
        .unwrap()
        .id;
    Group {
        w,
        c,
        space,
        owner,
        tom,
        mia,
    }
}

fn question(title: &str, body: &str) -> NewThread {
    NewThread {
        kind: ThreadKind::Question,
        title: title.into(),
        body: body.into(),
        tags: vec!["Prescribing".into(), "prescribing".into()],
    }
}

fn post(body: &str) -> NewPost {
    NewPost {
        body: body.into(),
        parent: None,
    }
}

#[tokio::test]
async fn a_question_is_asked_answered_and_the_answer_accepted() {
    let g = group().await;
    let k = &g.w.copkit;
    let q = k
        .start_thread(
            &g.tom,
            &g.space,
            question("Antibiotics for sore throat?", "When do you prescribe?"),
        )
        .await
        .unwrap();
    assert_eq!(
        q.tags,
        ["prescribing"],
        "tags are normalized and deduplicated"
    );
    let answer = k
        .add_post(&g.mia, &q.id, post("I use FeverPAIN."))
        .await
        .unwrap();
    let reply = k
        .add_post(
            &g.tom,
            &q.id,
            NewPost {
                body: "Thanks!".into(),
                parent: Some(answer.id),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        k.add_post(
            &g.mia,
            &q.id,
            NewPost {
                body: "Deeper".into(),
                parent: Some(reply.id)
            }
        )
        .await
        .err(),
        Some(Error::Conflict(Conflict::WrongState)),
        "replies go one level deep"
    );
    let thread = k.get_thread(&g.tom, &q.id).await.unwrap();
    assert_eq!(thread.post_count, 2);

    // Only the asker (or a moderator) accepts; the answer must be in the thread.
    assert_eq!(
        k.accept_answer(&g.mia, &q.id, Some(answer.id)).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    let accepted = k
        .accept_answer(&g.tom, &q.id, Some(answer.id))
        .await
        .unwrap();
    assert_eq!(accepted.accepted_answer, Some(answer.id));
    let other = k
        .start_thread(&g.tom, &g.space, question("Another", "x"))
        .await
        .unwrap();
    let elsewhere = k
        .add_post(&g.mia, &other.id, post("elsewhere"))
        .await
        .unwrap();
    assert_eq!(
        k.accept_answer(&g.tom, &q.id, Some(elsewhere.id))
            .await
            .err(),
        Some(Error::NotFound)
    );
    let discussion = k
        .start_thread(
            &g.tom,
            &g.space,
            NewThread {
                kind: ThreadKind::Discussion,
                ..question("Chat", "x")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        k.accept_answer(&g.tom, &discussion.id, None).await.err(),
        Some(Error::Conflict(Conflict::WrongState))
    );
}

#[tokio::test]
async fn lists_follow_the_latest_activity() {
    let g = group().await;
    let k = &g.w.copkit;
    let first = k
        .start_thread(&g.tom, &g.space, question("First", "a"))
        .await
        .unwrap();
    g.w.clock.advance(jiff::SignedDuration::from_mins(5));
    let second = k
        .start_thread(&g.tom, &g.space, question("Second", "b"))
        .await
        .unwrap();
    g.w.clock.advance(jiff::SignedDuration::from_mins(5));
    let third = k
        .start_thread(&g.tom, &g.space, question("Third", "c"))
        .await
        .unwrap();
    g.w.clock.advance(jiff::SignedDuration::from_mins(5));
    k.add_post(&g.mia, &first.id, post("bump")).await.unwrap();
    let page1 = k
        .list_threads(&g.mia, &g.space, &PageRequest::of(2))
        .await
        .unwrap();
    let page2 = k
        .list_threads(
            &g.mia,
            &g.space,
            &PageRequest::after(page1.next.clone().unwrap(), 2),
        )
        .await
        .unwrap();
    let order: Vec<_> = page1
        .items
        .iter()
        .chain(&page2.items)
        .map(|t| t.id)
        .collect();
    assert_eq!(order, [first.id, third.id, second.id]);
    assert!(page2.next.is_none());
}

#[tokio::test]
async fn edits_need_the_author_and_the_current_version() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = k
        .start_thread(&g.tom, &g.space, question("Original", "body"))
        .await
        .unwrap();
    let rename = ThreadChanges {
        title: Some("Renamed".into()),
        ..Default::default()
    };
    assert_eq!(
        k.edit_thread(&g.mia, &t.id, rename.clone(), 1).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    // Moderators remove content; they do not rewrite it.
    assert_eq!(
        k.edit_thread(&g.owner, &t.id, rename.clone(), 1)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    let edited = k
        .edit_thread(&g.tom, &t.id, rename.clone(), 1)
        .await
        .unwrap();
    assert_eq!((edited.title.as_str(), edited.version), ("Renamed", 2));
    assert!(edited.edited_at.is_some());
    assert_eq!(
        k.edit_thread(&g.tom, &t.id, rename, 1).await.err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );

    let p = k.add_post(&g.mia, &t.id, post("first")).await.unwrap();
    let p2 = k
        .edit_post(&g.mia, &p.id, "first, edited", 1)
        .await
        .unwrap();
    assert_eq!(p2.version, 2);
    assert_eq!(
        k.edit_post(&g.mia, &p.id, "lost update", 1).await.err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );
    assert_eq!(
        k.edit_post(&g.tom, &p.id, "not mine", 2).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    assert_eq!(
        invalid_fields(k.edit_post(&g.mia, &p.id, "", 2).await),
        ["body"]
    );
    assert_eq!(
        invalid_fields(k.add_post(&g.mia, &t.id, post(&"x".repeat(20_001))).await),
        ["body"]
    );
    assert_eq!(
        invalid_fields(
            k.start_thread(
                &g.tom,
                &g.space,
                NewThread {
                    tags: vec!["no spaces".into()],
                    ..question("ab", "x")
                }
            )
            .await
        ),
        ["title", "tags[0]"]
    );
}

#[tokio::test]
async fn deleting_leaves_tombstones() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = k
        .start_thread(&g.tom, &g.space, question("To delete", "body"))
        .await
        .unwrap();
    let p = k.add_post(&g.mia, &t.id, post("soon gone")).await.unwrap();
    assert_eq!(
        k.delete_post(&g.tom, &p.id).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    let gone = k.delete_post(&g.owner, &p.id).await.unwrap();
    assert!(gone.deleted_at.is_some());
    assert_eq!(gone.body, "");
    let listed = k
        .list_posts(&g.tom, &t.id, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1, "the tombstone keeps its place");
    assert_eq!(listed.items[0].body, "");
    assert_eq!(
        k.react(&g.tom, &p.id, ReactionKind::Like).await.err(),
        Some(Error::Conflict(Conflict::WrongState))
    );

    let dead = k.delete_thread(&g.tom, &t.id).await.unwrap();
    assert_eq!((dead.title.as_str(), dead.body.as_str()), ("", ""));
    assert!(
        k.list_threads(&g.tom, &g.space, &PageRequest::first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        k.add_post(&g.mia, &t.id, post("too late")).await.err(),
        Some(Error::Conflict(Conflict::Closed))
    );
}

#[tokio::test]
async fn moderators_pin_and_lock() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = k
        .start_thread(&g.tom, &g.space, question("Rules", "Read me"))
        .await
        .unwrap();
    assert_eq!(
        k.set_thread_pinned(&g.tom, &t.id, true).await.err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
    k.set_thread_pinned(&g.owner, &t.id, true).await.unwrap();
    assert_eq!(k.pinned_threads(&g.mia, &g.space).await.unwrap().len(), 1);
    k.set_thread_locked(&g.owner, &t.id, true).await.unwrap();
    assert_eq!(
        k.add_post(&g.mia, &t.id, post("hello")).await.err(),
        Some(Error::Conflict(Conflict::Closed))
    );
    k.set_thread_locked(&g.owner, &t.id, false).await.unwrap();
    k.add_post(&g.mia, &t.id, post("hello")).await.unwrap();
}

#[tokio::test]
async fn reactions_count_once_per_person_and_kind() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = k
        .start_thread(&g.tom, &g.space, question("React", "x"))
        .await
        .unwrap();
    let p = k.add_post(&g.mia, &t.id, post("useful tip")).await.unwrap();
    k.react(&g.tom, &p.id, ReactionKind::Thanks).await.unwrap();
    k.react(&g.tom, &p.id, ReactionKind::Thanks).await.unwrap();
    k.react(&g.tom, &p.id, ReactionKind::Insightful)
        .await
        .unwrap();
    let after = k
        .react(&g.owner, &p.id, ReactionKind::Thanks)
        .await
        .unwrap();
    assert_eq!(
        after.reactions,
        ReactionCounts {
            like: 0,
            thanks: 2,
            insightful: 1
        }
    );
    let after = k
        .unreact(&g.tom, &p.id, ReactionKind::Thanks)
        .await
        .unwrap();
    assert_eq!(after.reactions.thanks, 1);
    let after = k
        .unreact(&g.tom, &p.id, ReactionKind::Thanks)
        .await
        .unwrap();
    assert_eq!(after.reactions.thanks, 1, "taking back twice is harmless");
    assert_eq!(
        k.my_reactions(&g.tom, &p.id).await.unwrap(),
        [ReactionKind::Insightful]
    );
}

#[tokio::test]
async fn mentions_resolve_only_to_people_who_can_see_the_space() {
    let g = group().await;
    let k = &g.w.copkit;
    let outsider = actor("outsider");
    let guest = actor("guest");
    for (who, handle) in [
        (&g.mia, "mia_gp"),
        (&outsider, "outsider_x"),
        (&guest, "guest_y"),
    ] {
        let version = k.my_profile(who).await.unwrap().version;
        k.update_my_profile(
            who,
            ProfileChanges {
                handle: Some(handle.into()),
                ..Default::default()
            },
            version,
        )
        .await
        .unwrap();
    }
    // A guest of the community, but without a grant to this space.
    let invite = k
        .create_invitation(
            &g.owner,
            &g.c,
            copkit_core::service::NewInvitation::link(1).as_guest(vec![
                k.create_space(&g.owner, &g.c, new_space("Other", SpaceVisibility::Members))
                    .await
                    .unwrap()
                    .id,
            ]),
        )
        .await
        .unwrap();
    k.accept_invitation(&guest, &invite.token).await.unwrap();
    // A member who took the handle first: nobody else can have it.
    assert_eq!(
        k.update_my_profile(
            &g.tom,
            ProfileChanges {
                handle: Some("@Mia_GP".into()),
                ..Default::default()
            },
            1
        )
        .await
        .err(),
        Some(Error::Conflict(Conflict::HandleTaken))
    );
    let t = k
        .start_thread(
            &g.tom,
            &g.space,
            question(
                "Mentions",
                "@Mia_GP what do you think? cc @outsider_x @guest_y @nobody_here",
            ),
        )
        .await
        .unwrap();
    assert_eq!(t.mentions, vec![g.mia.user.clone()]);
    let p = k
        .add_post(&g.tom, &t.id, post("also @mia_gp and mia@example.org"))
        .await
        .unwrap();
    assert_eq!(p.mentions, vec![g.mia.user.clone()]);
}

#[tokio::test]
async fn members_who_leave_lose_the_thread_and_guests_need_a_grant() {
    let g = group().await;
    let k = &g.w.copkit;
    let t = k
        .start_thread(&g.tom, &g.space, question("Private", "x"))
        .await
        .unwrap();
    let p = k
        .add_post(&g.mia, &t.id, post("member content"))
        .await
        .unwrap();
    k.leave(&g.mia, &g.c).await.unwrap();
    assert_eq!(
        k.get_thread(&g.mia, &t.id).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(k.get_post(&g.mia, &p.id).await.err(), Some(Error::NotFound));
    assert_eq!(
        k.edit_post(&g.mia, &p.id, "still mine?", 1).await.err(),
        Some(Error::NotFound)
    );
    // Demoted to a guest without a grant: nothing.
    k.change_role(&g.owner, &g.c, &g.tom.user, Role::Guest)
        .await
        .unwrap();
    assert_eq!(
        k.get_thread(&g.tom, &t.id).await.err(),
        Some(Error::NotFound)
    );
}
