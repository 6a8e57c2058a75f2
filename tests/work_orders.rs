//! Work orders: a report routed to the grid's worker, acknowledged, completed with an
//! after-photo, confirmed and rated onto the echo wall; the clock's yellow and red, escalation
//! to the township exactly once (also with two servers on one database), reminders, the
//! reporter's silence confirming after seven days; orders from a passed decision.

use crate::both;
use crate::common::page::{
    attr_by_id, comment_ids, ids_with_prefix, inner_by_id, option_value, text_by_id,
};
use crate::common::steps::{
    complete_order, count_sql, demo_committee, move_fields, photo, report, without_query,
};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// Notices of `kind` (about `subject`, if given).
async fn count_notices(app: &TestApp, kind: &'static str, subject: Option<&'static str>) -> i64 {
    app.state
        .db(move |conn| {
            use diesel::prelude::*;
            use yishi::schema::notifications;
            let mut q = notifications::table
                .filter(notifications::kind.eq(kind))
                .into_boxed();
            if let Some(s) = subject {
                q = q.filter(notifications::subject.eq(s));
            }
            Ok(q.count().get_result::<i64>(conn)?)
        })
        .await
        .expect("count")
}

/// How many (user, kind, subject) notices were sent more than once.
async fn duplicate_notices(app: &TestApp) -> i64 {
    count_sql(
        app,
        "SELECT COUNT(*) AS n FROM (SELECT user_id FROM notifications \
         WHERE kind IN ('order_escalated', 'order_reminder', 'order_weekly') \
         GROUP BY user_id, kind, subject HAVING COUNT(*) > 1) d"
            .into(),
    )
    .await
}

async fn a_report_goes_from_the_grid_worker_to_the_echo_wall(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // Bad input is refused with what was typed kept, and nothing is stored.
    let bad = resident
        .post_files(
            "/c/liutang/orders",
            &[
                ("title", ""),
                ("description", "消防栓箱的玻璃碎了"),
                ("category", "safety"),
                ("place", "A区"),
                ("latitude", "99"),
                ("longitude", "120"),
            ],
            vec![("photos", "x.png", b"not an image".to_vec())],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("消防栓箱的玻璃碎了") && bad.body.contains("经纬度不对"));

    let order = report(
        &resident,
        "消防栓箱玻璃破了",
        &[("latitude", "30.27"), ("longitude", "120.15")],
    )
    .await;
    let page = app.client().get(&order).await;
    assert!(page.body.contains("已派单"), "routed to the grid's worker");
    assert!(page.body.contains("已按网格自动派给网格员"));
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    assert!(worker.get("/inbox").await.body.contains("派给了你"));

    // Only the assignee moves it on; completion needs a note and an after-photo.
    let r = resident
        .post_files(
            &format!("{order}/move"),
            &move_fields("completed", "好了"),
            vec![],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不该由你来做"));
    worker
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("in_progress", ""),
            vec![],
        )
        .await;
    let r = worker
        .post_files(
            &format!("{order}/move"),
            &move_fields("completed", "已更换玻璃"),
            vec![],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("至少一张办理后的照片"));
    worker
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("completed", "已更换钢化玻璃，水带复位。"),
            vec![("photos", "after.png", photo())],
        )
        .await;
    assert!(resident
        .get("/inbox")
        .await
        .body
        .contains("已办结，请确认并评价"));

    // Someone else cannot rate it; the reporter confirms and rates.
    let other = app.signed_in(&demo.contact("representative")).await;
    let r = other
        .post(&format!("{order}/rate"), &[("rating", "1")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("只有反映人可以评价"));
    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("confirmed", ""),
            vec![],
        )
        .await;
    resident
        .post_ok(
            &format!("{order}/rate"),
            &[("rating", "5"), ("comment", "当天就修好了")],
        )
        .await;
    let again = resident
        .post(&format!("{order}/rate"), &[("rating", "1")])
        .await;
    assert!(again.body.contains("已经评价过了"));
    let wall = app.client().get("/c/liutang/echo").await;
    assert!(wall.body.contains("消防栓箱玻璃破了") && wall.body.contains("已更换钢化玻璃"));
    assert!(wall.body.contains("5 / 5") && wall.body.contains("当天就修好了"));

    // The timeline cannot be rewritten.
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    use diesel::connection::SimpleConnection;
    assert!(conn.batch_execute("DELETE FROM work_order_events").is_err());
}
both!(a_report_goes_from_the_grid_worker_to_the_echo_wall);

