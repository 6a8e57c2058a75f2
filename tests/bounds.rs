//! Bounds on what forms accept: text over its limit is refused with what was typed kept,
//! never stored as an empty string; amounts and dates outside a sane range are refused on the
//! form (422) with the input kept.

use diesel::prelude::*;

use crate::both;
use crate::common::steps::{demo_committee, photo, query, raise, report};
use crate::common::{spawn_app, Backend, Client, TestApp};

/// Every work order's events (each move and assignment adds one).
async fn events(app: &TestApp) -> i64 {
    query(app, |c| {
        use yishi::schema::work_order_events as t;
        t::table.count().get_result(c)
    })
    .await
}

/// "甲甲…" of `n` characters, ending in a marker so the page can be searched for it whole.
fn long(n: usize) -> String {
    format!("{}尾", "甲".repeat(n - 1))
}

async fn over_long_text_on_a_decision_page_is_refused_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    // A countersignature note of 501 characters (the limit is 500).
    let note = long(501);
    let r = supervisor
        .post("/c/liutang/decisions/3/countersign", &[("note", &note)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 500 个字"), "{}", r.body);
    assert!(r.body.contains(&note), "the note is kept");
    let signs: i64 = query(&app, |c| {
        use yishi::schema::decision_countersigns as t;
        t::table.count().get_result(c)
    })
    .await;
    let r = supervisor
        .post(
            "/c/liutang/decisions/3/countersign",
            &[("note", &long(500))],
        )
        .await;
    assert_eq!(r.status, 303, "500 characters are fine");
    let after: i64 = query(&app, |c| {
        use yishi::schema::decision_countersigns as t;
        t::table.count().get_result(c)
    })
    .await;
    assert_eq!(
        after,
        signs + 1,
        "only the note within the limit was stored"
    );

    // A work order's description of 5,001 characters (the limit is 5,000).
    let description = long(5001);
    let fields = [
        ("title", "道路硬化第一标段"),
        ("description", description.as_str()),
        ("budget", "1000"),
        ("due", "2027-03-31"),
    ];
    let r = committee
        .post("/c/liutang/decisions/2/orders", &fields)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 5000 个字"), "{}", r.body);
    assert!(r.body.contains(&description) && r.body.contains("道路硬化第一标段"));
    let orders: i64 = query(&app, |c| {
        use yishi::schema::work_orders as t;
        t::table
            .filter(t::title.eq("道路硬化第一标段"))
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(orders, 0, "nothing stored");
}
both!(over_long_text_on_a_decision_page_is_refused_and_kept);

async fn over_long_text_on_an_order_page_is_refused_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let order = report(&resident, "三号楼消防栓箱的玻璃破了", &[]).await;

    // The assignee's note on a move: 2,001 characters.
    let before = events(&app).await;
    let note = long(2001);
    let r = worker
        .post_files(
            &format!("{order}/move"),
            &[("to", "in_progress"), ("note", &note)],
            vec![],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 2000 个字") && r.body.contains(&note));
    assert_eq!(events(&app).await, before, "the order did not move");

    // The committee's note on a reassignment.
    let r = committee
        .post(
            &format!("{order}/assign"),
            &[("assignee", "1"), ("note", &note)],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 2000 个字") && r.body.contains(&note));
    assert_eq!(events(&app).await, before, "not reassigned");

    // The reporter's comment with a rating: 1,001 characters.
    worker
        .post_files_ok(
            &format!("{order}/move"),
            &[("to", "in_progress"), ("note", "")],
            vec![],
        )
        .await;
    worker
        .post_files_ok(
            &format!("{order}/move"),
            &[("to", "completed"), ("note", "已更换钢化玻璃。")],
            vec![("photos", "after.png", photo())],
        )
        .await;
    let comment = long(1001);
    let r = resident
        .post(
            &format!("{order}/rate"),
            &[("rating", "5"), ("comment", &comment)],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 1000 个字") && r.body.contains(&comment));
    let rated: Option<i32> = query(&app, |c| {
        use yishi::schema::work_orders as t;
        t::table
            .filter(t::title.eq("三号楼消防栓箱的玻璃破了"))
            .select(t::rating)
            .first(c)
    })
    .await;
    assert_eq!(rated, None, "no rating stored");
}
both!(over_long_text_on_an_order_page_is_refused_and_kept);

/// 柳塘村's passed decision of the villagers' meeting that adopted its power list.
async fn power_list_decision(app: &TestApp) -> String {
    use yishi::schema::{agenda_items, decisions};
    let id: i64 = query(app, |c| {
        decisions::table
            .inner_join(agenda_items::table.on(agenda_items::id.eq(decisions::item_id)))
            .filter(agenda_items::title.eq("通过《柳塘村小微权力清单》"))
            .select(decisions::id)
            .first(c)
    })
    .await;
    id.to_string()
}

/// The demo with 柳塘村's committee signed in.
async fn committee_of_liutang(backend: Backend) -> (TestApp, Client) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    (app, committee)
}

async fn a_work_orders_budget_or_due_date_out_of_range_is_refused(backend: Backend) {
    let (_app, committee) = committee_of_liutang(backend).await;

    // A budget of 10^9 yuan at most (i64::MAX was accepted and logged).
    for budget in ["9223372036854775807", "1000000001"] {
        let r = committee
            .post(
                "/c/liutang/decisions/2/orders",
                &[
                    ("title", "道路硬化第二标段"),
                    ("budget", budget),
                    ("due", "2027-03-31"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "budget {budget}: {}", r.body);
        assert!(
            r.body.contains("须是 0 到 1000000000 之间的整数"),
            "{}",
            r.body
        );
        assert!(r.body.contains(budget), "the budget typed is kept");
    }
    // Due more than five years ahead.
    let r = committee
        .post(
            "/c/liutang/decisions/2/orders",
            &[("title", "道路硬化第二标段"), ("due", "9999-12-31")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("办结期限太远了") && r.body.contains("9999-12-31"));
}
both!(a_work_orders_budget_or_due_date_out_of_range_is_refused);

async fn a_payment_dated_far_away_or_over_the_limit_is_refused(backend: Backend) {
    let (app, committee) = committee_of_liutang(backend).await;
    let payments = || {
        query(&app, |c| {
            use yishi::schema::disbursements as t;
            t::table.count().get_result::<i64>(c)
        })
    };
    let paid = payments().await;
    let pay = "/c/liutang/projects/LT-2026-001/disbursements";
    let fields = |amount: &'static str, paid_on: &'static str| {
        [
            ("amount", amount),
            ("paid_on", paid_on),
            ("payee", "东溪镇五金店"),
            ("voucher", "LT记-2026-150"),
        ]
    };

    let long_ago = committee.post(pay, &fields("100", "0001-01-01")).await;
    let too_much = committee
        .post(pay, &fields("1,000,000,000.01", "2026-11-25"))
        .await;

    assert_eq!(long_ago.status, 422, "{}", long_ago.body);
    assert!(
        long_ago.body.contains("日期“0001-01-01”离今天太远了"),
        "{}",
        long_ago.body
    );
    assert!(long_ago.body.contains("0001-01-01") && long_ago.body.contains("东溪镇五金店"));
    assert_eq!(too_much.status, 422, "{}", too_much.body);
    assert!(
        too_much.body.contains("金额“1,000,000,000.01”太大了"),
        "{}",
        too_much.body
    );
    assert_eq!(payments().await, paid, "nothing paid");
}
both!(a_payment_dated_far_away_or_over_the_limit_is_refused);

async fn a_power_list_threshold_over_the_limit_is_refused(backend: Backend) {
    let (app, committee) = committee_of_liutang(backend).await;
    // The change cites a decision that may change the list.
    let decision = power_list_decision(&app).await;

    let r = committee
        .post(
            "/c/liutang/powers",
            &[
                ("code", "4"),
                ("name", "大额资金支出"),
                ("kind", "disbursement"),
                ("body", "residents"),
                ("threshold", "2,000,000,000"),
                ("comparison", "at_least"),
                ("decision", decision.as_str()),
            ],
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("金额“2,000,000,000”太大了") && r.body.contains("大额资金支出"));
}
both!(a_power_list_threshold_over_the_limit_is_refused);

async fn a_projects_budget_over_the_limit_and_a_start_in_year_one_are_refused(backend: Backend) {
    let (_app, committee) = committee_of_liutang(backend).await;

    let r = committee
        .post(
            "/c/liutang/projects",
            &[
                ("prefix", "lt"),
                ("title", "村南路灯安装"),
                ("announcement", "安装太阳能路灯40盏。"),
                ("budget", "2,000,000,000"),
                ("contractor", "东溪镇照明工程部"),
                ("planned_start", "0001-01-01"),
                ("planned_end", "2027-01-31"),
            ],
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("金额“2,000,000,000”太大了"), "{}", r.body);
    assert!(
        r.body.contains("日期“0001-01-01”离今天太远了"),
        "{}",
        r.body
    );
}
both!(a_projects_budget_over_the_limit_and_a_start_in_year_one_are_refused);

async fn a_ballots_opening_or_closing_out_of_range_is_refused(backend: Backend) {
    let (_app, committee) = committee_of_liutang(backend).await;
    // A ballot opening in year 1, or closing in 9999.
    let item = raise(&committee, "村口增设路灯", "说明", "infrastructure").await;
    committee
        .post_ok(&format!("{item}/stage"), &[("to", "deliberating")])
        .await;
    let open = |opens: &'static str, closes: &'static str| {
        [
            ("body", "residents"),
            ("mode", "online"),
            ("opens_at", opens),
            ("closes_at", closes),
        ]
    };
    let r = committee
        .post(
            &format!("{item}/ballots"),
            &open("0001-01-01 08:00", "2026-12-20 08:00"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("开始时间不能早于现在") && r.body.contains("0001-01-01 08:00"));
    let r = committee
        .post(&format!("{item}/ballots"), &open("", "9999-12-31 08:00"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("表决从开始到截止不能超过一年") && r.body.contains("9999-12-31 08:00"));
    // A year and a day is too long; within a year goes through.
    let r = committee
        .post(&format!("{item}/ballots"), &open("", "2027-11-27 09:00"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    crate::common::ballots::noticed(&committee, &item, "residents").await;
    committee
        .post_ok(&format!("{item}/ballots"), &open("", "2027-11-26 09:00"))
        .await;
}
both!(a_ballots_opening_or_closing_out_of_range_is_refused);

/// The date of a 四议两公开 step is a typed date like any other: one far from today is refused
/// on the form and records nothing, and the same step with a sane date is then accepted.
async fn a_deliberation_step_dated_far_from_today_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = committee
        .post_ok(
            "/c/liutang/items",
            &[
                ("title", "村口小桥加固"),
                ("body", "内容"),
                ("category", "economy"),
                ("major", "on"),
            ],
        )
        .await;
    let steps = format!("{item}/steps");
    let step = |held_on: &'static str| {
        vec![
            ("step", "proposal"),
            ("held_on", held_on),
            ("body", "支部会议"),
            ("expected", "7"),
            ("present", "7"),
            ("outcome", "同意"),
        ]
    };
    for far in ["0001-01-01", "2099-01-01"] {
        let refused = committee.post(&steps, &step(far)).await;
        assert_eq!(refused.status, 422, "{far}: {}", refused.body);
    }
    let ok = committee.post(&steps, &step("2026-11-20")).await;
    assert_eq!(ok.status, 303, "nothing was recorded before: {}", ok.body);
}
both!(a_deliberation_step_dated_far_from_today_is_refused);
