//! Convening notices (召集通知): stored, published to the transparency log with their
//! canonical content, told to the item's followers, and the check a statutory ballot passes
//! before it opens — the notice period of [`super::convening`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::convening;
use super::model::Item;
use super::rules::Stage;
use super::service::{tell_followers, Tell};
use crate::clock;
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{ballots, convening_notices, convening_settings};
use crate::transparency::log::{self, ts, Kind};

/// A published convening notice. Never changed: a changed meeting is a new notice.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = convening_notices)]
pub struct ConveningNotice {
    pub id: i64,
    pub community_id: i64,
    pub item_id: i64,
    pub body: String,
    pub meets_at: NaiveDateTime,
    pub place: String,
    pub matters: String,
    pub online: String,
    pub notice_days: i64,
    pub published_by: i64,
    pub published_at: NaiveDateTime,
}

impl ConveningNotice {
    /// The first Beijing day the meeting it announces may be held (its ballot open).
    pub fn earliest_day(&self) -> NaiveDate {
        convening::earliest_day(clock::local_day(self.published_at), self.notice_days)
    }

    /// The meeting's name: 村民会议 in a village, 居民会议 in a neighbourhood.
    pub fn body_key(&self, c: &Community) -> String {
        body_key(&self.body, c)
    }

    pub fn meets_local(&self) -> String {
        clock::fmt_time(&self.meets_at)
    }

    pub fn published_local(&self) -> String {
        clock::fmt_day(&self.published_at)
    }
}

/// The name of a meeting of `body` in the community.
pub fn body_key(body: &str, c: &Community) -> String {
    let place = if c.kind == crate::communities::model::KIND_VILLAGE {
        "village"
    } else {
        "urban"
    };
    format!("notice.body.{place}.{body}")
}

/// A notice as the committee typed it, checked for shape.
pub struct Draft {
    pub body: String,
    /// UTC.
    pub meets_at: NaiveDateTime,
    pub place: String,
    pub matters: String,
    pub online: String,
    /// The period announced; empty takes the minimum.
    pub notice_days: Option<i64>,
}

/// The villagers' meeting may be held by all adults or by household representatives: one
/// notice announces it either way.
fn same_meeting(a: &str, b: &str) -> bool {
    let villagers = |s: &str| s == "residents" || s == "households";
    a == b || (villagers(a) && villagers(b))
}

/// The community's notice period for representatives' and group meetings.
pub fn setting_days(conn: &mut AnyConnection, community_id: i64) -> QueryResult<i64> {
    Ok(convening_settings::table
        .find(community_id)
        .select(convening_settings::notice_days)
        .first(conn)
        .optional()?
        .unwrap_or(convening::DEFAULT_NOTICE_DAYS))
}

