//! Transparency-log benchmark, on SQLite and on PostgreSQL, with a real server on a free port.
//!
//! The demo is loaded (its publications are the log's first leaves), then work orders of
//! 柳塘村 are written straight into the database in one transaction (received over the last
//! twelve months, in order of receipt), untimed. Then, timed:
//!
//! 1. appending: `records::publish` of `YISHI_BENCH_LEAVES` of those orders (each leaf reads
//!    its record's canonical content back, as the app does), in transactions of 1,000; then
//!    `YISHI_BENCH_SINGLES` more, one durable transaction each, as the app publishes;
//! 2. at that size: inclusion proofs at random indices and consistency proofs from random
//!    older sizes, computed from the database (`log::inclusion`, `log::consistency`), each
//!    checked with `merkle::verify_inclusion` / `verify_consistency` against `log::root`
//!    (and that root against one recomputed from every leaf's text); then signing a fresh
//!    checkpoint (`checkpoint::latest`) after one more leaf, ten times;
//! 3. `yishi audit verify` (`verify::verify` over HTTP with `Site`) over the whole log,
//!    asserting no findings; one more leaf; and a second run, which also checks the site's
//!    consistency proof from the checkpoint saved by the first.
//!
//! Run with `cargo bench --bench transparency`. Knobs:
//! `YISHI_BENCH_LEAVES` (default 100000) leaves appended in transactions of 1,000;
//! `YISHI_BENCH_SINGLES` (default 1000) single-leaf publications after them;
//! `YISHI_BENCH_PROOFS` (default 1000) inclusion proofs, and as many consistency proofs;
//! `YISHI_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) the
//! server on which a scratch database is made and dropped.

#[path = "support/mod.rs"]
mod support;
use support::{count, insert_rows, knob, ms, pick};

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::Rng;
use yishi::clock::FixedClock;
use yishi::communities::model as communities;
use yishi::config::Config;
use yishi::db::{write_tx, AnyConnection, DbPool};
use yishi::error::AppError;
use yishi::startup::Application;
use yishi::transparency::checkpoint;
use yishi::transparency::log::{self, Kind};
use yishi::transparency::merkle;
use yishi::transparency::records;
use yishi::transparency::verify::{self, Site};
use yishi::work_orders::model::CATEGORIES;

const SLUG: &str = "liutang";
/// Leaves a bulk transaction appends.
const BATCH: usize = 1000;
/// Fresh checkpoints signed, each after one more leaf.
const CHECKPOINTS: usize = 10;

struct Knobs {
    leaves: usize,
    singles: usize,
    proofs: usize,
}

/// One line of the final table; a field left `None` prints blank.
struct Row {
    backend: &'static str,
    what: String,
    count: usize,
    secs: Option<f64>,
    rate: Option<f64>,
    p50: Option<Duration>,
    p99: Option<Duration>,
    note: String,
}

/// 10:00 on 29 November 2026 in China.
fn start_time() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("valid time")
}

fn sql_time(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Orders written for publishing: the community and each order's id and time of receipt,
/// oldest first.
struct Seeded {
    community_id: i64,
    orders: Vec<(i64, NaiveDateTime)>,
}

/// `n` received orders of the village in one transaction, received uniformly over the 365
/// days before `now`, in order of receipt (so ids and times rise together).
fn seed_orders(conn: &mut AnyConnection, n: usize, now: NaiveDateTime) -> Result<Seeded, AppError> {
    write_tx(conn, |conn| {
        let cid = communities::by_slug(conn, SLUG)?
            .ok_or(AppError::NotFound)?
            .id;
        let grids = communities::grids_of(conn, cid)?;
        assert!(!grids.is_empty(), "the demo village has grids");
        let before = count(conn, "SELECT COALESCE(MAX(id), 0) AS n FROM work_orders")?;
        let mut rng = rand::thread_rng();
        let year = 365 * 24 * 60;
        let mut offsets: Vec<i64> = (0..n).map(|_| rng.gen_range(1..=year)).collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        let times: Vec<NaiveDateTime> = offsets
            .iter()
            .map(|ago| now - chrono::Duration::minutes(*ago))
            .collect();
        let rows = times.iter().enumerate().map(|(i, &received)| {
            let grid = &grids[rng.gen_range(0..grids.len())];
            let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
            format!(
                "({cid}, 'report', {}, {}, '{category}', {}, {}, FALSE, 'received', {}, {}, '', {})",
                sql_text(&format!("{}{category}", grid.name)),
                sql_text(&format!("居民反映{}的情况，请尽快处理。（{i}）", grid.name)),
                sql_text(&format!("{}{}号附近", grid.name, 1 + i % 60)),
                grid.id,
                sql_time(received),
                sql_time(received + chrono::Duration::hours(48)),
                sql_time(received),
            )
        });
        insert_rows(
            conn,
            "INSERT INTO work_orders (community_id, source, title, description, category, \
             place, grid_id, anonymous, state, received_at, due_at, rating_comment, updated_at)",
            rows,
        )?;
        let after = count(conn, "SELECT MAX(id) AS n FROM work_orders")?;
        assert_eq!(after - before, n as i64, "ids in one run");
        Ok(Seeded {
            community_id: cid,
            orders: (before + 1..=after).zip(times).collect(),
        })
    })
}

/// Runs blocking work on a pooled connection, off the async workers.
async fn blocking<T, F>(pool: &DbPool, f: F) -> T
where
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("a connection");
        f(&mut conn)
    })
    .await
    .expect("blocking task")
    .unwrap_or_else(|e| panic!("database: {e}"))
}

