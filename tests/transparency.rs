//! The transparency log: publications append leaves; the signed checkpoint opens with the
//! published key; proofs and tiles agree with the entries; `yishi audit verify` passes on an
//! honest site, names a published row edited behind the triggers' back, and refuses a
//! rewritten history.

use base64::prelude::{Engine, BASE64_STANDARD};
use diesel::connection::SimpleConnection;
use yishi::transparency::handlers::RecordOut;
use yishi::transparency::{checkpoint, log, merkle, records, verify};

use crate::both;
use crate::common::page::text_by_id;
use crate::common::steps::verify_site;
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// Runs raw SQL on the app's database with the append-only triggers out of the way, as an
/// insider with database access could.
fn tamper(app: &TestApp, sql: &str) {
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let sql = match app.backend {
        Backend::Sqlite => format!(
            "DROP TRIGGER decisions_no_update; DROP TRIGGER log_entries_no_delete; \
             DROP TRIGGER log_hashes_no_delete; DROP TRIGGER log_checkpoints_no_delete; {sql}"
        ),
        Backend::Postgres => format!(
            "ALTER TABLE decisions DISABLE TRIGGER decisions_append_only; \
             ALTER TABLE log_entries DISABLE TRIGGER log_entries_append_only; \
             ALTER TABLE log_hashes DISABLE TRIGGER log_hashes_append_only; \
             ALTER TABLE log_checkpoints DISABLE TRIGGER log_checkpoints_append_only; {sql}"
        ),
    };
    conn.batch_execute(&sql).expect("tampering works");
}

/// The demo's log as a visitor reads it: the signed checkpoint, the key it opens with, and
/// every record with its leaf hash.
struct Logged {
    app: TestApp,
    demo: Demo,
    client: Client,
    key: String,
    cp: checkpoint::Opened,
    records: Vec<RecordOut>,
    leaves: Vec<merkle::Hash>,
}

async fn logged(backend: Backend) -> Logged {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let client = app.client();
    let key = client.get("/log/key").await.body.trim().to_string();
    let note = client.get("/log/checkpoint").await;
    assert_eq!(note.status, 200);
    assert!(note.header("content-type").starts_with("text/plain"));
    let cp = checkpoint::open(&note.body, &key).expect("the checkpoint verifies");
    let records: Vec<RecordOut> = serde_json::from_str(
        &client
            .get(&format!("/log/records?from=0&count={}", cp.size))
            .await
            .body,
    )
    .expect("records json");
    let leaves = records
        .iter()
        .map(|r| merkle::leaf_hash(r.entry.as_bytes()))
        .collect();
    Logged {
        app,
        demo,
        client,
        key,
        cp,
        records,
        leaves,
    }
}

async fn the_checkpoint_opens_with_the_published_key_and_is_named_after_it(backend: Backend) {
    let l = logged(backend).await;

    assert!(
        l.cp.size > 20,
        "the demo's decisions, orders and appointments are logged: {}",
        l.cp.size
    );
    assert!(l.key.starts_with(&format!("{}+", l.cp.origin)));
}
both!(the_checkpoint_opens_with_the_published_key_and_is_named_after_it);

async fn every_entry_hashed_as_a_leaf_gives_the_signed_root(backend: Backend) {
    let l = logged(backend).await;

    let kinds: Vec<String> = l
        .records
        .iter()
        .filter_map(|r| log::parse_entry(&r.entry).map(|e| e.kind))
        .collect();

    assert_eq!(l.records.len() as u64, l.cp.size);
    assert_eq!(merkle::root(&l.leaves), l.cp.root);
    for k in [
        "decision",
        "electorate",
        "board",
        "order_created",
        "order_completed",
        "role_grant",
    ] {
        assert!(kinds.iter().any(|x| x == k), "a {k} leaf in the demo");
    }
}
both!(every_entry_hashed_as_a_leaf_gives_the_signed_root);

