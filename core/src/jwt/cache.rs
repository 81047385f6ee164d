//! A bounded cache of verified tokens, keyed by the SHA-256 of the token. An entry is used only
//! while `now` is inside the span where every time check passed (never past `exp` plus
//! leeway), and revocation is checked again on every hit. Tokens without `exp` are not cached.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::decision::Principal;

#[derive(Clone)]
pub(crate) struct Entry {
    pub principal: Principal,
    pub jti: Option<String>,
    pub valid_from: i64,
    pub valid_until: i64,
}

pub(crate) struct Cache {
    capacity: usize,
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

pub(crate) fn token_id(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Cache {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The entry for `id` if it is valid at `now`; a stale entry is dropped.
    pub(crate) fn get(&self, id: &[u8; 32], now: i64) -> Option<Entry> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(id)?;
        if now >= entry.valid_from && now < entry.valid_until {
            return Some(entry.clone());
        }
        entries.remove(id);
        None
    }

    /// Stores an entry; when full, expired entries are swept, and if none were the entry is
    /// not stored (the cache never grows past its capacity).
    pub(crate) fn put(&self, id: [u8; 32], entry: Entry, now: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.retain(|_, e| e.valid_until > now);
            if entries.len() >= self.capacity {
                return;
            }
        }
        entries.insert(id, entry);
    }

    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
