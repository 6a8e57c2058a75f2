//! The demo's project: 柳塘村's road paving (LT-2026-001) from the villagers' meeting's
//! decision through its work orders and payments, with a power list of four items and one
//! payment the list refused.

use chrono::{Datelike, Duration, NaiveDateTime};

use super::model::{self, NewDisbursement, NewProject, NewRefusal};
use super::rules::{self, Body, Comparison, Power, SpendKind};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::work_orders::model::{self as orders, NewOrder};
use crate::work_orders::rules::State;

/// A demo payment: fen, hours after the decision, payee, voucher, decision, power.
type Paid = (
    i64,
    i64,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
);

const ROAD: &str = "柳塘村三组至五组道路硬化工程";

pub const SECOND_INSTALMENT_QUESTION: &str =
    "道路硬化第二笔款85,600元付给了建材经营部，当时四组至五组路段还没有验收，为什么先付款？";
pub const SECOND_INSTALMENT_ANSWER: &str = "第二笔是四组至五组路段的水泥、砂石材料款，按合同在浇筑前凭送货单支付；\
     付款前三组路段已经中间验收合格，村务监督委员会派员参加。中间验收记录附后，原件在村委会可查阅。";

/// An item of the list; like most village lists, it writes its amounts as 以上.
fn power(code: &str, name: &str, procedure: &str, kind: SpendKind, body: Body, yuan: i64) -> Power {
    Power {
        code: code.into(),
        name: name.into(),
        procedure: procedure.into(),
        kind,
        body,
        threshold_fen: yuan * 100,
        comparison: Comparison::AtLeast,
    }
}

