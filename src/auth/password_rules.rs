//! The one rule for a new password, on every path that sets one (first-run setup, the users page
//! and `POST /users`, the command line, the user's own change, a reset): long enough, free of the
//! person's name and email name, and not easy to guess. "Easy to guess" is zxcvbn's estimate, with
//! the person's details as hints: it knows the 30,000 most common passwords, English words and
//! names, keyboard patterns, dates and l33t spellings of them all.

use zxcvbn::Score;

use crate::accounts::FieldError;

/// Shorter passwords are refused before anything else is looked at.
pub const MIN_CHARS: usize = 10;
/// Longer ones too: argon2's input (and zxcvbn's work) stays bounded.
pub const MAX_CHARS: usize = 200;
/// zxcvbn's score for at least 10^8 estimated guesses. Every one of the 10,000 most common
/// passwords scores lower (those of 10 characters or more score at most 1), and so do the usual
/// variations on them: `Summer2024!` scores 2, `Password123!` 1.
const MIN_SCORE: Score = Score::Three;
/// Name parts and email names shorter than this are too likely to turn up by chance.
const MIN_PERSONAL_CHARS: usize = 3;

/// Whose password it is: what must not be in it.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub email: &'a str,
    pub name: &'a str,
}

/// The message for a password that holds the person's name or email name.
pub const PERSONAL: &str =
    "Leave the name and the email name (the part before the @) out of the password.";
/// The message for a password that is common or close to a common one.
pub const GUESSABLE: &str =
    "This password is too common or too easy to guess; a few unrelated words make a strong one.";

/// Whether `password` may be set for `owner`; the error names `field` (the form's or the JSON
/// body's name for it).
pub fn check(field: &'static str, password: &str, owner: Owner<'_>) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(FieldError::new(
            field,
            format!("Use at least {MIN_CHARS} characters."),
        ));
    }
    if n > MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("Use at most {MAX_CHARS} characters."),
        ));
    }
    let personal = personal_parts(owner);
    let lower = password.to_lowercase();
    if personal.iter().any(|part| lower.contains(part.as_str())) {
        return Err(FieldError::new(field, PERSONAL));
    }
    let mut hints: Vec<&str> = personal.iter().map(String::as_str).collect();
    hints.push(owner.email);
    if zxcvbn::zxcvbn(password, &hints).score() < MIN_SCORE {
        return Err(FieldError::new(field, GUESSABLE));
    }
    Ok(())
}

/// The lower-cased email name (before the `@`) and each part of the name (split at anything
/// that is not a letter or digit), those of at least [`MIN_PERSONAL_CHARS`] characters.
fn personal_parts(owner: Owner<'_>) -> Vec<String> {
    let email_name = owner.email.trim().split('@').next().unwrap_or_default();
    std::iter::once(email_name)
        .chain(owner.name.split(|c: char| !c.is_alphanumeric()))
        .map(str::to_lowercase)
        .filter(|p| p.chars().count() >= MIN_PERSONAL_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ANN: Owner<'static> = Owner {
        email: "ann.lee@example.com",
        name: "Ann-Marie Okafor",
    };

    fn message(password: &str) -> Option<String> {
        check("password", password, ANN).err().map(|e| e.message)
    }

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        assert_eq!(
            message("nine char").as_deref(),
            Some("Use at least 10 characters.")
        );
        assert_eq!(
            message(&"x".repeat(201)).as_deref(),
            Some("Use at most 200 characters.")
        );
    }

    #[test]
    fn well_known_passwords_are_refused() {
        for common in [
            "password1",
            "qwerty123",
            "iloveyou",
            "Summer2024!",
            "Password123!",
            "1234567890",
            "qwertyuiop",
            "letmein123",
            "P@ssw0rd2024",
            "Welcome2024",
            "sunshine123",
            "1q2w3e4r5t6y",
            "baseball2020",
        ] {
            assert!(message(common).is_some(), "{common} was accepted");
        }
        assert_eq!(message("password123").as_deref(), Some(GUESSABLE));
    }

    #[test]
    fn passwords_with_the_email_name_are_refused_in_any_case() {
        assert_eq!(message("my ANN.LEE secret 77").as_deref(), Some(PERSONAL));
    }

    #[test]
    fn passwords_with_a_part_of_the_name_are_refused_in_any_case() {
        assert_eq!(message("river okafor stone").as_deref(), Some(PERSONAL));
        assert_eq!(message("Marie loves stones").as_deref(), Some(PERSONAL));
    }

    #[test]
    fn short_name_parts_and_email_names_do_not_count() {
        let bo = Owner {
            email: "bo@example.com",
            name: "Bo Li",
        };
        assert!(check("password", "bolt lion river gate", bo).is_ok());
    }

    #[test]
    fn strong_unrelated_passwords_pass_and_the_field_is_named() {
        assert!(check("password", "correct horse battery", ANN).is_ok());
        assert!(check("password", "plum vortex gazebo 41", ANN).is_ok());
        let e = check("new_password", "password1", ANN).unwrap_err();
        assert_eq!(e.field, "new_password");
    }

    proptest! {
        #[test]
        fn adding_a_name_part_anywhere_refuses_a_password(
            part in "[a-z]{3,12}",
            upper in proptest::collection::vec(any::<bool>(), 12),
            before in "[a-z0-9 ]{0,8}",
            after in "[a-z0-9 ]{0,8}",
        ) {
            let name = format!("Zed {part}");
            let owner = Owner { email: "someone@example.com", name: &name };
            let cased: String = part
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
                .collect();
            let password = format!("{before}plum vortex {cased}{after}");
            prop_assert_eq!(
                check("password", &password, owner).map_err(|e| e.message),
                Err(PERSONAL.to_string())
            );
        }

        #[test]
        fn every_accepted_password_is_of_a_fair_length_and_free_of_the_email_name(
            password in "\\PC{0,40}",
        ) {
            if check("password", &password, ANN).is_ok() {
                let n = password.chars().count();
                prop_assert!((MIN_CHARS..=MAX_CHARS).contains(&n));
                prop_assert!(!password.to_lowercase().contains("ann.lee"));
                prop_assert!(!password.to_lowercase().contains("okafor"));
            }
        }
    }
}
