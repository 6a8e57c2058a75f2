//! The township (乡镇): a committee sends an order it cannot handle up to 东溪镇 with a
//! reason, the township's staff take it (due on the township's clock) or send it back with
//! instructions; the township's own page lists every village's orders with it, overdue
//! disclosures and late answers; its staff read their villages' supervision pages.

use crate::both;
use crate::common::steps::{count_sql, query, report};
use crate::common::{spawn_app, Backend, Client, TestApp, DEMO_PASSWORD};

const LIUTANG: &str = "(SELECT id FROM communities WHERE slug = 'liutang')";

/// The number in an order's path.
fn order_id(path: &str) -> i64 {
    path.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("an order id")
}

/// Rows of `kind` in the log.
async fn leaves(app: &TestApp, kind: &str) -> i64 {
    count_sql(
        app,
        format!("SELECT COUNT(*) AS n FROM log_entries WHERE kind = '{kind}'"),
    )
    .await
}

/// Notices of `kind` about order `id` to its reporter.
async fn told_reporter(app: &TestApp, id: i64, kind: &str) -> i64 {
    count_sql(
        app,
        format!(
            "SELECT COUNT(*) AS n FROM notifications n JOIN work_orders o ON o.reporter_id = n.user_id \
             WHERE o.id = {id} AND n.kind = '{kind}' AND n.link LIKE '%/orders/{id}'"
        ),
    )
    .await
}

/// The township's open sending up of order `id`: (state, due at).
async fn escalation(app: &TestApp, id: i64) -> Vec<(String, Option<chrono::NaiveDateTime>)> {
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::order_escalations as e;
        e::table
            .filter(e::order_id.eq(id))
            .order(e::id)
            .select((e::state, e::due_at))
            .load(conn)
    })
    .await
}

/// The working calendar as stored (the 2026 schedule the migration seeds, and changes).
async fn calendar(app: &TestApp) -> yishi::township::rules::Calendar {
    query(app, yishi::township::calendar::calendar).await
}

/// A resident's fresh report in 柳塘村; its path.
async fn fresh_order(app: &TestApp, demo: &crate::common::Demo, title: &str) -> String {
    let resident = app.signed_in(&demo.contact("resident")).await;
    report(&resident, title, &[]).await
}

/// The committee sends the order at `path` up, with `reason`.
async fn send_up(committee: &Client, path: &str, reason: &str) {
    let done = format!("{path}?done=sent_up");
    committee
        .post_ok_to(&format!("{path}/send-up"), &[("reason", reason)], &done)
        .await;
}

/// A second member of 东溪镇's staff (the demo prints one), signed in.
async fn second_staff(app: &TestApp) -> Client {
    let phone: String = query(app, |conn| {
        use diesel::prelude::*;
        use yishi::schema::{communities, memberships, users};
        users::table
            .inner_join(memberships::table.on(memberships::user_id.eq(users::id)))
            .inner_join(communities::table.on(communities::id.eq(memberships::community_id)))
            .filter(communities::slug.eq("dongxi"))
            .filter(memberships::role.eq("township"))
            .order(users::id.desc())
            .select(users::phone.assume_not_null())
            .first(conn)
    })
    .await;
    app.signed_in(&phone).await
}

/// Staff of another township, 北山镇, with no village of 东溪镇 under it.
async fn other_township_staff(app: &TestApp) -> Client {
    let c = app.client();
    c.sign_up_ok("13811112222", "北山镇干部", DEMO_PASSWORD)
        .await;
    let now = yishi::clock::Clock::now(&*app.clock);
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::users;
        let tid = yishi::communities::model::insert_community(
            conn,
            None,
            "township",
            "beishan",
            "北山镇",
            "",
            now,
        )?;
        let uid: i64 = users::table
            .filter(users::phone.eq("13811112222"))
            .select(users::id)
            .first(conn)?;
        yishi::communities::model::grant(
            conn,
            tid,
            uid,
            yishi::authz::Role::Township,
            None,
            None,
            now,
        )?;
        Ok(())
    })
    .await;
    app.signed_in("13811112222").await
}

both!(the_committee_sends_an_order_up_and_the_township_takes_it);
async fn the_committee_sends_an_order_up_and_the_township_takes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "县道边坡塌方").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    let township = app.signed_in(&demo.contact("township")).await;
    let logged = leaves(&app, "order_escalation").await;

    // Without a reason: refused at the field, nothing stored.
    let r = committee
        .post(&format!("{path}/send-up"), &[("reason", "   ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("请写明原因或处理意见"), "{}", r.body);
    assert!(escalation(&app, id).await.is_empty());

    // Township staff cannot take what was not sent up.
    let r = township.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("没有等待乡镇处理"), "{}", r.body);

    let reason = "塌方在县道上，需要镇里协调交通部门。";
    let r = committee
        .post(&format!("{path}/send-up"), &[("reason", reason)])
        .await;
    assert_eq!(r.location(), format!("{path}?done=sent_up"), "{}", r.body);
    // Sent up once: a second sending up is refused.
    let r = committee
        .post(&format!("{path}/send-up"), &[("reason", reason)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("已经在乡镇那里了"), "{}", r.body);

    let page = township.get(&path).await;
    assert!(page.body.contains(&format!("{path}/take")), "{}", page.body);
    app.clock.advance(chrono::Duration::hours(2));
    let taken_at = yishi::clock::Clock::now(&*app.clock);
    let r = township.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.location(), format!("{path}?done=taken"), "{}", r.body);
    let r = township.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "double take: {}", r.body);
    assert!(r.body.contains("已经有人受理或退回了"), "{}", r.body);

    // Due on the township's clock: five working days in Beijing.
    let due = yishi::township::rules::due(taken_at, &calendar(&app).await);
    assert_eq!(
        escalation(&app, id).await,
        vec![("taken".into(), Some(due))]
    );
    // The timeline shows each step: who, when, why; the reporter sees it.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let page = resident.get(&path).await;
    assert!(page.body.contains("上报乡镇"), "{}", page.body);
    assert!(page.body.contains("乡镇受理"), "{}", page.body);
    assert!(page.body.contains(reason), "{}", page.body);
    assert!(page.body.contains("乡镇已受理"), "{}", page.body);
    assert!(
        page.body.contains(&yishi::clock::fmt_deadline(&due)),
        "{}",
        page.body
    );
    assert_eq!(told_reporter(&app, id, "order_sent_up").await, 1);
    assert_eq!(told_reporter(&app, id, "order_taken").await, 1);
    // Each step a leaf in the log.
    assert_eq!(leaves(&app, "order_escalation").await, logged + 2);
}

