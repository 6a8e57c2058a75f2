//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), always run
//! off the async workers, and on a server only inside a slot of `AppState::hashing`, so that
//! a burst of attempts cannot take more than a few times 19 MiB at once. The 19 MiB work
//! areas are kept and reused rather than freed, so that memory after a burst stays where it
//! was instead of lingering in the allocator's per-thread arenas.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::AppError;
use crate::web::gate::Gate;

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn params() -> Result<Params, AppError> {
    Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))
}

static HASHES_RUN: AtomicU64 = AtomicU64::new(0);

/// How many argon2 computations this process has run (hashes and checks): what the tests
/// count to prove that throttling happens before hashing.
pub fn hashes_run() -> u64 {
    HASHES_RUN.load(Ordering::Relaxed)
}

/// Work areas kept for reuse; no more than this many are kept (one per hashing slot is
/// what a server needs).
const KEPT_AREAS: usize = 16;
static AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs argon2 with `params` into `out`, in a reused work area.
fn compute(
    argon: &Argon2<'_>,
    blocks_needed: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    HASHES_RUN.fetch_add(1, Ordering::Relaxed);
    let taken = AREAS.lock().ok().and_then(|mut kept| kept.pop());
    let mut area = match taken {
        Some(a) if a.len() == blocks_needed => a,
        _ => vec![Block::default(); blocks_needed],
    };
    let result = argon.hash_password_into_with_memory(password, salt, out, &mut area[..]);
    if let Ok(mut kept) = AREAS.lock() {
        if kept.len() < KEPT_AREAS {
            kept.push(area);
        }
    }
    result
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("argon2: {e}"));
    let params = params()?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        compute(
            &argon,
            params.block_count(),
            password.as_bytes(),
            salt_bytes,
            out,
        )
        .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .ok()
        .flatten()
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    Output::init_with(expected.len(), |out| {
        compute(&argon, blocks, password.as_bytes(), salt_bytes, out)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    // `Output`'s equality is constant-time.
    .is_ok_and(|computed| computed == expected)
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
