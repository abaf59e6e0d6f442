//! # copkit-ffi
//!
//! copkit for portals and mobile apps: [uniffi](https://mozilla.github.io/uniffi-rs/)
//! bindings for Kotlin, Swift and Python over the core services.
//!
//! - [`Copkit`] owns the services over one store (in memory; DynamoDB + S3
//!   with the `dynamodb` feature) and the host's [`CopkitListener`]s.
//! - [`Session`] is one signed-in person: every core use case as an async
//!   method (Kotlin `suspend`, Swift `async`, Python coroutine).
//! - [`CopkitClient`] gives the same [`Session`] on a deployed copkit API
//!   (through `copkit-client`): an app switches between embedded and remote
//!   by changing one constructor.
//! - Model types are the core records and enums (namespace `copkit_core`);
//!   ids cross as checked text, instants as the platform's instant type
//!   (Swift `Date`, Kotlin `java.time.Instant`, Python `datetime`).
//! - Every failure is a [`CopkitError`]; no panic crosses the boundary.
//! - Time is the system clock, or the host's [`CopkitClock`]
//!   (`Copkit.with_clock`), so host tests never depend on when they run.
//!
//! Generate bindings from the built library with the pinned generator:
//! `cargo run -p copkit-ffi --bin uniffi-bindgen -- generate --library
//! target/debug/libcopkit_ffi.so --language kotlin --out-dir build/kotlin`
//! (see `bindings/README.md`).
//!
//! ```
//! use copkit_ffi::{Copkit, CopkitError};
//! use copkit_core::model::{Access, CommunityKind, JoinPolicy};
//! use copkit_core::service::NewCommunity;
//!
//! # async fn run() -> Result<(), CopkitError> {
//! let copkit = Copkit::new()?;
//! let lead = copkit.session("dr-patel".parse().map_err(|_| CopkitError::Internal)?, None, None);
//! let group = lead
//!     .create_community(NewCommunity {
//!         slug: "st3-small-group".into(),
//!         name: "ST3 small group".into(),
//!         purpose: "Case discussion".into(),
//!         kind: CommunityKind::TrainingGroup,
//!         access: Access::Private { join_policy: JoinPolicy::Approval },
//!         join_question: None,
//!     })
//!     .await?;
//! assert_eq!(group.card.member_count, 1);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```

#![deny(missing_docs)]

mod clock;
mod copkit;
mod listener;
mod mailer;
mod pages;
mod remote;
mod session;
mod shared;

pub use clock::CopkitClock;
pub use copkit::Copkit;
pub use copkit_core::ffi::CopkitError;
pub use listener::{CopkitEvent, CopkitListener, ListenerError};
pub use mailer::{CopkitMailer, HostMailError};
pub use pages::*;
pub use remote::{ClientOptions, CopkitClient, CopkitTokenProvider, TokenError, TransferProgress};
pub use session::Session;

uniffi::setup_scaffolding!("copkit");
