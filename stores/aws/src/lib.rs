//! # copkit-aws
//!
//! copkit's AWS adapters, for the serverless deployment and for portals
//! that embed copkit on AWS:
//!
//! - [`dynamo::DynamoStore`]: every core store trait on one DynamoDB table
//!   (the layout is documented in [`dynamo`]);
//! - [`s3::S3BlobStore`]: document bytes in S3, with checksummed and
//!   presigned requests;
//! - [`search::S3SearchIndex`]: the search index, one tantivy index per
//!   community stored in S3, searched from a local copy;
//! - [`ses::SesMailer`]: the outbox delivered through Amazon SES (v2);
//! - [`config`]: settings from the environment and connecting to both;
//! - [`emulator`]: the same on a local emulator (moto), for tests and
//!   local runs.
//!
//! It depends on `copkit-core` and the AWS SDK only: no HTTP server, no
//! authentication (those are `copkit-lambda`'s).

#![deny(missing_docs)]

pub mod config;
pub mod dynamo;
pub mod emulator;
pub mod s3;
pub mod search;
pub mod ses;

pub use config::{
    AwsSettings, AwsStores, SearchRole, config_from_env, connect, copkit_for, copkit_from_env,
    cursor_key_from_env, sdk_config,
};
pub use dynamo::DynamoStore;
pub use s3::S3BlobStore;
pub use search::{S3SearchIndex, SearchOnly};
pub use ses::SesMailer;
