//! Polls: members shape their learning by voting on what comes next.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{ActivityId, PollId, SpaceId};
use crate::model::{
    Activity, ActivityKind, Ballot, FanoutJob, Page, PageRequest, Poll, ResultsVisibility,
};
use crate::policy::SpaceAction;
use crate::service::access::SpaceAccess;
use crate::service::{Actor, Copkit};
use crate::store::{Expect, NotificationOp, PollOp, Records, Transaction, Wanted};
use crate::validate::Checker;
use crate::validate::limits;

/// What it takes to open a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPoll {
    /// The question, 3–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    pub question: String,
    /// 2–20 distinct options, each 1–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:items-line+unique", min_items = 2, max_items = 20)
    )]
    pub options: Vec<String>,
    /// Whether a ballot may choose several options.
    #[serde(default)]
    pub multiple_choice: bool,
    /// Hours until voting ends (1–8,760, a year).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 8760))]
    pub closes_in_hours: u32,
    /// When members see the results.
    pub results: ResultsVisibility,
}

/// A poll as one member sees it: the tally only when they may see results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PollView {
    /// The poll; `tally` is empty and `voters` zero while results are hidden.
    pub poll: Poll,
    /// Whether the results are shown.
    pub results_visible: bool,
    /// Whether voting has ended.
    pub closed: bool,
    /// The caller's ballot, if they voted.
    pub my_ballot: Option<Ballot>,
}

/// The closing of `poll` at its deadline, queued for the notification
/// producer when the poll opens (due then). Its id is made from the poll's
/// and the deadline, so closing early (or erasure) can find it.
pub(crate) fn deadline_closing(poll: &Poll) -> Activity {
    let millis = u64::try_from(poll.closes_at.as_millisecond()).unwrap_or(0);
    Activity {
        id: ActivityId(ulid::Ulid::from_parts(millis, poll.id.0.random())),
        community: poll.community,
        space: Some(poll.space),
        actor: poll.created_by.clone(),
        at: poll.closes_at,
        kind: ActivityKind::PollClosed {
            poll: poll.id,
            on_deadline: true,
        },
    }
}

/// The queue entry that tells `poll`'s voters when its deadline comes.
pub(crate) fn deadline_job(poll: &Poll) -> FanoutJob {
    FanoutJob {
        activity: deadline_closing(poll),
        due: poll.closes_at,
        attempts: 0,
        version: 1,
    }
}

impl Copkit {
    /// The poll, the caller's access and their ballot (two reads: the poll,
    /// then access and ballot together).
    async fn poll_access(
        &self,
        actor: &Actor,
        id: &PollId,
    ) -> Result<(Poll, SpaceAccess, Option<Ballot>)> {
        let poll = self.store().get_poll(id).await?.ok_or(Error::NotFound)?;
        let (access, mut records) = self
            .space_access_with(
                actor,
                &poll.community,
                &poll.space,
                vec![Wanted::Ballot(*id, actor.user.clone())],
            )
            .await?;
        access.require(actor, SpaceAction::View)?;
        Ok((poll, access, records.ballot()))
    }

    fn poll_view(&self, mut poll: Poll, my_ballot: Option<Ballot>) -> PollView {
        let closed = poll.is_closed_at(self.now());
        let results_visible =
            closed || (poll.results == ResultsVisibility::AfterVote && my_ballot.is_some());
        if !results_visible {
            poll.tally = vec![0; poll.options.len()];
            poll.voters = 0;
        }
        PollView {
            poll,
            results_visible,
            closed,
            my_ballot,
        }
    }

    /// Opens a poll in a space.
    pub async fn create_poll(
        &self,
        actor: &Actor,
        space: &SpaceId,
        input: NewPoll,
    ) -> Result<PollView> {
        let access = self
            .authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let question = check.line(
            "question",
            &input.question,
            limits::TITLE_MIN,
            limits::TITLE_MAX,
        );
        if !(limits::POLL_OPTIONS_MIN..=limits::POLL_OPTIONS_MAX).contains(&input.options.len()) {
            check.fail(
                "options",
                "out_of_range",
                format!(
                    "give {} to {} options",
                    limits::POLL_OPTIONS_MIN,
                    limits::POLL_OPTIONS_MAX
                ),
            );
        }
        let mut options: Vec<String> = Vec::new();
        for (i, option) in input.options.iter().enumerate() {
            let field = format!("options[{i}]");
            let o = check.line(&field, option, 1, limits::POLL_OPTION_MAX);
            if options.contains(&o) {
                check.fail(&field, "duplicate", "options must differ");
            }
            options.push(o);
        }
        if !(1..=8_760).contains(&input.closes_in_hours) {
            check.fail(
                "closes_in_hours",
                "out_of_range",
                "must be 1 to 8,760 hours",
            );
        }
        check.finish()?;
        let now = self.now();
        let closes_at = now
            .saturating_add(SignedDuration::from_hours(i64::from(input.closes_in_hours)))
            .map_err(|e| Error::Internal(format!("poll close overflow: {e}")))?;
        let poll = Poll {
            id: PollId(self.new_ulid(now)),
            space: *space,
            community: access.space.community,
            question,
            tally: vec![0; options.len()],
            options,
            multiple_choice: input.multiple_choice,
            closes_at,
            results: input.results,
            created_by: actor.user.clone(),
            created_at: now,
            voters: 0,
            version: 1,
        };
        let tx = Transaction::new()
            .with(PollOp::PutPoll {
                poll: poll.clone(),
                expect: Expect::Absent,
            })
            .with(self.activity(
                actor,
                poll.community,
                Some(*space),
                now,
                ActivityKind::PollOpened { poll: poll.id },
            ))
            .with(NotificationOp::PutFanout {
                job: deadline_job(&poll),
                expect: Expect::Absent,
            });
        self.commit(tx).await?;
        Ok(self.poll_view(poll, None))
    }

