//! Participation levels (Wenger): Core, Active and Peripheral, computed from
//! a member's recent contributions against their community's rules.
//!
//! Each member has one [`Participation`] record per community holding their
//! contribution points per UTC day inside the rolling window (days without
//! points are not stored, older days are dropped on every write). Every
//! contribution updates it inside the use case's one atomic write, and the
//! level stored on the membership moves with it. Time alone can lower a
//! level: `review_at` says when the oldest counted day leaves the window,
//! and the scheduled review recomputes exactly the records due, never a
//! whole community.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, UserId};
use crate::model::{ParticipationLevel, Role};

/// What counts as a contribution, and its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Contribution {
    /// Started a discussion or asked a question (2 points).
    Thread,
    /// Posted or replied (1 point).
    Post,
    /// Their reply was accepted as a question's answer (3 points).
    AcceptedAnswer,
    /// Added a document or a new version (2 points).
    Document,
    /// Attended an event (2 points).
    Attended,
    /// Recorded how the community helped them (2 points).
    ValueStory,
}

impl Contribution {
    /// The points it earns.
    pub fn points(self) -> u32 {
        match self {
            Contribution::Post => 1,
            Contribution::Thread
            | Contribution::Document
            | Contribution::Attended
            | Contribution::ValueStory => 2,
            Contribution::AcceptedAnswer => 3,
        }
    }
}

/// A community's rules for participation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LevelRules {
    /// The rolling window in days (7–365; default 90).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 7, maximum = 365))]
    pub window_days: u32,
    /// Points in the window that make a member Active (1–1,000; default 3).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub active_points: u32,
    /// Points in the window that make a member Core (1–10,000; default 15;
    /// at or below `active_points` there is no Active band).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub core_points: u32,
}

impl Default for LevelRules {
    fn default() -> Self {
        LevelRules {
            window_days: 90,
            active_points: 3,
            core_points: 15,
        }
    }
}

impl LevelRules {
    /// The first rule broken, as (field, message), if any.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if !(7..=365).contains(&self.window_days) {
            Some(("level_rules.window_days", "must be 7 to 365 days"))
        } else if !(1..=1_000).contains(&self.active_points) {
            Some(("level_rules.active_points", "must be 1 to 1,000"))
        } else if !(1..=10_000).contains(&self.core_points) {
            Some(("level_rules.core_points", "must be 1 to 10,000"))
        } else {
            None
        }
    }

    /// The level `points` earn for someone with `role`: owners and
    /// moderators are always Core.
    pub fn level(&self, role: Role, points: u32) -> ParticipationLevel {
        if role.moderates() || points >= self.core_points {
            ParticipationLevel::Core
        } else if points >= self.active_points {
            ParticipationLevel::Active
        } else {
            ParticipationLevel::Peripheral
        }
    }

    /// The first day still inside the window on `today`.
    fn first_day(&self, today: Date) -> Date {
        today
            .checked_sub(jiff::Span::new().days(i64::from(self.window_days) - 1))
            .unwrap_or(Date::MIN)
    }
}

/// Points earned on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DayPoints {
    /// The day (UTC).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// Points earned that day.
    pub points: u32,
}

/// A member's recent contributions to one community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Participation {
    /// The community.
    pub community: CommunityId,
    /// The member.
    pub user: UserId,
    /// Points per day inside the window, oldest first (days without
    /// points are absent).
    pub days: Vec<DayPoints>,
    /// When the oldest counted day leaves the window (the scheduled review
    /// recomputes the level then); absent when nothing is counted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub review_at: Option<Timestamp>,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

