//! Shared web plumbing: errors, the request context (session, language, CSRF), security
//! headers, forms, and the route table.

pub mod client;
pub mod community;
pub mod csv;
pub mod ctx;
pub mod error;
pub mod forms;
pub mod gate;
pub mod i18n;
pub mod refusal;
pub mod security;
pub mod xml;

use std::sync::Arc;

use actix_web::HttpResponse;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::DbPool;
use crate::error::AppError;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    /// One slot per pooled connection: requests queue here, in order and without a thread,
    /// for up to `YISHI_DB_WAIT_MS`, rather than inside the pool.
    pub connections: gate::Gate,
    /// Votes on one ballot: two at a time hold a connection, the rest queue without one.
    pub ballot_writers: gate::KeyedGate,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub secret: [u8; 32],
    pub mailer: crate::mail::Mailer,
    pub log_key: Arc<crate::transparency::checkpoint::LogKey>,
    /// Password hashes running at once (`YISHI_HASH_SLOTS`).
    pub hashing: gate::Gate,
    /// Images being decoded at once (`YISHI_IMAGE_SLOTS`).
    pub images: gate::Gate,
    /// Reverse proxies whose forwarding headers are believed (`YISHI_TRUSTED_PROXIES`).
    pub proxies: client::TrustedProxies,
}

impl AppState {
    /// Runs blocking database work off the async workers. Waiting too long — for a
    /// connection, or for another transaction's lock — is `Busy` (a 503), with the wait in
    /// its reason; the work is a transaction, so nothing of it was written.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let started = std::time::Instant::now();
        let slot = self.connections.enter().await?;
        let pool = self.pool.clone();
        let result = actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                AppError::Busy(format!("no database connection from the pool: {e}"))
            })?;
            f(&mut conn)
        })
        .await?;
        drop(slot);
        result.map_err(|e| busy_after(e, started.elapsed()))
    }
}

/// Gives a "too busy" database error its 503, and every 503 the time the request waited.
fn busy_after(e: AppError, waited: std::time::Duration) -> AppError {
    let waited = waited.as_millis();
    match e {
        AppError::Db(db) => {
            if let Some(why) = crate::db::disk_full_reason(&db) {
                return AppError::DiskFull(why.to_string());
            }
            match crate::db::busy_reason(&db) {
                Some(why) => AppError::Busy(format!("{why}; waited {waited} ms for the database")),
                None => AppError::Db(db),
            }
        }
        AppError::Busy(why) => {
            AppError::Busy(format!("{why}; waited {waited} ms for the database"))
        }
        other => other,
    }
}

/// Renders an askama page with the given status.
pub fn render<T: askama::Template>(
    status: actix_web::http::StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn page<T: askama::Template>(page: &T) -> Result<HttpResponse, AppError> {
    render(actix_web::http::StatusCode::OK, page)
}

/// POST-redirect-GET: a 303 to `to`.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to))
        .finish()
}

/// Where a client-supplied `next` or `back` may send the browser: a path on this site that
/// starts with a single `/`, holds only visible ASCII (no backslash, no control character,
/// no space) and parses as a relative reference that stays on this site; anything else goes
/// home. Every redirect whose target comes from the client goes through here.
pub fn safe_target(next: &str) -> &str {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let stays = || {
        let base = url::Url::parse("http://site.invalid/").ok()?;
        let to = base.join(next).ok()?;
        Some(to.origin() == base.origin())
    };
    if plain && stays() == Some(true) {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::safe_target;

    #[test]
    fn only_paths_on_this_site_are_redirect_targets() {
        for ok in ["/", "/c/liutang/items?page=2#c", "/c/liutang/ballots/3"] {
            assert_eq!(safe_target(ok), ok);
        }
        for bad in [
            "",
            "c/liutang",
            "//evil.example/x",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/\r\nSet-Cookie: a=b",
            "/\\evil.example",
            "/ /evil.example",
            "/\u{7f}x",
            "/c/柳塘",
            "https://evil.example/",
        ] {
            assert_eq!(safe_target(bad), "/", "{bad:?}");
        }
    }
}
