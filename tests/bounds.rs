//! Bounds on what forms accept: text over its limit is refused with what was typed kept,
//! never stored as an empty string; amounts and dates outside a sane range are refused on the
//! form (422) with the input kept.

use diesel::prelude::*;

use crate::both;
use crate::common::{spawn_app, Backend, TestApp};

fn photo() -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([x as u8 * 5, y as u8 * 6, 90])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

/// Runs a query on the app's database off the async workers.
async fn query<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut yishi::db::AnyConnection) -> QueryResult<T> + Send + 'static,
) -> T {
    app.state.db(move |conn| Ok(f(conn)?)).await.expect("query")
}

/// Every work order's events (each move and assignment adds one).
async fn events(app: &TestApp) -> i64 {
    query(app, |c| {
        use yishi::schema::work_order_events as t;
        t::table.count().get_result(c)
    })
    .await
}

/// "甲甲…" of `n` characters, ending in a marker so the page can be searched for it whole.
fn long(n: usize) -> String {
    format!("{}尾", "甲".repeat(n - 1))
}

async fn over_long_text_on_a_decision_page_is_refused_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    // A countersignature note of 501 characters (the limit is 500).
    let note = long(501);
    let r = supervisor
        .post("/c/liutang/decisions/3/countersign", &[("note", &note)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 500 个字"), "{}", r.body);
    assert!(r.body.contains(&note), "the note is kept");
    let signs: i64 = query(&app, |c| {
        use yishi::schema::decision_countersigns as t;
        t::table.count().get_result(c)
    })
    .await;
    let r = supervisor
        .post(
            "/c/liutang/decisions/3/countersign",
            &[("note", &long(500))],
        )
        .await;
    assert_eq!(r.status, 303, "500 characters are fine");
    let after: i64 = query(&app, |c| {
        use yishi::schema::decision_countersigns as t;
        t::table.count().get_result(c)
    })
    .await;
    assert_eq!(
        after,
        signs + 1,
        "only the note within the limit was stored"
    );

    // A work order's description of 5,001 characters (the limit is 5,000).
    let description = long(5001);
    let fields = [
        ("title", "道路硬化第一标段"),
        ("description", description.as_str()),
        ("budget", "1000"),
        ("due", "2027-03-31"),
    ];
    let r = committee
        .post("/c/liutang/decisions/2/orders", &fields)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 5000 个字"), "{}", r.body);
    assert!(r.body.contains(&description) && r.body.contains("道路硬化第一标段"));
    let orders: i64 = query(&app, |c| {
        use yishi::schema::work_orders as t;
        t::table
            .filter(t::title.eq("道路硬化第一标段"))
            .count()
            .get_result(c)
    })
    .await;
    assert_eq!(orders, 0, "nothing stored");
}
both!(over_long_text_on_a_decision_page_is_refused_and_kept);

async fn over_long_text_on_an_order_page_is_refused_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = resident
        .post_files(
            "/c/liutang/orders",
            &[
                ("title", "三号楼消防栓箱的玻璃破了"),
                ("description", "玻璃碎了。"),
                ("category", "safety"),
                ("place", "A区160号车位旁"),
            ],
            vec![("photos", "before.png", photo())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let order = r.location().split('?').next().expect("a path").to_string();

    // The assignee's note on a move: 2,001 characters.
    let before = events(&app).await;
    let note = long(2001);
    let r = worker
        .post_files(
            &format!("{order}/move"),
            &[("to", "in_progress"), ("note", &note)],
            vec![],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 2000 个字") && r.body.contains(&note));
    assert_eq!(events(&app).await, before, "the order did not move");

    // The committee's note on a reassignment.
    let r = committee
        .post(
            &format!("{order}/assign"),
            &[("assignee", "1"), ("note", &note)],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 2000 个字") && r.body.contains(&note));
    assert_eq!(events(&app).await, before, "not reassigned");

    // The reporter's comment with a rating: 1,001 characters.
    let moved = worker
        .post_files(
            &format!("{order}/move"),
            &[("to", "in_progress"), ("note", "")],
            vec![],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let done = worker
        .post_files(
            &format!("{order}/move"),
            &[("to", "completed"), ("note", "已更换钢化玻璃。")],
            vec![("photos", "after.png", photo())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let comment = long(1001);
    let r = resident
        .post(
            &format!("{order}/rate"),
            &[("rating", "5"), ("comment", &comment)],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("最多 1000 个字") && r.body.contains(&comment));
    let rated: Option<i32> = query(&app, |c| {
        use yishi::schema::work_orders as t;
        t::table
            .filter(t::title.eq("三号楼消防栓箱的玻璃破了"))
            .select(t::rating)
            .first(c)
    })
    .await;
    assert_eq!(rated, None, "no rating stored");
}
both!(over_long_text_on_an_order_page_is_refused_and_kept);
