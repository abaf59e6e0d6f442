//! The client and how it is set up.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::Stream;
use url::Url;

use copkit_core::model::{Page, PageRequest};

use crate::cache::ResponseCache;
use crate::error::{ClientError, ClientResult};
use crate::operations::Operation;
use crate::retry::RetryPolicy;
use crate::tokens::TokenProvider;

/// One attempt at an operation, as the observer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// The operation.
    pub operation: &'static Operation,
    /// 1 for the first try, 2 for the first retry, ...
    pub attempt: u32,
    /// The HTTP status, or `None` when no answer came (a broken connection).
    pub status: Option<u16>,
}

/// Called after every attempt (metrics, logs, tests).
pub type Observer = Arc<dyn Fn(&Attempt) + Send + Sync>;

/// How to build a [`Client`].
#[derive(Clone)]
pub struct ClientConfig {
    base_url: String,
    tokens: Arc<dyn TokenProvider>,
    connect_timeout: Duration,
    request_timeout: Duration,
    transfer_timeout: Duration,
    retry: RetryPolicy,
    cache_path: Option<PathBuf>,
    observer: Option<Observer>,
    user_agent: String,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("cache_path", &self.cache_path)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// The API at `base_url` (`https://api.example/prod`), with tokens
    /// from `tokens`. Defaults: 10 s to connect, 30 s per request, 10 min
    /// per document transfer, 4 attempts, answers cached in memory.
    pub fn new(base_url: impl Into<String>, tokens: Arc<dyn TokenProvider>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            tokens,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(600),
            retry: RetryPolicy::default(),
            cache_path: None,
            observer: None,
            user_agent: concat!("copkit-client/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// The longest wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest wait for a whole request and its answer.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The longest wait for one document upload or download.
    pub fn transfer_timeout(mut self, timeout: Duration) -> Self {
        self.transfer_timeout = timeout;
        self
    }

    /// How retries behave.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Keep the last answer of each GET in this SQLite file, so it can be
    /// shown (stale) while offline and survives restarts.
    pub fn cache_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cache_path = Some(path.into());
        self
    }

    /// Called after every attempt.
    pub fn observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The `User-Agent` sent (an app names itself and its version).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The client.
    pub fn build(self) -> ClientResult<Client> {
        let mut base = Url::parse(&self.base_url).map_err(|e| ClientError::Invalid {
            code: "invalid_base_url".into(),
            detail: format!("{}: {e}", self.base_url),
            fields: Vec::new(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ClientError::Invalid {
                code: "invalid_base_url".into(),
                detail: format!("{}: not an http(s) URL", self.base_url),
                fields: Vec::new(),
            });
        }
        base.set_query(None);
        base.set_fragment(None);
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(self.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ClientError::protocol)?;
        let cache = match &self.cache_path {
            Some(path) => ResponseCache::open(path)?,
            None => ResponseCache::memory(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                tokens: self.tokens,
                retry: self.retry,
                transfer_timeout: self.transfer_timeout,
                cache,
                observer: self.observer,
                stale_since: Mutex::new(None),
            }),
        })
    }
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub base: Url,
    pub tokens: Arc<dyn TokenProvider>,
    pub retry: RetryPolicy,
    pub transfer_timeout: Duration,
    pub cache: ResponseCache,
    pub observer: Option<Observer>,
    pub stale_since: Mutex<Option<i64>>,
}

/// A client of copkit's HTTP API, signed in as whoever the token provider's
/// tokens name. Cheap to clone; share one per signed-in person.
///
/// Its methods have the names and take the types of `copkit_core::Copkit`'s
/// use cases, without the actor (the token says who acts).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the default settings.
    pub fn new(base_url: &str, tokens: Arc<dyn TokenProvider>) -> ClientResult<Client> {
        ClientConfig::new(base_url, tokens).build()
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// `None` while the server answers. Once a GET had to be answered from
    /// the cache because the server could not be reached, the time the
    /// oldest answer so shown was last confirmed; back to `None` at the
    /// next answer from the server.
    pub fn stale_since(&self) -> Option<jiff::Timestamp> {
        let since = *self
            .inner
            .stale_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        since.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
    }

    /// Forgets every kept answer (call it at sign-out).
    pub fn clear_cache(&self) -> ClientResult<()> {
        self.inner.cache.clear()
    }

    /// Every item of a list, page after page, as a stream: `fetch` gets each
    /// page request (the previous page's cursor) and returns the page.
    ///
    /// ```no_run
    /// # async fn f(client: copkit_client::Client, space: copkit_core::SpaceId) {
    /// use futures::TryStreamExt;
    /// let threads: Vec<_> = client
    ///     .all(|page| { let c = client.clone(); let s = space.clone();
    ///                   async move { c.list_threads(&s, &page).await } })
    ///     .try_collect().await.unwrap();
    /// # }
    /// ```
    pub fn all<T, F, Fut>(&self, fetch: F) -> impl Stream<Item = ClientResult<T>> + use<T, F, Fut>
    where
        F: FnMut(PageRequest) -> Fut,
        Fut: Future<Output = ClientResult<Page<T>>>,
    {
        crate::paging::all(fetch)
    }
}
