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
//! Per-person write limits come from `COPKIT_RATE_LIMITS` as on Lambda
//! (`off`, or changes such as `communities=5/1h`).
//!
//! With `--smtp-url` and `--mail-from` (or `COPKIT_SMTP_URL`,
//! `COPKIT_MAIL_FROM`) due digests are produced and the outbox is sent
//! through that SMTP server every minute.
//!
//! `copkit-local backup --to FILE` copies the database while a server runs
//! (SQLite's online backup); `copkit-local gc` removes document bytes no
//! record names (also done at every start, for files older than an hour);
//! `copkit-local token --user ID [--name N] [--email E]` prints a token the
//! server on that data folder accepts. Tokens are signed with
//! `COPKIT_JWT_SECRET`, or else with the folder's own secret (`jwt.secret`,
//! made on first start), so they outlive a restart.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use copkit_aws::{self as aws, AwsSettings};
use copkit_core::blob::BlobStore;
use copkit_core::mail::Outbox;
use copkit_core::{Copkit, MemoryStore};
use copkit_lambda::smtp::SmtpMailer;
use copkit_lambda::{AppState, Authenticator, Claims, app, demo};
use copkit_search::{FileText, Opened, TantivyIndex};
use copkit_sqlite::{Database, FileBlobStore, SWEEP_GRACE, SqliteStore, sweep_orphan_blobs};

/// mimalloc instead of the system allocator: a page of threads is served
/// about half again as fast (`cargo bench -p copkit-lambda --bench threads_rps`,
/// README "Warm path").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Send mail through this SMTP server (`smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host`):
    /// due digests are produced and the outbox's pending mail sent every
    /// minute. Without it mail stays in the outbox.
    #[arg(long, env = "COPKIT_SMTP_URL", requires = "mail_from")]
    smtp_url: Option<String>,
    /// The sender of that mail (`copkit <digest@example.org>`).
    #[arg(long, env = "COPKIT_MAIL_FROM")]
    mail_from: Option<String>,
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
    /// Rebuilds the search index (`search/` in the data folder) from the
    /// database. The server does this itself when the index is missing or
    /// from another version; run it with the server stopped.
    Reindex,
    /// Prints a token the server on this data folder accepts (signed with
    /// `COPKIT_JWT_SECRET`, or the folder's own secret), for local
    /// development.
    Token {
        /// The person: their identity provider's subject id.
        #[arg(long)]
        user: String,
        /// Their display name.
        #[arg(long)]
        name: Option<String>,
        /// Their email, given as verified (it matches email invitations).
        #[arg(long)]
        email: Option<String>,
        /// How many hours the token lasts.
        #[arg(long, default_value_t = 24 * 7)]
        hours: u32,
    },
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

/// The data folder's search index, and whether it must be rebuilt.
fn search_index(args: &Args) -> Result<(TantivyIndex, Opened), Box<dyn std::error::Error>> {
    let folder = args.data_dir.join("search");
    TantivyIndex::open(&folder).map_err(|e| {
        format!(
            "cannot open the search index in {} (is another copkit-local using this data \
             folder?): {e}",
            folder.display()
        )
        .into()
    })
}

/// Rebuilds the search index of every community in the database.
async fn reindex(copkit: &Copkit, store: &SqliteStore) -> Result<(), Box<dyn std::error::Error>> {
    let report = copkit.reindex(&store.community_ids().await?).await?;
    println!(
        "Built the search index: {} entries in {} communities.",
        report.entries, report.communities
    );
    Ok(())
}

/// Links in mail point at this server unless `COPKIT_PUBLIC_URL` says
/// otherwise (and cannot when it listens on a port chosen at start).
fn local_public_url(config: &mut copkit_core::Config, args: &Args) {
    if config.public_url.is_none() && args.addr.port() != 0 {
        config.public_url = Some(format!("http://{}", args.addr));
    }
}

/// The services over the chosen store (the SQLite store's search index
/// rebuilt when it is missing or from another version).
async fn services(args: &Args) -> Result<Copkit, Box<dyn std::error::Error>> {
    let files: Arc<dyn BlobStore> = Arc::new(file_blobs(args));
    let mut config = aws::config_from_env(aws::cursor_key_from_env()?)?;
    local_public_url(&mut config, args);
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
            let mut config = aws::config_from_env(key)?;
            local_public_url(&mut config, args);
            let store = SqliteStore::new(db);
            let (index, opened) = search_index(args)?;
            let copkit = Copkit::builder(Arc::new(store.clone()))
                .blobs(files)
                .config(config)
                .search(Arc::new(index))
                .text_extractor(Arc::new(FileText))
                .build()?;
            if opened == Opened::NeedsRebuild {
                reindex(&copkit, &store).await?;
            }
            return Ok(copkit);
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
    // In memory and on DynamoDB the index lives in memory: it holds what
    // this process wrote (the deployed stack's index is another matter).
    Ok(builder
        .config(config)
        .search(Arc::new(TantivyIndex::in_memory()?))
        .text_extractor(Arc::new(FileText))
        .build()?)
}

