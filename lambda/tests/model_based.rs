//! Model-based testing: random sequences of operations (invite, accept,
//! leave, ban, promote, post, edit, delete, RSVP, erase) run against the
//! services on each store (memory, SQLite, DynamoDB on moto) and against a
//! small reference model of who is in the community. Each outcome must be
//! the one the model predicts, and after every step the invariants hold:
//! the community keeps an owner and the owners and members are exactly the
//! model's; an occurrence never has more going than its capacity; a
//! single-use invitation is used at most once; the members' space is
//! readable by exactly the current members (nobody who left, was banned or
//! erased, nor an outsider).
//!
//! Profiles: `COPKIT_MODEL_CASES` sequences of up to 50 operations (CI:
//! 64 on memory, 16 on SQLite, 4 on DynamoDB; the long run is
//! `COPKIT_MODEL_CASES=10000 cargo test --release -p copkit-lambda --test
//! model_based -- --include-ignored`).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::sync::Arc;

use common::services;
use copkit_core::model::{PageRequest, Role, RsvpResponse, SpaceVisibility, ThreadKind};
use copkit_core::service::{EventInput, NewInvitation, NewPost, NewSpace, NewThread};
use copkit_core::{Actor, CommunityId, Copkit, EventId, PostId, Store, ThreadId, UserId};
use proptest::prelude::*;
use proptest::test_runner::Config as RunConfig;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

/// People 0..PEOPLE; person 0 founds the community.
const PEOPLE: usize = 5;
const CAPACITY: u32 = 2;
const OCCURRENCE: &str = "2026-03-09T18:00:00";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Outside,
    Member,
    Owner,
    Banned,
}

#[derive(Debug, Clone)]
struct Model {
    standing: [Standing; PEOPLE],
    erased: [bool; PEOPLE],
    /// Invitations by index: used or not, and who made it (an invitation
    /// admits only while its maker may still invite).
    invitations: Vec<(bool, usize)>,
    /// Posts by index: author (None once erased) and deleted.
    posts: Vec<(Option<usize>, bool)>,
}

impl Model {
    fn active(&self, who: usize) -> bool {
        matches!(self.standing[who], Standing::Member | Standing::Owner)
    }
    fn owners(&self) -> usize {
        self.standing
            .iter()
            .filter(|s| **s == Standing::Owner)
            .count()
    }
    /// An owner to act for the community (the first one).
    fn an_owner(&self) -> Option<usize> {
        (0..PEOPLE).find(|w| self.standing[*w] == Standing::Owner)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Invite,
    Accept(usize, usize),
    Leave(usize),
    Ban(usize),
    Promote(usize),
    Post(usize),
    Edit(usize, usize),
    Delete(usize, usize),
    Rsvp(usize, bool),
    Erase(usize),
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        let mut standing = [Standing::Outside; PEOPLE];
        standing[0] = Standing::Owner;
        Just(Model {
            standing,
            erased: [false; PEOPLE],
            invitations: Vec::new(),
            posts: Vec::new(),
        })
        .boxed()
    }

    fn transitions(_state: &Model) -> BoxedStrategy<Op> {
        let who = 0..PEOPLE;
        prop_oneof![
            3 => Just(Op::Invite),
            4 => (who.clone(), 0..8usize).prop_map(|(w, i)| Op::Accept(w, i)),
            1 => who.clone().prop_map(Op::Leave),
            1 => who.clone().prop_map(Op::Ban),
            1 => who.clone().prop_map(Op::Promote),
            3 => who.clone().prop_map(Op::Post),
            2 => (who.clone(), 0..8usize).prop_map(|(w, p)| Op::Edit(w, p)),
            1 => (who.clone(), 0..8usize).prop_map(|(w, p)| Op::Delete(w, p)),
            2 => (who.clone(), any::<bool>()).prop_map(|(w, g)| Op::Rsvp(w, g)),
            1 => who.prop_map(Op::Erase),
        ]
        .boxed()
    }

