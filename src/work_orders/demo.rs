//! The demo's work orders: a month of reports in 柳塘村 and 兴和社区 — potholes, street
//! lights, parking, rubbish — in every state, with ratings on the echo wall, one rattling
//! manhole cover overdue and escalated to the township, and the 兴和 hydrant cabinet fixed
//! the same day.

use chrono::{Duration, NaiveDateTime};

use super::model::{self, Line, NewOrder};
use super::rules::{self, State};
use crate::communities::model as communities;
use crate::db::AnyConnection;
use crate::error::AppError;

/// How far a demo report got: hours after the report that it was acknowledged, completed
/// and confirmed (None: not yet), its rating, and the worker's note.
struct Story {
    title: &'static str,
    description: &'static str,
    category: &'static str,
    place: &'static str,
    grid: usize,
    days_ago: i64,
    ack: Option<i64>,
    done: Option<i64>,
    confirm: Option<i64>,
    reopen: Option<&'static str>,
    rating: Option<(i32, &'static str)>,
    note: &'static str,
}

const fn story(
    title: &'static str,
    category: &'static str,
    place: &'static str,
    grid: usize,
    days_ago: i64,
) -> Story {
    Story {
        title,
        description: "",
        category,
        place,
        grid,
        days_ago,
        ack: None,
        done: None,
        confirm: None,
        reopen: None,
        rating: None,
        note: "",
    }
}

fn liutang() -> Vec<Story> {
    vec![
        Story {
            description: "三组村道东头有个大坑，电动车晚上容易摔。",
            ack: Some(3),
            done: Some(30),
            confirm: Some(40),
            rating: Some((5, "补得很平整")),
            note: "已用沥青冷补料填平压实。",
            ..story("三组村道坑洼", "road", "三组村道东头", 2, 24)
        },
        Story {
            description: "小学门口的路灯不亮有一个星期了。",
            ack: Some(2),
            done: Some(20),
            confirm: Some(26),
            rating: Some((4, "")),
            note: "更换了镇流器和灯泡。",
            ..story("小学门口路灯不亮", "lighting", "村小学门口", 0, 21)
        },
        Story {
            description: "垃圾收集点三天没清运，有味道了。",
            ack: Some(1),
            done: Some(8),
            confirm: Some(30),
            rating: Some((3, "清了，但希望固定清运时间")),
            note: "已清运，并与保洁公司约定每周一、四清运。",
            ..story("二组垃圾点没清运", "sanitation", "二组垃圾收集点", 1, 18)
        },
        Story {
            description: "渠道边的护栏断了一截，孩子放学经过。",
            ack: Some(5),
            done: Some(60),
            reopen: Some("只绑了铁丝，一碰又松了"),
            note: "临时用铁丝加固。",
            ..story("渠道护栏断了", "safety", "四组水渠边", 3, 12)
        },
        Story {
            description: "自来水管接头漏水，路面一直是湿的。",
            ack: Some(2),
            done: Some(26),
            rating: Some((2, "修了两天还在渗")),
            confirm: Some(60),
            note: "更换了接头。",
            ..story("五组水管接头漏水", "water", "五组路口", 4, 9)
        },
        Story {
            description: "村委会门口被货车长期占用，老人办事没地方停三轮车。",
            ack: Some(4),
            ..story("村委会门口被货车占用", "parking", "村委会门口", 0, 3)
        },
        Story {
            description: "一组桥头的路灯白天也亮着。",
            ack: Some(6),
            done: Some(20),
            note: "时控开关已重新设定。",
            ..story("桥头路灯白天也亮", "lighting", "一组桥头", 0, 2)
        },
        Story {
            description: "主路上的井盖一踩就响，晚上车开过去哐哐响。",
            ..story("主路井盖松动响", "road", "村主路加油站对面", 1, 3)
        },
        Story {
            description: "晒谷场旁边有人倒建筑垃圾。",
            ..story("晒谷场旁倒了建筑垃圾", "sanitation", "三组晒谷场", 2, 0)
        },
    ]
}

fn xinghe() -> Vec<Story> {
    vec![
        Story {
            description: "A区160号车位旁的消防栓箱玻璃碎了，水带露在外面。",
            ack: Some(1),
            done: Some(10),
            confirm: Some(12),
            rating: Some((5, "当天就修好了，谢谢")),
            note: "更换钢化玻璃，水带复位，检查了压力。",
            ..story("消防栓箱玻璃破了", "safety", "A区160号车位旁", 0, 6)
        },
        Story {
            description: "3号楼东侧的路灯闪个不停。",
            ack: Some(3),
            done: Some(28),
            confirm: Some(50),
            rating: Some((4, "")),
            note: "更换灯管。",
            ..story("3号楼东侧路灯闪", "lighting", "3号楼东侧", 0, 15)
        },
        Story {
            description: "小区北门外的人行道砖翘起来了，老人容易绊倒。",
            ack: Some(2),
            done: Some(52),
            confirm: Some(80),
            rating: Some((4, "")),
            note: "重新铺设人行道砖12块。",
            ..story("北门外人行道砖松动", "road", "小区北门外", 0, 20)
        },
        Story {
            description: "消防通道上夜里停满了车。",
            ack: Some(8),
            ..story("消防通道夜间被占", "parking", "小区主通道", 0, 1)
        },
    ]
}

/// `seeded` is (community id, its verified residents), 柳塘村 first, then 兴和社区.
pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for ((cid, residents), stories) in seeded.iter().zip([liutang(), xinghe()]) {
        let grids = communities::grids_of(conn, *cid)?;
        for (k, s) in stories.iter().enumerate() {
            let at = now - Duration::days(s.days_ago) - Duration::hours(3 + k as i64);
            let grid = grids.get(s.grid % grids.len().max(1)).map(|g| g.id);
            let reporter = residents[(20 + 7 * k) % residents.len()];
            let id = model::insert(
                conn,
                &NewOrder {
                    community_id: *cid,
                    source: model::SOURCE_REPORT,
                    decision_id: None,
                    title: s.title,
                    description: s.description,
                    category: s.category,
                    place: s.place,
                    coords: None,
                    grid_id: grid,
                    reporter_id: Some(reporter),
                    anonymous: k % 4 == 3,
                    budget_yuan: None,
                    override_reason: "",
                    due_at: rules::due_at(at, rules::DEFAULT_LIMIT_HOURS),
                },
                Some(reporter),
                at,
            )?;
            let find =
                |conn: &mut AnyConnection| model::find(conn, *cid, id)?.ok_or(AppError::NotFound);
            let Some(worker) = grid
                .map(|g| crate::communities::model::grid_worker(conn, *cid, g))
                .transpose()?
                .flatten()
            else {
                continue;
            };
            let o = find(conn)?;
            model::assign(
                conn,
                &o,
                worker,
                &line(None, None, State::Assigned, "routed"),
                at,
            )?;
            let step = |h: Option<i64>| h.map(|h| at + Duration::hours(h)).filter(|t| *t <= now);
            if let Some(t) = step(s.ack) {
                let o = find(conn)?;
                model::move_to(
                    conn,
                    &o,
                    &line(Some(worker), Some(State::Assigned), State::InProgress, ""),
                    t,
                )?;
            }
            if let Some(t) = step(s.done) {
                let o = find(conn)?;
                model::move_to(
                    conn,
                    &o,
                    &line(
                        Some(worker),
                        Some(State::InProgress),
                        State::Completed,
                        s.note,
                    ),
                    t,
                )?;
                if let Some(reason) = s.reopen {
                    // A rating given before the reopening stays in the order's history.
                    if let Some((r, comment)) = s.rating {
                        let o = find(conn)?;
                        model::rate(conn, &o, (reporter, r), comment, t + Duration::hours(1))?;
                    }
                    let t = t + Duration::hours(20);
                    let o = find(conn)?;
                    model::move_to(
                        conn,
                        &o,
                        &line(
                            Some(reporter),
                            Some(State::Completed),
                            State::Reopened,
                            reason,
                        ),
                        t,
                    )?;
                    model::clear_completion(conn, &o)?;
                } else if let Some(t) = step(s.confirm) {
                    let o = find(conn)?;
                    model::move_to(
                        conn,
                        &o,
                        &line(Some(reporter), Some(State::Completed), State::Confirmed, ""),
                        t,
                    )?;
                }
                if let Some((r, comment)) = s.rating.filter(|_| s.reopen.is_none()) {
                    let o = find(conn)?;
                    model::rate(conn, &o, (reporter, r), comment, t + Duration::hours(1))?;
                }
            }
            let order = find(conn)?;
            if rules::should_escalate(order.state(), order.due_at, order.escalated_at, now) {
                model::mark_escalated(conn, &order, order.due_at + Duration::minutes(10))?;
            }
        }
    }
    Ok(())
}

/// A timeline line of the seeded history.
fn line<'a>(actor: Option<i64>, from: Option<State>, to: State, note: &'a str) -> Line<'a> {
    Line {
        actor,
        from,
        to,
        note,
    }
}
