//! Requests by path template for the router scenarios: one method per
//! HTTP verb and header combination, and the two assertions every
//! scenario uses.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::Value;

use super::world::DOC_TYPE;
use super::{Answer, Api};

impl Api {
    pub async fn get(&self, t: &str, p: &[(&str, &str)], user: &str) -> Answer {
        self.call(Method::GET, t, p, Some(user), None, &[]).await
    }
    pub async fn post(&self, t: &str, p: &[(&str, &str)], user: &str, body: Value) -> Answer {
        self.call(Method::POST, t, p, Some(user), Some(body), &[])
            .await
    }
    pub async fn post_empty(&self, t: &str, p: &[(&str, &str)], user: &str) -> Answer {
        self.call(Method::POST, t, p, Some(user), None, &[]).await
    }
    pub async fn post_key(
        &self,
        t: &str,
        p: &[(&str, &str)],
        user: &str,
        body: Value,
        key: &str,
    ) -> Answer {
        self.call(
            Method::POST,
            t,
            p,
            Some(user),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
    }
    pub async fn put(
        &self,
        t: &str,
        p: &[(&str, &str)],
        user: &str,
        body: Option<Value>,
    ) -> Answer {
        self.call(Method::PUT, t, p, Some(user), body, &[]).await
    }
    pub async fn put_if(
        &self,
        t: &str,
        p: &[(&str, &str)],
        user: &str,
        body: Option<Value>,
        etag: &str,
    ) -> Answer {
        self.call(Method::PUT, t, p, Some(user), body, &[("if-match", etag)])
            .await
    }
    pub async fn patch(
        &self,
        t: &str,
        p: &[(&str, &str)],
        user: &str,
        body: Value,
        etag: &str,
    ) -> Answer {
        self.call(
            Method::PATCH,
            t,
            p,
            Some(user),
            Some(body),
            &[("if-match", etag)],
        )
        .await
    }
    pub async fn delete(&self, t: &str, p: &[(&str, &str)], user: &str) -> Answer {
        self.call(Method::DELETE, t, p, Some(user), None, &[]).await
    }
    pub async fn delete_if(&self, t: &str, p: &[(&str, &str)], user: &str, etag: &str) -> Answer {
        self.call(
            Method::DELETE,
            t,
            p,
            Some(user),
            None,
            &[("if-match", etag)],
        )
        .await
    }
    /// Sends bytes with PUT.
    pub async fn put_bytes(&self, t: &str, p: &[(&str, &str)], user: &str, bytes: &[u8]) -> Answer {
        let mut path = t.to_owned();
        for (k, v) in p {
            path = path.replace(&format!("{{{k}}}"), v);
        }
        let request = Request::builder()
            .method(Method::PUT)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.token(user)))
            .header("content-type", DOC_TYPE)
            .body(Body::from(bytes.to_vec()))
            .unwrap();
        self.send(Method::PUT, t, request).await
    }
    /// Uploads bytes with a content type.
    pub async fn upload(
        &self,
        t: &str,
        p: &[(&str, &str)],
        user: &str,
        query: &str,
        ctype: &str,
        bytes: &[u8],
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut path = t.to_owned();
        for (k, v) in p {
            path = path.replace(&format!("{{{k}}}"), v);
        }
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(format!("{path}?{query}"))
            .header("authorization", format!("Bearer {}", self.token(user)))
            .header("content-type", ctype);
        for (k, v) in extra {
            request = request.header(*k, *v);
        }
        self.send(
            Method::POST,
            t,
            request.body(Body::from(bytes.to_vec())).unwrap(),
        )
        .await
    }
}

#[track_caller]
pub fn is(answer: &Answer, status: u16) {
    assert_eq!(answer.status.as_u16(), status, "{:?}", answer.json);
}

#[track_caller]
pub fn problem(answer: &Answer, status: u16, code: &str) {
    assert_eq!(
        (answer.status.as_u16(), answer.code()),
        (status, code),
        "{:?}",
        answer.json
    );
}
