//! Sending an order up to the township by hand (逐级上报): the committee sends an order its
//! community cannot handle, with a reason; township staff take it (it is then due on the
//! township's clock) or send it back with instructions. Each step is a line of the order's
//! timeline, a leaf of the transparency log, and a notice to the reporter, in the step's own
//! transaction. The state of the work itself stays where it is: sending up is not a state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Order;
use crate::authz::Role;
use crate::communities::model as communities;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{order_escalations, work_order_events};
use crate::township::rules::{self, Upward};
use crate::transparency::log::Kind;

/// One sending up of an order, as stored.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = order_escalations)]
pub struct Escalation {
    pub id: i64,
    pub community_id: i64,
    pub order_id: i64,
    pub township_id: i64,
    pub state: String,
    pub reason: String,
    pub sent_by: i64,
    pub sent_at: NaiveDateTime,
    pub handled_by: Option<i64>,
    pub handled_at: Option<NaiveDateTime>,
    /// When the township must be done, once it took the order.
    pub due_at: Option<NaiveDateTime>,
    pub instructions: String,
}

impl Escalation {
    pub fn state(&self) -> Option<Upward> {
        Upward::parse(&self.state)
    }

    pub fn state_key(&self) -> String {
        format!("upward.state_{}", self.state)
    }
}

/// The open states as stored, for queries.
fn open_names() -> [&'static str; 2] {
    [Upward::Sent.as_str(), Upward::Taken.as_str()]
}

/// The order's sending up that is still with the township, if any.
pub fn open_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Option<Escalation>> {
    order_escalations::table
        .filter(order_escalations::order_id.eq(order_id))
        .filter(order_escalations::state.eq_any(open_names()))
        .select(Escalation::as_select())
        .first(conn)
        .optional()
}

/// Does the township hold the order (taken, not sent back): its staff then do the work.
pub fn held(conn: &mut AnyConnection, order_id: i64) -> QueryResult<bool> {
    Ok(open_of(conn, order_id)?.is_some_and(|e| e.state() == Some(Upward::Taken)))
}

/// A community's orders its township holds, each with the township's due time: (order, due).
pub fn taken_dues(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    order_escalations::table
        .filter(order_escalations::community_id.eq(community_id))
        .filter(order_escalations::state.eq(Upward::Taken.as_str()))
        .select((order_escalations::order_id, order_escalations::due_at))
        .load(conn)
}

/// Each order with the due time in force (the township's once it took the order), and
/// whether that is the township's.
pub fn with_dues(
    orders: Vec<Order>,
    taken: &[(i64, Option<NaiveDateTime>)],
) -> Vec<(Order, NaiveDateTime, bool)> {
    orders
        .into_iter()
        .map(|o| {
            let due = taken
                .iter()
                .find(|(id, _)| *id == o.id)
                .map(|(_, d)| (Upward::Taken, *d));
            let due = rules::due_in_force(o.due_at, due);
            let township = due != o.due_at;
            (o, due, township)
        })
        .collect()
}

/// The orders still with a township (sent or taken), oldest first.
pub fn open_with(conn: &mut AnyConnection, township_id: i64) -> QueryResult<Vec<Escalation>> {
    order_escalations::table
        .filter(order_escalations::township_id.eq(township_id))
        .filter(order_escalations::state.eq_any(open_names()))
        .order(order_escalations::sent_at)
        .select(Escalation::as_select())
        .load(conn)
}

/// A step of sending up: who, on which order, with what text.
pub struct Up<'a> {
    pub order: &'a Order,
    /// The community's slug, for the links in notices.
    pub slug: &'a str,
    pub actor: i64,
    /// The reason (sending up) or the instructions (sending back).
    pub text: &'a str,
    pub now: NaiveDateTime,
}

/// Why a step did not happen: a message key for the page.
pub type Refused = &'static str;

