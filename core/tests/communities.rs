//! Starting, configuring and finding communities through the services.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_community};
use copkit_core::model::{
    Access, CommunityKind, Cursor, JoinPolicy, PageRequest, Role, Visibility,
};
use copkit_core::service::{CommunityChanges, NewCommunity};
use copkit_core::{Conflict, Error, Forbidden};

#[tokio::test]
async fn the_founder_becomes_the_only_owner() {
    let w = World::new();
    let helen = actor("helen");
    let view = w
        .copkit
        .create_community(
            &helen,
            new_community("st3-group", Visibility::Private, JoinPolicy::Approval),
        )
        .await
        .unwrap();
    assert_eq!(view.my_role, Some(Role::Owner));
    assert_eq!(view.card.member_count, 1);
    let stored = w
        .copkit
        .store()
        .get_community(&view.card.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.counts.owners, 1);
    // The founder got a profile from their identity claims.
    let profile = w.copkit.my_profile(&helen).await.unwrap();
    assert_eq!(profile.display_name, "HELEN");
    assert_eq!(profile.version, 1);
    let mine = w
        .copkit
        .my_communities(&helen, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].role, Role::Owner);
}

#[tokio::test]
async fn bad_input_is_reported_field_by_field_and_nothing_is_written() {
    let w = World::new();
    let helen = actor("helen");
    let result = w
        .copkit
        .create_community(
            &helen,
            NewCommunity {
                slug: "Not A Slug".into(),
                name: "ab".into(),
                purpose: "x".repeat(2_001),
                kind: CommunityKind::LearningSet,
                access: Access::Secret,
                join_question: Some("q".repeat(501)),
            },
        )
        .await;
    assert_eq!(
        invalid_fields(result),
        vec!["slug", "name", "purpose", "join_question"]
    );
    // Leading or trailing whitespace is refused, not silently trimmed.
    let padded = w
        .copkit
        .create_community(
            &helen,
            NewCommunity {
                name: " Padded group".into(),
                ..new_community("padded-group", Visibility::Public, JoinPolicy::Open)
            },
        )
        .await;
    assert_eq!(invalid_fields(padded), vec!["name"]);
    let control = w
        .copkit
        .create_community(
            &helen,
            NewCommunity {
                name: "Bell\u{7} group".into(),
                ..new_community("bell-group", Visibility::Public, JoinPolicy::Open)
            },
        )
        .await;
    assert_eq!(invalid_fields(control), vec!["name"]);
    let mine = w
        .copkit
        .my_communities(&helen, &PageRequest::first())
        .await
        .unwrap();
    assert!(mine.items.is_empty());
}

