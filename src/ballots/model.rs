//! Ballots, their frozen electorates, votes, meeting results and decisions in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::rules::{
    self, Body, Counts, Options, Outcome, RosterPerson, Rule, Standing, Verdict, VoteRefusal,
    VoteWindow, Voter,
};
use crate::authz::Role;
use crate::db::AnyConnection;
use crate::schema::{
    ballot_attendance, ballot_choices, ballot_electors, ballot_roll, ballot_voters, ballots,
    decision_countersigns, decisions, hall_results, households, memberships, persons, users,
};

pub const ONLINE: &str = "online";
pub const HALL: &str = "hall";
/// In the hall and online at once (线上线下结合).
pub const MIXED: &str = "mixed";
pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ballots)]
pub struct Ballot {
    pub id: i64,
    pub community_id: i64,
    pub item_id: i64,
    pub body: String,
    pub mode: String,
    pub secret: bool,
    pub options: String,
    pub rule: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub electorate: i64,
    pub households: i64,
    pub cast_count: i64,
    pub state: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// The group (grid) of a group meeting.
    pub grid_id: Option<i64>,
    /// Frozen from the roster (persons in `ballot_roll`); older ballots froze accounts.
    pub roll: bool,
}

/// The labels of a ballot's options, as stored: empty for for / against / abstain, else one
/// named option per line.
pub fn option_labels(stored: &str) -> Vec<String> {
    if stored.is_empty() {
        Vec::new()
    } else {
        stored.lines().map(str::to_string).collect()
    }
}

pub fn options_kind(stored: &str) -> Options {
    if stored.is_empty() {
        Options::ForAgainstAbstain
    } else {
        Options::Named(stored.lines().count())
    }
}

impl Ballot {
    pub fn body(&self) -> Body {
        Body::parse(&self.body).unwrap_or(Body::Residents)
    }

    pub fn rule(&self) -> Rule {
        Rule::decode(&self.rule).unwrap_or_else(|_| Rule::preset(self.body()))
    }

    pub fn options(&self) -> Options {
        options_kind(&self.options)
    }

    pub fn option_count(&self) -> usize {
        match self.options() {
            Options::ForAgainstAbstain => 3,
            Options::Named(n) => n,
        }
    }

    pub fn is_open(&self) -> bool {
        self.state == OPEN
    }

    pub fn is_online(&self) -> bool {
        self.mode == ONLINE
    }

    /// Takes online votes: an online ballot, or a meeting held in the hall and online.
    pub fn takes_online(&self) -> bool {
        self.mode != HALL
    }

    /// Meets in the hall (alone or with online voting): a register and a paper count.
    pub fn has_hall(&self) -> bool {
        self.mode != ONLINE
    }

    pub fn is_mixed(&self) -> bool {
        self.mode == MIXED
    }

    /// An online ballot past its closing time that nobody has closed yet.
    /// When the ballot takes votes.
    pub fn window(&self) -> VoteWindow {
        VoteWindow {
            online: self.takes_online(),
            open: self.is_open(),
            opens_at: self.opens_at,
            closes_at: self.closes_at,
        }
    }

    pub fn is_due(&self, now: NaiveDateTime) -> bool {
        self.is_open() && self.is_online() && now >= self.closes_at
    }
}

pub struct NewBallot<'a> {
    pub community_id: i64,
    pub item_id: i64,
    pub body: Body,
    pub mode: &'a str,
    pub options: &'a str,
    pub rule: &'a Rule,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub created_by: i64,
    /// The group of a group meeting.
    pub grid_id: Option<i64>,
    /// Freeze the electorate from the roster (a statutory body's ballot); `false` freezes
    /// accounts, as ballots did before the roster (the demo's older ballots).
    pub from_roster: bool,
}

/// (id, household, group, birth date, status, status date) of a person on the roster.
type PersonRow = (
    i64,
    i64,
    Option<i64>,
    chrono::NaiveDate,
    String,
    Option<chrono::NaiveDate>,
);

/// Every person on the community's roster, as the electorate rule reads them: one query.
pub fn roster_persons(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<RosterPerson>> {
    let rows: Vec<PersonRow> = persons::table
        .filter(persons::community_id.eq(community_id))
        .select((
            persons::id,
            persons::household_id,
            persons::grid_id,
            persons::birth_date,
            persons::status,
            persons::status_date,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, household_id, group_id, birth_date, status, since)| RosterPerson {
                id,
                household_id,
                group_id,
                birth_date,
                standing: Standing::parse(&status),
                standing_since: since,
            },
        )
        .collect())
}

/// The accounts of a body that votes by account (the representatives' meeting: committee
/// members and representatives; the committee; before the roster, the residents), as
/// (user, household), each user once.
fn account_electors(
    conn: &mut AnyConnection,
    community_id: i64,
    body: Body,
) -> QueryResult<Vec<(i64, Option<i64>)>> {
    let roles = [Role::Committee, Role::Representative, Role::Resident].map(Role::as_str);
    let rows: Vec<(i64, String, Option<i64>)> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq_any(roles))
        .order(memberships::user_id)
        .select((
            memberships::user_id,
            memberships::role,
            memberships::household_id,
        ))
        .load(conn)?;
    let of = |role: Role| -> Vec<i64> {
        let mut v: Vec<i64> = rows
            .iter()
            .filter(|r| r.1 == role.as_str())
            .filter(|r| body != Body::Households || r.2.is_some())
            .map(|r| r.0)
            .collect();
        v.dedup();
        v
    };
    let users = match body {
        Body::Committee => of(Role::Committee),
        Body::Representatives => {
            rules::representatives_electorate(&of(Role::Committee), &of(Role::Representative))
        }
        _ => of(Role::Resident),
    };
    Ok(users
        .into_iter()
        .map(|u| (u, rows.iter().find(|r| r.0 == u).and_then(|r| r.2)))
        .collect())
}

