//! # copkit-ffi
//!
//! copkit for foreign languages. This crate grows into thin uniffi objects
//! over `copkit-core`; for now it defines the one public error foreign
//! callers will see (DESIGN §7) and its conversion from core errors.
//!
//! ```
//! use copkit_ffi::CopkitError;
//! let e = CopkitError::from(copkit_core::Error::invalid("name", "too_short", "too short"));
//! assert_eq!(e, CopkitError::Invalid { field: "name".into(), reason: "too short".into() });
//! ```

#![deny(missing_docs)]

use copkit_core::Error;

/// The error every binding call may return.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopkitError {
    /// It does not exist, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// The caller may see it but not do this.
    #[error("forbidden: {code}")]
    Forbidden {
        /// The stable reason code.
        code: String,
    },
    /// The request clashes with the current state.
    #[error("conflict: {code}")]
    Conflict {
        /// The stable reason code.
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
    /// Try again later.
    #[error("unavailable")]
    Unavailable,
    /// Something went wrong inside copkit.
    #[error("internal error")]
    Internal,
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
                None => CopkitError::Invalid {
                    field: String::new(),
                    reason: "invalid input".into(),
                },
            },
            Error::InvalidCursor => CopkitError::Invalid {
                field: "cursor".into(),
                reason: "the cursor is not valid for this list".into(),
            },
            Error::Unavailable { .. } => CopkitError::Unavailable,
            _ => CopkitError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::Conflict;

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
}