async fn an_anonymous_reporter_is_named_only_to_the_committee(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let order = report(&resident, "楼道灯不亮", &[("anonymous", "on")]).await;
    let name = &demo.0["resident"].1;
    let public = app.client().get(&order).await;
    assert!(public.body.contains("匿名居民") && !public.body.contains(name.as_str()));
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(committee.get(&order).await.body.contains(name.as_str()));
}
both!(an_anonymous_reporter_is_named_only_to_the_committee);

async fn an_ignored_report_turns_yellow_then_red_and_escalates_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let order = report(&resident, "桥下井盖松动", &[]).await;
    assert_eq!(
        text_by_id(&app.client().get(&order).await.body, "light").as_deref(),
        Some("正常")
    );
    app.clock.advance(chrono::Duration::hours(25));
    assert!(app
        .client()
        .get(&order)
        .await
        .body
        .contains("超24小时未签收"));
    app.clock.advance(chrono::Duration::hours(24));
    assert!(app.client().get(&order).await.body.contains("已超期"));
    for _ in 0..2 {
        let now = yishi::clock::Clock::now(&*app.clock);
        app.state
            .db(move |conn| yishi::jobs::run_unleased(conn, now))
            .await
            .expect("jobs");
    }
    let township = app.signed_in(&demo.contact("township")).await;
    let inbox = township.get("/inbox").await;
    assert_eq!(
        inbox.body.matches("“桥下井盖松动”已超期").count(),
        1,
        "escalated once"
    );
    let board = township.get("/c/liutang/supervision").await;
    assert!(
        board.body.contains("桥下井盖松动"),
        "the township tracks it"
    );
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    assert_eq!(
        worker
            .get("/inbox")
            .await
            .body
            .matches("一天内到期或已超期")
            .count(),
        1
    );
    // Fixed: it leaves the supervision page.
    complete_order(&worker, &order, "已紧固").await;
    assert!(!township
        .get("/c/liutang/supervision")
        .await
        .body
        .contains("桥下井盖松动"));
    // Seven days without an answer from the reporter: the clock confirms.
    app.clock.advance(chrono::Duration::days(7));
    let now = yishi::clock::Clock::now(&*app.clock);
    let ran = app
        .state
        .db(move |conn| yishi::jobs::run_unleased(conn, now))
        .await
        .expect("jobs");
    assert!(ran.confirmed >= 1, "this order, and the demo's own");
    assert!(app.client().get(&order).await.body.contains("系统自动确认"));
}
both!(an_ignored_report_turns_yellow_then_red_and_escalates_once);

/// The demo's road decision (柳塘村, decision 2), which passed, as work.
struct RoadWork {
    app: TestApp,
    demo: Demo,
    committee: Client,
    order: String,
}

/// The fields of an order from a decision, due on `due`.
fn road_order(due: &str) -> [(&str, &str); 3] {
    [
        ("title", "道路硬化第一标段"),
        ("budget", "120000"),
        ("due", due),
    ]
}

async fn road_work(backend: Backend) -> RoadWork {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let made = committee
        .post_ok("/c/liutang/decisions/2/orders", &road_order("2027-03-31"))
        .await;
    let order = without_query(&made);
    RoadWork {
        app,
        demo,
        committee,
        order,
    }
}

