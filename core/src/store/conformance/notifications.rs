//! Notifications, inbox bookkeeping, preferences and the fan-out queue.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::ids::{ActivityId, CommunityId};
use crate::model::{
    Activity, ActivityKind, FanoutJob, InboxState, Notification, NotificationChannel,
    NotificationChoices, NotificationKind, NotificationPreferences, NotificationTopic,
    TopicChannel,
};
use crate::store::{ConditionFailure, Expect, NotificationOp, Range, Store, StoreError, Wanted};

fn notification(
    user: &crate::ids::UserId,
    actor: &crate::ids::UserId,
    id: ActivityId,
) -> Notification {
    Notification {
        id,
        user: user.clone(),
        community: CommunityId(ulid()),
        space: None,
        actor: actor.clone(),
        at: t0(),
        kind: NotificationKind::JoinApproved,
        title: "Appraisers".into(),
        channel: NotificationChannel::InApp,
        read_at: None,
        version: 1,
    }
}

/// Notifications: created once per person and activity, listed newest
/// first in pages, rewritten by version; the inbox state and preferences
/// read back and refuse stale writes; queued activity comes due in order of
/// `due`, moves when rewritten, leaves when forgotten.
pub async fn notifications_list_count_and_queue<S: Store + ?Sized>(store: &S) {
    let reader = user("reader");
    let other = user("other");
    let actor = user("actor");
    let ids: Vec<ActivityId> = (0..5).map(|_| ActivityId(ulid())).collect();
    for id in &ids {
        commit(
            store,
            vec![
                NotificationOp::PutNotification {
                    notification: notification(&reader, &actor, *id),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    // The same activity twice for one person: refused, nothing changed.
    let again = commit(
        store,
        vec![
            NotificationOp::PutNotification {
                notification: notification(&reader, &actor, ids[0]),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await;
    assert!(matches!(
        again,
        Err(StoreError::Condition {
            failure: ConditionFailure::AlreadyExists,
            ..
        })
    ));
    // Newest first, in pages that lose nothing.
    let mut seen = Vec::new();
    let mut range = Range::first(2);
    loop {
        let chunk = store.list_notifications(&reader, &range).await.unwrap();
        assert!(chunk.items.len() <= 2);
        seen.extend(chunk.items.iter().map(|n| n.id));
        match chunk.next {
            Some(next) => range.after = Some(next),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    // Someone else's inbox is theirs alone.
    assert!(
        store
            .list_notifications(&other, &Range::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Listed by actor too: one more in someone else's inbox, in pages.
    commit(
        store,
        vec![
            NotificationOp::PutNotification {
                notification: notification(&other, &actor, ids[0]),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let by_actor = |actor: crate::ids::UserId| async move {
        let mut seen = Vec::new();
        let mut range = Range::first(2);
        loop {
            let chunk = store
                .list_notifications_by_actor(&actor, &range)
                .await
                .unwrap();
            seen.extend(chunk.items.iter().map(|n| (n.user.clone(), n.id)));
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return seen,
            }
        }
    };
    let mut expected: Vec<_> = ids
        .iter()
        .map(|id| (reader.clone(), *id))
        .chain([(other.clone(), ids[0])])
        .collect();
    expected.sort();
    assert_eq!(by_actor(actor.clone()).await, expected);
    // Rewritten with another actor, it moves.
    let stranger = user("stranger");
    commit(
        store,
        vec![
            NotificationOp::PutNotification {
                notification: Notification {
                    version: 2,
                    ..notification(&other, &stranger, ids[0])
                },
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(by_actor(stranger).await, vec![(other.clone(), ids[0])]);
    expected.retain(|(u, _)| *u != other);
    assert_eq!(by_actor(actor.clone()).await, expected);
    // Marked read by version.
    let mut read = store
        .get_notification(&reader, &ids[1])
        .await
        .unwrap()
        .unwrap();
    read.read_at = Some(t0());
    read.version = 2;
    let put_read = |expect| {
        commit(
            store,
            vec![
                NotificationOp::PutNotification {
                    notification: read.clone(),
                    expect,
                }
                .into(),
            ],
        )
    };
    put_read(Expect::Version(1)).await.unwrap();
    assert!(put_read(Expect::Version(1)).await.is_err());
    assert_eq!(
        store.get_notification(&reader, &ids[1]).await.unwrap(),
        Some(read.clone())
    );

    // Inbox state and preferences.
    let state = InboxState {
        unread: 4,
        read_through: Some(ids[0]),
        version: 1,
        ..InboxState::empty(reader.clone())
    };
    let put_state = |state: &InboxState, expect| {
        commit(
            store,
            vec![
                NotificationOp::PutInboxState {
                    state: state.clone(),
                    expect,
                }
                .into(),
            ],
        )
    };
    put_state(&state, Expect::Absent).await.unwrap();
    assert!(put_state(&state, Expect::Absent).await.is_err());
    assert_eq!(store.get_inbox_state(&reader).await.unwrap(), Some(state));
    assert_eq!(store.get_inbox_state(&other).await.unwrap(), None);
    let preferences = NotificationPreferences {
        user: reader.clone(),
        choices: NotificationChoices {
            topics: vec![TopicChannel {
                topic: NotificationTopic::Reply,
                channel: NotificationChannel::Off,
            }],
            communities: vec![],
        },
        email: Some("reader@example.org".into()),
        effective: vec![],
        updated_at: t0(),
        version: 1,
    };
    commit(
        store,
        vec![
            NotificationOp::PutNotificationPreferences {
                preferences: preferences.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_notification_preferences(&reader).await.unwrap(),
        Some(preferences)
    );

    // Erasure's deletes.
    commit(
        store,
        vec![
            NotificationOp::ForgetNotification {
                user: reader.clone(),
                id: ids[2],
            }
            .into(),
            NotificationOp::ForgetInboxState {
                user: reader.clone(),
            }
            .into(),
            NotificationOp::ForgetNotificationPreferences {
                user: reader.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_notification(&reader, &ids[2]).await.unwrap(),
        None
    );
    assert_eq!(store.get_inbox_state(&reader).await.unwrap(), None);
    assert_eq!(
        store.get_notification_preferences(&reader).await.unwrap(),
        None
    );

    // The fan-out queue. Due in 1971: nothing else in a shared table is
    // due that early.
    let early = |days: i64| Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * (365 + days));
    let job = |due: i64| FanoutJob {
        activity: Activity {
            id: ActivityId(ulid()),
            community: CommunityId(ulid()),
            space: None,
            actor: reader.clone(),
            at: t0(),
            kind: ActivityKind::CommunityUpdated,
        },
        due: early(due),
        attempts: 0,
        version: 1,
    };
    let (later, sooner) = (job(2), job(1));
    let ours = [later.activity.id, sooner.activity.id];
    let mine = |due: Vec<FanoutJob>| -> Vec<ActivityId> {
        due.into_iter()
            .map(|j| j.activity.id)
            .filter(|id| ours.contains(id))
            .collect()
    };
    for j in [&later, &sooner] {
        commit(
            store,
            vec![
                NotificationOp::PutFanout {
                    job: j.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        mine(store.fanouts_due(early(3), 100).await.unwrap()),
        vec![sooner.activity.id, later.activity.id]
    );
    assert!(mine(store.fanouts_due(early(0), 100).await.unwrap()).is_empty());
    assert_eq!(
        store.fanouts_due(early(3), 100).await.unwrap()[..2]
            .iter()
            .find(|j| j.activity.id == sooner.activity.id),
        Some(&sooner)
    );
    // A lease moves it past the other; a stale lease is refused.
    let leased = FanoutJob {
        due: early(5),
        attempts: 1,
        version: 2,
        ..sooner.clone()
    };
    let lease = |expect| {
        commit(
            store,
            vec![
                NotificationOp::PutFanout {
                    job: leased.clone(),
                    expect,
                }
                .into(),
            ],
        )
    };
    lease(Expect::Version(1)).await.unwrap();
    assert!(lease(Expect::Version(1)).await.is_err());
    assert_eq!(
        mine(store.fanouts_due(early(3), 100).await.unwrap()),
        vec![later.activity.id]
    );
    assert_eq!(
        mine(store.fanouts_due(early(6), 100).await.unwrap()),
        vec![later.activity.id, sooner.activity.id]
    );
    // Read by its activity's id, as it stands now.
    let mut read = store
        .get_records(&[
            Wanted::Fanout(sooner.activity.id),
            Wanted::Fanout(ActivityId(ulid())),
        ])
        .await
        .unwrap();
    assert_eq!(read.fanout(), Some(leased.clone()));
    assert_eq!(read.fanout(), None, "an unknown activity is not found");
    commit(
        store,
        vec![
            NotificationOp::ForgetFanout {
                activity: later.activity.id,
            }
            .into(),
            NotificationOp::ForgetFanout {
                activity: sooner.activity.id,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert!(mine(store.fanouts_due(early(6), 100).await.unwrap()).is_empty());
    let mut gone = store
        .get_records(&[Wanted::Fanout(later.activity.id)])
        .await
        .unwrap();
    assert_eq!(gone.fanout(), None, "forgotten");
}
