//! Follow-up calls (回访): each month the server draws 10 % (at least 3) of the orders resolved
//! the month before, from a random seed it stores with the draw, so the draw can be redone by
//! anyone and never redrawn; the committee or a grid worker records each call's answer; a
//! page lists the month's draws and answers, and the bulletin counts them per grid.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::followup_rules::{self as fr, Answer, CallProblem};
use super::rules::State;
use crate::authz::{allows, Action, Actor, Role};
use crate::clock::month_bounds;
use crate::communities::model::{self as communities, Community};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::{followup_calls, followup_draws, followup_picks, users, work_orders};
use crate::web::community::load_community;
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

/// "2026-11" for November 2026.
pub fn month_label((y, m): (i32, u32)) -> String {
    format!("{y}-{m:02}")
}

/// The month before the one `now` falls in, in China.
pub fn previous_month(now: NaiveDateTime) -> (i32, u32) {
    match crate::clock::local_month(now) {
        (y, 1) => (y - 1, 12),
        (y, m) => (y, m - 1),
    }
}

/// Orders of a community resolved in the month and not reopened since (completed or
/// confirmed): those a draw is taken from.
fn resolved_in(
    conn: &mut AnyConnection,
    community_id: i64,
    month: (i32, u32),
) -> QueryResult<Vec<i64>> {
    let Some((from, to)) = month_bounds(month.0, month.1) else {
        return Ok(Vec::new());
    };
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::state.eq_any([State::Completed.as_str(), State::Confirmed.as_str()]))
        .filter(work_orders::completed_at.ge(from))
        .filter(work_orders::completed_at.lt(to))
        .select(work_orders::id)
        .load(conn)
}

