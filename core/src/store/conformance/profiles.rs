//! Profiles and handles.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use super::fixtures::*;
use crate::ids::UserId;
use crate::model::{CalendarFeed, Handle, Profile, TokenHash};
use crate::store::{ConditionFailure, Expect, ProfileOp, Store};

pub async fn profiles_put_get_and_version<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    let bob = user("bob");
    assert_eq!(store.get_profile(&ann).await.unwrap(), None);
    let p = profile(&ann, "Ann");
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: p.clone(),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(store.get_profile(&ann).await.unwrap(), Some(p.clone()));

    // Creating again fails; updating with the read version works once.
    let again = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: p.clone(),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    let v2 = Profile {
        display_name: "Dr Ann".into(),
        version: 2,
        ..p.clone()
    };
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: v2.clone(),
                expect: Expect::Version(1),
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: v2.clone(),
                expect: Expect::Version(1),
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let missing = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: profile(&bob, "Bob"),
                expect: Expect::Version(1),
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(missing), (0, ConditionFailure::VersionMismatch));

    let many = store
        .get_profiles(&[ann.clone(), bob.clone(), ann.clone()])
        .await
        .unwrap();
    assert_eq!(many, vec![v2]);
    assert!(store.get_profiles(&[]).await.unwrap().is_empty());
}

pub async fn handles_are_unique_and_move<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    let bob = user("bob");
    let h1 = Handle::new(&format!("h{}", &unique()[..20])).unwrap();
    let h2 = Handle::new(&format!("g{}", &unique()[..20])).unwrap();
    let with = |p: Profile, h: Option<Handle>, v: u64| Profile {
        handle: h,
        version: v,
        ..p
    };
    let ann_p = with(profile(&ann, "Ann"), Some(h1.clone()), 1);
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: ann_p.clone(),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h1)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(ann.clone())
    );

    let bob_p = with(profile(&bob, "Bob"), Some(h1.clone()), 1);
    let taken = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: bob_p.clone(),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(taken), (0, ConditionFailure::AlreadyExists));
    assert_eq!(
        store.get_profile(&bob).await.unwrap(),
        None,
        "nothing written"
    );

    // Ann moves to h2: h1 is free again, in the same write.
    let moved = with(ann_p.clone(), Some(h2.clone()), 2);
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: moved,
                expect: Expect::Version(1),
                previous_handle: Some(h1.clone()),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(store.get_profile_by_handle(&h1).await.unwrap(), None);
    assert_eq!(
        store
            .get_profile_by_handle(&h2)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(ann.clone())
    );
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: bob_p,
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h1)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(bob)
    );
    // Keeping one's own handle is no clash.
    let renamed = Profile {
        display_name: "Dr Ann".into(),
        ..with(ann_p, Some(h2.clone()), 3)
    };
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: renamed,
                expect: Expect::Version(2),
                previous_handle: Some(h2.clone()),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h2)
            .await
            .unwrap()
            .map(|p| p.display_name),
        Some("Dr Ann".into())
    );
}

/// Calendar feeds: read back by person and by token hash; a new token
/// revokes the previous one (its hash finds nothing) in the same write; a
/// token another person holds cannot be claimed; a stale rewrite fails;
/// forgetting the feed releases its token.
pub async fn calendar_feeds_claim_their_token_and_rotate<S: Store + ?Sized>(store: &S) {
    let (ann, bob) = (user("feed-ann"), user("feed-bob"));
    let hash = |label: &str| TokenHash::of(&format!("{}-{label}", unique()));
    let (first, second, bobs) = (hash("first"), hash("second"), hash("bob"));
    let feed = |who: &UserId, token: &TokenHash, version| CalendarFeed {
        user: who.clone(),
        token_hash: token.clone(),
        created_at: t0(),
        version,
    };
    let put = |f: CalendarFeed, expect, previous: Option<TokenHash>| {
        ProfileOp::PutCalendarFeed {
            feed: f,
            expect,
            previous,
        }
        .into()
    };
    commit(
        store,
        vec![put(feed(&ann, &first, 1), Expect::Absent, None)],
    )
    .await
    .unwrap();
    commit(store, vec![put(feed(&bob, &bobs, 1), Expect::Absent, None)])
        .await
        .unwrap();
    assert_eq!(
        store.get_calendar_feed(&ann).await.unwrap(),
        Some(feed(&ann, &first, 1))
    );
    assert_eq!(
        store.get_calendar_feed_by_token(&first).await.unwrap(),
        Some(feed(&ann, &first, 1))
    );

    // Bob's token cannot become Ann's.
    let taken = commit(
        store,
        vec![put(
            feed(&ann, &bobs, 2),
            Expect::Version(1),
            Some(first.clone()),
        )],
    )
    .await;
    assert_eq!(failure(taken).1, ConditionFailure::AlreadyExists);
    assert!(
        store
            .get_calendar_feed_by_token(&first)
            .await
            .unwrap()
            .is_some()
    );

    // A new token revokes the old one.
    commit(
        store,
        vec![put(
            feed(&ann, &second, 2),
            Expect::Version(1),
            Some(first.clone()),
        )],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_calendar_feed_by_token(&first).await.unwrap(),
        None
    );
    assert_eq!(
        store.get_calendar_feed_by_token(&second).await.unwrap(),
        Some(feed(&ann, &second, 2))
    );
    let stale = commit(
        store,
        vec![put(
            feed(&ann, &first, 2),
            Expect::Version(1),
            Some(second.clone()),
        )],
    )
    .await;
    assert_eq!(failure(stale).1, ConditionFailure::VersionMismatch);
    assert_eq!(
        store.get_calendar_feed_by_token(&bobs).await.unwrap(),
        Some(feed(&bob, &bobs, 1))
    );

    // Forgetting it releases its token.
    commit(
        store,
        vec![
            ProfileOp::ForgetCalendarFeed {
                user: ann.clone(),
                token: Some(second.clone()),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(store.get_calendar_feed(&ann).await.unwrap(), None);
    assert_eq!(
        store.get_calendar_feed_by_token(&second).await.unwrap(),
        None
    );
    assert!(store.get_calendar_feed(&bob).await.unwrap().is_some());
}
