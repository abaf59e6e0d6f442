//! The top-level object: the services over one store, and the listeners.

use std::sync::Arc;

use copkit_core::ffi::CopkitError;
use copkit_core::mail::Outbox;
use copkit_core::service::unsubscribe::{MailStream, Unsubscribed};
use copkit_core::service::{DeliveryRun, DigestRun, NotificationRun, ReviewReport};
use copkit_core::{Actor, MemoryStore, UserId};

use crate::clock::{CopkitClock, HostClock};
use crate::listener::{CopkitListener, Forward, Listeners};
use crate::mailer::{CopkitMailer, HostMailer};
use crate::session::Session;
use crate::shared::Shared;

/// copkit for one portal or app: the services over a store, shared by
/// every [`Session`]. Create one per process.
#[derive(uniffi::Object)]
pub struct Copkit {
    shared: Arc<Shared>,
}

/// An index in memory (in-memory and DynamoDB embeddings: it holds what
/// this process writes).
fn memory_index() -> Result<Arc<dyn copkit_core::search::SearchIndex>, CopkitError> {
    let index = copkit_search::TantivyIndex::in_memory()
        .map_err(|e| CopkitError::from(copkit_core::Error::from(e)))?;
    Ok(Arc::new(index))
}

/// Services over the SQLite database at `path`, with the search index in
/// the folder `<path>.search` (rebuilt from the database when missing or
/// from another version). Only one process at a time can hold that index:
/// in the others, searching answers an internal error until the
/// index is fed through the store (see the README).
async fn open_sqlite(
    path: &str,
    finish: impl FnOnce(copkit_core::CopkitBuilder) -> copkit_core::CopkitBuilder,
) -> Result<Arc<Copkit>, CopkitError> {
    let (builder, store) = sqlite_builder(path).await?;
    let opened = copkit_search::TantivyIndex::open(std::path::Path::new(&format!("{path}.search")));
    let (builder, rebuild) = match opened {
        Ok((index, opened)) => (
            builder
                .search(Arc::new(index))
                .text_extractor(Arc::new(copkit_search::FileText)),
            opened == copkit_search::Opened::NeedsRebuild,
        ),
        Err(_) => (builder, false),
    };
    let core = finish(builder).build()?;
    if rebuild {
        let communities = store
            .community_ids()
            .await
            .map_err(|e| CopkitError::from(copkit_core::Error::from(e)))?;
        core.reindex(&communities).await?;
    }
    Ok(Copkit::over(core))
}

/// The services' builder over the SQLite database at `path` (its shared
/// cursor key included) and the blob folder beside it, and the store.
async fn sqlite_builder(
    path: &str,
) -> Result<(copkit_core::CopkitBuilder, copkit_sqlite::SqliteStore), CopkitError> {
    let invalid = |reason: String| CopkitError::Invalid {
        field: "path".into(),
        reason,
    };
    let db = copkit_sqlite::Database::open(path).map_err(|e| invalid(e.to_string()))?;
    let key = db
        .cursor_key()
        .await
        .map_err(|e| CopkitError::from(copkit_core::Error::from(e)))?;
    let blobs = copkit_sqlite::FileBlobStore::new(format!("{path}.blobs"));
    let store = copkit_sqlite::SqliteStore::new(db);
    let builder = copkit_core::Copkit::builder(Arc::new(store.clone()))
        .blobs(Arc::new(blobs))
        .config(copkit_core::Config::with_cursor_key(key));
    Ok((builder, store))
}