    /// One poll, with results when the caller may see them.
    pub async fn get_poll(&self, actor: &Actor, id: &PollId) -> Result<PollView> {
        let (poll, _, ballot) = self.poll_access(actor, id).await?;
        Ok(self.poll_view(poll, ballot))
    }

    /// A space's polls, newest first.
    pub async fn list_polls(
        &self,
        actor: &Actor,
        space: &SpaceId,
        page: &PageRequest,
    ) -> Result<Page<PollView>> {
        self.authorize_space(actor, space, SpaceAction::View)
            .await?;
        let scope = format!("polls|{space}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_polls(space, &range).await?;
        let wanted: Vec<Wanted> = chunk
            .items
            .iter()
            .map(|p| Wanted::Ballot(p.id, actor.user.clone()))
            .collect();
        let mut ballots = if wanted.is_empty() {
            Records::default()
        } else {
            self.store().get_records(&wanted).await?
        };
        let mut views = Vec::with_capacity(chunk.items.len());
        for poll in &chunk.items {
            let ballot = ballots.ballot_for(&poll.id);
            views.push(self.poll_view(poll.clone(), ballot));
        }
        let page = self.page(&scope, chunk)?;
        Ok(Page {
            items: views,
            next: page.next,
        })
    }

    /// Casts or changes the caller's ballot while the poll is open. The
    /// ballot and the tally change in one write.
    pub async fn vote(&self, actor: &Actor, id: &PollId, choices: &[u32]) -> Result<PollView> {
        let (poll, access, old) = self.poll_access(actor, id).await?;
        access.require(actor, SpaceAction::Contribute)?;
        let now = self.now();
        if poll.is_closed_at(now) {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let mut chosen: Vec<u32> = choices.to_vec();
        chosen.sort_unstable();
        chosen.dedup();
        let options = poll.options.len();
        let mut check = Checker::new();
        if chosen.is_empty()
            || chosen.len() != choices.len()
            || choices.len() > limits::POLL_OPTIONS_MAX
        {
            check.fail(
                "choices",
                "invalid_choices",
                "choose 1 to 20 options, each once",
            );
        }
        check.finish()?;
        // Whether the ballot fits depends on this poll, not on the request alone.
        if (!poll.multiple_choice && chosen.len() > 1)
            || chosen.iter().any(|c| *c as usize >= options)
        {
            return Err(Error::Conflict(Conflict::BallotMismatch));
        }
        let mut deltas = vec![0i64; options];
        for c in &chosen {
            deltas[*c as usize] += 1;
        }
        if let Some(old) = &old {
            for c in &old.choices {
                if let Some(d) = deltas.get_mut(*c as usize) {
                    *d -= 1;
                }
            }
        }
        let ballot = Ballot {
            poll: *id,
            user: actor.user.clone(),
            choices: chosen,
            cast_at: now,
            version: old.as_ref().map_or(1, |b| b.version + 1),
        };
        let voters = i64::from(old.is_none());
        let tx = Transaction::new()
            .with(PollOp::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::from_version(old.as_ref().map(|b| b.version)),
            })
            .with(PollOp::AdjustTally {
                poll: *id,
                deltas: deltas.clone(),
                voters,
                now,
            })
            .with(self.activity(
                actor,
                poll.community,
                Some(poll.space),
                now,
                ActivityKind::Voted { poll: *id },
            ));
        self.commit(tx).await?;
        // The tally as this vote left it (other votes show on the next read).
        let mut poll = poll;
        let moved = |n: u32, by: i64| u32::try_from((i64::from(n) + by).max(0)).unwrap_or(n);
        for (count, delta) in poll.tally.iter_mut().zip(&deltas) {
            *count = moved(*count, *delta);
        }
        poll.voters = moved(poll.voters, voters);
        Ok(self.poll_view(poll, Some(ballot)))
    }

    /// Ends voting now (the poll's creator or a moderator). Its voters and
    /// author are told now instead of at the deadline.
    pub async fn close_poll(&self, actor: &Actor, id: &PollId) -> Result<PollView> {
        let (poll, access, ballot) = self.poll_access(actor, id).await?;
        self.may_change(actor, &access, &poll.created_by, true)?;
        let now = self.now();
        if poll.is_closed_at(now) {
            return Ok(self.poll_view(poll, ballot));
        }
        let closed = Poll {
            closes_at: now,
            version: poll.version + 1,
            ..poll.clone()
        };
        let tx = Transaction::new()
            .with(PollOp::PutPoll {
                poll: closed.clone(),
                expect: Expect::Version(poll.version),
            })
            .with(self.activity(
                actor,
                poll.community,
                Some(poll.space),
                now,
                ActivityKind::PollClosed {
                    poll: *id,
                    on_deadline: false,
                },
            ))
            .with(NotificationOp::ForgetFanout {
                activity: deadline_closing(&poll).id,
            });
        self.commit(tx).await?;
        Ok(self.poll_view(closed, ballot))
    }
}
