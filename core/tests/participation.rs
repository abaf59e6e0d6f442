//! Participation levels through the use cases, with a clock: contributions
//! move a member up, time moves them down (by the scheduled review), the
//! roster lists by level, rules are the community's, and a racing write
//! never costs the member their point.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{
    JoinPolicy, LevelRules, PageRequest, ParticipationLevel, SpaceVisibility, ThreadKind,
    Visibility,
};
use copkit_core::service::{CommunityChanges, NewPost, NewThread};
use copkit_core::{Actor, CommunityId, Error, SpaceId};

struct Group {
    w: World,
    c: CommunityId,
    space: SpaceId,
    owner: Actor,
    tom: Actor,
    mia: Actor,
}

async fn group() -> Group {
    let w = World::new();
    let owner = actor("helen");
    let tom = actor("tom");
    let mia = actor("mia");
    let c = w
        .community(&owner, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&owner, &c, &tom).await;
    w.add_member(&owner, &c, &mia).await;
    let space = w
        .copkit
        .create_space(&owner, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    Group {
        w,
        c,
        space,
        owner,
        tom,
        mia,
    }
}

fn thread(kind: ThreadKind, title: &str) -> NewThread {
    NewThread {
        kind,
        title: title.into(),
        body: String::new(),
        tags: vec![],
    }
}

fn reply(body: &str) -> NewPost {
    NewPost {
        body: body.into(),
        parent: None,
    }
}

async fn level(g: &Group, who: &Actor) -> ParticipationLevel {
    g.w.copkit.my_level(who, &g.c).await.unwrap().level
}

async fn at_level(g: &Group, level: ParticipationLevel) -> Vec<String> {
    g.w.copkit
        .list_members_at_level(&g.owner, &g.c, level, &PageRequest::first())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.user.to_string())
        .collect()
}

#[tokio::test]
async fn contributions_move_a_member_up_and_time_moves_them_down() {
    let g = group().await;
    let k = &g.w.copkit;
    assert_eq!(level(&g, &g.tom).await, ParticipationLevel::Peripheral);
    let standing = k.my_level(&g.tom, &g.c).await.unwrap();
    assert_eq!(
        (standing.points, standing.points_to_next_level),
        (0, Some(3))
    );

    // A question (2) and a reply (1): Active at the default 3 points.
    let q = k
        .start_thread(
            &g.tom,
            &g.space,
            thread(ThreadKind::Question, "Febrile infant"),
        )
        .await
        .unwrap();
    assert_eq!(level(&g, &g.tom).await, ParticipationLevel::Peripheral);
    k.add_post(&g.tom, &q.id, reply("Any local guidance?"))
        .await
        .unwrap();
    assert_eq!(level(&g, &g.tom).await, ParticipationLevel::Active);
    assert_eq!(at_level(&g, ParticipationLevel::Active).await, vec!["tom"]);
    assert_eq!(
        at_level(&g, ParticipationLevel::Peripheral).await,
        vec!["mia"]
    );
    assert_eq!(at_level(&g, ParticipationLevel::Core).await, vec!["helen"]);

    // Mia's accepted answer (3 points) makes her Active too.
    let answer = k
        .add_post(&g.mia, &q.id, reply("Use the traffic-light table."))
        .await
        .unwrap();
    k.accept_answer(&g.tom, &q.id, Some(answer.id))
        .await
        .unwrap();
    let mia = k.my_level(&g.mia, &g.c).await.unwrap();
    assert_eq!((mia.level, mia.points), (ParticipationLevel::Active, 4));

    // 89 days on, still inside the 90-day window; the review changes nothing.
    g.w.advance_days(89);
    let report = k.review_participation().await.unwrap();
    assert_eq!(report.changed, 0);
    assert_eq!(level(&g, &g.tom).await, ParticipationLevel::Active);

    // A day later the contributions leave the window: the member's own
    // view says so at once, and the scheduled review moves the roster.
    g.w.advance_days(1);
    let standing = k.my_level(&g.tom, &g.c).await.unwrap();
    assert_eq!(
        (standing.level, standing.points),
        (ParticipationLevel::Peripheral, 0)
    );
    assert_eq!(
        at_level(&g, ParticipationLevel::Active).await,
        vec!["mia", "tom"]
    );
    let report = k.review_participation().await.unwrap();
    assert_eq!((report.reviewed, report.changed), (2, 2));
    assert!(at_level(&g, ParticipationLevel::Active).await.is_empty());
    assert_eq!(
        at_level(&g, ParticipationLevel::Peripheral).await,
        vec!["mia", "tom"]
    );
    // Nothing is due any more.
    assert_eq!(k.review_participation().await.unwrap().reviewed, 0);
}

