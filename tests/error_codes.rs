//! Every kind of error is real on every face: an HTTP status and problem
//! code (what the router answers), a place in the OpenAPI document (the
//! `x-problem-codes` of the `Problem` schema, with the same status), and a
//! binding variant carrying the same code. `Error::every_kind` lists every
//! kind (a new one fails to compile until listed there), so a kind added to
//! core without its HTTP, OpenAPI or binding side fails here.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::Error;
use copkit_core::ffi::CopkitError;
use copkit_lambda::problem::ApiError;

#[test]
fn every_error_kind_has_a_status_a_code_a_binding_variant_and_a_documented_place() {
    let doc = copkit_lambda::app::openapi_document();
    let documented = doc
        .pointer("/components/schemas/Problem/properties/code/x-problem-codes")
        .and_then(|v| v.as_object())
        .expect("the Problem schema lists its codes");
    let kinds = Error::every_kind();
    assert!(
        kinds.iter().any(|k| k.code() == "hand_over_first"),
        "every_kind lists hand_over_first"
    );
    for kind in kinds {
        let code = kind.code();
        let api = ApiError::from(kind.clone());
        let status = api.status().as_u16();
        assert_eq!(api.problem().code, code, "{kind:?}: the answer's code");
        let expected_status = match &kind {
            Error::NotFound => 404,
            Error::Forbidden(_) => 403,
            Error::Conflict(_) => 409,
            Error::Invalid(_) => 422,
            Error::InvalidCursor => 400,
            Error::RateLimited { .. } => 429,
            Error::Unavailable { .. } => 503,
            _ => 500,
        };
        assert_eq!(status, expected_status, "{kind:?}: the status");
        let place = documented
            .get(code)
            .unwrap_or_else(|| panic!("{code} is not in the OpenAPI document"));
        assert_eq!(place["status"], status, "{code}: documented status");
        assert!(
            place["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{code}: documented meaning"
        );
        let binding = CopkitError::from(kind.clone());
        let carries_code = match (&kind, &binding) {
            (Error::NotFound, CopkitError::NotFound) => true,
            (Error::Forbidden(_), CopkitError::Forbidden { code: c })
            | (Error::Conflict(_), CopkitError::Conflict { code: c }) => c == code,
            (Error::Invalid(_) | Error::InvalidCursor, CopkitError::Invalid { .. }) => true,
            (
                Error::Unavailable { retry_after_secs },
                CopkitError::Unavailable {
                    retry_after_secs: r,
                },
            ) => r == retry_after_secs,
            (
                Error::RateLimited { retry_after_secs },
                CopkitError::RateLimited {
                    retry_after_secs: r,
                },
            ) => r == retry_after_secs,
            (Error::Internal(_), CopkitError::Internal) => true,
            _ => false,
        };
        assert!(carries_code, "{kind:?} crosses the bindings as {binding:?}");
    }
}

#[test]
fn the_http_face_documents_its_own_codes_too() {
    let doc = copkit_lambda::app::openapi_document();
    let documented = doc
        .pointer("/components/schemas/Problem/properties/code/x-problem-codes")
        .and_then(|v| v.as_object())
        .unwrap();
    for (code, status, _) in copkit_lambda::problem::HTTP_CODES {
        assert_eq!(documented[*code]["status"], *status, "{code}");
    }
    assert_eq!(
        documented.len(),
        copkit_lambda::problem::problem_codes().len(),
        "one entry per code"
    );
}
