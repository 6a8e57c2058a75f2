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

/// Restores the backup at `path` with `yishi restore` into a new place: (the place, its
/// database URL, its data dir).
fn restore_into(backend: Backend, path: &str) -> (TestDb, String, PathBuf) {
    let target = TestDb::new(backend);
    match backend {
        Backend::Sqlite => {
            let folder = target.dir.path().join("site");
            let f = folder.display().to_string();
            ok(&yishi(&["restore", path, "--to", &f]), "yishi restore");
            let url = folder.join("yishi.db").display().to_string();
            (target, url, folder.join("yishi-data"))
        }
        Backend::Postgres => {
            let d = target.dir.path().join("data");
            let d_s = d.display().to_string();
            let args = [
                "restore",
                path,
                "--to-database",
                &target.url,
                "--to-data-dir",
                &d_s,
            ];
            let text = ok(&yishi(&args), "yishi restore");
            assert!(text.contains("platform admin to check"), "{text}");
            let url = target.url.clone();
            (target, url, d)
        }
    }
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
    if backend == Backend::Postgres {
        assert!(text.contains("restored into a scratch database"), "{text}");
        assert!(text.contains("records match their entries"), "{text}");
    }
    assert!(text.contains("is good"), "{text}");

    let (_target, db_url, data_dir) = restore_into(backend, &path_s);
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

/// Runs the backup timer once at the app's clock, as the servers' job thread does.
async fn tick(app: &crate::common::TestApp) -> yishi::backup::timer::Tick {
    let config = app.state.config.clone();
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| yishi::backup::timer::tick(conn, &config, "test", now))
        .await
        .expect("the timer runs")
}

async fn timer_app(backend: Backend, dir: PathBuf, keep: u32) -> crate::common::TestApp {
    crate::common::spawn_app_with(backend, move |c| {
        c.backup.backup_dir = Some(dir);
        // The tests start at 09:00 in Beijing: the day's backup is due from 10:00.
        c.backup.backup_hour = 10;
        c.backup.backup_keep = keep;
        c.backup.backup_scratch_url = Some(postgres_admin_url());
    })
    .await
}

/// The timer takes one verified backup a day from the quiet hour (Beijing time), records
/// it, keeps the last N of its own and nothing else, and the supervisors' page shows it.
async fn the_timer_backs_up_once_a_day_and_keeps_the_last_n(backend: Backend) {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("backups");
    std::fs::create_dir_all(dir.join("mine")).expect("mkdir");
    std::fs::create_dir_all(dir.join("yishi-handmade")).expect("mkdir");
    let app = timer_app(backend, dir.clone(), 2).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let page = supervisor.get("/c/liutang/supervision").await;
    assert!(page.body.contains("还没有核验通过的备份"), "{}", page.body);

    assert!(tick(&app).await.run.is_none(), "09:59 in Beijing: not yet");
    app.clock.advance(chrono::Duration::hours(1));
    let first = tick(&app)
        .await
        .run
        .expect("10:00 in Beijing: the day's backup");
    assert!(first.ok && first.verified, "{first:?}");
    assert!(first.message.contains("verified"), "{}", first.message);
    assert!(tick(&app).await.run.is_none(), "once a day");
    let page = supervisor.get("/c/liutang/supervision").await;
    assert!(
        page.body
            .contains("最近一次核验通过的备份：2026-11-26 10:00"),
        "{}",
        page.body
    );

    for _ in 0..2 {
        app.clock.advance(chrono::Duration::days(1));
        let t = tick(&app).await;
        assert!(t.run.is_some_and(|r| r.verified));
    }
    let left = yishi::backup::list(&dir);
    assert_eq!(left.len(), 2, "the last two are kept: {left:?}");
    assert!(
        !left.contains(&PathBuf::from(&first.path)),
        "the oldest went"
    );
    assert!(dir.join("mine").is_dir() && dir.join("yishi-handmade").is_dir());
    ok(
        &yishi(&["backup", "verify", &left[1].display().to_string()]),
        "the newest verifies from the command line too",
    );
}
both!(the_timer_backs_up_once_a_day_and_keeps_the_last_n);

/// A backup that cannot be written is recorded as failed and the platform admin is told at
/// once; two days without a good one, they are told that too (once a day).
async fn a_failed_backup_and_a_stale_one_are_told_to_the_admin(backend: Backend) {
    let work = tempfile::tempdir().expect("temp dir");
    // A file where the backup folder should be: every run fails.
    let dir = work.path().join("not-a-folder");
    std::fs::write(&dir, "x").expect("write");
    let app = timer_app(backend, dir, 14).await;
    let demo = app.load_demo().await;
    let admin = app.signed_in(&demo.contact("admin")).await;

    app.clock.advance(chrono::Duration::hours(1));
    let t = tick(&app).await;
    let run = t.run.expect("the day's run");
    assert!(!run.ok && !run.verified, "{run:?}");
    assert_eq!(t.told, 1, "the one platform admin is told");
    let inbox = admin.get("/inbox").await;
    assert!(
        inbox.body.contains("2026-11-26 10:00 的自动备份没有成功"),
        "{}",
        inbox.body
    );
    assert!(!inbox.body.contains("超过两天"), "{}", inbox.body);

    app.clock
        .advance(chrono::Duration::days(2) + chrono::Duration::hours(1));
    let t = tick(&app).await;
    assert_eq!(t.told, 2, "failed again, and no good backup for two days");
    assert_eq!(tick(&app).await.told, 0, "told once, not at every tick");
    let inbox = admin.get("/inbox").await;
    assert!(
        inbox.body.contains("自动备份已超过两天没有做成一次"),
        "{}",
        inbox.body
    );
}
both!(a_failed_backup_and_a_stale_one_are_told_to_the_admin);

