//! The community health report against a recomputation from the raw
//! records: random communities (people joining and leaving, threads and
//! questions, replies, documents, events and attendance, time passing),
//! each figure recomputed by its definition (`service::health` docs) from
//! what the script did, for a random period.
//!
//! `COPKIT_HEALTH_CASES` sets the number of communities (48 by default).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{World, actor, new_space};
use copkit_core::model::{JoinPolicy, SpaceVisibility, ThreadKind, Visibility};
use copkit_core::service::{EventInput, NewDocument, NewPost, NewThread};
use copkit_core::{Actor, Clock, EventId, ThreadId};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const PEOPLE: usize = 4;

#[derive(Debug, Clone)]
enum Step {
    Join(usize),
    Leave(usize),
    Thread(usize, bool),
    Reply(usize, usize),
    Document(usize),
    /// An event `days` ahead at 18:00 London time.
    Event(i64),
    Attend(usize, usize, bool),
    Hours(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let who = 0..=PEOPLE; // PEOPLE is Helen, the owner
    prop_oneof![
        (0..PEOPLE).prop_map(Step::Join),
        (0..PEOPLE).prop_map(Step::Leave),
        (who.clone(), any::<bool>()).prop_map(|(w, q)| Step::Thread(w, q)),
        (who.clone(), 0..8usize).prop_map(|(w, t)| Step::Reply(w, t)),
        who.clone().prop_map(Step::Document),
        (0..5i64).prop_map(Step::Event),
        (0..6usize, 0..PEOPLE, any::<bool>()).prop_map(|(e, w, p)| Step::Attend(e, w, p)),
        (1..80i64).prop_map(Step::Hours),
    ]
}

/// What the script did, as the raw records say.
#[derive(Default)]
struct Model {
    joins: Vec<Timestamp>,
    leaves: Vec<Timestamp>,
    /// Thread id, start, author, question.
    threads: Vec<(ThreadId, Timestamp, usize, bool)>,
    /// Thread index, time, author.
    posts: Vec<(usize, Timestamp, usize)>,
    documents: Vec<(Timestamp, usize)>,
    /// Event id, its start, its occurrence key.
    events: Vec<(EventId, Timestamp, String)>,
    /// (event index, person) → present, as last recorded.
    attendance: BTreeMap<(usize, usize), bool>,
    members: BTreeSet<usize>,
}

fn within(t: Timestamp, start: Timestamp, end: Timestamp) -> bool {
    start <= t && t < end
}

async fn run(steps: Vec<Step>, period: (i64, i64)) {
    let w = World::new(); // Monday 2 March 2026, 09:00 UTC
    let k = &w.copkit;
    let people: Vec<Actor> = (0..=PEOPLE).map(|i| actor(&format!("p{i}"))).collect();
    let helen = &people[PEOPLE];
    let c = w
        .community(helen, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    let space = k
        .create_space(helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let mut m = Model::default();
    m.joins.push(w.clock.now());
    m.members.insert(PEOPLE);
    let first_day = w
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    for step in steps {
        // Every step takes a minute, so no two records share an instant.
        w.clock.advance(SignedDuration::from_mins(1));
        let now = w.clock.now();
        match step {
            Step::Join(i) if !m.members.contains(&i) => {
                w.add_member(helen, &c, &people[i]).await;
                m.members.insert(i);
                m.joins.push(w.clock.now());
            }
            Step::Leave(i) if m.members.contains(&i) => {
                k.leave(&people[i], &c).await.unwrap();
                m.members.remove(&i);
                m.leaves.push(now);
            }
            Step::Thread(i, question) if m.members.contains(&i) => {
                let kind = if question {
                    ThreadKind::Question
                } else {
                    ThreadKind::Discussion
                };
                let thread = NewThread {
                    kind,
                    title: "A case".into(),
                    body: String::new(),
                    tags: vec![],
                };
                let t = k.start_thread(&people[i], &space, thread).await.unwrap();
                m.threads.push((t.id, now, i, question));
            }
            Step::Reply(i, t) if m.members.contains(&i) && !m.threads.is_empty() => {
                let t = t % m.threads.len();
                let post = NewPost {
                    body: "A reply".into(),
                    parent: None,
                };
                k.add_post(&people[i], &m.threads[t].0, post).await.unwrap();
                m.posts.push((t, now, i));
            }
            Step::Document(i) if m.members.contains(&i) => {
                let document = NewDocument {
                    title: "Notes".into(),
                    description: String::new(),
                    tags: vec![],
                    content_type: "text/plain".into(),
                    sha256: None,
                    bytes: b"notes".to_vec(),
                };
                k.upload_document(&people[i], &space, document)
                    .await
                    .unwrap();
                m.documents.push((now, i));
            }
            Step::Event(days) => {
                let day = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
                    + SignedDuration::from_hours(24 * (days + 1));
                let input = EventInput {
                    title: "Teaching".into(),
                    description: String::new(),
                    location: None,
                    online_url: None,
                    time_zone: "Europe/London".into(),
                    start_date: day,
                    start_time: "18:00".into(),
                    duration_minutes: 60,
                    recurrence: None,
                    capacity: None,
                };
                let event = k.schedule_event(helen, &space, input).await.unwrap();
                let local = day.at(18, 0, 0, 0);
                let start = local
                    .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/London").unwrap())
                    .unwrap()
                    .timestamp();
                m.events.push((
                    event.id,
                    start,
                    format!("{}", local.strftime("%Y-%m-%dT%H:%M:%S")),
                ));
            }
            Step::Attend(e, i, present) if !m.events.is_empty() && m.members.contains(&i) => {
                let e = e % m.events.len();
                let (id, start, key) = &m.events[e];
                if *start <= now {
                    k.record_attendance(helen, id, key, &people[i].user, present)
                        .await
                        .unwrap();
                    m.attendance.insert((e, i), present);
                }
            }
            Step::Hours(h) => w.clock.advance(SignedDuration::from_hours(h)),
            _ => {}
        }
    }
    let from = first_day + SignedDuration::from_hours(24 * period.0);
    let to = from + SignedDuration::from_hours(24 * period.1);
    let report = k.community_health(helen, &c, from, to).await.unwrap();
    check(&report, &m, from, to, w.clock.now());
}

fn midnight(day: Date) -> Timestamp {
    day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
}

fn check(r: &copkit_core::service::HealthReport, m: &Model, from: Date, to: Date, now: Timestamp) {
    let start = midnight(from);
    let end = midnight(to + SignedDuration::from_hours(24));
    let inside = |t: Timestamp| within(t, start, end);
    let count = |ts: &[Timestamp]| ts.iter().filter(|t| inside(**t)).count() as u32;
    assert_eq!(r.members, m.members.len() as u32, "members");
    assert_eq!(r.joins, count(&m.joins), "joins");
    assert_eq!(r.leaves, count(&m.leaves), "leaves");
    let threads: Vec<_> = m.threads.iter().filter(|t| inside(t.1)).collect();
    assert_eq!(r.threads, threads.len() as u32, "threads");
    assert_eq!(
        r.replies,
        m.posts.iter().filter(|p| inside(p.1)).count() as u32,
        "replies"
    );
    assert_eq!(
        r.documents_added,
        m.documents.iter().filter(|d| inside(d.0)).count() as u32,
        "documents"
    );
    let mut contributors = BTreeSet::new();
    for (_, at, who, _) in &m.threads {
        if inside(*at) {
            contributors.insert(*who);
        }
    }
    for (_, at, who) in &m.posts {
        if inside(*at) {
            contributors.insert(*who);
        }
    }
    for (at, who) in &m.documents {
        if inside(*at) {
            contributors.insert(*who);
        }
    }
    contributors.retain(|who| m.members.contains(who));
    assert_eq!(r.contributors, contributors.len() as u32, "contributors");
    // First replies by someone else, seen up to 48 hours after the period.
    let horizon = (end + SignedDuration::from_hours(48)).min(now.max(end));
    let mut waits = Vec::new();
    let (mut questions, mut answered) = (0, 0);
    for (index, (_, at, author, question)) in m.threads.iter().enumerate() {
        if !inside(*at) {
            continue;
        }
        let first = m
            .posts
            .iter()
            .filter(|p| p.0 == index && p.2 != *author && p.1 < horizon)
            .map(|p| p.1)
            .min();
        if let Some(first) = first {
            waits.push((first - *at).as_mins());
        }
        if *question {
            questions += 1;
            if first.is_some_and(|f| f - *at <= SignedDuration::from_hours(48)) {
                answered += 1;
            }
        }
    }
    assert_eq!(r.questions, questions, "questions");
    assert_eq!(r.questions_answered_within_48h, answered, "answered");
    waits.sort_unstable();
    let median = if waits.is_empty() {
        None
    } else if waits.len() % 2 == 0 {
        Some(((waits[waits.len() / 2 - 1] + waits[waits.len() / 2]) / 2) as u32)
    } else {
        Some(waits[waits.len() / 2] as u32)
    };
    assert_eq!(r.median_minutes_to_first_reply, median, "median wait");
    let held_until = end.min(now);
    let held: Vec<usize> = (0..m.events.len())
        .filter(|e| within(m.events[*e].1, start, held_until))
        .collect();
    assert_eq!(r.events_held, held.len() as u32, "events held");
    let present = m
        .attendance
        .iter()
        .filter(|((e, _), present)| **present && held.contains(e))
        .count() as u32;
    assert_eq!(r.attendances, present, "attendances");
    assert!(
        r.attendances as u64 <= r.events_held as u64 * (PEOPLE as u64 + 1),
        "attendances never exceed what was held"
    );
    assert_eq!(r.value_stories, 0);
}

fn cases() -> u32 {
    std::env::var("COPKIT_HEALTH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn the_report_agrees_with_the_records(
        steps in proptest::collection::vec(step(), 1..60),
        period in (0i64..8, 0i64..12),
    ) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(steps, period));
    }
}
