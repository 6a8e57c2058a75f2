//! Projects, the power list, disbursements and refused spending in the database, and the
//! canonical content a disbursement's log leaf carries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{self, Body, Comparison, Power, Refusal, SpendKind};
use crate::db::AnyConnection;
use crate::schema::{
    agenda_items, decisions, disbursements, powers, project_decisions, projects, spend_refusals,
    work_orders,
};

/// How dates are stored (ISO text, which sorts).
pub const DATE: &str = "%Y-%m-%d";

pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, DATE).ok()
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: i64,
    pub community_id: i64,
    pub code: String,
    pub title: String,
    pub announcement: String,
    pub budget_fen: i64,
    pub contractor: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Project {
    pub fn schedule(&self) -> Option<rules::Schedule> {
        Some(rules::Schedule {
            planned_start: parse_day(&self.planned_start)?,
            planned_end: parse_day(&self.planned_end)?,
            actual_start: self.actual_start.as_deref().and_then(parse_day),
            actual_end: self.actual_end.as_deref().and_then(parse_day),
        })
    }

    /// The locale key of its schedule state on `today` (Beijing date).
    pub fn schedule_key(&self, today: NaiveDate) -> &'static str {
        self.schedule()
            .map(|s| rules::schedule_state(&s, today).key())
            .unwrap_or("project.schedule.not_started")
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = powers)]
pub struct PowerRow {
    pub id: i64,
    pub community_id: i64,
    pub code: String,
    pub name: String,
    pub procedure: String,
    pub kind: String,
    pub body: String,
    pub threshold_fen: i64,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    /// The villagers' decision that adopted this row (none on rows from before that rule).
    pub decision_id: Option<i64>,
    pub comparison: String,
}

impl PowerRow {
    pub fn rule(&self) -> Option<Power> {
        Some(Power {
            code: self.code.clone(),
            name: self.name.clone(),
            procedure: self.procedure.clone(),
            kind: SpendKind::parse(&self.kind)?,
            body: Body::parse(&self.body)?,
            threshold_fen: self.threshold_fen,
            comparison: Comparison::parse(&self.comparison)?,
        })
    }

    /// The Beijing date from which the row is in force.
    pub fn in_force_on(&self) -> NaiveDate {
        crate::clock::local_day(self.created_at)
    }

    /// The locale key of the threshold in words: "{amount} 元以上" or "超过 {amount} 元".
    pub fn limit_key(&self) -> &'static str {
        match Comparison::parse(&self.comparison) {
            Some(Comparison::AtLeast) => "projects.limit_at_least",
            _ => "projects.limit_above",
        }
    }

    pub fn kind_key(&self) -> &'static str {
        SpendKind::parse(&self.kind)
            .map(|k| k.key())
            .unwrap_or("power.kind.disbursement")
    }

    pub fn body_key(&self) -> &'static str {
        Body::parse(&self.body)
            .map(|b| b.key())
            .unwrap_or("power.body.committee")
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = disbursements)]
pub struct Disbursement {
    pub id: i64,
    pub community_id: i64,
    pub project_id: i64,
    pub amount_fen: i64,
    pub paid_on: String,
    pub payee: String,
    pub voucher: String,
    pub decision_id: Option<i64>,
    pub power_code: Option<String>,
    pub override_reason: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = spend_refusals)]
pub struct RefusalRow {
    pub id: i64,
    pub community_id: i64,
    pub project_id: Option<i64>,
    pub kind: String,
    pub amount_fen: i64,
    pub payee: String,
    pub rule: String,
    pub power_code: String,
    pub power_name: String,
    pub threshold_fen: i64,
    pub required_body: String,
    pub decision_id: Option<i64>,
    pub cited_body: Option<String>,
    pub attempted_by: i64,
    pub attempted_at: NaiveDateTime,
    pub adds_up_with: String,
    pub total_fen: Option<i64>,
}

