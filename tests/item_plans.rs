//! Adopted items carry a responsible person and a planned completion date (列明具体负责人和
//! 计划完成时间): the committee sets them, a change needs a reason and stays on the timeline,
//! and past the date (a Beijing date) the item shows as 已超期 on its page, the list, the
//! supervisors' page and the items' open data.

use crate::both;
use crate::common::page::text_by_id;
use crate::common::steps::raise;
use crate::common::{spawn_app, Backend};

async fn an_adopted_item_names_who_and_when_and_shows_overdue_by_beijing_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The committee's own item is on the agenda (adopted) from the start.
    let path = raise(&committee, "修缮村口排水沟", "雨季前修好排水沟。", "other").await;
    let id = path.rsplit('/').next().expect("id").to_string();
    let plan = format!("{path}/plan");

    // Only the committee sets the plan.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let r = resident
        .post(&plan, &[("responsible", "我"), ("due_on", "2026-11-30")])
        .await;
    assert_eq!(r.status, 403);

    // Bad input: a message at each field, what was typed kept. (Today is 2026-11-26 Beijing.)
    let bad = committee
        .post(&plan, &[("responsible", " "), ("due_on", "2026-11-25")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请填写负责人"), "{}", bad.body);
    assert!(bad.body.contains("计划完成时间不能早于今天"));
    assert!(bad.body.contains("value=\"2026-11-25\""));
    let far = committee
        .post(
            &plan,
            &[
                ("responsible", &"王".repeat(41)),
                ("due_on", "99999999999999999999"),
            ],
        )
        .await;
    assert_eq!(far.status, 422);
    assert!(far.body.contains("负责人最多 40 个字"));
    assert!(far.body.contains("99999999999999999999"));

    committee
        .post_ok(
            &plan,
            &[("responsible", "王建国"), ("due_on", "2026-11-30")],
        )
        .await;
    let page = committee.get(&path).await;
    assert_eq!(
        text_by_id(&page.body, "plan-responsible").as_deref(),
        Some("王建国")
    );
    assert_eq!(
        text_by_id(&page.body, "plan-due").as_deref(),
        Some("2026-11-30")
    );
    assert!(!page.body.contains("id=\"plan-overdue\""));
    assert!(page
        .body
        .contains("负责人：王建国，计划完成时间：2026-11-30"));

    // A change is not silent: it needs a reason, and the earlier setting stays on the timeline.
    let silent = committee
        .post(
            &plan,
            &[("responsible", "李会计"), ("due_on", "2026-11-30")],
        )
        .await;
    assert_eq!(silent.status, 422);
    assert!(silent.body.contains("请写明原因"));
    assert!(silent.body.contains("value=\"李会计\""));
    committee
        .post_ok(
            &plan,
            &[
                ("responsible", "李会计"),
                ("due_on", "2026-11-30"),
                ("reason", "王建国外出务工，改由李会计负责"),
            ],
        )
        .await;
    let page = app.client().get(&path).await;
    assert_eq!(
        text_by_id(&page.body, "plan-responsible").as_deref(),
        Some("李会计")
    );
    assert!(page
        .body
        .contains("负责人：王建国，计划完成时间：2026-11-30"));
    assert!(page
        .body
        .contains("负责人：李会计，计划完成时间：2026-11-30 — 王建国外出务工"));

    // 23:30 Beijing on the planned day: due today is not overdue.
    app.clock
        .advance(chrono::Duration::days(4) + chrono::Duration::minutes(14 * 60 + 30));
    let page = app.client().get(&path).await;
    assert!(
        !page.body.contains("id=\"plan-overdue\""),
        "due today is not overdue"
    );
    let list = app.client().get("/c/liutang/items").await;
    assert!(list.body.contains("李会计") && !list.body.contains("已超期"));

    // 07:30 Beijing the next day (still 30 November in UTC): one day overdue.
    app.clock.advance(chrono::Duration::hours(8));
    let page = app.client().get(&path).await;
    assert_eq!(
        text_by_id(&page.body, "plan-overdue").as_deref(),
        Some("已超期 1 天")
    );
    let list = app.client().get("/c/liutang/items").await;
    assert!(list.body.contains("已超期 1 天"));
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let board = supervisor.get("/c/liutang/supervision").await;
    assert!(board.body.contains(&format!("id=\"plan-overdue-{id}\"")));
    assert!(board.body.contains("修缮村口排水沟"));

    // Open data carries the plan and the days overdue.
    let csv = app.client().get("/c/liutang/items.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .body
        .contains("responsible,planned_completion,overdue_days"));
    let line = csv
        .body
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .expect("the item's line");
    assert!(line.contains("李会计,2026-11-30,1,"), "{line}");
    let json = app.client().get("/c/liutang/items.json").await;
    assert!(json.body.contains("\"planned_completion\":\"2026-11-30\""));
    assert!(json.body.contains("\"overdue_days\":\"1\""));
}
both!(an_adopted_item_names_who_and_when_and_shows_overdue_by_beijing_date);

async fn a_proposal_takes_no_plan_until_adopted(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let path = raise(
        &resident,
        "村里装健身器材",
        "广场上装几件健身器材。",
        "other",
    )
    .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = committee
        .post(
            &format!("{path}/plan"),
            &[("responsible", "王建国"), ("due_on", "2026-12-30")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("列入议程以后"));
    committee
        .post_ok(
            &format!("{path}/stage"),
            &[("to", "adopted"), ("note", "列入议程")],
        )
        .await;
    committee
        .post_ok(
            &format!("{path}/plan"),
            &[("responsible", "王建国"), ("due_on", "2026-12-30")],
        )
        .await;
    let page = resident.get(&path).await;
    assert_eq!(
        text_by_id(&page.body, "plan-responsible").as_deref(),
        Some("王建国")
    );
}
both!(a_proposal_takes_no_plan_until_adopted);
