//! Beijing time: every date and time a person reads is Beijing's, whatever the UTC day.

use crate::both;
use crate::common::ballots::{deliberating_item, open_ballot, IN_TWO_DAYS};
use crate::common::{spawn_app, Backend};

async fn a_decision_recorded_late_on_30_november_utc_reads_1_december(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "年末道路养护").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "committee"),
            ("mode", "online"),
            ("options", ""),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    // The test clock starts at 2026-11-26 01:00 UTC; the ballot closes, and its decision is
    // recorded, at 23:30 UTC on 30 November: 07:30 on 1 December in Beijing.
    app.clock
        .advance(chrono::Duration::days(4) + chrono::Duration::minutes(22 * 60 + 30));

    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303, "a closed ballot leads to its decision");
    let decision = app.client().get(r.location()).await;
    let on_item = app.client().get(&item).await;

    assert_eq!(decision.status, 200);
    assert!(
        decision.body.contains("2026-12-01 07:30"),
        "the decision page shows Beijing time"
    );
    assert!(!decision.body.contains("2026-11-30"), "never the UTC day");
    assert!(on_item.body.contains("2026-12-01 07:30"));
}
both!(a_decision_recorded_late_on_30_november_utc_reads_1_december);

/// A committee decision recorded at 23:30 UTC on 30 November (07:30 on 1 December in
/// Beijing); returns (the item's path, the decision's id).
async fn a_decision_at_0730_beijing(
    app: &crate::common::TestApp,
    committee: &crate::common::Client,
) -> (String, String) {
    let item = deliberating_item(committee, "年末路灯维修").await;
    let ballot = open_ballot(
        committee,
        &item,
        &[
            ("body", "committee"),
            ("mode", "online"),
            ("options", ""),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    app.clock
        .advance(chrono::Duration::days(4) + chrono::Duration::minutes(22 * 60 + 30));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303, "a closed ballot leads to its decision");
    let decision = r
        .location()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    (item, decision)
}

async fn project_and_power_list_pages_read_the_beijing_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (item, _decision) = a_decision_at_0730_beijing(&app, &committee).await;

    // At that moment the committee tries a payment the list refuses, and changes the list.
    let refused = committee
        .post(
            "/c/liutang/projects/LT-2026-001/disbursements",
            &[
                ("amount", "60,000"),
                ("paid_on", "2026-11-25"),
                ("payee", "县公路工程队"),
                ("voucher", "LT记-2026-150"),
                ("decision", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let list = crate::common::steps::passed_decision(
        &app,
        "liutang",
        "residents",
        "通过《柳塘村小微权力清单》",
    )
    .await;
    committee
        .post_ok(
            "/c/liutang/powers",
            &[
                ("code", "9"),
                ("name", "路灯维修"),
                ("kind", "disbursement"),
                ("body", "representatives"),
                ("threshold", "20,000"),
                ("comparison", "at_least"),
                ("procedure", "村民代表会议决议"),
                ("decision", list.as_str()),
            ],
        )
        .await;

    let project_page = committee.get("/p/LT-2026-001").await;
    let powers = app.client().get("/c/liutang/powers").await;
    let on_item = app.client().get(&item).await;

    assert_eq!(project_page.status, 200, "{}", project_page.body);
    assert!(
        project_page.body.contains("2026-12-01"),
        "the decision's day on the project page: {}",
        project_page.body
    );
    assert!(
        !project_page.body.contains("2026-11-30"),
        "never the UTC day"
    );
    let card = crate::common::page::text_by_id(&powers.body, "power-9").unwrap_or_default();
    assert!(
        card.contains("2026-12-01"),
        "the day it is in force: {card}"
    );
    // The item's timeline reads the decision's Beijing time.
    assert!(on_item.body.contains("2026-12-01 07:30"));
}
both!(project_and_power_list_pages_read_the_beijing_day);

async fn the_echo_wall_reads_the_beijing_day_of_a_confirmation(backend: Backend) {
    use crate::common::steps::{complete_order, move_fields, report};
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let order = report(&resident, "二组路灯不亮", &[]).await;
    complete_order(&worker, &order, "已更换灯泡。").await;
    let before = app.client().get("/c/liutang/echo").await;
    // The reporter confirms at 23:30 UTC on 30 November: 07:30 on 1 December in Beijing.
    app.clock
        .advance(chrono::Duration::days(4) + chrono::Duration::minutes(22 * 60 + 30));
    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("confirmed", ""),
            vec![],
        )
        .await;

    let wall = app.client().get("/c/liutang/echo").await;

    assert!(!before.body.contains("2026-12-01"));
    assert!(wall.body.contains("二组路灯不亮"), "{}", wall.body);
    assert!(
        wall.body.contains("2026-12-01"),
        "the Beijing day: {}",
        wall.body
    );
}
both!(the_echo_wall_reads_the_beijing_day_of_a_confirmation);