/// (person, household) pairs of a frozen roll, or the names of those who cannot be on it.
pub type RollOrUnlinked = Result<Vec<(i64, i64)>, Vec<String>>;

/// (account, role, name) of the committee members and representatives.
type MemberNames = Vec<(i64, String, String)>;

/// The committee members and representatives, and the roster persons their accounts are
/// linked to (account, person), with their names: two queries.
fn representatives_members(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<(MemberNames, Vec<(i64, RosterPerson)>)> {
    let roles = [Role::Committee, Role::Representative].map(Role::as_str);
    let members: MemberNames = memberships::table
        .inner_join(crate::schema::users::table)
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq_any(roles))
        .order(memberships::user_id)
        .select((
            memberships::user_id,
            memberships::role,
            crate::schema::users::display_name,
        ))
        .load(conn)?;
    let rows: Vec<(i64, PersonRow)> = persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.is_not_null())
        .select((
            persons::user_id.assume_not_null(),
            (
                persons::id,
                persons::household_id,
                persons::grid_id,
                persons::birth_date,
                persons::status,
                persons::status_date,
            ),
        ))
        .load(conn)?;
    let linked = rows
        .into_iter()
        .map(
            |(u, (id, household_id, group_id, birth_date, status, since))| {
                (
                    u,
                    RosterPerson {
                        id,
                        household_id,
                        group_id,
                        birth_date,
                        standing: Standing::parse(&status),
                        standing_since: since,
                    },
                )
            },
        )
        .collect();
    Ok((members, linked))
}

fn accounts_of(members: &[(i64, String, String)], role: Role) -> Vec<i64> {
    members
        .iter()
        .filter(|m| m.1 == role.as_str())
        .map(|m| m.0)
        .collect()
}

/// The representatives' meeting held on `day` as roster persons (art. 25/26): the persons
/// linked to the committee members' and representatives' accounts, each once, as (person,
/// household), less those moved away or deceased on or before the day; or the names of
/// those whose account is linked to nobody. Two queries.
pub fn representatives_roll(
    conn: &mut AnyConnection,
    community_id: i64,
    day: chrono::NaiveDate,
) -> QueryResult<RollOrUnlinked> {
    let (members, linked) = representatives_members(conn, community_id)?;
    let committee = accounts_of(&members, Role::Committee);
    let reps = accounts_of(&members, Role::Representative);
    Ok(
        rules::representatives_roll(&committee, &reps, &linked, day).map_err(|users| {
            users
                .iter()
                .filter_map(|u| members.iter().find(|m| m.0 == *u))
                .map(|m| m.2.clone())
                .collect()
        }),
    )
}

/// A committee member or representative whose roster person moved away or died: their seat
/// is to be filled (需要补选).
#[derive(Clone, Debug)]
pub struct SeatToFill {
    pub user_id: i64,
    pub name: String,
    /// Their roles here ("committee", "representative"), as stored.
    pub roles: Vec<String>,
    pub deceased: bool,
    pub since: Option<chrono::NaiveDate>,
}

/// The seats of the representatives' meeting to be filled as of `day`. Two queries.
pub fn seats_to_fill(
    conn: &mut AnyConnection,
    community_id: i64,
    day: chrono::NaiveDate,
) -> QueryResult<Vec<SeatToFill>> {
    let (members, linked) = representatives_members(conn, community_id)?;
    let committee = accounts_of(&members, Role::Committee);
    let reps = accounts_of(&members, Role::Representative);
    Ok(rules::seats_to_fill(&committee, &reps, &linked, day)
        .into_iter()
        .filter_map(|u| {
            let person = linked.iter().find(|l| l.0 == u)?.1;
            let mine: Vec<&(i64, String, String)> = members.iter().filter(|m| m.0 == u).collect();
            Some(SeatToFill {
                user_id: u,
                name: mine.first()?.2.clone(),
                roles: mine.iter().map(|m| m.1.clone()).collect(),
                deceased: person.standing == Standing::Deceased,
                since: person.standing_since,
            })
        })
        .collect())
}

