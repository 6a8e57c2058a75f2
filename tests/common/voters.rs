//! Many verified residents at once, made directly in the database: signing in thousands of
//! people through argon2 would measure the hash, not the ballot. Each is a person on the
//! roster linked to their account, as the committee's verification leaves them (the roster
//! pages are tested with the roster). Shared by the tests and the ballot benchmark (which
//! includes this file by path).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use yishi::db::AnyConnection;
use yishi::error::AppError;
use yishi::schema::{memberships, persons, users};

/// An adult's birth date for the people the helpers make.
fn adult_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1975, 6, 1).expect("a date")
}

/// Puts a person on the roster of community `cid`, in household `h`, linked to `user`
/// (unlinked when `None`); returns the person's id.
pub fn add_person(
    conn: &mut AnyConnection,
    (cid, h): (i64, i64),
    name: &str,
    birth: NaiveDate,
    user: Option<i64>,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    Ok(diesel::insert_into(persons::table)
        .values((
            persons::community_id.eq(cid),
            persons::household_id.eq(h),
            persons::name.eq(name),
            persons::sex.eq("m"),
            persons::birth_date.eq(birth),
            persons::user_id.eq(user),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .returning(persons::id)
        .get_result(conn)?)
}

/// `n` new verified residents of `slug`, each in a household of their own, on the roster
/// and with a live session; returns (user id, session token) for each. Phones 1370xxxxxxx,
/// from `first`.
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
            add_person(conn, (c.id, h), &name, adult_birth(), Some(uid), now)?;
            let token =
                yishi::accounts::model::create_session(conn, uid, "test", "127.0.0.1", now)?;
            made.push((uid, token));
        }
        Ok(made)
    })
}

/// Puts every verified resident, committee member and representative of `slug` who is not yet on its roster there, as an adult linked to
/// their account, in their household (or one of their own): the verification the committee
/// would have done. Returns how many were added.
#[allow(dead_code)] // the benchmark includes this file and does not use it
pub fn roster_members(
    conn: &mut AnyConnection,
    slug: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    yishi::db::write_tx(conn, |conn| {
        let c = yishi::communities::model::by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
        let members: Vec<(i64, Option<i64>, String)> = memberships::table
            .inner_join(users::table)
            .filter(memberships::community_id.eq(c.id))
            .filter(
                memberships::role.eq_any(
                    [
                        yishi::authz::Role::Resident,
                        yishi::authz::Role::Committee,
                        yishi::authz::Role::Representative,
                    ]
                    .map(yishi::authz::Role::as_str),
                ),
            )
            .order((memberships::user_id, memberships::household_id.desc()))
            .select((
                memberships::user_id,
                memberships::household_id,
                users::display_name,
            ))
            .load(conn)?;
        let linked: Vec<Option<i64>> = persons::table
            .filter(persons::community_id.eq(c.id))
            .select(persons::user_id)
            .load(conn)?;
        let mut added = 0;
        let mut seen = Vec::new();
        for (uid, household, name) in members {
            if seen.contains(&uid) || linked.contains(&Some(uid)) {
                continue;
            }
            seen.push(uid);
            let h = match household {
                Some(h) => h,
                None => yishi::communities::model::insert_household(
                    conn,
                    c.id,
                    None,
                    &format!("{name}家"),
                    now,
                )?,
            };
            add_person(conn, (c.id, h), &name, adult_birth(), Some(uid), now)?;
            added += 1;
        }
        Ok(added)
    })
}

/// Adds `n` persons to the roster of `slug`, four to a household, born on 1 January of
/// 1930 + (i mod 96) (so about four in five are adults), every fiftieth moved away at the
/// start of 2026: the roster of a large village, written a thousand rows a statement.
/// Returns how many of them are adults still listed on `day`.
#[allow(dead_code)] // the benchmark includes this file and does not use it
pub fn big_roster(
    conn: &mut AnyConnection,
    slug: &str,
    n: usize,
    day: NaiveDate,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    yishi::db::write_tx(conn, |conn| {
        let c = yishi::communities::model::by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
        let mut households = Vec::new();
        for h in 0..n.div_ceil(4) {
            households.push(yishi::communities::model::insert_household(
                conn,
                c.id,
                None,
                &format!("大村{h}号"),
                now,
            )?);
        }
        let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let mut adults = 0;
        let rows: Vec<String> = (0..n)
            .map(|i| {
                let birth = NaiveDate::from_ymd_opt(1930 + (i % 96) as i32, 1, 1).expect("date");
                let moved = i % 50 == 0;
                if !moved && day.years_since(birth).unwrap_or(0) >= 18 {
                    adults += 1;
                }
                let status = if moved {
                    "'moved', '2026-01-01'"
                } else {
                    "'listed', NULL"
                };
                format!(
                    "({}, {}, '村民{i}', 'f', '{birth}', {status}, '{stamp}', '{stamp}')",
                    c.id,
                    households[i / 4]
                )
            })
            .collect();
        for chunk in rows.chunks(1000) {
            diesel::sql_query(format!(
                "INSERT INTO persons (community_id, household_id, name, sex, birth_date, \
                 status, status_date, created_at, updated_at) VALUES {}",
                chunk.join(",")
            ))
            .execute(conn)?;
        }
        Ok(adults)
    })
}
