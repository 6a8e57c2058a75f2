//! Work orders, their timeline and photos, time limits and routing in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::{self, State};
use crate::db::AnyConnection;
use crate::schema::{
    grids, users, work_order_events, work_order_limits, work_order_photos, work_order_ratings,
    work_orders,
};

pub const SOURCE_REPORT: &str = "report";
pub const SOURCE_DECISION: &str = "decision";
pub const SOURCE_INQUIRY: &str = "inquiry";
pub const BEFORE: &str = "before";
pub const AFTER: &str = "after";

/// Categories of reports, with a label in the locale files (`orders.category_X`).
pub const CATEGORIES: [&str; 7] = [
    "road",
    "lighting",
    "sanitation",
    "water",
    "safety",
    "parking",
    "other",
];

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = work_orders)]
pub struct Order {
    pub id: i64,
    pub community_id: i64,
    pub source: String,
    pub decision_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub place: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub grid_id: Option<i64>,
    pub reporter_id: Option<i64>,
    pub anonymous: bool,
    pub assignee_id: Option<i64>,
    pub state: String,
    pub budget_yuan: Option<i64>,
    pub received_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    /// Minutes from receipt to completion, kept for the bulletin's median.
    pub resolve_minutes: Option<i64>,
    pub confirmed_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
    pub rating: Option<i32>,
    pub rating_comment: String,
    pub updated_at: NaiveDateTime,
    pub override_reason: String,
}

impl Order {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Received)
    }

    pub fn light(&self, now: NaiveDateTime) -> Option<rules::Light> {
        rules::light(
            self.state(),
            self.received_at,
            self.acknowledged_at,
            self.due_at,
            now,
        )
    }

    pub fn state_key(&self) -> String {
        format!("orders.state_{}", self.state)
    }

    /// What `rules::shown` needs to know of the order.
    pub fn privacy(&self) -> rules::Privacy {
        rules::Privacy {
            anonymous: self.anonymous,
            reporter_id: self.reporter_id,
        }
    }

    pub fn category_key(&self) -> String {
        format!("orders.category_{}", self.category)
    }

    pub fn light_class(&self, now: &NaiveDateTime) -> &'static str {
        self.light(*now).map(|l| l.as_str()).unwrap_or("done")
    }

    /// The light against another due time: the township's, once it took the order.
    pub fn light_class_due(&self, now: NaiveDateTime, due: NaiveDateTime) -> &'static str {
        rules::light(
            self.state(),
            self.received_at,
            self.acknowledged_at,
            due,
            now,
        )
        .map(|l| l.as_str())
        .unwrap_or("done")
    }
}

pub struct NewOrder<'a> {
    pub community_id: i64,
    pub source: &'a str,
    pub decision_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub place: &'a str,
    pub coords: Option<(f64, f64)>,
    pub grid_id: Option<i64>,
    pub reporter_id: Option<i64>,
    pub anonymous: bool,
    pub budget_yuan: Option<i64>,
    /// Empty, or why a budget the power list refused was made anyway (an emergency).
    pub override_reason: &'a str,
    pub due_at: NaiveDateTime,
}

/// Stores a new order in `received`, with the first line of its timeline.
pub fn insert(
    conn: &mut AnyConnection,
    n: &NewOrder,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(work_orders::table)
        .values((
            work_orders::community_id.eq(n.community_id),
            work_orders::source.eq(n.source),
            work_orders::decision_id.eq(n.decision_id),
            work_orders::title.eq(n.title),
            work_orders::description.eq(n.description),
            work_orders::category.eq(n.category),
            work_orders::place.eq(n.place),
            work_orders::latitude.eq(n.coords.map(|c| c.0)),
            work_orders::longitude.eq(n.coords.map(|c| c.1)),
            work_orders::grid_id.eq(n.grid_id),
            work_orders::reporter_id.eq(n.reporter_id),
            work_orders::anonymous.eq(n.anonymous),
            work_orders::state.eq(State::Received.as_str()),
            work_orders::budget_yuan.eq(n.budget_yuan),
            work_orders::override_reason.eq(n.override_reason),
            work_orders::received_at.eq(now),
            work_orders::due_at.eq(n.due_at),
            work_orders::updated_at.eq(now),
        ))
        .returning(work_orders::id)
        .get_result(conn)?;
    let line = Line {
        actor,
        from: None,
        to: State::Received,
        note: "",
    };
    event(conn, n.community_id, id, &line, now)?;
    super::record::publish_created(conn, n.community_id, id, now)?;
    Ok(id)
}

