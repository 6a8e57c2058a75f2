//! Closing ballots and what follows a decision: the item's stage (through the agenda's one
//! door, which tells the followers) and the 决议 step of a major item — one transaction
//! each, whether the clock closes the ballot (the periodic job, or the first request after
//! its closing time) or a second committee member confirms a meeting result.

use chrono::NaiveDateTime;

use super::model::{self, Ballot};
use super::rules::{self, Body, Counts, Outcome, Rule, Verdict};
use crate::agenda::model as agenda;
use crate::agenda::rules::{may_open_ballot, Mover, Stage, Step};
use crate::agenda::service::{self as agenda_service, Move};
use crate::communities::model::Community;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;

/// A ballot as the committee sets it up.
pub struct Opening {
    pub body: Body,
    /// `model::ONLINE`, `model::HALL` or `model::MIXED`.
    pub mode: &'static str,
    /// The named options, one a line; empty for for / against / abstain.
    pub options: String,
    pub rule: Rule,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    /// The group of a group meeting.
    pub grid_id: Option<i64>,
}

/// Why a ballot was not opened: a message key, or the representatives' meeting's members
/// whose account is linked to no roster person (their names, for the message).
#[derive(Debug)]
pub enum Refusal {
    Key(&'static str),
    Unlinked(String),
}

impl Refusal {
    /// The message in the user's language.
    pub fn message(&self, ctx: &crate::web::ctx::Ctx) -> String {
        match self {
            Refusal::Key(key) => ctx.t(key).to_string(),
            Refusal::Unlinked(names) => {
                ctx.f("ballots.err_representatives_unlinked", &[("names", names)])
            }
        }
    }
}

/// Opens a ballot on item `item_id` of the community, by `me`: the electorate is frozen
/// as of now and the item goes to the vote (its followers are told). `Ok(Err(key))` if the
/// item is not ready or nobody would vote.
pub fn open_ballot(
    conn: &mut AnyConnection,
    c: &Community,
    (item_id, me): (i64, i64),
    o: &Opening,
    now: NaiveDateTime,
) -> Result<Result<i64, Refusal>, AppError> {
    let item = agenda::find(conn, c.id, item_id)?.ok_or(AppError::NotFound)?;
    let recorded = agenda_service::recorded_steps(conn, item_id)?;
    if !may_open_ballot(item.major, item.stage(), &recorded) {
        return Ok(Err(Refusal::Key("ballots.err_not_ready")));
    }
    if let Some(g) = o.grid_id {
        if !crate::communities::model::grid_in(conn, c.id, g)? {
            return Ok(Err(Refusal::Key("ballots.err_grid")));
        }
    }
    // Checked again in the transaction: the setting may have changed since the form was read.
    if !crate::communities::representatives::standing(conn, c)?.offers(o.body) {
        return Ok(Err(Refusal::Key("ballots.err_no_urban_reps")));
    }
    let body = o.body.as_str();
    if item.major && !crate::agenda::rules::may_resolve_major(body) {
        return Ok(Err(Refusal::Key("ballots.err_major_body")));
    }
    if let Err(key) = crate::agenda::notices::check_opening(conn, c.id, item_id, body, o.opens_at)?
    {
        return Ok(Err(Refusal::Key(key)));
    }
    let day = crate::clock::local_day(o.opens_at);
    if o.body == Body::Representatives {
        if let Err(names) = model::representatives_roll(conn, c.id, day)? {
            return Ok(Err(Refusal::Unlinked(names.join("、"))));
        }
    }
    if model::would_vote(conn, c.id, o.body, day, o.grid_id)?.0 == 0 {
        return Ok(Err(Refusal::Key("ballots.err_no_electors")));
    }
    let ballot_id = model::open(
        conn,
        &model::NewBallot {
            community_id: c.id,
            item_id,
            body: o.body,
            mode: o.mode,
            options: &o.options,
            rule: &o.rule,
            opens_at: o.opens_at,
            closes_at: o.closes_at,
            created_by: me,
            grid_id: o.grid_id,
            from_roster: true,
        },
        now,
    )?;
    let note = format!("#{ballot_id}");
    let m = Move {
        item: &item,
        to: Stage::Voting,
        mover: Mover::BallotOpened,
        by: Some(me),
        note: &note,
    };
    if agenda_service::advance(conn, &m, now)?.is_err() {
        // Someone moved the item meanwhile: nothing is kept; try again.
        return Err(AppError::Busy("the item moved meanwhile".into()));
    }
    crate::audit::record(
        conn,
        &crate::audit::Entry {
            community_id: Some(c.id),
            actor_id: me,
            action: crate::audit::Action::OpenBallot,
            target_user_id: None,
            detail: &format!("{} · {}", item.title, o.body.as_str()),
            reason: "",
        },
        now,
    )?;
    Ok(Ok(ballot_id))
}

/// Closes one ballot if its time is up, in one transaction: no vote commits after it.
/// Returns the published decision's id, or `None` if it was not due or someone else closed
/// it first.
pub fn close_one(
    conn: &mut AnyConnection,
    community_id: i64,
    ballot_id: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    write_tx(conn, |conn| {
        let Some((ballot, decision_id, outcome)) =
            model::close_online(conn, community_id, ballot_id, now)?
        else {
            return Ok(None);
        };
        after_decision(conn, &ballot, decision_id, &outcome, ballot.created_by, now)?;
        Ok(Some(decision_id))
    })
}

/// Closes the ballot first if its time is up, so the first request after the closing time
/// sees the decision; returns the ballot as it now stands and its latest decision's id.
pub fn load_closing_if_due(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(Ballot, Option<i64>), AppError> {
    let ballot = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
    if ballot.is_due(now) {
        close_one(conn, community_id, id, now)?;
    }
    let ballot = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
    let latest = model::decisions_of_ballot(conn, id)?.last().map(|d| d.id);
    Ok((ballot, latest))
}

/// Signs person `person` in at the hall of ballot `b`, by `me`, in the caller's
/// transaction. `Ok(Err(key))` says why not: the register is closed (the ballot closed, or
/// a result awaits confirmation), the person is not on the roll, or they already took part
/// — online or in the hall. Two sign-ins racing an online vote: the unique (ballot, person)
/// key lets one in, and the transaction of the loser runs again and answers here.
pub fn sign_in(
    conn: &mut AnyConnection,
    b: &Ballot,
    person: i64,
    me: i64,
    now: NaiveDateTime,
) -> Result<Result<(), &'static str>, AppError> {
    let b = model::find(conn, b.community_id, b.id)?.ok_or(AppError::NotFound)?;
    let waiting = model::hall_results_of(conn, b.id)?
        .iter()
        .any(|r| r.state != model::REJECTED);
    if !b.is_open() || !b.has_hall() || !b.roll || waiting {
        return Ok(Err("ballots.err_register_closed"));
    }
    let Some(household) = model::roll_household(conn, b.id, person)? else {
        return Ok(Err("ballots.err_not_on_register"));
    };
    match super::attendance::via(conn, b.id, person)?.as_deref() {
        Some(model::ONLINE) => return Ok(Err("ballots.err_voted_online")),
        Some(_) => return Ok(Err("ballots.err_signed_in_hall")),
        None => {}
    }
    super::attendance::sign_in(conn, b.id, (person, household), me, now)?;
    Ok(Ok(()))
}

/// Stores what the hall counted (or a correction) as pending, for a second committee
/// member to confirm; `false` if one is pending already (one at a time per ballot).
pub fn record_hall(
    conn: &mut AnyConnection,
    b: &Ballot,
    typed: &model::NewHallResult,
    me: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    if model::hall_results_of(conn, b.id)?
        .iter()
        .any(|r| r.state == model::PENDING)
    {
        return Ok(false);
    }
    model::record_hall(conn, b, typed, me, now)?;
    crate::audit::record(
        conn,
        &crate::audit::Entry {
            community_id: Some(b.community_id),
            actor_id: me,
            action: crate::audit::Action::RecordResult,
            target_user_id: None,
            detail: &format!("#{}", b.id),
            reason: typed.corrects.map(|c| c.1).unwrap_or(""),
        },
        now,
    )?;
    Ok(true)
}

/// Confirms a pending meeting result and publishes its decision, in the caller's
/// transaction: closes the ballot, applies the rule, moves the item. `None` if the result
/// was no longer pending or the ballot no longer open.
pub fn publish_hall(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    if !model::settle_hall(conn, r.id, model::CONFIRMED, confirmer, "", now)?
        || !model::close_hall(conn, ballot.id, now)?
    {
        return Ok(None);
    }
    let (decision_id, outcome) = publish_result(conn, ballot, r, confirmer, None, now)?;
    after_decision(conn, ballot, decision_id, &outcome, confirmer, now)?;
    Ok(Some(decision_id))
}

/// Confirms a pending correction of a published meeting result: a new decision naming the
/// one it corrects, with the reason. If the verdict changes, the item follows (when it is
/// still where the old verdict put it).
pub fn publish_correction(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    let Some(old_id) = r.corrects_id else {
        return Ok(None);
    };
    let Some(old) = model::decision(conn, ballot.community_id, old_id)? else {
        return Ok(None);
    };
    if !model::settle_hall(conn, r.id, model::CONFIRMED, confirmer, "", now)? {
        return Ok(None);
    }
    let corrects = Some((old.id, r.correction_reason.as_str(), old.photo.as_deref()));
    let (decision_id, outcome) = publish_result(conn, ballot, r, confirmer, corrects, now)?;
    let (from, to) = (stage_for(old.outcome().verdict), stage_for(outcome.verdict));
    let item = agenda::find(conn, ballot.community_id, ballot.item_id)?;
    // Where the old verdict put it, or further on (implementing a passed decision).
    let moved_on = |i: &agenda::Item| from == Stage::Passed && i.stage() == Stage::Implementing;
    if let Some(item) = item.filter(|i| from != to && (i.stage() == from || moved_on(i))) {
        let note = format!("#{decision_id} {}", r.correction_reason);
        let m = Move {
            item: &item,
            to,
            mover: Mover::Correction,
            by: Some(confirmer),
            note: &note,
        };
        // An item someone moved meanwhile stays where it is; the decision stands.
        let _ = agenda_service::advance(conn, &m, now)?;
    }
    // A correction that makes a failed meeting pass gives the item its 决议.
    if let Some(item) = agenda::find(conn, ballot.community_id, ballot.item_id)? {
        record_resolution(conn, &item, ballot, decision_id, confirmer, now)?;
    }
    Ok(Some(decision_id))
}

/// Tallies a confirmed meeting result and stores its decision; a correction names the
/// decision it corrects, why, and keeps its photo unless a new one was given.
fn publish_result(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    corrects: Option<(i64, &str, Option<&str>)>,
    now: NaiveDateTime,
) -> Result<(i64, Outcome), AppError> {
    let (counts, hall, digest) = if ballot.is_mixed() {
        // Both paths together, read in this transaction: the register is closed while a
        // result waits, and confirming closes the online voting (the ballot's row).
        let online = model::online_counts(conn, ballot)?;
        let part = rules::HallPart {
            signed_in: super::attendance::signed_in(conn, ballot.id)?,
            per_option: model::parse_counts(&r.counts),
        };
        let households = super::attendance::households_present(conn, ballot.id)?;
        let digest = if ballot.secret {
            model::board_digest(&model::board(conn, ballot.id, None, i64::MAX)?)
        } else {
            String::new()
        };
        (
            rules::combine(&online, &part, households),
            Some(part),
            digest,
        )
    } else {
        let counts = Counts {
            electorate: ballot.electorate as u64,
            households: ballot.households as u64,
            present: r.present as u64,
            households_present: r.households_present as u64,
            per_option: model::parse_counts(&r.counts),
        };
        (counts, None, String::new())
    };
    let outcome = rules::tally(&ballot.rule(), ballot.options(), &counts);
    let photo = r.photo.as_deref().or(corrects.and_then(|c| c.2));
    let decision_id = model::publish(
        conn,
        ballot,
        &model::Publication {
            counts: &counts,
            outcome: &outcome,
            minutes: &r.minutes,
            photo,
            board_sha256: &digest,
            recorded_by: Some(r.recorded_by),
            confirmed_by: Some(confirmer),
            corrects: corrects.map(|c| (c.0, c.1)),
            hall: hall.as_ref(),
        },
        now,
    )?;
    Ok((decision_id, outcome))
}

pub fn stage_for(verdict: Verdict) -> Stage {
    match verdict {
        Verdict::Passed => Stage::Passed,
        Verdict::Rejected => Stage::Rejected,
        Verdict::NoQuorum => Stage::NoQuorum,
    }
}

/// The body's name on the 四议两公开 registration form, which is kept in Chinese.
fn body_name(body: Body) -> &'static str {
    match body {
        Body::Residents => "村民会议",
        Body::Households => "村民会议（户代表）",
        Body::Representatives => "村民代表会议",
        Body::Committee => "村两委会",
        Body::Group => "村民小组会议",
        Body::Consultation => "意见征集",
    }
}

