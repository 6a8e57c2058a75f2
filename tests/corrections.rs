//! Corrections that correct: a decision a later decision corrects no longer counts anywhere
//! — no work order can be made from it — and the orders already citing it are listed for
//! the supervisors. (The correcting decision is stored as a confirmed correction would
//! store it; the correction form itself is tested with the ballots.)

use crate::both;
use crate::common::page::text_by_id;
use crate::common::steps::{count_sql, query, without_query};
use crate::common::{spawn_app, Backend, TestApp};

fn order(title: &str) -> [(&str, &str); 3] {
    [("title", title), ("budget", "1000"), ("due", "2027-03-31")]
}

/// Stores a decision that corrects decision `id` to rejected, as a confirmed correction does.
async fn corrected(app: &TestApp, id: i64) {
    let sql = format!(
        "INSERT INTO decisions (community_id, item_id, ballot_id, corrects_id, correction_reason,
            body, mode, secret, options, rule, electorate, households, present,
            households_present, counts, quorum_met, verdict, leading_option, minutes, photo,
            board_sha256, recorded_by, confirmed_by, published_at)
         SELECT community_id, item_id, ballot_id, id, '计票有误', body, mode, secret, options,
            rule, electorate, households, present, households_present, counts, quorum_met,
            'rejected', leading_option, minutes, photo, board_sha256, recorded_by, confirmed_by,
            published_at FROM decisions WHERE id = {id}"
    );
    query(app, move |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&sql)
    })
    .await;
}

async fn a_corrected_decision_makes_no_work_order_and_its_orders_are_shown(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let made = committee
        .post_ok("/c/liutang/decisions/2/orders", &order("道路硬化第一标段"))
        .await;
    let first = without_query(&made);
    let first_id = first.rsplit('/').next().expect("id").to_string();

    corrected(&app, 2).await;

    let refused = committee
        .post_ok("/c/liutang/decisions/2/orders", &order("道路硬化第二标段"))
        .await;
    assert!(
        refused.contains("order_error=err_decision_corrected"),
        "{refused}"
    );
    let page = committee.get(&refused).await.body;
    assert!(page.contains("已被后来的决议更正"));
    let n = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM work_orders WHERE title = '道路硬化第二标段'".into(),
    )
    .await;
    assert_eq!(n, 0, "nothing is made from a corrected decision");

    let board = supervisor.get("/c/liutang/supervision").await.body;
    let listed = text_by_id(&board, &format!("corrected-order-{first_id}"))
        .expect("the order citing the corrected decision is listed");
    assert!(listed.contains("道路硬化第一标段") && listed.contains("#2"));
}
both!(a_corrected_decision_makes_no_work_order_and_its_orders_are_shown);
