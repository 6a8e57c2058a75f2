//! The demo tells its stories (DEMO-STORIES.md, #15): after loading the demo, each story's
//! pages answer over HTTP, as the role that reads them, with the story's facts.

use crate::both;
use crate::common::steps::count_sql;
use crate::common::{spawn_app, Backend, TestApp};

const ROAD: &str = "柳塘村三组至五组道路硬化工程";

/// The id of the first row `sql` (a `SELECT … AS n`) finds.
async fn id_of(app: &TestApp, sql: &str) -> i64 {
    count_sql(app, sql.to_string()).await
}

/// Whether `html` holds an 18-character mainland ID number: 17 digits and a digit or X, as
/// a whole word (so hex digests, which carry letters, never count).
fn has_id_number(html: &str) -> bool {
    html.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        w.len() == 18
            && w[..17].bytes().all(|b| b.is_ascii_digit())
            && matches!(w.as_bytes()[17], b'0'..=b'9' | b'X' | b'x')
    })
}

/// Story 3: the stairwell lights have their 一项一码 page, budget, contractor, batches, two
/// payments and a printable QR notice.
async fn the_stairwell_lights_have_their_project_page(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let page = app.client().get("/p/XH-2026-002").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("兴和小区楼道声控灯更换工程"));
    assert!(b.contains("195,000.00"), "the budget");
    assert!(b.contains("兴和照明工程有限公司"), "the contractor");
    for batch in ["1—12栋", "13—24栋", "25—36栋", "37—46栋"] {
        assert!(b.contains(&format!("{batch}楼道声控灯更换")), "{batch}");
    }
    assert!(
        b.contains("58,500.00") && b.contains("78,000.00"),
        "two payments"
    );
    let notice = app.client().get("/p/XH-2026-002/notice").await;
    assert_eq!(notice.status, 200);
    assert!(notice.body.contains("<svg") && notice.body.contains("/p/XH-2026-002"));
    let (status, ct, png) = app.client().get_bytes("/p/XH-2026-002/qr.png").await;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    assert!(crate::common::steps::qr_text(&png).ends_with("/p/XH-2026-002"));

    // With the demo's pictures (as `serve --demo` draws them), the batches done and the one
    // under way show photos; the batch only assigned has none yet.
    let (dir, now) = (
        app.state.config.data_dir(),
        yishi::clock::Clock::now(&*app.clock),
    );
    app.state
        .db(move |conn| yishi::work_orders::demo_photos::add(conn, &dir, now))
        .await
        .expect("demo photos");
    let page = app.client().get("/p/XH-2026-002").await.body;
    for (batch, photos) in [
        ("1—12栋", true),
        ("13—24栋", true),
        ("25—36栋", true),
        ("37—46栋", false),
    ] {
        let li = page
            .split(&format!("{batch}楼道声控灯更换"))
            .nth(1)
            .and_then(|s| s.split("</li>").next())
            .unwrap_or_default();
        assert_eq!(li.contains("class=\"photos\""), photos, "{batch}: {li}");
    }
}
both!(the_stairwell_lights_have_their_project_page);

/// Story 1: the parking decision is followed by its three work orders.
async fn the_parking_decision_is_followed_by_work_orders(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let page = app.client().get("/p/XH-2026-001").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    assert!(
        b.contains("/c/xinghe/decisions/"),
        "the decision it follows"
    );
    for t in ["重新设计小区入口", "安装道闸系统", "施划停车位标线"] {
        assert!(b.contains(t), "{t}");
    }
    let from_decision = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM work_orders w JOIN decisions d ON d.id = w.decision_id \
         JOIN agenda_items i ON i.id = d.item_id WHERE i.title LIKE '兴和小区停车难%'"
            .into(),
    )
    .await;
    assert_eq!(from_decision, 3);
}
both!(the_parking_decision_is_followed_by_work_orders);

