//! A work order as a comment host: the thread on the order page takes comments while the
//! order exists, tells its reporter and assignee of each new one, and keeps an anonymous
//! reporter anonymous in it.

use chrono::NaiveDateTime;

use super::{model, rules};
use crate::comments::host::{Host, Posted, Reader};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// The thread on a work order.
pub struct OrderThread;

impl Host for OrderThread {
    fn admit(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
    ) -> Result<Result<(), &'static str>, AppError> {
        model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
        Ok(Ok(()))
    }

    /// Tells the order's reporter and assignee (not the writer) of the new comment.
    fn after_post(
        &self,
        conn: &mut AnyConnection,
        post: &Posted,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        let c = &post.community;
        let Some(o) = model::find(conn, c.id, post.host_id)? else {
            return Ok(());
        };
        let link = format!(
            "/c/{}/orders/{}#comment-{}",
            c.slug, post.host_id, post.comment_id
        );
        let mut told = Vec::new();
        for user in [o.reporter_id, o.assignee_id].into_iter().flatten() {
            if user == post.author_id || told.contains(&user) {
                continue;
            }
            told.push(user);
            notify(
                conn,
                &Notice {
                    user_id: user,
                    community_id: Some(c.id),
                    kind: "order_comment",
                    subject: &o.title,
                    detail: "",
                    link: &link,
                },
                now,
            )?;
        }
        Ok(())
    }

    fn hides_author(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
        author_id: i64,
        reader: Reader,
    ) -> Result<bool, AppError> {
        let Some(o) = model::find(conn, community_id, id)? else {
            return Ok(false);
        };
        let viewer = rules::Viewer {
            user_id: reader.user_id,
            committee: reader.committee,
        };
        Ok(rules::shown(o.privacy(), Some(author_id), viewer) == rules::Shown::Anonymous)
    }
}