/// Votes and comments stream in while `yishi backup` runs: the restored copy holds every
/// write acknowledged before the backup began, and its log verifies.
async fn a_backup_under_load_keeps_every_write_acknowledged_before_it(backend: Backend) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (ballot, voters) = crate::common::ballots::race_setup(&app, 300).await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let item = crate::common::steps::raise(&resident, "备份时的留言", "说明", "economy").await;
    let stop = Arc::new(AtomicBool::new(false));
    let comments = {
        let (stop, item) = (stop.clone(), item.clone());
        tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let body = format!("负载留言{i}");
                let fields = [("body", body.as_str()), ("stance", "support")];
                if resident
                    .post(&format!("{item}/comments"), &fields)
                    .await
                    .status
                    == 303
                {
                    acked.push((body, Instant::now()));
                }
            }
            acked
        })
    };
    let votes = {
        let (stop, ballot) = (stop.clone(), ballot.clone());
        tokio::spawn(async move {
            let mut acked = Vec::new();
            for (n, voter) in voters.into_iter().enumerate() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let (tracker, seal) =
                    crate::common::ballots::sealed_tracker(&voter.get(&ballot).await.body);
                let fields = [
                    ("choice", "0"),
                    ("tracker", &tracker),
                    ("tracker_seal", &seal),
                ];
                let r = voter.post(&format!("{ballot}/vote"), &fields).await;
                if r.status == 200 && r.body.contains("你的票已经记录") {
                    acked.push((format!("1370{n:07}"), Instant::now()));
                }
            }
            acked
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let work = tempfile::tempdir().expect("temp dir");
    let (dir, url) = (work.path().display().to_string(), app.db.url.clone());
    let data = app.db.dir.path().join("data").display().to_string();
    let began = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        yishi(&["backup", &dir, "--database-url", &url, "--data-dir", &data])
    })
    .await
    .expect("backup ran");
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (comments, votes) = (
        comments.await.expect("comments"),
        votes.await.expect("votes"),
    );
    ok(&out, "yishi backup under load");
    let before = |t: &Instant| *t < began;
    let during = |t: &Instant| *t >= began && *t < ended;
    let c_before: Vec<&String> = comments
        .iter()
        .filter(|(_, t)| before(t))
        .map(|(b, _)| b)
        .collect();
    let v_before: Vec<&String> = votes
        .iter()
        .filter(|(_, t)| before(t))
        .map(|(p, _)| p)
        .collect();
    let n_during = comments.iter().filter(|(_, t)| during(t)).count()
        + votes.iter().filter(|(_, t)| during(t)).count();
    eprintln!(
        "backup under load: {:.2} s; acknowledged before it {} comments, {} votes; during it {n_during} writes",
        (ended - began).as_secs_f64(),
        c_before.len(),
        v_before.len()
    );
    assert!(
        !c_before.is_empty() && !v_before.is_empty(),
        "writes before the backup"
    );
    assert!(n_during > 0, "writes went on while the backup ran");

    let path = the_backup(work.path()).display().to_string();
    let admin = postgres_admin_url();
    let mut verify = vec!["backup", "verify", path.as_str()];
    if backend == Backend::Postgres {
        verify.extend(["--scratch-url", &admin]);
    }
    let text = ok(&yishi(&verify), "yishi backup verify");
    assert!(text.contains("records match their entries"), "{text}");
    let (_target, db_url, _) = restore_into(backend, &path);
    let restored = yishi::db::connect(&db_url, 1).expect("restored copy opens");
    let mut conn = restored.get().expect("connection");
    let bodies = texts(&mut conn, "SELECT body AS t FROM comments".into());
    let voted = texts(
        &mut conn,
        format!(
            "SELECT u.phone AS t FROM ballot_voters v JOIN users u ON u.id = v.user_id \
             WHERE v.ballot_id = {}",
            crate::common::ballots::ballot_id(&ballot)
        ),
    );
    for c in c_before {
        assert!(
            bodies.contains(c),
            "the comment {c} was acknowledged before the backup"
        );
    }
    for p in v_before {
        assert!(
            voted.contains(p),
            "the vote of {p} was acknowledged before the backup"
        );
    }
}
both!(a_backup_under_load_keeps_every_write_acknowledged_before_it);

/// The text column `t` of every row `sql` selects.
fn texts(conn: &mut yishi::db::AnyConnection, sql: String) -> std::collections::HashSet<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        t: Option<String>,
    }
    diesel::sql_query(sql)
        .load::<T>(conn)
        .expect("query")
        .into_iter()
        .filter_map(|r| r.t)
        .collect()
}
