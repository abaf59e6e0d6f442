//! Posts created per second through the use case (`Copkit::add_post`: the
//! check, the post, the thread's counters and the activity record in one
//! transaction): on the memory store, on SQLite with one writer, and on
//! SQLite with 4 writer processes sharing the file (this binary, started
//! again as children and released together). One run prints each rate and
//! its ratio to the memory store's.
//!
//! `cargo bench -p copkit-sqlite --bench write_scale`
//! (`WRITE_SCALE_POSTS=400` for a quicker run; default 2,000.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use copkit_core::model::{Access, CommunityKind, JoinPolicy, SpaceVisibility, ThreadKind};
use copkit_core::service::{NewCommunity, NewInvitation, NewPost, NewSpace, NewThread};
use copkit_core::{Actor, Copkit, MemoryStore, Store, ThreadId, UserId};
use copkit_sqlite::{Database, SqliteStore};

const WRITERS: usize = 4;
/// Set in a child: the database, its number, the thread and how many posts.
const CHILD: &str = "WRITE_SCALE_CHILD";

fn owner() -> Actor {
    Actor::new(UserId::new("owner").unwrap())
}

/// Writer `n` (a member, with their own participation record: writers
/// sharing one person would contend for it).
fn writer(n: usize) -> Actor {
    Actor::new(UserId::new(format!("writer{n}")).unwrap())
}

/// The services, without per-person limits: one writer adds thousands of
/// posts in seconds here, and the bench measures the write path itself.
fn copkit(store: Arc<dyn Store>) -> Copkit {
    let mut config = copkit_core::Config::with_cursor_key([8; 32]);
    config.rate_limits = copkit_core::service::RateLimits::off();
    Copkit::builder(store).config(config).build().unwrap()
}

/// A community, a space and one thread per writer; the threads.
async fn prepare(k: &Copkit) -> Vec<ThreadId> {
    let c = k
        .create_community(
            &owner(),
            NewCommunity {
                slug: "write-scale".into(),
                name: "Write scale".into(),
                purpose: String::new(),
                kind: CommunityKind::LearningSet,
                access: Access::Private {
                    join_policy: JoinPolicy::InviteOnly,
                },
                join_question: None,
            },
        )
        .await
        .unwrap()
        .card
        .id;
    let space = k
        .create_space(
            &owner(),
            &c,
            NewSpace {
                name: "Cases".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap()
        .id;
    let link = k
        .create_invitation(&owner(), &c, NewInvitation::link(WRITERS as u32))
        .await
        .unwrap();
    for n in 0..WRITERS {
        k.accept_invitation(&writer(n), &link.token).await.unwrap();
    }
    let mut threads = Vec::new();
    for n in 0..WRITERS {
        let thread = k
            .start_thread(
                &owner(),
                &space,
                NewThread {
                    kind: ThreadKind::Discussion,
                    title: format!("Thread {n}"),
                    body: String::new(),
                    tags: vec![],
                },
            )
            .await
            .unwrap();
        threads.push(thread.id);
    }
    threads
}

async fn add_posts(k: &Copkit, who: &Actor, thread: &ThreadId, count: usize) {
    for n in 0..count {
        k.add_post(
            who,
            thread,
            NewPost {
                body: format!("Reply {n}: what we learnt from this case."),
                parent: None,
            },
        )
        .await
        .unwrap();
    }
}

/// Posts per second of one writer on `store`.
async fn one_writer(store: Arc<dyn Store>, posts: usize) -> f64 {
    let k = copkit(store);
    let threads = prepare(&k).await;
    let started = Instant::now();
    add_posts(&k, &writer(0), &threads[0], posts).await;
    posts as f64 / started.elapsed().as_secs_f64()
}

fn start_file(db: &Path) -> PathBuf {
    db.with_extension("go")
}

/// Posts per second of [`WRITERS`] processes on one SQLite file.
async fn writer_processes(db: &Path, posts: usize) -> f64 {
    let k = copkit(Arc::new(SqliteStore::new(Database::open(db).unwrap())));
    let threads = prepare(&k).await;
    let each = posts / WRITERS;
    let children: Vec<_> = threads
        .iter()
        .enumerate()
        .map(|(n, thread)| {
            Command::new(std::env::current_exe().unwrap())
                .env(CHILD, format!("{}|{n}|{thread}|{each}", db.display()))
                .spawn()
                .unwrap()
        })
        .collect();
    // Every child has opened the database before the clock starts.
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    std::fs::write(start_file(db), b"go").unwrap();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }
    (each * WRITERS) as f64 / started.elapsed().as_secs_f64()
}

/// In a child: opens the file, waits for the start, writes its posts.
async fn child(spec: &str) {
    let mut parts = spec.split('|');
    let db = PathBuf::from(parts.next().unwrap());
    let n: usize = parts.next().unwrap().parse().unwrap();
    let thread: ThreadId = parts.next().unwrap().parse().unwrap();
    let count: usize = parts.next().unwrap().parse().unwrap();
    let k = copkit(Arc::new(SqliteStore::new(Database::open(&db).unwrap())));
    while !start_file(&db).exists() {
        std::thread::sleep(Duration::from_millis(1));
    }
    add_posts(&k, &writer(n), &thread, count).await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(spec) = std::env::var(CHILD) {
        runtime.block_on(child(&spec));
        return;
    }
    let posts: usize = std::env::var("WRITE_SCALE_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let folder = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let memory = one_writer(Arc::new(MemoryStore::new()), posts).await;
        let sqlite_store = SqliteStore::new(Database::open(folder.path().join("one.db")).unwrap());
        let sqlite = one_writer(Arc::new(sqlite_store), posts).await;
        let processes = writer_processes(&folder.path().join("four.db"), posts).await;
        println!("posts created per second ({posts} posts, Copkit::add_post)");
        println!("| store | posts/s | vs memory |");
        println!("|---|---|---|");
        println!("| memory, one writer | {memory:.0} | 1.00 |");
        println!(
            "| SQLite, one writer | {sqlite:.0} | {:.3} |",
            sqlite / memory
        );
        println!(
            "| SQLite, {WRITERS} writer processes | {processes:.0} | {:.3} |",
            processes / memory
        );
    });
}
