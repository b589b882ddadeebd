//! The one-time setup code of a public server's first run: until the first team exists, whoever
//! reaches /setup could become its manager, so a public server asks for a code that only the
//! operator can read (in the server's log). Random, so a plain SHA-256 is enough to keep it.

use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db::{setup_codes, users};

/// Letters and digits that cannot be mistaken for one another when copied from a log.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Four groups of five characters, about 98 bits.
fn generate() -> String {
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect()
        })
        .collect();
    groups.join("-")
}

/// The stored form of a code as typed (surrounding blanks and case do not matter).
pub fn digest(code: &str) -> Vec<u8> {
    Sha256::digest(code.trim().to_ascii_lowercase().as_bytes()).to_vec()
}

/// A new code for this instance, its hash stored, while no team exists; `None` once one does.
/// Startup prints it in the log (and tests read it from here).
pub async fn issue(db: &PgPool) -> sqlx::Result<Option<String>> {
    if users::any_team(db).await? {
        return Ok(None);
    }
    let code = generate();
    setup_codes::insert(db, &digest(&code)).await?;
    Ok(Some(code))
}

/// Whether `code` is one that an instance printed.
pub async fn is_valid(db: &PgPool, code: &str) -> sqlx::Result<bool> {
    if code.trim().is_empty() {
        return Ok(false);
    }
    setup_codes::exists(db, &digest(code)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fresh_and_typed_forgivingly() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert_eq!(digest(&a), digest(&format!("  {} ", a.to_uppercase())));
    }
}