/// The committee sends the order up to its township, in the caller's transaction.
pub fn send_up(conn: &mut AnyConnection, u: &Up) -> Result<Result<(), Refused>, AppError> {
    let o = u.order;
    // Two members of the committee sending the same order up take turns on PostgreSQL; the
    // unique index on open escalations holds the line on either backend.
    crate::db::take_turn(conn, crate::db::turns::ORDER_ESCALATION, o.id)?;
    let township = communities::by_id(conn, o.community_id)?.parent_id;
    let now_with = open_of(conn, o.id)?.and_then(|e| e.state());
    let checked = rules::check_send_up(
        o.state().is_open(),
        township.is_some(),
        now_with,
        !u.text.is_empty(),
    );
    let (Ok(()), Some(township)) = (checked, township) else {
        return Ok(Err(checked
            .err()
            .unwrap_or(rules::UpError::NoTownship)
            .message_key()));
    };
    diesel::insert_into(order_escalations::table)
        .values((
            order_escalations::community_id.eq(o.community_id),
            order_escalations::order_id.eq(o.id),
            order_escalations::township_id.eq(township),
            order_escalations::state.eq(Upward::Sent.as_str()),
            order_escalations::reason.eq(u.text),
            order_escalations::sent_by.eq(u.actor),
            order_escalations::sent_at.eq(u.now),
        ))
        .execute(conn)?;
    step(conn, u, "sent_up")?;
    let mut told = communities::holders(conn, township, Role::Township)?;
    told.extend(o.reporter_id);
    tell(conn, u, &told, "order_sent_up")?;
    Ok(Ok(()))
}

