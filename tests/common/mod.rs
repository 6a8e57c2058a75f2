//! Test harness: each test gets a fresh database (a temporary SQLite file, or a new
//! PostgreSQL database on the server named by `YISHI_TEST_POSTGRES_URL`, by default the local
//! one) and its own server on a free port, driven over HTTP.

#![allow(dead_code)]

pub mod ballots;
pub mod page;
pub mod steps;
pub mod voters;

use std::collections::HashMap;
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use yishi::clock::FixedClock;
use yishi::config::Config;
use yishi::startup::Application;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server the tests use, without TLS unless the URL asks for it: over
/// loopback TLS buys nothing, and libpq's OpenSSL clean-up at process exit can race the
/// server threads a test leaves running (seen as a rare "double free" abort after a pass).
pub fn postgres_admin_url() -> String {
    let url = std::env::var("YISHI_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
    match url::Url::parse(&url) {
        Ok(mut u) if !u.query_pairs().any(|(k, _)| k == "sslmode") => {
            u.query_pairs_mut().append_pair("sslmode", "disable");
            u.to_string()
        }
        _ => url,
    }
}

/// A fresh, empty database that disappears with the value.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.path().join("test.db").display()),
                dir,
                pg_name: None,
            },
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("yishi_test_{}", hex_id());
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL tests need a server at {admin} (set YISHI_TEST_POSTGRES_URL): {e}"
                    )
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("postgres URL");
                url.set_path(&name);
                TestDb {
                    url: url.to_string(),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = diesel::PgConnection::establish(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub fn hex_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub clock: Arc<FixedClock>,
    pub state: actix_web::web::Data<yishi::web::AppState>,
    pub backend: Backend,
}

/// The clock of each app by its base URL, so a step that only holds a client can publish
/// something dated in the past (a convening notice that has run its period).
static CLOCKS: std::sync::LazyLock<std::sync::Mutex<HashMap<String, Arc<FixedClock>>>> =
    std::sync::LazyLock::new(Default::default);

/// The clock of the app at `base`, if `spawn_app` started it (a child process runs on the
/// real clock).
pub fn clock_of(base: &str) -> Option<Arc<FixedClock>> {
    CLOCKS.lock().ok().and_then(|c| c.get(base).cloned())
}

pub fn start_time() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .expect("valid time")
}

/// Starts the app on a free port against a fresh database.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new(backend);
    let mut config = Config::with_database(&db.url);
    config.data_dir = Some(db.dir.path().join("data"));
    tweak(&mut config);
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = Application::build_with_clock(config, clock.clone()).expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    if let Ok(mut clocks) = CLOCKS.lock() {
        clocks.insert(base.clone(), clock.clone());
    }
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        db,
        clock,
        state,
        backend,
    }
}

