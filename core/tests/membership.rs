//! Joining, leaving, the roster, removal, bans, roles and ownership.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields};
use copkit_core::model::{JoinPolicy, MembershipStatus, PageRequest, Role, Visibility};
use copkit_core::{Conflict, Error, Forbidden};

async fn roster(
    w: &World,
    who: &copkit_core::Actor,
    c: &copkit_core::CommunityId,
) -> Vec<(String, Role)> {
    w.copkit
        .list_members(who, c, &PageRequest::first())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| (m.user.to_string(), m.role))
        .collect()
}

#[tokio::test]
async fn open_communities_take_anyone_and_count_them() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(&helen, "open-sig", Visibility::Public, JoinPolicy::Open)
        .await;
    let m = w.copkit.join(&ann, &c).await.unwrap();
    assert_eq!(m.role, Role::Member);
    assert_eq!(w.view(&ann, &c).await.card.member_count, 2);
    assert_eq!(
        w.copkit.join(&ann, &c).await.err(),
        Some(Error::Conflict(Conflict::AlreadyMember))
    );
    assert_eq!(
        roster(&w, &ann, &c).await,
        vec![("helen".into(), Role::Owner), ("ann".into(), Role::Member)]
    );

    w.copkit.leave(&ann, &c).await.unwrap();
    assert_eq!(w.view(&helen, &c).await.card.member_count, 1);
    assert_eq!(
        w.copkit
            .list_members(&ann, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::MembersOnly))
    );
    // Leaving is not final: they may come back.
    w.copkit.join(&ann, &c).await.unwrap();
    assert_eq!(w.view(&helen, &c).await.card.member_count, 2);
}

#[tokio::test]
async fn closed_communities_refuse_direct_joins() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let approval = w
        .community(
            &helen,
            "approval",
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    let invite = w
        .community(
            &helen,
            "invite-only",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let secret = w
        .community(&helen, "secret", Visibility::Secret, JoinPolicy::InviteOnly)
        .await;
    assert_eq!(
        w.copkit.join(&ann, &approval).await.err(),
        Some(Error::Forbidden(Forbidden::JoinPolicy))
    );
    assert_eq!(
        w.copkit.join(&ann, &invite).await.err(),
        Some(Error::Forbidden(Forbidden::JoinPolicy))
    );
    assert_eq!(
        w.copkit.join(&ann, &secret).await.err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn the_last_owner_cannot_leave_or_be_demoted() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "keepers",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &ann).await;
    assert_eq!(
        w.copkit.leave(&helen, &c).await.err(),
        Some(Error::Conflict(Conflict::LastOwner))
    );
    assert_eq!(
        w.copkit
            .change_role(&helen, &c, &helen.user, Role::Member)
            .await
            .err(),
        Some(Error::Conflict(Conflict::LastOwner))
    );
    // With a second owner, the first may step down.
    w.copkit
        .change_role(&helen, &c, &ann.user, Role::Owner)
        .await
        .unwrap();
    w.copkit
        .change_role(&helen, &c, &helen.user, Role::Member)
        .await
        .unwrap();
    assert_eq!(
        w.copkit
            .change_role(&helen, &c, &ann.user, Role::Member)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::OwnersOnly))
    );
    let stored = w.copkit.store().get_community(&c).await.unwrap().unwrap();
    assert_eq!(stored.counts.owners, 1);
    assert_eq!(stored.counts.members, 2);
}

#[tokio::test]
async fn ownership_moves_in_one_step() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "handover",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &ann).await;
    assert_eq!(
        w.copkit
            .transfer_ownership(&helen, &c, &helen.user)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::SelfAction))
    );
    w.copkit
        .transfer_ownership(&helen, &c, &ann.user)
        .await
        .unwrap();
    assert_eq!(
        roster(&w, &ann, &c).await,
        vec![
            ("ann".into(), Role::Owner),
            ("helen".into(), Role::Moderator)
        ]
    );
    assert_eq!(
        w.copkit
            .store()
            .get_community(&c)
            .await
            .unwrap()
            .unwrap()
            .counts
            .owners,
        1
    );
    // Helen is now a moderator and may not transfer again.
    assert_eq!(
        w.copkit
            .transfer_ownership(&helen, &c, &helen.user)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::OwnersOnly))
    );
}

