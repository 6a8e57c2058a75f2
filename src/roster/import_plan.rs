//! What an import would do to the roster: which persons it adds, which it changes (field by
//! field), which households it creates, and which lines it leaves out because they match
//! two persons or repeat another line. Pure: the preview and the confirmation compute the
//! same plan from the same sheet and roster, and the confirmation writes only that plan.
//!
//! A person is the same person when household, name and birth date agree (a birth known
//! only to the month matches any day of that month). Households are found by 户号, or by
//! 户主姓名 within the group when there is no 户号; an unknown one is created.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::import::{Problem, Row};
use super::model::Person;
use super::rules::{self, Standing, Status};
use crate::communities::model::Household;
use crate::communities::rules::{conflict_of, OfficeHolder};

/// The relation of a household's head.
const HEAD: &str = "户主";

/// A household: one already on the roster, or the n-th to be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum HouseRef {
    Old(i64),
    New(usize),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewHouse {
    pub line: usize,
    pub number: String,
    pub head: String,
    pub address: String,
    pub grid_id: Option<i64>,
}

/// A field that changes: which (its locale key) and its value before and after, as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// A person to add (`person_id` None) or to change, with every field as it will stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub line: usize,
    pub person_id: Option<i64>,
    pub house: HouseRef,
    pub name: String,
    pub sex: String,
    pub birth: NaiveDate,
    pub month_only: bool,
    pub relation: String,
    pub grid_id: Option<i64>,
    pub phone: String,
    /// A new status (迁出, 去世, 迁回), recorded as of the import's day.
    pub status: Option<Status>,
    pub diffs: Vec<Diff>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub houses: Vec<NewHouse>,
    pub adds: Vec<Planned>,
    pub changes: Vec<Planned>,
    pub unchanged: usize,
    /// Lines that repeat another or whose change the roster's rules refuse.
    pub refused: Vec<Problem>,
    /// Lines that match two persons or two households.
    pub ambiguous: Vec<Problem>,
}

impl Plan {
    /// What the preview showed, in one word: the confirmation writes only a plan with the
    /// same digest.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }

    /// Whether confirming would write anything.
    pub fn writes(&self) -> bool {
        !self.adds.is_empty() || !self.changes.is_empty()
    }
}

/// The roster as the plan sees it.
pub struct Known<'a> {
    pub households: &'a [Household],
    pub persons: &'a [Person],
    /// The committee members and supervisors on the roster, with their names (art. 32).
    pub offices: &'a [(OfficeHolder, String)],
    pub today: NaiveDate,
}

/// A household a line would create, by the key later lines find it with.
enum Pending {
    Number(String),
    Head((Option<i64>, String)),
}

struct Planner<'a> {
    k: &'a Known<'a>,
    plan: Plan,
    by_number: HashMap<&'a str, i64>,
    /// (head's name) → households whose 户主 has it.
    by_head: HashMap<&'a str, Vec<&'a Household>>,
    /// (name, year, month of birth) → persons.
    by_person: HashMap<(&'a str, i32, u32), Vec<&'a Person>>,
    new_by_number: HashMap<String, usize>,
    new_by_head: HashMap<(Option<i64>, String), usize>,
    /// The line that already names a person (existing id, or new: house, name, birth).
    seen_old: HashMap<i64, usize>,
    seen_new: HashMap<(HouseRef, String, NaiveDate), usize>,
    /// The office holders' households as the lines taken so far leave them (a household
    /// to be created is `-1 - n`).
    offices: Vec<OfficeHolder>,
}

/// Plans the import of `rows` into the roster `k`.
pub fn plan(rows: &[Row], k: &Known) -> Plan {
    let mut p = Planner {
        k,
        plan: Plan::default(),
        by_number: HashMap::new(),
        by_head: HashMap::new(),
        by_person: HashMap::new(),
        new_by_number: HashMap::new(),
        new_by_head: HashMap::new(),
        seen_old: HashMap::new(),
        seen_new: HashMap::new(),
        offices: k.offices.iter().map(|o| o.0).collect(),
    };
    for h in k.households {
        if !h.number.is_empty() {
            p.by_number.insert(h.number.as_str(), h.id);
        }
    }
    let house_of: HashMap<i64, &Household> = k.households.iter().map(|h| (h.id, h)).collect();
    for person in k.persons {
        let key = (
            person.name.as_str(),
            person.birth_date.year(),
            person.birth_date.month(),
        );
        p.by_person.entry(key).or_default().push(person);
        if person.relation == HEAD {
            if let Some(h) = house_of.get(&person.household_id) {
                p.by_head.entry(person.name.as_str()).or_default().push(h);
            }
        }
    }
    for row in rows {
        p.row(row);
    }
    p.plan
}

