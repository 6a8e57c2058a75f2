//! Ballot benchmark, on SQLite and on PostgreSQL, through a real server on a free port:
//!
//! 1. votes per second sustained over HTTP on an open secret residents' ballot, every vote
//!    a durable commit (SQLite in WAL with `synchronous = FULL`, PostgreSQL with `fsync` and
//!    `synchronous_commit` on), from 1 and from 32 concurrent connections; each voter loads
//!    the ballot page for its CSRF token and tracker first (not timed). Afterwards the rows
//!    in `ballot_voters` must equal the number of 200 answers; then a burst: 1,000 voters
//!    send their vote at the same moment, each on its own connection (the rate, and the
//!    slowest 200: how long the last of them waited; any 503 "busy" is listed);
//! 2. closing and tallying a ballot of 100,000 votes: 100,000 residents and their votes are
//!    written straight into the database, then the real closing transaction
//!    (`yishi::ballots::service::close_one`) is timed;
//! 3. its decision page (first 500 rows of the board), a tracker search, the CSV download
//!    of the whole board (plain and gzip) and the JSON download.
//!
//! 4. a villagers' meeting in the hall and online at once opened on a roster of 10,000 more
//!    persons (the roll frozen from the roster in the opening transaction), then the
//!    clerk's register: a name search, the whole printable register, one signing in.
//!
//! Run with `cargo bench --bench ballots`. Knobs:
//! `YISHI_BENCH_VOTERS` (default 4000) voters per concurrency level;
//! `YISHI_BENCH_BURST` (default 1000) voters in the burst;
//! `YISHI_BENCH_SECS` (default 30) longest a voting measurement may run;
//! `YISHI_BENCH_BOARD` (default 100000) votes on the big ballot;
//! `YISHI_BENCH_REQUESTS` (default 20) sequential requests per board page;
//! `YISHI_BENCH_ROSTER` (default 10000) persons added to the roster for part 4;
//! `YISHI_BENCH_ONLY=roster` runs part 4 alone;
//! `YISHI_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) the
//! server on which a scratch database is made and dropped.

#[path = "../tests/common/voters.rs"]
mod voters;

#[path = "support/mod.rs"]
mod support;
use support::{count, insert_rows, knob, ms, pick, postgres_admin_url};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use rand::Rng;
use yishi::agenda::model as agenda;
use yishi::agenda::rules::Stage;
use yishi::ballots::model as ballots;
use yishi::ballots::rules::{Body, Rule};
use yishi::ballots::tracker;
use yishi::clock::FixedClock;
use yishi::communities::model as communities;
use yishi::config::Config;
use yishi::db::{write_tx, AnyConnection, Backend};
use yishi::error::AppError;
use yishi::schema::{agenda_items, households, users};
use yishi::startup::Application;
use yishi::web::AppState;

const COMMITTEE: &str = "13810000002";
const BIG_SLUG: &str = "wanren";

struct Knobs {
    voters: usize,
    /// Voters who all send their vote at the same moment, each on its own connection.
    burst: usize,
    secs: f64,
    board: usize,
    requests: usize,
}

/// One line of the final table.
struct Row {
    backend: &'static str,
    what: String,
    count: String,
    rate: String,
    p50: String,
    p99: String,
    note: String,
}

fn start_time() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .expect("valid time")
}

// ---- HTTP helpers ----

struct Resp {
    status: u16,
    location: String,
    body: String,
}

fn http_client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(cookies)
        .pool_max_idle_per_host(1)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn finish(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.text().await.unwrap_or_default();
    Resp {
        status,
        location,
        body,
    }
}

async fn get(client: &reqwest::Client, url: &str, cookie: Option<&str>) -> Resp {
    let mut req = client.get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    finish(req.send().await.expect("GET")).await
}