/// Moves the item to its result (which tells the item's followers) and records the 决议
/// step of a major item — in the caller's transaction.
pub fn after_decision(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    decision_id: i64,
    outcome: &Outcome,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(item) = agenda::find(conn, ballot.community_id, ballot.item_id)? else {
        return Ok(());
    };
    let note = format!("#{decision_id}");
    let m = Move {
        item: &item,
        to: stage_for(outcome.verdict),
        mover: Mover::Decision,
        by: None,
        note: &note,
    };
    // An item someone moved meanwhile stays where it is; the decision stands.
    let _ = agenda_service::advance(conn, &m, now)?;
    record_resolution(conn, &item, ballot, decision_id, by, now)
}

/// Records the 决议 step of a major item from decision `decision_id`, in the caller's
/// transaction — only when the decision may be cited (passed, binding, not corrected) and
/// its body may resolve a major matter, and no 决议 is recorded yet. A failed quorum thus
/// leaves the item open to a reconvened meeting whose decision becomes its 决议.
fn record_resolution(
    conn: &mut AnyConnection,
    item: &agenda::Item,
    ballot: &Ballot,
    decision_id: i64,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if !item.major {
        return Ok(());
    }
    let cited = super::citable::citable(conn, ballot.community_id, decision_id)?;
    let Ok(d) = cited else {
        return Ok(());
    };
    if !crate::agenda::rules::may_be_resolution(Ok(()), &d.body) {
        return Ok(());
    }
    let recorded = agenda_service::recorded_steps(conn, item.id)?;
    if recorded.contains(&Step::Resolution) {
        return Ok(());
    }
    agenda::record_step(
        conn,
        item,
        &agenda::NewStep {
            step: Step::Resolution,
            held_on: now,
            body: body_name(ballot.body()),
            expected: d.electorate,
            present: d.present,
            outcome: d.verdict.as_str(),
            minutes: "",
            photo: None,
        },
        by,
        now,
    )?;
    Ok(())
}

/// A work order as typed on a decision's page, kept when the form is refused.
#[derive(Default, Clone)]
pub struct OrderDraft {
    pub title: String,
    pub description: String,
    pub budget: String,
    pub due: String,
    pub override_reason: String,
}

/// A form on a decision's page that was refused: its message, and what was typed (422).
/// The work-order form posts to the work orders, which answer with the decision's page.
#[derive(Default)]
pub struct Refused {
    /// A message about the form as a whole, shown in the box at the top of the page.
    pub message: String,
    /// The messages about the form's fields, each shown beside its field.
    pub errors: crate::web::forms::FieldErrors,
    pub order: OrderDraft,
    pub note: String,
}
