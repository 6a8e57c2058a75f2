//! Communities, grids, households, memberships and join requests in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::authz::{Actor, Role};
use crate::db::AnyConnection;
use crate::schema::{communities, grids, households, join_requests, memberships, users};
use crate::web::ctx::SessionUser;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    /// Supports a proposal needs, as a percentage of verified residents…
    pub support_percent: i64,
    /// …and never fewer than this.
    pub support_minimum: i64,
    /// Days the committee has to answer a proposal.
    pub response_days: i64,
}

impl Community {
    pub fn is_township(&self) -> bool {
        self.kind == KIND_TOWNSHIP
    }

    pub fn is_village(&self) -> bool {
        self.kind == KIND_VILLAGE
    }

    pub fn kind_key(&self) -> &'static str {
        match self.kind.as_str() {
            KIND_TOWNSHIP => "community.kind.township",
            KIND_VILLAGE => "community.kind.village",
            _ => "community.kind.neighbourhood",
        }
    }
}

pub const KIND_TOWNSHIP: &str = "township";
pub const KIND_VILLAGE: &str = "village";
pub const KIND_NEIGHBOURHOOD: &str = "neighbourhood";
pub const KINDS: [&str; 3] = [KIND_TOWNSHIP, KIND_VILLAGE, KIND_NEIGHBOURHOOD];

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = grids)]
pub struct Grid {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = households)]
pub struct Household {
    pub id: i64,
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub address: String,
    pub created_at: NaiveDateTime,
    /// 户号, from the roster; empty for households made before the roster.
    pub number: String,
    /// The household's representative (户代表), a person on the roster.
    pub representative_id: Option<i64>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub id: i64,
    pub community_id: i64,
    pub user_id: i64,
    pub role: String,
    pub household_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = join_requests)]
