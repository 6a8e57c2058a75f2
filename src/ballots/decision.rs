//! Decision pages: the published result with its chart and the rule in words, the roll-call
//! table or the secret ballot's board (searchable by tracker), CSV and JSON downloads,
//! supervisors' countersignatures, and the community's list of ballots and decisions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::model::{self, Ballot, Decision};
use super::service::{OrderDraft, Refused};
use super::{tracker, words};
use crate::authz::{allows, Action, Actor};
use crate::communities::model::Community;
use crate::db::{is_unique_violation, write_tx, AnyConnection};
use crate::error::AppError;
use crate::web::community::{load_as, load_community};
use crate::web::csv::Csv;
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, Posted};
use crate::web::{render, see_other, AppState};

/// Board rows per page; a tracker search narrows it to the matches.
pub const BOARD_PAGE: i64 = 500;

/// Height of one option's row in the chart, in SVG units (the chart is 1000 wide).
const ROW: usize = 120;

pub struct Bar {
    pub label: String,
    pub count: u64,
    /// Bar length in tenths of a percent of the chart's width.
    pub width: u64,
    pub y: usize,
    pub leading: bool,
}

/// Bars for the SVG chart, scaled to the largest count.
pub fn bars(labels: &[String], counts: &[u64], leading: Option<usize>) -> Vec<Bar> {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    labels
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(i, (label, &count))| Bar {
            label: label.clone(),
            count,
            width: count * 1000 / max,
            y: i * ROW,
            leading: leading == Some(i),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "ballots/decision.html")]
struct DecisionPage {
    ctx: Ctx,
    community: Community,
    d: Decision,
    item_title: String,
    labels: Vec<String>,
    words: Vec<String>,
    bars: Vec<Bar>,
    chart_height: usize,
    board: Vec<(String, String)>,
    board_rows: i64,
    search: String,
    searched: bool,
    next_after: Option<String>,
    roll_call: Vec<model::ElectorRow>,
    countersigns: Vec<(i64, String, String, chrono::NaiveDateTime)>,
    recorder: String,
    confirmer: String,
    corrected_by: Option<i64>,
    can_countersign: bool,
    /// The committee may correct a meeting result that nothing has corrected yet.
    can_correct: bool,
    correction_pending: bool,
    ask_households: bool,
    /// The committee may turn a passed decision into work orders.
    can_make_orders: bool,
    orders: Vec<(i64, String, String)>,
    order_error: Option<String>,
    /// The work order or countersignature note typed into a refused form.
    draft: OrderDraft,
    note_kept: String,
    /// The decision's leaf in the transparency log, and its board's.
    log_index: Option<i64>,
    board_log_index: Option<i64>,
    errors: crate::web::forms::FieldErrors,
    /// A correction refused at its fields, as typed (the form opens with it).
    typed_correction: Option<super::hall::CorrectionForm>,
    notice: Option<&'static str>,
    /// A meeting in the hall and online at once: (label, online, hall, total), the first
    /// row those present; empty otherwise.
    parts: Vec<(String, u64, u64, u64)>,
    /// Those present who voted for no option.
    not_voting: u64,
}

