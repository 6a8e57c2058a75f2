//! Pages render from a fixed number of queries, whatever the size of their thread or list.
//! Every connection to this test's database counts its queries (diesel instrumentation);
//! a page is fetched before and after its thread grows, and the counts must match.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use yishi::comments::model::Target;

use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};

use crate::both;
use crate::common::page::options;
use crate::common::steps::raise;
use crate::common::{spawn_app, Backend, Client, TestApp};

static QUERIES: AtomicUsize = AtomicUsize::new(0);
static MARKER: OnceLock<String> = OnceLock::new();

/// Counts the queries of connections to the database whose URL holds `MARKER`, so tests
/// running beside this one in the same process do not disturb the count.
fn counting() -> Option<Box<dyn Instrumentation>> {
    let mut url_of_this_connection = String::new();
    Some(Box::new(
        move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                url_of_this_connection = url.to_string();
            }
            InstrumentationEvent::StartQuery { .. }
                if MARKER
                    .get()
                    .is_some_and(|m| url_of_this_connection.contains(m.as_str())) =>
            {
                QUERIES.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        },
    ))
}

async fn queries_for(client: &Client, path: &str) -> usize {
    let before = QUERIES.load(Ordering::SeqCst);
    let r = client.get(path).await;
    assert_eq!(r.status, 200, "{path}");
    QUERIES.load(Ordering::SeqCst) - before
}

/// The demo community's id and its residents.
async fn community_and_residents(app: &TestApp) -> (i64, Vec<i64>) {
    app.state
        .db(|conn| {
            use diesel::prelude::*;
            use yishi::schema::{communities, memberships};
            let cid: i64 = communities::table
                .filter(communities::slug.eq("liutang"))
                .select(communities::id)
                .first(conn)?;
            let authors: Vec<i64> = memberships::table
                .filter(memberships::community_id.eq(cid))
                .filter(memberships::role.eq("resident"))
                .select(memberships::user_id)
                .load(conn)?;
            Ok((cid, authors))
        })
        .await
        .expect("authors")
}

async fn add_comments(
    app: &TestApp,
    target: yishi::comments::model::Target,
    community_id: i64,
    authors: Vec<i64>,
    n: usize,
) {
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| {
            for i in 0..n {
                let parent = None;
                yishi::comments::model::insert(
                    conn,
                    &yishi::comments::model::NewComment {
                        community_id,
                        target,
                        parent_id: parent,
                        author_id: authors[i % authors.len()],
                        body: "我觉得这个方案可以再讨论一下，特别是晚上停车和白天步行的时间怎么分开。",
                        stance: Some(["support", "oppose", "neutral"][i % 3]),
                        official: false,
                    },
                    now,
                )?;
            }
            Ok(())
        })
        .await
        .expect("comments inserted");
}

