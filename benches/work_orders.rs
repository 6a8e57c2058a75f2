//! Work-order benchmark, on SQLite and on PostgreSQL, through a real server on a free port.
//!
//! The demo is loaded, then 100,000 work orders of 柳塘村 are written straight into the
//! database in one transaction: received over the last twelve months (ids in order of
//! receipt, as the app gives them), in random grids and categories, each due 48 hours after
//! receipt; about 80 % end confirmed and the rest completed, reopened, in progress or
//! assigned (the recent ones cannot have got as far), about 10 % of the resolved ones late,
//! about 60 % rated. PostgreSQL is then `ANALYZE`d, as autovacuum would have done long
//! before (SQLite is left as the app leaves it, without `sqlite_stat1`).
//!
//! Then, from 1 and from 32 concurrent keep-alive connections, for a fixed time each:
//! the list of open orders, the list of all orders, a deep keyset page of it (`before=` an
//! id in the middle), the monthly bulletin of the current month (China time) and its CSV.
//! The first answer of each page is checked: the lists show the orders SQL says they should,
//! and the bulletin's line for the whole village equals counts and a median computed here
//! from the rows.
//!
//! Run with `cargo bench --bench work_orders`. Knobs:
//! `YISHI_BENCH_ORDERS` (default 100000) orders written;
//! `YISHI_BENCH_SECS` (default 5) length of each measurement;
//! `YISHI_BENCH_KEEP` (default 0) 1 keeps the SQLite file and the PostgreSQL database and
//! prints where they are, to look at query plans afterwards;
//! `YISHI_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) the
//! server on which a scratch database is made and dropped.

#[path = "support/mod.rs"]
mod support;
use support::{count, insert_rows, knob, ms, pick, postgres_admin_url};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::Rng;
use yishi::authz::Role;
use yishi::clock::month_bounds;
use yishi::clock::FixedClock;
use yishi::communities::model as communities;
use yishi::config::Config;
use yishi::db::{write_tx, AnyConnection, Backend};
use yishi::error::AppError;
use yishi::schema::{memberships, work_orders};
use yishi::startup::Application;
use yishi::work_orders::handlers::PAGE_SIZE;
use yishi::work_orders::model::CATEGORIES;
use yishi::work_orders::rules::{percent, State};

const SLUG: &str = "liutang";

struct Knobs {
    orders: usize,
    secs: f64,
    keep: bool,
}

/// One line of the final table.
struct Row {
    backend: &'static str,
    what: String,
    conns: usize,
    count: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
    note: String,
}

/// 10:00 on 29 November 2026 in China: most of the month has passed.
fn start_time() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("valid time")
}

fn sql_time(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn sql_opt_time(t: Option<NaiveDateTime>) -> String {
    t.map(sql_time).unwrap_or_else(|| "NULL".into())
}

fn sql_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

// ---- seeding ----

/// What a category's reports are called, for titles.
fn label(category: &str) -> &'static str {
    match category {
        "road" => "路面坑洼",
        "lighting" => "路灯不亮",
        "sanitation" => "垃圾没清运",
        "water" => "水管漏水",
        "safety" => "护栏损坏",
        "parking" => "乱停车堵路",
        _ => "其他问题",
    }
}

/// The written orders: the community and the range of their ids.
struct Seeded {
    community_id: i64,
    first_id: i64,
    last_id: i64,
}

