//! `yishi backup verify PATH`: the manifest, the database copy (SQLite's integrity check, or
//! a dump restored into a scratch database), then the transparency log of the copy.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::{logcheck, manifest, postgres, sqlite};

/// What else to check besides the folder itself.
#[derive(Clone, Debug, Default)]
pub struct Checks {
    /// A PostgreSQL server (any database URL on it) where a dump may be restored into a
    /// scratch database, created and dropped here.
    pub scratch_url: Option<String>,
    /// The live site, whose last published checkpoint must extend the copy's.
    pub live_url: Option<String>,
}

/// What was checked.
#[derive(Debug)]
pub struct Verified {
    pub manifest: manifest::Manifest,
    /// How the database copy was checked, in words.
    pub database: String,
    /// The log check, when the database could be opened.
    pub log: Option<logcheck::LogChecked>,
}

/// A scratch SQLite copy in the temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks the backup at `path`; any problem is an error naming it.
pub fn verify(path: &Path, checks: &Checks, now: NaiveDateTime) -> Result<Verified, String> {
    let manifest = manifest_only(path)?;
    let db_file = manifest::on_disk(path, &manifest.database);
    let key = path.join(super::DATA_DIR).join(super::LOG_KEY);
    let live = checks.live_url.as_deref();
    let (database, log) = match manifest.backend.as_str() {
        "sqlite" => {
            sqlite::integrity(&db_file)?;
            let scratch = Scratch(scratch_dir()?);
            let copy = scratch.0.join("copy.db");
            std::fs::copy(&db_file, &copy).map_err(|e| format!("{}: {e}", copy.display()))?;
            let log = log_of(&copy.display().to_string(), &key, live, now)?;
            ("SQLite integrity check: ok".to_string(), Some(log))
        }
        "postgres" => match &checks.scratch_url {
            None => (
                "PostgreSQL dump: manifest checked only (give --scratch-url to restore it into a scratch database)".to_string(),
                None,
            ),
            Some(server) => {
                let scratch = ScratchPg::create(server)?;
                postgres::restore(&db_file, &scratch.url)?;
                let log = log_of(&scratch.url, &key, live, now)?;
                ("PostgreSQL dump: restored into a scratch database".to_string(), Some(log))
            }
        },
        other => return Err(format!("unknown backend in the manifest: {other}")),
    };
    Ok(Verified {
        manifest,
        database,
        log,
    })
}

fn scratch_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "yishi-verify-{}-{}",
        std::process::id(),
        crate::accounts::model::random_token()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn log_of(
    url: &str,
    key: &Path,
    live: Option<&str>,
    now: NaiveDateTime,
) -> Result<logcheck::LogChecked, String> {
    let pool = crate::db::connect(url, 1)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    logcheck::check(&mut conn, key, live, now)
}

/// A scratch PostgreSQL database on the server `server` names, dropped when dropped.
struct ScratchPg {
    admin: String,
    name: String,
    url: String,
}

impl ScratchPg {
    fn create(server: &str) -> Result<ScratchPg, String> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let name = format!(
            "yishi_verify_{}",
            crate::accounts::model::random_token()
                .chars()
                .take(16)
                .collect::<String>()
        );
        let mut conn = diesel::PgConnection::establish(server)
            .map_err(|e| format!("cannot connect to the scratch server: {e}"))?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("cannot create a scratch database: {e}"))?;
        let mut url = url::Url::parse(server).map_err(|e| format!("--scratch-url: {e}"))?;
        url.set_path(&name);
        Ok(ScratchPg {
            admin: server.to_string(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for ScratchPg {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The manifest of the backup at `path`, once the folder is shown to match it exactly.
pub fn manifest_only(path: &Path) -> Result<manifest::Manifest, String> {
    let manifest = manifest::read(path)?;
    let problems = manifest::problems(path, &manifest)?;
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(format!(
            "{} does not match its manifest: {}",
            path.display(),
            problems.join("; ")
        ))
    }
}
