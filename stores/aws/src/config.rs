//! AWS settings from the environment, shared by `bootstrap`, `copkit-local
//! --store dynamodb`, the tests and the benches.
//!
//! | variable | meaning |
//! |---|---|
//! | `COPKIT_TABLE` | the DynamoDB table (required) |
//! | `COPKIT_BUCKET` | the S3 bucket for document bytes (required on Lambda) |
//! | `COPKIT_CURSOR_KEY` | 64 hex characters signing pagination cursors and upload tickets; the same on every instance (random per process when unset) |
//! | `COPKIT_PUBLIC_URL` | the API's public base URL, for the one-click unsubscribe link in mail (none when unset) |
//! | `COPKIT_INVITATION_LINK` | where invitations are accepted, with `{token}` for the token, for the link in invitation mail (the mail gives the code when unset) |
//! | `COPKIT_SEARCH_FUNCTION` | the search function the API function and the scheduler hand searches to (required there) |
//! | `COPKIT_SEARCH_PREFIX` | where the search indexes live in the bucket (`search/` when unset) |
//! | `COPKIT_SEARCH_SCRATCH` | the folder for local copies of search indexes (`<temp>/copkit-search`: `/tmp` on Lambda) |
//! | `COPKIT_SEARCH_REFRESH_SECS` | how long a search trusts its copy of a community's index before asking S3 whether it changed (5 when unset; 0: every search asks) |
//! | `COPKIT_RATE_LIMITS` | per-person write limits: `off`, or changes to the defaults such as `communities=5/1h,posts=off` (see `RateLimits::parse`) |
//! | `AWS_ENDPOINT_URL` | another endpoint, e.g. a local emulator (read by the SDK) |
//! | `AWS_REGION`, credentials | the usual SDK chain |

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use copkit_core::store::StoreError;

use crate::dynamo::DynamoStore;
use crate::dynamo::calls::{CallCounter, RequestCalls};
use crate::dynamo::table::create_table;
use crate::s3::S3BlobStore;

/// Where copkit keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// The DynamoDB table.
    pub table: String,
    /// The S3 bucket, if documents live in S3.
    pub bucket: Option<String>,
}

impl AwsSettings {
    /// Reads `COPKIT_TABLE` and `COPKIT_BUCKET`.
    pub fn from_env() -> Result<Self, String> {
        let table = std::env::var("COPKIT_TABLE")
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or("COPKIT_TABLE is not set: name the DynamoDB table")?;
        let bucket = std::env::var("COPKIT_BUCKET")
            .ok()
            .filter(|b| !b.is_empty());
        Ok(AwsSettings { table, bucket })
    }
}

/// The SDK configuration from the environment (region, credentials,
/// `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// A DynamoDB client, counting its calls into `counter` when given, and
/// always into the running request's count
/// ([`counting_calls`](crate::dynamo::calls::counting_calls)).
pub fn dynamo_client(config: &SdkConfig, counter: Option<CallCounter>) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(config).interceptor(RequestCalls);
    if let Some(counter) = counter {
        builder = builder.interceptor(counter);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// An S3 client. With a custom endpoint (an emulator), buckets are
/// addressed by path, since `bucket.127.0.0.1` does not resolve.
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let builder =
        aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// The cursor key from `COPKIT_CURSOR_KEY` (64 hex characters), or a random
/// one when unset: cursors and upload tickets then last as long as the process.
pub fn cursor_key_from_env() -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    match std::env::var("COPKIT_CURSOR_KEY") {
        Ok(hex_key) if !hex_key.trim().is_empty() => {
            let bytes =
                hex::decode(hex_key.trim()).map_err(|e| format!("COPKIT_CURSOR_KEY: {e}"))?;
            if bytes.len() != 32 {
                return Err("COPKIT_CURSOR_KEY must be 64 hex characters".into());
            }
            key.copy_from_slice(&bytes);
        }
        _ => getrandom::fill(&mut key).map_err(|e| format!("no secure random source: {e}"))?,
    }
    Ok(key)
}

/// The services' configuration from the environment: cursors signed with
/// `key`, write limits from `COPKIT_RATE_LIMITS` (the defaults when unset),
/// the public URL from `COPKIT_PUBLIC_URL`.
pub fn config_from_env(key: [u8; 32]) -> Result<copkit_core::Config, String> {
    let mut config = copkit_core::Config::with_cursor_key(key);
    config.public_url = std::env::var("COPKIT_PUBLIC_URL")
        .ok()
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .filter(|url| !url.is_empty());
    config.invitation_link = std::env::var("COPKIT_INVITATION_LINK")
        .ok()
        .map(|link| link.trim().to_owned())
        .filter(|link| !link.is_empty());
    if let Some(link) = &config.invitation_link
        && !link.contains("{token}")
    {
        return Err("COPKIT_INVITATION_LINK must hold {token} where the token goes".into());
    }
    if let Ok(text) = std::env::var("COPKIT_RATE_LIMITS") {
        config.rate_limits = copkit_core::service::RateLimits::parse(&text)
            .map_err(|e| format!("COPKIT_RATE_LIMITS: {e}"))?;
    }
    Ok(config)
}

/// The production stores: the table, and the bucket when one is named.
#[derive(Debug, Clone)]
pub struct AwsStores {
    /// Every record.
    pub store: Arc<DynamoStore>,
    /// Document bytes, if `COPKIT_BUCKET` names a bucket.
    pub blobs: Option<Arc<S3BlobStore>>,
}

