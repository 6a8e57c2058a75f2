//! Backups, verification and restore (issue #16). `yishi backup DIR` writes one new folder
//! `DIR/yishi-YYYYMMDD-HHMMSS/`: the database copy (`database.sqlite` by `VACUUM INTO`, or
//! `database.pgdump` by `pg_dump`), the data dir under `data/` (keys, photos, attachments,
//! outbox) and `manifest.json`, written last. The folder is built as
//! `DIR/.yishi-…partial/` and renamed only when everything in it is fsynced, so a folder
//! without a manifest (or a partial one) is never a backup; the next run removes it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::db::{Backend, DbTarget};

pub mod cli;
pub mod files;
pub mod logcheck;
pub mod manifest;
pub mod postgres;
pub mod restore;
pub mod rules;
pub mod settings;
pub mod sqlite;
pub mod timer;
pub mod upgrade;
pub mod verify;

/// The database copy's name in a backup folder, by backend.
pub const SQLITE_FILE: &str = "database.sqlite";
pub const PG_FILE: &str = "database.pgdump";
/// The data dir's copy in a backup folder.
pub const DATA_DIR: &str = "data";
/// The log's signing key inside the data copy (wherever it lived on the server).
pub const LOG_KEY: &str = "log-signing.key";

/// What one backup wrote.
#[derive(Debug)]
pub struct Taken {
    pub path: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// The finished backups in `dir`, oldest first (a folder counts only with its manifest).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("yishi-"))
                        && p.join(manifest::NAME).is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Removes the partial folders a killed or failed run left behind; returns how many.
pub fn clean_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".yishi-")
            && name.ends_with(".partial")
            && std::fs::remove_dir_all(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

/// A folder name not yet taken in `dir` for a backup at `now`.
fn fresh_name(dir: &Path, now: NaiveDateTime) -> String {
    let base = now.format("yishi-%Y%m%d-%H%M%S").to_string();
    let mut name = base.clone();
    let mut n = 1;
    while dir.join(&name).exists() || dir.join(format!(".{name}.partial")).exists() {
        n += 1;
        name = format!("{base}-{n}");
    }
    name
}

/// Tests only: a pause before the manifest is written, so that a test can kill the backup
/// part way. Unset in every real run.
fn test_pause() {
    if let Some(ms) = std::env::var("YISHI_TEST_BACKUP_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Files of the data dir never copied: the live SQLite files (the snapshot stands for them)
/// and the backup folder itself, when it lies inside.
fn skipped(target: &DbTarget, dir: &Path) -> Vec<PathBuf> {
    let mut skip = vec![files::absolute(dir)];
    if target.backend == Backend::Sqlite {
        let db = files::absolute(Path::new(&target.target));
        for suffix in ["", "-wal", "-shm", "-journal"] {
            skip.push(PathBuf::from(format!("{}{suffix}", db.display())));
        }
    }
    skip
}

/// Takes one backup of the site `config` names into a new folder in `dir`.
pub fn take(config: &Config, dir: &Path, now: NaiveDateTime) -> Result<Taken, String> {
    let started = Instant::now();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let cleaned = clean_partials(dir);
    if cleaned > 0 {
        tracing::warn!(
            "removed {cleaned} unfinished backup folder(s) in {}",
            dir.display()
        );
    }
    let name = fresh_name(dir, now);
    let partial = dir.join(format!(".{name}.partial"));
    std::fs::create_dir(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    let target = DbTarget::parse(&config.database_url)?;
    let database = match target.backend {
        Backend::Sqlite => {
            sqlite::snapshot(&target.target, &partial.join(SQLITE_FILE))?;
            SQLITE_FILE
        }
        Backend::Postgres => {
            postgres::dump(&target.target, &partial.join(PG_FILE))?;
            PG_FILE
        }
    };
    let data = partial.join(DATA_DIR);
    files::copy_tree(&config.data_dir(), &data, &skipped(&target, dir))?;
    let key = config.log_key_file();
    if key.is_file() && !data.join(LOG_KEY).exists() {
        std::fs::copy(&key, data.join(LOG_KEY)).map_err(|e| format!("{}: {e}", key.display()))?;
        files::sync_file(&data.join(LOG_KEY))?;
        files::sync_dir(&data)?;
    }
    test_pause();
    let entries = manifest::list(&partial)?;
    let (count, bytes) = (entries.len(), entries.iter().map(|f| f.size).sum());
    manifest::write(
        &partial,
        &manifest::Manifest {
            format: 1,
            yishi_version: env!("CARGO_PKG_VERSION").to_string(),
            taken_at: now.format("%Y-%m-%d %H:%M:%S").to_string(),
            backend: match target.backend {
                Backend::Sqlite => "sqlite".into(),
                Backend::Postgres => "postgres".into(),
            },
            database: database.to_string(),
            files: entries,
        },
    )?;
    files::sync_dir(&partial)?;
    let path = dir.join(&name);
    std::fs::rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    files::sync_dir(dir)?;
    Ok(Taken {
        path,
        files: count + 1,
        bytes,
        elapsed: started.elapsed(),
    })
}

/// Removes all but the newest `keep` finished backups in `dir`; returns the ones removed.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>, String> {
    let all = list(dir);
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for p in all.into_iter().take(excess) {
        std::fs::remove_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        removed.push(p);
    }
    Ok(removed)
}
