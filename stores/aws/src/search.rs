//! The serverless search index: one tantivy index per community, stored in
//! S3 as one object (`<prefix>v<schema version>/<community>.tar`).
//!
//! - **Changing** ([`SearchIndex::apply`], `replace`, `clear`): the
//!   indexer function downloads the community's object, applies the
//!   changes to a copy in its scratch folder, and puts the object back
//!   **conditionally** (`If-Match` the ETag it read, `If-None-Match: *`
//!   for a new one); a concurrent writer makes it start again, so no
//!   change is lost. The feed serialises each community's changes (SQS
//!   FIFO, one message group per community), so retries are rare.
//! - **Searching**: the API function keeps a copy of each community's index
//!   it searched in its scratch folder (`/tmp` on Lambda) and asks S3 for
//!   the object again only if it changed (`If-None-Match` its ETag: a 304
//!   costs no download), at most once per `refresh_after` per community.
//!   A search across communities merges their ranked matches.
//!
//! A new schema version reads from a new prefix: the old objects are left
//! behind and each community is rebuilt (`reindex`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use copkit_core::ids::CommunityId;
use copkit_core::search::{IndexChange, SearchEntry, SearchIndex, SearchRequest, SearchResults};
use copkit_core::store::StoreError;
use copkit_search::{FolderIndex, SCHEMA_VERSION, Searchable, blocking, search_all, unpack};
use tokio::sync::Mutex;

use crate::dynamo::errors::sdk_error;

/// Times a change starts again after another writer changed the object.
const WRITE_ATTEMPTS: u32 = 5;

/// The search port on per-community indexes in S3.
pub struct S3SearchIndex {
    client: Client,
    bucket: String,
    prefix: String,
    scratch: PathBuf,
    refresh_after: Duration,
    copies: Mutex<HashMap<CommunityId, LocalCopy>>,
    folders: AtomicU64,
}

impl std::fmt::Debug for S3SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3SearchIndex")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("scratch", &self.scratch)
            .finish_non_exhaustive()
    }
}

/// The local copy of one community's index.
struct LocalCopy {
    /// The object's ETag when copied (`None`: there was no object).
    etag: Option<String>,
    /// When S3 was last asked.
    checked: Instant,
    /// The index and its folder (`None`: nothing indexed yet).
    searchable: Option<(Arc<Searchable>, PathBuf)>,
}

/// A community's object as read from S3.
struct Object {
    etag: Option<String>,
    bytes: Option<Vec<u8>>,
}

/// What a conditional read found.
enum Fetched {
    Unchanged,
    Changed(Object),
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Internal(format!("search scratch folder: {e}"))
}

fn is_status<E>(error: &SdkError<E, aws_smithy_runtime_api::http::Response>, status: u16) -> bool {
    match error {
        SdkError::ServiceError(service) => service.raw().status().as_u16() == status,
        SdkError::ResponseError(response) => response.raw().status().as_u16() == status,
        _ => false,
    }
}

fn is_missing<E: ProvideErrorMetadata>(
    error: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    is_status(error, 404)
        || error
            .as_service_error()
            .is_some_and(|e| e.code() == Some("NoSuchKey"))
}

impl S3SearchIndex {
    /// Indexes in `bucket` under `prefix` (e.g. `search/`), copied into
    /// `scratch` (made when missing), asking S3 for a community's object at
    /// most once per `refresh_after`.
    pub fn new(
        client: Client,
        bucket: impl Into<String>,
        prefix: impl Into<String>,
        scratch: &Path,
        refresh_after: Duration,
    ) -> Result<S3SearchIndex, StoreError> {
        std::fs::create_dir_all(scratch).map_err(io)?;
        Ok(S3SearchIndex {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
            scratch: scratch.to_owned(),
            refresh_after,
            copies: Mutex::new(HashMap::new()),
            folders: AtomicU64::new(0),
        })
    }

    /// The object key of `community`'s index.
    pub fn key(&self, community: &CommunityId) -> String {
        format!("{}v{SCHEMA_VERSION}/{community}.tar", self.prefix)
    }

    /// A fresh folder in the scratch folder.
    fn folder(&self, community: &CommunityId, purpose: &str) -> PathBuf {
        let n = self.folders.fetch_add(1, Ordering::Relaxed);
        self.scratch
            .join(format!("{community}-{purpose}-{}-{n}", std::process::id()))
    }

