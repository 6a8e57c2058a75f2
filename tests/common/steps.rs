//! Setup steps the stories share: raising an item, verifying a newcomer, counting rows. Each step asserts that it worked, so a later assert never rests on a step
//! that silently failed.

use diesel::QueryResult;

use super::page;
use super::{Client, Demo, TestApp};

/// Raises an item of 柳塘村 as `client`; returns its path.
pub async fn raise(client: &Client, title: &str, body: &str, category: &str) -> String {
    client
        .post_ok(
            "/c/liutang/items",
            &[("title", title), ("body", body), ("category", category)],
        )
        .await
}

/// Who signs up and where they say they live.
pub struct Newcomer<'a> {
    pub contact: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub address: &'a str,
}

/// A newcomer signs up, asks to join 柳塘村 and is verified by the committee in a household
/// of their own; returns them signed in.
pub async fn verified_newcomer(app: &TestApp, demo: &Demo, who: &Newcomer<'_>) -> Client {
    let newcomer = app.client();
    let r = newcomer.sign_up(who.contact, who.name, who.password).await;
    assert_eq!(r.status, 303, "sign-up: {}", r.body);
    newcomer
        .post_ok("/c/liutang/join", &[("address", who.address)])
        .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/residents").await;
    let id = request_id(&page.body, who.name);
    committee
        .post_ok(
            &format!("/c/liutang/requests/{id}/approve"),
            &[
                ("household", "new"),
                ("person_id", "new"),
                ("name", who.name),
                ("sex", "m"),
                ("birth_date", "1990-01-01"),
            ],
        )
        .await;
    newcomer
}

/// The id of the join request by `name` on the residents page.
pub fn request_id(html: &str, name: &str) -> String {
    page::id_of_the_one_with(html, "request-", name)
        .unwrap_or_else(|| panic!("no request by {name} listed"))
}

/// The demo loaded and its committee of 柳塘村 signed in.
pub async fn demo_committee(app: &TestApp) -> Client {
    let demo = app.load_demo().await;
    app.signed_in(&demo.contact("committee")).await
}

/// Runs a query on the app's database off the async workers.
pub async fn query<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut yishi::db::AnyConnection) -> QueryResult<T> + Send + 'static,
) -> T {
    app.state.db(move |conn| Ok(f(conn)?)).await.expect("query")
}

/// The first passed decision of community `slug` by `body` (residents, representatives,
/// committee) on an item whose title starts with `title`; its id.
pub async fn passed_decision(
    app: &TestApp,
    slug: &'static str,
    body: &'static str,
    title: &str,
) -> String {
    use diesel::prelude::*;
    use yishi::schema::{agenda_items, communities, decisions};
    let title = format!("{title}%");
    let id: i64 = query(app, move |c| {
        decisions::table
            .inner_join(communities::table.on(communities::id.eq(decisions::community_id)))
            .inner_join(agenda_items::table.on(agenda_items::id.eq(decisions::item_id)))
            .filter(communities::slug.eq(slug))
            .filter(decisions::body.eq(body))
            .filter(decisions::verdict.eq("passed"))
            .filter(agenda_items::title.like(title))
            .order(decisions::id)
            .select(decisions::id)
            .first(c)
    })
    .await;
    id.to_string()
}

/// The number `sql` (a `SELECT COUNT(*) AS n …`) counts.
pub async fn count_sql(app: &TestApp, sql: String) -> i64 {
    query(app, move |conn| {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        Ok(diesel::sql_query(sql).get_result::<N>(conn)?.n)
    })
    .await
}

/// Reports a problem in 柳塘村's 一组 (the demo's `grid_worker` works it) as `client`, with a
/// before-photo; returns the order's path.
pub async fn report(client: &Client, title: &str, extra: &[(&str, &str)]) -> String {
    let form = client.get("/c/liutang/orders/new").await;
    let grid =
        crate::common::page::option_value(&form.body, "grid", "一组").expect("一组 is offered");
    let mut fields = vec![
        ("title", title),
        ("description", "玻璃碎了，里面的水带露在外面。"),
        ("category", "safety"),
        ("place", "A区160号车位旁"),
    ];
    if !extra.iter().any(|(k, _)| *k == "grid") {
        fields.push(("grid", grid.as_str()));
    }
    fields.extend_from_slice(extra);
    let at = client
        .post_files_ok(
            "/c/liutang/orders",
            &fields,
            vec![("photos", "before.png", photo())],
        )
        .await;
    at.split('?').next().expect("a path").to_string()
}

/// The fields of a work order's move form.
pub fn move_fields<'a>(to: &'a str, note: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("to", to), ("note", note)]
}

/// A one-page PDF with a correct cross-reference table, as a PDF reader expects it.
pub fn one_page_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let size = objects.len() + 1;
    pdf.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for at in offsets {
        pdf.extend_from_slice(format!("{at:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

/// The disclosure categories, as the schedule form names them.
pub const DISCLOSURE_CATEGORIES: [&str; 7] = [
    "finance",
    "assets",
    "projects",
    "subsidies",
    "decisions",
    "personnel",
    "other",
];

/// A subsidies disclosure of 柳塘村 for 2026-Q2 titled `title`, without ledger lines.
pub fn subsidy_disclosure(title: &str) -> Vec<(&str, &str)> {
    vec![
        ("category", "subsidies"),
        ("period", "2026-Q2"),
        ("title", title),
        ("responsible", "民政专干"),
        ("body", "共 12 户。"),
        ("rows", "0"),
    ]
}

/// As the assignee, takes the order on and completes it with an after-photo, both moves
/// noted `note`.
pub async fn complete_order(worker: &Client, order: &str, note: &str) {
    for (to, photos) in [
        ("in_progress", vec![]),
        ("completed", vec![("photos", "a.png", photo())]),
    ] {
        worker
            .post_files_ok(&format!("{order}/move"), &move_fields(to, note), photos)
            .await;
    }
}

/// A redirect's target without its query (`?done=…`): the page's own path.
pub fn without_query(location: &str) -> String {
    location.split('?').next().unwrap_or_default().to_string()
}

/// What the one QR code in a PNG image says.
pub fn qr_text(png: &[u8]) -> String {
    let img = image::load_from_memory(png).expect("a png").to_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

/// Runs `yishi audit verify` against the test site (it is blocking: off the async
/// workers), keeping its state in `state`.
pub async fn verify_site(
    app: &TestApp,
    state: std::path::PathBuf,
) -> Result<yishi::transparency::verify::Report, String> {
    use yishi::transparency::verify;
    let base = app.base.clone();
    tokio::task::spawn_blocking(move || {
        verify::verify(&verify::Site::new(&base), None, Some(&state))
    })
    .await
    .expect("verifier runs")
}

/// Asserts that the site's log verifies from scratch with no findings.
pub async fn assert_the_log_verifies(app: &TestApp) {
    let dir = tempfile::tempdir().expect("dir");
    let report = verify_site(app, dir.path().join("audit.json"))
        .await
        .expect("verifies");
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// A small PNG photo.
pub fn photo() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([x as u8 * 5, y as u8 * 7, 60])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}
