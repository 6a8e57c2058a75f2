//! The canonical content of what ballots publish in the transparency log: decisions, a
//! ballot's frozen electorate and a secret ballot's board. Built from the tables' columns as
//! stored (not from the pages' structs), so reshaping a view cannot change a logged byte.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{ballot_choices, ballot_electors, ballot_roll, decisions};
use crate::transparency::log::{self, ts, Kind};

/// A decision row, every column its content carries.
#[derive(Queryable, Selectable)]
#[diesel(table_name = decisions)]
struct DecisionRow {
    id: i64,
    community_id: i64,
    item_id: i64,
    ballot_id: i64,
    corrects_id: Option<i64>,
    correction_reason: String,
    body: String,
    mode: String,
    secret: bool,
    options: String,
    rule: String,
    electorate: i64,
    households: i64,
    present: i64,
    households_present: i64,
    counts: String,
    quorum_met: bool,
    verdict: String,
    leading_option: Option<i32>,
    minutes: String,
    photo: Option<String>,
    board_sha256: String,
    recorded_by: Option<i64>,
    confirmed_by: Option<i64>,
    published_at: NaiveDateTime,
    hall_present: i64,
    hall_counts: String,
    record_form: i32,
}

/// The canonical form new decisions are recorded in: 2, which carries a mixed meeting's
/// online and hall parts. Form 1 (without them) stays as it was for older decisions.
pub const DECISION_FORM: i32 = 2;

/// A mixed meeting's parts in form 2: those present and the count per option, online and in
/// the hall (the online part is the total less the hall's); null for other meetings.
fn parts(d: &DecisionRow) -> Value {
    if d.mode != super::model::MIXED {
        return Value::Null;
    }
    let total = super::model::parse_counts(&d.counts);
    let hall = super::model::parse_counts(&d.hall_counts);
    let hall: Vec<u64> = (0..total.len())
        .map(|i| hall.get(i).copied().unwrap_or(0))
        .collect();
    let online: Vec<u64> = total
        .iter()
        .zip(&hall)
        .map(|(t, h)| t.saturating_sub(*h))
        .collect();
    json!({
        "online": {"present": (d.present - d.hall_present).max(0), "counts": online},
        "hall": {"present": d.hall_present, "counts": hall},
    })
}

/// Decisions' content, by id, in one query.
pub fn decisions(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let ds: Vec<DecisionRow> = decisions::table
        .filter(decisions::id.eq_any(ids))
        .select(DecisionRow::as_select())
        .load(conn)?;
    Ok(ds
        .into_iter()
        .map(|d| {
            let v = json!({
            "type": "decision",
            "id": d.id,
            "community": d.community_id,
            "item": d.item_id,
            "ballot": d.ballot_id,
            "corrects": d.corrects_id,
            "correction_reason": d.correction_reason,
            "body": d.body,
            "mode": d.mode,
            "secret": d.secret,
            "options": d.options,
            "rule": d.rule,
            "electorate": d.electorate,
            "households": d.households,
            "present": d.present,
            "households_present": d.households_present,
            "counts": d.counts,
            "quorum_met": d.quorum_met,
            "verdict": d.verdict,
            "leading_option": d.leading_option,
            "minutes": d.minutes,
            "photo": d.photo,
            "board_sha256": d.board_sha256,
            "recorded_by": d.recorded_by,
            "confirmed_by": d.confirmed_by,
            "published_at": ts(&d.published_at),
            });
            let v = match (d.record_form, v) {
                (1, v) => v,
                (form, Value::Object(mut m)) => {
                    m.insert("record_form".into(), form.into());
                    m.insert("parts".into(), parts(&d));
                    Value::Object(m)
                }
                (_, v) => v,
            };
            (d.id, v)
        })
        .collect())
}

/// A ballot's list of voters is not public (the committee and supervisors read it), so the
/// log carries its size and a digest of the list, which still changes if a row does.
pub fn electorates(conn: &mut AnyConnection, ballot_ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<(i64, i64, Option<i64>)> = ballot_electors::table
        .filter(ballot_electors::ballot_id.eq_any(ballot_ids))
        .order((ballot_electors::ballot_id, ballot_electors::user_id))
        .select((
            ballot_electors::ballot_id,
            ballot_electors::user_id,
            ballot_electors::household_id,
        ))
        .load(conn)?;
    // A ballot frozen from the roster lists persons: "person,household" lines.
    let roll: Vec<(i64, i64, Option<i64>)> = ballot_roll::table
        .filter(ballot_roll::ballot_id.eq_any(ballot_ids))
        .order((ballot_roll::ballot_id, ballot_roll::person_id))
        .select((
            ballot_roll::ballot_id,
            ballot_roll::person_id,
            ballot_roll::household_id.nullable(),
        ))
        .load(conn)?;
    let rows: Vec<(i64, i64, Option<i64>)> = rows.into_iter().chain(roll).collect();
    // An empty list is still a list (a body with no members left): it is logged as such.
    Ok(ballot_ids
        .iter()
        .map(|&ballot_id| {
            let mine: Vec<_> = rows.iter().filter(|r| r.0 == ballot_id).collect();
            let list: String = mine
                .iter()
                .map(|(_, u, h)| format!("{u},{}\n", h.map(|h| h.to_string()).unwrap_or_default()))
                .collect();
            let v = json!({
                "type": "electorate",
                "ballot": ballot_id,
                "voters": mine.len(),
                "list_sha256": log::sha256_hex(list.as_bytes()),
            });
            (ballot_id, v)
        })
        .collect())
}

/// A secret ballot's public board: every receipt code and its choice.
pub fn boards(conn: &mut AnyConnection, ballot_ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<(i64, String, i32)> = ballot_choices::table
        .filter(ballot_choices::ballot_id.eq_any(ballot_ids))
        .order((ballot_choices::ballot_id, ballot_choices::tracker))
        .select((
            ballot_choices::ballot_id,
            ballot_choices::tracker,
            ballot_choices::choice,
        ))
        .load(conn)?;
    Ok(ballot_ids
        .iter()
        .map(|&ballot_id| {
            let choices: Vec<Value> = rows
                .iter()
                .filter(|r| r.0 == ballot_id)
                .map(|(_, t, c)| json!([t, c]))
                .collect();
            let v = json!({
                "type": "board",
                "ballot": ballot_id,
                "choices": choices,
            });
            (ballot_id, v)
        })
        .collect())
}

/// Logs a decision in the caller's transaction.
pub fn publish_decision(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(decisions(conn, &[id])?)?;
    log::publish(conn, Kind::Decision, Some(community_id), id, &content, now)
}

/// Logs a ballot's frozen electorate in the caller's transaction.
pub fn publish_electorate(
    conn: &mut AnyConnection,
    community_id: i64,
    ballot_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(electorates(conn, &[ballot_id])?)?;
    log::publish(
        conn,
        Kind::Electorate,
        Some(community_id),
        ballot_id,
        &content,
        now,
    )
}

/// Logs a secret ballot's board in the caller's transaction.
pub fn publish_board(
    conn: &mut AnyConnection,
    community_id: i64,
    ballot_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(boards(conn, &[ballot_id])?)?;
    log::publish(
        conn,
        Kind::Board,
        Some(community_id),
        ballot_id,
        &content,
        now,
    )
}
