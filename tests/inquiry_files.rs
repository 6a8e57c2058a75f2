//! Files attached to an inquiry's answer (#15): the committee attaches a PDF or a photo (an
//! acceptance record) through the uploads' checks; the inquiry page links them and they
//! download with safe headers; anything else, or too big, is refused at the field with the
//! answer kept; only the committee of the community answers.

use crate::both;
use crate::common::steps::{count_sql, demo_committee, one_page_pdf, photo};
use crate::common::{spawn_app, Backend, TestApp};

/// 柳塘村's inquiry the demo leaves unanswered.
async fn open_inquiry(app: &TestApp) -> String {
    let id = count_sql(
        app,
        "SELECT MIN(q.id) AS n FROM inquiries q WHERE NOT EXISTS \
         (SELECT 1 FROM inquiry_answers a WHERE a.inquiry_id = q.id)"
            .into(),
    )
    .await;
    format!("/c/liutang/inquiries/{id}")
}

async fn answers(app: &TestApp) -> (i64, i64) {
    let a = count_sql(app, "SELECT COUNT(*) AS n FROM inquiry_answers".into()).await;
    let f = count_sql(app, "SELECT COUNT(*) AS n FROM inquiry_answer_files".into()).await;
    (a, f)
}

/// The path in `html` that starts with `prefix`, up to the closing quote.
fn link(html: &str, prefix: &str) -> String {
    let at = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {html}"));
    let rest = &html[at..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

const ANSWER: &str = "三组路段已中间验收合格，验收记录附后。";

async fn the_answer_carries_a_pdf_and_a_photo_that_download(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let page = open_inquiry(&app).await;
    let before = answers(&app).await;
    let pdf = one_page_pdf();
    let r = committee
        .post_files(
            &format!("{page}/answer"),
            &[("answer", ANSWER)],
            vec![
                ("files", "验收记录.pdf", pdf.clone()),
                ("files", "现场.png", photo()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(answers(&app).await, (before.0 + 1, before.1 + 2));

    let shown = app.client().get(&page).await;
    assert!(shown.body.contains(ANSWER));
    let pdf_link = link(&shown.body, "/files/");
    let (status, ct, bytes) = app.client().get_bytes(&pdf_link).await;
    assert_eq!((status, ct.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, pdf, "the PDF as uploaded");
    let d = app.client().get(&pdf_link).await;
    assert!(d.header("content-disposition").starts_with("attachment"));
    assert!(d.header("content-security-policy").contains("sandbox"));
    let photo_link = link(&shown.body, "/photos/");
    let (status, ct, _) = app.client().get_bytes(&photo_link).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("image/"), "{ct}");
}
both!(the_answer_carries_a_pdf_and_a_photo_that_download);

async fn a_program_or_an_oversize_pdf_is_refused_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let page = open_inquiry(&app).await;
    let before = answers(&app).await;
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
    exe.resize(4096, 0);
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    for (name, bytes, says) in [
        ("setup.exe", exe, "附件不能用"),
        ("验收记录.pdf", big, "PDF 文件太大"),
    ] {
        let r = committee
            .post_files(
                &format!("{page}/answer"),
                &[("answer", ANSWER)],
                vec![("files", name, bytes)],
            )
            .await;
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains(says), "{name}: {}", r.body);
        assert!(r.body.contains(ANSWER), "the answer typed is kept");
        assert!(r.body.contains("id=\"files\"") && r.body.contains("aria-invalid=\"true\""));
    }
    assert_eq!(answers(&app).await, before, "nothing stored");
}
both!(a_program_or_an_oversize_pdf_is_refused_at_the_field);

async fn only_the_communitys_committee_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let page = open_inquiry(&app).await;
    let before = answers(&app).await;
    for role in ["resident", "supervisor", "committee_xinghe"] {
        let outsider = app.signed_in(&demo.contact(role)).await;
        let r = outsider
            .post_files(
                &format!("{page}/answer"),
                &[("answer", ANSWER)],
                vec![("files", "验收记录.pdf", one_page_pdf())],
            )
            .await;
        assert_eq!(r.status, 403, "{role}: {}", r.body);
    }
    assert_eq!(answers(&app).await, before);
}
both!(only_the_communitys_committee_answers);
