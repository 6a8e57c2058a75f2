//! The canonical content of what projects publish in the transparency log: a payment out of
//! a project's funds and a change of the power list. Built from the tables' columns as
//! stored: everything the public pages show, nothing more.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{disbursements, powers, projects};
use crate::transparency::log::{self, ts, Kind};

/// A power-list row's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = powers)]
struct PowerRow {
    id: i64,
    community_id: i64,
    code: String,
    name: String,
    procedure: String,
    kind: String,
    body: String,
    threshold_fen: i64,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    decision_id: Option<i64>,
    comparison: String,
}

/// Power-list rows' content, by id, in one query.
pub fn powers(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<PowerRow> = powers::table
        .filter(powers::id.eq_any(ids))
        .select(PowerRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let v = json!({
                "type": "power",
                "id": p.id,
                "community": p.community_id,
                "code": p.code,
                "name": p.name,
                "procedure": p.procedure,
                "kind": p.kind,
                "body": p.body,
                "threshold_fen": p.threshold_fen,
                "comparison": p.comparison,
                "decision": p.decision_id,
                "by": p.created_by,
                "at": ts(&p.created_at),
            });
            (p.id, v)
        })
        .collect())
}

/// A disbursement's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = disbursements)]
struct DisbursementRow {
    id: i64,
    community_id: i64,
    project_id: i64,
    amount_fen: i64,
    paid_on: String,
    payee: String,
    voucher: String,
    decision_id: Option<i64>,
    power_code: Option<String>,
    override_reason: Option<String>,
    recorded_by: i64,
    recorded_at: NaiveDateTime,
}

/// Disbursements' content with their project's code, by id, in one query.
pub fn disbursements(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<(DisbursementRow, String)> = disbursements::table
        .inner_join(projects::table.on(projects::id.eq(disbursements::project_id)))
        .filter(disbursements::id.eq_any(ids))
        .select((DisbursementRow::as_select(), projects::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, code)| {
            let v = json!({
                "type": "disbursement",
                "id": d.id,
                "community": d.community_id,
                "project": d.project_id,
                "project_code": code,
                "amount_fen": d.amount_fen,
                "paid_on": d.paid_on,
                "payee": d.payee,
                "voucher": d.voucher,
                "decision": d.decision_id,
                "power": d.power_code,
                "override_reason": d.override_reason,
                "recorded_by": d.recorded_by,
                "recorded_at": ts(&d.recorded_at),
            });
            (d.id, v)
        })
        .collect())
}

/// Logs a payment, in the caller's transaction.
pub fn publish_disbursement(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(disbursements(conn, &[id])?)?;
    log::publish(
        conn,
        Kind::Disbursement,
        Some(community_id),
        id,
        &content,
        now,
    )
}

/// Logs a change of the power list (its new row), in the caller's transaction.
pub fn publish_power(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(powers(conn, &[id])?)?;
    log::publish(
        conn,
        Kind::PowerChange,
        Some(community_id),
        id,
        &content,
        now,
    )
}
