//! Lists as streams that follow cursors.

use std::collections::VecDeque;

use futures::Stream;
use futures::stream;

use copkit_core::model::{Page, PageRequest};

use crate::error::ClientResult;

/// Every item of the pages `fetch` returns, following each page's `next`
/// until a page has none. An error ends the stream after it is yielded.
pub(crate) fn all<T, F, Fut>(fetch: F) -> impl Stream<Item = ClientResult<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = ClientResult<Page<T>>>,
{
    let start: (F, VecDeque<T>, Option<PageRequest>) =
        (fetch, VecDeque::new(), Some(PageRequest::default()));
    stream::unfold(start, |(mut fetch, mut buffered, mut next)| async move {
        loop {
            if let Some(item) = buffered.pop_front() {
                return Some((Ok(item), (fetch, buffered, next)));
            }
            let request = next.take()?;
            match fetch(request).await {
                Ok(page) => {
                    buffered.extend(page.items);
                    next = page.next.map(|cursor| PageRequest {
                        limit: None,
                        cursor: Some(cursor),
                    });
                }
                Err(e) => return Some((Err(e), (fetch, buffered, None))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::model::Cursor;
    use futures::StreamExt;

    #[tokio::test]
    async fn follows_cursors_to_the_last_page_and_stops_after_an_error() {
        let pages = |request: PageRequest| async move {
            let at: u32 = request.cursor.map_or(0, |c| c.0.parse().unwrap_or(0));
            if at == 6 {
                return Err(crate::ClientError::NotFound { code: "x".into() });
            }
            Ok(Page {
                items: vec![at, at + 1],
                next: (at < 4).then(|| Cursor((at + 2).to_string())),
            })
        };
        let items: Vec<u32> = all(pages).map(|r| r.unwrap()).collect().await;
        assert_eq!(items, [0, 1, 2, 3, 4, 5]);

        let failing = |request: PageRequest| async move {
            let at: u32 = request.cursor.map_or(0, |c| c.0.parse().unwrap_or(0));
            if at == 2 {
                return Err(crate::ClientError::NotFound { code: "x".into() });
            }
            Ok(Page {
                items: vec![at, at + 1],
                next: Some(Cursor((at + 2).to_string())),
            })
        };
        let results: Vec<_> = all(failing).collect().await;
        assert_eq!(results.len(), 3);
        assert!(results[2].is_err());
    }
}