/// Assigns the road work to the grid worker; returns the worker's id.
async fn assign_to_the_grid_worker(w: &RoadWork) -> String {
    let page = w.committee.get(&w.order).await;
    let worker_name = &w.demo.0["grid_worker"].1;
    let worker_id = option_value(&page.body, "assignee-field", worker_name)
        .expect("the grid worker can be assigned");
    w.committee
        .post_ok(&format!("{}/assign", w.order), &[("assignee", &worker_id)])
        .await;
    worker_id
}

async fn an_order_from_a_decision_due_in_the_past_is_refused_with_the_input_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let past = committee
        .post("/c/liutang/decisions/2/orders", &road_order("2020-01-01"))
        .await;

    assert_eq!(
        past.status, 422,
        "refused on the form, with what was typed kept"
    );
    assert!(past.body.contains("办结期限不能早于今天") && past.body.contains("2020-01-01"));
}
both!(an_order_from_a_decision_due_in_the_past_is_refused_with_the_input_kept);

async fn a_passed_decision_becomes_a_work_order(backend: Backend) {
    let w = road_work(backend).await;

    let page = w.app.client().get(&w.order).await;
    let decision = w.app.client().get("/c/liutang/decisions/2").await;

    assert!(page.body.contains("¥120000") && page.body.contains("来自决议"));
    assert!(decision.body.contains("道路硬化第一标段"));
}
both!(a_passed_decision_becomes_a_work_order);

async fn a_decision_without_a_quorum_cannot_become_work(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    // The no-quorum decision (6).
    let refused = committee
        .post_ok(
            "/c/liutang/decisions/6/orders",
            &[("title", "x"), ("due", "2027-03-31")],
        )
        .await;

    assert!(committee
        .get(&refused)
        .await
        .body
        .contains("只有通过的决议才能生成工单"));
}
both!(a_decision_without_a_quorum_cannot_become_work);

async fn an_order_from_a_decision_is_reassigned_only_with_a_reason(backend: Backend) {
    let w = road_work(backend).await;
    let worker_id = assign_to_the_grid_worker(&w).await;

    let again = w
        .committee
        .post(&format!("{}/assign", w.order), &[("assignee", &worker_id)])
        .await;

    assert_eq!(again.status, 422);
    assert!(again.body.contains("改派要写明原因"));
}
both!(an_order_from_a_decision_is_reassigned_only_with_a_reason);

async fn the_result_of_a_decision_is_published_once_its_work_is_accepted(backend: Backend) {
    // The work is done and accepted; then the implementation result is published (实施结果公开)
    // and the item is completed.
    let w = road_work(backend).await;
    assign_to_the_grid_worker(&w).await;
    let worker = w.app.signed_in(&w.demo.contact("grid_worker")).await;
    complete_order(&worker, &w.order, "第一标段完工").await;
    let item = attr_by_id(
        &w.app.client().get("/c/liutang/decisions/2").await.body,
        "decision-item",
        "href",
    )
    .expect("the decision's item");
    let result = format!("{item}/result");

    let early = w.committee.post(&result, &[("text", "已完工")]).await;
    w.committee
        .post_files_ok(
            &format!("{}/move", w.order),
            &move_fields("confirmed", "验收合格"),
            vec![],
        )
        .await;
    let due = w.committee.get(&item).await;
    w.committee
        .post_ok(
            &result,
            &[("text", "1.2公里道路硬化完工，验收合格，决算37.6万元。")],
        )
        .await;

    assert_eq!(early.status, 422, "not before the work is accepted");
    assert!(due.body.contains("实施结果应在"), "the publication is due");
    let page = w.app.client().get(&item).await;
    assert!(page.body.contains("决算37.6万元") && page.body.contains("已完成"));
}
both!(the_result_of_a_decision_is_published_once_its_work_is_accepted);

