//! Sealed pagination cursors, bound to the query that produced them.
//!
//! A store answers a list with a raw *position* (where the next page
//! starts: often the key of the last item, which may name a record).
//! Services hand callers a [`Cursor`] instead: the position encrypted and
//! authenticated with XChaCha20-Poly1305, the query's *scope* (which list,
//! with which filters) as associated data. A caller learns nothing from a
//! cursor; one that was altered, or replayed against another list, fails to
//! open and becomes [`Error::InvalidCursor`].
//!
//! The nonce is derived from the scope and the position (HMAC-SHA256, as
//! in SIV constructions), so the same page always gets the same cursor and
//! no randomness is needed; a separate key, derived from the codec's key,
//! encrypts. Being the same, a cursor sealed lately is remembered (the same
//! page of the same list is asked for again and again) rather than sealed
//! again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::Error;
use crate::model::Cursor;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the nonce at the front of a cursor.
const NONCE_LEN: usize = 24;

/// How many sealed cursors are remembered; past that the memory starts
/// again empty.
const REMEMBERED: usize = 1024;

/// Seals and opens cursors with one secret key.
#[derive(Clone)]
pub struct CursorCodec {
    /// Derives nonces.
    nonce_key: [u8; 32],
    /// Encrypts.
    cipher: XChaCha20Poly1305,
    /// Cursors sealed lately, by [`memo_key`] (shared by clones).
    sealed: Arc<Mutex<HashMap<String, Cursor>>>,
}

/// One key for a scope and a position (the scope's length in front keeps
/// every pair apart).
fn memo_key(scope: &str, position: &str) -> String {
    format!("{}:{scope}{position}", scope.len())
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(..)")
    }
}

/// HMAC-SHA256 of `parts` (each followed by a zero byte) under `key`.
fn prf(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    for part in parts {
        mac.update(part);
        mac.update(&[0]);
    }
    mac.finalize().into_bytes().into()
}

impl CursorCodec {
    /// A codec with the given secret key (two keys are derived from it: one
    /// for nonces, one for encryption).
    pub fn new(key: [u8; 32]) -> Self {
        let nonce_key = prf(&key, &[b"copkit cursor nonce v1"]);
        let cipher_key = prf(&key, &[b"copkit cursor encryption v1"]);
        CursorCodec {
            nonce_key,
            cipher: XChaCha20Poly1305::new(&cipher_key.into()),
            sealed: Arc::default(),
        }
    }

    /// Seals a store position into a cursor bound to `scope` (or answers
    /// the one sealed for them lately: the same).
    pub fn encode(&self, scope: &str, position: &str) -> Result<Cursor, Error> {
        let key = memo_key(scope, position);
        let lock = || self.sealed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cursor) = lock().get(&key) {
            return Ok(cursor.clone());
        }
        let cursor = self.seal(scope, position)?;
        let mut sealed = lock();
        if sealed.len() >= REMEMBERED {
            sealed.clear();
        }
        sealed.insert(key, cursor.clone());
        Ok(cursor)
    }

    fn seal(&self, scope: &str, position: &str) -> Result<Cursor, Error> {
        let derived = prf(&self.nonce_key, &[scope.as_bytes(), position.as_bytes()]);
        let mut nonce = XNonce::default();
        nonce.copy_from_slice(&derived[..NONCE_LEN]);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: position.as_bytes(),
                    aad: scope.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("sealing a cursor".into()))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(Cursor(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Recovers the position from a cursor, if it was sealed by this codec
    /// for this `scope` and not altered.
    pub fn decode(&self, scope: &str, cursor: &Cursor) -> Result<String, Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.0.as_bytes())
            .map_err(|_| Error::InvalidCursor)?;
        if bytes.len() < NONCE_LEN {
            return Err(Error::InvalidCursor);
        }
        let (head, sealed) = bytes.split_at(NONCE_LEN);
        let mut nonce = XNonce::default();
        nonce.copy_from_slice(head);
        let position = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: scope.as_bytes(),
                },
            )
            .map_err(|_| Error::InvalidCursor)?;
        String::from_utf8(position).map_err(|_| Error::InvalidCursor)
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

    #[test]
    fn a_cursor_reveals_nothing_of_its_position() {
        // A position naming a hidden document's id.
        let position = "SPACE#s1\u{1f}01KJQ6ZK0000000000000HIDDEN";
        let cursor = codec().encode("documents|s1", position).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(cursor.0.as_bytes()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("HIDDEN") && !text.contains("SPACE"),
            "{text}"
        );
        assert!(!cursor.0.contains("HIDDEN"));
        // The same page always gets the same cursor; another page another.
        assert_eq!(codec().encode("documents|s1", position).unwrap(), cursor);
        assert_ne!(codec().encode("documents|s1", "other").unwrap(), cursor);
    }

    #[test]
    fn a_remembered_cursor_is_the_one_sealing_gives() {
        let codec = codec();
        for round in 0..3 {
            for i in 0..(REMEMBERED + 10) {
                let position = format!("p{i}");
                let cursor = codec.encode("scope", &position).unwrap();
                assert_eq!(
                    cursor,
                    codec.seal("scope", &position).unwrap(),
                    "round {round}"
                );
                assert_eq!(codec.decode("scope", &cursor).unwrap(), position);
            }
        }
        assert!(codec.sealed.lock().unwrap().len() <= REMEMBERED);
        // The scope and the position are kept apart in the memory.
        let a = codec.encode("ab", "c").unwrap();
        let b = codec.encode("a", "bc").unwrap();
        assert_ne!(a, b);
        assert_eq!(codec.decode("ab", &a).unwrap(), "c");
        assert_eq!(codec.decode("a", &b).unwrap(), "bc");
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
