//! Every operation of the API through the client, against copkit-local on
//! SQLite: one story of a community's life, its error paths (404 for what
//! the caller may not see, 403, 409, a stale edit, 422 field errors, 401),
//! and at the end a check that every operation in the client's table was
//! called.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use copkit_client::operations::OPERATIONS;
use copkit_client::{Client, ClientError, Progress};
use copkit_core::model::{
    NotificationChannel, NotificationChoices, NotificationKind, NotificationTopic, PageRequest,
    ReactionKind, ReportStatus, Role, SearchKind,
};
use copkit_core::service::unsubscribe::MailStream;
use copkit_core::service::{NewDocument, NewVersion, SearchQuery};
use copkit_core::{CommunityId, SpaceId, UserId};
use futures::TryStreamExt;
use serde_json::json;

use common::{Seen, client, input, start_on};

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn first() -> PageRequest {
    PageRequest::default()
}

fn date(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_works_through_the_client() {
    // Links in mail name this (unreachable) host: only their tokens are used.
    let local = start_on(
        "sqlite",
        &[("COPKIT_PUBLIC_URL", "http://links.copkit.test")],
    );
    let seen = Seen::default();
    let owner = client(&local.base, "olivia", &seen);
    let member = client(&local.base, "mo", &seen);
    let outsider = client(&local.base, "oscar", &seen);

    assert_eq!(owner.health().await.unwrap().status, "ok");
    let doc = owner.openapi_document().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");

    profiles(&owner).await;
    let (c, open) = communities(&owner, &outsider).await;
    let (space, restricted) = spaces(&owner, &member, &outsider, &c).await;
    membership(&owner, &member, &local.base, &seen, &c, &open, &restricted).await;
    discussions(&owner, &member, &space).await;
    documents(&member, &space).await;
    events(&owner, &member, &c, &space).await;
    polls(&owner, &member, &space).await;
    search(&owner, &member, &outsider, &c, &space).await;
    moderation(&owner, &member, &c, &space).await;
    value_and_levels(&owner, &member, &c).await;
    notifications(&owner, &member, &outsider).await;
    digests_and_rights(&member, &local.base, &seen).await;

    let called = seen.operations();
    let missing: Vec<_> = OPERATIONS
        .iter()
        .filter(|op| !called.contains(&(op.method, op.path)))
        .map(|op| format!("{} {} ({})", op.method, op.path, op.client_method))
        .collect();
    assert!(missing.is_empty(), "never called: {missing:#?}");
}

async fn profiles(owner: &Client) {
    let me = owner.my_profile().await.unwrap();
    let changed = owner
        .update_my_profile(input(json!({"handle": "olivia_gp"})), me.version)
        .await
        .unwrap();
    assert_eq!(changed.handle.as_ref().unwrap().as_str(), "olivia_gp");
    // A stale edit is a typed conflict, never a silent overwrite.
    let stale = owner
        .update_my_profile(input(json!({"handle": "olivia_two"})), me.version)
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some("version_conflict"));
    assert!(matches!(stale, ClientError::Conflict { .. }));
    // 422 with the field named.
    match owner
        .update_my_profile(input(json!({"display_name": " padded"})), changed.version)
        .await
        .unwrap_err()
    {
        ClientError::Invalid { fields, .. } => assert_eq!(fields[0].field, "display_name"),
        other => panic!("{other:?}"),
    }
    let public = owner.profile(&user("olivia")).await.unwrap();
    assert_eq!(public.user, user("olivia"));
}

