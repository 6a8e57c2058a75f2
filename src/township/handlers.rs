//! The township's page (`/t/{slug}`), where its staff land after signing in, and its time
//! limit for the orders it takes, which they set there.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model;
use super::page::{build, Built, Loaded};
use super::rules;
use crate::authz::{Action, Actor};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{authorize, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

#[derive(Template)]
#[template(path = "township/desk.html")]
struct Desk {
    ctx: Ctx,
    township: Community,
    page: Built,
    working_days: u32,
    /// Its staff may set the time limit (the admin reads the page only).
    can_set_limit: bool,
    /// The time limit as typed, kept when refused.
    typed_days: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    done: String,
}

/// Every village's orders with the township, overdue disclosures and late answers, from a
/// fixed handful of queries whatever the number of villages.
pub async fn desk(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<DeskQuery>,
) -> Result<HttpResponse, AppError> {
    let (township, actor) = load_township(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::ViewTownship)?;
    let notice = (q.done == "limit").then_some("township.limit_done");
    let answer = (StatusCode::OK, None, FieldErrors::default(), notice);
    desk_page(&state, ctx, township, &actor, answer).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitForm {
    pub working_days: String,
}

/// Township staff set their time limit: whole working days, 1 to 20; refused at the field
/// with what was typed kept. Orders taken from now on are due by it.
pub async fn set_limit(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<LimitForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (township, actor) = load_township(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::SetTownshipLimit)?;
    let me = ctx.require_user()?.id;
    let days = match rules::parse_days(&form.working_days) {
        Ok(d) => d,
        Err(rules::BadDays) => {
            let mut errors = FieldErrors::default();
            errors.add("working_days", ctx.t("township.limit_err").to_string());
            let answer = (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(form.working_days),
                errors,
                None,
            );
            return desk_page(&state, ctx, township, &actor, answer).await;
        }
    };
    let (tid, now) = (township.id, state.clock.now());
    state
        .db(move |conn| write_tx(conn, |conn| Ok(model::set_limit(conn, tid, days, me, now)?)))
        .await?;
    Ok(see_other(&format!("/t/{}?done=limit", township.slug)))
}

/// The township named by `slug`, and the user as seen from it; a village has no such page.
async fn load_township(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Community, Actor), AppError> {
    let (township, actor) = load_community(state, ctx, slug).await?;
    if !township.is_township() {
        return Err(AppError::NotFound);
    }
    Ok((township, actor))
}

/// The page, with (status, the limit as typed, errors, notice).
async fn desk_page(
    state: &AppState,
    ctx: Ctx,
    township: Community,
    actor: &Actor,
    (status, typed, errors, notice): (
        StatusCode,
        Option<String>,
        FieldErrors,
        Option<&'static str>,
    ),
) -> Result<HttpResponse, AppError> {
    let (tid, now) = (township.id, state.clock.now());
    let (loaded, working_days) = state
        .db(move |conn| {
            let loaded = Loaded {
                villages: model::villages(conn, tid)?,
                orders: model::orders_with(conn, tid)?,
                sent_up: crate::work_orders::upward::open_with(conn, tid)?,
                inquiries: model::late_inquiries(conn, tid, now)?,
                proposals: model::late_proposals(conn, tid, now)?,
                facts: model::disclosure_facts(conn, tid)?,
            };
            Ok((loaded, model::limit_days(conn, tid)?))
        })
        .await?;
    let zh = ctx.lang() == crate::web::i18n::Lang::Zh;
    let page = build(loaded, now, zh);
    render(
        status,
        &Desk {
            ctx,
            township,
            page,
            working_days,
            can_set_limit: crate::authz::allows(actor, Action::SetTownshipLimit),
            typed_days: typed.unwrap_or_else(|| working_days.to_string()),
            errors,
            notice,
        },
    )
}
