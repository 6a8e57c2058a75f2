//! Agenda benchmark: requests/s, p50 and p99 at 1 and 32 connections for an item page with
//! 200 comments (~300 characters each) and for the agenda list of a community with 50
//! items, on SQLite and on PostgreSQL. In the same run the same two pages are served from
//! the same rows by a bare handler with no middleware, session, CSRF or language lookup:
//! the bound of this stack on this machine. Run with `cargo bench --bench agenda`.
//!
//! `YISHI_BENCH_SECS` (default 3) sets the length of each measurement;
//! `YISHI_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) the
//! server on which a scratch database is made and dropped.

use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use yishi::agenda::handlers::{list_page, ListParams, OnItem};
use yishi::agenda::model as agenda;
use yishi::agenda::rules::Stage;
use yishi::authz::Actor;
use yishi::comments::model as comments;
use yishi::communities::model as communities;
use yishi::config::Config;
use yishi::error::AppError;
use yishi::startup::Application;
use yishi::web::ctx::Ctx;
use yishi::web::i18n::{Lang, Tr};
use yishi::web::AppState;

const COMMENT: &str =
    "我同意在围墙外的空地上画线停车，但是希望居委会把夜间停车和白天步行的时间分开，\
    早上七点以后人行道上不能再停车，不然老人去菜场、孩子上学都不方便。另外，道闸装好以后，\
    外来车辆的临时停车怎么收费、收来的钱怎么用，也请在公开栏里公布，让大家都能看到、都能监督。\
    还有消防通道一定要画黄色网格线，晚上有人值守巡查，发现占用及时劝离，这样大家才放心。\
    我家就在五号楼，这几年晚上回家找车位真的很难，希望这个方案早点落地。";

struct Stats {
    requests: usize,
    errors: usize,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `conns` clients, each with one keep-alive connection, requesting `url` for `secs`.
async fn drive(url: &str, conns: usize, secs: f64) -> Stats {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .cookie_store(true)
                .build()
                .expect("client");
            let mut times = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
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
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    Stats {
        requests: all.len(),
        errors,
        per_sec: all.len() as f64 / elapsed,
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
    }
}

fn anonymous() -> Ctx {
    Ctx {
        tr: Tr(Lang::Zh),
        user: None,
        csrf: String::new(),
        unread: 0,
        here: "/".into(),
        elder: false,
        place: Default::default(),
    }
}

async fn liutang(state: &AppState) -> Result<communities::Community, AppError> {
    state
        .db(|conn| communities::by_slug(conn, "liutang")?.ok_or(AppError::NotFound))
        .await
}

/// The item page with no middleware, session or language lookup.
async fn bare_item(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let community = liutang(&state).await?;
    let on = OnItem {
        ctx: anonymous(),
        community,
        actor: Actor::default(),
        id: id.into_inner(),
    };
    on.show(&state, None).await
}

async fn bare_list(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let community = liutang(&state).await?;
    list_page(
        &state,
        anonymous(),
        community,
        &Actor::default(),
        ListParams::default(),
    )
    .await
}

fn new_item(
    community_id: i64,
    author_id: i64,
    title: &str,
    now: chrono::NaiveDateTime,
) -> agenda::NewItem<'_> {
    agenda::NewItem {
        community_id,
        author_id,
        origin: agenda::ORIGIN_PROPOSAL,
        title,
        body: "三组到五组之间的路面坑洼，雨天积水，建议尽快修补。",
        category: "infrastructure",
        stage: Stage::Proposed,
        major: false,
        threshold: 4,
        respond_by: now,
    }
}