/// Draws the month's follow-ups of one community with `seed`, in the caller's transaction,
/// unless that month is drawn already; returns how many orders it drew (None: drawn before).
pub fn draw_month(
    conn: &mut AnyConnection,
    community_id: i64,
    month: (i32, u32),
    seed: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<usize>> {
    let label = month_label(month);
    let drawn: i64 = followup_draws::table
        .filter(followup_draws::community_id.eq(community_id))
        .filter(followup_draws::month.eq(&label))
        .count()
        .get_result(conn)?;
    if drawn > 0 {
        return Ok(None);
    }
    let eligible = resolved_in(conn, community_id, month)?;
    let picked = fr::draw(&eligible, seed);
    let draw_id: i64 = diesel::insert_into(followup_draws::table)
        .values((
            followup_draws::community_id.eq(community_id),
            followup_draws::month.eq(&label),
            followup_draws::seed.eq(seed),
            followup_draws::eligible.eq(eligible.len() as i32),
            followup_draws::drawn_at.eq(now),
        ))
        .returning(followup_draws::id)
        .get_result(conn)?;
    for order in &picked {
        diesel::insert_into(followup_picks::table)
            .values((
                followup_picks::draw_id.eq(draw_id),
                followup_picks::community_id.eq(community_id),
                followup_picks::order_id.eq(order),
            ))
            .execute(conn)?;
    }
    Ok(Some(picked.len()))
}

/// The monthly job: draws last month's follow-ups in every village and urban community that
/// has not drawn them; returns how many communities drew. Run once per month by its run key.
pub fn draw_all(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let month = previous_month(now);
    let mut n = 0;
    for c in communities::all(conn)?.iter().filter(|c| !c.is_township()) {
        if draw_month(conn, c.id, month, rand::random(), now)?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}

/// Records one call on pick `pick_id`, in the caller's transaction.
pub fn record_call(
    conn: &mut AnyConnection,
    community_id: i64,
    pick_id: i64,
    caller: i64,
    (reached, answer): (bool, Option<Answer>),
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(followup_calls::table)
        .values((
            followup_calls::community_id.eq(community_id),
            followup_calls::pick_id.eq(pick_id),
            followup_calls::caller_id.eq(caller),
            followup_calls::reached.eq(reached),
            followup_calls::answer.eq(answer.map(Answer::as_str).unwrap_or("")),
            followup_calls::note.eq(note.trim()),
            followup_calls::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A call's answer as recorded (the newest call of a pick stands).
#[derive(Clone, Debug)]
pub struct Call {
    pub reached: bool,
    pub answer: Option<Answer>,
    pub note: String,
    pub caller: String,
    pub at: NaiveDateTime,
}

/// One drawn order with its reporter and the newest call.
#[derive(Clone, Debug)]
pub struct Pick {
    pub id: i64,
    pub order_id: i64,
    pub title: String,
    pub grid_id: Option<i64>,
    pub reporter: String,
    pub phone: String,
    pub call: Option<Call>,
}

/// A month's draw: when, from how many resolved orders, with which seed, and its picks.
#[derive(Clone, Debug)]
pub struct Draw {
    pub month: String,
    pub seed: i64,
    pub eligible: i32,
    pub drawn_at: NaiveDateTime,
    pub picks: Vec<Pick>,
}

/// (pick, order, title, grid, reporter) of a drawn order.
type PickRow = (i64, i64, String, Option<i64>, Option<i64>);
/// (pick, reached, answer, note, caller, at) of a call.
type CallRow = (i64, bool, String, String, i64, NaiveDateTime);

/// The draw of one month with its picks and calls, in four queries.
pub fn draw_of(
    conn: &mut AnyConnection,
    community_id: i64,
    month: &str,
) -> QueryResult<Option<Draw>> {
    let Some((id, seed, eligible, drawn_at)) = followup_draws::table
        .filter(followup_draws::community_id.eq(community_id))
        .filter(followup_draws::month.eq(month))
        .select((
            followup_draws::id,
            followup_draws::seed,
            followup_draws::eligible,
            followup_draws::drawn_at,
        ))
        .first::<(i64, i64, i32, NaiveDateTime)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let rows: Vec<PickRow> = followup_picks::table
        .inner_join(work_orders::table)
        .filter(followup_picks::draw_id.eq(id))
        .order(followup_picks::id)
        .select((
            followup_picks::id,
            work_orders::id,
            work_orders::title,
            work_orders::grid_id,
            work_orders::reporter_id,
        ))
        .load(conn)?;
    let pick_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let calls: Vec<CallRow> = followup_calls::table
        .filter(followup_calls::pick_id.eq_any(&pick_ids))
        .order(followup_calls::id)
        .select((
            followup_calls::pick_id,
            followup_calls::reached,
            followup_calls::answer,
            followup_calls::note,
            followup_calls::caller_id,
            followup_calls::created_at,
        ))
        .load(conn)?;
    let mut people: Vec<i64> = rows.iter().filter_map(|r| r.4).collect();
    people.extend(calls.iter().map(|c| c.4));
    let names: HashMap<i64, (String, Option<String>)> = users::table
        .filter(users::id.eq_any(&people))
        .select((users::id, users::display_name, users::phone))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, n, p)| (id, (n, p)))
        .collect();
    let mut newest: HashMap<i64, Call> = HashMap::new();
    for (pick, reached, answer, note, caller, at) in calls {
        let caller = names.get(&caller).map(|n| n.0.clone()).unwrap_or_default();
        let answer = Answer::parse(&answer);
        let call = Call {
            reached,
            answer,
            note,
            caller,
            at,
        };
        newest.insert(pick, call);
    }
    let picks = rows
        .into_iter()
        .map(|(pick, order_id, title, grid_id, reporter)| {
            let who = reporter.and_then(|r| names.get(&r).cloned());
            Pick {
                id: pick,
                order_id,
                title,
                grid_id,
                reporter: who.as_ref().map(|w| w.0.clone()).unwrap_or_default(),
                phone: who.and_then(|w| w.1).unwrap_or_default(),
                call: newest.remove(&pick),
            }
        })
        .collect();
    Ok(Some(Draw {
        month: month.to_string(),
        seed,
        eligible,
        drawn_at,
        picks,
    }))
}

/// Per grid (None: no grid), (answered, satisfied or basically satisfied) of a month's
/// follow-ups: the newest reached call of each pick.
pub fn satisfaction_by_grid(
    conn: &mut AnyConnection,
    community_id: i64,
    month: &str,
) -> QueryResult<Vec<(Option<i64>, i64, i64)>> {
    let Some(draw) = draw_of(conn, community_id, month)? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(Option<i64>, i64, i64)> = Vec::new();
    for p in &draw.picks {
        let Some(answer) = p.call.as_ref().and_then(|c| c.answer) else {
            continue;
        };
        let sat = i64::from(answer.counts_as_satisfied());
        match out.iter_mut().find(|(g, _, _)| *g == p.grid_id) {
            Some(e) => {
                e.1 += 1;
                e.2 += sat;
            }
            None => out.push((p.grid_id, 1, sat)),
        }
    }
    Ok(out)
}

// ---- pages ----

/// Who records calls: the committee and grid workers.
fn may_call(actor: &Actor) -> bool {
    actor.signed_in && (actor.has(Role::Committee) || actor.has(Role::GridWorker))
}

/// Who reads the draws: those who call, and those who oversee (supervisors, township staff).
fn may_read(actor: &Actor) -> bool {
    may_call(actor) || allows(actor, Action::ViewActionLog)
}

fn refuse(ctx: &Ctx, ok: bool) -> Result<(), AppError> {
    match (ok, &ctx.user) {
        (true, _) => Ok(()),
        (false, None) => Err(AppError::SignIn(ctx.here.clone())),
        (false, Some(_)) => Err(AppError::Forbidden),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    month: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CallForm {
    pub outcome: String,
    pub answer: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "work_orders/followups.html")]
struct FollowupsPage {
    ctx: Ctx,
    community: Community,
    month: String,
    prev: String,
    next: String,
    draw: Option<Draw>,
    grids: Vec<(i64, String)>,
    can_call: bool,
    /// The committee: a link to the satisfaction floor.
    can_set_floor: bool,
    /// The pick whose form failed, with what was typed and what is wrong.
    failed: Option<(i64, CallForm, FieldErrors)>,
    answers: [Answer; 3],
}

impl FollowupsPage {
    fn grid_name(&self, grid: &Option<i64>) -> String {
        grid.and_then(|g| self.grids.iter().find(|(id, _)| *id == g))
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }

    fn form_of(&self, pick: &i64) -> Option<&(i64, CallForm, FieldErrors)> {
        self.failed.as_ref().filter(|f| f.0 == *pick)
    }

    fn day(&self, t: &NaiveDateTime) -> String {
        crate::clock::local_day(*t).to_string()
    }
}

fn shift(month: &str, by: i32) -> String {
    let (y, m) = parse_month(month).unwrap_or((2026, 1));
    let k = y * 12 + m as i32 - 1 + by;
    month_label((k.div_euclid(12), (k.rem_euclid(12) + 1) as u32))
}

fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    month_bounds(y, m).map(|_| (y, m))
}

async fn show(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: &Actor,
    month: String,
    failed: Option<(i64, CallForm, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let m = month.clone();
    let (draw, grids) = state
        .db(move |conn| {
            let draw = draw_of(conn, cid, &m)?;
            let grids = communities::grids_of(conn, cid)?
                .into_iter()
                .map(|g| (g.id, g.name))
                .collect();
            Ok((draw, grids))
        })
        .await?;
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &FollowupsPage {
            ctx,
            community,
            prev: shift(&month, -1),
            next: shift(&month, 1),
            month,
            draw,
            grids,
            can_call: may_call(actor),
            can_set_floor: allows(actor, Action::ConfigureCommunity),
            failed,
            answers: Answer::ALL,
        },
    )
}

/// `GET /c/{slug}/followups?month=2026-11`: the month's draw (last month's by default).
pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    refuse(&ctx, may_read(&actor))?;
    let month = parse_month(&q.month).unwrap_or_else(|| previous_month(state.clock.now()));
    show(&state, ctx, community, &actor, month_label(month), None).await
}

/// `POST /c/{slug}/followups/{pick}`: records a call's answer.
pub async fn record(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CallForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, pick) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    refuse(&ctx, may_call(&actor))?;
    let me = ctx.require_user()?.id;
    let cid = community.id;
    let month: Option<String> = state
        .db(move |conn| {
            Ok(followup_picks::table
                .inner_join(followup_draws::table)
                .filter(followup_picks::id.eq(pick))
                .filter(followup_picks::community_id.eq(cid))
                .select(followup_draws::month)
                .first(conn)
                .optional()?)
        })
        .await?;
    let month = month.ok_or(AppError::NotFound)?;
    match fr::parse_call(&form.outcome, &form.answer, &form.note) {
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for p in problems {
                match p {
                    CallProblem::Outcome => errors.add("outcome", ctx.t("followups.err_outcome")),
                    CallProblem::Answer => errors.add("answer", ctx.t("followups.err_answer")),
                    CallProblem::NoteTooLong => errors.add(
                        "note",
                        ctx.f(
                            "followups.err_note",
                            &[("max", &fr::MAX_NOTE_CHARS.to_string())],
                        ),
                    ),
                }
            }
            show(
                &state,
                ctx,
                community,
                &actor,
                month,
                Some((pick, form, errors)),
            )
            .await
        }
        Ok(call) => {
            let now = state.clock.now();
            let note = form.note.clone();
            state
                .db(move |conn| {
                    write_tx(conn, |conn| {
                        Ok(record_call(conn, cid, pick, me, call, &note, now)?)
                    })
                })
                .await?;
            Ok(see_other(&format!(
                "/c/{}/followups?month={month}#pick-{pick}",
                community.slug
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_shift_across_the_year() {
        assert_eq!(shift("2026-12", 1), "2027-01");
        assert_eq!(shift("2027-01", -1), "2026-12");
        assert_eq!(parse_month("2026-13"), None);
        let first = chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .unwrap_or_default();
        assert_eq!(previous_month(first), (2026, 12), "1 January in Beijing");
    }
}