    fn apply(mut m: Model, op: &Op) -> Model {
        match *op {
            Op::Invite => {
                if let Some(owner) = m.an_owner() {
                    m.invitations.push((false, owner));
                }
            }
            Op::Accept(who, i) => {
                if let Some((used, maker)) = m.invitations.get(i).copied()
                    && !used
                    && m.standing[maker] == Standing::Owner
                    && m.standing[who] == Standing::Outside
                {
                    m.invitations[i].0 = true;
                    m.standing[who] = Standing::Member;
                    m.erased[who] = false;
                }
            }
            Op::Leave(who) => {
                if m.standing[who] == Standing::Member
                    || (m.standing[who] == Standing::Owner && m.owners() > 1)
                {
                    m.standing[who] = Standing::Outside;
                }
            }
            Op::Ban(who) => {
                // An owner may ban anyone else, another owner too (the
                // banning owner stays).
                if let Some(owner) = m.an_owner()
                    && owner != who
                {
                    m.standing[who] = Standing::Banned;
                }
            }
            Op::Promote(who) => {
                if m.an_owner().is_some() && m.standing[who] == Standing::Member {
                    m.standing[who] = Standing::Owner;
                }
            }
            Op::Post(who) => {
                if m.active(who) {
                    m.posts.push((Some(who), false));
                }
            }
            Op::Edit(..) => {}
            Op::Delete(who, p) => {
                if let Some(post) = m.posts.get(p).copied()
                    && may_delete(&m, who, post)
                {
                    m.posts[p].1 = true;
                }
            }
            Op::Rsvp(..) => {}
            Op::Erase(who) => {
                if !(m.standing[who] == Standing::Owner && m.owners() == 1) {
                    if m.active(who) {
                        m.standing[who] = Standing::Outside;
                    }
                    m.erased[who] = true;
                    for post in m.posts.iter_mut() {
                        if post.0 == Some(who) {
                            post.0 = None;
                        }
                    }
                }
            }
        }
        m
    }
}

fn may_delete(m: &Model, who: usize, post: (Option<usize>, bool)) -> bool {
    m.active(who) && (post.0 == Some(who) || m.standing[who] == Standing::Owner)
}

/// Where the records are kept.
trait Backend: 'static {
    fn store(runtime: &tokio::runtime::Runtime) -> Arc<dyn Store>;
}

struct OnMemory;
impl Backend for OnMemory {
    fn store(_: &tokio::runtime::Runtime) -> Arc<dyn Store> {
        Arc::new(copkit_core::MemoryStore::new())
    }
}

struct OnSqlite;
impl Backend for OnSqlite {
    fn store(_: &tokio::runtime::Runtime) -> Arc<dyn Store> {
        Arc::new(common::sqlite::fresh_store())
    }
}

struct OnDynamo;
impl Backend for OnDynamo {
    fn store(runtime: &tokio::runtime::Runtime) -> Arc<dyn Store> {
        Arc::new(runtime.block_on(common::moto::fresh_store(None)))
    }
}

/// The services under test and what they named.
struct System {
    runtime: tokio::runtime::Runtime,
    copkit: Copkit,
    people: Vec<Actor>,
    c: CommunityId,
    thread: ThreadId,
    event: EventId,
    tokens: Vec<String>,
    posts: Vec<(PostId, u64)>,
    /// The model as it stood before the step being applied (the runner
    /// hands `apply` the model after it).
    model: Option<Model>,
}

