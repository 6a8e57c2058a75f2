//! A project's acceptance (验收): the day the finished work was inspected, who inspected and
//! signed it, their opinion and a photo of the signed record. Append-only: a re-inspection
//! is a new record and the first one stays on the project page.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::DATE;
use crate::db::AnyConnection;
use crate::schema::project_acceptances;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = project_acceptances)]
pub struct Acceptance {
    pub id: i64,
    pub community_id: i64,
    pub project_id: i64,
    /// The day of the inspection (ISO date).
    pub accepted_on: String,
    /// Who inspected and signed, as the record names them (units and persons).
    pub accepted_by: String,
    pub opinion: String,
    /// A stored photo of the signed record.
    pub photo: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

pub struct NewAcceptance<'a> {
    pub community_id: i64,
    pub project_id: i64,
    pub accepted_on: NaiveDate,
    pub accepted_by: &'a str,
    pub opinion: &'a str,
    pub photo: Option<&'a str>,
}

pub fn insert(
    conn: &mut AnyConnection,
    a: &NewAcceptance,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(project_acceptances::table)
        .values((
            project_acceptances::community_id.eq(a.community_id),
            project_acceptances::project_id.eq(a.project_id),
            project_acceptances::accepted_on.eq(a.accepted_on.format(DATE).to_string()),
            project_acceptances::accepted_by.eq(a.accepted_by),
            project_acceptances::opinion.eq(a.opinion),
            project_acceptances::photo.eq(a.photo),
            project_acceptances::recorded_by.eq(by),
            project_acceptances::recorded_at.eq(now),
        ))
        .returning(project_acceptances::id)
        .get_result(conn)
}

/// A project's acceptances, oldest first: one query.
pub fn of(conn: &mut AnyConnection, project_id: i64) -> QueryResult<Vec<Acceptance>> {
    project_acceptances::table
        .filter(project_acceptances::project_id.eq(project_id))
        .order(project_acceptances::id)
        .select(Acceptance::as_select())
        .load(conn)
}