both!(the_township_sends_an_order_back_with_instructions);
async fn the_township_sends_an_order_back_with_instructions(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "桥栏杆松了").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    let township = app.signed_in(&demo.contact("township")).await;
    send_up(&committee, &path, "需要镇里出钱").await;

    // Instructions are required; what was typed is kept when too long.
    let r = township
        .post(&format!("{path}/send-back"), &[("instructions", "")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let long = "修".repeat(2001);
    let r = township
        .post(&format!("{path}/send-back"), &[("instructions", &long)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&long), "what was typed is kept");
    assert_eq!(escalation(&app, id).await[0].0, "sent");

    let instructions = "栏杆维修属村里的小型维修，请用村级运维经费先修。";
    let r = township
        .post(
            &format!("{path}/send-back"),
            &[("instructions", instructions)],
        )
        .await;
    assert_eq!(r.location(), format!("{path}?done=sent_back"), "{}", r.body);
    assert_eq!(escalation(&app, id).await[0], ("returned".into(), None));
    let page = committee.get(&path).await;
    assert!(page.body.contains("乡镇退回"), "{}", page.body);
    assert!(page.body.contains(instructions), "{}", page.body);
    assert_eq!(told_reporter(&app, id, "order_sent_back").await, 1);
    // Taking it after it went back is refused; the committee may send it up again.
    let r = township.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    send_up(&committee, &path, "村里确实修不了").await;
    assert_eq!(escalation(&app, id).await.len(), 2);
}

both!(only_staff_of_that_township_answer_and_only_the_committee_sends_up);
async fn only_staff_of_that_township_answer_and_only_the_committee_sends_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "渡口台阶断了").await;
    let id = order_id(&path);
    let resident = app.signed_in(&demo.contact("resident")).await;
    let xinghe = app.signed_in(&demo.contact("committee_xinghe")).await;
    let r = resident
        .post(&format!("{path}/send-up"), &[("reason", "想让镇里管")])
        .await;
    assert_eq!(r.status, 403);
    let r = xinghe
        .post(&format!("{path}/send-up"), &[("reason", "想让镇里管")])
        .await;
    assert_eq!(r.status, 403);
    let committee = app.signed_in(&demo.contact("committee")).await;
    send_up(&committee, &path, "需要镇里").await;

    let elsewhere = other_township_staff(&app).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    for who in [&elsewhere, &resident, &committee, &supervisor] {
        assert_eq!(who.post(&format!("{path}/take"), &[]).await.status, 403);
        let r = who
            .post(&format!("{path}/send-back"), &[("instructions", "退回")])
            .await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(escalation(&app, id).await[0].0, "sent");
}

both!(two_staff_taking_the_same_order_at_once_record_one);
async fn two_staff_taking_the_same_order_at_once_record_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "水闸漏水").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    send_up(&committee, &path, "水闸归镇水利站").await;
    let one = app.signed_in(&demo.contact("township")).await;
    let two = second_staff(&app).await;
    let take = format!("{path}/take");
    let back = format!("{path}/send-back");
    let (a, b) = tokio::join!(
        one.post(&take, &[]),
        two.post(&back, &[("instructions", "请村里先处理")])
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 422], "{} / {}", a.body, b.body);
    let steps = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM work_order_events WHERE order_id = {id} AND step IN ('taken', 'sent_back')"),
    )
    .await;
    assert_eq!(steps, 1);
    // And two takes at once: one of them only, on a second order.
    let path = fresh_order(&app, &demo, "水闸漏水二").await;
    send_up(&committee, &path, "水闸归镇水利站").await;
    let take = format!("{path}/take");
    let (a, b) = tokio::join!(one.post(&take, &[]), two.post(&take, &[]));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 422], "{} / {}", a.body, b.body);
    let id = order_id(&path);
    let taken = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM work_order_events WHERE order_id = {id} AND step = 'taken'"
        ),
    )
    .await;
    assert_eq!(taken, 1);
}

