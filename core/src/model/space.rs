use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::Role;

/// A room inside a community with its own visibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Space {
    /// Its id.
    pub id: SpaceId,
    /// The community it belongs to.
    pub community: CommunityId,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Who can see it.
    pub visibility: SpaceVisibility,
    /// When it was archived (read-only), if it was.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub archived_at: Option<Timestamp>,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

impl Space {
    /// True when archived.
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// Who can see a space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SpaceVisibility {
    /// Every member of the community.
    Members,
    /// Only the named people, the named roles (a role admits every role above
    /// it), and owners.
    Restricted {
        /// People admitted by name (at most 200).
        #[cfg_attr(feature = "openapi", schema(max_items = 200))]
        users: Vec<UserId>,
        /// Roles admitted (Moderator or Member; Owner is always admitted).
        roles: Vec<Role>,
    },
    /// Readable by any signed-in user; writing needs membership or a grant.
    Public,
}

/// The strict input form of [`SpaceVisibility`]: serde ignores unknown
/// fields on unit variants of tagged enums, so every variant here has fields
/// (even none) and unknown ones are refused.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum SpaceVisibilityInput {
    Members {},
    Restricted {
        users: Vec<UserId>,
        roles: Vec<Role>,
    },
    Public {},
}

crate::json::strict_tagged!(SpaceVisibility, SpaceVisibilityInput, "type");

impl From<SpaceVisibilityInput> for SpaceVisibility {
    fn from(v: SpaceVisibilityInput) -> Self {
        match v {
            SpaceVisibilityInput::Members {} => SpaceVisibility::Members,
            SpaceVisibilityInput::Restricted { users, roles } => {
                SpaceVisibility::Restricted { users, roles }
            }
            SpaceVisibilityInput::Public {} => SpaceVisibility::Public,
        }
    }
}

/// A person's explicit access to one space (how guests get in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SpaceGrant {
    /// The space.
    pub space: SpaceId,
    /// Its community.
    pub community: CommunityId,
    /// The person granted.
    pub user: UserId,
    /// Who granted it.
    pub granted_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub granted_at: Timestamp,
}

impl SpaceGrant {
    /// Whether the grant admits its holder, whose membership is
    /// `membership`: only during the membership it was made in (active,
    /// joined no later than the grant). A grant left behind when its holder
    /// left, was removed or banned (their grants are deleted in steps after
    /// the membership changes) never comes back to life if they return.
    pub fn holds_for(&self, membership: Option<&crate::model::Membership>) -> bool {
        membership.is_some_and(|m| m.is_active() && m.joined_at <= self.granted_at)
    }
}
