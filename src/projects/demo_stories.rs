//! More of the demo's projects, one per story: 兴和社区's parking works (XH-…-001) with the
//! work orders the representatives' decision set going, its stairwell lights (XH-…-002) in
//! building batches with two payments, and 柳塘村's greenhouse repair, refused by the power
//! list without a decision and then paid after a storm with a written emergency reason.

use chrono::{Datelike, Duration, NaiveDateTime};

use super::model::{self, NewDisbursement, NewProject};
use super::rules;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::work_orders::model::{self as orders, NewOrder};
use crate::work_orders::rules::State;

pub const PARKING: &str = "兴和小区停车改善工程";
pub const LIGHTS: &str = "兴和小区楼道声控灯更换工程";
pub const GREENHOUSE: &str = "柳塘村集体蔬菜大棚抢修";

/// How far a demo order has gone.
#[derive(Clone, Copy, PartialEq)]
enum Reached {
    Assigned,
    InProgress,
    Confirmed,
}

struct Work<'a> {
    cid: i64,
    decision: Option<i64>,
    committee: i64,
    worker: i64,
    category: &'a str,
    place: &'a str,
}

/// Creates an order for `w`, takes it as far as `reached`, and returns its id.
fn order(
    conn: &mut AnyConnection,
    w: &Work,
    (title, description, done): (&str, &str, &str),
    reached: Reached,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let source = if w.decision.is_some() {
        orders::SOURCE_DECISION
    } else {
        orders::SOURCE_REPORT
    };
    let id = orders::insert(
        conn,
        &NewOrder {
            community_id: w.cid,
            source,
            decision_id: w.decision,
            title,
            description,
            category: w.category,
            place: w.place,
            coords: None,
            grid_id: None,
            reporter_id: None,
            anonymous: false,
            budget_yuan: None,
            override_reason: "",
            due_at: at + Duration::days(30),
        },
        Some(w.committee),
        at,
    )?;
    let find = |conn: &mut AnyConnection| orders::find(conn, w.cid, id)?.ok_or(AppError::NotFound);
    let o = find(conn)?;
    let assigned = orders::Line {
        actor: Some(w.committee),
        from: None,
        to: State::Assigned,
        note: "",
    };
    orders::assign(
        conn,
        &o,
        w.worker,
        &assigned,
        (at + Duration::hours(1)).min(now),
    )?;
    let mut steps = vec![];
    if reached != Reached::Assigned {
        steps.push((State::Assigned, State::InProgress, w.worker, "", 3));
    }
    if reached == Reached::Confirmed {
        steps.push((State::InProgress, State::Completed, w.worker, done, 30));
        steps.push((
            State::Completed,
            State::Confirmed,
            w.committee,
            "验收合格。",
            40,
        ));
    }
    for (from, to, by, note, later) in steps {
        let o = find(conn)?;
        let line = orders::Line {
            actor: Some(by),
            from: Some(from),
            to,
            note,
        };
        orders::move_to(conn, &o, &line, (at + Duration::hours(later)).min(now))?;
    }
    Ok(id)
}

/// The item behind `decision` goes from passed to implementing with its first order.
fn implementing(
    conn: &mut AnyConnection,
    cid: i64,
    decision: i64,
    by: i64,
    order: i64,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let item = match crate::ballots::model::decision(conn, cid, decision)? {
        Some(d) => crate::agenda::model::find(conn, cid, d.item_id)?,
        None => None,
    };
    if let Some(item) = item {
        let note = format!("#{order}");
        let m = crate::agenda::service::Move {
            item: &item,
            to: crate::agenda::rules::Stage::Implementing,
            mover: crate::agenda::rules::Mover::WorkOrder,
            by: Some(by),
            note: &note,
        };
        let _ = crate::agenda::service::advance(conn, &m, at)?;
    }
    Ok(())
}

fn worker_of(conn: &mut AnyConnection, cid: i64, fallback: i64) -> Result<i64, AppError> {
    let worker = match orders::default_grid(conn, cid)? {
        Some(g) => crate::communities::model::grid_worker(conn, cid, g)?,
        None => None,
    };
    Ok(worker.unwrap_or(fallback))
}