both!(township_staff_take_an_order_the_clock_escalated);
async fn township_staff_take_an_order_the_clock_escalated(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // The demo's manhole cover, escalated past due and sent up by nobody.
    let id = count_sql(
        &app,
        format!("SELECT id AS n FROM work_orders WHERE community_id = {LIUTANG} AND title = '主路井盖松动响'"),
    )
    .await;
    let path = format!("/c/liutang/orders/{id}");
    let staff = app.signed_in(&demo.contact("township")).await;
    let page = staff.get(&path).await;
    assert!(page.body.contains(&format!("{path}/take")), "{}", page.body);
    assert!(!page.body.contains(&format!("{path}/send-back")));
    // Nothing to send back: it was not sent up.
    let r = staff
        .post(&format!("{path}/send-back"), &[("instructions", "村里修")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = staff.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.location(), format!("{path}?done=taken"), "{}", r.body);
    let r = staff.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let due =
        yishi::township::rules::due(yishi::clock::Clock::now(&*app.clock), &calendar(&app).await);
    assert_eq!(
        escalation(&app, id).await,
        vec![("taken".into(), Some(due))]
    );
    let resident = app.client();
    let page = resident.get(&path).await;
    assert!(page.body.contains("乡镇受理"), "{}", page.body);
    assert_eq!(told_reporter(&app, id, "order_taken").await, 1);
    // The supervisors' page lists it due on the township's clock now.
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let page = supervisor.get("/c/liutang/supervision").await;
    let line = page
        .body
        .split(&format!("id=\"escalated-{id}\""))
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .expect("the order's line");
    assert!(line.contains("乡镇办理期限"), "{line}");
    assert!(line.contains(&yishi::clock::fmt_deadline(&due)), "{line}");
}

both!(township_staff_land_on_a_page_of_every_villages_overdue_work);
async fn township_staff_land_on_a_page_of_every_villages_overdue_work(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let staff = app.client();
    let r = staff
        .sign_in(&demo.contact("township"), DEMO_PASSWORD)
        .await;
    assert_eq!(r.location(), "/t/dongxi");

    let page = staff.get("/t/dongxi").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The township's "supervision" address, once a bare 403, leads to the desk.
    let old = staff.get("/c/dongxi/supervision").await;
    assert_eq!((old.status, old.location()), (303, "/t/dongxi"));
    // Those who may read the township's own supervision page still do.
    let admin = app.signed_in(&demo.contact("admin")).await;
    assert_eq!(admin.get("/c/dongxi/supervision").await.status, 200);
    for section in ["orders-h", "disclosures-h", "inquiries-h", "proposals-h"] {
        assert!(
            page.body.contains(&format!("id=\"{section}\"")),
            "{section}"
        );
    }
    // Overdue disclosures are counted like the rest, and none at all is said in words.
    let heading = crate::common::page::text_by_id(&page.body, "disclosures-h").unwrap_or_default();
    let counted: usize = heading
        .rsplit_once('(')
        .and_then(|(_, n)| n.trim_end_matches(')').parse().ok())
        .expect("a count in the heading");
    let listed: usize = page
        .body
        .split("id=\"disclosures-h\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .map(|s| s.matches("<li>").count())
        .unwrap_or_default();
    assert_eq!(counted, listed, "the count is the lines listed");
    assert_eq!(
        counted == 0,
        page.body.contains("id=\"no-disclosures-overdue\"")
    );
    // Both villages, each with its counts and links.
    for village in ["liutang", "xinghe"] {
        assert!(page.body.contains(&format!("id=\"village-{village}\"")));
        assert!(page.body.contains(&format!("/c/{village}/supervision")));
    }
    // The demo's culvert, sent up by hand and taken, and the manhole cover, escalated by the
    // clock.
    assert!(page.body.contains("县道涵洞开裂渗水"), "{}", page.body);
    assert!(page.body.contains("乡镇已受理"), "{}", page.body);
    assert!(page.body.contains("主路井盖松动响"), "{}", page.body);
    let with_township = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM work_orders WHERE community_id = {LIUTANG} \
             AND state IN ('received', 'assigned', 'in_progress', 'reopened') \
             AND (escalated_at IS NOT NULL OR id IN (SELECT order_id FROM order_escalations WHERE state IN ('sent', 'taken')))"
        ),
    )
    .await;
    assert!(with_township >= 2);
    let row = page
        .body
        .split("id=\"village-liutang\"")
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .expect("柳塘村's row");
    assert!(
        row.contains(&format!(
            "data-count=\"orders\" data-label=\"在乡镇的工单\">{with_township} "
        )),
        "{row}"
    );

    // A proposal left unanswered past its date shows up, under its village.
    let now = yishi::clock::Clock::now(&*app.clock);
    let late: i64 = query(&app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::{agenda_items, communities};
        let dongxi: i64 = communities::table
            .filter(communities::slug.eq("dongxi"))
            .select(communities::id)
            .first(conn)?;
        let villages: Vec<i64> = communities::table
            .filter(communities::parent_id.eq(dongxi))
            .select(communities::id)
            .load(conn)?;
        agenda_items::table
            .filter(agenda_items::community_id.eq_any(villages))
            .filter(agenda_items::stage.eq("proposed"))
            .filter(agenda_items::respond_by.lt(now))
            .count()
            .get_result(conn)
    })
    .await;
    assert!(page
        .body
        .contains(&format!("id=\"proposals-h\">过了答复期限的提议 ({late})")));

    // Nobody else's page: staff of another township, a resident; a village has none.
    let elsewhere = other_township_staff(&app).await;
    assert_eq!(elsewhere.get("/t/dongxi").await.status, 403);
    let resident = app.signed_in(&demo.contact("resident")).await;
    assert_eq!(resident.get("/t/dongxi").await.status, 403);
    assert_eq!(staff.get("/t/liutang").await.status, 404);
    let anonymous = app.client().get("/t/dongxi").await;
    assert!(anonymous.location().starts_with("/signin"));
}

both!(township_staff_find_their_desk_from_the_townships_page);
/// The desk is where staff land on signing in; from the township's own page (reached by the
/// breadcrumbs of any village) a button leads back to it, for staff only.
async fn township_staff_find_their_desk_from_the_townships_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let page = staff.get("/c/dongxi").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("id=\"desk-link\"") && page.body.contains("href=\"/t/dongxi\""),
        "{}",
        page.body
    );

    let resident = app.signed_in(&demo.contact("resident")).await;
    assert!(!resident.get("/c/dongxi").await.body.contains("desk-link"));
    assert!(!app
        .client()
        .get("/c/dongxi")
        .await
        .body
        .contains("desk-link"));
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(!committee.get("/c/liutang").await.body.contains("desk-link"));
}

both!(township_staff_read_their_villages_supervision_pages_without_acting_as_supervisors);
async fn township_staff_read_their_villages_supervision_pages_without_acting_as_supervisors(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let staff = app.signed_in(&demo.contact("township")).await;
    for village in ["liutang", "xinghe"] {
        let r = staff.get(&format!("/c/{village}/supervision")).await;
        assert_eq!(r.status, 200, "{village}: {}", r.body);
    }
    // Reading is not acting: no oversight settings, no countersigning, no voucher review.
    let r = staff
        .post(
            "/c/liutang/oversight",
            &[("voucher_review_days", "7"), ("inquiry_days", "7")],
        )
        .await;
    assert_eq!(r.status, 403);
    let decision = count_sql(
        &app,
        format!("SELECT MIN(id) AS n FROM decisions WHERE community_id = {LIUTANG}"),
    )
    .await;
    let r = staff
        .post(&format!("/c/liutang/decisions/{decision}/countersign"), &[])
        .await;
    assert_eq!(r.status, 403);
    let elsewhere = other_township_staff(&app).await;
    assert_eq!(elsewhere.get("/c/liutang/supervision").await.status, 403);
}

/// The fields of a move on an order's page.
fn move_to<'a>(to: &'a str, note: &'a str) -> [(&'a str, &'a str); 2] {
    [("to", to), ("note", note)]
}

/// The order's state as stored.
async fn state_of(app: &TestApp, id: i64) -> String {
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::work_orders as o;
        o::table.find(id).select(o::state).first(conn)
    })
    .await
}