/// Story 4: the item, its decision's project and notice give the road the same length and cost.
async fn the_road_figures_agree_on_item_and_notice(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let item = id_of(
        &app,
        &format!("SELECT MIN(id) AS n FROM agenda_items WHERE title LIKE '{ROAD}%'"),
    )
    .await;
    let client = app.client();
    let pages = [
        client.get(&format!("/c/liutang/items/{item}")).await,
        client.get("/p/LT-2026-001").await,
        client.get("/p/LT-2026-001/notice").await,
    ];
    for p in &pages {
        assert_eq!(p.status, 200);
        assert!(p.body.contains("1.2公里"), "{}", p.body);
        assert!(p.body.contains("38万元"), "{}", p.body);
        assert!(!p.body.contains("2.3公里") && !p.body.contains("38.6万"));
    }
    assert!(pages[1].body.contains("380,000.00"), "the budget in yuan");
}
both!(the_road_figures_agree_on_item_and_notice);

/// Story 6: the subsidy list names its recipients and amounts, and no ID or phone number.
async fn the_subsidy_list_names_people_without_id_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let id = id_of(
        &app,
        "SELECT MIN(disclosure_id) AS n FROM disclosure_versions WHERE title LIKE '%高龄补贴%'",
    )
    .await;
    let page = app
        .client()
        .get(&format!("/c/liutang/disclosures/{id}"))
        .await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    for name in ["王德福", "刘水娣", "黄守田"] {
        assert!(b.contains(name), "{name}");
    }
    assert!(b.contains("高龄补贴") && b.contains("2,280.00"));
    assert!(!has_id_number(b), "an ID number is shown");
    assert!(!b.contains("13810"), "a phone number is shown");
}
both!(the_subsidy_list_names_people_without_id_numbers);

#[test]
fn an_id_number_is_spotted_and_a_digest_is_not() {
    assert!(has_id_number("<td>11010519491231002X</td>"));
    assert!(has_id_number("身份证 110105194912310021。"));
    assert!(!has_id_number(
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    ));
    assert!(!has_id_number("13810000000"));
}

/// Story 10: the greenhouse payment is refused without a decision, then paid after the storm
/// with a published reason the supervisors see.
async fn the_greenhouse_is_refused_then_paid_in_an_emergency(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let page = supervisor.get("/c/liutang/supervision").await;
    assert_eq!(page.status, 200);
    let b = &page.body;
    let overrides = &b[b.find("id=\"overrides\"").expect("overrides")..];
    assert!(overrides.contains("LT-2026-002") && overrides.contains("68,000.00"));
    assert!(overrides.contains("暴雨大风"), "the written reason");
    let refusals = &b[b.find("id=\"refusals\"").expect("refusals")..];
    assert!(refusals.contains("68,000.00"), "the refusal");
    let told = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'spend_override'".into(),
    )
    .await;
    assert_eq!(told, 3, "each of the three supervisors is told");
    let project = app.client().get("/p/LT-2026-002").await;
    assert!(project.body.contains("68,000.00"));
}
both!(the_greenhouse_is_refused_then_paid_in_an_emergency);

/// Story 9: the supervisor's inquiry on the road's second instalment, answered within the week.
async fn the_supervisor_asks_about_the_second_instalment(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    // As `serve --demo` does after loading: the acceptance record is drawn and attached.
    let (dir, now) = (
        app.state.config.data_dir(),
        yishi::clock::Clock::now(&*app.clock),
    );
    let attached = app
        .state
        .db(move |conn| yishi::inquiries::files::demo_attach(conn, &dir, now))
        .await
        .expect("attach");
    assert_eq!(attached, 1);
    let id = id_of(
        &app,
        "SELECT MIN(id) AS n FROM inquiries WHERE subject_kind = 'disbursement'",
    )
    .await;
    let page = app
        .client()
        .get(&format!("/c/liutang/inquiries/{id}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("为什么先付款"), "the question");
    assert!(page.body.contains("中间验收"), "the answer");
    assert!(
        page.body.contains("三组路段中间验收记录"),
        "the attachment's label"
    );
    let at = page
        .body
        .find("href=\"/photos/")
        .expect("the attachment's link")
        + 6;
    let href = &page.body[at..];
    let href = &href[..href.find('"').expect("quote")];
    let (status, ct, bytes) = app.client().get_bytes(href).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("image/") && !bytes.is_empty(), "{ct}");
    let within_week = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM inquiry_answers a JOIN inquiries q ON q.id = a.inquiry_id \
             WHERE q.id = {id} AND a.answered_at <= q.due_at"
        ),
    )
    .await;
    assert_eq!(within_week, 1);
}
both!(the_supervisor_asks_about_the_second_instalment);

