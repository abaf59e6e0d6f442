//! The production store: every copkit store trait on one DynamoDB table.
//!
//! # Layout
//!
//! One table (`PK`, `SK`, strings), three overloaded global secondary
//! indexes projecting every attribute, ULID ids (time-ordered), fixed-width
//! time keys ([`keys::time_key`]) and [`keys::SEP`] (U+001F) between the
//! parts of composite keys. Records keep their JSON field names as
//! attributes, so items read well in the console.
//!
//! | item | PK | SK | GSI1 | GSI2 | GSI3 |
//! |---|---|---|---|---|---|
//! | profile | `USER#u` | `PROFILE` | | | |
//! | handle claim | `HANDLE#h` | `HANDLE` | | | |
//! | calendar feed | `USER#u` | `CALFEED` | | | |
//! | feed token claim | `CALFEED#sha256` | `CALFEED` | | | |
//! | community | `COMM#c` | `META` | | `DIR#kind` / `name␟c` (listed) | `DIR` / `name␟c` (listed) |
//! | slug claim | `SLUG#s` | `SLUG` | | | |
//! | membership | `COMM#c` | `MEMBER#u` | `USER#u#COMMS` / `c` (active) | `COMM#c#ROSTER` / `role␟u` (active), `COMM#c#BANNED` / `u` (banned) | `COMM#c#LEVEL#level` / `u` (active) |
//! | value story | `COMM#c` | `STORY#v` | `USER#u#STORIES` / `v` | | |
//! | participation | `COMM#c` | `PART#u` | | | `REVIEW#nn` / `review-time␟c␟u` (16 shards) |
//! | digest schedule | `USER#u` | `DIGEST` | | | `DIGEST#nn` / `due-time␟u` (16 shards, when on) |
//! | mail (outbox) | `USER#u#OUTBOX` | `MAIL#m` | | | `MAILQ#nn` / `next-attempt␟u␟m` (16 shards, while pending) |
//! | notification | `USER#u#INBOX` | `NOTE#a` | `NOTED#actor` / `u␟a` | | |
//! | inbox state | `USER#u` | `INBOX` | | | |
//! | notification preferences | `USER#u` | `NOTIFYPREFS` | | | |
//! | fan-out job | `FANOUT#a` | `FANOUT` | | | `FANOUTQ#nn` / `due␟a` (16 shards) |
//! | report | `COMM#c` | `REPORT#r` | `COMM#c#REPORTS#status` / `r` | | |
//! | moderation log entry | `COMM#c#MODLOG` | `m` | | | |
//! | join request | `COMM#c` | `JOINREQ#u` | | | `COMM#c#PENDING` / `time␟u` (pending) |
//! | invitation | `COMM#c` | `INVITE#i` (TTL) | `INVITED#sha256(email)` / `i` (email invitations) | | |
//! | token claim | `TOKEN#sha256` | `TOKEN` (TTL) | | | |
//! | space | `SPACE#s` | `META` | `COMM#c#SPACES` / `s` | | |
//! | grant | `SPACE#s` | `GRANT#u` | `USER#u#GRANTS` / `c␟s` | | |
//! | activity | `COMM#c#ACT#yyyy-mm` | `a` | `USER#u#ACT` / `a` | `COMM#c#ACT` / `a` | |
//! | thread | `THREAD#t` | `META` | | `SPACE#s#THREADS` / `last-activity␟t` (live) | `SPACE#s#PINNED` / `t` (pinned, live) |
//! | post | `POST#p` | `META` | `THREAD#t#POSTS` / `p` | | |
//! | reaction | `POST#p` | `REACT#u␟kind` | | | |
//! | document | `DOC#d` | `META` | | `SPACE#s#DOCS` / `updated␟d` (live) | |
//! | document version | `DOC#d` | `V#0000000042` | | | |
//! | event | `EVENT#e` | `META` | `COMM#c#EVENTS` / `e` | | |
//! | RSVP | `EVENT#e` | `RSVP#occurrence␟u` | | | |
//! | RSVP tally | `EVENT#e` | `TALLY#occurrence` | | | |
//! | attendance | `EVENT#e` | `ATTEND#occurrence␟u` | `USER#u#ATTEND` / `recorded␟e␟occurrence` | | |
//! | poll | `POLL#p` | `META` | `SPACE#s#POLLS` / `p` | | |
//! | document purge (queued) | `PURGES` | `due-time␟d` | | | |
//! | ballot | `POLL#p` | `BALLOT#u` | | | |
//! | remembered write (`Idempotency-Key`) | `IDEM#caller␟method path␟key` | `IDEM` (TTL) | | | |
//! | rate-limit tally | `TALLY#kind␟user␟window` | `TALLY` (TTL) | | | |
//!
//! Things read by id alone (spaces, threads, posts, documents, events,
//! polls) have their own partition, so the read that authorizes a request
//! is a strongly consistent `GetItem`; lists of them come from an index.
//! Lists that must be exact right after a write (a space's grants, a
//! community's invitations, a document's versions, an occurrence's RSVPs)
//! are table partitions read with consistent `Query`. Nothing ever scans,
//! and nothing is hidden with a filter: "only live threads" and "only
//! pending requests" are sparse index entries, removed by the write that
//! deletes or decides.
//!
//! Activity goes to a partition per community and month, so a busy
//! community never grows one table partition without bound; the
//! community's feed reads GSI2.
//!
//! Participation records (a member's contribution points behind their
//! level) are indexed for review by the time their level may drop, spread
//! over 16 `REVIEW#nn` partitions of GSI3; the scheduled review queries the
//! 16 shards up to "now" and nothing else. Active memberships are also
//! listed per level (`COMM#c#LEVEL#level`), so a roster by level is one
//! Query of the right partition. Digest schedules are indexed the same way
//! by their next due time (`DIGEST#nn`), so the hourly producer reads only
//! the schedules due.
//!
//! # Writes
//!
//! [`WriteStore::commit`](copkit_core::store::WriteStore::commit) turns a
//! transaction's operations into one `TransactWriteItems` call, each
//! operation's condition a condition expression. When DynamoDB cancels it,
//! the first failed item's `CancellationReason` names the operation; counts,
//! tallies and thread activity are read back (consistently) to tell a last
//! owner from a full community or a closed poll from a stale one.

