//! A GP training scheme story, told through copkit's use cases.
//!
//! A programme director starts a private ST3 small group, a trainee asks to
//! join and is approved, a co-director becomes a moderator, a trainer is
//! invited as a guest to one space, the core group gets a Restricted room,
//! and an outsider tries to look in and sees nothing.
//!
//! Run it with `cargo run -p copkit-examples --example walkthrough`.

use std::sync::Arc;

use copkit_core::model::{
    CommunityKind, InvitedRole, JoinPolicy, PageRequest, Role, SpaceVisibility, Visibility,
};
use copkit_core::service::{NewCommunity, NewInvitation, NewSpace};
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
                visibility: Visibility::Private,
                join_policy: JoinPolicy::Approval,
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
            NewInvitation {
                email: Some("andrew.bill@example.nhs.uk".into()),
                role: InvitedRole::Member,
                guest_spaces: vec![],
                expires_in_hours: Some(72),
                max_uses: None,
            },
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
            NewInvitation {
                email: Some("priya.shah@example.nhs.uk".into()),
                role: InvitedRole::Guest,
                guest_spaces: vec![teaching.id],
                expires_in_hours: None,
                max_uses: None,
            },
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

    step(&clock, 7, "What the moderators see in the activity record.");
    let activity = copkit
        .list_activity(&andrew, &c, &PageRequest::of(100))
        .await?;
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