both!(township_staff_do_the_work_they_took_and_the_reporter_confirms_it);
async fn township_staff_do_the_work_they_took_and_the_reporter_confirms_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "镇道护栏被撞坏").await;
    let id = order_id(&path);
    let moving = format!("{path}/move");
    let committee = app.signed_in(&demo.contact("committee")).await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let reporter = app.signed_in(&demo.contact("resident")).await;
    let elsewhere = other_township_staff(&app).await;

    // Before the township takes it, its staff have nothing to move.
    send_up(&committee, &path, "护栏归镇里的交通办管").await;
    let r = staff
        .post_files(&moving, &move_to("in_progress", "去看"), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("乡镇还没有受理这张工单"), "{}", r.body);
    staff
        .post_ok_to(&format!("{path}/take"), &[], &format!("{path}?done=taken"))
        .await;

    // Now its staff have the forms, and nobody else's part widens: the grid worker who had it
    // and the committee can no longer start it or give it away, staff of another township and
    // a supervisor are refused outright.
    let page = staff.get(&path).await;
    assert!(page.body.contains("value=\"in_progress\""), "{}", page.body);
    let page = worker.get(&path).await;
    assert!(
        !page.body.contains("value=\"in_progress\""),
        "{}",
        page.body
    );
    let r = worker
        .post_files(&moving, &move_to("in_progress", ""), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("乡镇已经受理这张工单"), "{}", r.body);
    let page = committee.get(&path).await;
    assert!(!page.body.contains(&format!("{path}/assign")));
    let r = committee
        .post(
            &format!("{path}/assign"),
            &[("assignee", "1"), ("note", "换人")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("乡镇已经受理这张工单"), "{}", r.body);
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    for who in [&elsewhere, &supervisor] {
        let r = who
            .post_files(&moving, &move_to("in_progress", "我来"), vec![])
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    assert_eq!(state_of(&app, id).await, "assigned");

    // Starting needs a note saying what the township does; what was typed is kept.
    let r = staff
        .post_files(&moving, &move_to("in_progress", ""), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("请写明说明或原因"), "{}", r.body);
    let started = "镇交通办已派人到现场，先设了警示桩。";
    // Not without the form's token.
    let form = reqwest::multipart::Form::new()
        .text("to", "in_progress")
        .text("note", started);
    let r = staff
        .http
        .post(format!("{}{moving}", app.base))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(state_of(&app, id).await, "assigned");
    staff
        .post_files_ok(&moving, &move_to("in_progress", started), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "in_progress");
    let r = worker
        .post_files(
            &moving,
            &move_to("completed", "修好了"),
            vec![("photos", "after.png", crate::common::steps::photo())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Done with a note and an after-photo, as the assignee's form asks.
    let r = staff
        .post_files(&moving, &move_to("completed", "护栏已更换"), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("至少一张办理后的照片"), "{}", r.body);
    let done = "护栏已整段更换，警示桩撤除。";
    staff
        .post_files_ok(
            &moving,
            &move_to("completed", done),
            vec![("photos", "after.png", crate::common::steps::photo())],
        )
        .await;
    assert_eq!(state_of(&app, id).await, "completed");

    // The timeline names the township on its staff's steps; the reporter heard of each.
    let page = reporter.get(&path).await;
    assert!(page.body.contains(started) && page.body.contains(done));
    assert!(page.body.contains("（东溪镇）"), "{}", page.body);
    assert_eq!(told_reporter(&app, id, "order_in_progress").await, 1);
    assert_eq!(told_reporter(&app, id, "order_completed").await, 1);
    // The committee hears that the township finished its order, once each member.
    let members = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE role = 'committee' \
             AND community_id = {LIUTANG}"
        ),
    )
    .await;
    let told = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM notifications n JOIN memberships m ON m.user_id = n.user_id \
             WHERE m.role = 'committee' AND m.community_id = {LIUTANG} \
             AND n.kind = 'order_done_by_township' AND n.link LIKE '%/orders/{id}'"
        ),
    )
    .await;
    assert!(members >= 1);
    assert_eq!(told, members);
    let inbox = committee.get("/inbox").await;
    assert!(
        inbox.body.contains("乡镇已办结工单“镇道护栏被撞坏”"),
        "{}",
        inbox.body
    );
    // The reporter confirms as usual; staff cannot accept their own work.
    let r = staff
        .post_files(&moving, &move_to("confirmed", ""), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    reporter
        .post_files_ok(&moving, &move_to("confirmed", ""), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "confirmed");
}

both!(a_reopened_order_goes_back_to_the_township_that_holds_it);
async fn a_reopened_order_goes_back_to_the_township_that_holds_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "镇道路灯不亮").await;
    let id = order_id(&path);
    let moving = format!("{path}/move");
    let committee = app.signed_in(&demo.contact("committee")).await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let reporter = app.signed_in(&demo.contact("resident")).await;
    send_up(&committee, &path, "路灯归镇里管").await;
    staff.post_ok(&format!("{path}/take"), &[]).await;
    staff
        .post_files_ok(&moving, &move_to("in_progress", "供电所排查"), vec![])
        .await;
    staff
        .post_files_ok(
            &moving,
            &move_to("completed", "换了灯头"),
            vec![("photos", "after.png", crate::common::steps::photo())],
        )
        .await;
    reporter
        .post_files_ok(&moving, &move_to("reopened", "晚上还是不亮"), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "reopened");
    // The township's staff hear of it.
    let told = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM notifications n JOIN memberships m ON m.user_id = n.user_id \
             WHERE m.role = 'township' AND n.kind = 'order_reopened' AND n.link LIKE '%/orders/{id}'"
        ),
    )
    .await;
    assert!(told >= 1, "township staff told of the reopening");
    // Still the township's: the grid worker cannot take it up again, its staff can.
    let r = worker
        .post_files(&moving, &move_to("in_progress", ""), vec![])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    staff
        .post_files_ok(&moving, &move_to("in_progress", "换整条线路"), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "in_progress");
}

/// 东溪镇's time limit as set (the latest row), if any.
async fn limit_set(app: &TestApp) -> Option<i32> {
    query(app, |conn| {
        use diesel::prelude::*;
        use yishi::schema::township_limits as l;
        l::table
            .order(l::id.desc())
            .select(l::working_days)
            .first(conn)
            .optional()
    })
    .await
}

