//! Whether a list page costs the same whatever the list holds: page 1 (20
//! items) of a space's threads, a community's members and its activity,
//! with N = 100, 10,000 and 100,000 of each, on every store this bench
//! knows (today the in-memory store; the SQLite store joins it). Prints the
//! median time of a page per size and the ratio of the largest size to the
//! smallest, measured in the same run (the target is at most 1.2).
//!
//! `cargo bench -p copkit-core --features conformance --bench page_scale`
//! (`PAGE_SCALE_MAX=10000` stops at a smaller size.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use copkit_core::model::{
    Activity, ActivityKind, JoinedVia, Role, Space, SpaceVisibility, Thread, ThreadKind, Visibility,
};
use copkit_core::store::conformance::{community, membership};
use copkit_core::store::{
    ActivityOp, CommunityOp, DiscussionOp, Expect, MemberFilter, Op, Range, SpaceOp, Store,
    Transaction,
};
use copkit_core::{ActivityId, CommunityId, MemoryStore, SpaceId, ThreadId, UserId};
use jiff::{SignedDuration, Timestamp};

const SIZES: [usize; 3] = [100, 10_000, 100_000];
const PAGE: u32 = 20;
const RUNS: usize = 301;

fn start() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn ulid(n: u128) -> ulid::Ulid {
    ulid::Ulid(((n + 1) << 16) | 0x5eed)
}

/// A community with one space, `n` threads, `n` members and `n` activities.
fn seed(n: usize) -> (CommunityId, SpaceId, Vec<Op>) {
    let c = community("Scale", Visibility::Private);
    let space = Space {
        id: SpaceId(ulid(1 << 59)),
        community: c.id,
        name: "Cases".into(),
        description: String::new(),
        visibility: SpaceVisibility::Members,
        archived_at: None,
        created_by: c.created_by.clone(),
        created_at: start(),
        updated_at: start(),
        version: 1,
    };
    let mut ops: Vec<Op> = vec![
        CommunityOp::CreateCommunity {
            community: c.clone(),
        }
        .into(),
        SpaceOp::PutSpace {
            space: space.clone(),
            expect: Expect::Absent,
        }
        .into(),
    ];
    for i in 0..n {
        let at = start() + SignedDuration::from_secs(i as i64);
        let user = UserId::new(format!("m{i:06}")).unwrap();
        let role = if i % 50 == 0 {
            Role::Moderator
        } else {
            Role::Member
        };
        ops.push(
            CommunityOp::PutMembership {
                membership: membership(c.id, &user, role),
                expect: Expect::Absent,
            }
            .into(),
        );
        let thread = ThreadId(ulid((1 << 50) + i as u128));
        ops.push(
            DiscussionOp::PutThread {
                thread: Thread {
                    id: thread,
                    space: space.id,
                    community: c.id,
                    kind: ThreadKind::Discussion,
                    title: format!("Thread {i}"),
                    body: String::new(),
                    tags: vec![],
                    mentions: vec![],
                    author: user.clone(),
                    created_at: at,
                    edited_at: None,
                    last_activity_at: at,
                    post_count: 0,
                    pinned: false,
                    locked: false,
                    accepted_answer: None,
                    deleted_at: None,
                    version: 1,
                },
                expect: Expect::Absent,
            }
            .into(),
        );
        ops.push(
            ActivityOp::RecordActivity {
                activity: Activity {
                    id: ActivityId(ulid(i as u128)),
                    community: c.id,
                    space: None,
                    actor: user.clone(),
                    at,
                    kind: ActivityKind::MemberJoined {
                        user,
                        role,
                        via: JoinedVia::Invitation,
                    },
                },
            }
            .into(),
        );
    }
    (c.id, space.id, ops)
}

/// Median microseconds of one call of `page` over [`RUNS`] runs.
async fn median_us(page: impl AsyncFn() -> usize) -> f64 {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let items = page().await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
        assert_eq!(items, PAGE as usize, "a full first page");
    }
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

/// The three page times at size `n` on `store`.
async fn pages(store: Arc<dyn Store>, n: usize) -> [f64; 3] {
    let (c, space, ops) = seed(n);
    for chunk in ops.chunks(90) {
        let mut tx = Transaction::new();
        for op in chunk {
            tx.push(op.clone());
        }
        store.commit(tx).await.unwrap();
    }
    let first = Range::first(PAGE);
    let threads = median_us(async || {
        store
            .list_threads(&space, &first)
            .await
            .unwrap()
            .items
            .len()
    })
    .await;
    let members = median_us(async || {
        store
            .list_members(&c, MemberFilter::Active, &first)
            .await
            .unwrap()
            .items
            .len()
    })
    .await;
    let activity =
        median_us(async || store.list_activity(&c, &first).await.unwrap().items.len()).await;
    [threads, members, activity]
}

fn main() {
    let max: usize = std::env::var("PAGE_SCALE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let sizes: Vec<usize> = SIZES.into_iter().filter(|n| *n <= max).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    type Factory = fn() -> Arc<dyn Store>;
    let stores: [(&str, Factory); 1] = [("memory", || Arc::new(MemoryStore::new()))];
    runtime.block_on(async {
        println!("page 1 ({PAGE} items), median of {RUNS} runs, microseconds");
        println!("| store | N | threads | members | activity |");
        println!("|---|---|---|---|---|");
        for (name, make) in stores {
            let mut rows = Vec::new();
            for &n in &sizes {
                let t = pages(make(), n).await;
                println!("| {name} | {n} | {:.1} | {:.1} | {:.1} |", t[0], t[1], t[2]);
                rows.push(t);
            }
            if let (Some(small), Some(large)) = (rows.first(), rows.last()) {
                println!(
                    "| {name} | ratio {}/{} | {:.2} | {:.2} | {:.2} |",
                    sizes[sizes.len() - 1],
                    sizes[0],
                    large[0] / small[0],
                    large[1] / small[1],
                    large[2] / small[2]
                );
            }
        }
    });
}