impl<'a> Planner<'a> {
    fn problem(&mut self, ambiguous: bool, line: usize, key: &'static str, value: String) {
        let list = if ambiguous {
            &mut self.plan.ambiguous
        } else {
            &mut self.plan.refused
        };
        list.push(Problem {
            line,
            key,
            value,
            other: String::new(),
        });
    }

    /// The row's household: one on the roster, one an earlier line creates, or a new one
    /// (`Pending`, created only if the line is taken). `None` when two could be meant.
    fn house(&mut self, r: &Row) -> Option<(HouseRef, Option<Pending>)> {
        if !r.number.is_empty() {
            if let Some(id) = self.by_number.get(r.number.as_str()) {
                return Some((HouseRef::Old(*id), None));
            }
            if let Some(n) = self.new_by_number.get(&r.number) {
                return Some((HouseRef::New(*n), None));
            }
            return Some(self.pending(Pending::Number(r.number.clone())));
        }
        let found: Vec<i64> = self
            .by_head
            .get(r.head.as_str())
            .map(|hs| {
                hs.iter()
                    .filter(|h| r.grid_id.is_none() || h.grid_id == r.grid_id)
                    .map(|h| h.id)
                    .collect()
            })
            .unwrap_or_default();
        match found[..] {
            [id] => Some((HouseRef::Old(id), None)),
            [] => {
                let key = (r.grid_id, r.head.clone());
                if let Some(n) = self.new_by_head.get(&key) {
                    return Some((HouseRef::New(*n), None));
                }
                Some(self.pending(Pending::Head(key)))
            }
            _ => {
                let head = r.head.clone();
                self.problem(true, r.line, "roster.import.line.two_heads", head);
                None
            }
        }
    }

    fn pending(&self, key: Pending) -> (HouseRef, Option<Pending>) {
        (HouseRef::New(self.plan.houses.len()), Some(key))
    }

    /// Creates the household a taken line needs.
    fn create(&mut self, r: &Row, key: Pending) {
        let n = self.plan.houses.len();
        match key {
            Pending::Number(number) => self.new_by_number.insert(number, n),
            Pending::Head(key) => self.new_by_head.insert(key, n),
        };
        self.plan.houses.push(NewHouse {
            line: r.line,
            number: r.number.clone(),
            head: r.head.clone(),
            address: r.address.clone(),
            grid_id: r.grid_id,
        });
    }

