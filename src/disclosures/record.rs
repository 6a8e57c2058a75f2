//! The canonical content of a disclosure's version for the transparency log: the text, the
//! ledger and the attachments' content-addressed names.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{disclosure_files, disclosure_versions, disclosures, ledger_lines};
use crate::transparency::log::{self, ts, Kind};

/// A version's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = disclosure_versions)]
struct VersionRow {
    id: i64,
    disclosure_id: i64,
    version: i32,
    title: String,
    body: String,
    responsible: String,
    opening_fen: Option<i64>,
    reason: String,
    published_by: i64,
    published_at: NaiveDateTime,
}

/// The disclosure's columns a version's content carries.
#[derive(Queryable, Selectable)]
#[diesel(table_name = disclosures)]
struct DisclosureRow {
    id: i64,
    community_id: i64,
    category: String,
    period: String,
    decision_id: Option<i64>,
}

type LineRow = (NaiveDate, String, i64, i64, String, String);

/// A version's content, or `None` if there is no such version.
fn version(conn: &mut AnyConnection, version_id: i64) -> QueryResult<Option<Value>> {
    let v: Option<VersionRow> = disclosure_versions::table
        .find(version_id)
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?;
    let Some(v) = v else {
        return Ok(None);
    };
    let d: DisclosureRow = disclosures::table
        .find(v.disclosure_id)
        .select(DisclosureRow::as_select())
        .first(conn)?;
    let lines: Vec<LineRow> = ledger_lines::table
        .filter(ledger_lines::version_id.eq(v.id))
        .order(ledger_lines::line_no)
        .select((
            ledger_lines::paid_on,
            ledger_lines::description,
            ledger_lines::income_fen,
            ledger_lines::expense_fen,
            ledger_lines::counterparty,
            ledger_lines::voucher,
        ))
        .load(conn)?;
    let files: Vec<(String, String)> = disclosure_files::table
        .filter(disclosure_files::version_id.eq(v.id))
        .order(disclosure_files::id)
        .select((disclosure_files::kind, disclosure_files::name))
        .load(conn)?;
    Ok(Some(json!({
        "type": "disclosure",
        "id": v.id,
        "disclosure": d.id,
        "community": d.community_id,
        "category": d.category,
        "period": d.period,
        "decision": d.decision_id,
        "version": v.version,
        "title": v.title,
        "body": v.body,
        "responsible": v.responsible,
        "opening_fen": v.opening_fen,
        "reason": v.reason,
        "published_by": v.published_by,
        "published_at": ts(&v.published_at),
        "ledger": lines.iter().map(|(date, description, income, expense, counterparty, voucher)| json!([
            date.format("%Y-%m-%d").to_string(),
            description,
            income,
            expense,
            counterparty,
            voucher,
        ])).collect::<Vec<_>>(),
        "files": files.iter().map(|(kind, name)| json!([kind, name])).collect::<Vec<_>>(),
    })))
}

/// Versions' content, by version id; missing versions are left out.
pub fn versions(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let mut out = Vec::new();
    for &id in ids {
        if let Some(v) = version(conn, id)? {
            out.push((id, v));
        }
    }
    Ok(out)
}

/// Logs a version, in the caller's transaction.
pub fn publish_version(
    conn: &mut AnyConnection,
    community_id: i64,
    version_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(versions(conn, &[version_id])?)?;
    log::publish(
        conn,
        Kind::Disclosure,
        Some(community_id),
        version_id,
        &content,
        now,
    )
}
