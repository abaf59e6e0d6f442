//! The one error type every use case returns, with stable snake_case codes.
//!
//! The variants follow DESIGN §3 and §5: whatever a caller may not *see* is
//! [`Error::NotFound`] (never [`Error::Forbidden`]), and every variant maps to
//! one HTTP status and one binding error without leaking internals.

use crate::ids::{CommunityId, InvalidId};
use jiff::Timestamp;
use serde::Serialize;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a use case did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing does not exist, or the caller may not know that it exists.
    /// Both cases are indistinguishable by design.
    #[error("not found")]
    NotFound,
    /// The caller can see the thing but may not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(Forbidden),
    /// The request clashes with the current state (a version moved, a slug
    /// is taken, the last owner would leave, ...).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// One or more input fields are invalid.
    #[error("invalid input: {}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    /// A pagination cursor was altered or belongs to another query.
    #[error("invalid cursor")]
    InvalidCursor,
    /// The caller did this too often lately (too many communities,
    /// reports, invitations, posts or join requests in the window).
    #[error("rate limited")]
    RateLimited {
        /// Seconds until the caller's window ends.
        retry_after_secs: u32,
    },
    /// The backing store is overloaded or unreachable; retry later.
    #[error("temporarily unavailable")]
    Unavailable {
        /// Seconds the caller should wait before retrying.
        retry_after_secs: u32,
    },
    /// A bug or an unexpected store failure. The message is for logs only and
    /// must never be shown to a caller.
    #[error("internal error")]
    Internal(String),
}

impl From<FieldError> for Error {
    /// One invalid field.
    fn from(field: FieldError) -> Error {
        Error::Invalid(vec![field])
    }
}

fn describe_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The stable, machine-readable code of this error (snake_case).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Forbidden(reason) => reason.code(),
            Error::Conflict(reason) => reason.code(),
            Error::Invalid(_) => "invalid_input",
            Error::InvalidCursor => "invalid_cursor",
            Error::RateLimited { .. } => "rate_limited",
            Error::Unavailable { .. } => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, code, message)])
    }

    /// One error of every kind (every variant, every [`Forbidden`] and
    /// [`Conflict`] reason), with placeholder details: what each face of
    /// copkit (HTTP statuses, the OpenAPI document, the bindings) must
    /// know how to answer. A new kind is a compile error in the
    /// `successor` functions below until it is listed.
    pub fn every_kind() -> Vec<Error> {
        let mut kinds = Vec::new();
        let mut next = Some(Error::NotFound);
        while let Some(kind) = next {
            next = kind.successor();
            match kind {
                Error::Forbidden(_) => kinds.extend(
                    every(Forbidden::MembersOnly, Forbidden::successor)
                        .into_iter()
                        .map(Error::Forbidden),
                ),
                Error::Conflict(_) => kinds.extend(
                    every(Conflict::VersionMismatch, Conflict::successor)
                        .into_iter()
                        .map(Error::Conflict),
                ),
                other => kinds.push(other),
            }
        }
        kinds
    }

    /// The kind after this one, in declaration order.
    fn successor(&self) -> Option<Error> {
        match self {
            Error::NotFound => Some(Error::Forbidden(Forbidden::MembersOnly)),
            Error::Forbidden(_) => Some(Error::Conflict(Conflict::VersionMismatch)),
            Error::Conflict(_) => Some(Error::Invalid(vec![FieldError::new(
                "name",
                "too_short",
                "at least 3 characters",
            )])),
            Error::Invalid(_) => Some(Error::InvalidCursor),
            Error::InvalidCursor => Some(Error::RateLimited {
                retry_after_secs: 60,
            }),
            Error::RateLimited { .. } => Some(Error::Unavailable {
                retry_after_secs: 1,
            }),
            Error::Unavailable { .. } => Some(Error::Internal(String::new())),
            Error::Internal(_) => None,
        }
    }
}

