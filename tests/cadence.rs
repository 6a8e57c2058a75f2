//! Disclosure cadence as a floor (issue #14): monthly publications make their quarter, the
//! law's floors refuse a looser schedule (input kept, 422), a late publication says so for
//! good and counts on the supervisors' page, and an empty disclosure of a period not yet
//! over is refused.

use chrono::Duration;

use crate::both;
use crate::common::page::{attr_by_id, inner_by_id, option_value};
use crate::common::steps::{complete_order, move_fields, without_query, DISCLOSURE_CATEGORIES};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// The schedule form with every category valid (finance quarterly), then `changes`.
fn schedule(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for c in DISCLOSURE_CATEGORIES {
        let cadence = match c {
            "decisions" => "within:5",
            _ => "quarterly",
        };
        fields.push((format!("cadence_{c}"), cadence.to_string()));
        // Finance counted from January; the rest from the day the demo began.
        let since = if c == "finance" {
            "2026-01-01"
        } else {
            "2026-11-26"
        };
        fields.push((format!("since_{c}"), since.to_string()));
        fields.push((format!("grace_{c}"), "10".to_string()));
    }
    for (k, v) in changes {
        if let Some(f) = fields.iter_mut().find(|(n, _)| n == k) {
            f.1 = v.to_string();
        }
    }
    fields
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Publishes 柳塘村's finance disclosure for `month` (such as 2026-08) with one ledger line;
/// returns the disclosure's path.
async fn publish_month(committee: &Client, month: &str) -> String {
    let date = format!("{month}-05");
    let title = format!("{month} 财务收支");
    let fields = [
        ("category", "finance"),
        ("period", month),
        ("title", title.as_str()),
        ("responsible", "报账员 王会计"),
        ("body", ""),
        ("opening", "1000"),
        ("rows", "1"),
        ("date_0", date.as_str()),
        ("description_0", "保洁员工资"),
        ("expense_0", "800"),
        ("voucher_0", "J-9"),
    ];
    let at = committee
        .post_files_ok("/c/liutang/disclosures", &fields, vec![])
        .await;
    at.split('?').next().expect("path").to_string()
}

async fn overdue_on_board(client: &Client) -> String {
    let board = client.get("/c/liutang/disclosures").await;
    inner_by_id(&board.body, "overdue")
        .expect("overdue section")
        .to_string()
}

async fn monthly_publications_satisfy_a_quarterly_cadence(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The demo publishes every month but August (December 2025 to October 2026).
    committee
        .post_ok("/c/liutang/disclosures/schedule", &refs(&schedule(&[])))
        .await;

    let overdue = overdue_on_board(&app.client()).await;
    assert!(
        !overdue.contains("2026年第1季度"),
        "Q1 was published monthly: {overdue}"
    );
    assert!(!overdue.contains("2026年第2季度"), "{overdue}");
    assert!(
        overdue.contains("2026年第3季度"),
        "August is missing: {overdue}"
    );

    publish_month(&committee, "2026-08").await;
    let overdue = overdue_on_board(&app.client()).await;
    assert!(!overdue.contains("2026年第3季度"), "{overdue}");
}
both!(monthly_publications_satisfy_a_quarterly_cadence);

async fn a_schedule_looser_than_the_law_is_refused_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let refused = [
        ("cadence_finance", "yearly", "至少每季度公开一次"),
        ("cadence_assets", "within:5", "只适用于决议公开"),
        ("cadence_decisions", "monthly", "请写 within:天数"),
        ("cadence_decisions", "within:11", "10 天内"),
        ("since_subsidies", "2026-11-27", "开始日期不能晚于今天"),
        ("grace_personnel", "21", "最多宽限 20 天"),
    ];
    for (field, typed, message) in refused {
        let r = committee
            .post(
                "/c/liutang/disclosures/schedule",
                &refs(&schedule(&[(field, typed)])),
            )
            .await;
        assert_eq!(r.status, 422, "{field}={typed}");
        let error = inner_by_id(&r.body, &format!("{field}-error")).unwrap_or_default();
        assert!(error.contains(message), "{field}={typed}: {error}");
        assert!(
            r.body
                .contains(&format!("name=\"{field}\" value=\"{typed}\"")),
            "what was typed is kept: {field}={typed}"
        );
    }
    // At the floor's edge it is taken: today's start, 20 days, within 10 days, monthly.
    committee
        .post_ok(
            "/c/liutang/disclosures/schedule",
            &refs(&schedule(&[
                ("since_subsidies", "2026-11-26"),
                ("grace_personnel", "20"),
                ("cadence_decisions", "within:10"),
                ("cadence_finance", "monthly"),
            ])),
        )
        .await;
    let page = committee.get("/c/liutang/disclosures/schedule").await;
    assert!(page.body.contains("value=\"within:10\""));
    assert!(page.body.contains("name=\"grace_personnel\" value=\"20\""));
}
both!(a_schedule_looser_than_the_law_is_refused_at_the_field);

