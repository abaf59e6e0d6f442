//! Invitations by email and link, guests, and the single-use race.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{JoinPolicy, PageRequest, Role, SpaceVisibility, Visibility};
use copkit_core::service::{InvitationState, NewInvitation};
use copkit_core::{Conflict, Error, Forbidden, SpaceId};

fn link(max_uses: u32) -> NewInvitation {
    NewInvitation::link(max_uses)
}

fn guest_link(spaces: Vec<SpaceId>) -> NewInvitation {
    NewInvitation::link(1).as_guest(spaces)
}

#[tokio::test]
async fn an_email_invitation_is_for_its_addressee_only() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "trainers",
            Visibility::Secret,
            JoinPolicy::InviteOnly,
        )
        .await;
    let created = w
        .copkit
        .create_invitation(
            &helen,
            &c,
            NewInvitation::email("Andrew.Bill@Example.NHS.uk"),
        )
        .await
        .unwrap();
    assert_eq!(created.invitation.max_uses, 1);
    // The token is not stored: the list shows no token or hash.
    let listed = w
        .copkit
        .list_invitations(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    let json = serde_json::to_string(&listed).unwrap();
    assert!(!json.contains(&created.token));
    assert!(!json.contains("token_hash"));

    let eve = actor("eve").with_email("eve@example.org");
    assert_eq!(
        w.copkit.accept_invitation(&eve, &created.token).await.err(),
        Some(Error::Forbidden(Forbidden::InvitationForSomeoneElse))
    );
    let andrew = actor("andrew").with_email("andrew.bill@example.nhs.uk");
    // The holder may preview even a Secret community before accepting.
    let preview = w
        .copkit
        .preview_invitation(&andrew, &created.token)
        .await
        .unwrap();
    assert_eq!(preview.community.id, c);
    assert_eq!(preview.state, InvitationState::Usable);
    let m = w
        .copkit
        .accept_invitation(&andrew, &created.token)
        .await
        .unwrap();
    assert_eq!(m.role, Role::Member);
    assert_eq!(w.view(&andrew, &c).await.card.member_count, 2);
    assert_eq!(
        w.copkit
            .accept_invitation(&andrew, &created.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );
}

#[tokio::test]
async fn invitation_input_is_validated() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "validate",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let other = w
        .community(
            &helen,
            "other-one",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let foreign = w
        .copkit
        .create_space(
            &helen,
            &other,
            new_space("Elsewhere", SpaceVisibility::Members),
        )
        .await
        .unwrap();
    let bad = NewInvitation::email("not-an-email")
        .as_guest(vec![])
        .expiring_in_hours(0);
    assert_eq!(
        invalid_fields(w.copkit.create_invitation(&helen, &c, bad).await),
        vec!["target.address", "expires_in_hours", "access.spaces"]
    );
    // Spaces named in the body are authorized like path ids: another
    // community's space is simply not found here.
    assert_eq!(
        w.copkit
            .create_invitation(&helen, &c, guest_link(vec![foreign.id]))
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        invalid_fields(w.copkit.create_invitation(&helen, &c, link(1_001)).await),
        vec!["target.max_uses"]
    );
    let member = actor("member");
    w.add_member(&helen, &c, &member).await;
    assert_eq!(
        w.copkit.create_invitation(&member, &c, link(1)).await.err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
}

#[tokio::test]
async fn links_expire_run_out_and_can_be_revoked() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(&helen, "links", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    let two = w
        .copkit
        .create_invitation(&helen, &c, link(2))
        .await
        .unwrap();
    w.copkit
        .accept_invitation(&actor("a1"), &two.token)
        .await
        .unwrap();
    w.copkit
        .accept_invitation(&actor("a2"), &two.token)
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .accept_invitation(&actor("a3"), &two.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );

    let expiring = w
        .copkit
        .create_invitation(&helen, &c, link(5).expiring_in_hours(2))
        .await
        .unwrap();
    w.clock.advance(jiff::SignedDuration::from_hours(2));
    assert_eq!(
        w.copkit
            .accept_invitation(&actor("late"), &expiring.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );

    let revoked = w
        .copkit
        .create_invitation(&helen, &c, link(5))
        .await
        .unwrap();
    let view = w
        .copkit
        .revoke_invitation(&helen, &c, &revoked.invitation.id)
        .await
        .unwrap();
    assert_eq!(view.state, InvitationState::Revoked);
    assert_eq!(
        w.copkit
            .accept_invitation(&actor("r1"), &revoked.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::InvitationUnavailable))
    );
    let states: Vec<InvitationState> = w
        .copkit
        .list_invitations(&helen, &c, &PageRequest::first())
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.state)
        .collect();
    assert_eq!(
        states,
        [
            InvitationState::Revoked,
            InvitationState::Expired,
            InvitationState::UsedUp
        ]
    );
    assert_eq!(
        w.copkit
            .accept_invitation(&actor("x"), "no-such-token")
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit.accept_invitation(&actor("x"), "").await.err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn a_guest_sees_only_the_granted_space() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(&helen, "st3", Visibility::Private, JoinPolicy::Approval)
        .await;
    let general = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    let teaching = w
        .copkit
        .create_space(
            &helen,
            &c,
            new_space("Teaching sessions", SpaceVisibility::Members),
        )
        .await
        .unwrap();
    let created = w
        .copkit
        .create_invitation(&helen, &c, guest_link(vec![teaching.id]))
        .await
        .unwrap();
    let trainer = actor("trainer");
    let m = w
        .copkit
        .accept_invitation(&trainer, &created.token)
        .await
        .unwrap();
    assert_eq!(m.role, Role::Guest);

    let visible: Vec<String> = w
        .copkit
        .list_spaces(&trainer, &c)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(visible, ["Teaching sessions"]);
    assert!(w.copkit.get_space(&trainer, &teaching.id).await.is_ok());
    assert_eq!(
        w.copkit.get_space(&trainer, &general.id).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit
            .list_members(&trainer, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::MembersOnly))
    );
    let stored = w.copkit.store().get_community(&c).await.unwrap().unwrap();
    assert_eq!((stored.counts.members, stored.counts.guests), (1, 1));

    // A later member invitation upgrades the guest.
    let upgrade = w
        .copkit
        .create_invitation(&helen, &c, link(1))
        .await
        .unwrap();
    let m = w
        .copkit
        .accept_invitation(&trainer, &upgrade.token)
        .await
        .unwrap();
    assert_eq!(m.role, Role::Member);
    let stored = w.copkit.store().get_community(&c).await.unwrap().unwrap();
    assert_eq!((stored.counts.members, stored.counts.guests), (2, 0));
    // Members do not take guest invitations.
    let another = w
        .copkit
        .create_invitation(&helen, &c, guest_link(vec![general.id]))
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .accept_invitation(&trainer, &another.token)
            .await
            .err(),
        Some(Error::Conflict(Conflict::AlreadyMember))
    );
}

