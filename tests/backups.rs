//! Backups (issue #16): `yishi backup`, `yishi backup verify` and `yishi restore`, driven
//! through the real binary against a server that keeps serving.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use yishi::clock::FixedClock;
use yishi::config::Config;
use yishi::startup::Application;

use crate::both;
use crate::common::{postgres_admin_url, spawn_app, start_time, Backend, Client, TestDb};

/// The open data compared before and after a restore.
const OPEN_DATA: [&str; 3] = [
    "/c/liutang/decisions.json",
    "/c/liutang/disclosures.json",
    "/c/liutang/ledger.json",
];

fn yishi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(args)
        .env_remove("YISHI_DATABASE_URL")
        .env_remove("YISHI_DATA_DIR")
        .env("YISHI_LOG", "warn")
        .output()
        .expect("yishi runs")
}

fn ok(out: &Output, what: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The only finished backup in `dir`.
fn the_backup(dir: &Path) -> PathBuf {
    let all = yishi::backup::list(dir);
    assert_eq!(all.len(), 1, "one backup in {}: {all:?}", dir.display());
    all[0].clone()
}

/// The size and root lines of a signed checkpoint (the signature line may differ).
fn size_and_root(note: &str) -> String {
    note.lines().take(3).collect::<Vec<_>>().join("\n")
}

async fn snapshot(client: &Client) -> Vec<String> {
    let mut out = vec![size_and_root(&client.get("/log/checkpoint").await.body)];
    for path in OPEN_DATA {
        let r = client.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        out.push(r.body);
    }
    out
}

async fn serve(database_url: &str, data_dir: &Path) -> Client {
    let mut config = Config::with_database(database_url);
    config.data_dir = Some(data_dir.to_path_buf());
    let app = Application::build_with_clock(config, Arc::new(FixedClock::new(start_time())))
        .expect("the restored copy serves");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Client::new(&base)
}

/// Back up a live demo site, verify the backup against it, restore it into an empty place
/// and serve it: the same checkpoint root and the same open data. A second restore into
/// the same place is refused.
async fn backup_verify_restore_serves_the_same_site(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let before = snapshot(&app.client()).await;
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("backups");
    std::fs::create_dir_all(dir.join(".yishi-20200101-000000.partial")).expect("mkdir");
    let data = app.db.dir.path().join("data");
    let data_s = data.display().to_string();
    let dir_s = dir.display().to_string();
    let out = yishi(&[
        "backup",
        &dir_s,
        "--database-url",
        &app.db.url,
        "--data-dir",
        &data_s,
    ]);
    let text = ok(&out, "yishi backup");
    assert!(text.contains("backup written"), "{text}");
    assert!(
        !dir.join(".yishi-20200101-000000.partial").exists(),
        "a partial folder is cleaned up by the next run"
    );
    let path = the_backup(&dir);
    let path_s = path.display().to_string();
    assert!(path.join("data/secret.key").is_file());
    assert!(path.join("data/log-signing.key").is_file());

    let admin = postgres_admin_url();
    let mut verify = vec!["backup", "verify", &path_s, "--url", &app.base];
    if backend == Backend::Postgres {
        verify.extend(["--scratch-url", &admin]);
    }
    let text = ok(&yishi(&verify), "yishi backup verify");
    assert!(text.contains("extends the copy's"), "{text}");
    assert!(text.contains("is good"), "{text}");

    let target = TestDb::new(backend);
    let (db_url, data_dir) = match backend {
        Backend::Sqlite => {
            let folder = target.dir.path().join("site");
            let f = folder.display().to_string();
            ok(&yishi(&["restore", &path_s, "--to", &f]), "yishi restore");
            (
                folder.join("yishi.db").display().to_string(),
                folder.join("yishi-data"),
            )
        }
        Backend::Postgres => {
            let d = target.dir.path().join("data");
            let d_s = d.display().to_string();
            let args = [
                "restore",
                &path_s,
                "--to-database",
                &target.url,
                "--to-data-dir",
                &d_s,
            ];
            let text = ok(&yishi(&args), "yishi restore");
            assert!(text.contains("platform admin to check"), "{text}");
            (target.url.clone(), d)
        }
    };
    let restored = serve(&db_url, &data_dir).await;
    assert_eq!(
        snapshot(&restored).await,
        before,
        "the restored site is the same"
    );

    let d_s = data_dir.display().to_string();
    let again = yishi(&[
        "restore",
        &path_s,
        "--to-database",
        &db_url,
        "--to-data-dir",
        &d_s,
    ]);
    assert!(!again.status.success(), "a second restore is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}
both!(backup_verify_restore_serves_the_same_site);

/// A changed or missing file fails the manifest check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_fails_verification() {
    let app = spawn_app(Backend::Sqlite).await;
    app.load_demo().await;
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().display().to_string();
    let data = app.db.dir.path().join("data").display().to_string();
    ok(
        &yishi(&[
            "backup",
            &dir,
            "--database-url",
            &app.db.url,
            "--data-dir",
            &data,
        ]),
        "yishi backup",
    );
    let path = the_backup(work.path());
    std::fs::write(path.join("data/secret.key"), "tampered").expect("write");
    let out = yishi(&["backup", "verify", &path.display().to_string()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secret.key"), "{err}");
}

/// SIGKILL part way through a backup: the partial folder is never listed as a backup, and
/// the next run removes it and succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backup_leaves_no_backup_and_the_next_succeeds() {
    let app = spawn_app(Backend::Sqlite).await;
    app.load_demo().await;
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().display().to_string();
    let data = app.db.dir.path().join("data").display().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args([
            "backup",
            &dir,
            "--database-url",
            &app.db.url,
            "--data-dir",
            &data,
        ])
        .env("YISHI_TEST_BACKUP_PAUSE_MS", "30000")
        .env("YISHI_LOG", "warn")
        .spawn()
        .expect("yishi backup starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let partial = loop {
        let found = std::fs::read_dir(work.path())
            .expect("read dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.join("data/secret.key").exists());
        if let Some(p) = found {
            break p;
        }
        assert!(
            Instant::now() < deadline,
            "the backup never copied the data dir"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(partial.exists(), "the killed run left its partial folder");
    assert!(yishi::backup::list(work.path()).is_empty(), "and no backup");
    ok(
        &yishi(&[
            "backup",
            &dir,
            "--database-url",
            &app.db.url,
            "--data-dir",
            &data,
        ]),
        "the next backup",
    );
    assert!(!partial.exists(), "the next run removed the partial folder");
    let path = the_backup(work.path());
    ok(
        &yishi(&["backup", "verify", &path.display().to_string()]),
        "yishi backup verify",
    );
}
