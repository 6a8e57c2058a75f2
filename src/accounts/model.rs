//! Users, sessions and throttled attempts in the database.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::rules::{self, Contact};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{notifications, sessions, users};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub locale: String,
    pub is_admin: bool,
    pub created_at: NaiveDateTime,
}

impl User {
    pub fn contact(&self) -> &str {
        self.phone
            .as_deref()
            .or(self.email.as_deref())
            .unwrap_or("")
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub locale: &'a str,
    pub is_admin: bool,
    pub created_at: NaiveDateTime,
}

impl<'a> NewUser<'a> {
    pub fn new(
        contact: &'a Contact,
        display_name: &'a str,
        password_hash: &'a str,
        locale: &'a str,
        now: NaiveDateTime,
    ) -> NewUser<'a> {
        let (phone, email) = match contact {
            Contact::Phone(p) => (Some(p.as_str()), None),
            Contact::Email(e) => (None, Some(e.as_str())),
        };
        NewUser {
            phone,
            email,
            display_name,
            password_hash,
            locale,
            is_admin: false,
            created_at: now,
        }
    }
}

pub fn insert_user(conn: &mut AnyConnection, new: &NewUser) -> QueryResult<i64> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result(conn)
}

pub fn find_by_contact(conn: &mut AnyConnection, contact: &Contact) -> QueryResult<Option<User>> {
    let q = users::table.select(User::as_select()).into_boxed();
    let q = match contact {
        Contact::Phone(p) => q.filter(users::phone.eq(p.clone())),
        Contact::Email(e) => q.filter(users::email.eq(e.clone())),
    };
    q.first(conn).optional()
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<User> {
    users::table.find(id).select(User::as_select()).first(conn)
}

pub fn set_password(conn: &mut AnyConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
}

pub fn set_locale(conn: &mut AnyConnection, id: i64, locale: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::locale.eq(locale))
        .execute(conn)
}

pub fn set_elder_mode(conn: &mut AnyConnection, id: i64, on: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::elder_mode.eq(on))
        .execute(conn)
}

// ---- sessions ----

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub user_agent: String,
    pub client_ip: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// Starts a session; returns the token for the cookie (only its hash is stored).
pub fn create_session(
    conn: &mut AnyConnection,
    user_id: i64,
    user_agent: &str,
    client_ip: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = random_token();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(hash_token(&token)),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(random_token()),
            sessions::user_agent.eq(user_agent),
            sessions::client_ip.eq(client_ip),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// What a request learns from its session cookie.
pub struct SessionInfo {
    pub session_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub is_admin: bool,
    pub locale: String,
    pub csrf_token: String,
    pub unread: i64,
    /// 长辈版, as the account remembers it.
    pub elder_mode: bool,
}

/// Finds the live session for a cookie token; ends it if it has expired.
pub fn session_user(
    conn: &mut AnyConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<SessionInfo>, AppError> {
    let row = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(hash_token(token)))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::csrf_token,
            users::id,
            users::display_name,
            users::is_admin,
            users::locale,
            users::elder_mode,
        ))
        .first::<(
            i64,
            NaiveDateTime,
            NaiveDateTime,
            String,
            i64,
            String,
            bool,
            String,
            bool,
        )>(conn)
        .optional()?;
    let Some((sid, created, last_seen, csrf, uid, name, is_admin, locale, elder_mode)) = row else {
        return Ok(None);
    };
    if !rules::session_alive(created, last_seen, now) {
        diesel::delete(sessions::table.find(sid)).execute(conn)?;
        return Ok(None);
    }
    // Touch at most once a minute: the idle clock needs no finer grain than that.
    if now - last_seen > Duration::minutes(1) {
        diesel::update(sessions::table.find(sid))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    let unread = notifications::table
        .filter(notifications::user_id.eq(uid))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(Some(SessionInfo {
        session_id: sid,
        user_id: uid,
        display_name: name,
        is_admin,
        locale,
        csrf_token: csrf,
        unread,
        elder_mode,
    }))
}

