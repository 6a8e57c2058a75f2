//! The monthly bulletin (每月通报) of work orders, per community and per grid: received,
//! resolved (and resolved of received), resolved on time (orders still open past a due time
//! in the month count as late), the median time to resolve and satisfaction, each with its
//! sample size. Computed by aggregate SQL (counts per grid, and the median by an ordered
//! offset), never by loading the month's orders; beside the ratings, the follow-up calls'
//! satisfaction, and the grids under the floor flagged for 整改 (`publish_bulletin`); a
//! printable page with SVG bars, and CSV.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamp};
use serde::Deserialize;

use super::publish_bulletin;
use super::rules::{self, percent};
use crate::clock::month_bounds;
use crate::communities::model::{self as communities, Community};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::work_orders;
use crate::web::community::load_community;
use crate::web::csv::Csv;
use crate::web::ctx::Ctx;
use crate::web::{render, AppState};

/// One line of the bulletin: a grid, or the whole community (`grid` None).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub grid: Option<i64>,
    pub name: String,
    pub received: i64,
    pub resolved: i64,
    pub on_time: i64,
    /// Still open past a due time that fell in the month: late, though not resolved.
    pub late_open: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub median_minutes: Option<i64>,
    /// Follow-up calls (回访) answered of the month's draw, and satisfied or basically.
    pub called: i64,
    pub called_satisfied: i64,
    /// Under the community's satisfaction floor: flagged for 整改.
    pub rectify: bool,
}

impl Line {
    /// The orders the on-time rate is taken of: resolved, and open past due.
    pub fn owed(&self) -> i64 {
        self.resolved + self.late_open
    }

    pub fn on_time_percent(&self) -> Option<i64> {
        rules::on_time_rate(self.on_time, self.resolved, self.late_open)
    }

    /// 办结率: resolved of received, as the seed bulletins give it.
    pub fn resolved_percent(&self) -> Option<i64> {
        percent(self.resolved, self.received)
    }

    pub fn satisfaction_percent(&self) -> Option<i64> {
        percent(self.satisfied, self.rated)
    }

    /// 回访满意率: satisfied or basically satisfied of the answered follow-up calls.
    pub fn followup_percent(&self) -> Option<i64> {
        percent(self.called_satisfied, self.called)
    }

    /// The median time to resolve, in hours with one decimal.
    pub fn median_hours(&self) -> Option<String> {
        self.median_minutes
            .map(|m| format!("{:.1}", m as f64 / 60.0))
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Nullable<BigInt>)]
    grid_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    resolved: i64,
    #[diesel(sql_type = BigInt)]
    on_time: i64,
    #[diesel(sql_type = BigInt)]
    late_open: i64,
    #[diesel(sql_type = BigInt)]
    rated: i64,
    #[diesel(sql_type = BigInt)]
    satisfied: i64,
}

