//! Participation levels: counting contributions inside the use case's
//! write, a member's standing, the roster by level, and the scheduled
//! review that lets time lower levels.

use jiff::Timestamp;

use crate::error::{Error, Result};
use crate::ids::CommunityId;
use crate::model::{
    Contribution, LevelRules, LevelStanding, Membership, Page, PageRequest, Participation,
    ParticipationLevel,
};
use crate::service::access::SpaceAccess;
use crate::service::members::MemberView;
use crate::service::{Actor, CommitMeaning, Copkit};
use crate::store::{
    ActivityOp, CommunityOp, Expect, MemberFilter, Op, StoreError, Transaction, Wanted,
};

/// A contribution to count with a use case's write: who made it, their
/// membership and participation record as read, and the community's rules.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    pub rules: LevelRules,
    pub membership: Membership,
    pub participation: Option<Participation>,
    pub contribution: Contribution,
}

impl Counted {
    /// What counting adds to the write: the participation record, and the
    /// membership when the level moves.
    fn ops(&self, now: Timestamp) -> Vec<Op> {
        let m = &self.membership;
        let expect = Expect::from_version(self.participation.as_ref().map(|p| p.version));
        let mut p = self
            .participation
            .clone()
            .unwrap_or_else(|| Participation::new(m.community, m.user.clone()));
        p.add(self.contribution, now, &self.rules);
        p.version += 1;
        let level = self.rules.level(m.role, p.points_at(now, &self.rules));
        let mut ops = vec![
            ActivityOp::PutParticipation {
                participation: p,
                expect,
            }
            .into(),
        ];
        if level != m.level {
            ops.push(
                CommunityOp::PutMembership {
                    membership: Membership {
                        level,
                        updated_at: now,
                        version: m.version + 1,
                        ..m.clone()
                    },
                    expect: Expect::Version(m.version),
                }
                .into(),
            );
        }
        ops
    }
}

/// Attempts at a write whose counting raced another write of the same
/// member's records.
const COUNT_ATTEMPTS: usize = 3;

/// Most participation records one review call recomputes.
pub const REVIEW_BATCH: u32 = 100;

/// What one scheduled review did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReviewReport {
    /// Records recomputed.
    pub reviewed: u32,
    /// Memberships whose level moved.
    pub changed: u32,
}

impl SpaceAccess {
    /// The caller's contribution in this space, to count with the write.
    pub(crate) fn counting(&self, contribution: Contribution) -> Option<Counted> {
        Copkit::counted(
            self.community.community.level_rules,
            self.community.membership.as_ref(),
            self.participation.clone(),
            contribution,
        )
    }
}

impl Copkit {
    /// A contribution by `membership`'s member, counted if they are an
    /// active member.
    pub(crate) fn counted(
        rules: LevelRules,
        membership: Option<&Membership>,
        participation: Option<Participation>,
        contribution: Contribution,
    ) -> Option<Counted> {
        let membership = membership.filter(|m| m.is_active())?.clone();
        Some(Counted {
            rules,
            membership,
            participation,
            contribution,
        })
    }