/// Township staff take the order (`instructions`: `None`) or send it back with
/// instructions, in the caller's transaction; of two staff answering at once, one is
/// recorded and the other refused.
pub fn answer(
    conn: &mut AnyConnection,
    u: &Up,
    send_back: bool,
) -> Result<Result<(), Refused>, AppError> {
    let o = u.order;
    // Two staff taking an order the clock escalated (no row yet) take turns on PostgreSQL.
    crate::db::take_turn(conn, crate::db::turns::ORDER_ESCALATION, o.id)?;
    let open = open_of(conn, o.id)?;
    let given = send_back.then_some(!u.text.is_empty());
    let facts = (by_clock(o), o.state().is_open());
    if let Err(e) = rules::check_answer(open.as_ref().and_then(|e| e.state()), facts, given) {
        return Ok(Err(e.message_key()));
    }
    let Some(open) = open else {
        return take_escalated(conn, u);
    };
    let (to, due, step_name, kind) = if send_back {
        (Upward::Returned, None, "sent_back", "order_sent_back")
    } else {
        let days = crate::township::model::limit_days(conn, open.township_id)?;
        let calendar = crate::township::calendar::calendar(conn)?;
        (
            Upward::Taken,
            Some(rules::due_in(u.now, days, &calendar)),
            "taken",
            "order_taken",
        )
    };
    // Only while it still waits: a concurrent answer that came first leaves nothing to update.
    let n = diesel::update(
        order_escalations::table
            .filter(order_escalations::id.eq(open.id))
            .filter(order_escalations::state.eq(Upward::Sent.as_str())),
    )
    .set((
        order_escalations::state.eq(to.as_str()),
        order_escalations::handled_by.eq(Some(u.actor)),
        order_escalations::handled_at.eq(Some(u.now)),
        order_escalations::due_at.eq(due),
        order_escalations::instructions.eq(if send_back { u.text } else { "" }),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(Err(rules::UpError::AlreadyTaken.message_key()));
    }
    step(conn, u, step_name)?;
    let mut told = communities::holders(conn, o.community_id, Role::Committee)?;
    told.extend(o.reporter_id);
    tell(conn, u, &told, kind)?;
    Ok(Ok(()))
}

/// The order was confirmed (by its reporter, by the committee for a decision's work, or by
/// the clock), in the caller's transaction: its open sending up closes
/// (`township::rules::closed_on_confirmation`). What the township took is done (办结); what
/// it never took is withdrawn (撤回上报) — a line on the timeline and a leaf in the log, by
/// whoever confirmed, and the township's staff are told it no longer waits for them.
/// Nothing if nothing is open.
pub fn close_on_confirmation(
    conn: &mut AnyConnection,
    (order, slug): (&Order, &str),
    actor: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    // Staff taking the order at the moment it is confirmed take turns with the confirmation
    // on PostgreSQL: whichever comes second sees what the first left.
    crate::db::take_turn(conn, crate::db::turns::ORDER_ESCALATION, order.id)?;
    let Some(open) = open_of(conn, order.id)? else {
        return Ok(());
    };
    let Some(now_state) = open.state() else {
        return Ok(());
    };
    let Some(to) = rules::closed_on_confirmation(now_state) else {
        return Ok(());
    };
    let n = diesel::update(
        order_escalations::table
            .filter(order_escalations::id.eq(open.id))
            .filter(order_escalations::state.eq(now_state.as_str())),
    )
    .set(order_escalations::state.eq(to.as_str()))
    .execute(conn)?;
    if n != 1 || to != Upward::Withdrawn {
        return Ok(());
    }
    let line = StepLine {
        actor,
        state: super::rules::State::Confirmed,
        text: "",
        now,
    };
    step_line(conn, order, &line, "withdrawn")?;
    let staff = communities::holders(conn, open.township_id, Role::Township)?;
    let staff: Vec<i64> = staff.into_iter().filter(|p| Some(*p) != actor).collect();
    super::service::tell_of(conn, (order, slug), &staff, "order_withdrawn", now)
}

/// The reporter reopened an order the township holds: it is due again on the township's
/// clock, counted from the reopening with the township's limit and calendar of today.
pub fn due_again(
    conn: &mut AnyConnection,
    order_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let Some(open) = open_of(conn, order_id)? else {
        return Ok(None);
    };
    if open.state() != Some(Upward::Taken) {
        return Ok(None);
    }
    let days = crate::township::model::limit_days(conn, open.township_id)?;
    let calendar = crate::township::calendar::calendar(conn)?;
    let due = rules::due_in(now, days, &calendar);
    diesel::update(order_escalations::table.filter(order_escalations::id.eq(open.id)))
        .set(order_escalations::due_at.eq(Some(due)))
        .execute(conn)?;
    Ok(Some(due))
}

/// The order's sending up the township finished (办结), if any.
pub fn done_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Option<Escalation>> {
    order_escalations::table
        .filter(order_escalations::order_id.eq(order_id))
        .filter(order_escalations::state.eq(Upward::Done.as_str()))
        .order(order_escalations::id.desc())
        .select(Escalation::as_select())
        .first(conn)
        .optional()
}

/// Is the order open and escalated by the clock past due?
fn by_clock(o: &Order) -> bool {
    o.escalated_at.is_some() && o.state().is_open()
}

/// Township staff take an order the clock escalated, which nobody sent up: it is with the
/// township from now, on its clock, as if sent up and taken at once.
fn take_escalated(conn: &mut AnyConnection, u: &Up) -> Result<Result<(), Refused>, AppError> {
    let o = u.order;
    let Some(township) = communities::by_id(conn, o.community_id)?.parent_id else {
        return Ok(Err(rules::UpError::NoTownship.message_key()));
    };
    let days = crate::township::model::limit_days(conn, township)?;
    let calendar = crate::township::calendar::calendar(conn)?;
    diesel::insert_into(order_escalations::table)
        .values((
            order_escalations::community_id.eq(o.community_id),
            order_escalations::order_id.eq(o.id),
            order_escalations::township_id.eq(township),
            order_escalations::state.eq(Upward::Taken.as_str()),
            order_escalations::reason.eq(""),
            order_escalations::sent_by.eq(u.actor),
            order_escalations::sent_at.eq(u.now),
            order_escalations::handled_by.eq(Some(u.actor)),
            order_escalations::handled_at.eq(Some(u.now)),
            order_escalations::due_at.eq(Some(rules::due_in(u.now, days, &calendar))),
        ))
        .execute(conn)?;
    step(conn, u, "taken")?;
    let mut told = communities::holders(conn, o.community_id, Role::Committee)?;
    told.extend(o.reporter_id);
    tell(conn, u, &told, "order_taken")?;
    Ok(Ok(()))
}

/// The step's line on the timeline (the state unchanged) and its leaf in the log.
fn step(conn: &mut AnyConnection, u: &Up, name: &str) -> Result<(), AppError> {
    let line = StepLine {
        actor: Some(u.actor),
        state: u.order.state(),
        text: u.text,
        now: u.now,
    };
    step_line(conn, u.order, &line, name)
}

/// A line of sending up on the timeline: by whom (`None`: the clock), in which state of
/// the order (left as it is), with what text, when.
struct StepLine<'a> {
    actor: Option<i64>,
    state: super::rules::State,
    text: &'a str,
    now: NaiveDateTime,
}

