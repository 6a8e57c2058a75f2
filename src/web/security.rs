//! Cross-site request refusal, the anonymous visitor cookie, and the security headers every
//! response carries.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use rand::RngCore;

use super::ctx::AnonId;
use super::i18n::{Lang, Tr};
use super::AppState;
use crate::config::Config;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Is an unsafe request from another site? `Sec-Fetch-Site` decides where the browser sends
/// it; otherwise `Origin` must name this site; a request with neither (curl, old browsers)
/// passes here and still needs its CSRF token.
pub fn is_cross_site(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: &str,
    base_url: Option<&str>,
) -> bool {
    if let Some(site) = sec_fetch_site {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = origin else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    if !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host) {
        return false;
    }
    match base_url {
        Some(base) => !base.trim_end_matches('/').eq_ignore_ascii_case(origin),
        None => true,
    }
}

/// Builds every cookie the site sets, with the same safe defaults.
pub fn cookie(
    config: &Config,
    name: &'static str,
    value: String,
    max_age_days: i64,
) -> Cookie<'static> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure)
        .finish();
    if max_age_days > 0 {
        c.set_max_age(actix_web::cookie::time::Duration::days(max_age_days));
    } else if max_age_days < 0 {
        c.make_removal();
    }
    c
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(actix_web::error::ErrorInternalServerError("no app state"));
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        let header_str = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        let host = req.connection_info().host().to_string();
        if is_cross_site(
            header_str("sec-fetch-site"),
            header_str("origin"),
            &host,
            state.config.base_url.as_deref(),
        ) {
            let t = Tr(Lang::from_request_headers(req.request()));
            let res = HttpResponse::Forbidden()
                .content_type("text/plain; charset=utf-8")
                .body(t.t("error.cross_site"));
            return Ok(with_headers(req.into_response(res).map_into_right_body()));
        }
    }
    let anon_name = state.config.anon_cookie();
    let new_anon = match req.cookie(anon_name) {
        Some(c) if c.value().len() == 32 => {
            req.extensions_mut().insert(AnonId(c.value().to_string()));
            None
        }
        _ => {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let id = hex::encode(bytes);
            req.extensions_mut().insert(AnonId(id.clone()));
            Some(id)
        }
    };
    let mut res = next.call(req).await?;
    if let Some(id) = new_anon {
        let c = cookie(&state.config, anon_name, id, 365);
        res.response_mut().add_cookie(&c).ok();
    }
    Ok(with_headers(res.map_into_left_body()))
}

fn with_headers<B>(mut res: ServiceResponse<B>) -> ServiceResponse<B> {
    let h = res.headers_mut();
    let set = |h: &mut header::HeaderMap, name: &'static str, value: &'static str| {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    // A handler that sets its own policy keeps it: an attached file's `sandbox` is stricter
    // than the site's, and replacing it would let a PDF run as part of the site.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, "content-security-policy", CSP);
    }
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "x-frame-options", "DENY");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    res
}

#[cfg(test)]
mod tests {
    use super::is_cross_site;

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(Some("same-origin"), None, "a.cn", None));
        assert!(!is_cross_site(Some("none"), None, "a.cn", None));
        assert!(is_cross_site(
            Some("cross-site"),
            Some("https://a.cn"),
            "a.cn",
            None
        ));
        assert!(is_cross_site(Some("same-site"), None, "a.cn", None));
    }

    #[test]
    fn origin_must_match_host_or_base_url() {
        assert!(!is_cross_site(
            None,
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080",
            None
        ));
        assert!(is_cross_site(
            None,
            Some("https://evil.example"),
            "a.cn",
            None
        ));
        assert!(!is_cross_site(
            None,
            Some("https://yishi.cn"),
            "10.0.0.5:8080",
            Some("https://yishi.cn/")
        ));
        assert!(is_cross_site(None, Some("null"), "a.cn", None));
        assert!(!is_cross_site(None, None, "a.cn", None));
    }
}
