use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{ActivityId, CommunityId, InvitationId, SpaceId, UserId};
use crate::model::Role;

/// A recorded domain event: who did what, where and when. Written inside the
/// same atomic store write as the change it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Its id (time-ordered).
    pub id: ActivityId,
    /// The community it happened in.
    pub community: CommunityId,
    /// The space, when it happened inside one.
    pub space: Option<SpaceId>,
    /// Who did it.
    pub actor: UserId,
    /// When.
    pub at: Timestamp,
    /// What happened.
    pub kind: ActivityKind,
}

/// How someone became a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinedVia {
    /// Started the community.
    Founded,
    /// Joined an Open community.
    Open,
    /// Their join request was approved.
    Approval,
    /// Accepted an invitation.
    Invitation,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActivityKind {
    /// The community was started.
    CommunityCreated,
    /// Its settings changed.
    CommunityUpdated,
    /// Someone joined.
    MemberJoined {
        /// Who.
        user: UserId,
        /// With which role.
        role: Role,
        /// How.
        via: JoinedVia,
    },
    /// Someone left.
    MemberLeft {
        /// Who.
        user: UserId,
    },
    /// A moderator removed someone.
    MemberRemoved {
        /// Who.
        user: UserId,
    },
    /// A moderator banned someone.
    MemberBanned {
        /// Who.
        user: UserId,
        /// Until when (`None`: permanently).
        until: Option<Timestamp>,
    },
    /// A moderator lifted a ban.
    MemberUnbanned {
        /// Who.
        user: UserId,
    },
    /// An owner changed someone's role.
    RoleChanged {
        /// Whose.
        user: UserId,
        /// From.
        from: Role,
        /// To.
        to: Role,
    },
    /// An owner handed ownership over.
    OwnershipTransferred {
        /// The new owner.
        to: UserId,
    },
    /// Someone asked to join.
    JoinRequested {
        /// Who.
        user: UserId,
    },
    /// A request was withdrawn.
    JoinRequestWithdrawn {
        /// Whose.
        user: UserId,
    },
    /// A request was denied.
    JoinRequestDenied {
        /// Whose.
        user: UserId,
    },
    /// An invitation was created.
    InvitationCreated {
        /// Which.
        invitation: InvitationId,
    },
    /// An invitation was revoked.
    InvitationRevoked {
        /// Which.
        invitation: InvitationId,
    },
    /// A space was created.
    SpaceCreated,
    /// A space's settings changed.
    SpaceUpdated,
    /// A space was archived.
    SpaceArchived,
    /// A space was brought back from the archive.
    SpaceUnarchived,
    /// A guest was granted a space.
    GuestGranted {
        /// Who.
        user: UserId,
    },
    /// A guest's grant was revoked.
    GuestRevoked {
        /// Who.
        user: UserId,
    },
}
