//! The local server: the same router as the Lambda, on `axum::serve`.
//!
//! `cargo run -p copkit-lambda --bin copkit-local -- --demo` keeps records
//! in the SQLite database `copkit.db` and document bytes under `blobs/`,
//! both in the data folder (`--data-dir`, default `.copkit-data`), so a
//! restart keeps everything; `--store memory` forgets records on exit;
//! `--store dynamodb` uses the DynamoDB table `COPKIT_TABLE` (default
//! `copkit-local`, created when missing) at any endpoint
//! (`AWS_ENDPOINT_URL`), and the S3 bucket `COPKIT_BUCKET` when set.
//!
//! `copkit-local backup --to FILE` copies the database while a server runs
//! (SQLite's online backup); `copkit-local gc` removes document bytes no
//! record names (also done at every start, for files older than an hour).

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use copkit_aws::{self as aws, AwsSettings};
use copkit_core::blob::BlobStore;
use copkit_core::{Config, Copkit, MemoryStore};
use copkit_lambda::{AppState, Authenticator, Claims, app, demo};
use copkit_sqlite::{Database, FileBlobStore, SWEEP_GRACE, SqliteStore, sweep_orphan_blobs};

/// Runs copkit's HTTP API locally.
#[derive(Debug, Parser)]
#[command(name = "copkit-local", version, about)]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seed a demo data set and print a ready token per demo user.
    #[arg(long)]
    demo: bool,
    /// The data folder: the SQLite database `copkit.db` and the document
    /// bytes under `blobs/` (unless `COPKIT_BUCKET` names a bucket with
    /// `--store dynamodb`).
    #[arg(long, default_value = ".copkit-data", global = true)]
    data_dir: std::path::PathBuf,
    /// Where records are kept.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    /// A maintenance task instead of serving.
    #[command(subcommand)]
    task: Option<Task>,
}

/// Maintenance of the data folder's database.
#[derive(Debug, Subcommand)]
enum Task {
    /// Copies the database to a new file (safe while a server runs).
    Backup {
        /// The new file.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Removes document bytes that no record names.
    Gc,
}

/// The record stores the local server can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StoreKind {
    /// The SQLite database in the data folder (kept across restarts).
    Sqlite,
    /// In memory, gone when the server stops.
    Memory,
    /// A DynamoDB table (`COPKIT_TABLE`, default `copkit-local`).
    Dynamodb,
}

/// The data folder's database (created with the folder when missing).
fn open_database(args: &Args) -> Result<Database, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&args.data_dir)?;
    Ok(Database::open(args.data_dir.join("copkit.db"))?)
}

/// The data folder's blob store.
fn file_blobs(args: &Args) -> FileBlobStore {
    FileBlobStore::new(args.data_dir.join("blobs"))
}

/// The services over the chosen store.
async fn services(args: &Args) -> Result<Copkit, Box<dyn std::error::Error>> {
    let files: Arc<dyn BlobStore> = Arc::new(file_blobs(args));
    let config = Config::with_cursor_key(aws::cursor_key_from_env()?);
    let builder = match args.store {
        StoreKind::Sqlite => {
            let db = open_database(args)?;
            let swept = sweep_orphan_blobs(&db, &file_blobs(args), SWEEP_GRACE).await?;
            if swept.removed > 0 {
                println!("Removed {} document files no record names.", swept.removed);
            }
            // Cursors stay readable across restarts: the key lives in the
            // database unless COPKIT_CURSOR_KEY names one.
            let key = match std::env::var("COPKIT_CURSOR_KEY") {
                Ok(k) if !k.trim().is_empty() => aws::cursor_key_from_env()?,
                _ => db.cursor_key().await?,
            };
            return Ok(Copkit::builder(Arc::new(SqliteStore::new(db)))
                .blobs(files)
                .config(Config::with_cursor_key(key))
                .build()?);
        }
        StoreKind::Memory => Copkit::builder(Arc::new(MemoryStore::new())).blobs(files),
        StoreKind::Dynamodb => {
            let settings = match AwsSettings::from_env() {
                Ok(settings) => settings,
                Err(_) => AwsSettings {
                    table: "copkit-local".into(),
                    bucket: std::env::var("COPKIT_BUCKET")
                        .ok()
                        .filter(|b| !b.is_empty()),
                },
            };
            let stores = aws::connect(&aws::sdk_config().await, &settings, true).await?;
            Copkit::builder(stores.store).blobs(match stores.blobs {
                Some(s3) => s3,
                None => files,
            })
        }
    };
    Ok(builder.config(config).build()?)
}

