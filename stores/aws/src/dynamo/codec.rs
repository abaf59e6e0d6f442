//! Records as DynamoDB items: every field of a record becomes an attribute
//! of the same name (serde_dynamo), next to the key attributes and a few
//! helper attributes the conditions need. Key and helper attributes start
//! with an upper-case letter (`PK`, `GSI2SK`, `K_LAST`, `TTL`); record
//! fields never do, so reading drops them before decoding.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use copkit_core::store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::keys::Key;
use super::table::{DEFINITION, IndexDefinition};

/// A claim item's user (handle claims).
pub const CLAIM_USER: &str = "K_USER";
/// A claim item's community (slug and token claims).
pub const CLAIM_COMMUNITY: &str = "K_COMMUNITY";
/// A claim item's invitation id (token claims).
pub const CLAIM_ID: &str = "K_ID";

/// A serde enum's JSON name (`training_group`).
pub fn json_name<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(StoreError::Internal("an enum without a JSON name".into())),
    }
}

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// A string attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A boolean attribute.
pub fn b(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

/// True for key and helper attributes (never record fields).
pub fn is_helper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// The item of a record at `key`, ready for index and helper attributes.
pub fn encode<T: Serialize>(record: &T, key: &Key) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record)
        .map_err(|e| StoreError::Internal(format!("encoding a record: {e}")))?;
    if item.keys().any(|k| is_helper(k)) {
        return Err(StoreError::Internal(
            "a record field starts with an upper-case letter".into(),
        ));
    }
    set_key(&mut item, key);
    Ok(item)
}

/// Sets the table key attributes.
pub fn set_key(item: &mut Item, key: &Key) {
    item.insert(DEFINITION.partition_key.into(), s(&key.pk));
    item.insert(DEFINITION.sort_key.into(), s(&key.sk));
}

/// Sets one index's key attributes.
pub fn set_index(item: &mut Item, index: IndexDefinition, pk: String, sk: String) {
    item.insert(index.partition_key.into(), s(pk));
    item.insert(index.sort_key.into(), s(sk));
}

/// The key attributes of `key`, as GetItem and Delete want them.
pub fn key_item(key: &Key) -> Item {
    let mut item = Item::with_capacity(2);
    set_key(&mut item, key);
    item
}

/// The record stored in an item.
pub fn decode<T: DeserializeOwned>(mut item: Item) -> Result<T, StoreError> {
    item.retain(|name, _| !is_helper(name));
    serde_dynamo::from_item(item)
        .map_err(|e| StoreError::Internal(format!("decoding a stored record: {e}")))
}

/// A string attribute of an item.
pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::UserId;
    use copkit_core::model::{
        Community, CommunityCounts, CommunityKind, JoinPolicy, RecurrenceEnd, Visibility,
    };
    use jiff::Timestamp;

    #[test]
    fn records_round_trip_without_their_helpers() {
        let community = Community {
            id: "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap(),
            slug: copkit_core::model::Slug::new("st3-group").unwrap(),
            name: "ST3 group".into(),
            purpose: String::new(),
            kind: CommunityKind::TrainingGroup,
            visibility: Visibility::Private,
            join_policy: JoinPolicy::Approval,
            join_question: None,
            created_by: UserId::new("ann").unwrap(),
            created_at: Timestamp::from_second(1_767_225_600).unwrap(),
            updated_at: Timestamp::from_second(1_767_225_601).unwrap(),
            version: 3,
            counts: CommunityCounts {
                members: 2,
                guests: 0,
                owners: 1,
                spaces: 4,
            },
            level_rules: Default::default(),
            departed_uploads: Default::default(),
        };
        let key = super::super::keys::community(&community.id);
        let mut item = encode(&community, &key).unwrap();
        item.insert("K_EXTRA".into(), s("helper"));
        assert_eq!(get_s(&item, "PK"), Some(key.pk.as_str()));
        let back: Community = decode(item).unwrap();
        assert_eq!(back, community);

        let end = RecurrenceEnd::Count { count: 3 };
        let item = encode(&end, &key).unwrap();
        assert_eq!(decode::<RecurrenceEnd>(item).unwrap(), end);
    }
}
