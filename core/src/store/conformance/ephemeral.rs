//! Short-lived records: remembered writes and rate-limit tallies.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::store::{Remembered, Store};

fn claim(fingerprint: &str, expires_in: i64) -> Remembered {
    Remembered {
        fingerprint: fingerprint.into(),
        answer: None,
        expires_at: t0() + SignedDuration::from_secs(expires_in),
    }
}

/// An `Idempotency-Key`: taken once, held while live (the holder is
/// returned, nothing written), answered, released only while in progress,
/// and free again once expired.
pub async fn remembered_keys_are_taken_once_and_lapse<S: Store + ?Sized>(store: &S) {
    let key = format!("idem-{}", unique());
    let now = t0();
    assert_eq!(
        store.claim_key(&key, &claim("a", 60), now).await.unwrap(),
        None
    );
    let held = store.claim_key(&key, &claim("b", 60), now).await.unwrap();
    assert_eq!(held, Some(claim("a", 60)), "a live claim holds the key");

    store.release_key(&key).await.unwrap();
    assert_eq!(
        store.claim_key(&key, &claim("c", 60), now).await.unwrap(),
        None,
        "a released key is free"
    );
    let done = Remembered {
        fingerprint: "c".into(),
        answer: Some("{\"status\":201}".into()),
        expires_at: t0() + SignedDuration::from_hours(24),
    };
    store.keep_answer(&key, &done).await.unwrap();
    store.release_key(&key).await.unwrap();
    let later = t0() + SignedDuration::from_hours(1);
    assert_eq!(
        store.claim_key(&key, &claim("d", 60), later).await.unwrap(),
        Some(done.clone()),
        "a kept answer is replayed, not released"
    );
    let expired = t0() + SignedDuration::from_hours(25);
    let fresh = Remembered {
        expires_at: expired + SignedDuration::from_secs(60),
        ..claim("e", 0)
    };
    assert_eq!(
        store.claim_key(&key, &fresh, expired).await.unwrap(),
        None,
        "an expired answer frees the key"
    );
    assert_eq!(
        store
            .claim_key(&key, &claim("f", 0), expired)
            .await
            .unwrap(),
        Some(fresh)
    );
}

/// Many callers racing for one key: exactly one takes it.
pub async fn a_key_raced_for_is_taken_once<S: Store + ?Sized>(store: &S) {
    let key = format!("race-{}", unique());
    let claims: Vec<Remembered> = (0..8).map(|i| claim(&i.to_string(), 60)).collect();
    let attempts = claims.iter().map(|c| store.claim_key(&key, c, t0()));
    let results = futures::future::join_all(attempts).await;
    let winners = results.iter().filter(|r| matches!(r, Ok(None))).count();
    assert_eq!(winners, 1, "{results:?}");
}

/// A tally counts up to its limit and refuses after, per key, and starts
/// over once it lapses.
pub async fn tallies_count_to_their_limit_and_lapse<S: Store + ?Sized>(store: &S) {
    let key = format!("tally-{}", unique());
    let other = format!("tally-{}", unique());
    let ends = t0() + SignedDuration::from_hours(1);
    for _ in 0..3 {
        assert!(store.count_toward(&key, 3, ends, t0()).await.unwrap());
    }
    assert!(!store.count_toward(&key, 3, ends, t0()).await.unwrap());
    assert!(!store.count_toward(&key, 3, ends, t0()).await.unwrap());
    assert!(
        store.count_toward(&other, 3, ends, t0()).await.unwrap(),
        "tallies are per key"
    );
    let next = ends + SignedDuration::from_hours(1);
    assert!(
        store.count_toward(&key, 3, next, ends).await.unwrap(),
        "a lapsed tally starts over"
    );
    assert!(store.count_toward(&key, 3, next, ends).await.unwrap());
}

/// Many callers counting at once never pass the limit.
pub async fn a_tally_raced_for_never_passes_its_limit<S: Store + ?Sized>(store: &S) {
    let key = format!("tally-race-{}", unique());
    let ends = t0() + SignedDuration::from_hours(1);
    let attempts = (0..12).map(|_| store.count_toward(&key, 5, ends, t0()));
    let results = futures::future::join_all(attempts).await;
    let counted = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(counted, 5, "{results:?}");
}
