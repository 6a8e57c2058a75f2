//! Sign-in burst benchmark, on SQLite and on PostgreSQL, against the release binary:
//! 600 sign-in attempts at once (wrong passwords for unknown accounts, each from its own
//! address through a trusted proxy, so that no throttle bucket fills and every attempt wants
//! a hash). It reports the server's resident memory at rest, its peak (`VmHWM`) and after the
//! burst, the answers by status, and how `/healthz` answered meanwhile (polled every 100 ms).
//!
//! Run with `cargo bench --bench signin_burst`. Knobs: `YISHI_BENCH_ATTEMPTS` (default 600),
//! `YISHI_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Targets (issue #18): peak under 256 MB, after the burst under 96 MB, every answer 422,
//! 429 or 503, `/healthz` answering throughout.

#[path = "support/mod.rs"]
mod support;
use support::{knob, ms, postgres_admin_url};

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(url: &str, data: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
            .arg("serve")
            .env("YISHI_DATABASE_URL", url)
            .env("YISHI_BIND", "127.0.0.1:0")
            .env("YISHI_DATA_DIR", data)
            .env("YISHI_TRUSTED_PROXIES", "127.0.0.1")
            .env("YISHI_JOB_INTERVAL", "0")
            .env("YISHI_MAIL_INTERVAL", "0")
            .env("YISHI_LOG", "error")
            .env_remove("YISHI_BASE_URL")
            .env_remove("YISHI_HASH_SLOTS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("yishi serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("yishi is serving on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        Server { child, base }
    }

    /// A line of `/proc/PID/status`, in MB.
    fn memory(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[at + 20..];
    Some(rest[..rest.find('"')?].to_string())
}

async fn burst(label: &str, url: &str, attempts: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(url, &dir.path().join("data"));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client
        .get(format!("{}/signin", server.base))
        .send()
        .await
        .expect("sign-in page")
        .text()
        .await
        .unwrap_or_default();
    let token = csrf_in(&page).expect("a CSRF token");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rest = server.memory("VmRSS:");

    // /healthz, every 100 ms, while the burst runs.
    let done = Arc::new(AtomicBool::new(false));
    let health = {
        let (done, base) = (done.clone(), server.base.clone());
        tokio::spawn(async move {
            let probe = reqwest::Client::new();
            let (mut worst, mut failed, mut n) = (Duration::ZERO, 0, 0);
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = probe
                    .get(format!("{base}/healthz"))
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                worst = worst.max(t.elapsed());
                n += 1;
                if !ok {
                    failed += 1;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (n, failed, worst)
        })
    };

    let started = Instant::now();
    let tasks: Vec<_> = (0..attempts)
        .map(|i| {
            let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
            tokio::spawn(async move {
                let contact = format!("1398{i:07}");
                let from = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
                let body = serde_urlencoded::to_string([
                    ("_csrf", token.as_str()),
                    ("contact", contact.as_str()),
                    ("password", "wrong password, hashed all the same"),
                ])
                .unwrap_or_default();
                match client
                    .post(format!("{base}/signin"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", from)
                    .body(body)
                    .timeout(Duration::from_secs(120))
                    .send()
                    .await
                {
                    Ok(r) => r.status().as_u16().to_string(),
                    Err(e) if e.is_timeout() => "timeout".to_string(),
                    Err(_) => "dropped".to_string(),
                }
            })
        })
        .collect();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        *by_status
            .entry(t.await.unwrap_or_else(|_| "panic".into()))
            .or_default() += 1;
    }
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (probes, probe_failures, worst) = health.await.unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let peak = server.memory("VmHWM:");
    let after = server.memory("VmRSS:");
    println!(
        "{label}: {attempts} sign-in attempts at once in {:.1} s; answers {by_status:?}",
        took.as_secs_f64()
    );
    println!(
        "{label}: resident memory at rest {rest:.0} MB, peak {peak:.0} MB, 2 s after the burst {after:.0} MB"
    );
    println!(
        "{label}: /healthz answered {}/{probes} probes during the burst, slowest {} ms",
        probes - probe_failures,
        ms(worst)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let attempts: usize = knob("YISHI_BENCH_ATTEMPTS", 600);
    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", sqlite_dir.path().join("bench.db").display());
    burst("SQLite", &sqlite, attempts).await;

    let admin = postgres_admin_url();
    let name = format!("yishi_bench_burst_{}", std::process::id());
    let mut conn = diesel::PgConnection::establish(&admin).expect("PostgreSQL for the benchmark");
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create the scratch database");
    let mut pg = url::Url::parse(&admin).expect("postgres URL");
    pg.set_path(&name);
    burst("PostgreSQL", pg.as_str(), attempts).await;
    let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}