both!(township_staff_set_their_time_limit_from_one_to_twenty_working_days);
async fn township_staff_set_their_time_limit_from_one_to_twenty_working_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let page = staff.get("/t/dongxi").await;
    assert!(page
        .body
        .contains("name=\"working_days\" inputmode=\"numeric\" value=\"5\""));

    // Out of range or not a number: refused at the field, what was typed kept, nothing set.
    for bad in ["0", "21", "五天", ""] {
        let r = staff
            .post("/t/dongxi/limit", &[("working_days", bad)])
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(r.body.contains("请填1到20之间的整数"), "{}", r.body);
        assert!(r.body.contains(&format!("value=\"{bad}\"")), "{}", r.body);
        assert!(r.body.contains("id=\"working-days-error\""));
    }
    assert_eq!(limit_set(&app).await, None);
    // Both ends are allowed (以上 / 以下 include the number).
    for good in ["20", "1"] {
        staff
            .post_ok_to(
                "/t/dongxi/limit",
                &[("working_days", good)],
                "/t/dongxi?done=limit",
            )
            .await;
    }
    assert_eq!(limit_set(&app).await, Some(1));
    let page = staff.get("/t/dongxi").await;
    assert!(page.body.contains("须在1个工作日内办结"), "{}", page.body);

    // Nobody else sets it: the admin reads the page only; staff of another township, the
    // committee; and not without the form's token.
    let elsewhere = other_township_staff(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let admin = app.signed_in(&demo.contact("admin")).await;
    for who in [&elsewhere, &committee, &admin] {
        let r = who.post("/t/dongxi/limit", &[("working_days", "9")]).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    let r = staff
        .post_raw("/t/dongxi/limit", &[("working_days", "9")], &[])
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(limit_set(&app).await, Some(1));

    // An order taken now is due by it.
    let path = fresh_order(&app, &demo, "镇道井盖缺失").await;
    let id = order_id(&path);
    send_up(&committee, &path, "井盖归镇里").await;
    let now = yishi::clock::Clock::now(&*app.clock);
    staff.post_ok(&format!("{path}/take"), &[]).await;
    assert_eq!(
        escalation(&app, id).await,
        vec![(
            "taken".into(),
            Some(yishi::township::rules::due_in(
                now,
                1,
                &calendar(&app).await
            ))
        )]
    );
}

both!(an_order_the_township_took_runs_on_the_townships_clock);
async fn an_order_the_township_took_runs_on_the_townships_clock(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let staff = app.signed_in(&demo.contact("township")).await;
    staff
        .post_ok("/t/dongxi/limit", &[("working_days", "20")])
        .await;
    let path = fresh_order(&app, &demo, "镇道塌陷").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    send_up(&committee, &path, "塌陷要镇里处理").await;
    let taken = yishi::clock::Clock::now(&*app.clock);
    staff.post_ok(&format!("{path}/take"), &[]).await;
    let due = yishi::township::rules::due_in(taken, 20, &calendar(&app).await);

    // Three days on, past the village's own 48 hours but well within the township's: the
    // order's page and the township's page show it due by the township, not overdue.
    app.clock.advance(chrono::Duration::days(3));
    // The order's own published due time stays; the township's is shown beside it, and the
    // township is the one doing the work.
    let page = staff.get(&path).await;
    let own = query(&app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::work_orders as o;
        o::table.find(id).select(o::due_at).first(conn)
    })
    .await;
    let shown = crate::common::page::text_by_id(&page.body, "due").expect("the due time");
    assert_eq!(shown.trim(), yishi::clock::fmt_time(&own));
    let shown =
        crate::common::page::text_by_id(&page.body, "township-due").expect("the township's");
    assert_eq!(shown.trim(), yishi::clock::fmt_deadline(&due));
    assert!(page.body.contains("<dt>乡镇办结期限</dt>"), "{}", page.body);
    let assignee = crate::common::page::text_by_id(&page.body, "assignee").expect("承办人");
    assert_eq!(assignee.trim(), "东溪镇");
    assert!(
        !page.body.contains("class=\"tag light red\""),
        "{}",
        page.body
    );
    let desk = staff.get("/t/dongxi").await;
    let line = desk
        .body
        .split(&format!("id=\"order-{id}\""))
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .expect("the order's line");
    assert!(!line.contains("data-light=\"red\""), "{line}");
    // The clock does not escalate it while the township's time runs.
    let due_now = query(&app, move |conn| {
        yishi::work_orders::model::to_escalate(conn, taken + chrono::Duration::days(3))
    })
    .await;
    assert!(due_now.iter().all(|o| o.id != id));

    // Past the township's due time: red on both pages, and the clock escalates it.
    app.clock.advance(chrono::Duration::days(30));
    // A month on, the session has lapsed: sign in again.
    let staff = app.signed_in(&demo.contact("township")).await;
    let page = staff.get(&path).await;
    assert!(
        page.body.contains("class=\"tag light red\""),
        "{}",
        page.body
    );
    let desk = staff.get("/t/dongxi").await;
    let line = desk
        .body
        .split(&format!("id=\"order-{id}\""))
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .expect("the order's line");
    assert!(line.contains("data-light=\"red\""), "{line}");
    let later = taken + chrono::Duration::days(33);
    let due_now = query(&app, move |conn| {
        yishi::work_orders::model::to_escalate(conn, later)
    })
    .await;
    assert!(due_now.iter().any(|o| o.id == id));
}

both!(the_bulletin_counts_an_order_the_township_finished_by_its_due_time_as_on_time);
async fn the_bulletin_counts_an_order_the_township_finished_by_its_due_time_as_on_time(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Into January, a month the demo's orders do not touch.
    app.clock.advance(chrono::Duration::days(40));
    let path = fresh_order(&app, &demo, "镇道桥栏杆断了").await;
    let moving = format!("{path}/move");
    let committee = app.signed_in(&demo.contact("committee")).await;
    send_up(&committee, &path, "桥归镇里管").await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let taken = yishi::clock::Clock::now(&*app.clock);
    staff.post_ok(&format!("{path}/take"), &[]).await;
    staff
        .post_files_ok(&moving, &move_to("in_progress", "镇里派人去看"), vec![])
        .await;

    // Finished exactly at the township's due time: days past the order's own 48 hours.
    let due = yishi::township::rules::due_in(taken, 5, &calendar(&app).await);
    app.clock
        .advance(due - yishi::clock::Clock::now(&*app.clock));
    let staff = app.signed_in(&demo.contact("township")).await;
    staff
        .post_files_ok(
            &moving,
            &move_to("completed", "栏杆已焊好"),
            vec![("photos", "after.png", crate::common::steps::photo())],
        )
        .await;

    let page = app.client().get("/c/liutang/bulletin?month=2027-01").await;
    assert_eq!(page.status, 200);
    let total = crate::common::page::inner_by_id(&page.body, "total").expect("the total line");
    assert_eq!(
        total.matches("100% <span class=\"muted\">(1/1)").count(),
        2,
        "resolved 1 of 1, and on time by the township's due time: {total}"
    );
    // Confirmed by the reporter, the township's sending up is done: still on time by its
    // due time.
    let reporter = app.signed_in(&demo.contact("resident")).await;
    reporter
        .post_files_ok(&moving, &move_to("confirmed", ""), vec![])
        .await;
    let page = app.client().get("/c/liutang/bulletin?month=2027-01").await;
    let total = crate::common::page::inner_by_id(&page.body, "total").expect("the total line");
    assert_eq!(
        total.matches("100% <span class=\"muted\">(1/1)").count(),
        2,
        "on time by the township's due time once confirmed: {total}"
    );
}

