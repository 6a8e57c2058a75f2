//! What a township's page reads: its villages and neighbourhoods and, across all of them at
//! once, the work orders with the township, the inquiries and proposals past their answer
//! date and what the disclosures owe. Each function is one query, whatever the number of
//! villages (the villages are a sub-select, never a loop).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::schema::{
    agenda_items, communities, decisions, disclosure_cadences, disclosures, inquiries,
    inquiry_answers, order_escalations, township_limits, work_orders,
};
use crate::township::rules::Upward;
use crate::work_orders::model::Order;
use crate::work_orders::rules::State;

/// The communities under a township, in the order they were made.
pub fn villages(conn: &mut AnyConnection, township_id: i64) -> QueryResult<Vec<Community>> {
    communities::table
        .filter(communities::parent_id.eq(township_id))
        .order(communities::id)
        .select(Community::as_select())
        .load(conn)
}

/// The ids of the communities under a township, as a sub-select.
macro_rules! under {
    ($township:expr) => {
        communities::table
            .filter(communities::parent_id.eq($township))
            .select(communities::id)
    };
}

/// Open orders of the township's communities that are with it: escalated by the clock past
/// due, or sent up by hand and not sent back. Oldest due first.
pub fn orders_with(conn: &mut AnyConnection, township_id: i64) -> QueryResult<Vec<Order>> {
    let sent_up = order_escalations::table
        .filter(order_escalations::township_id.eq(township_id))
        .filter(order_escalations::state.eq_any([Upward::Sent.as_str(), Upward::Taken.as_str()]))
        .select(order_escalations::order_id);
    work_orders::table
        .filter(work_orders::community_id.eq_any(under!(township_id)))
        .filter(work_orders::state.eq_any(State::open_names()))
        .filter(
            work_orders::escalated_at
                .is_not_null()
                .or(work_orders::id.eq_any(sent_up)),
        )
        .order((work_orders::due_at, work_orders::id))
        .select(Order::as_select())
        .load(conn)
}

/// An inquiry or a proposal past its answer date: (id, community, text, due).
pub type Late = (i64, i64, String, NaiveDateTime);

/// Inquiries of the township's communities not answered by their date, oldest first.
pub fn late_inquiries(
    conn: &mut AnyConnection,
    township_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Late>> {
    let answered = inquiry_answers::table.select(inquiry_answers::inquiry_id);
    inquiries::table
        .filter(inquiries::community_id.eq_any(under!(township_id)))
        .filter(inquiries::due_at.lt(now))
        .filter(diesel::dsl::not(inquiries::id.eq_any(answered)))
        .order((inquiries::due_at, inquiries::id))
        .select((
            inquiries::id,
            inquiries::community_id,
            inquiries::question,
            inquiries::due_at,
        ))
        .load(conn)
}

/// Proposals of the township's communities the committee has not answered by their date.
pub fn late_proposals(
    conn: &mut AnyConnection,
    township_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Late>> {
    agenda_items::table
        .filter(agenda_items::community_id.eq_any(under!(township_id)))
        .filter(agenda_items::stage.eq(crate::agenda::rules::Stage::Proposed.as_str()))
        .filter(agenda_items::respond_by.lt(now))
        .order((agenda_items::respond_by, agenda_items::id))
        .select((
            agenda_items::id,
            agenda_items::community_id,
            agenda_items::title,
            agenda_items::respond_by,
        ))
        .load(conn)
}

/// What the disclosures of the township's communities rest on: each one's cadence settings
/// (community, category, cadence, since, grace days; oldest first, so the last is in force),
/// its published periods (community, row), and its passed decisions not disclosed
/// (community, decision, published at). Six queries.
pub struct DisclosureFacts {
    pub cadences: Vec<(i64, String, String, NaiveDate, i32)>,
    pub published: Vec<(i64, crate::disclosures::model::PublishedRow)>,
    pub undisclosed: Vec<(i64, i64, NaiveDateTime)>,
}

pub fn disclosure_facts(
    conn: &mut AnyConnection,
    township_id: i64,
) -> QueryResult<DisclosureFacts> {
    let cadences = disclosure_cadences::table
        .filter(disclosure_cadences::community_id.eq_any(under!(township_id)))
        .order(disclosure_cadences::id)
        .select((
            disclosure_cadences::community_id,
            disclosure_cadences::category,
            disclosure_cadences::cadence,
            disclosure_cadences::since,
            disclosure_cadences::grace_days,
        ))
        .load(conn)?;
    let ids: Vec<i64> = under!(township_id).load(conn)?;
    let published = crate::disclosures::model::published_rows(conn, &ids)?;
    let cited = disclosures::table
        .filter(disclosures::decision_id.is_not_null())
        .select(disclosures::decision_id.assume_not_null());
    let undisclosed = decisions::table
        .filter(decisions::community_id.eq_any(under!(township_id)))
        .filter(decisions::verdict.eq(crate::ballots::rules::Verdict::Passed.as_str()))
        .filter(diesel::dsl::not(decisions::id.eq_any(cited)))
        .select((
            decisions::community_id,
            decisions::id,
            decisions::published_at,
        ))
        .load(conn)?;
    Ok(DisclosureFacts {
        cadences,
        published,
        undisclosed,
    })
}

/// The township's time limit in working days for the orders its staff take: the latest it
/// set, or the default.
pub fn limit_days(conn: &mut AnyConnection, township_id: i64) -> QueryResult<u32> {
    let set: Option<i32> = township_limits::table
        .filter(township_limits::community_id.eq(township_id))
        .order(township_limits::id.desc())
        .select(township_limits::working_days)
        .first(conn)
        .optional()?;
    Ok(set
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(crate::township::rules::WORKING_DAYS))
}

/// Records a new time limit (the earlier ones stay, the latest is in force).
pub fn set_limit(
    conn: &mut AnyConnection,
    township_id: i64,
    days: u32,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(township_limits::table)
        .values((
            township_limits::community_id.eq(township_id),
            township_limits::working_days.eq(i32::try_from(days).unwrap_or(i32::MAX)),
            township_limits::set_by.eq(by),
            township_limits::set_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