/// Earlier payments as stored with a refusal: "id:fen,id:fen".
fn store_earlier(earlier: &[(i64, i64)]) -> String {
    let each: Vec<String> = earlier.iter().map(|(i, f)| format!("{i}:{f}")).collect();
    each.join(",")
}

fn read_earlier(s: &str) -> Vec<(i64, i64)> {
    s.split(',')
        .filter_map(|p| p.split_once(':'))
        .filter_map(|(i, f)| Some((i.parse().ok()?, f.parse().ok()?)))
        .collect()
}

impl RefusalRow {
    /// The refusal as the rule gave it, to say it again in the reader's language.
    pub fn refusal(&self) -> Refusal {
        let body = Body::parse(&self.required_body).unwrap_or(Body::Committee);
        let (power_code, power_name, threshold_fen) = (
            self.power_code.clone(),
            self.power_name.clone(),
            self.threshold_fen,
        );
        let decision_id = self.decision_id.unwrap_or_default();
        match (
            self.rule.as_str(),
            self.cited_body.as_deref().and_then(Body::parse),
        ) {
            ("power.err.body_too_low", Some(cited)) => Refusal::BodyTooLow {
                decision_id,
                required: body,
                cited,
                power_code,
                power_name,
                threshold_fen,
            },
            ("power.err.not_passed", _) => Refusal::NotPassed {
                decision_id,
                power_code,
                power_name,
                threshold_fen,
                body,
            },
            ("power.err.void", _) => Refusal::Void {
                decision_id,
                power_code,
                power_name,
                threshold_fen,
                body,
            },
            ("power.err.unrelated", _) => Refusal::Unrelated {
                decision_id,
                power_code,
                power_name,
                threshold_fen,
                body,
            },
            ("power.err.adds_up", _) => Refusal::AddsUp {
                earlier: read_earlier(&self.adds_up_with),
                total_fen: self.total_fen.unwrap_or(self.amount_fen),
                power_code,
                power_name,
                threshold_fen,
                body,
            },
            _ => Refusal::NoDecision {
                power_code,
                power_name,
                threshold_fen,
                body,
            },
        }
    }

    pub fn kind_key(&self) -> &'static str {
        SpendKind::parse(&self.kind)
            .map(|k| k.key())
            .unwrap_or("power.kind.disbursement")
    }
}

// ---- the power list ----

