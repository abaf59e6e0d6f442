//! How the community health report scales: a community of 2,000 members
//! with 5,000, 20,000 and 50,000 activities in the period, on the
//! in-memory store wrapped in a call counter. Prints, per size, the
//! report's median time over 5 runs and the store calls it made by method
//! (each a round trip on DynamoDB: a list page is one Query, a batch one
//! BatchGetItem).
//!
//! `cargo bench -p copkit-core --features conformance --bench health_scale`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use copkit_core::model::{
    Activity, ActivityKind, Community, CommunityCounts, CommunityKind, JoinPolicy, JoinedVia,
    Membership, MembershipStatus, ParticipationLevel, Role, Slug, ThreadKind, Visibility,
};
use copkit_core::store::counting::CountingStore;
use copkit_core::store::{Expect, Op, Store, Transaction};
use copkit_core::{
    ActivityId, Actor, CommunityId, Copkit, ManualClock, MemoryStore, PostId, ThreadId, UserId,
};
use jiff::{SignedDuration, Timestamp};

const MEMBERS: usize = 2_000;
const SIZES: [usize; 3] = [5_000, 20_000, 50_000];
const RUNS: usize = 5;

fn start() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn ulid(n: u128) -> ulid::Ulid {
    ulid::Ulid(((n + 1) << 16) | 0x5eed)
}

fn user(n: usize) -> UserId {
    UserId::new(format!("m{n}")).unwrap()
}

/// The community, its members (the first owns it) and `n` activities spread
/// over 80 days: a thread in ten (a question in twenty), replies, joins.
fn seed(n: usize) -> (Community, Vec<Op>) {
    let id = CommunityId(ulid(1 << 60));
    let community = Community {
        id,
        slug: Slug::new("scale").unwrap(),
        name: "Scale".into(),
        purpose: String::new(),
        kind: CommunityKind::SpecialInterestGroup,
        visibility: Visibility::Private,
        join_policy: JoinPolicy::Approval,
        join_question: None,
        created_by: user(0),
        created_at: start(),
        updated_at: start(),
        version: 1,
        counts: CommunityCounts {
            members: MEMBERS as u32,
            guests: 0,
            owners: 1,
            spaces: 0,
        },
        level_rules: Default::default(),
    };
    let mut ops = vec![Op::CreateCommunity {
        community: community.clone(),
    }];
    for m in 0..MEMBERS {
        ops.push(Op::PutMembership {
            membership: Membership {
                community: id,
                user: user(m),
                role: if m == 0 { Role::Owner } else { Role::Member },
                status: MembershipStatus::Active,
                level: match m % 10 {
                    0 => ParticipationLevel::Core,
                    1..=3 => ParticipationLevel::Active,
                    _ => ParticipationLevel::Peripheral,
                },
                joined_at: start(),
                updated_at: start(),
                version: 1,
            },
            expect: Expect::Absent,
        });
    }
    let step = SignedDuration::from_hours(24 * 80) / i32::try_from(n).unwrap();
    for a in 0..n {
        let thread = ThreadId(ulid((1 << 50) + (a as u128 / 10)));
        let kind = match a % 10 {
            0 => ActivityKind::ThreadStarted {
                thread,
                kind: if a % 20 == 0 {
                    ThreadKind::Question
                } else {
                    ThreadKind::Discussion
                },
            },
            9 => ActivityKind::MemberJoined {
                user: user(a % MEMBERS),
                role: Role::Member,
                via: JoinedVia::Approval,
            },
            _ => ActivityKind::PostAdded {
                thread,
                post: PostId(ulid((1 << 40) + a as u128)),
                reply: false,
            },
        };
        ops.push(Op::RecordActivity {
            activity: Activity {
                id: ActivityId(ulid(a as u128)),
                community: id,
                space: None,
                actor: user((a * 7919) % MEMBERS),
                at: start() + step * i32::try_from(a).unwrap(),
                kind,
            },
        });
    }
    (community, ops)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("health report of a community of {MEMBERS} members (in-memory store, median of {RUNS} runs)");
        println!("| activities in the period | time (ms) | store calls | by method |");
        println!("|---:|---:|---:|---|");
        let mut baseline = None;
        for n in SIZES {
            let (community, ops) = seed(n);
            let memory: Arc<dyn Store> = Arc::new(MemoryStore::new());
            for chunk in ops.chunks(50) {
                let mut tx = Transaction::new();
                for op in chunk {
                    tx.push(op.clone());
                }
                memory.commit(tx).await.unwrap();
            }
            let counting = CountingStore::new(memory);
            let clock = Arc::new(ManualClock::new(start() + SignedDuration::from_hours(24 * 85)));
            let copkit = Copkit::builder(Arc::new(counting.clone()))
                .clock(clock)
                .build()
                .unwrap();
            let owner = Actor::new(user(0));
            let (from, to) = (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 3, 31));
            let mut times = Vec::new();
            let mut calls = Default::default();
            for _ in 0..RUNS {
                counting.take();
                let started = Instant::now();
                let r = copkit
                    .community_health(&owner, &community.id, from, to)
                    .await
                    .unwrap();
                times.push(started.elapsed().as_secs_f64() * 1e3);
                calls = counting.take();
                assert_eq!((r.threads + r.replies + r.joins) as usize, n);
                assert_eq!(r.members as usize, MEMBERS);
            }
            times.sort_by(f64::total_cmp);
            let ms = times[RUNS / 2];
            let total: u64 = calls.values().sum();
            let by: Vec<String> = calls.iter().map(|(m, c)| format!("{m} {c}")).collect();
            let growth = baseline.map_or(String::new(), |(t0, c0): (f64, u64)| {
                format!(" (×{:.1} time, ×{:.1} calls vs 5,000)", ms / t0, total as f64 / c0 as f64)
            });
            baseline.get_or_insert((ms, total));
            println!("| {n} | {ms:.1} | {total} | {}{growth} |", by.join(", "));
        }
    });
}