    /// The object, unless its ETag is still `known`.
    async fn fetch(
        &self,
        community: &CommunityId,
        known: Option<&str>,
    ) -> Result<Fetched, StoreError> {
        let mut request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(community));
        if let Some(etag) = known {
            request = request.if_none_match(etag);
        }
        match request.send().await {
            Ok(output) => {
                let etag = output.e_tag().map(str::to_owned);
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| StoreError::Internal(format!("reading a search index: {e}")))?
                    .into_bytes()
                    .to_vec();
                Ok(Fetched::Changed(Object {
                    etag,
                    bytes: Some(bytes),
                }))
            }
            Err(e) if is_status(&e, 304) => Ok(Fetched::Unchanged),
            Err(e) if is_missing(&e) => Ok(Fetched::Changed(Object {
                etag: None,
                bytes: None,
            })),
            Err(e) => Err(sdk_error(e)),
        }
    }

    /// Puts `bytes` as `community`'s object if it is still at `etag`
    /// (`None`: still absent). `Ok(None)`: another writer came first.
    async fn put_if(
        &self,
        community: &CommunityId,
        etag: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<Option<String>, StoreError> {
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(community))
            .content_type("application/x-tar")
            .body(ByteStream::from(bytes));
        let request = match etag {
            Some(etag) => request.if_match(etag),
            None => request.if_none_match("*"),
        };
        match request.send().await {
            Ok(output) => Ok(Some(output.e_tag().unwrap_or_default().to_owned())),
            Err(e) if is_status(&e, 412) || is_status(&e, 409) => Ok(None),
            Err(e) => Err(sdk_error(e)),
        }
    }

    /// Downloads, changes with `change`, and puts back conditionally,
    /// starting again when another writer came first.
    /// With `from_scratch`, the change starts from an empty index: only
    /// the object's ETag is read (for the conditional write), not its bytes.
    async fn rewrite(
        &self,
        community: &CommunityId,
        from_scratch: bool,
        change: impl Fn(&mut FolderIndex) -> Result<(), StoreError> + Send + Sync + Clone + 'static,
    ) -> Result<(), StoreError> {
        for _ in 0..WRITE_ATTEMPTS {
            let object = if from_scratch {
                Object {
                    etag: self.etag(community).await?,
                    bytes: None,
                }
            } else {
                let Fetched::Changed(object) = self.fetch(community, None).await? else {
                    return Err(StoreError::Internal(
                        "an unconditional read answered 304".into(),
                    ));
                };
                object
            };
            let folder = self.folder(community, "write");
            let (work, change) = (folder.clone(), change.clone());
            let packed = blocking(move || {
                if let Some(bytes) = &object.bytes {
                    drop(unpack(bytes, &work)?);
                }
                let mut index = FolderIndex::open(&work)?;
                change(&mut index)?;
                index.pack()
            })
            .await;
            let _ = std::fs::remove_dir_all(&folder);
            let packed = packed?;
            if self
                .put_if(community, object.etag.as_deref(), packed)
                .await?
                .is_some()
            {
                // The next search here fetches the new object.
                self.copies.lock().await.remove(community);
                return Ok(());
            }
        }
        Err(StoreError::Unavailable {
            retry_after_secs: 1,
        })
    }

    /// The ETag of `community`'s object (`None`: there is none).
    async fn etag(&self, community: &CommunityId) -> Result<Option<String>, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(self.key(community))
            .send()
            .await
        {
            Ok(output) => Ok(output.e_tag().map(str::to_owned)),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(sdk_error(e)),
        }
    }

    /// The up-to-date copy of `community`'s index (`None`: empty).
    async fn copy(&self, community: &CommunityId) -> Result<Option<Arc<Searchable>>, StoreError> {
        let mut copies = self.copies.lock().await;
        let known = copies.get(community);
        if let Some(copy) = known
            && copy.checked.elapsed() < self.refresh_after
        {
            return Ok(copy.searchable.as_ref().map(|(s, _)| s.clone()));
        }
        let etag = known.and_then(|c| c.etag.clone());
        match self.fetch(community, etag.as_deref()).await? {
            Fetched::Unchanged => {
                let Some(copy) = copies.get_mut(community) else {
                    return Ok(None);
                };
                copy.checked = Instant::now();
                Ok(copy.searchable.as_ref().map(|(s, _)| s.clone()))
            }
            Fetched::Changed(object) => {
                let searchable = match object.bytes {
                    Some(bytes) => {
                        let folder = self.folder(community, "read");
                        let into = folder.clone();
                        let searchable = blocking(move || unpack(&bytes, &into)).await?;
                        Some((Arc::new(searchable), folder))
                    }
                    None => None,
                };
                let found = searchable.as_ref().map(|(s, _)| s.clone());
                // The previous copy's files go with it (open readers keep
                // theirs until done).
                if let Some(old) = copies.remove(community)
                    && let Some((_, folder)) = old.searchable
                {
                    let _ = std::fs::remove_dir_all(folder);
                }
                copies.insert(
                    *community,
                    LocalCopy {
                        etag: object.etag,
                        checked: Instant::now(),
                        searchable,
                    },
                );
                Ok(found)
            }
        }
    }
}

#[async_trait]
impl SearchIndex for S3SearchIndex {
    async fn apply(
        &self,
        community: &CommunityId,
        changes: Vec<IndexChange>,
    ) -> Result<(), StoreError> {
        let community_id = *community;
        self.rewrite(community, false, move |index| {
            index.apply(&community_id, changes.clone())
        })
        .await
    }

    async fn clear(&self, community: &CommunityId) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key(community))
            .send()
            .await
            .map_err(sdk_error)?;
        self.copies.lock().await.remove(community);
        Ok(())
    }

    async fn replace(
        &self,
        community: &CommunityId,
        entries: Vec<SearchEntry>,
    ) -> Result<(), StoreError> {
        let community_id = *community;
        let entries = Arc::new(entries);
        self.rewrite(community, true, move |index| {
            index.replace(&community_id, entries.as_ref().clone())
        })
        .await
    }

    async fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError> {
        let mut parts = Vec::new();
        for scope in &request.scopes {
            if scope.spaces.is_empty() {
                continue;
            }
            if let Some(searchable) = self.copy(&scope.community).await? {
                parts.push(searchable);
            }
        }
        let request = request.clone();
        blocking(move || {
            let parts: Vec<&Searchable> = parts.iter().map(Arc::as_ref).collect();
            search_all(&parts, &request)
        })
        .await
    }
}