/// How many would vote on a ballot of `body` held on `day` (of group `grid`): (people,
/// households). A household ballot counts households as its electorate.
pub fn would_vote(
    conn: &mut AnyConnection,
    community_id: i64,
    body: Body,
    day: chrono::NaiveDate,
    grid: Option<i64>,
) -> QueryResult<(i64, i64)> {
    if body == Body::Representatives {
        let roll = representatives_roll(conn, community_id, day)?.unwrap_or_default();
        let mut hs: Vec<i64> = roll.iter().map(|r| r.1).collect();
        hs.sort_unstable();
        hs.dedup();
        return Ok((roll.len() as i64, hs.len() as i64));
    }
    if body.from_roster() {
        let all = roster_persons(conn, community_id)?;
        let group = grid.filter(|_| body == Body::Group);
        let (people, hs) = rules::electorate(&all, day, group);
        let people = if body == Body::Households {
            hs.len()
        } else {
            people.len()
        };
        return Ok((people as i64, hs.len() as i64));
    }
    let electors = account_electors(conn, community_id, body)?;
    let mut hs: Vec<i64> = electors.iter().filter_map(|e| e.1).collect();
    hs.sort_unstable();
    hs.dedup();
    Ok((electors.len() as i64, hs.len() as i64))
}

/// How many rows one multi-row insert carries.
const INSERT_CHUNK: usize = 1000;

/// Inserts rows of ids into `into` ("table (columns)") a thousand rows a statement: diesel's
/// batch insert is not available over the two-backend connection, and a roster of ten
/// thousand persons must not take ten thousand round trips. Only integers are written
/// into the text, so nothing typed by anyone reaches it.
fn insert_ids(conn: &mut AnyConnection, into: &str, rows: &[[i64; 3]]) -> QueryResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let values: Vec<String> = chunk
            .iter()
            .map(|[a, b, c]| format!("({a},{b},{c})"))
            .collect();
        diesel::sql_query(format!("INSERT INTO {into} VALUES {}", values.join(",")))
            .execute(conn)?;
    }
    Ok(())
}

