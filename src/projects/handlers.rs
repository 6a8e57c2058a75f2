//! Project pages: the community's list with spending against budget, a new project with its
//! code (一项一码), the public project page at `/p/{code}` gathering its decisions, orders,
//! photos and disbursements, the printable notice with its QR code, and attaching orders.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, DecisionRef, Disbursement, NewProject, Project, RefusalRow};
use super::qr;
use super::rules::{self, Arg};
use crate::authz::{allows, Action};
use crate::communities::model::{self as communities, Community};
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{load_as, load_community};
use crate::money::parse_amount;
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

pub struct ProjectRow {
    pub p: Project,
    pub spent: i64,
    pub percent: Option<u32>,
    pub over: bool,
    pub schedule_key: &'static str,
}

#[derive(Template)]
#[template(path = "projects/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    rows: Vec<ProjectRow>,
    can_manage: bool,
}

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

#[derive(Default, Clone)]
pub struct ProjectForm {
    pub prefix: String,
    pub code: String,
    pub title: String,
    pub announcement: String,
    pub budget: String,
    pub contractor: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: String,
    pub actual_end: String,
    pub decisions: Vec<i64>,
}

impl ProjectForm {
    pub fn has(&self, decision: &i64) -> bool {
        self.decisions.contains(decision)
    }

    fn from_pairs(pairs: &[(String, String)]) -> ProjectForm {
        let mut f = ProjectForm::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "prefix" => f.prefix = v,
                "code" => f.code = v,
                "title" => f.title = v,
                "announcement" => f.announcement = v,
                "budget" => f.budget = v,
                "contractor" => f.contractor = v,
                "planned_start" => f.planned_start = v,
                "planned_end" => f.planned_end = v,
                "actual_start" => f.actual_start = v,
                "actual_end" => f.actual_end = v,
                "decision" => f.decisions.extend(v.trim().parse::<i64>().ok()),
                _ => {}
            }
        }
        f
    }
}

#[derive(Template)]
#[template(path = "projects/new.html")]
struct NewPage {
    ctx: Ctx,
    community: Community,
    form: ProjectForm,
    errors: FieldErrors,
    decisions: Vec<DecisionRef>,
}

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
) -> Result<Option<NaiveDate>, crate::disclosures::rules::DateProblem> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        crate::disclosures::rules::parse_near_date(s, today).map(Some)
    }
}