    /// The person the row names: in its household, else anywhere in the community (a
    /// move); `Err` when two match.
    fn person(&self, r: &Row, house: HouseRef) -> Result<Option<&'a Person>, usize> {
        let same = |p: &&&Person| p.birth_date == r.birth || p.birth_month_only || r.month_only;
        let all: Vec<&Person> = self
            .by_person
            .get(&(r.name.as_str(), r.birth.year(), r.birth.month()))
            .map(|v| v.iter().filter(same).copied().collect())
            .unwrap_or_default();
        let here: Vec<&Person> = all
            .iter()
            .filter(|p| house == HouseRef::Old(p.household_id))
            .copied()
            .collect();
        match (&here[..], &all[..]) {
            ([p], _) => Ok(Some(p)),
            ([], []) => Ok(None),
            ([], [p]) => Ok(Some(p)),
            (_, many) => Err(many.len()),
        }
    }

    fn row(&mut self, r: &Row) {
        let Some((house, pending)) = self.house(r) else {
            return;
        };
        let found = match self.person(r, house) {
            Ok(found) => found,
            Err(n) => {
                let birth = rules::show_birth(r.birth, r.month_only);
                let value = format!("{}（{birth}）×{n}", r.name);
                return self.problem(true, r.line, "roster.import.line.two_persons", value);
            }
        };
        let earlier = match found {
            Some(p) => self.seen_old.get(&p.id),
            None => self.seen_new.get(&(house, r.name.clone(), r.birth)),
        };
        if let Some(first) = earlier {
            let first = first.to_string();
            return self.problem(false, r.line, "roster.import.line.repeat", first);
        }
        let created = pending.is_some();
        if let Some(key) = pending {
            self.create(r, key);
        }
        let taken = match found {
            None => {
                let entry = self.entry(r, None, house);
                self.plan.adds.push(entry);
                true
            }
            Some(p) => self.change(r, p, house),
        };
        if !taken {
            if created {
                self.plan.houses.pop();
                let len = self.plan.houses.len();
                self.new_by_number.retain(|_, n| *n != len);
                self.new_by_head.retain(|_, n| *n != len);
            }
            return;
        }
        match found {
            Some(p) => self.seen_old.insert(p.id, r.line),
            None => self
                .seen_new
                .insert((house, r.name.clone(), r.birth), r.line),
        };
    }

    fn entry(&self, r: &Row, p: Option<&Person>, house: HouseRef) -> Planned {
        let grid_id = match (r.grid_id, house, p) {
            (Some(g), _, _) => Some(g),
            (None, HouseRef::New(n), _) => self.plan.houses[n].grid_id,
            (None, HouseRef::Old(h), Some(p)) if h == p.household_id => p.grid_id,
            (None, HouseRef::Old(h), _) => self
                .k
                .households
                .iter()
                .find(|x| x.id == h)
                .and_then(|x| x.grid_id),
        };
        let keep_day = p.is_some_and(|p| !p.birth_month_only && r.month_only);
        Planned {
            line: r.line,
            person_id: p.map(|p| p.id),
            house,
            name: r.name.clone(),
            sex: r.sex.to_string(),
            birth: if keep_day {
                p.map_or(r.birth, |p| p.birth_date)
            } else {
                r.birth
            },
            month_only: r.month_only && !keep_day,
            relation: match p {
                Some(p) if r.relation.is_empty() => p.relation.clone(),
                _ => r.relation.clone(),
            },
            grid_id,
            phone: match (&r.phone, p) {
                (Some(ph), _) => ph.clone(),
                (None, Some(p)) => p.phone.clone(),
                (None, None) => String::new(),
            },
            status: r.status.filter(|s| *s != Status::Listed || p.is_some()),
            diffs: Vec::new(),
        }
    }

    /// Plans the change of `p`; false when the roster's rules refuse it.
    fn change(&mut self, r: &Row, p: &Person, house: HouseRef) -> bool {
        let mut e = self.entry(r, Some(p), house);
        let mut diff = |field: &'static str, before: String, after: String| {
            if before != after {
                e.diffs.push(Diff {
                    field,
                    before,
                    after,
                });
            }
        };
        diff(
            "roster.household",
            self.house_label(HouseRef::Old(p.household_id)),
            self.house_label(house),
        );
        diff("roster.sex_label", p.sex.clone(), e.sex.clone());
        diff(
            "roster.birth",
            rules::show_birth(p.birth_date, p.birth_month_only),
            rules::show_birth(e.birth, e.month_only),
        );
        diff("roster.relation", p.relation.clone(), e.relation.clone());
        diff(
            "roster.group",
            p.grid_id.map(|g| g.to_string()).unwrap_or_default(),
            e.grid_id.map(|g| g.to_string()).unwrap_or_default(),
        );
        diff("roster.phone", p.phone.clone(), e.phone.clone());
        let now = Status::parse(&p.status).unwrap_or(Status::Listed);
        e.status = e.status.filter(|s| *s != now);
        if let Some(to) = e.status {
            let standing = Standing {
                status: now,
                status_date: p.status_date,
                birth: p.birth_date,
            };
            let today = self.k.today;
            if let Err(why) = rules::check_status(&standing, to, today, today) {
                self.problem(false, r.line, why.key(), String::new());
                return false;
            }
            e.diffs.push(Diff {
                field: "roster.status_label",
                before: now.as_str().to_string(),
                after: to.as_str().to_string(),
            });
        }
        if house != HouseRef::Old(p.household_id) && !self.office_move(r.line, p.id, house) {
            return false;
        }
        if e.diffs.is_empty() {
            self.plan.unchanged += 1;
        } else {
            self.plan.changes.push(e);
        }
        true
    }

    /// 村民委员会组织法 art. 32: a line may not move a supervisor into a committee member's
    /// household, nor a committee member into a supervisor's. False (the line refused, both
    /// named) when it would; else the move is taken into account for the lines after.
    fn office_move(&mut self, line: usize, person: i64, house: HouseRef) -> bool {
        let Some(at) = self.offices.iter().position(|o| o.person == person) else {
            return true;
        };
        let household = match house {
            HouseRef::Old(id) => id,
            HouseRef::New(n) => -1 - n as i64,
        };
        let me = OfficeHolder {
            household,
            ..self.offices[at]
        };
        match conflict_of(&self.offices, me) {
            None => {
                self.offices[at] = me;
                true
            }
            Some((supervisor, committee)) => {
                let name = |id: i64| {
                    self.k
                        .offices
                        .iter()
                        .find(|o| o.0.person == id)
                        .map(|o| o.1.clone())
                        .unwrap_or_default()
                };
                self.plan.refused.push(Problem {
                    line,
                    key: "roster.import.line.office_household",
                    value: name(supervisor),
                    other: name(committee),
                });
                false
            }
        }
    }

    fn house_label(&self, h: HouseRef) -> String {
        match h {
            HouseRef::Old(id) => self
                .k
                .households
                .iter()
                .find(|x| x.id == id)
                .map(|x| {
                    if x.number.is_empty() {
                        x.address.clone()
                    } else {
                        x.number.clone()
                    }
                })
                .unwrap_or_default(),
            HouseRef::New(n) => {
                let h = &self.plan.houses[n];
                let label = if h.number.is_empty() {
                    &h.head
                } else {
                    &h.number
                };
                format!("+ {label}")
            }
        }
    }
}
