//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), always run
//! off the async workers.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::web::error::AppError;

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash(password: &str) -> Result<String, AppError> {
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

pub async fn hash_async(password: String) -> Result<String, AppError> {
    actix_web::web::block(move || hash(&password)).await?
}

/// Verifies against `stored`, or against the dummy hash when there is no account.
pub async fn verify_async(password: String, stored: Option<String>) -> Result<bool, AppError> {
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
