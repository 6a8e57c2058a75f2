//! Loads every row of every table through diesel: proves the schema and both migration
//! trees agree, column by column and type by type. Used by `yishi`'s tests on both backends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use crate::accounts::model::{Session, User};
use crate::agenda::notices::ConveningNotice;
use crate::communities::model::{Community, Grid, Household, JoinRequest, Membership};
use crate::notifications::Notification;
use crate::roster::model::{Person, RosterChange};
use crate::schema::*;

/// Table name and row count, for every table in `schema.rs`.
pub fn load_every_table(conn: &mut AnyConnection) -> QueryResult<Vec<(&'static str, usize)>> {
    Ok(vec![
        (
            "users",
            users::table
                .select((User::as_select(), users::elder_mode))
                .load::<(User, bool)>(conn)?
                .len(),
        ),
        (
            "sessions",
            sessions::table
                .select((
                    Session::as_select(),
                    sessions::token_hash,
                    sessions::csrf_token,
                ))
                .load::<(Session, String, String)>(conn)?
                .len(),
        ),
        (
            "attempt_counters",
            attempt_counters::table
                .load::<(String, NaiveDateTime, i64)>(conn)?
                .len(),
        ),
        (
            "communities",
            communities::table
                .select(Community::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "grids",
            grids::table.select(Grid::as_select()).load(conn)?.len(),
        ),
        (
            "households",
            households::table
                .select(Household::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "persons",
            persons::table.select(Person::as_select()).load(conn)?.len(),
        ),
        (
            "roster_changes",
            roster_changes::table
                .select(RosterChange::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "memberships",
            memberships::table
                .select(Membership::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "join_requests",
            join_requests::table
                .select(JoinRequest::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "notifications",
            notifications::table
                .select(Notification::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "action_log",
            action_log::table
                .load::<(
                    i64,
                    Option<i64>,
                    i64,
                    String,
                    Option<i64>,
                    String,
                    String,
                    NaiveDateTime,
                )>(conn)?
                .len(),
        ),
        (
            "ballots",
            ballots::table
                .select(crate::ballots::model::Ballot::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "ballot_electors",
            ballot_electors::table
                .load::<(i64, i64, Option<i64>)>(conn)?
                .len(),
        ),
        (
            "ballot_roll",
            ballot_roll::table.load::<(i64, i64, i64)>(conn)?.len(),
        ),
        (
            "ballot_attendance",
            ballot_attendance::table
                .load::<(i64, i64, i64, i64, String, i64, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "ballot_voters",
            ballot_voters::table
                .load::<(i64, i64, i64, i64, Option<i64>, Option<i32>)>(conn)?
                .len(),
        ),
        (
            "ballot_choices",
            ballot_choices::table
                .load::<(i64, String, i32)>(conn)?
                .len(),
        ),
        (
            "ballot_option_details",
            ballot_option_details::table
                .load::<(i64, i32, String, Option<String>, Option<i64>)>(conn)?
                .len(),
        ),
        (
            "hall_results",
            hall_results::table
                .select((
                    crate::ballots::model::HallResult::as_select(),
                    hall_results::community_id,
                    hall_results::decided_at,
                ))
                .load::<(
                    crate::ballots::model::HallResult,
                    i64,
                    Option<NaiveDateTime>,
                )>(conn)?
                .len(),
        ),
        (
            "decisions",
            decisions::table
                .select(crate::ballots::model::Decision::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "work_orders",
            work_orders::table
                .select(crate::work_orders::model::Order::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "work_order_events",
            work_order_events::table
                .load::<(
                    i64,
                    i64,
                    i64,
                    Option<i64>,
                    Option<String>,
                    String,
                    String,
                    NaiveDateTime,
                    String,
                )>(conn)?
                .len(),
        ),
        (
            "work_order_photos",
            work_order_photos::table
                .load::<(i64, i64, i64, String, String, i64, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "work_order_limits",
            work_order_limits::table
                .load::<(i64, String, i64)>(conn)?
                .len(),
        ),
        (
            "work_order_ratings",
            work_order_ratings::table
                .load::<(i64, i64, i64, i64, i32, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "order_escalations",
            order_escalations::table
                .select(crate::work_orders::upward::Escalation::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "calendar_days",
            calendar_days::table
                .select(crate::township::calendar::Day::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "agenda_item_plans",
            agenda_item_plans::table
                .select(crate::agenda::plans::Plan::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "followup_draws",
            followup_draws::table
                .load::<(i64, i64, String, i64, i32, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "followup_picks",
            followup_picks::table
                .load::<(i64, i64, i64, i64)>(conn)?
                .len(),
        ),
        (
            "followup_calls",
            followup_calls::table
                .load::<(i64, i64, i64, i64, bool, String, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "bulletin_floors",
            bulletin_floors::table
                .load::<(i64, i64, i32, i64, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "bulletin_publications",
            bulletin_publications::table
                .load::<(i64, i64, String, i64, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "job_leases",
            job_leases::table
                .load::<(String, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "job_runs",
            job_runs::table
                .load::<(String, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "backups",
            backups::table
                .select(crate::backup::timer::Run::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "api_keys",
            api_keys::table
                .load::<(
                    i64,
                    i64,
                    String,
                    String,
                    i64,
                    NaiveDateTime,
                    Option<NaiveDateTime>,
                )>(conn)?
                .len(),
        ),
        (
            "voucher_reviews",
            voucher_reviews::table
                .select(crate::projects::vouchers::Review::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "oversight_settings",
            oversight_settings::table
                .load::<(i64, i64, i64, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "spend_refusals",
            spend_refusals::table
                .select(crate::projects::model::RefusalRow::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "decision_countersigns",
            decision_countersigns::table
                .load::<(i64, i64, i64, String, NaiveDateTime)>(conn)?
                .len(),
        ),
        (
            "convening_notices",
            convening_notices::table
                .select(ConveningNotice::as_select())
                .load(conn)?
                .len(),
        ),
        (
            "convening_settings",
            convening_settings::table
                .load::<(i64, i64, String)>(conn)?
                .len(),
        ),
    ])
}
