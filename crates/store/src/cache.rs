//! Short-lived in-process caches of what nearly every register request reads and what rarely
//! changes: the caller behind a token, a register's store settings, the tender types, the
//! company's currency.
//!
//! Entries live [`TTL`]; writes in this process that change them clear them at once, and other
//! app servers' changes are seen within the TTL. What the TTL may delay is spelled out where
//! each cache is used (e.g. a disabled user's sessions end everywhere within 2 seconds).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries kept at most (then the cache starts over).
const MAX_ENTRIES: usize = 50_000;

/// A map whose entries expire after [`TTL`].
pub struct Ttl<K, V> {
    map: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Default for Ttl<K, V> {
    fn default() -> Self {
        Ttl {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    /// The value of `key` if it was put less than [`TTL`] ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers `value` for `key`.
    pub fn put(&self, key: K, value: V) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, (Instant::now(), value));
    }

    /// Forgets everything (after a write that may have changed any entry).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The caches of one database.
#[derive(Default)]
pub struct Caches {
    /// Token hash → the authenticated caller, and the moment its session expires (unix
    /// seconds; `None` for API keys), so an expired session is never served from the cache.
    pub principals: Ttl<String, (crate::Principal, Option<i64>)>,
    /// (company, register id) → the register's context.
    pub registers: Ttl<(String, String), crate::orders::context::RegisterContext>,
    /// Company → its tender types.
    pub tenders: Ttl<String, Vec<crate::payments::tender_types::TenderType>>,
    /// Company → its currency (every product read shows it).
    pub currencies: Ttl<String, String>,
    /// Company → its loyalty programme and points rules (read by every batch with members).
    pub loyalty: Ttl<
        String,
        (
            crate::customers::accounts::Program,
            crate::customers::accounts::CategoryRates,
        ),
    >,
}

impl Caches {
    /// Forgets everything: after a change of master data (stores, registers, channels,
    /// company settings, tender types, users, tiers and the loyalty programme), which is rare next
    /// to sales.
    pub fn forget_all(&self) {
        self.principals.clear();
        self.registers.clear();
        self.tenders.clear();
        self.currencies.clear();
        self.loyalty.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_clear() {
        let c: Ttl<u8, u8> = Ttl::default();
        c.put(1, 10);
        assert_eq!(c.get(&1), Some(10));
        c.clear();
        assert_eq!(c.get(&1), None);
        let old: Ttl<u8, u8> = Ttl::default();
        old.map
            .lock()
            .unwrap()
            .insert(2, (Instant::now() - TTL - Duration::from_millis(1), 20));
        assert_eq!(
            old.get(&2),
            None,
            "an entry older than the TTL is not trusted"
        );
    }
}