/// Counts per grid for orders received or resolved in [from, to), or open past a due time
/// in it (as of `now`); on time by `rules::finished_on_time` against the due time in force.
fn counts(
    conn: &mut AnyConnection,
    community_id: i64,
    (from, to): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> QueryResult<Vec<Row>> {
    let done = "completed_at IS NOT NULL AND completed_at >= ? AND completed_at < ?";
    let open = rules::State::open_names()
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // The due time in force (`township::rules::due_in_force`): the township's once it took
    // the order, also once it finished it (办结: a confirmed order's sending up is done), else
    // its own. One taken or done sending up at most (the unique index on open ones; done
    // only once confirmed, which is final); MAX keeps the sub-select one value regardless.
    let due = format!(
        "COALESCE((SELECT MAX(e.due_at) FROM order_escalations e \
         WHERE e.order_id = work_orders.id AND e.state IN ('{taken}', '{done}')), due_at)",
        taken = crate::township::rules::Upward::Taken.as_str(),
        done = crate::township::rules::Upward::Done.as_str()
    );
    let late = format!("state IN ({open}) AND {due} >= ? AND {due} < ? AND {due} < ?");
    let sql = format!(
        "SELECT grid_id, \
         COALESCE(SUM(CASE WHEN received_at >= ? AND received_at < ? THEN 1 ELSE 0 END), 0) AS received, \
         COALESCE(SUM(CASE WHEN {done} THEN 1 ELSE 0 END), 0) AS resolved, \
         COALESCE(SUM(CASE WHEN {done} AND completed_at <= {due} THEN 1 ELSE 0 END), 0) AS on_time, \
         COALESCE(SUM(CASE WHEN {late} THEN 1 ELSE 0 END), 0) AS late_open, \
         COALESCE(SUM(CASE WHEN {done} AND rating IS NOT NULL THEN 1 ELSE 0 END), 0) AS rated, \
         COALESCE(SUM(CASE WHEN {done} AND rating >= 4 THEN 1 ELSE 0 END), 0) AS satisfied \
         FROM work_orders WHERE community_id = ? \
         AND ((received_at >= ? AND received_at < ?) OR ({done}) OR ({late})) \
         GROUP BY grid_id"
    );
    let sql = crate::db::placeholders(conn, &sql);
    let mut q = diesel::sql_query(sql).into_boxed();
    let late = [from, to, now];
    let select = [
        &[from, to][..],
        &[from, to],
        &[from, to],
        &late,
        &[from, to],
        &[from, to],
    ];
    for t in select.concat() {
        q = q.bind::<Timestamp, _>(t);
    }
    q = q.bind::<BigInt, _>(community_id);
    for t in [&[from, to][..], &[from, to], &late].concat() {
        q = q.bind::<Timestamp, _>(t);
    }
    q.load(conn)
}

/// The median minutes to resolve of orders resolved in [from, to), optionally in one grid:
/// the middle row of the ordered column (the lower middle for an even count).
fn median(
    conn: &mut AnyConnection,
    community_id: i64,
    grid: Option<Option<i64>>,
    n: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    if n == 0 {
        return Ok(None);
    }
    let mut q = work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::completed_at.ge(from))
        .filter(work_orders::completed_at.lt(to))
        .into_boxed();
    match grid {
        Some(Some(g)) => q = q.filter(work_orders::grid_id.eq(g)),
        Some(None) => q = q.filter(work_orders::grid_id.is_null()),
        None => {}
    }
    q.order(work_orders::resolve_minutes)
        .offset((n - 1) / 2)
        .limit(1)
        .select(work_orders::resolve_minutes)
        .first::<Option<i64>>(conn)
        .optional()
        .map(Option::flatten)
}

/// The bulletin: the community's line first, then one per grid with any orders.
pub fn compute(
    conn: &mut AnyConnection,
    community_id: i64,
    (from, to): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> QueryResult<Vec<Line>> {
    let grids = communities::grids_of(conn, community_id)?;
    let rows = counts(conn, community_id, (from, to), now)?;
    let mut total = Line::default();
    let mut lines = Vec::new();
    for r in rows {
        total.received += r.received;
        total.resolved += r.resolved;
        total.on_time += r.on_time;
        total.late_open += r.late_open;
        total.rated += r.rated;
        total.satisfied += r.satisfied;
        lines.push(Line {
            grid: r.grid_id,
            name: grids
                .iter()
                .find(|g| Some(g.id) == r.grid_id)
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            received: r.received,
            resolved: r.resolved,
            on_time: r.on_time,
            late_open: r.late_open,
            rated: r.rated,
            satisfied: r.satisfied,
            median_minutes: median(conn, community_id, Some(r.grid_id), r.resolved, from, to)?,
            ..Line::default()
        });
    }
    total.median_minutes = median(conn, community_id, None, total.resolved, from, to)?;
    lines.sort_by(|a, b| a.name.cmp(&b.name));
    lines.insert(0, total);
    Ok(lines)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    month: String,
}

/// The month asked for ("2026-11"), or the current month in China.
fn month_of(q: &str, now: NaiveDateTime) -> (i32, u32) {
    let parsed = q
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
        .filter(|(_, m): &(i32, u32)| (1..=12).contains(m));
    parsed.unwrap_or_else(|| crate::clock::local_month(now))
}

pub struct Bar {
    pub y: usize,
    pub label: String,
    pub value: i64,
    pub width: i64,
}

#[derive(Template)]
#[template(path = "work_orders/bulletin.html")]
struct BulletinPage {
    ctx: Ctx,
    community: Community,
    month: String,
    prev: String,
    next: String,
    lines: Vec<Line>,
    floor: i32,
    /// The disclosure this month's bulletin was published as.
    published: Option<i64>,
    received_bars: Vec<Bar>,
    on_time_bars: Vec<Bar>,
    chart_height: usize,
}

const ROW: usize = 120;

fn bars(lines: &[Line], value: impl Fn(&Line) -> i64, max: i64) -> Vec<Bar> {
    lines
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, l)| Bar {
            y: i * ROW,
            label: l.name.clone(),
            value: value(l),
            width: value(l) * 1000 / max.max(1),
        })
        .collect()
}

