//! Disclosures (村务公开): a finance disclosure with its ledger and totals, a correction with
//! its reason, banner, old version and diff; ledger CSV import with errors by line (and in
//! GBK); cadence and what is overdue; attachments; open data and Atom feeds.

use diesel::connection::SimpleConnection;

use crate::both;
use crate::common::page::{inner_by_id, link_in};
use crate::common::steps::{count_sql, demo_committee, one_page_pdf, subsidy_disclosure};
use crate::common::{spawn_app, Backend, Client, TestApp};

/// A finance disclosure's form for `period` (a month such as 2026-10) with two lines.
fn ledger_fields(period: &str, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("category", "finance".into()),
        ("period", period.into()),
        ("title", title.into()),
        ("responsible", "报账员 王会计".into()),
        (
            "body",
            "本月收支如下，有疑问请向村务监督委员会反映。".into(),
        ),
        ("opening", "10,000.00".into()),
        ("rows", "3".into()),
        ("date_0", format!("{period}-05")),
        ("description_0", "上级转移支付".into()),
        ("income_0", "5000".into()),
        ("voucher_0", "J-101".into()),
        ("date_1", format!("{period}-12")),
        ("description_1", "村道修补材料".into()),
        ("expense_1", "1,200.50".into()),
        ("counterparty_1", "某某建材店".into()),
        ("voucher_1", "J-102".into()),
    ]
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Publishes 柳塘村's November 2026 ledger; returns the disclosure's page path.
async fn publish_november(committee: &Client) -> String {
    let published = committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &refs(&ledger_fields("2026-11", "2026年11月财务收支公开")),
            vec![],
        )
        .await;
    published.split('?').next().expect("path").to_string()
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    count_sql(app, format!("SELECT COUNT(*) AS n FROM {table}")).await
}

async fn a_finance_disclosure_is_published_corrected_and_diffed(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    assert_eq!(
        committee.get("/c/liutang/disclosures/new").await.status,
        200
    );

    let page_path = publish_november(&committee).await;
    let page = app.client().get(&page_path).await;
    assert!(page.body.contains("2026年11月财务收支公开"));
    for figure in ["10,000.00", "5,000.00", "1,200.50", "13,799.50"] {
        assert!(page.body.contains(figure), "totals show {figure}");
    }
    assert!(page.body.contains("某某建材店") && page.body.contains("J-102"));
    assert!(
        page.body.contains("/log/entries/"),
        "the version is in the log"
    );

    // A second publication for the same period is refused: correct the first instead.
    let again = committee
        .post_files(
            "/c/liutang/disclosures",
            &refs(&ledger_fields("2026-11", "重复的公开")),
            vec![],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("已经发布过了") && again.body.contains("重复的公开"));

    // A correction needs a reason; what was typed is kept.
    let correct = format!("{page_path}/correct");
    let form = committee.get(&correct).await;
    assert!(
        form.body.contains("1200.50"),
        "the form starts from the published ledger"
    );
    let mut fields = ledger_fields("2026-11", "2026年11月财务收支公开");
    fields.retain(|(k, _)| *k != "expense_1");
    fields.push(("expense_1", "1,250.50".into()));
    let no_reason = committee.post_files(&correct, &refs(&fields), vec![]).await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("更正必须写明原因") && no_reason.body.contains("1,250.50"));
    fields.push(("reason", "10月12日材料款录入少了50元".into()));
    committee
        .post_files_ok(&correct, &refs(&fields), vec![])
        .await;

    // The page shows the latest with a banner, the diff, and the earlier version stays.
    let page = app.client().get(&page_path).await;
    assert!(page.body.contains("更正原因：10月12日材料款录入少了50元"));
    assert!(page.body.contains("13,749.50"), "new closing balance");
    assert!(page.body.contains("class=\"removed\"") && page.body.contains("class=\"added\""));
    let old = link_in(&page.body, "versions").expect("a link to version 1");
    let v1 = app.client().get(&old).await;
    assert!(v1.body.contains("13,799.50") && v1.body.contains("最新是第 2 版"));

    // The ledger downloads as CSV that reads back the same.
    let csv = app.client().get(&format!("{page_path}/ledger.csv")).await;
    assert!(csv.body.contains("1250.50") && csv.body.contains("J-102"));

    // Published versions cannot be changed in place.
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    assert!(conn
        .batch_execute("UPDATE disclosure_versions SET title = 'x'")
        .is_err());
    assert!(conn.batch_execute("DELETE FROM ledger_lines").is_err());
}
both!(a_finance_disclosure_is_published_corrected_and_diffed);