/// 兴和社区's two projects: the parking works the representatives passed, and the stairwell
/// lights.
pub fn xinghe(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some((cid, xh)) = seeded.get(1) else {
        return Ok(());
    };
    let (cid, committee) = (*cid, xh.first().copied().unwrap_or_default());
    let worker = worker_of(conn, cid, committee)?;
    let year = crate::clock::local_day(now).year();
    let decisions = model::passed_decisions(conn, cid)?;
    // Story 1: the work orders that follow the parking decision.
    if let Some(parking) = decisions
        .iter()
        .find(|d| d.title.starts_with("兴和小区停车难"))
    {
        let start = (parking.published_at + Duration::hours(20)).min(now);
        let decided = crate::clock::local_day(parking.published_at);
        let pid = model::insert_project(
            conn,
            &NewProject {
                community_id: cid,
                code: &rules::format_code("XH", year, 1),
                title: PARKING,
                announcement: "按居民代表会议决议：围墙外空地临时画线约28个车位，兴和路人行道夜间停车并保留1.5米步行通道，小区主通道全天禁停。\
                               改造小区入口、安装道闸系统、施划车位标线，总预算8.6万元，由社区公共收益支出。",
                budget_fen: 8_600_000,
                contractor: "兴和市政设施维护队",
                planned_start: decided + Duration::days(2),
                planned_end: decided + Duration::days(45),
                actual_start: Some(decided + Duration::days(2)),
                actual_end: None,
                decisions: &[parking.id],
            },
            Some(committee),
            start,
        )?;
        let w = Work {
            cid,
            decision: Some(parking.id),
            committee,
            worker,
            category: "traffic",
            place: "兴和小区入口及东侧围墙外",
        };
        for (k, (what, reached)) in [
            (
                (
                    "重新设计小区入口",
                    "入口拓宽至7米，人车分流，保留消防车通道。",
                    "入口改造完成，人行通道和消防车道已分开。",
                ),
                Reached::Confirmed,
            ),
            (
                (
                    "安装道闸系统",
                    "入口安装车牌识别道闸，本小区登记车辆夜间通行。",
                    "",
                ),
                Reached::InProgress,
            ),
            (
                (
                    "施划停车位标线",
                    "围墙外空地画线约28个车位，兴和路人行道画夜间斜向车位。",
                    "",
                ),
                Reached::Assigned,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let at = (start + Duration::hours(k as i64 * 2)).min(now);
            let id = order(conn, &w, what, reached, at, now)?;
            model::attach_order(conn, cid, pid, id)?;
            implementing(conn, cid, parking.id, committee, id, at)?;
        }
    }
    // Story 3: the stairwell lights, in four batches of buildings, two payments made.
    let began = now - Duration::days(40);
    let day = crate::clock::local_day(began);
    let pid = model::insert_project(
        conn,
        &NewProject {
            community_id: cid,
            code: &rules::format_code("XH", year, 2),
            title: LIGHTS,
            announcement: "兴和小区46栋楼约1300盏楼道灯老化损坏，统一更换为LED声控灯。\
                           总预算19.5万元，由区老旧小区改造补助资金支出；分四批施工，每批完工后由楼栋长和居民代表验收。",
            budget_fen: 19_500_000,
            contractor: "兴和照明工程有限公司",
            planned_start: day + Duration::days(3),
            planned_end: day + Duration::days(60),
            actual_start: Some(day + Duration::days(3)),
            actual_end: None,
            decisions: &[],
        },
        Some(committee),
        began,
    )?;
    let w = Work {
        cid,
        decision: None,
        committee,
        worker,
        category: "lighting",
        place: "兴和小区",
    };
    for (k, (batch, reached)) in [
        ("1—12栋", Reached::Confirmed),
        ("13—24栋", Reached::Confirmed),
        ("25—36栋", Reached::InProgress),
        ("37—46栋", Reached::Assigned),
    ]
    .into_iter()
    .enumerate()
    {
        let title = format!("{batch}楼道声控灯更换");
        let description = format!("{batch}每层楼道更换LED声控灯，拆下的旧灯统一回收。");
        let done = format!("{batch}楼道灯已全部更换，逐层试亮正常。");
        let at = began + Duration::days(3 + 10 * k as i64);
        let id = order(conn, &w, (&title, &description, &done), reached, at, now)?;
        model::attach_order(conn, cid, pid, id)?;
    }
    for (fen, days, voucher) in [
        (5_850_000, 4, "XH记-2026-041"),
        (7_800_000, 26, "XH记-2026-057"),
    ] {
        let at = began + Duration::days(days);
        model::insert_disbursement(
            conn,
            &NewDisbursement {
                community_id: cid,
                project_id: pid,
                amount_fen: fen,
                paid_on: crate::clock::local_day(at),
                payee: "兴和照明工程有限公司",
                voucher,
                decision_id: None,
                power_code: None,
                override_reason: None,
            },
            committee,
            at,
        )?;
    }
    Ok(())
}

pub const STORM: &str = "昨夜暴雨大风，集体蔬菜大棚东侧三个棚骨架倒塌、棚膜撕裂，棚内两万多株菜苗受冻，\
                         必须今天抢修；来不及召开村民会议，先行支付抢修费用，事后提请村民会议追认。";

/// Story 10: ¥68,000 for the greenhouse, first without a decision (refused), then after the
/// storm with an emergency reason (paid, flagged to the supervisors), both through the gate.
pub fn greenhouse(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some((cid, lt)) = seeded.first() else {
        return Ok(());
    };
    let (cid, committee) = (*cid, lt.first().copied().unwrap_or_default());
    let year = crate::clock::local_day(now).year();
    let code = rules::format_code("LT", year, 2);
    let began = now - Duration::days(6);
    let pid = model::insert_project(
        conn,
        &NewProject {
            community_id: cid,
            code: &code,
            title: GREENHOUSE,
            announcement: "村集体蔬菜大棚（六组，12个棚）骨架锈蚀、棚膜老化，拟维修加固，预算6.8万元，由东溪镇农机服务站承修。",
            budget_fen: 6_800_000,
            contractor: "东溪镇农机服务站",
            planned_start: crate::clock::local_day(began),
            planned_end: crate::clock::local_day(began) + Duration::days(20),
            actual_start: None,
            actual_end: None,
            decisions: &[],
        },
        Some(committee),
        began,
    )?;
    for (emergency, at) in [
        (None, now - Duration::days(5)),
        (Some(STORM), now - Duration::days(2)),
    ] {
        let p = super::service::Payment {
            community_id: cid,
            slug: "liutang".into(),
            project_id: pid,
            project_code: code.clone(),
            project_title: GREENHOUSE.into(),
            amount_fen: 6_800_000,
            paid_on: crate::clock::local_day(at),
            payee: "东溪镇农机服务站".into(),
            voucher: "LT记-2026-152".into(),
            decision: None,
            emergency: emergency.map(str::to_string),
            actor: committee,
            now: at,
        };
        super::service::pay(conn, &p)?;
    }
    Ok(())
}
