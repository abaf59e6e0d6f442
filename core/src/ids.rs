//! Identifiers: ULID-based ids for everything copkit creates, and the
//! platform's subject id for people.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

/// The error returned when text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct InvalidId {
    /// Which kind of id was expected (`community`, `space`, `user`, ...).
    pub kind: &'static str,
}

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(
            feature = "openapi",
            derive(utoipa::ToSchema),
            schema(value_type = String, format = "copkit:ulid", example = "01KDVDNA0020YM9GGZ01RWHET7")
        )]
        #[serde(transparent)]
        pub struct $name(pub Ulid);

        impl $name {
            /// The kind of thing this id names, for error messages.
            pub const KIND: &'static str = $kind;

            /// The id's creation time in Unix milliseconds.
            pub fn timestamp_ms(&self) -> u64 {
                self.0.timestamp_ms()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$name> for Ulid {
            fn from(id: $name) -> Ulid {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(s)
                    .map($name)
                    .map_err(|_| InvalidId { kind: $kind })
            }
        }
    };
}

ulid_id!(
    /// Identifies a community.
    CommunityId,
    "community"
);
ulid_id!(
    /// Identifies a space inside a community.
    SpaceId,
    "space"
);
ulid_id!(
    /// Identifies an invitation.
    InvitationId,
    "invitation"
);
ulid_id!(
    /// Identifies a recorded activity (domain event).
    ActivityId,
    "activity"
);
ulid_id!(
    /// Identifies a discussion thread.
    ThreadId,
    "thread"
);
ulid_id!(
    /// Identifies a post (or reply) in a thread.
    PostId,
    "post"
);
ulid_id!(
    /// Identifies a document in a space's library.
    DocumentId,
    "document"
);
ulid_id!(
    /// Identifies an event (possibly recurring).
    EventId,
    "event"
);
ulid_id!(
    /// Identifies a poll.
    PollId,
    "poll"
);
ulid_id!(
    /// Identifies a value story.
    ValueStoryId,
    "value_story"
);

ulid_id!(
    /// Identifies a report of a post or document.
    ReportId,
    "report"
);

ulid_id!(
    /// Identifies an entry of a moderation log.
    ModerationId,
    "moderation"
);

ulid_id!(
    /// Identifies a mail in the outbox.
    MailId,
    "mail"
);

/// A person, identified by the platform's subject id (the JWT `sub`).
///
/// 1–128 characters, no whitespace or control characters, not `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, format = "copkit:user-id")
)]
pub struct UserId(String);

impl UserId {
    /// Maximum length in characters.
    pub const MAX_LEN: usize = 128;

    /// Validates and wraps a subject id.
    pub fn new(subject: impl Into<String>) -> Result<Self, InvalidId> {
        let subject = subject.into();
        let len = subject.chars().count();
        // "." and ".." would read as path segments in URLs.
        if len == 0
            || len > Self::MAX_LEN
            || subject == "."
            || subject == ".."
            || subject == FORMER_MEMBER
            || subject.starts_with(INVITEE_PREFIX)
            || subject.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(InvalidId { kind: "user" });
        }
        Ok(UserId(subject))
    }

    /// The author of content whose person erased their account:
    /// `~former-member`. It fits the API's user-id pattern (strict clients
    /// read it like any id), [`UserId::new`] refuses it, so no sign-in
    /// subject or caller-named id can ever be it, and it is the same for
    /// everyone erased (nothing links their content).
    pub fn former_member() -> UserId {
        UserId(FORMER_MEMBER.to_owned())
    }

    /// The outbox of an email invitation's addressee, who may have no
    /// account yet: `~invitee-<invitation id>`. [`UserId::new`] refuses the
    /// prefix, so no sign-in subject can read that outbox.
    pub fn invitee(invitation: &InvitationId) -> UserId {
        UserId(format!(
            "{INVITEE_PREFIX}{}",
            invitation.0.to_string().to_lowercase()
        ))
    }

    /// A user id an adapter stored (read back from an index or a record):
    /// what [`UserId::new`] accepts, and [`UserId::former_member`].
    pub fn from_stored(text: impl Into<String>) -> Result<Self, InvalidId> {
        let text = text.into();
        if text == FORMER_MEMBER {
            return Ok(UserId::former_member());
        }
        UserId::new(text)
    }

    /// Whether this is [`UserId::former_member`].
    pub fn is_former_member(&self) -> bool {
        self.0 == FORMER_MEMBER
    }

    /// Sorts before every valid user id; only for range scans in stores.
    pub(crate) fn range_start() -> UserId {
        UserId(String::new())
    }

    /// The subject id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UserId {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserId::new(s)
    }
}

/// See [`UserId::former_member`].
const FORMER_MEMBER: &str = "~former-member";
/// The prefix of an email invitation's outbox ([`UserId::invitee`]).
const INVITEE_PREFIX: &str = "~invitee-";

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        UserId::from_stored(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_former_member_fits_the_pattern_but_is_nobodys() {
        let pattern = regex::Regex::new(crate::validate::patterns::USER_ID).unwrap();
        assert!(pattern.is_match(UserId::former_member().as_str()));
        assert!(UserId::new(UserId::former_member().as_str()).is_err());
        let read: UserId = serde_json::from_str("\"~former-member\"").unwrap();
        assert!(read.is_former_member());
    }

    #[test]
    fn user_ids_reject_blank_whitespace_control_and_long() {
        assert!(UserId::new("auth0|abc123").is_ok());
        assert!(UserId::new("").is_err());
        assert!(UserId::new("a b").is_err());
        assert!(UserId::new("a\u{7}").is_err());
        assert!(UserId::new("x".repeat(129)).is_err());
        assert!(UserId::new("x".repeat(128)).is_ok());
        assert!(UserId::new("..").is_err());
        assert!(UserId::new(".a").is_ok());
    }

    #[test]
    fn ulid_ids_round_trip_through_text_and_json() {
        let id = CommunityId(Ulid::from_parts(1_700_000_000_000, 42));
        let text = id.to_string();
        assert_eq!(text.parse::<CommunityId>(), Ok(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert!("not-a-ulid".parse::<SpaceId>().is_err());
    }

    #[test]
    fn user_id_deserialization_validates() {
        assert!(serde_json::from_str::<UserId>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<UserId>("\"has space\"").is_err());
    }
}
