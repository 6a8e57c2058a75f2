//! The backup settings, read with the rest of the configuration (`YISHI_BACKUP_*`).

use std::path::PathBuf;

use clap::builder::BoolishValueParser;

#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// Folder for the daily backups, and for the backup taken before a SQLite database is
    /// migrated. Unset: no timer, and an upgrade is refused unless `--no-backup` is given.
    #[arg(long, env = "YISHI_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// The hour (Beijing time, 0–23) after which the day's backup is taken.
    #[arg(long, env = "YISHI_BACKUP_HOUR", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(0..24))]
    pub backup_hour: u32,

    /// How many of the timer's backups to keep (the newest verified one is always kept).
    #[arg(long, env = "YISHI_BACKUP_KEEP", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,

    /// PostgreSQL: a server URL where the timer restores each dump into a scratch database
    /// to verify it. Unset: a dump's manifest is checked, not its contents.
    #[arg(long, env = "YISHI_BACKUP_SCRATCH_URL")]
    pub backup_scratch_url: Option<String>,

    /// Apply pending migrations to a SQLite database without taking a backup first.
    #[arg(long, env = "YISHI_NO_BACKUP", default_value = "false", value_parser = BoolishValueParser::new())]
    pub no_backup: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            backup_dir: None,
            backup_hour: 3,
            backup_keep: 14,
            backup_scratch_url: None,
            no_backup: false,
        }
    }
}
