//! The canonical content of each published record: the bytes whose SHA-256 a leaf carries.
//! They are rebuilt from the database whenever asked, so a row changed after publication
//! no longer matches its leaf, and `yishi audit verify` names it.
//!
//! Content is JSON with sorted keys, timestamps as UTC text with microseconds, no floats, and
//! nothing the public pages do not already show (an anonymous reporter stays anonymous).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::log::{self, Kind, LogError, Publication};
use crate::db::AnyConnection;
use crate::schema::{action_log, ballot_choices, ballot_electors, work_order_events, work_orders};

/// A timestamp in canonical content: UTC with microseconds.
pub fn ts(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The record's canonical bytes now, or `None` if it cannot be read (it is gone).
pub fn content(
    conn: &mut AnyConnection,
    kind: Kind,
    record_id: i64,
) -> QueryResult<Option<Vec<u8>>> {
    Ok(contents(conn, kind, &[record_id])?.remove(&record_id))
}

/// The canonical bytes of several records of one kind, by id; those that cannot be read
/// are missing. The kinds kept here load in one query whatever their number.
pub fn contents(
    conn: &mut AnyConnection,
    kind: Kind,
    ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<u8>>> {
    let one_by_one = |conn: &mut AnyConnection,
                      f: fn(&mut AnyConnection, i64) -> QueryResult<Option<Value>>|
     -> QueryResult<Vec<(i64, Value)>> {
        let mut out = Vec::new();
        for &id in ids {
            if let Some(v) = f(conn, id)? {
                out.push((id, v));
            }
        }
        Ok(out)
    };
    let values = match kind {
        Kind::Decision => decisions(conn, ids)?,
        Kind::Electorate => electorates(conn, ids)?,
        Kind::Board => boards(conn, ids)?,
        Kind::OrderCreated => orders_created(conn, ids)?,
        Kind::OrderCompleted => order_events(conn, ids)?,
        Kind::RoleGrant => role_changes(conn, ids)?,
        Kind::Disclosure => one_by_one(conn, crate::disclosures::model::record)?,
        Kind::InquiryAnswer => one_by_one(conn, crate::inquiries::model::record)?,
        Kind::Disbursement => one_by_one(conn, crate::projects::model::disbursement_content)?,
        Kind::PowerChange => one_by_one(conn, crate::projects::model::power_content)?,
    };
    Ok(values
        .into_iter()
        .map(|(id, v)| {
            let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
            bytes.push(b'\n');
            (id, bytes)
        })
        .collect())
}

/// Logs a record in the caller's transaction: reads its canonical content back and appends
/// the leaf. Returns the leaf's index.
pub fn publish(
    conn: &mut AnyConnection,
    kind: Kind,
    community_id: Option<i64>,
    record_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let bytes = content(conn, kind, record_id)?.ok_or(diesel::result::Error::NotFound)?;
    log::append(
        conn,
        &Publication {
            community_id,
            kind,
            record_id,
            content: &bytes,
        },
        now,
    )
    .map_err(|e| match e {
        LogError::Db(e) => e,
        other => diesel::result::Error::QueryBuilderError(other.to_string().into()),
    })
}

fn decisions(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    use crate::ballots::model::Decision;
    use crate::schema::decisions;
    let ds: Vec<Decision> = decisions::table
        .filter(decisions::id.eq_any(ids))
        .select(Decision::as_select())
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
            (d.id, v)
        })
        .collect())
}