#[tokio::test]
async fn the_community_sets_its_own_thresholds() {
    let g = group().await;
    let k = &g.w.copkit;
    let version = g.w.view(&g.owner, &g.c).await.card.version;
    let bad = k
        .update_community(
            &g.owner,
            &g.c,
            CommunityChanges {
                level_rules: Some(LevelRules {
                    window_days: 3,
                    ..LevelRules::default()
                }),
                ..Default::default()
            },
            version,
        )
        .await;
    assert_eq!(invalid_fields(bad), vec!["level_rules.window_days"]);
    let rules = LevelRules {
        window_days: 30,
        active_points: 1,
        core_points: 2,
    };
    let view = k
        .update_community(
            &g.owner,
            &g.c,
            CommunityChanges {
                level_rules: Some(rules),
                ..Default::default()
            },
            version,
        )
        .await
        .unwrap();
    assert_eq!(view.card.level_rules, rules);
    k.start_thread(
        &g.mia,
        &g.space,
        thread(ThreadKind::Discussion, "Audit ideas"),
    )
    .await
    .unwrap();
    let mia = k.my_level(&g.mia, &g.c).await.unwrap();
    assert_eq!(
        (mia.level, mia.points, mia.points_to_next_level),
        (ParticipationLevel::Core, 2, None)
    );
    assert_eq!(
        mia.level_holds_until,
        Some("2026-04-01T00:00:00Z".parse().unwrap())
    );
}

#[tokio::test]
async fn owners_and_moderators_are_core_and_outsiders_have_no_level() {
    let g = group().await;
    let k = &g.w.copkit;
    let owner = k.my_level(&g.owner, &g.c).await.unwrap();
    assert_eq!(
        (owner.level, owner.points_to_next_level),
        (ParticipationLevel::Core, None)
    );
    assert_eq!(
        k.my_level(&actor("stranger"), &g.c).await.unwrap_err(),
        Error::NotFound
    );
    // Guests and outsiders never see the roster by level.
    assert!(matches!(
        k.list_members_at_level(
            &actor("stranger"),
            &g.c,
            ParticipationLevel::Core,
            &PageRequest::first()
        )
        .await,
        Err(Error::Forbidden(_) | Error::NotFound)
    ));
}

#[tokio::test]
async fn concurrent_contributions_all_count() {
    let g = group().await;
    let k = &g.w.copkit;
    let q = k
        .start_thread(
            &g.owner,
            &g.space,
            thread(ThreadKind::Discussion, "Busy thread"),
        )
        .await
        .unwrap();
    let posts = (0..12).map(|n| {
        let k = k.clone();
        let tom = g.tom.clone();
        let q = q.id;
        tokio::spawn(async move { k.add_post(&tom, &q, reply(&format!("point {n}"))).await })
    });
    for p in futures::future::join_all(posts).await {
        p.unwrap().unwrap();
    }
    let tom = k.my_level(&g.tom, &g.c).await.unwrap();
    assert_eq!(tom.points, 12);
    assert_eq!(tom.level, ParticipationLevel::Active);
}

#[tokio::test]
async fn value_stories_are_told_by_members_and_count() {
    use copkit_core::model::ValueKind;
    use copkit_core::service::NewValueStory;
    let g = group().await;
    let k = &g.w.copkit;
    let story = |kind, title: &str| NewValueStory {
        kind,
        title: title.into(),
        story: "Our recall of patients on lithium is now monthly.".into(),
        thread: None,
    };
    let told = k
        .tell_value_story(&g.tom, &g.c, story(ValueKind::Applied, "Lithium recall"))
        .await
        .unwrap();
    assert_eq!(told.author.to_string(), "tom");
    k.tell_value_story(
        &g.mia,
        &g.c,
        story(ValueKind::Realised, "Fewer missed bloods"),
    )
    .await
    .unwrap();
    let listed = k
        .list_value_stories(&g.owner, &g.c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        vec!["Fewer missed bloods", "Lithium recall"]
    );
    assert_eq!(k.my_level(&g.tom, &g.c).await.unwrap().points, 2);
    // Outsiders never see them; bad input names the field.
    assert!(
        k.list_value_stories(&actor("stranger"), &g.c, &PageRequest::first())
            .await
            .is_err()
    );
    let bad = k
        .tell_value_story(&g.tom, &g.c, story(ValueKind::Immediate, "x"))
        .await;
    assert_eq!(invalid_fields(bad), vec!["title"]);
}
