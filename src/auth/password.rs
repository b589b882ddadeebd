//! Password hashing with argon2id (the crate's defaults are OWASP's: 19 MiB, 2 passes, 1 lane),
//! always off the async runtime.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// A hash of a password nobody knows: verifying against it for an unknown email takes as long
/// as a real check, so response times do not reveal which emails have accounts.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("an unknown account has no password").unwrap_or_default());

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("argon2 hash failed: {e}"))?;
    Ok(hash.to_string())
}

/// Hashes a new password (argon2id, random salt) on the blocking pool.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .context("password hashing task failed")?
}

/// Checks a password against a stored hash, or against the dummy hash when there is none.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        ok && known
    })
    .await
    .context("password verification task failed")
}

/// Letters and digits that cannot be mistaken for one another when read out or copied by hand.
const TEMPORARY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A random temporary password for the operator to hand over, like `k7vq-m3xp-9hta-w2ce`
/// (16 characters of a 31-letter alphabet: about 79 bits).
pub fn random_temporary() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..4)
                .map(|_| {
                    let i = rng.random_range(0..TEMPORARY_ALPHABET.len());
                    char::from(TEMPORARY_ALPHABET[i])
                })
                .collect()
        })
        .collect();
    groups.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn temporary_passwords_are_random_and_pass_the_password_rule() {
        let owner = crate::auth::password_rules::Owner {
            email: "mia@example.com",
            name: "Mia Manager",
        };
        let a = random_temporary();
        assert_eq!(a.len(), 19);
        assert_ne!(a, random_temporary());
        assert!(crate::auth::password_rules::check("password", &a, owner).is_ok());
    }
}