/// The UTC day of an instant.
pub fn utc_day(at: Timestamp) -> Date {
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// The start (UTC midnight) of a day.
fn day_start(day: Date) -> Option<Timestamp> {
    day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

impl Participation {
    /// A record with nothing counted yet.
    pub fn new(community: CommunityId, user: UserId) -> Self {
        Participation {
            community,
            user,
            days: Vec::new(),
            review_at: None,
            version: 0,
        }
    }

    /// Points inside the window at `now`.
    pub fn points_at(&self, now: Timestamp, rules: &LevelRules) -> u32 {
        let first = rules.first_day(utc_day(now));
        self.days
            .iter()
            .filter(|d| d.day >= first)
            .map(|d| d.points)
            .fold(0u32, u32::saturating_add)
    }

    /// Drops the days outside the window at `now` and sets `review_at`.
    pub fn trim(&mut self, now: Timestamp, rules: &LevelRules) {
        let first = rules.first_day(utc_day(now));
        self.days.retain(|d| d.day >= first);
        self.days.sort_by_key(|d| d.day);
        self.review_at = self.days.first().and_then(|oldest| {
            let leaves = oldest
                .day
                .checked_add(jiff::Span::new().days(i64::from(rules.window_days)))
                .ok()?;
            day_start(leaves)
        });
    }

    /// Counts a contribution made at `now`, then trims.
    pub fn add(&mut self, contribution: Contribution, now: Timestamp, rules: &LevelRules) {
        let today = utc_day(now);
        match self.days.iter_mut().find(|d| d.day == today) {
            Some(day) => day.points = day.points.saturating_add(contribution.points()),
            None => self.days.push(DayPoints {
                day: today,
                points: contribution.points(),
            }),
        }
        self.trim(now, rules);
    }

    /// Where the member stands at `now`, and what would move them.
    pub fn standing(&self, role: Role, now: Timestamp, rules: &LevelRules) -> LevelStanding {
        let points = self.points_at(now, rules);
        let level = rules.level(role, points);
        let points_to_next_level = match level {
            _ if role.moderates() => None,
            ParticipationLevel::Peripheral => Some(
                rules
                    .active_points
                    .min(rules.core_points)
                    .saturating_sub(points),
            ),
            ParticipationLevel::Active => Some(rules.core_points.saturating_sub(points)),
            ParticipationLevel::Core => None,
        };
        // The level holds until enough old days leave the window.
        let threshold = match level {
            _ if role.moderates() => None,
            ParticipationLevel::Core => Some(rules.core_points),
            ParticipationLevel::Active => Some(rules.active_points),
            ParticipationLevel::Peripheral => None,
        };
        let first = rules.first_day(utc_day(now));
        let level_holds_until = threshold.and_then(|needed| {
            let mut remaining = points;
            for day in self.days.iter().filter(|d| d.day >= first) {
                remaining -= day.points.min(remaining);
                if remaining < needed {
                    let leaves = day
                        .day
                        .checked_add(jiff::Span::new().days(i64::from(rules.window_days)))
                        .ok()?;
                    return day_start(leaves);
                }
            }
            None
        });
        LevelStanding {
            level,
            points,
            rules: *rules,
            points_to_next_level,
            level_holds_until,
        }
    }
}

/// A member's level, the points behind it and what would move it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LevelStanding {
    /// The level now.
    pub level: ParticipationLevel,
    /// Points inside the window now.
    pub points: u32,
    /// The community's rules.
    pub rules: LevelRules,
    /// Points still needed for the next level (absent at Core, and for
    /// owners and moderators, who are always Core).
    pub points_to_next_level: Option<u32>,
    /// Without new contributions, when the level drops (absent when it
    /// cannot drop).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub level_holds_until: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str) -> Timestamp {
        format!("{day}T12:00:00Z").parse().unwrap()
    }

    fn record() -> Participation {
        Participation::new(CommunityId(ulid::Ulid(1)), UserId::new("member").unwrap())
    }

    #[test]
    fn contributions_move_a_member_up() {
        let rules = LevelRules::default();
        let mut p = record();
        assert_eq!(
            p.standing(Role::Member, at("2026-01-01"), &rules).level,
            ParticipationLevel::Peripheral
        );
        p.add(Contribution::Post, at("2026-01-01"), &rules);
        p.add(Contribution::Thread, at("2026-01-02"), &rules);
        let s = p.standing(Role::Member, at("2026-01-02"), &rules);
        assert_eq!(
            (s.level, s.points, s.points_to_next_level),
            (ParticipationLevel::Active, 3, Some(12))
        );
        for _ in 0..4 {
            p.add(Contribution::AcceptedAnswer, at("2026-01-03"), &rules);
        }
        let s = p.standing(Role::Member, at("2026-01-03"), &rules);
        assert_eq!(
            (s.level, s.points, s.points_to_next_level),
            (ParticipationLevel::Core, 15, None)
        );
    }

    #[test]
    fn time_moves_a_member_down() {
        let rules = LevelRules::default();
        let mut p = record();
        p.add(Contribution::Post, at("2026-01-01"), &rules);
        p.add(Contribution::Thread, at("2026-02-15"), &rules);
        assert_eq!(p.review_at, Some("2026-04-01T00:00:00Z".parse().unwrap()));
        let s = p.standing(Role::Member, at("2026-03-31"), &rules);
        assert_eq!(s.level, ParticipationLevel::Active);
        assert_eq!(
            s.level_holds_until,
            Some("2026-04-01T00:00:00Z".parse().unwrap())
        );
        // The first day leaves the 90-day window on 1 April.
        let s = p.standing(Role::Member, at("2026-04-01"), &rules);
        assert_eq!((s.level, s.points), (ParticipationLevel::Peripheral, 2));
        p.trim(at("2026-04-01"), &rules);
        assert_eq!(p.days.len(), 1);
        assert_eq!(p.review_at, Some("2026-05-16T00:00:00Z".parse().unwrap()));
    }

    #[test]
    fn moderators_are_always_core() {
        let rules = LevelRules::default();
        let s = record().standing(Role::Moderator, at("2026-01-01"), &rules);
        assert_eq!(
            (s.level, s.points_to_next_level, s.level_holds_until),
            (ParticipationLevel::Core, None, None)
        );
    }

    #[test]
    fn rules_are_checked() {
        assert_eq!(LevelRules::default().problem(), None);
        let bad = LevelRules {
            core_points: 0,
            ..LevelRules::default()
        };
        assert_eq!(bad.problem().map(|p| p.0), Some("level_rules.core_points"));
        let bad = LevelRules {
            window_days: 3,
            ..LevelRules::default()
        };
        assert_eq!(bad.problem().map(|p| p.0), Some("level_rules.window_days"));
    }
}
