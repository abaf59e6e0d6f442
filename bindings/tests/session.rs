//! The binding objects from Rust: listeners hear activities and upcoming
//! occurrences once, a failing listener changes nothing, bad input is a
//! typed error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use copkit_core::UserId;
use copkit_core::model::{
    Access, ActivityKind, CommunityKind, Frequency, Recurrence, RsvpResponse, SpaceVisibility,
    Weekday,
};
use copkit_core::service::{EventInput, NewCommunity, NewSpace};
use copkit_ffi::{Copkit, CopkitError, CopkitEvent, CopkitListener, ListenerError, Session};

#[derive(Default)]
struct Recorder(Mutex<Vec<CopkitEvent>>);

impl CopkitListener for Recorder {
    fn on_event(&self, event: CopkitEvent) -> Result<(), ListenerError> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

struct Panics;

impl CopkitListener for Panics {
    fn on_event(&self, _event: CopkitEvent) -> Result<(), ListenerError> {
        panic!("a host listener bug");
    }
}

struct Fails;

impl CopkitListener for Fails {
    fn on_event(&self, _event: CopkitEvent) -> Result<(), ListenerError> {
        Err(ListenerError::Failed {
            reason: "the host's queue is full".into(),
        })
    }
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

async fn group(lead: &Session) -> copkit_core::service::CommunityView {
    lead.create_community(NewCommunity {
        slug: "learning-set".into(),
        name: "Learning set".into(),
        purpose: "Appraisal preparation".into(),
        kind: CommunityKind::LearningSet,
        access: Access::Secret,
        join_question: None,
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn listeners_hear_activities_even_after_one_fails() {
    let kit = Copkit::new().unwrap();
    kit.add_listener(Arc::new(Panics));
    kit.add_listener(Arc::new(Fails));
    let recorder = Arc::new(Recorder::default());
    kit.add_listener(recorder.clone());
    let lead = kit.session(user("lead"), Some("Dr Lead".into()), None);

    let created = group(&lead).await;
    assert_eq!(lead.get_community(created.card.id).await.unwrap(), created);
    let kinds: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CopkitEvent::Activity { activity } => Some(activity.kind.clone()),
            CopkitEvent::UpcomingEvent { .. } => None,
        })
        .collect();
    assert!(matches!(kinds[0], ActivityKind::CommunityCreated));
    assert!(matches!(kinds[1], ActivityKind::MemberJoined { .. }));
}

#[tokio::test]
async fn upcoming_occurrences_are_announced_once_per_person() {
    let kit = Copkit::new().unwrap();
    let recorder = Arc::new(Recorder::default());
    kit.add_listener(recorder.clone());
    let lead = kit.session(user("lead"), None, None);
    let created = group(&lead).await;
    let space = lead
        .create_space(
            created.card.id,
            NewSpace {
                name: "Meetings".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap();
    let tomorrow = jiff::ZonedDateTime::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date()
        .tomorrow()
        .unwrap();
    let weekday = match tomorrow.weekday() {
        jiff::civil::Weekday::Monday => Weekday::Monday,
        jiff::civil::Weekday::Tuesday => Weekday::Tuesday,
        jiff::civil::Weekday::Wednesday => Weekday::Wednesday,
        jiff::civil::Weekday::Thursday => Weekday::Thursday,
        jiff::civil::Weekday::Friday => Weekday::Friday,
        jiff::civil::Weekday::Saturday => Weekday::Saturday,
        jiff::civil::Weekday::Sunday => Weekday::Sunday,
    };
    let event = lead
        .schedule_event(
            space.id,
            EventInput {
                title: "Learning set".into(),
                description: String::new(),
                location: None,
                online_url: Some("https://meet.example.org/set".into()),
                time_zone: "Europe/London".into(),
                start_date: tomorrow,
                start_time: "12:30".into(),
                duration_minutes: 60,
                recurrence: Some(Recurrence {
                    frequency: Frequency::Weekly {
                        weekdays: vec![weekday],
                    },
                    interval: 2,
                    end: None,
                }),
                capacity: None,
            },
        )
        .await
        .unwrap();
    let occurrence = lead
        .event_occurrences(
            event.id,
            lead.now(),
            lead.now() + jiff::SignedDuration::from_hours(48),
        )
        .await
        .unwrap();
    lead.rsvp(event.id, occurrence[0].key.clone(), RsvpResponse::Maybe)
        .await
        .unwrap();

    assert_eq!(lead.announce_upcoming(48).await.unwrap(), 1);
    assert_eq!(lead.announce_upcoming(48).await.unwrap(), 0);
    let other = kit.session(user("outsider"), None, None);
    assert_eq!(other.announce_upcoming(48).await.unwrap(), 0);
    let upcoming: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CopkitEvent::UpcomingEvent {
                user,
                item,
                response,
            } => Some((user.clone(), item.occurrence.key.clone(), *response)),
            CopkitEvent::Activity { .. } => None,
        })
        .collect();
    assert_eq!(
        upcoming,
        vec![(
            UserId::new("lead").unwrap(),
            occurrence[0].key.clone(),
            Some(RsvpResponse::Maybe)
        )]
    );
}

#[tokio::test]
async fn bad_input_is_a_typed_error() {
    let kit = Copkit::new().unwrap();
    let lead = kit.session(user("lead"), None, None);
    assert_eq!(
        lead.announce_upcoming(0).await,
        Err(CopkitError::Invalid {
            field: "within_hours".into(),
            reason: "must be 1 to 168".into()
        })
    );
    let created = group(&lead).await;
    let bad_cursor = lead
        .list_members(created.card.id, Some(5), Some("forged".into()))
        .await;
    assert!(matches!(bad_cursor, Err(CopkitError::Invalid { field, .. }) if field == "cursor"));
    let outsider = kit.session(user("outsider"), None, None);
    assert_eq!(
        outsider.get_community(created.card.id).await,
        Err(CopkitError::NotFound)
    );
}

#[cfg(feature = "bench")]
#[tokio::test]
async fn native_reads_are_measured() {
    let kit = Copkit::new().unwrap();
    let lead = kit.session(user("lead"), None, None);
    let created = group(&lead).await;
    let nanos = lead
        .measure_native_reads(created.card.id, 10)
        .await
        .unwrap();
    assert!(nanos > 0);
}
