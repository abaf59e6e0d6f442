use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// A person's profile: what copkit knows about them beyond the platform identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The platform subject id.
    pub user: UserId,
    /// The name other members see.
    pub display_name: String,
    /// Professional role, such as "GP trainee", "GP trainer" or "appraiser".
    pub professional_role: Option<String>,
    /// Organisation, such as a practice or a deanery.
    pub organisation: Option<String>,
    /// When the profile was first stored.
    pub created_at: Timestamp,
    /// When the profile last changed.
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}
