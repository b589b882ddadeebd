//! API tokens: 32 random bytes shown once as hex with a prefix; only their SHA-256 is stored.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Tokens start with this so they are recognisable in logs and secret scanners.
const PREFIX: &str = "sc_";

/// A fresh token and the hash to store for it.
pub fn generate() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", hex::encode(bytes));
    let hash = digest(&token);
    (token, hash)
}

/// The stored form of a presented token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_to_their_digest() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("sc_") && a.len() == 3 + 64);
        assert_eq!(digest(&a), ha);
    }
}
