//! Use cases. Each one validates its input, asks [`crate::policy`], makes at
//! most one atomic store write (which records the activity), then tells the
//! registered [`ActivityListener`]s.
//!
//! [`Copkit`] is the façade: one value that owns the store, the clock, the id
//! source and the configuration, with the use cases as async methods grouped
//! by topic in this module's files.

use std::sync::{Arc, RwLock};

use jiff::{SignedDuration, Timestamp};

use crate::blob::{BlobStore, MemoryBlobStore};
use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use crate::cursor::CursorCodec;
use crate::error::{Conflict, Error, Result};
use crate::ids::{ActivityId, CommunityId, SpaceId, UserId};
use crate::model::{Activity, ActivityKind, Page, PageRequest};
use crate::search::{SearchIndex, TextExtractor};
use crate::store::{
    ActivityOp, Chunk, CommunityOp, ConditionFailure, InvitationOp, Op, ProfileOp, Range, Store,
    StoreError, Transaction,
};
use crate::validate::limits;

mod access;
mod activity;
pub mod calendar_feed;
mod communities;
pub mod content;
pub mod cpd;
pub mod digest;
mod documents;
mod events;
pub mod health;
mod invitations;
pub mod mail;
mod members;
pub mod moderation;
pub mod notifications;
mod participation;
mod polls;
mod profiles;
pub mod rate_limits;
mod render;
mod requests;
pub mod rights;
pub mod search;
mod spaces;
mod threads;
pub mod unsubscribe;
mod upcoming;
pub mod uploads;
mod value;

pub use calendar_feed::NewCalendarFeed;
pub use communities::{CommunityCard, CommunityChanges, CommunityView, MyCommunity, NewCommunity};
pub use cpd::{
    CPD_CSV_COLUMNS, CPD_MAX_DAYS, CpdEntry, CpdEvidence, CpdKind, PERIOD_EARLIEST, PERIOD_LATEST,
    check_period,
};
pub use digest::{DigestRun, next_digest_at};
pub use documents::{DocumentChanges, Download, NewDocument, NewVersion, PurgeRun};
pub use events::{AgendaItem, EventInput};
pub use health::{HealthReport, LevelCounts, ValueCount};
pub use invitations::{
    CreatedInvitation, InvitationPreview, InvitationState, InvitationView, InviteAccess,
    InviteTarget, NewInvitation,
};
pub use mail::{DeliveryRun, MAX_DELIVERY_ATTEMPTS};
pub use members::MemberView;
pub use moderation::{ContentDecision, Moderation, NewReport, REPORT_NOTE_MAX};
pub use notifications::{MAX_FANOUT_ATTEMPTS, NotificationRun};
pub use participation::{REVIEW_BATCH, ReviewReport};
pub use polls::{NewPoll, PollView};
pub use profiles::ProfileChanges;
pub use rate_limits::{RateLimit, RateLimits};
pub use requests::JoinRequestView;
pub use rights::{
    DataExport, EXPORT_INLINE_MAX, EXPORT_LINK_TTL, EXPORT_MAX_ITEMS, ErasureReport, ExportDelivery,
};
pub use search::{ReindexReport, SEARCH_COMMUNITIES_MAX, SearchQuery};
pub use spaces::{NewSpace, SpaceChanges};
pub use threads::{NewPost, NewThread, ThreadChanges};
pub use upcoming::{Reminders, UPCOMING_MAX_HOURS, Upcoming};
pub use uploads::{DownloadLink, NewUploadedDocument, UploadIntent, UploadTicket, UploadedVersion};
pub use value::NewValueStory;

/// Who is calling: the platform identity of a signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their subject id.
    pub user: UserId,
    /// Their name, from the identity provider (used for a first profile).
    pub display_name: Option<String>,
    /// Their verified email, from the identity provider (used to match
    /// email invitations).
    pub email: Option<String>,
}

impl Actor {
    /// An actor known only by subject id.
    pub fn new(user: UserId) -> Self {
        Actor {
            user,
            display_name: None,
            email: None,
        }
    }

