//! The hall's sign-in register (签到) in the database: who on the frozen roll came, by which
//! path. An online vote and a signature in the hall take the one unique (ballot, person)
//! key of `ballot_attendance`, so nobody is counted twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Ballot, HALL};
use crate::db::AnyConnection;
use crate::schema::{ballot_attendance, ballot_roll, households, persons};

/// One person on the register: their household and how they came, if they did.
#[derive(Clone, Debug)]
pub struct RegisterRow {
    pub person_id: i64,
    pub name: String,
    pub sex: String,
    pub birth_year: i32,
    pub household_id: i64,
    /// The household's number and address, as the printed register heads it.
    pub household: String,
    /// `online` or `hall` once they took part.
    pub via: Option<String>,
}

impl RegisterRow {
    pub fn voted_online(&self) -> bool {
        self.via.as_deref() == Some(super::model::ONLINE)
    }

    pub fn signed_in(&self) -> bool {
        self.via.as_deref() == Some(HALL)
    }
}

type Row = (
    i64,
    String,
    String,
    chrono::NaiveDate,
    i64,
    String,
    String,
    Option<String>,
);

/// The register in one query: the roll by household, each person with how they came;
/// with `name`, only the persons whose name contains it (at most `limit`).
pub fn register(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    name: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<RegisterRow>> {
    let mut q = ballot_roll::table
        .inner_join(persons::table)
        .inner_join(households::table.on(ballot_roll::household_id.eq(households::id)))
        .left_join(
            ballot_attendance::table.on(ballot_attendance::ballot_id
                .eq(ballot_roll::ballot_id)
                .and(ballot_attendance::person_id.eq(ballot_roll::person_id))),
        )
        .filter(ballot_roll::ballot_id.eq(ballot.id))
        .order((households::number, ballot_roll::household_id, persons::id))
        .select((
            persons::id,
            persons::name,
            persons::sex,
            persons::birth_date,
            ballot_roll::household_id,
            households::number,
            households::address,
            ballot_attendance::via.nullable(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(n) = name {
        let escaped: String = n
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        q = q.filter(persons::name.like(format!("%{escaped}%")).escape('\\'));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(person_id, name, sex, birth, household_id, number, address, via)| RegisterRow {
                person_id,
                name,
                sex,
                birth_year: chrono::Datelike::year(&birth),
                household_id,
                household: if number.is_empty() {
                    address
                } else {
                    format!("{number} {address}")
                },
                via,
            },
        )
        .collect())
}

/// How the person took part, if they did: `online` or `hall`.
pub fn via(conn: &mut AnyConnection, ballot_id: i64, person: i64) -> QueryResult<Option<String>> {
    ballot_attendance::table
        .filter(ballot_attendance::ballot_id.eq(ballot_id))
        .filter(ballot_attendance::person_id.eq(person))
        .select(ballot_attendance::via)
        .first(conn)
        .optional()
}

/// Signs a person on the roll in at the hall. A second attendance of the same person (an
/// online vote or another signature) fails on the unique index.
pub fn sign_in(
    conn: &mut AnyConnection,
    ballot_id: i64,
    (person, household): (i64, i64),
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(ballot_attendance::table)
        .values((
            ballot_attendance::ballot_id.eq(ballot_id),
            ballot_attendance::person_id.eq(person),
            ballot_attendance::household_id.eq(household),
            ballot_attendance::via.eq(HALL),
            ballot_attendance::recorded_by.eq(by),
            ballot_attendance::recorded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Those signed in at the hall.
pub fn signed_in(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<u64> {
    let n: i64 = ballot_attendance::table
        .filter(ballot_attendance::ballot_id.eq(ballot_id))
        .filter(ballot_attendance::via.eq(HALL))
        .count()
        .get_result(conn)?;
    Ok(n as u64)
}

/// The distinct households present over both paths.
pub fn households_present(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<u64> {
    let mut hs: Vec<i64> = ballot_attendance::table
        .filter(ballot_attendance::ballot_id.eq(ballot_id))
        .select(ballot_attendance::household_id)
        .load(conn)?;
    hs.sort_unstable();
    hs.dedup();
    Ok(hs.len() as u64)
}
