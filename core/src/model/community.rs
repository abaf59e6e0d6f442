use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::{CommunityId, UserId};
use crate::model::LevelRules;
use crate::validate::limits;

/// A community: a group of practitioners who learn from each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Community {
    /// Its id.
    pub id: CommunityId,
    /// Its unique, URL-friendly name (`st3-small-group`).
    pub slug: Slug,
    /// Its display name.
    pub name: String,
    /// What the community is for.
    pub purpose: String,
    /// What kind of group it is.
    pub kind: CommunityKind,
    /// Who can see it.
    pub visibility: Visibility,
    /// How people get in.
    pub join_policy: JoinPolicy,
    /// The question asked of people who request to join (Approval policy).
    pub join_question: Option<String>,
    /// Who started it.
    pub created_by: UserId,
    /// When it was started.
    pub created_at: Timestamp,
    /// When its settings last changed.
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version of its settings, starting at 1.
    pub version: u64,
    /// Counters kept by the store inside each membership or space write.
    pub counts: CommunityCounts,
    /// How participation levels are computed here.
    #[serde(default)]
    pub level_rules: LevelRules,
    /// What happens to the documents of someone who erases their account.
    #[serde(default)]
    pub departed_uploads: DepartedUploads,
}

impl Community {
    /// The slug this community claims in the one namespace of slugs: its
    /// own when it is listed (Public or Private); none when Secret, so no
    /// answer about a slug (taken, free, found) can reveal a Secret
    /// community. Secret communities are found by id, or by slug among the
    /// caller's own communities.
    pub fn slug_claim(&self) -> Option<&Slug> {
        self.visibility.is_listed().then_some(&self.slug)
    }
}

/// Counters kept on the community record. Only the store changes them, through
/// [`CountDelta`]s inside the same atomic write as the change they count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityCounts {
    /// Active members (owners, moderators and members; not guests).
    pub members: u32,
    /// Active guests.
    pub guests: u32,
    /// Active owners (never below 1).
    pub owners: u32,
    /// Spaces, archived or not.
    pub spaces: u32,
}

/// A change to [`CommunityCounts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountDelta {
    /// Change in active members.
    pub members: i64,
    /// Change in active guests.
    pub guests: i64,
    /// Change in active owners.
    pub owners: i64,
    /// Change in spaces.
    pub spaces: i64,
}

impl CountDelta {
    /// True when nothing changes.
    pub fn is_zero(&self) -> bool {
        *self == CountDelta::default()
    }

    /// `self - other`, field by field.
    pub fn minus(self, other: CountDelta) -> CountDelta {
        CountDelta {
            members: self.members - other.members,
            guests: self.guests - other.guests,
            owners: self.owners - other.owners,
            spaces: self.spaces - other.spaces,
        }
    }
}

impl CommunityCounts {
    /// The counts after `delta`, or `None` if any would go negative.
    pub fn apply(&self, delta: CountDelta) -> Option<CommunityCounts> {
        fn add(v: u32, d: i64) -> Option<u32> {
            u32::try_from(i64::from(v) + d).ok()
        }
        Some(CommunityCounts {
            members: add(self.members, delta.members)?,
            guests: add(self.guests, delta.guests)?,
            owners: add(self.owners, delta.owners)?,
            spaces: add(self.spaces, delta.spaces)?,
        })
    }
}

/// What a community does with the documents of someone who erases their
/// account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DepartedUploads {
    /// The community keeps them, attributed to a former member (the
    /// default: a shared library outlives its contributors).
    #[default]
    Keep,
    /// They are removed with the account, and their bytes purged after the
    /// grace window.
    Remove,
}

/// What kind of group a community is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CommunityKind {
    /// A practice team.
    PracticeTeam,
    /// A training group (an ST3 small group, a day-release course).
    TrainingGroup,
    /// A learning set.
    LearningSet,
    /// A special-interest group.
    SpecialInterestGroup,
    /// An educator group (trainers, appraisers, patch teams).
    EducatorGroup,
}

impl CommunityKind {
    /// Every kind, in display order.
    pub const ALL: [CommunityKind; 5] = [
        CommunityKind::PracticeTeam,
        CommunityKind::TrainingGroup,
        CommunityKind::LearningSet,
        CommunityKind::SpecialInterestGroup,
        CommunityKind::EducatorGroup,
    ];
}

/// Who can see a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Visibility {
    /// Listed; members-level content readable by any signed-in user.
    Public,
    /// Listed (name, purpose, member count); content for members only.
    Private,
    /// Not listed; invisible to everyone outside; join by invitation only.
    Secret,
}

