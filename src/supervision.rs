//! The supervisors' page (村务监督): what needs their attention in one community —
//! proposals the committee has not answered in time, comments flagged or hidden, work
//! orders escalated, disclosures overdue, inquiries waiting, payments made by emergency
//! override and spending the power list refused, and the state of the transparency log.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::agenda::model::{self as agenda, Item};
use crate::authz::Action;
use crate::comments::model::{self as comments, ModerationRow};
use crate::communities::model::Community;
use crate::error::AppError;
use crate::web::community::{authorize, load_community};
use crate::web::ctx::Ctx;
use crate::web::{page, AppState};

#[derive(Template)]
#[template(path = "supervision/dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    community: Community,
    overdue: Vec<Item>,
    /// Proposals the law obliges the committee to convene a meeting on, not yet announced.
    must_convene: Vec<crate::agenda::duty::Owed>,
    /// Orders and payments that cite a decision a later one corrects.
    after_correction: Vec<crate::ballots::citable::CitedAfterCorrection>,
    moderation: Vec<ModerationRow>,
    /// Work orders past due and escalated to the township, until they are done.
    escalated: Vec<crate::work_orders::model::Order>,
    /// Disclosures that are due and not published.
    disclosures_overdue: Vec<crate::disclosures::due::Overdue>,
    /// The log: its size, and this community's entries.
    log_size: i64,
    log_mine: i64,
    /// Inquiries not yet answered, overdue ones marked.
    inquiries: Vec<crate::inquiries::service::View>,
    /// Work orders made in an emergency though the power list refused their budget.
    emergencies: Vec<crate::work_orders::model::Order>,
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
    let (overdue, moderation, escalated, log_size, log_mine, overrides, refusals, emergencies) =
        state
            .db(move |conn| {
                Ok((
                    agenda::overdue(conn, cid, now)?,
                    comments::moderation(conn, cid, 100)?,
                    crate::work_orders::model::escalated_open(conn, cid)?,
                    crate::transparency::log::size(conn)?,
                    crate::transparency::log::count_of(conn, cid)?,
                    crate::projects::model::overrides(conn, cid)?,
                    crate::projects::model::refusals(conn, cid)?,
                    crate::work_orders::model::emergencies(conn, cid)?,
                ))
            })
            .await?;
    let (c, zh) = (community.clone(), ctx.lang() == crate::web::i18n::Lang::Zh);
    let today = crate::clock::local_day(state.clock.now());
    let disclosures_overdue = state
        .db(move |conn| crate::disclosures::due::overdue(conn, &c, today, zh))
        .await?;
    let c = community.clone();
    let (must_convene, after_correction) = state
        .db(move |conn| {
            Ok((
                crate::agenda::duty::owed(conn, &c, now)?,
                crate::ballots::citable::cited_after_correction(conn, c.id)?,
            ))
        })
        .await?;
    let inquiries = crate::inquiries::service::open_now(&state, &community).await?;
    let refusals = refusals
        .into_iter()
        .map(|r| {
            let m = crate::web::refusal::refusal_message(&ctx, &r.refusal());
            (r, m)
        })
        .collect();
    page(&Dashboard {
        emergencies,
        inquiries,
        disclosures_overdue,
        log_size,
        log_mine,
        ctx,
        community,
        overdue,
        must_convene,
        after_correction,
        moderation,
        escalated,
        overrides,
        refusals,
    })
}
