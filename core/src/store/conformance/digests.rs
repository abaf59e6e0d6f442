//! Digest schedules and the outbox.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::clock::{IdSource, RandomIds};
use crate::ids::{MailId, UserId};
use crate::model::{
    DeliveryStatus, Digest, DigestFrequency, DigestPreference, DigestSchedule, Mail, MailDelivery,
};
use crate::store::{ConditionFailure, DigestOp, Expect, Range, Store};

/// Digest schedules: read back, due in order of `next_due` (switched-off
/// ones never), moved by a versioned rewrite; mail: stored once per id and
/// listed per person, newest first, in pages; pending mail due in order of
/// its next attempt.
pub async fn digest_schedules_come_due_and_the_outbox_lists<S: Store + ?Sized>(store: &S) {
    // Due in 1972: nothing else in a shared table is due that early.
    let early = |days: i64| Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * (730 + days));
    let schedule = |label: &str, due: Option<i64>| DigestSchedule {
        user: user(label),
        preference: DigestPreference {
            frequency: if due.is_some() {
                DigestFrequency::Daily
            } else {
                DigestFrequency::Off
            },
            ..DigestPreference::default()
        },
        email: Some(format!("{label}@example.org")),
        next_due: due.map(early),
        covered_until: t0(),
        updated_at: t0(),
        version: 1,
    };
    let (first, second, off) = (
        schedule("first", Some(2)),
        schedule("second", Some(1)),
        schedule("off", None),
    );
    for s in [&first, &second, &off] {
        commit(
            store,
            vec![
                DigestOp::PutDigestSchedule {
                    schedule: s.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        store.get_digest_schedule(&first.user).await.unwrap(),
        Some(first.clone())
    );
    let ours = [&first.user, &second.user, &off.user];
    let mine = |due: Vec<DigestSchedule>| -> Vec<UserId> {
        due.into_iter()
            .map(|s| s.user)
            .filter(|u| ours.contains(&u))
            .collect()
    };
    assert_eq!(
        mine(store.digests_due(early(3), 100).await.unwrap()),
        vec![second.user.clone(), first.user.clone()]
    );
    assert_eq!(store.digests_due(early(3), 1).await.unwrap().len(), 1);
    assert!(mine(store.digests_due(early(0), 100).await.unwrap()).is_empty());
    let moved = DigestSchedule {
        next_due: Some(early(300)),
        version: 2,
        ..second.clone()
    };
    let put = |s: &DigestSchedule, expect| {
        DigestOp::PutDigestSchedule {
            schedule: s.clone(),
            expect,
        }
        .into()
    };
    commit(store, vec![put(&moved, Expect::Version(1))])
        .await
        .unwrap();
    assert_eq!(
        mine(store.digests_due(early(3), 100).await.unwrap()),
        vec![first.user.clone()]
    );
    let stale = commit(store, vec![put(&moved, Expect::Version(1))]).await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));

    let digest = Digest {
        user: first.user.clone(),
        since: t0(),
        until: t0() + SignedDuration::from_hours(24),
        communities: vec![],
    };
    let mail = |n: i64| Mail {
        id: MailId(RandomIds.ulid(t0() + SignedDuration::from_hours(n))),
        to: first.user.clone(),
        email: first.email.clone(),
        subject: format!("Digest {n}"),
        text: "Nothing new".into(),
        html: "<p>Nothing new</p>".into(),
        digest: digest.clone(),
        notification: None,
        unsubscribe_url: None,
        created_at: t0() + SignedDuration::from_hours(n),
        delivery: MailDelivery::pending(early(n)),
        version: 1,
    };
    let mails: Vec<Mail> = (1..=3).map(mail).collect();
    for m in &mails {
        commit(
            store,
            vec![
                DigestOp::PutMail {
                    mail: Box::new(m.clone()),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let again = commit(
        store,
        vec![
            DigestOp::PutMail {
                mail: Box::new(mails[0].clone()),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| {
            let to = first.user.clone();
            async move { store.list_outbox(&to, &r).await }
        })
        .await;
        let subjects: Vec<String> = listed.into_iter().map(|m| m.subject).collect();
        assert_eq!(
            subjects,
            vec!["Digest 3", "Digest 2", "Digest 1"],
            "limit {limit}"
        );
    }
    let nobody = store
        .list_outbox(&second.user, &Range::first(10))
        .await
        .unwrap();
    assert!(nobody.items.is_empty() && nobody.next.is_none());

    // Pending mail comes due by its next attempt, earliest first; a
    // versioned rewrite moves it (later, or out when sent) and a stale one
    // fails.
    let mine = |due: Vec<Mail>| -> Vec<String> {
        due.into_iter()
            .filter(|m| m.to == first.user)
            .map(|m| m.subject)
            .collect()
    };
    assert_eq!(
        mine(store.mail_due(early(2), 100).await.unwrap()),
        vec!["Digest 1", "Digest 2"]
    );
    assert!(mine(store.mail_due(early(0), 100).await.unwrap()).is_empty());
    assert_eq!(store.mail_due(early(3), 1).await.unwrap().len(), 1);
    let later = Mail {
        delivery: MailDelivery {
            attempts: 1,
            next_attempt_at: Some(early(400)),
            last_error: Some("throttled".into()),
            ..mails[0].delivery.clone()
        },
        version: 2,
        ..mails[0].clone()
    };
    let sent = Mail {
        delivery: MailDelivery {
            status: DeliveryStatus::Sent,
            attempts: 1,
            next_attempt_at: None,
            sent_at: Some(early(2)),
            last_error: None,
        },
        version: 2,
        ..mails[1].clone()
    };
    let put = |m: &Mail, expect| {
        DigestOp::PutMail {
            mail: Box::new(m.clone()),
            expect,
        }
        .into()
    };
    commit(
        store,
        vec![
            put(&later, Expect::Version(1)),
            put(&sent, Expect::Version(1)),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        mine(store.mail_due(early(3), 100).await.unwrap()),
        vec!["Digest 3"]
    );
    assert_eq!(
        mine(store.mail_due(early(400), 100).await.unwrap()),
        vec!["Digest 3", "Digest 1"]
    );
    let stale = commit(store, vec![put(&sent, Expect::Version(1))]).await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let listed = store
        .list_outbox(&first.user, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items[1], sent);
    assert_eq!(listed.items[2], later);
    // Forgetting a pending mail takes it off the due list too.
    commit(
        store,
        vec![
            DigestOp::ForgetMail {
                user: first.user.clone(),
                id: mails[2].id,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        mine(store.mail_due(early(400), 100).await.unwrap()),
        vec!["Digest 1"]
    );
}
