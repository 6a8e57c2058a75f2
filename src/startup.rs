//! Builds the application: pool, migrations, secret, the actix App; and serves it.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Compress, ErrorHandlers};
use actix_web::{web, App, HttpServer};

use crate::clock::{Clock, SystemClock};
use crate::config::{load_or_create_secret, Config};
use crate::db;
use crate::routes;
use crate::web::client::TrustedProxies;
use crate::web::error::render_error_page;
use crate::web::gate::{Gate, KeyedGate};
use crate::web::{security, AppState};

/// Votes on one ballot that hold a database connection at once: one commits while the next
/// is ready; more would only wait for the ballot's row lock with a connection in hand.
const BALLOT_WRITERS: usize = 2;

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
}

/// Opens the database and applies migrations (on SQLite, after a backup: see
/// `crate::backup::upgrade`).
pub fn prepare(config: &Config) -> Result<db::DbPool, String> {
    let pool = db::connect_with(
        &config.database_url,
        db::PoolOptions {
            max_size: config.db_pool,
            wait: std::time::Duration::from_millis(config.db_wait_ms),
            commit_delay: config.commit_delay,
        },
    )?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    crate::backup::upgrade::before_migrating(&mut conn, config)?;
    db::migrate(&mut conn)?;
    Ok(pool)
}

/// Mails pending notifications every `mail_interval` seconds, on a thread of its own.
fn spawn_mail_sender(state: web::Data<AppState>) {
    let every = std::time::Duration::from_secs(state.config.mail_interval);
    std::thread::spawn(move || loop {
        std::thread::sleep(every);
        let now = state.clock.now();
        let result = state
            .pool
            .get()
            .map_err(crate::error::AppError::from)
            .and_then(|mut conn| {
                crate::mail::deliver_pending(&mut conn, &state.mailer, &state.config, now, 100)
            });
        if let Err(e) = result {
            tracing::warn!("mail sender: {e}");
        }
    });
}

/// Runs the periodic jobs (`crate::jobs`) every `job_interval` seconds, on a thread of its
/// own, whenever this server holds the jobs' lease.
fn spawn_jobs(state: web::Data<AppState>) {
    let every = std::time::Duration::from_secs(state.config.job_interval);
    let holder = format!(
        "{}-{}",
        std::process::id(),
        crate::accounts::model::random_token()
    );
    std::thread::spawn(move || loop {
        std::thread::sleep(every);
        let now = state.clock.now();
        let result = state
            .pool
            .get()
            .map_err(crate::error::AppError::from)
            .and_then(|mut conn| crate::jobs::run_all(&mut conn, &holder, now));
        if let Err(e) = result {
            tracing::warn!("periodic jobs: {e}");
        }
    });
}

/// Runs the backup timer (`crate::backup::timer`) on a thread of its own when a backup dir
/// is set, so that a long backup never holds up closing ballots.
fn spawn_backups(state: web::Data<AppState>) {
    let every = std::time::Duration::from_secs(state.config.job_interval);
    let holder = format!(
        "{}-{}",
        std::process::id(),
        crate::accounts::model::random_token()
    );
    std::thread::spawn(move || loop {
        std::thread::sleep(every);
        let now = state.clock.now();
        let result = state
            .pool
            .get()
            .map_err(crate::error::AppError::from)
            .and_then(|mut conn| {
                crate::backup::timer::tick(&mut conn, &state.config, &holder, now)
            });
        if let Err(e) = result {
            tracing::warn!("backup timer: {e}");
        }
    });
}

impl Application {
    pub fn build(config: Config) -> Result<Application, String> {
        Application::build_with_clock(config, Arc::new(SystemClock))
    }

    pub fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Application, String> {
        let pool = prepare(&config)?;
        let secret = load_or_create_secret(&config.data_dir())
            .map_err(|e| format!("cannot read or create the secret key: {e}"))?;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let workers = config.workers;
        let mailer = crate::mail::Mailer::from_config(&config)?;
        let log_key = Arc::new(crate::transparency::checkpoint::LogKey::load_or_create(
            &config.log_key_file(),
            &config.log_origin(),
        )?);
        let wait = std::time::Duration::from_secs(5);
        let hashing = Gate::new("password hashing", config.hash_slots, wait);
        let images = Gate::new("image decoding", config.image_slots, wait);
        // The address actually bound (a port of 0 picks one), for links built without a
        // base URL.
        let mut config = config;
        if let Ok(addr) = listener.local_addr() {
            config.bind = addr.to_string();
        }
        let proxies = TrustedProxies::parse(&config.trusted_proxies)?;
        let db_wait = std::time::Duration::from_millis(config.db_wait_ms);
        let connections = Gate::new(
            "database connection",
            usize::try_from(config.db_pool).ok(),
            db_wait,
        );
        let ballot_writers = KeyedGate::new(
            "ballot",
            BALLOT_WRITERS,
            config.vote_queue,
            std::time::Duration::from_millis(config.vote_wait_ms),
        );
        let state = web::Data::new(AppState {
            pool,
            connections,
            ballot_writers,
            config,
            clock,
            secret,
            mailer,
            log_key,
            hashing,
            images,
            proxies,
        });
        if state.config.mail_interval > 0 {
            spawn_mail_sender(state.clone());
        }
        if state.config.job_interval > 0 {
            spawn_jobs(state.clone());
            if state.config.backup.backup_dir.is_some() {
                spawn_backups(state.clone());
            }
        }
        let data = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::BAD_REQUEST, render_error_page)
                        .handler(StatusCode::FORBIDDEN, render_error_page)
                        .handler(StatusCode::NOT_FOUND, render_error_page)
                        .handler(StatusCode::METHOD_NOT_ALLOWED, render_error_page)
                        .handler(StatusCode::PAYLOAD_TOO_LARGE, render_error_page)
                        .handler(StatusCode::SERVICE_UNAVAILABLE, render_error_page)
                        .handler(StatusCode::INSUFFICIENT_STORAGE, render_error_page)
                        .handler(StatusCode::INTERNAL_SERVER_ERROR, render_error_page),
                )
                .wrap(Compress::default())
                .wrap(from_fn(security::guard))
        })
        .listen(listener)
        .map_err(|e| e.to_string())?;
        if let Some(w) = workers {
            server = server.workers(w);
        }
        Ok(Application {
            port,
            server: server.run(),
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
