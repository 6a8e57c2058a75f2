//! The demo roster: 柳塘村 with about 150 households and 480 persons (children and elderly
//! among them, a few moved away and one deceased this year), 兴和社区 with a smaller one.
//! The demo's verified residents, its committee members and representatives among them, are
//! linked to persons of the household they live in.
//! Deterministic: a fixed seed, no system randomness.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{self, HouseholdFields, PersonFields, Snapshot};
use super::rules::Status;
use crate::audit::{self, Entry};
use crate::authz::Role;
use crate::communities::model as communities;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{memberships, users};

/// SplitMix64: a tiny, stable generator, so the demo is the same on every build.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const SURNAMES: [&str; 16] = [
    "张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "柳", "何", "郑", "罗",
];
const MALE: [&str; 24] = [
    "建国", "志强", "海涛", "德福", "国庆", "文军", "永刚", "晓东", "明辉", "浩然", "宇航", "思远",
    "俊杰", "大勇", "长生", "守信", "新民", "光荣", "振华", "福贵", "家豪", "子轩", "铁柱", "春生",
];
const FEMALE: [&str; 24] = [
    "秀英", "桂兰", "玉梅", "丽娟", "春燕", "小红", "淑芬", "凤英", "芳", "静", "雨桐", "欣怡",
    "佳琪", "婷婷", "金花", "秋菊", "美玲", "红霞", "子涵", "翠兰", "素珍", "梓萱", "诗涵", "月娥",
];

fn sex_of_name(name: &str) -> &'static str {
    if FEMALE.iter().any(|g| name.ends_with(g)) || name.ends_with('敏') {
        "f"
    } else {
        "m"
    }
}

struct Demo<'a> {
    conn: &'a mut AnyConnection,
    rng: Rng,
    community: i64,
    by: i64,
    now: NaiveDateTime,
    today: NaiveDate,
    persons: usize,
}

/// One member to be written.
struct Member {
    name: String,
    sex: &'static str,
    relation: &'static str,
    age: i32,
    phone: String,
    user_id: Option<i64>,
}

impl Demo<'_> {
    fn birth(&mut self, age: i32) -> (NaiveDate, bool) {
        let back = Duration::days(i64::from(age) * 365 + self.rng.below(365) as i64 + 1);
        let b = self.today - back;
        // About one in twelve of the elderly known only by month, as on old registers.
        if age > 55 && self.rng.chance(8) {
            (b.with_day(1).unwrap_or(b), true)
        } else {
            (b, false)
        }
    }

    fn name(&mut self, surname: &str, sex: &str) -> String {
        let given = if sex == "f" {
            self.rng.pick(&FEMALE)
        } else {
            self.rng.pick(&MALE)
        };
        format!("{surname}{given}")
    }

    /// A household's members besides the account holders: children and the elderly.
    fn family(&mut self, surname: &str, head_age: i32, size: usize) -> Vec<Member> {
        let mut out = Vec::new();
        let mut k = 0;
        while out.len() < size {
            k += 1;
            let sex = if self.rng.chance(50) { "m" } else { "f" };
            let (relation, age) = match k {
                1 if head_age < 55 && self.rng.chance(40) => (
                    if sex == "m" { "父亲" } else { "母亲" },
                    head_age + 24 + self.rng.below(8) as i32,
                ),
                _ if head_age >= 55 => (
                    if sex == "m" { "孙子" } else { "孙女" },
                    self.rng.below(17) as i32,
                ),
                _ => (
                    if sex == "m" { "子" } else { "女" },
                    (head_age - 24 - self.rng.below(10) as i32).clamp(0, 40),
                ),
            };
            let name = if relation == "母亲" {
                let s = self.rng.pick(&SURNAMES);
                self.name(s, sex)
            } else {
                self.name(surname, sex)
            };
            out.push(Member {
                name,
                sex,
                relation,
                age,
                phone: String::new(),
                user_id: None,
            });
        }
        out
    }

    fn write(&mut self, household: i64, grid: Option<i64>, m: &Member) -> Result<i64, AppError> {
        let (birth_date, birth_month_only) = self.birth(m.age);
        let f = PersonFields {
            household_id: household,
            name: m.name.clone(),
            sex: m.sex.to_string(),
            birth_date,
            birth_month_only,
            relation: m.relation.to_string(),
            grid_id: grid,
            phone: m.phone.clone(),
        };
        let id = model::insert_person(self.conn, self.community, &f, self.now)?;
        if m.user_id.is_some() {
            model::set_user(self.conn, id, m.user_id, self.now)?;
        }
        self.change(id, "import")?;
        self.persons += 1;
        Ok(id)
    }

    fn change(&mut self, id: i64, what: &str) -> Result<(), AppError> {
        let p = model::person(self.conn, self.community, id)?.ok_or(AppError::NotFound)?;
        let snapshot = serde_json::to_string(&Snapshot::of(&p))
            .map_err(|e| AppError::Internal(format!("demo snapshot: {e}")))?;
        let (c, by, now) = (self.community, self.by, self.now);
        let change = model::NewChange {
            community_id: c,
            person_id: Some(id),
            household_id: Some(p.household_id),
            by,
            what,
            snapshot: &snapshot,
        };
        model::insert_change(self.conn, &change, now)?;
        Ok(())
    }

    /// Marks a person moved away or deceased, `days_ago`.
    fn leave(&mut self, id: i64, to: Status, days_ago: i64, note: &str) -> Result<(), AppError> {
        // Within this year, whatever the day the demo is loaded.
        let days = days_ago.min(i64::from(self.today.ordinal0()));
        let date = self.today - Duration::days(days);
        model::set_status(self.conn, id, to.as_str(), Some(date), note, self.now)?;
        self.change(id, to.as_str())
    }

    /// Writes a household: its members (account holders first), its 户号 and 户代表.
    fn household(
        &mut self,
        id: i64,
        number: String,
        address: &str,
        grid: Option<i64>,
        members: &[Member],
    ) -> Result<Vec<i64>, AppError> {
        let mut ids = Vec::new();
        for m in members {
            ids.push(self.write(id, grid, m)?);
        }
        let f = HouseholdFields {
            number,
            address: address.to_string(),
            grid_id: grid,
            representative_id: ids.first().copied(),
        };
        model::update_household(self.conn, id, &f)?;
        Ok(ids)
    }
}

