//! The periodic jobs, on top of the features: the timer's one run and the lease. Each
//! feature's periodic work lives in its own module (`ballots::jobs`, `work_orders::periodic`):
//! closing ballots, escalating overdue work orders, confirming completed ones nobody
//! answered, the daily reminders and weekly supervision list (每日催办、每周督办), and each
//! month the follow-up draw (回访) and the published bulletin (每月通报). Each app
//! server runs them on a timer; a lease in the database lets one server at a time do it, and
//! every effect is exactly-once by itself (a conditional update, or a unique run key), so two
//! servers running the same job at once still notify once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{is_unique_violation, write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::{job_leases, job_runs};

/// How long a lease lasts without renewal: a server that dies lets another take over after.
pub const LEASE_SECONDS: i64 = 60;

/// Takes or renews the lease `name` for `holder`; false if another holder has it.
pub fn acquire(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let until = now + Duration::seconds(LEASE_SECONDS);
    let renewed = diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(name))
            .filter(job_leases::until.lt(now).or(job_leases::holder.eq(holder))),
    )
    .set((job_leases::holder.eq(holder), job_leases::until.eq(until)))
    .execute(conn)?;
    if renewed == 1 {
        return Ok(true);
    }
    match diesel::insert_into(job_leases::table)
        .values((
            job_leases::name.eq(name),
            job_leases::holder.eq(holder),
            job_leases::until.eq(until),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Gives the lease back (a one-shot run from cron, done), so the next run need not wait.
pub fn release(conn: &mut AnyConnection, name: &str, holder: &str) -> Result<(), AppError> {
    diesel::delete(
        job_leases::table
            .filter(job_leases::name.eq(name))
            .filter(job_leases::holder.eq(holder)),
    )
    .execute(conn)?;
    Ok(())
}

/// Claims the run `key` of job `name` in the caller's transaction: false if it already ran.
pub fn claim_run(
    conn: &mut AnyConnection,
    name: &str,
    key: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let done: i64 = job_runs::table
        .filter(job_runs::name.eq(name))
        .filter(job_runs::run_key.eq(key))
        .count()
        .get_result(conn)?;
    if done > 0 {
        return Ok(false);
    }
    diesel::insert_into(job_runs::table)
        .values((
            job_runs::name.eq(name),
            job_runs::run_key.eq(key),
            job_runs::ran_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub ballots_closed: usize,
    pub escalated: usize,
    pub confirmed: usize,
    pub reminders: usize,
    pub weekly: usize,
    /// Communities that drew last month's follow-up calls (回访).
    pub followups_drawn: usize,
    /// Communities whose last month's bulletin was published (每月通报).
    pub bulletins_published: usize,
}

/// Runs every job once if `holder` gets the lease (`yishi jobs run-once` and the timer).
pub fn run_all(
    conn: &mut AnyConnection,
    holder: &str,
    now: NaiveDateTime,
) -> Result<Ran, AppError> {
    if !acquire(conn, "periodic", holder, now)? {
        return Ok(Ran::default());
    }
    run_unleased(conn, now)
}

/// The jobs themselves, each feature's periodic work in its own module; each effect is
/// exactly-once on its own (the reminders by the run key of their day or week).
pub fn run_unleased(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<Ran, AppError> {
    use crate::work_orders::periodic as orders;
    Ok(Ran {
        ballots_closed: crate::ballots::jobs::close_due(conn, now)?,
        escalated: orders::escalate(conn, now)?,
        confirmed: orders::auto_confirm(conn, now)?,
        reminders: once(conn, "daily_reminder", &local_day(now), now, |conn| {
            orders::daily_reminders(conn, now)
        })?,
        weekly: once(conn, "weekly_list", &local_week(now), now, |conn| {
            orders::weekly_list(conn, now)
        })?,
        followups_drawn: once(conn, "followup_draw", &local_month(now), now, |conn| {
            crate::work_orders::followups::draw_all(conn, now)
        })?,
        bulletins_published: once(conn, "bulletin_publish", &local_month(now), now, |conn| {
            crate::work_orders::publish_bulletin::publish_all(conn, now)
        })?,
    })
}

/// The day in China (UTC+8) of a UTC time, as the run key of daily jobs.
pub fn local_day(now: NaiveDateTime) -> String {
    crate::clock::local_day(now).to_string()
}

/// The ISO week in China of a UTC time, as the run key of weekly jobs.
pub fn local_week(now: NaiveDateTime) -> String {
    let w = crate::clock::local_week(now);
    format!("{}-W{:02}", w.year(), w.week())
}

/// The month in China of a UTC time, as the run key of monthly jobs (which work on the
/// month before it).
pub fn local_month(now: NaiveDateTime) -> String {
    let (y, m) = crate::clock::local_month(now);
    format!("{y}-{m:02}")
}

/// Runs `f` in a write transaction once per `key` of job `name`.
pub fn once<F>(
    conn: &mut AnyConnection,
    name: &str,
    key: &str,
    now: NaiveDateTime,
    mut f: F,
) -> Result<usize, AppError>
where
    F: FnMut(&mut AnyConnection) -> Result<usize, AppError>,
{
    let r = write_tx(conn, |conn| {
        if !claim_run(conn, name, key, now)? {
            return Ok(0);
        }
        f(conn)
    });
    match r {
        Err(AppError::Db(e)) if is_unique_violation(&e) => Ok(0),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_keys_follow_china_time() {
        let late = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(17, 0, 0))
            .unwrap_or_default();
        assert_eq!(
            local_day(late),
            "2026-12-01",
            "01:00 in Beijing is the next day"
        );
        assert_eq!(local_week(late), "2026-W49");
        assert_eq!(
            local_month(late),
            "2026-12",
            "the first of December in Beijing"
        );
    }
}
