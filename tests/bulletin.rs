//! Follow-up calls (回访) and the monthly bulletin published (issue #14): the month's draw is
//! 10 % of last month's resolved orders but at least 3, made once from a stored seed (two
//! servers draw once, and anyone can redo it); calls are recorded with clear messages for bad
//! input; the bulletin shows the follow-up satisfaction beside the ratings and flags grids
//! under the committee's floor for 整改; on the first of the month it is published once as a
//! disclosure and the committee and township staff are told.

use crate::both;
use crate::common::page::inner_by_id;
use crate::common::steps::{complete_order, count_sql, query, report};
use crate::common::{spawn_app, Backend, TestApp};

/// Runs the periodic jobs twice at once, as two servers without the lease would.
async fn two_servers_run_the_jobs(app: &TestApp) {
    let now = yishi::clock::Clock::now(&*app.clock);
    let (a, b) = tokio::join!(
        app.state
            .db(move |conn| yishi::jobs::run_unleased(conn, now)),
        app.state
            .db(move |conn| yishi::jobs::run_unleased(conn, now)),
    );
    a.expect("jobs a");
    b.expect("jobs b");
}

async fn first_pick(app: &TestApp, month: &str) -> i64 {
    count_sql(
        app,
        format!(
            "SELECT MIN(p.id) AS n FROM followup_picks p JOIN followup_draws d ON d.id = p.draw_id \
             JOIN communities c ON c.id = d.community_id \
             WHERE c.slug = 'liutang' AND d.month = '{month}'"
        ),
    )
    .await
}

async fn the_demo_month_is_drawn_called_and_published(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Seven demo orders were resolved in November: 10 % is less than one, so the floor of
    // three holds.
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/followups?month=2026-11").await;
    assert_eq!(page.status, 200);
    let draw = inner_by_id(&page.body, "draw").expect("the draw");
    assert!(draw.contains("2026-11 办结 7 件，抽中 3 件"), "{draw}");
    assert!(draw.contains("20261130"), "the seed is shown: {draw}");
    assert!(page.body.contains("基本满意"), "the demo's call");
    assert!(
        page.body.contains("/c/liutang/bulletin/floor"),
        "the floor's setting"
    );
    // The bulletin shows the call beside the ratings and flags the grids under 85 %.
    let bulletin = app.client().get("/c/liutang/bulletin?month=2026-11").await;
    let total = inner_by_id(&bulletin.body, "total").expect("the total line");
    assert!(
        total.contains("100% <span class=\"muted\">(1/1)"),
        "{total}"
    );
    assert!(bulletin.body.contains("须整改"));
    assert!(bulletin.body.contains("id=\"published\""));
    // Published as a work-orders disclosure, the flag in its text; the township was told.
    let board = app.client().get("/c/liutang/disclosures").await;
    assert!(board.body.contains("2026-11 工单月度通报"), "on the board");
    let township = app.signed_in(&demo.contact("township")).await;
    let inbox = township.get("/inbox").await;
    assert_eq!(inbox.body.matches("2026-11 工单月度通报已公开").count(), 1);
    let text = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM disclosure_versions v JOIN disclosures d \
         ON d.id = v.disclosure_id WHERE d.category = 'work_orders' \
         AND v.body LIKE '%须整改%'"
            .into(),
    )
    .await;
    assert_eq!(text, 1, "the published text names the grids to fix");
}
both!(the_demo_month_is_drawn_called_and_published);