fn sorted(mut v: Vec<Duration>) -> Vec<Duration> {
    v.sort();
    v
}

/// The log's proofs are `tlog_tiles::Hash`es; the verifier's are plain arrays.
fn hash(h: tlog_tiles::Hash) -> merkle::Hash {
    h.0
}

async fn run(backend: &'static str, url: &str, k: &Knobs, rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::with_database(url);
    config.data_dir = Some(dir.path().join("data"));
    config.workers = Some(2);
    config.db_pool = 8;
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = Application::build_with_clock(config, clock).expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    let pool = state.pool.clone();
    let key = state.log_key.clone();
    tokio::spawn(app.run_until_stopped());
    println!("\n{backend}:");
    let mut row =
        |what: &str, count: usize, secs: Option<f64>, times: Option<&[Duration]>, note: String| {
            let rate = secs.map(|s| count as f64 / s);
            rows.push(Row {
                backend,
                what: what.to_string(),
                count,
                secs,
                rate,
                p50: times.map(|t| pick(t, 0.50)),
                p99: times.map(|t| pick(t, 0.99)),
                note,
            });
        };

    // ---- seeding, untimed ----
    let now = state.clock.now();
    let t = Instant::now();
    let data = state.config.data_dir();
    blocking(&pool, move |conn| yishi::demo::load(conn, &data, now)).await;
    let demo = t.elapsed();
    let demo_leaves = blocking(&pool, |conn| Ok(log::size(conn)?)).await;
    let wanted = k.leaves + k.singles + CHECKPOINTS + 1;
    let t = Instant::now();
    let seeded = blocking(&pool, move |conn| seed_orders(conn, wanted, now)).await;
    println!(
        "  demo {:.1} s ({demo_leaves} leaves); {wanted} orders (ids {}..={}) in one transaction {:.1} s",
        demo.as_secs_f64(),
        seeded.orders[0].0,
        seeded.orders[wanted - 1].0,
        t.elapsed().as_secs_f64()
    );
    let cid = seeded.community_id;
    let mut orders = seeded.orders.into_iter();

    // ---- 1. appending ----
    let bulk: Vec<(i64, NaiveDateTime)> = orders.by_ref().take(k.leaves).collect();
    let (secs, txs) = blocking(&pool, move |conn| {
        let started = Instant::now();
        let mut txs = Vec::new();
        for chunk in bulk.chunks(BATCH) {
            let t = Instant::now();
            write_tx(conn, |conn| {
                for &(id, at) in chunk {
                    records::publish(conn, Kind::OrderCreated, Some(cid), id, at)?;
                }
                Ok(())
            })?;
            txs.push(t.elapsed());
        }
        Ok((started.elapsed().as_secs_f64(), sorted(txs)))
    })
    .await;
    println!(
        "  appended {} leaves in {} transactions: {secs:.1} s, {:.0} leaves/s; a transaction p50 {} ms, p99 {} ms",
        k.leaves,
        txs.len(),
        k.leaves as f64 / secs,
        ms(pick(&txs, 0.5)),
        ms(pick(&txs, 0.99))
    );
    row(
        &format!("append, {BATCH} leaves a transaction"),
        k.leaves,
        Some(secs),
        None,
        format!(
            "a transaction p50 {} ms, p99 {} ms",
            ms(pick(&txs, 0.5)),
            ms(pick(&txs, 0.99))
        ),
    );

    let singles: Vec<(i64, NaiveDateTime)> = orders.by_ref().take(k.singles).collect();
    let (secs, times) = blocking(&pool, move |conn| {
        let started = Instant::now();
        let mut times = Vec::with_capacity(singles.len());
        for (id, at) in singles {
            let t = Instant::now();
            write_tx(conn, |conn| {
                Ok(records::publish(
                    conn,
                    Kind::OrderCreated,
                    Some(cid),
                    id,
                    at,
                )?)
            })?;
            times.push(t.elapsed());
        }
        Ok((started.elapsed().as_secs_f64(), sorted(times)))
    })
    .await;
    println!(
        "  {} single-leaf publications: {secs:.1} s, {:.0}/s, p50 {} ms, p99 {} ms",
        k.singles,
        k.singles as f64 / secs,
        ms(pick(&times, 0.5)),
        ms(pick(&times, 0.99))
    );
    row(
        "append, 1 leaf a transaction",
        k.singles,
        Some(secs),
        Some(times.as_slice()),
        "durable commit each".into(),
    );

    // ---- 2. proofs at that size ----
    let size = blocking(&pool, |conn| Ok(log::size(conn)?)).await as u64;
    let (root, recomputed) = blocking(&pool, move |conn| {
        let root = hash(log::root(conn, size)?);
        let leaves: Vec<merkle::Hash> = log::entries(conn, 0, size as i64)?
            .iter()
            .map(|e| merkle::leaf_hash(e.entry.as_bytes()))
            .collect();
        assert_eq!(leaves.len() as u64, size, "every leaf read");
        Ok((root, merkle::root(&leaves)))
    })
    .await;
    assert_eq!(
        root, recomputed,
        "log::root equals the root recomputed from every leaf"
    );
    println!(
        "  log size {size}: root {} (recomputed from every leaf: equal)",
        merkle::hex(&root)
    );

    let n = k.proofs;
    let (times, hashes) = blocking(&pool, move |conn| {
        let mut rng = rand::thread_rng();
        let mut times = Vec::with_capacity(n);
        let mut hashes = 0;
        for _ in 0..n {
            let index = rng.gen_range(0..size);
            let t = Instant::now();
            let proof = log::inclusion(conn, size, index)?;
            times.push(t.elapsed());
            let entry = log::entry(conn, index as i64)?.expect("the leaf");
            let leaf = merkle::leaf_hash(entry.entry.as_bytes());
            let proof: Vec<merkle::Hash> = proof.into_iter().map(hash).collect();
            hashes += proof.len();
            assert!(
                merkle::verify_inclusion(&leaf, index, size, &proof, &root),
                "inclusion proof of {index} in {size} verifies"
            );
        }
        Ok((sorted(times), hashes))
    })
    .await;
    let total: f64 = times.iter().map(Duration::as_secs_f64).sum();
    println!(
        "  {n} inclusion proofs at size {size}: p50 {} ms, p99 {} ms, all verified",
        ms(pick(&times, 0.5)),
        ms(pick(&times, 0.99))
    );
    row(
        &format!("inclusion proof, size {size}"),
        n,
        Some(total),
        Some(times.as_slice()),
        format!("{:.1} hashes each, all verified", hashes as f64 / n as f64),
    );

    let (times, hashes) = blocking(&pool, move |conn| {
        let mut rng = rand::thread_rng();
        let mut times = Vec::with_capacity(n);
        let mut hashes = 0;
        for _ in 0..n {
            let old = rng.gen_range(1..size);
            let t = Instant::now();
            let proof = log::consistency(conn, size, old)?;
            times.push(t.elapsed());
            let old_root = hash(log::root(conn, old)?);
            let proof: Vec<merkle::Hash> = proof.into_iter().map(hash).collect();
            hashes += proof.len();
            assert!(
                merkle::verify_consistency(old, size, &old_root, &root, &proof),
                "consistency proof from {old} to {size} verifies"
            );
        }
        Ok((sorted(times), hashes))
    })
    .await;
    let total: f64 = times.iter().map(Duration::as_secs_f64).sum();
    println!(
        "  {n} consistency proofs to size {size}: p50 {} ms, p99 {} ms, all verified",
        ms(pick(&times, 0.5)),
        ms(pick(&times, 0.99))
    );
    row(
        &format!("consistency proof, to {size}"),
        n,
        Some(total),
        Some(times.as_slice()),
        format!("{:.1} hashes each, all verified", hashes as f64 / n as f64),
    );

    let extra: Vec<(i64, NaiveDateTime)> = orders.by_ref().take(CHECKPOINTS).collect();
    let sign_key = key.clone();
    let times = blocking(&pool, move |conn| {
        let mut times = Vec::with_capacity(extra.len());
        for (id, at) in extra {
            write_tx(conn, |conn| {
                Ok(records::publish(
                    conn,
                    Kind::OrderCreated,
                    Some(cid),
                    id,
                    at,
                )?)
            })?;
            let size = log::size(conn)? as u64;
            let t = Instant::now();
            let note = write_tx(conn, |conn| checkpoint::latest(conn, &sign_key, now))?;
            times.push(t.elapsed());
            let opened = checkpoint::open(&note, sign_key.verifier_key()).expect("opens");
            assert_eq!(opened.size, size, "a fresh checkpoint of the grown log");
        }
        Ok(sorted(times))
    })
    .await;
    let total: f64 = times.iter().map(Duration::as_secs_f64).sum();
    println!(
        "  {CHECKPOINTS} fresh checkpoints, each after one more leaf: p50 {} ms, max {} ms",
        ms(pick(&times, 0.5)),
        ms(times[times.len() - 1])
    );
    row(
        "sign a fresh checkpoint",
        CHECKPOINTS,
        Some(total),
        Some(times.as_slice()),
        format!("max {} ms", ms(times[times.len() - 1])),
    );

    // ---- 3. yishi audit verify over HTTP ----
    let state_file = dir.path().join("verifier.json");
    let audit = |label: &'static str| {
        let base = base.clone();
        let state_file = state_file.clone();
        async move {
            let t = Instant::now();
            let report = tokio::task::spawn_blocking(move || {
                verify::verify(&Site::new(&base), None, Some(state_file.as_path()))
            })
            .await
            .expect("verifier thread")
            .unwrap_or_else(|e| panic!("{label}: {e}"));
            (t.elapsed().as_secs_f64(), report)
        }
    };
    let (secs, report) = audit("first verify").await;
    assert!(
        report.findings.is_empty(),
        "no findings: {:?}",
        report.findings
    );
    assert_eq!(report.records as u64, report.checkpoint.size);
    let first_size = report.checkpoint.size;
    println!(
        "  verify, first run: {} records in {secs:.1} s, {:.0} records/s, no findings",
        report.records,
        report.records as f64 / secs
    );
    let records_first = report.records;
    let secs_first = secs;

    let (id, at) = orders.next().expect("one more order");
    blocking(&pool, move |conn| {
        write_tx(conn, |conn| {
            Ok(records::publish(
                conn,
                Kind::OrderCreated,
                Some(cid),
                id,
                at,
            )?)
        })
    })
    .await;
    let (secs, report) = audit("second verify").await;
    assert!(
        report.findings.is_empty(),
        "no findings: {:?}",
        report.findings
    );
    assert_eq!(report.consistent_with, Some(first_size));
    assert_eq!(report.checkpoint.size, first_size + 1);
    println!(
        "  verify, second run: {} records in {secs:.1} s, {:.0} records/s, consistent with {first_size}",
        report.records,
        report.records as f64 / secs
    );
    row(
        "audit verify, first run",
        records_first,
        Some(secs_first),
        None,
        "over HTTP, no findings".into(),
    );
    row(
        "audit verify, second run",
        report.records,
        Some(secs),
        None,
        format!("+ consistency from {first_size}; no findings"),
    );
}

