//! The scheduled function's handler fed a real EventBridge scheduled
//! event: time-lowered levels are reviewed, due digests land in the
//! outbox; other events are refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use copkit_core::mail::{MailError, Mailer};
use copkit_core::model::Mail;
use copkit_core::model::{
    Access, CommunityKind, DigestFrequency, DigestPreference, JoinPolicy, NotificationChannel,
    NotificationChoices, NotificationTopic, PageRequest, ParticipationLevel, SpaceVisibility,
    ThreadKind, TopicChannel,
};
use copkit_core::service::{NewCommunity, NewInvitation, NewPost, NewSpace, NewThread};
use copkit_core::{Actor, CommunityId, Copkit, ManualClock, MemoryStore, SpaceId, UserId};
use copkit_lambda::scheduled::{self, ScheduledError};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

fn scheduled_event() -> serde_json::Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-06-01T09:00:00Z",
        "region": "eu-west-2",
        "resources": ["arn:aws:events:eu-west-2:123456789012:rule/copkit-hourly"],
        "detail": {}
    })
}

/// Helen's private group with Tom as a member and a members' space
/// "Cases"; Helen (helen@example.org) chose daily digests a minute ago.
struct Group {
    copkit: Copkit,
    clock: Arc<ManualClock>,
    owner: Actor,
    tom: Actor,
    c: CommunityId,
    space: SpaceId,
}

async fn group(slug: &str) -> Group {
    let start: Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .clock(clock.clone())
        .build()
        .unwrap();
    let owner = Actor::new(UserId::new("helen").unwrap()).with_email("helen@example.org");
    let tom = Actor::new(UserId::new("tom").unwrap());
    let c = copkit
        .create_community(
            &owner,
            NewCommunity {
                slug: slug.into(),
                name: format!("{} group", slug.to_uppercase()),
                purpose: String::new(),
                kind: CommunityKind::TrainingGroup,
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
    let invite = copkit
        .create_invitation(&owner, &c, NewInvitation::link(1))
        .await
        .unwrap();
    copkit.accept_invitation(&tom, &invite.token).await.unwrap();
    let daily = DigestPreference {
        frequency: DigestFrequency::Daily,
        ..DigestPreference::default()
    };
    copkit.set_digest_preference(&owner, daily).await.unwrap();
    clock.advance(SignedDuration::from_mins(1));
    let space = copkit
        .create_space(
            &owner,
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
    Group {
        copkit,
        clock,
        owner,
        tom,
        c,
        space,
    }
}

/// `who` asks "Febrile infant" in the group's space, and Tom replies.
async fn question_and_reply(g: &Group, who: &Actor) {
    let thread = g
        .copkit
        .start_thread(
            who,
            &g.space,
            NewThread {
                kind: ThreadKind::Question,
                title: "Febrile infant".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    g.copkit
        .add_post(
            &g.tom,
            &thread.id,
            NewPost {
                body: "Any local guidance?".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_scheduled_run_lowers_levels_time_has_lowered() {
    let g = group("st3").await;
    let tom = g.tom.clone();
    question_and_reply(&g, &tom).await;
    let Group {
        copkit,
        clock,
        owner,
        c,
        ..
    } = g;
    let active = |copkit: Copkit| async move {
        copkit
            .list_members_at_level(
                &owner_actor(),
                &c,
                ParticipationLevel::Active,
                &PageRequest::first(),
            )
            .await
            .unwrap()
            .items
            .len()
    };
    assert_eq!(active(copkit.clone()).await, 1);

    // Nothing is due yet.
    let report = scheduled::run(&copkit, None, &scheduled_event())
        .await
        .unwrap();
    assert_eq!(
        (report.reviewed, report.levels_changed, report.more_due),
        (0, 0, false)
    );
    assert_eq!(report.digests.examined, 0);

    // A day on, Helen's daily digest tells of Tom's question, and the run
    // hands it to the mail service.
    clock.advance(SignedDuration::from_hours(24));
    let mailer = Recorder::default();
    let report = scheduled::run(&copkit, Some(&mailer), &scheduled_event())
        .await
        .unwrap();
    assert_eq!((report.digests.examined, report.digests.sent), (1, 1));
    assert_eq!((report.delivery.examined, report.delivery.sent), (1, 1));
    assert_eq!(
        mailer.addresses.lock().unwrap().clone(),
        vec!["helen@example.org".to_owned()]
    );
    let outbox = copkit
        .list_outbox(&owner, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(outbox.items.len(), 1);
    assert!(outbox.items[0].text.contains("Febrile infant"));

    clock.advance(SignedDuration::from_hours(24 * 90));
    let report = scheduled::run(&copkit, None, &scheduled_event())
        .await
        .unwrap();
    assert_eq!((report.reviewed, report.levels_changed), (1, 1));
    assert_eq!(active(copkit.clone()).await, 0);
}

/// A mail service that records the addresses it was given.
#[derive(Default)]
struct Recorder {
    addresses: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Mailer for Recorder {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let address = mail.email.clone().unwrap_or_default();
        self.addresses.lock().unwrap().push(address);
        Ok(())
    }
}

fn owner_actor() -> Actor {
    Actor::new(UserId::new("helen").unwrap())
}

#[tokio::test]
async fn other_events_are_refused() {
    let copkit = Copkit::new(Arc::new(MemoryStore::new())).unwrap();
    let api_call = json!({"version": "2.0", "routeKey": "GET /health", "rawPath": "/health"});
    assert!(matches!(
        scheduled::run(&copkit, None, &api_call).await,
        Err(ScheduledError::NotScheduled)
    ));
}

fn minute_event() -> serde_json::Value {
    let mut event = scheduled_event();
    event["detail"] = json!({"job": "notifications"});
    event
}

#[tokio::test]
async fn the_minute_run_makes_notifications_and_sends_them_without_the_hourly_jobs() {
    let g = group("st4").await;
    let replies_by_email = NotificationChoices {
        topics: vec![TopicChannel {
            topic: NotificationTopic::Reply,
            channel: NotificationChannel::Email,
        }],
        communities: vec![],
    };
    g.copkit
        .set_notification_preferences(&g.owner, replies_by_email, 0)
        .await
        .unwrap();
    question_and_reply(&g, &g.owner).await;
    let Group {
        copkit,
        clock,
        owner,
        ..
    } = g;
    // A day on, Helen's digest is due, but the minute run leaves it to the
    // hourly one: it makes the notification and sends its mail.
    clock.advance(SignedDuration::from_hours(24));
    let mailer = Recorder::default();
    let report = scheduled::run(&copkit, Some(&mailer), &minute_event())
        .await
        .unwrap();
    assert_eq!(report.notifications.notified, 1, "{report:?}");
    assert_eq!(report.notifications.emailed, 1, "{report:?}");
    assert_eq!((report.delivery.examined, report.delivery.sent), (1, 1));
    assert_eq!(report.digests.examined, 0);
    assert_eq!(
        mailer.addresses.lock().unwrap().clone(),
        vec!["helen@example.org".to_owned()]
    );
    let inbox = copkit
        .notifications(&owner, None, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(inbox.unread, 1);
    assert_eq!(inbox.items[0].title, "Febrile infant");
    // The hourly run does the rest.
    let report = scheduled::run(&copkit, Some(&mailer), &scheduled_event())
        .await
        .unwrap();
    assert_eq!(report.digests.examined, 1, "{report:?}");
    assert_eq!(report.notifications.examined, 0);
}
