//! copkit's own work for one page of a space's threads, without HTTP: the
//! real router called in this process (token check, middleware, store
//! read, access check, answer, cursor, ETag), against an empty axum handler
//! called the same way, alternating rounds.
//!
//! `cargo bench -p copkit-lambda --bench router_work`
//!
//! Wall-clock rates drift on a shared machine; the number of instructions
//! does not. Under Valgrind the requests are counted exactly:
//! `ROUTER_WORK_REQUESTS=3000 valgrind --tool=callgrind <bench binary>`
//! gives the instructions of 3,000 page requests plus the setup (run it
//! with `ROUTER_WORK_REQUESTS=1` for the setup alone) and, with
//! `callgrind_annotate`, where they go.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[path = "support/space.rs"]
mod support;
use support::{BenchSpace, bench_space};

const ROUNDS: usize = 5;

/// The allocator `bootstrap` and `copkit-local` use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Bench = Result<(), Box<dyn std::error::Error>>;

/// Calls `router` `requests` times with `GET uri` (and `bearer`), reading
/// every answer whole; the seconds it took.
async fn round(
    router: &Router,
    uri: &str,
    bearer: Option<&str>,
    requests: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    for _ in 0..requests {
        let mut request = Request::get(uri);
        if let Some(bearer) = bearer {
            request = request.header("authorization", bearer);
        }
        let answer = router.clone().oneshot(request.body(Body::empty())?).await?;
        if !answer.status().is_success() {
            return Err(format!("GET {uri}: {}", answer.status()).into());
        }
        answer.into_body().collect().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Bench {
    let requests: usize = match std::env::var("ROUTER_WORK_REQUESTS") {
        Ok(n) => n.parse()?,
        Err(_) => 20_000,
    };
    let BenchSpace {
        router,
        space,
        bearer,
    } = bench_space().await?;
    let empty = Router::new().route("/empty", get(|| async {}));
    let page = format!("/spaces/{space}/threads?limit=20");
    if std::env::var_os("ROUTER_WORK_REQUESTS").is_some() {
        // One pass, for counting under Valgrind.
        round(&router, &page, Some(&bearer), requests).await?;
        return Ok(());
    }
    round(&router, &page, Some(&bearer), requests / 10).await?;
    let (mut pages, mut empties) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        pages.push(round(&router, &page, Some(&bearer), requests).await? / requests as f64);
        empties.push(round(&empty, "/empty", None, requests).await? / requests as f64);
    }
    let (p, e) = (median(pages) * 1e6, median(empties) * 1e6);
    println!("GET /spaces/{{id}}/threads (20 of 50, JWT checked), in process: {p:>8.2} µs");
    println!("GET /empty (empty axum handler), in process:                  {e:>8.2} µs");
    println!(
        "ratio page / empty handler: {:.1}x  ({ROUNDS} rounds of {requests} each, medians)",
        p / e
    );
    Ok(())
}