/// `n` orders of the community in one transaction, received uniformly over the 365 days
/// before `now`, in order of receipt.
fn seed_orders(conn: &mut AnyConnection, n: usize, now: NaiveDateTime) -> Result<Seeded, AppError> {
    write_tx(conn, |conn| {
        let cid = communities::by_slug(conn, SLUG)?
            .ok_or(AppError::NotFound)?
            .id;
        let grids = communities::grids_of(conn, cid)?;
        assert!(!grids.is_empty(), "the demo village has grids");
        let fallback = yishi::communities::model::assignable(conn, cid)?
            .first()
            .map(|(id, _)| *id)
            .expect("someone to assign work to");
        let mut workers = Vec::new();
        for g in &grids {
            workers
                .push(yishi::communities::model::grid_worker(conn, cid, g.id)?.unwrap_or(fallback));
        }
        let residents: Vec<i64> = memberships::table
            .filter(memberships::community_id.eq(cid))
            .filter(memberships::role.eq(Role::Resident.as_str()))
            .select(memberships::user_id)
            .load(conn)?;
        assert!(!residents.is_empty(), "the demo village has residents");
        let before = count(conn, "SELECT COALESCE(MAX(id), 0) AS n FROM work_orders")?;

        let mut rng = rand::thread_rng();
        let year = 365 * 24 * 60;
        let mut offsets: Vec<i64> = (0..n).map(|_| rng.gen_range(1..=year)).collect();
        offsets.sort_unstable_by(|a, b| b.cmp(a));
        let minutes = chrono::Duration::minutes;
        let rows =
            offsets.into_iter().enumerate().map(|(i, ago)| {
                let received = now - minutes(ago);
                let due = received + chrono::Duration::hours(48);
                let g = rng.gen_range(0..grids.len());
                let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
                let reporter = residents[rng.gen_range(0..residents.len())];
                let anonymous = rng.gen_bool(0.1);
                let coords = rng
                    .gen_bool(0.7)
                    .then(|| (rng.gen_range(30.10..30.14), rng.gen_range(120.00..120.05)));
                // Where the order was meant to go, then how far it got by now.
                let intended = match rng.gen_range(0..100) {
                    0..=79 => State::Confirmed,
                    80..=87 => State::Completed,
                    88..=91 => State::Reopened,
                    92..=95 => State::InProgress,
                    _ => State::Assigned,
                };
                let ack_after = rng.gen_range(10..12 * 60);
                let resolve = if rng.gen_bool(0.10) {
                    rng.gen_range(48 * 60 + 1..10 * 24 * 60)
                } else {
                    rng.gen_range(ack_after + 30..48 * 60)
                };
                let ack = received + minutes(ack_after);
                let completed = received + minutes(resolve);
                let confirmed = completed + minutes(rng.gen_range(60..7 * 24 * 60));
                let reopened = completed + chrono::Duration::hours(20);
                let mut state = intended;
                if matches!(state, State::Confirmed | State::Completed | State::Reopened)
                    && completed > now
                {
                    state = State::InProgress;
                }
                if (state == State::Confirmed && confirmed > now)
                    || (state == State::Reopened && reopened > now)
                {
                    state = State::Completed;
                }
                if state == State::InProgress && ack > now {
                    state = State::Assigned;
                }
                let resolved =
                    matches!(state, State::Confirmed | State::Completed | State::Reopened);
                let rating = match state {
                    State::Confirmed => rng.gen_bool(0.75),
                    State::Completed => rng.gen_bool(0.40),
                    _ => false,
                }
                .then(|| match rng.gen_range(0..100) {
                    0..=49 => 5,
                    50..=79 => 4,
                    80..=89 => 3,
                    90..=95 => 2,
                    _ => 1,
                });
                let comment = match rating {
                    Some(5) => "处理得很及时",
                    Some(1 | 2) => "还没有彻底解决",
                    _ => "",
                };
                let acknowledged = (state != State::Assigned).then_some(ack);
                let completed_at = resolved.then_some(completed);
                let confirmed_at = (state == State::Confirmed).then_some(confirmed);
                let late = if resolved { completed > due } else { now > due };
                let escalated = late.then(|| due + minutes(10));
                let updated = match state {
                    State::Confirmed => confirmed,
                    State::Reopened => reopened,
                    State::Completed => completed,
                    State::InProgress => ack,
                    _ => received,
                };
                let grid = &grids[g];
                let what = label(category);
                format!(
                "({cid}, 'report', NULL, {}, {}, '{category}', {}, {}, {}, {}, {reporter}, {}, \
                 {}, '{}', NULL, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                sql_text(&format!("{}{what}", grid.name)),
                sql_text(&format!("居民反映{}有{what}的情况，请尽快处理。（{i}）", grid.name)),
                sql_text(&format!("{}{}号附近", grid.name, 1 + i % 60)),
                sql_opt(coords.map(|c| c.0)),
                sql_opt(coords.map(|c| c.1)),
                grid.id,
                if anonymous { "TRUE" } else { "FALSE" },
                workers[g],
                state.as_str(),
                sql_time(received),
                sql_time(due),
                sql_opt_time(acknowledged),
                sql_opt_time(completed_at),
                sql_opt(resolved.then_some(resolve)),
                sql_opt_time(confirmed_at),
                sql_opt_time(escalated),
                sql_opt(rating),
                sql_text(comment),
                sql_time(updated),
            )
            });
        insert_rows(
            conn,
            "INSERT INTO work_orders (community_id, source, decision_id, title, description, \
             category, place, latitude, longitude, grid_id, reporter_id, anonymous, \
             assignee_id, state, budget_yuan, received_at, due_at, acknowledged_at, \
             completed_at, resolve_minutes, confirmed_at, escalated_at, rating, \
             rating_comment, updated_at)",
            rows,
        )?;
        let after = count(conn, "SELECT MAX(id) AS n FROM work_orders")?;
        let written = count(
            conn,
            &format!(
                "SELECT COUNT(*) AS n FROM work_orders WHERE community_id = {cid} AND id > {before}"
            ),
        )?;
        assert_eq!(written, n as i64, "every order written");
        assert_eq!(after - before, n as i64, "ids in one run");
        Ok(Seeded {
            community_id: cid,
            first_id: before + 1,
            last_id: after,
        })
    })
}

