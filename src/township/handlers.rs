//! The township's page (`/t/{slug}`), where its staff land after signing in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::model;
use super::page::{build, Built, Loaded};
use crate::authz::Action;
use crate::communities::model::Community;
use crate::error::AppError;
use crate::web::community::{authorize, load_community};
use crate::web::ctx::Ctx;
use crate::web::{render, AppState};

#[derive(Template)]
#[template(path = "township/desk.html")]
struct Desk {
    ctx: Ctx,
    township: Community,
    page: Built,
    working_days: u32,
}

/// Every village's orders with the township, overdue disclosures and late answers, from a
/// fixed handful of queries whatever the number of villages.
pub async fn desk(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (township, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    if !township.is_township() {
        return Err(AppError::NotFound);
    }
    authorize(&ctx, &actor, Action::ViewTownship)?;
    let (tid, now) = (township.id, state.clock.now());
    let loaded = state
        .db(move |conn| {
            Ok(Loaded {
                villages: model::villages(conn, tid)?,
                orders: model::orders_with(conn, tid)?,
                sent_up: crate::work_orders::upward::open_with(conn, tid)?,
                inquiries: model::late_inquiries(conn, tid, now)?,
                proposals: model::late_proposals(conn, tid, now)?,
                facts: model::disclosure_facts(conn, tid)?,
            })
        })
        .await?;
    let zh = ctx.lang() == crate::web::i18n::Lang::Zh;
    let page = build(loaded, crate::clock::local_day(now), zh);
    render(
        StatusCode::OK,
        &Desk {
            ctx,
            township,
            page,
            working_days: super::rules::WORKING_DAYS,
        },
    )
}
