//! List pages over DynamoDB Query, and the positions they hand out.
//!
//! A position is the key of the last item returned (the attributes
//! DynamoDB's `ExclusiveStartKey` needs), written as a JSON object. Before a
//! position is used it is checked to belong to the list being read: the
//! same attributes, the same partition, the same sort-key prefix. A
//! position from another list is `InvalidPosition`, never a read of
//! another partition.

use std::collections::BTreeMap;

use copkit_core::store::{Chunk, Range, StoreError};

use super::codec::{Item, get_s, s};
use super::table::{DEFINITION, IndexDefinition};

/// The most items a page may hold.
pub const PAGE_MAX: u32 = 100;

/// One ordered list: a partition of the table or of an index, optionally
/// narrowed to a sort-key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The index, or `None` for the table itself.
    pub index: Option<IndexDefinition>,
    /// The partition key value.
    pub partition: String,
    /// Only sort keys starting with this.
    pub prefix: Option<String>,
    /// Descending sort-key order.
    pub descending: bool,
    /// Only sort keys at or below this (not with `prefix`).
    pub upto: Option<String>,
}

impl Listing {
    /// A table partition, ascending.
    pub fn table(partition: String) -> Self {
        Listing {
            index: None,
            partition,
            prefix: None,
            descending: false,
            upto: None,
        }
    }

    /// An index partition, ascending.
    pub fn index(index: IndexDefinition, partition: String) -> Self {
        Listing {
            index: Some(index),
            partition,
            prefix: None,
            descending: false,
            upto: None,
        }
    }

    /// Only sort keys at or below `upto`.
    pub fn upto(mut self, upto: impl Into<String>) -> Self {
        self.upto = Some(upto.into());
        self
    }

    /// Only sort keys starting with `prefix`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Newest (highest sort key) first.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// The partition key attribute queried.
    pub fn partition_attribute(&self) -> &'static str {
        self.index
            .map_or(DEFINITION.partition_key, |i| i.partition_key)
    }

    /// The sort key attribute queried.
    pub fn sort_attribute(&self) -> &'static str {
        self.index.map_or(DEFINITION.sort_key, |i| i.sort_key)
    }

    /// The attributes of a position: the table key, plus the index key.
    fn position_attributes(&self) -> Vec<&'static str> {
        let mut names = vec![DEFINITION.partition_key, DEFINITION.sort_key];
        if let Some(index) = self.index {
            names.push(index.partition_key);
            names.push(index.sort_key);
        }
        names.sort_unstable();
        names
    }

    /// The position after `item` (an item of this list).
    pub fn position_of(&self, item: &Item) -> Result<String, StoreError> {
        let mut key = BTreeMap::new();
        for name in self.position_attributes() {
            let value = get_s(item, name).ok_or_else(|| {
                StoreError::Internal(format!("listed item without its `{name}` attribute"))
            })?;
            key.insert(name, value);
        }
        serde_json::to_string(&key).map_err(|e| StoreError::Internal(e.to_string()))
    }

    /// The `ExclusiveStartKey` of a position, once it is known to belong here.
    pub fn start_key(&self, position: &str) -> Result<Item, StoreError> {
        let key: BTreeMap<String, String> =
            serde_json::from_str(position).map_err(|_| StoreError::InvalidPosition)?;
        let names: Vec<&str> = key.keys().map(String::as_str).collect();
        if names != self.position_attributes() {
            return Err(StoreError::InvalidPosition);
        }
        if key.get(self.partition_attribute()) != Some(&self.partition) {
            return Err(StoreError::InvalidPosition);
        }
        if let Some(prefix) = &self.prefix {
            let sort = key
                .get(self.sort_attribute())
                .ok_or(StoreError::InvalidPosition)?;
            if !sort.starts_with(prefix.as_str()) {
                return Err(StoreError::InvalidPosition);
            }
        }
        Ok(key.into_iter().map(|(k, v)| (k, s(v))).collect())
    }
}

/// Cuts what a query returned (up to `limit + 1` items) into a page.
pub fn chunk_of(
    listing: &Listing,
    mut items: Vec<Item>,
    limit: u32,
) -> Result<Chunk<Item>, StoreError> {
    let limit = limit.clamp(1, PAGE_MAX) as usize;
    let more = items.len() > limit;
    items.truncate(limit);
    let positions = items
        .iter()
        .map(|item| listing.position_of(item))
        .collect::<Result<Vec<_>, _>>()?;
    let next = if more {
        positions.last().cloned()
    } else {
        None
    };
    Ok(Chunk {
        items,
        positions,
        next,
    })
}

/// The number of items to ask for: one more than the page, to know whether
/// another page follows.
pub fn fetch_size(range: &Range) -> usize {
    range.limit.clamp(1, PAGE_MAX) as usize + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::table::GSI2;

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), s(*v)))
            .collect()
    }

    #[test]
    fn positions_only_work_in_their_own_list() {
        let roster = Listing::index(GSI2, "COMM#1#ROSTER".into());
        let member = item(&[
            ("PK", "COMM#1"),
            ("SK", "MEMBER#ann"),
            ("GSI2PK", "COMM#1#ROSTER"),
            ("GSI2SK", "2\u{1f}ann"),
            ("role", "member"),
        ]);
        let position = roster.position_of(&member).unwrap();
        let start = roster.start_key(&position).unwrap();
        assert_eq!(start.len(), 4);
        assert_eq!(get_s(&start, "GSI2SK"), Some("2\u{1f}ann"));

        let other = Listing::index(GSI2, "COMM#2#ROSTER".into());
        assert_eq!(other.start_key(&position), Err(StoreError::InvalidPosition));
        let table = Listing::table("COMM#1".into());
        assert_eq!(table.start_key(&position), Err(StoreError::InvalidPosition));
        let narrowed = Listing::table("COMM#1".into()).with_prefix("INVITE#");
        let member_position = table.position_of(&member).unwrap();
        assert!(table.start_key(&member_position).is_ok());
        assert_eq!(
            narrowed.start_key(&member_position),
            Err(StoreError::InvalidPosition)
        );
        for junk in ["", "{}", "[]", "\u{0}not a position\u{0}", r#"{"PK": 1}"#] {
            assert_eq!(
                roster.start_key(junk),
                Err(StoreError::InvalidPosition),
                "{junk}"
            );
        }
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let listing = Listing::table("P".into());
        let items: Vec<Item> = (0..3)
            .map(|i| item(&[("PK", "P"), ("SK", &format!("S{i}"))]))
            .collect();
        let page = chunk_of(&listing, items.clone(), 2).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(
            get_s(
                &listing.start_key(page.next.as_deref().unwrap()).unwrap(),
                "SK"
            ),
            Some("S1")
        );
        let last = chunk_of(&listing, items, 3).unwrap();
        assert_eq!((last.items.len(), last.next), (3, None));
    }
}
