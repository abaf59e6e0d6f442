//! Every access decision, as pure functions (DESIGN §3).
//!
//! Services load the facts (the community, the caller's membership, a space,
//! a grant) and ask this module; nothing else checks roles.
//!
//! The rules:
//! - What a caller may not *see* is [`Denied::NotFound`], exactly like a thing
//!   that does not exist. [`Denied::Forbidden`] is only for what the caller can
//!   see but may not do.
//! - A Secret community is invisible to everyone who is not an active member
//!   (guests included): every action is `NotFound`.
//! - Public and Private communities show their listing card to every signed-in
//!   user, banned people included. Members see `Members` spaces; in a Public
//!   community anyone signed in may read `Members` spaces too.
//! - A `Restricted` space admits its named people, people holding a grant, the
//!   roles it names (a named role admits every role above it) and owners.
//! - A `Public` space is readable by any signed-in user (of a visible
//!   community); writing needs membership or a grant.
//! - Guests see the community card and only the spaces they are granted (plus
//!   what any signed-in user may read); they never see the member list.
//! - Banned people see nothing beyond the listing card until the ban ends.
//! - Moderation (requests, invitations, members, spaces) needs Moderator or
//!   Owner; roles and settings need Owner. A moderator may act only on
//!   members and guests, never on moderators or owners.

use jiff::Timestamp;

use crate::error::{Conflict, Error, Forbidden};
use crate::ids::UserId;
use crate::model::{Community, JoinPolicy, Membership, Role, Space, SpaceVisibility, Visibility};

/// How a caller stands towards one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// No current membership (never joined, left, removed, or a ban that ended).
    Outsider,
    /// An outsider with a join request awaiting a decision.
    Pending,
    /// Banned, and the ban is in force.
    Banned,
    /// A current member with this role.
    Active(Role),
}

impl Standing {
    /// Derives the standing from the caller's membership record (if any),
    /// whether they have a pending join request, and the current time.
    pub fn of(membership: Option<&Membership>, pending_request: bool, now: Timestamp) -> Standing {
        match membership {
            Some(m) if m.is_active() => Standing::Active(m.role),
            Some(m) if m.is_banned_at(now) => Standing::Banned,
            _ if pending_request => Standing::Pending,
            _ => Standing::Outsider,
        }
    }

    /// The role, for active members.
    pub fn role(self) -> Option<Role> {
        match self {
            Standing::Active(role) => Some(role),
            _ => None,
        }
    }

    fn is_full_member(self) -> bool {
        matches!(self, Standing::Active(r) if r != Role::Guest)
    }

    fn moderates(self) -> bool {
        matches!(self, Standing::Active(r) if r.moderates())
    }
}

/// Something a caller may try to do to a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommunityAction {
    /// See the listing card (name, purpose, kind, member count, join question).
    ViewListing,
    /// See the member roster and the value stories; tell value stories
    /// (full members: never guests or outsiders).
    ListMembers,
    /// Join an Open community.
    Join,
    /// Ask to join an Approval community.
    RequestToJoin,
    /// Withdraw one's own pending request.
    WithdrawRequest,
    /// Leave.
    Leave,
    /// List, approve and deny join requests.
    ReviewRequests,
    /// Create, list and revoke invitations.
    Invite,
    /// Remove, ban and unban members and guests.
    ManageMembers,
    /// Change roles and transfer ownership.
    ChangeRoles,
    /// Change the community's name, slug, purpose, visibility and join policy.
    EditSettings,
    /// Create, change and archive spaces; grant and revoke guest access.
    ManageSpaces,
    /// Moderation: read the activity record, the health report and the
    /// moderation log; handle reports; hide and remove content.
    Moderate,
}

impl CommunityAction {
    /// Every community action.
    pub const ALL: [CommunityAction; 13] = [
        CommunityAction::ViewListing,
        CommunityAction::ListMembers,
        CommunityAction::Join,
        CommunityAction::RequestToJoin,
        CommunityAction::WithdrawRequest,
        CommunityAction::Leave,
        CommunityAction::ReviewRequests,
        CommunityAction::Invite,
        CommunityAction::ManageMembers,
        CommunityAction::ChangeRoles,
        CommunityAction::EditSettings,
        CommunityAction::ManageSpaces,
        CommunityAction::Moderate,
    ];
}

