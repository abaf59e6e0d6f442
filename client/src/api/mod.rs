//! One method per operation, by area; names and types are core's.

mod communities;
mod discussions;
mod documents;
mod events;
mod invitations;
pub(crate) mod me;
mod members;
mod moderation;
mod notifications;
mod polls;
mod search;
mod spaces;
mod value;
