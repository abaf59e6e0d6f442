//! Document bytes: sent and fetched with the requests the API signs
//! (presigned S3 requests in the serverless deployment, the API's own
//! upload and content endpoints otherwise), with progress reported and
//! SHA-256 checked.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream;
use sha2::{Digest, Sha256};
use url::Url;

use crate::client::Client;
use crate::error::{ClientError, ClientResult};
use crate::operations::{CONTENT, RECEIVE_UPLOAD, STORAGE_DOWNLOAD, STORAGE_UPLOAD};
use crate::transport::Call;

/// Told how far a transfer is: bytes done, bytes in all.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Bytes are handed to the connection in pieces this large.
const PIECE: usize = 64 * 1024;

/// The bytes as a request body that reports each piece handed over.
pub(crate) fn body_with_progress(bytes: Bytes, progress: Option<Progress>) -> reqwest::Body {
    let Some(progress) = progress else {
        return reqwest::Body::from(bytes);
    };
    let total = bytes.len() as u64;
    progress(0, total);
    let pieces: Vec<Bytes> = (0..bytes.len())
        .step_by(PIECE)
        .map(|at| bytes.slice(at..(at + PIECE).min(bytes.len())))
        .collect();
    let mut done = 0u64;
    reqwest::Body::wrap_stream(stream::iter(pieces.into_iter().map(move |piece| {
        done += piece.len() as u64;
        progress(done, total);
        Ok::<Bytes, std::io::Error>(piece)
    })))
}

/// Reads an answer's body piece by piece, reporting progress.
pub(crate) async fn read_with_progress(
    mut response: reqwest::Response,
    progress: Option<&Progress>,
) -> Result<Bytes, reqwest::Error> {
    let Some(progress) = progress else {
        return response.bytes().await;
    };
    let total = response.content_length().unwrap_or(0);
    let mut body = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    progress(0, total);
    while let Some(piece) = response.chunk().await? {
        body.extend_from_slice(&piece);
        progress(body.len() as u64, total.max(body.len() as u64));
    }
    Ok(Bytes::from(body))
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Client {
    /// The call for a signed request: on the API's own origin it is the
    /// API operation (token, retries, idempotency as usual); elsewhere
    /// (storage) it is sent as signed, without the token.
    fn signed_call(
        &self,
        method: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
    ) -> ClientResult<Call> {
        let base = &self.inner.base;
        let url = base
            .join(url)
            .map_err(|e| ClientError::protocol(format!("a signed URL: {e}")))?;
        let own = same_origin(&url, base);
        let op = match (method.eq_ignore_ascii_case("PUT"), own) {
            (true, true) => &RECEIVE_UPLOAD,
            (true, false) => &STORAGE_UPLOAD,
            (false, true) => &CONTENT,
            (false, false) => &STORAGE_DOWNLOAD,
        };
        let mut call = Call::to(op, url, own);
        for (name, value) in headers {
            call = call.header(name, value);
        }
        Ok(call)
    }

    /// Fetches what a signed request names.
    pub(crate) async fn fetch_signed(
        &self,
        method: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
    ) -> ClientResult<Bytes> {
        let call = self.signed_call(method, url, headers)?;
        Ok(self.execute(&call).await?.body)
    }

    /// Fetches a signed GET with progress; the answer's headers too.
    pub(crate) async fn download_signed(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        progress: Option<Progress>,
    ) -> ClientResult<(reqwest::header::HeaderMap, Bytes)> {
        let call = self.signed_call("GET", url, headers)?.progress(progress);
        let answer = self.execute(&call).await?;
        Ok((answer.headers, answer.body))
    }

    /// Sends bytes with a signed PUT, reporting progress.
    pub(crate) async fn upload_signed(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        bytes: Bytes,
        progress: Option<Progress>,
    ) -> ClientResult<()> {
        let content_type = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "application/octet-stream".into());
        let call = self
            .signed_call("PUT", url, headers)?
            .bytes(&content_type, bytes)
            .progress(progress);
        self.execute(&call).await.map(|_| ())
    }
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let api = Url::parse("https://api.example/prod/").unwrap();
        assert!(same_origin(
            &Url::parse("https://api.example:443/uploads/x").unwrap(),
            &api
        ));
        assert!(!same_origin(
            &Url::parse("https://bucket.s3.amazonaws.com/x").unwrap(),
            &api
        ));
        assert!(!same_origin(
            &Url::parse("http://api.example/x").unwrap(),
            &api
        ));
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
