//! Sign-up, sign-in, sign-out, the profile with its sessions, password and language.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, NewUser, Session};
use super::password;
use super::rules::{self, Contact, FieldProblem};
use crate::clock::fmt_time;
use crate::communities::model as communities;
use crate::db::{is_unique_violation, write_tx};
use crate::error::AppError;
use crate::notifications::{self, Notification};
use crate::web::ctx::{client_ip, user_agent, Ctx, ELDER_CHOSEN_COOKIE, ELDER_COOKIE};
use crate::web::forms::{Empty, FieldErrors, Posted};
use crate::web::i18n::{Lang, LANG_COOKIE};
use crate::web::security::cookie;
use crate::web::{page, render, see_other, AppState};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignupForm {
    pub contact: String,
    /// `email` when the person signs up with an e-mail address (the field then opens the
    /// e-mail keyboard); otherwise the field is a phone number's keypad.
    pub by: String,
    pub display_name: String,
    pub password: String,
    pub password_confirm: String,
    pub locale: String,
}

/// Whether a contact field is for an e-mail address: asked for (`by=email`), or typed with
/// an "@" — so that a refused form keeps the keyboard the person was using.
fn by_email(by: &str, contact: &str) -> bool {
    by == "email" || contact.contains('@')
}

impl SignupForm {
    fn by_email(&self) -> bool {
        by_email(&self.by, &self.contact)
    }
}

impl SigninForm {
    fn by_email(&self) -> bool {
        by_email(&self.by, &self.contact)
    }
}

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignupPage {
    ctx: Ctx,
    form: SignupForm,
    errors: FieldErrors,
}

pub async fn signup_form(ctx: Ctx, q: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let locale = ctx.lang().tag().to_string();
    page(&SignupPage {
        ctx,
        form: SignupForm {
            locale,
            by: q.into_inner().by,
            ..SignupForm::default()
        },
        errors: FieldErrors::default(),
    })
}

pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: Posted<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let mut errors = FieldErrors::default();
    let contact = Contact::parse(&form.contact)
        .map_err(|e| errors.add("contact", e.named(&ctx.tr, "err.field_contact")))
        .ok();
    let name = rules::check_display_name(&form.display_name)
        .map_err(|e| errors.add("display_name", e.named(&ctx.tr, "err.field_display_name")))
        .ok();
    if let Err(e) = rules::check_password(&form.password, contact.as_ref().map(|c| c.as_str())) {
        errors.add("password", e.message(&ctx.tr));
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", FieldProblem::Mismatch.message(&ctx.tr));
    }
    let locale = Lang::from_tag(&form.locale).unwrap_or(ctx.lang());
    let (Some(contact), Some(name), true) = (contact, name, errors.is_empty()) else {
        return signup_again(ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let now = state.clock.now();
    let (ua, ip) = (user_agent(&req), client_ip(&req));
    let browser_elder = chosen_signed_out(&req);
    // Each sign-up from an address counts, reserved before the password is hashed.
    let bucket = model::signup_bucket(&ip);
    let b = bucket.clone();
    let reserved = state
        .db(move |conn| {
            Ok(model::reserve_attempt(
                conn,
                &b,
                &rules::SIGNUP_PER_ADDRESS,
                now,
            )?)
        })
        .await?;
    if let Err(started) = reserved {
        let n = rules::SIGNUP_PER_ADDRESS.minutes_to_wait(started, now);
        errors.add(
            "contact",
            ctx.f("signup.throttled", &[("n", &n.to_string())]),
        );
        return signup_again(ctx, form, errors, StatusCode::TOO_MANY_REQUESTS);
    }
    let hash = match password::hash_async(&state.hashing, form.password.clone()).await {
        Ok(hash) => hash,
        Err(e) => {
            state
                .db(move |conn| Ok(model::release_attempt(conn, &bucket)?))
                .await?;
            return Err(e);
        }
    };
    let created = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let new = NewUser::new(&contact, &name, &hash, locale.tag(), now);
                match model::insert_user(conn, &new) {
                    Ok(id) => {
                        if let Some(on) = browser_elder {
                            model::set_elder_mode(conn, id, on)?;
                        }
                        Ok(Some(model::create_session(conn, id, &ua, &ip, now)?))
                    }
                    Err(e) if is_unique_violation(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            })
        })
        .await?;
    match created {
        Some(token) => Ok(signed_in(&state, token, "/")),
        None => {
            errors.add("contact", FieldProblem::Taken.message(&ctx.tr));
            signup_again(ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

fn signup_again(
    ctx: Ctx,
    mut form: SignupForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    form.password.clear();
    form.password_confirm.clear();
    render(status, &SignupPage { ctx, form, errors })
}

/// 长辈版 as chosen on this browser while nobody was signed in, if it was.
fn chosen_signed_out(req: &HttpRequest) -> Option<bool> {
    req.cookie(ELDER_CHOSEN_COOKIE)?;
    req.cookie(ELDER_COOKIE).map(|c| c.value() == "1")
}

fn signed_in(state: &AppState, token: String, next: &str) -> HttpResponse {
    let mut res = see_other(next);
    // A signed-out choice of 长辈版 has gone with this account; the next one is not carried.
    let carried = cookie(&state.config, ELDER_CHOSEN_COOKIE, String::new(), -1);
    res.add_cookie(&carried).ok();
    let c = cookie(
        &state.config,
        state.config.session_cookie(),
        token,
        rules::SESSION_ABSOLUTE.num_days(),
    );
    res.add_cookie(&c).ok();
    res
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SigninForm {
    pub contact: String,
    /// `email` when the person signs in with an e-mail address (see [`SignupForm::by`]).
    pub by: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/signin.html")]
struct SigninPage {
    ctx: Ctx,
    form: SigninForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
    /// `email` to sign in (or up) with an e-mail address instead of a phone number.
    by: String,
}

pub async fn signin_form(ctx: Ctx, q: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let NextQuery { next, by } = q.into_inner();
    page(&SigninPage {
        ctx,
        form: SigninForm {
            next,
            by,
            ..SigninForm::default()
        },
        error: None,
    })
}

/// Only paths on this site may follow a sign-in or a change of language.
fn safe_next(next: &str) -> &str {
    crate::web::safe_target(next)
}

pub async fn signin(
    state: web::Data<AppState>,
    req: HttpRequest,
    p: Posted<SigninForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, mut form } = p;
    let now = state.clock.now();
    let ip = client_ip(&req);
    let buckets = Buckets {
        account: model::account_bucket(&form.contact),
        address: model::address_bucket(&ip),
    };
    let contact = Contact::parse(&form.contact).ok();
    // The attempt is counted before the password is hashed: of any number of parallel
    // attempts, no more than the limit get as far as the hash.
    let b = buckets.clone();
    let (reserved, user) = state
        .db(move |conn| {
            let reserved = b.reserve(conn, now)?;
            let user = match (&reserved, &contact) {
                (Ok(()), Some(c)) => model::find_by_contact(conn, c)?,
                _ => None,
            };
            Ok((reserved, user))
        })
        .await?;
    crate::text::truncate_chars(&mut form.password, rules::PASSWORD_MAX + 1);
    if let Err(minutes) = reserved {
        let error = Some(ctx.f("signin.throttled", &[("n", &minutes.to_string())]));
        form.password.clear();
        return render(
            StatusCode::TOO_MANY_REQUESTS,
            &SigninPage { ctx, form, error },
        );
    }
    // Turned away for want of a hashing slot: neither a success nor a failure.
    let slot = match state.hashing.enter().await {
        Ok(slot) => slot,
        Err(e) => {
            let b = buckets.clone();
            state.db(move |conn| b.release(conn)).await?;
            return Err(e);
        }
    };
    let ok = password::verify_in_slot(
        std::mem::take(&mut form.password),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    drop(slot);
    let ua = user_agent(&req);
    let browser_elder = chosen_signed_out(&req);
    match (ok, user) {
        (true, Some(user)) => {
            let token = state
                .db(move |conn| {
                    write_tx(conn, |conn| {
                        model::clear_attempts(conn, &buckets.account)?;
                        model::release_attempt(conn, &buckets.address)?;
                        let token = model::create_session(conn, user.id, &ua, &ip, now)?;
                        // 长辈版 chosen on this browser before signing in goes with the account.
                        if let Some(on) = browser_elder {
                            model::set_elder_mode(conn, user.id, on)?;
                        }
                        let home = crate::communities::model::landing_of(conn, user.id)?;
                        Ok((token, home))
                    })
                })
                .await?;
            let (token, home) = token;
            let to = match (form.next.is_empty(), home.as_slice()) {
                // Township staff land on their township's page.
                (true, [only]) if only.is_township() => format!("/t/{}", only.slug),
                (true, [only]) => format!("/c/{}", only.slug),
                _ => safe_next(&form.next).to_string(),
            };
            Ok(signed_in(&state, token, &to))
        }
        // A failure: the reserved attempts stay counted.
        _ => {
            let error = Some(ctx.t("signin.failed").to_string());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SigninPage { ctx, form, error },
            )
        }
    }
}

/// The two buckets a sign-in attempt counts in: the account (as normalised) and the client
/// address.
#[derive(Clone)]
struct Buckets {
    account: String,
    address: String,
}

impl Buckets {
    /// Reserves an attempt in both, or neither: `Err(minutes to wait)` when either is full.
    fn reserve(
        &self,
        conn: &mut crate::db::AnyConnection,
        now: chrono::NaiveDateTime,
    ) -> Result<Result<(), i64>, AppError> {
        let (acct, addr) = (&rules::SIGNIN_PER_ACCOUNT, &rules::SIGNIN_PER_ADDRESS);
        if let Err(started) = model::reserve_attempt(conn, &self.account, acct, now)? {
            return Ok(Err(acct.minutes_to_wait(started, now)));
        }
        if let Err(started) = model::reserve_attempt(conn, &self.address, addr, now)? {
            model::release_attempt(conn, &self.account)?;
            return Ok(Err(addr.minutes_to_wait(started, now)));
        }
        Ok(Ok(()))
    }

    fn release(&self, conn: &mut crate::db::AnyConnection) -> Result<(), AppError> {
        model::release_attempt(conn, &self.account)?;
        model::release_attempt(conn, &self.address)?;
        Ok(())
    }
}

pub async fn signout(
    state: web::Data<AppState>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    if let Some(user) = p.ctx.user.clone() {
        state
            .db(move |conn| Ok(model::end_session(conn, user.id, user.session_id)?))
            .await?;
    }
    let mut res = see_other("/");
    let c = cookie(
        &state.config,
        state.config.session_cookie(),
        String::new(),
        -1,
    );
    res.add_cookie(&c).ok();
    Ok(res)
}

// ---- profile ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PasswordForm {
    pub current: String,
    pub password: String,
    pub password_confirm: String,
}

struct SessionView {
    id: i64,
    current: bool,
    user_agent: String,
    client_ip: String,
    created: String,
    last_seen: String,
}

struct MembershipView {
    name: String,
    slug: String,
    role_key: &'static str,
}

#[derive(Template)]
#[template(path = "accounts/profile.html")]
struct ProfilePage {
    ctx: Ctx,
    contact: String,
    sessions: Vec<SessionView>,
    memberships: Vec<MembershipView>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    done: String,
}

async fn profile_page(
    state: &AppState,
    ctx: Ctx,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?.clone();
    let (user, sessions, memberships) = state
        .db(move |conn| {
            Ok((
                model::find(conn, me.id)?,
                model::list_sessions(conn, me.id)?,
                communities::memberships_of(conn, me.id)?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let sessions = sessions
        .into_iter()
        .map(|s: Session| SessionView {
            id: s.id,
            current: s.id == me.session_id,
            user_agent: rules::describe_agent(&s.user_agent),
            client_ip: s.client_ip,
            created: fmt_time(&s.created_at),
            last_seen: fmt_time(&s.last_seen_at),
        })
        .collect();
    let memberships = memberships
        .into_iter()
        .map(|(c, role)| MembershipView {
            name: c.name,
            slug: c.slug,
            role_key: crate::authz::Role::parse(&role)
                .map(|r| r.label_key())
                .unwrap_or("role.resident"),
        })
        .collect();
    render(
        status,
        &ProfilePage {
            ctx,
            contact: user.contact().to_string(),
            sessions,
            memberships,
            errors,
            notice,
        },
    )
}

pub async fn profile(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_str() {
        "password" => Some("profile.password_changed"),
        "session" => Some("profile.session_ended"),
        "language" => Some("profile.language_saved"),
        _ => None,
    };
    profile_page(&state, ctx, FieldErrors::default(), notice).await
}

pub async fn change_password(
    state: web::Data<AppState>,
    p: Posted<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let me = ctx.require_user()?.clone();
    let user = state.db(move |conn| Ok(model::find(conn, me.id)?)).await?;
    let mut errors = FieldErrors::default();
    let current_ok = password::verify_async(
        &state.hashing,
        form.current.clone(),
        Some(user.password_hash.clone()),
    )
    .await?;
    if !current_ok {
        errors.add("current", ctx.t("err.password_wrong"));
    }
    if let Err(e) = rules::check_password(&form.password, Some(user.contact())) {
        errors.add("password", e.message(&ctx.tr));
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", FieldProblem::Mismatch.message(&ctx.tr));
    }
    if !errors.is_empty() {
        return profile_page(&state, ctx, errors, None).await;
    }
    let hash = password::hash_async(&state.hashing, form.password).await?;
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                model::set_password(conn, me.id, &hash)?;
                model::end_other_sessions(conn, me.id, me.session_id)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other("/profile?done=password"))
}

pub async fn end_session(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    let me = p.ctx.require_user()?.clone();
    let id = path.into_inner();
    let ended = state
        .db(move |conn| Ok(model::end_session(conn, me.id, id)?))
        .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/profile?done=session"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LangForm {
    pub lang: String,
    pub back: String,
}

/// Sets the language: the user's setting when signed in, and a cookie either way.
pub async fn set_language(
    state: web::Data<AppState>,
    p: Posted<LangForm>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_tag(&p.form.lang).unwrap_or(Lang::Zh);
    if let Some(me) = p.ctx.user.clone() {
        state
            .db(move |conn| Ok(model::set_locale(conn, me.id, lang.tag())?))
            .await?;
    }
    let mut res = see_other(safe_next(&p.form.back));
    let c = cookie(&state.config, LANG_COOKIE, lang.tag().to_string(), 365);
    res.add_cookie(&c).ok();
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ElderForm {
    /// "1" turns 长辈版 on, anything else off.
    pub on: String,
    pub back: String,
}

/// Turns 长辈版 on or off: for this browser (a cookie) and, when signed in, for the account.
pub async fn set_elder(
    state: web::Data<AppState>,
    p: Posted<ElderForm>,
) -> Result<HttpResponse, AppError> {
    let on = p.form.on == "1";
    if let Some(me) = p.ctx.user.clone() {
        state
            .db(move |conn| Ok(model::set_elder_mode(conn, me.id, on)?))
            .await?;
    }
    let mut res = see_other(safe_next(&p.form.back));
    let value = if on { "1" } else { "0" };
    let c = cookie(&state.config, ELDER_COOKIE, value.to_string(), 365);
    res.add_cookie(&c).ok();
    // Chosen signed out, it goes with the account signed in next on this browser.
    let chosen = match p.ctx.user {
        None => cookie(&state.config, ELDER_CHOSEN_COOKIE, "1".to_string(), 365),
        Some(_) => cookie(&state.config, ELDER_CHOSEN_COOKIE, String::new(), -1),
    };
    res.add_cookie(&chosen).ok();
    Ok(res)
}

// ---- inbox ----

struct NotificationView {
    text: String,
    detail: String,
    link: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "accounts/inbox.html")]
struct InboxPage {
    ctx: Ctx,
    items: Vec<NotificationView>,
}

/// Shows the newest notifications, marked new where unread, and marks them read.
pub async fn inbox(state: web::Data<AppState>, mut ctx: Ctx) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?.clone();
    let now = state.clock.now();
    let items = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let items = notifications::inbox(conn, me.id, 100)?;
                notifications::mark_all_read(conn, me.id, now)?;
                Ok(items)
            })
        })
        .await?;
    ctx.unread = 0;
    let items = items
        .into_iter()
        .map(
            |(n, kind): (Notification, Option<String>)| NotificationView {
                text: crate::web::i18n::for_kind(
                    &ctx.f(&format!("notify.{}", n.kind), &[("subject", &n.subject)]),
                    kind.as_deref().unwrap_or(""),
                ),
                detail: n.detail,
                link: n.link,
                at: fmt_time(&n.created_at),
                unread: n.read_at.is_none(),
            },
        )
        .collect();
    page(&InboxPage { ctx, items })
}