/// The rows of the calendar for `day`: (kind, name, removes).
async fn calendar_rows(app: &TestApp, day: &'static str) -> Vec<(String, String, Option<i64>)> {
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::calendar_days as c;
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a day");
        c::table
            .filter(c::day.eq(day))
            .order(c::id)
            .select((c::kind, c::name, c::removes))
            .load(conn)
    })
    .await
}

async fn calendar_log(app: &TestApp) -> Vec<String> {
    query(app, |conn| {
        use diesel::prelude::*;
        use yishi::schema::action_log as l;
        l::table
            .filter(l::action.eq("calendar"))
            .order(l::id)
            .select(l::detail)
            .load(conn)
    })
    .await
}

both!(the_admin_keeps_the_holiday_calendar_by_year);
async fn the_admin_keeps_the_holiday_calendar_by_year(backend: Backend) {
    use crate::common::page::attr_by_id;
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let admin = app.signed_in(&demo.contact("admin")).await;
    // Linked from the admin page; the State Council's 2026 schedule is there from the start.
    let page = admin.get("/admin").await;
    assert!(
        page.body.contains("href=\"/admin/holidays\""),
        "{}",
        page.body
    );
    let page = admin.get("/admin/holidays?year=2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for (day, name) in [
        ("2026-10-01", "国庆节"),
        ("2026-02-15", "春节"),
        ("2026-02-14", "春节调休上班"),
        ("2026-10-10", "国庆节调休上班"),
    ] {
        let row = page
            .body
            .split(&format!("data-day=\"{day}\""))
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_else(|| panic!("{day} listed: {}", page.body));
        assert!(row.contains(name), "{row}");
    }
    assert!(page.body.contains("调休上班</td>"), "{}", page.body);
    // 2027 has nothing yet.
    let page = admin.get("/admin/holidays?year=2027").await;
    assert!(
        page.body.contains("这一年还没有录入节假日安排"),
        "{}",
        page.body
    );

    // The admin adds 元旦 2027; it is listed, counted by the clock, and in the log.
    admin
        .post_ok_to(
            "/admin/holidays",
            &[("day", "2027-01-01"), ("kind", "holiday"), ("name", "元旦")],
            "/admin/holidays?year=2027&done=added",
        )
        .await;
    let page = admin.get("/admin/holidays?year=2027&done=added").await;
    assert!(
        page.body.contains("data-day=\"2027-01-01\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("已添加"), "{}", page.body);
    let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("a day");
    assert!(!calendar(&app).await.is_working(day));
    assert_eq!(calendar_log(&app).await, ["add 2027-01-01 holiday 元旦"]);

    // The same day again is refused at the field, what was typed kept.
    let r = admin
        .post(
            "/admin/holidays",
            &[
                ("day", "2027-01-01"),
                ("kind", "workday"),
                ("name", "重复的一天"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("这一天已经在节假日安排里了"), "{}", r.body);
    assert_eq!(
        attr_by_id(&r.body, "day", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_by_id(&r.body, "name", "value").as_deref(),
        Some("重复的一天")
    );

    // A date that does not exist: 422 at the field, described by its message, kept.
    let r = admin
        .post(
            "/admin/holidays",
            &[("day", "2027-02-30"), ("kind", "holiday"), ("name", "春节")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        attr_by_id(&r.body, "day", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_by_id(&r.body, "day", "aria-describedby").as_deref(),
        Some("day-hint day-error")
    );
    assert_eq!(
        attr_by_id(&r.body, "day", "value").as_deref(),
        Some("2027-02-30")
    );
    assert!(
        crate::common::page::text_by_id(&r.body, "day-error")
            .is_some_and(|t| t.contains("真实的日期")),
        "{}",
        r.body
    );
    // No name: at the name field.
    let r = admin
        .post(
            "/admin/holidays",
            &[("day", "2027-02-10"), ("kind", "holiday"), ("name", " ")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        attr_by_id(&r.body, "name", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_by_id(&r.body, "day", "value").as_deref(),
        Some("2027-02-10")
    );

    // A day past is not removed: the dues counted on it stand.
    let r = admin
        .post("/admin/holidays/remove", &[("remove_day", "2026-10-01")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        attr_by_id(&r.body, "remove-day", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_by_id(&r.body, "remove-day", "value").as_deref(),
        Some("2026-10-01")
    );
    assert!(r.body.contains("不能移除"), "{}", r.body);
    let r = admin
        .post("/admin/holidays/remove", &[("remove_day", "2027-05-01")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("这一天不在节假日安排里"), "{}", r.body);

    // A day to come is removed by a second row; the first stays, the page says so.
    admin
        .post_ok_to(
            "/admin/holidays/remove",
            &[("remove_day", "2027-01-01")],
            "/admin/holidays?year=2027&done=removed",
        )
        .await;
    assert!(calendar(&app).await.is_working(day));
    let rows = calendar_rows(&app, "2027-01-01").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].2.is_none() && rows[1].2.is_some(), "{rows:?}");
    let page = admin.get("/admin/holidays?year=2027").await;
    assert!(page.body.contains("已移除"), "{}", page.body);
    assert_eq!(
        calendar_log(&app).await,
        [
            "add 2027-01-01 holiday 元旦",
            "remove 2027-01-01 holiday 元旦"
        ]
    );
    // And may be added again.
    admin
        .post_ok(
            "/admin/holidays",
            &[("day", "2027-01-01"), ("kind", "holiday"), ("name", "元旦")],
        )
        .await;
    assert!(!calendar(&app).await.is_working(day));

    // Nobody else: township staff and the committee are refused, reading or writing.
    for who in ["township", "committee"] {
        let c = app.signed_in(&demo.contact(who)).await;
        assert_eq!(c.get("/admin/holidays").await.status, 403, "{who}");
        let r = c
            .post(
                "/admin/holidays",
                &[("day", "2027-02-01"), ("kind", "holiday"), ("name", "某节")],
            )
            .await;
        assert_eq!(r.status, 403, "{who}");
        let r = c
            .post("/admin/holidays/remove", &[("remove_day", "2027-01-01")])
            .await;
        assert_eq!(r.status, 403, "{who}");
    }
    // Not without the form's token.
    let r = admin
        .http
        .post(format!("{}/admin/holidays", app.base))
        .form(&[("day", "2027-02-01"), ("kind", "holiday"), ("name", "某节")])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 403);
    assert!(calendar_rows(&app, "2027-02-01").await.is_empty());
}

both!(an_order_the_township_takes_before_national_day_is_due_after_the_holiday);
async fn an_order_the_township_takes_before_national_day_is_due_after_the_holiday(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Back to Wednesday 30 Sep 2026, 10:00 in Beijing, the eve of 国庆节.
    let eve = chrono::NaiveDate::from_ymd_opt(2026, 9, 30)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("a time");
    app.clock
        .advance(eve - yishi::clock::Clock::now(&*app.clock));
    let path = fresh_order(&app, &demo, "国庆前镇道积水").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    let staff = app.signed_in(&demo.contact("township")).await;
    send_up(&committee, &path, "积水要镇里排").await;
    staff.post_ok(&format!("{path}/take"), &[]).await;
    // Five working days: 1–7 Oct are off, Saturday 10 Oct is a make-up working day; 8, 9,
    // 10, 12, 13 Oct — due at the end of Tuesday 13 Oct in Beijing.
    let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 13)
        .and_then(|d| d.and_hms_opt(16, 0, 0))
        .expect("a time");
    assert_eq!(
        escalation(&app, id).await,
        vec![("taken".into(), Some(due))]
    );
    let page = staff.get(&path).await;
    let shown =
        crate::common::page::text_by_id(&page.body, "township-due").expect("the township's");
    assert_eq!(shown.trim(), yishi::clock::fmt_deadline(&due));
    // On 8 Oct it is not overdue; the clock does not escalate it before the 13th is out.
    let on = |d: u32| {
        chrono::NaiveDate::from_ymd_opt(2026, 10, d)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("a time")
    };
    let early = query(&app, move |conn| {
        yishi::work_orders::model::to_escalate(conn, on(8))
    })
    .await;
    assert!(early.iter().all(|o| o.id != id));
    let late = query(&app, move |conn| {
        yishi::work_orders::model::to_escalate(conn, on(14))
    })
    .await;
    assert!(late.iter().any(|o| o.id == id));
}

/// Sends a fresh order up, has the township take it, start it and finish it; its path, id
/// and the reporter's client.
async fn finished_by_the_township(
    app: &TestApp,
    demo: &crate::common::Demo,
    title: &str,
) -> (String, i64, Client) {
    let path = fresh_order(app, demo, title).await;
    let id = order_id(&path);
    let moving = format!("{path}/move");
    let committee = app.signed_in(&demo.contact("committee")).await;
    let staff = app.signed_in(&demo.contact("township")).await;
    send_up(&committee, &path, "归镇里管").await;
    staff.post_ok(&format!("{path}/take"), &[]).await;
    staff
        .post_files_ok(&moving, &move_to("in_progress", "镇里派人处理"), vec![])
        .await;
    staff
        .post_files_ok(
            &moving,
            &move_to("completed", "处理好了"),
            vec![("photos", "after.png", crate::common::steps::photo())],
        )
        .await;
    let reporter = app.signed_in(&demo.contact("resident")).await;
    (path, id, reporter)
}

both!(the_reporters_confirmation_closes_the_townships_escalation);
async fn the_reporters_confirmation_closes_the_townships_escalation(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (path, id, reporter) = finished_by_the_township(&app, &demo, "镇道井盖松动").await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let taken_due = escalation(&app, id).await[0].1;
    reporter
        .post_files_ok(&format!("{path}/move"), &move_to("confirmed", ""), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "confirmed");
    // Done (办结), its due time kept; no longer open with the township.
    assert_eq!(escalation(&app, id).await, vec![("done".into(), taken_due)]);
    let open = query(&app, move |conn| {
        yishi::work_orders::upward::open_of(conn, id)
    })
    .await;
    assert!(open.is_none());
    let page = reporter.get(&path).await;
    let shown = crate::common::page::text_by_id(&page.body, "upward-state").expect("the state");
    assert_eq!(shown.trim(), "东溪镇（已办结）");
    assert!(!page.body.contains("乡镇已受理"), "{}", page.body);
    let desk = staff.get("/t/dongxi").await;
    assert!(
        !desk.body.contains(&format!("id=\"order-{id}\"")),
        "{}",
        desk.body
    );
    let open_with = query(&app, |conn| {
        use diesel::prelude::*;
        let township: i64 = yishi::schema::communities::table
            .filter(yishi::schema::communities::slug.eq("dongxi"))
            .select(yishi::schema::communities::id)
            .first(conn)?;
        yishi::work_orders::upward::open_with(conn, township)
    })
    .await;
    assert!(open_with.iter().all(|e| e.order_id != id));
}

both!(a_reopened_order_the_township_holds_gets_a_new_township_due);
async fn a_reopened_order_the_township_holds_gets_a_new_township_due(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (path, id, _) = finished_by_the_township(&app, &demo, "镇道排水沟堵了").await;
    let first_due = escalation(&app, id).await[0].1.expect("a due time");
    let staff = app.signed_in(&demo.contact("township")).await;
    // Finished: off the township's page.
    let desk = staff.get("/t/dongxi").await;
    assert!(
        !desk.body.contains(&format!("id=\"order-{id}\"")),
        "{}",
        desk.body
    );
    // Three days on (within the week the reporter has), it is blocked again.
    app.clock.advance(chrono::Duration::days(3));
    let reporter = app.signed_in(&demo.contact("resident")).await;
    let reopened_at = yishi::clock::Clock::now(&*app.clock);
    reporter
        .post_files_ok(
            &format!("{path}/move"),
            &move_to("reopened", "下雨又堵了"),
            vec![],
        )
        .await;
    let due = yishi::township::rules::due_in(
        reopened_at,
        yishi::township::rules::WORKING_DAYS,
        &calendar(&app).await,
    );
    assert!(due > first_due);
    assert_eq!(
        escalation(&app, id).await,
        vec![("taken".into(), Some(due))]
    );
    // Open with the township again, due on its clock from the reopening.
    let staff = app.signed_in(&demo.contact("township")).await;
    let desk = staff.get("/t/dongxi").await;
    assert!(
        desk.body.contains(&format!("id=\"order-{id}\"")),
        "{}",
        desk.body
    );
    let page = staff.get(&path).await;
    let shown =
        crate::common::page::text_by_id(&page.body, "township-due").expect("the township's");
    assert_eq!(shown.trim(), yishi::clock::fmt_deadline(&due));
}

/// 东溪镇's open sendings up, as `open_with` counts them: the orders' ids.
async fn open_with_dongxi(app: &TestApp) -> Vec<i64> {
    query(app, |conn| {
        use diesel::prelude::*;
        let township: i64 = yishi::schema::communities::table
            .filter(yishi::schema::communities::slug.eq("dongxi"))
            .select(yishi::schema::communities::id)
            .first(conn)?;
        yishi::work_orders::upward::open_with(conn, township)
    })
    .await
    .into_iter()
    .map(|e| e.order_id)
    .collect()
}

/// Notices of `kind` about order `id` to 东溪镇's staff.
async fn told_staff(app: &TestApp, id: i64, kind: &str) -> i64 {
    count_sql(
        app,
        format!(
            "SELECT COUNT(*) AS n FROM notifications n JOIN memberships m ON m.user_id = n.user_id \
             WHERE m.role = 'township' AND n.kind = '{kind}' AND n.link LIKE '%/orders/{id}'"
        ),
    )
    .await
}

both!(a_sending_up_the_township_never_took_is_withdrawn_when_the_village_finishes_the_work);
async fn a_sending_up_the_township_never_took_is_withdrawn_when_the_village_finishes_the_work(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "村口涵管堵了").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    let staff = app.signed_in(&demo.contact("township")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let reporter = app.signed_in(&demo.contact("resident")).await;
    let logged = leaves(&app, "order_escalation").await;
    send_up(&committee, &path, "涵管在镇道下面，村里挖不开").await;
    assert!(open_with_dongxi(&app).await.contains(&id));

    // The grid worker clears it before the township answers; while it waits for the
    // reporter's confirmation, the township has nothing to take or send back.
    crate::common::steps::complete_order(&worker, &path, "村里找了挖机，疏通了").await;
    let page = staff.get(&path).await;
    assert!(
        !page.body.contains(&format!("{path}/take")),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("{path}/send-back")));
    let r = staff.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("乡镇不用再受理"), "{}", r.body);
    let r = staff
        .post(
            &format!("{path}/send-back"),
            &[("instructions", "请村里自己办")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(escalation(&app, id).await, vec![("sent".into(), None)]);

    // Confirmed: the sending up is withdrawn, off the township's desk and its figures.
    reporter
        .post_files_ok(&format!("{path}/move"), &move_to("confirmed", ""), vec![])
        .await;
    assert_eq!(state_of(&app, id).await, "confirmed");
    assert_eq!(escalation(&app, id).await, vec![("withdrawn".into(), None)]);
    let open = query(&app, move |conn| {
        yishi::work_orders::upward::open_of(conn, id)
    })
    .await;
    assert!(open.is_none());
    assert!(!open_with_dongxi(&app).await.contains(&id));
    let desk = staff.get("/t/dongxi").await;
    assert!(
        !desk.body.contains(&format!("id=\"order-{id}\"")),
        "{}",
        desk.body
    );
    // The order page no longer says it waits for the township; its timeline says why.
    let page = reporter.get(&path).await;
    assert!(
        crate::common::page::text_by_id(&page.body, "upward-state").is_none(),
        "{}",
        page.body
    );
    assert!(!page.body.contains("等待乡镇受理"), "{}", page.body);
    assert!(page.body.contains("村里已办结，撤回上报"), "{}", page.body);
    // A leaf in the log, and the township's staff are told, once each.
    assert_eq!(leaves(&app, "order_escalation").await, logged + 2);
    let staff_members = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM memberships WHERE role = 'township' \
         AND community_id = (SELECT parent_id FROM communities WHERE slug = 'liutang')"
            .to_string(),
    )
    .await;
    assert!(staff_members >= 1);
    assert_eq!(told_staff(&app, id, "order_withdrawn").await, staff_members);
    let inbox = staff.get("/inbox").await;
    assert!(inbox.body.contains("上报已撤回"), "{}", inbox.body);
    // Nothing waits any more: taking it now is refused as not sent.
    let r = staff.post(&format!("{path}/take"), &[]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("没有等待乡镇处理"), "{}", r.body);
}

both!(the_clocks_confirmation_withdraws_a_sending_up_the_township_never_took);
async fn the_clocks_confirmation_withdraws_a_sending_up_the_township_never_took(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let path = fresh_order(&app, &demo, "三组桥洞积水").await;
    let id = order_id(&path);
    let committee = app.signed_in(&demo.contact("committee")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    send_up(&committee, &path, "桥归镇里管").await;
    crate::common::steps::complete_order(&worker, &path, "抽干了积水，清了淤泥").await;
    // The reporter lets the week pass; the clock confirms, and withdraws the sending up.
    app.clock.advance(chrono::Duration::days(8));
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| yishi::jobs::run_unleased(conn, now))
        .await
        .expect("jobs");
    assert_eq!(state_of(&app, id).await, "confirmed");
    assert_eq!(escalation(&app, id).await, vec![("withdrawn".into(), None)]);
    assert!(!open_with_dongxi(&app).await.contains(&id));
    let page = app.client().get(&path).await;
    assert!(page.body.contains("村里已办结，撤回上报"), "{}", page.body);
    assert!(page.body.contains("系统自动确认"), "{}", page.body);
}