/// Twelve corrections of one disclosure sent at once all land, as versions 2 to 13: each takes
/// the next number in turn instead of racing the others to a unique violation (a 500 on
/// PostgreSQL before `take_turn`).
async fn corrections_sent_at_once_each_get_the_next_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let correct = format!("{}/correct", publish_november(&committee).await);
    let mut running = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (committee, correct) = (committee.clone(), correct.clone());
        running.spawn(async move {
            let mut fields = ledger_fields("2026-11", &format!("第 {i} 次更正"));
            fields.push(("reason", format!("同时发出的更正 {i}")));
            committee.post_files(&correct, &refs(&fields), vec![]).await
        });
    }
    while let Some(done) = running.join_next().await {
        let answer = done.expect("a correction task");
        assert_eq!(
            answer.status, 303,
            "a correction answered {}",
            answer.status
        );
    }
    let versions = count_sql(
        &app,
        "SELECT COUNT(DISTINCT version) AS n FROM disclosure_versions WHERE disclosure_id = \
         (SELECT disclosure_id FROM disclosure_versions WHERE title = '第 0 次更正')"
            .to_string(),
    )
    .await;
    assert_eq!(versions, 13, "the first version and twelve corrections");
}
both!(corrections_sent_at_once_each_get_the_next_version);

async fn a_ledger_csv_is_checked_line_by_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let before = count(&app, "disclosures").await;
    let fields = [
        ("category", "finance"),
        ("period", "2026-08"),
        ("title", "八月财务公开"),
        ("responsible", "王会计"),
        ("opening", "0"),
        ("rows", "0"),
    ];
    let bad = "日期,摘要,收入,支出,对方单位,凭证号\n\
               2026-08-01,卖树苗,300,,苗圃,J-1\n\
               2026-13-01,买水泥,,abc,建材店,J-2\n\
               2026-07-30,上月的,100,,某人,J-3\n";
    let r = committee
        .post_files(
            "/c/liutang/disclosures",
            &fields,
            vec![("ledger_csv", "ledger.csv", bad.as_bytes().to_vec())],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("第 3 行"),
        "the bad date and amount are on line 3"
    );
    assert!(
        r.body.contains("第 4 行"),
        "the date outside the period is on line 4"
    );
    assert!(r.body.contains("abc"), "the bad value is quoted");
    assert!(r.body.contains("八月财务公开"), "the title is kept");
    assert_eq!(
        count(&app, "disclosures").await,
        before,
        "nothing published"
    );

    let missing = "日期,摘要,收入\n2026-08-01,卖树苗,300\n";
    let r = committee
        .post_files(
            "/c/liutang/disclosures",
            &fields,
            vec![("ledger_csv", "ledger.csv", missing.as_bytes().to_vec())],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("支出"), "the missing column is named");

    // A good file saved by Excel in GBK.
    let good = "日期,摘要,收入,支出,对方单位,凭证号\r\n2026-08-01,卖树苗,300,,苗圃,J-1\r\n2026/8/15,买水泥,,1200,建材店,J-2\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(good);
    let published = committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &fields,
            vec![("ledger_csv", "ledger.csv", gbk.into_owned())],
        )
        .await;
    let page = app.client().get(&published).await;
    assert!(page.body.contains("卖树苗") && page.body.contains("买水泥"));
    assert!(
        page.body.contains("-900.00"),
        "closing balance 0 + 300 − 1200"
    );
}
both!(a_ledger_csv_is_checked_line_by_line);