fn main() {
    let k = Knobs {
        leaves: knob("YISHI_BENCH_LEAVES", 100_000),
        singles: knob("YISHI_BENCH_SINGLES", 1000),
        proofs: knob("YISHI_BENCH_PROOFS", 1000),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "yishi transparency-log benchmark: {} leaves in transactions of {BATCH}, {} single-leaf \
         publications, {} proofs of each kind, {} cores",
        k.leaves,
        k.singles,
        k.proofs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let started = Instant::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("bench.db");
        run(
            "SQLite",
            &format!("sqlite://{}", file.display()),
            &k,
            &mut rows,
        )
        .await;
        let admin = support::postgres_admin_url();
        match diesel::PgConnection::establish(&admin) {
            Ok(mut conn) => {
                let name = format!("yishi_bench_log_{}", std::process::id());
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create database");
                let mut url = url::Url::parse(&admin).expect("url");
                url.set_path(&name);
                run("PostgreSQL", url.as_str(), &k, &mut rows).await;
                let _ = conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
            }
            Err(e) => println!("\nPostgreSQL: not measured (cannot connect to {admin}: {e})"),
        }
    });
    let opt = |d: Option<Duration>| d.map(ms).unwrap_or_default();
    println!(
        "\n{:<11} {:<34} {:>7} {:>8} {:>9} {:>8} {:>8}  notes",
        "backend", "measurement", "n", "total s", "per s", "p50 ms", "p99 ms"
    );
    for r in &rows {
        println!(
            "{:<11} {:<34} {:>7} {:>8} {:>9} {:>8} {:>8}  {}",
            r.backend,
            r.what,
            r.count,
            r.secs.map(|s| format!("{s:.2}")).unwrap_or_default(),
            r.rate.map(|s| format!("{s:.0}")).unwrap_or_default(),
            opt(r.p50),
            opt(r.p99),
            r.note
        );
    }
    println!(
        "(knobs: YISHI_BENCH_LEAVES={} YISHI_BENCH_SINGLES={} YISHI_BENCH_PROOFS={}; {} cores; \
         proofs' total s is the sum of their times; whole run {:.0} s)",
        k.leaves,
        k.singles,
        k.proofs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        started.elapsed().as_secs_f64()
    );
}
