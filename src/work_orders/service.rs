//! Work orders as state changes: one guarded door, [`change`], through which every change of
//! an order's state passes (assigning and routing, starting, completing, confirming,
//! reopening, escalating, confirming by the clock), checked against `rules`, recorded on the
//! timeline and told to the people concerned the same way each time; opening an order
//! (reports, inquiries, decisions) and rating it.

use chrono::NaiveDateTime;

use super::model::{self, Line, NewOrder, Order};
use super::rules::{self, Facts, MoveError, Mover, State};
use crate::authz::Role;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// A change of an order's state.
#[derive(Clone, Copy)]
pub enum Step<'a> {
    /// Routing to the grid's worker (no actor) or the committee giving the order to someone;
    /// an order already in hand changes hands with a note.
    Assign { to: i64 },
    /// A person's move in the roles they play on the order: start, complete (with
    /// after-photos), confirm, reopen.
    Move {
        to: State,
        roles: &'a [Mover],
        photos: &'a [String],
    },
    /// The clock escalates an order past due.
    Escalate,
    /// The clock confirms an order its reporter left unanswered for seven days.
    AutoConfirm,
}

/// A change asked of an order: what, by whom (`None`: the system), with what note.
pub struct Change<'a> {
    pub order: &'a Order,
    /// The community's slug, for the links in notices.
    pub slug: &'a str,
    pub step: Step<'a>,
    pub actor: Option<i64>,
    pub note: &'a str,
    pub now: NaiveDateTime,
}

/// Why a change did not happen: a message key for the page.
pub type Refused = &'static str;

/// What the rules say of `c` before anything is stored (the handler asks this first, so a
/// refused move stores no photos); [`change`] asks again inside its transaction.
pub fn check(c: &Change) -> Result<(), Refused> {
    let o = c.order;
    let facts = Facts {
        has_note: !c.note.is_empty(),
        has_assignee: o.assignee_id.is_some(),
        has_reporter: o.reporter_id.is_some(),
        completed_at: o.completed_at,
        now: Some(c.now),
        after_photos: 0,
        own_work: c.actor.is_some() && c.actor == o.assignee_id,
    };
    let checked = match &c.step {
        Step::Assign { .. } => rules::check_assign(o.state(), facts.has_assignee, facts.has_note)
            .map(|_| ())
            .map_err(MoveError::message_key),
        Step::Move { to, roles, photos } => {
            let facts = Facts {
                after_photos: photos.len(),
                ..facts
            };
            let checked: Vec<_> = roles
                .iter()
                .map(|m| rules::check_move(o.state(), *to, *m, facts))
                .collect();
            if checked.iter().any(Result::is_ok) {
                Ok(())
            } else {
                Err(checked
                    .iter()
                    .filter_map(|r| r.err())
                    .find(|e| *e != MoveError::NotAllowed)
                    .unwrap_or(MoveError::NotAllowed)
                    .message_key())
            }
        }
        Step::Escalate => {
            let due = rules::should_escalate(o.state(), o.due_at, o.escalated_at, c.now);
            due.then_some(()).ok_or(MoveError::NotAllowed.message_key())
        }
        Step::AutoConfirm => rules::check_move(o.state(), State::Confirmed, Mover::Clock, facts)
            .map_err(MoveError::message_key),
    };
    checked
}

