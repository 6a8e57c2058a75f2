//! Open data: CSV and JSON of a community's disclosures, ledger lines, decisions and work
//! orders, and Atom feeds of its decisions and disclosures. Only what the pages show.

use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Serialize;

use super::model;
use super::rules;
use crate::communities::model::{self as communities, Community};
use crate::error::AppError;
use crate::web::csv::Csv;
use crate::web::AppState;

/// One table of open data, written as CSV or JSON.
trait Table: Serialize {
    fn header() -> &'static [&'static str];
    fn row(&self) -> Vec<String>;
}

fn csv_response<T: Table>(name: &str, rows: &[T]) -> Result<HttpResponse, AppError> {
    let mut csv = Csv::for_spreadsheets(T::header());
    for r in rows {
        csv.row(&r.row());
    }
    let mut resp = csv.response(name);
    resp.headers_mut().insert(
        actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        actix_web::http::header::HeaderValue::from_static("*"),
    );
    Ok(resp)
}

fn json_response<T: Serialize>(rows: &[T]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .json(rows)
}

/// Which format a route asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

fn answer<T: Table>(format: Format, name: &str, rows: &[T]) -> Result<HttpResponse, AppError> {
    match format {
        Format::Csv => csv_response(name, rows),
        Format::Json => Ok(json_response(rows)),
    }
}

async fn community(state: &AppState, slug: String) -> Result<Community, AppError> {
    state
        .db(move |conn| Ok(communities::by_slug(conn, &slug)?))
        .await?
        .ok_or(AppError::NotFound)
}

// ---- disclosures ----

#[derive(Serialize)]
struct DisclosureRow {
    id: i64,
    category: String,
    period: String,
    version: i32,
    title: String,
    responsible: String,
    published_at: String,
    correction_reason: String,
    url: String,
}

impl Table for DisclosureRow {
    fn header() -> &'static [&'static str] {
        &[
            "id",
            "category",
            "period",
            "version",
            "title",
            "responsible",
            "published_at",
            "correction_reason",
            "url",
        ]
    }
    fn row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.category.clone(),
            self.period.clone(),
            self.version.to_string(),
            self.title.clone(),
            self.responsible.clone(),
            self.published_at.clone(),
            self.correction_reason.clone(),
            self.url.clone(),
        ]
    }
}

fn utc(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn disclosures_rows(state: &AppState, slug: String) -> Result<Vec<DisclosureRow>, AppError> {
    let c = community(state, slug).await?;
    let cid = c.id;
    let listed = state
        .db(move |conn| Ok(model::list(conn, cid, 100_000)?))
        .await?;
    Ok(listed
        .into_iter()
        .map(|l| DisclosureRow {
            url: format!("/c/{}/disclosures/{}", c.slug, l.d.id),
            id: l.d.id,
            category: l.d.category,
            period: l.d.period,
            version: l.latest.version,
            title: l.latest.title,
            responsible: l.latest.responsible,
            published_at: utc(&l.latest.published_at),
            correction_reason: l.latest.reason,
        })
        .collect())
}

pub async fn disclosures_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Csv,
        "disclosures",
        &disclosures_rows(&state, slug.into_inner()).await?,
    )
}

pub async fn disclosures_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Json,
        "disclosures",
        &disclosures_rows(&state, slug.into_inner()).await?,
    )
}

// ---- ledger lines ----

#[derive(Serialize)]
struct LedgerRow {
    disclosure: i64,
    period: String,
    date: String,
    description: String,
    income: String,
    expense: String,
    counterparty: String,
    voucher: String,
}

impl Table for LedgerRow {
    fn header() -> &'static [&'static str] {
        &[
            "disclosure",
            "period",
            "date",
            "description",
            "income",
            "expense",
            "counterparty",
            "voucher",
        ]
    }
    fn row(&self) -> Vec<String> {
        vec![
            self.disclosure.to_string(),
            self.period.clone(),
            self.date.clone(),
            self.description.clone(),
            self.income.clone(),
            self.expense.clone(),
            self.counterparty.clone(),
            self.voucher.clone(),
        ]
    }
}