/// #14's demo: a payment refused because it adds up with two earlier ones, a supervisor's
/// voucher review, a month's published bulletin with a follow-up call, an order sent up to
/// 东溪镇 and taken by township staff, and another the township finished (东溪镇（已办结）).
async fn the_supervisors_month_and_the_township_show(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let road = supervisor.get("/p/LT-2026-001").await;
    let refusals = &road.body[road.body.find("id=\"refusals\"").expect("refusals")..];
    assert!(
        refusals.contains("累计"),
        "the split payment adds up: {refusals}"
    );
    // With the two earlier payments no decision covers, named with their amounts.
    for named in ["3,200.00", "1,000.00", "5,000.00"] {
        assert!(refusals.contains(named), "{named}: {refusals}");
    }
    let reviewed = id_of(
        &app,
        "SELECT MIN(d.id) AS n FROM disbursements d WHERE d.voucher = 'LT记-2026-118'",
    )
    .await;
    let voucher = supervisor
        .get(&format!("/c/liutang/disbursements/{reviewed}"))
        .await;
    assert!(
        voucher.body.contains("凭证、合同、验收单齐全"),
        "the review"
    );
    let bulletin = id_of(
        &app,
        "SELECT MIN(disclosure_id) AS n FROM disclosure_versions WHERE title LIKE '%工单月度通报'",
    )
    .await;
    let page = app
        .client()
        .get(&format!("/c/liutang/disclosures/{bulletin}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("工单月度通报"));
    let calls = count_sql(&app, "SELECT COUNT(*) AS n FROM followup_calls".into()).await;
    assert!(calls >= 1, "a follow-up call is recorded");
    let culvert = id_of(
        &app,
        "SELECT MIN(id) AS n FROM work_orders WHERE title = '县道涵洞开裂渗水'",
    )
    .await;
    let order = app
        .client()
        .get(&format!("/c/liutang/orders/{culvert}"))
        .await;
    assert_eq!(order.status, 200);
    assert!(order.body.contains("东溪镇"), "sent up to the township");
    let shown = crate::common::page::text_by_id(&order.body, "upward-state").expect("its state");
    assert_eq!(shown.trim(), "乡镇已受理", "taken by the township's staff");
    // And one the township finished: sent up, taken, done by its staff and confirmed.
    let railing = id_of(
        &app,
        "SELECT MIN(id) AS n FROM work_orders WHERE title = '镇道桥头护栏被撞断'",
    )
    .await;
    let order = app
        .client()
        .get(&format!("/c/liutang/orders/{railing}"))
        .await;
    assert_eq!(order.status, 200);
    let shown = crate::common::page::text_by_id(&order.body, "upward-state").expect("its state");
    assert_eq!(shown.trim(), "东溪镇（已办结）");
    assert!(
        order.body.contains("（东溪镇）"),
        "the staff's steps name the township"
    );
    assert!(order.body.contains("镇交通办已整段更换桥头护栏"));
    let done = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM order_escalations WHERE order_id = {railing} AND state = 'done'"),
    )
    .await;
    assert_eq!(done, 1);
}
both!(the_supervisors_month_and_the_township_show);

/// The path of the first `/photos/…` link in `html` after `from`.
fn photo_after(html: &str, from: &str) -> String {
    let rest = &html[html.find(from).unwrap_or_else(|| panic!("no {from}"))..];
    let at = rest.find("href=\"/photos/").expect("a photo link") + 6;
    let href = &rest[at..];
    href[..href.find('"').expect("quote")].to_string()
}

/// Story 4: the road's villagers' meeting was counted in the hall; its decision shows the
/// photo of the signed tally sheet (计票单) and the project page its acceptance (验收): the
/// day, who inspected and signed, their findings and the signed record.
async fn the_road_shows_its_tally_sheet_and_acceptance(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let decision = id_of(
        &app,
        &format!(
            "SELECT MIN(d.id) AS n FROM decisions d JOIN agenda_items i ON i.id = d.item_id \
             WHERE i.title LIKE '{ROAD}%' AND d.photo IS NOT NULL"
        ),
    )
    .await;
    assert!(decision > 0, "the hall decision carries the tally sheet");
    let page = app
        .client()
        .get(&format!("/c/liutang/decisions/{decision}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("alt=\"计票单照片\""), "{}", page.body);
    let (status, ct, bytes) = app.client().get_bytes(&photo_after(&page.body, "")).await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
    assert!(!bytes.is_empty());

    let road = app.client().get("/p/LT-2026-001").await;
    assert_eq!(road.status, 200);
    let b = &road.body;
    let acceptance = &b[b.find("id=\"acceptance\"").expect("the acceptance section")..];
    let acceptance = &acceptance[..acceptance.find("</section>").expect("its end")];
    assert!(acceptance.contains("验收合格"), "{acceptance}");
    assert!(acceptance.contains("县公路工程队") && acceptance.contains("村务监督委员会"));
    let accepted_on = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM project_acceptances a JOIN projects p ON p.id = a.project_id \
         WHERE p.code = 'LT-2026-001' AND a.accepted_on = p.actual_end"
            .into(),
    )
    .await;
    assert_eq!(accepted_on, 1, "accepted once, on the day the work ended");
    let day = id_of(
        &app,
        "SELECT COUNT(*) AS n FROM projects WHERE code = 'LT-2026-001' AND actual_end IS NOT NULL",
    )
    .await;
    assert_eq!(day, 1);
    let (status, ct, _) = app
        .client()
        .get_bytes(&photo_after(acceptance, "id=\"acceptance\""))
        .await;
    assert_eq!((status, ct.as_str()), (200, "image/jpeg"));
}
both!(the_road_shows_its_tally_sheet_and_acceptance);