/// `first` and every value after it by `successor`.
fn every<T: Copy>(first: T, successor: fn(T) -> Option<T>) -> Vec<T> {
    let mut all = vec![first];
    while let Some(next) = all.last().copied().and_then(successor) {
        all.push(next);
    }
    all
}

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as the caller sent it (`name`, `slug`, `visibility.users[2]`).
    pub field: String,
    /// A stable snake_case code (`too_short`, `too_long`, `control_character`, ...).
    pub code: &'static str,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// Why a visible action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Forbidden {
    /// Only active members (not guests, not outsiders) may do this.
    #[error("only members may do this")]
    MembersOnly,
    /// Only moderators and owners may do this.
    #[error("only moderators and owners may do this")]
    ModeratorsOnly,
    /// Only owners may do this.
    #[error("only owners may do this")]
    OwnersOnly,
    /// The caller is banned from this community.
    #[error("you are banned from this community")]
    Banned,
    /// The community's join policy does not allow this way in.
    #[error("the community's join policy does not allow this")]
    JoinPolicy,
    /// The space is archived: it can be read but not changed.
    #[error("the space is archived")]
    Archived,
    /// A moderator may not act on an owner or another moderator.
    #[error("you may not act on a member with this role")]
    TargetRole,
    /// The invitation was addressed to another email address.
    #[error("this invitation was sent to another email address")]
    InvitationForSomeoneElse,
    /// Only the author (or, where allowed, a moderator) may change this.
    #[error("only the author may do this")]
    NotAuthor,
    /// Nobody may do this to themselves (ban, remove or hand over to oneself).
    #[error("you cannot do this to yourself")]
    SelfAction,
}

impl Forbidden {
    /// The reason after this one, in declaration order (see
    /// [`Error::every_kind`]).
    fn successor(self) -> Option<Forbidden> {
        match self {
            Forbidden::MembersOnly => Some(Forbidden::ModeratorsOnly),
            Forbidden::ModeratorsOnly => Some(Forbidden::OwnersOnly),
            Forbidden::OwnersOnly => Some(Forbidden::Banned),
            Forbidden::Banned => Some(Forbidden::JoinPolicy),
            Forbidden::JoinPolicy => Some(Forbidden::Archived),
            Forbidden::Archived => Some(Forbidden::TargetRole),
            Forbidden::TargetRole => Some(Forbidden::InvitationForSomeoneElse),
            Forbidden::InvitationForSomeoneElse => Some(Forbidden::NotAuthor),
            Forbidden::NotAuthor => Some(Forbidden::SelfAction),
            Forbidden::SelfAction => None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Forbidden::MembersOnly => "members_only",
            Forbidden::ModeratorsOnly => "moderators_only",
            Forbidden::OwnersOnly => "owners_only",
            Forbidden::Banned => "banned",
            Forbidden::JoinPolicy => "join_policy",
            Forbidden::Archived => "archived",
            Forbidden::TargetRole => "target_role",
            Forbidden::InvitationForSomeoneElse => "invitation_for_someone_else",
            Forbidden::NotAuthor => "not_author",
            Forbidden::SelfAction => "self_action",
        }
    }
}

/// Why a request clashes with the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Conflict {
    /// The record changed since the caller read it (`If-Match` failed).
    #[error("the record changed since you read it")]
    VersionMismatch,
    /// Another community already uses this slug.
    #[error("this slug is already taken")]
    SlugTaken,
    /// The change would leave the community without an owner.
    #[error("a community must keep at least one owner")]
    LastOwner,
    /// The caller (or target) is already an active member.
    #[error("already a member")]
    AlreadyMember,
    /// A join request is already pending.
    #[error("a join request is already pending")]
    AlreadyRequested,
    /// A denied join request may be repeated only after a cool-down.
    #[error("you may ask again after {until}")]
    RequestCooldown {
        /// When the caller may ask again.
        until: Timestamp,
    },
    /// The invitation is expired, revoked or used up.
    #[error("this invitation can no longer be used")]
    InvitationUnavailable,
    /// A per-community limit (such as the number of spaces) is reached.
    #[error("a limit is reached")]
    LimitReached,
    /// The target is not in a state that allows this (e.g. not pending, not banned).
    #[error("the target is not in a state that allows this")]
    WrongState,
    /// Someone else already has this handle.
    #[error("this handle is already taken")]
    HandleTaken,
    /// The thread is locked or deleted, or the poll is closed.
    #[error("closed: no more contributions")]
    Closed,
    /// The community asks a join question, and the request did not answer it.
    #[error("this community asks a question: please answer it")]
    AnswerRequired,
    /// The ballot does not fit the poll (unknown option, or several choices
    /// in a single-choice poll).
    #[error("the ballot does not fit this poll")]
    BallotMismatch,
    /// An upload's bytes have not arrived (or did not match and were dropped).
    #[error("the upload's bytes have not arrived")]
    UploadMissing,
    /// The caller already has an open report on this post or document.
    #[error("you already reported this; the moderators have it")]
    AlreadyReported,
    /// The caller is the last owner of a community: erasing their account
    /// would leave it without one.
    #[error(
        "you are the last owner of community {community}: transfer ownership or make another \
         owner first"
    )]
    HandOverFirst {
        /// The community.
        community: CommunityId,
    },
}

