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

/// An applicant for verification, as the suggestions read them.
pub struct Applicant<'a> {
    /// The join request's id, which the suggestions are keyed by.
    pub request: i64,
    pub contact: &'a str,
    pub name: &'a str,
}

/// The persons offered for each applicant: those with the applicant's phone first, then
/// those whose name contains `find` (the applicant's name unless the committee searched),
/// only listed persons not yet linked, at most 20 each. Two queries for all applicants.
pub fn suggestions(
    conn: &mut AnyConnection,
    community_id: i64,
    applicants: &[Applicant],
    find: &str,
) -> Result<Vec<(i64, Vec<Suggestion>)>, AppError> {
    let find = find.trim();
    let phone_of = |a: &Applicant| super::rules::normalize_phone(a.contact).unwrap_or_default();
    let name_of = |a: &Applicant| {
        if find.is_empty() {
            a.name.trim().to_string()
        } else {
            find.to_string()
        }
    };
    let mut phones: Vec<String> = applicants.iter().map(phone_of).collect();
    phones.retain(|p| !p.is_empty());
    phones.sort();
    phones.dedup();
    let mut names: Vec<String> = applicants.iter().map(name_of).collect();
    names.retain(|n| !n.is_empty());
    names.sort();
    names.dedup();
    let with_phone = model::with_phones(conn, community_id, &phones)?;
    let named = model::search_any(conn, community_id, &names, 20 * names.len() as i64)?;
    Ok(applicants
        .iter()
        .map(|a| {
            let (phone, name) = (phone_of(a), name_of(a));
            let mut out: Vec<Suggestion> = with_phone
                .iter()
                .filter(|p| !phone.is_empty() && p.phone == phone)
                .map(|p| Suggestion {
                    person: p.clone(),
                    phone_matches: true,
                })
                .collect();
            if !name.is_empty() {
                for p in named.iter().filter(|p| p.name.contains(name.as_str())) {
                    if !out.iter().any(|s| s.person.id == p.id) {
                        out.push(Suggestion {
                            person: p.clone(),
                            phone_matches: false,
                        });
                    }
                }
            }
            out.retain(|s| s.person.user_id.is_none() && s.person.status == "listed");
            out.truncate(20);
            (a.request, out)
        })
        .collect())
}

/// Checks a choice before the verification writes anything: the person is the community's,
/// listed, and linked to no other account; the account to no other person; and no
/// committee member's or supervisor's account is linked into the household of the other
/// office (art. 32) — a new person's household is `household`, when it is one on the roster.
pub fn check(
    conn: &mut AnyConnection,
    k: &Keeper,
    user_id: i64,
    choice: &Choice,
    household: Option<i64>,
) -> Result<Result<(), Refused>, AppError> {
    let pid = match (choice, household) {
        (Choice::Person(pid), _) => pid,
        (Choice::New { name, .. }, Some(h)) => {
            let conflict = service::link_conflict(conn, k, user_id, (0, h), name)?;
            return Ok(conflict.map_or(Ok(()), Err));
        }
        (Choice::New { .. }, None) => return Ok(Ok(())),
    };
    let Some(p) = model::person(conn, k.community_id, *pid)? else {
        return Ok(Err(("person_id", "roster.err.person").into()));
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
