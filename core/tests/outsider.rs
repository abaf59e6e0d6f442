//! The outsider's side: after a community has been built up, someone outside
//! it learns nothing private through any use case, and what they may not see
//! answers exactly like something that does not exist.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::{World, actor, new_space};
use copkit_core::model::{
    Activity, ActivityKind, JoinPolicy, PageRequest, Role, SpaceVisibility, Visibility,
};
use copkit_core::service::{CommunityChanges, NewInvitation, SpaceChanges};
use copkit_core::{ActivityListener, Actor, CommunityId, Error, InvitationId, SpaceId, UserId};
use ulid::Ulid;

struct Built {
    w: World,
    secret: CommunityId,
    private: CommunityId,
    secret_space: SpaceId,
    private_members_space: SpaceId,
    restricted_space: SpaceId,
    invitation: InvitationId,
    member: Actor,
}

async fn build() -> Built {
    let w = World::new();
    let owner = actor("owner");
    let member = actor("member");
    let secret = w
        .community(
            &owner,
            "trainers-secret",
            Visibility::Secret,
            JoinPolicy::InviteOnly,
        )
        .await;
    let private = w
        .community(
            &owner,
            "st3-private",
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    w.add_member(&owner, &secret, &member).await;
    w.add_member(&owner, &private, &member).await;
    let secret_space = w
        .copkit
        .create_space(
            &owner,
            &secret,
            new_space("Secret room", SpaceVisibility::Public),
        )
        .await
        .unwrap()
        .id;
    let private_members_space = w
        .copkit
        .create_space(
            &owner,
            &private,
            new_space("Members room", SpaceVisibility::Members),
        )
        .await
        .unwrap()
        .id;
    let restricted_space = w
        .copkit
        .create_space(
            &owner,
            &private,
            new_space(
                "Core room",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await
        .unwrap()
        .id;
    let invitation = w
        .copkit
        .create_invitation(&owner, &secret, NewInvitation::link(3))
        .await
        .unwrap()
        .invitation
        .id;
    Built {
        w,
        secret,
        private,
        secret_space,
        private_members_space,
        restricted_space,
        invitation,
        member,
    }
}

/// Every use case an outsider could aim at a community, as (name, outcome).
async fn every_call(
    b: &Built,
    who: &Actor,
    c: CommunityId,
    s: SpaceId,
) -> Vec<(&'static str, Result<(), Error>)> {
    let k = &b.w.copkit;
    let page = PageRequest::first();
    let target = &b.member.user;
    vec![
        ("get_community", k.get_community(who, &c).await.map(drop)),
        (
            "list_members",
            k.list_members(who, &c, &page).await.map(drop),
        ),
        ("list_banned", k.list_banned(who, &c, &page).await.map(drop)),
        ("get_member", k.get_member(who, &c, target).await.map(drop)),
        ("list_spaces", k.list_spaces(who, &c).await.map(drop)),
        ("get_space", k.get_space(who, &s).await.map(drop)),
        (
            "list_space_grants",
            k.list_space_grants(who, &s).await.map(drop),
        ),
        (
            "list_join_requests",
            k.list_join_requests(who, &c, &page).await.map(drop),
        ),
        (
            "my_join_request",
            k.my_join_request(who, &c).await.map(drop),
        ),
        (
            "list_invitations",
            k.list_invitations(who, &c, &page).await.map(drop),
        ),
        (
            "list_activity",
            k.list_activity(who, &c, &page).await.map(drop),
        ),
        ("join", k.join(who, &c).await.map(drop)),
        (
            "request_to_join",
            k.request_to_join(who, &c, Some("hi")).await.map(drop),
        ),
        (
            "withdraw_join_request",
            k.withdraw_join_request(who, &c).await,
        ),
        ("leave", k.leave(who, &c).await),
        ("remove_member", k.remove_member(who, &c, target).await),
        (
            "ban_member",
            k.ban_member(who, &c, target, None, "x").await.map(drop),
        ),
        ("unban_member", k.unban_member(who, &c, target).await),
        (
            "change_role",
            k.change_role(who, &c, target, Role::Owner).await.map(drop),
        ),
        (
            "transfer_ownership",
            k.transfer_ownership(who, &c, target).await,
        ),
        (
            "update_community",
            k.update_community(who, &c, CommunityChanges::default(), 1)
                .await
                .map(drop),
        ),
        (
            "create_space",
            k.create_space(who, &c, new_space("Mine", SpaceVisibility::Members))
                .await
                .map(drop),
        ),
        (
            "update_space",
            k.update_space(who, &s, SpaceChanges::default(), 1)
                .await
                .map(drop),
        ),
        (
            "set_space_archived",
            k.set_space_archived(who, &s, true, 1).await.map(drop),
        ),
        (
            "grant_space",
            k.grant_space(who, &s, &who.user).await.map(drop),
        ),
        (
            "revoke_space_grant",
            k.revoke_space_grant(who, &s, target).await,
        ),
        (
            "create_invitation",
            k.create_invitation(who, &c, NewInvitation::link(10))
                .await
                .map(drop),
        ),
        (
            "revoke_invitation",
            k.revoke_invitation(who, &c, &b.invitation).await.map(drop),
        ),
    ]
}

#[tokio::test]
async fn a_secret_community_answers_outsiders_exactly_like_nothing() {
    let b = build().await;
    let outsider = actor("outsider");
    let real = every_call(&b, &outsider, b.secret, b.secret_space).await;
    let nothing = every_call(
        &b,
        &outsider,
        CommunityId(Ulid::from_parts(5, 5)),
        SpaceId(Ulid::from_parts(6, 6)),
    )
    .await;
    for ((name, got), (_, none)) in real.iter().zip(&nothing) {
        assert_eq!(got, &Err(Error::NotFound), "{name} on the secret community");
        assert_eq!(
            got, none,
            "{name}: a secret community must answer like a missing one"
        );
    }
    // Not in the directory, not by slug, not through the member's communities.
    let listed =
        b.w.copkit
            .directory(&outsider, None, None, &PageRequest::first())
            .await
            .unwrap();
    assert!(listed.items.iter().all(|c| c.id != b.secret));
    assert_eq!(
        b.w.copkit
            .get_community_by_slug(&outsider, "trainers-secret")
            .await
            .err(),
        Some(Error::NotFound)
    );
    // The secret community's activity never leaks into a non-member's view.
    let mine =
        b.w.copkit
            .my_communities(&outsider, &PageRequest::first())
            .await
            .unwrap();
    assert!(mine.items.is_empty());
}

#[tokio::test]
async fn private_content_is_not_found_and_private_actions_are_refused() {
    let b = build().await;
    let outsider = actor("outsider");
    for s in [b.private_members_space, b.restricted_space] {
        assert_eq!(
            b.w.copkit.get_space(&outsider, &s).await.err(),
            Some(Error::NotFound)
        );
        assert_eq!(
            b.w.copkit.list_space_grants(&outsider, &s).await.err(),
            Some(Error::NotFound)
        );
    }
    // The card is visible; the spaces list is empty; nothing else is allowed.
    assert!(
        b.w.copkit
            .get_community(&outsider, &b.private)
            .await
            .is_ok()
    );
    assert!(
        b.w.copkit
            .list_spaces(&outsider, &b.private)
            .await
            .unwrap()
            .is_empty()
    );
    for (name, result) in every_call(&b, &outsider, b.private, b.private_members_space).await {
        match name {
            // Their own request, made and withdrawn in this very sequence.
            "get_community" | "list_spaces" | "request_to_join" | "withdraw_join_request" => {
                assert!(result.is_ok(), "{name}: {result:?}")
            }
            _ => assert!(
                matches!(result, Err(Error::NotFound | Error::Forbidden(_))),
                "{name}: {result:?}"
            ),
        }
    }
    // A member cannot see the Restricted core room either.
    assert_eq!(
        b.w.copkit
            .get_space(&b.member, &b.restricted_space)
            .await
            .err(),
        Some(Error::NotFound)
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Activity>>);

impl ActivityListener for Recorder {
    fn on_activity(&self, activity: &Activity) {
        self.0.lock().unwrap().push(activity.clone());
    }
}

struct Panicker;

impl ActivityListener for Panicker {
    fn on_activity(&self, _: &Activity) {
        panic!("a listener bug");
    }
}

#[tokio::test]
async fn listeners_hear_committed_changes_only_and_cannot_break_them() {
    let w = World::new();
    let recorder = Arc::new(Recorder::default());
    w.copkit.subscribe(Arc::new(Panicker));
    w.copkit.subscribe(recorder.clone());
    let helen = actor("helen");
    let c = w
        .community(&helen, "heard", Visibility::Public, JoinPolicy::Open)
        .await;
    let ann = actor("ann");
    w.copkit.join(&ann, &c).await.unwrap();
    // A refused change is not heard.
    assert!(w.copkit.join(&ann, &c).await.is_err());
    let heard: Vec<ActivityKind> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|a| a.kind.clone())
        .collect();
    assert_eq!(heard.len(), 3, "{heard:?}");
    assert_eq!(heard[0], ActivityKind::CommunityCreated);
    assert!(
        matches!(&heard[2], ActivityKind::MemberJoined { user, .. } if *user == UserId::new("ann").unwrap())
    );
}

#[tokio::test]
async fn no_slug_answer_reveals_a_secret_community() {
    let b = build().await;
    let k = &b.w.copkit;
    let outsider = actor("prober");
    // Taking the Secret community's slug works as for any free slug (it
    // used to be `409 slug_taken`: a secret confirmed to anyone).
    let mine = k
        .create_community(
            &outsider,
            common::new_community("trainers-secret", Visibility::Private, JoinPolicy::Approval),
        )
        .await
        .unwrap();
    // The slug now finds the prober's community for everyone but the Secret
    // community's members, who still find theirs by it.
    let found = k
        .get_community_by_slug(&actor("passer-by"), "trainers-secret")
        .await
        .unwrap();
    assert_eq!(found.card.id, mine.card.id);
    let members_view = k
        .get_community_by_slug(&b.member, "trainers-secret")
        .await
        .unwrap();
    assert_eq!(members_view.card.id, mine.card.id);
    let by_id = k.get_community(&b.member, &b.secret).await.unwrap();
    assert_eq!(by_id.card.slug.as_str(), "trainers-secret");
    // Renaming a listed community onto the slug of a Secret one works too.
    let other = k
        .create_community(
            &outsider,
            common::new_community("other-group", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap();
    let second_secret = k
        .create_community(
            &b.member,
            common::new_community("hidden-two", Visibility::Secret, JoinPolicy::InviteOnly),
        )
        .await
        .unwrap();
    k.update_community(
        &outsider,
        &other.card.id,
        CommunityChanges {
            slug: Some("hidden-two".into()),
            ..CommunityChanges::default()
        },
        other.card.version,
    )
    .await
    .unwrap();
    // Members find their Secret community by slug when no listed one holds it.
    let only_secret = k
        .create_community(
            &b.member,
            common::new_community("only-secret", Visibility::Secret, JoinPolicy::InviteOnly),
        )
        .await
        .unwrap();
    assert_eq!(
        k.get_community_by_slug(&b.member, "only-secret")
            .await
            .unwrap()
            .card
            .id,
        only_secret.card.id
    );
    assert_eq!(
        k.get_community_by_slug(&outsider, "only-secret")
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_ne!(second_secret.card.id, other.card.id);
}
