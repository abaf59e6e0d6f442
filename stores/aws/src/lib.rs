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
//!   community stored in S3, searched from a local copy (by the search
//!   function only);
//! - [`search_function::InvokedSearch`]: searching through the search
//!   function (Lambda `Invoke`), for the functions that link no search engine;
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
pub mod search_function;
pub mod ses;

pub use config::{
    AwsSettings, AwsStores, config_from_env, connect, copkit_from_env, cursor_key_from_env,
    sdk_config, search_function_from_env,
};
pub use dynamo::DynamoStore;
pub use s3::S3BlobStore;
pub use search::S3SearchIndex;
pub use ses::SesMailer;
