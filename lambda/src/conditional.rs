//! Conditional GETs: every JSON or text answer to a GET carries an `ETag`
//! naming its exact bytes, and a GET whose `If-None-Match` names them again
//! is answered `304 Not Modified` with no body, so clients refresh cheaply.
//!
//! A versioned resource's tag keeps its version in front (`"3.9f2c…"`): the
//! version is what `If-Match` compares (see [`crate::extract::IfMatch`]),
//! the digest is what changes whenever anything in the answer does
//! (counts, the caller's own role, a cursor), which a version alone would
//! miss. Answers are per caller, so they are also marked `private`.

use std::fmt::Write as _;

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest answer tagged: larger ones, and answers whose size is not
/// known before reading them, pass through whole and untagged.
const MAX_TAGGED: usize = 8 * 1024 * 1024;

/// An answer's digest, known before its body is read: a handler answering
/// bytes it keeps (with their digest, see [`crate::json_memo`]) puts this in
/// the answer's extensions, so they are not hashed again on every request.
/// It is used only when the body's exact length is the one it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest {
    digest: u128,
    len: u64,
}

impl BodyDigest {
    /// The digest of `body`, as the `ETag` names it.
    pub fn of(body: &[u8]) -> Self {
        BodyDigest {
            digest: xxhash_rust::xxh3::xxh3_128(body),
            len: body.len() as u64,
        }
    }
}

/// Middleware: tags GET answers and answers 304 when the caller has them.
pub async fn middleware(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let wanted = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || !taggable(response.headers()) {
        return response;
    }
    let size = HttpBody::size_hint(response.body());
    let known = response
        .extensions()
        .get::<BodyDigest>()
        .copied()
        .filter(|known| size.exact() == Some(known.len));
    let (mut parts, body, digest) = match known {
        Some(known) => {
            let (parts, body) = response.into_parts();
            (parts, body, known)
        }
        None => {
            if size.upper().is_none_or(|size| size > MAX_TAGGED as u64) {
                return response;
            }
            let (parts, body) = response.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_TAGGED).await else {
                // The body broke while being read: nothing whole to send.
                return crate::problem::internal().into_response();
            };
            let digest = BodyDigest::of(&bytes);
            (parts, Body::from(bytes), digest)
        }
    };
    parts.extensions.remove::<BodyDigest>();
    let tag = entity_tag(parts.headers.get(header::ETAG), digest);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if wanted.as_ref().is_some_and(|w| matches_any(w, &tag)) {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, body)
}

/// JSON and text answers are tagged; document bytes (streamed, and named by
/// their own SHA-256) are not.
fn taggable(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/"))
        && !headers.contains_key(header::CONTENT_DISPOSITION)
}

/// `"<version>.<digest>"` when the handler tagged a version, else
/// `"<digest>"`; the digest is the body's 128-bit XXH3. It only tells one
/// answer's bytes from the next for the same caller (answers are private),
/// so a fast digest does; SHA-256 cost a tenth of a page request.
fn entity_tag(version_tag: Option<&HeaderValue>, body: BodyDigest) -> String {
    let version = version_tag
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
    let mut tag = String::with_capacity(64);
    tag.push('"');
    if let Some(version) = version {
        tag.push_str(version);
        tag.push('.');
    }
    // `{:032x}`: the digest's big-endian bytes in hex. Writing to a
    // `String` cannot fail.
    let _ = write!(tag, "{:032x}\"", body.digest);
    tag
}

/// RFC 9110 weak comparison of `If-None-Match` (a list, or `*`) with `tag`.
fn matches_any(header: &HeaderValue, tag: &str) -> bool {
    let Ok(text) = header.to_str() else {
        return false;
    };
    let bare = |t: &str| t.trim().strip_prefix("W/").unwrap_or(t.trim()).to_owned();
    let tag = bare(tag);
    text.split(',')
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == tag)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn an_answer_too_large_to_tag_passes_through_whole_and_untagged() {
        let large = "x".repeat(MAX_TAGGED + 1);
        let expected = large.len();
        let router = Router::new()
            .route("/large", get(move || async move { large.clone() }))
            .route("/small", get(|| async { "small" }))
            .layer(axum::middleware::from_fn(middleware));
        let answer = router
            .clone()
            .oneshot(Request::get("/large").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(!answer.headers().contains_key(header::ETAG));
        let body = to_bytes(answer.into_body(), usize::MAX).await.unwrap();
        assert_eq!(body.len(), expected);
        let answer = router
            .oneshot(Request::get("/small").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(answer.headers().contains_key(header::ETAG));
    }

    #[tokio::test]
    async fn a_known_digest_tags_like_the_bytes_and_one_of_another_length_is_not_used() {
        const BODY: &str = r#"{"a":1}"#;
        fn answer(digest: Option<BodyDigest>) -> Response {
            let mut answer = ([(header::CONTENT_TYPE, "application/json")], BODY).into_response();
            if let Some(digest) = digest {
                answer.extensions_mut().insert(digest);
            }
            answer
        }
        let router = Router::new()
            .route("/read", get(|| async { answer(None) }))
            .route(
                "/known",
                get(|| async { answer(Some(BodyDigest::of(BODY.as_bytes()))) }),
            )
            .route(
                "/other",
                get(|| async { answer(Some(BodyDigest::of(b"{}"))) }),
            )
            .layer(axum::middleware::from_fn(middleware));
        let get = |path: &str, wanted: Option<&str>| {
            let mut request = Request::get(path);
            if let Some(tag) = wanted {
                request = request.header(header::IF_NONE_MATCH, tag);
            }
            router.clone().oneshot(request.body(Body::empty()).unwrap())
        };
        let read = get("/read", None).await.unwrap();
        let tag = read.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert_eq!(tag, entity_tag(None, BodyDigest::of(BODY.as_bytes())));
        for path in ["/known", "/other"] {
            let answer = get(path, None).await.unwrap();
            assert_eq!(answer.headers()[header::ETAG], tag.as_str(), "{path}");
            assert!(answer.extensions().get::<BodyDigest>().is_none(), "{path}");
            let body = to_bytes(answer.into_body(), usize::MAX).await.unwrap();
            assert_eq!(body, BODY.as_bytes(), "{path}");
            let again = get(path, Some(&tag)).await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        }
    }

    #[test]
    fn tags_keep_the_version_in_front_of_the_digest() {
        let versioned = entity_tag(
            Some(&HeaderValue::from_static("\"3\"")),
            BodyDigest::of(b"{}"),
        );
        assert!(versioned.starts_with("\"3.") && versioned.len() == 2 + 2 + 32);
        let plain = entity_tag(None, BodyDigest::of(b"{}"));
        assert_eq!(plain.len(), 2 + 32);
        assert_ne!(
            entity_tag(None, BodyDigest::of(b"{}")),
            entity_tag(None, BodyDigest::of(b"[]"))
        );
        // The digest is the body's XXH3-128 in 32 hex digits.
        let digest = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(b"{}"));
        assert_eq!(plain, format!("\"{digest}\""));
        assert_eq!(versioned, format!("\"3.{digest}\""));
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_star() {
        let tag = "\"3.abc\"";
        for header in ["\"3.abc\"", "W/\"3.abc\"", "\"x\", \"3.abc\"", "*"] {
            assert!(
                matches_any(&HeaderValue::from_static(header), tag),
                "{header}"
            );
        }
        for header in ["\"3\"", "\"3.abd\"", ""] {
            assert!(
                !matches_any(&HeaderValue::from_static(header), tag),
                "{header}"
            );
        }
    }
}