/// The road's acceptance record's photo is stored under `data_dir`.
pub fn seed(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    data_dir: &std::path::Path,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some((liutang, lt)) = seeded.first() else {
        return Ok(());
    };
    let (cid, committee) = (*liutang, lt.first().copied().unwrap_or_default());
    let list = [
        power(
            "1",
            "工程项目立项和承包",
            "村党支部提议→“两委”商议→党员大会审议→村民会议决议→公开",
            SpendKind::Contract,
            Body::Residents,
            50_000,
        ),
        power(
            "2",
            "工单经费",
            "村委会提出→村民代表会议决议→公开",
            SpendKind::WorkOrderBudget,
            Body::Representatives,
            5_000,
        ),
        power(
            "3",
            "工程建设",
            "经办人填单→村务监督委员会审核→村民代表会议决议→支付→公开",
            SpendKind::Disbursement,
            Body::Representatives,
            5_000,
        ),
        power(
            "4",
            "大额资金支出",
            "“四议两公开”：提议→商议→审议→村民会议决议→决议公开→结果公开",
            SpendKind::Disbursement,
            Body::Residents,
            50_000,
        ),
    ];
    // Adopted by the villagers' meeting's decision (ballots demo), in force since the day after.
    let decisions = model::passed_decisions(conn, cid)?;
    let adopted = decisions
        .iter()
        .find(|d| d.title == crate::ballots::demo::POWER_LIST);
    let (adopted_by, adopted_at) = match adopted {
        Some(d) => (Some(d.id), d.published_at + Duration::days(1)),
        None => (None, now - Duration::days(60)),
    };
    for p in &list {
        let id = model::insert_power(conn, cid, p, adopted_by, Some(committee), adopted_at)?;
        super::record::publish_power(conn, cid, id, adopted_at)?;
    }
    let Some(road) = decisions.iter().find(|d| d.title.starts_with(ROAD)) else {
        return Ok(());
    };
    // Everything follows the villagers' meeting's decision, two days ago, hour by hour.
    let after = |hours: i64| (road.published_at + Duration::hours(hours)).min(now);
    let date = crate::clock::local_day;
    let decided = date(road.published_at);
    let code = rules::format_code("LT", decided.year(), 1);
    let pid = model::insert_project(
        conn,
        &NewProject {
            community_id: cid,
            code: &code,
            title: ROAD,
            announcement:
                "硬化三组至五组村道1.2公里，路面宽4.5米、厚20厘米C25混凝土，两侧修排水沟。\
                           总预算38万元，其中上级“一事一议”奖补资金20万元，村集体出资18万元。\
                           经村民会议决议通过，由县公路工程队承建，村务监督委员会全程监督。",
            budget_fen: 38_000_000,
            contractor: "县公路工程队",
            planned_start: decided + Duration::days(1),
            planned_end: decided + Duration::days(90),
            actual_start: Some(decided + Duration::days(1)),
            actual_end: None,
            decisions: &[road.id],
        },
        Some(committee),
        after(3),
    )?;
    let grid = orders::default_grid(conn, cid)?;
    let worker = match grid {
        Some(g) => crate::communities::model::grid_worker(conn, cid, g)?,
        None => None,
    }
    .unwrap_or(committee);
    for (title, description, budget, hours, done) in [
        (
            "三组路段路基整平和碾压",
            "清表、整平、分层碾压，做好排水沟基础。",
            180_000,
            4,
            "三组路段路基碾压完成，压实度抽检合格，排水沟基础已砌好。",
        ),
        (
            "四组至五组路段浇筑混凝土",
            "C25混凝土浇筑，切缝、养护不少于7天，养护期间封闭交通。",
            150_000,
            20,
            "混凝土浇筑完成，已切缝并覆盖养护，养护期间设了警示牌。",
        ),
    ] {
        let at = after(hours);
        let id = orders::insert(
            conn,
            &NewOrder {
                community_id: cid,
                source: orders::SOURCE_DECISION,
                decision_id: Some(road.id),
                title,
                description,
                category: "road",
                place: "三组至五组村道",
                coords: None,
                grid_id: None,
                reporter_id: None,
                anonymous: false,
                budget_yuan: Some(budget),
                override_reason: "",
                due_at: at + Duration::days(45),
            },
            Some(committee),
            at,
        )?;
        model::attach_order(conn, cid, pid, id)?;
        // The item goes from passed to implementing with its first order, as on the site.
        let item = match crate::ballots::model::decision(conn, cid, road.id)? {
            Some(d) => crate::agenda::model::find(conn, cid, d.item_id)?,
            None => None,
        };
        if let Some(item) = item {
            let note = format!("#{id}");
            let m = crate::agenda::service::Move {
                item: &item,
                to: crate::agenda::rules::Stage::Implementing,
                mover: crate::agenda::rules::Mover::WorkOrder,
                by: Some(committee),
                note: &note,
            };
            // Later orders find it implementing already and leave it there.
            let _ = crate::agenda::service::advance(conn, &m, at)?;
        }
        // The work was done and the committee accepted it.
        let find =
            |conn: &mut AnyConnection| orders::find(conn, cid, id)?.ok_or(AppError::NotFound);
        let o = find(conn)?;
        let line = |by, to, note| orders::Line {
            actor: Some(by),
            from: None,
            to,
            note,
        };
        let assigned = line(committee, State::Assigned, "");
        orders::assign(conn, &o, worker, &assigned, at + Duration::hours(1))?;
        for (from, to, by, note, later) in [
            (State::Assigned, State::InProgress, worker, "", 2),
            (State::InProgress, State::Completed, worker, done, 12),
            (
                State::Completed,
                State::Confirmed,
                committee,
                "验收合格。",
                14,
            ),
        ] {
            let o = find(conn)?;
            let t = (at + Duration::hours(later)).min(now);
            let moved = orders::Line {
                from: Some(from),
                ..line(by, to, note)
            };
            orders::move_to(conn, &o, &moved, t)?;
        }
    }
    accept_road(conn, (cid, pid), (committee, data_dir), after(36))?;
    let paid: [Paid; 4] = [
        (
            12_000_000,
            6,
            "县公路工程队",
            "LT记-2026-118",
            Some(road.id),
            Some("4"),
        ),
        (
            8_560_000,
            22,
            "东溪镇建材经营部",
            "LT记-2026-131",
            Some(road.id),
            Some("4"),
        ),
        (320_000, 30, "东溪镇交通设施店", "LT记-2026-134", None, None),
        (100_000, 32, "东溪镇交通设施店", "LT记-2026-136", None, None),
    ];
    let mut undecided = Vec::new();
    let mut reviewed = Vec::new();
    let mut instalments = Vec::new();
    for (amount_fen, hours, payee, voucher, decision_id, power_code) in paid {
        let id = model::insert_disbursement(
            conn,
            &NewDisbursement {
                community_id: cid,
                project_id: pid,
                amount_fen,
                paid_on: date(after(hours)),
                payee,
                voucher,
                decision_id,
                power_code,
                override_reason: None,
            },
            committee,
            after(hours),
        )?;
        instalments.push(id);
        if decision_id.is_none() {
            undecided.push((id, amount_fen));
        } else {
            reviewed.push((id, after(hours + 20)));
        }
    }
    // A third payment to the same shop, 800 yuan: alone within the committee's power, but it
    // adds up with the two before it to 5,000 yuan, and the list refuses it.
    let powers: Vec<Power> = list.to_vec();
    let split = rules::check_payment(80_000, &undecided, SpendKind::Disbursement, &powers, None);
    if let Err(refusal) = split {
        model::insert_refusal(
            conn,
            &NewRefusal {
                community_id: cid,
                project_id: Some(pid),
                kind: SpendKind::Disbursement,
                amount_fen: 80_000,
                payee: "东溪镇交通设施店",
                refusal: &refusal,
            },
            committee,
            after(34),
        )?;
    }
    // The supervisors reviewed the vouchers of the two payments the decision covers.
    let supervisor = crate::communities::model::holders(conn, cid, crate::authz::Role::Supervisor)?
        .into_iter()
        .next();
    let community = crate::communities::model::by_id(conn, cid)?;
    for (id, at) in reviewed.into_iter().filter(|_| supervisor.is_some()) {
        super::vouchers::review(
            conn,
            &super::vouchers::Reviewing {
                community: &community,
                disbursement: id,
                verdict: super::vouchers::Verdict::Reviewed,
                note: "凭证、合同、验收单齐全，金额与决议相符，已签署。",
                reviewer: supervisor.unwrap_or_default(),
                now: at,
            },
        )?;
    }
    // Story 9: a supervisor asks why the second instalment was paid before the section's
    // acceptance; the committee answers two days later with the interim acceptance record.
    if let (Some(second), Some(asker)) = (instalments.get(1), supervisor) {
        use crate::inquiries::model as inquiries;
        let asked = after(26);
        let q = inquiries::ask(
            conn,
            cid,
            ("disbursement", Some(*second)),
            asker,
            SECOND_INSTALMENT_QUESTION,
            asked,
            rules::answer_due(asked, rules::DEFAULT_ANSWER_DAYS),
        )?;
        if let Some(row) = inquiries::find(conn, cid, q)? {
            inquiries::answer(
                conn,
                &row.q,
                committee,
                SECOND_INSTALMENT_ANSWER,
                (asked + Duration::days(2)).min(now),
            )?;
        }
    }
    // A second instalment of 6万元 with no decision cited: the list refuses it.
    if let Err(refusal) = rules::check_spend(6_000_000, SpendKind::Disbursement, &powers, None) {
        model::insert_refusal(
            conn,
            &NewRefusal {
                community_id: cid,
                project_id: Some(pid),
                kind: SpendKind::Disbursement,
                amount_fen: 6_000_000,
                payee: "县公路工程队",
                refusal: &refusal,
            },
            committee,
            after(40),
        )?;
    }
    Ok(())
}

