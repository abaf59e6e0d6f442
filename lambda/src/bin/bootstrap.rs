//! The AWS Lambda entry point: the same router as the local server, behind
//! API Gateway (HTTP API v2 or REST v1) with a JWT authorizer whose claims
//! identify the caller, over DynamoDB and S3.
//!
//! Configuration (environment, see `copkit_aws::config`): `COPKIT_TABLE`,
//! `COPKIT_BUCKET`, `COPKIT_SEARCH_FUNCTION` (all required here: searches
//! are handed to the search function, so this binary links no search
//! engine), `COPKIT_CURSOR_KEY` (set the same value on every instance so
//! cursors and upload tickets survive).
//!
//! `bootstrap --check-panics` checks the built binary's panic strategy
//! instead of serving: it exits 0 after a panicking handler answered 500, and
//! dies (SIGABRT) if the build aborts on panic.

use copkit_aws as aws;
use copkit_lambda::{AppState, Authenticator, app};

/// mimalloc instead of the system allocator: a page of threads is served
/// about half again as fast (`cargo bench -p copkit-lambda --bench threads_rps`,
/// README "Warm path").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One thread: a Lambda sandbox hands its function one event at a time, so
/// worker threads would only cost start-up time and memory (blocking work
/// such as a search still runs on tokio's blocking pool).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    if std::env::args().nth(1).as_deref() == Some("--check-panics") {
        let caught = app::panics_are_caught().await;
        println!(
            "{}",
            if caught {
                "caught (500, the process goes on)"
            } else {
                "not caught"
            }
        );
        std::process::exit(if caught { 0 } else { 1 });
    }
    copkit_lambda::request_log::init_function_logs();
    let copkit = aws::copkit_from_env(&aws::sdk_config().await).await?;
    let router = app::router(AppState::new(copkit, Authenticator::ApiGateway).with_metrics());
    lambda_http::run(app::lambda_service(router)).await
}