impl Copkit {
    fn over(core: copkit_core::Copkit) -> Arc<Self> {
        let listeners = Arc::new(Listeners::default());
        core.subscribe(Arc::new(Forward(listeners.clone())));
        Arc::new(Copkit {
            shared: Arc::new(Shared::new(core, listeners)),
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Copkit {
    /// copkit on an in-memory store (documents in memory too): for tests,
    /// demos and apps that sync elsewhere. Everything is lost on exit.
    #[uniffi::constructor]
    pub fn new() -> Result<Arc<Self>, CopkitError> {
        let core = copkit_core::Copkit::builder(Arc::new(MemoryStore::new()))
            .search(memory_index()?)
            .text_extractor(Arc::new(copkit_search::FileText))
            .build()?;
        Ok(Copkit::over(core))
    }

    /// copkit on an in-memory store whose time comes from the host's
    /// `clock` instead of the system clock: tests and simulations that must
    /// not depend on when they run.
    #[uniffi::constructor]
    pub fn with_clock(clock: Arc<dyn CopkitClock>) -> Result<Arc<Self>, CopkitError> {
        let core = copkit_core::Copkit::builder(Arc::new(MemoryStore::new()))
            .clock(Arc::new(HostClock(clock)))
            .search(memory_index()?)
            .text_extractor(Arc::new(copkit_search::FileText))
            .build()?;
        Ok(Copkit::over(core))
    }

    /// copkit on the SQLite database at `path`, created when missing and
    /// migrated when older, with document bytes in the folder
    /// `<path>.blobs` beside it: what a portal embeds. Everything survives
    /// a restart, and several processes (a web server's workers) may open
    /// the same file. A file that is not a copkit database, or one written
    /// by a newer copkit, is refused untouched (`Invalid` on `path`).
    #[uniffi::constructor]
    pub async fn open(path: String) -> Result<Arc<Self>, CopkitError> {
        open_sqlite(&path, |builder| builder).await
    }

    /// [`open`](Self::open), with time from the host's `clock`.
    #[uniffi::constructor]
    pub async fn open_with_clock(
        path: String,
        clock: Arc<dyn CopkitClock>,
    ) -> Result<Arc<Self>, CopkitError> {
        open_sqlite(&path, |builder| builder.clock(Arc::new(HostClock(clock)))).await
    }

    /// A session for one signed-in person: `user` is their identity
    /// provider's subject id; name and verified email are optional (the
    /// email matches email invitations).
    pub fn session(
        &self,
        user: UserId,
        display_name: Option<String>,
        email: Option<String>,
    ) -> Arc<Session> {
        let mut actor = Actor::new(user);
        actor.display_name = display_name;
        actor.email = email;
        Arc::new(Session::new(self.shared.clone(), actor))
    }

    /// Recomputes the participation levels that time has lowered (at most
    /// 100 per call; call again while `reviewed` is 100). Run it on a
    /// schedule, e.g. hourly from a background job.
    pub async fn review_participation(&self) -> Result<ReviewReport, CopkitError> {
        Ok(self.shared.core.review_participation().await?)
    }

    /// Produces the digests due now (at most `max`) into the stored outbox,
    /// where each member lists theirs (`Session.list_outbox`). Run it on a
    /// schedule, e.g. hourly; call again while `more_due`.
    pub async fn send_due_digests(&self, max: u32) -> Result<DigestRun, CopkitError> {
        let core = &self.shared.core;
        let outbox = Outbox::new(core.store().clone());
        Ok(core.send_due_digests(&outbox, max).await?)
    }

    /// Turns recorded activity into notifications (at most `max`
    /// activities): each person it concerns, who may see it now and did
    /// not switch its topic off, gets one in their inbox, and mail in the
    /// outbox when they chose email. Run it often (every few seconds to a
    /// minute) from a background job, before `deliver_mail`; call again
    /// while `more_due`.
    pub async fn notify_due(&self, max: u32) -> Result<NotificationRun, CopkitError> {
        Ok(self.shared.core.notify_due(max).await?)
    }

    /// The iCalendar feed a personal calendar-feed token opens (what a
    /// portal serving feed URLs answers a calendar app with): the events
    /// the token's owner may see now. An unknown or revoked token is
    /// NotFound.
    pub async fn calendar_feed_by_token(&self, token: String) -> Result<String, CopkitError> {
        Ok(self.shared.core.calendar_feed_by_token(&token).await?)
    }

    /// One-click unsubscribe by a mail's token (what a portal serving the
    /// links answers a mail client's `POST` with): stops that kind of mail.
    /// An unknown or altered token is NotFound.
    pub async fn unsubscribe(&self, token: String) -> Result<Unsubscribed, CopkitError> {
        Ok(self.shared.core.unsubscribe(&token).await?)
    }

    /// The token that stops `user`'s mail of `stream`, for the
    /// unsubscribe link of mail the portal composes itself (mail from the
    /// outbox carries its link in `unsubscribe_url` when the configuration
    /// names a public URL).
    pub fn unsubscribe_token(
        &self,
        user: UserId,
        stream: MailStream,
    ) -> Result<String, CopkitError> {
        Ok(self.shared.core.unsubscribe_token(&user, stream)?)
    }

    /// Hands at most `max` pending mail of the outbox (digests) to the
    /// host's `mailer`, oldest due first, and records on each mail how it
    /// went: sent, or due again after a growing delay (given up after 6
    /// attempts); mail without an address is not sent. When the mailer
    /// says it is unavailable the run stops and the rest waits. Run it on
    /// a schedule after `send_due_digests`; call again while `more_due`.
    pub async fn deliver_mail(
        &self,
        mailer: Arc<dyn CopkitMailer>,
        max: u32,
    ) -> Result<DeliveryRun, CopkitError> {
        let mailer = HostMailer(mailer);
        Ok(self.shared.core.deliver_mail(&mailer, max).await?)
    }

    /// Registers a listener for domain events (new posts, approved
    /// requests, upcoming events, ...). Listeners live as long as this
    /// object.
    pub fn add_listener(&self, listener: Arc<dyn CopkitListener>) {
        self.shared.listeners.add(listener);
    }
}

#[cfg(feature = "dynamodb")]
#[uniffi::export(async_runtime = "tokio")]
impl Copkit {
    /// copkit on DynamoDB (`table`) with documents in S3 (`bucket`), using
    /// the AWS SDK's usual configuration (region, credentials,
    /// `AWS_ENDPOINT_URL`) and `COPKIT_CURSOR_KEY`. With `create`, makes
    /// the table and bucket when missing (emulators and local runs).
    #[uniffi::constructor]
    pub async fn dynamodb(
        table: String,
        bucket: Option<String>,
        create: bool,
    ) -> Result<Arc<Self>, CopkitError> {
        use copkit_aws as aws;
        let key = aws::cursor_key_from_env().map_err(|reason| CopkitError::Invalid {
            field: "COPKIT_CURSOR_KEY".into(),
            reason,
        })?;
        let config = aws::sdk_config().await;
        let stores = aws::connect(&config, &aws::AwsSettings { table, bucket }, create)
            .await
            .map_err(|e| CopkitError::from(copkit_core::Error::from(e)))?;
        let mut builder = copkit_core::Copkit::builder(stores.store)
            .config(copkit_core::Config::with_cursor_key(key))
            .search(memory_index()?)
            .text_extractor(Arc::new(copkit_search::FileText));
        if let Some(blobs) = stores.blobs {
            builder = builder.blobs(blobs);
        }
        Ok(Copkit::over(builder.build()?))
    }
}
