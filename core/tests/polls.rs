//! Polls: one ballot per member, changeable until close; results hidden
//! until the member voted or the poll closed (configurable).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{JoinPolicy, PageRequest, ResultsVisibility, SpaceVisibility, Visibility};
use copkit_core::service::NewPoll;
use copkit_core::{Conflict, Error, Forbidden};
use jiff::SignedDuration;

fn topics(_w: &World, results: ResultsVisibility, multiple_choice: bool) -> NewPoll {
    NewPoll {
        question: "Next session's topic?".into(),
        options: vec![
            "Dermatology".into(),
            "Safeguarding".into(),
            "Prescribing".into(),
        ],
        multiple_choice,
        closes_in_hours: 48,
        results,
    }
}

#[tokio::test]
async fn members_vote_once_change_their_minds_and_see_results_after_voting() {
    let w = World::new();
    let helen = actor("helen");
    let (tom, mia) = (actor("tom"), actor("mia"));
    let c = w
        .community(&helen, "polls", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&helen, &c, &tom).await;
    w.add_member(&helen, &c, &mia).await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    let p = w
        .copkit
        .create_poll(
            &helen,
            &s.id,
            topics(&w, ResultsVisibility::AfterVote, false),
        )
        .await
        .unwrap()
        .poll;

    let view = w.copkit.vote(&tom, &p.id, &[1]).await.unwrap();
    assert!(view.results_visible);
    assert_eq!(view.poll.tally, [0, 1, 0]);
    // Mia has not voted: the results are hidden from her.
    let hidden = w.copkit.get_poll(&mia, &p.id).await.unwrap();
    assert!(!hidden.results_visible);
    assert_eq!(
        (hidden.poll.tally.clone(), hidden.poll.voters),
        (vec![0, 0, 0], 0)
    );
    w.copkit.vote(&mia, &p.id, &[1]).await.unwrap();
    let changed = w.copkit.vote(&tom, &p.id, &[2]).await.unwrap();
    assert_eq!(
        (changed.poll.tally.clone(), changed.poll.voters),
        (vec![0, 1, 1], 2)
    );
    assert_eq!(changed.my_ballot.map(|b| b.choices), Some(vec![2]));

    assert_eq!(
        w.copkit.vote(&tom, &p.id, &[0, 1]).await.err(),
        Some(Error::Conflict(Conflict::BallotMismatch))
    );
    assert_eq!(
        w.copkit.vote(&tom, &p.id, &[7]).await.err(),
        Some(Error::Conflict(Conflict::BallotMismatch))
    );
    assert_eq!(
        invalid_fields(w.copkit.vote(&tom, &p.id, &[]).await),
        ["choices"]
    );

    w.clock.advance(SignedDuration::from_hours(49));
    assert_eq!(
        w.copkit.vote(&tom, &p.id, &[0]).await.err(),
        Some(Error::Conflict(Conflict::Closed))
    );
    let listed = w
        .copkit
        .list_polls(&mia, &s.id, &PageRequest::first())
        .await
        .unwrap();
    assert!(listed.items[0].closed);
}

#[tokio::test]
async fn after_close_results_stay_hidden_until_the_poll_closes() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = w
        .community(
            &helen,
            "secret-ballot",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &tom).await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    let p = w
        .copkit
        .create_poll(&tom, &s.id, topics(&w, ResultsVisibility::AfterClose, true))
        .await
        .unwrap()
        .poll;
    let voted = w.copkit.vote(&tom, &p.id, &[0, 2]).await.unwrap();
    assert!(!voted.results_visible);
    assert_eq!(voted.poll.tally, [0, 0, 0]);
    w.copkit.vote(&helen, &p.id, &[2]).await.unwrap();
    // The asker or a moderator may close early.
    let other = actor("mia");
    w.add_member(&helen, &c, &other).await;
    assert_eq!(
        w.copkit.close_poll(&other, &p.id).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    let closed = w.copkit.close_poll(&tom, &p.id).await.unwrap();
    assert!(closed.closed && closed.results_visible);
    assert_eq!(
        (closed.poll.tally.clone(), closed.poll.voters),
        (vec![1, 0, 2], 2)
    );
    let mia_view = w.copkit.get_poll(&other, &p.id).await.unwrap();
    assert!(
        mia_view.results_visible,
        "everyone sees results once closed"
    );
}

#[tokio::test]
async fn poll_input_is_validated() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "poll-checks",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("General", SpaceVisibility::Members))
        .await
        .unwrap();
    let bad = NewPoll {
        question: "?".into(),
        options: vec!["Same".into(), "Same".into()],
        multiple_choice: false,
        closes_in_hours: 0,
        results: ResultsVisibility::AfterVote,
    };
    assert_eq!(
        invalid_fields(w.copkit.create_poll(&helen, &s.id, bad).await),
        ["question", "options[1]", "closes_in_hours"]
    );
    let one = NewPoll {
        options: vec!["Only".into()],
        ..topics(&w, ResultsVisibility::AfterVote, false)
    };
    assert_eq!(
        invalid_fields(w.copkit.create_poll(&helen, &s.id, one).await),
        ["options"]
    );
}
