//! Configuration, read from `YISHI_*` environment variables (or the matching flags) into one
//! typed struct. `yishi serve --help` lists every setting.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: `sqlite://PATH`, a plain file path, or `postgres://USER@HOST/DB`.
    #[arg(long, env = "YISHI_DATABASE_URL", default_value = "yishi.db")]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "YISHI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Public URL of the site (e.g. `https://yishi.example.cn`); used in links, mail and to
    /// check the `Origin` of form posts. Defaults to `http://` + the bind address.
    #[arg(long, env = "YISHI_BASE_URL")]
    pub base_url: Option<String>,

    /// Directory for uploads and keys. Defaults to the SQLite file's directory, or
    /// `./yishi-data` on PostgreSQL.
    #[arg(long, env = "YISHI_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Mark cookies `Secure` and use the `__Host-` prefix (set this behind HTTPS).
    #[arg(long, env = "YISHI_COOKIE_SECURE", default_value = "false", value_parser = BoolishValueParser::new())]
    pub cookie_secure: bool,

    /// Log filter, e.g. `info`, `yishi=debug,actix_web=info`.
    #[arg(long, env = "YISHI_LOG", default_value = "info")]
    pub log: String,

    /// Database connections per server process.
    #[arg(long, env = "YISHI_DB_POOL", default_value_t = 8)]
    pub db_pool: u32,

    /// Milliseconds a request may wait for a database connection, and for a lock held by
    /// another write (SQLite's busy timeout, PostgreSQL's `lock_timeout`), before it is told
    /// the server is busy (503, nothing written).
    #[arg(long, env = "YISHI_DB_WAIT_MS", default_value_t = 10_000)]
    pub db_wait_ms: u64,

    /// Votes on one ballot that may wait their turn at once; one more is told the server is
    /// busy at once. Only two writers per ballot hold a database connection; the rest wait
    /// here (up to `YISHI_VOTE_WAIT_MS`) without one.
    #[arg(long, env = "YISHI_VOTE_QUEUE", default_value_t = 2000)]
    pub vote_queue: usize,

    /// Milliseconds a vote may wait in its ballot's queue before it is told the server is
    /// busy.
    #[arg(long, env = "YISHI_VOTE_WAIT_MS", default_value_t = 30_000)]
    pub vote_wait_ms: u64,

    /// Tests only: a pause before every commit, to make the disk look slow. Not settable
    /// from the environment or the command line.
    #[arg(skip)]
    pub commit_delay: Option<std::time::Duration>,

    /// SMTP server for notification e-mail, e.g. `smtps://user:password@smtp.example.cn`
    /// (or `smtp://…?tls=required`). Unset: e-mail is written to `DATA_DIR/outbox/` instead.
    #[arg(long, env = "YISHI_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of notification e-mail.
    #[arg(
        long,
        env = "YISHI_MAIL_FROM",
        default_value = "议事 <noreply@yishi.invalid>"
    )]
    pub mail_from: String,

    /// Seconds between runs of the mail sender.
    #[arg(long, env = "YISHI_MAIL_INTERVAL", default_value_t = 10)]
    pub mail_interval: u64,

    /// Seconds between runs of the periodic jobs (closing ballots whose time is up); 0 runs
    /// none, and ballots then close on the first request after their closing time.
    #[arg(long, env = "YISHI_JOB_INTERVAL", default_value_t = 15)]
    pub job_interval: u64,

    /// The transparency log's Ed25519 signing key (a C2SP signed-note `PRIVATE+KEY+…` line),
    /// created on first start. Keep it outside the database and back it up; every app server
    /// of a site uses the same file. Defaults to `DATA_DIR/log-signing.key`.
    #[arg(long, env = "YISHI_LOG_KEY_FILE")]
    pub log_key_file: Option<PathBuf>,

    /// The log's name (its origin line and key name) when the key is first created, e.g.
    /// `yishi.example.cn/log`. Defaults to the host of the base URL followed by `/log`.
    #[arg(long, env = "YISHI_LOG_ORIGIN")]
    pub log_origin: Option<String>,

    /// HTTP worker threads (defaults to the number of cores).
    #[arg(long, env = "YISHI_WORKERS")]
    pub workers: Option<usize>,

    /// Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` / `Forwarded`
    /// headers are believed, comma-separated (e.g. `127.0.0.1,10.0.0.0/8`). Empty: the peer
    /// address is the client's, whatever the headers say.
    #[arg(long, env = "YISHI_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Password hashes (argon2id, 19 MiB each) that may run at once (defaults to the number
    /// of cores).
    #[arg(long, env = "YISHI_HASH_SLOTS")]
    pub hash_slots: Option<usize>,

    /// Images that may be decoded at once (defaults to the number of cores).
    #[arg(long, env = "YISHI_IMAGE_SLOTS")]
    pub image_slots: Option<usize>,

    /// Backups on a timer and before upgrades (`YISHI_BACKUP_*`).
    #[command(flatten)]
    pub backup: crate::backup::settings::Settings,
}

