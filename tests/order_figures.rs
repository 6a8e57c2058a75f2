//! Work-order figures that hold up (issue #14): a reopening clears the completion and asks for
//! a new rating, the earlier one kept; open late work counts against the on-time rate;
//! nobody routes to, confirms or rates their own work; a report whose resident is not sure of
//! the grid waits for the committee; orders from inquiries keep the category's time limit; a
//! reopened order escalates again when it is late again.

use crate::both;
use crate::common::page::{inner_by_id, option_value};
use crate::common::steps::{complete_order, count_sql, move_fields, report, without_query};
use crate::common::{spawn_app, Backend, TestApp};

/// Runs the periodic jobs once at the app's clock.
async fn run_jobs(app: &TestApp) {
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| yishi::jobs::run_unleased(conn, now))
        .await
        .expect("jobs");
}

/// The bulletin's line for the whole community in January 2027.
async fn january_total(app: &TestApp) -> String {
    let page = app.client().get("/c/liutang/bulletin?month=2027-01").await;
    assert_eq!(page.status, 200);
    inner_by_id(&page.body, "total")
        .expect("the total line")
        .to_string()
}

async fn a_reopened_order_is_resolved_only_when_finished_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Into January, a month the demo's orders do not touch.
    app.clock.advance(chrono::Duration::days(40));
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let order = report(&resident, "护栏松了", &[]).await;
    app.clock.advance(chrono::Duration::hours(2));
    complete_order(&worker, &order, "已加固").await;
    resident
        .post_ok(&format!("{order}/rate"), &[("rating", "2")])
        .await;

    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("reopened", "一碰又松了"),
            vec![],
        )
        .await;

    let reopened = january_total(&app).await;
    assert!(
        reopened.contains("<td class=\"num\">0</td>"),
        "resolved 0 while it is open again: {reopened}"
    );
    let page = resident.get(&order).await;
    let earlier = inner_by_id(&page.body, "earlier-ratings").expect("the earlier rating");
    assert!(earlier.contains("2 / 5"), "{earlier}");
    let early = resident
        .post(&format!("{order}/rate"), &[("rating", "5")])
        .await;
    assert_eq!(early.status, 422, "no new rating before the work is done");

    // Finished again, confirmed, and rated again.
    app.clock.advance(chrono::Duration::hours(3));
    complete_order(&worker, &order, "换了新护栏").await;
    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("confirmed", ""),
            vec![],
        )
        .await;
    resident
        .post_ok(&format!("{order}/rate"), &[("rating", "5")])
        .await;
    let finished = january_total(&app).await;
    assert!(
        finished.contains("100% <span class=\"muted\">(1/1)"),
        "resolved once, on time, rated satisfied once: {finished}"
    );
    assert!(
        !finished.contains("(0/1)"),
        "the earlier rating is history: {finished}"
    );
}
both!(a_reopened_order_is_resolved_only_when_finished_again);

async fn open_late_work_counts_against_the_on_time_rate(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    app.clock.advance(chrono::Duration::days(40));
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let done = report(&resident, "垃圾桶满了", &[]).await;
    report(&resident, "一直没人管的坑", &[]).await;
    complete_order(&worker, &done, "已清运").await;

    app.clock.advance(chrono::Duration::hours(49));
    let total = january_total(&app).await;

    assert_eq!(
        total.matches("50% <span class=\"muted\">(1/2)").count(),
        2,
        "resolved 1 of 2 received, and 1 of 2 owed on time: {total}"
    );
    assert!(total.contains("另有 1 件到期未办结"), "{total}");
    let (_, _, csv) = app
        .client()
        .get_bytes("/c/liutang/bulletin.csv?month=2027-01")
        .await;
    let csv = String::from_utf8_lossy(&csv).to_string();
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.ends_with(",1,50,0,0,,false")),
        "open past due, resolved of received: {csv}"
    );
}
both!(open_late_work_counts_against_the_on_time_rate);

async fn a_grid_worker_does_not_handle_and_accept_their_own_report(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let user_of = |contact: String| {
        count_sql(
            &app,
            format!("SELECT id AS n FROM users WHERE phone = '{contact}' OR email = '{contact}'"),
        )
    };
    let old_worker = user_of(demo.contact("grid_worker")).await;
    let resident_id = user_of(demo.contact("resident")).await;
    let form = committee.get("/c/liutang/orders/new").await;
    let first = option_value(&form.body, "grid", "一组").expect("一组");
    // The resident becomes 一组's only grid worker.
    committee
        .post_ok(
            "/c/liutang/roles",
            &[
                ("contact", demo.contact("resident").as_str()),
                ("role", "grid_worker"),
                ("grid_id", first.as_str()),
            ],
        )
        .await;
    committee
        .post_ok(
            "/c/liutang/roles/revoke",
            &[
                ("user_id", old_worker.to_string().as_str()),
                ("role", "grid_worker"),
            ],
        )
        .await;
    let worker = app.signed_in(&demo.contact("resident")).await;

    let order = report(&worker, "自家门口路灯坏了", &[]).await;

    let page = app.client().get(&order).await;
    assert_eq!(
        inner_by_id(&page.body, "assignee").map(str::trim),
        Some("待分派"),
        "not routed to the reporter: the committee assigns it"
    );
    // The committee gives it to them anyway; they do the work but cannot accept it.
    let me = resident_id.to_string();
    committee
        .post_ok(&format!("{order}/assign"), &[("assignee", me.as_str())])
        .await;
    complete_order(&worker, &order, "换了灯泡").await;
    let own = worker.get(&order).await;
    let confirm = worker
        .post_files(
            &format!("{order}/move"),
            &move_fields("confirmed", ""),
            vec![],
        )
        .await;
    let rate = worker
        .post(&format!("{order}/rate"), &[("rating", "5")])
        .await;
    assert!(!own.body.contains("move-confirmed-h"), "no confirm button");
    assert_eq!(confirm.status, 422);
    assert!(confirm.body.contains("自己办理的工单，不能自己确认或评价"));
    assert_eq!(rate.status, 422);
    assert!(rate.body.contains("自己办理的工单，不能自己确认或评价"));
}
both!(a_grid_worker_does_not_handle_and_accept_their_own_report);

