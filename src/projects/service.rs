//! Spending and the project register as state changes: the one spending gate of the power
//! list (小微权力清单) that payments, project contracts and work-order budgets all pass, and
//! the transactions that register a project, record a payment and change the list.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{self, NewDisbursement, NewProject, NewRefusal, PowerRow};
use super::rules::{
    self, Adopting, AdoptionProblem, Body, CitedDecision, Permit, Power, Refusal, SpendKind,
};
use crate::authz::Role;
use crate::ballots::model::Decision;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// The powers in force as rules (rows that no longer read are skipped).
pub fn rules_of(rows: &[PowerRow]) -> Vec<Power> {
    rows.iter().filter_map(PowerRow::rule).collect()
}

/// A loaded decision as the power list sees it.
/// A loaded decision as the power list sees it, cited for what it was taken about (a work
/// order made from it); whether a later decision corrects it the gate asks itself.
pub fn cited_of(d: &Decision) -> CitedDecision {
    CitedDecision {
        id: d.id,
        body: Body::parse(&d.body).unwrap_or(Body::Committee),
        passed: d.passed(),
        void: d.body == crate::ballots::citable::CONSULTATION,
        about: true,
    }
}

/// A decision cited for a payment of `project`, if it is this community's: it is about the
/// project when linked to it, or when its item names the project's code.
pub fn cited_for_project(
    conn: &mut AnyConnection,
    community_id: i64,
    project: (i64, &str),
    id: i64,
) -> Result<Option<CitedDecision>, AppError> {
    let Some(d) = crate::ballots::model::decision(conn, community_id, id)? else {
        return Ok(None);
    };
    let linked = model::project_decisions(conn, project.0)?
        .iter()
        .any(|x| x.id == id);
    let names = crate::agenda::model::find(conn, community_id, d.item_id)?
        .is_some_and(|i| i.title.contains(project.1) || i.body.contains(project.1));
    Ok(Some(CitedDecision {
        about: linked || names,
        ..cited_of(&d)
    }))
}

/// A decision cited to change the power list, as the adoption rule sees it; `None` when it
/// is not a decision of this community.
pub fn adopting(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> Result<Option<Adopting>, AppError> {
    let Some(d) = crate::ballots::model::decision(conn, community_id, id)? else {
        return Ok(None);
    };
    // Whether a later decision corrects it: the one rule of `ballots::citable`.
    let corrected = crate::ballots::citable::is_corrected(conn, d.id)?;
    Ok(Some(Adopting {
        body: Body::parse(&d.body).unwrap_or(Body::Committee),
        passed: d.passed(),
        corrected,
    }))
}

// ---- the spending gate ----

/// A spend put to the power list.
pub struct Spend<'a> {
    pub community_id: i64,
    /// The project paid from, kept with a refusal.
    pub project_id: Option<i64>,
    pub kind: SpendKind,
    pub amount_fen: i64,
    /// Who is paid, or what the spend is for, kept with a refusal.
    pub payee: &'a str,
    /// Answer to the list in force on this day; `None`: the list in force now.
    pub powers_on: Option<NaiveDate>,
    pub cited: Option<CitedDecision>,
    /// An emergency declared with this written reason ("" when none).
    pub emergency: &'a str,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// What the list let through, for the spender to record.
pub struct Let {
    /// The power that asked for a decision or was overridden, if any.
    pub power_code: Option<String>,
    /// The emergency reason, kept only when the list refused and the emergency overrode it.
    pub emergency: Option<String>,
}

/// What every supervisor is told of a spend made in an emergency.
pub struct Alert {
    pub kind: &'static str,
    pub subject: String,
    pub detail: String,
    pub link: String,
}

/// What became of a spend.
pub enum Spent<T> {
    /// Recorded by the spender.
    Done(T),
    /// Refused by the list and stored for the supervisors (the refusal's id).
    Refused { id: i64, refusal: Refusal },
    /// An emergency was declared with a reason too short or too long.
    BadReason,
}

/// The one spending gate: checks `s` against the power list in force, stores a refusal for
/// the supervisors, or lets the spend through (`record` stores it) — also when the list
/// refuses but an emergency is declared, which every supervisor is told of.
pub fn spend<T>(
    conn: &mut AnyConnection,
    s: &Spend,
    record: impl FnOnce(&mut AnyConnection, &Let) -> Result<(T, Alert), AppError>,
) -> Result<Spent<T>, AppError> {
    spend_adding_up(conn, s, &[], record)
}

/// [`spend`], the amount added to `earlier` spends of the same project that no decision
/// covers ((id, fen), oldest first): the running total answers to the list.
pub fn spend_adding_up<T>(
    conn: &mut AnyConnection,
    s: &Spend,
    earlier: &[(i64, i64)],
    record: impl FnOnce(&mut AnyConnection, &Let) -> Result<(T, Alert), AppError>,
) -> Result<Spent<T>, AppError> {
    let rows = match s.powers_on {
        Some(day) => model::powers_on(conn, s.community_id, day)?,
        None => model::current_powers(conn, s.community_id)?,
    };
    // A decision corrected by a later one no longer counts for anything.
    let cited = match s.cited {
        Some(c) => Some(CitedDecision {
            void: c.void || crate::ballots::citable::is_corrected(conn, c.id)?,
            ..c
        }),
        None => None,
    };
    let powers = rules_of(&rows);
    let permit = rules::check_payment(s.amount_fen, earlier, s.kind, &powers, cited.as_ref());
    let allowed = match permit {
        Ok(Permit::Free) => Let {
            power_code: None,
            emergency: None,
        },
        Ok(Permit::Decision { power_code, .. }) => Let {
            power_code: Some(power_code),
            emergency: None,
        },
        Err(refusal) if s.emergency.trim().is_empty() => {
            let id = model::insert_refusal(
                conn,
                &NewRefusal {
                    community_id: s.community_id,
                    project_id: s.project_id,
                    kind: s.kind,
                    amount_fen: s.amount_fen,
                    payee: s.payee,
                    refusal: &refusal,
                },
                s.actor,
                s.now,
            )?;
            return Ok(Spent::Refused { id, refusal });
        }
        Err(refusal) => match rules::check_override(s.emergency) {
            Ok(reason) => Let {
                power_code: Some(refusal.power_code().to_string()),
                emergency: Some(reason),
            },
            Err(_) => return Ok(Spent::BadReason),
        },
    };
    let (value, alert) = record(conn, &allowed)?;
    if allowed.emergency.is_some() {
        tell_supervisors(conn, s.community_id, &alert, s.now)?;
    }
    Ok(Spent::Done(value))
}

/// Every supervisor of the community hears of `alert`.
pub fn tell_supervisors(
    conn: &mut AnyConnection,
    community_id: i64,
    alert: &Alert,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for user in crate::communities::model::holders(conn, community_id, Role::Supervisor)? {
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(community_id),
                kind: alert.kind,
                subject: &alert.subject,
                detail: &alert.detail,
                link: &alert.link,
            },
            now,
        )?;
    }
    Ok(())
}