    /// Commits `tx` with the contribution counted in the same write. When
    /// only the counting lost a race (the member's participation record or
    /// membership moved meanwhile), both are read again and the write is
    /// retried, so a busy member never sees a conflict for it.
    pub(crate) async fn commit_counting(
        &self,
        mut tx: Transaction,
        counted: Option<Counted>,
    ) -> Result<()> {
        crate::service::notifications::queue_fanouts(&mut tx);
        let Some(mut counted) = counted else {
            return self.commit_unqueued(tx).await;
        };
        let base = tx.ops().len();
        for attempt in 1..=COUNT_ATTEMPTS {
            let mut full = tx.clone();
            for op in counted.ops(self.now()) {
                full.push(op);
            }
            let outcome = CommitMeaning::of(&full);
            match self.store().commit(full).await {
                Err(StoreError::Condition { op, .. }) if op >= base && attempt < COUNT_ATTEMPTS => {
                    let m = &counted.membership;
                    let mut fresh = self
                        .store()
                        .get_records(&[
                            Wanted::Membership(m.community, m.user.clone()),
                            Wanted::Participation(m.community, m.user.clone()),
                        ])
                        .await?;
                    match fresh.membership().filter(|m| m.is_active()) {
                        Some(membership) => {
                            counted.membership = membership;
                            counted.participation = fresh.participation();
                        }
                        // They left meanwhile: nothing to count.
                        None => return self.commit_unqueued(tx).await,
                    }
                }
                result => {
                    let touched = self.touched_for_search(&tx);
                    self.settle(result, outcome)?;
                    self.index_touched(touched).await;
                    return Ok(());
                }
            }
        }
        Err(Error::Conflict(crate::error::Conflict::VersionMismatch))
    }

    /// The caller's level in a community, the points behind it and what
    /// would move it (active members).
    pub async fn my_level(&self, actor: &Actor, community: &CommunityId) -> Result<LevelStanding> {
        let access = self.community_access(actor, community).await?;
        let membership = access
            .membership
            .filter(|m| m.is_active())
            .ok_or(Error::NotFound)?;
        let participation = self
            .store()
            .get_participation(community, &actor.user)
            .await?
            .unwrap_or_else(|| Participation::new(*community, actor.user.clone()));
        Ok(participation.standing(membership.role, self.now(), &access.community.level_rules))
    }

    /// Members at one level, by user id (members only; guests never see the
    /// roster). Levels are those stored: each member's is current as of
    /// their last contribution or the last scheduled review.
    pub async fn list_members_at_level(
        &self,
        actor: &Actor,
        community: &CommunityId,
        level: ParticipationLevel,
        page: &PageRequest,
    ) -> Result<Page<MemberView>> {
        let scope = format!("members-at-level|{community}|{level:?}");
        self.roster_page(actor, community, MemberFilter::Level(level), &scope, page)
            .await
    }

    /// Recomputes the participation records whose review is due (time has
    /// moved their oldest counted day out of the window), at most
    /// [`REVIEW_BATCH`]; levels that moved are written. Run it on a
    /// schedule (hourly is plenty); call again while `reviewed` equals the
    /// batch size.
    pub async fn review_participation(&self) -> Result<ReviewReport> {
        let now = self.now();
        let due = self.store().participation_due(now, REVIEW_BATCH).await?;
        let mut report = ReviewReport::default();
        for stale in due {
            let mut records = self
                .store()
                .get_records(&[
                    Wanted::Community(stale.community),
                    Wanted::Membership(stale.community, stale.user.clone()),
                    Wanted::Participation(stale.community, stale.user.clone()),
                ])
                .await?;
            let (Some(community), Some(current)) = (records.community(), records.participation())
            else {
                continue;
            };
            if current.review_at.is_none_or(|at| at > now) {
                continue; // rewritten since it was listed
            }
            let rules = community.level_rules;
            let mut next = current.clone();
            next.trim(now, &rules);
            next.version += 1;
            let mut tx = Transaction::new().with(ActivityOp::PutParticipation {
                participation: next.clone(),
                expect: Expect::Version(current.version),
            });
            if let Some(m) = records.membership().filter(|m| m.is_active()) {
                let level = rules.level(m.role, next.points_at(now, &rules));
                if level != m.level {
                    report.changed += 1;
                    tx.push(CommunityOp::PutMembership {
                        membership: Membership {
                            level,
                            updated_at: now,
                            version: m.version + 1,
                            ..m.clone()
                        },
                        expect: Expect::Version(m.version),
                    });
                }
            }
            match self.store().commit(tx).await {
                // A contribution got there first: it recomputed the level.
                Ok(()) | Err(StoreError::Condition { .. }) => report.reviewed += 1,
                Err(other) => return Err(other.into()),
            }
        }
        Ok(report)
    }
}