async fn a_late_disclosure_says_so_for_good_and_counts_for_the_supervisors(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let board = app.client().get("/c/liutang/disclosures").await;
    assert!(!board.body.contains("天发布"), "the demo's were on time");

    // August was due by 11 September (monthly, 10 days' grace); today is 26 November.
    let august = publish_month(&committee, "2026-08").await;
    let page = app.client().get(&august).await;
    let late = inner_by_id(&page.body, "late").expect("late note");
    assert!(late.contains("逾期 76 天发布"), "{late}");
    assert!(late.contains("2026-09-11"), "{late}");

    // November is due by 11 December, a Beijing day: at 00:30 on the 12th in Beijing
    // (16:30 on the 11th in UTC) it is one day late.
    app.clock
        .advance(Duration::days(15) + Duration::hours(15) + Duration::minutes(30));
    let committee = app.signed_in(&demo.contact("committee")).await;
    let november = publish_month(&committee, "2026-11").await;
    let page = app.client().get(&november).await;
    let late = inner_by_id(&page.body, "late").expect("late note");
    assert!(late.contains("逾期 1 天发布"), "{late}");

    // A correction does not wash it out.
    let fields = [
        ("category", "finance"),
        ("period", "2026-08"),
        ("title", "2026-08 财务收支（更正）"),
        ("responsible", "报账员 王会计"),
        ("body", ""),
        ("opening", "1000"),
        ("reason", "凭证号写错了"),
        ("rows", "1"),
        ("date_0", "2026-08-05"),
        ("description_0", "保洁员工资"),
        ("expense_0", "800"),
        ("voucher_0", "J-10"),
    ];
    committee
        .post_files_ok(&format!("{august}/correct"), &fields, vec![])
        .await;
    let page = app.client().get(&august).await;
    assert!(page.body.contains("逾期 76 天发布"));
    let board = app.client().get("/c/liutang/disclosures").await;
    assert!(board.body.contains("逾期 76 天发布") && board.body.contains("逾期 1 天发布"));

    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    let heading = inner_by_id(&dash.body, "disclosures-late").expect("late heading");
    assert!(heading.contains("(2)"), "{heading}");
    assert!(dash.body.contains("逾期 76 天发布"));
}
both!(a_late_disclosure_says_so_for_good_and_counts_for_the_supervisors);

async fn an_empty_disclosure_of_a_period_not_over_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let fields = [
        ("category", "personnel"),
        ("period", "2026-Q4"),
        ("title", "第四季度村干部误工补贴"),
        ("responsible", "村报账员"),
        ("body", "  "),
        ("rows", "0"),
    ];
    let r = committee
        .post_files("/c/liutang/disclosures", &fields, vec![])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("这一期还没结束，内容不能空着"));
    assert!(
        r.body.contains("第四季度村干部误工补贴"),
        "what was typed is kept"
    );
    // A period that is over may be published with no text (its title says it all).
    let mut past = fields;
    past[1].1 = "2026-Q3";
    committee
        .post_files_ok("/c/liutang/disclosures", &past, vec![])
        .await;
}
both!(an_empty_disclosure_of_a_period_not_over_is_refused);

/// Makes an order from the road decision (2, a passed major item), has the grid worker
/// complete it and the committee confirm it; returns the item's page.
async fn road_work_accepted(app: &TestApp, demo: &Demo, committee: &Client) -> String {
    let made = committee
        .post_ok(
            "/c/liutang/decisions/2/orders",
            &[
                ("title", "道路硬化第一标段"),
                ("budget", "120000"),
                ("due", "2027-03-31"),
            ],
        )
        .await;
    let order = without_query(&made);
    let page = committee.get(&order).await;
    let worker_id = option_value(&page.body, "assignee-field", &demo.0["grid_worker"].1)
        .expect("the grid worker can be assigned");
    committee
        .post_ok(&format!("{order}/assign"), &[("assignee", &worker_id)])
        .await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    complete_order(&worker, &order, "第一标段完工").await;
    committee
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("confirmed", "验收合格"),
            vec![],
        )
        .await;
    let decision = app.client().get("/c/liutang/decisions/2").await;
    attr_by_id(&decision.body, "decision-item", "href").expect("the decision's item")
}

async fn an_implementation_result_is_due_days_after_the_work_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The community sets 7 days (fewer than the default 10); 11 is refused at the field.
    let mut fields = schedule(&[]);
    fields.push(("result_days".into(), "11".into()));
    let r = committee
        .post("/c/liutang/disclosures/schedule", &refs(&fields))
        .await;
    assert_eq!(r.status, 422);
    let error = inner_by_id(&r.body, "result_days-error").unwrap_or_default();
    assert!(error.contains("1 到 10"), "{error}");
    assert!(r.body.contains("name=\"result_days\" value=\"11\""));
    fields.last_mut().expect("result days").1 = "7".into();
    committee
        .post_ok("/c/liutang/disclosures/schedule", &refs(&fields))
        .await;

    let item = road_work_accepted(&app, &demo, &committee).await;
    let board = app.client().get("/c/liutang/disclosures").await;
    let due = inner_by_id(&board.body, "results-due").expect("results section");
    assert!(due.contains(&item) && due.contains("2026-12-03"), "{due}");
    assert!(!due.contains("逾期"), "not yet overdue: {due}");

    // On 4 December (Beijing) it is overdue, for the supervisors too.
    app.clock.advance(Duration::days(8));
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    let heading = inner_by_id(&dash.body, "results-overdue").expect("results heading");
    assert!(heading.contains("(1)"), "{heading}");
    assert!(dash.body.contains(&format!("href=\"{item}\"")));

    // Published, it is owed no more.
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            &format!("{item}/result"),
            &[("text", "1.2公里道路硬化完工，验收合格，决算37.6万元。")],
        )
        .await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    let heading = inner_by_id(&dash.body, "results-overdue").expect("results heading");
    assert!(heading.contains("(0)"), "{heading}");
}
both!(an_implementation_result_is_due_days_after_the_work_is_accepted);
