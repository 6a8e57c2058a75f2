//! Posting a comment and reading a thread, whatever it hangs on: the host's part is asked
//! of its [`Host`] implementation.

use chrono::NaiveDateTime;

use super::host::{Host, Posted};
use super::model::{self, NewComment, Target, ThreadRow};
use super::rules::{self, Stance};
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;

/// The host behind a target, and the host's id.
pub fn host(target: Target) -> (&'static dyn Host, i64) {
    match target {
        Target::Item(id) => (&crate::agenda::thread::ItemThread, id),
        Target::Order(id) => (&crate::work_orders::thread::OrderThread, id),
        Target::Disclosure(id) => (&crate::disclosures::thread::DisclosureThread, id),
    }
}

/// A thread as read from the database: its comments and (for moderators) their flags.
pub struct ThreadRows {
    pub rows: Vec<ThreadRow>,
    pub flags: Vec<(i64, String)>,
}

/// Reads a thread in two queries, whatever its size.
pub fn load_thread(conn: &mut AnyConnection, target: Target) -> Result<ThreadRows, AppError> {
    Ok(ThreadRows {
        rows: model::thread(conn, target)?,
        flags: model::flags_on(conn, target)?,
    })
}

/// A comment as written, checked for shape.
pub struct Draft {
    pub target: Target,
    pub body: String,
    pub stance: Option<Stance>,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub official: bool,
}

/// Why a comment was not posted: a message key, and the seconds to wait for a rate limit.
pub type Refusal = (&'static str, Option<i64>);

/// Posts a comment if its host takes one, its parent is in the same thread and the author
/// is within the rate limit; the host then does what follows (follows, notices).
pub fn post(
    conn: &mut AnyConnection,
    c: &Community,
    d: &Draft,
    now: NaiveDateTime,
) -> Result<Result<(), Refusal>, AppError> {
    let (host, host_id) = host(d.target);
    if let Err(key) = host.admit(conn, c.id, host_id)? {
        return Ok(Err((key, None)));
    }
    if let Some(pid) = d.parent_id {
        match model::find(conn, c.id, pid)? {
            Some(p) if p.target() == d.target => {}
            _ => return Ok(Err(("comments.err_parent", None))),
        }
    }
    let since = now - chrono::Duration::seconds(rules::POST_WINDOW_SECS);
    if let Some(wait) = rules::post_wait(&model::recent_posts(conn, d.author_id, since)?, now) {
        return Ok(Err(("comments.err_rate", Some(wait))));
    }
    let new = NewComment {
        community_id: c.id,
        target: d.target,
        parent_id: d.parent_id,
        author_id: d.author_id,
        body: &d.body,
        stance: d.stance.map(|s| s.as_str()),
        official: d.official,
    };
    let comment_id = model::insert(conn, &new, now)?;
    let posted = Posted {
        community: c.clone(),
        host_id,
        comment_id,
        author_id: d.author_id,
        official: d.official,
    };
    host.after_post(conn, &posted, now)?;
    Ok(Ok(()))
}
