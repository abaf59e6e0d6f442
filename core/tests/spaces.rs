//! Spaces: visibility per caller, Restricted rooms, archive, grants.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{JoinPolicy, Role, SpaceVisibility, Visibility};
use copkit_core::service::SpaceChanges;
use copkit_core::{Conflict, Error, Forbidden};

fn names(spaces: Vec<copkit_core::model::Space>) -> Vec<String> {
    spaces.into_iter().map(|s| s.name).collect()
}

#[tokio::test]
async fn each_caller_sees_the_spaces_the_rules_allow() {
    let w = World::new();
    let helen = actor("helen");
    let mo = actor("mo");
    let ann = actor("ann");
    let outsider = actor("outsider");
    let c = w
        .community(
            &helen,
            "st3-group",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &mo).await;
    w.add_member(&helen, &c, &ann).await;
    w.copkit
        .change_role(&helen, &c, &mo.user, Role::Moderator)
        .await
        .unwrap();

    w.copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    w.copkit
        .create_space(
            &helen,
            &c,
            new_space(
                "Core group",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await
        .unwrap();
    w.copkit
        .create_space(&helen, &c, new_space("Window", SpaceVisibility::Public))
        .await
        .unwrap();
    w.copkit
        .create_space(
            &helen,
            &c,
            new_space(
                "Ann's room",
                SpaceVisibility::Restricted {
                    users: vec![ann.user.clone()],
                    roles: vec![],
                },
            ),
        )
        .await
        .unwrap();

    assert_eq!(
        names(w.copkit.list_spaces(&helen, &c).await.unwrap()),
        ["General", "Core group", "Window", "Ann's room"]
    );
    assert_eq!(
        names(w.copkit.list_spaces(&mo, &c).await.unwrap()),
        ["General", "Core group", "Window"]
    );
    assert_eq!(
        names(w.copkit.list_spaces(&ann, &c).await.unwrap()),
        ["General", "Window", "Ann's room"]
    );
    assert_eq!(
        names(w.copkit.list_spaces(&outsider, &c).await.unwrap()),
        ["Window"]
    );
}

#[tokio::test]
async fn only_moderators_manage_spaces_and_input_is_checked() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "spaces",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &ann).await;
    assert_eq!(
        w.copkit
            .create_space(&ann, &c, new_space("Mine", SpaceVisibility::Members))
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
    let bad = new_space(
        "x",
        SpaceVisibility::Restricted {
            users: vec![],
            roles: vec![Role::Guest],
        },
    );
    assert_eq!(
        invalid_fields(w.copkit.create_space(&helen, &c, bad).await),
        vec!["name"]
    );

    let s = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .update_space(
                &ann,
                &s.id,
                SpaceChanges {
                    name: Some("Mine now".into()),
                    ..Default::default()
                },
                1
            )
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
    let renamed = w
        .copkit
        .update_space(
            &helen,
            &s.id,
            SpaceChanges {
                name: Some("Case discussion".into()),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(renamed.version, 2);
    assert_eq!(
        w.copkit
            .update_space(
                &helen,
                &s.id,
                SpaceChanges {
                    description: Some("stale".into()),
                    ..Default::default()
                },
                1
            )
            .await
            .err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );
    let archived = w
        .copkit
        .set_space_archived(&helen, &s.id, true, 2)
        .await
        .unwrap();
    assert!(archived.is_archived());
    // Archived spaces stay readable.
    assert!(w.copkit.get_space(&ann, &s.id).await.is_ok());
    let restored = w
        .copkit
        .set_space_archived(&helen, &s.id, false, 3)
        .await
        .unwrap();
    assert!(!restored.is_archived());
    assert_eq!(
        w.copkit
            .store()
            .get_community(&c)
            .await
            .unwrap()
            .unwrap()
            .counts
            .spaces,
        1
    );
}

#[tokio::test]
async fn making_a_space_restricted_hides_it_at_once() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "closing",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &ann).await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    assert!(w.copkit.get_space(&ann, &s.id).await.is_ok());
    w.copkit
        .update_space(
            &helen,
            &s.id,
            SpaceChanges {
                visibility: Some(SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                }),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        w.copkit.get_space(&ann, &s.id).await.err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn grants_open_a_space_to_a_guest_and_revoking_closes_it() {
    let w = World::new();
    let helen = actor("helen");
    let expert = actor("expert");
    let c = w
        .community(
            &helen,
            "grants",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let first = w
        .copkit
        .create_space(&helen, &c, new_space("First", SpaceVisibility::Members))
        .await
        .unwrap();
    let second = w
        .copkit
        .create_space(&helen, &c, new_space("Second", SpaceVisibility::Members))
        .await
        .unwrap();
    let invite = w
        .copkit
        .create_invitation(
            &helen,
            &c,
            copkit_core::service::NewInvitation::link(1).as_guest(vec![first.id]),
        )
        .await
        .unwrap();
    w.copkit
        .accept_invitation(&expert, &invite.token)
        .await
        .unwrap();
    assert_eq!(
        w.copkit.get_space(&expert, &second.id).await.err(),
        Some(Error::NotFound)
    );
    w.copkit
        .grant_space(&helen, &second.id, &expert.user)
        .await
        .unwrap();
    assert!(w.copkit.get_space(&expert, &second.id).await.is_ok());
    let grants = w
        .copkit
        .list_space_grants(&helen, &second.id)
        .await
        .unwrap();
    assert_eq!(grants.len(), 1);
    w.copkit
        .revoke_space_grant(&helen, &second.id, &expert.user)
        .await
        .unwrap();
    assert_eq!(
        w.copkit.get_space(&expert, &second.id).await.err(),
        Some(Error::NotFound)
    );
    // Only current members can be granted.
    assert_eq!(
        w.copkit
            .grant_space(&helen, &second.id, &actor("stranger").user)
            .await
            .err(),
        Some(Error::NotFound)
    );
    // Leaving drops every grant: a returning guest starts from nothing.
    w.copkit.leave(&expert, &c).await.unwrap();
    assert!(
        w.copkit
            .store()
            .list_user_grants(&c, &expert.user)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_community_holds_at_most_one_hundred_spaces() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "many-rooms",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    for i in 0..100 {
        w.copkit
            .create_space(
                &helen,
                &c,
                new_space(&format!("Room {i}"), SpaceVisibility::Members),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        w.copkit
            .create_space(
                &helen,
                &c,
                new_space("One too many", SpaceVisibility::Members)
            )
            .await
            .err(),
        Some(Error::Conflict(Conflict::LimitReached))
    );
    assert_eq!(w.copkit.list_spaces(&helen, &c).await.unwrap().len(), 100);
}