/// A line of an order's timeline: who moved it from which state to which, and their note.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub actor: Option<i64>,
    pub from: Option<State>,
    pub to: State,
    pub note: &'a str,
}

fn event(
    conn: &mut AnyConnection,
    community_id: i64,
    order_id: i64,
    line: &Line,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(work_order_events::table)
        .values((
            work_order_events::community_id.eq(community_id),
            work_order_events::order_id.eq(order_id),
            work_order_events::actor_id.eq(line.actor),
            work_order_events::from_state.eq(line.from.map(|s| s.as_str())),
            work_order_events::to_state.eq(line.to.as_str()),
            work_order_events::note.eq(line.note),
            work_order_events::created_at.eq(now),
        ))
        .returning(work_order_events::id)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Order>> {
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::id.eq(id))
        .select(Order::as_select())
        .first(conn)
        .optional()
}

/// Moves an order from `line.from` (its state, if `None`) to `line.to` if it is still in that
/// state (a concurrent move loses),
/// setting the times that state implies, with its timeline line. Only
/// `work_orders::service` (and the demo's seeding) calls it.
pub fn move_to(
    conn: &mut AnyConnection,
    order: &Order,
    line: &Line,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let (from, to) = (line.from.unwrap_or_else(|| order.state()), line.to);
    let target = work_orders::table
        .filter(work_orders::id.eq(order.id))
        .filter(work_orders::state.eq(from.as_str()));
    let n = diesel::update(target)
        .set((
            work_orders::state.eq(to.as_str()),
            work_orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    let stamp = diesel::update(work_orders::table.find(order.id));
    match to {
        State::InProgress if order.acknowledged_at.is_none() => {
            stamp
                .set(work_orders::acknowledged_at.eq(Some(now)))
                .execute(conn)?;
        }
        State::Completed => {
            let minutes = (now - order.received_at).num_minutes().max(0);
            stamp
                .set((
                    work_orders::completed_at.eq(Some(now)),
                    work_orders::resolve_minutes.eq(Some(minutes)),
                ))
                .execute(conn)?;
        }
        State::Confirmed => {
            stamp
                .set(work_orders::confirmed_at.eq(Some(now)))
                .execute(conn)?;
        }
        _ => {}
    }
    let line = Line {
        from: Some(from),
        ..*line
    };
    let event_id = event(conn, order.community_id, order.id, &line, now)?;
    if to == State::Completed {
        super::record::publish_completed(conn, order.community_id, event_id, now)?;
    }
    Ok(true)
}

/// Gives an order to `assignee`, moving it to `line.to` (assigned, or the state it is in
/// when it changes hands), which the timeline records with its note.
pub fn assign(
    conn: &mut AnyConnection,
    order: &Order,
    assignee: i64,
    line: &Line,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let to = line.to;
    let line = Line {
        from: line.from.or(Some(order.state())),
        ..*line
    };
    diesel::update(work_orders::table.find(order.id))
        .set((
            work_orders::assignee_id.eq(Some(assignee)),
            work_orders::state.eq(to.as_str()),
            work_orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    event(conn, order.community_id, order.id, &line, now)?;
    Ok(())
}

pub fn add_photo(
    conn: &mut AnyConnection,
    order: &Order,
    kind: &str,
    name: &str,
    uploader: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(work_order_photos::table)
        .values((
            work_order_photos::community_id.eq(order.community_id),
            work_order_photos::order_id.eq(order.id),
            work_order_photos::kind.eq(kind),
            work_order_photos::name.eq(name),
            work_order_photos::uploader_id.eq(uploader),
            work_order_photos::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// When `user` sent each of their reports with photos since `since` (one time per order).
pub fn recent_photo_reports(
    conn: &mut AnyConnection,
    user: i64,
    since: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    let mut rows: Vec<(i64, NaiveDateTime)> = work_order_photos::table
        .filter(work_order_photos::uploader_id.eq(user))
        .filter(work_order_photos::kind.eq(BEFORE))
        .filter(work_order_photos::created_at.gt(since))
        .select((work_order_photos::order_id, work_order_photos::created_at))
        .load(conn)?;
    rows.sort_unstable();
    rows.dedup_by_key(|(order, _)| *order);
    Ok(rows.into_iter().map(|(_, at)| at).collect())
}

/// (kind, file name) of an order's photos, in upload order.
pub fn photos(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Vec<(String, String)>> {
    work_order_photos::table
        .filter(work_order_photos::order_id.eq(order_id))
        .order(work_order_photos::id)
        .select((work_order_photos::kind, work_order_photos::name))
        .load(conn)
}

/// One line of an order's timeline, with the actor's name.
#[derive(Queryable, Clone, Debug)]
pub struct EventRow {
    pub to_state: String,
    pub note: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    /// A step that leaves the state as it is (sent up, taken, sent back), or empty.
    pub step: String,
}

pub fn timeline(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Vec<EventRow>> {
    work_order_events::table
        .left_join(users::table.on(work_order_events::actor_id.eq(users::id.nullable())))
        .filter(work_order_events::order_id.eq(order_id))
        .order(work_order_events::id)
        .select((
            work_order_events::to_state,
            work_order_events::note,
            work_order_events::created_at,
            work_order_events::actor_id,
            users::display_name.nullable(),
            work_order_events::step,
        ))
        .load(conn)
}

/// The time limit of a category in a community, in hours.
pub fn limit_hours(
    conn: &mut AnyConnection,
    community_id: i64,
    category: &str,
) -> QueryResult<i64> {
    Ok(work_order_limits::table
        .filter(work_order_limits::community_id.eq(community_id))
        .filter(work_order_limits::category.eq(category))
        .select(work_order_limits::hours)
        .first(conn)
        .optional()?
        .unwrap_or(rules::DEFAULT_LIMIT_HOURS))
}

/// The community's default grid: its first.
pub fn default_grid(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Option<i64>> {
    grids::table
        .filter(grids::community_id.eq(community_id))
        .order(grids::id)
        .select(grids::id)
        .first(conn)
        .optional()
}

/// Which orders a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    Open,
    Done,
    All,
}

/// A page of a community's orders, newest first, before `before` (keyset on id).
pub fn list(
    conn: &mut AnyConnection,
    community_id: i64,
    filter: Filter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Order>> {
    let open = State::open_names();
    let mut q = work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .into_boxed();
    q = match filter {
        Filter::Open => q.filter(work_orders::state.eq_any(open)),
        Filter::Done => q.filter(work_orders::state.ne_all(open)),
        Filter::All => q,
    };
    if let Some(b) = before {
        q = q.filter(work_orders::id.lt(b));
    }
    q.order(work_orders::id.desc())
        .limit(limit)
        .select(Order::as_select())
        .load(conn)
}

/// Open orders past due that have not been escalated, across all communities; an order the
/// township holds is on the township's clock and escalates only past that.
pub fn to_escalate(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<Order>> {
    use crate::schema::order_escalations as up;
    let open = State::open_names();
    let on_township_clock = up::table
        .filter(up::state.eq(crate::township::rules::Upward::Taken.as_str()))
        .filter(up::due_at.ge(now))
        .select(up::order_id);
    work_orders::table
        .filter(work_orders::state.eq_any(open))
        .filter(work_orders::due_at.lt(now))
        .filter(work_orders::escalated_at.is_null())
        .filter(diesel::dsl::not(work_orders::id.eq_any(on_township_clock)))
        .select(Order::as_select())
        .load(conn)
}

/// Marks an order escalated; false if someone else already did.
pub fn mark_escalated(
    conn: &mut AnyConnection,
    order: &Order,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        work_orders::table
            .filter(work_orders::id.eq(order.id))
            .filter(work_orders::escalated_at.is_null()),
    )
    .set(work_orders::escalated_at.eq(Some(now)))
    .execute(conn)?;
    if n == 1 {
        let state = order.state();
        let line = Line {
            actor: None,
            from: Some(state),
            to: state,
            note: "escalated",
        };
        event(conn, order.community_id, order.id, &line, now)?;
    }
    Ok(n == 1)
}

/// Completed orders whose reporter has not answered in seven days.
pub fn to_confirm(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<Order>> {
    work_orders::table
        .filter(work_orders::state.eq(State::Completed.as_str()))
        .filter(work_orders::completed_at.le(now - chrono::Duration::days(rules::CONFIRM_DAYS)))
        .select(Order::as_select())
        .load(conn)
}

/// Escalated orders of a community still open, for the supervision page.
pub fn escalated_open(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Order>> {
    let open = State::open_names();
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::state.eq_any(open))
        .filter(work_orders::escalated_at.is_not_null())
        .order(work_orders::due_at)
        .select(Order::as_select())
        .load(conn)
}

/// A reopened order is no longer done: its completion, its rating (kept in
/// `work_order_ratings`) and its escalation are cleared. The earlier completion stays on the
/// timeline and in the log; the due time, published with the order, stays as it was, so an
/// order reopened past it is late again and escalates again.
pub fn clear_completion(conn: &mut AnyConnection, order: &Order) -> QueryResult<()> {
    diesel::update(work_orders::table.find(order.id))
        .set((
            work_orders::completed_at.eq(None::<NaiveDateTime>),
            work_orders::resolve_minutes.eq(None::<i64>),
            work_orders::escalated_at.eq(None::<NaiveDateTime>),
            work_orders::rating.eq(None::<i32>),
            work_orders::rating_comment.eq(""),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every rating given to an order, oldest first: (rating, comment, when).
pub fn ratings(
    conn: &mut AnyConnection,
    order_id: i64,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    work_order_ratings::table
        .filter(work_order_ratings::order_id.eq(order_id))
        .order(work_order_ratings::id)
        .select((
            work_order_ratings::rating,
            work_order_ratings::comment,
            work_order_ratings::created_at,
        ))
        .load(conn)
}

/// Records the reporter's rating, once per completion, in the order and in its history.
pub fn rate(
    conn: &mut AnyConnection,
    order: &Order,
    (rater, rating): (i64, i32),
    comment: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        work_orders::table
            .filter(work_orders::id.eq(order.id))
            .filter(work_orders::rating.is_null()),
    )
    .set((
        work_orders::rating.eq(Some(rating)),
        work_orders::rating_comment.eq(comment),
        work_orders::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        diesel::insert_into(work_order_ratings::table)
            .values((
                work_order_ratings::community_id.eq(order.community_id),
                work_order_ratings::order_id.eq(order.id),
                work_order_ratings::rater_id.eq(rater),
                work_order_ratings::rating.eq(rating),
                work_order_ratings::comment.eq(comment),
                work_order_ratings::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(n == 1)
}

/// Finished work for the echo wall: confirmed orders, newest first.
pub fn echo_wall(
    conn: &mut AnyConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<Order>> {
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::state.eq(State::Confirmed.as_str()))
        .order(work_orders::confirmed_at.desc())
        .limit(limit)
        .select(Order::as_select())
        .load(conn)
}

/// The first before and after photo of each of some orders: (order, kind, name).
pub fn cover_photos(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    work_order_photos::table
        .filter(work_order_photos::order_id.eq_any(ids))
        .order(work_order_photos::id)
        .select((
            work_order_photos::order_id,
            work_order_photos::kind,
            work_order_photos::name,
        ))
        .load(conn)
}

/// The completion notes of some orders: (order, note), latest completion last.
pub fn completion_notes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    work_order_events::table
        .filter(work_order_events::order_id.eq_any(ids))
        .filter(work_order_events::to_state.eq(State::Completed.as_str()))
        .order(work_order_events::id)
        .select((work_order_events::order_id, work_order_events::note))
        .load(conn)
}

/// The orders made from a decision: (id, title, state).
pub fn of_decision(
    conn: &mut AnyConnection,
    decision_id: i64,
) -> QueryResult<Vec<(i64, String, String)>> {
    work_orders::table
        .filter(work_orders::decision_id.eq(Some(decision_id)))
        .order(work_orders::id)
        .select((work_orders::id, work_orders::title, work_orders::state))
        .load(conn)
}

/// An order carrying out an item's decision: (id, title, state, confirmed at).
pub type ItemOrder = (i64, String, String, Option<NaiveDateTime>);

/// The orders carrying out an item's decisions.
pub fn of_item(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<ItemOrder>> {
    use crate::schema::decisions;
    work_orders::table
        .inner_join(decisions::table.on(work_orders::decision_id.eq(decisions::id.nullable())))
        .filter(decisions::item_id.eq(item_id))
        .order(work_orders::id)
        .select((
            work_orders::id,
            work_orders::title,
            work_orders::state,
            work_orders::confirmed_at,
        ))
        .load(conn)
}

/// Marks an order as made from an inquiry.
pub fn set_inquiry(conn: &mut AnyConnection, order_id: i64, inquiry_id: i64) -> QueryResult<()> {
    diesel::update(work_orders::table.find(order_id))
        .set(work_orders::inquiry_id.eq(Some(inquiry_id)))
        .execute(conn)?;
    Ok(())
}

/// Orders made from an inquiry: (id, title, state).
pub fn of_inquiry(
    conn: &mut AnyConnection,
    inquiry_id: i64,
) -> QueryResult<Vec<(i64, String, String)>> {
    work_orders::table
        .filter(work_orders::inquiry_id.eq(inquiry_id))
        .order(work_orders::id)
        .select((work_orders::id, work_orders::title, work_orders::state))
        .load(conn)
}

/// Orders a community made in an emergency, against the power list, newest first.
pub fn emergencies(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Order>> {
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::override_reason.ne(""))
        .order(work_orders::id.desc())
        .limit(100)
        .select(Order::as_select())
        .load(conn)
}

/// Open orders with an assignee due by `until` (or overdue), across all communities.
pub fn assigned_due_by(conn: &mut AnyConnection, until: NaiveDateTime) -> QueryResult<Vec<Order>> {
    work_orders::table
        .filter(work_orders::state.eq_any(State::open_names()))
        .filter(work_orders::assignee_id.is_not_null())
        .filter(work_orders::due_at.le(until))
        .select(Order::as_select())
        .load(conn)
}

/// The community of each open order past due, across all communities (one row per order).
pub fn overdue_communities(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<i64>> {
    work_orders::table
        .filter(work_orders::state.eq_any(State::open_names()))
        .filter(work_orders::due_at.lt(now))
        .select(work_orders::community_id)
        .load(conn)
}

/// Every rating given in a community, oldest first: (order, rating).
pub fn community_ratings(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, i32)>> {
    work_order_ratings::table
        .filter(work_order_ratings::community_id.eq(community_id))
        .order(work_order_ratings::id)
        .select((work_order_ratings::order_id, work_order_ratings::rating))
        .load(conn)
}

/// The time of the last step on the timeline of each open order of a community.
pub fn last_steps_open(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    use diesel::dsl::max;
    work_order_events::table
        .inner_join(work_orders::table.on(work_orders::id.eq(work_order_events::order_id)))
        .filter(work_order_events::community_id.eq(community_id))
        .filter(work_orders::state.eq_any(State::open_names()))
        .group_by(work_order_events::order_id)
        .select((
            work_order_events::order_id,
            max(work_order_events::created_at),
        ))
        .load(conn)
}

/// Some orders of a community, by id.
pub fn by_ids(conn: &mut AnyConnection, community_id: i64, ids: &[i64]) -> QueryResult<Vec<Order>> {
    work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::id.eq_any(ids))
        .order(work_orders::id)
        .select(Order::as_select())
        .load(conn)
}