/// Writes the line `name` on the order's timeline and its leaf in the log.
fn step_line(
    conn: &mut AnyConnection,
    o: &Order,
    l: &StepLine,
    name: &str,
) -> Result<(), AppError> {
    let state = l.state.as_str();
    let id: i64 = diesel::insert_into(work_order_events::table)
        .values((
            work_order_events::community_id.eq(o.community_id),
            work_order_events::order_id.eq(o.id),
            work_order_events::actor_id.eq(l.actor),
            work_order_events::from_state.eq(Some(state)),
            work_order_events::to_state.eq(state),
            work_order_events::note.eq(l.text),
            work_order_events::created_at.eq(l.now),
            work_order_events::step.eq(name),
        ))
        .returning(work_order_events::id)
        .get_result(conn)?;
    let content = crate::transparency::log::the_one(super::record::order_events(conn, &[id])?)?;
    crate::transparency::log::publish(
        conn,
        Kind::OrderEscalation,
        Some(o.community_id),
        id,
        &content,
        l.now,
    )?;
    Ok(())
}

/// Tells each of `people` but the actor of the step.
fn tell(conn: &mut AnyConnection, u: &Up, people: &[i64], kind: &str) -> Result<(), AppError> {
    let mut people: Vec<i64> = people.iter().copied().filter(|p| *p != u.actor).collect();
    people.sort_unstable();
    people.dedup();
    super::service::tell_of(conn, (u.order, u.slug), &people, kind, u.now)
}

/// What the order page shows of sending up, and the forms the viewer may use.
#[derive(Default)]
pub struct View {
    /// The sending up still with the township.
    pub open: Option<Escalation>,
    /// The sending up the township finished (办结), once the order is confirmed.
    pub done: Option<Escalation>,
    /// The township above the community (its name), if any.
    pub township: String,
    pub can_send_up: bool,
    /// Township staff may take it (sent up, or escalated by the clock)…
    pub can_take: bool,
    /// …and send back what was sent up.
    pub can_send_back: bool,
    /// The township's time limit in working days.
    pub working_days: u32,
    /// The township's staff, whose lines on the timeline name the township.
    pub staff: Vec<i64>,
}

impl View {
    /// Does the township hold the order (taken)?
    pub fn held(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|e| e.state() == Some(Upward::Taken))
    }

    /// The due time in force: the township's once it took the order.
    pub fn due(&self, order: &Order) -> NaiveDateTime {
        rules::due_in_force(
            order.due_at,
            self.open
                .as_ref()
                .and_then(|e| Some((e.state()?, e.due_at))),
        )
    }
}

/// The order page's view of sending up: five queries.
pub fn view(
    conn: &mut AnyConnection,
    order: &Order,
    parent: Option<i64>,
    (committee, township_staff): (bool, bool),
) -> QueryResult<View> {
    let Some(parent) = parent else {
        return Ok(View::default());
    };
    let open = open_of(conn, order.id)?;
    let done = if open.is_none() {
        done_of(conn, order.id)?
    } else {
        None
    };
    let township = communities::by_id(conn, parent)?.name;
    let working_days = crate::township::model::limit_days(conn, parent)?;
    let staff = communities::holders(conn, parent, Role::Township)?;
    let state = open.as_ref().and_then(|e| e.state());
    Ok(View {
        can_send_up: committee
            && rules::check_send_up(order.state().is_open(), true, state, true).is_ok(),
        can_take: township_staff
            && rules::check_answer(state, (by_clock(order), order.state().is_open()), None).is_ok(),
        can_send_back: township_staff && state == Some(Upward::Sent) && order.state().is_open(),
        open,
        done,
        township,
        working_days,
        staff,
    })
}