#[tokio::test]
async fn slugs_are_unique_and_can_move() {
    let w = World::new();
    let helen = actor("helen");
    let first = w
        .community(&helen, "appraisers", Visibility::Public, JoinPolicy::Open)
        .await;
    let clash = w
        .copkit
        .create_community(
            &actor("andrew"),
            new_community("appraisers", Visibility::Public, JoinPolicy::Open),
        )
        .await;
    assert_eq!(clash.err(), Some(Error::Conflict(Conflict::SlugTaken)));

    let moved = w
        .copkit
        .update_community(
            &helen,
            &first,
            CommunityChanges {
                slug: Some("wessex-appraisers".into()),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(moved.card.slug.as_str(), "wessex-appraisers");
    assert_eq!(moved.card.version, 2);
    let by_slug = w
        .copkit
        .get_community_by_slug(&helen, "wessex-appraisers")
        .await
        .unwrap();
    assert_eq!(by_slug.card.id, first);
    assert_eq!(
        w.copkit
            .get_community_by_slug(&helen, "appraisers")
            .await
            .err(),
        Some(Error::NotFound)
    );
    // The old slug is free again.
    w.community(
        &actor("andrew"),
        "appraisers",
        Visibility::Public,
        JoinPolicy::Open,
    )
    .await;
}

#[tokio::test]
async fn settings_need_the_owner_and_the_current_version() {
    let w = World::new();
    let helen = actor("helen");
    let mo = actor("mo");
    let c = w
        .community(
            &helen,
            "small-group",
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    w.add_member(&helen, &c, &mo).await;
    w.copkit
        .change_role(&helen, &c, &mo.user, Role::Moderator)
        .await
        .unwrap();

    let rename = CommunityChanges {
        name: Some("ST3 small group".into()),
        ..Default::default()
    };
    assert_eq!(
        w.copkit
            .update_community(&mo, &c, rename.clone(), 1)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::OwnersOnly))
    );
    w.copkit
        .update_community(&helen, &c, rename.clone(), 1)
        .await
        .unwrap();
    // A second editor who read version 1 gets a conflict, not a lost update.
    assert_eq!(
        w.copkit.update_community(&helen, &c, rename, 1).await.err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );
    // Secret implies invite-only.
    let secret = CommunityChanges {
        access: Some(Access::Secret),
        ..Default::default()
    };
    let view = w
        .copkit
        .update_community(&helen, &c, secret, 2)
        .await
        .unwrap();
    assert_eq!(view.card.visibility, Visibility::Secret);
    assert_eq!(view.card.join_policy, JoinPolicy::InviteOnly);
    assert_eq!(
        view.card.member_count, 2,
        "counts survive a settings change"
    );
}

#[tokio::test]
async fn outsiders_see_private_cards_but_never_secret_ones() {
    let w = World::new();
    let helen = actor("helen");
    let outsider = actor("outsider");
    let private = w
        .community(
            &helen,
            "private-group",
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    let secret = w
        .community(
            &helen,
            "trainers-only",
            Visibility::Secret,
            JoinPolicy::InviteOnly,
        )
        .await;
    let card = w.copkit.get_community(&outsider, &private).await.unwrap();
    assert_eq!(card.my_role, None);
    assert_eq!(card.card.member_count, 1);
    assert_eq!(
        w.copkit.get_community(&outsider, &secret).await.err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit
            .get_community_by_slug(&outsider, "trainers-only")
            .await
            .err(),
        Some(Error::NotFound)
    );
    assert_eq!(
        w.copkit
            .get_community_by_slug(&outsider, "Bad Slug!")
            .await
            .err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn the_directory_lists_public_and_private_by_name_with_cursors() {
    let w = World::new();
    let helen = actor("helen");
    let reader = actor("reader");
    for (slug, vis, policy) in [
        ("gamma", Visibility::Public, JoinPolicy::Open),
        ("alpha", Visibility::Private, JoinPolicy::Approval),
        ("hidden", Visibility::Secret, JoinPolicy::InviteOnly),
        ("beta", Visibility::Public, JoinPolicy::Open),
        ("delta", Visibility::Private, JoinPolicy::InviteOnly),
    ] {
        w.community(&helen, slug, vis, policy).await;
    }
    let mut names = Vec::new();
    let mut page = PageRequest::of(2);
    loop {
        let result = w
            .copkit
            .directory(&reader, None, None, &page)
            .await
            .unwrap();
        assert!(result.items.len() <= 2);
        names.extend(result.items.iter().map(|c| c.name.clone()));
        match result.next {
            Some(next) => page = PageRequest::after(next, 2),
            None => break,
        }
    }
    assert_eq!(
        names,
        ["Group alpha", "Group beta", "Group delta", "Group gamma"]
    );

    let prefixed = w
        .copkit
        .directory(&reader, None, Some("group b"), &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        prefixed
            .items
            .iter()
            .map(|c| c.slug.as_str())
            .collect::<Vec<_>>(),
        ["beta"]
    );
    let none = w
        .copkit
        .directory(
            &reader,
            Some(CommunityKind::EducatorGroup),
            None,
            &PageRequest::first(),
        )
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

#[tokio::test]
async fn cursors_are_bound_to_their_query_and_tamper_proof() {
    let w = World::new();
    let helen = actor("helen");
    for slug in ["aa-one", "aa-two", "aa-three"] {
        w.community(&helen, slug, Visibility::Public, JoinPolicy::Open)
            .await;
    }
    let first = w
        .copkit
        .directory(&helen, None, None, &PageRequest::of(1))
        .await
        .unwrap();
    let cursor = first.next.unwrap();
    // Replayed against another query (a prefix filter, another list).
    let replay = w
        .copkit
        .directory(
            &helen,
            None,
            Some("group"),
            &PageRequest::after(cursor.clone(), 1),
        )
        .await;
    assert_eq!(replay.err(), Some(Error::InvalidCursor));
    let c = w
        .copkit
        .my_communities(&helen, &PageRequest::first())
        .await
        .unwrap()
        .items[0]
        .card
        .id;
    let other_list = w
        .copkit
        .list_members(&helen, &c, &PageRequest::after(cursor.clone(), 1))
        .await;
    assert_eq!(other_list.err(), Some(Error::InvalidCursor));
    // Altered.
    let mut bytes = cursor.0.clone().into_bytes();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = Cursor(String::from_utf8(bytes).unwrap());
    let result = w
        .copkit
        .directory(&helen, None, None, &PageRequest::after(tampered, 1))
        .await;
    assert_eq!(result.err(), Some(Error::InvalidCursor));
    // Honest use works.
    let second = w
        .copkit
        .directory(&helen, None, None, &PageRequest::after(cursor, 1))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_ne!(second.items[0].id, first.items[0].id);
}

#[tokio::test]
async fn my_communities_cursor_belongs_to_its_owner() {
    let w = World::new();
    let helen = actor("helen");
    let andrew = actor("andrew");
    for slug in ["one-one", "two-two"] {
        w.community(&helen, slug, Visibility::Private, JoinPolicy::Approval)
            .await;
        w.community(
            &andrew,
            &format!("{slug}-a"),
            Visibility::Private,
            JoinPolicy::Approval,
        )
        .await;
    }
    let mine = w
        .copkit
        .my_communities(&helen, &PageRequest::of(1))
        .await
        .unwrap();
    let cursor = mine.next.unwrap();
    let stolen = w
        .copkit
        .my_communities(&andrew, &PageRequest::after(cursor, 1))
        .await;
    assert_eq!(stolen.err(), Some(Error::InvalidCursor));
}