pub fn list_sessions(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::last_seen_at.desc())
        .select(Session::as_select())
        .load(conn)
}

/// Ends one of the user's own sessions; returns whether there was one.
pub fn end_session(conn: &mut AnyConnection, user_id: i64, session_id: i64) -> QueryResult<bool> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

pub fn end_other_sessions(conn: &mut AnyConnection, user_id: i64, keep: i64) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep)),
    )
    .execute(conn)
}

// ---- throttling: attempts reserved before hashing ----

/// The bucket of an account, keyed on the account as sign-in reads it, so that
/// "138 1000 0030", "+8613810000030" and "(138)10000030" are one bucket.
pub fn account_bucket(input: &str) -> String {
    let key = match Contact::parse(input) {
        Ok(c) => c.as_str().to_string(),
        Err(_) => input.trim().to_lowercase(),
    };
    format!("acct:{}", hash_token(&key))
}

pub fn address_bucket(ip: &str) -> String {
    format!("ip:{ip}")
}

pub fn signup_bucket(ip: &str) -> String {
    format!("signup:{ip}")
}

/// Reserves one attempt in `bucket` under `limit`, with conditional writes that the database
/// orders (the row's lock on PostgreSQL, the one writer on SQLite): of any number of parallel
/// attempts, at most `limit.max` are admitted per window. `Err(window_start)` when the bucket
/// is full.
pub fn reserve_attempt(
    conn: &mut AnyConnection,
    bucket: &str,
    limit: &rules::Limit,
    now: NaiveDateTime,
) -> QueryResult<Result<(), NaiveDateTime>> {
    use crate::schema::attempt_counters::dsl as a;
    let cutoff = now - limit.window;
    // Two rounds: the second only when another request created the row between our look
    // and our insert.
    for _ in 0..2 {
        let counted = diesel::update(
            a::attempt_counters
                .filter(a::bucket.eq(bucket))
                .filter(a::window_start.gt(cutoff))
                .filter(a::attempts.lt(limit.max)),
        )
        .set(a::attempts.eq(a::attempts + 1))
        .execute(conn)?;
        if counted == 1 {
            return Ok(Ok(()));
        }
        let restarted = diesel::update(
            a::attempt_counters
                .filter(a::bucket.eq(bucket))
                .filter(a::window_start.le(cutoff)),
        )
        .set((a::attempts.eq(1), a::window_start.eq(now)))
        .execute(conn)?;
        if restarted == 1 {
            return Ok(Ok(()));
        }
        let started: Option<NaiveDateTime> = a::attempt_counters
            .find(bucket)
            .select(a::window_start)
            .first(conn)
            .optional()?;
        if let Some(started) = started {
            return Ok(Err(started));
        }
        // A new bucket: forget the long-expired ones on the way.
        diesel::delete(a::attempt_counters.filter(a::window_start.lt(now - Duration::hours(1))))
            .execute(conn)?;
        match diesel::insert_into(a::attempt_counters)
            .values((
                a::bucket.eq(bucket),
                a::window_start.eq(now),
                a::attempts.eq(1),
            ))
            .execute(conn)
        {
            Ok(_) => return Ok(Ok(())),
            Err(e) if crate::db::is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(Err(now))
}

/// Gives back an attempt that turned out not to count (a success, or a request turned away
/// before hashing).
pub fn release_attempt(conn: &mut AnyConnection, bucket: &str) -> QueryResult<usize> {
    use crate::schema::attempt_counters::dsl as a;
    diesel::update(
        a::attempt_counters
            .filter(a::bucket.eq(bucket))
            .filter(a::attempts.gt(0)),
    )
    .set(a::attempts.eq(a::attempts - 1))
    .execute(conn)
}

/// Forgets a bucket's attempts (an account after a successful sign-in).
pub fn clear_attempts(conn: &mut AnyConnection, bucket: &str) -> QueryResult<usize> {
    use crate::schema::attempt_counters::dsl as a;
    diesel::delete(a::attempt_counters.filter(a::bucket.eq(bucket))).execute(conn)
}

/// Display names of some users, for "by whom" lines.
pub fn names(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}
