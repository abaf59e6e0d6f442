//! Several processes, one database file: races keep their invariants
//! across real processes, not only tasks. Each test is the parent when
//! `COPKIT_RACE_DB` is unset: it prepares the database, starts 16 copies of
//! this test binary running the same test as children (the variable set),
//! releases them together through a start file, waits, and checks the
//! outcome. A child does its one write and exits.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use copkit_core::model::{Access, CommunityKind, JoinPolicy, RsvpResponse};
use copkit_core::service::{EventInput, NewCommunity, NewInvitation};
use copkit_core::{Actor, Copkit, EventId, ManualClock, UserId};
use copkit_sqlite::{Database, SqliteStore};

const WORKERS: usize = 16;
const CAPACITY: u32 = 5;
/// The child's database; its presence makes a test run as a child.
const DB: &str = "COPKIT_RACE_DB";
/// The child's number.
const WORKER: &str = "COPKIT_RACE_WORKER";
/// What the child writes: an invitation token or an event id.
const TARGET: &str = "COPKIT_RACE_TARGET";

/// Monday 2 March 2026, 09:00 UTC: every process runs on this instant.
fn copkit(path: &Path) -> Copkit {
    let store = SqliteStore::new(Database::open(path).unwrap());
    Copkit::builder(Arc::new(store))
        .clock(Arc::new(ManualClock::new(
            "2026-03-02T09:00:00Z".parse().unwrap(),
        )))
        .build()
        .unwrap()
}

fn person(n: usize) -> Actor {
    Actor::new(UserId::new(format!("worker{n:02}")).unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn fresh_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sqlite-processes");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}.db", copkit_core::store::conformance::unique()))
}

/// The start file beside the database.
fn start_file(db: &Path) -> PathBuf {
    db.with_extension("go")
}

/// In a child: waits for the start file (at most 30 s).
fn wait_for_start(db: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !start_file(db).exists() {
        assert!(Instant::now() < deadline, "never released");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// In the parent: runs `test` in 16 child processes at once, releasing
/// them together; every child must exit successfully.
fn race(test: &str, db: &Path, target: &str) {
    let children: Vec<_> = (0..WORKERS)
        .map(|n| {
            Command::new(std::env::current_exe().unwrap())
                .args([test, "--exact", "--test-threads=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .env(DB, db)
                .env(WORKER, n.to_string())
                .env(TARGET, target)
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(start_file(db), b"go").unwrap();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a child failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The child's settings, when this process is a child.
fn child() -> Option<(PathBuf, usize, String)> {
    let db = std::env::var_os(DB)?;
    let n = std::env::var(WORKER).unwrap().parse().unwrap();
    Some((PathBuf::from(db), n, std::env::var(TARGET).unwrap()))
}

fn new_community(slug: &str) -> NewCommunity {
    NewCommunity {
        slug: slug.into(),
        name: "Race group".into(),
        purpose: String::new(),
        kind: CommunityKind::TrainingGroup,
        access: Access::Private {
            join_policy: JoinPolicy::InviteOnly,
        },
        join_question: None,
    }
}

#[test]
fn sixteen_processes_accepting_a_single_use_invitation_make_one_member() {
    if let Some((db, n, token)) = child() {
        let k = copkit(&db);
        wait_for_start(&db);
        // Losing is fine (a conflict); any other error fails the child.
        runtime().block_on(async {
            match k.accept_invitation(&person(n), &token).await {
                Ok(_) | Err(copkit_core::Error::Conflict(_)) => {}
                Err(other) => panic!("worker {n}: {other}"),
            }
        });
        return;
    }
    let db = fresh_path();
    let k = copkit(&db);
    let owner = Actor::new(UserId::new("owner").unwrap());
    let (community, token) = runtime().block_on(async {
        let c = k
            .create_community(&owner, new_community("race-invite"))
            .await
            .unwrap()
            .card
            .id;
        let invitation = k
            .create_invitation(&owner, &c, NewInvitation::link(1))
            .await
            .unwrap();
        (c, invitation.token)
    });
    race(
        "sixteen_processes_accepting_a_single_use_invitation_make_one_member",
        &db,
        &token,
    );
    runtime().block_on(async {
        let members = k
            .list_members(
                &owner,
                &community,
                &copkit_core::model::PageRequest::of(100),
            )
            .await
            .unwrap()
            .items;
        let joined: Vec<_> = members.iter().filter(|m| m.user != owner.user).collect();
        assert_eq!(joined.len(), 1, "exactly one member: {joined:?}");
        let card = k.get_community(&owner, &community).await.unwrap().card;
        assert_eq!(card.member_count, 2, "the count agrees");
    });
}

#[test]
fn sixteen_processes_rsvping_to_five_places_fill_exactly_five() {
    if let Some((db, n, event)) = child() {
        let k = copkit(&db);
        let event: EventId = event.parse().unwrap();
        wait_for_start(&db);
        runtime().block_on(async {
            match k
                .rsvp(
                    &person(n),
                    &event,
                    "2026-03-10T18:30:00",
                    RsvpResponse::Going,
                )
                .await
            {
                Ok(_) | Err(copkit_core::Error::Conflict(_)) => {}
                Err(other) => panic!("worker {n}: {other}"),
            }
        });
        return;
    }
    let db = fresh_path();
    let k = copkit(&db);
    let owner = Actor::new(UserId::new("owner").unwrap());
    let event = runtime().block_on(async {
        let c = k
            .create_community(&owner, new_community("race-rsvp"))
            .await
            .unwrap()
            .card
            .id;
        let link = k
            .create_invitation(&owner, &c, NewInvitation::link(WORKERS as u32))
            .await
            .unwrap();
        for n in 0..WORKERS {
            k.accept_invitation(&person(n), &link.token).await.unwrap();
        }
        let space = k
            .create_space(
                &owner,
                &c,
                copkit_core::service::NewSpace {
                    name: "Sessions".into(),
                    description: String::new(),
                    visibility: copkit_core::model::SpaceVisibility::Members,
                },
            )
            .await
            .unwrap()
            .id;
        k.schedule_event(
            &owner,
            &space,
            EventInput {
                title: "Simulation session".into(),
                description: String::new(),
                location: Some("Skills lab".into()),
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: jiff::civil::date(2026, 3, 10),
                start_time: "18:30".into(),
                duration_minutes: 60,
                recurrence: None,
                capacity: Some(CAPACITY),
            },
        )
        .await
        .unwrap()
        .id
    });
    race(
        "sixteen_processes_rsvping_to_five_places_fill_exactly_five",
        &db,
        &event.to_string(),
    );
    runtime().block_on(async {
        let tally = k
            .rsvp_tally(&owner, &event, "2026-03-10T18:30:00")
            .await
            .unwrap();
        assert_eq!(tally.going, CAPACITY, "{tally:?}");
        let mut going = 0;
        for n in 0..WORKERS {
            let answer = k
                .store()
                .get_rsvp(&event, "2026-03-10T18:30:00", &person(n).user)
                .await
                .unwrap();
            if answer.is_some_and(|r| r.response == RsvpResponse::Going) {
                going += 1;
            }
        }
        assert_eq!(going, CAPACITY, "as many RSVPs going as the tally says");
    });
}
