//! The database: one connection type over SQLite and PostgreSQL, the pool, embedded
//! migrations, and the write-transaction helper. Where the backends differ, the difference
//! lives here and nowhere else.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

use crate::error::AppError;

pub mod check;

/// One connection type, whichever backend the URL names.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<Manager>;
pub type DbConn = PooledConnection<Manager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which backend a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed database URL: the backend and what to hand its driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbTarget {
    pub backend: Backend,
    pub target: String,
}

impl DbTarget {
    /// `postgres://` and `postgresql://` are PostgreSQL; `sqlite://PATH`, `sqlite:PATH` and a
    /// plain path are SQLite; any other scheme is refused rather than guessed at.
    pub fn parse(url: &str) -> Result<DbTarget, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("the database URL is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget {
                backend: Backend::Postgres,
                target: url.to_string(),
            });
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("the SQLite URL names no file".into());
            }
            return Ok(DbTarget {
                backend: Backend::Sqlite,
                target: path.to_string(),
            });
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "unknown database URL scheme `{scheme}://`: use `postgres://…`, `sqlite://PATH` or a file path"
            ));
        }
        Ok(DbTarget {
            backend: Backend::Sqlite,
            target: url.to_string(),
        })
    }
}

/// The r2d2 manager: opens the backend the URL names, sets SQLite's durability pragmas and
/// how long a statement waits for another's lock on either backend.
#[derive(Clone, Debug)]
pub struct Manager {
    target: DbTarget,
    lock_wait: Duration,
    commit_delay: Option<Duration>,
}

/// How the pool waits: for a connection, for a lock, and (tests only) before each commit.
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_size: u32,
    /// The longest wait for a connection, and for another transaction's lock.
    pub wait: Duration,
    /// Tests only: a pause before every commit, as on a slow disk.
    pub commit_delay: Option<Duration>,
}

impl PoolOptions {
    pub fn new(max_size: u32) -> PoolOptions {
        PoolOptions {
            max_size,
            wait: Duration::from_secs(10),
            commit_delay: None,
        }
    }
}

/// Set on every SQLite connection (after its busy timeout). WAL is set once, before the pool
/// opens (it is a property of the file, and switching to it needs the database to itself).
const SQLITE_PRAGMAS: &str = "PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON;";

