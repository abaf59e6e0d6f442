//! Polls and ballots.

use copkit_core::service::{NewPoll, PollView};
use copkit_core::{PollId, SpaceId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Opens a poll in a space.
    pub async fn create_poll(&self, space: SpaceId, input: NewPoll) -> SessionResult<PollView> {
        Ok(both!(self, create_poll(&space, input))?)
    }

    /// A poll with the caller's ballot and, when visible, its results.
    pub async fn get_poll(&self, id: PollId) -> SessionResult<PollView> {
        Ok(both!(self, get_poll(&id))?)
    }

    /// Polls of a space.
    pub async fn list_polls(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<PollPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_polls(&space, &page))?.into())
    }

    /// Votes (again, replacing the earlier ballot) while the poll is open.
    pub async fn vote(&self, id: PollId, choices: Vec<u32>) -> SessionResult<PollView> {
        Ok(both!(self, vote(&id, &choices))?)
    }

    /// Closes a poll early (its creator or moderators).
    pub async fn close_poll(&self, id: PollId) -> SessionResult<PollView> {
        Ok(both!(self, close_poll(&id))?)
    }
}
