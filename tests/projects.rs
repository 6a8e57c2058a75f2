//! Projects (一项一码), the power list (小微权力清单) and disbursements: the project page gathers
//! its decision, orders and payments with spending against budget; payments above a threshold
//! need a passed decision of a high enough body, or a published emergency override that the
//! supervisors are told of; refusals name the rule and store nothing but the refusal; payments
//! are logged and verify; QR codes read back to the project's address; open data; triggers.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::both;
use crate::common::steps::{
    assert_the_log_verifies, demo_committee, passed_decision, qr_text, query,
};
use crate::common::{spawn_app, Backend, TestApp};

const PROJECT: &str = "/p/LT-2026-001";
const ROAD: &str = "柳塘村三组至五组道路硬化工程";
const PAY: &str = "/c/liutang/projects/LT-2026-001/disbursements";

async fn count_disbursements(app: &TestApp) -> i64 {
    use yishi::schema::disbursements;
    query(app, |c| disbursements::table.count().get_result(c)).await
}

async fn count_refusals(app: &TestApp) -> i64 {
    use yishi::schema::spend_refusals;
    query(app, |c| spend_refusals::table.count().get_result(c)).await
}

/// A passed decision of 柳塘村 made by `body`.
async fn decision_by(app: &TestApp, body: &'static str) -> String {
    passed_decision(app, "liutang", body, "").await
}

fn payment<'a>(amount: &'a str, payee: &'a str, decision: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("amount", amount),
        ("paid_on", "2026-11-25"),
        ("payee", payee),
        ("voucher", "LT记-2026-140"),
        ("decision", decision),
    ]
}

async fn the_project_page_gathers_decision_orders_and_payments(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let page = app.client().get(PROJECT).await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    assert!(b.contains("柳塘村三组至五组道路硬化工程"));
    assert!(b.contains("县公路工程队"), "the contractor");
    assert!(
        b.contains("/c/liutang/decisions/"),
        "the approving decision"
    );
    assert!(b.contains("三组路段路基整平和碾压"), "its work orders");
    assert!(b.contains("四组至五组路段浇筑混凝土"));
    assert!(b.contains("120,000.00") && b.contains("85,600.00") && b.contains("3,200.00"));
    // 209,800 of 380,000 spent: 55%.
    assert!(b.contains("209,800.00") && b.contains("380,000.00"), "{b}");
    assert!(b.contains("(55%)"));
    assert!(
        b.contains("/log/entries/"),
        "each payment links to its log entry"
    );
    assert!(
        !b.contains("/disbursements\""),
        "no payment form for visitors"
    );

    // The list shows the bar, the payment's own page its leaf.
    let list = app.client().get("/c/liutang/projects").await;
    assert!(list.body.contains("<meter") && list.body.contains(PROJECT));
    let d = app.client().get("/c/liutang/disbursements/1").await;
    assert_eq!(d.status, 200);
    assert!(d.body.contains("id=\"log-entry\"") && d.body.contains("/log/entries/"));

    // The demo's refused payment is shown to supervisors, naming the rule.
    let sup = app.signed_in(&demo.contact("supervisor")).await;
    let dash = sup.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("大额资金支出"), "{}", dash.body);
}
both!(the_project_page_gathers_decision_orders_and_payments);

async fn a_payment_above_a_threshold_without_a_decision_is_refused_naming_the_rule(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let (paid, refused) = (count_disbursements(&app).await, count_refusals(&app).await);
    let r = client
        .post(PAY, &payment("60,000", "县公路工程队第二期", ""))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("须经村民会议决议（权力清单第 4 项“大额资金支出”，金额标准 50,000.00 元）"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("县公路工程队第二期"),
        "what was typed is kept"
    );
    assert_eq!(count_disbursements(&app).await, paid, "nothing paid");
    assert_eq!(
        count_refusals(&app).await,
        refused + 1,
        "the refusal is kept"
    );
}
both!(a_payment_above_a_threshold_without_a_decision_is_refused_naming_the_rule);