/// Sets the community's notice period for representatives' and group meetings.
pub fn set_setting_days(conn: &mut AnyConnection, community_id: i64, days: i64) -> QueryResult<()> {
    let n = diesel::update(convening_settings::table.find(community_id))
        .set(convening_settings::notice_days.eq(days))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(convening_settings::table)
            .values((
                convening_settings::community_id.eq(community_id),
                convening_settings::notice_days.eq(days),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The matters (agenda categories) the villagers' meeting has delegated to the
/// representatives' meeting (art. 24).
pub fn delegated(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<String>> {
    let stored: Option<String> = convening_settings::table
        .find(community_id)
        .select(convening_settings::delegated)
        .first(conn)
        .optional()?;
    Ok(super::rules::parse_delegated(&stored.unwrap_or_default()))
}

/// Sets the community's meeting settings: the notice period for representatives' and
/// group meetings and the delegated matters; the change is in the action log, in the same
/// transaction.
pub fn save_settings(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    (days, matters): (i64, &[String]),
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let stored = matters.join(",");
    set_setting_days(conn, community_id, days)?;
    diesel::update(convening_settings::table.find(community_id))
        .set(convening_settings::delegated.eq(&stored))
        .execute(conn)?;
    crate::audit::setting_changed(
        conn,
        community_id,
        by,
        &format!("notice {days}d; delegated [{stored}]"),
        now,
    )?;
    Ok(())
}

/// May a ballot (or a notice) of `body` resolve the item? Only for a major item does the
/// law say who decides (art. 24); `Err(key)` names it.
fn check_matter(
    conn: &mut AnyConnection,
    item: &Item,
    body: &str,
) -> QueryResult<Result<(), &'static str>> {
    if !item.major || !NOTICED_RESOLVERS.contains(&body) {
        return Ok(Ok(()));
    }
    let delegated = delegated(conn, item.community_id)?;
    Ok(super::rules::may_resolve_matter(
        body,
        &item.category,
        &delegated,
    ))
}

/// The bodies whose meeting may resolve a major item, so whose delegation is checked.
const NOTICED_RESOLVERS: [&str; 3] = ["residents", "households", "representatives"];

/// The minimum notice for a meeting of `body` in the community.
pub fn minimum_days(
    conn: &mut AnyConnection,
    community_id: i64,
    body: &str,
) -> QueryResult<Option<i64>> {
    Ok(convening::minimum_notice_days(
        body,
        setting_days(conn, community_id)?,
    ))
}

/// An item's notices, oldest first.
pub fn of_item(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<ConveningNotice>> {
    convening_notices::table
        .filter(convening_notices::item_id.eq(item_id))
        .order(convening_notices::id.asc())
        .select(ConveningNotice::as_select())
        .load(conn)
}

/// The community's notices whose meeting is still to come at `now`, soonest first: the
/// community page shows them while they run.
pub fn running(
    conn: &mut AnyConnection,
    community_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<ConveningNotice>> {
    convening_notices::table
        .filter(convening_notices::community_id.eq(community_id))
        .filter(convening_notices::meets_at.gt(now))
        .order((
            convening_notices::meets_at.asc(),
            convening_notices::id.asc(),
        ))
        .limit(10)
        .select(ConveningNotice::as_select())
        .load(conn)
}

/// The community's latest notices, newest first.
pub fn recent(
    conn: &mut AnyConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<ConveningNotice>> {
    convening_notices::table
        .filter(convening_notices::community_id.eq(community_id))
        .order(convening_notices::id.desc())
        .limit(limit)
        .select(ConveningNotice::as_select())
        .load(conn)
}

/// Notice `id` of the community.
pub fn find(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<ConveningNotice>> {
    convening_notices::table
        .filter(convening_notices::community_id.eq(community_id))
        .filter(convening_notices::id.eq(id))
        .select(ConveningNotice::as_select())
        .first(conn)
        .optional()
}

/// The ids of the community's items with a notice of the villagers' meeting.
pub fn villagers_noticed(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<i64>> {
    convening_notices::table
        .filter(convening_notices::community_id.eq(community_id))
        .filter(convening_notices::body.eq_any(["residents", "households"]))
        .select(convening_notices::item_id)
        .load(conn)
}

/// Canonical content of notices, by id, in one query.
pub fn contents(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let rows: Vec<ConveningNotice> = convening_notices::table
        .filter(convening_notices::id.eq_any(ids))
        .select(ConveningNotice::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let v = json!({
                "type": "convening_notice",
                "id": n.id,
                "community": n.community_id,
                "item": n.item_id,
                "body": n.body,
                "meets_at": ts(&n.meets_at),
                "place": n.place,
                "matters": n.matters,
                "online": n.online,
                "notice_days": n.notice_days,
                "published_by": n.published_by,
                "published_at": ts(&n.published_at),
            });
            (n.id, v)
        })
        .collect())
}

/// The notice that announces the next ballot of `body` on the item: the latest of that
/// meeting published after the item's last ballot opened (a reconvened meeting needs a new
/// notice).
fn current(
    conn: &mut AnyConnection,
    item_id: i64,
    body: &str,
) -> QueryResult<Option<ConveningNotice>> {
    let last_ballot: Option<NaiveDateTime> = ballots::table
        .filter(ballots::item_id.eq(item_id))
        .select(diesel::dsl::max(ballots::created_at))
        .first(conn)?;
    Ok(of_item(conn, item_id)?
        .into_iter()
        .rfind(|n| same_meeting(&n.body, body) && last_ballot.is_none_or(|b| n.published_at > b)))
}

/// What the opening form says about the notice a ballot of `body` needs.
pub enum NoticeState {
    /// The body needs none.
    NotNeeded,
    /// None is published yet; the minimum period, in days.
    Missing(i64),
    /// Published: the first Beijing day the ballot may open.
    From(NaiveDate),
}

/// Where the item stands with the notice a ballot of `body` needs.
pub fn state_for(
    conn: &mut AnyConnection,
    community_id: i64,
    item_id: i64,
    body: &str,
) -> QueryResult<NoticeState> {
    let Some(min) = minimum_days(conn, community_id, body)? else {
        return Ok(NoticeState::NotNeeded);
    };
    Ok(match current(conn, item_id, body)? {
        None => NoticeState::Missing(min),
        Some(n) => NoticeState::From(convening::earliest_day(
            clock::local_day(n.published_at),
            n.notice_days.max(min),
        )),
    })
}

/// What the ballot-opening form says about the notice: a message key, its placeholder and
/// value; `None` when no notice is needed.
pub fn opening_words(state: &NoticeState) -> Option<(&'static str, &'static str, String)> {
    match state {
        NoticeState::NotNeeded => None,
        NoticeState::Missing(n) => Some(("ballots.notice_missing", "n", n.to_string())),
        NoticeState::From(day) => Some(("ballots.notice_from", "day", day.to_string())),
    }
}

/// May a ballot of `body` on the item open at `opens_at` (UTC)? `Err(key)` says why not:
/// a major matter the representatives may not decide (art. 24), no notice of that meeting,
/// or its period has not run.
pub fn check_opening(
    conn: &mut AnyConnection,
    community_id: i64,
    item_id: i64,
    body: &str,
    opens_at: NaiveDateTime,
) -> QueryResult<Result<(), &'static str>> {
    if let Some(item) = super::model::find(conn, community_id, item_id)? {
        if let Err(key) = check_matter(conn, &item, body)? {
            return Ok(Err(key));
        }
    }
    Ok(match state_for(conn, community_id, item_id, body)? {
        NoticeState::NotNeeded => Ok(()),
        NoticeState::Missing(_) => Err("ballots.err_no_notice"),
        NoticeState::From(day) if clock::local(opens_at).date() >= day => Ok(()),
        NoticeState::From(_) => Err("ballots.err_notice_period"),
    })
}

/// Publishes a convening notice for the item: stored, logged and told to its followers, in
/// the caller's transaction. `Ok(Err((field, key)))` names what is wrong.
pub fn publish(
    conn: &mut AnyConnection,
    c: &Community,
    item: &Item,
    d: &Draft,
    by: i64,
    now: NaiveDateTime,
) -> Result<Result<i64, (&'static str, &'static str)>, AppError> {
    if !matches!(item.stage(), Stage::Adopted | Stage::Deliberating) {
        return Ok(Err(("body", "notice.err_stage")));
    }
    if let Err(key) = check_matter(conn, item, &d.body)? {
        return Ok(Err(("body", key)));
    }
    let Some(min) = minimum_days(conn, c.id, &d.body)? else {
        return Ok(Err(("body", "notice.err_body")));
    };
    let days = d.notice_days.unwrap_or(min);
    if let Err(key) = convening::check_period(days, min) {
        return Ok(Err(("notice_days", key)));
    }
    let earliest = convening::earliest_day(clock::local_day(now), days);
    if !clock::near_today(clock::local_day(d.meets_at), clock::local_day(now)) {
        return Ok(Err(("meets_at", "notice.err_meets_at")));
    }
    if clock::local(d.meets_at).date() < earliest {
        return Ok(Err(("meets_at", "notice.err_meets_early")));
    }
    let id: i64 = diesel::insert_into(convening_notices::table)
        .values((
            convening_notices::community_id.eq(c.id),
            convening_notices::item_id.eq(item.id),
            convening_notices::body.eq(&d.body),
            convening_notices::meets_at.eq(d.meets_at),
            convening_notices::place.eq(&d.place),
            convening_notices::matters.eq(&d.matters),
            convening_notices::online.eq(&d.online),
            convening_notices::notice_days.eq(days),
            convening_notices::published_by.eq(by),
            convening_notices::published_at.eq(now),
        ))
        .returning(convening_notices::id)
        .get_result(conn)?;
    let content = log::the_one(contents(conn, &[id])?)?;
    log::publish(conn, Kind::ConveningNotice, Some(c.id), id, &content, now)?;
    let detail = format!("{} · {}", clock::fmt_time(&d.meets_at), d.place);
    let tell = Tell {
        kind: "convening_notice",
        detail: &detail,
        except: Some(by),
    };
    tell_followers(conn, item, &tell, now)?;
    Ok(Ok(id))
}

#[cfg(test)]
mod tests {
    use super::same_meeting;

    #[test]
    fn a_villagers_meeting_notice_serves_either_way_of_holding_it() {
        assert!(same_meeting("residents", "households"));
        assert!(same_meeting("households", "residents"));
        assert!(same_meeting("group", "group"));
        assert!(!same_meeting("representatives", "residents"));
    }
}
