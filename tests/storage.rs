//! Storage: the two migration trees match, every table loads on both backends, SQLite runs
//! durable, and the action log is append-only.

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::RunQueryDsl;

use crate::both;
use crate::common::{spawn_app, Backend};

fn versions(tree: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(tree);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("up.sql").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_migration_trees_hold_the_same_versions() {
    let sqlite = versions("sqlite");
    let postgres = versions("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

async fn every_table_loads_through_diesel(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let counts = app
        .state
        .db(|conn| Ok(yishi::db::check::load_every_table(conn)?))
        .await
        .expect("every table loads");
    let names: Vec<_> = counts.iter().map(|(n, _)| *n).collect();
    assert!(names.len() >= 26, "{names:?}");
    let rows = |name: &str| {
        counts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
            .unwrap_or(0)
    };
    assert!(rows("users") > 100, "{counts:?}");
    assert!(rows("households") >= 60, "{counts:?}");
    assert!(rows("action_log") > 100, "{counts:?}");
}
both!(every_table_loads_through_diesel);

#[derive(diesel::QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    v: String,
}

#[derive(diesel::QueryableByName)]
struct Num {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_with_full_sync_and_foreign_keys() {
    let app = spawn_app(Backend::Sqlite).await;
    let (mode, sync, fk) = app
        .state
        .db(|conn| {
            let mode: One = diesel::sql_query("SELECT journal_mode AS v FROM pragma_journal_mode")
                .get_result(conn)?;
            let sync: Num = diesel::sql_query("SELECT synchronous AS n FROM pragma_synchronous")
                .get_result(conn)?;
            let fk: Num = diesel::sql_query("SELECT foreign_keys AS n FROM pragma_foreign_keys")
                .get_result(conn)?;
            Ok((mode.v, sync.n, fk.n))
        })
        .await
        .expect("pragmas");
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL is 2");
    assert_eq!(fk, 1);
}

async fn action_log_refuses_update_and_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let update = app
        .state
        .db(|conn| Ok(conn.batch_execute("UPDATE action_log SET reason = 'rewritten'")))
        .await
        .expect("ran");
    assert!(update.is_err(), "UPDATE on the action log must fail");
    let delete = app
        .state
        .db(|conn| Ok(conn.batch_execute("DELETE FROM action_log")))
        .await
        .expect("ran");
    let message = format!(
        "{:?}",
        delete.expect_err("DELETE on the action log must fail")
    );
    assert!(message.contains("append-only"), "{message}");
}
both!(action_log_refuses_update_and_delete);

async fn health_answers_once_the_database_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.client().get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ok"));
}
both!(health_answers_once_the_database_does);
