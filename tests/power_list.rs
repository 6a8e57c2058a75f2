//! The power list (小微权力清单) binds the committee, so only the villagers change it: a change
//! cites a passed, uncorrected decision of the villagers' or representatives' meeting of the
//! same community, is logged (action log and transparency log), versioned (the list as of any
//! day), and the supervisors are told. A payment answers to the list in force on its date.

use diesel::prelude::*;

use crate::both;
use crate::common::steps::{assert_the_log_verifies, passed_decision, query};
use crate::common::{spawn_app, Backend, TestApp};

const PAY: &str = "/c/liutang/projects/LT-2026-001/disbursements";

async fn power_rows(app: &TestApp) -> i64 {
    use yishi::schema::powers;
    query(app, |c| powers::table.count().get_result(c)).await
}

fn raise(decision: &str) -> Vec<(&str, &str)> {
    vec![
        ("code", "4"),
        ("name", "大额资金支出"),
        ("kind", "disbursement"),
        ("body", "residents"),
        ("threshold", "100,000,000"),
        ("comparison", "at_least"),
        ("procedure", "村民会议决议"),
        ("decision", decision),
    ]
}

fn payment<'a>(amount: &'a str, paid_on: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("amount", amount),
        ("paid_on", paid_on),
        ("payee", "县公路工程队第二期"),
        ("voucher", "LT记-2026-141"),
        ("decision", ""),
    ]
}

async fn the_committee_cannot_loosen_the_power_list_without_the_villagers(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let rows = power_rows(&app).await;

    // No decision, the committee's own, another community's, one that does not exist.
    let cleaning = passed_decision(&app, "liutang", "committee", "").await;
    let parking = passed_decision(&app, "xinghe", "representatives", "").await;
    for (cited, message) in [
        ("", "权力清单由村民会议或村民代表会议决定"),
        (cleaning.as_str(), "只能由村民会议或村民代表会议决定修改"),
        (parking.as_str(), "所选的决议不是本村的决议"),
        ("999999", "所选的决议不是本村的决议"),
    ] {
        let r = committee.post("/c/liutang/powers", &raise(cited)).await;
        assert_eq!(r.status, 422, "citing {cited:?}: {}", r.body);
        assert!(r.body.contains(message), "citing {cited:?}: {}", r.body);
        assert!(r.body.contains("100,000,000"), "what was typed is kept");
    }
    assert_eq!(power_rows(&app).await, rows, "nothing changed");

    // So an 80,000 yuan payment without a decision is refused under the list in force.
    let r = committee.post(PAY, &payment("80,000", "2026-11-25")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("权力清单第 4 项“大额资金支出”"),
        "{}",
        r.body
    );
}
both!(the_committee_cannot_loosen_the_power_list_without_the_villagers);

async fn a_change_adopted_by_the_villagers_is_logged_versioned_and_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let meeting = passed_decision(&app, "liutang", "residents", "通过《柳塘村小微权力清单》").await;

    committee
        .post_ok("/c/liutang/powers", &raise(&meeting))
        .await;
    let list = app.client().get("/c/liutang/powers").await;
    assert!(list.body.contains("¥100,000,000.00 以上"), "{}", list.body);
    assert!(list
        .body
        .contains(&format!("/c/liutang/decisions/{meeting}")));

    // Versioned: the list in force before today still reads as it was.
    let before = app.client().get("/c/liutang/powers?as_of=2026-11-20").await;
    assert_eq!(before.status, 200);
    assert!(before.body.contains("¥50,000.00 以上"), "{}", before.body);
    assert!(!before.body.contains("¥100,000,000.00 以上：须经"));
    let bad = app.client().get("/c/liutang/powers?as_of=yesterday").await;
    assert_eq!(bad.status, 422);

    // Logged in the action log and the transparency log; the supervisors are told.
    let actions: i64 = query(&app, |c| {
        use yishi::schema::action_log;
        action_log::table
            .filter(action_log::action.eq("power_change"))
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(actions, 1);
    let records = app.client().get("/log/records?from=0&count=256").await;
    assert!(records.body.contains("power_change") && records.body.contains("10000000000"));
    let inbox = supervisor.get("/inbox").await;
    assert!(inbox.body.contains("小微权力清单修改了"), "{}", inbox.body);

    // A payment answers to the list in force on its date: 80,000 paid on 20 November falls
    // under item 4 (villagers' meeting); paid today, under item 3 (representatives).
    let r = committee.post(PAY, &payment("80,000", "2026-11-20")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("权力清单第 4 项“大额资金支出”"),
        "{}",
        r.body
    );
    let r = committee.post(PAY, &payment("80,000", "2026-11-26")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("权力清单第 3 项“工程建设”"), "{}", r.body);

    // The log still verifies.
    assert_the_log_verifies(&app).await;
}
both!(a_change_adopted_by_the_villagers_is_logged_versioned_and_told);
