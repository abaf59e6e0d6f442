//! SDK failures as store errors: throttling and transient failures become
//! [`StoreError::Unavailable`] (HTTP 503 with `Retry-After`), everything
//! else [`StoreError::Internal`], whose message goes to the logs only.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use copkit_core::store::StoreError;

/// Seconds a client is asked to wait after throttling.
pub const RETRY_AFTER_SECS: u32 = 1;

/// Error codes that mean "try again shortly".
const TRANSIENT_CODES: [&str; 9] = [
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "SlowDown",
];

/// True when an error code means the request may succeed if retried.
pub fn is_transient_code(code: Option<&str>) -> bool {
    code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
}

/// Classifies an SDK error (DynamoDB's or S3's: both carry an HTTP response).
pub fn sdk_error<E>(error: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(service) => {
            is_transient_code(service.err().code()) || service.raw().status().is_server_error()
        }
        SdkError::ResponseError(response) => response.raw().status().is_server_error(),
        _ => false,
    };
    if transient {
        tracing::warn!(error = %DisplayErrorContext(&error), "store unavailable");
        StoreError::Unavailable {
            retry_after_secs: RETRY_AFTER_SECS,
        }
    } else {
        StoreError::Internal(DisplayErrorContext(&error).to_string())
    }
}
