//! What the roster's pages show, built from the few rows their handlers load: households
//! with their persons, public counts, a record as of a day.

use chrono::NaiveDate;

use super::model::{Person, RosterChange, Snapshot};
use super::rules::{self, CountRow, Counts, Status};
use crate::communities::model::{Grid, Household};

/// One person in the list, with what the page says about them.
pub struct PersonRow {
    pub person: Person,
    pub age: i32,
    pub adult: bool,
    pub status_key: &'static str,
    pub listed: bool,
    pub birth: String,
}

/// A household and its persons, as listed.
pub struct HouseholdView {
    pub household: Household,
    pub persons: Vec<PersonRow>,
    pub representative: Option<String>,
}

pub fn grid_name(grids: &[Grid], id: Option<i64>) -> String {
    id.and_then(|g| grids.iter().find(|x| x.id == g))
        .map(|g| g.name.clone())
        .unwrap_or_default()
}

pub fn household_label(households: &[Household], id: i64) -> String {
    households
        .iter()
        .find(|h| h.id == id)
        .map(|h| {
            if h.number.is_empty() {
                h.address.clone()
            } else {
                format!("{} {}", h.number, h.address)
            }
        })
        .unwrap_or_default()
}

pub fn sex_key(sex: &str) -> &'static str {
    if sex == "f" {
        "roster.sex.f"
    } else {
        "roster.sex.m"
    }
}

pub fn status_key(status: &str) -> &'static str {
    Status::parse(status).unwrap_or(Status::Listed).label_key()
}

/// The public counts on `day`, group by group in the community's order.
pub fn counts(persons: &[Person], grids: &[Grid], day: NaiveDate) -> Counts {
    let rows: Vec<CountRow> = persons
        .iter()
        .map(|p| CountRow {
            birth: p.birth_date,
            month_only: p.birth_month_only,
            listed: p.status == Status::Listed.as_str(),
            group: p.grid_id,
            household: p.household_id,
        })
        .collect();
    let ids: Vec<i64> = grids.iter().map(|g| g.id).collect();
    rules::counts(&rows, &ids, day)
}

/// Households with their persons; with a search, only the households with a person whose
/// name contains it, and only those persons.
pub fn by_household(
    households: &[Household],
    persons: Vec<Person>,
    q: &str,
    today: NaiveDate,
) -> Vec<HouseholdView> {
    let mut views: Vec<HouseholdView> = households
        .iter()
        .map(|h| HouseholdView {
            household: h.clone(),
            persons: Vec::new(),
            representative: None,
        })
        .collect();
    for p in persons {
        let Some(v) = views.iter_mut().find(|v| v.household.id == p.household_id) else {
            continue;
        };
        if v.household.representative_id == Some(p.id) {
            v.representative = Some(p.name.clone());
        }
        if !q.is_empty() && !p.name.contains(q) {
            continue;
        }
        v.persons.push(PersonRow {
            age: rules::age_on(p.birth_date, p.birth_month_only, today),
            adult: rules::is_adult_on(p.birth_date, p.birth_month_only, today),
            status_key: status_key(&p.status),
            listed: p.status == Status::Listed.as_str(),
            birth: rules::show_birth(p.birth_date, p.birth_month_only),
            person: p,
        });
    }
    if !q.is_empty() {
        views.retain(|v| !v.persons.is_empty());
    }
    views
}

/// The person's record as it stood at the end of `day` (Beijing time), from the kept
/// changes; `None` before the first.
pub fn as_of(history: &[(RosterChange, String)], day: NaiveDate) -> Option<Snapshot> {
    history
        .iter()
        .rfind(|(c, _)| crate::clock::local_day(c.changed_at) <= day)
        .and_then(|(c, _)| serde_json::from_str(&c.snapshot).ok())
}

/// The words for a kept change.
pub fn change_key(what: &str) -> &'static str {
    match what {
        "add" => "roster.change.add",
        "import" => "roster.change.import",
        "move" => "roster.change.move",
        "moved" => "roster.change.moved",
        "deceased" => "roster.change.deceased",
        "listed" => "roster.change.listed",
        "link" => "roster.change.link",
        "unlink" => "roster.change.unlink",
        _ => "roster.change.edit",
    }
}

/// [`rules::show_birth`] for templates, which hand over references.
pub fn birth(date: &NaiveDate, month_only: &bool) -> String {
    rules::show_birth(*date, *month_only)
}