/// The online and hall parts of a meeting held in both at once, row by row: those present,
/// then each option.
fn parts_of(ctx: &Ctx, d: &Decision, labels: &[String]) -> Vec<(String, u64, u64, u64)> {
    if d.mode != model::MIXED {
        return Vec::new();
    }
    let hall = model::parse_counts(&d.hall_counts);
    let (present, hall_present) = (d.present as u64, d.hall_present as u64);
    let mut rows = vec![(
        ctx.t("ballots.took_part").to_string(),
        present.saturating_sub(hall_present),
        hall_present,
        present,
    )];
    for (i, (label, total)) in labels.iter().zip(d.per_option()).enumerate() {
        let h = hall.get(i).copied().unwrap_or(0);
        rows.push((label.clone(), total.saturating_sub(h), h, total));
    }
    rows
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionQuery {
    tracker: String,
    after: String,
    done: String,
    order_error: String,
    /// A work-order budget the power list refused (a `spend_refusals` id).
    refusal: String,
}

struct DecisionRows {
    d: Decision,
    item_title: String,
    board: Vec<(String, i32)>,
    board_rows: i64,
    roll_call: Vec<model::ElectorRow>,
    countersigns: Vec<(i64, String, String, chrono::NaiveDateTime)>,
    names: Vec<(i64, String)>,
    corrected_by: Option<i64>,
    correction_pending: bool,
    orders: Vec<(i64, String, String)>,
    log_index: Option<i64>,
    board_log_index: Option<i64>,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<DecisionQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    decision_page(&state, ctx, slug, id, q.into_inner(), None).await
}

/// A decision's page again with a refused form's message and what was typed into it (422).
/// The work-order form posts elsewhere (work orders), so this is how it comes back.
pub async fn refused(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    id: i64,
    refused: Refused,
) -> Result<HttpResponse, AppError> {
    decision_page(
        state,
        ctx,
        slug,
        id,
        DecisionQuery::default(),
        Some(refused),
    )
    .await
}

/// Reads everything the decision page shows: the board page from `after` (codes starting
/// with `prefix`), the roll call, countersigns, corrections, orders and log entries.
fn load_rows(
    conn: &mut AnyConnection,
    (cid, id): (i64, i64),
    prefix: Option<String>,
    after: Option<String>,
) -> Result<DecisionRows, AppError> {
    let d = model::decision(conn, cid, id)?.ok_or(AppError::NotFound)?;
    let ballot = model::find(conn, cid, d.ballot_id)?.ok_or(AppError::NotFound)?;
    let item_title = crate::agenda::model::find(conn, cid, d.item_id)?
        .map(|i| i.title)
        .unwrap_or_default();
    let (board, board_rows) = if d.secret && d.mode != model::HALL {
        (
            model::board_page(
                conn,
                d.ballot_id,
                prefix.as_deref(),
                after.as_deref(),
                BOARD_PAGE,
            )?,
            model::board_len(conn, d.ballot_id)?,
        )
    } else {
        (Vec::new(), 0)
    };
    let roll_call = if d.secret || d.mode != model::ONLINE {
        Vec::new()
    } else {
        model::electorate(conn, &ballot)?
    };
    let countersigns = model::countersigns(conn, id)?;
    let ids: Vec<i64> = [d.recorded_by, d.confirmed_by]
        .into_iter()
        .flatten()
        .collect();
    let names = crate::accounts::model::names(conn, &ids)?;
    let corrected_by = model::decisions_of_ballot(conn, d.ballot_id)?
        .iter()
        .find(|x| x.corrects_id == Some(d.id))
        .map(|x| x.id);
    let orders = crate::work_orders::model::of_decision(conn, d.id)?;
    let correction_pending = d.mode == model::HALL
        && model::hall_results_of(conn, d.ballot_id)?
            .iter()
            .any(|r| r.state == model::PENDING);
    let log_index =
        crate::transparency::log::index_of(conn, crate::transparency::log::Kind::Decision, d.id)?;
    let board_log_index = crate::transparency::log::index_of(
        conn,
        crate::transparency::log::Kind::Board,
        d.ballot_id,
    )?;
    Ok(DecisionRows {
        log_index,
        board_log_index,
        d,
        item_title,
        board,
        board_rows,
        roll_call,
        countersigns,
        names,
        corrected_by,
        correction_pending,
        orders,
    })
}

/// The decision's options, its result in words, and its chart.
fn explained(ctx: &Ctx, d: &Decision) -> (Vec<String>, Vec<String>, Vec<Bar>) {
    let labels = words::labels(ctx, &d.options);
    let outcome = d.outcome();
    let words = words::explain(ctx, &d.rule(), d.body(), &d.counts(), &outcome, &labels);
    let bars = bars(&labels, &d.per_option(), outcome.leading);
    (labels, words, bars)
}

/// The board's page as shown — each code grouped for reading, with its option's label —
/// and the code the next page starts after, if the page is full.
fn board_view(
    board: Vec<(String, i32)>,
    labels: &[String],
) -> (Vec<(String, String)>, Option<String>) {
    let next_after = (board.len() as i64 == BOARD_PAGE)
        .then(|| board.last().map(|(t, _)| t.clone()))
        .flatten();
    let rows = board
        .into_iter()
        .map(|(t, c)| {
            let label = usize::try_from(c)
                .ok()
                .and_then(|i| labels.get(i))
                .cloned()
                .unwrap_or_default();
            (tracker::grouped(&t), label)
        })
        .collect();
    (rows, next_after)
}

/// The message of a work-order budget the power list refused (`refusal`, a stored
/// refusal's id), if there is one.
async fn stored_refusal(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    refusal: &str,
) -> Result<Option<String>, AppError> {
    let Ok(rid) = refusal.trim().parse::<i64>() else {
        return Ok(None);
    };
    Ok(state
        .db(move |conn| Ok(crate::projects::model::refusal(conn, cid, rid)?))
        .await?
        .map(|r| crate::web::refusal::refusal_message(ctx, &r.refusal())))
}

/// The decision page again with a correction refused at its fields (422), what was typed kept.
pub async fn refuse_correction(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    id: i64,
    typed: (crate::web::forms::FieldErrors, super::hall::CorrectionForm),
) -> Result<HttpResponse, AppError> {
    let q = DecisionQuery::default();
    decision_page_with(state, ctx, (slug, id), q, None, Some(typed)).await
}

async fn decision_page(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    id: i64,
    q: DecisionQuery,
    refusal: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    decision_page_with(state, ctx, (slug, id), q, refusal, None).await
}

async fn decision_page_with(
    state: &AppState,
    ctx: Ctx,
    (slug, id): (String, i64),
    q: DecisionQuery,
    refusal: Option<Refused>,
    correction: Option<(crate::web::forms::FieldErrors, super::hall::CorrectionForm)>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(state, &ctx, slug).await?;
    let search = tracker::normalize(&q.tracker);
    let searched = !q.tracker.trim().is_empty();
    let mut errors = crate::web::forms::FieldErrors::default();
    if searched && !tracker::is_valid_prefix(&search) {
        errors.add("tracker", ctx.t("ballots.err_search"));
    }
    let prefix = (searched && errors.is_empty()).then(|| search.clone());
    let after = tracker::normalize(&q.after);
    let after = tracker::is_valid(&after).then_some(after);
    let cid = community.id;
    let rows = state
        .db(move |conn| load_rows(conn, (cid, id), prefix, after))
        .await?;
    let refused = stored_refusal(state, &ctx, cid, &q.refusal).await?;
    let (errors, correction) = match correction {
        Some((errors, typed)) => (errors, Some(typed)),
        None => (errors, None),
    };
    let asked = Asked {
        q,
        budget_refused: refused,
        refusal,
        searched,
        errors,
        correction,
    };
    show_page(ctx, (community, actor), rows, asked)
}

/// What the decision page was asked besides the decision: the query, a refused form.
struct Asked {
    q: DecisionQuery,
    /// The message of a work-order budget the power list refused.
    budget_refused: Option<String>,
    refusal: Option<Refused>,
    searched: bool,
    errors: crate::web::forms::FieldErrors,
    /// A correction refused at its fields, as typed.
    correction: Option<super::hall::CorrectionForm>,
}

/// The name of person `id` among `names`; empty if none.
fn name_in(names: &[(i64, String)], id: Option<i64>) -> String {
    id.and_then(|i| names.iter().find(|(n, _)| *n == i).map(|(_, s)| s.clone()))
        .unwrap_or_default()
}

/// The message of a refused work-order form, named in the query (`err_title`, …).
fn order_error(ctx: &Ctx, key: &str) -> Option<String> {
    (!key.is_empty()).then(|| ctx.t(&format!("orders.{key}")).to_string())
}

fn show_page(
    ctx: Ctx,
    (community, actor): (Community, Actor),
    rows: DecisionRows,
    asked: Asked,
) -> Result<HttpResponse, AppError> {
    let q = asked.q;
    let r = rows;
    let d = r.d;
    let (labels, words, bars) = explained(&ctx, &d);
    let (board, next_after) = board_view(r.board, &labels);
    let name = |id: Option<i64>| name_in(&r.names, id);
    let me = ctx.user_id();
    let notice = (q.done == "countersigned").then_some("ballots.done_countersigned");
    let (status, refusal) = match asked.refusal {
        Some(r) => (StatusCode::UNPROCESSABLE_ENTITY, r),
        None if asked.correction.is_some() => {
            (StatusCode::UNPROCESSABLE_ENTITY, Refused::default())
        }
        None => (StatusCode::OK, Refused::default()),
    };
    let mut errors = asked.errors;
    errors.extend(&refusal.errors);
    let boxed = Some(refusal.message.clone()).filter(|m| !m.is_empty());
    let refused = asked
        .budget_refused
        .or(boxed)
        .or_else(|| order_error(&ctx, &q.order_error));
    let manage = allows(&actor, Action::ManageAgenda);
    render(
        status,
        &DecisionPage {
            parts: parts_of(&ctx, &d, &labels),
            not_voting: super::rules::present_not_voting(&d.counts()),
            draft: refusal.order,
            note_kept: refusal.note,
            log_index: r.log_index,
            board_log_index: r.board_log_index,
            can_countersign: allows(&actor, Action::Countersign)
                && !r.countersigns.iter().any(|c| Some(c.0) == me),
            can_make_orders: manage && d.passed() && r.corrected_by.is_none(),
            orders: r.orders,
            order_error: refused,
            can_correct: manage
                && super::rules::may_correct(&d.mode)
                && r.corrected_by.is_none()
                && !r.correction_pending,
            correction_pending: r.correction_pending,
            ask_households: d.body() != super::rules::Body::Households
                && d.rule().quorum_households.is_some(),
            recorder: name(d.recorded_by),
            confirmer: name(d.confirmed_by),
            chart_height: labels.len() * ROW + 10,
            ctx,
            community,
            item_title: r.item_title,
            labels,
            words,
            bars,
            board,
            board_rows: r.board_rows,
            search: q.tracker.clone(),
            searched: asked.searched,
            next_after,
            roll_call: r.roll_call,
            countersigns: r.countersigns,
            corrected_by: r.corrected_by,
            d,
            errors,
            typed_correction: asked.correction,
            notice,
        },
    )
}

async fn load_decision(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    id: i64,
) -> Result<
    (
        Community,
        Decision,
        Vec<(String, i32)>,
        Vec<model::ElectorRow>,
    ),
    AppError,
> {
    let (community, _) = load_community(state, ctx, slug).await?;
    let cid = community.id;
    let (d, board, roll_call) = state
        .db(move |conn| {
            let d = model::decision(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let ballot = model::find(conn, cid, d.ballot_id)?.ok_or(AppError::NotFound)?;
            let board = if d.secret && d.mode != model::HALL {
                model::board(conn, d.ballot_id, None, i64::MAX)?
            } else {
                Vec::new()
            };
            let roll_call = if !d.secret && d.mode == model::ONLINE {
                model::electorate(conn, &ballot)?
            } else {
                Vec::new()
            };
            Ok((d, board, roll_call))
        })
        .await?;
    Ok((community, d, board, roll_call))
}

/// The board (secret ballot) or the roll call as CSV.
pub async fn csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, d, board, roll_call) = load_decision(&state, &ctx, slug, id).await?;
    let labels = words::labels(&ctx, &d.options);
    let label_of = |c: i32| {
        usize::try_from(c)
            .ok()
            .and_then(|i| labels.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let csv = if d.secret {
        let mut csv = Csv::new(&["tracker", "choice", "label"]);
        for (t, c) in &board {
            csv.row(&[t.to_string(), c.to_string(), label_of(*c)]);
        }
        csv
    } else if !roll_call.is_empty() {
        let mut csv = Csv::new(&["name", "took_part", "choice", "label"]);
        for r in &roll_call {
            csv.row(&[
                r.name.clone(),
                r.took_part.to_string(),
                r.choice.map(|c| c.to_string()).unwrap_or_default(),
                r.choice.map(label_of).unwrap_or_default(),
            ]);
        }
        csv
    } else {
        let mut csv = Csv::new(&["choice", "label", "count"]);
        for (i, (label, n)) in labels.iter().zip(d.per_option()).enumerate() {
            csv.row(&[i.to_string(), label.clone(), n.to_string()]);
        }
        csv
    };
    Ok(csv.response(&format!("{}-decision-{}", community.slug, d.id)))
}

#[derive(Serialize)]
struct DecisionJson {
    id: i64,
    community: String,
    item_id: i64,
    ballot_id: i64,
    corrects: Option<i64>,
    correction_reason: String,
    body: String,
    mode: String,
    secret: bool,
    options: Vec<String>,
    rule: String,
    electorate: i64,
    households: i64,
    present: i64,
    households_present: i64,
    counts: Vec<u64>,
    quorum_met: bool,
    verdict: String,
    leading: Option<i32>,
    published_at: String,
    board_sha256: String,
    board: Vec<BoardRow>,
    roll_call: Vec<RollCallRow>,
}

#[derive(Serialize)]
struct BoardRow {
    tracker: String,
    choice: i32,
}

#[derive(Serialize)]
struct RollCallRow {
    name: String,
    took_part: bool,
    choice: Option<i32>,
}

pub async fn json(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, d, board, roll_call) = load_decision(&state, &ctx, slug, id).await?;
    let body = DecisionJson {
        id: d.id,
        community: community.slug.clone(),
        item_id: d.item_id,
        ballot_id: d.ballot_id,
        corrects: d.corrects_id,
        correction_reason: d.correction_reason.clone(),
        options: words::labels(&ctx, &d.options),
        counts: d.per_option(),
        body: d.body,
        mode: d.mode,
        secret: d.secret,
        rule: d.rule,
        electorate: d.electorate,
        households: d.households,
        present: d.present,
        households_present: d.households_present,
        quorum_met: d.quorum_met,
        verdict: d.verdict,
        leading: d.leading_option,
        published_at: crate::clock::atom_time(&d.published_at),
        board_sha256: d.board_sha256,
        board: board
            .into_iter()
            .map(|(tracker, choice)| BoardRow { tracker, choice })
            .collect(),
        roll_call: roll_call
            .into_iter()
            .map(|r| RollCallRow {
                name: r.name,
                took_part: r.took_part,
                choice: r.choice,
            })
            .collect(),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .json(body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CountersignForm {
    pub note: String,
}

/// A supervisor countersigns a published decision.
pub async fn countersign(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CountersignForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::Countersign).await?;
    let note = match text_field(&form.note, 0, 500) {
        Ok(n) => n,
        Err(e) => {
            let message = format!(
                "{}：{}",
                ctx.t("ballots.countersign_note"),
                e.message(&ctx.tr)
            );
            let mut errors = crate::web::forms::FieldErrors::default();
            errors.add("cs_note", message);
            let r = Refused {
                errors,
                note: form.note,
                ..Refused::default()
            };
            return refused(&state, ctx, community.slug, id, r).await;
        }
    };
    let (cid, now) = (community.id, state.clock.now());
    let r = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                model::decision(conn, cid, id)?.ok_or(AppError::NotFound)?;
                model::countersign(conn, id, me, &note, now)?;
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: crate::audit::Action::Countersign,
                        target_user_id: None,
                        detail: &format!("#{id}"),
                        reason: &note,
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await;
    match r {
        Ok(()) => {}
        Err(AppError::Db(e)) if is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!(
        "/c/{}/decisions/{id}?done=countersigned",
        community.slug
    )))
}

// ---- the community's ballots and decisions ----

#[derive(Template)]
#[template(path = "ballots/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    open: Vec<(Ballot, String)>,
    decisions: Vec<(Decision, String)>,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, _) = load_community(&state, &ctx, path.into_inner()).await?;
    let (cid, now) = (community.id, state.clock.now());
    let (open, decisions) = state
        .db(move |conn| {
            for b in model::of_community(conn, cid, 50)? {
                if b.is_due(now) {
                    super::service::close_one(conn, cid, b.id, now)?;
                }
            }
            let ballots: Vec<Ballot> = model::of_community(conn, cid, 50)?
                .into_iter()
                .filter(Ballot::is_open)
                .collect();
            let decisions = model::decisions_of_community(conn, cid, 50)?;
            let mut ids: Vec<i64> = ballots.iter().map(|b| b.item_id).collect();
            ids.extend(decisions.iter().map(|d| d.item_id));
            let titles = crate::agenda::model::titles(conn, &ids)?;
            let title = |id: i64| {
                titles
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            };
            let open = ballots
                .into_iter()
                .map(|b| {
                    let t = title(b.item_id);
                    (b, t)
                })
                .collect();
            let decisions = decisions
                .into_iter()
                .map(|d| {
                    let t = title(d.item_id);
                    (d, t)
                })
                .collect();
            Ok((open, decisions))
        })
        .await?;
    render(
        StatusCode::OK,
        &ListPage {
            ctx,
            community,
            open,
            decisions,
        },
    )
}
