//! Short-lived records on DynamoDB: remembered writes and rate-limit
//! tallies, each one item written by a single conditional call (the
//! pattern of AWS Lambda Powertools' idempotency utility), with the
//! expiry as a number (`EXPIRES_MS`, what conditions compare) and as the
//! table's `TTL` (epoch seconds, so DynamoDB deletes lapsed items).

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use copkit_core::store::{EphemeralStore, Remembered, StoreError};
use jiff::Timestamp;

use super::DynamoStore;
use super::codec::{Item, decode, encode, key_item, n};
use super::errors::sdk_error;
use super::keys;
use super::table::DEFINITION;

/// The expiry in milliseconds, compared by conditions.
const EXPIRES: &str = "EXPIRES_MS";
/// A tally's count.
const COUNT: &str = "COUNT";
/// Rounds a tally call may take when a lapsed tally is being restarted by
/// another caller at the same moment.
const TALLY_ROUNDS: usize = 4;

fn expiry_attributes(item: &mut Item, expires_at: Timestamp) {
    item.insert(EXPIRES.into(), n(expires_at.as_millisecond()));
    // TTL in seconds, rounded up so an item is never deleted before it lapses.
    let seconds = expires_at.as_millisecond().div_euclid(1000) + 1;
    item.insert(DEFINITION.ttl_attribute.into(), n(seconds));
}

fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

impl DynamoStore {
    fn remembered_item(&self, key: &str, record: &Remembered) -> Result<Item, StoreError> {
        let mut item = encode(record, &keys::remembered(key))?;
        expiry_attributes(&mut item, record.expires_at);
        Ok(item)
    }

    /// A tally's count and expiry, read consistently.
    async fn tally_state(&self, key: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let item = self.get_item(&keys::rate_tally(key)).await?;
        Ok(item.and_then(|i| Some((number(&i, COUNT)?, number(&i, EXPIRES)?))))
    }
}

#[async_trait]
impl EphemeralStore for DynamoStore {
    async fn claim_key(
        &self,
        key: &str,
        claim: &Remembered,
        now: Timestamp,
    ) -> Result<Option<Remembered>, StoreError> {
        let item = self.remembered_item(key, claim)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #expires <= :now")
            .expression_attribute_names("#pk", DEFINITION.partition_key)
            .expression_attribute_names("#expires", EXPIRES)
            .expression_attribute_values(":now", n(now.as_millisecond()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(None),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                let held = match e.err() {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(
                        failed,
                    ) => failed.item().cloned(),
                    _ => None,
                };
                let held = match held {
                    Some(item) => Some(item),
                    None => self.get_item(&keys::remembered(key)).await?,
                };
                // Gone between the write and the read: a caller may try again.
                held.map(decode).transpose()
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn keep_answer(&self, key: &str, done: &Remembered) -> Result<(), StoreError> {
        let item = self.remembered_item(key, done)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn release_key(&self, key: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::remembered(key))))
            .condition_expression("attribute_not_exists(answer)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn count_toward(
        &self,
        key: &str,
        limit: u32,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if limit == 0 {
            return Ok(false);
        }
        let now_ms = now.as_millisecond();
        for _ in 0..TALLY_ROUNDS {
            // A live tally below its limit (or none yet) counts one more.
            let mut fresh = Item::new();
            expiry_attributes(&mut fresh, expires_at);
            let added = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::rate_tally(key))))
                .update_expression(
                    "SET #count = if_not_exists(#count, :zero) + :one, \
                     #expires = if_not_exists(#expires, :expires), #ttl = if_not_exists(#ttl, :ttl)",
                )
                .condition_expression(
                    "attribute_not_exists(#pk) OR (#count < :limit AND #expires > :now)",
                )
                .expression_attribute_names("#pk", DEFINITION.partition_key)
                .expression_attribute_names("#count", COUNT)
                .expression_attribute_names("#expires", EXPIRES)
                .expression_attribute_names("#ttl", DEFINITION.ttl_attribute)
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":limit", n(limit))
                .expression_attribute_values(":now", n(now_ms))
                .expression_attribute_values(":expires", fresh[EXPIRES].clone())
                .expression_attribute_values(":ttl", fresh[DEFINITION.ttl_attribute].clone())
                .send()
                .await;
            match added {
                Ok(_) => return Ok(true),
                Err(SdkError::ServiceError(e))
                    if e.err().is_conditional_check_failed_exception() => {}
                Err(e) => return Err(sdk_error(e)),
            }
            match self.tally_state(key).await? {
                // Live and full.
                Some((_, expires)) if expires > now_ms => return Ok(false),
                // Deleted meanwhile: count again.
                None => continue,
                // Lapsed: start it over, unless another caller just did.
                Some((count, expires)) => {
                    let mut item = key_item(&keys::rate_tally(key));
                    item.insert(COUNT.into(), n(1));
                    expiry_attributes(&mut item, expires_at);
                    let restarted = self
                        .client
                        .put_item()
                        .table_name(&self.table)
                        .set_item(Some(item))
                        .condition_expression("#count = :count AND #expires = :expires")
                        .expression_attribute_names("#count", COUNT)
                        .expression_attribute_names("#expires", EXPIRES)
                        .expression_attribute_values(":count", n(count))
                        .expression_attribute_values(":expires", n(expires))
                        .send()
                        .await;
                    match restarted {
                        Ok(_) => return Ok(true),
                        Err(SdkError::ServiceError(e))
                            if e.err().is_conditional_check_failed_exception() => {}
                        Err(e) => return Err(sdk_error(e)),
                    }
                }
            }
        }
        Err(StoreError::Unavailable {
            retry_after_secs: super::errors::RETRY_AFTER_SECS,
        })
    }
}
