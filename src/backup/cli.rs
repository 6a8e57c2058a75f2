//! What `yishi backup`, `yishi backup verify` and `yishi restore` print.

use std::path::Path;

use super::{restore, verify};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;

fn now() -> chrono::NaiveDateTime {
    SystemClock.now()
}

/// `yishi backup DIR`.
pub fn backup(config: &Config, dir: &Path) -> Result<(), String> {
    let taken = super::take(config, dir, now())?;
    println!(
        "backup written: {} ({} files, {} bytes) in {:.1} s",
        taken.path.display(),
        taken.files,
        taken.bytes,
        taken.elapsed.as_secs_f64()
    );
    println!("copy this folder off the machine; check it with `yishi backup verify`");
    Ok(())
}

fn print_verified(v: &verify::Verified) {
    println!(
        "manifest: {} files match (taken {} UTC by yishi {})",
        v.manifest.files.len(),
        v.manifest.taken_at,
        v.manifest.yishi_version
    );
    println!("{}", v.database);
    match &v.log {
        Some(l) => {
            println!(
                "log: {} entries, signature good, root matches, all {} records match their entries",
                l.size, l.records
            );
            if let Some(live) = l.live_size {
                println!("live site: its checkpoint of {live} entries extends the copy's");
            }
        }
        None => println!("log: not checked (the database copy was not opened)"),
    }
}

/// `yishi backup verify PATH`.
pub fn verify(args: &VerifyArgs) -> Result<(), String> {
    let checks = verify::Checks {
        scratch_url: args.scratch_url.clone(),
        live_url: args.url.clone(),
    };
    let v = verify::verify(&args.path, &checks, now())?;
    print_verified(&v);
    println!("backup {} is good", args.path.display());
    Ok(())
}

/// `yishi restore PATH`.
pub fn restore(args: &RestoreArgs) -> Result<(), String> {
    let target = match (&args.to, &args.to_database, &args.to_data_dir) {
        (Some(folder), _, _) => restore::Target::under(folder),
        (None, Some(db), Some(data)) => restore::Target {
            database_url: db.clone(),
            data_dir: data.clone(),
        },
        _ => return Err("give --to FOLDER, or --to-database URL and --to-data-dir DIR".into()),
    };
    let checks = verify::Checks {
        scratch_url: args.scratch_url.clone(),
        live_url: None,
    };
    let path = args.path.as_path();
    let r = restore::restore(path, &target, &checks, now())?;
    println!(
        "restored {} into {} with data dir {}",
        path.display(),
        target.database_url,
        target.data_dir.display()
    );
    if let Some(n) = r.log_size {
        println!("log: {n} entries verified");
    }
    if r.admins.is_empty() {
        println!("no platform admin in this database: create one with `yishi admin create`");
    }
    for a in &r.admins {
        println!("platform admin to check: sign in as {a}");
    }
    Ok(())
}

/// `yishi backup verify PATH`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The backup folder (`…/yishi-YYYYMMDD-HHMMSS`).
    pub path: std::path::PathBuf,
    /// A PostgreSQL server URL where a dump may be restored into a scratch database (made
    /// and dropped by the check).
    #[arg(long)]
    pub scratch_url: Option<String>,
    /// The live site (e.g. `https://yishi.example.cn`): its last published checkpoint must
    /// extend the copy's, under the same key.
    #[arg(long)]
    pub url: Option<String>,
}

/// `yishi restore PATH`.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup folder (`…/yishi-YYYYMMDD-HHMMSS`).
    pub path: std::path::PathBuf,
    /// A new folder to hold `yishi.db` and `yishi-data/` (SQLite): then
    /// `yishi serve --database-url FOLDER/yishi.db` serves the restored site.
    #[arg(long, conflicts_with_all = ["to_database", "to_data_dir"], required_unless_present = "to_database")]
    pub to: Option<std::path::PathBuf>,
    /// The database to restore into instead: a new SQLite file, or an empty PostgreSQL
    /// database.
    #[arg(long, requires = "to_data_dir")]
    pub to_database: Option<String>,
    /// The (new or empty) data dir to restore into, with `--to-database`.
    #[arg(long, requires = "to_database")]
    pub to_data_dir: Option<std::path::PathBuf>,
    /// A PostgreSQL server URL for the verification of a dump (see `backup verify`).
    #[arg(long)]
    pub scratch_url: Option<String>,
}
