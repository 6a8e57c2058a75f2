//! Errors. Handlers return `Result<_, AppError>`: use `NotFound`/`Forbidden` for what the
//! user asked wrongly, `SignIn` when a page needs a signed-in user, and let `?` turn database
//! and pool failures into `Db`/`Internal` (a 500, which is a bug). Bad form input is not an
//! error: the handler re-renders the form with messages and status 422.
//!
//! The error pages themselves are rendered by `render_error_page`, in the user's language.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;

use super::forms::Resend;
use super::i18n::{Lang, Tr};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    SignIn(String),
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
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
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
            AppError::SignIn(_) => StatusCode::SEE_OTHER,
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
            AppError::Db(_) | AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                HttpResponse::InternalServerError().finish()
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    title: &'static str,
    message: &'static str,
    /// On a 503 after a form post: the form again, to send with one button.
    resend: Option<ResendForm>,
}

struct ResendForm {
    action: String,
    fields: Vec<(String, String)>,
    token: String,
    dropped_password: bool,
}

/// The form a busy page offers to send again: the post's own URL and fields.
fn resend_form(req: &actix_web::HttpRequest) -> Option<ResendForm> {
    if req.method() != actix_web::http::Method::POST {
        return None;
    }
    let kept = req.extensions().get::<Resend>().cloned()?;
    let action = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.path().to_string());
    Some(ResendForm {
        action,
        fields: kept.fields,
        token: kept.token,
        dropped_password: kept.dropped_password,
    })
}

/// Gives every bare error response (no content type yet) a page in the user's language.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.response().headers().contains_key(header::CONTENT_TYPE) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let lang = res
        .request()
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_else(|| Lang::from_request_headers(res.request()));
    let t = Tr(lang);
    let key = match status.as_u16() {
        400 => "error.400",
        403 => "error.403",
        404 => "error.404",
        405 => "error.405",
        413 => "error.413",
        503 => "error.503",
        _ => "error.500",
    };
    let resend = if status == StatusCode::SERVICE_UNAVAILABLE {
        resend_form(res.request())
    } else {
        None
    };
    let page = ErrorPage {
        t,
        status: status.as_u16(),
        title: t.t(&format!("{key}.title")),
        message: t.t(&format!("{key}.message")),
        resend,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), page.title));
    let retry_after = res.response().headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let mut response = HttpResponse::build(status);
    if let Some(v) = retry_after {
        response.insert_header((header::RETRY_AFTER, v));
    }
    let response = response.content_type("text/html; charset=utf-8").body(body);
    let res = ServiceResponse::new(req, response).map_into_boxed_body();
    Ok(ErrorHandlerResponse::Response(
        res.map_body(|_, b: BoxBody| EitherBody::right(b)),
    ))
}
