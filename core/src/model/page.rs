use serde::{Deserialize, Serialize};

use crate::validate::limits;

/// An opaque pagination cursor, bound to the query that produced it.
/// Altered cursors, or cursors replayed against another list, are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cursor(pub String);

/// Which page of a list to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageRequest {
    /// Page size (default 20, at most 100; larger values are clamped).
    pub limit: Option<u32>,
    /// Where to continue, from a previous page's `next`.
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// The first page, with the default size.
    pub fn first() -> Self {
        PageRequest::default()
    }

    /// The first page with `limit` items.
    pub fn of(limit: u32) -> Self {
        PageRequest {
            limit: Some(limit),
            cursor: None,
        }
    }

    /// The page after `cursor`, with `limit` items.
    pub fn after(cursor: Cursor, limit: u32) -> Self {
        PageRequest {
            limit: Some(limit),
            cursor: Some(cursor),
        }
    }

    /// The effective page size: 1..=100, 20 by default.
    pub fn effective_limit(&self) -> u32 {
        self.limit
            .unwrap_or(limits::PAGE_DEFAULT)
            .clamp(1, limits::PAGE_MAX)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Transforms the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}