/// A ballot's list of voters is not public (the committee and supervisors read it), so the
/// log carries its size and a digest of the list, which still changes if a row does.
fn electorates(conn: &mut AnyConnection, ballot_ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<(i64, i64, Option<i64>)> = ballot_electors::table
        .filter(ballot_electors::ballot_id.eq_any(ballot_ids))
        .order((ballot_electors::ballot_id, ballot_electors::user_id))
        .select((
            ballot_electors::ballot_id,
            ballot_electors::user_id,
            ballot_electors::household_id,
        ))
        .load(conn)?;
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

fn boards(conn: &mut AnyConnection, ballot_ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
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

type CreatedRow = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    NaiveDateTime,
    NaiveDateTime,
    String,
);

fn orders_created(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<CreatedRow> = work_orders::table
        .filter(work_orders::id.eq_any(ids))
        .select((
            work_orders::id,
            work_orders::community_id,
            work_orders::source,
            work_orders::decision_id,
            work_orders::title,
            work_orders::description,
            work_orders::category,
            work_orders::place,
            work_orders::grid_id,
            work_orders::budget_yuan,
            work_orders::received_at,
            work_orders::due_at,
            work_orders::override_reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                community,
                source,
                decision,
                title,
                description,
                category,
                place,
                grid,
                budget,
                at,
                due,
                over,
            )| {
                let mut v = json!({
                    "type": "order_created",
                    "id": id,
                    "community": community,
                    "source": source,
                    "decision": decision,
                    "title": title,
                    "description": description,
                    "category": category,
                    "place": place,
                    "grid": grid,
                    "budget_yuan": budget,
                    "received_at": ts(&at),
                    "due_at": ts(&due),
                });
                // Only an emergency order carries the key, so every other order's content (and
                // the leaves already published) stays as it was.
                if !over.is_empty() {
                    v["override_reason"] = Value::String(over);
                }
                (id, v)
            },
        )
        .collect())
}

type EventRow = (
    i64,
    i64,
    Option<i64>,
    Option<String>,
    String,
    String,
    NaiveDateTime,
);

fn order_events(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<EventRow> = work_order_events::table
        .filter(work_order_events::id.eq_any(ids))
        .select((
            work_order_events::id,
            work_order_events::order_id,
            work_order_events::actor_id,
            work_order_events::from_state,
            work_order_events::to_state,
            work_order_events::note,
            work_order_events::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, order, actor, from, to, note, at)| {
            let v = json!({
            "type": "order_event",
            "id": id,
            "order": order,
            "actor": actor,
            "from": from,
            "to": to,
            "note": note,
            "at": ts(&at),
            });
            (id, v)
        })
        .collect())
}

type ActionRow = (
    i64,
    Option<i64>,
    i64,
    String,
    Option<i64>,
    String,
    NaiveDateTime,
);

fn role_changes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<ActionRow> = action_log::table
        .filter(action_log::id.eq_any(ids))
        .select((
            action_log::id,
            action_log::community_id,
            action_log::actor_id,
            action_log::action,
            action_log::target_user_id,
            action_log::detail,
            action_log::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, community, actor, action, target, detail, at)| {
            let v = json!({
                "type": "role_change",
                "id": id,
                "community": community,
                "by": actor,
                "action": action,
                "user": target,
                "role": detail,
                "at": ts(&at),
            });
            (id, v)
        })
        .collect())
}

/// Where a logged record can be read by people.
pub fn link(kind: Kind, community_slug: Option<&str>, record_id: i64) -> Option<String> {
    let slug = community_slug?;
    Some(match kind {
        Kind::Decision => format!("/c/{slug}/decisions/{record_id}"),
        Kind::Electorate => format!("/c/{slug}/ballots/{record_id}/electorate"),
        Kind::Board => format!("/c/{slug}/ballots/{record_id}"),
        Kind::OrderCreated => format!("/c/{slug}/orders/{record_id}"),
        Kind::OrderCompleted | Kind::RoleGrant => return None,
        Kind::Disclosure => format!("/c/{slug}/disclosures/v/{record_id}"),
        Kind::Disbursement => format!("/c/{slug}/disbursements/{record_id}"),
        Kind::InquiryAnswer => format!("/c/{slug}/inquiries/{record_id}"),
        Kind::PowerChange => format!("/c/{slug}/powers#change-{record_id}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_microseconds_in_utc() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 60))
            .expect("a time");
        assert_eq!(ts(&t), "2026-01-02T03:04:05.000060Z");
    }

    #[test]
    fn json_keys_come_out_sorted_whatever_the_order_written() {
        let a = serde_json::to_string(&json!({"b": 1, "a": 2})).expect("json");
        assert_eq!(a, r#"{"a":2,"b":1}"#);
    }
}
