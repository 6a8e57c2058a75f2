//! The supervisors' page (村务监督): what needs their attention in one community —
//! proposals the committee has not answered in time, comments flagged or hidden, work
//! orders escalated, disclosures overdue, inquiries waiting, payments made by emergency
//! override and spending the power list refused, and the state of the transparency log.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::agenda::model::{self as agenda, Item};
use crate::authz::allows;
use crate::authz::Action;
use crate::comments::model::{self as comments, ModerationRow};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::projects::vouchers::{Settings, MAX_DAYS};
use crate::web::community::{authorize, load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{number_at, FieldErrors, Posted};
use crate::web::{render, see_other, AppState};
use actix_web::http::StatusCode;

#[derive(Template)]
#[template(path = "supervision/dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    community: Community,
    overdue: Vec<Item>,
    /// Adopted items past their planned completion date (已超期), most overdue first.
    plans_overdue: Vec<crate::agenda::plans::OverdueItem>,
    /// Proposals the law obliges the committee to convene a meeting on, not yet announced.
    must_convene: Vec<crate::agenda::duty::Owed>,
    /// Orders and payments that cite a decision a later one corrects.
    after_correction: Vec<crate::ballots::citable::CitedAfterCorrection>,
    moderation: Vec<ModerationRow>,
    /// Work orders past due and escalated to the township, until they are done, each with
    /// the due time in force (the township's once it took the order) and whether it is.
    escalated: Vec<(
        crate::work_orders::model::Order,
        chrono::NaiveDateTime,
        bool,
    )>,
    /// Disclosures that are due and not published.
    disclosures_overdue: Vec<crate::disclosures::due::Overdue>,
    /// Disclosures published after their due dates this (Beijing) year.
    disclosures_late: Vec<crate::disclosures::due::Late>,
    /// Implementation results (实施结果公开) past their due dates.
    results_overdue: Vec<crate::disclosures::due::ResultDue>,
    /// The log: its size, and this community's entries.
    log_size: i64,
    log_mine: i64,
    /// Inquiries not yet answered, overdue ones marked.
    inquiries: Vec<crate::inquiries::service::View>,
    /// Work orders flagged: rated unsatisfied twice in a row, or without progress.
    warnings: Vec<(
        crate::work_orders::model::Order,
        Vec<crate::work_orders::rules::Warning>,
    )>,
    /// Work orders made in an emergency though the power list refused their budget.
    emergencies: Vec<crate::work_orders::model::Order>,
    /// Payments made by emergency override (with the project's code), newest first.
    overrides: Vec<(crate::projects::model::Disbursement, String)>,
    /// Spending the power list refused, with its message.
    refusals: Vec<(crate::projects::model::RefusalRow, String)>,
    /// When the last verified backup was taken (the backup timer's record).
    last_backup: Option<chrono::NaiveDateTime>,
    /// Payments no supervisor has reviewed, older than the community's setting (days).
    unreviewed: Vec<(crate::projects::model::Disbursement, String)>,
    review_days: i64,
    /// The oversight settings' form, for the committee: values as typed, and what to fix.
    can_configure: bool,
    settings: SettingsForm,
    settings_errors: FieldErrors,
}

/// The community's oversight settings as typed (days).
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub voucher_review_days: String,
    pub inquiry_days: String,
}

impl SettingsForm {
    fn of(s: Settings) -> SettingsForm {
        SettingsForm {
            voucher_review_days: s.voucher_review_days.to_string(),
            inquiry_days: s.inquiry_days.to_string(),
        }
    }

    /// The settings, each range-checked (1–365 days) before any use; or the messages at
    /// the fields.
    fn read(&self, ctx: &Ctx) -> Result<Settings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut days = |field: &'static str, key: &str, typed: &str| {
            number_at(ctx, &mut errors, field, ctx.t(key), typed, (1, MAX_DAYS))
        };
        let review = days(
            "voucher_review_days",
            "vouchers.review_days",
            &self.voucher_review_days,
        );
        let inquiry = days("inquiry_days", "vouchers.inquiry_days", &self.inquiry_days);
        match (review, inquiry) {
            (Some(voucher_review_days), Some(inquiry_days)) => Ok(Settings {
                voucher_review_days,
                inquiry_days,
            }),
            _ => Err(errors),
        }
    }
}