/// The road's acceptance (验收) once both sections were done: the committee, a supervisor,
/// the township's road station and the contractor inspect it, sign the record, and the
/// committee enters it with a photo of the signed sheet; the project's actual end is that day.
fn accept_road(
    conn: &mut AnyConnection,
    (cid, pid): (i64, i64),
    (committee, data_dir): (i64, &std::path::Path),
    at: NaiveDateTime,
) -> Result<(), AppError> {
    use crate::schema::users;
    use diesel::prelude::*;
    let supervisor = crate::communities::model::holders(conn, cid, crate::authz::Role::Supervisor)?
        .into_iter()
        .next()
        .unwrap_or(committee);
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any([committee, supervisor]))
        .select((users::id, users::display_name))
        .load(conn)?;
    let name = |id: i64| {
        names
            .iter()
            .find(|n| n.0 == id)
            .map(|n| n.1.clone())
            .unwrap_or_default()
    };
    let accepted_by = format!(
        "村委会 {}；村务监督委员会 {}；东溪镇农村公路管理站 周海峰；施工方 县公路工程队",
        name(committee),
        name(supervisor)
    );
    let day = crate::clock::local_day(at);
    let photo = crate::work_orders::demo_photos::store(
        data_dir,
        &crate::inquiries::files::draw_record(pid as u32 + 7),
    )?;
    super::acceptance::insert(
        conn,
        &super::acceptance::NewAcceptance {
            community_id: cid,
            project_id: pid,
            accepted_on: day,
            accepted_by: &accepted_by,
            opinion: "全长1.2公里，路面宽4.5米，抽检厚度20厘米以上，混凝土强度和排水沟符合设计，验收合格。",
            photo: Some(photo.as_str()),
        },
        committee,
        at,
    )?;
    let project = model::project(conn, pid)?;
    let start = project.actual_start.as_deref().and_then(model::parse_day);
    model::set_actual(conn, pid, start, Some(day))?;
    Ok(())
}
