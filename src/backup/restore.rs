//! `yishi restore PATH --to TARGET`: into an empty database and data dir only, after the
//! backup verifies; prints the platform admins' sign-ins to check.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{files, manifest, postgres, verify};
use crate::db::{Backend, DbTarget};

/// Where a backup is restored to.
#[derive(Clone, Debug)]
pub struct Target {
    pub database_url: String,
    pub data_dir: PathBuf,
}

impl Target {
    /// `--to FOLDER`: `FOLDER/yishi.db` and `FOLDER/yishi-data/`, the layout `yishi serve
    /// --database-url FOLDER/yishi.db` expects without a `--data-dir`.
    pub fn under(folder: &Path) -> Target {
        Target {
            database_url: folder.join("yishi.db").display().to_string(),
            data_dir: folder.join("yishi-data"),
        }
    }
}

/// What was restored: the platform admins' sign-ins (phone or e-mail) to check.
#[derive(Debug)]
pub struct Restored {
    pub admins: Vec<String>,
    pub log_size: Option<u64>,
}

/// Refuses a target that holds anything: a non-empty SQLite file or data dir, or a
/// PostgreSQL database with tables.
fn check_empty(target: &Target, db: &DbTarget) -> Result<(), String> {
    if !files::is_empty(&target.data_dir) {
        return Err(format!(
            "{} is not empty: restore only into an empty data dir",
            target.data_dir.display()
        ));
    }
    match db.backend {
        Backend::Sqlite if !files::is_empty(Path::new(&db.target)) => Err(format!(
            "{} exists: restore only into a new database file",
            db.target
        )),
        Backend::Sqlite => Ok(()),
        Backend::Postgres => {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let mut conn = diesel::PgConnection::establish(&db.target)
                .map_err(|e| format!("cannot connect to the target database: {e}"))?;
            let n: N = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .get_result(&mut conn)
            .map_err(|e| e.to_string())?;
            if n.n > 0 {
                Err("the target database has tables: restore only into an empty database".into())
            } else {
                Ok(())
            }
        }
    }
}

/// Copies the SQLite file under a temporary name, fsyncs it and renames it into place.
fn place_sqlite(from: &Path, to: &Path) -> Result<(), String> {
    let dir = to.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let tmp = PathBuf::from(format!("{}.restoring", to.display()));
    std::fs::copy(from, &tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    files::sync_file(&tmp)?;
    std::fs::rename(&tmp, to).map_err(|e| format!("{}: {e}", to.display()))?;
    files::sync_dir(dir.unwrap_or(Path::new(".")))
}

/// Restores the backup at `path` into `target`.
pub fn restore(
    path: &Path,
    target: &Target,
    checks: &verify::Checks,
    now: NaiveDateTime,
) -> Result<Restored, String> {
    let db = DbTarget::parse(&target.database_url)?;
    check_empty(target, &db)?;
    let manifest = verify::manifest_only(path)?;
    let wanted = if db.backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    if manifest.backend != wanted {
        return Err(format!(
            "the backup is of a {} database; restore it into one of the same kind",
            manifest.backend
        ));
    }
    let checked = if db.backend == Backend::Sqlite {
        Some(verify::verify(path, checks, now)?)
    } else {
        None
    };
    let db_file = manifest::on_disk(path, &manifest.database);
    match db.backend {
        Backend::Sqlite => place_sqlite(&db_file, Path::new(&db.target))?,
        Backend::Postgres => postgres::restore(&db_file, &db.target)?,
    }
    files::copy_tree(&path.join(super::DATA_DIR), &target.data_dir, &[])?;
    let pool = crate::db::connect(&target.database_url, 1)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let log_size = match checked.and_then(|c| c.log) {
        Some(l) => Some(l.size),
        None => {
            let key = target.data_dir.join(super::LOG_KEY);
            Some(super::logcheck::check(&mut conn, &key, None, now)?.size)
        }
    };
    Ok(Restored {
        admins: admins(&mut conn)?,
        log_size,
    })
}

fn admins(conn: &mut crate::db::AnyConnection) -> Result<Vec<String>, String> {
    use crate::schema::users;
    let rows: Vec<(Option<String>, Option<String>)> = users::table
        .filter(users::is_admin.eq(true))
        .order(users::id)
        .select((users::phone, users::email))
        .load(conn)
        .map_err(|e| e.to_string())?;
    Ok(rows.into_iter().filter_map(|(p, e)| p.or(e)).collect())
}