fn amount_args(a: Vec<(&'static str, String)>) -> Vec<(&'static str, Arg)> {
    a.into_iter().map(|(n, v)| (n, Arg::Text(v))).collect()
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
    let field = |errors: &mut FieldErrors, name: &'static str, v: &str, min, max| {
        text_field(v, min, max)
            .map_err(|e| errors.add(name, e.message(&ctx.tr)))
            .ok()
    };
    let title = field(&mut errors, "title", &form.title, 1, 100);
    let announcement = field(&mut errors, "announcement", &form.announcement, 1, 5000);
    let contractor = field(&mut errors, "contractor", &form.contractor, 0, 100);
    let budget = match parse_amount(&form.budget) {
        Ok(0) => {
            errors.add("budget", ctx.t("projects.err_budget"));
            None
        }
        Ok(b) => Some(b),
        Err(e) => {
            errors.add("budget", say(&ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    };
    let day = today(&state);
    let mut date = |name: &'static str, v: &str, required: bool| match optional_date(v, day) {
        Ok(None) if required => {
            errors.add(name, ctx.t("disclosure.err.date_empty"));
            None
        }
        Ok(d) => d,
        Err(e) => {
            errors.add(name, say(&ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    };
    let planned_start = date("planned_start", &form.planned_start, true);
    let planned_end = date("planned_end", &form.planned_end, true);
    let actual_start = date("actual_start", &form.actual_start, false);
    let actual_end = date("actual_end", &form.actual_end, false);
    if let (Some(ps), Some(pe)) = (planned_start, planned_end) {
        let s = rules::Schedule {
            planned_start: ps,
            planned_end: pe,
            actual_start,
            actual_end,
        };
        for p in rules::check_schedule(&s).err().unwrap_or_default() {
            errors.add("schedule", say(&ctx, p.key(), &p.args()));
        }
    }
    let year = chrono::Datelike::year(&today(&state));
    let code = if form.code.trim().is_empty() {
        rules::check_prefix(&form.prefix).map(|p| (p, None))
    } else {
        rules::check_code(&form.code)
            .map(|(p, y, n)| (p.clone(), Some(rules::format_code(&p, y, n))))
    };
    let code = code
        .map_err(|p| errors.add("code", say(&ctx, p.key(), &p.args())))
        .ok();
    let (Some(title), Some(announcement), Some(contractor), Some(budget)) =
        (title, announcement, contractor, budget)
    else {
        return new_page(&state, ctx, community, Some(form), errors).await;
    };
    let (Some(planned_start), Some(planned_end), Some((prefix, typed))) =
        (planned_start, planned_end, code)
    else {
        return new_page(&state, ctx, community, Some(form), errors).await;
    };
    if !errors.is_empty() {
        return new_page(&state, ctx, community, Some(form), errors).await;
    }
    let (cid, now, chosen) = (community.id, state.clock.now(), form.decisions.clone());
    let created = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let passed = model::passed_decisions(conn, cid)?;
                if chosen.iter().any(|d| !passed.iter().any(|p| p.id == *d)) {
                    return Ok(Err(Refused::Key("projects.err_decision")));
                }
                // Registering a project is its contract (立项和承包): above the list's
                // threshold one of its decisions must be of the required body.
                let cite = passed
                    .iter()
                    .filter(|p| chosen.contains(&p.id))
                    .filter_map(|p| {
                        rules::Body::parse(&p.body).map(|body| rules::CitedDecision {
                            id: p.id,
                            body,
                            passed: true,
                        })
                    })
                    .max_by_key(|c| c.body.rank());
                let powers = super::spending::rules_of(&model::current_powers(conn, cid)?);
                if let Err(refusal) =
                    rules::check_spend(budget, rules::SpendKind::Contract, &powers, cite.as_ref())
                {
                    model::insert_refusal(
                        conn,
                        &model::NewRefusal {
                            community_id: cid,
                            project_id: None,
                            kind: rules::SpendKind::Contract,
                            amount_fen: budget,
                            payee: &title,
                            refusal: &refusal,
                        },
                        me,
                        now,
                    )?;
                    return Ok(Err(Refused::Rule(refusal)));
                }
                let code = match &typed {
                    Some(c) => c.clone(),
                    None => model::next_code(conn, &prefix, year)?,
                };
                if model::by_code(conn, &code)?.is_some() {
                    return Ok(Err(Refused::Key("projects.err_code_taken")));
                }
                model::insert_project(
                    conn,
                    &NewProject {
                        community_id: cid,
                        code: &code,
                        title: &title,
                        announcement: &announcement,
                        budget_fen: budget,
                        contractor: &contractor,
                        planned_start,
                        planned_end,
                        actual_start,
                        actual_end,
                        decisions: &chosen,
                    },
                    Some(me),
                    now,
                )?;
                Ok(Ok(code))
            })
        })
        .await?;
    match created {
        Ok(code) => Ok(see_other(&format!("/p/{code}?done=created"))),
        Err(refused) => {
            let mut errors = FieldErrors::default();
            match refused {
                Refused::Key(key) if key.ends_with("taken") => errors.add("code", ctx.t(key)),
                Refused::Key(key) => errors.add("decision", ctx.t(key)),
                Refused::Rule(r) => errors.add("decision", refusal_message(&ctx, &r)),
            }
            new_page(&state, ctx, community, Some(form), errors).await
        }
    }
}

/// Why a project was not registered.
enum Refused {
    Key(&'static str),
    Rule(rules::Refusal),
}

// ---- the project page ----

pub struct OrderView {
    pub id: i64,
    pub title: String,
    pub state_key: String,
    pub budget_yuan: Option<i64>,
    pub photos: Vec<String>,
}

pub struct PaymentView {
    pub d: Disbursement,
    pub log_index: Option<i64>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PayForm {
    pub amount: String,
    pub paid_on: String,
    pub payee: String,
    pub voucher: String,
    pub decision: String,
    pub override_reason: String,
}

#[derive(Template)]
#[template(path = "projects/show.html")]
struct ShowPage {
    ctx: Ctx,
    community: Community,
    p: Project,
    decisions: Vec<DecisionRef>,
    orders: Vec<OrderView>,
    payments: Vec<PaymentView>,
    spent: i64,
    percent: Option<u32>,
    over: bool,
    schedule_key: &'static str,
    can_manage: bool,
    can_oversee: bool,
    refusals: Vec<(RefusalRow, String)>,
    passed: Vec<DecisionRef>,
    unattached: Vec<(i64, String)>,
    form: PayForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

pub struct Shown {
    pub errors: FieldErrors,
    pub form: PayForm,
    pub notice: Option<&'static str>,
    pub status: StatusCode,
}

impl Shown {
    pub fn ok(notice: Option<&'static str>) -> Shown {
        Shown {
            errors: FieldErrors::default(),
            form: PayForm::default(),
            notice,
            status: StatusCode::OK,
        }
    }
}

pub async fn project_page(
    state: &AppState,
    ctx: Ctx,
    code: String,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone();
    let loaded = state
        .db(move |conn| {
            let p = model::by_code(conn, &code)?.ok_or(AppError::NotFound)?;
            let community = communities::by_id(conn, p.community_id)?;
            let actor = communities::actor(conn, user.as_ref(), &community)?;
            let decisions = model::project_decisions(conn, p.id)?;
            let orders = model::orders_of(conn, p.id)?;
            let ids: Vec<i64> = orders.iter().map(|o| o.0).collect();
            let photos = crate::work_orders::model::cover_photos(conn, &ids)?;
            let payments = model::disbursements_of(conn, p.id)?;
            let pids: Vec<i64> = payments.iter().map(|d| d.id).collect();
            let indexes = model::log_indexes(conn, &pids)?;
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
            Ok((
                p,
                community,
                can_manage,
                can_oversee,
                decisions,
                orders,
                photos,
                payments,
                indexes,
                refusals,
                passed,
                unattached,
            ))
        })
        .await?;
    let (
        p,
        community,
        can_manage,
        can_oversee,
        decisions,
        orders,
        photos,
        payments,
        indexes,
        refusals,
        passed,
        unattached,
    ) = loaded;
    let spent: i64 = payments.iter().map(|d| d.amount_fen).sum();
    let orders = orders
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
    let payments = payments
        .into_iter()
        .map(|d| PaymentView {
            log_index: indexes.iter().find(|x| x.0 == d.id).map(|x| x.1),
            d,
        })
        .collect();
    let refusals = refusals
        .into_iter()
        .map(|r| {
            let m = refusal_message(&ctx, &r.refusal());
            (r, m)
        })
        .collect();
    render(
        shown.status,
        &ShowPage {
            percent: rules::spent_percent(spent, p.budget_fen),
            over: rules::over_budget(spent, p.budget_fen),
            schedule_key: p.schedule_key(today(state)),
            spent,
            ctx,
            community,
            p,
            decisions,
            orders,
            payments,
            can_manage,
            can_oversee,
            refusals,
            passed,
            unattached,
            form: shown.form,
            errors: shown.errors,
            notice: shown.notice,
        },
    )
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
    let mut shown = Shown::ok(None);
    shown.errors.add("order", ctx.t("projects.err_order"));
    shown.status = StatusCode::UNPROCESSABLE_ENTITY;
    project_page(&state, ctx, code, shown).await
}

// ---- actual dates and further decisions ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    pub actual_start: String,
    pub actual_end: String,
    pub decision: String,
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
    let (cid, c) = (community.id, code.clone());
    let project = state
        .db(move |conn| {
            model::by_code(conn, &c)?
                .filter(|p| p.community_id == cid)
                .ok_or(AppError::NotFound)
        })
        .await?;
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
        d => match d.parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("decision", ctx.t("projects.err_decision"));
                None
            }
        },
    };
    if errors.is_empty() {
        let pid = project.id;
        let linked = state
            .db(move |conn| {
                write_tx(conn, |conn| {
                    if let Some(d) = decision {
                        if !model::passed_decisions(conn, cid)?
                            .iter()
                            .any(|x| x.id == d)
                        {
                            return Ok(false);
                        }
                        model::link_decision(conn, pid, d)?;
                    }
                    model::set_actual(conn, pid, start, end)?;
                    Ok(true)
                })
            })
            .await?;
        if linked {
            return Ok(see_other(&format!("/p/{code}?done=updated")));
        }
        errors.add("decision", ctx.t("projects.err_decision"));
    }
    let mut shown = Shown::ok(None);
    shown.errors = errors;
    shown.status = StatusCode::UNPROCESSABLE_ENTITY;
    project_page(&state, ctx, code, shown).await
}

// ---- the printable notice and its QR code ----

#[derive(Template)]
#[template(path = "projects/notice.html")]
struct NoticePage {
    ctx: Ctx,
    community: Community,
    p: Project,
    url: String,
    svg: String,
    decisions: Vec<DecisionRef>,
    spent: i64,
}

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
