//! Data rights through the use cases: an export holds everything about the
//! person; erasure leaves their communities, keeps their contributions
//! under "former member", deletes the rest, and an export afterwards shows
//! nothing personal. A last owner must hand over first.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, new_space};
use copkit_core::mail::Outbox;
use copkit_core::model::{
    DepartedUploads, DigestFrequency, DigestPreference, JoinPolicy, PageRequest, SpaceVisibility,
    ThreadKind, ValueKind, Visibility,
};
use copkit_core::service::{
    CommunityChanges, EventInput, NewDocument, NewPost, NewThread, NewValueStory, ProfileChanges,
};
use copkit_core::{Actor, CommunityId, Conflict, Error, SpaceId, UserId};
use jiff::civil::date;

struct Group {
    w: World,
    c: CommunityId,
    cases: SpaceId,
    helen: Actor,
    tom: Actor,
}

/// Helen owns a group; Tom, with a profile and handle, takes part in every
/// way: a question, a reply, a document, a value story, attendance, a
/// digest.
async fn active_member() -> Group {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom").with_email("tom@example.org");
    let c = w
        .community(&helen, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&helen, &c, &tom).await;
    let k = &w.copkit;
    let version = k.my_profile(&tom).await.unwrap().version;
    k.update_my_profile(
        &tom,
        ProfileChanges {
            display_name: Some("Tom Trainee".into()),
            handle: Some("tomt".into()),
            professional_role: Some("GP trainee".into()),
            organisation: Some("Elm Street Surgery".into()),
        },
        version,
    )
    .await
    .unwrap();
    let cases = k
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    k.set_digest_preference(
        &tom,
        DigestPreference {
            frequency: DigestFrequency::Daily,
            ..DigestPreference::default()
        },
    )
    .await
    .unwrap();
    w.clock.advance(jiff::SignedDuration::from_mins(1));
    let q = k
        .start_thread(
            &tom,
            &cases,
            NewThread {
                kind: ThreadKind::Question,
                title: "Febrile infant pathway?".into(),
                body: "Tom asks.".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    k.add_post(
        &tom,
        &q.id,
        NewPost {
            body: "Tom's own follow-up".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    k.start_thread(
        &helen,
        &cases,
        NewThread {
            kind: ThreadKind::Discussion,
            title: "Helen's news".into(),
            body: String::new(),
            tags: vec![],
        },
    )
    .await
    .unwrap();
    k.upload_document(
        &tom,
        &cases,
        NewDocument {
            title: "Tom's audit".into(),
            description: String::new(),
            tags: vec![],
            content_type: "text/plain".into(),
            sha256: None,
            bytes: b"audit".to_vec(),
        },
    )
    .await
    .unwrap();
    k.tell_value_story(
        &tom,
        &c,
        NewValueStory {
            kind: ValueKind::Applied,
            title: "Safer prescribing".into(),
            story: "Tom changed his practice.".into(),
            thread: None,
        },
    )
    .await
    .unwrap();
    let event = k
        .schedule_event(
            &helen,
            &cases,
            EventInput {
                title: "Teaching".into(),
                description: String::new(),
                location: None,
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: date(2026, 3, 3),
                start_time: "08:00".into(),
                duration_minutes: 60,
                recurrence: None,
                capacity: None,
            },
        )
        .await
        .unwrap();
    w.advance_days(1);
    k.record_attendance(&helen, &event.id, "2026-03-03T08:00:00", &tom.user, true)
        .await
        .unwrap();
    let run = k
        .send_due_digests(&Outbox::new(k.store().clone()), 100)
        .await
        .unwrap();
    assert_eq!(run.sent, 1, "Tom's digest tells of Helen's news");
    Group {
        w,
        c,
        cases,
        helen,
        tom,
    }
}

#[tokio::test]
async fn an_export_holds_everything_and_after_erasure_nothing() {
    let g = active_member().await;
    let k = &g.w.copkit;
    let export = k.export_my_data(&g.tom).await.unwrap();
    assert_eq!(export.profile.as_ref().unwrap().display_name, "Tom Trainee");
    assert_eq!(export.memberships.len(), 1);
    assert_eq!(export.participation.len(), 1);
    assert_eq!(export.threads.len(), 1);
    assert_eq!(export.posts.len(), 1);
    assert_eq!(export.posts[0].body, "Tom's own follow-up");
    assert_eq!(export.documents.len(), 1);
    assert_eq!(export.value_stories.len(), 1);
    assert_eq!(export.attendance.len(), 1);
    assert_eq!(
        export.activity.len(),
        5,
        "joined, asked, replied, uploaded, told"
    );
    assert!(export.digest_schedule.is_some());
    assert_eq!(export.outbox.len(), 1);
    assert!(!export.truncated);

    let report = k.erase_my_account(&g.tom).await.unwrap();
    assert_eq!(report.communities_left, 1);
    assert_eq!(report.content_anonymised, 4, "{report:?}");
    // his own six (and left), and the attendance helen recorded for him
    assert_eq!(report.activities_anonymised, 7, "{report:?}");
    // participation, attendance, mail, schedule, profile, the membership
    // record he left, and his document version's uploader
    assert_eq!(report.records_deleted, 7, "{report:?}");

    let after = k.export_my_data(&g.tom).await.unwrap();
    assert!(after.is_empty(), "{after:?}");
    let text = serde_json::to_string(&after).unwrap();
    for personal in [
        "Tom Trainee",
        "tomt",
        "Elm Street",
        "tom@example.org",
        "Febrile",
        "audit",
    ] {
        assert!(!text.contains(personal), "{personal} left in {text}");
    }
    // Erasing again finds nothing more to do.
    assert_eq!(
        k.erase_my_account(&g.tom).await.unwrap(),
        Default::default()
    );
}

#[tokio::test]
async fn contributions_stay_with_the_community_by_a_former_member() {
    let g = active_member().await;
    let k = &g.w.copkit;
    k.erase_my_account(&g.tom).await.unwrap();
    let threads = k
        .list_threads(&g.helen, &g.cases, &PageRequest::first())
        .await
        .unwrap()
        .items;
    let question = threads
        .iter()
        .find(|t| t.title == "Febrile infant pathway?")
        .unwrap();
    assert_eq!(question.author, UserId::former_member());
    let posts = k
        .list_posts(&g.helen, &question.id, &PageRequest::first())
        .await
        .unwrap()
        .items;
    assert!(posts.iter().all(|p| p.author != g.tom.user));
    let stories = k
        .list_value_stories(&g.helen, &g.c, &PageRequest::first())
        .await
        .unwrap()
        .items;
    assert_eq!(stories[0].author, UserId::former_member());
    // Tom is off the roster; his handle is free for someone else.
    let roster = k
        .list_members(&g.helen, &g.c, &PageRequest::first())
        .await
        .unwrap()
        .items;
    assert!(roster.iter().all(|m| m.user != g.tom.user));
    let sam = actor("sam");
    k.update_my_profile(
        &sam,
        ProfileChanges {
            display_name: None,
            handle: Some("tomt".into()),
            professional_role: None,
            organisation: None,
        },
        0,
    )
    .await
    .unwrap();
    // The activity record keeps what happened, not who.
    let activity = k
        .list_activity(&g.helen, &g.c, &PageRequest::of(100))
        .await
        .unwrap()
        .items;
    assert!(activity.iter().all(|a| a.actor != g.tom.user));
    assert!(activity.iter().any(|a| a.actor == UserId::former_member()));
    // No sign-in can ever be the former member.
    assert!(UserId::new("former member").is_err());
}

#[tokio::test]
async fn a_last_owner_must_hand_over_first() {
    let g = active_member().await;
    let k = &g.w.copkit;
    assert_eq!(
        k.erase_my_account(&g.helen).await.unwrap_err(),
        Error::Conflict(Conflict::HandOverFirst { community: g.c })
    );
    // Nothing happened: Helen still owns and reads her group.
    assert!(k.export_my_data(&g.helen).await.unwrap().profile.is_some());
    assert_eq!(
        k.list_members(&g.helen, &g.c, &PageRequest::first())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    k.transfer_ownership(&g.helen, &g.c, &g.tom.user)
        .await
        .unwrap();
    let report = k.erase_my_account(&g.helen).await.unwrap();
    assert_eq!(report.communities_left, 1);
    assert!(k.export_my_data(&g.helen).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_export_holds_requests_rsvps_ballots_reports_invitations_and_grants() {
    use copkit_core::model::{ContentRef, ReportReason, Role, RsvpResponse};
    use copkit_core::service::{NewInvitation, NewPoll, NewReport};
    let g = active_member().await;
    let k = &g.w.copkit;
    let helen = &g.helen;
    let tom = &g.tom;
    let elsewhere =
        g.w.community(
            helen,
            "elsewhere",
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    k.request_to_join(tom, &elsewhere, Some("Elm Street Surgery"))
        .await
        .unwrap();
    let third =
        g.w.community(helen, "third", Visibility::Private, JoinPolicy::InviteOnly)
            .await;
    k.create_invitation(helen, &third, NewInvitation::email("tom@example.org"))
        .await
        .unwrap();
    let room = k
        .create_space(helen, &g.c, new_space("Room", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    k.grant_space(helen, &room, &tom.user).await.unwrap();
    let news = k
        .list_threads(helen, &g.cases, &PageRequest::first())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.title == "Helen's news")
        .unwrap();
    let helens = k
        .add_post(
            helen,
            &news.id,
            NewPost {
                body: "Rota.".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    k.report_content(
        tom,
        &g.c,
        NewReport {
            target: ContentRef::Post { post: helens.id },
            reason: ReportReason::Other,
            note: "Check".into(),
        },
    )
    .await
    .unwrap();
    let poll = k
        .create_poll(
            helen,
            &g.cases,
            NewPoll {
                question: "Next?".into(),
                options: vec!["A".into(), "B".into()],
                multiple_choice: false,
                closes_in_hours: 24,
                results: copkit_core::model::ResultsVisibility::AfterVote,
            },
        )
        .await
        .unwrap();
    k.vote(tom, &poll.poll.id, &[0]).await.unwrap();
    let event = k
        .schedule_event(
            helen,
            &g.cases,
            EventInput {
                title: "Later".into(),
                description: String::new(),
                location: None,
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: date(2026, 4, 1),
                start_time: "08:00".into(),
                duration_minutes: 60,
                recurrence: None,
                capacity: None,
            },
        )
        .await
        .unwrap();
    k.rsvp(tom, &event.id, "2026-04-01T08:00:00", RsvpResponse::Maybe)
        .await
        .unwrap();
    k.change_role(helen, &g.c, &tom.user, Role::Moderator)
        .await
        .unwrap();
    k.create_invitation(tom, &g.c, NewInvitation::link(3))
        .await
        .unwrap();

    let export = k.export_my_data(tom).await.unwrap();
    assert_eq!(export.join_requests.len(), 1);
    assert_eq!(
        export.join_requests[0].answer.as_deref(),
        Some("Elm Street Surgery")
    );
    assert_eq!(export.rsvps.len(), 1);
    assert_eq!(export.rsvps[0].response, RsvpResponse::Maybe);
    assert_eq!(export.ballots.len(), 1);
    assert_eq!(export.reports.len(), 1);
    assert_eq!(export.invitations_received.len(), 1);
    assert_eq!(export.invitations_sent.len(), 1);
    assert_eq!(export.grants.len(), 1);
    // And after erasure, none of it.
    k.change_role(helen, &g.c, &tom.user, Role::Member)
        .await
        .unwrap();
    k.erase_my_account(tom).await.unwrap();
    let after = k.export_my_data(tom).await.unwrap();
    assert!(after.is_empty(), "{after:?}");
}

/// A member with 10,000 posts: their export is larger than a Lambda
/// response (6 MB) and still delivered whole — inline here, where the blob
/// store cannot sign a download (a local server has no response limit).
#[tokio::test]
async fn a_very_large_export_is_still_delivered_whole() {
    use copkit_core::service::{EXPORT_INLINE_MAX, ExportDelivery};
    let g = active_member().await;
    let k = &g.w.copkit;
    let thread = k
        .start_thread(
            &g.tom,
            &g.cases,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Reflections".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let body = "A reflection on today's surgery. ".repeat(20);
    for _ in 0..10_000 {
        // One post every 3 seconds: within the posting limit.
        g.w.clock.advance(jiff::SignedDuration::from_secs(3));
        k.add_post(
            &g.tom,
            &thread.id,
            NewPost {
                body: body.clone(),
                parent: None,
            },
        )
        .await
        .unwrap();
    }
    let ExportDelivery::Inline(bytes) = k.deliver_export(&g.tom).await.unwrap() else {
        panic!("the memory blob store signs nothing: the export comes inline");
    };
    assert!(bytes.len() > 6 * 1024 * 1024, "{} bytes", bytes.len());
    assert!(bytes.len() > EXPORT_INLINE_MAX);
    let export: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(export["posts"].as_array().unwrap().len(), 10_001);
    assert_eq!(export["truncated"], false);
}

#[tokio::test]
async fn a_community_that_does_not_keep_departed_uploads_loses_them_and_their_bytes() {
    let g = active_member().await;
    let k = &g.w.copkit;
    let card = k.get_community(&g.helen, &g.c).await.unwrap().card;
    assert_eq!(card.departed_uploads, DepartedUploads::Keep, "the default");
    k.update_community(
        &g.helen,
        &g.c,
        CommunityChanges {
            departed_uploads: Some(DepartedUploads::Remove),
            ..CommunityChanges::default()
        },
        card.version,
    )
    .await
    .unwrap();
    let library = |who: Actor| async move {
        k.list_documents(&who, &g.cases, &PageRequest::first())
            .await
            .unwrap()
            .items
    };
    let audit = library(g.helen.clone()).await;
    assert_eq!(audit.len(), 1);
    let versions = k
        .list_document_versions(&g.helen, &audit[0].id, &PageRequest::first())
        .await
        .unwrap()
        .items;
    let key = versions[0].blob_key.clone();

    let report = k.erase_my_account(&g.tom).await.unwrap();
    assert_eq!(report.documents_removed, 1);
    assert!(
        library(g.helen.clone()).await.is_empty(),
        "removed with Tom"
    );
    // The bytes stay through the grace window, then go.
    g.w.advance_days(29);
    k.purge_removed_documents(100).await.unwrap();
    assert!(k.blobs().get(&key).await.unwrap().is_some());
    g.w.advance_days(2);
    let run = k.purge_removed_documents(100).await.unwrap();
    assert_eq!((run.documents, run.blobs_purged), (1, 1));
    assert!(k.blobs().get(&key).await.unwrap().is_none(), "purged");
}

#[tokio::test]
async fn by_default_a_community_keeps_departed_uploads() {
    let g = active_member().await;
    let k = &g.w.copkit;
    let report = k.erase_my_account(&g.tom).await.unwrap();
    assert_eq!(report.documents_removed, 0);
    let library = k
        .list_documents(&g.helen, &g.cases, &PageRequest::first())
        .await
        .unwrap()
        .items;
    assert_eq!(library.len(), 1);
    assert_eq!(library[0].created_by, UserId::former_member());
}