// ---- the demo ----

/// The demo's story 16: a cracked culvert under the county road in 柳塘村 (`village`), more
/// than the village can mend, sent up to 东溪镇 by its committee and taken by the township's
/// staff, each step on the timeline and in the log. `residents` are the village's.
pub fn seed_demo(
    conn: &mut AnyConnection,
    (village, residents): (i64, &[i64]),
    now: NaiveDateTime,
) -> Result<(), AppError> {
    use super::model::{self, Line};
    use super::rules::State;
    use chrono::Duration;
    let c = communities::by_id(conn, village)?;
    let Some(township) = c.parent_id else {
        return Ok(());
    };
    let (Some(reporter), Some(chair), Some(staff)) = (
        residents.get(11).or(residents.first()).copied(),
        communities::holders(conn, village, Role::Committee)?
            .first()
            .copied(),
        communities::holders(conn, township, Role::Township)?
            .first()
            .copied(),
    ) else {
        return Ok(());
    };
    let grid = model::default_grid(conn, village)?;
    let at = now - Duration::hours(36);
    let report = DemoReport {
        title: "县道涵洞开裂渗水",
        description: "县道穿村那段路下面的涵洞裂了一道缝，下雨后往外渗水，大车开过去有响动。",
        category: "road",
        place: "县道穿村段涵洞",
    };
    let id = report.insert(conn, (village, grid, reporter), at)?;
    let find = |conn: &mut AnyConnection| model::find(conn, village, id)?.ok_or(AppError::NotFound);
    let worker = match grid {
        Some(g) => communities::grid_worker(conn, village, g)?,
        None => None,
    };
    if let Some(worker) = worker {
        let line = |to, note| Line {
            actor: None,
            from: None,
            to,
            note,
        };
        let o = find(conn)?;
        model::assign(conn, &o, worker, &line(State::Assigned, "routed"), at)?;
        let started = Line {
            actor: Some(worker),
            ..line(
                State::InProgress,
                "到现场看了，裂缝在路基下面，村里修不了。",
            )
        };
        let o = find(conn)?;
        model::move_to(conn, &o, &started, at + Duration::hours(3))?;
    }
    let order = find(conn)?;
    let up = |actor, text, hours| Up {
        order: &order,
        slug: &c.slug,
        actor,
        text,
        now: at + Duration::hours(hours),
    };
    let reason = "涵洞在县道路基下面，归县公路部门管，村里没有资质也没有这笔钱，需要镇里协调交通和水利部门来修。";
    if let Err(key) = send_up(conn, &up(chair, reason, 6))? {
        return Err(AppError::Internal(format!("demo send up refused: {key}")));
    }
    if let Err(key) = answer(conn, &up(staff, "", 16), false)? {
        return Err(AppError::Internal(format!("demo take refused: {key}")));
    }
    let people = Demo {
        reporter: residents.get(12).or(residents.first()).copied(),
        chair,
        staff,
        worker,
    };
    seed_demo_finished(conn, (&c, grid), &people, now)
}

/// Who plays a part in the demo's orders sent up.
struct Demo {
    reporter: Option<i64>,
    chair: i64,
    staff: i64,
    worker: Option<i64>,
}

/// A resident's report in the demo, received at its time with the usual limit.
struct DemoReport {
    title: &'static str,
    description: &'static str,
    category: &'static str,
    place: &'static str,
}

