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