impl Config {
    /// The configuration with every default, for tests and tools.
    pub fn with_database(url: &str) -> Config {
        Config {
            database_url: url.to_string(),
            bind: "127.0.0.1:0".into(),
            base_url: None,
            data_dir: None,
            cookie_secure: false,
            log: "warn".into(),
            db_pool: 4,
            db_wait_ms: 10_000,
            vote_queue: 2000,
            vote_wait_ms: 30_000,
            commit_delay: None,
            workers: Some(2),
            smtp_url: None,
            mail_from: "议事 <noreply@yishi.invalid>".into(),
            mail_interval: 0,
            job_interval: 0,
            log_key_file: None,
            log_origin: None,
            trusted_proxies: String::new(),
            hash_slots: None,
            image_slots: None,
            backup: Default::default(),
        }
    }

    /// The site's address for absolute links (QR codes, printed notices, feeds, mail, the
    /// Open311 endpoint): the base URL, or `http://` and the bind address when it is unset.
    /// Never the request's `Host` or forwarding headers, which any client can set.
    pub fn site_base(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// A warning for the start-up log when absolute links would name an address others
    /// cannot reach: no base URL, and a bind address that is not loopback.
    pub fn base_url_warning(&self) -> Option<String> {
        if self.base_url.is_some() {
            return None;
        }
        let host = self
            .bind
            .rsplit_once(':')
            .map_or(self.bind.as_str(), |(h, _)| h)
            .trim_start_matches('[')
            .trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (!loopback).then(|| {
            format!(
                "YISHI_BASE_URL is not set: links in QR codes, notices, feeds and mail will \
                 name http://{}; set YISHI_BASE_URL to the address people use",
                self.bind
            )
        })
    }

    pub fn log_key_file(&self) -> PathBuf {
        self.log_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir().join("log-signing.key"))
    }

    /// The log's origin for a new key: configured, or the site's host + `/log`.
    pub fn log_origin(&self) -> String {
        if let Some(o) = &self.log_origin {
            return o.clone();
        }
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind));
        let host = url::Url::parse(&base)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| {
                    format!(
                        "{h}{}",
                        u.port().map(|p| format!(":{p}")).unwrap_or_default()
                    )
                })
            })
            .unwrap_or_else(|| "yishi.invalid".into());
        format!("{host}/log")
    }

    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        match crate::db::DbTarget::parse(&self.database_url) {
            Ok(t) if t.backend == crate::db::Backend::Sqlite => {
                let parent = std::path::Path::new(&t.target)
                    .parent()
                    .map(|p| p.to_path_buf())
                    .unwrap_or_default();
                if parent.as_os_str().is_empty() {
                    PathBuf::from("yishi-data")
                } else {
                    parent.join("yishi-data")
                }
            }
            _ => PathBuf::from("yishi-data"),
        }
    }

    /// Name of the session cookie: `__Host-` prefixed when cookies are secure.
    pub fn session_cookie(&self) -> &'static str {
        if self.cookie_secure {
            "__Host-yishi_session"
        } else {
            "yishi_session"
        }
    }

    pub fn anon_cookie(&self) -> &'static str {
        if self.cookie_secure {
            "__Host-yishi_anon"
        } else {
            "yishi_anon"
        }
    }
}

