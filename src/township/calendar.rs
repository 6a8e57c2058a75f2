//! The working calendar as stored (`calendar_days`, append-only): the days in force are the
//! rows added and not removed by a later row. The township's clock reads it each time it
//! counts a due date; changing it changes only the due dates counted afterwards.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Calendar, DayKind};
use crate::db::AnyConnection;
use crate::schema::calendar_days;

/// A row of the calendar: a day added, or (`removes`) the removal of one.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = calendar_days)]
pub struct Day {
    pub id: i64,
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub removes: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Day {
    pub fn kind(&self) -> Option<DayKind> {
        DayKind::parse(&self.kind)
    }

    pub fn kind_key(&self) -> String {
        format!("holidays.kind_{}", self.kind)
    }
}

/// The days in force (added, not removed), in date order. The table is a few dozen rows a
/// year: it is read whole and the removals applied here (a table cannot sub-select itself
/// in diesel without an alias).
pub fn in_force(conn: &mut AnyConnection) -> QueryResult<Vec<Day>> {
    let rows: Vec<Day> = calendar_days::table
        .order((calendar_days::day, calendar_days::id))
        .select(Day::as_select())
        .load(conn)?;
    Ok(still_in_force(rows))
}

/// The rows added and not removed by a later row.
pub fn still_in_force(rows: Vec<Day>) -> Vec<Day> {
    let removed: std::collections::HashSet<i64> = rows.iter().filter_map(|d| d.removes).collect();
    rows.into_iter()
        .filter(|d| d.removes.is_none() && !removed.contains(&d.id))
        .collect()
}

/// The calendar the township's clock counts on.
pub fn calendar(conn: &mut AnyConnection) -> QueryResult<Calendar> {
    Ok(Calendar::of(
        in_force(conn)?
            .into_iter()
            .filter_map(|d| Some((d.day, d.kind()?))),
    ))
}

/// The rows of one year, additions and removals, in date order: the page's history.
pub fn year(conn: &mut AnyConnection, year: i32) -> QueryResult<Vec<Day>> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1),
    ) else {
        return Ok(Vec::new());
    };
    calendar_days::table
        .filter(calendar_days::day.ge(from))
        .filter(calendar_days::day.lt(to))
        .order((calendar_days::day, calendar_days::id))
        .select(Day::as_select())
        .load(conn)
}

/// Adds a day (checked by the caller against the calendar in force).
pub fn add(
    conn: &mut AnyConnection,
    (day, kind, name): (NaiveDate, DayKind, &str),
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(day),
            calendar_days::kind.eq(kind.as_str()),
            calendar_days::name.eq(name),
            calendar_days::created_by.eq(Some(by)),
            calendar_days::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes the day in force `d` by a row that says so; the row added stays.
pub fn remove(conn: &mut AnyConnection, d: &Day, by: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(d.day),
            calendar_days::kind.eq(&d.kind),
            calendar_days::name.eq(&d.name),
            calendar_days::removes.eq(Some(d.id)),
            calendar_days::created_by.eq(Some(by)),
            calendar_days::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
