//! Erasure across families: what is anonymised and what is forgotten.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::ids::{UserId, ValueStoryId};
use crate::model::{
    Activity, DigestPreference, DigestSchedule, Handle, Participation, Profile, ValueKind,
    ValueStory,
};
use crate::store::{ActivityOp, ConditionFailure, DigestOp, Expect, Op, ProfileOp, Range, Store};

/// Erasure: an anonymised activity or value story leaves its person's
/// list but stays in the community's; forgotten records are gone with
/// their index entries (and forgetting twice is harmless).
pub async fn erasure_anonymises_and_forgets<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Erasure").await;
    let me = user("erased");
    let former = UserId::former_member();
    let mine: Vec<Activity> = (0..2)
        .map(|n| Activity {
            actor: me.clone(),
            ..activity(s.community, n)
        })
        .collect();
    for a in &mine {
        commit(
            store,
            vec![
                ActivityOp::RecordActivity {
                    activity: a.clone(),
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let anonymous = Activity {
        actor: former.clone(),
        ..mine[0].clone()
    };
    commit(
        store,
        vec![
            ActivityOp::AnonymiseActivity {
                activity: anonymous.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let listed = store
        .list_user_activity(&me, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(
        listed.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![mine[1].id]
    );
    let community = store
        .list_activity(&s.community, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert!(community.contains(&anonymous), "{community:?}");
    let never = commit(
        store,
        vec![
            ActivityOp::AnonymiseActivity {
                activity: activity(s.community, 7),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(never), (0, ConditionFailure::VersionMismatch));

    let story = ValueStory {
        id: ValueStoryId(ulid()),
        community: s.community,
        author: me.clone(),
        kind: ValueKind::Applied,
        title: "Story".into(),
        story: "It helped.".into(),
        thread: None,
        created_at: t0(),
        version: 1,
    };
    commit(
        store,
        vec![
            ActivityOp::PutValueStory {
                story: story.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let told = ValueStory {
        author: former.clone(),
        version: 2,
        ..story
    };
    commit(
        store,
        vec![
            ActivityOp::PutValueStory {
                story: told.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stories = store
        .list_user_value_stories(&me, &Range::first(10))
        .await
        .unwrap();
    assert!(stories.items.is_empty());
    let stories = store
        .list_value_stories(&s.community, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(stories.items, vec![told]);

    let handle = Handle::new(&format!("h{}", &unique()[..8])).unwrap();
    let p = Profile {
        handle: Some(handle.clone()),
        ..profile(&me, "Erased")
    };
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: p,
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let due = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 1_100);
    commit(
        store,
        vec![
            ActivityOp::PutParticipation {
                participation: Participation {
                    review_at: Some(due),
                    version: 1,
                    ..Participation::new(s.community, me.clone())
                },
                expect: Expect::Absent,
            }
            .into(),
            DigestOp::PutDigestSchedule {
                schedule: DigestSchedule {
                    user: me.clone(),
                    preference: DigestPreference::default(),
                    email: None,
                    next_due: Some(due),
                    covered_until: t0(),
                    updated_at: t0(),
                    version: 1,
                },
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let forget: Vec<Op> = vec![
        ProfileOp::ForgetProfile {
            user: me.clone(),
            handle: Some(handle.clone()),
        }
        .into(),
        ActivityOp::ForgetParticipation {
            community: s.community,
            user: me.clone(),
        }
        .into(),
        DigestOp::ForgetDigestSchedule { user: me.clone() }.into(),
    ];
    commit(store, forget.clone()).await.unwrap();
    commit(store, forget).await.unwrap();
    assert_eq!(store.get_profile(&me).await.unwrap(), None);
    assert_eq!(store.get_profile_by_handle(&handle).await.unwrap(), None);
    assert_eq!(
        store.get_participation(&s.community, &me).await.unwrap(),
        None
    );
    assert_eq!(store.get_digest_schedule(&me).await.unwrap(), None);
    let still_due = |users: Vec<UserId>| users.contains(&me);
    assert!(!still_due(
        store
            .participation_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.user)
            .collect()
    ));
    assert!(!still_due(
        store
            .digests_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.user)
            .collect()
    ));
}
