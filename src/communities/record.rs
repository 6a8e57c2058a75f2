//! The canonical content of a role change (an appointment or a revocation) for the
//! transparency log, built from its row of the action log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{action_log, supervisor_appointments};
use crate::transparency::log::{self, ts, Kind};

/// An action-log row's columns that a role change's content carries.
#[derive(Queryable, Selectable)]
#[diesel(table_name = action_log)]
struct ActionRow {
    id: i64,
    community_id: Option<i64>,
    actor_id: i64,
    action: String,
    target_user_id: Option<i64>,
    detail: String,
    created_at: NaiveDateTime,
}

/// Role changes' content, by action-log id, in one query.
pub fn role_changes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<ActionRow> = action_log::table
        .filter(action_log::id.eq_any(ids))
        .select(ActionRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let v = json!({
                "type": "role_change",
                "id": a.id,
                "community": a.community_id,
                "by": a.actor_id,
                "action": a.action,
                "user": a.target_user_id,
                "role": a.detail,
                "at": ts(&a.created_at),
            });
            (a.id, v)
        })
        .collect())
}

/// Logs a role change (its action-log row), in the caller's transaction.
pub fn publish_role_change(
    conn: &mut AnyConnection,
    community_id: Option<i64>,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(role_changes(conn, &[id])?)?;
    log::publish(conn, Kind::RoleGrant, community_id, id, &content, now)
}

/// A supervisor's appointment or removal as recorded (art. 32).
#[derive(Queryable, Selectable)]
#[diesel(table_name = supervisor_appointments)]
struct SupervisorRow {
    id: i64,
    community_id: i64,
    user_id: i64,
    action: String,
    decision_id: Option<i64>,
    reason: String,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

/// Supervisor changes' content, by record id, in one query: who, appointed or removed, on
/// which decision (or the resignation's reason), recorded by whom and when.
pub fn supervisor_changes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<SupervisorRow> = supervisor_appointments::table
        .filter(supervisor_appointments::id.eq_any(ids))
        .select(SupervisorRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let v = json!({
                "type": "supervisor_change",
                "id": r.id,
                "community": r.community_id,
                "user": r.user_id,
                "action": r.action,
                "decision": r.decision_id,
                "reason": r.reason,
                "by": r.recorded_by,
                "at": ts(&r.recorded_at),
            });
            (r.id, v)
        })
        .collect())
}

/// The decisions supervisor changes cite, by record id (one query).
pub fn cited_decisions(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, Option<i64>)>> {
    supervisor_appointments::table
        .filter(supervisor_appointments::id.eq_any(ids))
        .select((
            supervisor_appointments::id,
            supervisor_appointments::decision_id,
        ))
        .load(conn)
}

/// Logs a supervisor change, in the caller's transaction.
pub fn publish_supervisor_change(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(supervisor_changes(conn, &[id])?)?;
    log::publish(
        conn,
        Kind::SupervisorChange,
        Some(community_id),
        id,
        &content,
        now,
    )
}
