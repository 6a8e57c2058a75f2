//! Two app server processes on one PostgreSQL database: sessions live in the database, so a
//! session made through one is honoured by the other, and signing out through one ends it
//! on both.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common::{Backend, Client, TestDb};

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

/// Starts `yishi serve` on a free port and waits for the line naming its address.
fn start(db: &TestDb) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .arg("serve")
        .env("YISHI_DATABASE_URL", &db.url)
        .env("YISHI_BIND", "127.0.0.1:0")
        .env("YISHI_DATA_DIR", db.dir.path().join("shared-data"))
        .env("YISHI_LOG", "warn")
        .env("YISHI_WORKERS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("yishi serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("yishi is serving on ") {
                    break url.trim().to_string();
                }
            }
            _ => panic!("the server exited before it listened"),
        }
    };
    Server { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_share_sessions() {
    let db = TestDb::new(Backend::Postgres);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start(&db));
        let b = s.spawn(|| start(&db));
        (a.join().expect("server a"), b.join().expect("server b"))
    });
    assert_ne!(a.base, b.base);

    // One browser (one cookie jar) talking to both servers.
    let via_a = Client::new(&a.base);
    let r = via_a
        .sign_up("13500001111", "许红霞", "两台服务器一个数据库")
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let via_b = Client {
        base: b.base.clone(),
        http: via_a.http.clone(),
    };
    let profile = via_b.get("/profile").await;
    assert_eq!(
        profile.status, 200,
        "the session made on A is honoured by B"
    );
    assert!(profile.body.contains("许红霞"));

    // A form rendered by B is accepted by A: the CSRF token belongs to the session.
    let r = via_a
        .post("/lang", &[("lang", "en"), ("back", "/profile")])
        .await;
    assert_eq!(r.status, 303);

    let r = via_a.post("/signout", &[]).await;
    assert_eq!(r.status, 303);
    let after = via_b.get("/profile").await;
    assert_eq!(
        (after.status, after.location()),
        (303, "/signin?next=%2Fprofile"),
        "signed out on B too"
    );
}
