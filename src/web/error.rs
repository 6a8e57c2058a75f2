//! Error pages: every bare error response (the status an `AppError` answered with) gets a
//! page in the user's language by `render_error_page`; a busy page (503) after a form post
//! offers the form again (`Resend`). The error type itself is `crate::error::AppError`.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, HttpResponse};
use askama::Template;

use super::i18n::{Lang, Tr};

/// What a url-encoded form post carried, kept with the request so that a "busy" page (503)
/// can offer to send it again: every field but the CSRF token and passwords. Multipart posts
/// (files) are never kept.
#[derive(Clone, Debug, Default)]
pub struct Resend {
    pub fields: Vec<(String, String)>,
    /// The token the page's form carries: the session's own once the post's was checked;
    /// before that, the one posted, which is checked again when the form comes back.
    pub token: String,
    /// A password was left out: the user types it again.
    pub dropped_password: bool,
}

impl Resend {
    pub fn from_body(body: &[u8]) -> Resend {
        let mut resend = Resend::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            if name == "_csrf" {
                resend.token = value.into_owned();
            } else if name.to_lowercase().contains("password") {
                resend.dropped_password = true;
            } else {
                resend.fields.push((name.into_owned(), value.into_owned()));
            }
        }
        resend
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    title: String,
    message: String,
    /// On a 503 or 507 after a form post: the form again, to send with one button.
    resend: Option<ResendForm>,
    resend_message: &'static str,
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
    // On a village's or a neighbourhood's page: its own words (村委会, not 村（居）委会).
    let kind = res
        .request()
        .extensions()
        .get::<super::ctx::Place>()
        .and_then(|p| p.kind());
    let said = |text: &str| match kind {
        Some(kind) => super::i18n::for_kind(text, kind),
        None => text.to_string(),
    };
    let key = match status.as_u16() {
        400 => "error.400",
        403 => "error.403",
        404 => "error.404",
        405 => "error.405",
        413 => "error.413",
        503 => "error.503",
        507 => "error.507",
        _ => "error.500",
    };
    let resend = if status == StatusCode::SERVICE_UNAVAILABLE
        || status == StatusCode::INSUFFICIENT_STORAGE
    {
        resend_form(res.request())
    } else {
        None
    };
    let page = ErrorPage {
        t,
        status: status.as_u16(),
        title: said(t.t(&format!("{key}.title"))),
        message: said(t.t(&format!("{key}.message"))),
        resend_message: match resend {
            Some(_) => t.t(&format!("{key}.resend_message")),
            None => "",
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resent_form_keeps_the_fields_but_not_the_token_or_passwords() {
        let r = Resend::from_body(
            b"_csrf=abc&contact=138&password=s3cret&new_password_confirm=x&body=%3Cb%3E+1",
        );
        assert_eq!(
            r.fields,
            vec![
                ("contact".to_string(), "138".to_string()),
                ("body".to_string(), "<b> 1".to_string())
            ]
        );
        assert_eq!(r.token, "abc");
        assert!(r.dropped_password);
    }
}