async fn a_payment_citing_a_passed_decision_of_the_right_body_is_logged(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let road = passed_decision(&app, "liutang", "residents", ROAD).await;
    client
        .post_ok_to(
            PAY,
            &payment("60000", "县公路工程队", &road),
            &format!("{PROJECT}?done=paid"),
        )
        .await;
    let page = client.get(PROJECT).await;
    assert!(page.body.contains("269,800.00"), "spent goes up");

    // The leaf is in the log with the record's content, and the whole log verifies.
    use yishi::schema::disbursements;
    let id: i64 = query(&app, |c| {
        disbursements::table
            .select(disbursements::id)
            .order(disbursements::id.desc())
            .first(c)
    })
    .await;
    let records: Vec<yishi::transparency::handlers::RecordOut> =
        serde_json::from_str(&client.get("/log/records?from=0&count=256").await.body)
            .expect("records");
    let leaf = records
        .iter()
        .find(|r| r.link.as_deref() == Some(&format!("/c/liutang/disbursements/{id}")))
        .expect("a leaf for the payment");
    assert!(leaf.entry.contains("disbursement"));
    let content = leaf.content.as_deref().expect("content");
    assert!(
        content.contains("\"amount_fen\":6000000")
            && content.contains(&format!("\"decision\":{road}"))
    );
    let shown = client.get(&format!("/c/liutang/disbursements/{id}")).await;
    assert!(shown.body.contains(&format!("/log/entries/{}", leaf.index)));

    assert_the_log_verifies(&app).await;
}
both!(a_payment_citing_a_passed_decision_of_the_right_body_is_logged);

async fn a_decision_of_too_low_a_body_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let cleaning = decision_by(&app, "committee").await;
    let paid = count_disbursements(&app).await;
    let r = client
        .post(PAY, &payment("6000", "东溪镇建材经营部", &cleaning))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("所选的决议是两委会作出的，不够。这笔支出须经村民代表会议决议（权力清单第 3 项“工程建设”，金额标准 5,000.00 元）"),
        "{}",
        r.body
    );
    assert_eq!(count_disbursements(&app).await, paid);
    // Within the committee's own power, no decision is needed (with the project's 4,200
    // yuan paid without one, up to 799.99).
    let r = client
        .post(PAY, &payment("799.99", "东溪镇五金店", ""))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both!(a_decision_of_too_low_a_body_is_refused);

async fn an_emergency_override_needs_a_reason_and_is_flagged_to_supervisors(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let client = app.signed_in(&demo.contact("committee")).await;
    let mut short = payment("8000", "县公路工程队", "");
    short.push(("override_reason", "下雨了"));
    let r = client.post(PAY, &short).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("理由写得太简单了"), "{}", r.body);
    let paid = count_disbursements(&app).await;

    let mut good = payment("8000", "县公路工程队", "");
    let reason = "暴雨冲垮三组路段排水沟，当晚抢修，来不及召开村民代表会议，事后补开。";
    good.push(("override_reason", reason));
    let r = client.post(PAY, &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(count_disbursements(&app).await, paid + 1);
    let page = client.get(PROJECT).await;
    assert!(page.body.contains("紧急支出"));

    use yishi::schema::{memberships, notifications};
    let told: i64 = query(&app, |c| {
        notifications::table
            .filter(notifications::kind.eq("spend_override"))
            .count()
            .get_result(c)
    })
    .await;
    let supervisors: i64 = query(&app, |c| {
        memberships::table
            .inner_join(
                yishi::schema::communities::table
                    .on(yishi::schema::communities::id.eq(memberships::community_id)),
            )
            .filter(yishi::schema::communities::slug.eq("liutang"))
            .filter(memberships::role.eq("supervisor"))
            .count()
            .get_result(c)
    })
    .await;
    assert!(supervisors > 0);
    // The demo's greenhouse repair (story 10) told them once already.
    assert_eq!(told, 2 * supervisors, "every supervisor is told");
    let sup = app.signed_in(&demo.contact("supervisor")).await;
    let inbox = sup.get("/inbox").await;
    assert!(inbox.body.contains("紧急支出"), "{}", inbox.body);
    let dash = sup.get("/c/liutang/supervision").await;
    assert!(dash.body.contains(reason), "the dashboard lists it");
}
both!(an_emergency_override_needs_a_reason_and_is_flagged_to_supervisors);

async fn only_the_committee_records_payments(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let paid = count_disbursements(&app).await;
    for who in ["resident", "supervisor", "representative"] {
        let c = app.signed_in(&demo.contact(who)).await;
        let r = c.post(PAY, &payment("100", "某人", "")).await;
        assert_eq!(r.status, 403, "{who}");
    }
    let r = app.client().post(PAY, &payment("100", "某人", "")).await;
    assert!(r.location().starts_with("/signin"));
    assert_eq!(count_disbursements(&app).await, paid);
}
both!(only_the_committee_records_payments);

