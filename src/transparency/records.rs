//! The canonical content of each published record, looked up by kind: the bytes whose
//! SHA-256 a leaf carries. They are rebuilt from the database whenever asked, so a row changed
//! after publication no longer matches its leaf, and `yishi audit verify` names it.
//!
//! This module sits above the features: each feature builds its own content next to its
//! model (`ballots::record`, `work_orders::record`, `communities::record`,
//! `disclosures::record`, `inquiries::record`, `projects::record`) and publishes it with
//! `log::publish`; here the log's pages and the verifier find the builder for a kind.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::log::{self, Kind};
use crate::db::AnyConnection;

/// The record's canonical bytes now, or `None` if it cannot be read (it is gone).
pub fn content(
    conn: &mut AnyConnection,
    kind: Kind,
    record_id: i64,
) -> QueryResult<Option<Vec<u8>>> {
    Ok(contents(conn, kind, &[record_id])?.remove(&record_id))
}

/// The canonical bytes of several records of one kind, by id; those that cannot be read
/// are missing.
pub fn contents(
    conn: &mut AnyConnection,
    kind: Kind,
    ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<u8>>> {
    let values = match kind {
        Kind::Decision => crate::ballots::record::decisions(conn, ids)?,
        Kind::Electorate => crate::ballots::record::electorates(conn, ids)?,
        Kind::Board => crate::ballots::record::boards(conn, ids)?,
        Kind::OrderCreated => crate::work_orders::record::orders_created(conn, ids)?,
        Kind::OrderCompleted | Kind::OrderEscalation => {
            crate::work_orders::record::order_events(conn, ids)?
        }
        Kind::RoleGrant => crate::communities::record::role_changes(conn, ids)?,
        Kind::Disclosure => crate::disclosures::record::versions(conn, ids)?,
        Kind::InquiryAnswer => crate::inquiries::record::answers(conn, ids)?,
        Kind::Disbursement => crate::projects::record::disbursements(conn, ids)?,
        Kind::PowerChange => crate::projects::record::powers(conn, ids)?,
        Kind::ConveningNotice => crate::agenda::notices::contents(conn, ids)?,
        Kind::SupervisorChange => crate::communities::record::supervisor_changes(conn, ids)?,
    };
    Ok(values
        .into_iter()
        .map(|(id, v)| (id, log::canonical(&v)))
        .collect())
}

/// Logs a record again from what the database holds now, in the caller's transaction (for
/// tools and tests; the features publish through their own `record` modules). Returns the
/// leaf's index.
pub fn publish(
    conn: &mut AnyConnection,
    kind: Kind,
    community_id: Option<i64>,
    record_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let bytes = content(conn, kind, record_id)?.ok_or(diesel::result::Error::NotFound)?;
    log::append_bytes(conn, kind, community_id, record_id, &bytes, now)
}

/// Where a logged record can be read by people.
pub fn link(kind: Kind, community_slug: Option<&str>, record_id: i64) -> Option<String> {
    let slug = community_slug?;
    Some(match kind {
        Kind::Decision => format!("/c/{slug}/decisions/{record_id}"),
        Kind::Electorate => format!("/c/{slug}/ballots/{record_id}/electorate"),
        Kind::Board => format!("/c/{slug}/ballots/{record_id}"),
        Kind::OrderCreated => format!("/c/{slug}/orders/{record_id}"),
        Kind::OrderCompleted | Kind::OrderEscalation | Kind::RoleGrant => return None,
        // The record cites its decision; the log page links that.
        Kind::SupervisorChange => return None,
        Kind::Disclosure => format!("/c/{slug}/disclosures/v/{record_id}"),
        Kind::Disbursement => format!("/c/{slug}/disbursements/{record_id}"),
        Kind::InquiryAnswer => format!("/c/{slug}/inquiries/{record_id}"),
        Kind::PowerChange => format!("/c/{slug}/powers#change-{record_id}"),
        Kind::ConveningNotice => format!("/c/{slug}/notices/{record_id}"),
    })
}