/// The key tokens are signed with: `COPKIT_JWT_SECRET`, else the data
/// folder's own (`jwt.secret`, made on first use, readable by its owner
/// only), so tokens outlive a restart and `copkit-local token` signs what
/// the server accepts.
fn signing_secret(args: &Args) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    if let Ok(secret) = std::env::var("COPKIT_JWT_SECRET")
        && !secret.is_empty()
    {
        return Ok(secret.into_bytes());
    }
    let path = args.data_dir.join("jwt.secret");
    match std::fs::read(&path) {
        Ok(secret) if secret.len() >= 32 => return Ok(secret),
        Ok(_) => return Err(format!("{} is shorter than 32 bytes", path.display()).into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {e}", path.display()).into()),
    }
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| format!("no secure random source: {e}"))?;
    std::fs::create_dir_all(&args.data_dir)?;
    write_private(&path, &secret)?;
    Ok(secret)
}

/// Writes a new file only its owner may read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// The verifier (and issuer) of local tokens.
fn authenticator(args: &Args) -> Result<Authenticator, Box<dyn std::error::Error>> {
    let mut auth = Authenticator::hs256(&signing_secret(args)?);
    if let Some(issuer) = auth_issuer() {
        auth = auth.with_issuer(issuer);
    }
    if let Some(audience) = auth_audience() {
        auth = auth.with_audience(audience);
    }
    Ok(auth)
}

/// A token for one person, valid for `hours`.
fn local_token(
    auth: &Authenticator,
    user: &str,
    name: Option<String>,
    email: Option<String>,
    hours: u32,
) -> Result<String, Box<dyn std::error::Error>> {
    copkit_core::UserId::new(user).map_err(|e| format!("--user: {e}"))?;
    let claims = Claims {
        sub: user.into(),
        name,
        email_verified: email.as_ref().map(|_| true),
        email,
        exp: Some(jiff::Timestamp::now().as_second() + i64::from(hours) * 3600),
        iss: auth_issuer(),
        aud: auth_audience().map(copkit_lambda::auth::Audience::One),
        ..Claims::default()
    };
    Ok(auth.issue(&claims).ok_or("could not sign the token")?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs (one line per request) go to stderr, coloured only on a
    // terminal; stdout is kept for what the server says once (its address,
    // the demo tokens), which scripts and tests read.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
        Some(Task::Token {
            user,
            name,
            email,
            hours,
        }) => {
            let auth = authenticator(&args)?;
            println!(
                "{}",
                local_token(&auth, user, name.clone(), email.clone(), *hours)?
            );
            return Ok(());
        }
        Some(Task::Reindex) => {
            if args.store != StoreKind::Sqlite {
                return Err("only the SQLite store keeps a search index to rebuild".into());
            }
            let folder = args.data_dir.join("search");
            if folder.exists() {
                std::fs::remove_dir_all(&folder)?;
            }
            services(&args).await?;
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
    let auth = authenticator(&args)?;
    let copkit = services(&args).await?;
    if args.demo {
        if demo::is_seeded(&copkit).await? {
            println!("The demo data set is already in this store.");
        } else {
            demo::seed(&copkit).await?;
        }
    }
    tokio::spawn(notify_every_few_seconds(copkit.clone()));
    if let (Some(url), Some(from)) = (&args.smtp_url, &args.mail_from) {
        let smtp = SmtpMailer::new(url, from)?;
        tokio::spawn(send_mail_every_minute(copkit.clone(), smtp));
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("copkit-local listening on {base}  (OpenAPI: {base}/openapi.json, docs: {base}/docs)");
    if args.demo {
        print_demo_tokens(&auth, &base);
    } else {
        println!(
            "Get a token with `copkit-local --data-dir {} token --user ID`, or sign an HS256 JWT \
             (claims: sub, exp, and name, email, email_verified, nbf; iss and aud when \
             COPKIT_JWT_ISSUER / COPKIT_JWT_AUDIENCE are set) with COPKIT_JWT_SECRET.",
            args.data_dir.display()
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

/// Every few seconds: new activity turned into notifications (what the
/// Lambda `scheduler` does every minute).
async fn notify_every_few_seconds(copkit: Copkit) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3));
    loop {
        every.tick().await;
        match copkit.notify_due(2_000).await {
            Ok(run) if run.examined > 0 => tracing::info!(?run, "notifications made"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "notifications not made"),
        }
    }
}

/// Every minute: the due digests into the outbox, then the outbox's
/// pending mail to the SMTP server (what the Lambda `scheduler` does with
/// SES).
async fn send_mail_every_minute(copkit: Copkit, smtp: SmtpMailer) {
    let outbox = Outbox::new(copkit.store().clone());
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        match copkit.send_due_digests(&outbox, 2_000).await {
            Ok(run) if run.examined > 0 => tracing::info!(?run, "digests produced"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "digests not produced"),
        }
        match copkit.deliver_mail(&smtp, 2_000).await {
            Ok(run) if run.examined > 0 => tracing::info!(?run, "mail sent"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "mail not sent"),
        }
    }
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
    println!("\nDemo users (tokens valid for 7 days):");
    let mut first = None;
    for user in &demo::USERS {
        let Ok(token) = local_token(
            auth,
            user.sub,
            Some(user.name.into()),
            Some(user.email.into()),
            24 * 7,
        ) else {
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