async fn post(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> Resp {
    let r = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).expect("form"))
        .send()
        .await
        .expect("POST");
    finish(r).await
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Posts a form as the committee client (cookie store), with its CSRF token.
async fn committee_post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let page = get(client, &format!("{base}/signin"), None).await;
    let token = hidden(&page.body, "_csrf").expect("a CSRF token");
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    post(client, &format!("{base}{path}"), &all).await
}

// ---- 1. votes over HTTP ----

#[derive(Clone)]
struct Voter {
    cookie: String,
    csrf: String,
    tracker: String,
    seal: String,
    choice: usize,
}

/// Each voter loads the ballot page (16 at a time): its CSRF token and its tracker (with
/// the tracker's seal).
async fn load_forms(
    base: &str,
    ballot: &str,
    cookie_name: &str,
    tokens: Vec<String>,
) -> Vec<Voter> {
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (tokens, next) = (tokens.clone(), next.clone());
        let url = format!("{base}{ballot}");
        let cookie_name = cookie_name.to_string();
        tasks.push(tokio::spawn(async move {
            let client = http_client(false);
            let mut got = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(token) = tokens.get(i) else { break };
                let cookie = format!("{cookie_name}={token}");
                let page = get(&client, &url, Some(&cookie)).await;
                assert_eq!(page.status, 200, "ballot page for voter {i}");
                let csrf = hidden(&page.body, "_csrf").expect("CSRF token on the ballot page");
                let tracker = hidden(&page.body, "tracker").expect("tracker on the ballot page");
                let seal = hidden(&page.body, "tracker_seal").expect("the tracker's seal");
                got.push(Voter {
                    cookie,
                    csrf,
                    tracker,
                    seal,
                    choice: i % 3,
                });
            }
            got
        }));
    }
    let mut voters = Vec::new();
    for t in tasks {
        voters.extend(t.await.expect("form task"));
    }
    voters
}

struct VoteStats {
    ok: usize,
    statuses: BTreeMap<u16, usize>,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    /// The longest any voter waited for a 200: in a burst, the last of them.
    slowest: Duration,
}

/// `conns` connections casting the voters' votes as fast as they are answered, until the
/// voters run out or `secs` pass.
async fn vote_phase(url: String, voters: Vec<Voter>, conns: usize, secs: f64) -> VoteStats {
    let voters = Arc::new(voters);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (voters, next, url) = (voters.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let client = http_client(false);
            let mut times = Vec::new();
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(v) = voters.get(i) else { break };
                let choice = v.choice.to_string();
                let body = serde_urlencoded::to_string([
                    ("_csrf", v.csrf.as_str()),
                    ("choice", choice.as_str()),
                    ("tracker", v.tracker.as_str()),
                    ("tracker_seal", v.seal.as_str()),
                ])
                .expect("form");
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("cookie", &v.cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await;
                let status = match r {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                if status == 200 {
                    times.push(t.elapsed());
                }
                *statuses.entry(status).or_default() += 1;
            }
            (times, statuses)
        }));
    }
    let mut all = Vec::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for t in tasks {
        let (times, s) = t.await.expect("vote task");
        all.extend(times);
        for (k, n) in s {
            *statuses.entry(k).or_default() += n;
        }
    }
    let elapsed = started.elapsed();
    all.sort();
    VoteStats {
        ok: all.len(),
        statuses,
        elapsed,
        p50: pick(&all, 0.50),
        p99: pick(&all, 0.99),
        slowest: all.last().copied().unwrap_or_default(),
    }
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

fn setting(conn: &mut AnyConnection, sql: &str) -> Result<String, AppError> {
    Ok(diesel::sql_query(sql).get_result::<Setting>(conn)?.value)
}

