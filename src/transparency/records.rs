//! The canonical content of each published record: the bytes whose SHA-256 a leaf carries.
//! They are rebuilt from the database whenever asked, so a row changed after publication
//! no longer matches its leaf, and `yishi audit verify` names it.
//!
//! Content is JSON with sorted keys, timestamps as UTC text with microseconds, no floats, and
//! nothing the public pages do not already show (an anonymous reporter stays anonymous).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::log::{self, Kind, LogError, Publication};
use crate::db::AnyConnection;
use crate::schema::{action_log, ballot_choices, ballot_electors, work_order_events, work_orders};

fn ts(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The record's canonical bytes now, or `None` if it cannot be read (it is gone).
pub fn content(
    conn: &mut AnyConnection,
    kind: Kind,
    record_id: i64,
) -> QueryResult<Option<Vec<u8>>> {
    let value = match kind {
        Kind::Decision => decision(conn, record_id)?,
        Kind::Electorate => electorate(conn, record_id)?,
        Kind::Board => board(conn, record_id)?,
        Kind::OrderCreated => order_created(conn, record_id)?,
        Kind::OrderCompleted => order_event(conn, record_id)?,
        Kind::RoleGrant => role_change(conn, record_id)?,
        Kind::Disclosure => crate::disclosures::model::record(conn, record_id)?,
        Kind::InquiryAnswer => crate::inquiries::model::record(conn, record_id)?,
        Kind::Disbursement => crate::projects::model::disbursement_content(conn, record_id)?,
    };
    Ok(value.map(|v| {
        let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }))
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

fn decision(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Value>> {
    use crate::ballots::model::Decision;
    use crate::schema::decisions;
    let d: Option<Decision> = decisions::table
        .find(id)
        .select(Decision::as_select())
        .first(conn)
        .optional()?;
    Ok(d.map(|d| {
        json!({
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
        })
    }))
}

/// A ballot's list of voters is not public (the committee and supervisors read it), so the
/// log carries its size and a digest of the list, which still changes if a row does.
fn electorate(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<Option<Value>> {
    let rows: Vec<(i64, Option<i64>)> = ballot_electors::table
        .filter(ballot_electors::ballot_id.eq(ballot_id))
        .order(ballot_electors::user_id)
        .select((ballot_electors::user_id, ballot_electors::household_id))
        .load(conn)?;
    // An empty list is still a list (a body with no members left): it is logged as such.
    let list: String = rows
        .iter()
        .map(|(u, h)| format!("{u},{}\n", h.map(|h| h.to_string()).unwrap_or_default()))
        .collect();
    Ok(Some(json!({
        "type": "electorate",
        "ballot": ballot_id,
        "voters": rows.len(),
        "list_sha256": log::sha256_hex(list.as_bytes()),
    })))
}

fn board(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<Option<Value>> {
    let rows: Vec<(String, i32)> = ballot_choices::table
        .filter(ballot_choices::ballot_id.eq(ballot_id))
        .order(ballot_choices::tracker)
        .select((ballot_choices::tracker, ballot_choices::choice))
        .load(conn)?;
    Ok(Some(json!({
        "type": "board",
        "ballot": ballot_id,
        "choices": rows.iter().map(|(t, c)| json!([t, c])).collect::<Vec<_>>(),
    })))
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

fn order_created(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Value>> {
    let row: Option<CreatedRow> = work_orders::table
        .find(id)
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
        .first(conn)
        .optional()?;
    Ok(row.map(
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
            v
        },
    ))
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

fn order_event(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Value>> {
    let row: Option<EventRow> = work_order_events::table
        .find(id)
        .select((
            work_order_events::id,
            work_order_events::order_id,
            work_order_events::actor_id,
            work_order_events::from_state,
            work_order_events::to_state,
            work_order_events::note,
            work_order_events::created_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, order, actor, from, to, note, at)| {
        json!({
            "type": "order_event",
            "id": id,
            "order": order,
            "actor": actor,
            "from": from,
            "to": to,
            "note": note,
            "at": ts(&at),
        })
    }))
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

fn role_change(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Value>> {
    let row: Option<ActionRow> = action_log::table
        .find(id)
        .select((
            action_log::id,
            action_log::community_id,
            action_log::actor_id,
            action_log::action,
            action_log::target_user_id,
            action_log::detail,
            action_log::created_at,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(id, community, actor, action, target, detail, at)| {
            json!({
                "type": "role_change",
                "id": id,
                "community": community,
                "by": actor,
                "action": action,
                "user": target,
                "role": detail,
                "at": ts(&at),
            })
        }),
    )
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