/// #13: on a fresh demo every committee member and representative is a person on the roster,
/// so the committee calls a representatives' meeting without being refused, and its roll is
/// exactly their persons.
async fn a_fresh_demo_calls_a_representatives_meeting(backend: Backend) {
    use crate::common::ballots::{deliberating_item, open_ballot, IN_TWO_DAYS};
    let app = spawn_app(backend).await;
    let committee = crate::common::steps::demo_committee(&app).await;
    let item = deliberating_item(&committee, "代表会议：村道路灯维修").await;
    let fields = [
        ("body", "representatives"),
        ("mode", "online"),
        ("closes_at", IN_TWO_DAYS),
    ];
    let ballot = open_ballot(&committee, &item, &fields).await;
    let id = crate::common::ballots::ballot_id(&ballot);
    let roll = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM ballot_roll WHERE ballot_id = {id}"),
    )
    .await;
    assert_eq!(roll, 13, "five committee members and eight representatives");
}
both!(a_fresh_demo_calls_a_representatives_meeting);

/// #13: the demo's villagers' and representatives' meetings count from the roster, and its
/// stories still hold: the parking plan, the road, the power list, the village rules and the
/// rubbish fee (a households' meeting in the hall) and the reconvened work plan pass; the harvest-time plan fails its quorum.
async fn the_demos_statutory_meetings_count_from_the_roster(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let by_accounts = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM ballots \
         WHERE body IN ('residents', 'representatives', 'households') AND roll = false"
            .into(),
    )
    .await;
    assert_eq!(by_accounts, 0, "a statutory meeting frozen from accounts");
    let verdict = |title: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM decisions d JOIN agenda_items i ON i.id = d.item_id \
             WHERE i.title LIKE '{title}%' AND d.verdict = 'passed' AND d.quorum_met = true"
        )
    };
    for title in [
        "兴和小区停车难",
        ROAD,
        "通过《柳塘村小微权力清单》",
        "修订村规民约",
        "生活垃圾清运费标准",
        "2027年村级年度工作计划（重新召集",
        "选举村务监督委员会成员",
        "推选居务监督委员会成员",
    ] {
        assert_eq!(count_sql(&app, verdict(title)).await, 1, "{title} passed");
    }
    let failed = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM decisions d JOIN agenda_items i ON i.id = d.item_id \
         WHERE i.title = '2027年村级年度工作计划' AND d.quorum_met = false"
            .into(),
    )
    .await;
    assert_eq!(failed, 1, "the harvest-time plan fails its quorum");
}
both!(the_demos_statutory_meetings_count_from_the_roster);

