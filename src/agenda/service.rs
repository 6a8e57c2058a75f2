//! What changes an agenda item, in the caller's transaction: its stage (one guarded door,
//! [`advance`], for people and for the events of other features alike), supports, follows,
//! the 四议两公开 steps and the published result, and telling the people concerned.

use chrono::NaiveDateTime;

use super::model::{self, Item, NewItem, NewStep, StageMove};
use super::rules::{self, Facts, MoveError, Mover, Stage, Step, StepError};
use crate::authz::Role;
use crate::communities::model::{self as communities, Community};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// A photo stored with an item: its file name and size.
pub struct StoredPhoto {
    pub name: String,
    pub size: (u32, u32),
}

/// An item as raised: a resident's proposal, or the committee's item put on the agenda.
pub struct Raised {
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub category: String,
    /// The committee puts items on the agenda directly; residents raise proposals.
    pub committee: bool,
    pub major: bool,
    pub photos: Vec<StoredPhoto>,
}

/// Stores a new item with its photos, its support threshold and answer deadline as the
/// community sets them; its author follows it. Returns its id.
pub fn raise(
    conn: &mut AnyConnection,
    c: &Community,
    r: &Raised,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let verified = crate::communities::model::verified_residents(conn, c.id)?;
    let new = NewItem {
        community_id: c.id,
        author_id: r.author_id,
        origin: if r.committee {
            model::ORIGIN_COMMITTEE
        } else {
            model::ORIGIN_PROPOSAL
        },
        title: &r.title,
        body: &r.body,
        category: &r.category,
        stage: if r.committee {
            Stage::Adopted
        } else {
            Stage::Proposed
        },
        major: r.major,
        threshold: rules::support_threshold(verified, c.support_percent, c.support_minimum),
        respond_by: now + chrono::Duration::days(c.response_days),
    };
    let id = model::insert(conn, &new, now)?;
    for p in &r.photos {
        model::add_photo(conn, (c.id, id), r.author_id, &p.name, p.size, now)?;
    }
    Ok(id)
}

/// A move of an item to another stage: by whom, and why.
pub struct Move<'a> {
    /// The item as just read in this transaction; the move starts from its stage.
    pub item: &'a Item,
    pub to: Stage,
    pub mover: Mover,
    /// The person who moved it, for the timeline (and who is not told of their own move);
    /// `None` when the clock did.
    pub by: Option<i64>,
    /// The timeline's note: a person's reason, or an event's reference (`#12`).
    pub note: &'a str,
}

/// Moves an item — the only way any code changes an item's stage. The move is checked
/// against [`rules::check_move`], recorded on the timeline, and the followers are told;
/// `Ok(Err(MoveError::Stale))` when someone else moved the item first (nothing changes).
pub fn advance(
    conn: &mut AnyConnection,
    m: &Move,
    now: NaiveDateTime,
) -> Result<Result<(), MoveError>, AppError> {
    let from = m.item.stage();
    // Only declining asks the roster whether the law obliges a meeting.
    let must_convene = if (from, m.to) == (Stage::Proposed, Stage::Declined) {
        let c = communities::by_id(conn, m.item.community_id)?;
        super::duty::must_convene(conn, &c, m.item, now)?
    } else {
        false
    };
    let facts = Facts {
        supports: m.item.support_count,
        threshold: m.item.threshold,
        has_note: !m.note.is_empty(),
        must_convene,
    };
    if let Err(e) = rules::check_move(from, m.to, m.mover, facts) {
        return Ok(Err(e));
    }
    let stored = StageMove {
        from,
        to: m.to,
        actor: m.by,
        note: m.note,
    };
    if !model::move_stage(conn, m.item, &stored, now)? {
        return Ok(Err(MoveError::Stale));
    }
    let (kind, detail) = rules::notice(m.mover, m.to, m.note);
    let tell = Tell {
        kind: &kind,
        detail,
        except: m.by,
    };
    tell_followers(conn, m.item, &tell, now)?;
    Ok(Ok(()))
}

/// `advance`, making the item a major matter (四议两公开) with the move: only adopting it or
/// opening its deliberation may (`rules::may_become_major`), so the four deliberations all lie
/// ahead of it.
pub fn advance_as_major(
    conn: &mut AnyConnection,
    m: &Move,
    now: NaiveDateTime,
) -> Result<Result<(), MoveError>, AppError> {
    if !rules::may_become_major(m.to) {
        return Ok(Err(MoveError::NotMajorNow));
    }
    let moved = advance(conn, m, now)?;
    if moved.is_ok() {
        model::mark_major(conn, m.item.id)?;
    }
    Ok(moved)
}

/// What an item's followers are told.
pub struct Tell<'a> {
    /// The notice's kind (`notify.KIND` in the locale files).
    pub kind: &'a str,
    pub detail: &'a str,
    /// Who caused it and is not told.
    pub except: Option<i64>,
}

