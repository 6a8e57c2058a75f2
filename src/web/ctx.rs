//! The request context every page carries: who is signed in (from the session cookie),
//! the language, the CSRF token for forms, and the unread-notification count.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::i18n::{Lang, Tr};
use super::AppState;
use crate::accounts::model as accounts;
use crate::error::AppError;
use crate::text::constant_time_eq;

/// The cookie that remembers 长辈版 in this browser ("1" on, "0" off).
pub const ELDER_COOKIE: &str = "yishi_elder";
/// Set while 长辈版 was last chosen on this browser by nobody signed in: only such a choice
/// goes with the account signed in (or up) next, never one another account made here.
pub const ELDER_CHOSEN_COOKIE: &str = "yishi_elder_chosen";

/// The signed-in user, as the session found them.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub is_admin: bool,
    pub session_id: i64,
}

/// The anonymous visitor's random id, set by the security middleware; anchors their CSRF token.
#[derive(Clone, Debug)]
pub struct AnonId(pub String);

#[derive(Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub user: Option<SessionUser>,
    pub csrf: String,
    pub unread: i64,
    /// Path and query of this request, for "come back here after signing in".
    pub here: String,
    /// 长辈版: this browser's choice (a cookie), else the account's.
    pub elder: bool,
    /// The kind of the community this request is about, once loaded (see [`Ctx::in_kind`]);
    /// shared with the request, so that an error page says 村委会 or 居委会 too.
    pub place: Place,
}

/// The kind of community a request turned out to be about: set once, by
/// `web::community::load_community`, read by [`Ctx::t`] and the error pages.
#[derive(Clone, Debug, Default)]
pub struct Place(pub std::sync::Arc<std::sync::OnceLock<&'static str>>);

impl Place {
    pub fn kind(&self) -> Option<&'static str> {
        self.0.get().copied()
    }
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.tr.0
    }

    /// Interface text in the user's language; on a page of a village or a neighbourhood,
    /// with the combined words (村（居）委会, 本村（社区）…) said as it says them.
    pub fn t(&self, key: &str) -> &'static str {
        match self.place.kind() {
            Some(kind) => super::i18n::for_kind_static(self.tr.t(key), kind),
            None => self.tr.t(key),
        }
    }

    /// Interface text with `{name}` placeholders filled (the community's words, as [`Ctx::t`]).
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        match self.place.kind() {
            Some(kind) => super::i18n::for_kind(&self.tr.f(key, args), kind),
            None => self.tr.f(key, args),
        }
    }

    /// From now on this request is about a community of `kind`: [`Ctx::t`], [`Ctx::f`] and
    /// an error page say its words. The first community loaded wins.
    pub fn in_kind(&self, kind: &str) {
        if let Some(k) = crate::communities::model::KINDS
            .iter()
            .find(|k| **k == kind)
        {
            let _ = self.place.0.set(k);
        }
    }

    /// Interface text on a page of a community of `kind`: the committee named as it is there
    /// (村委会 in a village, 居委会 in a neighbourhood) where the text says 村（居）委会.
    pub fn tk(&self, key: &str, kind: &str) -> String {
        super::i18n::for_kind(self.tr.t(key), kind)
    }

    /// [`Ctx::f`] on a page of a community of `kind` (see [`Ctx::tk`]).
    pub fn fk(&self, key: &str, kind: &str, args: &[(&str, &str)]) -> String {
        super::i18n::for_kind(&self.tr.f(key, args), kind)
    }

    /// The signed-in user, or a redirect to the sign-in page that comes back here.
    pub fn require_user(&self) -> Result<&SessionUser, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::SignIn(self.here.clone()))
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if !token.is_empty() && constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::CrossSite)
        }
    }

    pub async fn load(req: &HttpRequest) -> Result<Ctx, AppError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| AppError::Internal("no app state".into()))?
            .clone();
        let token = req
            .cookie(state.config.session_cookie())
            .map(|c| c.value().to_string());
        let now = state.clock.now();
        let found = match token {
            Some(token) => {
                state
                    .db(move |conn| accounts::session_user(conn, &token, now))
                    .await?
            }
            None => None,
        };
        let browser_elder = req.cookie(ELDER_COOKIE).map(|c| c.value() == "1");
        let (user, csrf, unread, user_lang, account_elder) = match found {
            Some(s) => (
                Some(SessionUser {
                    id: s.user_id,
                    name: s.display_name,
                    is_admin: s.is_admin,
                    session_id: s.session_id,
                }),
                s.csrf_token,
                s.unread,
                Lang::from_tag(&s.locale),
                s.elder_mode,
            ),
            None => {
                let anon = req
                    .extensions()
                    .get::<AnonId>()
                    .map(|a| a.0.clone())
                    .unwrap_or_default();
                (None, anon_csrf(&state.secret, &anon), 0, None, false)
            }
        };
        let lang = user_lang.unwrap_or_else(|| Lang::from_request_headers(req));
        req.extensions_mut().insert(lang);
        let place = {
            let found = req.extensions().get::<Place>().cloned();
            match found {
                Some(p) => p,
                None => {
                    let p = Place::default();
                    req.extensions_mut().insert(p.clone());
                    p
                }
            }
        };
        let here = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Ctx {
            tr: Tr(lang),
            user,
            csrf,
            unread,
            here,
            elder: browser_elder.unwrap_or(account_elder),
            place,
        })
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Ctx, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ctx::load(&req).await })
    }
}

/// The CSRF token of an anonymous visitor: a MAC of their random cookie, so a token cannot be
/// planted without also knowing the server's secret.
pub fn anon_csrf(secret: &[u8; 32], anon: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"csrf:");
    mac.update(anon.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The client's address: the peer's, or what a trusted reverse proxy says it is
/// (`YISHI_TRUSTED_PROXIES`; see `web::client`).
pub fn client_ip(req: &HttpRequest) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let client = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.proxies.client(peer, req.headers()),
        None => peer,
    };
    client.map(|ip| ip.to_string()).unwrap_or_default()
}

pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect())
        .unwrap_or_default()
}
