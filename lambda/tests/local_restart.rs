//! `copkit-local` keeps everything across a restart: the built binary is
//! started with `--demo` on a fresh data folder, stopped, and started
//! again on the same folder. The second start finds the demo already there
//! (nothing seeded twice) and serves the same communities to the same
//! token. Without `COPKIT_JWT_SECRET` the folder keeps its own signing
//! secret: tokens outlive a restart, and `copkit-local token` prints one
//! the server accepts.

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
    start_signing_with(data, Some("restart-test-secret"))
}

/// [`start`], with tokens signed by `secret` (the folder's own without).
fn start_signing_with(data: &std::path::Path, secret: Option<&str>) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_copkit-local"));
    command
        .args(["--demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("COPKIT_JWT_SECRET");
    if let Some(secret) = secret {
        command.env("COPKIT_JWT_SECRET", secret);
    }
    let mut child = command
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
    let (status, json) = get_me(server, "/me/communities", &server.token).await;
    assert_eq!(status, 200);
    let mut slugs: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["card"]["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs
}

/// GET `path` with `token`: the status and the JSON body (null if none).
async fn get_me(server: &Server, path: &str, token: &str) -> (u16, serde_json::Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = hyper::Request::get(format!("{}{path}", server.base))
        .header("authorization", format!("Bearer {token}"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

/// `copkit-local token` on `data`: the token it prints.
fn token_for(data: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_copkit-local"))
        .arg("--data-dir")
        .arg(data)
        .arg("token")
        .args(args)
        .env_remove("COPKIT_JWT_SECRET")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn the_folder_keeps_its_signing_secret_and_token_prints_one_it_accepts() {
    let data = tempfile::tempdir().unwrap();
    let first = start_signing_with(data.path(), None);
    let demo_token = first.token.clone();
    let made = token_for(
        data.path(),
        &[
            "--user",
            "auth0|dev-1",
            "--name",
            "Dev One",
            "--email",
            "dev@example.org",
        ],
    );
    let (status, me) = get_me(&first, "/me", &made).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["display_name"], "Dev One", "{me}");
    drop(first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("jwt.secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // After a restart the same tokens still work; a forged one does not.
    let second = start_signing_with(data.path(), None);
    assert_eq!(get_me(&second, "/me/communities", &demo_token).await.0, 200);
    assert_eq!(get_me(&second, "/me", &made).await.0, 200);
    let at = made.len() - 10;
    let swapped = if &made[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &made[..at], &made[at + 1..]);
    assert_eq!(get_me(&second, "/me", &forged).await.0, 401);
    // A user id the API would refuse is refused here too.
    let refused = Command::new(env!("CARGO_BIN_EXE_copkit-local"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["token", "--user", ""])
        .output()
        .unwrap();
    assert!(!refused.status.success());
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

/// How many results `/me/search?q=<q>` gives `token`.
async fn found_by(server: &Server, token: &str, q: &str) -> usize {
    let (status, json) = get_me(server, &format!("/me/search?q={q}&limit=50"), token).await;
    assert_eq!(status, 200, "{json}");
    json["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_search_index_is_rebuilt_by_reindex_and_when_missing() {
    let data = tempfile::tempdir().unwrap();
    // Andrew owns the appraisers' group (the folder signs the tokens).
    let first = start_signing_with(data.path(), None);
    let andrew = token_for(data.path(), &["--user", "andrew"]);
    let before = found_by(&first, &andrew, "appraisal").await;
    assert!(before > 0, "the demo's words are found");
    drop(first);

    // `copkit-local reindex` rebuilds it from the database.
    let output = Command::new(env!("CARGO_BIN_EXE_copkit-local"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("reindex")
        .env_remove("COPKIT_JWT_SECRET")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8(output.stdout).unwrap();
    assert!(said.contains("Built the search index: "), "{said}");
    let second = start_signing_with(data.path(), None);
    assert_eq!(found_by(&second, &andrew, "appraisal").await, before);
    drop(second);

    // A lost index is rebuilt at start.
    std::fs::remove_dir_all(data.path().join("search")).unwrap();
    let third = start_signing_with(data.path(), None);
    assert!(
        third
            .said
            .iter()
            .any(|l| l.contains("Built the search index")),
        "{:?}",
        third.said
    );
    assert_eq!(found_by(&third, &andrew, "appraisal").await, before);
}
