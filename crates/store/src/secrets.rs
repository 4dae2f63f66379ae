//! Secrets: random tokens (≥128 bits), their SHA-256 digests for storage, and Argon2id password
//! hashing run off the async runtime (it deliberately costs ~19 MiB and tens of milliseconds).

use crate::error::{StoreError, StoreResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// A random token of 256 bits with a readable prefix, e.g. `sps_…` for sessions.
pub fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 hex digest; tokens are stored only as this.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two equal-length digests.
pub fn digest_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn argon2() -> Argon2<'static> {
    // OWASP's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, verified against when the username is unknown so that
/// unknown user and wrong password take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not-a-real-password-9f3c"));

fn hash_blocking(secret: &str) -> String {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    argon2()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 hashing with valid params")
        .to_string()
}

fn verify_blocking(secret: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2().verify_password(secret.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Hashes a password or PIN into a PHC string, on a blocking thread.
pub async fn hash_password(secret: String) -> StoreResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&secret))
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))
}

/// Verifies `secret` against a PHC string, or against a dummy hash when there is none, on a
/// blocking thread.
pub async fn verify_password(secret: String, phc: Option<String>) -> StoreResult<bool> {
    tokio::task::spawn_blocking(move || match phc {
        Some(p) => verify_blocking(&secret, &p),
        None => {
            verify_blocking(&secret, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_params() {
        let h = hash_password("Kassa-Tests-2026!x".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(
            verify_password("Kassa-Tests-2026!x".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong".into(), Some(h)).await.unwrap());
        assert!(!verify_password("x".into(), None).await.unwrap());
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token("sps_");
        assert!(a.len() >= 4 + 43);
        assert_ne!(a, random_token("sps_"));
        assert!(digest_eq(&sha256_hex(&a), &sha256_hex(&a)));
        assert!(!digest_eq(&sha256_hex(&a), &sha256_hex("b")));
    }
}
