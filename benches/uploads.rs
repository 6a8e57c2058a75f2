//! Upload benchmark: the peak resident memory (`VmHWM`) of a real server process while six
//! photo reports arrive at once.
//!
//! The `yishi` binary of this build is started (`serve --demo` on a scratch SQLite database,
//! a free port, nothing else running in it), the demo resident signs in, and six requests go
//! out at once. Two rounds, each on a fresh server so that each peak is its own:
//!
//! 1. the attack of issue 11: each request a report with four 7070 × 7070 RGB PNGs of one colour,
//!    well under a megabyte each (50 megapixels apiece, just under the limit for one photo);
//! 2. the heaviest that is accepted: each request one such PNG, which is decoded.
//!
//! The answers are counted by status (303 stored, 422 refused with a message, 503 busy) and
//! the server's `VmHWM` and the round's wall time are printed; the run fails if a round
//! answers 500 or its peak is 512 MB or more.
//!
//! Run with `cargo bench --bench uploads`. Knobs: `YISHI_BENCH_REQUESTS` (default 6)
//! requests at once; `YISHI_IMAGE_SLOTS` is passed on to the server (default: its cores).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT_MB: u64 = 512;

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A running server, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    resident: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(["serve", "--demo"])
            .env(
                "YISHI_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("bench.db").display()),
            )
            .env("YISHI_BIND", "127.0.0.1:0")
            .env("YISHI_LOG", "warn")
            .env("YISHI_JOB_INTERVAL", "0")
            .env("YISHI_MAIL_INTERVAL", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the yishi binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut resident = None;
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("a line");
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.first() == Some(&"resident") {
                resident = words.get(1).map(|s| s.to_string());
            }
            if let Some(url) = line.strip_prefix("yishi is serving on ") {
                base = Some(url.trim().to_string());
                break;
            }
        }
        Server {
            child,
            base: base.expect("the server says where it serves"),
            resident: resident.expect("the demo prints a resident"),
            _dir: dir,
        }
    }

    /// (VmHWM, VmRSS) in MB.
    fn memory_mb(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a /proc status line")
        };
        (kb("VmHWM:") / 1024, kb("VmRSS:") / 1024)
    }
}

/// A 7070 × 7070 RGB PNG of one colour: 50 megapixels in well under a megabyte.
fn huge_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(7070, 7070, image::Rgb([120, 160, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[at + 20..];
    Some(rest[..rest.find('"')?].to_string())
}

async fn signed_in(server: &Server) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = |http: reqwest::Client, url: String| async move {
        http.get(url)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body")
    };
    let token =
        csrf_in(&page(http.clone(), format!("{}/signin", server.base)).await).expect("csrf");
    let r = http
        .post(format!("{}/signin", server.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("contact", server.resident.as_str()),
            ("password", yishi::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 303, "the demo resident signs in");
    let token =
        csrf_in(&page(http.clone(), format!("{}/signin", server.base)).await).expect("csrf");
    (http, token)
}

/// Sends `n` reports at once, each with `photos` copies of `png`; the answers by status and
/// the wall time.
async fn round(
    server: &Server,
    n: usize,
    photos: usize,
    png: &[u8],
) -> (BTreeMap<u16, usize>, Duration) {
    let (http, token) = signed_in(server).await;
    let started = Instant::now();
    let sends = (0..n).map(|i| {
        let mut form = reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .text("title", format!("压测反映{i}"))
            .text("description", "路灯不亮")
            .text("category", "safety")
            .text("place", "村口");
        for _ in 0..photos {
            form = form.part(
                "photos",
                reqwest::multipart::Part::bytes(png.to_vec()).file_name("big.png"),
            );
        }
        let request = http
            .post(format!("{}/c/liutang/orders", server.base))
            .multipart(form);
        async move { request.send().await.map(|r| r.status().as_u16()) }
    });
    let answers = futures_util::future::join_all(sends).await;
    let elapsed = started.elapsed();
    let mut by_status = BTreeMap::new();
    for a in answers {
        *by_status.entry(a.expect("an answer")).or_insert(0) += 1;
    }
    (by_status, elapsed)
}

fn main() {
    let n: usize = knob("YISHI_BENCH_REQUESTS", 6);
    let png = huge_png();
    println!(
        "upload benchmark: {n} reports at once; each PNG 7070 × 7070 RGB, {} KB; \
         image slots: {}",
        png.len() / 1024,
        std::env::var("YISHI_IMAGE_SLOTS").unwrap_or_else(|_| format!(
            "{} (cores)",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        ))
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut failed = false;
    for (what, photos) in [
        ("four 50-megapixel photos each (refused)", 4),
        ("one 50-megapixel photo each (decoded)", 1),
    ] {
        let server = Server::start();
        let (_, idle) = server.memory_mb();
        let (answers, elapsed) = runtime.block_on(round(&server, n, photos, &png));
        let (peak, _) = server.memory_mb();
        println!(
            "{what}: answers {answers:?} in {:.1} s; server memory {idle} MB idle, \
             peak (VmHWM) {peak} MB",
            elapsed.as_secs_f64()
        );
        if answers.contains_key(&500) || peak >= LIMIT_MB {
            failed = true;
        }
    }
    if failed {
        eprintln!("FAILED: a 500, or a peak of {LIMIT_MB} MB or more");
        std::process::exit(1);
    }
}