impl Conflict {
    /// The reason after this one, in declaration order, with placeholder
    /// details (see [`Error::every_kind`]).
    fn successor(self) -> Option<Conflict> {
        match self {
            Conflict::VersionMismatch => Some(Conflict::SlugTaken),
            Conflict::SlugTaken => Some(Conflict::LastOwner),
            Conflict::LastOwner => Some(Conflict::AlreadyMember),
            Conflict::AlreadyMember => Some(Conflict::AlreadyRequested),
            Conflict::AlreadyRequested => Some(Conflict::RequestCooldown {
                until: Timestamp::UNIX_EPOCH,
            }),
            Conflict::RequestCooldown { .. } => Some(Conflict::InvitationUnavailable),
            Conflict::InvitationUnavailable => Some(Conflict::LimitReached),
            Conflict::LimitReached => Some(Conflict::WrongState),
            Conflict::WrongState => Some(Conflict::HandleTaken),
            Conflict::HandleTaken => Some(Conflict::Closed),
            Conflict::Closed => Some(Conflict::AnswerRequired),
            Conflict::AnswerRequired => Some(Conflict::BallotMismatch),
            Conflict::BallotMismatch => Some(Conflict::UploadMissing),
            Conflict::UploadMissing => Some(Conflict::AlreadyReported),
            Conflict::AlreadyReported => Some(Conflict::HandOverFirst {
                community: CommunityId(ulid::Ulid::nil()),
            }),
            Conflict::HandOverFirst { .. } => None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Conflict::VersionMismatch => "version_conflict",
            Conflict::SlugTaken => "slug_taken",
            Conflict::LastOwner => "last_owner",
            Conflict::AlreadyMember => "already_member",
            Conflict::AlreadyRequested => "already_requested",
            Conflict::RequestCooldown { .. } => "request_cooldown",
            Conflict::InvitationUnavailable => "invitation_unavailable",
            Conflict::LimitReached => "limit_reached",
            Conflict::WrongState => "wrong_state",
            Conflict::HandleTaken => "handle_taken",
            Conflict::Closed => "closed",
            Conflict::AnswerRequired => "answer_required",
            Conflict::BallotMismatch => "ballot_mismatch",
            Conflict::UploadMissing => "upload_missing",
            Conflict::AlreadyReported => "already_reported",
            Conflict::HandOverFirst { .. } => "hand_over_first",
        }
    }
}

impl From<InvalidId> for Error {
    fn from(e: InvalidId) -> Self {
        Error::Invalid(vec![FieldError::new(e.kind, "invalid_id", e.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_distinct() {
        let errors = Error::every_kind();
        // 8 variants, of which Forbidden has 10 reasons and Conflict 16.
        assert_eq!(errors.len(), 6 + 10 + 16);
        let mut seen = std::collections::HashSet::new();
        for e in &errors {
            let code = e.code();
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate code {code}");
        }
    }

    #[test]
    fn internal_message_is_not_displayed() {
        let e = Error::Internal("dynamodb: secret table name".into());
        assert_eq!(e.to_string(), "internal error");
    }
}