/// Tells an item's followers (but not the one who caused it) what happened.
pub fn tell_followers(
    conn: &mut AnyConnection,
    item: &Item,
    tell: &Tell,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let told: Vec<i64> = model::followers(conn, item.id)?
        .into_iter()
        .filter(|u| Some(*u) != tell.except)
        .collect();
    if told.is_empty() {
        return Ok(());
    }
    let c = communities::by_id(conn, item.community_id)?;
    let link = format!("/c/{}/items/{}", c.slug, item.id);
    for user in told {
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(c.id),
                kind: tell.kind,
                subject: &item.title,
                detail: tell.detail,
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
}

/// Tells the committee a proposal has reached its support threshold.
fn tell_committee(
    conn: &mut AnyConnection,
    item: &Item,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let c = communities::by_id(conn, item.community_id)?;
    let link = format!("/c/{}/items/{}", c.slug, item.id);
    for m in communities::members(conn, c.id)?
        .iter()
        .filter(|m| m.role == Role::Committee.as_str())
    {
        notify(
            conn,
            &Notice {
                user_id: m.user_id,
                community_id: Some(c.id),
                kind: "item_threshold",
                subject: &item.title,
                detail: "",
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
}

/// Gives (`give`) or withdraws `user`'s support for an open proposal; reaching the
/// threshold tells the committee, once. `Ok(Err(key))` names why not.
pub fn change_support(
    conn: &mut AnyConnection,
    item: &Item,
    user: i64,
    give: bool,
    now: NaiveDateTime,
) -> Result<Result<(), &'static str>, AppError> {
    if !rules::accepts_support(item.stage()) {
        return Ok(Err("agenda.err_support_closed"));
    }
    if !give {
        if !model::unsupport(conn, item, user)? {
            return Ok(Err("agenda.err_not_supported"));
        }
        return Ok(Ok(()));
    }
    if item.author_id == user {
        return Ok(Err("agenda.err_own_support"));
    }
    if !model::support(conn, item, user, now)? {
        return Ok(Err("agenda.err_supported_twice"));
    }
    if item.support_count + 1 == item.threshold {
        tell_committee(conn, item, now)?;
    }
    Ok(Ok(()))
}

/// Starts (`on`) or stops `user` following the item `id` of community `cid`.
pub fn set_follow(
    conn: &mut AnyConnection,
    (cid, id): (i64, i64),
    user: i64,
    on: bool,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
    if on {
        model::follow(conn, cid, id, user, now)?;
    } else {
        model::unfollow(conn, id, user)?;
    }
    Ok(())
}

/// Follows an item (a commenter does, to hear what becomes of it).
pub fn follow(
    conn: &mut AnyConnection,
    item: &Item,
    user: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    model::follow(conn, item.community_id, item.id, user, now)?;
    Ok(())
}

/// Records the next of the four deliberations of a major item, if the rule allows it; a
/// review carries its votes (for, against). A review that does not agree is recorded too,
/// and sends the item back to 商议 (the next round).
pub fn record_step(
    conn: &mut AnyConnection,
    item: &Item,
    new: &NewStep,
    votes: Option<(i64, i64)>,
    by: i64,
    now: NaiveDateTime,
) -> Result<Result<(), StepError>, AppError> {
    let history = step_history(conn, item.id)?;
    if let Err(e) = rules::check_step(
        item.major,
        item.stage(),
        &rules::standing_steps(&history),
        new.step,
        new.expected,
        new.present,
    ) {
        return Ok(Err(e));
    }
    if new.step == Step::Review && votes.is_none() {
        return Ok(Err(StepError::BadAttendance));
    }
    let round = rules::current_round(&history);
    model::record_deliberation(conn, item, new, votes, round, by, now)?;
    Ok(Ok(()))
}

/// Every deliberation recorded for an item, in order, with whether it agreed.
fn step_history(conn: &mut AnyConnection, item_id: i64) -> Result<Vec<(Step, bool)>, AppError> {
    Ok(model::steps(conn, item_id)?
        .iter()
        .filter_map(|r| r.kind().map(|k| (k, r.agreed())))
        .collect())
}

/// The deliberations that stand for an item: a review that did not agree undoes the
/// consultation and itself.
pub fn recorded_steps(conn: &mut AnyConnection, item_id: i64) -> Result<Vec<Step>, AppError> {
    Ok(rules::standing_steps(&step_history(conn, item_id)?))
}

/// Publishes the implementation result once every work order is confirmed, and completes
/// the item; `false` (nothing stored) if it is not ready or someone moved it first.
pub fn publish_result(
    conn: &mut AnyConnection,
    item: &Item,
    text: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let orders = crate::work_orders::model::of_item(conn, item.id)?;
    let states: Vec<&str> = orders.iter().map(|o| o.2.as_str()).collect();
    if !rules::implementation_done(&states) {
        return Ok(false);
    }
    let m = Move {
        item,
        to: Stage::Completed,
        mover: Mover::ResultPublished,
        by: Some(by),
        note: "",
    };
    if advance(conn, &m, now)?.is_err() {
        return Ok(false);
    }
    model::record_result(conn, item, text, by, now)?;
    Ok(true)
}