impl Visibility {
    /// Every visibility.
    pub const ALL: [Visibility; 3] = [Visibility::Public, Visibility::Private, Visibility::Secret];

    /// Whether the community appears in the directory.
    pub fn is_listed(self) -> bool {
        !matches!(self, Visibility::Secret)
    }
}

/// How people get into a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum JoinPolicy {
    /// Anyone who can see it may join.
    Open,
    /// People ask (answering the join question); moderators approve or deny.
    Approval,
    /// Only by an email invitation or an invite link.
    InviteOnly,
}

impl JoinPolicy {
    /// Every join policy.
    pub const ALL: [JoinPolicy; 3] = [
        JoinPolicy::Open,
        JoinPolicy::Approval,
        JoinPolicy::InviteOnly,
    ];
}

/// Who can see a community and how people get in, together: a Secret
/// community is always joined by invitation, so it takes no join policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "visibility",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Access {
    /// Listed; members-level content readable by any signed-in user.
    Public {
        /// How people get in.
        join_policy: JoinPolicy,
    },
    /// Listed (card only); content for members.
    Private {
        /// How people get in.
        join_policy: JoinPolicy,
    },
    /// Not listed; invisible outside; invitation only.
    Secret,
}

/// The strict input form of [`Access`] (unknown fields refused on every variant).
#[derive(Deserialize)]
#[serde(tag = "visibility", rename_all = "snake_case", deny_unknown_fields)]
enum AccessInput {
    Public { join_policy: JoinPolicy },
    Private { join_policy: JoinPolicy },
    Secret {},
}

crate::json::strict_tagged!(Access, AccessInput, "visibility");

impl From<AccessInput> for Access {
    fn from(a: AccessInput) -> Self {
        match a {
            AccessInput::Public { join_policy } => Access::Public { join_policy },
            AccessInput::Private { join_policy } => Access::Private { join_policy },
            AccessInput::Secret {} => Access::Secret,
        }
    }
}

impl Access {
    /// Combines a visibility and a join policy (Secret forces InviteOnly).
    pub fn new(visibility: Visibility, join_policy: JoinPolicy) -> Access {
        match visibility {
            Visibility::Public => Access::Public { join_policy },
            Visibility::Private => Access::Private { join_policy },
            Visibility::Secret => Access::Secret,
        }
    }

    /// The visibility.
    pub fn visibility(&self) -> Visibility {
        match self {
            Access::Public { .. } => Visibility::Public,
            Access::Private { .. } => Visibility::Private,
            Access::Secret => Visibility::Secret,
        }
    }

    /// The join policy.
    pub fn join_policy(&self) -> JoinPolicy {
        match self {
            Access::Public { join_policy } | Access::Private { join_policy } => *join_policy,
            Access::Secret => JoinPolicy::InviteOnly,
        }
    }
}

/// A community's unique, URL-friendly name: `[a-z0-9-]{3,40}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slug(String);

impl Slug {
    /// Validates a slug.
    pub fn new(value: &str) -> Result<Slug, FieldError> {
        let len = value.chars().count();
        if !(limits::SLUG_MIN..=limits::SLUG_MAX).contains(&len) {
            return Err(FieldError::new(
                "slug",
                if len < limits::SLUG_MIN {
                    "too_short"
                } else {
                    "too_long"
                },
                format!(
                    "must be {} to {} characters",
                    limits::SLUG_MIN,
                    limits::SLUG_MAX
                ),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(FieldError::new(
                "slug",
                "invalid_characters",
                "may contain only lowercase letters a-z, digits and hyphens",
            ));
        }
        Ok(Slug(value.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Slug {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Slug::new(s)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::new(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_pattern() {
        for ok in ["st3", "st3-small-group", "a-b-c", &"x".repeat(40)] {
            assert!(Slug::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "ST3-group",
            "st3 group",
            "st3_group",
            "ümlaut",
            &"x".repeat(41),
        ] {
            assert!(Slug::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_never_go_negative() {
        let c = CommunityCounts {
            members: 1,
            guests: 0,
            owners: 1,
            spaces: 0,
        };
        assert!(
            c.apply(CountDelta {
                owners: -2,
                ..Default::default()
            })
            .is_none()
        );
        assert_eq!(
            c.apply(CountDelta {
                members: 1,
                ..Default::default()
            })
            .map(|c| c.members),
            Some(2)
        );
    }
}
