//! An agenda item as a comment host: its thread takes comments until the item is closed;
//! a commenter follows the item, and an official answer is told to its followers.

use chrono::NaiveDateTime;

use super::service::{self, Tell};
use super::{model, rules};
use crate::comments::host::{Host, Posted, Reader};
use crate::db::AnyConnection;
use crate::error::AppError;

/// The thread on an agenda item.
pub struct ItemThread;

impl Host for ItemThread {
    fn admit(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
    ) -> Result<Result<(), &'static str>, AppError> {
        let item = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
        if !rules::accepts_comments(item.stage()) {
            return Ok(Err("agenda.err_comments_closed"));
        }
        Ok(Ok(()))
    }

    fn after_post(
        &self,
        conn: &mut AnyConnection,
        post: &Posted,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        let Some(item) = model::find(conn, post.community.id, post.host_id)? else {
            return Ok(());
        };
        service::follow(conn, &item, post.author_id, now)?;
        if post.official {
            let tell = Tell {
                kind: "item_official",
                detail: "",
                except: Some(post.author_id),
            };
            service::tell_followers(conn, &item, &tell, now)?;
        }
        Ok(())
    }

    /// Every comment on an item is signed.
    fn hides_author(
        &self,
        _conn: &mut AnyConnection,
        _community_id: i64,
        _id: i64,
        _author_id: i64,
        _reader: Reader,
    ) -> Result<bool, AppError> {
        Ok(false)
    }
}
