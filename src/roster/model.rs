//! Queries on the roster tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::communities::model::Household;
use crate::db::AnyConnection;
use crate::schema::{households, persons, roster_changes, users};

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

/// A person as typed or imported, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PersonFields {
    pub household_id: i64,
    pub name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub birth_month_only: bool,
    pub relation: String,
    pub grid_id: Option<i64>,
    pub phone: String,
}

/// What a person's record says, as kept in `roster_changes.snapshot`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub household_id: i64,
    pub name: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub birth_month_only: bool,
    pub relation: String,
    pub grid_id: Option<i64>,
    pub phone: String,
    pub status: String,
    pub status_date: Option<NaiveDate>,
    pub status_note: String,
    pub user_id: Option<i64>,
}

impl Snapshot {
    pub fn of(p: &Person) -> Snapshot {
        Snapshot {
            household_id: p.household_id,
            name: p.name.clone(),
            sex: p.sex.clone(),
            birth_date: p.birth_date,
            birth_month_only: p.birth_month_only,
            relation: p.relation.clone(),
            grid_id: p.grid_id,
            phone: p.phone.clone(),
            status: p.status.clone(),
            status_date: p.status_date,
            status_note: p.status_note.clone(),
            user_id: p.user_id,
        }
    }
}

pub fn insert_person(
    conn: &mut AnyConnection,
    community_id: i64,
    f: &PersonFields,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(persons::table)
        .values((
            persons::community_id.eq(community_id),
            persons::household_id.eq(f.household_id),
            persons::name.eq(&f.name),
            persons::sex.eq(&f.sex),
            persons::birth_date.eq(f.birth_date),
            persons::birth_month_only.eq(f.birth_month_only),
            persons::relation.eq(&f.relation),
            persons::grid_id.eq(f.grid_id),
            persons::phone.eq(&f.phone),
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .returning(persons::id)
        .get_result(conn)
}

pub fn update_person(
    conn: &mut AnyConnection,
    id: i64,
    f: &PersonFields,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(persons::table.find(id))
        .set((
            persons::household_id.eq(f.household_id),
            persons::name.eq(&f.name),
            persons::sex.eq(&f.sex),
            persons::birth_date.eq(f.birth_date),
            persons::birth_month_only.eq(f.birth_month_only),
            persons::relation.eq(&f.relation),
            persons::grid_id.eq(f.grid_id),
            persons::phone.eq(&f.phone),
            persons::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    date: Option<NaiveDate>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(persons::table.find(id))
        .set((
            persons::status.eq(status),
            persons::status_date.eq(date),
            persons::status_note.eq(note),
            persons::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Links the person to an account, or unlinks it (`None`).
pub fn set_user(
    conn: &mut AnyConnection,
    id: i64,
    user_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(persons::table.find(id))
        .set((persons::user_id.eq(user_id), persons::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn person(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Person>> {
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::id.eq(id))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// Every person of the community, by household then id: the roster page's one query.
pub fn persons_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Person>> {
    persons::table
        .filter(persons::community_id.eq(community_id))
        .order((persons::household_id, persons::id))
        .select(Person::as_select())
        .load(conn)
}

/// Persons whose name contains `q`, at most `limit`.
/// `%q%` for LIKE, with the wildcards in `q` escaped by a backslash.
fn like_pattern(q: &str) -> String {
    format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

pub fn search(
    conn: &mut AnyConnection,
    community_id: i64,
    q: &str,
    limit: i64,
) -> QueryResult<Vec<Person>> {
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::name.like(like_pattern(q)).escape('\\'))
        .order((persons::household_id, persons::id))
        .limit(limit)
        .select(Person::as_select())
        .load(conn)
}

/// The person linked to an account in the community, if any.
pub fn person_of_user(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
) -> QueryResult<Option<Person>> {
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.eq(user_id))
        .select(Person::as_select())
        .first(conn)
        .optional()
}

/// Persons on the roster with this phone number (already normalised).
pub fn with_phones(
    conn: &mut AnyConnection,
    community_id: i64,
    phones: &[String],
) -> QueryResult<Vec<Person>> {
    if phones.is_empty() {
        return Ok(Vec::new());
    }
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::phone.eq_any(phones))
        .order((persons::household_id, persons::id))
        .select(Person::as_select())
        .load(conn)
}

/// The persons whose name contains any of `parts`, in roster order, at most `limit`: one
/// query however many names are looked for.
pub fn search_any(
    conn: &mut AnyConnection,
    community_id: i64,
    parts: &[String],
    limit: i64,
) -> QueryResult<Vec<Person>> {
    let Some((first, rest)) = parts.split_first() else {
        return Ok(Vec::new());
    };
    let mut q = persons::table
        .filter(persons::name.like(like_pattern(first)).escape('\\'))
        .into_boxed();
    for part in rest {
        q = q.or_filter(persons::name.like(like_pattern(part)).escape('\\'));
    }
    // Added last, so that it holds for every name: `(a OR b …) AND community`.
    q.filter(persons::community_id.eq(community_id))
        .order((persons::household_id, persons::id))
        .limit(limit)
        .select(Person::as_select())
        .load(conn)
}

/// One change to keep: the record after it, as JSON.
pub struct NewChange<'a> {
    pub community_id: i64,
    pub person_id: Option<i64>,
    pub household_id: Option<i64>,
    pub by: i64,
    pub what: &'a str,
    pub snapshot: &'a str,
}

pub fn insert_change(
    conn: &mut AnyConnection,
    c: &NewChange,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(roster_changes::table)
        .values((
            roster_changes::community_id.eq(c.community_id),
            roster_changes::person_id.eq(c.person_id),
            roster_changes::household_id.eq(c.household_id),
            roster_changes::changed_by.eq(c.by),
            roster_changes::changed_at.eq(now),
            roster_changes::what.eq(c.what),
            roster_changes::snapshot.eq(c.snapshot),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A person's kept changes, oldest first, with the name of who made each.
pub fn history(
    conn: &mut AnyConnection,
    person_id: i64,
) -> QueryResult<Vec<(RosterChange, String)>> {
    roster_changes::table
        .inner_join(users::table.on(users::id.eq(roster_changes::changed_by)))
        .filter(roster_changes::person_id.eq(person_id))
        .order(roster_changes::id)
        .select((RosterChange::as_select(), users::display_name))
        .load(conn)
}

/// The households of the community with their 户号, address, group and 户代表.
pub fn households(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Household>> {
    households::table
        .filter(households::community_id.eq(community_id))
        .order(households::id)
        .select(Household::as_select())
        .load(conn)
}

pub fn household(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Household>> {
    households::table
        .filter(households::community_id.eq(community_id))
        .filter(households::id.eq(id))
        .select(Household::as_select())
        .first(conn)
        .optional()
}

/// The household fields the committee keeps.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdFields {
    pub number: String,
    pub address: String,
    pub grid_id: Option<i64>,
    pub representative_id: Option<i64>,
}

pub fn insert_household(
    conn: &mut AnyConnection,
    community_id: i64,
    f: &HouseholdFields,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(households::table)
        .values((
            households::community_id.eq(community_id),
            households::number.eq(&f.number),
            households::address.eq(&f.address),
            households::grid_id.eq(f.grid_id),
            households::representative_id.eq(f.representative_id),
            households::created_at.eq(now),
        ))
        .returning(households::id)
        .get_result(conn)
}

pub fn update_household(conn: &mut AnyConnection, id: i64, f: &HouseholdFields) -> QueryResult<()> {
    diesel::update(households::table.find(id))
        .set((
            households::number.eq(&f.number),
            households::address.eq(&f.address),
            households::grid_id.eq(f.grid_id),
            households::representative_id.eq(f.representative_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// What the public sees of the roster on `day`: households, persons and adults listed, in
/// all and by group (in the order of `groups`). Two columns a person, one query.
pub fn public_counts(
    conn: &mut AnyConnection,
    community_id: i64,
    groups: &[i64],
    day: NaiveDate,
) -> QueryResult<super::rules::Counts> {
    let rows: Vec<(NaiveDate, bool, String, Option<i64>, i64)> = persons::table
        .filter(persons::community_id.eq(community_id))
        .select((
            persons::birth_date,
            persons::birth_month_only,
            persons::status,
            persons::grid_id,
            persons::household_id,
        ))
        .load(conn)?;
    let rows: Vec<super::rules::CountRow> = rows
        .into_iter()
        .map(
            |(birth, month_only, status, group, household)| super::rules::CountRow {
                birth,
                month_only,
                listed: status == super::rules::Status::Listed.as_str(),
                group,
                household,
            },
        )
        .collect();
    Ok(super::rules::counts(&rows, groups, day))
}
