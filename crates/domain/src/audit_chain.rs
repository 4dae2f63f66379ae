//! The audit trail's hash chain. Each row's hash covers its own content and the previous
//! row's hash, so changing, removing or reordering any row breaks every later link.

use sha2::{Digest, Sha256};

/// The hash the first row links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit row that the hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditContent<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub at: &'a str,
    pub company_id: Option<&'a str>,
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub store_id: Option<&'a str>,
    pub details: &'a str,
    pub client_ip: Option<&'a str>,
}

/// SHA-256 over the previous hash and every field, length-prefixed so that no two different
/// rows can serialize to the same bytes.
pub fn row_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    let seq = c.seq.to_string();
    let fields: [Option<&str>; 14] = [
        Some(prev_hash),
        Some(&seq),
        Some(c.id),
        Some(c.at),
        c.company_id,
        Some(c.actor_kind),
        c.actor_id,
        c.actor_name,
        Some(c.action),
        c.target_type,
        c.target_id,
        c.store_id,
        Some(c.details),
        c.client_ip,
    ];
    for f in fields {
        match f {
            None => h.update(b"\xff"),
            Some(s) => {
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(details: &str) -> AuditContent<'_> {
        AuditContent {
            seq: 1,
            id: "a",
            at: "2026-01-01T00:00:00.000000Z",
            company_id: None,
            actor_kind: "user",
            actor_id: Some("u"),
            actor_name: Some("admin"),
            action: "login.succeeded",
            target_type: None,
            target_id: None,
            store_id: None,
            details,
            client_ip: None,
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let a = row_hash(GENESIS_HASH, &content("{}"));
        assert_eq!(a, row_hash(GENESIS_HASH, &content("{}")));
        assert_ne!(a, row_hash(GENESIS_HASH, &content("{ }")));
        assert_ne!(a, row_hash(&a, &content("{}")));
        let mut c = content("{}");
        c.target_id = Some("");
        assert_ne!(a, row_hash(GENESIS_HASH, &c), "None and empty differ");
    }
}