/// Sleeps before each top-level commit: a slow disk, for the burst tests.
fn slow_commits(delay: Duration) -> impl diesel::connection::Instrumentation {
    move |event: diesel::connection::InstrumentationEvent<'_>| {
        if let diesel::connection::InstrumentationEvent::CommitTransaction { depth, .. } = event {
            if depth.get() == 1 {
                std::thread::sleep(delay);
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match self.target.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                let wait = format!("PRAGMA busy_timeout = {};", self.lock_wait.as_millis());
                conn.batch_execute(&wait)
                    .and_then(|_| conn.batch_execute(SQLITE_PRAGMAS))
                    .map_err(diesel::r2d2::Error::QueryError)?;
                if let Some(delay) = self.commit_delay {
                    conn.set_instrumentation(slow_commits(delay));
                }
                Ok(AnyConnection::Sqlite(conn))
            }
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // A row lock held by another transaction is waited for this long, then the
                // statement fails and the request is told the server is busy.
                let wait = format!("SET lock_timeout = {};", self.lock_wait.as_millis());
                conn.batch_execute(&wait)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                if let Some(delay) = self.commit_delay {
                    conn.set_instrumentation(slow_commits(delay));
                }
                Ok(AnyConnection::Postgresql(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

/// Builds the pool for `url` with `max_size` connections and the default waits.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, String> {
    connect_with(url, PoolOptions::new(max_size))
}

/// Builds the pool for `url`.
pub fn connect_with(url: &str, options: PoolOptions) -> Result<DbPool, String> {
    let target = DbTarget::parse(url)?;
    if target.backend == Backend::Sqlite {
        if let Some(dir) = std::path::Path::new(&target.target).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        let mut conn = SqliteConnection::establish(&target.target)
            .map_err(|e| format!("cannot open {}: {e}", target.target))?;
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
            .map_err(|e| format!("cannot switch {} to WAL: {e}", target.target))?;
    }
    let pool = Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.wait)
        .build(Manager {
            target,
            lock_wait: options.wait,
            commit_delay: options.commit_delay,
        })
        .map_err(|e| format!("cannot open the database: {e}"))?;
    Ok(pool)
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// Applies pending migrations; returns how many ran.
/// On PostgreSQL an advisory lock makes app servers that start together take turns.
pub fn migrate(conn: &mut AnyConnection) -> Result<usize, String> {
    // Another server's migrations may take longer than a request's lock wait: wait for them
    // without a timeout, then give the connection its usual one back.
    const LOCK: &str = "SET lock_timeout = 0; SELECT pg_advisory_lock(79462026)";
    const UNLOCK: &str = "SELECT pg_advisory_unlock(79462026)";
    let applied = match conn {
        AnyConnection::Sqlite(c) => {
            // A migration that rebuilds a table (SQLite cannot alter a column in place)
            // needs foreign-key enforcement off while it runs; the keys are checked after.
            c.batch_execute("PRAGMA foreign_keys = OFF")
                .map_err(|e| format!("cannot prepare the migrations: {e}"))?;
            let applied = c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len());
            let broken: i64 = diesel::RunQueryDsl::get_result::<Count>(
                diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check"),
                c,
            )
            .map(|r| r.n)
            .map_err(|e| format!("cannot check foreign keys after migrating: {e}"))?;
            c.batch_execute("PRAGMA foreign_keys = ON")
                .map_err(|e| format!("cannot restore foreign keys: {e}"))?;
            if broken > 0 {
                return Err(format!(
                    "migration left {broken} rows whose foreign keys point nowhere"
                ));
            }
            applied
        }
        AnyConnection::Postgresql(c) => {
            let usual: Setting = diesel::RunQueryDsl::get_result(
                diesel::sql_query("SELECT current_setting('lock_timeout') AS v"),
                c,
            )
            .map_err(|e| format!("cannot read the lock timeout: {e}"))?;
            c.batch_execute(LOCK)
                .map_err(|e| format!("cannot take the migration lock: {e}"))?;
            let applied = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            c.batch_execute(UNLOCK)
                .map_err(|e| format!("cannot release the migration lock: {e}"))?;
            diesel::RunQueryDsl::execute(
                diesel::sql_query("SELECT set_config('lock_timeout', $1, false)")
                    .bind::<diesel::sql_types::Text, _>(usual.v),
                c,
            )
            .map_err(|e| format!("cannot restore the lock timeout: {e}"))?;
            applied
        }
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// Makes concurrent write transactions that number something within one record (the next
/// version of a disclosure, the next project code of a year) take turns until they commit.
/// SQLite's IMMEDIATE transactions already do; on PostgreSQL a transaction-scoped advisory
/// lock on (`what`, `id`) does, so the second reads the first's number instead of racing
/// it to a unique violation.
pub fn take_turn(conn: &mut AnyConnection, what: i32, id: i64) -> diesel::QueryResult<()> {
    if let AnyConnection::Postgresql(c) = conn {
        diesel::RunQueryDsl::execute(
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<diesel::sql_types::Integer, _>(what)
                .bind::<diesel::sql_types::Integer, _>(id as i32 ^ (id >> 32) as i32),
            c,
        )?;
    }
    Ok(())
}

/// The kinds of record `take_turn` serialises on.
pub mod turns {
    pub const DISCLOSURE_VERSION: i32 = 1;
    pub const PROJECT_CODE: i32 = 2;
    /// Sending one work order up to the township.
    pub const ORDER_ESCALATION: i32 = 3;
    /// A community's roster import.
    pub const ROSTER_IMPORT: i32 = 4;
}

pub fn backend(conn: &AnyConnection) -> Backend {
    match conn {
        AnyConnection::Sqlite(_) => Backend::Sqlite,
        AnyConnection::Postgresql(_) => Backend::Postgres,
    }
}

/// Runs `f` in one write transaction. On SQLite it begins IMMEDIATE, so the write lock is
/// taken up front and concurrent writers wait on the busy timeout instead of failing at
/// commit; on PostgreSQL a serialization failure or deadlock is retried a few times, and so
/// is a unique violation that `f` lets through (a check-then-insert race: the retry sees
/// the row that won).
pub fn write_tx<T, F>(conn: &mut AnyConnection, mut f: F) -> Result<T, AppError>
where
    F: FnMut(&mut AnyConnection) -> Result<T, AppError>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match conn {
            AnyConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
        }
        match f(conn) {
            Ok(value) => match commit(conn) {
                Ok(()) => return Ok(value),
                Err(e) if attempt < ATTEMPTS && is_retryable(&e) => continue,
                Err(e) if is_retryable(&e) => return Err(retries_exhausted(&e)),
                Err(e) => return Err(e.into()),
            },
            Err(err) => {
                rollback(conn)?;
                match &err {
                    AppError::Db(e) if attempt < ATTEMPTS && is_retryable(e) => continue,
                    // Two transactions checked, both found nothing, both inserted: the
                    // loser runs again and now sees the winner's row, so it answers as if
                    // it had come second ("already answered"), not with a 500.
                    AppError::Db(e) if attempt < ATTEMPTS && is_unique_violation(e) => continue,
                    AppError::Db(e) if is_retryable(e) => return Err(retries_exhausted(e)),
                    _ => return Err(err),
                }
            }
        }
    }
}

/// Tries of a transaction that keeps meeting serialization failures or deadlocks.
const ATTEMPTS: u32 = 4;

fn retries_exhausted(e: &DieselError) -> AppError {
    AppError::Busy(format!("{ATTEMPTS} attempts of a transaction failed: {e}"))
}

/// Why `e` means "the server is too busy" rather than a bug: another transaction held a lock
/// for longer than this one may wait (SQLite's busy timeout, PostgreSQL's `lock_timeout`).
/// Whether a database error says the disk is full (SQLite's SQLITE_FULL; PostgreSQL's
/// disk_full or a failed file extension): the statement was refused and rolled back.
pub fn disk_full_reason(e: &DieselError) -> Option<&'static str> {
    let DieselError::DatabaseError(_, info) = e else {
        return None;
    };
    let message = info.message();
    if message.contains("database or disk is full") {
        Some("SQLite: database or disk is full")
    } else if message.contains("No space left on device")
        || message.contains("could not extend file")
    {
        Some("PostgreSQL: no space left on device")
    } else {
        None
    }
}

pub fn busy_reason(e: &DieselError) -> Option<&'static str> {
    let DieselError::DatabaseError(_, info) = e else {
        return None;
    };
    let message = info.message();
    if message.contains("database is locked") || message.contains("database table is locked") {
        Some("the SQLite write lock stayed taken past the busy timeout")
    } else if message.contains("lock timeout") {
        Some("a lock stayed taken past lock_timeout")
    } else {
        None
    }
}

