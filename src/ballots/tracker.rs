//! Tracker codes for secret ballots: 140 random bits as 28 Crockford base-32 characters,
//! shown in groups of four so that a voter can copy them onto paper.
//!
//! The server issues the code with the voting form, together with a seal: an HMAC, keyed with
//! the site secret, over (ballot, voter, code). A vote is taken only with a code sealed for
//! that ballot and that voter, so nobody can choose their own code (all zeros, or one agreed
//! with a vote buyer) or use another's. The seal is never stored, and the code is random
//! rather than derived from the voter, so neither the key nor the database, nor both, say
//! whose code is whose.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// Crockford's alphabet: no I, L, O or U, so a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LEN: usize = 28;

// 28 characters of 5 bits each: 140 bits, more than the 128 a tracker needs.
const _: () = assert!(LEN * 5 >= 128);

pub fn generate() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..LEN)
        .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
        .collect()
}

/// The seal of `code` for this ballot and this voter (the household on a household ballot).
pub fn seal(secret: &[u8; 32], ballot_id: i64, voter_key: i64, code: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"tracker:");
    mac.update(&ballot_id.to_be_bytes());
    mac.update(&voter_key.to_be_bytes());
    mac.update(code.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Was `code` issued for this ballot and this voter?
pub fn is_sealed(
    secret: &[u8; 32],
    ballot_id: i64,
    voter_key: i64,
    code: &str,
    given: &str,
) -> bool {
    is_valid(code)
        && crate::text::constant_time_eq(
            seal(secret, ballot_id, voter_key, code).as_bytes(),
            given.trim().as_bytes(),
        )
}

/// The code as shown: `K7QM-3XV9-…`.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What a person typed, read as a code or a prefix of one: dashes and spaces dropped, case
/// ignored, and the letters Crockford reads as digits (O → 0, I and L → 1) mapped.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// A full code of the right length and alphabet.
pub fn is_valid(code: &str) -> bool {
    code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))
}

/// A prefix a person may search the board by: at least four characters of the alphabet.
pub fn is_valid_prefix(p: &str) -> bool {
    (4..=LEN).contains(&p.len()) && p.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_valid_and_differ() {
        let a = generate();
        let b = generate();
        assert!(is_valid(&a) && is_valid(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn a_grouped_code_reads_back_as_itself() {
        let code = generate();
        let shown = grouped(&code);
        assert_eq!(shown.len(), LEN + LEN / 4 - 1);
        assert_eq!(normalize(&shown), code);
        assert_eq!(normalize(&shown.to_lowercase()), code);
    }

    #[test]
    fn lookalike_letters_are_read_as_digits() {
        assert_eq!(normalize("o0 iI-lL"), "001111");
    }

    #[test]
    fn a_seal_holds_for_its_ballot_voter_and_code_only() {
        let key = [7u8; 32];
        let code = generate();
        let s = seal(&key, 1, 2, &code);
        assert!(is_sealed(&key, 1, 2, &code, &s));
        assert!(!is_sealed(&key, 1, 3, &code, &s), "another voter");
        assert!(!is_sealed(&key, 4, 2, &code, &s), "another ballot");
        assert!(!is_sealed(&key, 1, 2, &generate(), &s), "another code");
        assert!(!is_sealed(&[8u8; 32], 1, 2, &code, &s), "another key");
        let zeros = "0".repeat(LEN);
        assert!(!is_sealed(&key, 1, 2, &zeros, ""), "no seal");
    }

    #[test]
    fn prefixes_need_four_characters() {
        assert!(!is_valid_prefix("ABC"));
        assert!(is_valid_prefix("ABCD"));
        assert!(!is_valid_prefix("ABC%"));
        assert!(!is_valid("ABCD"));
    }
}