/// Every row of a community's list, oldest first (the history).
pub fn power_rows(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<PowerRow>> {
    powers::table
        .filter(powers::community_id.eq(community_id))
        .order(powers::id)
        .select(PowerRow::as_select())
        .load(conn)
}

/// The list in force: the latest row of each code, in code order.
pub fn current_powers(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<PowerRow>> {
    Ok(in_force(power_rows(conn, community_id)?, None))
}

/// The list in force on a Beijing date: the latest row of each code adopted by that day.
pub fn powers_on(
    conn: &mut AnyConnection,
    community_id: i64,
    day: NaiveDate,
) -> QueryResult<Vec<PowerRow>> {
    Ok(in_force(power_rows(conn, community_id)?, Some(day)))
}

/// The latest of each code among `rows` (oldest first), up to `day` if given, in code order.
fn in_force(rows: Vec<PowerRow>, day: Option<NaiveDate>) -> Vec<PowerRow> {
    let mut current: Vec<PowerRow> = Vec::new();
    let rows = rows
        .into_iter()
        .filter(|r| day.is_none_or(|d| r.in_force_on() <= d));
    for r in rows {
        match current.iter_mut().find(|c| c.code == r.code) {
            Some(c) => *c = r,
            None => current.push(r),
        }
    }
    current.sort_by_key(|p| natural(&p.code));
    current
}

/// Codes like "3" and "12" sort as numbers; others after them, as text.
fn natural(code: &str) -> (u64, String) {
    (code.parse().unwrap_or(u64::MAX), code.to_string())
}

/// Adds a row to the list, citing the decision that adopted it.
pub fn insert_power(
    conn: &mut AnyConnection,
    community_id: i64,
    p: &Power,
    decision_id: Option<i64>,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(powers::table)
        .values((
            powers::community_id.eq(community_id),
            powers::code.eq(p.code.trim()),
            powers::name.eq(p.name.trim()),
            powers::procedure.eq(p.procedure.trim()),
            powers::kind.eq(p.kind.as_str()),
            powers::body.eq(p.body.as_str()),
            powers::threshold_fen.eq(p.threshold_fen),
            powers::created_by.eq(by),
            powers::created_at.eq(now),
            powers::decision_id.eq(decision_id),
            powers::comparison.eq(p.comparison.as_str()),
        ))
        .returning(powers::id)
        .get_result(conn)
}

// ---- projects ----

pub struct NewProject<'a> {
    pub community_id: i64,
    pub code: &'a str,
    pub title: &'a str,
    pub announcement: &'a str,
    pub budget_fen: i64,
    pub contractor: &'a str,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub decisions: &'a [i64],
}

pub fn insert_project(
    conn: &mut AnyConnection,
    n: &NewProject,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let day = |d: NaiveDate| d.format(DATE).to_string();
    let id: i64 = diesel::insert_into(projects::table)
        .values((
            projects::community_id.eq(n.community_id),
            projects::code.eq(n.code),
            projects::title.eq(n.title),
            projects::announcement.eq(n.announcement),
            projects::budget_fen.eq(n.budget_fen),
            projects::contractor.eq(n.contractor),
            projects::planned_start.eq(day(n.planned_start)),
            projects::planned_end.eq(day(n.planned_end)),
            projects::actual_start.eq(n.actual_start.map(day)),
            projects::actual_end.eq(n.actual_end.map(day)),
            projects::created_by.eq(by),
            projects::created_at.eq(now),
        ))
        .returning(projects::id)
        .get_result(conn)?;
    for d in n.decisions {
        diesel::insert_into(project_decisions::table)
            .values((
                project_decisions::project_id.eq(id),
                project_decisions::decision_id.eq(d),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<Project>> {
    projects::table
        .filter(projects::code.eq(code))
        .select(Project::as_select())
        .first(conn)
        .optional()
}

pub fn project(conn: &mut AnyConnection, id: i64) -> QueryResult<Project> {
    projects::table
        .find(id)
        .select(Project::as_select())
        .first(conn)
}

/// Project `id` if it is community `community_id`'s.
pub fn project_of(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Project>> {
    projects::table
        .filter(projects::community_id.eq(community_id))
        .filter(projects::id.eq(id))
        .select(Project::as_select())
        .first(conn)
        .optional()
}

pub fn of_community(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Project>> {
    projects::table
        .filter(projects::community_id.eq(community_id))
        .order(projects::id.desc())
        .select(Project::as_select())
        .load(conn)
}

/// The next free code for `prefix` in `year`: one past the highest sequence used on the site.
pub fn next_code(conn: &mut AnyConnection, prefix: &str, year: i32) -> QueryResult<String> {
    let start = format!("{prefix}-{year:04}-");
    let codes: Vec<String> = projects::table
        .filter(projects::code.like(format!("{start}%")))
        .select(projects::code)
        .load(conn)?;
    let max = codes
        .iter()
        .filter_map(|c| rules::parse_code(c))
        .map(|(_, _, n)| n)
        .max()
        .unwrap_or(0);
    Ok(rules::format_code(prefix, year, max + 1))
}

/// (project id, total paid) for a community's projects.
pub fn spent_by_project(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = disbursements::table
        .filter(disbursements::community_id.eq(community_id))
        .select((disbursements::project_id, disbursements::amount_fen))
        .load(conn)?;
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (p, a) in rows {
        match out.iter_mut().find(|x| x.0 == p) {
            Some(x) => x.1 += a,
            None => out.push((p, a)),
        }
    }
    Ok(out)
}

/// A decision as a project cites it: id, body, verdict, the item's title.
#[derive(Clone, Debug)]
pub struct DecisionRef {
    pub id: i64,
    pub body: String,
    pub verdict: String,
    pub title: String,
    pub published_at: NaiveDateTime,
}

impl DecisionRef {
    pub fn body_key(&self) -> &'static str {
        Body::parse(&self.body)
            .map(|b| b.key())
            .unwrap_or("power.body.committee")
    }
}

type DecisionTuple = (i64, String, String, String, NaiveDateTime);

fn decision_ref(t: DecisionTuple) -> DecisionRef {
    DecisionRef {
        id: t.0,
        body: t.1,
        verdict: t.2,
        title: t.3,
        published_at: t.4,
    }
}

/// A community's passed decisions, newest first: what spending may cite.
pub fn passed_decisions(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<DecisionRef>> {
    let rows: Vec<DecisionTuple> = decisions::table
        .inner_join(agenda_items::table.on(agenda_items::id.eq(decisions::item_id)))
        .filter(decisions::community_id.eq(community_id))
        .filter(decisions::verdict.eq(crate::ballots::rules::Verdict::Passed.as_str()))
        .order(decisions::id.desc())
        .select((
            decisions::id,
            decisions::body,
            decisions::verdict,
            agenda_items::title,
            decisions::published_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(decision_ref).collect())
}

/// The decisions that approved a project.
pub fn project_decisions(
    conn: &mut AnyConnection,
    project_id: i64,
) -> QueryResult<Vec<DecisionRef>> {
    let rows: Vec<DecisionTuple> = project_decisions::table
        .inner_join(decisions::table.on(decisions::id.eq(project_decisions::decision_id)))
        .inner_join(agenda_items::table.on(agenda_items::id.eq(decisions::item_id)))
        .filter(project_decisions::project_id.eq(project_id))
        .order(decisions::id)
        .select((
            decisions::id,
            decisions::body,
            decisions::verdict,
            agenda_items::title,
            decisions::published_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(decision_ref).collect())
}

/// A project's work order: (id, title, state, budget in yuan).
pub type OrderRow = (i64, String, String, Option<i64>);

/// The project's work orders.
pub fn orders_of(conn: &mut AnyConnection, project_id: i64) -> QueryResult<Vec<OrderRow>> {
    work_orders::table
        .filter(work_orders::project_id.eq(project_id))
        .order(work_orders::id)
        .select((
            work_orders::id,
            work_orders::title,
            work_orders::state,
            work_orders::budget_yuan,
        ))
        .load(conn)
}

/// Orders of the community not yet in any project, for the committee to attach.
pub fn unattached_orders(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, String)>> {
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::project_id.is_null())
        .order(work_orders::id.desc())
        .limit(200)
        .select((work_orders::id, work_orders::title))
        .load(conn)
}

/// Attaches an order of the same community to a project; false when there is no such order.
pub fn attach_order(
    conn: &mut AnyConnection,
    community_id: i64,
    project_id: i64,
    order_id: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        work_orders::table
            .filter(work_orders::id.eq(order_id))
            .filter(work_orders::community_id.eq(community_id)),
    )
    .set(work_orders::project_id.eq(project_id))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records the actual start and end (the only facts of a project that change after it is
/// registered; what was paid is in the append-only disbursements).
pub fn set_actual(
    conn: &mut AnyConnection,
    id: i64,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> QueryResult<()> {
    let day = |d: NaiveDate| d.format(DATE).to_string();
    diesel::update(projects::table.find(id))
        .set((
            projects::actual_start.eq(start.map(day)),
            projects::actual_end.eq(end.map(day)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Links one more approving decision; linking one twice changes nothing.
pub fn link_decision(
    conn: &mut AnyConnection,
    project_id: i64,
    decision_id: i64,
) -> QueryResult<()> {
    let linked: i64 = project_decisions::table
        .filter(project_decisions::project_id.eq(project_id))
        .filter(project_decisions::decision_id.eq(decision_id))
        .count()
        .get_result(conn)?;
    if linked == 0 {
        diesel::insert_into(project_decisions::table)
            .values((
                project_decisions::project_id.eq(project_id),
                project_decisions::decision_id.eq(decision_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (project, decision) links of all a community's projects, in one query.
pub fn decision_links(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    project_decisions::table
        .inner_join(projects::table.on(projects::id.eq(project_decisions::project_id)))
        .filter(projects::community_id.eq(community_id))
        .order((
            project_decisions::project_id,
            project_decisions::decision_id,
        ))
        .select((
            project_decisions::project_id,
            project_decisions::decision_id,
        ))
        .load(conn)
}

// ---- disbursements ----

pub struct NewDisbursement<'a> {
    pub community_id: i64,
    pub project_id: i64,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub payee: &'a str,
    pub voucher: &'a str,
    pub decision_id: Option<i64>,
    pub power_code: Option<&'a str>,
    pub override_reason: Option<&'a str>,
}

/// Stores a disbursement and appends its leaf to the log, in the caller's transaction.
pub fn insert_disbursement(
    conn: &mut AnyConnection,
    n: &NewDisbursement,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(disbursements::table)
        .values((
            disbursements::community_id.eq(n.community_id),
            disbursements::project_id.eq(n.project_id),
            disbursements::amount_fen.eq(n.amount_fen),
            disbursements::paid_on.eq(n.paid_on.format(DATE).to_string()),
            disbursements::payee.eq(n.payee),
            disbursements::voucher.eq(n.voucher),
            disbursements::decision_id.eq(n.decision_id),
            disbursements::power_code.eq(n.power_code),
            disbursements::override_reason.eq(n.override_reason),
            disbursements::recorded_by.eq(by),
            disbursements::recorded_at.eq(now),
        ))
        .returning(disbursements::id)
        .get_result(conn)?;
    super::record::publish_disbursement(conn, n.community_id, id, now)?;
    Ok(id)
}

pub fn disbursement(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Disbursement>> {
    disbursements::table
        .filter(disbursements::community_id.eq(community_id))
        .filter(disbursements::id.eq(id))
        .select(Disbursement::as_select())
        .first(conn)
        .optional()
}

pub fn disbursements_of(
    conn: &mut AnyConnection,
    project_id: i64,
) -> QueryResult<Vec<Disbursement>> {
    disbursements::table
        .filter(disbursements::project_id.eq(project_id))
        .order((disbursements::paid_on, disbursements::id))
        .select(Disbursement::as_select())
        .load(conn)
}

/// (id, fen) of a project's payments that cite no decision, oldest first: what a new payment
/// adds up with under the power list.
pub fn undecided_payments(
    conn: &mut AnyConnection,
    project_id: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    disbursements::table
        .filter(disbursements::project_id.eq(project_id))
        .filter(disbursements::decision_id.is_null())
        .order((disbursements::paid_on, disbursements::id))
        .select((disbursements::id, disbursements::amount_fen))
        .load(conn)
}

/// All of a community's disbursements with their project's code, in order of payment.
pub fn disbursements_of_community(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(Disbursement, String)>> {
    disbursements::table
        .inner_join(projects::table.on(projects::id.eq(disbursements::project_id)))
        .filter(disbursements::community_id.eq(community_id))
        .order((disbursements::paid_on, disbursements::id))
        .select((Disbursement::as_select(), projects::code))
        .load(conn)
}

/// Disbursements made under an emergency override, newest first, with the project's code:
/// for the supervisors.
pub fn overrides(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(Disbursement, String)>> {
    disbursements::table
        .inner_join(projects::table.on(projects::id.eq(disbursements::project_id)))
        .filter(disbursements::community_id.eq(community_id))
        .filter(disbursements::override_reason.is_not_null())
        .order(disbursements::id.desc())
        .select((Disbursement::as_select(), projects::code))
        .load(conn)
}

/// (log index, record id) of the leaves of these disbursements.
pub fn log_indexes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    use crate::schema::log_entries;
    log_entries::table
        .filter(log_entries::kind.eq(crate::transparency::log::Kind::Disbursement.as_str()))
        .filter(log_entries::record_id.eq_any(ids))
        .select((log_entries::record_id, log_entries::idx))
        .load(conn)
}

// ---- refused spending ----

pub struct NewRefusal<'a> {
    pub community_id: i64,
    pub project_id: Option<i64>,
    pub kind: SpendKind,
    pub amount_fen: i64,
    pub payee: &'a str,
    pub refusal: &'a Refusal,
}

pub fn insert_refusal(
    conn: &mut AnyConnection,
    n: &NewRefusal,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let (code, name, threshold, required, decision, cited, earlier, total) = match n.refusal {
        Refusal::NoDecision {
            power_code,
            power_name,
            threshold_fen,
            body,
        } => (
            power_code,
            power_name,
            threshold_fen,
            body,
            None,
            None,
            "".into(),
            None,
        ),
        Refusal::NotPassed {
            decision_id,
            power_code,
            power_name,
            threshold_fen,
            body,
        }
        | Refusal::Void {
            decision_id,
            power_code,
            power_name,
            threshold_fen,
            body,
        }
        | Refusal::Unrelated {
            decision_id,
            power_code,
            power_name,
            threshold_fen,
            body,
        } => (
            power_code,
            power_name,
            threshold_fen,
            body,
            Some(*decision_id),
            None,
            String::new(),
            None,
        ),
        Refusal::BodyTooLow {
            decision_id,
            required,
            cited,
            power_code,
            power_name,
            threshold_fen,
        } => (
            power_code,
            power_name,
            threshold_fen,
            required,
            Some(*decision_id),
            Some(cited.as_str()),
            String::new(),
            None,
        ),
        Refusal::AddsUp {
            earlier,
            total_fen,
            power_code,
            power_name,
            threshold_fen,
            body,
        } => (
            power_code,
            power_name,
            threshold_fen,
            body,
            None,
            None,
            store_earlier(earlier),
            Some(*total_fen),
        ),
    };
    diesel::insert_into(spend_refusals::table)
        .values((
            spend_refusals::community_id.eq(n.community_id),
            spend_refusals::project_id.eq(n.project_id),
            spend_refusals::kind.eq(n.kind.as_str()),
            spend_refusals::amount_fen.eq(n.amount_fen),
            spend_refusals::payee.eq(n.payee),
            spend_refusals::rule.eq(n.refusal.key()),
            spend_refusals::power_code.eq(code),
            spend_refusals::power_name.eq(name),
            spend_refusals::threshold_fen.eq(*threshold),
            spend_refusals::required_body.eq(required.as_str()),
            spend_refusals::decision_id.eq(decision),
            spend_refusals::cited_body.eq(cited),
            spend_refusals::attempted_by.eq(by),
            spend_refusals::attempted_at.eq(now),
            spend_refusals::adds_up_with.eq(earlier),
            spend_refusals::total_fen.eq(total),
        ))
        .returning(spend_refusals::id)
        .get_result(conn)
}

/// Refused attempts to spend, newest first: for the committee and the supervisors.
pub fn refusals(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<RefusalRow>> {
    spend_refusals::table
        .filter(spend_refusals::community_id.eq(community_id))
        .order(spend_refusals::id.desc())
        .limit(100)
        .select(RefusalRow::as_select())
        .load(conn)
}

pub fn refusal(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<RefusalRow>> {
    spend_refusals::table
        .filter(spend_refusals::community_id.eq(community_id))
        .filter(spend_refusals::id.eq(id))
        .select(RefusalRow::as_select())
        .first(conn)
        .optional()
}
