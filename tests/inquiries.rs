//! Inquiries (质询): a supervisor asks about a disclosure; the committee answers in public,
//! once, and the answer is logged; an unanswered inquiry turns overdue and shows on the
//! supervisors' page; only the committee answers, and bad input keeps what was typed.

use crate::both;
use crate::common::page::ids_with_prefix;
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// A supervisor's question about the first disclosure on 柳塘村's board.
struct Asked {
    app: TestApp,
    demo: Demo,
    supervisor: Client,
    committee: Client,
    resident: Client,
    /// The disclosure's page.
    disclosure: String,
    /// The inquiry's page.
    inquiry: String,
}

const QUESTION: &str = "办公用品为什么每月都有？";
const ANSWER: &str = "每月购买记录本、墨盒，凭证可查。";

/// The demo with its cast signed in, and the first disclosure's id.
async fn the_cast(backend: Backend) -> (TestApp, Demo, [Client; 3], String) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let cast = [
        app.signed_in(&demo.contact("supervisor")).await,
        app.signed_in(&demo.contact("committee")).await,
        app.signed_in(&demo.contact("resident")).await,
    ];
    let board = app.client().get("/c/liutang/disclosures").await;
    let disclosure = ids_with_prefix(&board.body, "disclosure-")
        .into_iter()
        .next()
        .expect("a disclosure");
    (app, demo, cast, disclosure)
}

async fn asked(backend: Backend) -> Asked {
    let (app, demo, [supervisor, committee, resident], id) = the_cast(backend).await;
    let at = supervisor
        .post_ok(
            "/c/liutang/inquiries",
            &[
                ("subject", "disclosure"),
                ("subject_id", &id),
                ("question", QUESTION),
            ],
        )
        .await;
    let inquiry = at.split('?').next().expect("path").to_string();
    Asked {
        app,
        demo,
        supervisor,
        committee,
        resident,
        disclosure: format!("/c/liutang/disclosures/{id}"),
        inquiry,
    }
}

/// `asked`, and the committee has answered.
async fn answered(backend: Backend) -> Asked {
    let a = asked(backend).await;
    a.committee
        .post_ok(&format!("{}/answer", a.inquiry), &[("answer", ANSWER)])
        .await;
    a
}

async fn the_demos_overdue_inquiry_is_flagged_to_the_supervisors(backend: Backend) {
    let (_app, _demo, [supervisor, ..], _) = the_cast(backend).await;

    let dash = supervisor.get("/c/liutang/supervision").await;

    assert!(dash.body.contains("临时救助的两户") && dash.body.contains("已超期"));
}
both!(the_demos_overdue_inquiry_is_flagged_to_the_supervisors);

async fn an_empty_question_is_refused(backend: Backend) {
    let (app, _demo, [supervisor, ..], disclosure) = the_cast(backend).await;
    let page = app
        .client()
        .get(&format!("/c/liutang/disclosures/{disclosure}"))
        .await;

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

    assert!(
        page.body.contains("subject=disclosure&amp;subject_id="),
        "asked from the disclosure's page"
    );
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("请写下您要问的问题"));
}
both!(an_empty_question_is_refused);

async fn a_question_is_listed_on_its_disclosure_and_told_to_the_committee(backend: Backend) {
    let a = asked(backend).await;

    let page = a.app.client().get(&a.disclosure).await;

    assert!(a.committee.get("/inbox").await.body.contains("质询"));
    assert!(
        page.body.contains("办公用品为什么每月都有"),
        "listed on the disclosure"
    );
}
both!(a_question_is_listed_on_its_disclosure_and_told_to_the_committee);

async fn only_the_committee_answers_and_a_refused_answer_is_not_stored(backend: Backend) {
    let a = asked(backend).await;
    let answer = format!("{}/answer", a.inquiry);

    let by_resident = a.resident.post(&answer, &[("answer", "我来答")]).await;
    let empty = a.committee.post(&answer, &[("answer", "")]).await;

    assert_eq!(by_resident.status, 403);
    assert_eq!(empty.status, 422);
    assert!(!a.app.client().get(&a.inquiry).await.body.contains("我来答"));
}
both!(only_the_committee_answers_and_a_refused_answer_is_not_stored);

async fn an_answer_is_public_logged_and_told_to_the_asker(backend: Backend) {
    let a = answered(backend).await;

    let page = a.app.client().get(&a.inquiry).await;

    assert!(page.body.contains("每月购买记录本、墨盒") && page.body.contains("/log/entries/"));
    assert!(a.supervisor.get("/inbox").await.body.contains("公开答复"));
}
both!(an_answer_is_public_logged_and_told_to_the_asker);

