//! Asking to join, and moderators deciding.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_community};
use copkit_core::model::{JoinPolicy, PageRequest, RequestStatus, Role, Visibility};
use copkit_core::service::NewCommunity;
use copkit_core::{Conflict, Error, Forbidden};

async fn approval_community(w: &World, owner: &copkit_core::Actor) -> copkit_core::CommunityId {
    w.copkit
        .create_community(
            owner,
            NewCommunity {
                join_question: Some("Which training practice are you at?".into()),
                ..new_community("st3-small-group", Visibility::Private, JoinPolicy::Approval)
            },
        )
        .await
        .unwrap()
        .card
        .id
}

#[tokio::test]
async fn a_trainee_asks_answers_and_is_approved() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = approval_community(&w, &helen).await;

    assert_eq!(
        w.copkit.request_to_join(&tom, &c, None).await.err(),
        Some(Error::Conflict(Conflict::AnswerRequired))
    );
    assert_eq!(
        invalid_fields(
            w.copkit
                .request_to_join(&tom, &c, Some(&"x".repeat(1_001)))
                .await
        ),
        vec!["answer"]
    );
    let request = w
        .copkit
        .request_to_join(&tom, &c, Some("Riverside Surgery"))
        .await
        .unwrap();
    assert_eq!(request.status, RequestStatus::Pending);
    assert_eq!(
        w.copkit
            .request_to_join(&tom, &c, Some("again"))
            .await
            .err(),
        Some(Error::Conflict(Conflict::AlreadyRequested))
    );

    let pending = w
        .copkit
        .list_join_requests(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(pending.items.len(), 1);
    assert_eq!(
        pending.items[0].answer.as_deref(),
        Some("Riverside Surgery")
    );
    assert_eq!(pending.items[0].display_name, "TOM");
    assert_eq!(
        w.copkit
            .list_join_requests(&tom, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );

    let m = w
        .copkit
        .approve_join_request(&helen, &c, &tom.user)
        .await
        .unwrap();
    assert_eq!(m.role, Role::Member);
    assert_eq!(w.view(&tom, &c).await.my_role, Some(Role::Member));
    assert_eq!(w.view(&helen, &c).await.card.member_count, 2);
    assert!(
        w.copkit
            .list_join_requests(&helen, &c, &PageRequest::first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(matches!(
        w.copkit.my_join_request(&tom, &c).await.unwrap().status,
        RequestStatus::Approved { .. }
    ));
    // Approving twice is a state conflict, not a second membership.
    assert_eq!(
        w.copkit
            .approve_join_request(&helen, &c, &tom.user)
            .await
            .err(),
        Some(Error::Conflict(Conflict::WrongState))
    );
}

#[tokio::test]
async fn a_denied_person_waits_out_the_cool_down() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = approval_community(&w, &helen).await;
    w.copkit
        .request_to_join(&tom, &c, Some("Hillside"))
        .await
        .unwrap();
    assert_eq!(
        invalid_fields(
            w.copkit
                .deny_join_request(&helen, &c, &tom.user, "  ")
                .await
        ),
        vec!["reason"]
    );
    let denied = w
        .copkit
        .deny_join_request(
            &helen,
            &c,
            &tom.user,
            "This group is for ST3s in Mid Wessex",
        )
        .await
        .unwrap();
    assert!(matches!(denied.status, RequestStatus::Denied { .. }));
    // The person sees the reason.
    match w.copkit.my_join_request(&tom, &c).await.unwrap().status {
        RequestStatus::Denied { reason, .. } => {
            assert_eq!(reason, "This group is for ST3s in Mid Wessex")
        }
        other => panic!("{other:?}"),
    }
    w.advance_days(13);
    let early = w.copkit.request_to_join(&tom, &c, Some("Please")).await;
    assert!(
        matches!(
            early,
            Err(Error::Conflict(Conflict::RequestCooldown { .. }))
        ),
        "{early:?}"
    );
    w.advance_days(1);
    let again = w
        .copkit
        .request_to_join(&tom, &c, Some("I moved to Mid Wessex"))
        .await
        .unwrap();
    assert_eq!(again.status, RequestStatus::Pending);
    assert_eq!(again.version, 3);
}

#[tokio::test]
async fn requests_can_be_withdrawn() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = approval_community(&w, &helen).await;
    // Nothing pending: nothing to withdraw.
    assert_eq!(
        w.copkit.withdraw_join_request(&tom, &c).await,
        Err(Error::Conflict(Conflict::WrongState))
    );
    w.copkit
        .request_to_join(&tom, &c, Some("Hillside"))
        .await
        .unwrap();
    w.copkit.withdraw_join_request(&tom, &c).await.unwrap();
    assert!(
        w.copkit
            .list_join_requests(&helen, &c, &PageRequest::first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        w.copkit
            .approve_join_request(&helen, &c, &tom.user)
            .await
            .err(),
        Some(Error::Conflict(Conflict::WrongState))
    );
    // Withdrawing is no denial: asking again is immediate.
    w.copkit
        .request_to_join(&tom, &c, Some("Hillside"))
        .await
        .unwrap();
}

#[tokio::test]
async fn requests_follow_visibility_and_policy() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let open = w
        .community(&helen, "open-one", Visibility::Public, JoinPolicy::Open)
        .await;
    let secret = w
        .community(
            &helen,
            "secret-one",
            Visibility::Secret,
            JoinPolicy::InviteOnly,
        )
        .await;
    assert_eq!(
        w.copkit.request_to_join(&tom, &open, None).await.err(),
        Some(Error::Forbidden(Forbidden::JoinPolicy))
    );
    assert_eq!(
        w.copkit.request_to_join(&tom, &secret, None).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit.my_join_request(&tom, &secret).await.err(),
        Some(Error::NotFound)
    );
    let c = approval_community(&w, &helen).await;
    assert_eq!(
        w.copkit.request_to_join(&helen, &c, Some("me")).await.err(),
        Some(Error::Conflict(Conflict::AlreadyMember))
    );
    // A banned person is told so.
    w.copkit
        .ban_member(&helen, &c, &tom.user, None, "no")
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .request_to_join(&tom, &c, Some("please"))
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::Banned))
    );
}

#[tokio::test]
async fn pending_requests_page_oldest_first() {
    let w = World::new();
    let helen = actor("helen");
    let c = approval_community(&w, &helen).await;
    for i in 0..5 {
        w.copkit
            .request_to_join(&actor(&format!("t{i}")), &c, Some("here"))
            .await
            .unwrap();
        w.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    let first = w
        .copkit
        .list_join_requests(&helen, &c, &PageRequest::of(2))
        .await
        .unwrap();
    let second = w
        .copkit
        .list_join_requests(
            &helen,
            &c,
            &PageRequest::after(first.next.clone().unwrap(), 2),
        )
        .await
        .unwrap();
    let names: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|r| r.user.to_string())
        .collect();
    assert_eq!(names, ["t0", "t1", "t2", "t3"]);
}
