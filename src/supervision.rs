//! The supervisors' page (村务监督): what needs their attention in one community —
//! proposals the committee has not answered in time, and comments flagged or hidden.
//! Also payments made by emergency override and spending the power list refused.
//! Later issues add overdue disclosures, inquiries and the transparency log's state.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::agenda::model::{self as agenda, Item};
use crate::authz::Action;
use crate::comments::model::{self as comments, ModerationRow};
use crate::communities::handlers::{authorize, load_community};
use crate::communities::model::Community;
use crate::web::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::{page, AppState};

#[derive(Template)]
#[template(path = "supervision/dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    community: Community,
    overdue: Vec<Item>,
    moderation: Vec<ModerationRow>,
    /// Work orders past due and escalated to the township, until they are done.
    escalated: Vec<crate::work_orders::model::Order>,
    /// Payments made by emergency override (with the project's code), newest first.
    overrides: Vec<(crate::projects::model::Disbursement, String)>,
    /// Spending the power list refused, with its message.
    refusals: Vec<(crate::projects::model::RefusalRow, String)>,
}

pub async fn dashboard(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::ViewActionLog)?;
    let (cid, now) = (community.id, state.clock.now());
    let (overdue, moderation, escalated, overrides, refusals) = state
        .db(move |conn| {
            Ok((
                agenda::overdue(conn, cid, now)?,
                comments::moderation(conn, cid, 100)?,
                crate::work_orders::model::escalated_open(conn, cid)?,
                crate::projects::model::overrides(conn, cid)?,
                crate::projects::model::refusals(conn, cid)?,
            ))
        })
        .await?;
    let refusals = refusals
        .into_iter()
        .map(|r| {
            let m = crate::projects::handlers::refusal_message(&ctx, &r.refusal());
            (r, m)
        })
        .collect();
    page(&Dashboard {
        ctx,
        community,
        overdue,
        moderation,
        escalated,
        overrides,
        refusals,
    })
}