/// Something a caller may try to do inside a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpaceAction {
    /// See the space and read its content.
    View,
    /// Add content: post, reply, react, upload, RSVP, vote.
    Contribute,
    /// Moderate content: pin, lock, hide, remove.
    Moderate,
    /// Change the space's settings, archive it, grant guests.
    Manage,
}

impl SpaceAction {
    /// Every space action.
    pub const ALL: [SpaceAction; 4] = [
        SpaceAction::View,
        SpaceAction::Contribute,
        SpaceAction::Moderate,
        SpaceAction::Manage,
    ];

    /// True for actions that only read.
    pub fn is_read(self) -> bool {
        matches!(self, SpaceAction::View)
    }
}

/// Why the policy said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The caller may not know the thing exists.
    NotFound,
    /// The caller can see the thing but may not do this.
    Forbidden(Forbidden),
    /// The action makes no sense in the caller's current state (already a
    /// member, already asked).
    Conflict(Conflict),
}

impl From<Denied> for Error {
    fn from(d: Denied) -> Error {
        match d {
            Denied::NotFound => Error::NotFound,
            Denied::Forbidden(f) => Error::Forbidden(f),
            Denied::Conflict(c) => Error::Conflict(c),
        }
    }
}

/// The outcome of a policy question.
pub type Decision = Result<(), Denied>;

fn forbid(reason: Forbidden) -> Decision {
    Err(Denied::Forbidden(reason))
}

/// Whether a caller with this standing may know the community exists.
pub fn can_see_community(visibility: Visibility, standing: Standing) -> bool {
    match visibility {
        Visibility::Public | Visibility::Private => true,
        Visibility::Secret => matches!(standing, Standing::Active(_)),
    }
}

/// May a caller with `standing` do `action` to `community`?
pub fn community(community: &Community, standing: Standing, action: CommunityAction) -> Decision {
    use CommunityAction as A;
    if !can_see_community(community.visibility, standing) {
        return Err(Denied::NotFound);
    }
    let banned = standing == Standing::Banned;
    match action {
        A::ViewListing => Ok(()),
        A::ListMembers => {
            if standing.is_full_member() {
                Ok(())
            } else if banned {
                forbid(Forbidden::Banned)
            } else {
                forbid(Forbidden::MembersOnly)
            }
        }
        A::Join => match standing {
            Standing::Banned => forbid(Forbidden::Banned),
            s if s.is_full_member() => Err(Denied::Conflict(Conflict::AlreadyMember)),
            _ if community.join_policy != JoinPolicy::Open => forbid(Forbidden::JoinPolicy),
            _ => Ok(()),
        },
        A::RequestToJoin => match standing {
            Standing::Banned => forbid(Forbidden::Banned),
            s if s.is_full_member() => Err(Denied::Conflict(Conflict::AlreadyMember)),
            _ if community.join_policy != JoinPolicy::Approval => forbid(Forbidden::JoinPolicy),
            Standing::Pending => Err(Denied::Conflict(Conflict::AlreadyRequested)),
            _ => Ok(()),
        },
        A::WithdrawRequest => match standing {
            Standing::Pending => Ok(()),
            // Nothing to withdraw: there is no pending request to find.
            _ => Err(Denied::NotFound),
        },
        A::Leave => match standing {
            Standing::Active(_) => Ok(()),
            Standing::Banned => forbid(Forbidden::Banned),
            _ => forbid(Forbidden::MembersOnly),
        },
        A::ReviewRequests | A::Invite | A::ManageMembers | A::ManageSpaces | A::Moderate => {
            if standing.moderates() {
                Ok(())
            } else if banned {
                forbid(Forbidden::Banned)
            } else {
                forbid(Forbidden::ModeratorsOnly)
            }
        }
        A::ChangeRoles | A::EditSettings => {
            if standing == Standing::Active(Role::Owner) {
                Ok(())
            } else if banned {
                forbid(Forbidden::Banned)
            } else {
                forbid(Forbidden::OwnersOnly)
            }
        }
    }
}

