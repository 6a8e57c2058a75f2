//! The `yishi` command: serve the site, migrate the database, administer.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yishi::accounts::model::{self as accounts, NewUser};
use yishi::accounts::{password, rules};
use yishi::config::Config;
use yishi::startup::{prepare, Application};
use yishi::{db, demo};

#[derive(Parser)]
#[command(
    name = "yishi",
    version,
    about = "议事 — deliberate, decide and publish village affairs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site.
    Serve {
        /// Load the demo community into an empty database first, and print its sign-ins.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        config: Config,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        config: Config,
    },
    /// The periodic jobs (closing ballots, escalation, confirmation, reminders).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Check the transparency log (for supervisors), or export it for checking offline.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the database and the data dir into a new folder in DIR, or verify a backup.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        command: Option<BackupCommand>,
        /// The folder that holds the backups; each run writes `DIR/yishi-YYYYMMDD-HHMMSS/`.
        #[arg(required = true)]
        dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Restore a backup into an empty database and data dir (nothing is overwritten).
    Restore(Box<yishi::backup::cli::RestoreArgs>),
    /// Platform administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run every job once and exit, for cron instead of the server's own timer (set
    /// YISHI_JOB_INTERVAL=0 on the servers then). Takes the same lease as the servers.
    RunOnce {
        #[command(flatten)]
        config: Config,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Fetch the signed checkpoint, every entry and the proofs; check the signature, the
    /// root and consistency with the checkpoint saved last time; re-hash every published
    /// record and name each one that no longer matches. Exit status 0: all good; 1: the
    /// log or a record fails.
    Verify {
        /// The site, e.g. `https://yishi.example.cn`.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        url: Option<String>,
        /// An export file made by `yishi audit export`, instead of a site.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// The verifier key to trust (`name+id+base64`, from the committee's notice board);
        /// without it the key saved last time, or on first use the site's own.
        #[arg(long)]
        key: Option<String>,
        /// Where the last accepted checkpoint is kept, for the consistency check.
        #[arg(long, default_value = "yishi-audit-state.json")]
        state: std::path::PathBuf,
        /// The language of the report: `zh-CN` or `en` (default: from `LC_ALL`, `LC_MESSAGES` or `LANG`).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Write the key, the newest checkpoint and every entry with its record to a file.
    Export {
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        config: Box<Config>,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Check a backup: its manifest, its database copy and its transparency log.
    Verify(yishi::backup::cli::VerifyArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform admin. The password is read from the terminal, or from the first
    /// line of standard input when it is not a terminal; never from the command line.
    Create {
        /// Mobile number or e-mail address to sign in with.
        #[arg(long)]
        contact: String,
        /// Display name.
        #[arg(long, default_value = "平台管理员")]
        name: String,
        #[command(flatten)]
        config: Config,
    },
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { demo, config } => serve(config, demo),
        Command::Migrate { config } => {
            init_tracing(&config.log);
            prepare(&config).map(|_| println!("database is up to date"))
        }
        Command::Jobs {
            command: JobsCommand::RunOnce { config },
        } => {
            init_tracing(&config.log);
            run_jobs_once(&config)
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    url,
                    file,
                    key,
                    state,
                    lang,
                },
        } => audit_verify(url, file, key, &state, lang.as_deref()),
        Command::Audit {
            command: AuditCommand::Export { out, config },
        } => audit_export(&config, &out),
        Command::Backup {
            command: Some(BackupCommand::Verify(args)),
            ..
        } => yishi::backup::cli::verify(&args),
        Command::Backup { dir, config, .. } => {
            init_tracing(&config.log);
            yishi::backup::cli::backup(&config, &dir.unwrap_or_default())
        }
        Command::Restore(args) => yishi::backup::cli::restore(&args),
        Command::Admin {
            command:
                AdminCommand::Create {
                    contact,
                    name,
                    config,
                },
        } => create_admin(config, &contact, &name),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yishi: {e}");
            ExitCode::FAILURE
        }
    }
}

fn audit_verify(
    url: Option<String>,
    file: Option<std::path::PathBuf>,
    key: Option<String>,
    state: &std::path::Path,
    lang: Option<&str>,
) -> Result<(), String> {
    use yishi::transparency::verify::{self, Export, Site, Source};
    // POSIX order: LC_ALL, then LC_MESSAGES, then LANG; an empty one does not count.
    let env = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
    let tr = yishi::web::i18n::Tr(verify::cli_lang(lang, env.as_deref()));
    let source: Box<dyn Source> = match (url, file) {
        (Some(u), _) => Box::new(Site::new(&u)),
        (None, Some(f)) => {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let export: Export =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
            Box::new(export)
        }
        (None, None) => return Err(tr.t("audit.give_source").to_string()),
    };
    let report = verify::verify(source.as_ref(), key.as_deref(), Some(state))
        .map_err(|e| verify::failure_words(tr, &e))?;
    let lines = verify::report_lines(tr, &report, state);
    let (last, rest) = lines.split_last().ok_or("empty report")?;
    for l in rest {
        println!("{l}");
    }
    if report.findings.is_empty() {
        println!("{last}");
        Ok(())
    } else {
        Err(last.clone())
    }
}