async fn a_report_with_no_grid_waits_for_the_committee(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // "不清楚，交村委会分派": the empty choice.
    let order = report(&resident, "不知道归哪个组管", &[("grid", "")]).await;

    let page = app.client().get(&order).await;
    assert_eq!(
        inner_by_id(&page.body, "assignee").map(str::trim),
        Some("待分派")
    );
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    assert!(!worker.get("/inbox").await.body.contains("不知道归哪个组管"));
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(committee
        .get("/inbox")
        .await
        .body
        .contains("新反映的“不知道归哪个组管”等待村委会分派"));
}
both!(a_report_with_no_grid_waits_for_the_committee);

async fn an_order_from_an_inquiry_keeps_the_category_time_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok("/c/liutang/orders/limits", &[("other", "120")])
        .await;
    let board = app.client().get("/c/liutang/disclosures").await;
    let disclosure = crate::common::page::ids_with_prefix(&board.body, "disclosure-")
        .into_iter()
        .next()
        .expect("a disclosure");
    let asked = supervisor
        .post_ok(
            "/c/liutang/inquiries",
            &[
                ("subject", "disclosure"),
                ("subject_id", disclosure.as_str()),
                ("question", "这笔支出的凭证在哪里？"),
            ],
        )
        .await;
    let inquiry = without_query(&asked);
    committee
        .post_ok(&format!("{inquiry}/answer"), &[("answer", "正在核对。")])
        .await;

    let made = committee
        .post_ok(
            &format!("{inquiry}/order"),
            &[
                ("title", "核对凭证"),
                ("category", "other"),
                ("place", "村委会"),
            ],
        )
        .await;

    let page = app.client().get(&without_query(&made)).await;
    assert!(
        page.body.contains("2026-12-01 09:00"),
        "received 2026-11-26 09:00, due 120 hours later, not 48"
    );
}
both!(an_order_from_an_inquiry_keeps_the_category_time_limit);

async fn a_reopened_order_escalates_again_when_late_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let order = report(&resident, "井盖又松了", &[]).await;
    app.clock.advance(chrono::Duration::hours(49));
    run_jobs(&app).await;
    complete_order(&worker, &order, "已紧固").await;
    run_jobs(&app).await;
    let done = app.client().get(&order).await;

    // Reopened past its published due time: late again, and escalated again.
    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("reopened", "还是响"),
            vec![],
        )
        .await;
    run_jobs(&app).await;

    let page = app.client().get(&order).await;
    assert_eq!(
        done.body.matches("超过办结期限，已升级到乡镇督办").count(),
        1
    );
    assert_eq!(
        page.body.matches("超过办结期限，已升级到乡镇督办").count(),
        2,
        "escalated once for each time it was late and open"
    );
    assert!(page.body.contains("已超期"));
}
both!(a_reopened_order_escalates_again_when_late_again);

async fn the_supervisors_see_orders_unsatisfied_twice_or_without_progress(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let twice = report(&resident, "下水道又堵了", &[]).await;
    let stuck = report(&resident, "没人理的破椅子", &[]).await;
    worker
        .post_files_ok(
            &format!("{stuck}/move"),
            &move_fields("in_progress", ""),
            vec![],
        )
        .await;
    complete_order(&worker, &twice, "通了").await;
    resident
        .post_ok(&format!("{twice}/rate"), &[("rating", "2")])
        .await;
    resident
        .post_files_ok(
            &format!("{twice}/move"),
            &move_fields("reopened", "又堵"),
            vec![],
        )
        .await;
    complete_order(&worker, &twice, "再通一次").await;
    resident
        .post_ok(&format!("{twice}/rate"), &[("rating", "1")])
        .await;
    app.clock.advance(chrono::Duration::days(3));
    let at_three_days = supervisor.get("/c/liutang/supervision").await;

    app.clock.advance(chrono::Duration::minutes(1));
    let later = supervisor.get("/c/liutang/supervision").await;

    let flagged = |body: &str| {
        inner_by_id(body, "order-warnings")
            .unwrap_or("")
            .to_string()
    };
    let early = flagged(&at_three_days.body);
    assert!(
        early.contains("下水道又堵了") && early.contains("连续2次不满意"),
        "{early}"
    );
    assert!(
        !early.contains("没人理的破椅子"),
        "three days exactly is not more than three"
    );
    let late = flagged(&later.body);
    assert!(
        late.contains("没人理的破椅子") && late.contains("超3日未反馈进展"),
        "{late}"
    );
}
both!(the_supervisors_see_orders_unsatisfied_twice_or_without_progress);