    /// Adds a display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Adds a verified email address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// Tunable behaviour.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a denied person waits before asking again (default 14 days).
    pub request_cooldown: SignedDuration,
    /// Secret key that signs pagination cursors. Keep it stable across
    /// instances of one deployment so cursors survive load balancing.
    pub cursor_key: [u8; 32],
    /// Largest document version in bytes (default 50 MB).
    pub max_document_bytes: u64,
    /// Content types the library accepts (lower-case, without parameters).
    pub allowed_content_types: Vec<String>,
    /// How long a deleted or removed document's bytes are kept before
    /// they are purged (default 30 days).
    pub purge_grace: SignedDuration,
    /// Per-person limits on the writes that can flood others.
    pub rate_limits: RateLimits,
    /// The API's public base URL (`https://api.example.org`), for the
    /// one-click unsubscribe link of every mail (RFC 8058). `None`: mail
    /// carries no such link.
    pub public_url: Option<String>,
    /// Where an invitation is accepted, with `{token}` where its token goes
    /// (`https://app.example.org/join?token={token}`), for the link in
    /// invitation mail. `None`: the mail gives the invitation code.
    pub invitation_link: Option<String>,
}

/// The content types a document library accepts by default: office
/// documents, PDF, plain text, CSV, Markdown and common images.
pub const DEFAULT_CONTENT_TYPES: [&str; 14] = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
    "text/csv",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "image/gif",
];

impl Config {
    /// Defaults with the given cursor key.
    pub fn with_cursor_key(cursor_key: [u8; 32]) -> Self {
        Config {
            request_cooldown: SignedDuration::from_hours(14 * 24),
            cursor_key,
            max_document_bytes: 50 * 1024 * 1024,
            allowed_content_types: DEFAULT_CONTENT_TYPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            purge_grace: SignedDuration::from_hours(30 * 24),
            rate_limits: RateLimits::default(),
            public_url: None,
            invitation_link: None,
        }
    }
}

/// Receives every recorded activity after its write succeeded (for
/// notifications in an embedding portal or app).
pub trait ActivityListener: Send + Sync {
    /// Called once per activity. A panic here is caught and ignored.
    fn on_activity(&self, activity: &Activity);
}

/// The copkit services over one store.
#[derive(Clone)]
pub struct Copkit {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    cursors: CursorCodec,
    config: Config,
    listeners: Arc<RwLock<Vec<Arc<dyn ActivityListener>>>>,
    space_parents: Arc<access::SpaceParents>,
    search: Option<Arc<dyn SearchIndex>>,
    text: Arc<dyn TextExtractor>,
}

impl std::fmt::Debug for Copkit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copkit")
            .field("config.request_cooldown", &self.config.request_cooldown)
            .finish_non_exhaustive()
    }
}

/// Assembles a [`Copkit`]; every part but the store has a default.
pub struct CopkitBuilder {
    store: Arc<dyn Store>,
    blobs: Option<Arc<dyn BlobStore>>,
    clock: Option<Arc<dyn Clock>>,
    ids: Option<Arc<dyn IdSource>>,
    config: Option<Config>,
    search: Option<Arc<dyn SearchIndex>>,
    text: Option<Arc<dyn TextExtractor>>,
}

impl CopkitBuilder {
    /// What reads the text of uploaded files for the search index
    /// (default: [`PlainText`](crate::search::PlainText), text files only).
    pub fn text_extractor(mut self, text: Arc<dyn TextExtractor>) -> Self {
        self.text = Some(text);
        self
    }

    /// The full-text index searches use and committed writes update
    /// (default: none, and searching is an internal error).
    pub fn search(mut self, index: Arc<dyn SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    /// Where document bytes go (default: in memory).
    pub fn blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The id and token source (default: OS randomness).
    pub fn ids(mut self, ids: Arc<dyn IdSource>) -> Self {
        self.ids = Some(ids);
        self
    }

    /// The configuration (default: defaults with a random cursor key, so
    /// cursors last as long as this value).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// The services.
    pub fn build(self) -> Result<Copkit> {
        let config = match self.config {
            Some(c) => c,
            None => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|e| Error::Internal(format!("no secure random source: {e}")))?;
                Config::with_cursor_key(key)
            }
        };
        Ok(Copkit {
            store: self.store,
            blobs: self
                .blobs
                .unwrap_or_else(|| Arc::new(MemoryBlobStore::new())),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            ids: self.ids.unwrap_or_else(|| Arc::new(RandomIds)),
            cursors: CursorCodec::new(config.cursor_key),
            config,
            listeners: Arc::new(RwLock::new(Vec::new())),
            space_parents: Arc::new(access::SpaceParents::default()),
            search: self.search,
            text: self
                .text
                .unwrap_or_else(|| Arc::new(crate::search::PlainText)),
        })
    }
}

impl Copkit {
    /// Services over `store` with every other part at its default.
    pub fn new(store: Arc<dyn Store>) -> Result<Self> {
        Copkit::builder(store).build()
    }

