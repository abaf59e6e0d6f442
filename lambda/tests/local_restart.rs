//! `copkit-local` keeps everything across a restart: the built binary is
//! started with `--demo` on a fresh data folder, stopped, and started
//! again on the same folder. The second start finds the demo already there
//! (nothing seeded twice) and serves the same communities to the same
//! token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A running server: its process, base URL, first token and what it said.
struct Server {
    child: Child,
    base: String,
    token: String,
    said: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts copkit-local on `data` and reads its banner up to the first token.
fn start(data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_copkit-local"))
        .args(["--demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("COPKIT_JWT_SECRET", "restart-test-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut token, mut said) = (None, None, Vec::new());
    while token.is_none() {
        let line = lines.next().expect("the server stopped early").unwrap();
        if let Some(rest) = line.strip_prefix("copkit-local listening on ") {
            base = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(t) = line.trim().strip_prefix("TOKEN=") {
            token = Some(t.to_owned());
        }
        said.push(line);
    }
    // Keep reading what it prints, or its next line would hit a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server {
        child,
        base: base.expect("a listening line"),
        token: token.unwrap(),
        said,
    }
}

/// The slugs of the token holder's communities.
async fn my_communities(server: &Server) -> Vec<String> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = hyper::Request::get(format!("{}/me/communities", server.base))
        .header("authorization", format!("Bearer {}", server.token))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut slugs: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["card"]["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs
}

#[tokio::test]
async fn a_restart_keeps_every_record_and_seeds_the_demo_once() {
    let data = tempfile::tempdir().unwrap();
    let first = start(data.path());
    let before = my_communities(&first).await;
    assert!(!before.is_empty(), "the demo seeded communities");
    assert!(
        !first
            .said
            .iter()
            .any(|l| l.contains("already in this store")),
        "the first start seeds"
    );
    drop(first);

    let second = start(data.path());
    assert!(
        second
            .said
            .iter()
            .any(|l| l.contains("already in this store")),
        "the second start finds the demo: {:?}",
        second.said
    );
    assert_eq!(
        my_communities(&second).await,
        before,
        "nothing lost, nothing doubled"
    );
    assert!(data.path().join("copkit.db").exists());
}
