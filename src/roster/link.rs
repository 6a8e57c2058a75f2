//! Linking an account to a roster person when the committee verifies a resident: the
//! committee picks the person (those whose phone on the roster is the applicant's first) or
//! puts them on the roster there and then. Only a linked account votes in a ballot whose
//! electorate is the roster.

use chrono::NaiveDate;

use super::model::{self, Person, PersonFields};
use super::service::{self, Keeper, Refused};
use crate::db::AnyConnection;
use crate::error::AppError;

/// Whom the verified account is linked to.
#[derive(Clone, Debug)]
pub enum Choice {
    /// Nobody yet (the account cannot vote in a statutory ballot until it is linked).
    Nobody,
    /// A person on the roster.
    Person(i64),
    /// A person put on the roster now, in the household the verification chose.
    New {
        name: String,
        sex: &'static str,
        birth: (NaiveDate, bool),
    },
}

/// A person the committee may link, and whether their phone on the roster is the
/// applicant's.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub person: Person,
    pub phone_matches: bool,
}

/// The persons offered for an applicant: those with the applicant's phone first, then those
/// whose name contains `find` (the applicant's name unless the committee searched), only
/// listed persons not yet linked, at most 20.
pub fn suggestions(
    conn: &mut AnyConnection,
    community_id: i64,
    phone: &str,
    find: &str,
) -> Result<Vec<Suggestion>, AppError> {
    let phone = super::rules::normalize_phone(phone).unwrap_or_default();
    let mut out: Vec<Suggestion> = model::with_phone(conn, community_id, &phone)?
        .into_iter()
        .map(|person| Suggestion {
            person,
            phone_matches: true,
        })
        .collect();
    let find = find.trim();
    if !find.is_empty() {
        for person in model::search(conn, community_id, find, 20)? {
            if !out.iter().any(|s| s.person.id == person.id) {
                out.push(Suggestion {
                    person,
                    phone_matches: false,
                });
            }
        }
    }
    out.retain(|s| s.person.user_id.is_none() && s.person.status == "listed");
    out.truncate(20);
    Ok(out)
}

/// Checks a choice before the verification writes anything: the person is the community's,
/// listed, and linked to no other account; the account to no other person.
pub fn check(
    conn: &mut AnyConnection,
    k: &Keeper,
    user_id: i64,
    choice: &Choice,
) -> Result<Result<(), Refused>, AppError> {
    let Choice::Person(pid) = choice else {
        return Ok(Ok(()));
    };
    let Some(p) = model::person(conn, k.community_id, *pid)? else {
        return Ok(Err(("person_id", "roster.err.person")));
    };
    Ok(service::may_link(conn, k, &p, user_id)?.map(|_| ()))
}

/// Links the verified account as chosen, in the verification's transaction.
pub fn link_verified(
    conn: &mut AnyConnection,
    k: &Keeper,
    user_id: i64,
    household_id: i64,
    choice: &Choice,
) -> Result<Result<(), Refused>, AppError> {
    let pid = match choice {
        Choice::Nobody => return Ok(Ok(())),
        Choice::Person(pid) => *pid,
        Choice::New { name, sex, birth } => {
            let f = PersonFields {
                household_id,
                name: name.clone(),
                sex: sex.to_string(),
                birth_date: birth.0,
                birth_month_only: birth.1,
                relation: String::new(),
                grid_id: None,
                phone: String::new(),
            };
            match service::add_person(conn, k, f)? {
                Ok(id) => id,
                Err(r) => return Ok(Err(r)),
            }
        }
    };
    service::link(conn, k, pid, Some(user_id))
}