    /// Starts assembling services over `store`.
    pub fn builder(store: Arc<dyn Store>) -> CopkitBuilder {
        CopkitBuilder {
            store,
            blobs: None,
            clock: None,
            ids: None,
            config: None,
            search: None,
            text: None,
        }
    }

    /// The store underneath (for tools and tests; use cases go through `Copkit`).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The blob store underneath.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The current time according to the injected clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Registers a listener for recorded activities.
    pub fn subscribe(&self, listener: Arc<dyn ActivityListener>) {
        self.listeners
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(listener);
    }

    pub(crate) fn new_ulid(&self, now: Timestamp) -> ulid::Ulid {
        self.ids.ulid(now)
    }

    pub(crate) fn secret_token(&self) -> Result<String> {
        self.ids.secret_token()
    }

    /// Builds the activity record for a change.
    pub(crate) fn activity(
        &self,
        actor: &Actor,
        community: CommunityId,
        space: Option<SpaceId>,
        now: Timestamp,
        kind: ActivityKind,
    ) -> Op {
        ActivityOp::RecordActivity {
            activity: Activity {
                id: ActivityId(self.new_ulid(now)),
                community,
                space,
                actor: actor.user.clone(),
                at: now,
                kind,
            },
        }
        .into()
    }

    /// Applies `tx` atomically, maps store failures to domain errors, and
    /// tells listeners about the activities it recorded.
    pub(crate) async fn commit(&self, mut tx: Transaction) -> Result<()> {
        notifications::queue_fanouts(&mut tx);
        self.commit_unqueued(tx).await
    }

    /// [`Copkit::commit`] without queueing its activity for notifying (the
    /// producer's own writes).
    pub(crate) async fn commit_unqueued(&self, tx: Transaction) -> Result<()> {
        let outcome = CommitMeaning::of(&tx);
        let touched = self.touched_for_search(&tx);
        let result = self.store.commit(tx).await;
        self.settle(result, outcome)?;
        self.index_touched(touched).await;
        Ok(())
    }

    /// What `tx` changes that the search index holds (nothing without one).
    pub(crate) fn touched_for_search(&self, tx: &Transaction) -> search::Touched {
        if self.search.is_some() {
            search::touched(tx)
        } else {
            search::Touched::default()
        }
    }

    /// Turns a store commit's result into the use case's: conflicts named,
    /// listeners told after success.
    pub(crate) fn settle(
        &self,
        result: std::result::Result<(), StoreError>,
        outcome: CommitMeaning,
    ) -> Result<()> {
        let CommitMeaning {
            activities,
            already_exists,
        } = outcome;
        match result {
            Ok(()) => {}
            Err(StoreError::Condition { op, failure }) => {
                return Err(Error::Conflict(match failure {
                    ConditionFailure::AlreadyExists => already_exists
                        .get(op)
                        .copied()
                        .unwrap_or(Conflict::VersionMismatch),
                    ConditionFailure::VersionMismatch => Conflict::VersionMismatch,
                    ConditionFailure::LastOwner => Conflict::LastOwner,
                    ConditionFailure::LimitReached => Conflict::LimitReached,
                    ConditionFailure::InvitationUnusable => Conflict::InvitationUnavailable,
                    ConditionFailure::Closed => Conflict::Closed,
                }));
            }
            Err(other) => return Err(other.into()),
        }
        self.notify(&activities);
        Ok(())
    }

    fn notify(&self, activities: &[Activity]) {
        let listeners = self
            .listeners
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for listener in &listeners {
            for activity in activities {
                let call = std::panic::AssertUnwindSafe(|| listener.on_activity(activity));
                // A listener's bug must not undo or fail a committed change.
                let _ = std::panic::catch_unwind(call);
            }
        }
    }

    /// Turns a caller's page request into a store range, verifying the cursor
    /// belongs to `scope`.
    pub(crate) fn range(&self, scope: &str, page: &PageRequest) -> Result<Range> {
        let after = page
            .cursor
            .as_ref()
            .map(|c| self.cursors.decode(scope, c))
            .transpose()?;
        Ok(Range {
            limit: page.effective_limit(),
            after,
        })
    }

    /// Turns a store chunk into a caller's page with a cursor bound to `scope`.
    pub(crate) fn page<T>(&self, scope: &str, chunk: Chunk<T>) -> Result<Page<T>> {
        self.page_after(scope, chunk.items, chunk.next)
    }