/// The committee sets how long payments wait for review and inquiries for an answer.
pub async fn set_oversight(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let s = match form.read(&ctx) {
        Ok(s) => s,
        Err(errors) => {
            return dashboard_page(&state, ctx, community, actor, Some((form, errors))).await
        }
    };
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                crate::projects::vouchers::set(conn, cid, s, me, now)
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/supervision#settings",
        community.slug
    )))
}

pub async fn dashboard(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    // A township has no supervision committee of its own: its staff, who may not read this
    // page, find every village's overdue work on the township's desk instead.
    let staff_only = allows(&actor, Action::ViewTownship) && !allows(&actor, Action::ViewActionLog);
    if community.is_township() && staff_only {
        return Ok(crate::web::see_other(&format!("/t/{}", community.slug)));
    }
    dashboard_page(&state, ctx, community, actor, None).await
}

async fn dashboard_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: crate::authz::Actor,
    typed: Option<(SettingsForm, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, &actor, Action::ViewActionLog)?;
    let (cid, now) = (community.id, state.clock.now());
    let (settings, unreviewed) = state
        .db(move |conn| {
            let s = crate::projects::vouchers::settings(conn, cid)?;
            Ok((
                s,
                crate::projects::vouchers::unreviewed(conn, cid, now, s.voucher_review_days)?,
            ))
        })
        .await?;
    let review_days = settings.voucher_review_days;
    let (status, settings, settings_errors) = match typed {
        Some((form, errors)) => (StatusCode::UNPROCESSABLE_ENTITY, form, errors),
        None => (
            StatusCode::OK,
            SettingsForm::of(settings),
            FieldErrors::default(),
        ),
    };
    let (overdue, moderation, escalated, log_size, log_mine, overrides, refusals, emergencies) =
        state
            .db(move |conn| {
                Ok((
                    agenda::overdue(conn, cid, now)?,
                    comments::moderation(conn, cid, 100)?,
                    crate::work_orders::upward::with_dues(
                        crate::work_orders::model::escalated_open(conn, cid)?,
                        &crate::work_orders::upward::taken_dues(conn, cid)?,
                    ),
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
    let (disclosures_overdue, disclosures_late, mut results_overdue) = state
        .db(move |conn| {
            use chrono::Datelike;
            Ok((
                crate::disclosures::due::overdue(conn, &c, today, zh)?,
                crate::disclosures::due::late_in_year(conn, c.id, today.year(), zh)?,
                crate::disclosures::due::results_due(conn, c.id)?,
            ))
        })
        .await?;
    results_overdue.retain(|r| r.due < today);
    let plans_overdue = state
        .db(move |conn| Ok(crate::agenda::plans::overdue(conn, cid, today)?))
        .await?;
    let inquiries = crate::inquiries::service::open_now(state, &community).await?;
    let last_backup = state
        .db(|conn| Ok(crate::backup::timer::last_verified(conn)?.map(|r| r.started_at)))
        .await?;
    let warnings = state
        .db(move |conn| crate::work_orders::service::warnings(conn, cid, now))
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
    let refusals = refusals
        .into_iter()
        .map(|r| {
            let m = crate::web::refusal::refusal_message(&ctx, &r.refusal());
            (r, m)
        })
        .collect();
    let can_configure = allows(&actor, Action::ConfigureCommunity);
    render(
        status,
        &Dashboard {
            can_configure,
            last_backup,
            warnings,
            settings,
            settings_errors,
            emergencies,
            inquiries,
            disclosures_overdue,
            disclosures_late,
            results_overdue,
            log_size,
            log_mine,
            ctx,
            community,
            overdue,
            plans_overdue,
            must_convene,
            after_correction,
            moderation,
            escalated,
            overrides,
            refusals,
            unreviewed,
            review_days,
        },
    )
}