async fn communities(owner: &Client, outsider: &Client) -> (CommunityId, CommunityId) {
    let body = |slug: &str, access: serde_json::Value| {
        input(json!({
            "slug": slug, "name": format!("Group {slug}"), "purpose": "Learning",
            "kind": "training_group", "access": access, "join_question": "Which practice?"
        }))
    };
    let c = owner
        .create_community(body(
            "vts-north",
            json!({"visibility": "private", "join_policy": "approval"}),
        ))
        .await
        .unwrap();
    assert_eq!(c.my_role, Some(Role::Owner));
    let id = c.card.id;
    let taken = owner
        .create_community(body(
            "vts-north",
            json!({"visibility": "public", "join_policy": "open"}),
        ))
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("slug_taken"));
    match owner
        .create_community(input(
            json!({"slug": "ok-slug", "name": "ab", "purpose": "",
            "kind": "learning_set", "access": {"visibility": "secret"}}),
        ))
        .await
        .unwrap_err()
    {
        ClientError::Invalid { fields, .. } => assert_eq!(fields[0].field, "name"),
        other => panic!("{other:?}"),
    }
    let open = owner
        .create_community(body(
            "open-sig",
            json!({"visibility": "public", "join_policy": "open"}),
        ))
        .await
        .unwrap()
        .card
        .id;
    let secret = owner
        .create_community(body("trainers-only", json!({"visibility": "secret"})))
        .await
        .unwrap()
        .card
        .id;

    let got = owner.get_community(&id).await.unwrap();
    let by_slug = owner.get_community_by_slug("vts-north").await.unwrap();
    assert_eq!(got.card.id, by_slug.card.id);
    let renamed = owner
        .update_community(&id, input(json!({"name": "VTS North"})), got.card.version)
        .await
        .unwrap();
    assert_eq!(renamed.card.name, "VTS North");

    // What the outsider may not see is a plain 404, as if it did not exist.
    let hidden = outsider.get_community(&secret).await.unwrap_err();
    assert!(matches!(hidden, ClientError::NotFound { .. }), "{hidden:?}");
    let listed = outsider
        .directory(None, Some("group"), &first())
        .await
        .unwrap();
    assert!(listed.items.iter().all(|card| card.id != secret));
    let all: Vec<_> = outsider
        .all(|page| {
            let o = outsider.clone();
            async move { o.directory(None, None, &page).await }
        })
        .try_collect()
        .await
        .unwrap();
    assert!(all.iter().any(|card| card.id == open) && all.iter().all(|c| c.id != secret));
    let mine = owner.my_communities(&first()).await.unwrap();
    assert_eq!(mine.items.len(), 3);
    (id, open)
}

async fn spaces(
    owner: &Client,
    member: &Client,
    outsider: &Client,
    c: &CommunityId,
) -> (SpaceId, SpaceId) {
    let space = owner
        .create_space(
            c,
            input(json!({"name": "Case discussion", "visibility": {"type": "members"}})),
        )
        .await
        .unwrap();
    let restricted = owner
        .create_space(
            c,
            input(json!({"name": "Trainers' room",
            "visibility": {"type": "restricted", "users": [], "roles": ["moderator"]}})),
        )
        .await
        .unwrap();
    let spare = owner
        .create_space(
            c,
            input(json!({"name": "Old room", "visibility": {"type": "members"}})),
        )
        .await
        .unwrap();
    let got = owner.get_space(&space.id).await.unwrap();
    let updated = owner
        .update_space(
            &space.id,
            input(json!({"description": "Bring a case"})),
            got.version,
        )
        .await
        .unwrap();
    assert_eq!(updated.description, "Bring a case");
    let archived = owner
        .set_space_archived(&spare.id, true, spare.version)
        .await
        .unwrap();
    assert!(archived.archived_at.is_some());
    let restored = owner
        .set_space_archived(&spare.id, false, archived.version)
        .await
        .unwrap();
    assert!(restored.archived_at.is_none());
    assert_eq!(owner.list_spaces(c).await.unwrap().len(), 3);
    // Not a member yet: none of the community's spaces are theirs to see.
    assert!(member.list_spaces(c).await.unwrap().is_empty());
    assert!(matches!(
        outsider.get_space(&space.id).await.unwrap_err(),
        ClientError::NotFound { .. }
    ));
    (space.id, restricted.id)
}