/// The durability settings the app's own connections run with.
async fn durability(state: &AppState) -> String {
    state
        .db(|conn| {
            Ok(match yishi::db::backend(conn) {
                Backend::Sqlite => format!(
                    "journal_mode={}, synchronous={} (2 = FULL)",
                    setting(
                        conn,
                        "SELECT journal_mode AS value FROM pragma_journal_mode"
                    )?,
                    setting(
                        conn,
                        "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous"
                    )?
                ),
                Backend::Postgres => format!(
                    "fsync={}, synchronous_commit={}, wal_sync_method={}",
                    setting(conn, "SELECT current_setting('fsync') AS value")?,
                    setting(
                        conn,
                        "SELECT current_setting('synchronous_commit') AS value"
                    )?,
                    setting(conn, "SELECT current_setting('wal_sync_method') AS value")?
                ),
            })
        })
        .await
        .expect("settings")
}

/// (ballot_voters, ballot_choices, cast_count) of a ballot.
async fn ballot_counts(state: &AppState, id: i64) -> (i64, i64, i64) {
    state
        .db(move |conn| {
            Ok((
                count(
                    conn,
                    &format!("SELECT COUNT(*) AS n FROM ballot_voters WHERE ballot_id = {id}"),
                )?,
                count(
                    conn,
                    &format!("SELECT COUNT(*) AS n FROM ballot_choices WHERE ballot_id = {id}"),
                )?,
                count(
                    conn,
                    &format!("SELECT cast_count AS n FROM ballots WHERE id = {id}"),
                )?,
            ))
        })
        .await
        .expect("counts")
}

