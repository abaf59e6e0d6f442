//! A GP training scheme story, told through copkit's use cases.
//!
//! A programme director starts a private ST3 small group, a trainee asks to
//! join and is approved, a co-director becomes a moderator, a trainer is
//! invited as a guest to one space, the core group gets a Restricted room,
//! and an outsider tries to look in and sees nothing. Then the group gets to
//! work: a question is asked and answered, a document is shared, fortnightly
//! sessions are scheduled, and members vote on the next topic.
//!
//! Run it with `cargo run -p copkit-examples --example walkthrough`.

use std::sync::Arc;

use copkit_core::blob::sha256_hex;
use copkit_core::model::{
    Access, CommunityKind, Frequency, JoinPolicy, PageRequest, ReactionKind, Recurrence,
    RecurrenceEnd, ResultsVisibility, Role, RsvpResponse, SpaceVisibility, ThreadKind,
};
use copkit_core::service::{
    EventInput, NewCommunity, NewDocument, NewInvitation, NewPoll, NewPost, NewSpace, NewThread,
    ProfileChanges,
};
use copkit_core::{Actor, Config, Copkit, Error, ManualClock, MemoryStore, SequentialIds, UserId};

type Outcome = Result<(), Box<dyn std::error::Error>>;

fn person(id: &str, name: &str, email: &str) -> Result<Actor, Error> {
    Ok(Actor::new(UserId::new(id)?)
        .with_name(name)
        .with_email(email))
}

fn step(clock: &ManualClock, n: u32, text: &str) {
    // A little time passes between the scenes of the story.
    clock.advance(jiff::SignedDuration::from_hours(26));
    println!("\n{n}. {text}");
}