// ---- payments ----

/// A payment the committee records, its fields read.
pub struct Payment {
    pub community_id: i64,
    pub slug: String,
    pub project_id: i64,
    pub project_code: String,
    pub project_title: String,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub payee: String,
    pub voucher: String,
    pub decision: Option<i64>,
    /// A checked emergency reason, if one was written.
    pub emergency: Option<String>,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// What became of a payment.
pub enum Paid {
    Paid,
    Refused(Refusal),
    BadDecision,
}

/// Records a payment through the spending gate. A payment answers to the list in force on
/// the day it was paid.
pub fn pay(conn: &mut AnyConnection, p: &Payment) -> Result<Paid, AppError> {
    let project = (p.project_id, p.project_code.as_str());
    let cited = match p.decision {
        Some(d) => match cited_for_project(conn, p.community_id, project, d)? {
            Some(c) => Some(c),
            None => return Ok(Paid::BadDecision),
        },
        None => None,
    };
    let earlier = model::undecided_payments(conn, p.project_id)?;
    let spend = Spend {
        community_id: p.community_id,
        project_id: Some(p.project_id),
        kind: SpendKind::Disbursement,
        amount_fen: p.amount_fen,
        payee: &p.payee,
        powers_on: Some(p.paid_on),
        cited,
        emergency: p.emergency.as_deref().unwrap_or_default(),
        actor: p.actor,
        now: p.now,
    };
    let spent = self::spend_adding_up(conn, &spend, &earlier, |conn, allowed| {
        let reason = allowed.emergency.as_deref();
        let id = model::insert_disbursement(
            conn,
            &NewDisbursement {
                community_id: p.community_id,
                project_id: p.project_id,
                amount_fen: p.amount_fen,
                paid_on: p.paid_on,
                payee: &p.payee,
                voucher: &p.voucher,
                decision_id: p.decision,
                power_code: allowed.power_code.as_deref(),
                override_reason: reason,
            },
            p.actor,
            p.now,
        )?;
        let alert = Alert {
            kind: "spend_override",
            subject: p.project_title.clone(),
            detail: reason.unwrap_or_default().to_string(),
            link: format!("/c/{}/disbursements/{id}", p.slug),
        };
        Ok(((), alert))
    })?;
    Ok(match spent {
        Spent::Done(()) => Paid::Paid,
        Spent::Refused { refusal, .. } => Paid::Refused(refusal),
        // The reason was checked on the form.
        Spent::BadReason => Paid::BadDecision,
    })
}

// ---- registering a project ----

/// A project the committee registers, its fields read.
pub struct Registration {
    pub community_id: i64,
    /// A typed code, or `None` for the next one of `prefix` this year.
    pub typed: Option<String>,
    pub prefix: String,
    pub year: i32,
    pub title: String,
    pub announcement: String,
    pub budget_fen: i64,
    pub contractor: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub decisions: Vec<i64>,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// Why a project was not registered.
pub enum NotRegistered {
    Key(&'static str),
    Rule(Refusal),
}

/// Registers a project, its code typed or the next one. Registering a project is its
/// contract (立项和承包): above the list's threshold one of its decisions must be of the
/// required body.
pub fn register(
    conn: &mut AnyConnection,
    r: &Registration,
) -> Result<Result<String, NotRegistered>, AppError> {
    let passed = model::passed_decisions(conn, r.community_id)?;
    for d in &r.decisions {
        if crate::ballots::citable::citable(conn, r.community_id, *d)?.is_err() {
            return Ok(Err(NotRegistered::Key("projects.err_decision")));
        }
    }
    let cited = passed
        .iter()
        .filter(|p| r.decisions.contains(&p.id))
        .filter_map(|p| {
            Body::parse(&p.body).map(|body| CitedDecision {
                id: p.id,
                body,
                passed: true,
                void: false,
                about: true,
            })
        })
        .max_by_key(|c| c.body.rank());
    let spend = Spend {
        community_id: r.community_id,
        project_id: None,
        kind: SpendKind::Contract,
        amount_fen: r.budget_fen,
        payee: &r.title,
        powers_on: None,
        cited,
        emergency: "",
        actor: r.actor,
        now: r.now,
    };
    let spent = self::spend(conn, &spend, |conn, _| {
        let code = match &r.typed {
            Some(c) => c.clone(),
            None => {
                crate::db::take_turn(conn, crate::db::turns::PROJECT_CODE, r.year.into())?;
                model::next_code(conn, &r.prefix, r.year)?
            }
        };
        if model::by_code(conn, &code)?.is_some() {
            return Ok((
                Err(NotRegistered::Key("projects.err_code_taken")),
                no_alert(),
            ));
        }
        model::insert_project(
            conn,
            &NewProject {
                community_id: r.community_id,
                code: &code,
                title: &r.title,
                announcement: &r.announcement,
                budget_fen: r.budget_fen,
                contractor: &r.contractor,
                planned_start: r.planned_start,
                planned_end: r.planned_end,
                actual_start: r.actual_start,
                actual_end: r.actual_end,
                decisions: &r.decisions,
            },
            Some(r.actor),
            r.now,
        )?;
        Ok((Ok(code), no_alert()))
    })?;
    Ok(match spent {
        Spent::Done(done) => done,
        Spent::Refused { refusal, .. } => Err(NotRegistered::Rule(refusal)),
        Spent::BadReason => Err(NotRegistered::Key("projects.err_decision")),
    })
}

/// A spend that declares no emergency tells nobody.
fn no_alert() -> Alert {
    Alert {
        kind: "",
        subject: String::new(),
        detail: String::new(),
        link: String::new(),
    }
}

/// Records when work really started and ended, and links a further passed decision; false
/// if the decision is not one of the community's passed ones.
pub fn update(
    conn: &mut AnyConnection,
    community_id: i64,
    project_id: i64,
    decision: Option<i64>,
    actual: (Option<NaiveDate>, Option<NaiveDate>),
) -> Result<bool, AppError> {
    if let Some(d) = decision {
        if crate::ballots::citable::citable(conn, community_id, d)?.is_err() {
            return Ok(false);
        }
        model::link_decision(conn, project_id, d)?;
    }
    model::set_actual(conn, project_id, actual.0, actual.1)?;
    Ok(true)
}

// ---- the power list ----

/// A power added or changed by the committee, adopted by a decision.
pub struct PowerChange {
    pub community_id: i64,
    pub slug: String,
    pub power: Power,
    pub decision: Option<i64>,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// Adds a power (or changes one by adding a row with its code) if the cited decision may
/// adopt it; the change is logged, published and told to every supervisor.
pub fn change_power(
    conn: &mut AnyConnection,
    c: &PowerChange,
) -> Result<Result<(), AdoptionProblem>, AppError> {
    let cid = c.community_id;
    let adopting = match c.decision {
        Some(id) => Some(adopting(conn, cid, id)?),
        None => None,
    };
    if let Err(p) = rules::check_adoption(adopting.as_ref().map(Option::as_ref)) {
        return Ok(Err(p));
    }
    let power = &c.power;
    let id = model::insert_power(conn, cid, power, c.decision, Some(c.actor), c.now)?;
    let detail = format!("{} {}", power.code, power.name);
    let reason = format!("#{}", c.decision.unwrap_or_default());
    crate::audit::record(
        conn,
        &crate::audit::Entry {
            community_id: Some(cid),
            actor_id: c.actor,
            action: crate::audit::Action::PowerChange,
            target_user_id: None,
            detail: &detail,
            reason: &reason,
        },
        c.now,
    )?;
    super::record::publish_power(conn, cid, id, c.now)?;
    let alert = Alert {
        kind: "power_changed",
        subject: detail,
        detail: String::new(),
        link: format!("/c/{}/powers#change-{id}", c.slug),
    };
    tell_supervisors(conn, cid, &alert, c.now)?;
    Ok(Ok(()))
}