async fn votes(
    backend: &'static str,
    base: &str,
    state: &AppState,
    clock: &FixedClock,
    k: &Knobs,
    rows: &mut Vec<Row>,
) {
    let now = state.clock.now();
    let t = Instant::now();
    let data = state.config.data_dir();
    state
        .db(move |conn| yishi::demo::load(conn, &data, now))
        .await
        .expect("demo");
    let n = k.voters * 2 + k.burst;
    let tokens = state
        .db(move |conn| voters::make_voters(conn, "liutang", 0, n, now))
        .await
        .expect("voters");
    println!(
        "  demo and {n} voters with sessions: {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The committee puts an item to a secret online vote of all residents, over HTTP.
    let committee = http_client(true);
    let r = committee_post(
        &committee,
        base,
        "/signin",
        &[
            ("contact", COMMITTEE),
            ("password", yishi::demo::DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "committee sign-in: {}", r.body);
    let r = committee_post(
        &committee,
        base,
        "/c/liutang/items",
        &[
            ("title", "村集体收入用于修建文化广场"),
            ("body", "说明"),
            ("category", "economy"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "new item: {}", r.body);
    let item = r.location;
    let r = committee_post(
        &committee,
        base,
        &format!("{item}/stage"),
        &[("to", "deliberating")],
    )
    .await;
    assert_eq!(r.status, 303, "deliberating: {}", r.body);
    // A villagers' meeting opens 10 days after its convening notice (art. 21): the notice is
    // published with the clock set back.
    let back = chrono::Duration::days(10);
    let meets = format!("{} 23:00", yishi::clock::local_day(state.clock.now()));
    clock.advance(-back);
    let r = committee_post(
        &committee,
        base,
        &format!("{item}/notice"),
        &[
            ("body", "residents"),
            ("meets_at", meets.as_str()),
            ("place", "村委会议室"),
            ("matters", "表决本议题"),
            ("online", "在议题页投票"),
        ],
    )
    .await;
    clock.advance(back);
    assert_eq!(r.status, 303, "convening notice: {}", r.body);
    let r = committee_post(
        &committee,
        base,
        &format!("{item}/ballots"),
        &[
            ("body", "residents"),
            ("mode", "online"),
            ("closes_at", "2026-11-28 12:00"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "opening the ballot: {}", r.body);
    let ballot = r.location;
    let ballot_id: i64 = ballot
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("ballot id");

    let cookie_name = state.config.session_cookie();
    let t = Instant::now();
    let tokens = tokens.into_iter().map(|(_, t)| t).collect();
    let mut voters = load_forms(base, &ballot, cookie_name, tokens).await;
    println!(
        "  {} ballot pages loaded for their forms: {:.1} s",
        voters.len(),
        t.elapsed().as_secs_f64()
    );
    let url = format!("{base}{ballot}/vote");
    let mut ok_total = 0;
    for conns in [1, 32, k.burst] {
        let size = if conns == k.burst { k.burst } else { k.voters };
        let batch: Vec<Voter> = voters.drain(..size.min(voters.len())).collect();
        let offered = batch.len();
        let s = vote_phase(url.clone(), batch, conns, k.secs).await;
        ok_total += s.ok;
        let (cast, board, counter) = ballot_counts(state, ballot_id).await;
        let verified = cast == ok_total as i64 && board == cast && counter == cast;
        let others: Vec<String> = s
            .statuses
            .iter()
            .filter(|(st, _)| **st != 200)
            .map(|(st, n)| format!("{n}×{st}"))
            .collect();
        let note = format!(
            "{:.1} s; slowest 200 {} ms; rows in ballot_voters {cast} {} 200 answers {ok_total}{}{}",
            s.elapsed.as_secs_f64(),
            ms(s.slowest),
            if verified { "=" } else { "≠" },
            if board == cast && counter == cast {
                String::new()
            } else {
                format!(" (board {board}, cast_count {counter})")
            },
            if others.is_empty() {
                String::new()
            } else {
                format!("; other answers: {}", others.join(", "))
            }
        );
        println!(
            "  vote, {conns:>2} conns: {} of {offered} recorded, {:.0} votes/s, p50 {} ms, p99 {} ms; {note}",
            s.ok,
            s.ok as f64 / s.elapsed.as_secs_f64(),
            ms(s.p50),
            ms(s.p99),
        );
        rows.push(Row {
            backend,
            what: if conns == k.burst {
                format!("burst: {conns} voters at once")
            } else {
                format!(
                    "vote over HTTP, {conns} conn{}",
                    if conns > 1 { "s" } else { "" }
                )
            },
            count: s.ok.to_string(),
            rate: format!("{:.0}/s", s.ok as f64 / s.elapsed.as_secs_f64()),
            p50: ms(s.p50),
            p99: ms(s.p99),
            note,
        });
    }
}

// ---- 2. closing 100,000 votes ----

struct Big {
    community_id: i64,
    ballot_id: i64,
    item_id: i64,
    /// A tracker on the board, to search for.
    known: String,
}

/// A village of `n` residents (three to a household), an item at the vote, a secret
/// online ballot of all of them, and a vote from each (60 % for, 30 % against, 10 %
/// abstaining), all in one transaction. Returns the ballot and how long opening it (the
/// electorate frozen by `ballots::open`) took.
fn seed_big(
    conn: &mut AnyConnection,
    n: usize,
    now: NaiveDateTime,
) -> Result<(Big, Duration), AppError> {
    write_tx(conn, |conn| {
        let ts = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let township = communities::by_slug(conn, "dongxi")?.map(|c| c.id);
        let cid = communities::insert_community(
            conn,
            township,
            communities::KIND_VILLAGE,
            BIG_SLUG,
            "万人村",
            "十万村民的表决，用来测量计票。",
            now,
        )?;
        insert_rows(
            conn,
            "INSERT INTO users (phone, display_name, password_hash, locale, created_at)",
            (0..n).map(|i| format!("('150{i:08}', '村民{i}', 'x', 'zh-CN', '{ts}')")),
        )?;
        let uids: Vec<i64> = users::table
            .filter(users::phone.like("150%"))
            .order(users::id)
            .select(users::id)
            .load(conn)?;
        assert_eq!(uids.len(), n);
        insert_rows(
            conn,
            "INSERT INTO households (community_id, address, created_at)",
            (0..n.div_ceil(3)).map(|h| format!("({cid}, '万人村{h}号', '{ts}')")),
        )?;
        let hids: Vec<i64> = households::table
            .filter(households::community_id.eq(cid))
            .order(households::id)
            .select(households::id)
            .load(conn)?;
        insert_rows(
            conn,
            "INSERT INTO memberships (community_id, user_id, role, household_id, created_at)",
            uids.iter()
                .enumerate()
                .map(|(i, u)| format!("({cid}, {u}, 'resident', {}, '{ts}')", hids[i / 3])),
        )?;
        let item_id = agenda::insert(
            conn,
            &agenda::NewItem {
                community_id: cid,
                author_id: uids[0],
                origin: agenda::ORIGIN_COMMITTEE,
                title: "全村道路硬化工程",
                body: "十万村民表决。",
                category: "infrastructure",
                stage: Stage::Voting,
                major: false,
                threshold: 0,
                respond_by: now,
            },
            now,
        )?;
        let opened = Instant::now();
        let ballot_id = ballots::open(
            conn,
            &ballots::NewBallot {
                community_id: cid,
                item_id,
                body: Body::Residents,
                mode: ballots::ONLINE,
                options: "",
                rule: &Rule::preset(Body::Residents),
                opens_at: now,
                closes_at: now + chrono::Duration::days(1),
                created_by: uids[0],
                grid_id: None,
                // The accounts seeded here are the electorate (the old path); opening on
                // a roster is measured by tests/ballots.rs (opening_on_a_roster_of_ten_thousand).
                from_roster: false,
            },
            now,
        )?;
        let opened = opened.elapsed();
        insert_rows(
            conn,
            "INSERT INTO ballot_voters (ballot_id, voter_key, user_id, household_id, choice)",
            uids.iter()
                .enumerate()
                .map(|(i, u)| format!("({ballot_id}, {u}, {u}, {}, NULL)", hids[i / 3])),
        )?;
        let mut rng = rand::thread_rng();
        let mut known = String::new();
        insert_rows(
            conn,
            "INSERT INTO ballot_choices (ballot_id, tracker, choice)",
            (0..n).map(|i| {
                let t = tracker::generate();
                if i == 0 {
                    known = t.clone();
                }
                let choice = match rng.gen_range(0..10) {
                    0..=5 => 0,
                    6..=8 => 1,
                    _ => 2,
                };
                format!("({ballot_id}, '{t}', {choice})")
            }),
        )?;
        conn.batch_execute(&format!(
            "UPDATE ballots SET cast_count = {n} WHERE id = {ballot_id}"
        ))?;
        Ok((
            Big {
                community_id: cid,
                ballot_id,
                item_id,
                known: known.clone(),
            },
            opened,
        ))
    })
}

async fn close_big(
    backend: &'static str,
    state: &AppState,
    k: &Knobs,
    rows: &mut Vec<Row>,
) -> (Big, i64) {
    let now = state.clock.now();
    let n = k.board;
    let t = Instant::now();
    let (big, opened) = state
        .db(move |conn| seed_big(conn, n, now))
        .await
        .expect("seed 100k");
    let seeded = t.elapsed();
    // On PostgreSQL autovacuum would have analyzed tables that grew like this long before
    // a real ballot closed; do it now rather than wait for it.
    state
        .db(|conn| {
            if yishi::db::backend(conn) == Backend::Postgres {
                conn.batch_execute("ANALYZE")?;
            }
            Ok(())
        })
        .await
        .expect("analyze");
    println!(
        "  {n} residents, electors, voters and board rows written in one transaction: {:.1} s",
        seeded.as_secs_f64()
    );
    let electorate = state
        .db({
            let (cid, bid) = (big.community_id, big.ballot_id);
            move |conn| Ok(ballots::find(conn, cid, bid)?.map(|b| b.electorate))
        })
        .await
        .expect("ballot")
        .unwrap_or(0);
    rows.push(Row {
        backend,
        what: format!("open ballot: freeze {electorate} electors"),
        count: "1".into(),
        rate: String::new(),
        p50: ms(opened),
        p99: String::new(),
        note: "ballots::open, inside the seeding transaction".into(),
    });

    let later = now + chrono::Duration::days(2);
    let (cid, bid) = (big.community_id, big.ballot_id);
    let t = Instant::now();
    let decision = state
        .db(move |conn| yishi::ballots::service::close_one(conn, cid, bid, later))
        .await
        .expect("close_one")
        .expect("the ballot was due");
    let closing = t.elapsed();

    // What the closing published, and the part of it that reads and hashes the board.
    let item_id = big.item_id;
    let (d, stage, board_read) = state
        .db(move |conn| {
            let d = ballots::decision(conn, cid, decision)?.ok_or(AppError::NotFound)?;
            let stage: String = agenda_items::table
                .find(item_id)
                .select(agenda_items::stage)
                .first(conn)?;
            let t = Instant::now();
            let digest = ballots::board_digest(&ballots::board(conn, bid, None, i64::MAX)?);
            let read = t.elapsed();
            assert_eq!(
                digest, d.board_sha256,
                "the published digest is the board's"
            );
            Ok((d, stage, read))
        })
        .await
        .expect("decision");
    assert_eq!(d.present, n as i64);
    println!(
        "  close_one over {n} votes: {:.3} s (board read + SHA-256 alone {:.3} s); counts {}, verdict {}, item now {stage}",
        closing.as_secs_f64(),
        board_read.as_secs_f64(),
        d.counts,
        d.verdict
    );
    rows.push(Row {
        backend,
        what: format!("close + tally {n} votes (close_one)"),
        count: "1".into(),
        rate: String::new(),
        p50: ms(closing),
        p99: String::new(),
        note: format!(
            "counts {}, {}, item → {stage}; board read + SHA-256 alone {} ms",
            d.counts,
            d.verdict,
            ms(board_read)
        ),
    });
    (big, decision)
}

// ---- 3. the board ----

/// `reqs` sequential requests for `url` on one keep-alive connection, after one untimed
/// request whose body `check` must accept. Returns the sorted times and the body size.
async fn pages(
    url: &str,
    headers: &[(&str, &str)],
    reqs: usize,
    check: impl Fn(&[u8]) -> bool,
) -> (Vec<Duration>, usize) {
    let client = http_client(false);
    let send = |client: &reqwest::Client| {
        let mut req = client.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    let first = send(&client).await.expect("GET");
    assert_eq!(first.status().as_u16(), 200, "{url}");
    let body = first.bytes().await.expect("body");
    assert!(check(&body), "unexpected answer from {url}");
    let size = body.len();
    let mut times = Vec::with_capacity(reqs);
    for _ in 0..reqs {
        let t = Instant::now();
        let r = send(&client).await.expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{url}");
        let _ = r.bytes().await;
        times.push(t.elapsed());
    }
    times.sort();
    (times, size)
}

/// What an answer's body must satisfy.
type Check = Box<dyn Fn(&[u8]) -> bool>;

/// One page to time: what it is, its URL, whether to ask for gzip, and what its body must
/// satisfy.
struct Case {
    what: String,
    url: String,
    gzip: bool,
    check: Check,
}

/// A check that a body contains `needle`.
fn has(needle: String) -> Check {
    Box::new(move |b: &[u8]| String::from_utf8_lossy(b).contains(&needle))
}

async fn board_pages(
    backend: &'static str,
    base: &str,
    big: &Big,
    decision: i64,
    k: &Knobs,
    rows: &mut Vec<Row>,
) {
    let n = k.board;
    let page = format!("{base}/c/{BIG_SLUG}/decisions/{decision}");
    let prefix = &big.known[..6];
    let grouped = tracker::grouped(&big.known);
    let rows_text = format!("id=\"board-count\">票面共 {n} 行");
    let case = |what: String, url: String, gzip: bool, check: Check| Case {
        what,
        url,
        gzip,
        check,
    };
    let cases = vec![
        case(
            "decision page (500 board rows)".into(),
            page.clone(),
            false,
            has(rows_text),
        ),
        case(
            format!("tracker search ({} chars)", prefix.len()),
            format!("{page}?tracker={}", prefix.to_lowercase()),
            false,
            has(grouped),
        ),
        case(
            format!("board.csv ({n} rows)"),
            format!("{page}/board.csv"),
            false,
            Box::new(move |b: &[u8]| b.iter().filter(|c| **c == b'\n').count() == n + 1),
        ),
        case(
            format!("board.csv ({n} rows), gzip"),
            format!("{page}/board.csv"),
            true,
            Box::new(|b: &[u8]| b.starts_with(&[0x1f, 0x8b])),
        ),
        case(
            format!("decision.json ({n} rows)"),
            format!("{page}/decision.json"),
            false,
            has(format!("\"tracker\":\"{}\"", big.known)),
        ),
    ];
    for Case {
        what,
        url,
        gzip,
        check,
    } in cases
    {
        let headers: &[(&str, &str)] = if gzip {
            &[("accept-encoding", "gzip")]
        } else {
            &[]
        };
        let (times, size) = pages(&url, headers, k.requests, check).await;
        let total: Duration = times.iter().sum();
        let per_sec = times.len() as f64 / total.as_secs_f64();
        let (p50, p99) = (pick(&times, 0.50), pick(&times, 0.99));
        println!(
            "  {what}: {per_sec:.1} req/s, p50 {} ms, p99 {} ms, {} KB",
            ms(p50),
            ms(p99),
            size / 1024
        );
        rows.push(Row {
            backend,
            what,
            count: times.len().to_string(),
            rate: format!("{per_sec:.1}/s"),
            p50: ms(p50),
            p99: ms(p99),
            note: format!("{} KB a response, 1 connection", size / 1024),
        });
    }
}

/// Part 4: opening a mixed villagers' meeting on a big roster, and its register.
async fn roster_meeting(backend: &'static str, state: &AppState, rows: &mut Vec<Row>) {
    let n: usize = knob("YISHI_BENCH_ROSTER", 10_000);
    let now = start_time();
    let day = yishi::clock::local_day(now);
    let timed = state
        .db(move |conn| {
            let township = communities::by_slug(conn, "dongxi")?.map(|c| c.id);
            let cid = communities::insert_community(
                conn,
                township,
                communities::KIND_VILLAGE,
                "mingce",
                "名册村",
                "一万人的名册，用来测量开会。",
                now,
            )?;
            let adults = voters::big_roster(conn, "mingce", n, day, now)?;
            let ts = now.format("%Y-%m-%d %H:%M:%S").to_string();
            insert_rows(
                conn,
                "INSERT INTO users (phone, display_name, password_hash, locale, created_at)",
                std::iter::once(format!("('15999999999', '书记员', 'x', 'zh-CN', '{ts}')")),
            )?;
            let author: i64 = users::table
                .filter(users::phone.eq("15999999999"))
                .select(users::id)
                .first(conn)?;
            let item_id = agenda::insert(
                conn,
                &agenda::NewItem {
                    community_id: cid,
                    author_id: author,
                    origin: agenda::ORIGIN_COMMITTEE,
                    title: "万人名册上的村民会议",
                    body: "会场和网上同时表决。",
                    category: "other",
                    stage: Stage::Voting,
                    major: false,
                    threshold: 0,
                    respond_by: now,
                },
                now,
            )?;
            let started = Instant::now();
            let id = write_tx(conn, |conn| {
                Ok(ballots::open(
                    conn,
                    &ballots::NewBallot {
                        community_id: cid,
                        item_id,
                        body: Body::Residents,
                        mode: ballots::MIXED,
                        options: "",
                        rule: &Rule::preset(Body::Residents),
                        opens_at: now,
                        closes_at: now + chrono::Duration::hours(4),
                        created_by: author,
                        grid_id: None,
                        from_roster: true,
                    },
                    now,
                )?)
            })?;
            let opened = started.elapsed();
            let ballot = ballots::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let started = Instant::now();
            let found = yishi::ballots::attendance::register(conn, &ballot, Some("村民1"), 30)?;
            let search = started.elapsed();
            let started = Instant::now();
            let sheet = yishi::ballots::attendance::register(conn, &ballot, None, i64::MAX)?;
            let whole = started.elapsed();
            let person = found.first().map(|r| r.person_id).unwrap_or(0);
            let started = Instant::now();
            let signed = write_tx(conn, |conn| {
                yishi::ballots::service::sign_in(conn, &ballot, person, author, now)
            })?;
            let sign = started.elapsed();
            assert!(signed.is_ok(), "signed in: {signed:?}");
            Ok((
                adults,
                ballot.electorate,
                opened,
                search,
                sheet.len(),
                whole,
                sign,
            ))
        })
        .await
        .expect("a meeting on a big roster");
    let (adults, electorate, opened, search, sheet, whole, sign) = timed;
    let row = |what: String, count: String, d: Duration, note: String| Row {
        backend,
        what,
        count,
        rate: String::new(),
        p50: ms(d),
        p99: String::new(),
        note,
    };
    rows.push(row(
        format!("open a mixed meeting, roster +{n}"),
        electorate.to_string(),
        opened,
        format!("{adults} of the {n} are adults still listed; the roll written in the opening transaction"),
    ));
    rows.push(row(
        "register: name search".into(),
        "30".into(),
        search,
        "one query, at most 30 persons".into(),
    ));
    rows.push(row(
        "register: whole sheet for printing".into(),
        sheet.to_string(),
        whole,
        "one query, by household".into(),
    ));
    rows.push(row(
        "register: one signing in".into(),
        "1".into(),
        sign,
        "a committed transaction".into(),
    ));
}

async fn run(backend: &'static str, url: &str, k: &Knobs, rows: &mut Vec<Row>) {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::with_database(url);
    config.data_dir = Some(dir.path().join("data"));
    config.workers = Some(2);
    config.db_pool = 8;
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = Application::build_with_clock(config, clock.clone()).expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    println!("\n{backend}: {}", durability(&state).await);
    roster_meeting(backend, &state, rows).await;
    if std::env::var("YISHI_BENCH_ONLY").as_deref() == Ok("roster") {
        return;
    }
    votes(backend, &base, &state, &clock, k, rows).await;
    let (big, decision) = close_big(backend, &state, k, rows).await;
    board_pages(backend, &base, &big, decision, k, rows).await;
}

fn main() {
    let k = Knobs {
        voters: knob("YISHI_BENCH_VOTERS", 4000),
        burst: knob("YISHI_BENCH_BURST", 1000),
        secs: knob("YISHI_BENCH_SECS", 30.0),
        board: knob("YISHI_BENCH_BOARD", 100_000),
        requests: knob("YISHI_BENCH_REQUESTS", 20),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "yishi ballot benchmark: {} voters per level (at most {} s each), a board of {}, {} requests per page, {} cores",
        k.voters,
        k.secs,
        k.board,
        k.requests,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let started = Instant::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        run(
            "SQLite",
            &format!("sqlite://{}", dir.path().join("bench.db").display()),
            &k,
            &mut rows,
        )
        .await;
        let admin = postgres_admin_url();
        match diesel::PgConnection::establish(&admin) {
            Ok(mut conn) => {
                let name = format!("yishi_bench_ballots_{}", std::process::id());
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
    println!(
        "\n{:<11} {:<40} {:>6} {:>9} {:>10} {:>10}  notes",
        "backend", "measurement", "count", "rate", "p50 ms", "p99 ms"
    );
    for r in &rows {
        println!(
            "{:<11} {:<40} {:>6} {:>9} {:>10} {:>10}  {}",
            r.backend, r.what, r.count, r.rate, r.p50, r.p99, r.note
        );
    }
    println!(
        "(a single operation shows its time under p50 ms; with {} requests a page's p99 is its slowest; whole run {:.0} s)",
        k.requests,
        started.elapsed().as_secs_f64()
    );
}
