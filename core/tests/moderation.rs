//! Moderation through the use cases: reports from those who can read the
//! content, the moderators' queue, hide / unhide / remove with a reason
//! (hidden content withheld from everyone but moderators and its author),
//! and the append-only moderation log that also records bans.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{
    ContentRef, JoinPolicy, ModerationAction, ModerationSubject, PageRequest, ReportReason,
    ReportStatus, Role, SpaceVisibility, ThreadKind, Visibility,
};
use copkit_core::service::{
    ContentDecision, Moderation, NewDocument, NewPost, NewReport, NewThread,
};
use copkit_core::{
    Actor, CommunityId, Conflict, DocumentId, Error, Forbidden, PostId, SpaceId, ThreadId,
};

struct Group {
    w: World,
    c: CommunityId,
    cases: SpaceId,
    owner: Actor,
    moderator: Actor,
    tom: Actor,
    mia: Actor,
    thread: ThreadId,
    post: PostId,
    document: DocumentId,
}

/// Helen owns the group, Rosa moderates; Mia started a thread in Cases,
/// Tom wrote a post in it and uploaded a document there.
async fn group() -> Group {
    let w = World::new();
    let owner = actor("helen");
    let moderator = actor("rosa");
    let tom = actor("tom");
    let mia = actor("mia");
    let c = w
        .community(&owner, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    for who in [&moderator, &tom, &mia] {
        w.add_member(&owner, &c, who).await;
    }
    w.copkit
        .change_role(&owner, &c, &moderator.user, Role::Moderator)
        .await
        .unwrap();
    let cases = w
        .copkit
        .create_space(&owner, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let thread = w
        .copkit
        .start_thread(
            &mia,
            &cases,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Difficult consultations".into(),
                body: "Mr K. Jones at the Elm Street surgery shouted at me.".into(),
                tags: vec!["consultations".into()],
            },
        )
        .await
        .unwrap();
    let post = w
        .copkit
        .add_post(
            &tom,
            &thread.id,
            NewPost {
                body: "Mrs J. Smith, DOB 1.2.1950, at the Elm Street surgery...".into(),
                parent: None,
            },
        )
        .await
        .unwrap()
        .id;
    let document = w
        .copkit
        .upload_document(
            &tom,
            &cases,
            NewDocument {
                title: "Referral letter".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"Dear colleague".to_vec(),
            },
        )
        .await
        .unwrap()
        .id;
    Group {
        w,
        c,
        cases,
        owner,
        moderator,
        tom,
        mia,
        thread: thread.id,
        post,
        document,
    }
}

fn report_of(target: ContentRef) -> NewReport {
    NewReport {
        target,
        reason: ReportReason::PatientIdentifiable,
        note: "Names a patient.".into(),
    }
}

fn decide(
    target: ContentRef,
    decision: ContentDecision,
    report: Option<copkit_core::ReportId>,
) -> Moderation {
    Moderation {
        target,
        decision,
        reason: "Patient-identifiable details.".into(),
        report,
    }
}

#[tokio::test]
async fn a_report_is_queued_and_hiding_withholds_the_text_from_others() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Post { post: g.post };
    let report = k
        .report_content(&g.mia, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    assert_eq!(report.status, ReportStatus::Open);
    let queue = k
        .list_reports(
            &g.moderator,
            &g.c,
            ReportStatus::Open,
            &PageRequest::first(),
        )
        .await
        .unwrap();
    assert_eq!(queue.items, vec![report.clone()]);

    let entry = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target.clone(), ContentDecision::Hide, Some(report.id)),
        )
        .await
        .unwrap();
    assert_eq!(entry.action, ModerationAction::Hidden);
    assert_eq!(
        entry.subject,
        ModerationSubject::Content {
            content: target.clone(),
            space: report.space,
            author: g.tom.user.clone()
        }
    );
    // The queue is empty; the report is resolved with the decision.
    let open = k
        .list_reports(&g.owner, &g.c, ReportStatus::Open, &PageRequest::first())
        .await
        .unwrap();
    assert!(open.items.is_empty());
    let resolved = k
        .list_reports(
            &g.owner,
            &g.c,
            ReportStatus::Resolved,
            &PageRequest::first(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(resolved.len(), 1);
    let resolution = resolved[0].resolution.clone().unwrap();
    assert_eq!(
        (resolution.action, resolution.by.clone()),
        (ModerationAction::Hidden, g.moderator.user.clone())
    );

    // Mia (a member) sees that something was hidden, not what.
    let seen = k.get_post(&g.mia, &g.post).await.unwrap();
    assert!(seen.hidden.is_some() && seen.body.is_empty());
    let thread = seen.thread;
    let listed = k
        .list_posts(&g.mia, &thread, &PageRequest::first())
        .await
        .unwrap();
    assert!(listed.items.iter().all(|p| !p.body.contains("Smith")));
    // Its author and the moderators still read it, with the reason.
    for who in [&g.tom, &g.moderator, &g.owner] {
        let p = k.get_post(who, &g.post).await.unwrap();
        assert!(p.body.contains("Smith"), "{who:?}");
        assert_eq!(
            p.hidden.unwrap().reason.as_deref(),
            Some("Patient-identifiable details.")
        );
    }
    // Deciding it again is refused; hiding twice too; unhiding restores.
    let again = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target.clone(), ContentDecision::Remove, Some(report.id)),
        )
        .await;
    assert_eq!(again.unwrap_err(), Error::Conflict(Conflict::WrongState));
    let twice = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target.clone(), ContentDecision::Hide, None),
        )
        .await;
    assert_eq!(twice.unwrap_err(), Error::Conflict(Conflict::WrongState));
    k.moderate(
        &g.owner,
        &g.c,
        decide(target, ContentDecision::Unhide, None),
    )
    .await
    .unwrap();
    assert!(
        k.get_post(&g.mia, &g.post)
            .await
            .unwrap()
            .body
            .contains("Smith")
    );
}