pub struct JoinRequest {
    pub id: i64,
    pub community_id: i64,
    pub user_id: i64,
    pub address: String,
    pub grid_id: Option<i64>,
    pub note: String,
    pub status: String,
    pub reason: String,
    pub household_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const DECLINED: &str = "declined";

pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Community>> {
    communities::table
        .order((communities::kind.desc(), communities::id))
        .select(Community::as_select())
        .load(conn)
}

pub fn by_slug(conn: &mut AnyConnection, slug: &str) -> QueryResult<Option<Community>> {
    communities::table
        .filter(communities::slug.eq(slug))
        .select(Community::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> QueryResult<Community> {
    communities::table
        .find(id)
        .select(Community::as_select())
        .first(conn)
}

pub fn insert_community(
    conn: &mut AnyConnection,
    parent_id: Option<i64>,
    kind: &str,
    slug: &str,
    name: &str,
    description: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(communities::table)
        .values((
            communities::parent_id.eq(parent_id),
            communities::kind.eq(kind),
            communities::slug.eq(slug),
            communities::name.eq(name),
            communities::description.eq(description),
            communities::created_at.eq(now),
        ))
        .returning(communities::id)
        .get_result(conn)
}

pub fn set_proposal_rules(
    conn: &mut AnyConnection,
    community_id: i64,
    percent: i64,
    minimum: i64,
    days: i64,
) -> QueryResult<usize> {
    diesel::update(communities::table.find(community_id))
        .set((
            communities::support_percent.eq(percent),
            communities::support_minimum.eq(minimum),
            communities::response_days.eq(days),
        ))
        .execute(conn)
}

pub fn grids_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Grid>> {
    grids::table
        .filter(grids::community_id.eq(community_id))
        .order(grids::id)
        .select(Grid::as_select())
        .load(conn)
}

/// Is the grid one of the community's?
pub fn grid_in(conn: &mut AnyConnection, community_id: i64, grid_id: i64) -> QueryResult<bool> {
    Ok(grids_of(conn, community_id)?
        .iter()
        .any(|g| g.id == grid_id))
}

pub fn insert_grid(
    conn: &mut AnyConnection,
    community_id: i64,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(grids::table)
        .values((
            grids::community_id.eq(community_id),
            grids::name.eq(name),
            grids::created_at.eq(now),
        ))
        .returning(grids::id)
        .get_result(conn)
}

pub fn households_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Household>> {
    households::table
        .filter(households::community_id.eq(community_id))
        .order(households::id)
        .select(Household::as_select())
        .load(conn)
}

pub fn insert_household(
    conn: &mut AnyConnection,
    community_id: i64,
    grid_id: Option<i64>,
    address: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(households::table)
        .values((
            households::community_id.eq(community_id),
            households::grid_id.eq(grid_id),
            households::address.eq(address),
            households::created_at.eq(now),
        ))
        .returning(households::id)
        .get_result(conn)
}

/// Adds a role; `Ok(false)` when the user already holds it (the unique key decides).
pub fn grant(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
    role: Role,
    household_id: Option<i64>,
    grid_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let held: i64 = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::role.eq(role.as_str()))
        .count()
        .get_result(conn)?;
    if held > 0 {
        return Ok(false);
    }
    diesel::insert_into(memberships::table)
        .values((
            memberships::community_id.eq(community_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.as_str()),
            memberships::household_id.eq(household_id),
            memberships::grid_id.eq(grid_id),
            memberships::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn revoke(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
    role: Role,
) -> QueryResult<bool> {
    diesel::delete(
        memberships::table
            .filter(memberships::community_id.eq(community_id))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::role.eq(role.as_str())),
    )
    .execute(conn)
    .map(|n| n > 0)
}

pub fn roles_of(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
) -> QueryResult<Vec<Role>> {
    let names: Vec<String> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::role)
        .load(conn)?;
    Ok(names.iter().filter_map(|r| Role::parse(r)).collect())
}

/// Users holding `role` in a community.
pub fn holders(conn: &mut AnyConnection, community_id: i64, role: Role) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(role.as_str()))
        .select(memberships::user_id)
        .load(conn)
}

/// The committee of a community and the staff of the township above it.
pub fn supervisors_of(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<(String, Vec<i64>)> {
    let (slug, parent): (String, Option<i64>) = communities::table
        .find(community_id)
        .select((communities::slug, communities::parent_id))
        .first(conn)?;
    let mut people = holders(conn, community_id, Role::Committee)?;
    if let Some(p) = parent {
        people.extend(holders(conn, p, Role::Township)?);
    }
    people.sort_unstable();
    people.dedup();
    Ok((slug, people))
}

/// The user as seen from `community`: their roles there and whether they are staff of the
/// township above it, and whether their request to join waits. Three queries at most.
pub fn actor(
    conn: &mut AnyConnection,
    user: Option<&SessionUser>,
    community: &Community,
) -> QueryResult<Actor> {
    let Some(user) = user else {
        return Ok(Actor::default());
    };
    let mut ids = vec![community.id];
    ids.extend(community.parent_id);
    let rows: Vec<(i64, String)> = memberships::table
        .filter(memberships::community_id.eq_any(ids))
        .filter(memberships::user_id.eq(user.id))
        .select((memberships::community_id, memberships::role))
        .load(conn)?;
    let roles = rows
        .iter()
        .filter(|(c, _)| *c == community.id)
        .filter_map(|(_, r)| Role::parse(r))
        .collect();
    let township_above = rows
        .iter()
        .any(|(c, r)| Some(*c) == community.parent_id && r == Role::Township.as_str());
    let waiting = match rows.is_empty() {
        true if is_waiting(conn, community.id, user.id)? => Some(community.slug.clone()),
        _ => None,
    };
    Ok(Actor {
        signed_in: true,
        is_admin: user.is_admin,
        roles,
        township_above,
        waiting,
    })
}

/// A member of a community with their name and household, for lists.
#[derive(Queryable, Clone, Debug)]
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub household: Option<String>,
    pub grid: Option<String>,
    pub since: NaiveDateTime,
}

pub fn members(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .left_join(households::table.on(memberships::household_id.eq(households::id.nullable())))
        .left_join(grids::table.on(memberships::grid_id.eq(grids::id.nullable())))
        .filter(memberships::community_id.eq(community_id))
        .order((memberships::role, users::display_name, users::id))
        .select((
            users::id,
            users::display_name,
            memberships::role,
            households::address.nullable(),
            grids::name.nullable(),
            memberships::created_at,
        ))
        .load(conn)
}

/// Counts shown on a community's home page.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub households: i64,
    pub residents: i64,
    pub representatives: i64,
    pub grids: i64,
    pub pending: i64,
}

