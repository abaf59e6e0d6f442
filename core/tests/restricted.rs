//! A Restricted space binds everyone not admitted to it, moderators
//! included, on every surface derived from its content: moderation,
//! reports, the moderation log, the activity record, guest invitations,
//! attendance (and so CPD); and lists select what the caller may see before
//! their limit applies, so neither a page's length nor its cursor tells
//! anything about the rest.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, new_space};
use copkit_core::model::{
    ActivityKind, ContentRef, JoinPolicy, ModerationSubject, PageRequest, ReportReason,
    ReportStatus, Role, SpaceVisibility, ThreadKind, ValueKind, Visibility,
};
use copkit_core::service::{
    ContentDecision, EventInput, InviteAccess, InviteTarget, Moderation, NewDocument,
    NewInvitation, NewPost, NewReport, NewThread, NewValueStory, SpaceChanges,
};
use copkit_core::{
    Actor, CommunityId, Conflict, DocumentId, Error, EventId, PostId, SpaceId, ThreadId,
};
use jiff::civil::date;

struct Group {
    w: World,
    c: CommunityId,
    owner: Actor,
    /// A moderator not admitted to the room.
    moderator: Actor,
    /// Named on the room.
    alice: Actor,
    /// A plain member, not named.
    bob: Actor,
    /// Restricted to alice.
    room: SpaceId,
    /// A Members space.
    cases: SpaceId,
    /// alice's thread in the room.
    thread: ThreadId,
    post: PostId,
    document: DocumentId,
    event: EventId,
}

fn pdf(title: &str) -> NewDocument {
    NewDocument {
        title: title.into(),
        description: String::new(),
        tags: vec![],
        content_type: "application/pdf".into(),
        sha256: None,
        bytes: b"%PDF-1.4 reflections".to_vec(),
    }
}

fn session(title: &str) -> EventInput {
    EventInput {
        title: title.into(),
        description: String::new(),
        location: Some("Room 2".into()),
        online_url: None,
        time_zone: "Europe/London".into(),
        // The world's clock starts on Monday 2 March 2026.
        start_date: date(2026, 3, 3),
        start_time: "18:30".into(),
        duration_minutes: 60,
        recurrence: None,
        capacity: None,
    }
}

