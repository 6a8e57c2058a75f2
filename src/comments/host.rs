//! The things a thread hangs on — an agenda item, a work order, a disclosure — as the
//! comments feature sees them. Each host implements [`Host`] beside its own model
//! (`agenda::thread`, `work_orders::thread`, `disclosures::thread`); the route table hands the
//! comment handlers the host pages ([`Pages`]), so this feature never names a host's
//! handlers. Adding a host is one [`Host`] implementation, one [`Target`] and its arms in
//! `comments::service::host` and the route table's `ThreadPages`.

use std::future::Future;

use actix_web::HttpResponse;
use chrono::NaiveDateTime;

use super::model::Target;
use crate::authz::Actor;
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::web::ctx::Ctx;
use crate::web::AppState;

/// A comment just stored on a host.
pub struct Posted {
    pub community: Community,
    pub host_id: i64,
    pub comment_id: i64,
    pub author_id: i64,
    /// The committee's official answer.
    pub official: bool,
}

/// Who reads a thread, for hosts that keep some authors anonymous.
#[derive(Clone, Copy)]
pub struct Reader {
    pub user_id: Option<i64>,
    pub committee: bool,
}

/// What the comments feature asks of a host, each in the caller's transaction.
pub trait Host: Sync {
    /// Whether host `id` of the community takes a comment now: `Err(AppError::NotFound)`
    /// if there is no such host, `Ok(Err(key))` with a message key if it is closed.
    fn admit(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
    ) -> Result<Result<(), &'static str>, AppError>;

    /// What follows a new comment: follows, notices.
    fn after_post(
        &self,
        conn: &mut AnyConnection,
        post: &Posted,
        now: NaiveDateTime,
    ) -> Result<(), AppError>;

    /// Whether `author_id`'s name is withheld from `reader` on host `id`.
    fn hides_author(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
        author_id: i64,
        reader: Reader,
    ) -> Result<bool, AppError>;
}

/// A thread's page being answered: who asks, where, about which thread.
pub struct OnThread {
    pub ctx: Ctx,
    pub community: Community,
    pub actor: Actor,
    pub target: Target,
}

/// The host pages, as the web layer provides them.
pub trait Pages {
    /// The thread's page again (422) with `message` beside the comment box and the text the
    /// user typed (`kept`) in it.
    fn refuse(
        state: &AppState,
        on: OnThread,
        message: String,
        kept: String,
    ) -> impl Future<Output = Result<HttpResponse, AppError>>;
}