/// Reads the signing secret from the data directory, creating it on first start. It never
/// lives in the code or the database.
pub fn load_or_create_secret(data_dir: &std::path::Path) -> std::io::Result<[u8; 32]> {
    use rand::RngCore;
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let bytes = hex::decode(text.trim()).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        return bytes.try_into().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: expected 32 bytes of hex", path.display()),
            )
        });
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    if create_key_file(&path, hex::encode(secret).as_bytes())? {
        Ok(secret)
    } else {
        // Another server process created it first: use theirs.
        load_or_create_secret(data_dir)
    }
}

/// Creates the key file `path` holding `contents` (mode 0600), unless it exists already.
/// Returns whether this call created it. The contents are written whole to a file of this
/// process's own, synced, then linked into place: a server starting at the same moment on
/// the same data directory sees either no key or the whole key, never a half-written one.
pub fn create_key_file(path: &std::path::Path, contents: &[u8]) -> std::io::Result<bool> {
    use rand::RngCore;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let tmp = dir.join(format!(".{name}.{}", hex::encode(nonce)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let written = opts.open(&tmp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(contents).and_then(|()| f.sync_all())
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            // The new name survives a crash too.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Config;

    /// What `n` threads started at the same moment each got from `start`: servers starting
    /// together on one data directory.
    pub(crate) fn started_together<T: Send>(n: usize, start: impl Fn() -> T + Sync) -> Vec<T> {
        std::thread::scope(|s| {
            let started: Vec<_> = (0..n).map(|_| s.spawn(&start)).collect();
            started
                .into_iter()
                .map(|t| t.join().expect("thread"))
                .collect()
        })
    }

    /// Servers started together on one data directory all read the one key, whole: none
    /// sees a key another is still writing (as `multi_server::` once did).
    #[test]
    fn servers_starting_together_share_one_whole_secret() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().expect("dir");
            let keys: Vec<[u8; 32]> =
                started_together(8, || super::load_or_create_secret(dir.path()))
                    .into_iter()
                    .map(|k| k.expect("a whole key"))
                    .collect();
            assert!(keys.windows(2).all(|w| w[0] == w[1]), "one key for all");
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .expect("list")
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect();
            assert_eq!(
                left,
                [std::ffi::OsString::from("secret.key")],
                "no stray files"
            );
        }
    }

    fn bound(bind: &str, base: Option<&str>) -> Config {
        let mut c = Config::with_database("yishi.db");
        c.bind = bind.into();
        c.base_url = base.map(str::to_string);
        c
    }

    #[test]
    fn links_come_from_the_base_url_or_the_bind_address() {
        assert_eq!(
            bound("0.0.0.0:8080", Some("https://yishi.example.cn/")).site_base(),
            "https://yishi.example.cn"
        );
        assert_eq!(
            bound("127.0.0.1:8080", None).site_base(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn an_unset_base_url_is_warned_about_off_loopback() {
        for quiet in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"] {
            assert_eq!(bound(quiet, None).base_url_warning(), None, "{quiet}");
        }
        assert_eq!(
            bound("0.0.0.0:80", Some("https://x.cn")).base_url_warning(),
            None
        );
        for loud in [
            "0.0.0.0:8080",
            "192.168.1.5:80",
            "[::]:8080",
            "yishi.lan:80",
        ] {
            assert!(bound(loud, None).base_url_warning().is_some(), "{loud}");
        }
    }
}