async fn ledger_rows(state: &AppState, slug: String) -> Result<Vec<LedgerRow>, AppError> {
    let c = community(state, slug).await?;
    let cid = c.id;
    let lines = state
        .db(move |conn| Ok(model::all_lines(conn, cid)?))
        .await?;
    Ok(lines
        .into_iter()
        .map(|(d, period, l)| LedgerRow {
            disclosure: d,
            period,
            date: l.date.format("%Y-%m-%d").to_string(),
            description: l.description,
            income: crate::money::plain(l.income),
            expense: crate::money::plain(l.expense),
            counterparty: l.counterparty,
            voucher: l.voucher,
        })
        .collect())
}

pub async fn ledger_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Csv,
        "ledger",
        &ledger_rows(&state, slug.into_inner()).await?,
    )
}

pub async fn ledger_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Json,
        "ledger",
        &ledger_rows(&state, slug.into_inner()).await?,
    )
}

// ---- decisions ----

#[derive(Serialize)]
struct DecisionRow {
    id: i64,
    item: String,
    body: String,
    mode: String,
    rule: String,
    electorate: i64,
    present: i64,
    counts: String,
    quorum_met: bool,
    verdict: String,
    published_at: String,
    url: String,
}

impl Table for DecisionRow {
    fn header() -> &'static [&'static str] {
        &[
            "id",
            "item",
            "body",
            "mode",
            "rule",
            "electorate",
            "present",
            "counts",
            "quorum_met",
            "verdict",
            "published_at",
            "url",
        ]
    }
    fn row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.item.clone(),
            self.body.clone(),
            self.mode.clone(),
            self.rule.clone(),
            self.electorate.to_string(),
            self.present.to_string(),
            self.counts.clone(),
            self.quorum_met.to_string(),
            self.verdict.clone(),
            self.published_at.clone(),
            self.url.clone(),
        ]
    }
}

type DecisionTuple = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    bool,
    String,
    chrono::NaiveDateTime,
);

async fn decision_rows(state: &AppState, slug: String) -> Result<Vec<DecisionRow>, AppError> {
    use crate::schema::{agenda_items, decisions};
    let c = community(state, slug).await?;
    let cid = c.id;
    let rows: Vec<DecisionTuple> = state
        .db(move |conn| {
            Ok(decisions::table
                .inner_join(agenda_items::table.on(agenda_items::id.eq(decisions::item_id)))
                .filter(decisions::community_id.eq(cid))
                .order(decisions::id.desc())
                .select((
                    decisions::id,
                    agenda_items::title,
                    decisions::body,
                    decisions::mode,
                    decisions::rule,
                    decisions::electorate,
                    decisions::present,
                    decisions::counts,
                    decisions::quorum_met,
                    decisions::verdict,
                    decisions::published_at,
                ))
                .load(conn)?)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, item, body, mode, rule, electorate, present, counts, quorum_met, verdict, at)| {
                DecisionRow {
                    url: format!("/c/{}/decisions/{id}", c.slug),
                    id,
                    item,
                    body,
                    mode,
                    rule,
                    electorate,
                    present,
                    counts,
                    quorum_met,
                    verdict,
                    published_at: utc(&at),
                }
            },
        )
        .collect())
}

pub async fn decisions_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Csv,
        "decisions",
        &decision_rows(&state, slug.into_inner()).await?,
    )
}

pub async fn decisions_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Json,
        "decisions",
        &decision_rows(&state, slug.into_inner()).await?,
    )
}

// ---- work orders ----

#[derive(Serialize)]
struct OrderRow {
    id: i64,
    title: String,
    category: String,
    source: String,
    state: String,
    received_at: String,
    due_at: String,
    completed_at: String,
    rating: String,
    url: String,
}

impl Table for OrderRow {
    fn header() -> &'static [&'static str] {
        &[
            "id",
            "title",
            "category",
            "source",
            "state",
            "received_at",
            "due_at",
            "completed_at",
            "rating",
            "url",
        ]
    }
    fn row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.title.clone(),
            self.category.clone(),
            self.source.clone(),
            self.state.clone(),
            self.received_at.clone(),
            self.due_at.clone(),
            self.completed_at.clone(),
            self.rating.clone(),
            self.url.clone(),
        ]
    }
}

type OrderTuple = (
    i64,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<i32>,
);