// ---- what the pages must show ----

/// The bulletin's line for the whole community, computed here from the rows.
struct Expected {
    received: i64,
    resolved: i64,
    on_time: i64,
    rated: i64,
    satisfied: i64,
    median_minutes: Option<i64>,
}

impl Expected {
    fn median_hours(&self) -> String {
        self.median_minutes
            .map(|m| format!("{:.1}", m as f64 / 60.0))
            .unwrap_or_default()
    }

    fn csv_line(&self, name: &str) -> String {
        let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        format!(
            "{name},{},{},{},{},{},{},{},{}",
            self.received,
            self.resolved,
            self.on_time,
            opt(percent(self.on_time, self.resolved)),
            self.median_hours(),
            self.rated,
            self.satisfied,
            opt(percent(self.satisfied, self.rated)),
        )
    }
}

fn expected(
    conn: &mut AnyConnection,
    cid: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Expected, AppError> {
    let (f, t) = (sql_time(from), sql_time(to));
    let of = |cond: &str| {
        format!("SELECT COUNT(*) AS n FROM work_orders WHERE community_id = {cid} AND {cond}")
    };
    let done = format!("completed_at >= {f} AND completed_at < {t}");
    let mut minutes: Vec<i64> = work_orders::table
        .filter(work_orders::community_id.eq(cid))
        .filter(work_orders::completed_at.ge(from))
        .filter(work_orders::completed_at.lt(to))
        .select(work_orders::resolve_minutes)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    minutes.sort_unstable();
    Ok(Expected {
        received: count(
            conn,
            &of(&format!("received_at >= {f} AND received_at < {t}")),
        )?,
        resolved: count(conn, &of(&done))?,
        on_time: count(conn, &of(&format!("{done} AND completed_at <= due_at")))?,
        rated: count(conn, &of(&format!("{done} AND rating IS NOT NULL")))?,
        satisfied: count(conn, &of(&format!("{done} AND rating >= 4")))?,
        median_minutes: (!minutes.is_empty()).then(|| minutes[(minutes.len() - 1) / 2]),
    })
}

/// How many of the community's orders are in each state.
fn states(conn: &mut AnyConnection, cid: i64) -> Result<BTreeMap<String, i64>, AppError> {
    let mut out = BTreeMap::new();
    for s in State::ALL {
        let n = count(
            conn,
            &format!(
                "SELECT COUNT(*) AS n FROM work_orders WHERE community_id = {cid} AND state = '{}'",
                s.as_str()
            ),
        )?;
        out.insert(s.as_str().to_string(), n);
    }
    Ok(out)
}

// ---- HTTP ----

struct Stats {
    requests: usize,
    errors: usize,
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `conns` clients, each with one keep-alive connection, requesting `url` for `secs`.
async fn drive(url: &str, conns: usize, secs: f64) -> Stats {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let client = http_client();
            let mut times = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().as_u16() == 200 => {
                        let _ = r.bytes().await;
                        times.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.expect("client task");
        all.extend(times);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Stats {
        requests: all.len(),
        errors,
        per_sec: all.len() as f64 / elapsed,
        p50: pick(&all, 0.50),
        p99: pick(&all, 0.99),
    }
}

/// What an answer's body must satisfy: Err says what is wrong.
type Check = Box<dyn Fn(&str) -> Result<(), String>>;

struct Case {
    what: String,
    path: String,
    check: Check,
}

/// The orders a list page links to, in order.
fn listed(body: &str) -> Vec<i64> {
    body.split("<li class=\"light-")
        .skip(1)
        .filter_map(|li| {
            let at = li.find(&format!("/c/{SLUG}/orders/"))? + SLUG.len() + 11;
            let rest = &li[at..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

/// A check that a list page shows `ids`, in that order.
fn shows(ids: Vec<i64>) -> Check {
    Box::new(move |body: &str| {
        let got = listed(body);
        if got == ids {
            Ok(())
        } else {
            Err(format!("listed {got:?}, expected {ids:?}"))
        }
    })
}

/// Ids of the community's orders, newest first, as a list page should show them.
fn page_ids(
    conn: &mut AnyConnection,
    cid: i64,
    open: bool,
    before: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let mut q = work_orders::table
        .filter(work_orders::community_id.eq(cid))
        .into_boxed();
    if open {
        q = q.filter(work_orders::state.eq_any(State::open_names()));
    }
    if let Some(b) = before {
        q = q.filter(work_orders::id.lt(b));
    }
    Ok(q.order(work_orders::id.desc())
        .limit(PAGE_SIZE)
        .select(work_orders::id)
        .load(conn)?)
}

/// The first answer of a page, untimed: its status, its checked body, its size.
async fn first(url: &str, check: &Check) -> usize {
    let r = http_client().get(url).send().await.expect("GET");
    assert_eq!(r.status().as_u16(), 200, "{url}");
    let body = r.text().await.expect("body");
    if let Err(e) = check(&body) {
        panic!("unexpected answer from {url}: {e}");
    }
    body.len()
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
    tokio::spawn(app.run_until_stopped());
    println!("\n{backend}:");

    let now = state.clock.now();
    let t = Instant::now();
    let data = state.config.data_dir();
    state
        .db(move |conn| yishi::demo::load(conn, &data, now))
        .await
        .expect("demo");
    let demo = t.elapsed();
    let n = k.orders;
    let t = Instant::now();
    let seeded = state
        .db(move |conn| seed_orders(conn, n, now))
        .await
        .expect("seed orders");
    let written = t.elapsed();
    let t = Instant::now();
    state
        .db(|conn| {
            if yishi::db::backend(conn) == Backend::Postgres {
                conn.batch_execute("ANALYZE")?;
            }
            Ok(())
        })
        .await
        .expect("analyze");
    let analyzed = t.elapsed();
    println!(
        "  demo {:.1} s; {n} orders (ids {}..={}) in one transaction {:.1} s{}",
        demo.as_secs_f64(),
        seeded.first_id,
        seeded.last_id,
        written.as_secs_f64(),
        if backend == "PostgreSQL" {
            format!("; ANALYZE {:.1} s", analyzed.as_secs_f64())
        } else {
            String::new()
        }
    );

    let local = now + chrono::Duration::hours(8);
    let (y, m) = (local.year(), local.month());
    let month = format!("{y}-{m:02}");
    let (from, to) = month_bounds(y, m).expect("month");
    let cid = seeded.community_id;
    let middle = (seeded.first_id + seeded.last_id) / 2;
    let (exp, by_state, open_first, all_first, deep, name) = state
        .db(move |conn| {
            Ok((
                expected(conn, cid, from, to)?,
                states(conn, cid)?,
                page_ids(conn, cid, true, None)?,
                page_ids(conn, cid, false, None)?,
                page_ids(conn, cid, false, Some(middle))?,
                communities::by_slug(conn, SLUG)?
                    .ok_or(AppError::NotFound)?
                    .name,
            ))
        })
        .await
        .expect("expectations");
    let total: i64 = by_state.values().sum();
    let mix: Vec<String> = by_state
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{s} {n} ({:.1} %)", 100.0 * *n as f64 / total as f64))
        .collect();
    println!("  {SLUG}: {total} orders; {}", mix.join(", "));
    println!(
        "  {month} (China): received {}, resolved {}, on time {}, rated {}, satisfied {}, median {} h",
        exp.received,
        exp.resolved,
        exp.on_time,
        exp.rated,
        exp.satisfied,
        exp.median_hours()
    );

    let bulletin_cells = format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
        exp.received, exp.resolved
    );
    let csv_line = exp.csv_line(&name);
    let cases = vec![
        Case {
            what: "orders, open, first page".into(),
            path: format!("/c/{SLUG}/orders"),
            check: shows(open_first),
        },
        Case {
            what: "orders, all, first page".into(),
            path: format!("/c/{SLUG}/orders?filter=all"),
            check: shows(all_first),
        },
        Case {
            what: format!("orders, all, before={middle}"),
            path: format!("/c/{SLUG}/orders?filter=all&before={middle}"),
            check: shows(deep),
        },
        Case {
            what: format!("bulletin {month}"),
            path: format!("/c/{SLUG}/bulletin?month={month}"),
            check: Box::new(move |body: &str| {
                let total = body
                    .split_once("class=\"total\"")
                    .map(|(_, rest)| rest)
                    .ok_or("no line for the whole village")?;
                if total.contains(&bulletin_cells) {
                    Ok(())
                } else {
                    Err(format!("the whole village's line lacks {bulletin_cells}"))
                }
            }),
        },
        Case {
            what: format!("bulletin.csv {month}"),
            path: format!("/c/{SLUG}/bulletin.csv?month={month}"),
            check: Box::new(move |body: &str| match body.lines().nth(1) {
                Some(line) if line == csv_line => Ok(()),
                other => Err(format!("second line {other:?}, expected {csv_line:?}")),
            }),
        },
    ];
    for Case { what, path, check } in cases {
        let url = format!("{base}{path}");
        let size = first(&url, &check).await;
        for conns in [1, 32] {
            let s = drive(&url, conns, k.secs).await;
            let note = format!(
                "{:.1} KB{}",
                size as f64 / 1024.0,
                if s.errors > 0 {
                    format!("; {} errors", s.errors)
                } else {
                    String::new()
                }
            );
            println!(
                "  {what}, {conns:>2} conns: {} requests, {:.0}/s, p50 {} ms, p99 {} ms; {note}",
                s.requests,
                s.per_sec,
                ms(s.p50),
                ms(s.p99)
            );
            rows.push(Row {
                backend,
                what: what.clone(),
                conns,
                count: s.requests,
                rate: s.per_sec,
                p50: s.p50,
                p99: s.p99,
                note,
            });
        }
    }
    if k.keep {
        let kept = dir.keep();
        println!("  kept the app's data directory {}", kept.display());
    }
}

fn main() {
    let k = Knobs {
        orders: knob("YISHI_BENCH_ORDERS", 100_000),
        secs: knob("YISHI_BENCH_SECS", 5.0),
        keep: knob("YISHI_BENCH_KEEP", 0) == 1,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "yishi work-order benchmark: {} orders, {} s per measurement, {} cores",
        k.orders,
        k.secs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let started = Instant::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("bench.db");
        run("SQLite", &format!("sqlite://{}", file.display()), &k, &mut rows).await;
        if k.keep {
            let kept = dir.keep();
            println!("  kept the SQLite database {}", kept.join("bench.db").display());
        }
        let admin = postgres_admin_url();
        match diesel::PgConnection::establish(&admin) {
            Ok(mut conn) => {
                let name = format!("yishi_bench_orders_{}", std::process::id());
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create database");
                let mut url = url::Url::parse(&admin).expect("url");
                url.set_path(&name);
                run("PostgreSQL", url.as_str(), &k, &mut rows).await;
                if k.keep {
                    println!("  kept the PostgreSQL database {name} (DROP DATABASE {name} WITH (FORCE) when done)");
                } else {
                    let _ = conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
                }
            }
            Err(e) => println!("\nPostgreSQL: not measured (cannot connect to {admin}: {e})"),
        }
    });
    println!(
        "\n{:<11} {:<32} {:>5} {:>8} {:>8} {:>8} {:>8}  notes",
        "backend", "page", "conns", "requests", "req/s", "p50 ms", "p99 ms"
    );
    for r in &rows {
        println!(
            "{:<11} {:<32} {:>5} {:>8} {:>8.0} {:>8} {:>8}  {}",
            r.backend,
            r.what,
            r.conns,
            r.count,
            r.rate,
            ms(r.p50),
            ms(r.p99),
            r.note
        );
    }
    println!(
        "({} s per measurement; whole run {:.0} s)",
        k.secs,
        started.elapsed().as_secs_f64()
    );
}
