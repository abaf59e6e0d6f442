use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, PollId, SpaceId, UserId};

/// A poll: members shape their learning by voting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Poll {
    /// Its id.
    pub id: PollId,
    /// The space it is in.
    pub space: SpaceId,
    /// The space's community.
    pub community: CommunityId,
    /// The question (3–200 characters).
    pub question: String,
    /// The options (2–20), in display order.
    pub options: Vec<String>,
    /// Whether a ballot may choose several options.
    pub multiple_choice: bool,
    /// When voting ends.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub closes_at: Timestamp,
    /// When results become visible to members.
    pub results: ResultsVisibility,
    /// Who asked.
    pub created_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Kept by the store: votes per option, in option order.
    pub tally: Vec<u32>,
    /// Kept by the store: how many people voted.
    pub voters: u32,
    /// Optimistic-concurrency version of the question and settings.
    pub version: u64,
}

impl Poll {
    /// True once voting has ended at `now`.
    pub fn is_closed_at(&self, now: Timestamp) -> bool {
        now >= self.closes_at
    }
}

/// When members may see a poll's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ResultsVisibility {
    /// Once they have voted (and to everyone once it closes).
    AfterVote,
    /// Only once the poll has closed.
    AfterClose,
}

/// One person's ballot (changeable until the poll closes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Ballot {
    /// The poll.
    pub poll: PollId,
    /// The voter.
    pub user: UserId,
    /// Chosen option indexes, ascending.
    pub choices: Vec<u32>,
    /// When it was (last) cast.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub cast_at: Timestamp,
    /// Optimistic-concurrency version.
    pub version: u64,
}