#[tokio::test]
async fn a_hidden_document_leaves_the_library_for_everyone_else() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Document {
        document: g.document,
    };
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target.clone(), ContentDecision::Hide, None),
    )
    .await
    .unwrap();
    assert_eq!(
        k.get_document(&g.mia, &g.document).await.unwrap_err(),
        Error::NotFound
    );
    assert_eq!(
        k.download_document(&g.mia, &g.document, None)
            .await
            .unwrap_err(),
        Error::NotFound
    );
    let library = |who: Actor| {
        let k = k.clone();
        let cases = g.cases;
        async move {
            k.list_documents(&who, &cases, &PageRequest::first())
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(library(g.mia.clone()).await, 0);
    assert_eq!(library(g.tom.clone()).await, 1);
    assert_eq!(library(g.moderator.clone()).await, 1);
    // Mia cannot report what she cannot see.
    assert_eq!(
        k.report_content(&g.mia, &g.c, report_of(target.clone()))
            .await
            .unwrap_err(),
        Error::NotFound
    );
    // Removing leaves a tombstone: gone for its uploader too.
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target, ContentDecision::Remove, None),
    )
    .await
    .unwrap();
    assert_eq!(
        k.get_document(&g.tom, &g.document).await.unwrap_err(),
        Error::NotFound
    );
}

#[tokio::test]
async fn the_log_records_every_decision_and_ban_newest_first() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Post { post: g.post };
    let report = k
        .report_content(&g.mia, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target.clone(), ContentDecision::Dismiss, Some(report.id)),
    )
    .await
    .unwrap();
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target.clone(), ContentDecision::Remove, None),
    )
    .await
    .unwrap();
    let removed = k.get_post(&g.owner, &g.post).await.unwrap();
    assert!(removed.deleted_at.is_some() && removed.body.is_empty());
    k.ban_member(&g.owner, &g.c, &g.tom.user, Some(30), "Repeated breaches")
        .await
        .unwrap();
    k.unban_member(&g.owner, &g.c, &g.tom.user).await.unwrap();
    let log = k
        .moderation_log(&g.moderator, &g.c, &PageRequest::first())
        .await
        .unwrap()
        .items;
    let actions: Vec<ModerationAction> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![
            ModerationAction::Unbanned,
            ModerationAction::Banned,
            ModerationAction::Removed,
            ModerationAction::Dismissed,
        ]
    );
    assert_eq!(log[1].reason, "Repeated breaches");
    assert_eq!(
        log[1].subject,
        ModerationSubject::Member {
            user: g.tom.user.clone()
        }
    );
    assert_eq!(log[3].report, Some(report.id));
    // Two pages of one: the cursor continues.
    let first = k
        .moderation_log(&g.owner, &g.c, &PageRequest::of(1))
        .await
        .unwrap();
    let second = k
        .moderation_log(
            &g.owner,
            &g.c,
            &PageRequest {
                limit: Some(1),
                cursor: first.next.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (first.items[0].id, second.items[0].id),
        (log[0].id, log[1].id)
    );
}

