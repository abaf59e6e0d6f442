use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, UserId};

/// A request to join a community with the Approval policy.
/// One record per (community, person); asking again reuses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JoinRequest {
    /// The community asked.
    pub community: CommunityId,
    /// Who asks.
    pub user: UserId,
    /// Their answer to the community's join question.
    pub answer: Option<String>,
    /// Where the request stands.
    pub status: RequestStatus,
    /// When it was (last) made.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

/// Where a join request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RequestStatus {
    /// Waiting for a moderator.
    Pending,
    /// Approved: the person became a member.
    Approved {
        /// The moderator who approved.
        by: UserId,
        /// When.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        at: Timestamp,
    },
    /// Denied with a reason; asking again is possible after a cool-down.
    Denied {
        /// The moderator who denied.
        by: UserId,
        /// When.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        at: Timestamp,
        /// Why, as told to the person.
        reason: String,
    },
    /// Withdrawn by the person before a decision.
    Withdrawn {
        /// When.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        at: Timestamp,
    },
}

impl JoinRequest {
    /// True while waiting for a decision.
    pub fn is_pending(&self) -> bool {
        matches!(self.status, RequestStatus::Pending)
    }
}
