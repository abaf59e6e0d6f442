//! Polls.

use copkit_core::model::{Page, PageRequest};
use copkit_core::service::{NewPoll, PollView};
use copkit_core::{PollId, SpaceId};
use serde_json::json;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Opens a poll in a space.
    pub async fn create_poll(&self, space: &SpaceId, input: NewPoll) -> ClientResult<PollView> {
        self.json(Call::new(&CREATE_POLL, &[space]).json(&input)?)
            .await
    }

    /// A poll with the results the caller may see.
    pub async fn get_poll(&self, id: &PollId) -> ClientResult<PollView> {
        self.json(Call::new(&GET_POLL, &[id])).await
    }

    /// Polls of a space.
    pub async fn list_polls(
        &self,
        space: &SpaceId,
        page: &PageRequest,
    ) -> ClientResult<Page<PollView>> {
        self.json(Call::new(&LIST_POLLS, &[space]).page(page)).await
    }

    /// Casts or changes the caller's ballot.
    pub async fn vote(&self, id: &PollId, choices: &[u32]) -> ClientResult<PollView> {
        let call = Call::new(&VOTE, &[id]).json(&json!({ "choices": choices }))?;
        self.json(call).await
    }

    /// Closes a poll (its author or moderators).
    pub async fn close_poll(&self, id: &PollId) -> ClientResult<PollView> {
        self.json(Call::new(&CLOSE_POLL, &[id])).await
    }
}