#[tokio::test]
async fn only_moderators_moderate_and_input_is_checked() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Post { post: g.post };
    let outsider = actor("olly");
    for (who, want) in [
        (&g.mia, Error::Forbidden(Forbidden::ModeratorsOnly)),
        // The group is Private (listed): an outsider knows it exists.
        (&outsider, Error::Forbidden(Forbidden::ModeratorsOnly)),
    ] {
        let queue = k
            .list_reports(who, &g.c, ReportStatus::Open, &PageRequest::first())
            .await;
        assert_eq!(queue.unwrap_err(), want, "{who:?}");
        let log = k.moderation_log(who, &g.c, &PageRequest::first()).await;
        assert!(log.is_err());
        let hide = k
            .moderate(
                who,
                &g.c,
                decide(target.clone(), ContentDecision::Hide, None),
            )
            .await;
        assert!(hide.is_err());
    }
    // An outsider cannot report what they cannot read.
    assert_eq!(
        k.report_content(&outsider, &g.c, report_of(target.clone()))
            .await
            .unwrap_err(),
        Error::NotFound
    );
    // Content of another community is not found through this one.
    let other =
        g.w.community(
            &g.owner,
            "other",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    assert_eq!(
        k.report_content(&g.owner, &other, report_of(target.clone()))
            .await
            .unwrap_err(),
        Error::NotFound
    );
    let long = NewReport {
        note: "x".repeat(1001),
        ..report_of(target.clone())
    };
    assert_eq!(
        invalid_fields(k.report_content(&g.mia, &g.c, long).await),
        vec!["note"]
    );
    let blank = Moderation {
        reason: "  ".into(),
        ..decide(target.clone(), ContentDecision::Dismiss, None)
    };
    assert_eq!(
        invalid_fields(k.moderate(&g.moderator, &g.c, blank).await),
        vec!["reason"]
    );
    let nothing_to_dismiss = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target, ContentDecision::Dismiss, None),
        )
        .await;
    assert_eq!(
        nothing_to_dismiss.unwrap_err(),
        Error::Conflict(Conflict::WrongState)
    );
}

#[tokio::test]
async fn a_person_has_one_open_report_per_post_until_it_is_decided() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Post { post: g.post };
    let first = k
        .report_content(&g.mia, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            k.report_content(&g.mia, &g.c, report_of(target.clone()))
                .await
                .unwrap_err(),
            Error::Conflict(Conflict::AlreadyReported)
        );
    }
    // Someone else may still report it, and Mia may report other things.
    k.report_content(&g.moderator, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    k.report_content(
        &g.mia,
        &g.c,
        report_of(ContentRef::Document {
            document: g.document,
        }),
    )
    .await
    .unwrap();
    let queue = k
        .list_reports(
            &g.moderator,
            &g.c,
            ReportStatus::Open,
            &PageRequest::first(),
        )
        .await
        .unwrap();
    assert_eq!(queue.items.len(), 3, "{:?}", queue.items);
    // Once her report is decided, a new one may be filed.
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target.clone(), ContentDecision::Dismiss, Some(first.id)),
    )
    .await
    .unwrap();
    let again = k
        .report_content(&g.mia, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    assert_ne!(again.id, first.id);
}

