//! Shared web plumbing: errors, the request context (session, language, CSRF), security
//! headers, forms, and the route table.

pub mod csv;
pub mod ctx;
pub mod error;
pub mod forms;
pub mod gate;
pub mod i18n;
pub mod routes;
pub mod security;
pub mod xml;

use std::sync::Arc;

use actix_web::HttpResponse;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::DbPool;
use error::AppError;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub secret: [u8; 32],
    pub mailer: crate::mail::Mailer,
    pub log_key: Arc<crate::transparency::checkpoint::LogKey>,
    /// Password hashes running at once (`YISHI_HASH_SLOTS`).
    pub hashing: gate::Gate,
    /// Images being decoded at once (`YISHI_IMAGE_SLOTS`).
    pub images: gate::Gate,
}

impl AppState {
    /// Runs blocking database work off the async workers.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
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

/// Formats a timestamp for display (UTC+8, the time every user here lives in).
pub fn fmt_time(t: &chrono::NaiveDateTime) -> String {
    (*t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