/// The residents of a community with their household, name and phone, by household.
/// (household, user, name, phone) of a verified resident.
type Holder = (i64, i64, String, Option<String>);

fn residents(conn: &mut AnyConnection, community: i64) -> Result<Vec<Holder>, AppError> {
    Ok(memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::community_id.eq(community))
        .filter(memberships::role.eq(Role::Resident.as_str()))
        .filter(memberships::household_id.is_not_null())
        .order((memberships::household_id, memberships::id))
        .select((
            memberships::household_id.assume_not_null(),
            users::id,
            users::display_name,
            users::phone,
        ))
        .load(conn)?)
}

/// Seeds the roster of the demo's two communities, `households` in all for each (the
/// existing ones first), linking every verified resident to a person of their household.
pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let admin: i64 = users::table
        .filter(users::is_admin.eq(true))
        .select(users::id)
        .first(conn)?;
    let sizes = [(150usize, "柳塘村", 0x6c74u64), (55, "兴和小区", 0x7868)];
    for ((community, _), (total, place, seed)) in seeded.iter().zip(sizes) {
        seed_one(conn, *community, admin, total, place, seed, now)?;
        // Committee members and representatives are villagers too: each is linked to a
        // person of their household, so a representatives' meeting can be called (#13).
        let day = crate::clock::local_day(now);
        let roll = crate::ballots::model::representatives_roll(conn, *community, day)?;
        if let Err(names) = roll {
            let names = names.join("、");
            return Err(AppError::Internal(format!(
                "demo members off the roster: {names}"
            )));
        }
    }
    Ok(())
}