fn audit_export(config: &Config, out: &std::path::Path) -> Result<(), String> {
    use yishi::transparency::checkpoint;
    let pool = prepare(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let key = checkpoint::LogKey::load_or_create(&config.log_key_file(), &config.log_origin())?;
    let now = yishi::clock::Clock::now(&yishi::clock::SystemClock);
    let export = yishi::backup::logcheck::export(&mut conn, &key, now)?;
    let size = export.records.len();
    let text = serde_json::to_string(&export).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("wrote {size} entries to {}", out.display());
    Ok(())
}

fn serve(config: Config, load_demo: bool) -> Result<(), String> {
    init_tracing(&config.log);
    if load_demo {
        let pool = prepare(&config)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        if demo::is_empty(&mut conn).map_err(|e| e.to_string())? {
            let now = yishi::clock::Clock::now(&yishi::clock::SystemClock);
            let signins =
                demo::load(&mut conn, &config.data_dir(), now).map_err(|e| e.to_string())?;
            yishi::work_orders::demo_photos::add(&mut conn, &config.data_dir(), now)
                .map_err(|e| e.to_string())?;
            yishi::ballots::option_photos::add(&mut conn, &config.data_dir())
                .map_err(|e| e.to_string())?;
            yishi::inquiries::files::demo_attach(&mut conn, &config.data_dir(), now)
                .map_err(|e| e.to_string())?;
            println!(
                "Demo community loaded. Sign in with any of these (password: {}):",
                demo::DEMO_PASSWORD
            );
            for s in signins {
                println!("  {:<17} {:<12} {}", s.role, s.contact, s.name);
            }
        } else {
            println!("The database already has data; the demo was not loaded again.");
            println!(
                "Demo sign-ins, if it was loaded before: 13900000000 (admin), password {}",
                demo::DEMO_PASSWORD
            );
        }
    }
    if let Some(warning) = config.base_url_warning() {
        tracing::warn!("{warning}");
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())?;
        let host = config
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        println!(
            "yishi is serving on {}",
            config
                .base_url
                .clone()
                .unwrap_or_else(|| format!("http://{host}:{}", app.port()))
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn create_admin(config: Config, contact: &str, name: &str) -> Result<(), String> {
    let contact = rules::Contact::parse(contact)
        .map_err(|_| "not a mobile number or e-mail address".to_string())?;
    let name =
        rules::check_display_name(name).map_err(|_| "the name is empty or too long".to_string())?;
    let pw = read_password()?;
    rules::check_password(&pw, Some(contact.as_str())).map_err(|_| {
        format!(
            "the password must be {}–{} characters and not a common one",
            rules::PASSWORD_MIN,
            rules::PASSWORD_MAX
        )
    })?;
    let pool = prepare(&config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let hash = password::hash(&pw).map_err(|e| e.to_string())?;
    let now = yishi::clock::Clock::now(&yishi::clock::SystemClock);
    let mut new = NewUser::new(&contact, &name, &hash, "zh-CN", now);
    new.is_admin = true;
    match accounts::insert_user(&mut conn, &new) {
        Ok(id) => {
            println!("admin {} created (user {id})", contact.as_str());
            Ok(())
        }
        Err(e) if db::is_unique_violation(&e) => Err(format!(
            "an account with {} already exists",
            contact.as_str()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// `yishi jobs run-once`: every periodic job once, under the servers' lease.
fn run_jobs_once(config: &Config) -> Result<(), String> {
    let pool = prepare(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = yishi::clock::Clock::now(&yishi::clock::SystemClock);
    let holder = format!("cron-{}", std::process::id());
    let ran = yishi::jobs::run_all(&mut conn, &holder, now).map_err(|e| e.to_string());
    yishi::jobs::release(&mut conn, "periodic", &holder).map_err(|e| e.to_string())?;
    let ran = ran?;
    let backup = yishi::backup::timer::tick(&mut conn, config, &holder, now);
    yishi::jobs::release(&mut conn, yishi::backup::timer::JOB, &holder)
        .map_err(|e| e.to_string())?;
    if let Some(run) = backup.map_err(|e| e.to_string())?.run {
        println!("backup: {} {}", run.path, run.message);
    }
    println!(
        "ballots closed {}, orders escalated {}, confirmed {}, reminders {}, weekly notices {}",
        ran.ballots_closed, ran.escalated, ran.confirmed, ran.reminders, ran.weekly
    );
    Ok(())
}