/// Connects to the table and bucket in `settings`. With `create`, makes
/// them when missing (local runs and emulators; deployed tables and buckets
/// come from the template).
pub async fn connect(
    config: &SdkConfig,
    settings: &AwsSettings,
    create: bool,
) -> Result<AwsStores, StoreError> {
    let dynamo = dynamo_client(config, None);
    if create {
        create_table(&dynamo, &settings.table).await?;
    }
    let blobs = match &settings.bucket {
        Some(bucket) => {
            let s3 = s3_client(config);
            if create {
                create_bucket(&s3, bucket).await?;
            }
            Some(Arc::new(S3BlobStore::new(s3, bucket.clone())))
        }
        None => None,
    };
    Ok(AwsStores {
        store: Arc::new(DynamoStore::new(dynamo, settings.table.clone())),
        blobs,
    })
}

async fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), StoreError> {
    if s3.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    match s3.create_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                s.is_bucket_already_owned_by_you() || s.is_bucket_already_exists()
            }) =>
        {
            Ok(())
        }
        Err(e) => Err(crate::dynamo::errors::sdk_error(e)),
    }
}

/// The search index in `bucket` through `client`, configured by
/// `COPKIT_SEARCH_PREFIX`, `COPKIT_SEARCH_SCRATCH` and
/// `COPKIT_SEARCH_REFRESH_SECS`.
pub fn search_index_from_env(
    client: aws_sdk_s3::Client,
    bucket: &str,
) -> Result<crate::search::S3SearchIndex, String> {
    let prefix = std::env::var("COPKIT_SEARCH_PREFIX")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "search/".into());
    let scratch = std::env::var("COPKIT_SEARCH_SCRATCH")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("copkit-search"));
    let refresh = match std::env::var("COPKIT_SEARCH_REFRESH_SECS") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<u64>()
            .map_err(|_| "COPKIT_SEARCH_REFRESH_SECS must be a whole number of seconds")?,
        _ => 5,
    };
    crate::search::S3SearchIndex::new(
        client,
        bucket,
        prefix,
        &scratch,
        std::time::Duration::from_secs(refresh),
    )
    .map_err(|e| format!("the search index: {e}"))
}

/// The services the API function and the scheduler run: DynamoDB and S3
/// named by the environment (both required), cursors signed with
/// `COPKIT_CURSOR_KEY`, and searches handed to the search function named by
/// `COPKIT_SEARCH_FUNCTION` (required; see [`InvokedSearch`]), so these
/// functions link no search engine. `config` is the SDK configuration
/// ([`sdk_config`]), loaded once by the function for all its clients.
///
/// [`InvokedSearch`]: crate::search_function::InvokedSearch
pub async fn copkit_from_env(config: &SdkConfig) -> Result<copkit_core::Copkit, String> {
    let function = std::env::var("COPKIT_SEARCH_FUNCTION")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .ok_or("COPKIT_SEARCH_FUNCTION is not set: name the search function")?;
    let (blobs, builder) = function_services(config).await?;
    // A search that takes longer than this answers 503 rather than holding
    // the request until API Gateway gives up (30 s).
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .operation_timeout(std::time::Duration::from_secs(10))
        .build();
    let lambda = aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::from(config)
            .timeout_config(timeouts)
            .build(),
    );
    let search = crate::search_function::InvokedSearch::new(lambda, function.trim());
    builder
        .blobs(blobs)
        .search(Arc::new(search))
        .build()
        .map_err(|e| format!("{e}"))
}

/// The services of the search function: as [`copkit_from_env`], with the
/// search index in the bucket (`COPKIT_SEARCH_PREFIX`,
/// `COPKIT_SEARCH_SCRATCH`, `COPKIT_SEARCH_REFRESH_SECS`), which it both
/// writes and searches, and the words inside files read by `text`. The index
/// is also returned, for answering the searches other functions hand over.
pub async fn search_function_from_env(
    config: &SdkConfig,
    text: Arc<dyn copkit_core::search::TextExtractor>,
) -> Result<(copkit_core::Copkit, Arc<crate::search::S3SearchIndex>), String> {
    let (blobs, builder) = function_services(config).await?;
    let index = Arc::new(search_index_from_env(
        blobs.client().clone(),
        blobs.bucket(),
    )?);
    let copkit = builder
        .blobs(blobs)
        .search(index.clone())
        .text_extractor(text)
        .build()
        .map_err(|e| format!("{e}"))?;
    Ok((copkit, index))
}

/// What every function has: the bucket (required), and the services on the
/// table with their configuration.
async fn function_services(
    config: &SdkConfig,
) -> Result<(Arc<S3BlobStore>, copkit_core::service::CopkitBuilder), String> {
    let settings = AwsSettings::from_env()?;
    let stores = connect(config, &settings, false)
        .await
        .map_err(|e| format!("connecting to the table and bucket: {e}"))?;
    let blobs = stores
        .blobs
        .ok_or("COPKIT_BUCKET is not set: name the S3 bucket for documents")?;
    let builder =
        copkit_core::Copkit::builder(stores.store).config(config_from_env(cursor_key_from_env()?)?);
    Ok((blobs, builder))
}
