//! The responsible person and planned completion date of adopted items (列明具体负责人和
//! 计划完成时间): stored append-only (every setting kept, the latest stands), set by the
//! committee on the item page, shown on the item, the list, the supervisors' page and the
//! items' open data (`/c/{slug}/items.csv`, `.json`).

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::handlers::OnItem;
use super::model::{self, Item};
use super::plan_rules::{self, CheckedPlan};
use crate::authz::Action;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::{agenda_item_plans, agenda_items, users};
use crate::web::community::load_as;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{see_other, AppState};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = agenda_item_plans)]
pub struct Plan {
    pub id: i64,
    pub community_id: i64,
    pub item_id: i64,
    pub responsible: String,
    pub due_on: NaiveDate,
    pub note: String,
    pub set_by: i64,
    pub created_at: NaiveDateTime,
}

impl Plan {
    pub fn due(&self) -> String {
        self.due_on.format("%Y-%m-%d").to_string()
    }
}

/// An item with its author's display name, in one query.
pub fn item_with_author(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<(Item, String)>> {
    agenda_items::table
        .inner_join(users::table)
        .filter(agenda_items::community_id.eq(community_id))
        .filter(agenda_items::id.eq(id))
        .select((Item::as_select(), users::display_name))
        .first(conn)
        .optional()
}

/// An item's plans, oldest first, each with who set it.
pub fn history(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<(Plan, String)>> {
    agenda_item_plans::table
        .inner_join(users::table.on(users::id.eq(agenda_item_plans::set_by)))
        .filter(agenda_item_plans::item_id.eq(item_id))
        .order(agenda_item_plans::id)
        .select((Plan::as_select(), users::display_name))
        .load(conn)
}

/// The standing plan of each of `ids` (those that have one). One query.
pub fn latest_of(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Plan>> {
    let rows: Vec<Plan> = agenda_item_plans::table
        .filter(agenda_item_plans::item_id.eq_any(ids))
        .order(agenda_item_plans::id)
        .select(Plan::as_select())
        .load(conn)?;
    Ok(latest(rows))
}

fn latest(rows: Vec<Plan>) -> HashMap<i64, Plan> {
    // Ordered by id: a later setting replaces an earlier one.
    rows.into_iter().map(|p| (p.item_id, p)).collect()
}

/// Every item of a community with its standing plan, if any, newest item first. Two queries.
pub fn all_in(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(Item, Option<Plan>)>> {
    let items: Vec<Item> = agenda_items::table
        .filter(agenda_items::community_id.eq(community_id))
        .order(agenda_items::id.desc())
        .limit(100_000)
        .select(Item::as_select())
        .load(conn)?;
    let rows: Vec<Plan> = agenda_item_plans::table
        .filter(agenda_item_plans::community_id.eq(community_id))
        .order(agenda_item_plans::id)
        .select(Plan::as_select())
        .load(conn)?;
    let mut plans = latest(rows);
    Ok(items
        .into_iter()
        .map(|i| {
            let p = plans.remove(&i.id);
            (i, p)
        })
        .collect())
}

/// An item past its planned completion date, for the supervisors' page.
pub struct OverdueItem {
    pub item: Item,
    pub plan: Plan,
    pub days: i64,
}

/// The community's items past their planned completion date on Beijing day `today`, most
/// overdue first. Two queries.
pub fn overdue(
    conn: &mut AnyConnection,
    community_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<OverdueItem>> {
    let mut out: Vec<OverdueItem> = all_in(conn, community_id)?
        .into_iter()
        .filter_map(|(item, plan)| {
            let plan = plan?;
            let days = plan_rules::overdue_days(item.stage(), plan.due_on, today)?;
            Some(OverdueItem { item, plan, days })
        })
        .collect();
    out.sort_by_key(|o| (std::cmp::Reverse(o.days), o.item.id));
    Ok(out)
}

fn insert(
    conn: &mut AnyConnection,
    item: &Item,
    p: &CheckedPlan,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(agenda_item_plans::table)
        .values((
            agenda_item_plans::community_id.eq(item.community_id),
            agenda_item_plans::item_id.eq(item.id),
            agenda_item_plans::responsible.eq(&p.responsible),
            agenda_item_plans::due_on.eq(p.due_on),
            agenda_item_plans::note.eq(&p.reason),
            agenda_item_plans::set_by.eq(by),
            agenda_item_plans::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

// ---- the committee sets the plan ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PlanForm {
    pub responsible: String,
    pub due_on: String,
    pub reason: String,
}

/// What the committee is told when it may not set the plan now.
enum Refused {
    Problems(Vec<plan_rules::PlanProblem>),
    Stage,
}

/// The committee sets (or changes, with a reason) an adopted item's responsible person and
/// planned completion date; every setting is kept and shows on the item's timeline.
pub async fn set(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<PlanForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (cid, now) = (community.id, state.clock.now());
    let today = crate::clock::local_day(now);
    let typed = form.clone();
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                if !plan_rules::takes_plan(item.stage()) {
                    return Ok(Err(Refused::Stage));
                }
                let standing = !history(conn, id)?.is_empty();
                match plan_rules::check_plan(
                    &typed.responsible,
                    &typed.due_on,
                    &typed.reason,
                    standing,
                    today,
                ) {
                    Ok(plan) => {
                        insert(conn, &item, &plan, me, now)?;
                        Ok(Ok(()))
                    }
                    Err(problems) => Ok(Err(Refused::Problems(problems))),
                }
            })
        })
        .await?;
    let mut errors = FieldErrors::default();
    match outcome {
        Ok(()) => {
            return Ok(see_other(&format!(
                "/c/{}/items/{id}?done=planned#plan",
                community.slug
            )))
        }
        Err(Refused::Stage) => errors.add("plan", ctx.t("item_plan.err_stage")),
        Err(Refused::Problems(ps)) => {
            for p in ps {
                let args = p.args();
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                errors.add(p.field(), ctx.f(p.key(), &args));
            }
        }
    }
    let on = OnItem {
        ctx,
        community,
        actor,
        id,
    };
    on.refuse_plan(&state, errors, form).await
}

// ---- open data ----

#[derive(Serialize)]
struct ItemRow {
    id: i64,
    title: String,
    category: String,
    stage: String,
    major: bool,
    responsible: String,
    planned_completion: String,
    overdue_days: String,
    created_at: String,
    url: String,
}

const HEADER: [&str; 10] = [
    "id",
    "title",
    "category",
    "stage",
    "major",
    "responsible",
    "planned_completion",
    "overdue_days",
    "created_at",
    "url",
];

async fn item_rows(state: &AppState, slug: String) -> Result<Vec<ItemRow>, AppError> {
    let today = crate::clock::local_day(state.clock.now());
    let (c, rows) = state
        .db(move |conn| {
            let c = crate::communities::model::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let rows = all_in(conn, c.id)?;
            Ok((c, rows))
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(i, p)| ItemRow {
            url: format!("/c/{}/items/{}", c.slug, i.id),
            id: i.id,
            stage: i.stage.clone(),
            major: i.major,
            responsible: p
                .as_ref()
                .map(|p| p.responsible.clone())
                .unwrap_or_default(),
            planned_completion: p.as_ref().map(Plan::due).unwrap_or_default(),
            overdue_days: p
                .as_ref()
                .and_then(|p| plan_rules::overdue_days(i.stage(), p.due_on, today))
                .map(|d| d.to_string())
                .unwrap_or_default(),
            created_at: i.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            title: i.title,
            category: i.category,
        })
        .collect())
}

/// `/c/{slug}/items.csv`: every item, its stage, responsible person and planned date.
pub async fn items_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let rows = item_rows(&state, slug.into_inner()).await?;
    let mut csv = crate::web::csv::Csv::for_spreadsheets(&HEADER);
    for r in &rows {
        csv.row(&[
            r.id.to_string(),
            r.title.clone(),
            r.category.clone(),
            r.stage.clone(),
            r.major.to_string(),
            r.responsible.clone(),
            r.planned_completion.clone(),
            r.overdue_days.clone(),
            r.created_at.clone(),
            r.url.clone(),
        ]);
    }
    let mut resp = csv.response("items");
    resp.headers_mut().insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        actix_web::http::header::HeaderValue::from_static("*"),
    );
    Ok(resp)
}

/// `/c/{slug}/items.json`: the same rows as JSON.
pub async fn items_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let rows = item_rows(&state, slug.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .json(rows))
}
