//! Upgrades (issue #16): a database made by an older yishi still opens, migrates (after a
//! backup) and verifies with today's binary; an upgrade without a backup is refused unless
//! asked for; a brand-new database needs no backup. The fixtures are made by
//! `scripts/make-fixture.sh` and named by the commit that made them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use yishi::clock::{Clock, FixedClock, SystemClock};
use yishi::config::Config;
use yishi::startup::Application;

use crate::common::{Client, DEMO_PASSWORD};

/// Every fixture folder: `tests/fixtures/sqlite-COMMIT/` with `yishi.db` and `yishi-data/`.
fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("sqlite-"))
        })
        .collect();
    all.sort();
    assert!(!all.is_empty(), "no fixture in {}", root.display());
    all
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// A working copy of the fixture (never the committed files): the database's path.
fn copy_of(fixture: &Path, work: &Path) -> PathBuf {
    let site = work.join("site");
    copy_tree(fixture, &site);
    site.join("yishi.db")
}

fn yishi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(args)
        .env_remove("YISHI_DATABASE_URL")
        .env_remove("YISHI_DATA_DIR")
        .env_remove("YISHI_BACKUP_DIR")
        .env_remove("YISHI_NO_BACKUP")
        .env("YISHI_LOG", "warn")
        .output()
        .expect("yishi runs")
}

fn pending(db: &Path) -> usize {
    let mut conn = yishi::db::connect(&db.display().to_string(), 1)
        .expect("opens")
        .get()
        .expect("connection");
    yishi::backup::upgrade::pending_on_existing(&mut conn).expect("pending")
}

/// Each fixture opens with today's server: a backup is taken before its migrations run,
/// every table loads, the log verifies record by record against the served site, and the
/// pages and the platform admin's sign-in still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_old_database_opens_migrates_and_verifies() {
    for fixture in fixtures() {
        let name = fixture.display().to_string();
        let work = tempfile::tempdir().expect("temp dir");
        let db = copy_of(&fixture, work.path());
        assert!(pending(&db) > 0, "{name}: made before today's migrations");
        let backups = work.path().join("backups");
        let mut config = Config::with_database(&db.display().to_string());
        config.backup.backup_dir = Some(backups.clone());
        let now = SystemClock.now();
        let app = Application::build_with_clock(config.clone(), Arc::new(FixedClock::new(now)))
            .unwrap_or_else(|e| panic!("{name} opens and migrates: {e}"));
        let base = format!("http://127.0.0.1:{}", app.port());
        let state = app.state.clone();
        tokio::spawn(app.run_until_stopped());

        let taken = yishi::backup::list(&backups);
        assert_eq!(taken.len(), 1, "{name}: one backup before migrating");
        yishi::backup::verify::manifest_only(&taken[0]).expect("the backup is whole");
        assert_eq!(pending(&db), 0, "{name}: migrated");

        let key = config.log_key_file();
        let live = base.clone();
        let (tables, log) = state
            .db(move |conn| {
                let tables = yishi::db::check::load_every_table(conn)?;
                Ok((
                    tables,
                    yishi::backup::logcheck::check(conn, &key, Some(&live), now),
                ))
            })
            .await
            .expect("every table loads");
        let log = log.unwrap_or_else(|e| panic!("{name}: the log verifies: {e}"));
        assert!(log.size > 0 && log.records > 0, "{name}: {log:?}");
        assert!(tables.iter().any(|(t, n)| *t == "decisions" && *n > 0));

        let client = Client::new(&base);
        for path in [
            "/",
            "/c/liutang",
            "/c/liutang/decisions.json",
            "/c/liutang/orders",
            "/log/checkpoint",
        ] {
            let r = client.get(path).await;
            assert_eq!(r.status, 200, "{name}: GET {path}");
        }
        let r = client.sign_in("13900000000", DEMO_PASSWORD).await;
        assert_eq!(r.status, 303, "{name}: the platform admin signs in");
    }
}

/// `yishi migrate` on an old database with no backup folder is refused, saying what to
/// do, and changes nothing; with a backup folder it backs up, then migrates; with
/// `--no-backup` it migrates without one.
#[test]
fn an_upgrade_without_a_backup_is_refused_unless_asked_for() {
    let fixture = fixtures().pop().expect("a fixture");
    let work = tempfile::tempdir().expect("temp dir");
    let db = copy_of(&fixture, work.path());
    let db_s = db.display().to_string();
    let before = pending(&db);

    let out = yishi(&["migrate", "--database-url", &db_s]);
    assert!(!out.status.success(), "refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("YISHI_BACKUP_DIR") && err.contains("--no-backup"),
        "{err}"
    );
    assert_eq!(pending(&db), before, "nothing migrated");

    let backups = work.path().join("backups");
    let b_s = backups.display().to_string();
    let out = yishi(&["migrate", "--database-url", &db_s, "--backup-dir", &b_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(yishi::backup::list(&backups).len(), 1, "backed up first");
    assert_eq!(pending(&db), 0);

    let other = tempfile::tempdir().expect("temp dir");
    let db = copy_of(&fixture, other.path());
    let db_s = db.display().to_string();
    let out = yishi(&["migrate", "--database-url", &db_s, "--no-backup"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pending(&db), 0);
}

/// A brand-new database has nothing to lose: it is migrated without a backup folder (the
/// test harness, CI and the README's demo start this way).
#[test]
fn a_new_database_needs_no_backup() {
    let work = tempfile::tempdir().expect("temp dir");
    let db = work.path().join("new.db").display().to_string();
    let out = yishi(&["migrate", "--database-url", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    let again = yishi(&["migrate", "--database-url", &db]);
    assert!(again.status.success(), "nothing pending: no backup needed");
}
