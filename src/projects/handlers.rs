//! Project pages: the community's list with spending against budget, a new project with its
//! code (一项一码), the public project page at `/p/{code}` gathering its decisions, orders,
//! photos and disbursements, the printable notice with its QR code, and attaching orders.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, DecisionRef, Disbursement, Project, RefusalRow};
use super::page::{
    ListPage, NewPage, NoticePage, OrderView, PaymentView, ProjectForm, ProjectRow, ShowPage, Shown,
};
use super::qr;
use super::rules::{self, Arg};
use super::service::{self, NotRegistered, Registration};
use crate::accounts::rules::FieldProblem;
use crate::authz::{allows, Action};
use crate::communities::model::{self as communities, Community};
use crate::db::write_tx;
use crate::error::AppError;
use crate::money::parse_amount;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::refusal::{refusal_message, say};
use crate::web::{page, render, see_other, AppState};

/// Today in Beijing.
pub fn today(state: &AppState) -> NaiveDate {
    crate::clock::local_day(state.clock.now())
}

/// The site's address for links printed on paper (never taken from the request).
pub fn site_base(state: &AppState) -> String {
    state.config.site_base()
}

// ---- the list ----

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let cid = community.id;
    let (projects, spent) = state
        .db(move |conn| {
            Ok((
                model::of_community(conn, cid)?,
                model::spent_by_project(conn, cid)?,
            ))
        })
        .await?;
    let today = today(&state);
    let rows = projects
        .into_iter()
        .map(|p| {
            let s = spent.iter().find(|x| x.0 == p.id).map(|x| x.1).unwrap_or(0);
            ProjectRow {
                percent: rules::spent_percent(s, p.budget_fen),
                over: rules::over_budget(s, p.budget_fen),
                schedule_key: p.schedule_key(today),
                spent: s,
                p,
            }
        })
        .collect();
    page(&ListPage {
        can_manage: allows(&actor, Action::ManageAgenda),
        ctx,
        community,
        rows,
    })
}

// ---- a new project ----

/// A prefix for a community's codes: its latest project's, or the first letters of its slug.
fn default_prefix(community: &Community, latest: Option<&Project>) -> String {
    latest
        .and_then(|p| rules::parse_code(&p.code))
        .map(|(p, _, _)| p)
        .unwrap_or_else(|| {
            community
                .slug
                .chars()
                .filter(char::is_ascii_alphabetic)
                .take(2)
                .collect::<String>()
                .to_ascii_uppercase()
        })
}

