//! # copkit-lambda
//!
//! The serverless face of copkit. This crate grows into the HTTP router shared
//! by the AWS Lambda entry point and the local server, the DynamoDB and S3
//! stores and the deploy template. For now it holds the mapping every HTTP
//! answer will use (a core [`Error`] to an HTTP status) and the local
//! filesystem [`blob_fs::FsBlobStore`] the local server keeps documents in.
//!
//! ```
//! use copkit_core::Error;
//! use copkit_lambda::http_status;
//! assert_eq!(http_status(&Error::NotFound), 404);
//! ```

#![deny(missing_docs)]

pub mod blob_fs;

use copkit_core::Error;

/// The HTTP status for an error (DESIGN §5): 404 for the invisible, 403 for
/// the visible but not allowed, 409 for conflicts, 422 for invalid fields,
/// 400 for a bad cursor, 503 when the store is unavailable, 500 otherwise.
pub fn http_status(error: &Error) -> u16 {
    match error {
        Error::NotFound => 404,
        Error::Forbidden(_) => 403,
        Error::Conflict(_) => 409,
        Error::Invalid(_) => 422,
        Error::InvalidCursor => 400,
        Error::Unavailable { .. } => 503,
        _ => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::{Conflict, Forbidden};

    #[test]
    fn statuses_follow_the_design() {
        assert_eq!(http_status(&Error::NotFound), 404);
        assert_eq!(http_status(&Error::Forbidden(Forbidden::OwnersOnly)), 403);
        assert_eq!(http_status(&Error::Conflict(Conflict::LastOwner)), 409);
        assert_eq!(http_status(&Error::Invalid(vec![])), 422);
        assert_eq!(http_status(&Error::InvalidCursor), 400);
        assert_eq!(
            http_status(&Error::Unavailable {
                retry_after_secs: 1
            }),
            503
        );
        assert_eq!(http_status(&Error::Internal("x".into())), 500);
    }
}
