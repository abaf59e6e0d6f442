//! The client suite's server: the real `copkit-local` binary on a fresh
//! SQLite data folder and a free port, with tokens signed by the secret it
//! was started with.

#![allow(dead_code)]

pub mod proxy;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use copkit_client::{Attempt, Client, ClientConfig, RetryPolicy, StaticToken};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The secret tokens are signed with.
pub const SECRET: &str = "client-suite-secret";

/// A running copkit-local; stopped when dropped.
pub struct Local {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The data folder.
    pub data: tempfile::TempDir,
}

impl Drop for Local {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The copkit-local binary: `$COPKIT_LOCAL` (tests/run-all.sh points it at
/// the one its workspace build made), else built once per test run.
fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(given) = std::env::var_os("COPKIT_LOCAL") {
                return PathBuf::from(given);
            }
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "copkit-lambda",
                    "--bin",
                    "copkit-local",
                ])
                .current_dir(&workspace)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building copkit-local failed");
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace.join("target"));
            target.join("debug").join("copkit-local")
        })
        .clone()
}

/// Starts copkit-local on SQLite in a fresh data folder and a free port.
pub fn start() -> Local {
    start_on("sqlite", &[])
}

/// Starts copkit-local on `store` (`sqlite`, `memory`, `dynamodb`) with
/// extra environment variables (the table and bucket for DynamoDB + S3).
pub fn start_on(store: &str, env: &[(&str, &str)]) -> Local {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(binary())
        .args(["--addr", "127.0.0.1:0", "--store", store, "--data-dir"])
        .arg(data.path())
        .envs(env.iter().copied())
        .env("COPKIT_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("copkit-local stopped early").unwrap();
        if let Some(rest) = line.strip_prefix("copkit-local listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Local { child, base, data }
}

/// A token for `user` (verified email `user@example.org`). It expires in
/// 2100, a fixed instant: no test reads the clock to make one.
pub fn token(user: &str) -> String {
    const EXPIRES_2100: u64 = 4_102_444_800;
    let exp = EXPIRES_2100;
    let claims = json!({
        "sub": user, "name": format!("Dr {user}"), "email": format!("{user}@example.org"),
        "email_verified": true, "exp": exp,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

/// One attempt: method, path template, status (none when the connection broke).
pub type SeenAttempt = (&'static str, &'static str, Option<u16>);

/// Which operations were attempted, and with what status.
#[derive(Clone, Default)]
pub struct Seen(pub Arc<Mutex<Vec<SeenAttempt>>>);

impl Seen {
    pub fn operations(&self) -> BTreeSet<(&'static str, &'static str)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(m, p, _)| (*m, *p))
            .collect()
    }
    pub fn statuses(&self, method: &str, path: &str) -> Vec<Option<u16>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p, _)| *m == method && *p == path)
            .map(|(_, _, s)| *s)
            .collect()
    }
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// Quick retries, so fault tests do not wait long.
pub fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(3),
    }
}

/// A client of `base` as `user`, its attempts recorded in `seen`.
pub fn config(base: &str, user: &str, seen: &Seen) -> ClientConfig {
    let seen = seen.clone();
    ClientConfig::new(base, Arc::new(StaticToken(token(user))))
        .retry(quick())
        .observer(Arc::new(move |a: &Attempt| {
            seen.0
                .lock()
                .unwrap()
                .push((a.operation.method, a.operation.path, a.status));
        }))
}

pub fn client(base: &str, user: &str, seen: &Seen) -> Client {
    config(base, user, seen).build().unwrap()
}

/// A core input type from its JSON.
pub fn input<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}
