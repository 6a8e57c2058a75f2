//! Many verified residents at once, made directly in the database: signing in thousands of
//! people through argon2 would measure the hash, not the ballot. Shared by the tests and the
//! ballot benchmark (which includes this file by path).

use chrono::NaiveDateTime;
use yishi::db::AnyConnection;
use yishi::error::AppError;

/// `n` new verified residents of `slug`, each in a household of their own and with a live
/// session; returns (user id, session token) for each. Phones 1370xxxxxxx, from `first`.
pub fn make_voters(
    conn: &mut AnyConnection,
    slug: &str,
    first: usize,
    n: usize,
    now: NaiveDateTime,
) -> Result<Vec<(i64, String)>, AppError> {
    yishi::db::write_tx(conn, |conn| {
        let c = yishi::communities::model::by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
        let mut made = Vec::new();
        for i in first..first + n {
            let contact = yishi::accounts::rules::Contact::Phone(format!("1370{i:07}"));
            let name = format!("投票人{i}");
            let user = yishi::accounts::model::NewUser::new(
                &contact,
                &name,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$not-a-real-hash",
                "zh-CN",
                now,
            );
            let uid = yishi::accounts::model::insert_user(conn, &user)?;
            let h = yishi::communities::model::insert_household(
                conn,
                c.id,
                None,
                &format!("测试户{i}"),
                now,
            )?;
            yishi::communities::model::grant(
                conn,
                c.id,
                uid,
                yishi::authz::Role::Resident,
                Some(h),
                None,
                now,
            )?;
            let token =
                yishi::accounts::model::create_session(conn, uid, "test", "127.0.0.1", now)?;
            made.push((uid, token));
        }
        Ok(made)
    })
}