fn commit(conn: &mut AnyConnection) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        AnyConnection::Postgresql(c) => AnsiTransactionManager::commit_transaction(c),
    }
}

fn rollback(conn: &mut AnyConnection) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        AnyConnection::Postgresql(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}

fn is_retryable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// Raw SQL with `?` placeholders, numbered (`$1`, `$2`, …) for PostgreSQL. The one place a
/// hand-written query differs between the backends.
pub fn placeholders(conn: &AnyConnection, sql: &str) -> String {
    match conn {
        AnyConnection::Sqlite(_) => sql.to_string(),
        AnyConnection::Postgresql(_) => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// True when `e` is a unique-constraint violation: the database refused a duplicate.
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_schemes_pick_the_backend() {
        let pg = DbTarget::parse("postgres://u@h/db").unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        let pg2 = DbTarget::parse("postgresql://u@h/db").unwrap();
        assert_eq!(pg2.backend, Backend::Postgres);
        let lite = DbTarget::parse("sqlite:///var/lib/yishi/y.db").unwrap();
        assert_eq!(lite.backend, Backend::Sqlite);
        assert_eq!(lite.target, "/var/lib/yishi/y.db");
        let path = DbTarget::parse("yishi.db").unwrap();
        assert_eq!(
            (path.backend, path.target.as_str()),
            (Backend::Sqlite, "yishi.db")
        );
    }

    #[test]
    fn unknown_scheme_is_an_error_not_a_fallback() {
        let err = DbTarget::parse("mysql://root@localhost/y").unwrap_err();
        assert!(err.contains("mysql://"), "{err}");
        assert!(DbTarget::parse("  ").is_err());
        assert!(DbTarget::parse("sqlite://").is_err());
    }
}