/// The numbers in the cells of the bulletin's row for grid `name`: received, resolved, ….
fn bulletin_row(html: &str, name: &str) -> Vec<String> {
    let head = format!("<th scope=\"row\">{name}");
    let row = &html[html.find(&head).unwrap_or_else(|| panic!("no row {name}"))..];
    let row = &row[..row.find("</tr>").expect("the row's end")];
    row.split("<td class=\"num\">")
        .skip(1)
        .map(|c| c[..c.find('<').unwrap_or(c.len())].trim().to_string())
        .collect()
}

/// #14: the demo's reopened order (the canal railing, 四组) had its completion cleared when it
/// was sent back, so the month's bulletin counts it received and not resolved.
async fn the_demo_bulletin_counts_the_reopened_order_as_unresolved(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let reopened = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM work_orders WHERE title = '渠道护栏断了' \
         AND state = 'reopened' AND completed_at IS NULL"
            .into(),
    )
    .await;
    assert_eq!(reopened, 1, "reopening clears the completion");
    let in_grid = |done: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM work_orders w JOIN grids g ON g.id = w.grid_id \
             JOIN communities c ON c.id = w.community_id \
             WHERE c.slug = 'liutang' AND g.name = '四组' {done}"
        )
    };
    let received = count_sql(&app, in_grid("")).await;
    let resolved = count_sql(&app, in_grid("AND w.completed_at IS NOT NULL")).await;
    assert!(
        received > resolved,
        "{received} received, {resolved} resolved"
    );
    // The test clock starts on 2026-11-26: every demo order is of November.
    let page = app.client().get("/c/liutang/bulletin?month=2026-11").await;
    assert_eq!(page.status, 200);
    let row = bulletin_row(&page.body, "四组");
    assert_eq!(row[0], received.to_string(), "received: {row:?}");
    assert_eq!(row[1], resolved.to_string(), "resolved: {row:?}");
}
both!(the_demo_bulletin_counts_the_reopened_order_as_unresolved);

/// 村民委员会组织法 art. 32: every demo supervisor was elected by a passed decision of the
/// villagers' or representatives' meeting, which the residents page names and the
/// transparency log records; none shares a roster household with a committee member.
async fn every_demo_supervisor_cites_an_electing_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisors = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM memberships WHERE role = 'supervisor'".into(),
    )
    .await;
    assert!(supervisors >= 2, "{supervisors} supervisors");
    let uncited = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM memberships m WHERE m.role = 'supervisor' AND NOT EXISTS \
         (SELECT 1 FROM supervisor_appointments a JOIN decisions d ON d.id = a.decision_id \
         WHERE a.user_id = m.user_id AND a.community_id = m.community_id \
         AND a.action = 'appoint' AND d.community_id = m.community_id \
         AND d.verdict = 'passed' AND d.quorum_met = true \
         AND d.body IN ('residents', 'households', 'representatives'))"
            .into(),
    )
    .await;
    assert_eq!(uncited, 0, "a demo supervisor without an electing decision");
    let leaves = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM log_entries WHERE kind = 'supervisor_change'".into(),
    )
    .await;
    assert_eq!(leaves, supervisors, "each appointment is in the log");
    let shared = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons s JOIN memberships ms ON ms.user_id = s.user_id \
         AND ms.community_id = s.community_id AND ms.role = 'supervisor' \
         JOIN persons c ON c.household_id = s.household_id AND c.id <> s.id \
         JOIN memberships mc ON mc.user_id = c.user_id AND mc.community_id = c.community_id \
         AND mc.role = 'committee'"
            .into(),
    )
    .await;
    assert_eq!(shared, 0, "a supervisor in a committee member's household");

    let committee = app.signed_in(&demo.contact("committee")).await;
    for slug in ["liutang", "xinghe"] {
        let page = committee.get(&format!("/c/{slug}/residents")).await;
        if page.status != 200 {
            continue;
        }
        assert!(
            !page.body.contains("本规则实行前任命"),
            "{slug}: {}",
            page.body
        );
    }
    let page = committee.get("/c/liutang/residents").await;
    assert!(
        page.body
            .contains("推选决议 <a href=\"/c/liutang/decisions/"),
        "{}",
        page.body
    );
}
both!(every_demo_supervisor_cites_an_electing_decision);