/// The demo sign-ins by role, after loading the demo into the app's database.
pub struct Demo(pub HashMap<&'static str, (String, String)>);

pub const DEMO_PASSWORD: &str = yishi::demo::DEMO_PASSWORD;

impl Demo {
    pub fn contact(&self, role: &str) -> String {
        self.0
            .get(role)
            .unwrap_or_else(|| panic!("no demo sign-in for {role}"))
            .0
            .clone()
    }
}

impl TestApp {
    pub async fn load_demo(&self) -> Demo {
        let now = yishi::clock::Clock::now(&*self.clock);
        let dir = self.state.config.data_dir();
        let signins = self
            .state
            .db(move |conn| yishi::demo::load(conn, &dir, now))
            .await
            .expect("demo loads");
        Demo(
            signins
                .into_iter()
                .map(|s| (s.role, (s.contact, s.name)))
                .collect(),
        )
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client signed in as `contact` with the demo password.
    pub async fn signed_in(&self, contact: &str) -> Client {
        let c = self.client();
        let r = c.sign_in(contact, DEMO_PASSWORD).await;
        assert_eq!(r.status, 303, "sign-in as {contact} failed: {}", r.body);
        c
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

/// An HTTP client with its own cookie jar that does not follow redirects.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                // Drop idle connections before the server's 5 s keep-alive does, so a
                // request never goes out on a connection the server is closing.
                .pool_idle_timeout(std::time::Duration::from_secs(3))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    async fn finish(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        let r = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        Self::finish(r).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.http.get(format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::finish(req.send().await.expect("GET")).await
    }

    /// The CSRF token this client's forms carry now.
    pub async fn csrf(&self) -> String {
        let page = self.get("/signin").await;
        csrf_in(&page.body).expect("a form with a CSRF token")
    }

    /// Posts a form with this client's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts a form that must be accepted with a redirect (303); returns where it leads.
    /// For setup steps: one that silently failed would make every later assert lie.
    pub async fn post_ok(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let r = self.post(path, fields).await;
        redirected(&r, "POST", path)
    }

    /// Like [`Client::post_ok`], and the redirect must lead to `location`.
    pub async fn post_ok_to(&self, path: &str, fields: &[(&str, &str)], location: &str) {
        let at = self.post_ok(path, fields).await;
        assert_eq!(at, location, "POST {path} led elsewhere");
    }

    /// Like [`Client::post_ok`] for a multipart form carrying files.
    pub async fn post_files_ok(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<(&str, &str, Vec<u8>)>,
    ) -> String {
        let r = self.post_files(path, fields, files).await;
        redirected(&r, "POST", path)
    }

    /// Posts exactly these fields (no token added) with extra headers.
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).expect("form encodes"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let sent = req.send().await;
        Self::finish(sent.unwrap_or_else(|e| panic!("POST {path}: {e:?}"))).await
    }

    /// Posts a multipart form (with this client's CSRF token) carrying files:
    /// (field, file name, bytes).
    pub async fn post_files(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<(&str, &str, Vec<u8>)>,
    ) -> Resp {
        let mut form = reqwest::multipart::Form::new().text("_csrf", self.csrf().await);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (field, name, bytes) in files {
            form = form.part(
                field.to_string(),
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form)
            .send()
            .await
            .expect("POST");
        Self::finish(r).await
    }

    /// Posts a form (with this client's CSRF token) whose answer is a file: (status, content
    /// type, content disposition, bytes).
    pub async fn post_bytes(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String, String, Vec<u8>) {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&all).expect("form encodes"))
            .send()
            .await
            .expect("POST");
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (ct, cd) = (header("content-type"), header("content-disposition"));
        let status = r.status().as_u16();
        let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        (status, ct, cd, bytes)
    }

    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            status,
            ct,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    pub async fn sign_in(&self, contact: &str, password: &str) -> Resp {
        self.post("/signin", &[("contact", contact), ("password", password)])
            .await
    }

    /// Signs up, which must succeed (and signs in).
    pub async fn sign_up_ok(&self, contact: &str, name: &str, password: &str) {
        let r = self.sign_up(contact, name, password).await;
        redirected(&r, "sign-up as", contact);
    }

    pub async fn sign_up(&self, contact: &str, name: &str, password: &str) -> Resp {
        self.post(
            "/signup",
            &[
                ("contact", contact),
                ("display_name", name),
                ("password", password),
                ("password_confirm", password),
                ("locale", "zh-CN"),
            ],
        )
        .await
    }
}

/// The redirect's target, after asserting the answer is one (303).
fn redirected(r: &Resp, method: &str, path: &str) -> String {
    assert_eq!(
        r.status, 303,
        "{method} {path} should redirect, answered {}: {}",
        r.status, r.body
    );
    r.location().to_string()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[at + 20..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Runs an async test body on both backends: `both!(name);` defines `name::sqlite` and
/// `name::postgres` calling `name(Backend)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    };
}

impl TestApp {
    /// `n` new verified residents of the community `slug`, each in a household of their own
    /// and signed in (sessions made in the database: signing in 1,000 people through argon2
    /// would test the hash, not the ballot).
    pub async fn bulk_voters(&self, slug: &str, n: usize) -> Vec<Client> {
        let now = yishi::clock::Clock::now(&*self.clock);
        let slug = slug.to_string();
        let tokens = self
            .state
            .db(move |conn| voters::make_voters(conn, &slug, 0, n, now))
            .await
            .expect("bulk voters");
        let cookie_name = self.state.config.session_cookie();
        let url: url::Url = self.base.parse().expect("base URL");
        tokens
            .into_iter()
            .map(|(_, t)| {
                let jar = reqwest::cookie::Jar::default();
                jar.add_cookie_str(&format!("{cookie_name}={t}; Path=/"), &url);
                Client {
                    base: self.base.clone(),
                    http: reqwest::Client::builder()
                        .cookie_provider(Arc::new(jar))
                        // No idle connections kept: a thousand clients each holding one
                        // past the server's keep-alive would race its close.
                        .pool_max_idle_per_host(0)
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                        .expect("client"),
                }
            })
            .collect()
    }
}
