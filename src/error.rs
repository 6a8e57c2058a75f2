//! The one error type. Handlers, services and models return `Result<_, AppError>`: use
//! `NotFound`/`Forbidden` for what the user asked wrongly, `SignIn` when a page needs a
//! signed-in user, and let `?` turn database and pool failures into `Db`/`Internal` (a 500,
//! which is a bug). Bad form input is not an error: the handler re-renders the form with
//! messages and status 422. The error pages themselves are rendered in `web::error`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignIn(String),
    /// A resident-only page asked for by someone whose request to join (the community's
    /// slug) waits for the committee: they are sent to the join page, which says what next.
    #[error("waiting for verification")]
    Awaiting(String),
    #[error("cross-site request refused")]
    CrossSite,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request too large")]
    TooLarge,
    /// The server is too busy to take this request now (no database connection or hashing
    /// slot in time, a lock timeout, retries exhausted): a 503 with `Retry-After`, nothing
    /// written. Logged as a warning, not as an error.
    #[error("busy: {0}")]
    Busy(String),
    /// The disk is full: the write was refused and nothing of it kept; reads go on. A 507
    /// with the form to send again, logged as an error (someone must free space).
    #[error("disk full: {0}")]
    DiskFull(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A file write that failed: `DiskFull` when the disk (or quota) is full, else a 500.
    pub fn from_io(what: &str, e: std::io::Error) -> AppError {
        if matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        ) {
            AppError::DiskFull(format!("{what}: {e}"))
        } else {
            AppError::Internal(format!("{what}: {e}"))
        }
    }
}

/// What a 503 asks the client to wait before trying again.
pub const RETRY_AFTER_SECONDS: u32 = 5;

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Internal(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::DiskFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::SignIn(_) | AppError::Awaiting(_) => StatusCode::SEE_OTHER,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::SignIn(next) => {
                let to = format!(
                    "/signin?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, to))
                    .finish()
            }
            AppError::Awaiting(slug) => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/c/{slug}/join?waiting=1")))
                .finish(),
            AppError::Db(_) | AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                HttpResponse::InternalServerError().finish()
            }
            AppError::DiskFull(why) => {
                tracing::error!(reason = %why, "disk full: write refused");
                HttpResponse::build(StatusCode::INSUFFICIENT_STORAGE).finish()
            }
            AppError::Busy(why) => {
                tracing::warn!(reason = %why, "busy: answered 503");
                HttpResponse::ServiceUnavailable()
                    .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()))
                    .finish()
            }
            _ => HttpResponse::build(self.status_code()).finish(),
        }
    }
}