async fn an_item_page_costs_the_same_queries_at_10_and_500_comments(backend: Backend) {
    set_default_instrumentation(counting).expect("instrumentation");
    let app = spawn_app_counted(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = raise(&committee, "查询次数", "内容", "other").await;
    let item_id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("item id");
    let (cid, authors) = community_and_residents(&app).await;
    add_comments(&app, Target::Item(item_id), cid, authors.clone(), 10).await;
    let small = queries_for(&committee, &path).await;
    let small_anon = queries_for(&app.client(), &path).await;
    add_comments(&app, Target::Item(item_id), cid, authors, 490).await;
    let large = queries_for(&committee, &path).await;
    let large_anon = queries_for(&app.client(), &path).await;
    eprintln!("item page queries: {small} at 10 comments, {large} at 500 (anonymous: {small_anon}, {large_anon})");
    assert_eq!(small, large, "the item page's queries grow with its thread");
    assert_eq!(small_anon, large_anon);
    assert!(large <= 20, "{large} queries is more than a handful");

    let list_small = queries_for(&app.client(), "/c/liutang/items").await;
    for i in 0..60 {
        raise(&committee, &format!("事项{i}"), "内容", "other").await;
    }
    let list_large = queries_for(&app.client(), "/c/liutang/items").await;
    eprintln!("list page queries: {list_small} at 5 items, {list_large} at 65");
    assert_eq!(
        list_small, list_large,
        "the list page's queries grow with the list"
    );
}
both!(an_item_page_costs_the_same_queries_at_10_and_500_comments);

async fn spawn_app_counted(backend: Backend) -> TestApp {
    // The marker is the unique part of this test's database URL.
    let app = spawn_app(backend).await;
    let marker = match backend {
        Backend::Sqlite => app.db.dir.path().display().to_string(),
        Backend::Postgres => app
            .db
            .url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    let _ = MARKER.set(marker);
    app
}

async fn ballot_and_work_order_pages_cost_the_same_queries_whatever_their_size(backend: Backend) {
    set_default_instrumentation(counting).expect("instrumentation");
    let app = spawn_app_counted(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // Two secret online decisions of the demo: a board of 23 rows and one of about 70.
    let small = queries_for(&app.client(), "/c/liutang/decisions/6").await;
    let large = queries_for(&app.client(), "/c/liutang/decisions/3").await;
    eprintln!("decision page queries: {small} for 23 board rows, {large} for 70");
    assert_eq!(
        small, large,
        "the decision page's queries grow with its board"
    );

    // An order's page as its timeline (20 reassignments) and thread (40 comments) grow, and the order list and the
    // bulletin as orders are added.
    let order = "/c/liutang/orders/9";
    let page_small = queries_for(&committee, order).await;
    let list_small = queries_for(&app.client(), "/c/liutang/orders?filter=all").await;
    let bulletin_small = queries_for(&app.client(), "/c/liutang/bulletin?month=2026-11").await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    for i in 0..25 {
        let r = resident
            .post_files(
                "/c/liutang/orders",
                &[
                    ("title", &format!("问题{i}")),
                    ("description", "说明"),
                    ("category", "road"),
                    ("place", "村道"),
                ],
                vec![],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = committee.get(order).await;
    let (someone, _) = options(&page.body, "assignee-field")
        .into_iter()
        .next()
        .expect("someone to assign");
    for i in 0..20 {
        let r = committee
            .post(
                "/c/liutang/orders/1/assign",
                &[("assignee", &someone), ("note", &format!("改派{i}"))],
            )
            .await;
        assert_eq!(r.status, 422, "a confirmed order cannot be reassigned");
        let r = committee
            .post(
                "/c/liutang/orders/9/assign",
                &[("assignee", &someone), ("note", &format!("改派{i}"))],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let (cid, residents) = community_and_residents(&app).await;
    add_comments(&app, Target::Order(9), cid, residents, 40).await;
    let page_large = queries_for(&committee, order).await;
    let list_large = queries_for(&app.client(), "/c/liutang/orders?filter=all").await;
    let bulletin_large = queries_for(&app.client(), "/c/liutang/bulletin?month=2026-11").await;
    eprintln!(
        "order page {page_small} → {page_large}; list {list_small} → {list_large}; bulletin {bulletin_small} → {bulletin_large}"
    );
    assert_eq!(
        page_small, page_large,
        "the order page grows with its timeline or its thread"
    );
    assert_eq!(
        list_small, list_large,
        "the order list grows with the orders"
    );
    assert_eq!(
        bulletin_small, bulletin_large,
        "the bulletin grows with the orders, not only the grids"
    );
}
both!(ballot_and_work_order_pages_cost_the_same_queries_whatever_their_size);

async fn project_pages_cost_the_same_queries_whatever_their_size(backend: Backend) {
    set_default_instrumentation(counting).expect("instrumentation");
    let app = spawn_app_counted(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let pages = [
        "/p/LT-2026-001",
        "/c/liutang/projects",
        "/c/liutang/projects.json",
        "/c/liutang/disbursements.csv",
        "/c/liutang/supervision",
    ];
    let mut small = Vec::new();
    for p in pages {
        small.push(queries_for(&committee, p).await);
    }
    // Twenty more payments (some refused), more orders in the project, a second project.
    for i in 0..20 {
        let amount = if i % 4 == 0 { "9000" } else { "100" };
        let r = committee
            .post(
                "/c/liutang/projects/LT-2026-001/disbursements",
                &[
                    ("amount", amount),
                    ("paid_on", "2026-11-25"),
                    ("payee", &format!("收款人{i}")),
                    ("voucher", &format!("V{i}")),
                ],
            )
            .await;
        assert!(r.status == 303 || r.status == 422, "{}", r.body);
    }
    for order in 1..6 {
        let r = committee
            .post(
                "/c/liutang/projects/LT-2026-001/orders",
                &[("order", &order.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = committee
        .post(
            "/c/liutang/projects",
            &[
                ("prefix", "LT"),
                ("title", "文化广场"),
                ("announcement", "建文化广场。"),
                ("budget", "90000"),
                ("planned_start", "2026-12-01"),
                ("planned_end", "2027-05-01"),
                ("decision", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    for (p, before) in pages.iter().zip(small) {
        let after = queries_for(&committee, p).await;
        eprintln!("{p}: {before} → {after}");
        assert_eq!(
            before, after,
            "{p} grows with its payments, orders or projects"
        );
    }
}
both!(project_pages_cost_the_same_queries_whatever_their_size);

async fn a_disclosure_page_costs_the_same_queries_at_10_and_500_comments(backend: Backend) {
    set_default_instrumentation(counting).expect("instrumentation");
    let app = spawn_app_counted(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let at = committee
        .post_files_ok(
            "/c/liutang/disclosures",
            &crate::common::steps::subsidy_disclosure("查询次数的公开"),
            vec![],
        )
        .await;
    let path = at.split('?').next().expect("path").to_string();
    let id: i64 = path
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("disclosure id");
    let (cid, authors) = community_and_residents(&app).await;
    add_comments(&app, Target::Disclosure(id), cid, authors.clone(), 10).await;
    let small = queries_for(&committee, &path).await;
    let small_anon = queries_for(&app.client(), &path).await;
    add_comments(&app, Target::Disclosure(id), cid, authors, 490).await;
    let large = queries_for(&committee, &path).await;
    let large_anon = queries_for(&app.client(), &path).await;
    eprintln!("disclosure page queries: {small} at 10 comments, {large} at 500 (anonymous: {small_anon}, {large_anon})");
    assert_eq!(
        small, large,
        "the disclosure page's queries grow with its thread"
    );
    assert_eq!(small_anon, large_anon);
    assert!(large <= 20, "{large} queries is more than a handful");
}
both!(a_disclosure_page_costs_the_same_queries_at_10_and_500_comments);
