//! Inquiries (质询): a supervisor asks about a disclosure; the committee answers in public,
//! once, and the answer is logged; an unanswered inquiry turns overdue and shows on the
//! supervisors' page; only the committee answers, and bad input keeps what was typed.

use crate::both;
use crate::common::{spawn_app, Backend};

async fn an_inquiry_is_answered_in_public_and_logged(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // The demo's overdue inquiry is flagged on the supervisors' page.
    let dash = supervisor.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("临时救助的两户") && dash.body.contains("已超期"));

    // A question about a disclosure, from its page.
    let board = app.client().get("/c/liutang/disclosures").await;
    let disclosure = board
        .body
        .split("/c/liutang/disclosures/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.parse::<i64>().is_ok())
        .expect("a disclosure")
        .to_string();
    let page = app
        .client()
        .get(&format!("/c/liutang/disclosures/{disclosure}"))
        .await;
    assert!(page.body.contains("subject=disclosure&amp;subject_id="));
    let empty = supervisor
        .post(
            "/c/liutang/inquiries",
            &[
                ("subject", "disclosure"),
                ("subject_id", &disclosure),
                ("question", " "),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("请写下您要问的问题"));
    let r = supervisor
        .post(
            "/c/liutang/inquiries",
            &[
                ("subject", "disclosure"),
                ("subject_id", &disclosure),
                ("question", "办公用品为什么每月都有？"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let inquiry = r.location().split('?').next().expect("path").to_string();
    assert!(committee.get("/inbox").await.body.contains("质询"));
    let page = app
        .client()
        .get(&format!("/c/liutang/disclosures/{disclosure}"))
        .await;
    assert!(
        page.body.contains("办公用品为什么每月都有"),
        "listed on the disclosure"
    );

    // Only the committee answers; the answer keeps what was typed when refused.
    let answer = format!("{inquiry}/answer");
    let r = resident.post(&answer, &[("answer", "我来答")]).await;
    assert_eq!(r.status, 403);
    let r = committee.post(&answer, &[("answer", "")]).await;
    assert_eq!(r.status, 422);
    let r = committee
        .post(&answer, &[("answer", "每月购买记录本、墨盒，凭证可查。")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(&inquiry).await;
    assert!(page.body.contains("每月购买记录本、墨盒") && page.body.contains("/log/entries/"));
    assert!(supervisor.get("/inbox").await.body.contains("公开答复"));

    // Once answered, it stays answered.
    let again = committee.post(&answer, &[("answer", "改一下")]).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("已经答复过了"));
    let page = app.client().get(&inquiry).await;
    assert!(!page.body.contains("改一下"));

    // An inquiry that needs work done becomes a work order the asker confirms.
    let r = committee
        .post(
            &format!("{inquiry}/order"),
            &[
                ("title", "核对办公用品台账"),
                ("category", "other"),
                ("place", "村委会"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let order = app.client().get(r.location()).await;
    assert!(
        order.body.contains("核对办公用品台账") && order.body.contains("办公用品为什么每月都有")
    );
    assert!(app
        .client()
        .get(&inquiry)
        .await
        .body
        .contains("核对办公用品台账"));
    let r = committee
        .post(&format!("{inquiry}/order"), &[("title", "")])
        .await;
    assert_eq!(r.status, 422);

    // A question about a project links back to the project's page.
    let project = app.client().get("/p/LT-2026-001").await;
    assert!(project.body.contains("subject=project&amp;subject_id=1"));
    let r = resident
        .post(
            "/c/liutang/inquiries",
            &[
                ("subject", "project"),
                ("subject_id", "1"),
                ("question", "路面什么时候验收？"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(r.location()).await;
    assert!(page.body.contains("/c/liutang/inquiries/project/1"));
    let to = app.client().get("/c/liutang/inquiries/project/1").await;
    assert_eq!((to.status, to.location()), (303, "/p/LT-2026-001"));

    // A week later an unanswered question is overdue.
    let r = resident
        .post("/c/liutang/inquiries", &[("question", "村道什么时候修？")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let asked = r.location().split('?').next().expect("path").to_string();
    app.clock.advance(chrono::Duration::days(8));
    let page = app.client().get(&asked).await;
    assert!(page.body.contains("已超期"));
    // (A week on, the supervisor signs in again.)
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("村道什么时候修"), "{}", dash.body);
}
both!(an_inquiry_is_answered_in_public_and_logged);
