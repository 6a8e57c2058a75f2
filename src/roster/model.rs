//! Queries on the roster tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{persons, roster_changes};

/// A person on the roster. No ID-card number, by design.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: i64,
    pub community_id: i64,
    pub household_id: i64,
    pub name: String,
    /// "m" or "f".
    pub sex: String,
    pub birth_date: NaiveDate,
    /// 出生年月 without a day: `birth_date` is the first of the month.
    pub birth_month_only: bool,
    pub relation: String,
    pub grid_id: Option<i64>,
    pub phone: String,
    /// "listed" (在册), "moved" (迁出) or "deceased" (去世).
    pub status: String,
    pub status_date: Option<NaiveDate>,
    pub status_note: String,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One kept change to the roster: the record as it stood after the change, as JSON.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = roster_changes)]
pub struct RosterChange {
    pub id: i64,
    pub community_id: i64,
    pub person_id: Option<i64>,
    pub household_id: Option<i64>,
    pub changed_by: i64,
    pub changed_at: NaiveDateTime,
    pub what: String,
    pub snapshot: String,
}
