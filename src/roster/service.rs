//! Changes to the roster, each in the caller's transaction: adding and editing persons,
//! moving them between households, marking them moved away or deceased, keeping
//! households, and linking a person to an account. Every change writes a `roster_changes`
//! row (the record after the change, as JSON) and an action-log entry.

use chrono::{NaiveDate, NaiveDateTime};

use super::import::{self, Sheet};
use super::import_plan::{self, HouseRef, Known, Plan, Planned};
use super::model::{self, HouseholdFields, NewChange, Person, PersonFields, Snapshot};
use super::rules::{self, Standing, Status};
use crate::audit::{self, Entry};
use crate::communities::model as communities;
use crate::db::AnyConnection;
use crate::error::AppError;

/// A refused change: the form field it concerns, the locale key of the message, and the
/// names the message quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub field: &'static str,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl From<(&'static str, &'static str)> for Refused {
    fn from((field, key): (&'static str, &'static str)) -> Refused {
        Refused {
            field,
            key,
            args: vec![],
        }
    }
}

impl Refused {
    /// The arguments as the translator takes them.
    pub fn args(&self) -> Vec<(&str, &str)> {
        self.args.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// Who changes the roster of which community, and when.
#[derive(Clone, Copy)]
pub struct Keeper {
    pub community_id: i64,
    pub by: i64,
    pub now: NaiveDateTime,
}

impl Keeper {
    pub fn today(&self) -> NaiveDate {
        crate::clock::local_day(self.now)
    }
}

fn keep_person(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    what: &str,
) -> Result<Person, AppError> {
    let p = model::person(conn, k.community_id, id)?.ok_or(AppError::NotFound)?;
    let snapshot = serde_json::to_string(&Snapshot::of(&p))
        .map_err(|e| AppError::Internal(format!("roster snapshot: {e}")))?;
    let change = NewChange {
        community_id: k.community_id,
        person_id: Some(p.id),
        household_id: Some(p.household_id),
        by: k.by,
        what,
        snapshot: &snapshot,
    };
    model::insert_change(conn, &change, k.now)?;
    audit::record(
        conn,
        &Entry {
            community_id: Some(k.community_id),
            actor_id: k.by,
            action: audit::Action::Roster,
            target_user_id: p.user_id,
            detail: &format!("{what} #{} {}", p.id, p.name),
            reason: "",
        },
        k.now,
    )?;
    Ok(p)
}

/// Checks a person's fields against the community: the household and group are its own,
/// the birth date is not in the future. A person without a group takes the household's.
fn check_fields(
    conn: &mut AnyConnection,
    k: &Keeper,
    f: &mut PersonFields,
) -> Result<Result<(), Refused>, AppError> {
    let Some(h) = model::household(conn, k.community_id, f.household_id)? else {
        return Ok(Err(("household_id", "roster.err.household").into()));
    };
    match f.grid_id {
        Some(g) if !communities::grid_in(conn, k.community_id, g)? => {
            return Ok(Err(("grid_id", "roster.err.grid").into()))
        }
        None => f.grid_id = h.grid_id,
        _ => {}
    }
    if let Err(key) = rules::birth_ok(f.birth_date, k.today()) {
        return Ok(Err(("birth_date", key).into()));
    }
    Ok(Ok(()))
}

/// Adds a person to the roster.
pub fn add_person(
    conn: &mut AnyConnection,
    k: &Keeper,
    mut f: PersonFields,
) -> Result<Result<i64, Refused>, AppError> {
    if let Err(r) = check_fields(conn, k, &mut f)? {
        return Ok(Err(r));
    }
    let id = model::insert_person(conn, k.community_id, &f, k.now)?;
    keep_person(conn, k, id, "add")?;
    Ok(Ok(id))
}

/// Edits a person's record (a change of household is a move).
pub fn edit_person(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    mut f: PersonFields,
) -> Result<Result<(), Refused>, AppError> {
    let before = model::person(conn, k.community_id, id)?.ok_or(AppError::NotFound)?;
    if let Err(r) = check_fields(conn, k, &mut f)? {
        return Ok(Err(r));
    }
    if before.household_id != f.household_id {
        if let Some(r) = household_conflict(conn, k, id, f.household_id)? {
            return Ok(Err(r));
        }
    }
    model::update_person(conn, id, &f, k.now)?;
    let what = if before.household_id != f.household_id {
        "move"
    } else {
        "edit"
    };
    keep_person(conn, k, id, what)?;
    Ok(Ok(()))
}

/// Moves a person to another household of the community, into its group.
pub fn move_person(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    household_id: i64,
) -> Result<Result<(), Refused>, AppError> {
    let p = model::person(conn, k.community_id, id)?.ok_or(AppError::NotFound)?;
    let Some(h) = model::household(conn, k.community_id, household_id)? else {
        return Ok(Err(("household_id", "roster.err.household").into()));
    };
    if let Some(r) = household_conflict(conn, k, id, h.id)? {
        return Ok(Err(r));
    }
    let mut f = fields_of(&p);
    f.household_id = h.id;
    f.grid_id = h.grid_id;
    model::update_person(conn, id, &f, k.now)?;
    keep_person(conn, k, id, "move")?;
    Ok(Ok(()))
}

/// 村民委员会组织法 art. 32: moving person `id` into household `to` may not put a supervisor
/// and a committee member in one household. The refusal names both, at the household field.
fn household_conflict(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    to: i64,
) -> Result<Option<Refused>, AppError> {
    use crate::communities::rules as offices;
    let holders = communities::office_holders(conn, k.community_id)?;
    let placed: Vec<offices::OfficeHolder> = holders.iter().map(|h| h.0).collect();
    Ok(offices::conflict_if_moved(&placed, id, to).map(|pair| {
        let r = crate::communities::service::household_refusal(&holders, pair, None);
        Refused {
            field: "household_id",
            key: r.key,
            args: r.args,
        }
    }))
}

/// A person's fields as they stand.
pub fn fields_of(p: &Person) -> PersonFields {
    PersonFields {
        household_id: p.household_id,
        name: p.name.clone(),
        sex: p.sex.clone(),
        birth_date: p.birth_date,
        birth_month_only: p.birth_month_only,
        relation: p.relation.clone(),
        grid_id: p.grid_id,
        phone: p.phone.clone(),
    }
}

/// Marks a person moved away (迁出), deceased (去世) or back on the roster (迁回), on `date`.
pub fn change_status(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    to: Status,
    date: NaiveDate,
    note: &str,
) -> Result<Result<(), Refused>, AppError> {
    let p = model::person(conn, k.community_id, id)?.ok_or(AppError::NotFound)?;
    let standing = Standing {
        status: Status::parse(&p.status).unwrap_or(Status::Listed),
        status_date: p.status_date,
        birth: p.birth_date,
    };
    if let Err(r) = rules::check_status(&standing, to, date, k.today()) {
        return Ok(Err(("status_date", r.key()).into()));
    }
    model::set_status(conn, id, to.as_str(), Some(date), note, k.now)?;
    keep_person(conn, k, id, to.as_str())?;
    Ok(Ok(()))
}

/// Adds (`id` None) or edits a household: its 户号 is unique in the community when given,
/// its group is one of the community's, its 户代表 is a listed person of the household.
pub fn save_household(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: Option<i64>,
    f: &HouseholdFields,
) -> Result<Result<i64, Refused>, AppError> {
    let all = model::households(conn, k.community_id)?;
    if let Some(id) = id {
        if !all.iter().any(|h| h.id == id) {
            return Err(AppError::NotFound);
        }
    }
    if !f.number.is_empty() && all.iter().any(|h| h.number == f.number && Some(h.id) != id) {
        return Ok(Err(("number", "roster.err.number_taken").into()));
    }
    if let Some(g) = f.grid_id {
        if !communities::grid_in(conn, k.community_id, g)? {
            return Ok(Err(("grid_id", "roster.err.grid").into()));
        }
    }
    if let Some(r) = f.representative_id {
        let ok = model::person(conn, k.community_id, r)?
            .is_some_and(|p| Some(p.household_id) == id && p.status == Status::Listed.as_str());
        if !ok {
            return Ok(Err(
                ("representative_id", "roster.err.representative").into()
            ));
        }
    }
    keep_household(conn, k, id, f).map(Ok)
}

/// Writes a household (adds it when `id` is None) and keeps the change.
fn keep_household(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: Option<i64>,
    f: &HouseholdFields,
) -> Result<i64, AppError> {
    let (hid, what) = match id {
        Some(id) => {
            model::update_household(conn, id, f)?;
            (id, "household_edit")
        }
        None => (
            model::insert_household(conn, k.community_id, f, k.now)?,
            "household_add",
        ),
    };
    let snapshot = serde_json::to_string(f)
        .map_err(|e| AppError::Internal(format!("household snapshot: {e}")))?;
    let change = NewChange {
        community_id: k.community_id,
        person_id: None,
        household_id: Some(hid),
        by: k.by,
        what,
        snapshot: &snapshot,
    };
    model::insert_change(conn, &change, k.now)?;
    audit::record(
        conn,
        &Entry {
            community_id: Some(k.community_id),
            actor_id: k.by,
            action: audit::Action::Roster,
            target_user_id: None,
            detail: &format!("{what} #{hid} {} {}", f.number, f.address),
            reason: "",
        },
        k.now,
    )?;
    Ok(hid)
}

/// Links a person to an account (`Some`) or unlinks them (`None`). A person has at most one
/// account and an account at most one person in a community: the unique index
/// `persons_account` decides a race, and the retried transaction then finds the winner here
/// and answers "已关联其他账号".
pub fn link(
    conn: &mut AnyConnection,
    k: &Keeper,
    person_id: i64,
    user_id: Option<i64>,
) -> Result<Result<(), Refused>, AppError> {
    let p = model::person(conn, k.community_id, person_id)?.ok_or(AppError::NotFound)?;
    let write = match user_id {
        Some(u) => match may_link(conn, k, &p, u)? {
            Ok(write) => write,
            Err(r) => return Ok(Err(r)),
        },
        None => p.user_id.is_some(),
    };
    if write {
        model::set_user(conn, p.id, user_id, k.now)?;
        let what = if user_id.is_some() { "link" } else { "unlink" };
        keep_person(conn, k, p.id, what)?;
    }
    Ok(Ok(()))
}

/// Whether account `u` may be linked to `p`: `Ok(false)` when it already is.
pub fn may_link(
    conn: &mut AnyConnection,
    k: &Keeper,
    p: &Person,
    u: i64,
) -> Result<Result<bool, Refused>, AppError> {
    if p.user_id.is_some_and(|linked| linked != u) {
        return Ok(Err(("person_id", "roster.err.person_linked").into()));
    }
    if let Some(other) = model::person_of_user(conn, k.community_id, u)? {
        if other.id != p.id {
            return Ok(Err(("person_id", "roster.err.account_linked").into()));
        }
        return Ok(Ok(false));
    }
    if p.status != Status::Listed.as_str() {
        return Ok(Err(("person_id", "roster.err.not_listed").into()));
    }
    if let Some(r) = link_conflict(conn, k, u, (p.id, p.household_id), &p.name)? {
        return Ok(Err(r));
    }
    Ok(Ok(true))
}

/// 村民委员会组织法 art. 32 at linking: account `u`, if it holds the committee or the
/// supervisor role, may not be linked to a person (`person`, in its household; id 0 for one
/// put on the roster now, named `name`) of the household of a holder of the other office.
/// The refusal names both persons, at the person field.
pub fn link_conflict(
    conn: &mut AnyConnection,
    k: &Keeper,
    u: i64,
    person: (i64, i64),
    name: &str,
) -> Result<Option<Refused>, AppError> {
    use crate::authz::Role;
    use crate::communities::rules as offices;
    let roles = communities::roles_of(conn, k.community_id, u)?;
    let (supervisor, committee) = (
        roles.contains(&Role::Supervisor),
        roles.contains(&Role::Committee),
    );
    if !supervisor && !committee {
        return Ok(None);
    }
    let holders = communities::office_holders(conn, k.community_id)?;
    let placed: Vec<offices::OfficeHolder> = holders.iter().map(|h| h.0).collect();
    Ok(
        offices::conflict_if_linked(&placed, person, supervisor, committee).map(|pair| {
            let r = crate::communities::service::household_refusal(
                &holders,
                pair,
                Some((person.0, name)),
            );
            Refused {
                field: "person_id",
                key: "roster.err.link_household",
                args: r.args,
            }
        }),
    )
}

/// The plan of importing `sheet` into the roster as it stands: the lines refused (unreadable
/// or refused by the plan) together, by line.
pub fn plan_import(conn: &mut AnyConnection, k: &Keeper, sheet: &Sheet) -> Result<Plan, AppError> {
    let grids = communities::grids_of(conn, k.community_id)?;
    let households = model::households(conn, k.community_id)?;
    let persons = model::persons_of(conn, k.community_id)?;
    let today = k.today();
    let (rows, mut refused) = import::rows(sheet, &grids, today);
    let offices = communities::office_holders(conn, k.community_id)?;
    let known = Known {
        households: &households,
        persons: &persons,
        offices: &offices,
        today,
    };
    let mut plan = import_plan::plan(&rows, &known);
    refused.append(&mut plan.refused);
    refused.sort_by_key(|p| p.line);
    plan.refused = refused;
    Ok(plan)
}

/// What a confirmed import wrote.
#[derive(Clone, Copy, Debug, Default)]
pub struct Imported {
    pub added: usize,
    pub changed: usize,
    pub households: usize,
}

/// Confirms an import in the caller's transaction: plans `sheet` again against the roster
/// as it stands and writes it only if it is the plan previewed (`digest`), each change kept
/// like a manual edit; else `Ok(Err(plan))`, the plan as it would be now, nothing written.
/// Imports of one community take turns, so two confirmations never add a person twice.
pub fn import(
    conn: &mut AnyConnection,
    k: &Keeper,
    sheet: &Sheet,
    digest: &str,
) -> Result<Result<Imported, Plan>, AppError> {
    crate::db::take_turn(conn, crate::db::turns::ROSTER_IMPORT, k.community_id)?;
    let plan = plan_import(conn, k, sheet)?;
    if plan.digest() != digest {
        return Ok(Err(plan));
    }
    let mut houses = Vec::with_capacity(plan.houses.len());
    for h in &plan.houses {
        let address = if h.address.is_empty() {
            format!(
                "{}户",
                if h.head.is_empty() {
                    &h.number
                } else {
                    &h.head
                }
            )
        } else {
            h.address.clone()
        };
        let f = HouseholdFields {
            number: h.number.clone(),
            address,
            grid_id: h.grid_id,
            representative_id: None,
        };
        houses.push((keep_household(conn, k, None, &f)?, f));
    }
    let household = |r: HouseRef| match r {
        HouseRef::Old(id) => id,
        HouseRef::New(n) => houses[n].0,
    };
    let mut heads: Vec<Option<i64>> = vec![None; houses.len()];
    for e in &plan.adds {
        let id = model::insert_person(
            conn,
            k.community_id,
            &entry_fields(e, household(e.house)),
            k.now,
        )?;
        keep_person(conn, k, id, "import")?;
        if let (HouseRef::New(n), true) = (e.house, e.relation == "户主") {
            heads[n].get_or_insert(id);
        }
        import_status(conn, k, id, e)?;
    }
    for e in &plan.changes {
        let id = e
            .person_id
            .ok_or_else(|| AppError::Internal("import: change without a person".into()))?;
        if e.diffs.iter().any(|d| d.field != "roster.status_label") {
            let moved = e.diffs.iter().any(|d| d.field == "roster.household");
            model::update_person(conn, id, &entry_fields(e, household(e.house)), k.now)?;
            keep_person(conn, k, id, if moved { "move" } else { "edit" })?;
        }
        import_status(conn, k, id, e)?;
    }
    for (n, head) in heads.into_iter().enumerate() {
        if let Some(person) = head {
            let f = HouseholdFields {
                representative_id: Some(person),
                ..houses[n].1.clone()
            };
            keep_household(conn, k, Some(houses[n].0), &f)?;
        }
    }
    Ok(Ok(Imported {
        added: plan.adds.len(),
        changed: plan.changes.len(),
        households: houses.len(),
    }))
}

fn entry_fields(e: &Planned, household_id: i64) -> PersonFields {
    PersonFields {
        household_id,
        name: e.name.clone(),
        sex: e.sex.clone(),
        birth_date: e.birth,
        birth_month_only: e.month_only,
        relation: e.relation.clone(),
        grid_id: e.grid_id,
        phone: e.phone.clone(),
    }
}

/// The status an imported line gives, as of the import's day. The plan has checked it, so a
/// refusal here is a bug: the whole import is rolled back.
fn import_status(
    conn: &mut AnyConnection,
    k: &Keeper,
    id: i64,
    e: &Planned,
) -> Result<(), AppError> {
    let Some(to) = e.status else { return Ok(()) };
    match change_status(conn, k, id, to, k.today(), "")? {
        Ok(()) => Ok(()),
        Err(r) => Err(AppError::Internal(format!(
            "import line {}: {}",
            e.line, r.key
        ))),
    }
}