async fn order_rows(state: &AppState, slug: String) -> Result<Vec<OrderRow>, AppError> {
    use crate::schema::work_orders;
    let c = community(state, slug).await?;
    let cid = c.id;
    let rows: Vec<OrderTuple> = state
        .db(move |conn| {
            Ok(work_orders::table
                .filter(work_orders::community_id.eq(cid))
                .order(work_orders::id.desc())
                .limit(100_000)
                .select((
                    work_orders::id,
                    work_orders::title,
                    work_orders::category,
                    work_orders::source,
                    work_orders::state,
                    work_orders::received_at,
                    work_orders::due_at,
                    work_orders::completed_at,
                    work_orders::rating,
                ))
                .load(conn)?)
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, category, source, state, received, due, completed, rating)| OrderRow {
                url: format!("/c/{}/orders/{id}", c.slug),
                id,
                title,
                category,
                source,
                state,
                received_at: utc(&received),
                due_at: utc(&due),
                completed_at: completed.as_ref().map(utc).unwrap_or_default(),
                rating: rating.map(|r| r.to_string()).unwrap_or_default(),
            },
        )
        .collect())
}

pub async fn orders_csv(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Csv,
        "orders",
        &order_rows(&state, slug.into_inner()).await?,
    )
}

pub async fn orders_json(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    answer(
        Format::Json,
        "orders",
        &order_rows(&state, slug.into_inner()).await?,
    )
}

// ---- Atom ----

pub struct FeedEntry {
    pub title: String,
    pub path: String,
    pub published: String,
    pub updated: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "disclosures/feed.xml")]
struct Feed {
    title: String,
    base: String,
    self_path: String,
    html_path: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

fn atom(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn feed_response(state: &AppState, mut feed: Feed) -> Result<HttpResponse, AppError> {
    feed.base = state.config.site_base();
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(crate::web::xml::clean(feed.render()?)))
}

/// `GET /c/{slug}/disclosures.atom`: every publication and correction, newest first.
pub async fn disclosures_atom(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let c = community(&state, slug.into_inner()).await?;
    let cid = c.id;
    let listed = state
        .db(move |conn| Ok(model::list(conn, cid, 50)?))
        .await?;
    let entries: Vec<FeedEntry> = listed
        .iter()
        .map(|l| FeedEntry {
            title: format!(
                "{}{}",
                l.latest.title,
                rules::Period::parse(&l.d.period)
                    .map(|p| format!(" · {}", p.label(true)))
                    .unwrap_or_default()
            ),
            path: format!("/c/{}/disclosures/{}", c.slug, l.d.id),
            published: atom(&l.d.created_at),
            updated: atom(&l.latest.published_at),
            summary: if l.latest.reason.is_empty() {
                l.latest.responsible.clone()
            } else {
                format!("更正：{}", l.latest.reason)
            },
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| atom(&c.created_at));
    feed_response(
        &state,
        Feed {
            title: format!("{} · 村务公开", c.name),
            base: String::new(),
            self_path: format!("/c/{}/disclosures.atom", c.slug),
            html_path: format!("/c/{}/disclosures", c.slug),
            updated,
            entries,
        },
    )
}

/// `GET /c/{slug}/decisions.atom`: published decisions, newest first.
pub async fn decisions_atom(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let c = community(&state, slug.clone()).await?;
    let rows = decision_rows(&state, slug.into_inner()).await?;
    let entries: Vec<FeedEntry> = rows
        .iter()
        .take(50)
        .map(|d| FeedEntry {
            title: format!("{} · {}", d.item, d.verdict),
            path: d.url.clone(),
            published: d.published_at.clone(),
            updated: d.published_at.clone(),
            summary: format!("{} / {} · {}", d.present, d.electorate, d.counts),
        })
        .collect();
    let updated = entries
        .first()
        .map(|e| e.updated.clone())
        .unwrap_or_else(|| atom(&c.created_at));
    feed_response(
        &state,
        Feed {
            title: format!("{} · 表决结果", c.name),
            base: String::new(),
            self_path: format!("/c/{}/decisions.atom", c.slug),
            html_path: format!("/c/{}/decisions", c.slug),
            updated,
            entries,
        },
    )
}
