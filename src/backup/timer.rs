//! The backup timer: when `YISHI_BACKUP_DIR` is set, one backup a day after the quiet hour
//! (Beijing time), verified, recorded in `backups`, the oldest pruned to the last N; the
//! platform admins are told in their inbox (and by e-mail, as every notice) when a backup
//! fails or the last verified one is more than two days old.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{rules, verify};
use crate::config::Config;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::schema::{backups, users};

/// The lease and run-key names of the timer.
pub const JOB: &str = "backup";
const STALE_JOB: &str = "backup_stale";

/// One run of the timer, as recorded.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = backups)]
pub struct Run {
    pub id: i64,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub path: String,
    pub ok: bool,
    pub verified: bool,
    pub message: String,
}

/// What one tick of the timer did.
#[derive(Debug, Default)]
pub struct Tick {
    /// The day's run, when this tick made it.
    pub run: Option<Run>,
    /// Backups removed to keep the last N.
    pub pruned: Vec<PathBuf>,
    /// Platform admins told about a failed or stale backup.
    pub told: usize,
}

/// The newest verified backup.
pub fn last_verified(conn: &mut AnyConnection) -> QueryResult<Option<Run>> {
    backups::table
        .filter(backups::verified.eq(true))
        .order((backups::started_at.desc(), backups::id.desc()))
        .select(Run::as_select())
        .first(conn)
        .optional()
}

/// When the timer first ran.
fn first_run(conn: &mut AnyConnection) -> QueryResult<Option<NaiveDateTime>> {
    backups::table
        .select(diesel::dsl::min(backups::started_at))
        .first(conn)
}

/// Runs the timer once, if this holder has its lease (every server's job thread and
/// `yishi jobs run-once` call it; the day's run key makes the backup once a day).
pub fn tick(
    conn: &mut AnyConnection,
    config: &Config,
    holder: &str,
    now: NaiveDateTime,
) -> Result<Tick, AppError> {
    let Some(dir) = config.backup.backup_dir.clone() else {
        return Ok(Tick::default());
    };
    if !crate::jobs::acquire(conn, JOB, holder, now)? {
        return Ok(Tick::default());
    }
    let mut out = Tick::default();
    let day = crate::jobs::local_day(now);
    if rules::due(now, config.backup.backup_hour)
        && crate::jobs::once(conn, JOB, &day, now, |_| Ok(1))? == 1
    {
        let run = take_and_verify(conn, config, &dir, now)?;
        if !run.verified {
            out.told += tell_admins(conn, "backup_failed", &run.message, now)?;
        }
        out.pruned = prune(conn, &dir, config.backup.backup_keep)?;
        out.run = Some(run);
    }
    let last_good = last_verified(conn)?.map(|r| r.started_at);
    if rules::stale(now, last_good, first_run(conn)?) {
        let since = last_good.map(|t| crate::clock::fmt_time(&t));
        out.told += crate::jobs::once(conn, STALE_JOB, &day, now, |conn| {
            let (kind, subject) = match &since {
                Some(t) => ("backup_stale", t.as_str()),
                None => ("backup_none", ""),
            };
            Ok(tell(conn, kind, subject, "", now)?)
        })?;
    }
    Ok(out)
}

/// Takes, verifies and records one backup; a failure is recorded, not returned.
fn take_and_verify(
    conn: &mut AnyConnection,
    config: &Config,
    dir: &Path,
    now: NaiveDateTime,
) -> Result<Run, AppError> {
    let started = std::time::Instant::now();
    let (path, ok, verified, message) = match super::take(config, dir, now) {
        Err(e) => (String::new(), false, false, format!("backup failed: {e}")),
        Ok(taken) => {
            let checks = verify::Checks {
                scratch_url: config.backup.backup_scratch_url.clone(),
                live_url: None,
            };
            let path = taken.path.display().to_string();
            match verify::verify(&taken.path, &checks, now) {
                Ok(v) if v.log.is_some() => {
                    let size = v.log.map(|l| l.size).unwrap_or_default();
                    let m = format!(
                        "{} files, {} bytes; log of {size} entries verified",
                        taken.files, taken.bytes
                    );
                    (path, true, true, m)
                }
                Ok(v) => (path, true, false, v.database),
                Err(e) => (path, true, false, format!("verification failed: {e}")),
            }
        }
    };
    if !verified {
        tracing::error!("backup into {}: {message}", dir.display());
    }
    let finished = now
        + chrono::Duration::from_std(started.elapsed())
            .unwrap_or_else(|_| chrono::Duration::zero());
    let run = write_tx(conn, |conn| {
        diesel::insert_into(backups::table)
            .values((
                backups::started_at.eq(now),
                backups::finished_at.eq(finished),
                backups::path.eq(&path),
                backups::ok.eq(ok),
                backups::verified.eq(verified),
                backups::message.eq(&message),
            ))
            .execute(conn)?;
        Ok(backups::table
            .order(backups::id.desc())
            .select(Run::as_select())
            .first(conn)?)
    })?;
    Ok(run)
}

/// Removes the oldest of yishi's finished backups in `dir` beyond `keep`, never the newest
/// verified one; folders yishi did not make are never touched.
fn prune(conn: &mut AnyConnection, dir: &Path, keep: u32) -> Result<Vec<PathBuf>, AppError> {
    let protect = last_verified(conn)?.map(|r| PathBuf::from(r.path));
    let doomed = rules::to_prune(
        &super::list(dir),
        usize::try_from(keep).unwrap_or(usize::MAX),
        protect.as_deref(),
    );
    let mut removed = Vec::new();
    for p in doomed {
        match std::fs::remove_dir_all(&p) {
            Ok(()) => removed.push(p),
            Err(e) => tracing::warn!("cannot remove the old backup {}: {e}", p.display()),
        }
    }
    Ok(removed)
}

fn tell_admins(
    conn: &mut AnyConnection,
    kind: &str,
    detail: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let subject = crate::clock::fmt_time(&now);
    write_tx(conn, |conn| Ok(tell(conn, kind, &subject, detail, now)?))
}

/// Notifies every platform admin; returns how many.
fn tell(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
    detail: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let admins: Vec<i64> = users::table
        .filter(users::is_admin.eq(true))
        .select(users::id)
        .load(conn)?;
    for &user_id in &admins {
        notify(
            conn,
            &Notice {
                user_id,
                community_id: None,
                kind,
                subject,
                detail,
                link: "/admin",
            },
            now,
        )?;
    }
    Ok(admins.len())
}
