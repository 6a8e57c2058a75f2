//! The duty to convene, read from the roster (村民委员会组织法 art. 21; urban art. 10): which
//! proposals have so many proposers — the author and supporters who are adults listed on the
//! roster, or representatives — that the committee must convene a meeting on them, since
//! when, and whether it is overdue. A fixed handful of queries for a whole community.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::convening::{self, ConveningBase, Proposers};
use super::model::Item;
use super::rules::Stage;
use crate::authz::Role;
use crate::communities::model::{self as communities, Community, KIND_VILLAGE};
use crate::db::AnyConnection;
use crate::schema::{agenda_items, agenda_supports, persons};

/// A roster person who counts for the duty: listed, 18 or over today.
struct Adult {
    household_id: i64,
    user_id: Option<i64>,
}

/// The last birth date of a person who is 18 or over on `today`.
fn adult_born_by(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(18 * 12))
        .unwrap_or(NaiveDate::MIN)
}

fn adults(
    conn: &mut AnyConnection,
    community_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Adult>> {
    let rows: Vec<(i64, Option<i64>)> = persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::status.eq("listed"))
        .filter(persons::birth_date.le(adult_born_by(today)))
        .select((persons::household_id, persons::user_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(household_id, user_id)| Adult {
            household_id,
            user_id,
        })
        .collect())
}

/// What the duty is counted against, and who holds which role, for one community today.
pub struct Roster {
    urban: bool,
    base: ConveningBase,
    /// Account → household, for the adults linked to an account.
    linked: HashMap<i64, i64>,
    representatives: HashSet<i64>,
}

impl Roster {
    pub fn load(conn: &mut AnyConnection, c: &Community, today: NaiveDate) -> QueryResult<Roster> {
        let adults = adults(conn, c.id, today)?;
        let households: HashSet<i64> = adults.iter().map(|a| a.household_id).collect();
        let representatives: HashSet<i64> = communities::holders(conn, c.id, Role::Representative)?
            .into_iter()
            .collect();
        Ok(Roster {
            urban: c.kind != KIND_VILLAGE,
            base: ConveningBase {
                adults: adults.len() as i64,
                households: households.len() as i64,
                representatives: representatives.len() as i64,
            },
            linked: adults
                .iter()
                .filter_map(|a| a.user_id.map(|u| (u, a.household_id)))
                .collect(),
            representatives,
        })
    }

    /// When the proposers, in the order they joined (`(account, at)`), first reached the
    /// law's threshold; `None` if they have not.
    pub fn duty_since(&self, proposers: &[(i64, NaiveDateTime)]) -> Option<NaiveDateTime> {
        let (mut adults, mut households, mut reps) = (HashSet::new(), HashSet::new(), 0);
        for &(user, at) in proposers {
            if let Some(h) = self.linked.get(&user) {
                adults.insert(user);
                households.insert(*h);
            }
            if self.representatives.contains(&user) {
                reps += 1;
            }
            let p = Proposers {
                adults: adults.len() as i64,
                households: households.len() as i64,
                representatives: reps,
            };
            if convening::must_convene(self.urban, p, self.base) {
                return Some(at);
            }
        }
        None
    }
}

/// The proposers of each item, author first, then supporters by time.
fn proposers_of(
    conn: &mut AnyConnection,
    items: &[Item],
) -> QueryResult<HashMap<i64, Vec<(i64, NaiveDateTime)>>> {
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let supports: Vec<(i64, i64, NaiveDateTime)> = agenda_supports::table
        .filter(agenda_supports::item_id.eq_any(&ids))
        .order((agenda_supports::created_at.asc(), agenda_supports::id.asc()))
        .select((
            agenda_supports::item_id,
            agenda_supports::user_id,
            agenda_supports::created_at,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<(i64, NaiveDateTime)>> = items
        .iter()
        .map(|i| (i.id, vec![(i.author_id, i.created_at)]))
        .collect();
    for (item, user, at) in supports {
        out.entry(item).or_default().push((user, at));
    }
    Ok(out)
}

/// Must the committee convene a meeting on this proposal (so it can no longer decline it)?
pub fn must_convene(
    conn: &mut AnyConnection,
    c: &Community,
    item: &Item,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let roster = Roster::load(conn, c, crate::clock::local_day(now))?;
    let proposers = proposers_of(conn, std::slice::from_ref(item))?;
    Ok(proposers
        .get(&item.id)
        .and_then(|p| roster.duty_since(p))
        .is_some())
}

/// A proposal the committee must convene a meeting on and has not yet announced.
pub struct Owed {
    pub item: Item,
    /// When the proposers reached the threshold.
    pub since: NaiveDateTime,
    pub overdue: bool,
}

/// The community's proposals that oblige the committee to convene a villagers' (residents')
/// meeting and have no convening notice of one yet (须召集), overdue ones marked.
pub fn owed(conn: &mut AnyConnection, c: &Community, now: NaiveDateTime) -> QueryResult<Vec<Owed>> {
    let open = [
        Stage::Proposed.as_str(),
        Stage::Adopted.as_str(),
        Stage::Deliberating.as_str(),
    ];
    let items: Vec<Item> = agenda_items::table
        .filter(agenda_items::community_id.eq(c.id))
        .filter(agenda_items::stage.eq_any(open))
        .order(agenda_items::id.asc())
        .select(Item::as_select())
        .load(conn)?;
    let noticed: HashSet<i64> = super::notices::villagers_noticed(conn, c.id)?
        .into_iter()
        .collect();
    let items: Vec<Item> = items
        .into_iter()
        .filter(|i| !noticed.contains(&i.id))
        .collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let roster = Roster::load(conn, c, crate::clock::local_day(now))?;
    let proposers = proposers_of(conn, &items)?;
    Ok(items
        .into_iter()
        .filter_map(|item| {
            let since = roster.duty_since(proposers.get(&item.id)?)?;
            Some(Owed {
                overdue: convening::convening_overdue(since, c.response_days, now),
                since,
                item,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::adult_born_by;
    use chrono::NaiveDate;

    #[test]
    fn a_person_born_eighteen_years_ago_today_is_an_adult() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).expect("day");
        assert_eq!(
            adult_born_by(today),
            NaiveDate::from_ymd_opt(2008, 12, 3).expect("day")
        );
    }
}