async fn an_inclusion_proof_from_the_site_checks_against_the_signed_root(backend: Backend) {
    let l = logged(backend).await;
    let (i, size) = (l.cp.size / 2, l.cp.size);

    let proof: serde_json::Value = serde_json::from_str(
        &l.client
            .get(&format!("/log/proof/inclusion?index={i}&size={size}"))
            .await
            .body,
    )
    .expect("proof json");

    let path: Vec<merkle::Hash> = proof["proof"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|h| {
            BASE64_STANDARD
                .decode(h.as_str().expect("text"))
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect();
    assert!(merkle::verify_inclusion(
        &l.leaves[i as usize],
        i,
        size,
        &path,
        &l.cp.root
    ));
}
both!(an_inclusion_proof_from_the_site_checks_against_the_signed_root);

async fn the_first_tile_holds_the_leaf_hashes_and_its_bundle_the_entries(backend: Backend) {
    let l = logged(backend).await;
    let w = l.cp.size.min(256);
    let tile_path = if w == 256 {
        "/log/tile/0/000".to_string()
    } else {
        format!("/log/tile/0/000.p/{w}")
    };

    let (status, _, tile) = l.client.get_bytes(&tile_path).await;
    let (_, _, bundle) = l
        .client
        .get_bytes(&tile_path.replace("/log/tile/0/", "/log/tile/entries/"))
        .await;
    let beyond = l
        .client
        .get(&format!("/log/tile/0/000.p/{}", (w + 1).min(255)))
        .await;

    assert_eq!(status, 200);
    assert_eq!(tile.len() as u64, 32 * w);
    assert_eq!(&tile[..32], &l.leaves[0]);
    let texts = log::split_bundle(&bundle).expect("a bundle");
    assert_eq!(texts.len() as u64, w);
    assert_eq!(texts[0], l.records[0].entry);
    assert!(w == 255 || beyond.status == 404, "no tile beyond the tree");
}
both!(the_first_tile_holds_the_leaf_hashes_and_its_bundle_the_entries);

async fn a_decisions_page_links_to_its_entry_which_still_matches(backend: Backend) {
    let l = logged(backend).await;
    let decision = l
        .records
        .iter()
        .find(|r| r.entry.contains("kind decision"))
        .expect("a decision leaf");

    let page = l
        .client
        .get(&format!("/log/entries/{}", decision.index))
        .await;
    let d = l.client.get(&decision.link.clone().expect("a link")).await;

    assert_eq!(page.status, 200);
    assert!(page.body.contains("公布以后没有被改过"));
    assert!(
        d.body.contains(&format!("/log/entries/{}", decision.index)),
        "the decision links to its log entry"
    );
    // Headings in words (#15): the entry's kind and the decision's item and verdict, each
    // with its number small beside it.
    let entry_h = text_by_id(&page.body, "page-h").unwrap_or_default();
    assert!(
        entry_h.starts_with("表决结果")
            && entry_h.ends_with(&format!("日志记录 #{}", decision.index)),
        "{entry_h}"
    );
    let id = decision
        .link
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    let decision_h = text_by_id(&d.body, "page-h").unwrap_or_default();
    let no = format!("决议 #{id}");
    assert!(decision_h.ends_with(&no), "{decision_h}");
    assert!(
        ["：通过", "：未通过", "：未达法定人数"]
            .iter()
            .any(|v| decision_h.contains(&format!("{v} {no}"))),
        "{decision_h}"
    );
    assert!(!decision_h.starts_with("决议"), "{decision_h}");
    let inquiry = l.client.get("/c/liutang/inquiries/1").await;
    let inquiry_h = text_by_id(&inquiry.body, "page-h").unwrap_or_default();
    assert!(
        inquiry_h.ends_with("质询 #1") && !inquiry_h.starts_with("质询"),
        "the question is the heading: {inquiry_h}"
    );
    assert!(inquiry_h.chars().count() <= 31 + " 质询 #1".chars().count());
}
both!(a_decisions_page_links_to_its_entry_which_still_matches);

async fn appointments_and_a_ballots_voters_link_to_the_log(backend: Backend) {
    let l = logged(backend).await;
    let supervisor = l.app.signed_in(&l.demo.contact("supervisor")).await;
    let electorate = l
        .records
        .iter()
        .find(|r| {
            r.entry.contains("kind electorate")
                && r.link
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/c/liutang/"))
        })
        .and_then(|r| r.link.clone())
        .expect("an electorate of 柳塘村");

    let actions = supervisor.get("/c/liutang/log").await;
    let page = supervisor.get(&electorate).await;

    assert!(
        actions.body.contains("/log/entries/"),
        "appointments are logged"
    );
    assert_eq!(page.status, 200, "{electorate}");
    assert!(page.body.contains("/log/entries/"));
}
both!(appointments_and_a_ballots_voters_link_to_the_log);

async fn the_verifier_passes_and_proves_a_grown_tree_extends_the_old(backend: Backend) {
    let l = logged(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("audit.json");

    let first = verify_site(&l.app, state.clone()).await.expect("verifies");
    let resident = l.app.signed_in(&l.demo.contact("resident")).await;
    resident
        .post_files_ok(
            "/c/liutang/orders",
            &[
                ("title", "桥头护栏松了"),
                ("description", "晃得厉害"),
                ("category", "road"),
                ("place", "东桥"),
            ],
            vec![],
        )
        .await;
    let second = verify_site(&l.app, state).await.expect("verifies again");

    assert!(first.findings.is_empty(), "{:?}", first.findings);
    assert_eq!(first.consistent_with, None);
    assert_eq!(second.consistent_with, Some(first.checkpoint.size));
    assert!(second.checkpoint.size > first.checkpoint.size);
}
both!(the_verifier_passes_and_proves_a_grown_tree_extends_the_old);

async fn the_log_refuses_to_change_in_the_database(backend: Backend) {
    let l = logged(backend).await;
    let pool = yishi::db::connect(&l.app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");

    let delete = conn.batch_execute("DELETE FROM log_entries");
    let update = conn.batch_execute("UPDATE log_hashes SET hash = hash WHERE id = 0");

    assert!(delete.is_err());
    assert!(update.is_err());
}
both!(the_log_refuses_to_change_in_the_database);

async fn verify_names_a_published_row_edited_in_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("audit.json");
    let before = verify_site(&app, state.clone()).await.expect("verifies");
    assert!(before.findings.is_empty());

    // Someone with the database turns a decision's verdict, behind the triggers' back.
    tamper(
        &app,
        "UPDATE decisions SET verdict = 'rejected', counts = '1,99,0' WHERE id = 1",
    );

    let after = verify_site(&app, state)
        .await
        .expect("the log itself still holds");
    assert_eq!(after.findings.len(), 1, "{:?}", after.findings);
    let f = &after.findings[0];
    assert_eq!(
        (f.kind.as_str(), f.record_id, f.changed),
        ("decision", 1, true)
    );
    assert!(
        f.to_string().contains("/decisions/1,") || f.to_string().contains("/decisions/1)"),
        "{f}"
    );
    let page = app.client().get(&format!("/log/entries/{}", f.index)).await;
    assert!(page.body.contains("对不上"));
}
both!(verify_names_a_published_row_edited_in_the_database);

async fn verify_refuses_a_rewritten_history(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("audit.json");
    let before = verify_site(&app, state.clone()).await.expect("verifies");

    // The operator wipes the log and writes it again in another order, signing the new tree
    // with the same key: every record matches, but the history the supervisor saw is gone.
    let entries: Vec<(String, Option<i64>, i64)> = app
        .state
        .db(|conn| {
            Ok(log::entries(conn, 0, 100_000)?
                .into_iter()
                .map(|e| (e.kind, e.community_id, e.record_id))
                .collect())
        })
        .await
        .expect("entries");
    tamper(
        &app,
        "DELETE FROM log_entries; DELETE FROM log_hashes; DELETE FROM log_checkpoints; \
         UPDATE log_head SET size = 0",
    );
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| {
            for (kind, community, record) in entries.into_iter().rev() {
                let kind = log::Kind::parse(&kind).expect("a kind");
                records::publish(conn, kind, community, record, now)?;
            }
            Ok(())
        })
        .await
        .expect("rewritten");

    let err = verify_site(&app, state)
        .await
        .expect_err("a rewritten history");
    assert!(err.contains("rewritten"), "{err}");
    assert!(before.checkpoint.size > 0);
}
both!(verify_refuses_a_rewritten_history);

/// `yishi audit export` writes a file that `yishi audit verify --file` checks offline.
async fn an_export_file_verifies_offline(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("export.json");
    let yishi = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(args)
            .env("YISHI_DATABASE_URL", &app.db.url)
            .env("YISHI_DATA_DIR", app.db.dir.path().join("data"))
            .env("YISHI_LOG", "warn")
            .output()
            .expect("yishi runs")
    };
    let out = yishi(&["audit", "export", "--out", file.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state = dir.path().join("state.json");
    let out = yishi(&[
        "audit",
        "verify",
        "--file",
        file.to_str().expect("path"),
        "--state",
        state.to_str().expect("path"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("signature good") && text.contains("match their entries"));

    // Under a Chinese locale (LC_MESSAGES, LC_ALL unset) it speaks Chinese.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["audit", "verify", "--file", file.to_str().expect("path")])
        .args(["--state", state.to_str().expect("path")])
        .env_remove("LC_ALL")
        .env("LC_MESSAGES", "zh_CN.UTF-8")
        .env("LANG", "C.UTF-8")
        .env("YISHI_LOG", "warn")
        .output()
        .expect("yishi runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("签名检查通过") && text.contains("和当时登记的指纹一致，没有被改动"),
        "{text}"
    );

    // The same key as the site's: the export was signed by the site's own key file.
    let key = app.client().get("/log/key").await.body;
    let export: verify::Export =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(export.key.trim(), key.trim());
}
both!(an_export_file_verifies_offline);

/// Past 256 leaves the level-1 tile holds the root of each full 256-leaf subtree, and the
/// full level-0 tile is served immutable.
async fn tiles_above_level_zero_hold_subtree_roots(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| {
            yishi::db::write_tx(conn, |conn| {
                for _ in 0..300 {
                    records::publish(conn, log::Kind::Decision, None, 1, now)?;
                }
                Ok(())
            })
        })
        .await
        .expect("leaves");
    let client = app.client();
    let records: Vec<yishi::transparency::handlers::RecordOut> =
        serde_json::from_str(&client.get("/log/records?from=0&count=256").await.body)
            .expect("records");
    let leaves: Vec<merkle::Hash> = records
        .iter()
        .map(|r| merkle::leaf_hash(r.entry.as_bytes()))
        .collect();
    let (status, _, tile) = client.get_bytes("/log/tile/1/000.p/1").await;
    assert_eq!(status, 200);
    assert_eq!(tile, merkle::root(&leaves).to_vec());
    let full = client.get("/log/tile/0/000").await;
    assert_eq!(full.status, 200);
    assert!(full.header("cache-control").contains("immutable"));
    let dir = tempfile::tempdir().expect("dir");
    let report = verify_site(&app, dir.path().join("s.json"))
        .await
        .expect("verifies");
    assert!(report.findings.is_empty());
    assert!(report.checkpoint.size > 300);
}
both!(tiles_above_level_zero_hold_subtree_roots);