pub fn counts(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Counts> {
    let by_role: Vec<(String, i64)> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .group_by(memberships::role)
        .select((memberships::role, diesel::dsl::count_star()))
        .load(conn)?;
    let role_count = |r: Role| {
        by_role
            .iter()
            .find(|(name, _)| name == r.as_str())
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    Ok(Counts {
        households: households::table
            .filter(households::community_id.eq(community_id))
            .count()
            .get_result(conn)?,
        residents: role_count(Role::Resident),
        representatives: role_count(Role::Representative),
        grids: grids::table
            .filter(grids::community_id.eq(community_id))
            .count()
            .get_result(conn)?,
        pending: join_requests::table
            .filter(join_requests::community_id.eq(community_id))
            .filter(join_requests::status.eq(PENDING))
            .count()
            .get_result(conn)?,
    })
}

pub fn children(conn: &mut AnyConnection, parent_id: i64) -> QueryResult<Vec<Community>> {
    communities::table
        .filter(communities::parent_id.eq(parent_id))
        .order(communities::id)
        .select(Community::as_select())
        .load(conn)
}

// ---- join requests ----

pub fn open_request_of(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
) -> QueryResult<Option<JoinRequest>> {
    join_requests::table
        .filter(join_requests::community_id.eq(community_id))
        .filter(join_requests::user_id.eq(user_id))
        .order(join_requests::id.desc())
        .select(JoinRequest::as_select())
        .first(conn)
        .optional()
}

pub fn insert_request(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
    address: &str,
    grid_id: Option<i64>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(join_requests::table)
        .values((
            join_requests::community_id.eq(community_id),
            join_requests::user_id.eq(user_id),
            join_requests::address.eq(address),
            join_requests::grid_id.eq(grid_id),
            join_requests::note.eq(note),
            join_requests::status.eq(PENDING),
            join_requests::reason.eq(""),
            join_requests::created_at.eq(now),
        ))
        .returning(join_requests::id)
        .get_result(conn)
}

pub fn request(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<JoinRequest>> {
    join_requests::table
        .filter(join_requests::id.eq(id))
        .filter(join_requests::community_id.eq(community_id))
        .select(JoinRequest::as_select())
        .first(conn)
        .optional()
}

/// Marks a pending request decided; `false` if it was no longer pending (someone else
/// decided it first).
pub fn decide_request(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reason: &str,
    household_id: Option<i64>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        join_requests::table
            .filter(join_requests::id.eq(id))
            .filter(join_requests::status.eq(PENDING)),
    )
    .set((
        join_requests::status.eq(status),
        join_requests::reason.eq(reason),
        join_requests::household_id.eq(household_id),
        join_requests::decided_by.eq(Some(by)),
        join_requests::decided_at.eq(Some(now)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

#[derive(Clone, Debug)]
pub struct PendingRow {
    pub request: JoinRequest,
    pub name: String,
    pub contact: String,
}

pub fn pending_requests(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<PendingRow>> {
    let rows: Vec<(JoinRequest, String, Option<String>, Option<String>)> = join_requests::table
        .inner_join(users::table.on(join_requests::user_id.eq(users::id)))
        .filter(join_requests::community_id.eq(community_id))
        .filter(join_requests::status.eq(PENDING))
        .order(join_requests::id)
        .select((
            JoinRequest::as_select(),
            users::display_name,
            users::phone,
            users::email,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(request, name, phone, email)| PendingRow {
            request,
            name,
            contact: phone.or(email).unwrap_or_default(),
        })
        .collect())
}

/// A member's account linked to no person on the community's roster (verified before
/// linking was required, or appointed without it): they cannot vote in a statutory ballot
/// until the committee links them.
#[derive(Clone, Debug)]
pub struct UnlinkedRow {
    pub user_id: i64,
    pub name: String,
    pub contact: String,
    /// The household of their resident membership, where a new person is put.
    pub household_id: Option<i64>,
}

/// Every member of the community (any role) whose account is linked to no roster person,
/// each once, by name: one query.
pub fn unlinked_members(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<UnlinkedRow>> {
    use crate::schema::persons;
    let linked = persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.is_not_null())
        .select(persons::user_id.assume_not_null());
    type Row = (i64, String, Option<String>, Option<String>, Option<i64>);
    let rows: Vec<Row> = memberships::table
        .inner_join(users::table)
        .filter(memberships::community_id.eq(community_id))
        .filter(diesel::dsl::not(memberships::user_id.eq_any(linked)))
        .order((
            users::display_name,
            users::id,
            memberships::household_id.desc(),
        ))
        .select((
            users::id,
            users::display_name,
            users::phone,
            users::email,
            memberships::household_id,
        ))
        .load(conn)?;
    let mut out: Vec<UnlinkedRow> = Vec::new();
    for (user_id, name, phone, email, household) in rows {
        match out.iter_mut().find(|r| r.user_id == user_id) {
            Some(r) => r.household_id = r.household_id.or(household),
            None => out.push(UnlinkedRow {
                user_id,
                name,
                contact: phone.or(email).unwrap_or_default(),
                household_id: household,
            }),
        }
    }
    Ok(out)
}

/// Communities where the user holds any role, with the roles.
pub fn memberships_of(
    conn: &mut AnyConnection,
    user_id: i64,
) -> QueryResult<Vec<(Community, String)>> {
    memberships::table
        .inner_join(communities::table)
        .filter(memberships::user_id.eq(user_id))
        .order((communities::id, memberships::role))
        .select((Community::as_select(), memberships::role))
        .load(conn)
}

/// Where a user belongs: the communities where they hold a role or wait for verification,
/// in the order they were made (one query). The landing after signing in and the site home's
/// "my communities" read it.
pub fn landing_of(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<Community>> {
    let member = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::community_id);
    let waiting = join_requests::table
        .filter(join_requests::user_id.eq(user_id))
        .filter(join_requests::status.eq(PENDING))
        .select(join_requests::community_id);
    communities::table
        .filter(
            communities::id
                .eq_any(member)
                .or(communities::id.eq_any(waiting)),
        )
        .order(communities::id)
        .select(Community::as_select())
        .load(conn)
}

/// Is the user's request to join this community waiting for the committee?
pub fn is_waiting(conn: &mut AnyConnection, community_id: i64, user_id: i64) -> QueryResult<bool> {
    Ok(open_request_of(conn, community_id, user_id)?.is_some_and(|r| r.status == PENDING))
}

/// How many verified residents a community has.
pub fn verified_residents(conn: &mut AnyConnection, community_id: i64) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(Role::Resident.as_str()))
        .count()
        .get_result(conn)
}

/// The grid worker of a grid, if it has one.
pub fn grid_worker(
    conn: &mut AnyConnection,
    community_id: i64,
    grid_id: i64,
) -> QueryResult<Option<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(Role::GridWorker.as_str()))
        .filter(memberships::grid_id.eq(Some(grid_id)))
        .order(memberships::id)
        .select(memberships::user_id)
        .first(conn)
        .optional()
}

/// The workers of a grid, first appointed first.
pub fn grid_workers(
    conn: &mut AnyConnection,
    community_id: i64,
    grid_id: i64,
) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(Role::GridWorker.as_str()))
        .filter(memberships::grid_id.eq(Some(grid_id)))
        .order(memberships::id)
        .select(memberships::user_id)
        .load(conn)
}

/// People who can be given work in a community: its grid workers and committee, by name.
pub fn assignable(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<(i64, String)>> {
    let mut rows: Vec<(i64, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::community_id.eq(community_id))
        .filter(
            memberships::role
                .eq(Role::GridWorker.as_str())
                .or(memberships::role.eq(Role::Committee.as_str())),
        )
        .order(users::display_name)
        .select((users::id, users::display_name))
        .load(conn)?;
    rows.dedup_by_key(|r| r.0);
    Ok(rows)
}

// ---- the supervision committee (art. 32) ----

pub const SUPERVISOR_APPOINTED: &str = "appoint";
pub const SUPERVISOR_REMOVED: &str = "remove";
pub const SUPERVISOR_RESIGNED: &str = "resign";

/// The roster households of the community's committee members (those linked to a roster
/// person).
pub fn committee_households(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<i64>> {
    use crate::schema::persons;
    let committee: Vec<i64> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(Role::Committee.as_str()))
        .select(memberships::user_id)
        .load(conn)?;
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.eq_any(committee))
        .select(persons::household_id)
        .load(conn)
}

/// The committee members and supervisors linked to a roster person, as art. 32's household
/// rule sees them, with their names on the roster. Two queries.
pub fn office_holders(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(super::rules::OfficeHolder, String)>> {
    use crate::schema::persons;
    let roles = [Role::Committee, Role::Supervisor].map(Role::as_str);
    let held: Vec<(i64, String)> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq_any(roles))
        .select((memberships::user_id, memberships::role))
        .load(conn)?;
    let users: Vec<i64> = held.iter().map(|h| h.0).collect();
    let linked: Vec<(i64, i64, i64, String)> = persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.eq_any(users))
        .select((
            persons::user_id.assume_not_null(),
            persons::id,
            persons::household_id,
            persons::name,
        ))
        .load(conn)?;
    Ok(linked
        .into_iter()
        .map(|(user, person, household, name)| {
            let has = |r: Role| held.iter().any(|h| h.0 == user && h.1 == r.as_str());
            let holder = super::rules::OfficeHolder {
                person,
                household,
                supervisor: has(Role::Supervisor),
                committee: has(Role::Committee),
            };
            (holder, name)
        })
        .collect())
}