fn label(y: i32, m: u32) -> String {
    format!("{y}-{m:02}")
}

/// What the page and the CSV show: the month, its lines (with follow-ups and flags), the
/// floor, and the disclosure it was published as.
struct Loaded {
    community: Community,
    month: (i32, u32),
    lines: Vec<Line>,
    floor: i32,
    published: Option<i64>,
}

async fn load(state: &AppState, ctx: &Ctx, slug: String, month: &str) -> Result<Loaded, AppError> {
    let (community, _) = load_community(state, ctx, slug).await?;
    let (y, m) = month_of(month, state.clock.now());
    month_bounds(y, m).ok_or(AppError::NotFound)?;
    let (cid, now) = (community.id, state.clock.now());
    let (lines, floor, published) = state
        .db(move |conn| {
            let (lines, floor) = publish_bulletin::compute(conn, cid, (y, m), now)?;
            let published = publish_bulletin::published(conn, cid, &label(y, m))?;
            Ok((lines, floor, published))
        })
        .await?;
    Ok(Loaded {
        community,
        month: (y, m),
        lines,
        floor,
        published,
    })
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let Loaded {
        community,
        month: (y, m),
        lines,
        floor,
        published,
    } = load(&state, &ctx, slug.into_inner(), &q.month).await?;
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let max_received = lines.iter().skip(1).map(|l| l.received).max().unwrap_or(0);
    render(
        StatusCode::OK,
        &BulletinPage {
            received_bars: bars(&lines, |l| l.received, max_received),
            on_time_bars: bars(&lines, |l| l.on_time_percent().unwrap_or(0), 100),
            chart_height: lines.len().saturating_sub(1) * ROW + 10,
            ctx,
            community,
            month: label(y, m),
            prev: label(py, pm),
            next: label(ny, nm),
            lines,
            floor,
            published,
        },
    )
}

pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let Loaded {
        community,
        month: (y, m),
        lines,
        ..
    } = load(&state, &ctx, slug.into_inner(), &q.month).await?;
    let mut csv = Csv::new(&[
        "grid",
        "received",
        "resolved",
        "resolved_on_time",
        "on_time_percent",
        "median_hours_to_resolve",
        "rated",
        "satisfied",
        "satisfaction_percent",
        "open_past_due",
        "resolved_percent",
        "followups_answered",
        "followups_satisfied",
        "followup_percent",
        "rectify",
    ]);
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    for l in &lines {
        let name = if l.grid.is_none() && l.name.is_empty() {
            community.name.clone()
        } else {
            l.name.clone()
        };
        csv.row(&[
            name,
            l.received.to_string(),
            l.resolved.to_string(),
            l.on_time.to_string(),
            opt(l.on_time_percent()),
            l.median_hours().unwrap_or_default(),
            l.rated.to_string(),
            l.satisfied.to_string(),
            opt(l.satisfaction_percent()),
            l.late_open.to_string(),
            opt(l.resolved_percent()),
            l.called.to_string(),
            l.called_satisfied.to_string(),
            opt(l.followup_percent()),
            l.rectify.to_string(),
        ]);
    }
    Ok(csv.response(&format!("{}-bulletin-{}", community.slug, label(y, m))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_at_midnight_in_china() {
        let (from, to) = month_bounds(2026, 12).unwrap_or_default();
        assert_eq!(from.to_string(), "2026-11-30 16:00:00");
        assert_eq!(to.to_string(), "2026-12-31 16:00:00");
        assert!(month_bounds(2026, 13).is_none());
    }

    #[test]
    fn a_bad_month_means_this_month() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(17, 0, 0))
            .unwrap_or_default();
        assert_eq!(month_of("2026-10", now), (2026, 10));
        assert_eq!(
            month_of("junk", now),
            (2026, 12),
            "it is already December in Beijing"
        );
        assert_eq!(month_of("2026-13", now), (2026, 12));
    }
}
