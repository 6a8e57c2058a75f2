//! Every vote acknowledged before the server is SIGKILLed mid-stream is counted after a restart.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use yishi::schema::{ballot_choices, ballot_voters, ballots};

use crate::both;
use crate::common::ballots::{ballot_id, sealed_tracker};
use crate::common::page::number_by_id;
use crate::common::{csrf_in, Backend, Client, TestDb, DEMO_PASSWORD};

/// Voters in the electorate; the server is killed after about a third of them are heard.
const VOTERS: usize = 300;
const KILL_AFTER: usize = 100;
/// Concurrent streams of votes.
const STREAMS: usize = 8;
/// What the page says when a vote is recorded.
const ACK: &str = "你的票已经记录";

/// A `yishi serve` child process; SIGKILLed when dropped, so a failing test leaves none behind.
struct Server {
    child: Child,
    base: String,
    /// The demo's sign-ins (role → contact), when it was started with `--demo`.
    signins: HashMap<String, String>,
}

impl Server {
    /// SIGKILL (what `Child::kill` sends on Unix), then reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `yishi serve` on `db` (on a port of its choosing) and waits until `/healthz`
/// answers.
async fn start(db: &TestDb, demo: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yishi"));
    cmd.arg("serve");
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .env("YISHI_DATABASE_URL", &db.url)
        .env("YISHI_BIND", "127.0.0.1:0")
        .env("YISHI_DATA_DIR", db.dir.path().join("data"))
        .env("YISHI_COOKIE_SECURE", "false")
        .env("YISHI_JOB_INTERVAL", "0")
        .env("YISHI_MAIL_INTERVAL", "0")
        .env("YISHI_LOG", "warn")
        .env("YISHI_WORKERS", "2")
        .env("YISHI_DB_POOL", "8")
        .env_remove("YISHI_BASE_URL")
        .env_remove("YISHI_SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("yishi serve starts");
    // Read the demo sign-ins and the address, then keep draining stdout so that the
    // child never blocks on a full pipe.
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut signins = HashMap::new();
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("yishi is serving on ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send((url.trim().to_string(), std::mem::take(&mut signins)));
                }
            } else if tx.is_some() {
                let words: Vec<&str> = line.split_whitespace().collect();
                if let [role, contact, ..] = words[..] {
                    signins.insert(role.to_string(), contact.to_string());
                }
            }
        }
    });
    let mut server = Server {
        child,
        base: String::new(),
        signins: HashMap::new(),
    };
    // The demo is loaded (passwords hashed, photos drawn) before the server listens: on a
    // loaded machine that can take minutes. A server that dies is caught by the closed
    // channel at once; the timeout is only a backstop.
    let (base, signins) = tokio::time::timeout(Duration::from_secs(600), rx)
        .await
        .expect("the server listens within ten minutes")
        .expect("the server exited before it listened");
    server.base = base;
    server.signins = signins;
    let http = reqwest::Client::new();
    // Generous: with --demo, start-up hashes the demo's passwords, slow on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = http
            .get(format!("{}/healthz", server.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if matches!(&r, Ok(r) if r.status() == 200) {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the server exited ({status}) before /healthz answered");
        }
        assert!(Instant::now() < deadline, "/healthz never answered: {r:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A residents' ballot on a new item; returns the ballot's path.
async fn open_ballot(committee: &Client, url: &str) -> String {
    // The server runs on the real clock; a ballot closes within a year of its opening.
    let closes = (chrono::Utc::now().naive_utc() + chrono::Duration::days(30))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let item = crate::common::ballots::deliberating_item(committee, "断电也不丢票").await;
    // The child runs on the real clock: its convening notice is stored as published eleven
    // days ago.
    let (url, id) = (
        url.to_string(),
        item.rsplit('/').next().unwrap_or("0").to_string(),
    );
    tokio::task::spawn_blocking(move || {
        use diesel::connection::SimpleConnection;
        let pool = yishi::db::connect(&url, 1).expect("connect");
        let mut conn = pool.get().expect("connection");
        let now = chrono::Utc::now().naive_utc();
        let published = (now - chrono::Duration::days(11)).format("%Y-%m-%d %H:%M:%S");
        let meets = now.format("%Y-%m-%d %H:%M:%S");
        conn.batch_execute(&format!(
            "INSERT INTO convening_notices (community_id, item_id, body, meets_at, place,
                matters, online, notice_days, published_by, published_at)
             SELECT community_id, id, 'residents', '{meets}', '村委会', '表决', '', 10,
                author_id, '{published}' FROM agenda_items WHERE id = {id}"
        ))
        .expect("notice stored");
    })
    .await
    .expect("notice");
    let fields = [
        ("body", "residents"),
        ("mode", "online"),
        ("closes_at", &closes),
    ];
    crate::common::ballots::open_ballot(committee, &item, &fields).await
}

/// One voter of the stream: who they are, how they sign in, and the form they will post.
struct Voter {
    user_id: i64,
    cookie: String,
    csrf: String,
    tracker: String,
    seal: String,
    choice: i32,
}

/// `n` new verified residents of 柳塘村, each in a household of their own, with sessions
/// made in the database the child serves; returns (user id, session token) for each.
fn make_voters(url: &str, n: usize) -> Vec<(i64, String)> {
    let pool = yishi::db::connect(url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let now = yishi::clock::Clock::now(&yishi::clock::SystemClock);
    crate::common::voters::make_voters(&mut conn, "liutang", 0, n, now).expect("bulk voters")
}

/// What one stream of votes saw.
#[derive(Default)]
struct Seen {
    /// Voters whose vote the server acknowledged.
    acked: Vec<usize>,
    /// Requests that got an answer other than the acknowledgement: (voter, status, body).
    unexpected: Vec<(usize, u16, String)>,
    /// Requests that failed before the kill.
    early_errors: Vec<(usize, String)>,
    /// Requests sent before the kill that got no answer.
    cut_in_flight: usize,
    /// Requests sent after the kill (refused: nobody listens).
    refused_after: usize,
}

/// What the database holds for a ballot.
struct Recorded {
    secret: bool,
    cast_count: i64,
    voter_rows: Vec<i64>,
    choices: Vec<(String, i32)>,
}

fn recorded(url: &str, ballot_id: i64) -> Recorded {
    let pool = yishi::db::connect(url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let (secret, cast_count) = ballots::table
        .filter(ballots::id.eq(ballot_id))
        .select((ballots::secret, ballots::cast_count))
        .first::<(bool, i64)>(&mut *conn)
        .expect("the ballot");
    let voter_rows = ballot_voters::table
        .filter(ballot_voters::ballot_id.eq(ballot_id))
        .select(ballot_voters::user_id)
        .load::<i64>(&mut *conn)
        .expect("ballot_voters");
    let choices = ballot_choices::table
        .filter(ballot_choices::ballot_id.eq(ballot_id))
        .select((ballot_choices::tracker, ballot_choices::choice))
        .load::<(String, i32)>(&mut *conn)
        .expect("ballot_choices");
    Recorded {
        secret,
        cast_count,
        voter_rows,
        choices,
    }
}

async fn acknowledged_votes_survive_a_sigkill(backend: Backend) {
    let started = Instant::now();
    let db = TestDb::new(backend);
    let mut server = start(&db, true).await;

    // The electorate is frozen when the ballot opens: the voters come first.
    let url = db.url.clone();
    let made = tokio::task::spawn_blocking(move || make_voters(&url, VOTERS))
        .await
        .expect("voters made");
    let committee = Client::new(&server.base);
    let contact = server
        .signins
        .get("committee")
        .cloned()
        .unwrap_or_else(|| "13810000002".to_string());
    let r = committee.sign_in(&contact, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "committee sign-in: {}", r.body);
    let ballot = open_ballot(&committee, &db.url).await;
    let ballot_id = ballot_id(&ballot);

    // Every voter's form first (its CSRF token), so that the stream is only votes.
    let cookie_name = yishi::config::Config::with_database(&db.url).session_cookie();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut forms = tokio::task::JoinSet::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(STREAMS));
    for (i, (user_id, token)) in made.into_iter().enumerate() {
        let (http, gate) = (http.clone(), gate.clone());
        let (page, cookie) = (
            format!("{}{ballot}", server.base),
            format!("{cookie_name}={token}"),
        );
        forms.spawn(async move {
            let _permit = gate.acquire().await.expect("semaphore");
            let r = http
                .get(&page)
                .header("cookie", &cookie)
                .send()
                .await
                .expect("GET the ballot");
            assert_eq!(r.status(), 200);
            let body = r.text().await.expect("the ballot page");
            assert!(
                body.contains("name=\"tracker\""),
                "voter {i} may vote: {body}"
            );
            let csrf = csrf_in(&body).expect("a CSRF token");
            let (tracker, seal) = sealed_tracker(&body);
            (
                i,
                Voter {
                    user_id,
                    cookie,
                    csrf,
                    tracker,
                    seal,
                    choice: (i % 3) as i32,
                },
            )
        });
    }
    let mut voters: Vec<Option<Voter>> = (0..VOTERS).map(|_| None).collect();
    while let Some(r) = forms.join_next().await {
        let (i, v) = r.expect("form fetched");
        voters[i] = Some(v);
    }
    let voters: Arc<Vec<Voter>> = Arc::new(voters.into_iter().map(Option::unwrap).collect());

    // Stream the votes; kill the server once enough are acknowledged.
    let vote_url = format!("{}{ballot}/vote", server.base);
    let next = Arc::new(AtomicUsize::new(0));
    let acked_n = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut streams = tokio::task::JoinSet::new();
    for _ in 0..STREAMS {
        let (http, voters, vote_url) = (http.clone(), voters.clone(), vote_url.clone());
        let (next, acked_n, killed) = (next.clone(), acked_n.clone(), killed.clone());
        streams.spawn(async move {
            let mut seen = Seen::default();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= VOTERS {
                    break;
                }
                let v = &voters[i];
                let choice = v.choice.to_string();
                let form = serde_urlencoded::to_string([
                    ("_csrf", v.csrf.as_str()),
                    ("choice", choice.as_str()),
                    ("tracker", v.tracker.as_str()),
                    ("tracker_seal", v.seal.as_str()),
                ])
                .expect("form encodes");
                let sent_after_kill = killed.load(Ordering::SeqCst);
                let r = http
                    .post(&vote_url)
                    .header("cookie", &v.cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form)
                    .timeout(Duration::from_secs(15))
                    .send()
                    .await;
                let answer = match r {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        r.text().await.map(|body| (status, body))
                    }
                    Err(e) => Err(e),
                };
                match answer {
                    Ok((200, body)) if body.contains(ACK) => {
                        seen.acked.push(i);
                        acked_n.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok((status, body)) => seen.unexpected.push((i, status, body)),
                    Err(e) => {
                        if sent_after_kill {
                            seen.refused_after += 1;
                        } else if killed.load(Ordering::SeqCst) {
                            seen.cut_in_flight += 1;
                        } else {
                            seen.early_errors.push((i, e.to_string()));
                            break;
                        }
                    }
                }
            }
            seen
        });
    }
    // Waits for the condition (a third acknowledged); the deadline only stops a test that
    // would otherwise hang, and is generous for a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked_n.load(Ordering::SeqCst) < KILL_AFTER
        && !streams.is_empty()
        && next.load(Ordering::SeqCst) < VOTERS
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    killed.store(true, Ordering::SeqCst);
    server.kill();
    let attempted = next.load(Ordering::SeqCst).min(VOTERS);
    let mut seen = Seen::default();
    while let Some(s) = streams.join_next().await {
        let s = s.expect("stream");
        seen.acked.extend(s.acked);
        seen.unexpected.extend(s.unexpected);
        seen.early_errors.extend(s.early_errors);
        seen.cut_in_flight += s.cut_in_flight;
        seen.refused_after += s.refused_after;
    }
    assert!(
        seen.early_errors.is_empty(),
        "requests failed before the kill: {:?}",
        seen.early_errors
    );
    assert!(
        seen.unexpected.is_empty(),
        "every answer is an acknowledgement: {:?}",
        seen.unexpected
            .iter()
            .map(|(i, s, b)| (i, s, b.chars().take(300).collect::<String>()))
            .collect::<Vec<_>>()
    );
    assert!(
        seen.acked.len() >= KILL_AFTER,
        "{} votes acknowledged before the deadline, wanted {KILL_AFTER}",
        seen.acked.len()
    );
    assert!(
        seen.acked.len() < VOTERS && seen.cut_in_flight + seen.refused_after > 0,
        "the kill came mid-stream: {} acknowledged, {} cut in flight, {} refused after",
        seen.acked.len(),
        seen.cut_in_flight,
        seen.refused_after
    );

    // Restart on the same database and look.
    let mut server = start(&db, false).await;
    let url = db.url.clone();
    let rec = tokio::task::spawn_blocking(move || recorded(&url, ballot_id))
        .await
        .expect("read the records");
    assert!(rec.secret, "a residents' ballot is secret");
    let voter_set: HashSet<i64> = rec.voter_rows.iter().copied().collect();
    assert_eq!(voter_set.len(), rec.voter_rows.len(), "one vote each");
    let choices: HashMap<&str, i32> = rec.choices.iter().map(|(t, c)| (t.as_str(), *c)).collect();
    for &i in &seen.acked {
        let v = &voters[i];
        assert!(
            voter_set.contains(&v.user_id),
            "the acknowledged vote of voter {i} (user {}) is lost",
            v.user_id
        );
        assert_eq!(
            choices.get(v.tracker.as_str()),
            Some(&v.choice),
            "the acknowledged choice of voter {i} is on the board"
        );
    }
    assert_eq!(
        rec.choices.len(),
        rec.voter_rows.len(),
        "as many secret choices as voters: no vote half written"
    );
    assert_eq!(
        rec.cast_count,
        rec.voter_rows.len() as i64,
        "the ballot's count matches its voters"
    );
    let tried: HashSet<i64> = voters[..attempted].iter().map(|v| v.user_id).collect();
    assert!(
        voter_set.is_subset(&tried),
        "only voters who sent a vote are recorded"
    );

    // The restarted server knows it too: an acknowledged voter's form again is "already
    // recorded", and a voter the kill cut off can still vote.
    let fresh = Client::new(&server.base);
    let post = |v: &Voter| {
        let choice = v.choice.to_string();
        let form = serde_urlencoded::to_string([
            ("_csrf", v.csrf.as_str()),
            ("choice", choice.as_str()),
            ("tracker", v.tracker.as_str()),
            ("tracker_seal", v.seal.as_str()),
        ])
        .expect("form encodes");
        fresh
            .http
            .post(format!("{}{ballot}/vote", server.base))
            .header("cookie", &v.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let first = &voters[seen.acked[0]];
    let r = post(first).await.expect("POST");
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("body");
    assert!(body.contains("已经记录过了"), "{body}");
    assert_eq!(number_by_id(&body, "cast-count"), rec.cast_count);
    if let Some(late) = voters.iter().find(|v| !voter_set.contains(&v.user_id)) {
        let r = post(late).await.expect("POST");
        assert_eq!(r.status(), 200);
        let body = r.text().await.expect("body");
        assert!(body.contains(ACK), "{body}");
        assert_eq!(number_by_id(&body, "cast-count"), rec.cast_count + 1);
    }
    server.kill();
    eprintln!(
        "{backend:?}: {} acknowledged, {} cut in flight, {} refused after the kill; \
         {} recorded; in {:.1?}",
        seen.acked.len(),
        seen.cut_in_flight,
        seen.refused_after,
        rec.voter_rows.len(),
        started.elapsed()
    );
}
both!(acknowledged_votes_survive_a_sigkill);