#[tokio::test]
async fn sixteen_people_race_for_a_single_use_link_and_one_wins() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(&helen, "race", Visibility::Secret, JoinPolicy::InviteOnly)
        .await;
    let created = w
        .copkit
        .create_invitation(&helen, &c, link(1))
        .await
        .unwrap();
    let copkit = Arc::new(w.copkit.clone());
    let mut tasks = Vec::new();
    for i in 0..16 {
        let copkit = copkit.clone();
        let token = created.token.clone();
        tasks.push(tokio::spawn(async move {
            copkit
                .accept_invitation(&actor(&format!("racer{i}")), &token)
                .await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert_eq!(e, Error::Conflict(Conflict::InvitationUnavailable)),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(w.view(&helen, &c).await.card.member_count, 2);
    let listed = w
        .copkit
        .list_invitations(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(listed.items[0].uses, 1);
}

#[tokio::test]
async fn banned_people_cannot_use_invitations() {
    let w = World::new();
    let helen = actor("helen");
    let troll = actor("troll");
    let c = w
        .community(
            &helen,
            "no-trolls",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.copkit
        .ban_member(&helen, &c, &troll.user, None, "abuse")
        .await
        .unwrap();
    let created = w
        .copkit
        .create_invitation(&helen, &c, link(3))
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .accept_invitation(&troll, &created.token)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::Banned))
    );
    let listed = w
        .copkit
        .list_invitations(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(listed.items[0].uses, 0, "a refused attempt uses nothing");
}
