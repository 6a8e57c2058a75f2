//! Upgrades keep every record: before pending migrations are applied to a SQLite database
//! that already holds data, a backup is taken into the backup folder, or the start is
//! refused with what to do. A brand-new database (no migration applied yet) needs none;
//! PostgreSQL sites keep their own backups (pg_dump, base backups and WAL archiving).

use std::path::PathBuf;

use diesel::{RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::{AnyConnection, SQLITE_MIGRATIONS};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(c: &mut SqliteConnection, sql: &str) -> Result<i64, String> {
    diesel::sql_query(sql)
        .get_result::<Count>(c)
        .map(|r| r.n)
        .map_err(|e| format!("cannot read the migrations applied so far: {e}"))
}

/// How many migrations are pending on a SQLite database that already has some applied
/// (0 for a brand-new database, and on PostgreSQL).
pub fn pending_on_existing(conn: &mut AnyConnection) -> Result<usize, String> {
    let AnyConnection::Sqlite(c) = conn else {
        return Ok(0);
    };
    let table = count(
        c,
        "SELECT COUNT(*) AS n FROM sqlite_master \
         WHERE type = 'table' AND name = '__diesel_schema_migrations'",
    )?;
    if table == 0 || count(c, "SELECT COUNT(*) AS n FROM __diesel_schema_migrations")? == 0 {
        return Ok(0);
    }
    c.pending_migrations(SQLITE_MIGRATIONS)
        .map(|p| p.len())
        .map_err(|e| format!("cannot list the pending migrations: {e}"))
}

/// Takes the backup an upgrade needs, if it needs one; refuses when it cannot.
/// Returns the backup taken.
pub fn before_migrating(
    conn: &mut AnyConnection,
    config: &Config,
) -> Result<Option<PathBuf>, String> {
    let pending = pending_on_existing(conn)?;
    if pending == 0 {
        return Ok(None);
    }
    if config.backup.no_backup {
        tracing::warn!("applying {pending} migration(s) without a backup (--no-backup)");
        return Ok(None);
    }
    let Some(dir) = &config.backup.backup_dir else {
        return Err(format!(
            "the database {} has {pending} migration(s) to apply, and no backup folder is \
             set to take a backup first: set YISHI_BACKUP_DIR (or --backup-dir) to a folder \
             for backups, or give --no-backup if you have a copy of the database and its \
             data dir already",
            config.database_url
        ));
    };
    let taken = super::take(config, dir, SystemClock.now())
        .map_err(|e| format!("the backup before migrating failed, nothing was changed: {e}"))?;
    tracing::info!(
        "before applying {pending} migration(s): backup written to {} ({} files, {} bytes)",
        taken.path.display(),
        taken.files,
        taken.bytes
    );
    Ok(Some(taken.path))
}