async fn the_qr_codes_read_back_to_the_project_address(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = app.client();
    let (status, ctype, png) = client.get_bytes(&format!("{PROJECT}/qr.png")).await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "image/png");
    assert_eq!(qr_text(&png), format!("{}{PROJECT}", app.base));

    let (status, ctype, svg) = client.get_bytes(&format!("{PROJECT}/qr.svg")).await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "image/svg+xml");
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let notice = client.get(&format!("{PROJECT}/notice")).await;
    assert_eq!(notice.status, 200);
    assert!(
        notice.body.contains("<svg") && notice.body.contains(&format!("{}{PROJECT}", app.base))
    );
    assert_eq!(client.get("/p/LT-2026-999").await.status, 404);
    let typed = client.get("/p/lt-2026-1").await;
    assert_eq!(typed.status, 303);
    assert_eq!(typed.location(), PROJECT);
}
both!(the_qr_codes_read_back_to_the_project_address);

async fn projects_and_payments_are_open_data(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let client = app.client();
    let csv = client.get("/c/liutang/projects.csv").await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    let mut lines = csv.body.lines();
    assert!(lines
        .next()
        .expect("header")
        .starts_with("code,title,budget_fen"));
    let row = lines.next().expect("a row");
    assert!(
        row.starts_with("LT-2026-001,") && row.contains(",38000000,380000.00,20980000,"),
        "{row}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&client.get("/c/liutang/projects.json").await.body).expect("json");
    assert_eq!(json["projects"][0]["spent_fen"], 20_980_000);
    let csv = client.get("/c/liutang/disbursements.csv").await;
    // The header, the road's four payments and the greenhouse's emergency payment.
    assert_eq!(csv.body.lines().count(), 6, "{}", csv.body);
    assert!(csv.body.contains(",12000000,120000.00,县公路工程队,"));
    let json: serde_json::Value =
        serde_json::from_str(&client.get("/c/liutang/disbursements.json").await.body)
            .expect("json");
    // The road's four payments and the greenhouse's emergency payment (LT-2026-002).
    let all = json["disbursements"].as_array().expect("a list");
    assert_eq!(all.len(), 5);
    let road = all.iter().filter(|d| d["project"] == "LT-2026-001").count();
    assert_eq!(road, 4);
}
both!(projects_and_payments_are_open_data);

async fn a_work_order_budget_above_the_threshold_needs_a_high_enough_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let cleaning = decision_by(&app, "committee").await;
    let path = format!("/c/liutang/decisions/{cleaning}/orders");
    let fields = [
        ("title", "河道保洁合同首期"),
        ("budget", "8000"),
        ("due", "2026-12-31"),
    ];
    let r = client.post(&path, &fields).await;
    assert_eq!(r.status, 303);
    assert!(r.location().contains("refusal="), "{}", r.location());
    let page = client.get(r.location()).await;
    assert!(
        page.body
            .contains("须经村民代表会议决议（权力清单第 2 项“工单经费”，金额标准 5,000.00 元）"),
        "{}",
        page.body
    );
    use yishi::schema::work_orders;
    let made: i64 = query(&app, |c| {
        work_orders::table
            .filter(work_orders::title.eq("河道保洁合同首期"))
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(made, 0);
    // Within the list's threshold the committee's decision is enough.
    let small = [
        ("title", "河道保洁工具"),
        ("budget", "800"),
        ("due", "2026-12-31"),
    ];
    let r = client.post(&path, &small).await;
    assert!(r.location().contains("/orders/"), "{}", r.location());

    // An emergency needs a real reason; with one the order is made, the reason published on
    // it and in its log leaf, and the supervisors are told.
    let mut urgent = fields.to_vec();
    urgent.push(("override_reason", "太急"));
    let r = client.post(&path, &urgent).await;
    assert_eq!(r.status, 422, "refused on the form, what was typed kept");
    assert!(r.body.contains("至少写 10 个字") && r.body.contains("value=\"河道保洁合同首期\""));
    urgent.pop();
    urgent.push((
        "override_reason",
        "暴雨冲垮河堤，保洁船必须今天下水清理漂浮物，来不及开会",
    ));
    let r = client.post(&path, &urgent).await;
    assert!(r.location().contains("/orders/"), "{}", r.location());
    let order = client.get(r.location()).await;
    assert!(order.body.contains("暴雨冲垮河堤") && order.body.contains("id=\"emergency\""));
    let demo_supervisor = app.signed_in("13810000010").await;
    assert!(demo_supervisor
        .get("/inbox")
        .await
        .body
        .contains("紧急情况"));
    let dash = demo_supervisor.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("河道保洁合同首期"));
    let records = app.client().get("/log/records?from=0&count=256").await;
    assert!(
        records.body.contains("override_reason"),
        "the reason is in the leaf's content"
    );
}
both!(a_work_order_budget_above_the_threshold_needs_a_high_enough_decision);

async fn the_committee_registers_projects_and_powers(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let road = decision_by(&app, "residents").await;
    let fields = [
        ("prefix", "lt"),
        ("title", "村南路灯安装"),
        ("announcement", "安装太阳能路灯40盏。"),
        ("budget", "62,000"),
        ("contractor", "东溪镇照明工程部"),
        ("planned_start", "2026-12-01"),
        ("planned_end", "2027-01-31"),
        ("decision", road.as_str()),
    ];
    let r = client.post("/c/liutang/projects", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/p/LT-2026-003?done=created");
    let page = client.get("/p/LT-2026-003").await;
    assert!(page.body.contains("村南路灯安装") && page.body.contains(&format!("decisions/{road}")));

    // A taken code and bad dates are named, with what was typed kept.
    let mut bad = fields.to_vec();
    bad.push(("code", "lt-2026-1"));
    bad[6] = ("planned_end", "2026-11-01");
    let r = client.post("/c/liutang/projects", &bad).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("计划完工日期不能早于计划开工日期"),
        "{}",
        r.body
    );
    assert!(r.body.contains("村南路灯安装"));
    bad[6] = ("planned_end", "2027-01-31");
    let r = client.post("/c/liutang/projects", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("这个项目编号已经有人用了"), "{}", r.body);

    // Registering a project is its contract: above 50,000 it needs a villagers' meeting's
    // decision (the demo's power list, item 1), and the refusal is kept.
    let cleaning = decision_by(&app, "committee").await;
    let mut contract = fields.to_vec();
    contract[1] = ("title", "村委会办公楼修缮");
    contract[7] = ("decision", cleaning.as_str());
    let refused = count_refusals(&app).await;
    let r = client.post("/c/liutang/projects", &contract).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains(
            "须经村民会议决议（权力清单第 1 项“工程项目立项和承包”，金额标准 50,000.00 元）"
        ),
        "{}",
        r.body
    );
    assert_eq!(count_refusals(&app).await, refused + 1);
    contract[3] = ("budget", "48,000");
    let r = client.post("/c/liutang/projects", &contract).await;
    assert_eq!(r.status, 303, "within the committee's power: {}", r.body);

    // The power list: a new row with the same number changes an item.
    let power = [
        ("code", "3"),
        ("name", "工程建设"),
        ("kind", "disbursement"),
        ("body", "representatives"),
        ("threshold", "10000"),
        ("procedure", "村民代表会议决议"),
        ("comparison", "at_least"),
        ("decision", road.as_str()),
    ];
    let r = client.post("/c/liutang/powers", &power).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = client.get("/c/liutang/powers").await;
    assert!(list.body.contains("10,000.00"));
    let r = client
        .post(
            "/c/liutang/powers",
            &[
                ("code", ""),
                ("name", ""),
                ("kind", "x"),
                ("threshold", "-5"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写这项权力的名称"), "{}", r.body);
    // A payment of 5,000 made from today, when the change is in force, needs no decision
    // (with the 4,200 paid without one, 9,200 is under 10,000).
    let mut paid_today = payment("5000", "东溪镇五金店", "");
    paid_today[1] = ("paid_on", "2026-11-26");
    let r = client.post(PAY, &paid_today).await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both!(the_committee_registers_projects_and_powers);

async fn the_database_refuses_to_change_a_payment(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    assert!(conn
        .batch_execute("UPDATE disbursements SET amount_fen = 1")
        .is_err());
    assert!(conn.batch_execute("DELETE FROM disbursements").is_err());
    assert!(conn
        .batch_execute("UPDATE spend_refusals SET amount_fen = 1")
        .is_err());
    assert!(conn.batch_execute("DELETE FROM powers").is_err());
}
both!(the_database_refuses_to_change_a_payment);

async fn the_committee_records_actual_dates_and_links_decisions(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let update = "/c/liutang/projects/LT-2026-001/update";
    let r = client
        .post(
            update,
            &[("actual_start", "2026-11-27"), ("actual_end", "2026-11-20")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("实际完工日期不能早于实际开工日期"),
        "{}",
        r.body
    );
    let cleaning = decision_by(&app, "committee").await;
    let r = client
        .post(
            update,
            &[
                ("actual_start", "2026-11-25"),
                ("actual_end", "2026-11-26"),
                ("decision", cleaning.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = client.get(PROJECT).await;
    assert!(
        page.body.contains("按期完工"),
        "finished before the planned end"
    );
    assert!(page
        .body
        .contains(&format!("/c/liutang/decisions/{cleaning}")));

    // A payment dated in the future is refused.
    let mut later = payment("100", "东溪镇五金店", "");
    later[1] = ("paid_on", "2026-12-31");
    let r = client.post(PAY, &later).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("付款日期不能晚于今天"), "{}", r.body);
}
both!(the_committee_records_actual_dates_and_links_decisions);

async fn a_payment_that_adds_up_with_earlier_ones_to_the_threshold_is_refused_naming_them(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let client = app.signed_in(&demo.contact("committee")).await;
    let refused = count_refusals(&app).await;
    // The demo paid 东溪镇交通设施店 3,200 (#3) and 1,000 (#4) yuan without a decision;
    // 800 more makes 5,000, which item 3 of the list (5,000 以上) puts to the representatives.
    let r = client
        .post(PAY, &payment("800", "东溪镇交通设施店", ""))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("¥3,200.00 (#3) + ¥1,000.00 (#4)") && r.body.contains("累计 5,000.00 元"),
        "the refusal names the payments it adds up with: {}",
        r.body
    );
    assert_eq!(count_refusals(&app).await, refused + 1);
    // The supervisors read the same refusal, said again from what was stored.
    let sup = app.signed_in(&demo.contact("supervisor")).await;
    let dash = sup.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("¥3,200.00 (#3) + ¥1,000.00 (#4)"));
    // One fen less stays within the committee's power.
    let r = client
        .post(PAY, &payment("799.99", "东溪镇交通设施店", ""))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both!(a_payment_that_adds_up_with_earlier_ones_to_the_threshold_is_refused_naming_them);

async fn a_payment_may_cite_only_a_decision_about_its_project(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = demo_committee(&app).await;
    let paid = count_disbursements(&app).await;
    // The villagers' meeting passed the power list: the right body, but not about this road.
    let list = passed_decision(&app, "liutang", "residents", "通过《柳塘村小微权力清单》").await;
    let r = client
        .post(PAY, &payment("60000", "县公路工程队", &list))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("所选的决议（第 {list} 号）说的不是这个项目")),
        "{}",
        r.body
    );
    assert_eq!(count_disbursements(&app).await, paid, "nothing paid");
}
both!(a_payment_may_cite_only_a_decision_about_its_project);

async fn a_supervisor_reviews_a_voucher_or_raises_a_query_that_becomes_an_inquiry(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // The demo's supervisors signed the two payments the decision covers; the shop's two
    // small payments and the greenhouse's emergency payment wait, and eleven days on they
    // are listed for the supervisors.
    let page = app.client().get(PROJECT).await;
    assert!(page.body.contains("监委会已审查签署"), "{}", page.body);
    assert!(page.body.contains("监委会未审查"));
    app.clock.advance(chrono::Duration::days(11));
    let sup = app.signed_in(&demo.contact("supervisor")).await;
    let dash = sup.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("待审查的支出凭证 (3)"), "{}", dash.body);

    // A resident may not review; a supervisor's empty note is refused.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let r = resident
        .post(
            "/c/liutang/disbursements/3/review",
            &[("verdict", "reviewed"), ("note", "看过了")],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = sup
        .post(
            "/c/liutang/disbursements/3/review",
            &[("verdict", "reviewed"), ("note", "  ")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("请选择审查意见"));

    sup.post_ok(
        "/c/liutang/disbursements/3/review",
        &[("verdict", "reviewed"), ("note", "发票与入库单相符。")],
    )
    .await;
    sup.post_ok(
        "/c/liutang/disbursements/4/review",
        &[
            ("verdict", "queried"),
            ("note", "同一商店三天内两次付款，请说明是否拆分支付。"),
        ],
    )
    .await;

    let shown = app.client().get("/c/liutang/disbursements/4").await;
    assert!(shown.body.contains("监委会提出质疑") && shown.body.contains("/c/liutang/inquiries/"));
    let inquiries = app.client().get("/c/liutang/inquiries").await;
    assert!(
        inquiries.body.contains("同一商店三天内两次付款"),
        "the query is an inquiry"
    );
    let dash = sup.get("/c/liutang/supervision").await;
    // The greenhouse's emergency payment still waits.
    assert!(dash.body.contains("待审查的支出凭证 (1)"), "{}", dash.body);
}
both!(a_supervisor_reviews_a_voucher_or_raises_a_query_that_becomes_an_inquiry);