async fn group() -> Group {
    let w = World::new();
    let (owner, moderator, alice, bob) =
        (actor("helen"), actor("rosa"), actor("alice"), actor("bob"));
    let c = w
        .community(
            &owner,
            "trainers",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    for who in [&moderator, &alice, &bob] {
        w.add_member(&owner, &c, who).await;
    }
    let k = &w.copkit;
    k.change_role(&owner, &c, &moderator.user, Role::Moderator)
        .await
        .unwrap();
    let room = k
        .create_space(
            &owner,
            &c,
            new_space(
                "Appraisal reflections",
                SpaceVisibility::Restricted {
                    users: vec![alice.user.clone()],
                    roles: vec![],
                },
            ),
        )
        .await
        .unwrap()
        .id;
    let cases = k
        .create_space(&owner, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let thread = k
        .start_thread(
            &alice,
            &room,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "My appraisal year".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .id;
    let post = k
        .add_post(
            &alice,
            &thread,
            NewPost {
                body: "A difficult significant event.".into(),
                parent: None,
            },
        )
        .await
        .unwrap()
        .id;
    let document = k
        .upload_document(&alice, &room, pdf("Reflective log"))
        .await
        .unwrap()
        .id;
    let event = k
        .schedule_event(&owner, &room, session("Appraisal clinic"))
        .await
        .unwrap()
        .id;
    Group {
        w,
        c,
        owner,
        moderator,
        alice,
        bob,
        room,
        cases,
        thread,
        post,
        document,
        event,
    }
}

fn decide(target: ContentRef, decision: ContentDecision) -> Moderation {
    Moderation {
        target,
        decision,
        reason: "Identifiable".into(),
        report: None,
    }
}

#[tokio::test]
async fn a_moderator_cannot_moderate_content_in_a_room_they_are_not_admitted_to() {
    let g = group().await;
    let k = &g.w.copkit;
    let targets = [
        ContentRef::Post { post: g.post },
        ContentRef::Document {
            document: g.document,
        },
    ];
    for target in &targets {
        for decision in [
            ContentDecision::Hide,
            ContentDecision::Unhide,
            ContentDecision::Remove,
        ] {
            assert_eq!(
                k.moderate(&g.moderator, &g.c, decide(target.clone(), decision))
                    .await
                    .err(),
                Some(Error::NotFound),
                "{decision:?} {target:?}"
            );
        }
    }
    // The owner (always admitted) hides the post; hiding it again is still
    // not found for the moderator, never a conflict that confirms it.
    k.moderate(
        &g.owner,
        &g.c,
        decide(targets[0].clone(), ContentDecision::Hide),
    )
    .await
    .unwrap();
    assert_eq!(
        k.moderate(
            &g.moderator,
            &g.c,
            decide(targets[0].clone(), ContentDecision::Hide)
        )
        .await
        .err(),
        Some(Error::NotFound)
    );
    // The post is still there for its author, with who hid it and why.
    let seen = k.get_post(&g.alice, &g.post).await.unwrap();
    assert_eq!(seen.body, "A difficult significant event.");
    let hidden = seen.hidden.unwrap();
    assert_eq!(hidden.reason.as_deref(), Some("Identifiable"));
    assert_eq!(hidden.by, Some(g.owner.user.clone()));
}

#[tokio::test]
async fn reports_log_and_activity_of_the_room_are_not_shown_to_a_moderator_outside_it() {
    let g = group().await;
    let k = &g.w.copkit;
    let report = k
        .report_content(
            &g.alice,
            &g.c,
            NewReport {
                target: ContentRef::Post { post: g.post },
                reason: ReportReason::PatientIdentifiable,
                note: "A name".into(),
            },
        )
        .await
        .unwrap();
    k.moderate(
        &g.owner,
        &g.c,
        decide(
            ContentRef::Document {
                document: g.document,
            },
            ContentDecision::Hide,
        ),
    )
    .await
    .unwrap();
    let open = |who: &Actor| {
        let who = who.clone();
        async move {
            k.list_reports(&who, &g.c, ReportStatus::Open, &PageRequest::first())
                .await
                .unwrap()
        }
    };
    assert_eq!(open(&g.owner).await.items, vec![report]);
    let hidden_from_moderator = open(&g.moderator).await;
    assert!(hidden_from_moderator.items.is_empty());
    assert_eq!(hidden_from_moderator.next, None);

    let log = k
        .moderation_log(&g.owner, &g.c, &PageRequest::first())
        .await
        .unwrap();
    assert!(matches!(
        log.items[0].subject,
        ModerationSubject::Content { space, .. } if space == g.room
    ));
    let log = k
        .moderation_log(&g.moderator, &g.c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!((log.items.len(), log.next), (0, None));

    // The activity record: the owner sees what happened in the room, the
    // moderator sees only the rest, one item a page, with no cursor past
    // the last thing they may see.
    let activity = |who: &Actor, page: PageRequest| {
        let who = who.clone();
        async move { k.list_activity(&who, &g.c, &page).await.unwrap() }
    };
    let everything = activity(&g.owner, PageRequest::of(100)).await;
    assert!(everything.items.iter().any(|a| a.space == Some(g.room)));
    let mut seen = Vec::new();
    let mut page = activity(&g.moderator, PageRequest::of(1)).await;
    loop {
        assert!(page.items.len() == 1 || page.next.is_none());
        seen.extend(page.items.clone());
        match page.next {
            Some(next) => page = activity(&g.moderator, PageRequest::after(next, 1)).await,
            None => break,
        }
    }
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|a| a.space != Some(g.room)), "{seen:?}");
    assert!(
        seen.iter()
            .all(|a| !matches!(a.kind, ActivityKind::ContentModerated { .. })),
        "{seen:?}"
    );
    assert_eq!(
        seen.len(),
        everything
            .items
            .iter()
            .filter(|a| a.space != Some(g.room))
            .count()
    );
}

#[tokio::test]
async fn a_guest_invitation_may_name_only_spaces_the_inviter_sees() {
    let g = group().await;
    let k = &g.w.copkit;
    let guest_of = |spaces: Vec<SpaceId>| NewInvitation {
        target: InviteTarget::Link { max_uses: Some(1) },
        access: InviteAccess::Guest { spaces },
        expires_in_hours: None,
    };
    assert_eq!(
        k.create_invitation(&g.moderator, &g.c, guest_of(vec![g.room]))
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        k.create_invitation(&g.moderator, &g.c, guest_of(vec![g.cases, g.room]))
            .await
            .err(),
        Some(Error::NotFound)
    );
    k.create_invitation(&g.moderator, &g.c, guest_of(vec![g.cases]))
        .await
        .unwrap();
    // The owner is admitted everywhere, so may invite a guest to the room.
    let invited = k
        .create_invitation(&g.owner, &g.c, guest_of(vec![g.room]))
        .await
        .unwrap();
    let guest = actor("visiting-appraiser");
    k.accept_invitation(&guest, &invited.token).await.unwrap();
    assert!(k.get_space(&guest, &g.room).await.is_ok());
}

#[tokio::test]
async fn an_invitation_works_only_while_its_inviter_may_still_give_what_it_names() {
    let g = group().await;
    let k = &g.w.copkit;
    // A panel room that admits the moderator, who invites a guest to it
    // and makes a member link.
    let panel = k
        .create_space(
            &g.owner,
            &g.c,
            new_space(
                "Panel",
                SpaceVisibility::Restricted {
                    users: vec![g.moderator.user.clone()],
                    roles: vec![],
                },
            ),
        )
        .await
        .unwrap();
    let guest_invite = k
        .create_invitation(
            &g.moderator,
            &g.c,
            NewInvitation {
                target: InviteTarget::Link { max_uses: Some(1) },
                access: InviteAccess::Guest {
                    spaces: vec![panel.id],
                },
                expires_in_hours: None,
            },
        )
        .await
        .unwrap();
    let member_link = k
        .create_invitation(&g.moderator, &g.c, NewInvitation::link(1))
        .await
        .unwrap();
    // The moderator is no longer admitted to the panel room.
    k.update_space(
        &g.owner,
        &panel.id,
        SpaceChanges {
            visibility: Some(SpaceVisibility::Restricted {
                users: vec![g.alice.user.clone()],
                roles: vec![],
            }),
            ..SpaceChanges::default()
        },
        panel.version,
    )
    .await
    .unwrap();
    let guest = actor("visiting-appraiser");
    assert_eq!(
        k.accept_invitation(&guest, &guest_invite.token).await.err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );
    assert!(k.get_space(&guest, &panel.id).await.is_err());
    let roster = k
        .list_members(&g.owner, &g.c, &PageRequest::of(100))
        .await
        .unwrap()
        .items;
    assert!(roster.iter().all(|m| m.user != guest.user), "not let in");
    // The member link still works while the moderator may invite...
    let newcomer = actor("newcomer");
    k.accept_invitation(&newcomer, &member_link.token)
        .await
        .unwrap();
    // ...and not once they may not.
    let second_link = k
        .create_invitation(&g.moderator, &g.c, NewInvitation::link(5))
        .await
        .unwrap();
    k.change_role(&g.owner, &g.c, &g.moderator.user, Role::Member)
        .await
        .unwrap();
    assert_eq!(
        k.accept_invitation(&actor("late"), &second_link.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );
}

#[tokio::test]
async fn attendance_is_recorded_only_for_people_who_can_see_the_event() {
    let g = group().await;
    let k = &g.w.copkit;
    g.w.advance_days(2); // the clinic has happened
    let occurrence = "2026-03-03T18:30:00";
    assert_eq!(
        k.record_attendance(&g.owner, &g.event, occurrence, &g.bob.user, true)
            .await
            .err(),
        Some(Error::NotFound)
    );
    k.record_attendance(&g.owner, &g.event, occurrence, &g.alice.user, true)
        .await
        .unwrap();
    let cpd = |who: &Actor| {
        let who = who.clone();
        async move {
            k.cpd_evidence(&who, date(2026, 3, 1), date(2026, 3, 31))
                .await
                .unwrap()
        }
    };
    let bobs = cpd(&g.bob).await;
    assert!(
        !format!("{bobs:?}").contains("Appraisal clinic"),
        "{bobs:?}"
    );
    let alices = cpd(&g.alice).await;
    assert!(format!("{alices:?}").contains("Appraisal clinic"));
}

#[tokio::test]
async fn pages_hold_only_what_the_caller_may_see_selected_before_the_limit() {
    let g = group().await;
    let k = &g.w.copkit;
    // Five events in the room, two in Cases: bob sees two, one a page, and
    // the second page ends the list.
    for i in 0..5 {
        k.schedule_event(&g.owner, &g.room, session(&format!("Clinic {i}")))
            .await
            .unwrap();
    }
    for i in 0..2 {
        k.schedule_event(&g.owner, &g.cases, session(&format!("Case review {i}")))
            .await
            .unwrap();
    }
    let first = k
        .list_events(&g.bob, &g.c, &PageRequest::of(1))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 1);
    let second = k
        .list_events(&g.bob, &g.c, &PageRequest::after(first.next.unwrap(), 1))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next, None, "no cursor into what bob may not see");
    // An outsider of the private community: an empty page, no cursor.
    let outsider = actor("outsider");
    let theirs = k
        .list_events(&outsider, &g.c, &PageRequest::of(2))
        .await
        .unwrap();
    assert_eq!((theirs.items.len(), theirs.next), (0, None));

    // Documents: three of five hidden; bob's pages of two hold the two he
    // may see, and nothing points past them.
    let mut visible = Vec::new();
    for i in 0..5 {
        let d = k
            .upload_document(&g.alice, &g.cases, pdf(&format!("Guideline {i}")))
            .await
            .unwrap();
        if i % 2 == 1 {
            visible.push(d.id);
        } else {
            k.moderate(
                &g.owner,
                &g.c,
                decide(
                    ContentRef::Document { document: d.id },
                    ContentDecision::Hide,
                ),
            )
            .await
            .unwrap();
        }
    }
    let page = k
        .list_documents(&g.bob, &g.cases, &PageRequest::of(2))
        .await
        .unwrap();
    let mut ids: Vec<DocumentId> = page.items.iter().map(|d| d.id).collect();
    ids.sort();
    visible.sort();
    assert_eq!(ids, visible);
    assert_eq!(page.next, None);
    // Their author sees all five.
    let alices = k
        .list_documents(&g.alice, &g.cases, &PageRequest::of(100))
        .await
        .unwrap();
    assert_eq!(alices.items.len(), 5);
}

#[tokio::test]
async fn ids_named_in_a_body_from_a_room_the_caller_cannot_see_are_not_found_like_missing_ones() {
    let g = group().await;
    let k = &g.w.copkit;
    let story = |thread: ThreadId| NewValueStory {
        kind: ValueKind::Applied,
        title: "We changed our handover".into(),
        story: "Safer weekends.".into(),
        thread: Some(thread),
    };
    let missing: ThreadId = "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap();
    let stories_before = k
        .list_value_stories(&g.bob, &g.c, &PageRequest::default())
        .await
        .unwrap()
        .items
        .len();
    // bob (a plain member) names the room's thread, then a thread that does
    // not exist: the same answer, so the room's ids tell him nothing.
    let hidden = k.tell_value_story(&g.bob, &g.c, story(g.thread)).await;
    let absent = k.tell_value_story(&g.bob, &g.c, story(missing)).await;
    assert!(matches!(hidden, Err(Error::NotFound)), "{hidden:?}");
    assert!(matches!(absent, Err(Error::NotFound)), "{absent:?}");
    // A reply in a thread bob can see, naming the room's post as its parent.
    let open = k
        .start_thread(
            &g.bob,
            &g.cases,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Weekend handover".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let reply = k
        .add_post(
            &g.bob,
            &open.id,
            NewPost {
                body: "Replying to the room".into(),
                parent: Some(g.post),
            },
        )
        .await;
    let reply_to_nothing = k
        .add_post(
            &g.bob,
            &open.id,
            NewPost {
                body: "Replying to nothing".into(),
                parent: Some("01KDVDNA0020YM9GGZ01RWHET8".parse().unwrap()),
            },
        )
        .await;
    assert!(matches!(reply, Err(Error::NotFound)), "{reply:?}");
    assert!(
        matches!(reply_to_nothing, Err(Error::NotFound)),
        "{reply_to_nothing:?}"
    );
    // Nothing was written.
    let stories_after = k
        .list_value_stories(&g.bob, &g.c, &PageRequest::default())
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(stories_before, stories_after);
    let posts = k
        .list_posts(&g.bob, &open.id, &PageRequest::default())
        .await
        .unwrap()
        .items;
    assert!(posts.is_empty(), "{posts:?}");
    // alice, admitted to the room, may name its thread.
    k.tell_value_story(&g.alice, &g.c, story(g.thread))
        .await
        .unwrap();
}
