//! Requests per second of `GET /spaces/{id}/threads` on the local server's
//! router, against an empty axum handler on the same machine, measured side
//! by side in one run (alternating rounds, so drift hits both alike).
//!
//! A third server answers the same bytes the page request answered, from
//! memory, through a bare axum handler: what HTTP costs to carry that page
//! without any of copkit's work. Its ratio to the page request is the
//! share of the page request that is copkit's own work (token check,
//! middleware, store read, access check, serialisation, cursor, ETag).
//!
//! `cargo bench -p copkit-lambda --bench threads_rps`
//!
//! Both servers run in this process on loopback; the load comes from 8
//! keep-alive HTTP/1.1 connections in this process too. The ratio is what
//! matters: absolute numbers depend on the machine.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

#[path = "support/space.rs"]
mod support;
use support::{BenchSpace, bench_space};

const CONNECTIONS: usize = 8;
const ROUND: Duration = Duration::from_secs(3);
const ROUNDS: usize = 5;

/// The allocator `bootstrap` and `copkit-local` use (both servers here run
/// on it, like the load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Bench = Result<(), Box<dyn std::error::Error>>;

async fn serve(router: Router) -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(addr)
}

/// Requests per second over one round against `url`.
async fn round(url: String, auth: Option<String>) -> f64 {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + ROUND;
    let mut workers = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url, auth, done) = (client.clone(), url.clone(), auth.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let mut request = hyper::Request::get(url.as_str());
                if let Some(a) = &auth {
                    request = request.header("authorization", a.as_str());
                }
                let Ok(request) = request.body(Empty::<Bytes>::new()) else {
                    return;
                };
                let Ok(response) = client.request(request).await else {
                    return;
                };
                let ok = response.status().is_success();
                if response.into_body().collect().await.is_ok() && ok {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    done.load(Ordering::Relaxed) as f64 / ROUND.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Bench {
    let BenchSpace {
        router,
        space,
        bearer,
    } = bench_space().await?;
    let copkit_addr = serve(router).await?;
    let empty_addr = serve(Router::new().route("/empty", get(|| async {}))).await?;

    let threads_url = format!("http://{copkit_addr}/spaces/{space}/threads?limit=20");
    let page = fetch(&threads_url, &bearer).await?;
    let page_len = page.len();
    let same_bytes_addr = serve(Router::new().route(
        "/page",
        get(move || {
            let page = page.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], page) }
        }),
    ))
    .await?;
    let empty_url = format!("http://{empty_addr}/empty");
    let same_bytes_url = format!("http://{same_bytes_addr}/page");
    // Warm up all three, then alternate.
    round(threads_url.clone(), Some(bearer.clone())).await;
    round(empty_url.clone(), None).await;
    round(same_bytes_url.clone(), None).await;
    let (mut threads, mut empty, mut same_bytes) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        threads.push(round(threads_url.clone(), Some(bearer.clone())).await);
        empty.push(round(empty_url.clone(), None).await);
        same_bytes.push(round(same_bytes_url.clone(), None).await);
    }
    let (t, e, s) = (
        median(threads.clone()),
        median(empty.clone()),
        median(same_bytes.clone()),
    );
    println!(
        "GET /spaces/{{id}}/threads (20 of 50 threads, JWT checked): {t:>10.0} req/s  rounds {threads:.0?}"
    );
    println!(
        "GET /empty (empty axum handler):                          {e:>10.0} req/s  rounds {empty:.0?}"
    );
    println!(
        "GET /page (the page's {page_len} bytes from memory):         {s:>10.0} req/s  rounds {same_bytes:.0?}"
    );
    println!(
        "ratio threads / empty: {:.3}  ({CONNECTIONS} connections, {ROUNDS} x {}s rounds each)",
        t / e,
        ROUND.as_secs()
    );
    println!(
        "ratio threads / same bytes from memory: {:.3}  (1 - ratio of the page request's time is copkit's own work)",
        t / s
    );
    Ok(())
}

/// The body `url` answers (the page the third server then repeats).
async fn fetch(url: &str, authorization: &str) -> Result<Bytes, Box<dyn std::error::Error>> {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::get(url)
        .header("authorization", authorization)
        .body(Empty::<Bytes>::new())?;
    let response = client.request(request).await?;
    if !response.status().is_success() {
        return Err(format!("{url} answered {}", response.status()).into());
    }
    Ok(response.into_body().collect().await?.to_bytes())
}