impl System {
    fn new(store: Arc<dyn Store>, runtime: tokio::runtime::Runtime) -> System {
        let copkit = services::over(store).copkit;
        let people: Vec<Actor> = (0..PEOPLE)
            .map(|i| Actor::new(UserId::new(format!("person{i}")).unwrap()))
            .collect();
        let (c, thread, event) = runtime.block_on(async {
            let c = services::private_community(&copkit, &people[0], "model-group").await;
            let space = copkit
                .create_space(
                    &people[0],
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
            let thread = copkit
                .start_thread(
                    &people[0],
                    &space,
                    NewThread {
                        kind: ThreadKind::Discussion,
                        title: "Cases".into(),
                        body: String::new(),
                        tags: vec![],
                    },
                )
                .await
                .unwrap()
                .id;
            let event = copkit
                .schedule_event(
                    &people[0],
                    &space,
                    EventInput {
                        title: "Teaching".into(),
                        description: String::new(),
                        location: None,
                        online_url: None,
                        time_zone: "UTC".into(),
                        start_date: jiff::civil::date(2026, 3, 9),
                        start_time: "18:00".into(),
                        duration_minutes: 60,
                        recurrence: None,
                        capacity: Some(CAPACITY),
                    },
                )
                .await
                .unwrap()
                .id;
            (c, thread, event)
        });
        System {
            runtime,
            copkit,
            people,
            c,
            thread,
            event,
            tokens: Vec::new(),
            posts: Vec::new(),
            model: None,
        }
    }
}

struct Machine<B>(PhantomData<B>);

impl<B: Backend> StateMachineTest for Machine<B> {
    type SystemUnderTest = System;
    type Reference = Reference;

    fn init_test(initial: &Model) -> System {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = B::store(&runtime);
        let mut system = System::new(store, runtime);
        system.model = Some(initial.clone());
        system
    }

    fn apply(mut s: System, after: &Model, op: Op) -> System {
        let before = &s.model.replace(after.clone()).expect("the model so far");
        let k = s.copkit.clone();
        let c = s.c;
        let p = s.people.clone();
        let owner = before.an_owner();
        let runtime = std::mem::replace(
            &mut s.runtime,
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        );
        let (expected, outcome): (bool, Result<(), copkit_core::Error>) = runtime.block_on(async {
            match op {
                Op::Invite => {
                    let Some(owner) = owner else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    let made = k
                        .create_invitation(&p[owner], &c, NewInvitation::link(1))
                        .await
                        .map(|i| s.tokens.push(i.token));
                    (true, made)
                }
                Op::Accept(who, i) => {
                    let Some(token) = s.tokens.get(i) else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    let (used, maker) = before.invitations[i];
                    let expected = !used
                        && before.standing[maker] == Standing::Owner
                        && before.standing[who] == Standing::Outside;
                    (
                        expected,
                        k.accept_invitation(&p[who], token).await.map(|_| ()),
                    )
                }
                Op::Leave(who) => {
                    let expected = before.standing[who] == Standing::Member
                        || (before.standing[who] == Standing::Owner && before.owners() > 1);
                    (expected, k.leave(&p[who], &c).await)
                }
                Op::Ban(who) => {
                    let Some(owner) = owner else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    let expected = owner != who;
                    let banned = k
                        .ban_member(&p[owner], &c, &p[who].user, None, "Model ban.")
                        .await
                        .map(|_| ());
                    (expected, banned)
                }
                Op::Promote(who) => {
                    let Some(owner) = owner else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    // Making an owner an owner again changes nothing and is fine.
                    let expected = before.active(who);
                    let changed = k
                        .change_role(&p[owner], &c, &p[who].user, Role::Owner)
                        .await
                        .map(|_| ());
                    (expected, changed)
                }
                Op::Post(who) => {
                    let post = NewPost {
                        body: format!("A post by person {who}"),
                        parent: None,
                    };
                    let added = k
                        .add_post(&p[who], &s.thread, post)
                        .await
                        .map(|post| s.posts.push((post.id, post.version)));
                    (before.active(who), added)
                }
                Op::Edit(who, i) => {
                    let Some((id, version)) = s.posts.get(i).copied() else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    let (author, deleted) = before.posts[i];
                    let expected = before.active(who) && author == Some(who) && !deleted;
                    let edited = k
                        .edit_post(&p[who], &id, "Edited.", version)
                        .await
                        .map(|post| s.posts[i].1 = post.version);
                    (expected, edited)
                }
                Op::Delete(who, i) => {
                    let Some((id, _)) = s.posts.get(i).copied() else {
                        return (false, Err(copkit_core::Error::NotFound));
                    };
                    let expected = may_delete(before, who, before.posts[i]);
                    let deleted = k
                        .delete_post(&p[who], &id)
                        .await
                        .map(|post| s.posts[i].1 = post.version);
                    (expected, deleted)
                }
                Op::Rsvp(who, going) => {
                    let response = if going {
                        RsvpResponse::Going
                    } else {
                        RsvpResponse::Declined
                    };
                    let tally = k
                        .rsvp_tally(&p[0], &s.event, OCCURRENCE)
                        .await
                        .ok()
                        .map(|t| t.going);
                    let mine = k
                        .list_rsvps(&p[0], &s.event, OCCURRENCE, &PageRequest::first())
                        .await
                        .ok()
                        .and_then(|page| {
                            page.items
                                .into_iter()
                                .find(|r| r.user == p[who].user)
                                .map(|r| r.response)
                        });
                    let room = !going
                        || mine == Some(RsvpResponse::Going)
                        || tally.is_some_and(|t| t < CAPACITY);
                    let answered = k
                        .rsvp(&p[who], &s.event, OCCURRENCE, response)
                        .await
                        .map(|_| ());
                    // Whether person 0 can read the tally is not the model's
                    // business: only a member's RSVP with room is expected.
                    (before.active(who) && (room || tally.is_none()), answered)
                }
                Op::Erase(who) => {
                    let expected =
                        !(before.standing[who] == Standing::Owner && before.owners() == 1);
                    (expected, k.erase_my_account(&p[who]).await.map(|_| ()))
                }
            }
        });
        s.runtime = runtime;
        if let (Op::Rsvp(..), Err(copkit_core::Error::Conflict(_))) = (&op, &outcome) {
            // Full: allowed whatever the model expected (it does not count RSVPs).
            return s;
        }
        assert_eq!(
            outcome.is_ok(),
            expected,
            "{op:?} on {:?}: {outcome:?}",
            before.standing
        );
        s
    }

