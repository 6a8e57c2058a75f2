//! The canonical content of what work orders publish in the transparency log: an order as
//! received and its completion. Built from the tables' columns as stored, and nothing the
//! public pages do not show (an anonymous reporter stays anonymous: no reporter at all).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{work_order_events, work_orders};
use crate::transparency::log::{self, ts, Kind};

/// An order's columns as received.
#[derive(Queryable, Selectable)]
#[diesel(table_name = work_orders)]
struct CreatedRow {
    id: i64,
    community_id: i64,
    source: String,
    decision_id: Option<i64>,
    title: String,
    description: String,
    category: String,
    place: String,
    grid_id: Option<i64>,
    budget_yuan: Option<i64>,
    received_at: NaiveDateTime,
    due_at: NaiveDateTime,
    override_reason: String,
}

/// Orders' content as received, by id, in one query.
pub fn orders_created(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<CreatedRow> = work_orders::table
        .filter(work_orders::id.eq_any(ids))
        .select(CreatedRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|o| {
            let mut v = json!({
                "type": "order_created",
                "id": o.id,
                "community": o.community_id,
                "source": o.source,
                "decision": o.decision_id,
                "title": o.title,
                "description": o.description,
                "category": o.category,
                "place": o.place,
                "grid": o.grid_id,
                "budget_yuan": o.budget_yuan,
                "received_at": ts(&o.received_at),
                "due_at": ts(&o.due_at),
            });
            // Only an emergency order carries the key, so every other order's content (and
            // the leaves already published) stays as it was.
            if !o.override_reason.is_empty() {
                v["override_reason"] = Value::String(o.override_reason);
            }
            (o.id, v)
        })
        .collect())
}

/// A timeline event's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = work_order_events)]
struct EventRow {
    id: i64,
    order_id: i64,
    actor_id: Option<i64>,
    from_state: Option<String>,
    to_state: String,
    note: String,
    created_at: NaiveDateTime,
    step: String,
}

/// Timeline events' content (a completion, and the steps of sending up to the township),
/// by id, in one query.
pub fn order_events(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<EventRow> = work_order_events::table
        .filter(work_order_events::id.eq_any(ids))
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let mut v = json!({
            "type": "order_event",
            "id": e.id,
            "order": e.order_id,
            "actor": e.actor_id,
            "from": e.from_state,
            "to": e.to_state,
            "note": e.note,
            "at": ts(&e.created_at),
            });
            // Only a step that leaves the state as it is (sending up) carries the key, so
            // the leaves of completions stay as they were.
            if !e.step.is_empty() {
                v["step"] = Value::String(e.step);
            }
            (e.id, v)
        })
        .collect())
}

/// Logs an order as received, in the caller's transaction.
pub fn publish_created(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(orders_created(conn, &[id])?)?;
    log::publish(
        conn,
        Kind::OrderCreated,
        Some(community_id),
        id,
        &content,
        now,
    )
}

/// Logs an order's completion (its timeline event), in the caller's transaction.
pub fn publish_completed(
    conn: &mut AnyConnection,
    community_id: i64,
    event_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(order_events(conn, &[event_id])?)?;
    log::publish(
        conn,
        Kind::OrderCompleted,
        Some(community_id),
        event_id,
        &content,
        now,
    )
}