#[allow(clippy::too_many_arguments)]
async fn membership(
    owner: &Client,
    member: &Client,
    base: &str,
    seen: &Seen,
    c: &CommunityId,
    open: &CommunityId,
    restricted: &SpaceId,
) {
    // Asking, approving.
    let asked = member.request_to_join(c, Some("Elm Street")).await.unwrap();
    assert_eq!(asked.user, user("mo"));
    assert_eq!(member.my_join_request(c).await.unwrap().user, user("mo"));
    let pending = owner.list_join_requests(c, &first()).await.unwrap();
    assert_eq!(pending.items.len(), 1);
    let joined = owner.approve_join_request(c, &user("mo")).await.unwrap();
    assert_eq!(joined.role, Role::Member);
    // A member may not do a moderator's work: 403 with the reason.
    let refused = member
        .create_space(
            c,
            input(json!({"name": "Mine", "visibility": {"type": "members"}})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Forbidden { .. }),
        "{refused:?}"
    );

    // Withdrawing, denying.
    let nina = client(base, "nina", seen);
    nina.request_to_join(c, Some("Oak Lane")).await.unwrap();
    nina.withdraw_join_request(c).await.unwrap();
    assert!(matches!(
        nina.my_join_request(c).await.unwrap_err(),
        ClientError::NotFound { .. }
    ));
    let dan = client(base, "dan", seen);
    dan.request_to_join(c, Some("Nowhere")).await.unwrap();
    let denied = owner
        .deny_join_request(c, &user("dan"), "Not a trainee here")
        .await
        .unwrap();
    assert_eq!(denied.user, user("dan"));

    // Open communities: join, leave, join, take over.
    nina.join(open).await.unwrap();
    nina.leave(open).await.unwrap();
    nina.join(open).await.unwrap();
    owner.transfer_ownership(open, &user("nina")).await.unwrap();
    assert_eq!(
        nina.get_member(open, &user("nina")).await.unwrap().role,
        Role::Owner
    );

    // Invitations.
    let created = owner
        .create_invitation(
            c,
            input(json!({"target": {"type": "link", "max_uses": 1},
            "access": {"role": "member"}})),
        )
        .await
        .unwrap();
    let ivy = client(base, "ivy", seen);
    let preview = ivy.preview_invitation(&created.token).await.unwrap();
    assert_eq!(preview.community.id, *c);
    ivy.accept_invitation(&created.token).await.unwrap();
    let spare = owner
        .create_invitation(
            c,
            input(json!({"target": {"type": "link"}, "access": {"role": "member"}})),
        )
        .await
        .unwrap();
    let ian = client(base, "ian", seen);
    ian.accept_invitation(&spare.token).await.unwrap();
    assert_eq!(
        owner
            .list_invitations(c, &first())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    owner
        .revoke_invitation(c, &spare.invitation.id)
        .await
        .unwrap();

    // Roster, roles, grants, bans, removal.
    let roster = owner.list_members(c, &first()).await.unwrap();
    assert_eq!(roster.items.len(), 4);
    let promoted = owner
        .change_role(c, &user("mo"), Role::Moderator)
        .await
        .unwrap();
    assert_eq!(promoted.role, Role::Moderator);
    owner
        .change_role(c, &user("mo"), Role::Member)
        .await
        .unwrap();
    owner.grant_space(restricted, &user("mo")).await.unwrap();
    assert_eq!(owner.list_space_grants(restricted).await.unwrap().len(), 1);
    owner
        .revoke_space_grant(restricted, &user("mo"))
        .await
        .unwrap();
    assert!(
        owner
            .list_space_grants(restricted)
            .await
            .unwrap()
            .is_empty()
    );
    let banned = owner
        .ban_member(c, &user("ivy"), Some(1), "Shared a patient's name")
        .await
        .unwrap();
    assert_eq!(banned.user, user("ivy"));
    assert_eq!(owner.list_banned(c, &first()).await.unwrap().items.len(), 1);
    owner.unban_member(c, &user("ivy")).await.unwrap();
    assert!(
        owner
            .list_banned(c, &first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    owner.remove_member(c, &user("ian")).await.unwrap();
    assert!(matches!(
        owner.get_member(c, &user("ian")).await.unwrap_err(),
        ClientError::NotFound { .. }
    ));
}

async fn discussions(owner: &Client, member: &Client, space: &SpaceId) {
    let question = member
        .start_thread(
            space,
            input(
                json!({"kind": "question", "title": "Antibiotics for sore throat?",
            "body": "When do you prescribe?", "tags": ["prescribing"]}),
            ),
        )
        .await
        .unwrap();
    let read = member.get_thread(&question.id).await.unwrap();
    let edited = member
        .edit_thread(
            &question.id,
            input(json!({"title": "Antibiotics for sore throats?"})),
            read.version,
        )
        .await
        .unwrap();
    assert_eq!(edited.title, "Antibiotics for sore throats?");
    let stale = member
        .edit_thread(
            &question.id,
            input(json!({"title": "Lost update"})),
            read.version,
        )
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some("version_conflict"));

    let reply = owner
        .add_post(
            &question.id,
            input(json!({"body": "FeverPAIN of 4 or more."})),
        )
        .await
        .unwrap();
    let posts = member.list_posts(&question.id, &first()).await.unwrap();
    assert!(posts.items.iter().any(|p| p.id == reply.id));
    let got = owner.get_post(&reply.id).await.unwrap();
    let edited = owner
        .edit_post(&reply.id, "FeverPAIN 4+, or Centor 3+.", got.version)
        .await
        .unwrap();
    assert_eq!(edited.body, "FeverPAIN 4+, or Centor 3+.");
    member.react(&reply.id, ReactionKind::Thanks).await.unwrap();
    assert_eq!(
        member.my_reactions(&reply.id).await.unwrap(),
        vec![ReactionKind::Thanks]
    );
    member
        .unreact(&reply.id, ReactionKind::Thanks)
        .await
        .unwrap();
    assert!(member.my_reactions(&reply.id).await.unwrap().is_empty());
    let answered = member
        .accept_answer(&question.id, Some(reply.id))
        .await
        .unwrap();
    assert_eq!(answered.accepted_answer, Some(reply.id));
    let cleared = member.accept_answer(&question.id, None).await.unwrap();
    assert_eq!(cleared.accepted_answer, None);
    assert!(
        owner
            .set_thread_pinned(&question.id, true)
            .await
            .unwrap()
            .pinned
    );
    assert_eq!(member.pinned_threads(space).await.unwrap().len(), 1);
    assert!(
        !owner
            .set_thread_pinned(&question.id, false)
            .await
            .unwrap()
            .pinned
    );
    assert!(
        owner
            .set_thread_locked(&question.id, true)
            .await
            .unwrap()
            .locked
    );
    assert!(
        !owner
            .set_thread_locked(&question.id, false)
            .await
            .unwrap()
            .locked
    );

    let extra = owner
        .add_post(&question.id, input(json!({"body": "Posted in error"})))
        .await
        .unwrap();
    owner.delete_post(&extra.id).await.unwrap();
    let scratch = member
        .start_thread(
            space,
            input(json!({"kind": "discussion", "title": "Scratch", "body": "x", "tags": []})),
        )
        .await
        .unwrap();
    member.delete_thread(&scratch.id).await.unwrap();
    let deleted = member.get_thread(&scratch.id).await.unwrap_err();
    assert!(
        matches!(deleted, ClientError::NotFound { .. }),
        "{deleted:?}"
    );
    let threads = member.list_threads(space, &first()).await.unwrap();
    assert!(threads.items.iter().any(|t| t.id == question.id));
}

async fn documents(member: &Client, space: &SpaceId) {
    let text = b"# Sore throat\n\nFeverPAIN first.\n".to_vec();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let progress: Progress = {
        let reports = reports.clone();
        Arc::new(move |done, total| reports.lock().unwrap().push((done, total)))
    };
    let uploaded = member
        .upload_new_document(
            space,
            NewDocument {
                title: "Sore throat guide".into(),
                description: "One page".into(),
                tags: vec!["ent".into()],
                content_type: "text/markdown".into(),
                sha256: None,
                bytes: text.clone(),
            },
            Some(progress.clone()),
        )
        .await
        .unwrap();
    let last = *reports.lock().unwrap().last().unwrap();
    assert_eq!(last, (text.len() as u64, text.len() as u64));

    reports.lock().unwrap().clear();
    let download = member
        .download_document(&uploaded.id, None, Some(progress))
        .await
        .unwrap();
    assert_eq!(download.bytes, text);
    assert_eq!(download.version.number, 1);
    assert!(download.filename.ends_with(".md"), "{}", download.filename);
    assert_eq!(
        reports.lock().unwrap().last().copied(),
        Some((text.len() as u64, text.len() as u64))
    );

    let direct = member
        .upload_document(
            space,
            NewDocument {
                title: "Direct upload".into(),
                description: String::new(),
                tags: vec!["a".into(), "b".into()],
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"plain".to_vec(),
            },
        )
        .await
        .unwrap();
    assert_eq!(direct.tags, ["a", "b"]);
    let v2 = member
        .add_document_version(
            &direct.id,
            NewVersion {
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"plain, second".to_vec(),
                note: "Typo".into(),
            },
            direct.version,
        )
        .await
        .unwrap();
    let v3 = member
        .upload_new_version(
            &direct.id,
            NewVersion {
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"plain, third".to_vec(),
                note: "Again".into(),
            },
            v2.version,
            None,
        )
        .await
        .unwrap();
    let versions = member
        .list_document_versions(&direct.id, &first())
        .await
        .unwrap();
    assert_eq!(versions.items.len(), 3);
    let second = member
        .download_document(&direct.id, Some(2), None)
        .await
        .unwrap();
    assert_eq!(second.bytes, b"plain, second");
    let got = member.get_document(&direct.id).await.unwrap();
    assert_eq!(got.version, v3.version);
    let described = member
        .update_document(
            &direct.id,
            input(json!({"description": "Three versions"})),
            got.version,
        )
        .await
        .unwrap();
    assert_eq!(described.description, "Three versions");
    let library = member.list_documents(space, &first()).await.unwrap();
    assert_eq!(library.items.len(), 2);
    member.delete_document(&direct.id).await.unwrap();
    assert!(matches!(
        member.get_document(&direct.id).await.unwrap_err(),
        ClientError::NotFound { .. }
    ));
}

async fn events(owner: &Client, member: &Client, c: &CommunityId, space: &SpaceId) {
    let weekly = |title: &str, start: &str| {
        input(json!({
            "title": title, "time_zone": "Europe/London", "start_date": start, "start_time": "18:30",
            "duration_minutes": 90, "capacity": 10, "location": "Seminar room 2",
            "recurrence": {"frequency": {"type": "weekly", "weekdays": ["tuesday"]}, "interval": 1,
                "end": {"type": "count", "count": 4}}
        }))
    };
    // Far in the future (answers) and long past (attendance): the story
    // holds whatever the date and time of the run.
    let future = owner
        .schedule_event(space, weekly("Tutorial", "2030-03-05"))
        .await
        .unwrap();
    let past = owner
        .schedule_event(space, weekly("Old tutorial", "2025-01-07"))
        .await
        .unwrap();
    let got = owner.get_event(&future.id).await.unwrap();
    let moved = owner
        .update_event(
            &future.id,
            weekly("Tutorial (moved)", "2030-03-05"),
            got.version,
        )
        .await
        .unwrap();
    assert_eq!(moved.title, "Tutorial (moved)");
    assert_eq!(owner.list_events(c, &first()).await.unwrap().items.len(), 2);
    let agenda = member
        .agenda(c, Some(date("2030-03-01")), Some(30))
        .await
        .unwrap();
    assert_eq!(agenda.len(), 4);
    let feed = member
        .calendar_feed(c, Some(date("2030-03-01")), Some(30))
        .await
        .unwrap();
    assert!(feed.starts_with("BEGIN:VCALENDAR") && feed.contains("Tutorial (moved)"));
    let link = member.renew_calendar_feed().await.unwrap();
    assert!(link.url.ends_with(&format!("/calendar/{}.ics", link.token)));
    let personal = member.calendar_feed_by_token(&link.token).await.unwrap();
    // (Its window follows the server's clock, so what is in it is not
    // asserted here; the router tests do that on a fixed clock.)
    assert!(personal.starts_with("BEGIN:VCALENDAR") && personal.ends_with("END:VCALENDAR\r\n"));
    member.stop_calendar_feed().await.unwrap();
    assert!(matches!(
        member.calendar_feed_by_token(&link.token).await,
        Err(ClientError::NotFound { .. })
    ));
    let occurrences = member
        .event_occurrences(&future.id, Some(date("2030-03-01")), Some(30))
        .await
        .unwrap();
    let first_key = occurrences[0].key.clone();
    assert_eq!(first_key, "2030-03-05T18:30:00");
    let cancelled = owner
        .set_occurrence_cancelled(&future.id, "2030-03-12T18:30:00", true, moved.version)
        .await
        .unwrap();
    owner
        .set_occurrence_cancelled(&future.id, "2030-03-12T18:30:00", false, cancelled.version)
        .await
        .unwrap();
    member
        .rsvp(&future.id, &first_key, input(json!("going")))
        .await
        .unwrap();
    let answers = owner
        .list_rsvps(&future.id, &first_key, &first())
        .await
        .unwrap();
    assert_eq!(answers.items.len(), 1);
    let tally = owner.rsvp_tally(&future.id, &first_key).await.unwrap();
    assert_eq!(tally.going, 1);
    let attended = owner
        .record_attendance(&past.id, "2025-01-07T18:30:00", &user("mo"), true)
        .await
        .unwrap();
    assert!(attended.attended);
    assert_eq!(
        owner
            .list_attendance(&past.id, "2025-01-07T18:30:00")
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn polls(owner: &Client, member: &Client, space: &SpaceId) {
    let poll = owner
        .create_poll(
            space,
            input(
                json!({"question": "Next topic?", "options": ["Dermatology", "Safeguarding"],
            "closes_in_hours": 48, "results": "after_vote"}),
            ),
        )
        .await
        .unwrap();
    let id = poll.poll.id;
    assert!(!member.get_poll(&id).await.unwrap().results_visible);
    let voted = member.vote(&id, &[1]).await.unwrap();
    assert!(voted.my_ballot.is_some());
    assert_eq!(
        member
            .list_polls(space, &first())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(owner.close_poll(&id).await.unwrap().closed);
}

async fn search(
    owner: &Client,
    member: &Client,
    outsider: &Client,
    c: &CommunityId,
    space: &SpaceId,
) {
    owner
        .start_thread(space, input(json!({"kind": "discussion", "title": "Kakapo protocol", "body": "How we run the kakapo protocol.", "tags": ["audit"]})))
        .await
        .unwrap();
    let query = SearchQuery {
        q: "kakapo".into(),
        kinds: vec![SearchKind::Thread, SearchKind::Document],
        tag: Some("audit".into()),
        ..Default::default()
    };
    let found = member.search(c, &query, &first()).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].title, "Kakapo protocol");
    assert!(found.items[0].snippet.iter().any(|p| p.highlighted));
    let mine = member.search_mine(&query, &first()).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    assert!(
        outsider
            .search_mine(&query, &first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let blank = SearchQuery {
        q: " ".into(),
        ..Default::default()
    };
    match member.search(c, &blank, &first()).await {
        Err(ClientError::Invalid { fields, .. }) => assert_eq!(fields[0].field, "q"),
        other => panic!("{other:?}"),
    }
}

async fn moderation(owner: &Client, member: &Client, c: &CommunityId, space: &SpaceId) {
    let thread = owner
        .start_thread(space, input(json!({"kind": "discussion", "title": "Case review", "body": "Thoughts?", "tags": []})))
        .await
        .unwrap();
    let post = owner
        .add_post(
            &thread.id,
            input(json!({"body": "Mr A. Patient, 12 Elm Street"})),
        )
        .await
        .unwrap();
    let target = json!({"type": "post", "post": post.id});
    let report = member
        .report_content(
            c,
            input(json!({"target": target, "reason": "patient_identifiable", "note": "Address"})),
        )
        .await
        .unwrap();
    let queue = owner
        .list_reports(c, ReportStatus::Open, &first())
        .await
        .unwrap();
    assert_eq!(queue.items.len(), 1);
    let decided = owner
        .moderate(
            c,
            input(json!({"target": target, "decision": "hide",
            "reason": "Identifiable", "report": report.id})),
        )
        .await
        .unwrap();
    assert_eq!(decided.report, Some(report.id));
    let log = owner.moderation_log(c, &first()).await.unwrap();
    assert_eq!(log.items[0].id, decided.id, "newest first");
    // Members may not read the queue.
    assert!(matches!(
        member
            .list_reports(c, ReportStatus::Open, &first())
            .await
            .unwrap_err(),
        ClientError::Forbidden { .. }
    ));
}

async fn value_and_levels(owner: &Client, member: &Client, c: &CommunityId) {
    let story = member
        .tell_value_story(
            c,
            input(json!({"kind": "applied", "title": "Lithium recall",
            "story": "We now recall patients on lithium monthly."})),
        )
        .await
        .unwrap();
    let stories = owner.list_value_stories(c, &first()).await.unwrap();
    assert_eq!(stories.items[0].id, story.id);
    let health = owner
        .community_health(c, date("2025-01-01"), date("2025-01-31"))
        .await
        .unwrap();
    assert_eq!(health.community, *c);
    let standing = member.my_level(c).await.unwrap();
    let at_level = owner
        .list_members_at_level(c, standing.level, &first())
        .await
        .unwrap();
    assert!(at_level.items.iter().any(|m| m.user == user("mo")));
    assert!(at_level.items.iter().all(|m| m.level == standing.level));
    let activity = owner.list_activity(c, &first()).await.unwrap();
    assert!(!activity.items.is_empty());
}

/// The owner's reply to the member's question (in `discussions`) reaches
/// the member's inbox once copkit-local's producer has run (every few
/// seconds); replies by email put a mail with a one-click unsubscribe link
/// in the outbox, whose token alone (any client) stops them.
async fn notifications(owner: &Client, member: &Client, outsider: &Client) {
    let replied = |inbox: &copkit_core::model::Inbox| {
        inbox
            .items
            .iter()
            .find(|n| matches!(n.kind, NotificationKind::Replied { .. }))
            .cloned()
    };
    let mut inbox = member.notifications(None, &first()).await.unwrap();
    for _ in 0..100 {
        if replied(&inbox).is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        inbox = member.notifications(None, &first()).await.unwrap();
    }
    let replied = replied(&inbox).expect("the reply's notification within 10 s");
    assert_eq!(replied.title, "Antibiotics for sore throats?");
    assert!(inbox.unread >= 1);
    let newer = member
        .notifications(Some(inbox.items[0].at), &first())
        .await
        .unwrap();
    assert!(newer.items.is_empty());
    let read = member.mark_notification_read(&replied.id).await.unwrap();
    assert!(read.read_at.is_some());
    member.mark_all_notifications_read().await.unwrap();
    assert_eq!(
        member.notifications(None, &first()).await.unwrap().unread,
        0
    );

    // Replies by email from now on.
    let preferences = member.notification_preferences().await.unwrap();
    let choices: NotificationChoices =
        serde_json::from_value(json!({"topics": [{"topic": "reply", "channel": "email"}]}))
            .unwrap();
    let chosen = member
        .set_notification_preferences(choices.clone(), preferences.version)
        .await
        .unwrap();
    assert_eq!(chosen.version, preferences.version + 1);
    assert_eq!(chosen.email.as_deref(), Some("mo@example.org"));
    let stale = member
        .set_notification_preferences(choices, preferences.version)
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some("version_conflict"));
    let NotificationKind::Replied { thread, .. } = replied.kind else {
        unreachable!("found as a reply")
    };
    owner
        .add_post(&thread, input(json!({"body": "And review in 48 hours."})))
        .await
        .unwrap();
    let mut mail = None;
    for _ in 0..100 {
        let outbox = member.list_outbox(&first()).await.unwrap();
        mail = outbox.items.into_iter().find(|m| m.notification.is_some());
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mail = mail.expect("the reply's mail within 10 s");
    assert_eq!(mail.email.as_deref(), Some("mo@example.org"));
    let link = mail.unsubscribe_url.expect("an unsubscribe link");
    let token = link
        .strip_prefix("http://links.copkit.test/unsubscribe/")
        .expect("the link names the public URL");
    assert!(mail.text.contains(&link));
    assert!(
        outsider
            .unsubscribe_page(token)
            .await
            .unwrap()
            .contains("<form method=\"post\"")
    );
    let stopped = outsider.unsubscribe(token).await.unwrap();
    assert_eq!(
        stopped.stopped,
        MailStream::Topic {
            topic: NotificationTopic::Reply
        }
    );
    let now = member.notification_preferences().await.unwrap();
    assert!(now.effective.iter().any(|t| t.topic == NotificationTopic::Reply
        && t.channel == NotificationChannel::InApp));
    assert!(matches!(
        outsider.unsubscribe("not-a-token").await,
        Err(ClientError::NotFound { .. })
    ));
}

async fn digests_and_rights(member: &Client, base: &str, seen: &Seen) {
    let none = member.digest_preference().await.unwrap();
    assert_eq!(none.version, 0);
    let daily = member
        .set_digest_preference(input(
            json!({"frequency": "daily", "hour": 7, "time_zone": "Europe/London"}),
        ))
        .await
        .unwrap();
    assert_eq!(daily.version, 1);
    let preview = member.preview_digest().await.unwrap();
    assert_eq!(preview.to, user("mo"));
    // No digest was sent (the outbox holds only the reply's mail).
    assert!(
        member
            .list_outbox(&first())
            .await
            .unwrap()
            .items
            .iter()
            .all(|m| m.notification.is_some())
    );
    let evidence = member
        .cpd_evidence(date("2025-01-01"), date("2025-12-31"))
        .await
        .unwrap();
    assert_eq!(evidence.user, user("mo"));
    let csv = member
        .cpd_evidence_csv(date("2025-01-01"), date("2025-12-31"))
        .await
        .unwrap();
    assert!(csv.lines().next().unwrap().contains(','));
    let export = member.export_my_data().await.unwrap();
    assert_eq!(export.profile.unwrap().user, user("mo"));

    let dan = client(base, "dan", seen);
    let erased = dan.erase_my_account().await.unwrap();
    assert_eq!(erased.communities_left, 0);
    // Whoever the token does not identify gets 401 (after one fresh token).
    let nobody = Client::new(
        base,
        Arc::new(copkit_client::StaticToken("not-a-jwt".into())),
    )
    .unwrap();
    assert!(matches!(
        nobody.my_profile().await.unwrap_err(),
        ClientError::Unauthorized { .. }
    ));
}