impl DemoReport {
    /// Stores the report of `reporter` in `village`'s `grid`, received `at`: its id.
    fn insert(
        &self,
        conn: &mut AnyConnection,
        (village, grid, reporter): (i64, Option<i64>, i64),
        at: NaiveDateTime,
    ) -> Result<i64, AppError> {
        let order = super::model::NewOrder {
            community_id: village,
            source: super::model::SOURCE_REPORT,
            decision_id: None,
            title: self.title,
            description: self.description,
            category: self.category,
            place: self.place,
            coords: None,
            grid_id: grid,
            reporter_id: Some(reporter),
            anonymous: false,
            budget_yuan: None,
            override_reason: "",
            due_at: super::rules::due_at(at, super::rules::DEFAULT_LIMIT_HOURS),
        };
        Ok(super::model::insert(conn, &order, Some(reporter), at)?)
    }
}

/// The demo's story 16, finished: six weeks ago the bridgehead railing on the township road
/// was knocked down; the grid worker fenced it off, the committee sent it up, 东溪镇 took
/// it, its staff had it replaced, and the reporter confirmed and rated the work — so the
/// sending up is done (办结) and the order page shows 东溪镇（已办结）. It all happened the month
/// before last, so last month's figures are as they were.
fn seed_demo_finished(
    conn: &mut AnyConnection,
    (c, grid): (&communities::Community, Option<i64>),
    p: &Demo,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    use super::model::{self, Line};
    use super::rules::State;
    use chrono::Duration;
    let Some(reporter) = p.reporter else {
        return Ok(());
    };
    let at = now - Duration::days(40);
    let report = DemoReport {
        title: "镇道桥头护栏被撞断",
        description: "村口连着镇道的桥头护栏被货车撞断了两米多，桥下就是河，晚上看不清，很危险。",
        category: "safety",
        place: "村口镇道桥头",
    };
    let id = report.insert(conn, (c.id, grid, reporter), at)?;
    let find = |conn: &mut AnyConnection| model::find(conn, c.id, id)?.ok_or(AppError::NotFound);
    let line = |actor, to, note| Line {
        actor,
        from: None,
        to,
        note,
    };
    let hours = |h| at + Duration::hours(h);
    if let Some(worker) = p.worker {
        let o = find(conn)?;
        model::assign(conn, &o, worker, &line(None, State::Assigned, "routed"), at)?;
        let fenced = "拉了警戒带、放了锥桶。护栏是镇道桥梁的，村里没有配件，也没有施工资质。";
        let o = find(conn)?;
        model::move_to(
            conn,
            &o,
            &line(Some(worker), State::InProgress, fenced),
            hours(2),
        )?;
    }
    let order = find(conn)?;
    let up = |actor, text, h| Up {
        order: &order,
        slug: &c.slug,
        actor,
        text,
        now: hours(h),
    };
    let reason = "护栏属于镇道桥梁的附属设施，归镇交通办管，需要镇里安排专业队伍更换。";
    if let Err(key) = send_up(conn, &up(p.chair, reason, 4))? {
        return Err(AppError::Internal(format!("demo send up refused: {key}")));
    }
    if let Err(key) = answer(conn, &up(p.staff, "", 20), false)? {
        return Err(AppError::Internal(format!("demo take refused: {key}")));
    }
    // The township's staff do the work they took; the reporter confirms it.
    let done = "镇交通办已整段更换桥头护栏，并加装了反光警示标志。";
    let o = find(conn)?;
    model::move_to(
        conn,
        &o,
        &line(Some(p.staff), State::Completed, done),
        hours(72),
    )?;
    let o = find(conn)?;
    let confirmed = hours(90);
    model::move_to(
        conn,
        &o,
        &line(Some(reporter), State::Confirmed, ""),
        confirmed,
    )?;
    close_on_confirmation(conn, (&o, &c.slug), Some(reporter), confirmed)?;
    let o = find(conn)?;
    model::rate(
        conn,
        &o,
        (reporter, 5),
        "镇里来人换的新护栏，很结实。",
        confirmed + Duration::hours(1),
    )?;
    Ok(())
}