/// Shows how a refused call looks to the caller.
fn refused<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "allowed (unexpected!)".into(),
        Err(e) => format!("refused: {} ({e})", e.code()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Outcome {
    // A fixed clock and sequential ids make every run print the same story.
    let clock = Arc::new(ManualClock::new("2026-09-07T08:30:00Z".parse()?));
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .clock(clock.clone())
        .ids(Arc::new(SequentialIds::new()))
        .config(Config::with_cursor_key([7; 32]))
        .build()?;

    let helen = person("helen", "Dr Helen O'Reilly", "helen.oreilly@example.nhs.uk")?;
    let andrew = person("andrew", "Dr Andrew Bill", "andrew.bill@example.nhs.uk")?;
    let tom = person("tom", "Dr Tom Hughes", "tom.hughes@example.nhs.uk")?;
    let priya = person("priya", "Dr Priya Shah", "priya.shah@example.nhs.uk")?;
    let sam = person("sam", "Sam Outsider", "sam@example.org")?;

    step(
        &clock,
        1,
        "Helen, a programme director, starts a private ST3 small group.",
    );
    let group = copkit
        .create_community(
            &helen,
            NewCommunity {
                slug: "mid-wessex-st3-small-group".into(),
                name: "Mid Wessex ST3 small group".into(),
                purpose: "Fortnightly case discussion and exam preparation for ST3 trainees."
                    .into(),
                kind: CommunityKind::TrainingGroup,
                access: Access::Private {
                    join_policy: JoinPolicy::Approval,
                },
                join_question: Some("Which training practice are you placed at?".into()),
            },
        )
        .await?;
    let c = group.card.id;
    println!(
        "   '{}' is {:?}, joined by {:?}; Helen is {:?}.",
        group.card.name, group.card.visibility, group.card.join_policy, group.my_role
    );

    step(
        &clock,
        2,
        "Tom, an ST3 trainee, finds it in the directory and asks to join.",
    );
    let listing = copkit
        .directory(
            &tom,
            Some(CommunityKind::TrainingGroup),
            Some("mid wessex"),
            &PageRequest::first(),
        )
        .await?;
    for card in &listing.items {
        println!(
            "   directory: {} — {} member(s) — asks: {}",
            card.name,
            card.member_count,
            card.join_question.as_deref().unwrap_or("-")
        );
    }
    copkit
        .request_to_join(
            &tom,
            &c,
            Some("Riverside Surgery, with Dr Shah as my trainer"),
        )
        .await?;
    let pending = copkit
        .list_join_requests(&helen, &c, &PageRequest::first())
        .await?;
    for r in &pending.items {
        println!(
            "   Helen sees a request from {}: \"{}\"",
            r.display_name,
            r.answer.as_deref().unwrap_or("")
        );
    }
    copkit.approve_join_request(&helen, &c, &tom.user).await?;
    println!(
        "   Helen approves; Tom is now {:?}.",
        copkit.get_community(&tom, &c).await?.my_role
    );

    step(
        &clock,
        3,
        "Andrew, a co-director, is invited by email and made a moderator.",
    );
    let invite = copkit
        .create_invitation(
            &helen,
            &c,
            NewInvitation::email("andrew.bill@example.nhs.uk").expiring_in_hours(72),
        )
        .await?;
    println!(
        "   invitation {} sent; only its hash is stored.",
        invite.invitation.id
    );
    copkit.accept_invitation(&andrew, &invite.token).await?;
    copkit
        .change_role(&helen, &c, &andrew.user, Role::Moderator)
        .await?;
    println!("   Andrew accepted and is now a Moderator (participation level: Core).");

    step(
        &clock,
        4,
        "Spaces: case discussion for all, teaching sessions, and a Restricted core-group room.",
    );
    let space = |name: &str, visibility| NewSpace {
        name: name.into(),
        description: String::new(),
        visibility,
    };
    let cases = copkit
        .create_space(
            &helen,
            &c,
            space("Case discussion", SpaceVisibility::Members),
        )
        .await?;
    let teaching = copkit
        .create_space(
            &helen,
            &c,
            space("Teaching sessions", SpaceVisibility::Members),
        )
        .await?;
    let core_room = copkit
        .create_space(
            &helen,
            &c,
            space(
                "Core group: planning",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await?;
    for who in [&helen, &andrew, &tom] {
        let names: Vec<String> = copkit
            .list_spaces(who, &c)
            .await?
            .into_iter()
            .map(|s| s.name)
            .collect();
        println!(
            "   {} sees: {}",
            who.display_name.as_deref().unwrap_or("?"),
            names.join(", ")
        );
    }

    step(
        &clock,
        5,
        "Priya, a GP trainer, is invited as a guest to the teaching sessions only.",
    );
    let guest_invite = copkit
        .create_invitation(
            &andrew,
            &c,
            NewInvitation::email("priya.shah@example.nhs.uk").as_guest(vec![teaching.id]),
        )
        .await?;
    let membership = copkit
        .accept_invitation(&priya, &guest_invite.token)
        .await?;
    let names: Vec<String> = copkit
        .list_spaces(&priya, &c)
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    println!(
        "   Priya is a {:?} and sees: {}",
        membership.role,
        names.join(", ")
    );
    println!(
        "   Priya opens the case discussion: {}",
        refused(copkit.get_space(&priya, &cases.id).await)
    );
    println!(
        "   Priya asks for the member list: {}",
        refused(copkit.list_members(&priya, &c, &PageRequest::first()).await)
    );

    step(&clock, 6, "Sam, an outsider, tries to look inside.");
    let card = copkit.get_community(&sam, &c).await?;
    println!(
        "   Sam sees the listing card only: '{}', {} member(s).",
        card.card.name, card.card.member_count
    );
    println!(
        "   Sam asks for the member list: {}",
        refused(copkit.list_members(&sam, &c, &PageRequest::first()).await)
    );
    println!(
        "   Sam opens the case discussion: {}",
        refused(copkit.get_space(&sam, &cases.id).await)
    );
    println!(
        "   Sam opens the core-group room: {}",
        refused(copkit.get_space(&sam, &core_room.id).await)
    );
    println!(
        "   Sam's list of spaces: {} visible.",
        copkit.list_spaces(&sam, &c).await?.len()
    );
    println!(
        "   Tom (a member) opens the core-group room: {}",
        refused(copkit.get_space(&tom, &core_room.id).await)
    );

    step(
        &clock,
        7,
        "Tom asks the group a question; Priya answers; Tom accepts it.",
    );
    let priya_version = copkit.my_profile(&priya).await?.version;
    copkit
        .update_my_profile(
            &priya,
            ProfileChanges {
                handle: Some("priya_trainer".into()),
                professional_role: Some("GP trainer".into()),
                ..ProfileChanges::default()
            },
            priya_version,
        )
        .await?;
    let question = copkit
        .start_thread(
            &tom,
            &teaching.id,
            NewThread {
                kind: ThreadKind::Question,
                title: "Two-week-wait referrals: when is 'worried' enough?".into(),
                body: "A 52-year-old with vague abdominal symptoms... @priya_trainer, \
                       how do you decide?"
                    .into(),
                tags: vec!["referrals".into(), "cancer".into()],
            },
        )
        .await?;
    println!(
        "   '{}' (mentions resolved: {})",
        question.title,
        question.mentions.len()
    );
    let answer = copkit
        .add_post(
            &priya,
            &question.id,
            NewPost {
                body: "Use the NICE NG12 criteria, then safety-net and document it.".into(),
                parent: None,
            },
        )
        .await?;
    copkit
        .add_post(
            &tom,
            &question.id,
            NewPost {
                body: "That helps — thank you.".into(),
                parent: Some(answer.id),
            },
        )
        .await?;
    copkit.react(&tom, &answer.id, ReactionKind::Thanks).await?;
    let answered = copkit
        .accept_answer(&tom, &question.id, Some(answer.id))
        .await?;
    println!(
        "   {} posts; answered: {}, by {}.",
        copkit.get_thread(&tom, &question.id).await?.post_count,
        answered.is_answered(),
        answer.author
    );

    step(
        &clock,
        8,
        "Andrew shares the referral pathway in the teaching library.",
    );
    let pdf = b"%PDF-1.7 referral pathway (demo bytes)".to_vec();
    let document = copkit
        .upload_document(
            &andrew,
            &teaching.id,
            NewDocument {
                title: "Suspected cancer referral pathway".into(),
                description: "The local two-week-wait pathway, 2026 edition.".into(),
                tags: vec!["referrals".into()],
                content_type: "application/pdf".into(),
                sha256: Some(sha256_hex(&pdf)),
                bytes: pdf.clone(),
            },
        )
        .await?;
    let download = copkit.download_document(&priya, &document.id, None).await?;
    println!(
        "   '{}' v{} ({} bytes, sha256 {}…); Priya's download matches: {}",
        document.title,
        document.current_version,
        document.size,
        &document.sha256[..12],
        download.bytes == pdf
    );

    step(
        &clock,
        9,
        "Helen schedules fortnightly sessions (they cross the October clock change).",
    );
    let sessions = copkit
        .schedule_event(
            &helen,
            &cases.id,
            EventInput {
                title: "ST3 small group".into(),
                description: "Case discussion, then exam practice.".into(),
                location: Some("Postgraduate centre, room 2".into()),
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: jiff::civil::date(2026, 10, 6),
                start_time: "18:30".into(),
                duration_minutes: 90,
                recurrence: Some(Recurrence {
                    frequency: Frequency::Weekly { weekdays: vec![] },
                    interval: 2,
                    end: Some(RecurrenceEnd::Count { count: 6 }),
                }),
                capacity: Some(12),
            },
        )
        .await?;
    let from: jiff::Timestamp = "2026-10-01T00:00:00Z".parse()?;
    let to = from + jiff::SignedDuration::from_hours(24 * 120);
    let occurrences = copkit
        .event_occurrences(&tom, &sessions.id, from, to)
        .await?;
    for o in &occurrences {
        println!(
            "   {}  (local {} in Europe/London)",
            o.starts_at, o.local_start
        );
    }
    if let Some(first) = occurrences.first() {
        copkit
            .rsvp(&tom, &sessions.id, &first.key, RsvpResponse::Going)
            .await?;
        copkit
            .rsvp(&andrew, &sessions.id, &first.key, RsvpResponse::Maybe)
            .await?;
        let tally = copkit.rsvp_tally(&helen, &sessions.id, &first.key).await?;
        println!(
            "   first session: {} going, {} maybe",
            tally.going, tally.maybe
        );
    }
    let feed = copkit.calendar_feed(&tom, &c, from, to).await?;
    println!(
        "   Tom's calendar feed: {} VEVENTs of RFC 5545 text",
        feed.matches("BEGIN:VEVENT").count()
    );

    step(&clock, 10, "Members vote on the next topic.");
    let poll = copkit
        .create_poll(
            &andrew,
            &cases.id,
            NewPoll {
                question: "What should the next session cover?".into(),
                options: vec![
                    "Dermatology".into(),
                    "Safeguarding".into(),
                    "Consultation skills".into(),
                ],
                multiple_choice: false,
                closes_in_hours: 72,
                results: ResultsVisibility::AfterVote,
            },
        )
        .await?;
    let before = copkit.get_poll(&tom, &poll.poll.id).await?;
    println!(
        "   before voting, Tom sees results: {}",
        before.results_visible
    );
    copkit.vote(&tom, &poll.poll.id, &[2]).await?;
    let after = copkit.vote(&andrew, &poll.poll.id, &[2]).await?;
    for (option, votes) in after.poll.options.iter().zip(&after.poll.tally) {
        println!("   {option}: {votes}");
    }

    step(
        &clock,
        11,
        "What the moderators see in the activity record.",
    );
    let activity = copkit
        .list_activity(&andrew, &c, &PageRequest::of(12))
        .await?;
    println!("   (the latest 12, oldest first)");
    for a in activity.items.iter().rev() {
        println!(
            "   {} {}: {}",
            a.at.strftime("%d %b %H:%M"),
            a.actor,
            a.kind
        );
    }
    Ok(())
}