/// Demo data, plus an item with 200 comments and enough items for a list of 50.
async fn seed(state: &AppState) -> i64 {
    let now = yishi::clock::Clock::now(&*state.clock);
    let data = state.config.data_dir();
    state
        .db(move |conn| yishi::demo::load(conn, &data, now))
        .await
        .expect("demo");
    state
        .db(move |conn| {
            let c = communities::by_slug(conn, "liutang")?.ok_or(AppError::NotFound)?;
            let residents: Vec<i64> = communities::members(conn, c.id)?
                .into_iter()
                .filter(|m| m.role == "resident")
                .map(|m| m.user_id)
                .collect();
            let item = agenda::insert(
                conn,
                &new_item(
                    c.id,
                    residents[0],
                    "兴和小区停车难：建议利用围墙外空地画线停车",
                    now,
                ),
                now,
            )?;
            for i in 0..200 {
                comments::insert(
                    conn,
                    &comments::NewComment {
                        community_id: c.id,
                        target: comments::Target::Item(item),
                        parent_id: None,
                        author_id: residents[i % residents.len()],
                        body: COMMENT,
                        stance: Some(["support", "oppose", "neutral"][i % 3]),
                        official: i % 50 == 0,
                    },
                    now,
                )?;
            }
            for i in 0..45 {
                let title = format!("村务事项第{i}号");
                agenda::insert(
                    conn,
                    &new_item(c.id, residents[i % residents.len()], &title, now),
                    now,
                )?;
            }
            Ok(item)
        })
        .await
        .expect("seed")
}

async fn run(backend: &str, url: &str, secs: f64) {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::with_database(url);
    config.data_dir = Some(dir.path().join("data"));
    config.workers = Some(2);
    config.db_pool = 8;
    let app = Application::build(config).expect("app");
    let port = app.port();
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    let item = seed(&state).await;
    let bare_state = state.clone();
    let bare = HttpServer::new(move || {
        App::new()
            .app_data(bare_state.clone())
            .route("/bare/item/{id}", web::get().to(bare_item))
            .route("/bare/list", web::get().to(bare_list))
    })
    .workers(2)
    .bind("127.0.0.1:0")
    .expect("bind");
    let bare_port = bare.addrs()[0].port();
    tokio::spawn(bare.run());

    let pages = [
        (
            "item, 200 comments",
            format!("/c/liutang/items/{item}"),
            format!("/bare/item/{item}"),
        ),
        (
            "list of 50 items",
            "/c/liutang/items".to_string(),
            "/bare/list".to_string(),
        ),
    ];
    println!("\n{backend}");
    println!(
        "{:<20} {:>5} {:>10} {:>9} {:>8} {:>8} {:>10} {:>8}",
        "page", "conns", "mode", "requests", "req/s", "p50 ms", "p99 ms", "of bound"
    );
    for (name, real, bound) in &pages {
        for conns in [1, 32] {
            let b = drive(&format!("http://127.0.0.1:{bare_port}{bound}"), conns, secs).await;
            let r = drive(&format!("http://127.0.0.1:{port}{real}"), conns, secs).await;
            for (mode, s) in [("bare", &b), ("real", &r)] {
                let share = if mode == "real" {
                    format!("{:.0}%", 100.0 * r.per_sec / b.per_sec)
                } else {
                    String::new()
                };
                println!(
                    "{:<20} {:>5} {:>10} {:>9} {:>8.0} {:>8.2} {:>10.2} {:>8}{}",
                    name,
                    conns,
                    mode,
                    s.requests,
                    s.per_sec,
                    s.p50_ms,
                    s.p99_ms,
                    share,
                    if s.errors > 0 {
                        format!("  ({} errors)", s.errors)
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
}

fn main() {
    let secs: f64 = std::env::var("YISHI_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "yishi agenda benchmark: {secs} s per measurement, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        run(
            "SQLite",
            &format!("sqlite://{}", dir.path().join("bench.db").display()),
            secs,
        )
        .await;
        let admin = std::env::var("YISHI_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match diesel::PgConnection::establish(&admin) {
            Ok(mut conn) => {
                let name = format!("yishi_bench_{}", std::process::id());
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create database");
                let mut url = url::Url::parse(&admin).expect("url");
                url.set_path(&name);
                run("PostgreSQL", url.as_str(), secs).await;
                let _ = conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
            }
            Err(e) => println!("\nPostgreSQL: not measured (cannot connect to {admin}: {e})"),
        }
    });
}