    /// A caller's page of `items`, continuing after the store position
    /// `next` (the cursor is bound to `scope`).
    pub(crate) fn page_after<T>(
        &self,
        scope: &str,
        items: Vec<T>,
        next: Option<String>,
    ) -> Result<Page<T>> {
        let next = next.map(|p| self.cursors.encode(scope, &p)).transpose()?;
        Ok(Page { items, next })
    }

    /// A page of the items `visible` admits, chosen before the limit
    /// applies: store chunks are read until the page is full or the list
    /// ends, and the cursor continues right after the last item shown
    /// (present only when another visible item follows). Neither the
    /// page's length nor its cursor tells anything about what was left out.
    /// At most [`VISIBLE_PAGE_READS`] chunks are read for one page; past
    /// that the page ends early with a cursor after what was read.
    pub(crate) async fn visible_page<T, F, Fut>(
        &self,
        scope: &str,
        request: &PageRequest,
        mut fetch: F,
        visible: impl Fn(&T) -> bool,
    ) -> Result<Page<T>>
    where
        F: FnMut(Range) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<Chunk<T>, StoreError>>,
    {
        let range = self.range(scope, request)?;
        let limit = range.limit as usize;
        let mut after = range.after;
        let mut shown: Vec<T> = Vec::with_capacity(limit);
        let mut last_shown: Option<String> = None;
        for read in 0..VISIBLE_PAGE_READS {
            // The first read asks for one more than the page, to know
            // whether a next page exists; later ones read in bulk.
            let size = if read == 0 {
                (range.limit + 1).min(limits::PAGE_MAX)
            } else {
                limits::PAGE_MAX
            };
            let chunk = fetch(Range {
                limit: size,
                after: after.clone(),
            })
            .await?;
            for (item, position) in chunk.items.into_iter().zip(chunk.positions) {
                if !visible(&item) {
                    continue;
                }
                if shown.len() == limit {
                    return self.page_after(scope, shown, last_shown);
                }
                shown.push(item);
                last_shown = Some(position);
            }
            match chunk.next {
                Some(next) => after = Some(next),
                None => return self.page_after(scope, shown, None),
            }
        }
        self.page_after(scope, shown, after)
    }
}

/// The most store reads one visible page may take (a caller who may see
/// almost nothing of a very long list gets a short page with a cursor).
pub const VISIBLE_PAGE_READS: usize = 20;

/// What a transaction's result means to its use case: the activities to
/// announce after success, and the conflict each operation's
/// `AlreadyExists` stands for.
pub(crate) struct CommitMeaning {
    activities: Vec<Activity>,
    already_exists: Vec<Conflict>,
}

impl CommitMeaning {
    pub(crate) fn of(tx: &Transaction) -> Self {
        CommitMeaning {
            activities: tx
                .ops()
                .iter()
                .filter_map(|op| match op {
                    Op::Activity(ActivityOp::RecordActivity { activity }) => Some(activity.clone()),
                    _ => None,
                })
                .collect(),
            already_exists: tx.ops().iter().map(conflict_if_exists).collect(),
        }
    }
}

/// What an `AlreadyExists` failure of `op` means to a caller.
fn conflict_if_exists(op: &Op) -> Conflict {
    match op {
        Op::Community(CommunityOp::CreateCommunity { .. })
        | Op::Community(CommunityOp::UpdateCommunity { .. }) => Conflict::SlugTaken,
        Op::Community(CommunityOp::PutMembership { .. }) => Conflict::AlreadyMember,
        Op::Invitation(InvitationOp::PutJoinRequest { .. }) => Conflict::AlreadyRequested,
        Op::Profile(ProfileOp::PutProfile {
            profile,
            previous_handle,
            ..
        }) if profile.handle != *previous_handle => Conflict::HandleTaken,
        _ => Conflict::VersionMismatch,
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::Condition { .. } => Error::Conflict(Conflict::VersionMismatch),
            StoreError::InvalidPosition => Error::InvalidCursor,
            StoreError::Unavailable { retry_after_secs } => Error::Unavailable { retry_after_secs },
            StoreError::InvalidTransaction(m) => {
                Error::Internal(format!("invalid transaction: {m}"))
            }
            StoreError::Internal(m) => Error::Internal(m),
        }
    }
}

/// Checks an `If-Match` style expected version against the current one.
pub(crate) fn check_version(current: u64, expected: u64) -> Result<()> {
    if current == expected {
        Ok(())
    } else {
        Err(Error::Conflict(Conflict::VersionMismatch))
    }
}