fn seed_one(
    conn: &mut AnyConnection,
    community: i64,
    admin: i64,
    total: usize,
    place: &str,
    seed: u64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let grids = communities::grids_of(conn, community)?;
    let existing = communities::households_of(conn, community)?;
    let accounts = residents(conn, community)?;
    let urban = place != "柳塘村";
    let mut d = Demo {
        conn,
        rng: Rng(seed),
        community,
        by: admin,
        now,
        today: crate::clock::local_day(now),
        persons: 0,
    };
    let mut leavers = Vec::new();
    for n in 0..total {
        let (id, address, grid) = match existing.get(n) {
            Some(h) => (h.id, h.address.clone(), h.grid_id),
            None => {
                let grid = grids.get(n % grids.len().max(1)).map(|g| g.id);
                let address = if urban {
                    format!(
                        "{place}{}号楼{}单元{}室",
                        1 + (n * 5) % 46,
                        1 + n % 4,
                        201 + (n % 5) * 100
                    )
                } else {
                    let group = ["一", "二", "三", "四", "五", "六"][n % 6];
                    format!("{place}{group}组{}号", 60 + n)
                };
                let f = HouseholdFields {
                    number: String::new(),
                    address: address.clone(),
                    grid_id: grid,
                    representative_id: None,
                };
                (
                    model::insert_household(d.conn, community, &f, now)?,
                    address,
                    grid,
                )
            }
        };
        let holders: Vec<_> = accounts.iter().filter(|a| a.0 == id).collect();
        let mut members = Vec::new();
        let head_age = 38 + d.rng.below(36) as i32;
        for (k, (_, uid, name, phone)) in holders.iter().enumerate() {
            let (relation, age) = match k {
                0 => ("户主", head_age),
                1 => ("配偶", head_age - 3 + d.rng.below(6) as i32),
                _ => (
                    if sex_of_name(name) == "m" {
                        "子"
                    } else {
                        "女"
                    },
                    (head_age - 26).max(19),
                ),
            };
            members.push(Member {
                name: name.clone(),
                sex: sex_of_name(name),
                relation,
                age,
                phone: phone.clone().unwrap_or_default(),
                user_id: Some(*uid),
            });
        }
        let surname: String = match members.first() {
            Some(m) => m.name.chars().take(1).collect(),
            None => d.rng.pick(&SURNAMES).to_string(),
        };
        if members.is_empty() {
            let sex = if d.rng.chance(85) { "m" } else { "f" };
            let name = d.name(&surname, sex);
            members.push(Member {
                name,
                sex,
                relation: "户主",
                age: head_age,
                phone: String::new(),
                user_id: None,
            });
            if d.rng.chance(80) {
                let sex = if sex == "m" { "f" } else { "m" };
                let s = d.rng.pick(&SURNAMES);
                let name = d.name(s, sex);
                let age = head_age - 3 + d.rng.below(6) as i32;
                members.push(Member {
                    name,
                    sex,
                    relation: "配偶",
                    age,
                    phone: String::new(),
                    user_id: None,
                });
            }
        }
        // 柳塘村: about 3.2 a household; 兴和社区 a little smaller.
        let extra = match (urban, d.rng.below(10)) {
            (true, 0..=3) => 0usize,
            (true, 4..=8) => 1,
            (true, _) => 2,
            (false, 0..=1) => 0,
            (false, 2..=5) => 1,
            (false, 6..=8) => 2,
            (false, _) => 3,
        };
        let extra = extra.saturating_sub(members.len().saturating_sub(2));
        let family = d.family(&surname, head_age, extra);
        members.extend(family);
        let number = format!("{:03}", n + 1);
        let ids = d.household(id, number, &address, grid, &members)?;
        if n >= existing.len() && members.len() > 2 {
            leavers.push(ids[ids.len() - 1]);
        }
        for (pid, m) in ids.iter().zip(&members) {
            if matches!(m.relation, "父亲" | "母亲") && m.age > 70 {
                leavers.push(-pid);
            }
        }
    }
    // A few moved away this year (young people gone for work); one elderly villager died.
    let moved: Vec<i64> = leavers.iter().copied().filter(|v| *v > 0).take(5).collect();
    for (k, id) in moved.iter().enumerate() {
        let p = model::person(d.conn, community, *id)?.ok_or(AppError::NotFound)?;
        if crate::roster::rules::is_adult_on(p.birth_date, p.birth_month_only, d.today) {
            d.leave(*id, Status::Moved, 20 + 30 * k as i64, "户口迁往外地")?;
        }
    }
    if let Some(id) = leavers.iter().copied().find(|v| *v < 0) {
        d.leave(-id, Status::Deceased, 45, "病故")?;
    }
    let detail = format!("import {} persons", d.persons);
    audit::record(
        d.conn,
        &Entry {
            community_id: Some(community),
            actor_id: admin,
            action: audit::Action::Roster,
            target_user_id: None,
            detail: &detail,
            reason: "",
        },
        now,
    )?;
    Ok(())
}