/// Opens a ballot with its electorate frozen: from the roster as of the meeting's day (the
/// Beijing day it opens) for the villagers', household, group meetings and consultations;
/// from the memberships for the representatives and the committee. Returns its id.
pub fn open(conn: &mut AnyConnection, b: &NewBallot, now: NaiveDateTime) -> QueryResult<i64> {
    let roll = b.from_roster && b.body.from_roster();
    let id: i64 = diesel::insert_into(ballots::table)
        .values((
            ballots::community_id.eq(b.community_id),
            ballots::item_id.eq(b.item_id),
            ballots::body.eq(b.body.as_str()),
            ballots::mode.eq(b.mode),
            ballots::secret.eq(b.body.is_secret()),
            ballots::options.eq(b.options),
            ballots::rule.eq(b.rule.encode()),
            ballots::opens_at.eq(b.opens_at),
            ballots::closes_at.eq(b.closes_at),
            ballots::electorate.eq(0),
            ballots::households.eq(0),
            ballots::state.eq(OPEN),
            ballots::created_by.eq(b.created_by),
            ballots::created_at.eq(now),
            ballots::grid_id.eq(b.grid_id),
            ballots::roll.eq(roll),
        ))
        .returning(ballots::id)
        .get_result(conn)?;
    let (people, households) = if roll && b.body == Body::Representatives {
        // Checked by the service before opening: an unlinked member here is a bug.
        let day = crate::clock::local_day(b.opens_at);
        let persons = representatives_roll(conn, b.community_id, day)?.map_err(|names| {
            diesel::result::Error::QueryBuilderError(
                format!("representatives not on the roster: {}", names.join("、")).into(),
            )
        })?;
        let rows: Vec<[i64; 3]> = persons.iter().map(|&(p, h)| [id, p, h]).collect();
        insert_ids(
            conn,
            "ballot_roll (ballot_id, person_id, household_id)",
            &rows,
        )?;
        let mut hs: Vec<i64> = persons.iter().map(|r| r.1).collect();
        hs.sort_unstable();
        hs.dedup();
        (persons.len() as i64, hs.len() as i64)
    } else if roll {
        let day = crate::clock::local_day(b.opens_at);
        let all = roster_persons(conn, b.community_id)?;
        let group = b.grid_id.filter(|_| b.body == Body::Group);
        let (people, hs) = rules::electorate(&all, day, group);
        let rows: Vec<[i64; 3]> = people.iter().map(|p| [id, p.id, p.household_id]).collect();
        insert_ids(
            conn,
            "ballot_roll (ballot_id, person_id, household_id)",
            &rows,
        )?;
        (people.len() as i64, hs.len() as i64)
    } else {
        let electors = account_electors(conn, b.community_id, b.body)?;
        for (u, h) in &electors {
            diesel::insert_into(ballot_electors::table)
                .values((
                    ballot_electors::ballot_id.eq(id),
                    ballot_electors::user_id.eq(*u),
                    ballot_electors::household_id.eq(*h),
                ))
                .execute(conn)?;
        }
        let mut hs: Vec<i64> = electors.iter().filter_map(|e| e.1).collect();
        hs.sort_unstable();
        hs.dedup();
        (electors.len() as i64, hs.len() as i64)
    };
    super::record::publish_electorate(conn, b.community_id, id, now)?;
    let electorate = if b.body == Body::Households {
        households
    } else {
        people
    };
    diesel::update(ballots::table.find(id))
        .set((
            ballots::electorate.eq(electorate),
            ballots::households.eq(households),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The person an account is linked to in a community, with their household.
pub fn person_of(
    conn: &mut AnyConnection,
    community_id: i64,
    user_id: i64,
) -> QueryResult<Option<(i64, i64)>> {
    persons::table
        .filter(persons::community_id.eq(community_id))
        .filter(persons::user_id.eq(user_id))
        .select((persons::id, persons::household_id))
        .first(conn)
        .optional()
}

/// The voter behind account `user` on ballot `b`, or why they may not vote.
pub fn voter_on(
    conn: &mut AnyConnection,
    b: &Ballot,
    user: i64,
) -> QueryResult<Result<Voter, VoteRefusal>> {
    if !b.roll {
        let entry = elector(conn, b.id, user)?;
        return Ok(rules::voter(b.body(), user, entry).ok_or(VoteRefusal::NotElector));
    }
    let person = person_of(conn, b.community_id, user)?;
    if person.is_none() {
        let resident = memberships::table
            .filter(memberships::community_id.eq(b.community_id))
            .filter(memberships::user_id.eq(user))
            .filter(memberships::role.eq(Role::Resident.as_str()))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        return Ok(rules::unlinked_voter(b.body(), user, resident));
    }
    let on_roll = match person {
        Some((p, _)) => roll_household(conn, b.id, p)?.is_some(),
        None => false,
    };
    let representative = match (b.body(), person) {
        (Body::Households, Some((_, h))) => households::table
            .filter(households::id.eq(h))
            .select(households::representative_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten(),
        _ => None,
    };
    Ok(rules::roll_voter(b.body(), person, on_roll, representative))
}

/// The household of `person` on the ballot's roll, if they are on it.
pub fn roll_household(
    conn: &mut AnyConnection,
    ballot_id: i64,
    person: i64,
) -> QueryResult<Option<i64>> {
    ballot_roll::table
        .filter(ballot_roll::ballot_id.eq(ballot_id))
        .filter(ballot_roll::person_id.eq(person))
        .select(ballot_roll::household_id)
        .first(conn)
        .optional()
}

/// Whether the person is already counted (online or in the hall).
pub fn attended(conn: &mut AnyConnection, ballot_id: i64, person: i64) -> QueryResult<bool> {
    let n: i64 = ballot_attendance::table
        .filter(ballot_attendance::ballot_id.eq(ballot_id))
        .filter(ballot_attendance::person_id.eq(person))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The name of a household's 户代表, if the roster names one.
pub fn household_representative(
    conn: &mut AnyConnection,
    household_id: i64,
) -> QueryResult<Option<String>> {
    let rep: Option<Option<i64>> = households::table
        .filter(households::id.eq(household_id))
        .select(households::representative_id)
        .first(conn)
        .optional()?;
    let Some(Some(rep)) = rep else {
        return Ok(None);
    };
    persons::table
        .filter(persons::id.eq(rep))
        .select(persons::name)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Ballot>> {
    ballots::table
        .filter(ballots::community_id.eq(community_id))
        .filter(ballots::id.eq(id))
        .select(Ballot::as_select())
        .first(conn)
        .optional()
}

pub fn of_item(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<Ballot>> {
    ballots::table
        .filter(ballots::item_id.eq(item_id))
        .order(ballots::id)
        .select(Ballot::as_select())
        .load(conn)
}

/// The newest ballots of a community, open ones included.
pub fn of_community(
    conn: &mut AnyConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<Ballot>> {
    ballots::table
        .filter(ballots::community_id.eq(community_id))
        .order(ballots::id.desc())
        .limit(limit)
        .select(Ballot::as_select())
        .load(conn)
}

/// How many ballots of a community are open (the home page's 投票 tile).
pub fn open_count(conn: &mut AnyConnection, community_id: i64) -> QueryResult<i64> {
    ballots::table
        .filter(ballots::community_id.eq(community_id))
        .filter(ballots::state.eq(OPEN))
        .count()
        .get_result(conn)
}

/// Online ballots whose closing time has passed and that are still open.
pub fn due(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<(i64, i64)>> {
    ballots::table
        .filter(ballots::state.eq(OPEN))
        .filter(ballots::mode.eq(ONLINE))
        .filter(ballots::closes_at.le(now))
        .select((ballots::community_id, ballots::id))
        .load(conn)
}

/// The elector row of `user` on a ballot: `Some(household)` if they may vote.
pub fn elector(
    conn: &mut AnyConnection,
    ballot_id: i64,
    user_id: i64,
) -> QueryResult<Option<Option<i64>>> {
    ballot_electors::table
        .filter(ballot_electors::ballot_id.eq(ballot_id))
        .filter(ballot_electors::user_id.eq(user_id))
        .select(ballot_electors::household_id)
        .first(conn)
        .optional()
}

/// The frozen electorate with names, and who of them took part (by person, or by household).
#[derive(Clone, Debug)]
pub struct ElectorRow {
    pub name: String,
    pub household: Option<String>,
    pub took_part: bool,
    /// On a roll-call ballot, the option this member chose.
    pub choice: Option<i32>,
}

pub fn electorate(conn: &mut AnyConnection, ballot: &Ballot) -> QueryResult<Vec<ElectorRow>> {
    if ballot.roll {
        return roll(conn, ballot);
    }
    let rows: Vec<(i64, String, Option<i64>, Option<String>)> = ballot_electors::table
        .inner_join(users::table)
        .left_join(
            households::table.on(ballot_electors::household_id.eq(households::id.nullable())),
        )
        .filter(ballot_electors::ballot_id.eq(ballot.id))
        .order((ballot_electors::household_id, users::display_name))
        .select((
            users::id,
            users::display_name,
            ballot_electors::household_id,
            households::address.nullable(),
        ))
        .load(conn)?;
    let voters: Vec<(i64, i64, Option<i32>)> = ballot_voters::table
        .filter(ballot_voters::ballot_id.eq(ballot.id))
        .select((
            ballot_voters::voter_key,
            ballot_voters::user_id,
            ballot_voters::choice,
        ))
        .load(conn)?;
    let by_household = ballot.body() == Body::Households;
    Ok(rows
        .into_iter()
        .map(|(uid, name, hid, address)| {
            let vote = voters.iter().find(|(key, u, _)| {
                if by_household {
                    Some(*key) == hid
                } else {
                    *u == uid
                }
            });
            ElectorRow {
                name,
                household: address,
                took_part: vote.is_some(),
                choice: vote.and_then(|(_, u, c)| if *u == uid { *c } else { None }),
            }
        })
        .collect())
}

/// The frozen roll with names, by household, and who took part (online or in the hall; on
/// a household ballot, the household).
fn roll(conn: &mut AnyConnection, ballot: &Ballot) -> QueryResult<Vec<ElectorRow>> {
    let rows: Vec<(i64, String, i64, String, String)> = ballot_roll::table
        .inner_join(persons::table)
        .inner_join(households::table.on(ballot_roll::household_id.eq(households::id)))
        .filter(ballot_roll::ballot_id.eq(ballot.id))
        .order((households::number, ballot_roll::household_id, persons::name))
        .select((
            persons::id,
            persons::name,
            ballot_roll::household_id,
            households::number,
            households::address,
        ))
        .load(conn)?;
    let came: Vec<(i64, i64)> = ballot_attendance::table
        .filter(ballot_attendance::ballot_id.eq(ballot.id))
        .select((
            ballot_attendance::person_id,
            ballot_attendance::household_id,
        ))
        .load(conn)?;
    let by_household = ballot.body() == Body::Households;
    Ok(rows
        .into_iter()
        .map(|(pid, name, hid, number, address)| ElectorRow {
            name,
            household: Some(if number.is_empty() {
                address
            } else {
                format!("{number} {address}")
            }),
            took_part: came
                .iter()
                .any(|(p, h)| *p == pid || (by_household && *h == hid)),
            choice: None,
        })
        .collect())
}

/// Who cast a household's vote, if it was cast.
pub fn household_vote(
    conn: &mut AnyConnection,
    ballot_id: i64,
    household_id: i64,
) -> QueryResult<Option<String>> {
    ballot_voters::table
        .inner_join(users::table)
        .filter(ballot_voters::ballot_id.eq(ballot_id))
        .filter(ballot_voters::voter_key.eq(household_id))
        .select(users::display_name)
        .first(conn)
        .optional()
}

pub fn has_voted(conn: &mut AnyConnection, ballot_id: i64, voter_key: i64) -> QueryResult<bool> {
    let n: i64 = ballot_voters::table
        .filter(ballot_voters::ballot_id.eq(ballot_id))
        .filter(ballot_voters::voter_key.eq(voter_key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One vote to record. `tracker` is set on a secret ballot, where the choice is stored apart
/// from the voter; on a roll-call ballot the choice is stored with the voter, by name.
pub struct NewVote<'a> {
    pub voter_key: i64,
    pub user_id: i64,
    pub household_id: Option<i64>,
    pub choice: i32,
    pub tracker: Option<&'a str>,
    /// On a ballot frozen from the roster, the person voting: their attendance is recorded
    /// in the vote's transaction, under the (ballot, person) key the hall's register shares.
    pub person: Option<i64>,
}

/// Why a vote was not recorded (besides a unique violation: already voted).
#[derive(Debug, PartialEq, Eq)]
pub enum CastRefusal {
    Closed,
}

/// Records a vote. The counter update takes the ballot's row lock, so a vote and the closing
/// of the ballot are ordered: a vote that commits found the ballot open, and none commits
/// after the closing. A second vote by the same voter fails on the unique index; the caller
/// rolls the transaction back and answers "already recorded".
pub fn cast(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    v: &NewVote,
    now: NaiveDateTime,
) -> QueryResult<Result<(), CastRefusal>> {
    let n = diesel::update(
        ballots::table
            .filter(ballots::id.eq(ballot.id))
            .filter(ballots::state.eq(OPEN))
            .filter(ballots::opens_at.le(now))
            .filter(ballots::closes_at.gt(now)),
    )
    .set(ballots::cast_count.eq(ballots::cast_count + 1))
    .execute(conn)?;
    if n == 0 {
        return Ok(Err(CastRefusal::Closed));
    }
    diesel::insert_into(ballot_voters::table)
        .values((
            ballot_voters::ballot_id.eq(ballot.id),
            ballot_voters::voter_key.eq(v.voter_key),
            ballot_voters::user_id.eq(v.user_id),
            ballot_voters::household_id.eq(v.household_id),
            ballot_voters::choice.eq(if v.tracker.is_some() {
                None
            } else {
                Some(v.choice)
            }),
        ))
        .execute(conn)?;
    if let (Some(person), Some(household)) = (v.person, v.household_id) {
        diesel::insert_into(ballot_attendance::table)
            .values((
                ballot_attendance::ballot_id.eq(ballot.id),
                ballot_attendance::person_id.eq(person),
                ballot_attendance::household_id.eq(household),
                ballot_attendance::via.eq(ONLINE),
                ballot_attendance::recorded_by.eq(v.user_id),
                ballot_attendance::recorded_at.eq(now),
            ))
            .execute(conn)?;
    }
    if let Some(tracker) = v.tracker {
        diesel::insert_into(ballot_choices::table)
            .values((
                ballot_choices::ballot_id.eq(ballot.id),
                ballot_choices::tracker.eq(tracker),
                ballot_choices::choice.eq(v.choice),
            ))
            .execute(conn)?;
    }
    Ok(Ok(()))
}

/// The whole board of a secret ballot (or the trackers starting with `prefix`), sorted by
/// tracker.
pub fn board(
    conn: &mut AnyConnection,
    ballot_id: i64,
    prefix: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(String, i32)>> {
    board_page(conn, ballot_id, prefix, None, limit)
}

/// SHA-256 of the board's canonical text: one `tracker,choice` line per ballot, in tracker
/// order. Stored with the decision so anyone can check a downloaded board against it.
pub fn board_digest(board: &[(String, i32)]) -> String {
    let mut h = Sha256::new();
    for (t, c) in board {
        h.update(format!("{t},{c}\n").as_bytes());
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts of the online votes, read in the closing (or confirming) transaction.
pub fn online_counts(conn: &mut AnyConnection, ballot: &Ballot) -> QueryResult<Counts> {
    let voters: Vec<Option<i64>> = ballot_voters::table
        .filter(ballot_voters::ballot_id.eq(ballot.id))
        .select(ballot_voters::household_id)
        .load(conn)?;
    let present = voters.len() as u64;
    let mut hs: Vec<i64> = voters.into_iter().flatten().collect();
    hs.sort_unstable();
    hs.dedup();
    let grouped: Vec<(i32, i64)> = if ballot.secret {
        ballot_choices::table
            .filter(ballot_choices::ballot_id.eq(ballot.id))
            .group_by(ballot_choices::choice)
            .select((ballot_choices::choice, diesel::dsl::count_star()))
            .load(conn)?
    } else {
        ballot_voters::table
            .filter(ballot_voters::ballot_id.eq(ballot.id))
            .filter(ballot_voters::choice.is_not_null())
            .group_by(ballot_voters::choice)
            .select((
                ballot_voters::choice.assume_not_null(),
                diesel::dsl::count_star(),
            ))
            .load(conn)?
    };
    let mut per_option = vec![0u64; ballot.option_count()];
    for (choice, n) in grouped {
        if let Some(slot) = usize::try_from(choice)
            .ok()
            .and_then(|i| per_option.get_mut(i))
        {
            *slot = n as u64;
        }
    }
    let households_present = if ballot.body() == Body::Households {
        present
    } else {
        hs.len() as u64
    };
    Ok(Counts {
        electorate: ballot.electorate as u64,
        households: ballot.households as u64,
        present,
        households_present,
        per_option,
    })
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = decisions)]
pub struct Decision {
    pub id: i64,
    pub community_id: i64,
    pub item_id: i64,
    pub ballot_id: i64,
    pub corrects_id: Option<i64>,
    pub correction_reason: String,
    pub body: String,
    pub mode: String,
    pub secret: bool,
    pub options: String,
    pub rule: String,
    pub electorate: i64,
    pub households: i64,
    pub present: i64,
    pub households_present: i64,
    pub counts: String,
    pub quorum_met: bool,
    pub verdict: String,
    pub leading_option: Option<i32>,
    pub minutes: String,
    pub photo: Option<String>,
    pub board_sha256: String,
    pub recorded_by: Option<i64>,
    pub confirmed_by: Option<i64>,
    pub published_at: NaiveDateTime,
    /// A meeting in the hall and online at once: those signed in at the hall and the hall's
    /// paper count (the online part is the total less these); 0 and '' otherwise.
    pub hall_present: i64,
    pub hall_counts: String,
}

impl Decision {
    /// The stored verdict; `None` only for a value this code never writes.
    pub fn stored_verdict(&self) -> Option<Verdict> {
        Verdict::parse(&self.verdict)
    }

    /// Whether the decision binds: a consultation's (意见征集) never does.
    pub fn is_binding(&self) -> bool {
        Body::parse(&self.body).is_some_and(Body::is_binding)
    }

    /// Whether the decision passed, as stored.
    pub fn passed(&self) -> bool {
        self.stored_verdict() == Some(Verdict::Passed)
    }

    pub fn per_option(&self) -> Vec<u64> {
        parse_counts(&self.counts)
    }

    pub fn counts(&self) -> Counts {
        Counts {
            electorate: self.electorate as u64,
            households: self.households as u64,
            present: self.present as u64,
            households_present: self.households_present as u64,
            per_option: self.per_option(),
        }
    }

    pub fn rule(&self) -> Rule {
        Rule::decode(&self.rule).unwrap_or_else(|_| Rule::preset(self.body()))
    }

    pub fn body(&self) -> Body {
        Body::parse(&self.body).unwrap_or(Body::Residents)
    }

    /// The result recomputed from what the decision stores.
    pub fn outcome(&self) -> Outcome {
        rules::tally(&self.rule(), options_kind(&self.options), &self.counts())
    }
}

pub fn encode_counts(per_option: &[u64]) -> String {
    per_option
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn parse_counts(s: &str) -> Vec<u64> {
    s.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

/// What a decision publishes besides the ballot's own fields.
pub struct Publication<'a> {
    pub counts: &'a Counts,
    pub outcome: &'a Outcome,
    pub minutes: &'a str,
    pub photo: Option<&'a str>,
    pub board_sha256: &'a str,
    pub recorded_by: Option<i64>,
    pub confirmed_by: Option<i64>,
    pub corrects: Option<(i64, &'a str)>,
    /// The hall's part of a meeting held in the hall and online at once.
    pub hall: Option<&'a rules::HallPart>,
}

pub fn publish(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    p: &Publication,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id = diesel::insert_into(decisions::table)
        .values((
            decisions::community_id.eq(ballot.community_id),
            decisions::item_id.eq(ballot.item_id),
            decisions::ballot_id.eq(ballot.id),
            decisions::corrects_id.eq(p.corrects.map(|c| c.0)),
            decisions::correction_reason.eq(p.corrects.map(|c| c.1).unwrap_or("")),
            decisions::body.eq(&ballot.body),
            decisions::mode.eq(&ballot.mode),
            decisions::secret.eq(ballot.secret),
            decisions::options.eq(&ballot.options),
            decisions::rule.eq(&ballot.rule),
            decisions::electorate.eq(p.counts.electorate as i64),
            decisions::households.eq(p.counts.households as i64),
            decisions::present.eq(p.counts.present as i64),
            decisions::households_present.eq(p.counts.households_present as i64),
            decisions::counts.eq(encode_counts(&p.counts.per_option)),
            decisions::quorum_met.eq(p.outcome.quorum_met),
            decisions::verdict.eq(p.outcome.verdict.as_str()),
            decisions::leading_option.eq(p.outcome.leading.map(|i| i as i32)),
            decisions::minutes.eq(p.minutes),
            decisions::photo.eq(p.photo),
            decisions::board_sha256.eq(p.board_sha256),
            decisions::recorded_by.eq(p.recorded_by),
            decisions::confirmed_by.eq(p.confirmed_by),
            decisions::published_at.eq(now),
            decisions::hall_present.eq(p.hall.map_or(0, |h| h.signed_in as i64)),
            decisions::hall_counts.eq(p
                .hall
                .map_or(String::new(), |h| encode_counts(&h.per_option))),
            decisions::record_form.eq(super::record::DECISION_FORM),
        ))
        .returning(decisions::id)
        .get_result(conn)?;
    if !p.board_sha256.is_empty() {
        super::record::publish_board(conn, ballot.community_id, ballot.id, now)?;
    }
    super::record::publish_decision(conn, ballot.community_id, id, now)?;
    Ok(id)
}

/// Marks an open ballot closed; false if it was already closed (someone else got there).
fn mark_closed(conn: &mut AnyConnection, ballot_id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        ballots::table
            .filter(ballots::id.eq(ballot_id))
            .filter(ballots::state.eq(OPEN)),
    )
    .set((ballots::state.eq(CLOSED), ballots::closed_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Closes an online ballot whose time is up and publishes its decision, in the caller's
/// transaction. `None` if it was not due or already closed.
pub fn close_online(
    conn: &mut AnyConnection,
    community_id: i64,
    ballot_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<(Ballot, i64, Outcome)>> {
    let Some(ballot) = find(conn, community_id, ballot_id)? else {
        return Ok(None);
    };
    if !ballot.is_due(now) || !mark_closed(conn, ballot.id, now)? {
        return Ok(None);
    }
    let counts = online_counts(conn, &ballot)?;
    let outcome = rules::tally(&ballot.rule(), ballot.options(), &counts);
    let digest = if ballot.secret {
        board_digest(&board(conn, ballot.id, None, i64::MAX)?)
    } else {
        String::new()
    };
    let id = publish(
        conn,
        &ballot,
        &Publication {
            counts: &counts,
            outcome: &outcome,
            minutes: "",
            photo: None,
            board_sha256: &digest,
            recorded_by: None,
            confirmed_by: None,
            corrects: None,
            hall: None,
        },
        now,
    )?;
    Ok(Some((ballot, id, outcome)))
}

/// Closes a hall ballot when its confirmed result is published.
pub fn close_hall(
    conn: &mut AnyConnection,
    ballot_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    mark_closed(conn, ballot_id, now)
}

pub fn decision(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Decision>> {
    decisions::table
        .filter(decisions::community_id.eq(community_id))
        .filter(decisions::id.eq(id))
        .select(Decision::as_select())
        .first(conn)
        .optional()
}

pub fn decisions_of_ballot(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<Vec<Decision>> {
    decisions::table
        .filter(decisions::ballot_id.eq(ballot_id))
        .order(decisions::id)
        .select(Decision::as_select())
        .load(conn)
}

pub fn decisions_of_item(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<Decision>> {
    decisions::table
        .filter(decisions::item_id.eq(item_id))
        .order(decisions::id)
        .select(Decision::as_select())
        .load(conn)
}

pub fn decisions_of_community(
    conn: &mut AnyConnection,
    community_id: i64,
    limit: i64,
) -> QueryResult<Vec<Decision>> {
    decisions::table
        .filter(decisions::community_id.eq(community_id))
        .order((decisions::published_at.desc(), decisions::id.desc()))
        .limit(limit)
        .select(Decision::as_select())
        .load(conn)
}

// ---- meeting results (four eyes) ----

pub const PENDING: &str = "pending";
pub const CONFIRMED: &str = "confirmed";
pub const REJECTED: &str = "rejected";

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = hall_results)]
pub struct HallResult {
    pub id: i64,
    pub ballot_id: i64,
    pub present: i64,
    pub households_present: i64,
    pub counts: String,
    pub minutes: String,
    pub photo: Option<String>,
    pub state: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub decided_by: Option<i64>,
    pub reason: String,
    pub corrects_id: Option<i64>,
    pub correction_reason: String,
}

pub struct NewHallResult<'a> {
    /// A correction: the decision it corrects and why.
    pub corrects: Option<(i64, &'a str)>,
    pub present: i64,
    pub households_present: i64,
    pub per_option: &'a [u64],
    pub minutes: &'a str,
    pub photo: Option<&'a str>,
}

pub fn record_hall(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &NewHallResult,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(hall_results::table)
        .values((
            hall_results::community_id.eq(ballot.community_id),
            hall_results::ballot_id.eq(ballot.id),
            hall_results::present.eq(r.present),
            hall_results::households_present.eq(r.households_present),
            hall_results::counts.eq(encode_counts(r.per_option)),
            hall_results::minutes.eq(r.minutes),
            hall_results::photo.eq(r.photo),
            hall_results::state.eq(PENDING),
            hall_results::recorded_by.eq(by),
            hall_results::recorded_at.eq(now),
            hall_results::corrects_id.eq(r.corrects.map(|c| c.0)),
            hall_results::correction_reason.eq(r.corrects.map(|c| c.1).unwrap_or("")),
        ))
        .returning(hall_results::id)
        .get_result(conn)
}

pub fn hall_results_of(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<Vec<HallResult>> {
    hall_results::table
        .filter(hall_results::ballot_id.eq(ballot_id))
        .order(hall_results::id)
        .select(HallResult::as_select())
        .load(conn)
}

/// Settles a pending result: confirmed or rejected by `by`. False if it was not pending.
pub fn settle_hall(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    by: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        hall_results::table
            .filter(hall_results::id.eq(id))
            .filter(hall_results::state.eq(PENDING)),
    )
    .set((
        hall_results::state.eq(state),
        hall_results::decided_by.eq(Some(by)),
        hall_results::decided_at.eq(Some(now)),
        hall_results::reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

// ---- countersignatures ----

pub fn countersign(
    conn: &mut AnyConnection,
    decision_id: i64,
    by: i64,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(decision_countersigns::table)
        .values((
            decision_countersigns::decision_id.eq(decision_id),
            decision_countersigns::user_id.eq(by),
            decision_countersigns::note.eq(note),
            decision_countersigns::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn countersigns(
    conn: &mut AnyConnection,
    decision_id: i64,
) -> QueryResult<Vec<(i64, String, String, NaiveDateTime)>> {
    decision_countersigns::table
        .inner_join(users::table)
        .filter(decision_countersigns::decision_id.eq(decision_id))
        .order(decision_countersigns::id)
        .select((
            users::id,
            users::display_name,
            decision_countersigns::note,
            decision_countersigns::created_at,
        ))
        .load(conn)
}

/// One page of the board: trackers after `after` (keyset), optionally starting with
/// `prefix`, in tracker order.
pub fn board_page(
    conn: &mut AnyConnection,
    ballot_id: i64,
    prefix: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(String, i32)>> {
    let mut q = ballot_choices::table
        .filter(ballot_choices::ballot_id.eq(ballot_id))
        .into_boxed();
    if let Some(p) = prefix {
        // The range lets the primary key's index find the prefix whatever the database's
        // collation (PostgreSQL uses an index for LIKE only under the C collation); every
        // tracker is 28 characters of 0-9 and A-Z, so it lies between the two bounds.
        let pad = super::tracker::LEN.saturating_sub(p.len());
        q = q
            .filter(ballot_choices::tracker.ge(format!("{p}{}", "0".repeat(pad))))
            .filter(ballot_choices::tracker.le(format!("{p}{}", "Z".repeat(pad))))
            .filter(ballot_choices::tracker.like(format!("{p}%")));
    }
    if let Some(a) = after {
        q = q.filter(ballot_choices::tracker.gt(a.to_string()));
    }
    q.order(ballot_choices::tracker)
        .limit(limit)
        .select((ballot_choices::tracker, ballot_choices::choice))
        .load(conn)
}

/// How many rows the board has: it must equal the number who took part.
pub fn board_len(conn: &mut AnyConnection, ballot_id: i64) -> QueryResult<i64> {
    ballot_choices::table
        .filter(ballot_choices::ballot_id.eq(ballot_id))
        .count()
        .get_result(conn)
}
