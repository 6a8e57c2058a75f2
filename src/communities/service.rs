//! Who holds which office, changed in one place: appointing someone to a role and taking it
//! back (the platform admin's page and the committee's residents page both come here), and
//! deciding a join request. Each runs in the caller's transaction, with its entry in the
//! action log and the notice to the person concerned.

use chrono::NaiveDateTime;

use super::model::{self, Community};
use super::rules;
use crate::accounts::model as accounts;
use crate::accounts::rules::Contact;
use crate::audit::{self, Entry};
use crate::authz::Role;
use crate::ballots::citable::NotCitable;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// What a refused change says: the locale key of the message shown on the form.
pub type Refused = &'static str;

/// A refused appointment: the locale key of the message, and the names it quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl From<&'static str> for Refusal {
    fn from(key: &'static str) -> Refusal {
        Refusal { key, args: vec![] }
    }
}

impl Refusal {
    /// The arguments as the translator takes them.
    pub fn args(&self) -> Vec<(&str, &str)> {
        self.args.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// Art. 32's refusal of a supervisor and a committee member in one household, naming both
/// (their persons, as found among `holders` or `extra`).
pub fn household_refusal(
    holders: &[(rules::OfficeHolder, String)],
    (supervisor, committee): (i64, i64),
    extra: Option<(i64, &str)>,
) -> Refusal {
    let name = |p: i64| -> String {
        holders
            .iter()
            .find(|h| h.0.person == p)
            .map(|h| h.1.clone())
            .or_else(|| extra.filter(|e| e.0 == p).map(|e| e.1.to_string()))
            .unwrap_or_default()
    };
    Refusal {
        key: "residents.err_household_conflict",
        args: vec![
            ("supervisor", name(supervisor)),
            ("committee", name(committee)),
        ],
    }
}

/// One appointment: `by` gives the person with `contact` the `role` in `community` (a grid
/// worker with their `grid`).
pub struct Appointment<'a> {
    pub community: &'a Community,
    pub by: i64,
    pub contact: &'a Contact,
    pub role: Role,
    pub grid: Option<i64>,
    /// The decision of the villagers' (representatives') meeting that elected a supervisor
    /// (art. 32); other roles cite none.
    pub decision: Option<i64>,
}

/// Appoints someone to a role: they must have an account, may hold it alongside their other
/// roles, and do not hold it already; a grid worker's grid must be one of the community's.
pub fn appoint(
    conn: &mut AnyConnection,
    a: &Appointment,
    now: NaiveDateTime,
) -> Result<Result<(), Refusal>, AppError> {
    let c = a.community;
    let Some(user) = accounts::find_by_contact(conn, a.contact)? else {
        return Ok(Err("residents.err_no_user".into()));
    };
    let held = model::roles_of(conn, c.id, user.id)?;
    let cited = match a.role {
        Role::Supervisor => {
            let candidate = supervisor_candidate(conn, c.id, user.id, &held, a.decision)?;
            match candidate {
                Ok(reason) => Some(reason),
                Err(key) => return Ok(Err(key.into())),
            }
        }
        _ => None,
    };
    let grid = match (a.role, a.grid) {
        (Role::GridWorker, Some(g)) if model::grid_in(conn, c.id, g)? => Some(g),
        (Role::GridWorker, _) => return Ok(Err("residents.err_grid".into())),
        _ => None,
    };
    if let Err(key) = rules::may_hold(a.role, &held) {
        return Ok(Err(key.into()));
    }
    let person = crate::ballots::model::person_of(conn, c.id, user.id)?;
    if let Err(key) = rules::on_roster_for(a.role, person.is_some()) {
        return Ok(Err(key.into()));
    }
    if let (Role::Committee, Some((p, household))) = (a.role, person) {
        let holders = model::office_holders(conn, c.id)?;
        if let Some(pair) = rules::conflict_if_committee(
            &holders.iter().map(|h| h.0).collect::<Vec<_>>(),
            p,
            household,
        ) {
            let name = crate::roster::model::person(conn, c.id, p)?.map(|q| q.name);
            let extra = name.as_deref().map(|n| (p, n));
            return Ok(Err(household_refusal(&holders, pair, extra)));
        }
    }
    if !model::grant(conn, c.id, user.id, a.role, None, grid, now)? {
        return Ok(Err("residents.err_held".into()));
    }
    audit::record(
        conn,
        &Entry {
            community_id: Some(c.id),
            actor_id: a.by,
            action: audit::Action::Appoint,
            target_user_id: Some(user.id),
            detail: a.role.as_str(),
            reason: cited.as_deref().unwrap_or(""),
        },
        now,
    )?;
    if cited.is_some() {
        let (kind, by) = (model::SUPERVISOR_APPOINTED, a.by);
        model::record_supervisor_change(conn, c.id, user.id, kind, a.decision, "", by, now)?;
    }
    notify(
        conn,
        &Notice {
            user_id: user.id,
            community_id: Some(c.id),
            kind: &format!("role_granted_{}", a.role.as_str()),
            subject: &c.name,
            detail: "",
            link: &format!("/c/{}", c.slug),
        },
        now,
    )?;
    Ok(Ok(()))
}

/// The decision `id` as art. 32's rule sees it: its body if it may be cited, or why not;
/// and, when it may, how the action log names it ("#id title").
fn cited_decision(
    conn: &mut AnyConnection,
    community_id: i64,
    id: Option<i64>,
) -> Result<(Option<Result<String, NotCitable>>, String), AppError> {
    let Some(id) = id else {
        return Ok((None, String::new()));
    };
    Ok(
        match crate::ballots::citable::citable(conn, community_id, id)? {
            Ok(d) => {
                let titles = crate::agenda::model::titles(conn, &[d.item_id])?;
                let title = titles.into_iter().next().map(|t| t.1).unwrap_or_default();
                (Some(Ok(d.body)), format!("#{} {}", d.id, title))
            }
            Err(n) => (Some(Err(n)), String::new()),
        },
    )
}

/// Whether `user` may join the supervision committee on `decision` (art. 32), and if so the
/// action log's name for the decision.
fn supervisor_candidate(
    conn: &mut AnyConnection,
    community_id: i64,
    user: i64,
    held: &[Role],
    decision: Option<i64>,
) -> Result<Result<String, Refused>, AppError> {
    let (found, named) = cited_decision(conn, community_id, decision)?;
    let household = crate::ballots::model::person_of(conn, community_id, user)?.map(|p| p.1);
    let committee_households = model::committee_households(conn, community_id)?;
    let candidate = rules::SupervisorCandidate {
        decision: found.as_ref().map(|r| r.as_deref().map_err(|n| *n)),
        household,
        committee: held.contains(&Role::Committee),
        committee_households: &committee_households,
    };
    Ok(rules::may_appoint_supervisor(&candidate)
        .map(|()| named)
        .map_err(|r| r.key()))
}

/// One revocation: `by` takes `role` in the community back from `user_id`. A supervisor's
/// removal cites a `decision` (罢免) or is a resignation with its `reason` (art. 32).
pub struct Revocation {
    pub community_id: i64,
    pub by: i64,
    pub user_id: i64,
    pub role: Role,
    pub decision: Option<i64>,
    pub reason: String,
}

/// Takes a role back; refused if the user does not hold it here, or a supervisor's removal
/// has neither a decision that may be cited nor a resignation's reason.
pub fn revoke(
    conn: &mut AnyConnection,
    r: &Revocation,
    now: NaiveDateTime,
) -> Result<Result<(), Refused>, AppError> {
    let mut reason = String::new();
    if r.role == Role::Supervisor {
        let (found, named) = cited_decision(conn, r.community_id, r.decision)?;
        let found = found.as_ref().map(|f| f.as_deref().map_err(|n| *n));
        if let Err(refusal) = rules::may_remove_supervisor(found, &r.reason) {
            return Ok(Err(refusal.key()));
        }
        reason = if r.decision.is_some() {
            named
        } else {
            r.reason.trim().to_string()
        };
    }
    if !model::revoke(conn, r.community_id, r.user_id, r.role)? {
        return Ok(Err("residents.err_revoke"));
    }
    if r.role == Role::Supervisor {
        let action = match r.decision {
            Some(_) => model::SUPERVISOR_REMOVED,
            None => model::SUPERVISOR_RESIGNED,
        };
        let why = if r.decision.is_some() { "" } else { &reason };
        let (cid, user, by) = (r.community_id, r.user_id, r.by);
        model::record_supervisor_change(conn, cid, user, action, r.decision, why, by, now)?;
    }
    audit::record(
        conn,
        &Entry {
            community_id: Some(r.community_id),
            actor_id: r.by,
            action: audit::Action::Revoke,
            target_user_id: Some(r.user_id),
            detail: r.role.as_str(),
            reason: &reason,
        },
        now,
    )?;
    Ok(Ok(()))
}

/// The committee's answer to a join request: `by` approves it (into a new household, or an
/// existing one by its id, as typed) or declines it with a reason.
pub enum Answer<'a> {
    Approve { household: &'a str },
    Decline { reason: &'a str },
}

/// Decides a pending join request of the community. An approval makes the person a resident
/// of their household; either way they are told. Refused if the request was decided already
/// or the household is not one of the community's. Returns the household of an approval.
pub fn answer_request(
    conn: &mut AnyConnection,
    c: &Community,
    request_id: i64,
    by: i64,
    answer: Answer,
    now: NaiveDateTime,
) -> Result<Result<Option<i64>, Refused>, AppError> {
    let Some(req) = model::request(conn, c.id, request_id)? else {
        return Err(AppError::NotFound);
    };
    let (household_id, status, reason) = match answer {
        Answer::Approve { household } => {
            let id = match rules::household_choice(household) {
                rules::HouseholdChoice::New => {
                    model::insert_household(conn, c.id, req.grid_id, &req.address, now)?
                }
                rules::HouseholdChoice::Existing(id)
                    if model::households_of(conn, c.id)?.iter().any(|h| h.id == id) =>
                {
                    id
                }
                _ => return Ok(Err("residents.err_household")),
            };
            (Some(id), model::APPROVED, "")
        }
        Answer::Decline { reason } => (None, model::DECLINED, reason),
    };
    if !model::decide_request(conn, req.id, status, reason, household_id, by, now)? {
        return Ok(Err("residents.err_decided"));
    }
    if let Some(household_id) = household_id {
        model::grant(
            conn,
            c.id,
            req.user_id,
            Role::Resident,
            Some(household_id),
            None,
            now,
        )?;
    }
    let (action, kind, link) = match household_id {
        Some(_) => (
            audit::Action::VerifyResident,
            "join_approved",
            format!("/c/{}", c.slug),
        ),
        None => (
            audit::Action::DeclineJoin,
            "join_declined",
            format!("/c/{}/join", c.slug),
        ),
    };
    audit::record(
        conn,
        &Entry {
            community_id: Some(c.id),
            actor_id: by,
            action,
            target_user_id: Some(req.user_id),
            detail: &req.address,
            reason,
        },
        now,
    )?;
    notify(
        conn,
        &Notice {
            user_id: req.user_id,
            community_id: Some(c.id),
            kind,
            subject: &c.name,
            detail: reason,
            link: &link,
        },
        now,
    )?;
    Ok(Ok(household_id))
}

/// A community's own rules for proposals, as `by` sets them: the support threshold (a share of
/// the residents, at least a number of them) and the days within which a proposal is answered.
pub struct ProposalRules {
    pub community_id: i64,
    pub by: i64,
    pub support_percent: i64,
    pub support_minimum: i64,
    pub response_days: i64,
}

/// Sets the community's rules for proposals raised from now on.
pub fn set_proposal_rules(
    conn: &mut AnyConnection,
    r: &ProposalRules,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let (percent, minimum, days) = (r.support_percent, r.support_minimum, r.response_days);
    model::set_proposal_rules(conn, r.community_id, percent, minimum, days)?;
    audit::setting_changed(
        conn,
        r.community_id,
        r.by,
        &format!("{percent}% ≥ {minimum}, {days}d"),
        now,
    )?;
    Ok(())
}

/// Adds a grid to the community; `false` if it has one of that name already.
pub fn add_grid(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    name: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    if model::grids_of(conn, community_id)?
        .iter()
        .any(|g| g.name == name)
    {
        return Ok(false);
    }
    model::insert_grid(conn, community_id, name, now)?;
    audit::record(
        conn,
        &Entry {
            community_id: Some(community_id),
            actor_id: by,
            action: audit::Action::AddGrid,
            target_user_id: None,
            detail: name,
            reason: "",
        },
        now,
    )?;
    Ok(true)
}
