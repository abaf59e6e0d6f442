use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, UserId};
use crate::model::CountDelta;

/// A person's role in a community, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    /// Runs the community; changes roles and settings. There is always at least one.
    Owner,
    /// Moderates: approves requests, invites, pins, locks, removes, bans.
    Moderator,
    /// A full member.
    Member,
    /// An outside perspective: sees only the spaces they are granted.
    Guest,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Moderator, Role::Member, Role::Guest];

    /// True for roles at least as powerful as `other`.
    pub fn at_least(self, other: Role) -> bool {
        self <= other
    }

    /// True for moderators and owners.
    pub fn moderates(self) -> bool {
        self.at_least(Role::Moderator)
    }
}

/// Where a membership stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MembershipStatus {
    /// A current member.
    Active,
    /// Banned until the given time (`None`: permanently).
    Banned {
        /// When the ban ends.
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
        until: Option<Timestamp>,
        /// Why, as recorded by the moderator.
        reason: String,
    },
    /// Left of their own accord.
    Left,
    /// Removed by a moderator (may rejoin).
    Removed,
}

/// Participation level (Wenger): Core, Active or Peripheral. Peripheral is a
/// legitimate way to belong, not a failure state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ParticipationLevel {
    /// The core group that leads the community.
    Core,
    /// Regular contributors.
    Active,
    /// Those who mostly watch and learn.
    Peripheral,
}

/// A person's membership of a community (kept after they leave, as history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Membership {
    /// The community.
    pub community: CommunityId,
    /// The person.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// Where the membership stands.
    pub status: MembershipStatus,
    /// Their participation level (owners and moderators are always Core).
    pub level: ParticipationLevel,
    /// When they (last) joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub joined_at: Timestamp,
    /// When this record last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

impl Membership {
    /// True for a current member (of any role, guests included).
    pub fn is_active(&self) -> bool {
        matches!(self.status, MembershipStatus::Active)
    }

    /// True while a ban is in force at `now`.
    pub fn is_banned_at(&self, now: Timestamp) -> bool {
        match &self.status {
            MembershipStatus::Banned { until, .. } => until.is_none_or(|u| now < u),
            _ => false,
        }
    }

    /// What this record contributes to its community's counts.
    pub fn counted(&self) -> CountDelta {
        if !self.is_active() {
            return CountDelta::default();
        }
        CountDelta {
            members: i64::from(self.role != Role::Guest),
            guests: i64::from(self.role == Role::Guest),
            owners: i64::from(self.role == Role::Owner),
            spaces: 0,
        }
    }

    /// The level a role implies before activity is counted: owners and
    /// moderators are Core, everyone else starts Peripheral.
    pub fn default_level(role: Role) -> ParticipationLevel {
        if role.moderates() {
            ParticipationLevel::Core
        } else {
            ParticipationLevel::Peripheral
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Owner.at_least(Role::Moderator));
        assert!(Role::Moderator.at_least(Role::Member));
        assert!(!Role::Guest.at_least(Role::Member));
        assert!(Role::Moderator.moderates());
        assert!(!Role::Member.moderates());
    }
}
