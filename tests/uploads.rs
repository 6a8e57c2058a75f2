//! Uploads: the photos of one request are bounded in pixels together, decoded a few at a time
//! per server (the rest are told the server is busy), and reports with photos are throttled
//! per resident; PDFs must parse as PDFs and are served as sandboxed downloads.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::both;
use crate::common::page::link_in;
use crate::common::steps::{demo_committee, one_page_pdf, subsidy_disclosure};
use crate::common::{spawn_app, spawn_app_with, Backend, Client, TestApp};

/// A 7070 × 7070 grey PNG: 50 megapixels, just under the limit for one photo, in a few
/// dozen kilobytes (the attack of issue 11 used four of these in one request).
fn huge_png() -> Vec<u8> {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| {
        let img = image::GrayImage::from_pixel(7070, 7070, image::Luma([200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        out.into_inner()
    })
    .clone()
}

fn small_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 4, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// Posts a report titled `title` carrying `photos`.
async fn report(client: &Client, title: &str, photos: Vec<Vec<u8>>) -> crate::common::Resp {
    let files = photos
        .into_iter()
        .map(|p| ("photos", "photo.png", p))
        .collect();
    client
        .post_files(
            "/c/liutang/orders",
            &[
                ("title", title),
                ("description", "村口的路灯杆歪了，晚上看不清。"),
                ("category", "safety"),
                ("place", "村口"),
            ],
            files,
        )
        .await
}

/// Orders titled `title`.
async fn orders_titled(app: &TestApp, title: &'static str) -> i64 {
    app.state
        .db(move |conn| {
            use diesel::prelude::*;
            use yishi::schema::work_orders;
            Ok(work_orders::table
                .filter(work_orders::title.eq(title))
                .count()
                .get_result::<i64>(conn)?)
        })
        .await
        .expect("count")
}

async fn a_request_is_bounded_in_pixels_and_never_fails(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // Four photos of 50 megapixels each: each is within the limit for one photo, together
    // they are over the limit for a request. Refused from their headers, text kept.
    let photos = vec![huge_png(); 4];
    let decoded_before = yishi::uploads::decodes_run();
    let r = report(&resident, "四张巨图", photos).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("合计不能超过 6400 万像素"), "{}", r.body);
    assert!(
        r.body.contains("村口的路灯杆歪了"),
        "what was typed is kept"
    );
    assert_eq!(orders_titled(&app, "四张巨图").await, 0);
    assert_eq!(
        yishi::uploads::decodes_run(),
        decoded_before,
        "refused from the headers, before any photo was decoded"
    );

    // One such photo with a small one is within both limits: served, not a 500.
    let r = report(&resident, "一张大图", vec![huge_png(), small_png()]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(r.location()).await;
    assert!(page.body.contains("/photos/"), "{}", page.body);
}
both!(a_request_is_bounded_in_pixels_and_never_fails);

async fn photos_wait_for_a_free_slot_then_the_server_is_busy(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.image_slots = Some(1)).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // Another request is decoding in the only slot, for longer than a request waits.
    let slot = app.state.images.enter().await.expect("the slot");
    let started = Instant::now();
    let r = report(&resident, "排队的反映", vec![small_png()]).await;
    let waited = started.elapsed();
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), "5");
    assert!(r.body.contains("人有点多"), "{}", r.body);
    assert!(waited >= Duration::from_secs(4), "it waited: {waited:?}");
    assert_eq!(orders_titled(&app, "排队的反映").await, 0, "nothing saved");

    // Once the slot is free, the same report goes through.
    drop(slot);
    let r = report(&resident, "排队的反映", vec![small_png()]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(orders_titled(&app, "排队的反映").await, 1);
}
both!(photos_wait_for_a_free_slot_then_the_server_is_busy);

async fn reports_with_photos_are_throttled_per_resident(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    for i in 0..5 {
        let r = report(&resident, &format!("第{i}处"), vec![small_png()]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = report(&resident, "第六处", vec![small_png()]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("带照片的反映太频繁了"), "{}", r.body);
    assert!(r.body.contains("600 秒后再试"), "the wait is said");
    assert!(r.body.contains("第六处") && r.body.contains("村口的路灯杆歪了"));
    assert_eq!(orders_titled(&app, "第六处").await, 0);

    // Another resident is not held back, nor is a report without photos.
    let other = app.signed_in(&demo.contact("representative")).await;
    let r = report(&other, "别人的反映", vec![small_png()]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = report(&resident, "没有照片", vec![]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Ten minutes later the resident may send photos again.
    app.clock.advance(chrono::Duration::seconds(600));
    let r = report(&resident, "第六处", vec![small_png()]).await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both!(reports_with_photos_are_throttled_per_resident);

/// Publishes a disclosure titled `title` with one attachment.
async fn publish_with(client: &Client, title: &str, file: Vec<u8>) -> crate::common::Resp {
    client
        .post_files(
            "/c/liutang/disclosures",
            &subsidy_disclosure(title),
            vec![("files", "notice.pdf", file)],
        )
        .await
}

async fn attached_pdfs_are_sandboxed_downloads(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let published = committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &subsidy_disclosure("带附件的公告"),
            vec![("files", "notice.pdf", one_page_pdf())],
        )
        .await;
    let page = app.client().get(&published).await;
    let link = link_in(&page.body, "attachments").expect("a PDF link");
    let file = link.strip_prefix("/files/").expect("a file");
    let pdf = app.client().get(&link).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert_eq!(
        pdf.header("content-security-policy"),
        "sandbox",
        "the file's own policy, not the site's"
    );
    assert_eq!(
        pdf.header("content-disposition"),
        format!("attachment; filename=\"{file}\"")
    );
    assert_eq!(pdf.header("x-content-type-options"), "nosniff");
    // Pages keep the site's policy.
    assert!(page
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("default-src 'self'")));
}
both!(attached_pdfs_are_sandboxed_downloads);

async fn a_file_that_only_starts_like_a_pdf_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    for fake in [
        b"%PDF-1.7\n<script>alert(1)</script>".to_vec(),
        b"%PDF-1.4\n% test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec(),
    ] {
        let r = publish_with(&committee, "假的PDF附件", fake).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("不是完整的 PDF"), "{}", r.body);
        assert!(r.body.contains("假的PDF附件"), "what was typed is kept");
    }
    let files = app.db.dir.path().join("data").join("files");
    let stored = std::fs::read_dir(&files).map_or(0, |d| d.count());
    assert_eq!(stored, 0, "nothing stored");
    let list = app.client().get("/c/liutang/disclosures").await;
    assert!(!list.body.contains("假的PDF附件"));
}
both!(a_file_that_only_starts_like_a_pdf_is_refused);