fn random_secret() -> Result<Vec<u8>, String> {
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| format!("no secure random source: {e}"))?;
    Ok(secret)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "copkit_lambda=info,warn".into()),
        )
        .init();
    let args = Args::parse();
    match &args.task {
        Some(Task::Backup { to }) => {
            open_database(&args)?.backup_to(to).await?;
            println!(
                "Backed up {} to {}",
                args.data_dir.join("copkit.db").display(),
                to.display()
            );
            return Ok(());
        }
        Some(Task::Gc) => {
            let swept =
                sweep_orphan_blobs(&open_database(&args)?, &file_blobs(&args), SWEEP_GRACE).await?;
            println!(
                "Examined {} document files; removed {} that no record names.",
                swept.examined, swept.removed
            );
            return Ok(());
        }
        None => {}
    }
    let secret = match std::env::var("COPKIT_JWT_SECRET") {
        Ok(s) if !s.is_empty() => s.into_bytes(),
        _ => random_secret()?,
    };
    let copkit = services(&args).await?;
    let mut auth = Authenticator::hs256(&secret);
    if let Some(issuer) = auth_issuer() {
        auth = auth.with_issuer(issuer);
    }
    if let Some(audience) = auth_audience() {
        auth = auth.with_audience(audience);
    }
    if args.demo {
        if demo::is_seeded(&copkit).await? {
            println!("The demo data set is already in this store.");
        } else {
            demo::seed(&copkit).await?;
        }
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("copkit-local listening on {base}  (OpenAPI: {base}/openapi.json)");
    if args.demo {
        print_demo_tokens(&auth, &base);
    } else {
        println!(
            "Sign requests with an HS256 JWT (claims: sub, exp, and name, email, email_verified, \
             nbf; iss and aud when COPKIT_JWT_ISSUER / COPKIT_JWT_AUDIENCE are set) using \
             COPKIT_JWT_SECRET."
        );
    }
    let router = app::router(AppState::new(copkit, auth));
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The issuer local tokens must name (`COPKIT_JWT_ISSUER`), if any.
fn auth_issuer() -> Option<String> {
    std::env::var("COPKIT_JWT_ISSUER")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The audience local tokens must name (`COPKIT_JWT_AUDIENCE`), if any.
fn auth_audience() -> Option<String> {
    std::env::var("COPKIT_JWT_AUDIENCE")
        .ok()
        .filter(|s| !s.is_empty())
}

fn print_demo_tokens(auth: &Authenticator, base: &str) {
    let expires = jiff::Timestamp::now().as_second() + 7 * 24 * 3600;
    println!("\nDemo users (tokens valid for 7 days):");
    let mut first = None;
    for user in &demo::USERS {
        let claims = Claims {
            sub: user.sub.into(),
            name: Some(user.name.into()),
            email: Some(user.email.into()),
            email_verified: Some(true),
            exp: Some(expires),
            iss: auth_issuer(),
            aud: auth_audience().map(copkit_lambda::auth::Audience::One),
            ..Claims::default()
        };
        let Some(token) = auth.issue(&claims) else {
            continue;
        };
        println!(
            "\n  {} — {}, {}\n  TOKEN={token}",
            user.sub, user.name, user.about
        );
        first.get_or_insert(token);
    }
    if let Some(token) = first {
        println!("\nTry (as helen):\n");
        println!("  export TOKEN={token}");
        println!("  curl -s {base}/me/communities -H \"Authorization: Bearer $TOKEN\"");
        println!(
            "  curl -s '{base}/communities?name_prefix=wessex' -H \"Authorization: Bearer $TOKEN\""
        );
        println!(
            "  curl -s {base}/communities/by-slug/mid-wessex-st3-small-group -H \"Authorization: Bearer $TOKEN\""
        );
    }
}
