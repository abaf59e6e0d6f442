//! Signed pagination cursors, bound to the query that produced them.
//!
//! A store answers a list with a raw *position* (where the next page starts).
//! Services hand callers a [`Cursor`] instead: the position plus an HMAC over
//! the query's *scope* (which list, with which filters) and the position. A
//! cursor that was altered, or that is replayed against another list, fails
//! verification and becomes [`Error::InvalidCursor`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::Error;
use crate::model::Cursor;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the MAC kept in a cursor (128 bits).
const TAG_LEN: usize = 16;

/// Signs and verifies cursors with one secret key.
#[derive(Clone)]
pub struct CursorCodec {
    key: [u8; 32],
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(..)")
    }
}

impl CursorCodec {
    /// A codec with the given secret key.
    pub fn new(key: [u8; 32]) -> Self {
        CursorCodec { key }
    }

    fn tag(&self, scope: &str, position: &str) -> Result<[u8; TAG_LEN], Error> {
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .map_err(|e| Error::Internal(format!("cursor key: {e}")))?;
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(position.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        Ok(tag)
    }

    /// Wraps a store position into a cursor bound to `scope`.
    pub fn encode(&self, scope: &str, position: &str) -> Result<Cursor, Error> {
        let tag = self.tag(scope, position)?;
        let mut bytes = Vec::with_capacity(TAG_LEN + position.len());
        bytes.extend_from_slice(&tag);
        bytes.extend_from_slice(position.as_bytes());
        Ok(Cursor(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Recovers the position from a cursor, if it was made by this codec for
    /// this `scope` and not altered.
    pub fn decode(&self, scope: &str, cursor: &Cursor) -> Result<String, Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.0.as_bytes())
            .map_err(|_| Error::InvalidCursor)?;
        if bytes.len() < TAG_LEN {
            return Err(Error::InvalidCursor);
        }
        let (tag, position) = bytes.split_at(TAG_LEN);
        let position = std::str::from_utf8(position).map_err(|_| Error::InvalidCursor)?;
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .map_err(|e| Error::Internal(format!("cursor key: {e}")))?;
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(position.as_bytes());
        mac.verify_truncated_left(tag)
            .map_err(|_| Error::InvalidCursor)?;
        Ok(position.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codec() -> CursorCodec {
        CursorCodec::new([7u8; 32])
    }

    #[test]
    fn round_trips_within_its_scope() {
        let c = codec().encode("members:C1", "user-42").unwrap();
        assert_eq!(codec().decode("members:C1", &c).unwrap(), "user-42");
    }

    #[test]
    fn rejects_other_scope_other_key_and_garbage() {
        let c = codec().encode("members:C1", "user-42").unwrap();
        assert_eq!(codec().decode("members:C2", &c), Err(Error::InvalidCursor));
        assert_eq!(
            CursorCodec::new([8u8; 32]).decode("members:C1", &c),
            Err(Error::InvalidCursor)
        );
        for junk in ["", "!!!", "AAAA", "not base64 at all"] {
            assert_eq!(
                codec().decode("members:C1", &Cursor(junk.into())),
                Err(Error::InvalidCursor)
            );
        }
    }

    proptest! {
        #[test]
        fn any_single_byte_change_is_rejected(position in "[a-z0-9#]{0,40}", index in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let cursor = codec().encode("scope", &position).unwrap();
            let mut bytes = URL_SAFE_NO_PAD.decode(cursor.0.as_bytes()).unwrap();
            let i = index.index(bytes.len());
            bytes[i] ^= flip;
            let tampered = Cursor(URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(codec().decode("scope", &tampered), Err(Error::InvalidCursor));
        }
    }
}