    fn check_invariants(s: &System, m: &Model) {
        s.runtime.block_on(async {
            let k = &s.copkit;
            let owner = m.an_owner().expect("the community keeps an owner");
            let mut members = BTreeMap::new();
            let mut page = PageRequest::first();
            loop {
                let chunk = k.list_members(&s.people[owner], &s.c, &page).await.unwrap();
                for member in chunk.items {
                    members.insert(member.user.to_string(), member.role);
                }
                match chunk.next {
                    Some(next) => page = PageRequest::after(next, 100),
                    None => break,
                }
            }
            let expected: BTreeMap<String, Role> = (0..PEOPLE)
                .filter_map(|w| match m.standing[w] {
                    Standing::Owner => Some((s.people[w].user.to_string(), Role::Owner)),
                    Standing::Member => Some((s.people[w].user.to_string(), Role::Member)),
                    _ => None,
                })
                .collect();
            assert_eq!(members, expected, "the roster is the model's");
            let tally = k
                .rsvp_tally(&s.people[owner], &s.event, OCCURRENCE)
                .await
                .unwrap();
            assert!(tally.going <= CAPACITY, "{tally:?}");
            let invitations = k
                .list_invitations(&s.people[owner], &s.c, &PageRequest::first())
                .await
                .unwrap();
            let used: BTreeSet<u32> = invitations.items.iter().map(|i| i.uses).collect();
            assert!(used.iter().all(|u| *u <= 1), "single use: {used:?}");
            for who in 0..PEOPLE {
                let read = k.get_thread(&s.people[who], &s.thread).await;
                assert_eq!(
                    read.is_ok(),
                    m.active(who),
                    "person {who} ({:?}) reading the members' thread: {read:?}",
                    m.standing[who]
                );
            }
        });
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("COPKIT_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run<B: Backend>(default_cases: u32) {
    let config = RunConfig {
        cases: cases(default_cases),
        failure_persistence: None,
        ..RunConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config.clone());
    runner
        .run(
            &Reference::sequential_strategy(50),
            |(initial, transitions, seen)| {
                Machine::<B>::test_sequential(config.clone(), initial, transitions, seen);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn on_memory() {
    run::<OnMemory>(64);
}

#[test]
fn on_sqlite() {
    run::<OnSqlite>(16);
}

#[test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
fn on_dynamodb() {
    run::<OnDynamo>(4);
}
