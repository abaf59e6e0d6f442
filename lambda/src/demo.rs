//! A realistic demo data set for the local server: a public appraisers'
//! special-interest group, a private ST3 small group with a Restricted
//! core-group room and a guest trainer, and a Secret trainers' group, with
//! threads, documents, fortnightly events and a poll.

use copkit_core::blob::sha256_hex;
use copkit_core::model::{
    Access, CommunityKind, Frequency, JoinPolicy, Recurrence, RecurrenceEnd, ResultsVisibility,
    Role, SpaceVisibility, ThreadKind, Weekday,
};
use copkit_core::service::{
    EventInput, NewCommunity, NewDocument, NewInvitation, NewPoll, NewPost, NewSpace, NewThread,
    ProfileChanges,
};
use copkit_core::{Actor, Copkit, Error, Result, UserId};

/// One demo person.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Their subject id.
    pub sub: &'static str,
    /// Their name.
    pub name: &'static str,
    /// Their email.
    pub email: &'static str,
    /// What they are, for the printout.
    pub about: &'static str,
}

/// The demo people.
pub const USERS: [DemoUser; 6] = [
    DemoUser {
        sub: "helen",
        name: "Dr Helen O'Reilly",
        email: "helen.oreilly@example.nhs.uk",
        about: "programme director; owns the ST3 group and the trainers' group",
    },
    DemoUser {
        sub: "andrew",
        name: "Dr Andrew Bill",
        email: "andrew.bill@example.nhs.uk",
        about: "co-director; moderator of the ST3 group; owns the appraisers' SIG",
    },
    DemoUser {
        sub: "tom",
        name: "Dr Tom Hughes",
        email: "tom.hughes@example.nhs.uk",
        about: "ST3 trainee; member of the ST3 group",
    },
    DemoUser {
        sub: "priya",
        name: "Dr Priya Shah",
        email: "priya.shah@example.nhs.uk",
        about: "GP trainer; guest in the ST3 teaching space; trainers' group member",
    },
    DemoUser {
        sub: "sam",
        name: "Dr Sam Okafor",
        email: "sam.okafor@example.nhs.uk",
        about: "appraiser; member of the appraisers' SIG only",
    },
    DemoUser {
        sub: "outsider",
        name: "Alex Outsider",
        email: "alex@example.org",
        about: "belongs to nothing: sees only listing cards",
    },
];

fn actor(u: &DemoUser) -> Result<Actor> {
    Ok(Actor::new(UserId::new(u.sub)?)
        .with_name(u.name)
        .with_email(u.email))
}

fn space(name: &str, description: &str, visibility: SpaceVisibility) -> NewSpace {
    NewSpace {
        name: name.into(),
        description: description.into(),
        visibility,
    }
}