/// Two app servers on one PostgreSQL database, each running the jobs every second with the
/// clock moved past a report's due time: the escalation and the day's reminder happen once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_escalate_and_remind_exactly_once() {
    // The jobs start only once the demo, the report and the clock are in place: a first run
    // during the demo's loading (slow on a loaded machine) would take this week's list
    // with nothing overdue yet, and the week's list is made once.
    let app = spawn_app(Backend::Postgres).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    report(&resident, "路灯不亮", &[]).await;
    app.clock.advance(chrono::Duration::hours(50));
    for _ in 0..2 {
        let mut config = yishi::config::Config::with_database(&app.db.url);
        config.data_dir = Some(app.db.dir.path().join("data"));
        config.job_interval = 1;
        let server = yishi::startup::Application::build_with_clock(config, app.clock.clone())
            .expect("a server with the jobs builds");
        tokio::spawn(server.run_until_stopped());
    }
    // Wait (on a loaded machine, up to two minutes) until the jobs have run.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if count_notices(&app, "order_escalated", Some("路灯不亮")).await >= 8
            && count_notices(&app, "order_reminder", None).await >= 1
            && count_notices(&app, "order_weekly", None).await >= 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Then more rounds in which a duplicate could appear: the jobs run twice at once, three
    // times over, without the lease (each effect must be exactly-once by itself) — counted
    // rounds rather than a sleep that a loaded machine might spend on something else.
    let now = yishi::clock::Clock::now(&*app.clock);
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            app.state
                .db(move |conn| yishi::jobs::run_unleased(conn, now)),
            app.state
                .db(move |conn| yishi::jobs::run_unleased(conn, now)),
        );
        a.expect("jobs a");
        b.expect("jobs b");
    }
    // The committee (5), the township's staff (2) and the assignee: each told once.
    assert_eq!(
        count_notices(&app, "order_escalated", Some("路灯不亮")).await,
        8
    );
    assert!(count_notices(&app, "order_reminder", None).await >= 1);
    assert!(count_notices(&app, "order_weekly", None).await >= 1);
    assert_eq!(
        duplicate_notices(&app).await,
        0,
        "no one is told the same thing twice"
    );
}

async fn the_monthly_bulletin_counts_by_grid_with_sample_sizes(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Into January, a month the demo's orders do not touch.
    app.clock.advance(chrono::Duration::days(40));
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let quick = report(&resident, "垃圾桶满了", &[]).await;
    let slow = report(&resident, "路面坑洼", &[]).await;
    report(&resident, "还没办的", &[]).await;
    app.clock.advance(chrono::Duration::hours(2));
    complete_order(&worker, &quick, "已处理").await;
    app.clock.advance(chrono::Duration::hours(70));
    complete_order(&worker, &slow, "已处理").await;
    for (order, rating) in [(&quick, "5"), (&slow, "2")] {
        resident
            .post_ok(&format!("{order}/rate"), &[("rating", rating)])
            .await;
    }
    let page = app.client().get("/c/liutang/bulletin?month=2027-01").await;
    assert_eq!(page.status, 200);
    let total = inner_by_id(&page.body, "total").expect("the total line");
    assert!(
        total.contains(">3<") && total.contains(">2<"),
        "received 3, resolved 2: {total}"
    );
    assert!(
        total.contains("33% <span class=\"muted\">(1/3)"),
        "one of three owed on time: the open one is past due: {total}"
    );
    assert!(
        total.contains("2.0 小时"),
        "the lower middle of 2 h and 72 h: {total}"
    );
    let (status, _, csv) = app
        .client()
        .get_bytes("/c/liutang/bulletin.csv?month=2027-01")
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8_lossy(&csv).to_string();
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.ends_with(",3,2,1,33,2.0,2,1,50,1,67,0,0,,false")),
        "{csv}"
    );
    // The committee is asked to follow up the low rating.
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(committee.get("/inbox").await.body.contains("评价较低"));
}
both!(the_monthly_bulletin_counts_by_grid_with_sample_sizes);