async fn an_answered_inquiry_stays_answered(backend: Backend) {
    let a = answered(backend).await;

    let again = a
        .committee
        .post(&format!("{}/answer", a.inquiry), &[("answer", "改一下")])
        .await;

    assert_eq!(again.status, 422);
    assert!(again.body.contains("已经答复过了"));
    let page = a.app.client().get(&a.inquiry).await;
    assert!(!page.body.contains("改一下"));
}
both!(an_answered_inquiry_stays_answered);

async fn an_inquiry_that_needs_work_becomes_a_work_order(backend: Backend) {
    let a = answered(backend).await;
    let to_order = format!("{}/order", a.inquiry);

    let order = a
        .committee
        .post_ok(
            &to_order,
            &[
                ("title", "核对办公用品台账"),
                ("category", "other"),
                ("place", "村委会"),
            ],
        )
        .await;
    let untitled = a.committee.post(&to_order, &[("title", "")]).await;

    let order = a.app.client().get(&order).await;
    assert!(
        order.body.contains("核对办公用品台账") && order.body.contains("办公用品为什么每月都有")
    );
    assert!(a
        .app
        .client()
        .get(&a.inquiry)
        .await
        .body
        .contains("核对办公用品台账"));
    assert_eq!(untitled.status, 422);
}
both!(an_inquiry_that_needs_work_becomes_a_work_order);

async fn a_question_about_a_project_links_back_to_the_project(backend: Backend) {
    let (app, _demo, [_, _, resident], _) = the_cast(backend).await;
    let project = app.client().get("/p/LT-2026-001").await;

    let asked = resident
        .post_ok(
            "/c/liutang/inquiries",
            &[
                ("subject", "project"),
                ("subject_id", "1"),
                ("question", "路面什么时候验收？"),
            ],
        )
        .await;

    assert!(project.body.contains("subject=project&amp;subject_id=1"));
    let page = app.client().get(&asked).await;
    assert!(page.body.contains("/c/liutang/inquiries/project/1"));
    let to = app.client().get("/c/liutang/inquiries/project/1").await;
    assert_eq!((to.status, to.location()), (303, "/p/LT-2026-001"));
}
both!(a_question_about_a_project_links_back_to_the_project);

async fn an_unanswered_question_is_overdue_a_week_later(backend: Backend) {
    let a = asked(backend).await;
    let at = a
        .resident
        .post_ok("/c/liutang/inquiries", &[("question", "村道什么时候修？")])
        .await;
    let asked = at.split('?').next().expect("path").to_string();

    a.app.clock.advance(chrono::Duration::days(8));

    let page = a.app.client().get(&asked).await;
    assert!(page.body.contains("已超期"));
    // (A week on, the supervisor signs in again.)
    let supervisor = a.app.signed_in(&a.demo.contact("supervisor")).await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    assert!(dash.body.contains("村道什么时候修"), "{}", dash.body);
}
both!(an_unanswered_question_is_overdue_a_week_later);

async fn the_committee_sets_ten_days_to_answer_and_bad_days_are_refused(backend: Backend) {
    let (app, _demo, [supervisor, committee, _resident], _) = the_cast(backend).await;
    // Nonsense and out-of-range days are refused at the field, what was typed kept.
    for typed in ["十天", "0", "366", "99999999999999999999"] {
        let r = committee
            .post(
                "/c/liutang/oversight",
                &[("voucher_review_days", "10"), ("inquiry_days", typed)],
            )
            .await;
        assert_eq!(r.status, 422, "{typed}: {}", r.body);
        assert!(r.body.contains("1 到 365 之间") && r.body.contains(typed));
    }
    committee
        .post_ok(
            "/c/liutang/oversight",
            &[("voucher_review_days", "10"), ("inquiry_days", "10")],
        )
        .await;
    // Asked at 09:00 on 26 November (Beijing): due ten days later, on 6 December.
    let at = supervisor
        .post_ok(
            "/c/liutang/inquiries",
            &[("question", "路灯为什么还不修？")],
        )
        .await;
    let page = app
        .client()
        .get(at.split('?').next().unwrap_or_default())
        .await;
    assert!(page.body.contains("2026-12-06 09:00"), "{}", page.body);
    // Eight days on it is not yet overdue.
    app.clock.advance(chrono::Duration::days(8));
    let page = app
        .client()
        .get(at.split('?').next().unwrap_or_default())
        .await;
    assert!(!page.body.contains("已超期"));
}
both!(the_committee_sets_ten_days_to_answer_and_bad_days_are_refused);

/// The text of a page's `<title>`.
fn title_of(html: &str) -> &str {
    html.split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or("")
}

async fn an_inquirys_page_is_titled_by_its_question_not_its_number(backend: Backend) {
    let a = asked(backend).await;

    let page = a.committee.get(&a.inquiry).await;

    let title = title_of(&page.body);
    assert!(title.starts_with(QUESTION), "{title}");
    assert!(!title.contains('#') && !title.contains('<'), "{title}");
}
both!(an_inquirys_page_is_titled_by_its_question_not_its_number);
