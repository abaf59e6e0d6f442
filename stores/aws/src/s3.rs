//! Document bytes in S3.
//!
//! Every object is written with its SHA-256 (`x-amz-checksum-sha256`), so
//! S3 refuses bytes that do not match, and `head` reads the checksum back
//! instead of the bytes. Clients move bytes directly with presigned
//! requests: a `PUT` that only accepts the declared size, type and
//! checksum, and a `GET` that downloads as an attachment.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, MetadataDirective};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use copkit_core::blob::{BlobInfo, BlobStore, SignedRequest, is_valid_key, sha256_hex};
use copkit_core::store::StoreError;

use crate::dynamo::errors::sdk_error;

/// Blobs as objects in one bucket.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
}

fn checked(key: &str) -> Result<&str, StoreError> {
    if is_valid_key(key) {
        Ok(key)
    } else {
        Err(StoreError::Internal(format!("invalid blob key {key:?}")))
    }
}

/// Hex SHA-256 → the base64 form S3 uses.
fn sha256_base64(hex_digest: &str) -> Result<String, StoreError> {
    hex::decode(hex_digest)
        .map(|raw| STANDARD.encode(raw))
        .map_err(|_| StoreError::Internal("a SHA-256 that is not hex".into()))
}

fn signed(request: &PresignedRequest) -> SignedRequest {
    SignedRequest {
        method: request.method().to_owned(),
        url: request.uri().to_owned(),
        headers: request
            .headers()
            .map(|(k, v)| (k.to_lowercase(), v.to_owned()))
            .collect(),
    }
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, StoreError> {
    PresigningConfig::expires_in(expires_in)
        .map_err(|e| StoreError::Internal(format!("presigning: {e}")))
}

impl S3BlobStore {
    /// Blobs in `bucket` through `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3BlobStore {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The S3 client it uses (cheap to clone: other S3 users in the same
    /// process share it rather than building their own).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl S3BlobStore {
    /// The object under `key`, whole or the byte `range` of it.
    async fn read(&self, key: &str, range: Option<String>) -> Result<Option<Vec<u8>>, StoreError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .set_range(range)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Ok(None);
            }
            // The range of an empty object is unsatisfiable: it has no bytes.
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 416) => {
                return Ok(Some(Vec::new()));
            }
            Err(e) => return Err(sdk_error(e)),
        };
        let bytes = output
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Internal(format!("reading an object: {e}")))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        let checksum = sha256_base64(&sha256_hex(&bytes))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .content_type(content_type)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_sha256(checksum)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(key, None).await
    }

    async fn get_prefix(&self, key: &str, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        if len == 0 {
            return Ok(self.head(key).await?.map(|_| Vec::new()));
        }
        let mut bytes = self.read(key, Some(format!("bytes=0-{}", len - 1))).await?;
        // A store ignoring the range still returns no more than asked.
        if let Some(bytes) = &mut bytes {
            bytes.truncate(len);
        }
        Ok(bytes)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn purge(&self, key: &str) -> Result<(), StoreError> {
        let key = checked(key)?;
        // Every version and delete marker of exactly this key (the bucket
        // keeps versions; a plain delete would only hide the bytes).
        let mut key_marker = None;
        let mut version_marker = None;
        let mut found = false;
        loop {
            let page = self
                .client
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(sdk_error)?;
            let versions = page
                .versions()
                .iter()
                .filter(|v| v.key() == Some(key))
                .filter_map(|v| v.version_id());
            let markers = page
                .delete_markers()
                .iter()
                .filter(|m| m.key() == Some(key))
                .filter_map(|m| m.version_id());
            for version in versions.chain(markers) {
                found = true;
                self.client
                    .delete_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .version_id(version)
                    .send()
                    .await
                    .map_err(sdk_error)?;
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            key_marker = page.next_key_marker().map(str::to_owned);
            version_marker = page.next_version_id_marker().map(str::to_owned);
        }
        if found {
            Ok(())
        } else {
            // A store that lists no versions: delete the object itself.
            self.delete(key).await
        }
    }

    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, StoreError> {
        let result = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => return Ok(None),
            Err(e) => return Err(sdk_error(e)),
        };
        let size = output
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| StoreError::Internal("an object without a length".into()))?;
        // A whole-object checksum is 32 bytes; a multipart one ("…-3") is not
        // a digest of the bytes and is left out.
        let sha256 = output
            .checksum_sha256()
            .and_then(|b64| STANDARD.decode(b64).ok())
            .filter(|raw| raw.len() == 32)
            .map(hex::encode);
        Ok(Some(BlobInfo { size, sha256 }))
    }

    async fn copy(&self, from: &str, to: &str, content_type: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{}", self.bucket, checked(from)?))
            .key(checked(to)?)
            .content_type(content_type)
            .metadata_directive(MetadataDirective::Replace)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| matches!(s.code(), Some("NoSuchKey" | "NotFound"))) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        sha256: &str,
        expires_in: Duration,
    ) -> Result<Option<SignedRequest>, StoreError> {
        let length = i64::try_from(size)
            .map_err(|_| StoreError::Internal("an upload too large to sign".into()))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .content_type(content_type)
            .content_length(length)
            .checksum_sha256(sha256_base64(sha256)?)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(sdk_error)?;
        Ok(Some(signed(&request)))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        expires_in: Duration,
    ) -> Result<Option<SignedRequest>, StoreError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(checked(key)?)
            .response_content_disposition(format!("attachment; filename=\"{filename}\""))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(sdk_error)?;
        Ok(Some(signed(&request)))
    }
}
