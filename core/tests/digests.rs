//! Rhythm digests through the use cases, with a clock: the schedule follows
//! the member's local hour, a digest tells what happened in the spaces they
//! can see (and nothing else, also after leaving or a ban), the producer
//! delivers through a mailer into a listable outbox, and a property test
//! throws random activity at random members.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Mutex;

use async_trait::async_trait;
use common::{World, actor, invalid_fields, new_space};
use copkit_core::mail::{MailError, Mailer, Outbox};
use copkit_core::model::{
    DigestFrequency, DigestPreference, JoinPolicy, Mail, PageRequest, Role, SpaceVisibility,
    ThreadKind, Visibility, Weekday,
};
use copkit_core::service::{
    DigestRun, EventInput, InviteAccess, NewDocument, NewInvitation, NewPoll, NewPost, NewThread,
};
use copkit_core::{Actor, Clock, CommunityId, SpaceId};
use jiff::Timestamp;

fn daily(hour: u8) -> DigestPreference {
    DigestPreference {
        frequency: DigestFrequency::Daily,
        hour,
        time_zone: "Europe/London".into(),
        weekday: Weekday::Monday,
    }
}

fn thread(kind: ThreadKind, title: &str) -> NewThread {
    NewThread {
        kind,
        title: title.into(),
        body: "Details follow.".into(),
        tags: vec![],
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

struct Group {
    w: World,
    c: CommunityId,
    cases: SpaceId,
    core_room: SpaceId,
    owner: Actor,
    tom: Actor,
    mia: Actor,
}

/// Helen owns a private group with a members' space (Cases) and a
/// restricted room for moderators only; Tom and Mia are members.
async fn group() -> Group {
    let w = World::new();
    let owner = actor("helen");
    let tom = actor("tom");
    let mia = actor("mia");
    let c = w
        .community(&owner, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&owner, &c, &tom).await;
    w.add_member(&owner, &c, &mia).await;
    let cases = w
        .copkit
        .create_space(&owner, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let core_room = w
        .copkit
        .create_space(
            &owner,
            &c,
            new_space(
                "Core group",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await
        .unwrap()
        .id;
    // The set-up is history before any test's digest period starts.
    w.clock.advance(jiff::SignedDuration::from_mins(1));
    Group {
        w,
        c,
        cases,
        core_room,
        owner,
        tom,
        mia,
    }
}

async fn outbox_of(g: &Group, who: &Actor) -> Vec<Mail> {
    g.w.copkit
        .list_outbox(who, &PageRequest::first())
        .await
        .unwrap()
        .items
}

async fn send(g: &Group) -> DigestRun {
    let outbox = Outbox::new(g.w.copkit.store().clone());
    g.w.copkit.send_due_digests(&outbox, 1000).await.unwrap()
}

#[tokio::test]
async fn the_schedule_follows_the_local_hour_weekday_and_summer_time() {
    let g = group().await;
    // The clock starts on Monday 2 March 2026, 09:00 UTC (GMT in London).
    let s =
        g.w.copkit
            .set_digest_preference(&g.tom, daily(7))
            .await
            .unwrap();
    assert_eq!(s.next_due, Some(ts("2026-03-03T07:00:00Z")));
    assert_eq!(s.version, 1);

    let weekly = DigestPreference {
        frequency: DigestFrequency::Weekly,
        weekday: Weekday::Friday,
        hour: 18,
        ..daily(7)
    };
    let s =
        g.w.copkit
            .set_digest_preference(&g.tom, weekly.clone())
            .await
            .unwrap();
    assert_eq!(s.next_due, Some(ts("2026-03-06T18:00:00Z")));
    assert_eq!(s.version, 2);

    // British Summer Time starts on 29 March 2026: 07:00 local is 06:00 UTC.
    let after = ts("2026-03-29T12:00:00Z");
    let next = copkit_core::service::next_digest_at(&daily(7), after).unwrap();
    assert_eq!(next, Some(ts("2026-03-30T06:00:00Z")));
    // 01:00 does not exist that night in London: it moves forward an hour.
    let gap = copkit_core::service::next_digest_at(&daily(1), ts("2026-03-28T12:00:00Z"));
    assert_eq!(gap.unwrap(), Some(ts("2026-03-29T01:00:00Z")));
    // Another zone, another hour.
    let tokyo = DigestPreference {
        time_zone: "Asia/Tokyo".into(),
        ..daily(8)
    };
    let next = copkit_core::service::next_digest_at(&tokyo, ts("2026-03-02T09:00:00Z"));
    assert_eq!(next.unwrap(), Some(ts("2026-03-02T23:00:00Z")));

    let off =
        g.w.copkit
            .set_digest_preference(
                &g.tom,
                DigestPreference {
                    frequency: DigestFrequency::Off,
                    ..weekly
                },
            )
            .await
            .unwrap();
    assert_eq!(off.next_due, None);
    assert_eq!(
        g.w.copkit.digest_preference(&g.tom).await.unwrap(),
        off,
        "the preference reads back as stored"
    );

    let bad_hour = g.w.copkit.set_digest_preference(&g.tom, daily(24)).await;
    assert_eq!(invalid_fields(bad_hour), vec!["hour"]);
    let bad_zone = DigestPreference {
        time_zone: "Mars/Olympus".into(),
        ..daily(7)
    };
    let bad_zone = g.w.copkit.set_digest_preference(&g.tom, bad_zone).await;
    assert_eq!(invalid_fields(bad_zone), vec!["time_zone"]);
}

#[tokio::test]
async fn a_digest_tells_what_happened_where_the_member_can_see() {
    let g = group().await;
    let copkit = &g.w.copkit;
    copkit
        .set_digest_preference(&g.tom, daily(7))
        .await
        .unwrap();
    g.w.advance_days(1);
    assert_eq!(
        send(&g).await.empty,
        1,
        "nothing happened yet: nothing sent"
    );
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    assert!(outbox_of(&g, &g.tom).await.is_empty());

    // Mia starts a discussion and asks a question in Cases; Helen answers
    // another question and accepts; a document, an event, a poll; and a
    // thread in the core room Tom cannot see.
    let discussion = copkit
        .start_thread(
            &g.mia,
            &g.cases,
            thread(ThreadKind::Discussion, "Managing <b>uncertainty</b>"),
        )
        .await
        .unwrap();
    let open = copkit
        .start_thread(
            &g.mia,
            &g.cases,
            thread(ThreadKind::Question, "Statins at 85?"),
        )
        .await
        .unwrap();
    let answered = copkit
        .start_thread(
            &g.mia,
            &g.cases,
            thread(ThreadKind::Question, "CKD referral?"),
        )
        .await
        .unwrap();
    let answer = copkit
        .add_post(
            &g.owner,
            &answered.id,
            NewPost {
                body: "Use the KFRE.".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    copkit
        .accept_answer(&g.mia, &answered.id, Some(answer.id))
        .await
        .unwrap();
    let secret = copkit
        .start_thread(
            &g.owner,
            &g.core_room,
            thread(ThreadKind::Discussion, "Trainee concerns"),
        )
        .await
        .unwrap();
    copkit
        .upload_document(
            &g.mia,
            &g.cases,
            NewDocument {
                title: "Consultation model".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"ICE".to_vec(),
            },
        )
        .await
        .unwrap();
    copkit
        .upload_document(
            &g.owner,
            &g.core_room,
            NewDocument {
                title: "Trainee reviews".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/plain".into(),
                sha256: None,
                bytes: b"private".to_vec(),
            },
        )
        .await
        .unwrap();
    copkit
        .schedule_event(
            &g.owner,
            &g.cases,
            EventInput {
                title: "Small group".into(),
                description: String::new(),
                location: None,
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: jiff::civil::date(2026, 3, 6),
                start_time: "18:30".into(),
                duration_minutes: 90,
                recurrence: None,
                capacity: None,
            },
        )
        .await
        .unwrap();
    let poll = copkit
        .create_poll(
            &g.owner,
            &g.cases,
            NewPoll {
                question: "Next topic?".into(),
                options: vec!["Frailty".into(), "Dermatology".into()],
                multiple_choice: false,
                closes_in_hours: 2,
                results: copkit_core::model::ResultsVisibility::AfterClose,
            },
        )
        .await
        .unwrap();
    copkit.vote(&g.tom, &poll.poll.id, &[1]).await.unwrap();
    let newcomer = actor("sam");
    g.w.add_member(&g.owner, &g.c, &newcomer).await;
    g.w.advance_days(1);

    let run = send(&g).await;
    assert_eq!((run.examined, run.sent), (1, 1), "{run:?}");
    let mail = outbox_of(&g, &g.tom).await.remove(0);
    assert_eq!(mail.to, g.tom.user);
    assert_eq!(mail.digest.communities.len(), 1);
    let d = &mail.digest.communities[0];
    let titles: Vec<&str> = d.new_threads.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "CKD referral?",
            "Statins at 85?",
            "Managing <b>uncertainty</b>"
        ],
        "newest first, the core room's thread left out"
    );
    assert!(!d.new_threads.iter().any(|t| t.thread == secret.id));
    assert_eq!(
        d.unanswered_questions
            .iter()
            .map(|t| t.thread)
            .collect::<Vec<_>>(),
        vec![open.id]
    );
    assert_eq!(d.accepted_answers.len(), 1);
    assert_eq!(d.accepted_answers[0].answered_by, g.owner.user);
    assert_eq!(
        d.new_documents
            .iter()
            .map(|x| x.title.as_str())
            .collect::<Vec<_>>(),
        vec!["Consultation model"]
    );
    assert_eq!(d.upcoming_events.len(), 1);
    assert_eq!(d.upcoming_events[0].starts_at, ts("2026-03-06T18:30:00Z"));
    assert_eq!(
        d.new_members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        vec!["SAM"]
    );
    assert_eq!(d.poll_results.len(), 1);
    assert_eq!(d.poll_results[0].voters, 1);
    assert_eq!(d.poll_results[0].results[1].votes, 1);
    assert!(!d.truncated);
    let _ = discussion;

    // The renderings carry the same news; HTML escapes what members typed.
    assert!(mail.subject.contains("in 1 community"), "{}", mail.subject);
    assert!(mail.text.contains("Managing <b>uncertainty</b>"));
    assert!(mail.text.contains("Questions waiting for an answer"));
    assert!(mail.text.contains("Fri 6 Mar 2026, 18:30: Small group"));
    assert!(
        mail.html
            .contains("Managing &#60;b&#62;uncertainty&#60;/b&#62;")
            || mail
                .html
                .contains("Managing &lt;b&gt;uncertainty&lt;/b&gt;"),
        "{}",
        mail.html
    );
    assert!(!mail.html.contains("<b>uncertainty"));
    assert!(
        !mail.text.contains("Trainee"),
        "the core room leaks: {}",
        mail.text
    );

    // Helen, a moderator of the core room, sees its thread in her preview.
    let helen = copkit.preview_digest(&g.owner).await.unwrap();
    assert!(
        helen.digest.communities[0]
            .new_threads
            .iter()
            .all(|t| t.thread != secret.id),
        "her own threads are not news to her"
    );

    // The next run has nothing due; the period moved on.
    assert_eq!(send(&g).await, DigestRun::default());
    let schedule = copkit.digest_preference(&g.tom).await.unwrap();
    assert_eq!(schedule.covered_until, g.w.clock.now());
    assert_eq!(schedule.next_due, Some(ts("2026-03-05T07:00:00Z")));
}

#[tokio::test]
async fn after_leaving_or_a_ban_the_community_is_gone_from_the_digest() {
    let g = group().await;
    let copkit = &g.w.copkit;
    for who in [&g.tom, &g.mia] {
        copkit.set_digest_preference(who, daily(7)).await.unwrap();
    }
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    copkit
        .start_thread(&g.owner, &g.cases, thread(ThreadKind::Discussion, "Before"))
        .await
        .unwrap();
    copkit.leave(&g.tom, &g.c).await.unwrap();
    copkit
        .ban_member(
            &g.owner,
            &g.c,
            &g.mia.user,
            Some(7),
            "Shared patient details",
        )
        .await
        .unwrap();
    copkit
        .start_thread(&g.owner, &g.cases, thread(ThreadKind::Discussion, "After"))
        .await
        .unwrap();
    g.w.advance_days(1);
    // One digest per run at most: the second waits for the next run.
    let outbox = Outbox::new(copkit.store().clone());
    let first = copkit.send_due_digests(&outbox, 1).await.unwrap();
    assert_eq!((first.examined, first.empty, first.more_due), (1, 1, true));
    let second = copkit.send_due_digests(&outbox, 1).await.unwrap();
    assert_eq!(
        (second.examined, second.empty, second.more_due),
        (1, 1, false)
    );
    for who in [&g.tom, &g.mia] {
        assert!(outbox_of(&g, who).await.is_empty());
        let preview = copkit.preview_digest(who).await.unwrap();
        assert!(preview.digest.communities.is_empty(), "{preview:?}");
        assert!(!preview.text.contains("Before") && !preview.text.contains("After"));
    }
}

#[tokio::test]
async fn a_guest_hears_only_of_their_granted_space_and_never_of_members() {
    let g = group().await;
    let copkit = &g.w.copkit;
    let guest = actor("gina");
    let shared = copkit
        .create_space(
            &g.owner,
            &g.c,
            new_space("Shared", SpaceVisibility::Members),
        )
        .await
        .unwrap()
        .id;
    let invite = copkit
        .create_invitation(
            &g.owner,
            &g.c,
            NewInvitation {
                access: InviteAccess::Guest {
                    spaces: vec![shared],
                },
                ..NewInvitation::link(1)
            },
        )
        .await
        .unwrap();
    copkit
        .accept_invitation(&guest, &invite.token)
        .await
        .unwrap();
    copkit
        .set_digest_preference(&guest, daily(7))
        .await
        .unwrap();
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    copkit
        .start_thread(
            &g.mia,
            &shared,
            thread(ThreadKind::Discussion, "For guests"),
        )
        .await
        .unwrap();
    copkit
        .start_thread(
            &g.mia,
            &g.cases,
            thread(ThreadKind::Discussion, "Members only"),
        )
        .await
        .unwrap();
    g.w.add_member(&g.owner, &g.c, &actor("sam")).await;
    g.w.advance_days(1);
    assert_eq!(send(&g).await.sent, 1);
    let mail = outbox_of(&g, &guest).await.remove(0);
    let d = &mail.digest.communities[0];
    assert_eq!(
        d.new_threads
            .iter()
            .map(|t| t.title.as_str())
            .collect::<Vec<_>>(),
        vec!["For guests"]
    );
    assert!(d.new_members.is_empty(), "guests may not see the roster");
    assert!(!mail.text.contains("Members only") && !mail.text.contains("SAM"));
}

/// A mailer that refuses everything, then records what it delivers.
#[derive(Default)]
struct FlakyMailer {
    down: Mutex<bool>,
    delivered: Mutex<Vec<Mail>>,
}

#[async_trait]
impl Mailer for FlakyMailer {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        if *self.down.lock().unwrap() {
            return Err(MailError::Unavailable("smtp down".into()));
        }
        self.delivered.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

#[tokio::test]
async fn an_undelivered_digest_is_retried_an_hour_later_with_the_same_id() {
    let g = group().await;
    let copkit = &g.w.copkit;
    copkit
        .set_digest_preference(&g.tom, daily(7))
        .await
        .unwrap();
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    copkit
        .start_thread(&g.mia, &g.cases, thread(ThreadKind::Discussion, "News"))
        .await
        .unwrap();
    g.w.advance_days(1);
    let mailer = FlakyMailer {
        down: Mutex::new(true),
        ..FlakyMailer::default()
    };
    let run = copkit.send_due_digests(&mailer, 1000).await.unwrap();
    assert_eq!((run.failed, run.sent), (1, 0));
    let schedule = copkit.digest_preference(&g.tom).await.unwrap();
    assert_eq!(
        schedule.next_due,
        Some(g.w.clock.now() + jiff::SignedDuration::from_hours(1))
    );
    assert_eq!(
        copkit
            .send_due_digests(&mailer, 1000)
            .await
            .unwrap()
            .examined,
        0
    );

    *mailer.down.lock().unwrap() = false;
    g.w.clock.advance(jiff::SignedDuration::from_mins(61));
    let run = copkit.send_due_digests(&mailer, 1000).await.unwrap();
    assert_eq!(run.sent, 1);
    let delivered = mailer.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].digest.communities[0].new_threads[0].title,
        "News"
    );

    // The outbox takes the same mail twice without a second copy.
    let outbox = Outbox::new(copkit.store().clone());
    outbox.deliver(&delivered[0]).await.unwrap();
    outbox.deliver(&delivered[0]).await.unwrap();
    assert_eq!(outbox_of(&g, &g.tom).await.len(), 1);
}

mod random_activity {
    //! Random members (active, guest with or without a grant, left, banned)
    //! and random activity across spaces of every visibility: every item a
    //! digest names must be readable by its member through the use cases
    //! right now, and nothing comes from a community they are not active in.

    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy)]
    enum Fate {
        Member,
        Moderator,
        /// A guest of the shared space (`true`) or of Cases.
        Guest {
            shared: bool,
        },
        Left,
        Banned,
    }

    fn fate() -> impl Strategy<Value = Fate> {
        prop_oneof![
            Just(Fate::Member),
            Just(Fate::Moderator),
            any::<bool>().prop_map(|shared| Fate::Guest { shared }),
            Just(Fate::Left),
            Just(Fate::Banned),
        ]
    }

    #[derive(Debug, Clone, Copy)]
    enum Act {
        Thread { space: usize, question: bool },
        Document { space: usize },
        Poll { space: usize },
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            (0..3usize, any::<bool>())
                .prop_map(|(space, question)| Act::Thread { space, question }),
            (0..3usize).prop_map(|space| Act::Document { space }),
            (0..3usize).prop_map(|space| Act::Poll { space }),
        ]
    }

    async fn check(fates: Vec<Fate>, acts: Vec<Act>) {
        let g = group().await;
        let copkit = &g.w.copkit;
        let guest_space = copkit
            .create_space(
                &g.owner,
                &g.c,
                new_space("Shared", SpaceVisibility::Members),
            )
            .await
            .unwrap()
            .id;
        let spaces = [g.cases, g.core_room, guest_space];
        let mut people = Vec::new();
        for (i, fate) in fates.iter().enumerate() {
            let who = actor(&format!("p{i}"));
            let access = match fate {
                Fate::Guest { shared: true } => InviteAccess::Guest {
                    spaces: vec![guest_space],
                },
                Fate::Guest { shared: false } => InviteAccess::Guest {
                    spaces: vec![g.cases],
                },
                _ => InviteAccess::Member,
            };
            let invite = copkit
                .create_invitation(
                    &g.owner,
                    &g.c,
                    NewInvitation {
                        access,
                        ..NewInvitation::link(1)
                    },
                )
                .await
                .unwrap();
            copkit.accept_invitation(&who, &invite.token).await.unwrap();
            if let Fate::Moderator = fate {
                copkit
                    .change_role(&g.owner, &g.c, &who.user, Role::Moderator)
                    .await
                    .unwrap();
            }
            copkit.set_digest_preference(&who, daily(7)).await.unwrap();
            people.push(who);
        }
        g.w.clock.advance(jiff::SignedDuration::from_mins(1));
        let authors = [&g.owner, &g.mia];
        // What succeeded, per space: (threads, documents, polls).
        let mut done = [(0usize, 0usize, 0usize); 3];
        for (n, a) in acts.iter().enumerate() {
            let author = authors[n % 2];
            let result = match *a {
                Act::Thread { space, question } => copkit
                    .start_thread(
                        author,
                        &spaces[space],
                        thread(
                            if question {
                                ThreadKind::Question
                            } else {
                                ThreadKind::Discussion
                            },
                            &format!("Thread {n}"),
                        ),
                    )
                    .await
                    .map(|_| ()),
                Act::Document { space } => copkit
                    .upload_document(
                        author,
                        &spaces[space],
                        NewDocument {
                            title: format!("Document {n}"),
                            description: String::new(),
                            tags: vec![],
                            content_type: "text/plain".into(),
                            sha256: None,
                            bytes: vec![b'x'; 3],
                        },
                    )
                    .await
                    .map(|_| ()),
                Act::Poll { space } => copkit
                    .create_poll(
                        author,
                        &spaces[space],
                        NewPoll {
                            question: format!("Poll {n}?"),
                            options: vec!["Yes".into(), "No".into()],
                            multiple_choice: false,
                            closes_in_hours: 1,
                            results: copkit_core::model::ResultsVisibility::AfterClose,
                        },
                    )
                    .await
                    .map(|_| ()),
            };
            // Mia cannot write in the core room: that refusal is expected.
            match result {
                Ok(()) => match *a {
                    Act::Thread { space, .. } => done[space].0 += 1,
                    Act::Document { space } => done[space].1 += 1,
                    Act::Poll { space } => done[space].2 += 1,
                },
                Err(e) => assert_eq!(e, copkit_core::Error::NotFound, "{a:?}"),
            }
        }
        for (who, fate) in people.iter().zip(&fates) {
            match fate {
                Fate::Left => copkit.leave(who, &g.c).await.unwrap(),
                Fate::Banned => {
                    copkit
                        .ban_member(&g.owner, &g.c, &who.user, None, "Spam")
                        .await
                        .unwrap();
                }
                _ => {}
            }
        }
        g.w.advance_days(1);
        send(&g).await;
        for (who, fate) in people.iter().zip(&fates) {
            let mails = outbox_of(&g, who).await;
            if matches!(fate, Fate::Left | Fate::Banned) {
                assert!(mails.is_empty(), "{fate:?} received {mails:?}");
                continue;
            }
            // Complete too: everything in the spaces this fate can see.
            let sees: &[usize] = match fate {
                Fate::Member => &[0, 2],
                Fate::Moderator => &[0, 1, 2],
                Fate::Guest { shared: true } => &[2],
                _ => &[0],
            };
            let expected = sees.iter().fold((0, 0, 0), |acc, s| {
                (acc.0 + done[*s].0, acc.1 + done[*s].1, acc.2 + done[*s].2)
            });
            let told =
                mails
                    .iter()
                    .flat_map(|m| &m.digest.communities)
                    .fold((0, 0, 0), |acc, d| {
                        (
                            acc.0 + d.new_threads.len(),
                            acc.1 + d.new_documents.len(),
                            acc.2 + d.poll_results.len(),
                        )
                    });
            assert_eq!(told, expected, "{fate:?}: (threads, documents, polls)");
            for mail in mails {
                for d in &mail.digest.communities {
                    assert_eq!(d.community, g.c);
                    for t in d.new_threads.iter().chain(&d.unanswered_questions) {
                        copkit.get_thread(who, &t.thread).await.unwrap_or_else(|e| {
                            panic!(
                                "{fate:?} was told of thread {} it cannot read: {e}",
                                t.title
                            )
                        });
                    }
                    for doc in &d.new_documents {
                        copkit
                            .get_document(who, &doc.document)
                            .await
                            .unwrap_or_else(|e| {
                                panic!("{fate:?} was told of {} it cannot read: {e}", doc.title)
                            });
                    }
                    for p in &d.poll_results {
                        copkit.get_poll(who, &p.poll).await.unwrap_or_else(|e| {
                            panic!("{fate:?} was told of {} it cannot read: {e}", p.question)
                        });
                    }
                    if matches!(fate, Fate::Guest { .. }) {
                        assert!(d.new_members.is_empty());
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
        #[test]
        fn a_digest_never_names_what_its_member_cannot_read(
            fates in proptest::collection::vec(fate(), 1..6),
            acts in proptest::collection::vec(act(), 0..12),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(check(fates, acts));
        }
    }
}

/// A mailer that refuses one member's mail (a bad address) and delivers
/// the rest.
struct RefusesOne {
    refused: copkit_core::UserId,
    delivered: Mutex<Vec<Mail>>,
}

#[async_trait]
impl Mailer for RefusesOne {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        if mail.to == self.refused {
            return Err(MailError::Rejected("no such mailbox".into()));
        }
        self.delivered.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

#[tokio::test]
async fn one_refused_digest_does_not_stop_the_others() {
    let g = group().await;
    let copkit = &g.w.copkit;
    for who in [&g.owner, &g.tom, &g.mia] {
        copkit.set_digest_preference(who, daily(7)).await.unwrap();
    }
    g.w.clock.advance(jiff::SignedDuration::from_mins(1));
    copkit
        .start_thread(&g.owner, &g.cases, thread(ThreadKind::Discussion, "News"))
        .await
        .unwrap();
    g.w.advance_days(1);
    let mailer = RefusesOne {
        refused: g.tom.user.clone(),
        delivered: Mutex::new(Vec::new()),
    };
    let run = copkit.send_due_digests(&mailer, 1000).await.unwrap();
    // Helen's own thread leaves her nothing to read; Tom's is refused.
    assert_eq!(
        (run.examined, run.sent, run.failed, run.empty),
        (3, 1, 1, 1)
    );
    let mut to: Vec<String> = mailer
        .delivered
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.to.to_string())
        .collect();
    to.sort();
    assert_eq!(to, ["mia"]);
    // Tom's stays due and is tried again by a later run.
    assert!(
        copkit
            .digest_preference(&g.tom)
            .await
            .unwrap()
            .next_due
            .is_some_and(|due| due > g.w.clock.now())
    );
}