pub mod calls;
pub mod codec;
mod ephemeral;
pub mod errors;
pub mod keys;
pub mod page;
pub mod table;

mod reads;
mod write;

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use copkit_core::store::{Chunk, Range, StoreError};
use serde::de::DeserializeOwned;

use codec::{Item, decode, key_item};
use errors::sdk_error;
use keys::Key;
use page::{Listing, chunk_of, fetch_size};

/// How many times a batch read retries its unprocessed keys.
const BATCH_ATTEMPTS: u32 = 8;

/// copkit's store on DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// One item, read consistently.
    async fn get_item(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(output.item)
    }

    /// One record, read consistently.
    async fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StoreError> {
        self.get_item(key).await?.map(decode).transpose()
    }

    /// Several items at once (missing ones left out), draining
    /// `UnprocessedKeys` with backoff.
    async fn batch_get_items(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let mut seen = HashSet::new();
        let unique: Vec<Key> = keys
            .into_iter()
            .filter(|k| seen.insert(k.clone()))
            .collect();
        let mut found = Vec::with_capacity(unique.len());
        for batch in unique.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(batch.iter().map(key_item).collect()))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Internal(e.to_string()))?,
            );
            let mut attempt = 0;
            while let Some(request) = pending.take() {
                if attempt == BATCH_ATTEMPTS {
                    return Err(StoreError::Unavailable {
                        retry_after_secs: errors::RETRY_AFTER_SECS,
                    });
                }
                if attempt > 0 {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                attempt += 1;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                if let Some(mut responses) = output.responses
                    && let Some(items) = responses.remove(&self.table)
                {
                    found.extend(items);
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .filter(|k| !k.keys.is_empty());
            }
        }
        Ok(found)
    }

    /// Several records at once.
    async fn batch_get<T: DeserializeOwned>(&self, keys: Vec<Key>) -> Result<Vec<T>, StoreError> {
        self.batch_get_items(keys)
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }

    /// One page of a listing. Table partitions are read consistently.
    async fn query_page(
        &self,
        listing: &Listing,
        range: &Range,
    ) -> Result<Chunk<Item>, StoreError> {
        let mut start = range
            .after
            .as_deref()
            .map(|p| listing.start_key(p))
            .transpose()?;
        let want = fetch_size(range);
        let mut items = Vec::with_capacity(want);
        loop {
            let (batch, last) = self.query_once(listing, want - items.len(), start).await?;
            items.extend(batch);
            match last {
                Some(key) if items.len() < want => start = Some(key),
                _ => break,
            }
        }
        chunk_of(listing, items, range.limit)
    }

    /// Up to `limit` (1–100) records due at `due` from a GSI3 index spread
    /// over `shards` partitions (`partition(shard)`), earliest first: one
    /// query per shard (a bounded fan-out, no scan), merged by sort key.
    async fn due_across_shards<T: serde::de::DeserializeOwned>(
        &self,
        shards: u8,
        partition: fn(u8) -> String,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<T>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..shards {
            let listing =
                Listing::index(table::GSI3, partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = table::GSI3.sort_key;
        due_items
            .sort_by(|a, b| codec::get_s(a, sort_attribute).cmp(&codec::get_s(b, sort_attribute)));
        due_items
            .into_iter()
            .take(limit)
            .map(codec::decode)
            .collect()
    }

    /// Every item of a short listing (at most `max`).
    async fn query_all(&self, listing: &Listing, max: usize) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let (batch, last) = self.query_once(listing, max - items.len(), start).await?;
            items.extend(batch);
            match last {
                Some(key) if items.len() < max => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// One Query call.
    async fn query_once(
        &self,
        listing: &Listing,
        limit: usize,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let mut condition = "#pk = :pk".to_owned();
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_names("#pk", listing.partition_attribute())
            .expression_attribute_values(":pk", AttributeValue::S(listing.partition.clone()))
            .scan_index_forward(!listing.descending)
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        if let Some(prefix) = &listing.prefix {
            condition.push_str(" AND begins_with(#sk, :prefix)");
            request = request
                .expression_attribute_names("#sk", listing.sort_attribute())
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.clone()));
        } else if let Some(upto) = &listing.upto {
            condition.push_str(" AND #sk <= :upto");
            request = request
                .expression_attribute_names("#sk", listing.sort_attribute())
                .expression_attribute_values(":upto", AttributeValue::S(upto.clone()));
        }
        match listing.index {
            Some(index) => request = request.index_name(index.name),
            None => request = request.consistent_read(true),
        }
        let output = request
            .key_condition_expression(condition)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok((output.items.unwrap_or_default(), output.last_evaluated_key))
    }

    /// One page of records.
    async fn page<T: DeserializeOwned>(
        &self,
        listing: &Listing,
        range: &Range,
    ) -> Result<Chunk<T>, StoreError> {
        let chunk = self.query_page(listing, range).await?;
        Ok(Chunk {
            items: chunk
                .items
                .into_iter()
                .map(decode)
                .collect::<Result<_, _>>()?,
            positions: chunk.positions,
            next: chunk.next,
        })
    }

    /// Every record of a short listing.
    async fn all<T: DeserializeOwned>(
        &self,
        listing: &Listing,
        max: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.query_all(listing, max)
            .await?
            .into_iter()
            .map(decode)
            .collect()
    }
}

/// Exponential backoff with a little jitter: 20 ms, 40 ms, … capped at 1 s.
fn backoff(attempt: u32) -> Duration {
    let base = 20u64.saturating_mul(1 << attempt.min(6)).min(1000);
    let mut jitter = [0u8; 1];
    let jitter = getrandom::fill(&mut jitter).map_or(0, |()| u64::from(jitter[0]) % 20);
    Duration::from_millis(base + jitter)
}