fn thread(kind: ThreadKind, title: &str, body: &str, tags: &[&str]) -> NewThread {
    NewThread {
        kind,
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn post(body: &str) -> NewPost {
    NewPost {
        body: body.into(),
        parent: None,
    }
}

fn fortnightly(title: &str, date: jiff::civil::Date, time: &str, count: u32) -> EventInput {
    EventInput {
        title: title.into(),
        description: "Case discussion, then a topic chosen by the group.".into(),
        location: Some("Postgraduate centre, seminar room 2".into()),
        online_url: Some("https://meet.example.org/st3-small-group".into()),
        time_zone: "Europe/London".into(),
        start_date: date,
        start_time: time.into(),
        duration_minutes: 90,
        recurrence: Some(Recurrence {
            frequency: Frequency::Weekly {
                weekdays: vec![Weekday::Tuesday],
            },
            interval: 2,
            end: Some(RecurrenceEnd::Count { count }),
        }),
        capacity: Some(14),
    }
}

fn text_document(title: &str, description: &str, text: &str) -> NewDocument {
    NewDocument {
        title: title.into(),
        description: description.into(),
        tags: vec!["guidance".into()],
        content_type: "text/markdown".into(),
        sha256: Some(sha256_hex(text.as_bytes())),
        bytes: text.as_bytes().to_vec(),
    }
}

/// Whether the demo data set is already there (a persistent store seeded
/// by an earlier run).
pub async fn is_seeded(copkit: &Copkit) -> Result<bool> {
    let helen = actor(&USERS[0])?;
    match copkit
        .get_community_by_slug(&helen, "wessex-gp-appraisers")
        .await
    {
        Ok(_) => Ok(true),
        Err(Error::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Seeds the demo data set.
pub async fn seed(copkit: &Copkit) -> Result<()> {
    let [helen, andrew, tom, priya, sam, _outsider] = [
        actor(&USERS[0])?,
        actor(&USERS[1])?,
        actor(&USERS[2])?,
        actor(&USERS[3])?,
        actor(&USERS[4])?,
        actor(&USERS[5])?,
    ];
    for (who, handle, role) in [
        (&helen, "helen_or", "Programme director"),
        (&andrew, "andrew_bill", "Programme director"),
        (&tom, "tom_st3", "GP trainee (ST3)"),
        (&priya, "priya_trainer", "GP trainer"),
        (&sam, "sam_appraiser", "GP appraiser"),
    ] {
        copkit
            .update_my_profile(
                who,
                ProfileChanges {
                    handle: Some(handle.into()),
                    professional_role: Some(role.into()),
                    organisation: Some("Mid Wessex GP training".into()),
                    ..ProfileChanges::default()
                },
                0,
            )
            .await?;
    }

    // A public special-interest group anyone may join.
    let sig = copkit
        .create_community(&andrew, NewCommunity {
            slug: "wessex-gp-appraisers".into(),
            name: "Wessex GP appraisers".into(),
            purpose: "Appraisers sharing practice: portfolios, difficult conversations, revalidation.".into(),
            kind: CommunityKind::SpecialInterestGroup,
            access: Access::Public { join_policy: JoinPolicy::Open },
            join_question: None,
        })
        .await?
        .card
        .id;
    copkit.join(&sam, &sig).await?;
    let sig_general = copkit
        .create_space(
            &andrew,
            &sig,
            space(
                "General",
                "Questions and news for appraisers.",
                SpaceVisibility::Members,
            ),
        )
        .await?;
    copkit
        .create_space(
            &andrew,
            &sig,
            space(
                "Open library",
                "Guidance anyone may read.",
                SpaceVisibility::Public,
            ),
        )
        .await?;
    let q = copkit
        .start_thread(&sam, &sig_general.id, thread(ThreadKind::Question,
            "Reflective notes that say nothing: how do you respond?",
            "An appraisee's reflections are all one line. How do you encourage depth without ticking boxes?",
            &["appraisal", "reflection"]))
        .await?;
    let a = copkit
        .add_post(&andrew, &q.id, post("I ask for one case they would handle differently now, and why. @sam_appraiser, try it next time?"))
        .await?;
    copkit.accept_answer(&sam, &q.id, Some(a.id)).await?;
    copkit
        .upload_document(&andrew, &sig_general.id, text_document(
            "Appraisal conversation prompts",
            "Prompts for a reflective appraisal conversation.",
            "# Prompts\n\n- What surprised you this year?\n- Which case changed your practice?\n",
        ))
        .await?;

    // A private ST3 small group with an approval step.
    let st3 = copkit
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
        .await?
        .card
        .id;
    let invite = copkit
        .create_invitation(&helen, &st3, NewInvitation::email(USERS[1].email))
        .await?;
    copkit.accept_invitation(&andrew, &invite.token).await?;
    copkit
        .change_role(&helen, &st3, &andrew.user, Role::Moderator)
        .await?;
    copkit
        .request_to_join(
            &tom,
            &st3,
            Some("Riverside Surgery, with Dr Shah as my trainer"),
        )
        .await?;
    copkit
        .approve_join_request(&andrew, &st3, &tom.user)
        .await?;
    let cases = copkit
        .create_space(
            &helen,
            &st3,
            space(
                "Case discussion",
                "Bring a case; leave with three ideas.",
                SpaceVisibility::Members,
            ),
        )
        .await?;
    let teaching = copkit
        .create_space(
            &helen,
            &st3,
            space(
                "Teaching sessions",
                "Materials and questions for visiting teachers.",
                SpaceVisibility::Members,
            ),
        )
        .await?;
    let core = copkit
        .create_space(
            &helen,
            &st3,
            space(
                "Core group: planning",
                "Programme directors plan the term here.",
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![Role::Moderator],
                },
            ),
        )
        .await?;
    let guest = copkit
        .create_invitation(
            &helen,
            &st3,
            NewInvitation::email(USERS[3].email).as_guest(vec![teaching.id]),
        )
        .await?;
    copkit.accept_invitation(&priya, &guest.token).await?;
    let q = copkit
        .start_thread(&tom, &teaching.id, thread(ThreadKind::Question,
            "Two-week-wait referrals: when is 'worried' enough?",
            "A 52-year-old with vague abdominal symptoms and normal bloods. @priya_trainer, how do you decide?",
            &["referrals", "cancer"]))
        .await?;
    let answer = copkit
        .add_post(
            &priya,
            &q.id,
            post("Start from NICE NG12, then safety-net explicitly and document it."),
        )
        .await?;
    copkit.accept_answer(&tom, &q.id, Some(answer.id)).await?;
    copkit
        .start_thread(
            &tom,
            &cases.id,
            thread(
                ThreadKind::Discussion,
                "Consultation with an interpreter: what worked",
                "Sharing a consultation where a telephone interpreter changed the outcome.",
                &["consultation"],
            ),
        )
        .await?;
    copkit
        .start_thread(
            &helen,
            &core.id,
            thread(
                ThreadKind::Discussion,
                "Spring term plan",
                "Draft plan for the spring term sessions.",
                &["planning"],
            ),
        )
        .await?;
    copkit
        .upload_document(&andrew, &teaching.id, text_document(
            "Suspected cancer referral pathway",
            "The local two-week-wait pathway, 2026 edition.",
            "# Referral pathway\n\n1. Check NG12 criteria.\n2. Refer within 24 hours.\n3. Safety-net.\n",
        ))
        .await?;
    let today = copkit
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    copkit
        .schedule_event(
            &helen,
            &cases.id,
            fortnightly("ST3 small group", today, "18:30", 12),
        )
        .await?;
    copkit
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
                closes_in_hours: 7 * 24,
                results: ResultsVisibility::AfterVote,
            },
        )
        .await?;

    // A secret trainers' group.
    let trainers = copkit
        .create_community(
            &helen,
            NewCommunity {
                slug: "wessex-trainers-circle".into(),
                name: "Wessex trainers' circle".into(),
                purpose: "Trainers support each other with struggling trainees, in confidence."
                    .into(),
                kind: CommunityKind::EducatorGroup,
                access: Access::Secret,
                join_question: None,
            },
        )
        .await?
        .card
        .id;
    let invite = copkit
        .create_invitation(&helen, &trainers, NewInvitation::email(USERS[3].email))
        .await?;
    copkit.accept_invitation(&priya, &invite.token).await?;
    let room = copkit
        .create_space(
            &helen,
            &trainers,
            space(
                "Confidential support",
                "What is said here stays here.",
                SpaceVisibility::Members,
            ),
        )
        .await?;
    copkit
        .start_thread(
            &priya,
            &room.id,
            thread(
                ThreadKind::Question,
                "Supporting a trainee after a complaint",
                "What has helped your trainees most in the first week after a complaint?",
                &["wellbeing"],
            ),
        )
        .await?;
    Ok(())
}