async fn a_community_sets_its_own_time_limit_per_category(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let bad = committee
        .post(
            "/c/liutang/orders/limits",
            &[("safety", "一天"), ("road", "72")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请填1到720之间的整数小时") && bad.body.contains("一天"));
    committee
        .post_ok(
            "/c/liutang/orders/limits",
            &[("safety", "24"), ("road", "72")],
        )
        .await;
    assert!(committee
        .get("/c/liutang/orders/limits")
        .await
        .body
        .contains("value=\"24\""));
    // A safety report (the helper's category) is now due in 24 hours: red after 25.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let order = report(&resident, "电线裸露", &[]).await;
    assert!(
        app.client()
            .get(&order)
            .await
            .body
            .contains("2026-11-27 09:00"),
        "received 09:00, due the next day"
    );
    app.clock.advance(chrono::Duration::hours(25));
    assert!(app.client().get(&order).await.body.contains("已超期"));
}
both!(a_community_sets_its_own_time_limit_per_category);

/// `yishi jobs run-once`, as cron would run it: the day's reminders go out on the first run
/// and not again on the second.
async fn jobs_run_once_from_the_command_line(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(["jobs", "run-once"])
            .env("YISHI_DATABASE_URL", &app.db.url)
            .env("YISHI_DATA_DIR", app.db.dir.path().join("data"))
            .env("YISHI_LOG", "warn")
            .output()
            .expect("yishi jobs run-once runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let reminders: i64 = text
            .split("reminders ")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("a summary line: {text}"));
        reminders
    };
    let first = run();
    let second = run();
    assert!(
        first >= 1,
        "the demo's overdue orders have assignees to remind"
    );
    assert_eq!(second, 0, "the day's reminders go out once");
}
both!(jobs_run_once_from_the_command_line);

async fn an_order_has_its_own_comment_thread(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let order = report(&resident, "路灯一闪一闪", &[("anonymous", "on")]).await;
    let comments = format!("{order}/comments");

    // An empty comment is refused on the order page; a too-long one keeps what was typed.
    let empty = resident.post(&comments, &[("body", "  ")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("讨论内容不能为空"));
    let long = "灯".repeat(5001);
    let too_long = resident.post(&comments, &[("body", long.as_str())]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("最多 5001") || too_long.body.contains(long.as_str()));

    // The reporter writes; the grid worker answers in reply; each hears of the other.
    let r = resident
        .post(&comments, &[("body", "晚上八点以后最明显。")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with(&order));
    let page = app.client().get(&order).await;
    assert!(page.body.contains("晚上八点以后最明显"));
    let first = comment_ids(&page.body).remove(0);
    worker
        .post_ok(
            &comments,
            &[
                ("body", "明天白天去换镇流器。"),
                ("parent_id", first.as_str()),
            ],
        )
        .await;
    assert_eq!(
        count_notices(&app, "order_comment", Some("路灯一闪一闪")).await,
        2
    );

    // The anonymous reporter stays anonymous in the thread, except to the committee.
    let name = &demo.0["resident"].1;
    let public = app.client().get(&order).await;
    assert!(public.body.contains("明天白天去换镇流器"));
    assert!(public.body.contains("匿名居民") && !public.body.contains(name.as_str()));
    assert!(committee.get(&order).await.body.contains(name.as_str()));

    // A reply cannot hang on a comment from another thread.
    let items = app.client().get("/c/liutang/items").await;
    let item = ids_with_prefix(&items.body, "item-").remove(0);
    let cross = resident
        .post(
            &format!("/c/liutang/items/{item}/comments"),
            &[("body", "串门的回复"), ("parent_id", first.as_str())],
        )
        .await;
    assert!(
        cross.status == 422 || cross.status == 403,
        "{}",
        cross.status
    );

    // Moderation works as on items: hidden behind a public reason, never deleted.
    let r = committee
        .post(
            &format!("/c/liutang/comments/{first}/hide"),
            &[("reason", "含有个人电话号码")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with(&order));
    let public = app.client().get(&order).await;
    assert!(public.body.contains("含有个人电话号码"));
    assert!(!public.body.contains("晚上八点以后最明显"));

    // No such order: not found.
    let missing = resident
        .post("/c/liutang/orders/999999/comments", &[("body", "在吗")])
        .await;
    assert_eq!(missing.status, 404);
}
both!(an_order_has_its_own_comment_thread);
