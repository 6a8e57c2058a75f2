//! What Open311 reads from the database: the orders a list names, their last notes, and
//! the committee's keys.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::ListFilter;
use super::{DEFAULT_DAYS, MAX_RESULTS};
use crate::accounts::model::hash_token;
use crate::db::AnyConnection;
use crate::schema::{api_keys, work_order_events, work_orders};
use crate::work_orders::model::Order;
use crate::work_orders::rules::State;

/// The community's orders a filter names, newest first.
pub fn find_orders(
    conn: &mut AnyConnection,
    community_id: i64,
    f: &ListFilter,
    now: NaiveDateTime,
) -> QueryResult<Vec<Order>> {
    let mut q = work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .into_boxed();
    if let Some(ids) = &f.ids {
        q = q.filter(work_orders::id.eq_any(ids.clone()));
    } else {
        let start = f
            .start
            .unwrap_or_else(|| f.end.unwrap_or(now) - chrono::Duration::days(DEFAULT_DAYS));
        q = q.filter(work_orders::received_at.ge(start));
        if let Some(end) = f.end {
            q = q.filter(work_orders::received_at.le(end));
        }
        if let Some(codes) = &f.codes {
            q = q.filter(work_orders::category.eq_any(codes.clone()));
        }
        match f.open {
            Some(true) => q = q.filter(work_orders::state.eq_any(State::open_names())),
            Some(false) => q = q.filter(work_orders::state.ne_all(State::open_names())),
            None => {}
        }
    }
    q.order((work_orders::received_at.desc(), work_orders::id.desc()))
        .limit(MAX_RESULTS)
        .select(Order::as_select())
        .load(conn)
}

/// The last step's note of each order, in words (empty when that step had none).
pub fn last_notes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = work_order_events::table
        .filter(work_order_events::order_id.eq_any(ids))
        .order(work_order_events::id)
        .select((work_order_events::order_id, work_order_events::note))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The live key of a community with this hash, if any.
pub fn live_key(
    conn: &mut AnyConnection,
    community_id: i64,
    key: &str,
) -> QueryResult<Option<i64>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(hash_token(key)))
        .filter(api_keys::community_id.eq(community_id))
        .filter(api_keys::revoked_at.is_null())
        .select(api_keys::id)
        .first(conn)
        .optional()
}

#[derive(Queryable, Clone, Debug)]
pub struct KeyRow {
    pub id: i64,
    pub label: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A community's keys, newest first.
pub fn keys_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<KeyRow>> {
    api_keys::table
        .filter(api_keys::community_id.eq(community_id))
        .order(api_keys::id.desc())
        .select((
            api_keys::id,
            api_keys::label,
            api_keys::created_by,
            api_keys::created_at,
            api_keys::revoked_at,
        ))
        .load(conn)
}
