//! The read traits on DynamoDB: consistent `GetItem` and `BatchGetItem` for
//! things read by key, `Query` on a table or index partition for lists.

mod activity;
mod communities;
mod digests;
mod discussions;
mod documents;
mod events;
mod invitations;
mod moderation;
mod notifications;
mod polls;
mod profiles;
mod spaces;

use async_trait::async_trait;
use copkit_core::store::batch::check_wanted;
use copkit_core::store::{BatchStore, Record, Records, StoreError, Wanted};

use super::DynamoStore;
use super::codec::{decode, get_s};
use super::keys;

/// The most spaces a community has (the core limit), grants a space lists,
/// attendance records an occurrence holds.
pub(super) const SHORT_LIST_MAX: usize = 10_000;

/// Where a wanted record lives.
fn wanted_key(wanted: &Wanted) -> keys::Key {
    match wanted {
        Wanted::Community(id) => keys::community(id),
        Wanted::Space(id) => keys::space(id),
        Wanted::Grant(space, user) => keys::grant(space, user),
        Wanted::Thread(id) => keys::thread(id),
        Wanted::Post(id) => keys::post(id),
        Wanted::Poll(id) => keys::poll(id),
        Wanted::Ballot(poll, user) => keys::ballot(poll, user),
        Wanted::Reaction(post, user, kind) => keys::reaction(post, user, *kind),
        Wanted::Event(id) => keys::event(id),
        Wanted::Rsvp(event, occurrence, user) => keys::rsvp(event, occurrence, user),
        Wanted::RsvpTally(event, occurrence) => keys::tally(event, occurrence),
        Wanted::Document(id) => keys::document(id),
        Wanted::DocumentVersion(id, number) => keys::document_version(id, *number),
        Wanted::Membership(community, user) => keys::membership(community, user),
        Wanted::JoinRequest(community, user) => keys::join_request(community, user),
        Wanted::Participation(community, user) => keys::participation(community, user),
        Wanted::Attendance(event, occurrence, user) => keys::attendance(event, occurrence, user),
        Wanted::Fanout(activity) => keys::fanout(activity),
    }
}

#[async_trait]
impl BatchStore for DynamoStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        check_wanted(wanted)?;
        let keyed: Vec<(keys::Key, &Wanted)> = wanted.iter().map(|w| (wanted_key(w), w)).collect();
        let items = self
            .batch_get_items(keyed.iter().map(|(key, _)| key.clone()).collect())
            .await?;
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let key = keys::Key {
                pk: get_s(&item, "PK").unwrap_or_default().to_owned(),
                sk: get_s(&item, "SK").unwrap_or_default().to_owned(),
            };
            let Some((_, wanted)) = keyed.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            records.push(match wanted {
                Wanted::Community(_) => Record::Community(decode(item)?),
                Wanted::Space(_) => Record::Space(decode(item)?),
                Wanted::Grant(..) => Record::Grant(decode(item)?),
                Wanted::Thread(_) => Record::Thread(decode(item)?),
                Wanted::Post(_) => Record::Post(decode(item)?),
                Wanted::Poll(_) => Record::Poll(decode(item)?),
                Wanted::Ballot(..) => Record::Ballot(decode(item)?),
                Wanted::Reaction(post, user, kind) => Record::Reaction(*post, user.clone(), *kind),
                Wanted::Event(_) => Record::Event(decode(item)?),
                Wanted::Rsvp(..) => Record::Rsvp(decode(item)?),
                Wanted::RsvpTally(..) => Record::RsvpTally(decode(item)?),
                Wanted::Document(_) => Record::Document(decode(item)?),
                Wanted::DocumentVersion(..) => Record::DocumentVersion(decode(item)?),
                Wanted::Membership(..) => Record::Membership(decode(item)?),
                Wanted::JoinRequest(..) => Record::JoinRequest(decode(item)?),
                Wanted::Participation(..) => Record::Participation(decode(item)?),
                Wanted::Attendance(..) => Record::Attendance(decode(item)?),
                Wanted::Fanout(_) => Record::Fanout(decode(item)?),
            });
        }
        Ok(Records(records))
    }
}