async fn new_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    form: Option<ProjectForm>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let (decisions, projects) = state
        .db(move |conn| {
            Ok((
                model::passed_decisions(conn, cid)?,
                model::of_community(conn, cid)?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form = form.unwrap_or_else(|| ProjectForm {
        prefix: default_prefix(&community, projects.first()),
        ..ProjectForm::default()
    });
    render(
        status,
        &NewPage {
            ctx,
            community,
            form,
            errors,
            decisions,
        },
    )
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, slug.into_inner(), Action::ManageAgenda).await?;
    new_page(&state, ctx, community, None, FieldErrors::default()).await
}

/// A date that may be left empty; typed, it must lie within a few years of `today`.
fn optional_date(
    s: &str,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, crate::clock::DateProblem> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        crate::clock::parse_near_date(s, today).map(Some)
    }
}

pub(super) fn amount_args(a: Vec<(&'static str, String)>) -> Vec<(&'static str, Arg)> {
    a.into_iter().map(|(n, v)| (n, Arg::Text(v))).collect()
}

/// An amount of money typed on a form, in fen; `zero` names the message for nothing.
pub(super) fn amount_field(
    ctx: &Ctx,
    errors: &mut FieldErrors,
    name: &'static str,
    typed: &str,
    zero: Option<&'static str>,
) -> Option<i64> {
    match (parse_amount(typed), zero) {
        (Ok(0), Some(key)) => {
            errors.add(name, ctx.t(key));
            None
        }
        (Ok(a), _) => Some(a),
        (Err(e), _) => {
            errors.add(name, say(ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    }
}

/// The planned and actual dates of a new project, checked as a schedule.
struct Dates {
    planned_start: Option<NaiveDate>,
    planned_end: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
}

fn read_dates(ctx: &Ctx, form: &ProjectForm, day: NaiveDate, errors: &mut FieldErrors) -> Dates {
    let mut date = |name: &'static str, v: &str, required: bool| match optional_date(v, day) {
        Ok(None) if required => {
            let label = format!("err.field_{name}");
            errors.add(name, FieldProblem::Empty.named(&ctx.tr, &label));
            None
        }
        Ok(d) => d,
        Err(e) => {
            errors.add(name, say(ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    };
    let d = Dates {
        planned_start: date("planned_start", &form.planned_start, true),
        planned_end: date("planned_end", &form.planned_end, true),
        actual_start: date("actual_start", &form.actual_start, false),
        actual_end: date("actual_end", &form.actual_end, false),
    };
    if let (Some(ps), Some(pe)) = (d.planned_start, d.planned_end) {
        let s = rules::Schedule {
            planned_start: ps,
            planned_end: pe,
            actual_start: d.actual_start,
            actual_end: d.actual_end,
        };
        for p in rules::check_schedule(&s).err().unwrap_or_default() {
            errors.add("schedule", say(ctx, p.key(), &p.args()));
        }
    }
    d
}

/// Who registers a project, and when.
struct By {
    community_id: i64,
    actor: i64,
    now: chrono::NaiveDateTime,
    today: NaiveDate,
}

/// Reads a new project's form into a registration, or the errors to show with it.
fn read_project(
    ctx: &Ctx,
    form: &ProjectForm,
    by: By,
    errors: &mut FieldErrors,
) -> Option<Registration> {
    let today = by.today;
    let mut field = |name: &'static str, label: &str, v: &str, min, max| {
        text_field(v, min, max)
            .map_err(|e| errors.add(name, e.named(&ctx.tr, label)))
            .ok()
    };
    let title = field("title", "err.field_project_title", &form.title, 1, 100);
    let announcement = field(
        "announcement",
        "err.field_announcement",
        &form.announcement,
        1,
        5000,
    );
    let contractor = field("contractor", "", &form.contractor, 0, 100);
    let budget = amount_field(
        ctx,
        errors,
        "budget",
        &form.budget,
        Some("projects.err_budget"),
    );
    let dates = read_dates(ctx, form, today, errors);
    // With no code typed the prefix makes one, so a bad prefix is the prefix's error.
    let (code, at) = if form.code.trim().is_empty() {
        (
            rules::check_prefix(&form.prefix).map(|p| (p, None)),
            "prefix",
        )
    } else {
        let code = rules::check_code(&form.code)
            .map(|(p, y, n)| (p.clone(), Some(rules::format_code(&p, y, n))));
        (code, "code")
    };
    let code = code
        .map_err(|p| errors.add(at, say(ctx, p.key(), &p.args())))
        .ok();
    let (title, announcement, contractor, budget) = (title?, announcement?, contractor?, budget?);
    let (planned_start, planned_end, (prefix, typed)) =
        (dates.planned_start?, dates.planned_end?, code?);
    Some(Registration {
        community_id: by.community_id,
        typed,
        prefix,
        year: chrono::Datelike::year(&today),
        title,
        announcement,
        budget_fen: budget,
        contractor,
        planned_start,
        planned_end,
        actual_start: dates.actual_start,
        actual_end: dates.actual_end,
        decisions: form.decisions.clone(),
        actor: by.actor,
        now: by.now,
    })
}

/// The committee creates a project: a typed code or the next one for the prefix.
pub async fn create(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) = load_as(&state, &ctx, slug.into_inner(), Action::ManageAgenda).await?;
    let form = ProjectForm::from_pairs(&form);
    let mut errors = FieldErrors::default();
    let by = By {
        community_id: community.id,
        actor: me,
        now: state.clock.now(),
        today: today(&state),
    };
    let read = read_project(&ctx, &form, by, &mut errors);
    let Some(registration) = read.filter(|_| errors.is_empty()) else {
        return new_page(&state, ctx, community, Some(form), errors).await;
    };
    let created = state
        .db(move |conn| write_tx(conn, |conn| service::register(conn, &registration)))
        .await?;
    let refused = match created {
        Ok(code) => return Ok(see_other(&format!("/p/{code}?done=created"))),
        Err(refused) => refused,
    };
    let mut errors = FieldErrors::default();
    match refused {
        NotRegistered::Key(key) if key.ends_with("taken") => errors.add("code", ctx.t(key)),
        NotRegistered::Key(key) => errors.add("decision", ctx.t(key)),
        NotRegistered::Rule(r) => errors.add("decision", refusal_message(&ctx, &r)),
    }
    new_page(&state, ctx, community, Some(form), errors).await
}

// ---- the project page ----

/// Everything the project page shows, as loaded.
struct Loaded {
    p: Project,
    community: Community,
    can_manage: bool,
    can_oversee: bool,
    decisions: Vec<DecisionRef>,
    orders: Vec<(i64, String, String, Option<i64>)>,
    photos: Vec<(i64, String, String)>,
    payments: Vec<Disbursement>,
    indexes: Vec<(i64, i64)>,
    reviews: Vec<(super::vouchers::Review, String)>,
    refusals: Vec<RefusalRow>,
    passed: Vec<DecisionRef>,
    unattached: Vec<(i64, String)>,
    acceptances: Vec<super::acceptance::Acceptance>,
}

async fn load_page(state: &AppState, ctx: &Ctx, code: String) -> Result<Loaded, AppError> {
    let user = ctx.user.clone();
    state
        .db(move |conn| {
            let p = model::by_code(conn, &code)?.ok_or(AppError::NotFound)?;
            let community = communities::by_id(conn, p.community_id)?;
            let actor = communities::actor(conn, user.as_ref(), &community)?;
            let orders = model::orders_of(conn, p.id)?;
            let ids: Vec<i64> = orders.iter().map(|o| o.0).collect();
            let payments = model::disbursements_of(conn, p.id)?;
            let pids: Vec<i64> = payments.iter().map(|d| d.id).collect();
            let can_manage = allows(&actor, Action::ManageAgenda);
            let can_oversee = allows(&actor, Action::ViewActionLog);
            let refusals = if can_oversee {
                model::refusals(conn, community.id)?
                    .into_iter()
                    .filter(|r| r.project_id == Some(p.id))
                    .collect()
            } else {
                Vec::new()
            };
            let (passed, unattached) = if can_manage {
                (
                    model::passed_decisions(conn, community.id)?,
                    model::unattached_orders(conn, community.id)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok(Loaded {
                decisions: model::project_decisions(conn, p.id)?,
                photos: crate::work_orders::model::cover_photos(conn, &ids)?,
                indexes: model::log_indexes(conn, &pids)?,
                reviews: super::vouchers::reviews_of(conn, community.id, &pids)?,
                acceptances: super::acceptance::of(conn, p.id)?,
                p,
                community,
                can_manage,
                can_oversee,
                orders,
                payments,
                refusals,
                passed,
                unattached,
            })
        })
        .await
}

/// The project page, with a notice or a refused form as `shown` says.
pub async fn project_page(
    state: &AppState,
    ctx: Ctx,
    code: String,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let l = load_page(state, &ctx, code).await?;
    let spent: i64 = l.payments.iter().map(|d| d.amount_fen).sum();
    let photos = l.photos;
    let orders = l
        .orders
        .into_iter()
        .map(|(id, title, st, budget_yuan)| OrderView {
            id,
            title,
            state_key: format!("orders.state_{st}"),
            budget_yuan,
            photos: photos
                .iter()
                .filter(|x| x.0 == id)
                .map(|x| x.2.clone())
                .collect(),
        })
        .collect();
    let (indexes, reviews) = (l.indexes, l.reviews);
    let payments = l
        .payments
        .into_iter()
        .map(|d| PaymentView {
            log_index: indexes.iter().find(|x| x.0 == d.id).map(|x| x.1),
            review: reviews
                .iter()
                .rfind(|r| r.0.disbursement_id == d.id)
                .map(|r| (r.0.key(), r.1.clone())),
            d,
        })
        .collect();
    let refusals = l
        .refusals
        .into_iter()
        .map(|r| {
            let m = refusal_message(&ctx, &r.refusal());
            (r, m)
        })
        .collect();
    let p = l.p;
    let show = ShowPage {
        percent: rules::spent_percent(spent, p.budget_fen),
        over: rules::over_budget(spent, p.budget_fen),
        schedule_key: p.schedule_key(today(state)),
        spent,
        ctx,
        community: l.community,
        p,
        decisions: l.decisions,
        orders,
        payments,
        can_manage: l.can_manage,
        can_oversee: l.can_oversee,
        refusals,
        passed: l.passed,
        unattached: l.unattached,
        acceptances: l.acceptances,
        form: shown.form,
        errors: shown.errors,
        notice: shown.notice,
    };
    render(shown.status, &show)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    code: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    // A code typed by hand ("lt-2026-1") goes to the project's own address.
    let code = code.into_inner();
    if let Some(canonical) = rules::parse_code(&code).map(|(p, y, n)| rules::format_code(&p, y, n))
    {
        if canonical != code {
            return Ok(see_other(&format!("/p/{canonical}")));
        }
    }
    let notice = match q.done.as_str() {
        "created" => Some("projects.done_created"),
        "updated" => Some("projects.done_updated"),
        "paid" => Some("projects.done_paid"),
        "attached" => Some("projects.done_attached"),
        _ => None,
    };
    project_page(&state, ctx, code, Shown::ok(notice)).await
}

// ---- attaching work orders ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttachForm {
    pub order: String,
}

/// The committee gathers one of the community's work orders into the project.
pub async fn attach_order(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    p: Posted<AttachForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, code) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (cid, c) = (community.id, code.clone());
    let order = form.order.trim().parse::<i64>().ok();
    let attached = state
        .db(move |conn| {
            let p = model::by_code(conn, &c)?
                .filter(|p| p.community_id == cid)
                .ok_or(AppError::NotFound)?;
            match order {
                Some(o) => Ok(write_tx(conn, |conn| {
                    Ok(model::attach_order(conn, cid, p.id, o)?)
                })?),
                None => Ok(false),
            }
        })
        .await?;
    if attached {
        return Ok(see_other(&format!("/p/{code}?done=attached")));
    }
    let mut errors = FieldErrors::default();
    errors.add("order", ctx.t("projects.err_order"));
    project_page(&state, ctx, code, Shown::refused(errors)).await
}

// ---- actual dates and further decisions ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    pub actual_start: String,
    pub actual_end: String,
    pub decision: String,
}

/// One of the community's projects by its code.
pub(super) async fn project_of(
    state: &AppState,
    community_id: i64,
    code: String,
) -> Result<Project, AppError> {
    state
        .db(move |conn| {
            model::by_code(conn, &code)?
                .filter(|p| p.community_id == community_id)
                .ok_or(AppError::NotFound)
        })
        .await
}

/// The committee records when work really started and ended, and links a further decision.
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    p: Posted<UpdateForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, code) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let cid = community.id;
    let project = project_of(&state, cid, code.clone()).await?;
    let mut errors = FieldErrors::default();
    let day = today(&state);
    let mut date = |name: &'static str, v: &str| match optional_date(v, day) {
        Ok(d) => d,
        Err(e) => {
            errors.add(name, say(&ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    };
    let start = date("actual_start", &form.actual_start);
    let end = date("actual_end", &form.actual_end);
    if let Some(mut s) = project.schedule() {
        (s.actual_start, s.actual_end) = (start, end);
        for p in rules::check_schedule(&s).err().unwrap_or_default() {
            errors.add("schedule", say(&ctx, p.key(), &p.args()));
        }
    }
    let decision = match form.decision.trim() {
        "" => None,
        d => d
            .parse::<i64>()
            .map_err(|_| errors.add("add-decision", ctx.t("projects.err_decision")))
            .ok(),
    };
    if errors.is_empty() {
        let pid = project.id;
        let linked = state
            .db(move |conn| {
                write_tx(conn, |conn| {
                    service::update(conn, cid, pid, decision, (start, end))
                })
            })
            .await?;
        if linked {
            return Ok(see_other(&format!("/p/{code}?done=updated")));
        }
        errors.add("add-decision", ctx.t("projects.err_decision"));
    }
    project_page(&state, ctx, code, Shown::refused(errors)).await
}

// ---- the printable notice and its QR code ----

async fn load_project(
    state: &AppState,
    code: String,
) -> Result<(Project, Community, Vec<DecisionRef>, i64), AppError> {
    state
        .db(move |conn| {
            let p = model::by_code(conn, &code)?.ok_or(AppError::NotFound)?;
            let community = communities::by_id(conn, p.community_id)?;
            let decisions = model::project_decisions(conn, p.id)?;
            let spent = model::disbursements_of(conn, p.id)?
                .iter()
                .map(|d| d.amount_fen)
                .sum();
            Ok((p, community, decisions, spent))
        })
        .await
}

fn qr_error(e: qr::QrError) -> AppError {
    AppError::Internal(format!("qr: {e}"))
}

/// The A4 notice for the village notice board: the facts and a QR code to the project page.
pub async fn notice(
    state: web::Data<AppState>,
    ctx: Ctx,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (p, community, decisions, spent) = load_project(&state, code.into_inner()).await?;
    let url = format!("{}/p/{}", site_base(&state), p.code);
    let svg = qr::qr_svg(&url).map_err(qr_error)?;
    // Inline in the page: the XML declaration goes.
    let svg = svg
        .split_once("?>\n")
        .map(|(_, s)| s.to_string())
        .unwrap_or(svg);
    page(&NoticePage {
        ctx,
        community,
        p,
        url,
        svg,
        decisions,
        spent,
    })
}

pub async fn qr_svg(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (p, _, _, _) = load_project(&state, code.into_inner()).await?;
    let url = format!("{}/p/{}", site_base(&state), p.code);
    let svg = qr::qr_svg(&url).map_err(qr_error)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(svg))
}

pub async fn qr_png(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (p, _, _, _) = load_project(&state, code.into_inner()).await?;
    let url = format!("{}/p/{}", site_base(&state), p.code);
    let png = qr::qr_png(&url, 8).map_err(qr_error)?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(png))
}