/// A decision that may elect or remove supervisors: (id, title of its item, body).
pub fn supervisor_decisions(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<crate::projects::model::DecisionRef>> {
    use crate::schema::decisions;
    let corrected: Vec<Option<i64>> = decisions::table
        .filter(decisions::community_id.eq(community_id))
        .filter(decisions::corrects_id.is_not_null())
        .select(decisions::corrects_id)
        .load(conn)?;
    let mut found = crate::projects::model::passed_decisions(conn, community_id)?;
    found.retain(|d| super::rules::elects_supervisors(&d.body) && !corrected.contains(&Some(d.id)));
    Ok(found)
}

/// One entry of the supervision committee's record.
#[derive(Queryable, Clone, Debug)]
pub struct SupervisorChange {
    pub user_id: i64,
    pub action: String,
    pub decision_id: Option<i64>,
    pub reason: String,
    pub recorded_at: NaiveDateTime,
}

/// Appends an appointment, removal or resignation to the record.
#[allow(clippy::too_many_arguments)]
pub fn record_supervisor_change(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
    action: &str,
    decision_id: Option<i64>,
    reason: &str,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // Published in the transparency log: the villagers' choice of who checks the
    // committee is a public record (art. 32).
    use crate::schema::supervisor_appointments as s;
    let id: i64 = diesel::insert_into(s::table)
        .values((
            s::community_id.eq(community_id),
            s::user_id.eq(user_id),
            s::action.eq(action),
            s::decision_id.eq(decision_id),
            s::reason.eq(reason),
            s::recorded_by.eq(by),
            s::recorded_at.eq(now),
        ))
        .returning(s::id)
        .get_result(conn)?;
    super::record::publish_supervisor_change(conn, community_id, id, now)?;
    Ok(())
}

/// The latest appointment of each person the record shows, oldest first.
pub fn supervisor_appointments(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<SupervisorChange>> {
    use crate::schema::supervisor_appointments as s;
    let rows: Vec<SupervisorChange> = s::table
        .filter(s::community_id.eq(community_id))
        .filter(s::action.eq(SUPERVISOR_APPOINTED))
        .order(s::id)
        .select((
            s::user_id,
            s::action,
            s::decision_id,
            s::reason,
            s::recorded_at,
        ))
        .load(conn)?;
    let mut latest: Vec<SupervisorChange> = Vec::new();
    for r in rows {
        latest.retain(|l| l.user_id != r.user_id);
        latest.push(r);
    }
    Ok(latest)
}