#[tokio::test]
async fn moderators_remove_members_but_not_their_peers() {
    let w = World::new();
    let helen = actor("helen");
    let mo = actor("mo");
    let mia = actor("mia");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "moderated",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    for who in [&mo, &mia, &ann] {
        w.add_member(&helen, &c, who).await;
    }
    w.copkit
        .change_role(&helen, &c, &mo.user, Role::Moderator)
        .await
        .unwrap();
    w.copkit
        .change_role(&helen, &c, &mia.user, Role::Moderator)
        .await
        .unwrap();
    assert_eq!(
        w.copkit.remove_member(&mo, &c, &mia.user).await.err(),
        Some(Error::Forbidden(Forbidden::TargetRole))
    );
    assert_eq!(
        w.copkit.remove_member(&mo, &c, &helen.user).await.err(),
        Some(Error::Forbidden(Forbidden::TargetRole))
    );
    assert_eq!(
        w.copkit.remove_member(&ann, &c, &mo.user).await.err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
    w.copkit.remove_member(&mo, &c, &ann.user).await.unwrap();
    assert_eq!(
        w.copkit.remove_member(&mo, &c, &ann.user).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(w.view(&helen, &c).await.card.member_count, 3);
    // The owner may remove a moderator.
    w.copkit.remove_member(&helen, &c, &mia.user).await.unwrap();
    assert_eq!(w.view(&helen, &c).await.card.member_count, 2);
}

#[tokio::test]
async fn bans_hide_the_community_until_they_end() {
    let w = World::new();
    let helen = actor("helen");
    let troll = actor("troll");
    let c = w
        .community(&helen, "banning", Visibility::Private, JoinPolicy::Open)
        .await;
    let s = w
        .copkit
        .create_space(
            &helen,
            &c,
            common::new_space("General", copkit_core::model::SpaceVisibility::Members),
        )
        .await
        .unwrap();
    w.copkit.join(&troll, &c).await.unwrap();
    assert!(w.copkit.get_space(&troll, &s.id).await.is_ok());

    // Validation: a reason is required; a ban lasts 1 to 3,650 days.
    assert_eq!(
        invalid_fields(
            w.copkit
                .ban_member(&helen, &c, &troll.user, Some(0), "")
                .await
        ),
        vec!["reason", "days"]
    );
    let banned = w
        .copkit
        .ban_member(&helen, &c, &troll.user, Some(7), "spam")
        .await
        .unwrap();
    assert!(matches!(banned.status, MembershipStatus::Banned { .. }));
    assert_eq!(w.view(&helen, &c).await.card.member_count, 1);
    // Banned: the card only; nothing inside; told so when trying to join.
    assert!(w.copkit.get_community(&troll, &c).await.is_ok());
    assert_eq!(
        w.copkit.get_space(&troll, &s.id).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit.join(&troll, &c).await.err(),
        Some(Error::Forbidden(Forbidden::Banned))
    );
    assert_eq!(
        w.copkit
            .list_members(&troll, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::Banned))
    );
    let banned_list = w
        .copkit
        .list_banned(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(banned_list.items.len(), 1);

    // After the ban ends they are an outsider again and may rejoin.
    w.advance_days(8);
    w.copkit.join(&troll, &c).await.unwrap();
    assert_eq!(w.view(&helen, &c).await.card.member_count, 2);
}

#[tokio::test]
async fn people_who_never_joined_can_be_banned_and_unbanned() {
    let w = World::new();
    let helen = actor("helen");
    let stranger = actor("stranger");
    let c = w
        .community(&helen, "pre-ban", Visibility::Public, JoinPolicy::Open)
        .await;
    w.copkit
        .ban_member(&helen, &c, &stranger.user, None, "abusive messages")
        .await
        .unwrap();
    assert_eq!(
        w.copkit.join(&stranger, &c).await.err(),
        Some(Error::Forbidden(Forbidden::Banned))
    );
    assert_eq!(
        w.view(&helen, &c).await.card.member_count,
        1,
        "a ban of an outsider changes no count"
    );
    w.copkit
        .unban_member(&helen, &c, &stranger.user)
        .await
        .unwrap();
    w.copkit.join(&stranger, &c).await.unwrap();
    assert_eq!(
        w.copkit
            .unban_member(&helen, &c, &stranger.user)
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit
            .ban_member(&helen, &c, &helen.user, None, "me")
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::SelfAction))
    );
}

#[tokio::test]
async fn roles_change_levels_and_guests_never_see_the_roster() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(
            &helen,
            "levels",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &ann).await;
    let m = w.copkit.get_member(&ann, &c, &ann.user).await.unwrap();
    assert_eq!(m.level, copkit_core::model::ParticipationLevel::Peripheral);
    let m = w
        .copkit
        .change_role(&helen, &c, &ann.user, Role::Moderator)
        .await
        .unwrap();
    assert_eq!(
        m.level,
        copkit_core::model::ParticipationLevel::Core,
        "moderators are always Core"
    );
    let m = w
        .copkit
        .change_role(&helen, &c, &ann.user, Role::Guest)
        .await
        .unwrap();
    assert_eq!(m.level, copkit_core::model::ParticipationLevel::Peripheral);
    assert_eq!(
        w.copkit
            .list_members(&ann, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::MembersOnly))
    );
    assert_eq!(
        w.copkit.get_member(&ann, &c, &helen.user).await.err(),
        Some(Error::Forbidden(Forbidden::MembersOnly))
    );
    let stored = w.copkit.store().get_community(&c).await.unwrap().unwrap();
    assert_eq!((stored.counts.members, stored.counts.guests), (1, 1));
}

#[tokio::test]
async fn the_roster_pages_with_cursors() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(&helen, "big-group", Visibility::Public, JoinPolicy::Open)
        .await;
    for i in 0..7 {
        w.copkit.join(&actor(&format!("m{i}")), &c).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::of(3);
    loop {
        let p = w.copkit.list_members(&helen, &c, &page).await.unwrap();
        seen.extend(p.items.into_iter().map(|m| m.user.to_string()));
        match p.next {
            Some(next) => page = PageRequest::after(next, 3),
            None => break,
        }
    }
    assert_eq!(seen, ["helen", "m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
}

#[tokio::test]
async fn the_activity_record_lists_what_happened_for_moderators() {
    let w = World::new();
    let helen = actor("helen");
    let ann = actor("ann");
    let c = w
        .community(&helen, "recorded", Visibility::Public, JoinPolicy::Open)
        .await;
    w.copkit.join(&ann, &c).await.unwrap();
    w.copkit.leave(&ann, &c).await.unwrap();
    let log = w
        .copkit
        .list_activity(&helen, &c, &PageRequest::first())
        .await
        .unwrap();
    let kinds: Vec<String> = log
        .items
        .iter()
        .map(|a| {
            serde_json::to_value(&a.kind).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "member_left",
            "member_joined",
            "member_joined",
            "community_created"
        ]
    );
    assert_eq!(
        w.copkit
            .list_activity(&ann, &c, &PageRequest::first())
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
}