async fn missing_disclosures_are_overdue_until_published(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for c in [
        "finance",
        "assets",
        "projects",
        "subsidies",
        "decisions",
        "personnel",
        "other",
        "work_orders",
    ] {
        let cadence = if c == "finance" {
            "monthly"
        } else if c == "decisions" {
            "within:5"
        } else {
            "quarterly"
        };
        fields.push((format!("cadence_{c}"), cadence.into()));
        fields.push((format!("since_{c}"), "2026-01-01".into()));
        fields.push((format!("grace_{c}"), "10".into()));
    }
    let as_refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    committee
        .post_ok("/c/liutang/disclosures/schedule", &as_refs)
        .await;

    // The demo left August's finance disclosure out: on 26 November it is overdue, and
    // October's (published) is not.
    let board = app.client().get("/c/liutang/disclosures").await;
    let overdue = inner_by_id(&board.body, "overdue").expect("overdue section");
    assert!(overdue.contains("2026年8月"), "{overdue}");
    assert!(!overdue.contains("2026年10月"), "{overdue}");
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let dash = supervisor.get("/c/liutang/supervision").await;
    assert!(
        dash.body.contains("2026年8月"),
        "the supervisors see it too"
    );

    committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &refs(&ledger_fields("2026-08", "八月财务")),
            vec![],
        )
        .await;
    let board = app.client().get("/c/liutang/disclosures").await;
    let overdue = inner_by_id(&board.body, "overdue").expect("overdue section");
    assert!(
        !overdue.contains("2026年8月"),
        "published, no longer overdue"
    );

    // A bad schedule is refused with the category named.
    let r = committee
        .post(
            "/c/liutang/disclosures/schedule",
            &[("cadence_finance", "sometimes")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("财务公开"));
}
both!(missing_disclosures_are_overdue_until_published);

async fn attachments_and_open_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let pdf = one_page_pdf();
    let published = committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &subsidy_disclosure("第二季度低保发放名单"),
            vec![("files", "list.pdf", pdf.clone())],
        )
        .await;
    let page = app.client().get(&published).await;
    let file = link_in(&page.body, "attachments").expect("a PDF link");
    let (status, content_type, bytes) = app.client().get_bytes(&file).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, pdf);

    // A file that is neither a PDF nor a photo is refused, the text kept.
    let r = committee
        .post_files(
            "/c/liutang/disclosures",
            &[
                ("category", "other"),
                ("period", "2026-11"),
                ("title", "带附件的公告"),
                ("responsible", "村委会"),
                ("rows", "0"),
            ],
            vec![("files", "x.exe", b"MZ\x90\x00".to_vec())],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("带附件的公告"));

    let csv = app.client().get("/c/liutang/disclosures.csv").await;
    assert!(csv.body.contains("第二季度低保发放名单"));
    let json: serde_json::Value =
        serde_json::from_str(&app.client().get("/c/liutang/disclosures.json").await.body)
            .expect("json");
    assert_eq!(json[0]["category"], "subsidies");
    let decisions = app.client().get("/c/liutang/decisions.csv").await;
    assert!(decisions.body.lines().count() > 1 && decisions.body.contains("passed"));
    let orders: serde_json::Value =
        serde_json::from_str(&app.client().get("/c/liutang/orders.json").await.body).expect("json");
    assert!(orders.as_array().is_some_and(|a| !a.is_empty()));
    let atom = app.client().get("/c/liutang/disclosures.atom").await;
    assert!(atom
        .header("content-type")
        .starts_with("application/atom+xml"));
    assert!(atom.body.contains("<entry>") && atom.body.contains("第二季度低保发放名单"));
    let board = app.client().get("/c/liutang/disclosures").await;
    assert!(
        board.body.contains("application/atom+xml"),
        "the feed is advertised"
    );
    let d_atom = app.client().get("/c/liutang/decisions.atom").await;
    assert!(d_atom.body.contains("<entry>"));
}
both!(attachments_and_open_data);
