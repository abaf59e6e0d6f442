//! Value stories: a member records how the community helped them, in the
//! value-creation cycles of Wenger, Trayner and de Laat.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, ThreadId, UserId, ValueStoryId};

/// Which kind of value a story tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ValueKind {
    /// Immediate: the activity itself was worthwhile (a good discussion).
    Immediate,
    /// Potential: knowledge gained that may be used later (a template, a contact).
    Potential,
    /// Applied: practice changed because of it.
    Applied,
    /// Realised: the change made a measurable difference (for patients, the team).
    Realised,
    /// Reframing: it changed how success itself is defined.
    Reframing,
}

impl ValueKind {
    /// Every kind, in cycle order.
    pub const ALL: [ValueKind; 5] = [
        ValueKind::Immediate,
        ValueKind::Potential,
        ValueKind::Applied,
        ValueKind::Realised,
        ValueKind::Reframing,
    ];
}

/// A member's account of value the community created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ValueStory {
    /// Its id.
    pub id: ValueStoryId,
    /// The community it is about.
    pub community: CommunityId,
    /// Who told it.
    pub author: UserId,
    /// The kind of value.
    pub kind: ValueKind,
    /// A headline (3–200 characters).
    pub title: String,
    /// The story (1–5,000 characters): what happened and what changed.
    pub story: String,
    /// A discussion it grew from, if any.
    pub thread: Option<ThreadId>,
    /// When it was told.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}
