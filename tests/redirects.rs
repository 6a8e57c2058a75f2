//! Where the site sends a browser, and the address it prints: a `next` or `back` from the
//! client leads only to a path on this site, and absolute links (QR codes, notices) come from
//! the configured address, never from the request's `Host` or forwarding headers.

use crate::both;
use crate::common::steps::qr_text;
use crate::common::{spawn_app, Backend};

const PROJECT: &str = "/p/LT-2026-001";

/// Targets a browser would follow off the site, or that no header can carry.
const HOSTILE: &[&str] = &[
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\nSet-Cookie: yishi=x",
    "//evil.example/x",
    "/\\evil.example/x",
    "/c/柳塘",
];

async fn a_redirect_target_from_the_client_stays_on_this_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let client = app.client();

    for target in HOSTILE {
        let r = client
            .post("/lang", &[("lang", "en"), ("back", target)])
            .await;
        assert_eq!(r.status, 303, "back = {target:?}: {}", r.body);
        assert_eq!(r.location(), "/", "back = {target:?}");
    }
    // A path here is kept.
    client
        .post_ok_to(
            "/lang",
            &[("lang", "zh-CN"), ("back", "/c/liutang/items?page=2")],
            "/c/liutang/items?page=2",
        )
        .await;

    for target in HOSTILE {
        let c = app.client();
        let r = c
            .post(
                "/signin",
                &[
                    ("contact", &demo.contact("resident")),
                    ("password", crate::common::DEMO_PASSWORD),
                    ("next", target),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "next = {target:?}: {}", r.body);
        assert_eq!(r.location(), "/", "next = {target:?}");
    }
    app.client()
        .post_ok_to(
            "/signin",
            &[
                ("contact", &demo.contact("resident")),
                ("password", crate::common::DEMO_PASSWORD),
                ("next", "/c/liutang/join"),
            ],
            "/c/liutang/join",
        )
        .await;
}
both!(a_redirect_target_from_the_client_stays_on_this_site);

async fn absolute_links_ignore_the_host_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = app.client();
    let address = format!("{}{PROJECT}", app.base);
    for poison in [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=https"),
    ] {
        let notice = client
            .get_with(&format!("{PROJECT}/notice"), &[poison])
            .await;
        assert_eq!(notice.status, 200, "{poison:?}");
        assert!(!notice.body.contains("evil.example"), "{poison:?}");
        assert!(notice.body.contains(&address), "{poison:?}");

        // The QR image, cached publicly for an hour, reads back to this site.
        let r = client
            .http
            .get(format!("{}{PROJECT}/qr.png", app.base))
            .header(poison.0, poison.1)
            .send()
            .await
            .expect("GET qr.png");
        assert_eq!(r.status(), 200);
        let png = r.bytes().await.expect("png");
        assert_eq!(qr_text(&png), address, "{poison:?}");
    }
}
both!(absolute_links_ignore_the_host_headers);

/// What `yishi serve` logs before it says where it listens, bound to `bind`.
fn start_up_log(bind: &str) -> String {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .arg("serve")
        .env("YISHI_DATABASE_URL", dir.path().join("t.db"))
        .env("YISHI_DATA_DIR", dir.path().join("data"))
        .env("YISHI_BIND", bind)
        .env("YISHI_LOG", "warn")
        .env("YISHI_JOB_INTERVAL", "0")
        .env("YISHI_MAIL_INTERVAL", "0")
        .env("YISHI_WORKERS", "1")
        .env("NO_COLOR", "1")
        .env_remove("YISHI_BASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("yishi serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with("yishi is serving on ") {
                break;
            }
        }
        let _ = tx.send(seen);
    });
    let log = rx.recv_timeout(std::time::Duration::from_secs(300));
    let _ = child.kill();
    let _ = child.wait();
    log.expect("the server starts within five minutes")
}

#[test]
fn serve_warns_when_links_would_name_an_address_others_cannot_reach() {
    let open = start_up_log("0.0.0.0:0");
    assert!(open.contains("yishi is serving on"), "{open}");
    assert!(
        open.contains("WARN") && open.contains("YISHI_BASE_URL is not set"),
        "{open}"
    );
    let local = start_up_log("127.0.0.1:0");
    assert!(local.contains("yishi is serving on"), "{local}");
    assert!(!local.contains("YISHI_BASE_URL"), "{local}");
}
