//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), always run
//! off the async workers, and on a server only inside a slot of `AppState::hashing`, so that
//! a burst of attempts cannot take more than a few times 19 MiB at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::web::error::AppError;
use crate::web::gate::Gate;

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

static HASHES_RUN: AtomicU64 = AtomicU64::new(0);

/// How many argon2 computations this process has run (hashes and checks): what the tests
/// count to prove that throttling happens before hashing.
pub fn hashes_run() -> u64 {
    HASHES_RUN.load(Ordering::Relaxed)
}

pub fn hash(password: &str) -> Result<String, AppError> {
    HASHES_RUN.fetch_add(1, Ordering::Relaxed);
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    HASHES_RUN.fetch_add(1, Ordering::Relaxed);
    argon2()
        .map(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A real hash of nothing in particular, checked when the account does not exist, so that an
/// unknown account costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("yishi-dummy-password-for-timing").unwrap_or_default())
}

/// Hashes inside a slot of `gate` (a 503 when none frees up in time).
pub async fn hash_async(gate: &Gate, password: String) -> Result<String, AppError> {
    let _slot = gate.enter().await?;
    actix_web::web::block(move || hash(&password)).await?
}

/// Verifies inside a slot of `gate` (a 503 when none frees up in time).
pub async fn verify_async(
    gate: &Gate,
    password: String,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let _slot = gate.enter().await?;
    verify_in_slot(password, stored).await
}

/// Verifies against `stored`, or against the dummy hash when there is no account, for a
/// caller that already holds a hashing slot.
pub async fn verify_in_slot(password: String, stored: Option<String>) -> Result<bool, AppError> {
    Ok(actix_web::web::block(move || match stored {
        Some(h) => verify(&password, &h),
        None => {
            verify(&password, dummy_hash());
            false
        }
    })
    .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = super::hash("柳塘村修路议事会").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify("柳塘村修路议事会", &h));
        assert!(!super::verify("柳塘村修路议事", &h));
        assert!(!super::verify("x", "not a hash"));
    }
}
