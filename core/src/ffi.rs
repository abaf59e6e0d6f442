//! The foreign-language surface of the core types (feature `uniffi`, used by
//! the `copkit-ffi` crate in `bindings/`).
//!
//! - Every id crosses as its text and is checked on the way in: a malformed
//!   id becomes [`CopkitError::Invalid`] naming the kind of id, never a panic.
//! - Instants ([`jiff::Timestamp`]) cross as the platform's instant type
//!   (Swift `Date`, Kotlin `java.time.Instant`, Python `datetime`); local
//!   dates and date-times as ISO 8601 text (`2026-03-04`,
//!   `2026-03-04T18:30:00`).
//! - [`CopkitError`] is the one error foreign callers see, converted from
//!   [`crate::Error`] without internal detail.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

use crate::blob::SignedRequest;
use crate::error::{Error, FieldError};
use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use crate::model::{Handle, Slug};

/// The error every binding call may return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CopkitError {
    /// It does not exist, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// The caller may see it but not do this.
    #[error("forbidden: {code}")]
    Forbidden {
        /// The stable reason code (`not_a_moderator`, `banned`, ...).
        code: String,
    },
    /// The request clashes with the current state.
    #[error("conflict: {code}")]
    Conflict {
        /// The stable reason code (`version_conflict`, `slug_taken`, ...).
        code: String,
    },
    /// An input field is invalid (the first one, when several are).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field's name.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store is overloaded or unreachable; try again later.
    #[error("unavailable, retry after {retry_after_secs} s")]
    Unavailable {
        /// Seconds to wait before retrying.
        retry_after_secs: u32,
    },
    /// Something went wrong inside copkit (details are logged, never shown).
    #[error("internal error")]
    Internal,
    /// Remote sessions: the API refused the token, even a fresh one.
    #[error("unauthorized: {code}")]
    Unauthorized {
        /// The problem code.
        code: String,
    },
    /// Too many requests of this kind lately; try again after the wait.
    #[error("rate limited, retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait before retrying.
        retry_after_secs: u32,
    },
    /// Remote sessions: the API could not be reached (offline, timeouts),
    /// even after retries.
    #[error("network: {reason}")]
    Network {
        /// What went wrong.
        reason: String,
    },
    /// Remote sessions: downloaded bytes do not match their recorded size
    /// or SHA-256.
    #[error("integrity: {reason}")]
    Integrity {
        /// What did not match.
        reason: String,
    },
    /// This session cannot do that (an embedded-only operation on a
    /// remote session).
    #[error("unsupported: {operation}")]
    Unsupported {
        /// The operation.
        operation: String,
    },
}

impl CopkitError {
    fn invalid(field: &str, reason: impl Into<String>) -> Self {
        CopkitError::Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl From<Error> for CopkitError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound => CopkitError::NotFound,
            Error::Forbidden(f) => CopkitError::Forbidden {
                code: f.code().to_owned(),
            },
            Error::Conflict(c) => CopkitError::Conflict {
                code: c.code().to_owned(),
            },
            Error::Invalid(fields) => match fields.into_iter().next() {
                Some(f) => CopkitError::Invalid {
                    field: f.field,
                    reason: f.message,
                },
                None => CopkitError::invalid("", "invalid input"),
            },
            Error::InvalidCursor => {
                CopkitError::invalid("cursor", "the cursor is not valid for this list")
            }
            Error::RateLimited { retry_after_secs } => {
                CopkitError::RateLimited { retry_after_secs }
            }
            Error::Unavailable { retry_after_secs } => {
                CopkitError::Unavailable { retry_after_secs }
            }
            Error::Internal(_) => CopkitError::Internal,
        }
    }
}

impl From<FieldError> for CopkitError {
    fn from(f: FieldError) -> Self {
        CopkitError::Invalid {
            field: f.field,
            reason: f.message,
        }
    }
}

macro_rules! text_id {
    ($($id:ident),* $(,)?) => {$(
        uniffi::custom_type!($id, String, {
            try_lift: |text| text
                .parse::<$id>()
                .map_err(|e| CopkitError::invalid($id::KIND, e.to_string()).into()),
            lower: |id| id.to_string(),
        });
    )*};
}

text_id!(
    ActivityId,
    CommunityId,
    DocumentId,
    EventId,
    InvitationId,
    MailId,
    ModerationId,
    PollId,
    PostId,
    ReportId,
    SpaceId,
    ThreadId,
    ValueStoryId
);

uniffi::custom_type!(UserId, String, {
    try_lift: |text| UserId::new(text)
        .map_err(|e| CopkitError::invalid("user", e.to_string()).into()),
    lower: |id| id.as_str().to_owned(),
});

uniffi::custom_type!(Slug, String, {
    try_lift: |text| Slug::new(&text).map_err(|e| CopkitError::from(e).into()),
    lower: |slug| slug.as_str().to_owned(),
});

uniffi::custom_type!(Handle, String, {
    try_lift: |text| Handle::new(&text).map_err(|e| CopkitError::from(e).into()),
    lower: |handle| handle.as_str().to_owned(),
});

uniffi::custom_type!(Timestamp, std::time::SystemTime, {
    remote,
    try_lift: |instant| Timestamp::try_from(instant)
        .map_err(|_| CopkitError::invalid("timestamp", "outside the supported range").into()),
    // Every jiff instant fits a SystemTime on the supported platforms.
    lower: |t| std::time::SystemTime::try_from(t).unwrap_or(std::time::UNIX_EPOCH),
});

uniffi::custom_type!(Date, String, {
    remote,
    try_lift: |text| text
        .parse::<Date>()
        .map_err(|_| CopkitError::invalid("date", "expected YYYY-MM-DD").into()),
    lower: |date| date.to_string(),
});

uniffi::custom_type!(DateTime, String, {
    remote,
    try_lift: |text| text
        .parse::<DateTime>()
        .map_err(|_| CopkitError::invalid("date_time", "expected YYYY-MM-DDTHH:MM:SS").into()),
    lower: |dt| dt.to_string(),
});

/// A presigned request as foreign code sees it: send `method` to `url`
/// with exactly these `headers`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PresignedRequest {
    /// `PUT` to upload, `GET` to download.
    pub method: String,
    /// Where to send it.
    pub url: String,
    /// Headers to send as given.
    pub headers: HashMap<String, String>,
}

uniffi::custom_type!(SignedRequest, PresignedRequest, {
    try_lift: |r| Ok(SignedRequest {
        method: r.method,
        url: r.url,
        headers: r.headers.into_iter().collect(),
    }),
    lower: |r| PresignedRequest {
        method: r.method,
        url: r.url,
        headers: r.headers.into_iter().collect(),
    },
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Conflict;

    #[test]
    fn internal_details_never_cross() {
        let e = CopkitError::from(Error::Internal("table copkit-prod".into()));
        assert_eq!(e, CopkitError::Internal);
        assert!(!e.to_string().contains("copkit-prod"));
    }

    #[test]
    fn conflicts_keep_their_code() {
        let e = CopkitError::from(Error::Conflict(Conflict::VersionMismatch));
        assert_eq!(
            e,
            CopkitError::Conflict {
                code: "version_conflict".into()
            }
        );
    }

    #[test]
    fn the_first_invalid_field_is_named() {
        let e = CopkitError::from(Error::invalid("name", "too_short", "too short"));
        assert_eq!(e, CopkitError::invalid("name", "too short"));
    }
}
