//! How the community health report and a member's digest scale: a
//! community of 2,000 members with 5,000, 20,000 and 50,000 activities over
//! 80 days (threads in one space), on the in-memory store and on SQLite (a
//! database file), each wrapped in a call counter. Prints, per size, the median time over 5 runs and the store
//! calls made by method (each a round trip on DynamoDB: a list page is one
//! Query, a batch one BatchGetItem) of the health report for the period, a
//! daily digest (its last day) and a weekly digest (its last 7 days).
//!
//! The last lines compare SQLite's times with the memory store's at each
//! size, measured in the same run.
//!
//! `cargo bench -p copkit-sqlite --bench health_scale`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use copkit_core::model::{
    Activity, ActivityKind, Community, CommunityCounts, CommunityKind, DigestFrequency,
    DigestPreference, JoinPolicy, JoinedVia, Membership, MembershipStatus, ParticipationLevel,
    Role, Slug, Space, SpaceVisibility, Thread, ThreadKind, Visibility,
};
use copkit_core::store::counting::CountingStore;
use copkit_core::store::{
    ActivityOp, CommunityOp, DiscussionOp, Expect, Op, SpaceOp, Store, Transaction,
};
use copkit_core::{
    ActivityId, Actor, CommunityId, Copkit, ManualClock, MemoryStore, PostId, SpaceId, ThreadId,
    UserId,
};
use copkit_sqlite::{Database, SqliteStore};
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
        departed_uploads: Default::default(),
    };
    let space = Space {
        id: SpaceId(ulid(1 << 59)),
        community: id,
        name: "Cases".into(),
        description: String::new(),
        visibility: SpaceVisibility::Members,
        archived_at: None,
        created_by: user(0),
        created_at: start(),
        updated_at: start(),
        version: 1,
    };
    let mut ops = vec![
        CommunityOp::CreateCommunity {
            community: community.clone(),
        }
        .into(),
        SpaceOp::PutSpace {
            space: space.clone(),
            expect: Expect::Absent,
        }
        .into(),
    ];
    for m in 0..MEMBERS {
        ops.push(
            CommunityOp::PutMembership {
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
            }
            .into(),
        );
    }
    let step = SignedDuration::from_hours(24 * 80) / i32::try_from(n).unwrap();
    for a in 0..n {
        let thread = ThreadId(ulid((1 << 50) + (a as u128 / 10)));
        let at = start() + step * i32::try_from(a).unwrap();
        let actor = user((a * 7919) % MEMBERS);
        let kind = match a % 10 {
            0 => {
                let kind = if a % 20 == 0 {
                    ThreadKind::Question
                } else {
                    ThreadKind::Discussion
                };
                ops.push(
                    DiscussionOp::PutThread {
                        thread: Thread {
                            id: thread,
                            space: space.id,
                            community: id,
                            kind,
                            title: format!("Thread {a}"),
                            body: "What do you do when...".into(),
                            tags: vec![],
                            mentions: vec![],
                            author: actor.clone(),
                            created_at: at,
                            edited_at: None,
                            last_activity_at: at,
                            post_count: 9,
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
                ActivityKind::ThreadStarted { thread, kind }
            }
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
        let in_space = !matches!(kind, ActivityKind::MemberJoined { .. });
        ops.push(
            ActivityOp::RecordActivity {
                activity: Activity {
                    id: ActivityId(ulid(a as u128)),
                    community: id,
                    space: in_space.then_some(space.id),
                    actor,
                    at,
                    kind,
                },
            }
            .into(),
        );
    }
    (community, ops)
}

/// Median time (ms) over [`RUNS`] runs of `job`, and the store calls of one.
async fn measure(
    counting: &CountingStore,
    job: impl AsyncFn() -> usize,
) -> (f64, BTreeMap<&'static str, u64>, usize) {
    let mut times = Vec::new();
    let mut calls = BTreeMap::new();
    let mut size = 0;
    for _ in 0..RUNS {
        counting.take();
        let started = Instant::now();
        size = job().await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        calls = counting.take();
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], calls, size)
}

/// One table row, with growth against the first size.
fn row(
    n: usize,
    (ms, calls, size): &(f64, BTreeMap<&'static str, u64>, usize),
    baseline: &mut Option<(f64, u64)>,
) -> String {
    let total: u64 = calls.values().sum();
    let by: Vec<String> = calls.iter().map(|(m, c)| format!("{m} {c}")).collect();
    let growth = baseline.map_or(String::new(), |(t0, c0)| {
        format!(
            " (×{:.1} time, ×{:.1} calls vs 5,000)",
            ms / t0,
            total as f64 / c0 as f64
        )
    });
    baseline.get_or_insert((*ms, total));
    format!(
        "| {n} | {size} | {ms:.1} | {total} | {}{growth} |",
        by.join(", ")
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    runtime.block_on(async {
      let mut health_ms: Vec<(&str, usize, f64)> = Vec::new();
      for store_name in ["memory", "sqlite"] {
        let mut tables = [
            (
                "health report for the 90-day period (items: activities counted)",
                Vec::new(),
                None,
            ),
            (
                "daily digest of a member (items: digest entries)",
                Vec::new(),
                None,
            ),
            (
                "weekly digest of a member (items: digest entries)",
                Vec::new(),
                None,
            ),
        ];
        for n in SIZES {
            let (community, ops) = seed(n);
            let store: Arc<dyn Store> = if store_name == "memory" {
                Arc::new(MemoryStore::new())
            } else {
                let path = folder.path().join(format!("health-{n}.db"));
                Arc::new(SqliteStore::new(Database::open(path).unwrap()))
            };
            for chunk in ops.chunks(50) {
                let mut tx = Transaction::new();
                for op in chunk {
                    tx.push(op.clone());
                }
                store.commit(tx).await.unwrap();
            }
            let counting = CountingStore::new(store);
            // Digests are chosen 7 days and 1 day before the last activity.
            let clock = Arc::new(ManualClock::new(start() + SignedDuration::from_hours(24 * 73)));
            let copkit = Copkit::builder(Arc::new(counting.clone()))
                .clock(clock.clone())
                .build()
                .unwrap();
            let (weekly, daily) = (Actor::new(user(5)), Actor::new(user(6)));
            let rhythm = |frequency| DigestPreference {
                frequency,
                ..DigestPreference::default()
            };
            copkit
                .set_digest_preference(&weekly, rhythm(DigestFrequency::Weekly))
                .await
                .unwrap();
            clock.advance(SignedDuration::from_hours(24 * 6));
            copkit
                .set_digest_preference(&daily, rhythm(DigestFrequency::Daily))
                .await
                .unwrap();
            clock.set(start() + SignedDuration::from_hours(24 * 80));

            let owner = Actor::new(user(0));
            let (from, to) = (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 3, 31));
            let health = measure(&counting, async || {
                let r = copkit
                    .community_health(&owner, &community.id, from, to)
                    .await
                    .unwrap();
                assert_eq!(r.members as usize, MEMBERS);
                (r.threads + r.replies + r.joins) as usize
            })
            .await;
            assert_eq!(health.2, n);
            health_ms.push((store_name, n, health.0));
            let digest = |who: Actor| {
                let copkit = copkit.clone();
                async move || {
                    let mail = copkit.preview_digest(&who).await.unwrap();
                    let d = &mail.digest.communities[0];
                    d.new_threads.len()
                        + d.unanswered_questions.len()
                        + d.new_members.len()
                        + d.accepted_answers.len()
                }
            };
            let daily_digest = measure(&counting, digest(daily)).await;
            let weekly_digest = measure(&counting, digest(weekly)).await;
            for (table, result) in tables
                .iter_mut()
                .zip([health, daily_digest, weekly_digest])
            {
                let line = row(n, &result, &mut table.2);
                table.1.push(line);
            }
        }
        println!(
            "\na community of {MEMBERS} members, activities over 80 days ({store_name} store, median of {RUNS} runs)"
        );
        for (title, rows, _) in tables {
            println!("\n{title}");
            println!("| activities | items | time (ms) | store calls | by method |");
            println!("|---:|---:|---:|---:|---|");
            for line in rows {
                println!("{line}");
            }
        }
      }
        println!("\nhealth report, SQLite vs memory (same run)");
        println!("| activities | memory (ms) | SQLite (ms) | SQLite / memory |");
        println!("|---:|---:|---:|---:|");
        for n in SIZES {
            let time = |name: &str| {
                health_ms
                    .iter()
                    .find(|(s, size, _)| *s == name && *size == n)
                    .map(|(_, _, ms)| *ms)
                    .unwrap()
            };
            let (memory, sqlite) = (time("memory"), time("sqlite"));
            println!("| {n} | {memory:.1} | {sqlite:.1} | {:.1} |", sqlite / memory);
        }
    });
}