async fn the_first_of_the_month_draws_and_publishes_once_with_two_servers(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // Five orders resolved in December.
    app.clock.advance(chrono::Duration::days(10));
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    for k in 0..5 {
        let order = report(&resident, &format!("十二月的第{k}件"), &[]).await;
        complete_order(&worker, &order, "已处理").await;
    }
    // The committee lowers the floor; out of range is refused at the field.
    let committee = app.signed_in(&demo.contact("committee")).await;
    let bad = committee
        .post("/c/liutang/bulletin/floor", &[("floor", "120")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请填 50 到 100 之间的整数") && bad.body.contains("120"));
    committee
        .post_ok("/c/liutang/bulletin/floor", &[("floor", "60")])
        .await;
    // 1 January in Beijing: both servers run the jobs, twice over.
    app.clock.advance(chrono::Duration::days(26));
    for _ in 0..2 {
        two_servers_run_the_jobs(&app).await;
    }
    let one = |sql: &str| count_sql(&app, sql.to_string());
    assert_eq!(
        one("SELECT COUNT(*) AS n FROM followup_draws WHERE month = '2026-12'").await,
        2,
        "one draw per community"
    );
    let picks = one(
        "SELECT COUNT(*) AS n FROM followup_picks p JOIN followup_draws d ON d.id = p.draw_id \
         WHERE d.month = '2026-12'",
    )
    .await;
    assert_eq!(picks, 3, "5 resolved: 10 % is less than 3");
    assert_eq!(
        one("SELECT COUNT(*) AS n FROM disclosures WHERE category = 'work_orders' AND period = '2026-12'")
            .await,
        2,
        "one bulletin per community"
    );
    assert_eq!(
        one("SELECT COUNT(*) AS n FROM bulletin_publications WHERE month = '2026-11'").await,
        1,
        "the demo's November stands; the first of January publishes December only"
    );
    let township = app.signed_in(&demo.contact("township")).await;
    let inbox = township.get("/inbox").await;
    assert_eq!(
        inbox.body.matches("2026-12 工单月度通报已公开").count(),
        2,
        "once for each of the township's two communities"
    );
    let floor_text = one(
        "SELECT COUNT(*) AS n FROM disclosure_versions WHERE title = '2026-12 工单月度通报' \
         AND body LIKE '%60%'",
    )
    .await;
    assert!(floor_text >= 1, "the text uses the committee's floor");
    // Anyone can redo the draw from its seed: the same orders.
    let redone = query(&app, |conn| {
        use diesel::prelude::*;
        use yishi::schema::{followup_draws, followup_picks, work_orders};
        let (id, cid, seed): (i64, i64, i64) = followup_draws::table
            .filter(followup_draws::month.eq("2026-12"))
            .filter(followup_draws::eligible.gt(0))
            .select((
                followup_draws::id,
                followup_draws::community_id,
                followup_draws::seed,
            ))
            .first(conn)?;
        let eligible: Vec<i64> = work_orders::table
            .filter(work_orders::community_id.eq(cid))
            .filter(work_orders::title.like("十二月的第%"))
            .select(work_orders::id)
            .load(conn)?;
        let picked: Vec<i64> = followup_picks::table
            .filter(followup_picks::draw_id.eq(id))
            .order(followup_picks::order_id)
            .select(followup_picks::order_id)
            .load(conn)?;
        Ok((
            yishi::work_orders::followup_rules::draw(&eligible, seed),
            picked,
        ))
    })
    .await;
    assert_eq!(redone.0, redone.1);
}
both!(the_first_of_the_month_draws_and_publishes_once_with_two_servers);

async fn a_call_is_recorded_and_bad_input_is_answered_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let pick = first_pick(&app, "2026-11").await;
    let path = format!("/c/liutang/followups/{pick}");
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let bad = worker
        .post(&path, &[("outcome", "reached"), ("note", "电话通了没说")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请选群众是否满意"));
    assert!(bad.body.contains("电话通了没说"), "what was typed is kept");
    let long = "长".repeat(201);
    let bad = worker
        .post(&path, &[("outcome", "not_reached"), ("note", &long)])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("记录最多 200 个字"));
    worker
        .post_ok(
            &path,
            &[
                ("outcome", "reached"),
                ("answer", "unsatisfied"),
                ("note", "说路灯还是时亮时不亮"),
            ],
        )
        .await;
    // The newest call stands: the bulletin's follow-up line now counts it unsatisfied.
    let page = worker.get("/c/liutang/followups?month=2026-11").await;
    assert!(page.body.contains("说路灯还是时亮时不亮"));
    let bulletin = app.client().get("/c/liutang/bulletin?month=2026-11").await;
    let total = inner_by_id(&bulletin.body, "total").expect("the total line");
    assert!(total.contains("0% <span class=\"muted\">(0/1)"), "{total}");
    // A resident may not record calls; 兴和's committee cannot reach 柳塘's picks.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let r = resident.post(&path, &[("outcome", "not_reached")]).await;
    assert_eq!(r.status, 403);
    let xinghe = app.signed_in(&demo.contact("committee_xinghe")).await;
    let r = xinghe
        .post(
            &format!("/c/xinghe/followups/{pick}"),
            &[("outcome", "not_reached")],
        )
        .await;
    assert_eq!(r.status, 404);
}
both!(a_call_is_recorded_and_bad_input_is_answered_at_the_field);

/// 柳塘村's satisfaction floors as set, newest last.
async fn floors_set(app: &TestApp) -> Vec<i32> {
    query(app, |conn| {
        use diesel::prelude::*;
        use yishi::schema::{bulletin_floors as f, communities as c};
        f::table
            .inner_join(c::table.on(c::id.eq(f::community_id)))
            .filter(c::slug.eq("liutang"))
            .order(f::id)
            .select(f::floor_percent)
            .load(conn)
    })
    .await
}

async fn the_floor_is_a_whole_percent_read_like_every_other_number(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let before = floors_set(&app).await;
    // A sign, a percent sign, a decimal, a word: refused at the field, what was typed kept,
    // nothing stored.
    for loose in ["+85", "85%", "85.5", "八十五", "-90", "49"] {
        let r = committee
            .post("/c/liutang/bulletin/floor", &[("floor", loose)])
            .await;
        assert_eq!(r.status, 422, "{loose}: {}", r.body);
        assert!(
            r.body.contains("aria-describedby=\"floor-error\""),
            "{}",
            r.body
        );
        let shown = crate::common::page::text_by_id(&r.body, "floor-error").expect("at the field");
        assert!(shown.contains("请填 50 到 100 之间的整数"), "{shown}");
        assert!(
            r.body.contains(&format!("value=\"{loose}\"")),
            "kept: {loose}"
        );
    }
    assert_eq!(floors_set(&app).await, before);
    // Full-width digits, as Chinese input methods type them, are digits.
    committee
        .post_ok("/c/liutang/bulletin/floor", &[("floor", " ９０ ")])
        .await;
    assert_eq!(floors_set(&app).await.last(), Some(&90));
}
both!(the_floor_is_a_whole_percent_read_like_every_other_number);