/// The facts about a caller that a space decision needs.
#[derive(Debug, Clone, Copy)]
pub struct SpaceViewer<'a> {
    /// Who is asking.
    pub user: &'a UserId,
    /// Their standing in the space's community.
    pub standing: Standing,
    /// Whether they hold a grant for this space.
    pub granted: bool,
}

/// Whether the viewer may see `space` at all.
fn can_see_space(community: &Community, space: &Space, viewer: SpaceViewer<'_>) -> bool {
    if !can_see_community(community.visibility, viewer.standing) {
        return false;
    }
    let standing = viewer.standing;
    if standing == Standing::Banned {
        return false;
    }
    match &space.visibility {
        SpaceVisibility::Public => true,
        SpaceVisibility::Members => match standing {
            Standing::Active(Role::Guest) => {
                viewer.granted || community.visibility == Visibility::Public
            }
            Standing::Active(_) => true,
            _ => community.visibility == Visibility::Public,
        },
        SpaceVisibility::Restricted { users, roles } => match standing {
            Standing::Active(Role::Owner) => true,
            Standing::Active(Role::Guest) => viewer.granted,
            Standing::Active(role) => {
                viewer.granted
                    || users.contains(viewer.user)
                    || roles
                        .iter()
                        .any(|named| *named != Role::Guest && role.at_least(*named))
            }
            _ => false,
        },
    }
}

/// May `viewer` do `action` in `space` of `community`?
pub fn space(
    community: &Community,
    space: &Space,
    viewer: SpaceViewer<'_>,
    action: SpaceAction,
) -> Decision {
    if !can_see_space(community, space, viewer) {
        return Err(Denied::NotFound);
    }
    match action {
        SpaceAction::View => Ok(()),
        SpaceAction::Contribute => {
            let writer = match viewer.standing {
                Standing::Active(Role::Guest) => viewer.granted,
                Standing::Active(_) => true,
                _ => false,
            };
            if !writer {
                forbid(Forbidden::MembersOnly)
            } else if space.is_archived() {
                forbid(Forbidden::Archived)
            } else {
                Ok(())
            }
        }
        SpaceAction::Moderate | SpaceAction::Manage => {
            if viewer.standing.moderates() {
                Ok(())
            } else {
                forbid(Forbidden::ModeratorsOnly)
            }
        }
    }
}

/// May someone with `actor` role remove, ban or unban someone with `target` role?
/// Owners may act on anyone; moderators only on members and guests.
pub fn manage_member(actor: Role, target: Role) -> Decision {
    match actor {
        Role::Owner => Ok(()),
        Role::Moderator if matches!(target, Role::Member | Role::Guest) => Ok(()),
        Role::Moderator => forbid(Forbidden::TargetRole),
        Role::Member | Role::Guest => forbid(Forbidden::ModeratorsOnly),
    }
}

/// May someone change a piece of content? Its author may (when they may
/// still contribute to the space); with `moderators_too`, so may moderators.
/// `contribute` is the caller's [`SpaceAction::Contribute`] decision and
/// `moderate` their [`SpaceAction::Moderate`] decision for the space.
pub fn change_content(
    is_author: bool,
    moderators_too: bool,
    contribute: Decision,
    moderate: Decision,
) -> Decision {
    if moderators_too && moderate.is_ok() {
        return Ok(());
    }
    match contribute {
        Ok(()) if is_author => Ok(()),
        Ok(()) => forbid(Forbidden::NotAuthor),
        Err(Denied::Forbidden(Forbidden::MembersOnly)) if is_author => {
            forbid(Forbidden::MembersOnly)
        }
        Err(Denied::Forbidden(Forbidden::MembersOnly)) => forbid(Forbidden::NotAuthor),
        Err(other) => Err(other),
    }
}
