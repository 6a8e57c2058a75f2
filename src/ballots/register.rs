//! The hall's sign-in register (签到) of a meeting in the hall (or in the hall and online at
//! once): a phone page for the clerk with name search over the frozen roll, the signing in,
//! and the printable A4 register by household with those who voted online ticked.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::attendance::{self, RegisterRow};
use super::model::{self, Ballot};
use super::service;
use crate::authz::Action;
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

/// Most persons a name search shows: a clerk types two characters of a name.
const FOUND_AT_MOST: i64 = 30;
/// Longest name search a clerk types.
const QUERY_MAX: usize = 40;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterQuery {
    pub q: String,
    pub done: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignInForm {
    /// The person on the ballot's roll (checked against the roll, which is the community's).
    pub person: String,
    /// The search the clerk came from, kept for the next name.
    pub q: String,
}

#[derive(Template)]
#[template(path = "ballots/register.html")]
struct RegisterPage {
    ctx: Ctx,
    community: Community,
    ballot: Ballot,
    item_title: String,
    q: String,
    found: Vec<RegisterRow>,
    signed_in: u64,
    online: u64,
    open: bool,
    notice: Option<String>,
    errors: FieldErrors,
}

/// What the register page reads: the ballot, its item's title, the persons found and the
/// register's totals.
async fn load(
    state: &AppState,
    community_id: i64,
    id: i64,
    q: &str,
) -> Result<(Ballot, String, Vec<RegisterRow>, u64, u64), AppError> {
    let name = q.trim().to_string();
    state
        .db(move |conn| {
            let ballot = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
            if !ballot.has_hall() || !ballot.roll {
                return Err(AppError::NotFound);
            }
            let title = crate::agenda::model::find(conn, community_id, ballot.item_id)?
                .map(|i| i.title)
                .unwrap_or_default();
            let found = if name.is_empty() || name.chars().count() > QUERY_MAX {
                Vec::new()
            } else {
                attendance::register(conn, &ballot, Some(&name), FOUND_AT_MOST)?
            };
            let signed_in = attendance::signed_in(conn, ballot.id)?;
            let online = ballot.cast_count as u64;
            Ok((ballot, title, found, signed_in, online))
        })
        .await
}

async fn register_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    id: i64,
    (q, notice, errors): (String, Option<String>, FieldErrors),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut errors = errors;
    if q.trim().chars().count() > QUERY_MAX {
        errors.add("q", ctx.t("ballots.err_register_query"));
    }
    let status = if errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (ballot, item_title, found, signed_in, online) = load(state, community.id, id, &q).await?;
    let open = ballot.is_open();
    render(
        status,
        &RegisterPage {
            ctx,
            community,
            ballot,
            item_title,
            q,
            found,
            signed_in,
            online,
            open,
            notice,
            errors,
        },
    )
}

/// The clerk's register on a phone: search a name, sign the person in.
pub async fn register(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let RegisterQuery { q, done } = query.into_inner();
    let notice = (done == "signed").then(|| ctx.t("ballots.done_signed_in").to_string());
    let view = (q, notice, FieldErrors::default());
    register_page(&state, ctx, community, id, view, StatusCode::OK).await
}

/// Signs a person in at the hall; one who voted online (or signed in already) is refused
/// with a message, never counted twice.
pub async fn sign_in(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let cid = community.id;
    let now = state.clock.now();
    let refused = match form.person.trim().parse::<i64>() {
        Err(_) => Some("ballots.err_not_on_register"),
        Ok(person) => {
            let outcome = state
                .db(move |conn| {
                    let b = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                    write_tx(conn, |conn| service::sign_in(conn, &b, person, me, now))
                })
                .await?;
            outcome.err()
        }
    };
    if let Some(key) = refused {
        let mut errors = FieldErrors::default();
        errors.add("person", ctx.t(key));
        let view = (form.q, None, errors);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return register_page(&state, ctx, community, id, view, status).await;
    }
    let back = serde_urlencoded::to_string([("q", form.q.as_str()), ("done", "signed")])
        .unwrap_or_default();
    Ok(see_other(&format!(
        "/c/{}/ballots/{id}/register?{back}",
        community.slug
    )))
}

#[derive(Template)]
#[template(path = "ballots/register_print.html")]
struct PrintPage {
    ctx: Ctx,
    community: Community,
    ballot: Ballot,
    item_title: String,
    /// (household, its persons), in the roster's order.
    households: Vec<(String, Vec<RegisterRow>)>,
    total: usize,
    online: usize,
}

/// The printable A4 register: the roll by household, those who voted online ticked, a
/// column for signatures. It records presence only, never a choice.
pub async fn print(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let cid = community.id;
    let (ballot, item_title, rows) = state
        .db(move |conn| {
            let ballot = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            if !ballot.has_hall() || !ballot.roll {
                return Err(AppError::NotFound);
            }
            let title = crate::agenda::model::find(conn, cid, ballot.item_id)?
                .map(|i| i.title)
                .unwrap_or_default();
            let rows = attendance::register(conn, &ballot, None, i64::MAX)?;
            Ok((ballot, title, rows))
        })
        .await?;
    let total = rows.len();
    let online = rows.iter().filter(|r| r.voted_online()).count();
    let mut households: Vec<(String, Vec<RegisterRow>)> = Vec::new();
    let mut last = None;
    for r in rows {
        if last != Some(r.household_id) {
            last = Some(r.household_id);
            households.push((r.household.clone(), Vec::new()));
        }
        if let Some((_, persons)) = households.last_mut() {
            persons.push(r);
        }
    }
    render(
        StatusCode::OK,
        &PrintPage {
            ctx,
            community,
            ballot,
            item_title,
            households,
            total,
            online,
        },
    )
}
