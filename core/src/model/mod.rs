//! Plain data types, one file per concept. No behaviour beyond small,
//! self-evident helpers; rules live in [`crate::policy`] and [`crate::service`].

mod activity;
mod community;
mod invitation;
mod join_request;
mod membership;
mod page;
mod profile;
mod space;

pub use activity::{Activity, ActivityKind, JoinedVia};
pub use community::{
    Community, CommunityCounts, CommunityKind, CountDelta, JoinPolicy, Slug, Visibility,
};
pub use invitation::{Invitation, InvitationTarget, InvitedRole, TokenHash};
pub use join_request::{JoinRequest, RequestStatus};
pub use membership::{Membership, MembershipStatus, ParticipationLevel, Role};
pub use page::{Cursor, Page, PageRequest};
pub use profile::Profile;
pub use space::{Space, SpaceGrant, SpaceVisibility};
