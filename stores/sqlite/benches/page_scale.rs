//! Whether a list page costs the same whatever the list holds: page 1 (20
//! items) of a space's threads, a community's members and its activity,
//! with N = 100, 10,000 and 100,000 of each, on the in-memory store and on
//! SQLite (a database file in a temporary folder). Prints the median time
//! of a page per size and the ratio of the largest size to the smallest,
//! measured in the same run (the target is at most 1.2).
//!
//! `cargo bench -p copkit-sqlite --bench page_scale`
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
use copkit_sqlite::{Database, SqliteStore};
use jiff::{SignedDuration, Timestamp};

const SIZES: [usize; 3] = [100, 10_000, 100_000];
const PAGE: u32 = 20;
const RUNS: usize = 1001;

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
                    hidden: None,
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

/// One store seeded at one size, ready to be read.
struct Seeded {
    store: Arc<dyn Store>,
    community: CommunityId,
    space: SpaceId,
}

async fn seeded(store: Arc<dyn Store>, n: usize) -> Seeded {
    let (community, space, ops) = seed(n);
    for chunk in ops.chunks(90) {
        let mut tx = Transaction::new();
        for op in chunk {
            tx.push(op.clone());
        }
        store.commit(tx).await.unwrap();
    }
    Seeded {
        store,
        community,
        space,
    }
}

/// Microseconds of one read of each list's first page.
async fn read_once(s: &Seeded) -> [f64; 3] {
    let first = Range::first(PAGE);
    let mut times = [0.0; 3];
    for (list, time) in times.iter_mut().enumerate() {
        let started = Instant::now();
        let items = match list {
            0 => s
                .store
                .list_threads(&s.space, &first)
                .await
                .unwrap()
                .items
                .len(),
            1 => s
                .store
                .list_members(&s.community, MemberFilter::Active, &first)
                .await
                .unwrap()
                .items
                .len(),
            _ => s
                .store
                .list_activity(&s.community, &first)
                .await
                .unwrap()
                .items
                .len(),
        };
        *time = started.elapsed().as_secs_f64() * 1e6;
        assert_eq!(items, PAGE as usize, "a full first page");
    }
    times
}

/// The median page times at each size, measured in rounds that visit
/// every size in turn (so a slower moment of the machine weighs on all
/// sizes alike).
async fn medians(seeded: &[Seeded]) -> Vec<[f64; 3]> {
    let mut samples: Vec<[Vec<f64>; 3]> = seeded.iter().map(|_| Default::default()).collect();
    for _ in 0..RUNS {
        for (s, sample) in seeded.iter().zip(samples.iter_mut()) {
            let times = read_once(s).await;
            for list in 0..3 {
                sample[list].push(times[list]);
            }
        }
    }
    samples
        .into_iter()
        .map(|mut sample| {
            sample.each_mut().map(|times| {
                times.sort_by(f64::total_cmp);
                times[times.len() / 2]
            })
        })
        .collect()
}

/// Makes a store for one size.
type MakeStore<'a> = dyn Fn(usize) -> Arc<dyn Store> + 'a;

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
    let folder = tempfile::tempdir().unwrap();
    let sqlite = |n: usize| -> Arc<dyn Store> {
        let path = folder.path().join(format!("pages-{n}.db"));
        Arc::new(SqliteStore::new(Database::open(path).unwrap()))
    };
    let memory = |_: usize| -> Arc<dyn Store> { Arc::new(MemoryStore::new()) };
    let stores: [(&str, &MakeStore<'_>); 2] = [("memory", &memory), ("sqlite", &sqlite)];
    runtime.block_on(async {
        println!("page 1 ({PAGE} items), median of {RUNS} runs, microseconds");
        println!("| store | N | threads | members | activity |");
        println!("|---|---|---|---|---|");
        for (name, make) in stores {
            let mut stores = Vec::new();
            for &n in &sizes {
                stores.push(seeded(make(n), n).await);
            }
            let rows = medians(&stores).await;
            for (n, t) in sizes.iter().zip(&rows) {
                println!("| {name} | {n} | {:.1} | {:.1} | {:.1} |", t[0], t[1], t[2]);
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
