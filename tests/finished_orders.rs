//! Confirming a finished order (issue #15): one card with two different-looking choices,
//! 确认已解决 (primary) and 没解决，退回重办 (secondary, with its reason required at the field).

use crate::both;
use crate::common::page::{attr_by_id, text_by_id};
use crate::common::steps::{complete_order, move_fields, report};
use crate::common::{spawn_app, Backend};

async fn the_reporter_confirms_or_sends_back_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let order = report(&resident, "水沟堵了", &[]).await;
    complete_order(&worker, &order, "已清理").await;

    // One card, two choices that look different.
    let page = resident.get(&order).await;
    let card = text_by_id(&page.body, "decide").expect("the decide card");
    assert!(card.contains("这件事解决了吗") && card.contains("确认已解决"));
    assert!(card.contains("没解决，退回重办"));
    assert_eq!(
        attr_by_id(&page.body, "confirm-button", "class").as_deref(),
        Some("primary")
    );
    assert_eq!(
        attr_by_id(&page.body, "reopen-button", "class").as_deref(),
        Some("secondary")
    );
    // The assignee is not offered the reporter's choice.
    assert!(text_by_id(&worker.get(&order).await.body, "decide").is_none());

    // Sending back without a reason: refused at the field, the page scrolls to the card.
    let r = resident
        .post_files(
            &format!("{order}/move"),
            &move_fields("reopened", "  "),
            vec![],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        attr_by_id(&r.body, "note-reopened", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_by_id(&r.body, "note-reopened", "aria-describedby").as_deref(),
        Some("note-reopened-error")
    );
    let msg = text_by_id(&r.body, "note-reopened-error").expect("the message at the field");
    assert!(msg.contains("哪里没解决"), "{msg}");
    assert!(r.body.contains("/move#decide"));
    assert!(text_by_id(&resident.get(&order).await.body, "state")
        .expect("state")
        .contains("已办结"));

    // With a reason it goes back; finished again, the reporter confirms with one button.
    resident
        .post_files_ok(
            &format!("{order}/move"),
            &move_fields("reopened", "水还是排不走"),
            vec![],
        )
        .await;
    let back = resident.get(&order).await;
    assert!(text_by_id(&back.body, "state")
        .expect("state")
        .contains("已退回重办"));
    assert!(text_by_id(&back.body, "decide").is_none());
    complete_order(&worker, &order, "管道疏通了").await;
    resident
        .post_files_ok(&format!("{order}/move"), &[("to", "confirmed")], vec![])
        .await;
    let done = resident.get(&order).await;
    assert!(text_by_id(&done.body, "state")
        .expect("state")
        .contains("已确认"));
}
both!(the_reporter_confirms_or_sends_back_with_a_reason);
