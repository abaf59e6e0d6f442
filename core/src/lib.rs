//! # copkit-core
//!
//! The domain of **copkit**: software for *communities of practice* — groups
//! of health professionals (GP trainees, trainers, appraisers, practice
//! teams) who learn from each other. A community is part intranet, part
//! social network: public, private or secret groups with spaces inside them,
//! members with roles and participation levels, join requests, invitations
//! and guests who bring an outside perspective.
//!
//! This crate is pure: no I/O, no AWS, no HTTP. It holds
//! - [`model`]: plain data types;
//! - [`policy`]: every access decision as a pure function;
//! - [`service`]: the use cases on [`Copkit`] (validate → authorize → one
//!   atomic store write that records the activity → notify listeners);
//! - [`store`]: the storage contract, the in-memory store and (feature
//!   `conformance`) the suite every store must pass.
//!
//! ## Example
//!
//! ```
//! use std::sync::Arc;
//! use copkit_core::{Actor, Copkit, Error, MemoryStore, UserId};
//! use copkit_core::model::{Access, CommunityKind, JoinPolicy};
//! use copkit_core::service::NewCommunity;
//!
//! # async fn run() -> Result<(), Error> {
//! let copkit = Copkit::new(Arc::new(MemoryStore::new()))?;
//! let director = Actor::new(UserId::new("director")?).with_name("Dr Helen O'Reilly");
//! let group = copkit
//!     .create_community(&director, NewCommunity {
//!         slug: "st3-small-group".into(),
//!         name: "ST3 small group".into(),
//!         purpose: "Case discussion for ST3 trainees".into(),
//!         kind: CommunityKind::TrainingGroup,
//!         access: Access::Private { join_policy: JoinPolicy::Approval },
//!         join_question: Some("Which training practice are you at?".into()),
//!     })
//!     .await?;
//!
//! // An outsider sees the card of a Private community, but not its members.
//! let outsider = Actor::new(UserId::new("outsider")?);
//! let card = copkit.get_community(&outsider, &group.card.id).await?;
//! assert_eq!(card.card.member_count, 1);
//! let roster = copkit
//!     .list_members(&outsider, &group.card.id, &Default::default())
//!     .await;
//! assert!(matches!(roster, Err(Error::Forbidden(_))));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```

#![deny(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("copkit_core");

pub mod blob;
pub mod clock;
pub mod cursor;
pub mod error;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod ical;
pub mod ids;
pub mod json;
pub mod mail;
pub mod model;
pub mod policy;
pub mod recurrence;
pub mod search;
pub mod service;
pub mod store;
pub mod validate;

pub use blob::{BlobStore, MemoryBlobStore};
pub use clock::{Clock, IdSource, ManualClock, RandomIds, SequentialIds, SystemClock};
pub use error::{Conflict, Error, FieldError, Forbidden, Result};
pub use ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
pub use service::{ActivityListener, Actor, Config, Copkit, CopkitBuilder};
pub use store::{EphemeralStore, MemoryStore, Remembered, Store, StoreError};