/// The one door of an order's state, in the caller's transaction: checks the change, makes
/// it (a concurrent change wins; this one is then refused), records the timeline line and
/// tells the people concerned.
pub fn change(conn: &mut AnyConnection, c: &Change) -> Result<Result<(), Refused>, AppError> {
    // While the township holds the order, its staff do the work and nobody else
    // (`township::rules::movers_while`).
    let kept: Vec<Mover>;
    let mut held = false;
    let held_step = match c.step {
        Step::Move { to, roles, photos } => {
            held = super::upward::held(conn, c.order.id)?;
            match crate::township::rules::movers_while(held, roles, Some(to)) {
                Ok(r) => kept = r,
                Err(e) => return Ok(Err(e.message_key())),
            }
            Step::Move {
                to,
                roles: &kept,
                photos,
            }
        }
        Step::Assign { .. } if c.actor.is_some() => {
            let held = super::upward::held(conn, c.order.id)?;
            if let Err(e) = crate::township::rules::movers_while(held, &[Mover::Committee], None) {
                return Ok(Err(e.message_key()));
            }
            c.step
        }
        step => step,
    };
    let c = &Change {
        step: held_step,
        ..*c
    };
    if let Err(key) = check(c) {
        return Ok(Err(key));
    }
    let o = c.order;
    let from = o.state();
    let line = Line {
        actor: c.actor,
        from: Some(from),
        to: from,
        note: c.note,
    };
    match &c.step {
        Step::Assign { to } => {
            let after = rules::check_assign(from, o.assignee_id.is_some(), !c.note.is_empty())
                .unwrap_or(from);
            model::assign(conn, o, *to, &Line { to: after, ..line }, c.now)?;
            tell(conn, c, &[*to], "order_assigned")?;
        }
        Step::Move { to, photos, .. } => {
            if !model::move_to(conn, o, &Line { to: *to, ..line }, c.now)? {
                return Ok(Err("orders.err_moved_meanwhile"));
            }
            if *to == State::Reopened {
                // Not done after all: no longer resolved, rated or escalated.
                model::clear_completion(conn, o)?;
                if held {
                    // The township holds it still: due again on its clock, from now.
                    super::upward::due_again(conn, o.id, c.now)?;
                }
            }
            if *to == State::Confirmed {
                // Confirmed done: the township's sending up is finished (办结), or withdrawn
                // if the township never took it.
                super::upward::close_on_confirmation(conn, (o, c.slug), c.actor, c.now)?;
            }
            let me = c.actor.unwrap_or_default();
            let kind = if *to == State::Completed {
                model::AFTER
            } else {
                model::BEFORE
            };
            for name in photos.iter() {
                model::add_photo(conn, o, kind, name, me, c.now)?;
            }
            // The reporter hears of every step; the assignee of a reopening, or the
            // township's staff if the township holds the order.
            let mut told: Vec<i64> = match to {
                State::Reopened => o.assignee_id.into_iter().collect(),
                _ => o.reporter_id.into_iter().collect(),
            };
            if *to == State::Reopened && held {
                let parent = crate::communities::model::by_id(conn, o.community_id)?.parent_id;
                if let Some(t) = parent {
                    told.extend(crate::communities::model::holders(conn, t, Role::Township)?);
                }
            }
            let told: Vec<i64> = told.into_iter().filter(|u| Some(*u) != c.actor).collect();
            tell(conn, c, &told, &format!("order_{}", to.as_str()))?;
            if *to == State::Completed && held {
                // The township did the community's work: its committee hears it is done.
                let committee =
                    crate::communities::model::holders(conn, o.community_id, Role::Committee)?;
                let committee: Vec<i64> = committee
                    .into_iter()
                    .filter(|u| Some(*u) != c.actor)
                    .collect();
                tell(conn, c, &committee, "order_done_by_township")?;
            }
        }
        Step::Escalate => {
            if !model::mark_escalated(conn, o, c.now)? {
                return Ok(Err("orders.err_moved_meanwhile"));
            }
            // The committee, the township staff above it, and whoever has the order.
            let mut people = supervisors_of(conn, o.community_id)?;
            people.extend(o.assignee_id);
            tell(conn, c, &people, "order_escalated")?;
        }
        Step::AutoConfirm => {
            let line = Line {
                to: State::Confirmed,
                note: "auto_confirmed",
                ..line
            };
            // Nobody is told: the reporter let the week pass.
            if !model::move_to(conn, o, &line, c.now)? {
                return Ok(Err("orders.err_moved_meanwhile"));
            }
            super::upward::close_on_confirmation(conn, (o, c.slug), None, c.now)?;
        }
    }
    Ok(Ok(()))
}

/// Tells each of `people` of a change of the order `c` names.
fn tell(conn: &mut AnyConnection, c: &Change, people: &[i64], kind: &str) -> Result<(), AppError> {
    tell_of(conn, (c.order, c.slug), people, kind, c.now)
}

