//! Digest schedules and the outbox.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::clock::{IdSource, RandomIds};
use crate::ids::{MailId, UserId};
use crate::model::{Digest, DigestFrequency, DigestPreference, DigestSchedule, Mail};
use crate::store::{ConditionFailure, DigestOp, Expect, Range, Store};

/// Digest schedules: read back, due in order of `next_due` (switched-off
/// ones never), moved by a versioned rewrite; mail: stored once per id and
/// listed per person, newest first, in pages.
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
        created_at: t0() + SignedDuration::from_hours(n),
    };
    let mails: Vec<Mail> = (1..=3).map(mail).collect();
    for m in &mails {
        commit(store, vec![DigestOp::PutMail { mail: m.clone() }.into()])
            .await
            .unwrap();
    }
    let again = commit(
        store,
        vec![
            DigestOp::PutMail {
                mail: mails[0].clone(),
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
}
