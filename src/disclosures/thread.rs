//! A disclosure as a comment host: one thread for all its versions, open while the
//! disclosure stands. Those who have written in it follow it: a new comment is told to the
//! committee member who published the disclosure, and the committee's official answer
//! (官方答复) to everyone who has written in the thread.

use chrono::NaiveDateTime;

use super::model;
use crate::comments::host::{Host, Posted, Reader};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// The thread on a disclosure.
pub struct DisclosureThread;

/// Who is told of a new comment on a disclosure: the publisher of a resident's comment,
/// every earlier writer of an official answer; never the writer, nobody twice.
pub fn told_of(publisher: i64, commenters: &[i64], author: i64, official: bool) -> Vec<i64> {
    let candidates: Vec<i64> = if official {
        commenters.to_vec()
    } else {
        vec![publisher]
    };
    let mut told: Vec<i64> = Vec::new();
    for user in candidates {
        if user != author && !told.contains(&user) {
            told.push(user);
        }
    }
    told
}

impl Host for DisclosureThread {
    fn admit(
        &self,
        conn: &mut AnyConnection,
        community_id: i64,
        id: i64,
    ) -> Result<Result<(), &'static str>, AppError> {
        model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
        Ok(Ok(()))
    }

    fn after_post(
        &self,
        conn: &mut AnyConnection,
        post: &Posted,
        now: NaiveDateTime,
    ) -> Result<(), AppError> {
        let c = &post.community;
        let Some(d) = model::find(conn, c.id, post.host_id)? else {
            return Ok(());
        };
        let commenters = if post.official {
            crate::comments::model::disclosure_commenters(conn, d.id)?
        } else {
            Vec::new()
        };
        let users = told_of(d.created_by, &commenters, post.author_id, post.official);
        if users.is_empty() {
            return Ok(());
        }
        let title = model::versions(conn, d.id)?
            .last()
            .map(|v| v.title.clone())
            .unwrap_or_default();
        let link = format!(
            "/c/{}/disclosures/{}#comment-{}",
            c.slug, d.id, post.comment_id
        );
        let kind = if post.official {
            "disclosure_official"
        } else {
            "disclosure_comment"
        };
        for user_id in users {
            notify(
                conn,
                &Notice {
                    user_id,
                    community_id: Some(c.id),
                    kind,
                    subject: &title,
                    detail: "",
                    link: &link,
                },
                now,
            )?;
        }
        Ok(())
    }

    /// Every comment on a disclosure is signed.
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

#[cfg(test)]
mod tests {
    use super::told_of;

    #[test]
    fn a_residents_comment_is_told_to_the_publisher_only() {
        assert_eq!(told_of(7, &[], 3, false), vec![7]);
    }

    #[test]
    fn the_publisher_is_not_told_of_their_own_comment() {
        assert!(told_of(7, &[], 7, false).is_empty());
    }

    #[test]
    fn an_official_answer_is_told_to_every_earlier_writer_but_its_own() {
        assert_eq!(told_of(7, &[2, 3, 5, 3], 5, true), vec![2, 3]);
    }
}
