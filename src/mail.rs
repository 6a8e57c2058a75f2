//! Notification e-mail. Notifications are written in the same transaction as the change
//! they report; a sender loop then mails those of users who gave an e-mail address, over
//! SMTP when `YISHI_SMTP_URL` is set, or into `DATA_DIR/outbox/` (one `.eml` file each)
//! in development. Each notification is claimed by a conditional update before it is sent,
//! so with several app servers each mail goes out once.

use std::path::PathBuf;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{communities, notifications, users};
use crate::web::i18n::{Lang, Tr};

pub enum Mailer {
    Smtp(SmtpTransport),
    Outbox(PathBuf),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, String> {
        match &config.smtp_url {
            Some(url) => SmtpTransport::from_url(url)
                .map(|b| Mailer::Smtp(b.build()))
                .map_err(|e| format!("YISHI_SMTP_URL: {e}")),
            None => Ok(Mailer::Outbox(config.data_dir().join("outbox"))),
        }
    }

    fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Outbox(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                FileTransport::new(dir)
                    .send(message)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

type Pending = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// Mails up to `limit` notifications not yet mailed; returns how many went out.
pub fn deliver_pending(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    config: &Config,
    now: NaiveDateTime,
    limit: i64,
) -> Result<usize, AppError> {
    let pending: Vec<Pending> = notifications::table
        .inner_join(users::table)
        .left_join(
            communities::table.on(notifications::community_id.eq(communities::id.nullable())),
        )
        .filter(notifications::mailed_at.is_null())
        .filter(users::email.is_not_null())
        .order(notifications::id)
        .limit(limit)
        .select((
            notifications::id,
            users::email.assume_not_null(),
            users::locale,
            notifications::kind,
            notifications::subject,
            notifications::detail,
            notifications::link,
            communities::kind.nullable(),
        ))
        .load(conn)?;
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| AppError::Internal(format!("YISHI_MAIL_FROM: {e}")))?;
    let base = config.site_base();
    let mut sent = 0;
    for (id, email, locale, kind, subject, detail, link, place) in pending {
        let claimed = diesel::update(
            notifications::table
                .find(id)
                .filter(notifications::mailed_at.is_null()),
        )
        .set(notifications::mailed_at.eq(Some(now)))
        .execute(conn)?;
        if claimed == 0 {
            continue;
        }
        let t = Tr(Lang::from_tag(&locale).unwrap_or(Lang::Zh));
        // The community's own words: 村委会 in a village, 居委会 in a neighbourhood.
        let text = crate::web::i18n::for_kind(
            &t.f(&format!("notify.{kind}"), &[("subject", &subject)]),
            place.as_deref().unwrap_or(""),
        );
        let mut body = format!("{text}\n\n");
        if !detail.is_empty() {
            body.push_str(&format!("{}{detail}\n\n", t.t("inbox.reason")));
        }
        body.push_str(&format!("{base}{link}\n\n-- \n{}\n", t.t("mail.footer")));
        let Ok(to) = email.parse::<Mailbox>() else {
            continue;
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(format!("{} · {}", t.t("site.name"), text))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| AppError::Internal(format!("mail: {e}")))?;
        match mailer.send(&message) {
            Ok(()) => sent += 1,
            Err(e) => {
                // Leave it for the next run.
                tracing::warn!(notification = id, "mail not sent: {e}");
                diesel::update(notifications::table.find(id))
                    .set(notifications::mailed_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            }
        }
    }
    Ok(sent)
}