/// Tells each of `people` of something that happened to `order` (in the community `slug`).
pub(crate) fn tell_of(
    conn: &mut AnyConnection,
    (order, slug): (&Order, &str),
    people: &[i64],
    kind: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let link = format!("/c/{slug}/orders/{}", order.id);
    for user in people {
        notify(
            conn,
            &Notice {
                user_id: *user,
                community_id: Some(order.community_id),
                kind,
                subject: &order.title,
                detail: "",
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
}

/// The committee of a community and the staff of the township above it.
pub fn supervisors_of(conn: &mut AnyConnection, community_id: i64) -> Result<Vec<i64>, AppError> {
    let community = crate::communities::model::by_id(conn, community_id)?;
    let mut people = crate::communities::model::holders(conn, community_id, Role::Committee)?;
    if let Some(p) = community.parent_id {
        people.extend(crate::communities::model::holders(conn, p, Role::Township)?);
    }
    people.sort_unstable();
    people.dedup();
    Ok(people)
}

// ---- warnings ----

/// The orders of a community the supervisors' page flags, with their warnings (连续2次不满意,
/// 超3日未反馈进展), oldest first: three queries, whatever the number of orders.
pub fn warnings(
    conn: &mut AnyConnection,
    community_id: i64,
    now: NaiveDateTime,
) -> Result<Vec<(Order, Vec<rules::Warning>)>, AppError> {
    use std::collections::HashMap;
    let mut rated: HashMap<i64, Vec<i32>> = HashMap::new();
    for (order, r) in model::community_ratings(conn, community_id)? {
        rated.entry(order).or_default().push(r);
    }
    let last: HashMap<i64, NaiveDateTime> = model::last_steps_open(conn, community_id)?
        .into_iter()
        .filter_map(|(o, at)| Some((o, at?)))
        .collect();
    let of = |id: i64, state: State| {
        let ratings = rated.get(&id).map(Vec::as_slice).unwrap_or_default();
        rules::warnings(state, ratings, last.get(&id).copied().unwrap_or(now), now)
    };
    // Open orders are those with a last step here; the state is checked again once loaded.
    let mut ids: Vec<i64> = rated.keys().chain(last.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.retain(|id| {
        let state = if last.contains_key(id) {
            State::InProgress
        } else {
            State::Confirmed
        };
        !of(*id, state).is_empty()
    });
    Ok(model::by_ids(conn, community_id, &ids)?
        .into_iter()
        .map(|o| {
            let w = of(o.id, o.state());
            (o, w)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect())
}

// ---- opening an order ----

/// A new order and what comes with it.
pub struct Opening<'a> {
    pub order: NewOrder<'a>,
    pub slug: &'a str,
    /// Before-photos, stored by the reporter.
    pub photos: &'a [String],
    /// Route it to its grid's worker, if the grid has one.
    pub route: bool,
    pub actor: Option<i64>,
    pub now: NaiveDateTime,
}

/// Opens an order in `received` (with its timeline line and its leaf in the log), then
/// routes it through [`change`] to its grid's worker.
pub fn open(conn: &mut AnyConnection, o: &Opening) -> Result<Order, AppError> {
    let (cid, now) = (o.order.community_id, o.now);
    let id = model::insert(conn, &o.order, o.actor, now)?;
    let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
    for name in o.photos {
        model::add_photo(
            conn,
            &order,
            model::BEFORE,
            name,
            o.actor.unwrap_or_default(),
            now,
        )?;
    }
    let worker = match o.order.grid_id.filter(|_| o.route) {
        Some(g) => rules::route_to(
            &crate::communities::model::grid_workers(conn, cid, g)?,
            o.order.reporter_id,
        ),
        None => None,
    };
    if o.route && worker.is_none() {
        // Nobody to route it to (no grid chosen, or only the reporter works it): it waits
        // for the committee, which is told.
        let committee = crate::communities::model::holders(conn, cid, Role::Committee)?;
        tell_of(conn, (&order, o.slug), &committee, "order_unrouted", now)?;
    }
    if let Some(worker) = worker {
        let routing = Change {
            order: &order,
            slug: o.slug,
            step: Step::Assign { to: worker },
            actor: None,
            note: "routed",
            now,
        };
        // A new order may always be routed; a refusal here would be a bug in the rules.
        if let Err(key) = change(conn, &routing)? {
            return Err(AppError::Internal(format!("routing refused: {key}")));
        }
    }
    Ok(order)
}

// ---- the committee assigning ----

/// The committee gives an open order to one of the people who can be given work.
pub fn assign(
    conn: &mut AnyConnection,
    c: &Change,
    assignee: Option<i64>,
) -> Result<Result<(), Refused>, AppError> {
    // Held by the township: said before whom it would go to.
    let held = super::upward::held(conn, c.order.id)?;
    if let Err(e) = crate::township::rules::movers_while(held, &[Mover::Committee], None) {
        return Ok(Err(e.message_key()));
    }
    let allowed = crate::communities::model::assignable(conn, c.order.community_id)?;
    let Some(user) = assignee.filter(|a| allowed.iter().any(|(u, _)| u == a)) else {
        return Ok(Err("orders.err_assignee"));
    };
    let c = Change {
        step: Step::Assign { to: user },
        ..*c
    };
    change(conn, &c)
}

// ---- rating ----

/// The reporter's rating of finished work.
pub struct Rating<'a> {
    pub order: &'a Order,
    pub slug: &'a str,
    pub reporter: i64,
    pub rating: Option<i64>,
    pub comment: &'a str,
    pub now: NaiveDateTime,
}

/// Records the reporter's rating, 1 to 5, once per completion (a reopening asks for a new
/// one; the earlier stays in the history); not by the one who did the work; 1 or 2 asks the committee to follow up.
pub fn rate(conn: &mut AnyConnection, r: &Rating) -> Result<Result<(), Refused>, AppError> {
    let order = r.order;
    if order.reporter_id != Some(r.reporter) {
        return Ok(Err("orders.err_not_reporter"));
    }
    if order.assignee_id == Some(r.reporter) {
        return Ok(Err(MoveError::OwnWork.message_key()));
    }
    if !matches!(order.state(), State::Completed | State::Confirmed) {
        return Ok(Err("orders.err_rate_state"));
    }
    let Some(rating) = r.rating else {
        return Ok(Err("orders.err_rating"));
    };
    if !model::rate(conn, order, (r.reporter, rating as i32), r.comment, r.now)? {
        return Ok(Err("orders.err_rated"));
    }
    if rules::needs_follow_up(rating) {
        let committee =
            crate::communities::model::holders(conn, order.community_id, Role::Committee)?;
        tell_of(conn, (order, r.slug), &committee, "order_follow_up", r.now)?;
    }
    Ok(Ok(()))
}

// ---- from a decision ----

/// A work order the committee makes from a passed decision.
pub struct FromDecision {
    pub community_id: i64,
    pub slug: String,
    pub decision_id: i64,
    pub title: String,
    pub description: String,
    pub budget_yuan: Option<i64>,
    pub due: NaiveDateTime,
    /// An emergency: why the order goes ahead though the power list refuses its budget.
    pub override_reason: String,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// Makes an order from a passed decision: its budget passes the spending gate, citing the
/// decision (a refusal is kept for the supervisors, unless the committee declares an
/// emergency with a written reason, which they are told of), and the item goes from passed
/// to implementing with its first order. `Err` holds the query for the decision's page.
pub fn from_decision(
    conn: &mut AnyConnection,
    f: &FromDecision,
) -> Result<Result<i64, String>, AppError> {
    use crate::projects::rules::SpendKind;
    use crate::projects::service::{self as spending, Alert, Spend, Spent};
    let cid = f.community_id;
    use crate::ballots::citable::{citable, NotCitable};
    // The one rule of which decisions count: passed, binding, not corrected since.
    let d = match citable(conn, cid, f.decision_id)? {
        Ok(d) => d,
        Err(NotCitable::Unknown) => return Err(AppError::NotFound),
        Err(NotCitable::NotPassed) => return Ok(Err("order_error=err_not_passed".to_string())),
        Err(NotCitable::Consultation) => {
            return Ok(Err("order_error=err_decision_consultation".to_string()))
        }
        Err(NotCitable::Corrected) => {
            return Ok(Err("order_error=err_decision_corrected".to_string()))
        }
    };
    let spend = Spend {
        community_id: cid,
        project_id: None,
        kind: SpendKind::WorkOrderBudget,
        amount_fen: f.budget_yuan.unwrap_or(0).saturating_mul(100),
        payee: &f.title,
        powers_on: None,
        cited: Some(spending::cited_of(&d)),
        emergency: &f.override_reason,
        actor: f.actor,
        now: f.now,
    };
    let spent = spending::spend(conn, &spend, |conn, allowed| {
        let opening = Opening {
            order: NewOrder {
                community_id: cid,
                source: model::SOURCE_DECISION,
                decision_id: Some(d.id),
                title: &f.title,
                description: &f.description,
                category: "other",
                place: "",
                coords: None,
                grid_id: None,
                reporter_id: None,
                anonymous: false,
                budget_yuan: f.budget_yuan,
                override_reason: allowed.emergency.as_deref().unwrap_or_default(),
                due_at: f.due,
            },
            slug: &f.slug,
            photos: &[],
            route: false,
            actor: Some(f.actor),
            now: f.now,
        };
        let id = open(conn, &opening)?.id;
        let alert = Alert {
            kind: "order_override",
            subject: f.title.clone(),
            detail: String::new(),
            link: format!("/c/{}/orders/{id}", f.slug),
        };
        Ok((id, alert))
    })?;
    let id = match spent {
        Spent::Done(id) => id,
        Spent::Refused { id, .. } => return Ok(Err(format!("refusal={id}"))),
        Spent::BadReason => return Ok(Err("order_error=err_override".to_string())),
    };
    // The item goes from passed to implementing with its first order.
    // Later orders find it implementing already and leave it there.
    if let Some(item) = crate::agenda::model::find(conn, cid, d.item_id)? {
        let note = format!("#{id}");
        let m = crate::agenda::service::Move {
            item: &item,
            to: crate::agenda::rules::Stage::Implementing,
            mover: crate::agenda::rules::Mover::WorkOrder,
            by: Some(f.actor),
            note: &note,
        };
        let _ = crate::agenda::service::advance(conn, &m, f.now)?;
    }
    Ok(Ok(id))
}