#[tokio::test]
async fn a_threads_opening_post_is_reported_hidden_and_removed_like_any_post() {
    let g = group().await;
    let k = &g.w.copkit;
    let target = ContentRef::Thread { thread: g.thread };
    // Tom can read Mia's opening post, so he can report it, once.
    let report = k
        .report_content(&g.tom, &g.c, report_of(target.clone()))
        .await
        .unwrap();
    assert_eq!(
        (report.target.clone(), report.space),
        (target.clone(), g.cases)
    );
    let twice = k
        .report_content(&g.tom, &g.c, report_of(target.clone()))
        .await;
    assert_eq!(
        twice.unwrap_err(),
        Error::Conflict(Conflict::AlreadyReported)
    );
    // Someone outside the community cannot: it is not there for them.
    let outsider = actor("olga");
    let refused = k
        .report_content(&outsider, &g.c, report_of(target.clone()))
        .await;
    assert_eq!(refused.unwrap_err(), Error::NotFound);

    k.set_thread_pinned(&g.moderator, &g.thread, true)
        .await
        .unwrap();
    let entry = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target.clone(), ContentDecision::Hide, Some(report.id)),
        )
        .await
        .unwrap();
    assert_eq!(entry.action, ModerationAction::Hidden);
    assert_eq!(
        entry.subject,
        ModerationSubject::Content {
            content: target.clone(),
            space: g.cases,
            author: g.mia.user.clone()
        }
    );
    // Tom sees that it was hidden, not its title, text, tags or the reason:
    // not when he opens it, lists the space or reads the pinned threads.
    let seen = k.get_thread(&g.tom, &g.thread).await.unwrap();
    let hidden = seen.hidden.clone().unwrap();
    assert_eq!((hidden.by, hidden.reason), (None, None));
    assert!(seen.title.is_empty() && seen.body.is_empty() && seen.tags.is_empty());
    let listed = k
        .list_threads(&g.tom, &g.cases, &PageRequest::first())
        .await
        .unwrap();
    let pinned = k.pinned_threads(&g.tom, &g.cases).await.unwrap();
    for t in listed.items.iter().chain(&pinned) {
        let shown = format!("{t:?}");
        assert!(
            !shown.contains("Jones") && !shown.contains("Difficult"),
            "{shown}"
        );
    }
    assert_eq!(pinned.len(), 1);
    // The replies stay readable.
    assert!(
        k.get_post(&g.tom, &g.post)
            .await
            .unwrap()
            .body
            .contains("Smith")
    );
    // Mia (its author) and the moderators still read it, with the reason.
    for who in [&g.mia, &g.moderator, &g.owner] {
        let t = k.get_thread(who, &g.thread).await.unwrap();
        assert!(t.body.contains("Jones") && t.title == "Difficult consultations");
        assert_eq!(
            t.hidden.unwrap().reason.as_deref(),
            Some("Patient-identifiable details.")
        );
    }
    // Unhiding shows it again; removing leaves a tombstone for everyone.
    k.moderate(
        &g.moderator,
        &g.c,
        decide(target.clone(), ContentDecision::Unhide, None),
    )
    .await
    .unwrap();
    assert!(
        k.get_thread(&g.tom, &g.thread)
            .await
            .unwrap()
            .body
            .contains("Jones")
    );
    let removed = k
        .moderate(
            &g.owner,
            &g.c,
            decide(target.clone(), ContentDecision::Remove, None),
        )
        .await
        .unwrap();
    assert_eq!(removed.action, ModerationAction::Removed);
    for who in [&g.mia, &g.tom, &g.moderator] {
        let t = k.get_thread(who, &g.thread).await.unwrap();
        assert!(t.deleted_at.is_some() && t.title.is_empty() && t.body.is_empty());
        assert!(!t.pinned);
    }
    // A removed thread can no longer be reported or moderated.
    let late = k
        .report_content(&g.mia, &g.c, report_of(target.clone()))
        .await;
    assert_eq!(late.unwrap_err(), Error::Conflict(Conflict::WrongState));
    let again = k
        .moderate(
            &g.moderator,
            &g.c,
            decide(target, ContentDecision::Hide, None),
        )
        .await;
    assert_eq!(again.unwrap_err(), Error::Conflict(Conflict::WrongState));
}
