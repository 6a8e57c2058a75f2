//! Open311 GeoReport v2: the services of a jurisdiction, the committee's API keys (shown
//! once, revocable), a request submitted with a key becoming a routed, anonymous work order
//! that reads back through the API and on the order page, and the spec's list filters.

use serde_json::Value;

use crate::both;
use crate::common::page::{id_of_the_one_with, text_by_id};
use crate::common::steps::{demo_committee, query};
use crate::common::{spawn_app, Backend, Client, Resp, TestApp};

fn json(r: &Resp) -> Value {
    assert!(
        r.header("content-type").starts_with("application/json"),
        "not JSON ({}): {}",
        r.header("content-type"),
        r.body
    );
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// Asserts a GeoReport error body with this code whose description names `word`.
fn assert_error(r: &Resp, code: u16, word: &str) {
    assert_eq!(r.status, code, "{}", r.body);
    let v = json(r);
    let e = &v[0];
    assert_eq!(e["code"], code, "{}", r.body);
    let d = e["description"].as_str().unwrap_or("");
    assert!(d.contains(word), "{word:?} not in {d:?}");
}

/// The committee of 柳塘村 makes a key labelled `label`; returns it as the page shows it.
async fn make_key(committee: &Client, label: &str) -> String {
    let r = committee
        .post("/c/liutang/api-keys", &[("label", label)])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(label));
    assert_eq!(r.header("cache-control"), "no-store");
    let key = text_by_id(&r.body, "new-key").expect("the new key shown");
    assert_eq!(key.len(), 64, "{key}");
    key
}

fn submission<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("jurisdiction_id", "liutang"),
        ("service_code", "lighting"),
        ("description", "三组村道东头的路灯坏了三天，晚上看不见路。"),
        ("address_string", "三组村道东头"),
        ("lat", "30.27415"),
        ("long", "120.15515"),
        ("first_name", "张"),
        ("last_name", "三"),
        ("email", "zhangsan@example.cn"),
    ];
    f.extend_from_slice(extra);
    f
}

/// Submits a request as another system would (no cookies, no Origin); returns its id.
async fn submit(app: &TestApp, key: &str) -> String {
    let r = app
        .client()
        .post_raw("/open311/v2/requests.json", &submission(key, &[]), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = json(&r);
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{}", r.body);
    assert!(!v[0]["service_notice"].as_str().unwrap_or("").is_empty());
    v[0]["service_request_id"]
        .as_str()
        .expect("an id")
        .to_string()
}

async fn count_orders(app: &TestApp) -> i64 {
    app.state
        .db(|conn| {
            use diesel::prelude::*;
            use yishi::schema::work_orders;
            Ok(work_orders::table.count().get_result::<i64>(conn)?)
        })
        .await
        .expect("count")
}

async fn open311_services_list_the_categories_of_a_jurisdiction(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let c = app.client();
    let r = c
        .get("/open311/v2/services.json?jurisdiction_id=liutang")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = json(&r);
    let list = v.as_array().expect("a list");
    assert_eq!(list.len(), 7);
    let lighting = list
        .iter()
        .find(|s| s["service_code"] == "lighting")
        .expect("lighting");
    assert_eq!(lighting["service_name"], "路灯照明");
    assert_eq!(lighting["metadata"], false);
    assert_eq!(lighting["type"], "realtime");
    assert!(!lighting["description"].as_str().unwrap_or("").is_empty());
    assert!(lighting["keywords"].as_str().unwrap_or("").contains("路灯"));
    assert!(!lighting["group"].as_str().unwrap_or("").is_empty());

    assert_error(
        &c.get("/open311/v2/services.json?jurisdiction_id=nowhere")
            .await,
        404,
        "jurisdiction_id",
    );
    assert_error(
        &c.get("/open311/v2/services.json").await,
        400,
        "jurisdiction_id",
    );
    assert_error(
        &c.get("/open311/v2/requests.json").await,
        400,
        "jurisdiction_id",
    );
    assert_error(
        &c.get("/open311/v2/requests/1.json?jurisdiction_id=nowhere")
            .await,
        404,
        "jurisdiction_id",
    );
    assert_error(
        &c.get("/open311/v2/requests/999999.json?jurisdiction_id=liutang")
            .await,
        404,
        "service_request_id",
    );
}
both!(open311_services_list_the_categories_of_a_jurisdiction);

/// The committee of 柳塘村 with a live key and a revoked one.
struct Keys {
    app: TestApp,
    committee: Client,
    key: String,
    revoked: String,
}

async fn keys(backend: Backend) -> Keys {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let key = make_key(&committee, "12345热线对接").await;
    let revoked = make_key(&committee, "旧平台").await;
    let page = committee.get("/c/liutang/api-keys").await;
    let id = id_of_the_one_with(&page.body, "key-", "旧平台").expect("old key listed");
    committee
        .post_ok(&format!("/c/liutang/api-keys/{id}/revoke"), &[])
        .await;
    Keys {
        app,
        committee,
        key,
        revoked,
    }
}

/// `keys`, and a request submitted with the live key; returns its id.
async fn a_submitted_request(backend: Backend) -> (Keys, String) {
    let k = keys(backend).await;
    let id = submit(&k.app, &k.key).await;
    (k, id)
}

/// A request's JSON from the API for `jurisdiction`.
async fn request_json(app: &TestApp, id: &str, jurisdiction: &str) -> Resp {
    app.client()
        .get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id={jurisdiction}"
        ))
        .await
}

async fn open311_only_the_committee_manages_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    let page = committee.get("/c/liutang/api-keys").await;
    let unlabelled = committee
        .post("/c/liutang/api-keys", &[("label", "")])
        .await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("/open311/v2/") && page.body.contains("liutang"));
    assert_eq!(resident.get("/c/liutang/api-keys").await.status, 403);
    assert_eq!(unlabelled.status, 422);
}
both!(open311_only_the_committee_manages_keys);

async fn open311_a_key_is_shown_once_and_its_making_and_revoking_are_logged(backend: Backend) {
    let k = keys(backend).await;

    let page = k.committee.get("/c/liutang/api-keys").await;
    let log = k.committee.get("/c/liutang/log").await;

    assert!(page.body.contains("12345热线对接"));
    assert!(
        !page.body.contains(&k.key),
        "the list names the key but never shows it again"
    );
    assert!(page.body.contains("已撤销"));
    assert!(
        log.body.contains("创建 Open311 接口密钥") && log.body.contains("撤销 Open311 接口密钥")
    );
}
both!(open311_a_key_is_shown_once_and_its_making_and_revoking_are_logged);

async fn open311_a_request_without_a_good_key_or_fields_is_refused_and_stores_nothing(
    backend: Backend,
) {
    let k = keys(backend).await;
    let before = count_orders(&k.app).await;
    let api = k.app.client();
    let post = |fields: Vec<(String, String)>| {
        let api = api.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            api.post_raw("/open311/v2/requests.json", &fields, &[])
                .await
        }
    };
    // The submission with the key, without the fields `drop`, with the fields `add`.
    let with = |key: &str, drop: &[&str], add: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = submission(key, &[])
            .into_iter()
            .filter(|(name, _)| !drop.contains(name))
            .map(|(name, v)| (name.to_string(), v.to_string()))
            .collect();
        f.extend(
            add.iter()
                .map(|(name, v)| (name.to_string(), v.to_string())),
        );
        f
    };

    // No key, a revoked key, a made-up key, a key of 柳塘村 for 兴和社区.
    assert_error(&post(with("", &["api_key"], &[])).await, 403, "api_key");
    assert_error(&post(with(&k.revoked, &[], &[])).await, 403, "api_key");
    assert_error(&post(with(&"0".repeat(64), &[], &[])).await, 403, "api_key");
    let other = with(
        &k.key,
        &["jurisdiction_id"],
        &[("jurisdiction_id", "xinghe")],
    );
    assert_error(&post(other).await, 403, "api_key");
    // No description, no place, an unknown service.
    let r = post(with(&k.key, &["description"], &[])).await;
    assert_error(&r, 400, "description");
    let r = post(with(&k.key, &["address_string", "lat", "long"], &[])).await;
    assert_error(&r, 400, "address_string");
    let r = post(with(&k.key, &["service_code"], &[("service_code", "moon")])).await;
    assert_error(&r, 400, "service_code");
    assert_eq!(
        count_orders(&k.app).await,
        before,
        "a refusal stored nothing"
    );
}
both!(open311_a_request_without_a_good_key_or_fields_is_refused_and_stores_nothing);

async fn open311_a_browser_on_another_site_may_not_post_but_a_server_may(backend: Backend) {
    let k = keys(backend).await;
    let before = count_orders(&k.app).await;

    let r = k
        .app
        .client()
        .post_raw(
            "/open311/v2/requests.json",
            &submission(&k.key, &[]),
            &[("origin", "https://evil.example")],
        )
        .await;
    submit(&k.app, &k.key).await;

    assert_eq!(r.status, 403);
    assert_eq!(count_orders(&k.app).await, before + 1);
}
both!(open311_a_browser_on_another_site_may_not_post_but_a_server_may);

async fn open311_a_request_reads_back_in_its_own_jurisdiction_only(backend: Backend) {
    let (k, id) = a_submitted_request(backend).await;

    let r = request_json(&k.app, &id, "liutang").await;
    let elsewhere = request_json(&k.app, &id, "xinghe").await;

    assert_eq!(r.status, 200, "{}", r.body);
    let v = json(&r);
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    let sr = &v[0];
    assert_eq!(sr["service_request_id"], id.as_str());
    assert_eq!(sr["status"], "open");
    assert_eq!(sr["status_notes"], "已按网格自动派给网格员。");
    assert_eq!(sr["service_code"], "lighting");
    assert_eq!(sr["service_name"], "路灯照明");
    assert_eq!(sr["address"], "三组村道东头");
    assert_eq!(sr["agency_responsible"], "柳塘村");
    assert!((sr["lat"].as_f64().expect("lat") - 30.27415).abs() < 1e-9);
    assert!((sr["long"].as_f64().expect("long") - 120.15515).abs() < 1e-9);
    assert_eq!(sr["requested_datetime"], "2026-11-26T09:00:00+08:00");
    assert_eq!(sr["expected_datetime"], "2026-11-28T09:00:00+08:00");
    assert!(sr["media_url"].is_null());
    assert!(
        !r.body.contains("zhangsan") && !r.body.contains("张"),
        "the sender's details are not kept"
    );
    assert_error(&elsewhere, 404, "service_request_id");
}
both!(open311_a_request_reads_back_in_its_own_jurisdiction_only);

/// The stored order: (source, reporter, anonymous, assignee).
async fn stored_order(app: &TestApp, n: i64) -> (String, Option<i64>, bool, Option<i64>) {
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::work_orders as w;
        w::table
            .find(n)
            .select((w::source, w::reporter_id, w::anonymous, w::assignee_id))
            .first::<(String, Option<i64>, bool, Option<i64>)>(conn)
    })
    .await
}

async fn open311_a_request_is_stored_as_an_anonymous_routed_order(backend: Backend) {
    let (k, id) = a_submitted_request(backend).await;

    let (source, reporter, anonymous, assignee) =
        stored_order(&k.app, id.parse().expect("numeric id")).await;

    assert_eq!(source, "open311");
    assert_eq!(reporter, None);
    assert!(anonymous);
    assert!(assignee.is_some(), "routed to the grid worker");
}
both!(open311_a_request_is_stored_as_an_anonymous_routed_order);

async fn open311_a_before_photo_becomes_the_media_url(backend: Backend) {
    let (k, id) = a_submitted_request(backend).await;
    let n: i64 = id.parse().expect("numeric id");
    let worker = stored_order(&k.app, n).await.3.expect("a worker");

    // A before-photo (the worker's, say).
    query(&k.app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::{work_order_photos as p, work_orders as w};
        let cid: i64 = w::table.find(n).select(w::community_id).first(conn)?;
        diesel::insert_into(p::table)
            .values((
                p::community_id.eq(cid),
                p::order_id.eq(n),
                p::kind.eq("before"),
                p::name.eq("0123456789abcdef0123456789abcdef.jpg"),
                p::uploader_id.eq(worker),
                p::created_at.eq(crate::common::start_time()),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await;

    let r = request_json(&k.app, &id, "liutang").await;
    assert_eq!(
        json(&r)[0]["media_url"],
        "/photos/0123456789abcdef0123456789abcdef.jpg"
    );
}
both!(open311_a_before_photo_becomes_the_media_url);

async fn open311_a_request_shows_on_the_order_pages_routed(backend: Backend) {
    let (k, id) = a_submitted_request(backend).await;

    let page = k.app.client().get(&format!("/c/liutang/orders/{id}")).await;
    let list = k.app.client().get("/c/liutang/orders").await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        text_by_id(&page.body, "state").as_deref(),
        Some("已派单"),
        "{}",
        page.body
    );
    assert!(page.body.contains("三组村道东头的路灯坏了三天"));
    assert!(!page.body.contains("zhangsan"));
    assert!(list.body.contains(&format!("/c/liutang/orders/{id}")));
}
both!(open311_a_request_shows_on_the_order_pages_routed);

async fn open311_request_lists_follow_the_spec_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let key = make_key(&committee, "市民热线").await;
    let id = submit(&app, &key).await;
    let c = app.client();
    let ids = |q: &str| {
        let c = c.clone();
        let path = format!("/open311/v2/requests.json?jurisdiction_id=liutang{q}");
        async move {
            let r = c.get(&path).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            json(&r)
                .as_array()
                .expect("a list")
                .iter()
                .map(|s| s["service_request_id"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(ids("").await.contains(&id));
    assert!(ids("&status=open").await.contains(&id));
    assert!(ids("&status=open,closed").await.contains(&id));
    assert!(!ids("&status=closed").await.contains(&id));
    assert!(ids("&service_code=lighting").await.contains(&id));
    assert!(ids("&service_code=road,lighting").await.contains(&id));
    assert!(!ids("&service_code=road").await.contains(&id));
    assert!(!ids("&start_date=2026-11-27T00:00:00%2B08:00")
        .await
        .contains(&id));
    assert!(ids("&start_date=2026-11-26T00:00:00Z").await.contains(&id));
    assert!(!ids("&end_date=2026-11-25T00:00:00Z").await.contains(&id));
    assert!(ids("&start_date=2026-11-01&end_date=2026-11-30")
        .await
        .contains(&id));
    assert_eq!(
        ids(&format!("&service_request_id={id}")).await,
        vec![id.clone()]
    );
    assert_eq!(
        ids(&format!("&service_request_id={id},999999&status=closed")).await,
        vec![id.clone()],
        "named requests override the other filters"
    );
    // Newest first.
    let second = submit(&app, &key).await;
    let all = ids("").await;
    let (a, b) = (
        all.iter().position(|x| *x == second),
        all.iter().position(|x| *x == id),
    );
    assert!(a < b, "{all:?}");
    // Another jurisdiction's list does not hold it.
    let r = c
        .get("/open311/v2/requests.json?jurisdiction_id=xinghe")
        .await;
    assert!(!json(&r)
        .as_array()
        .expect("a list")
        .iter()
        .any(|s| s["service_request_id"] == id.as_str()));

    assert_error(
        &c.get("/open311/v2/requests.json?jurisdiction_id=liutang&status=done")
            .await,
        400,
        "status",
    );
    assert_error(
        &c.get("/open311/v2/requests.json?jurisdiction_id=liutang&start_date=tomorrow")
            .await,
        400,
        "start_date",
    );
    assert_error(
        &c.get("/open311/v2/requests.json?jurisdiction_id=liutang&service_code=moon")
            .await,
        400,
        "service_code",
    );
}
both!(open311_request_lists_follow_the_spec_filters);

/// The same answers in XML: services, a request submitted and read back, and errors.
async fn open311_answers_in_xml_as_well(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let key = make_key(&committee, "XML 对接测试").await;
    let client = app.client();

    let services = client
        .get("/open311/v2/services.xml?jurisdiction_id=liutang")
        .await;
    assert_eq!(services.status, 200);
    assert!(services
        .header("content-type")
        .starts_with("application/xml"));
    assert!(services.body.starts_with("<?xml"));
    assert!(
        services.body.contains("<services>")
            && services
                .body
                .contains("<service_code>lighting</service_code>")
    );

    let r = client
        .post_raw("/open311/v2/requests.xml", &submission(&key, &[]), &[])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let doc = roxmltree::Document::parse(&r.body).expect("well-formed XML");
    let id = doc
        .descendants()
        .find(|n| n.has_tag_name("service_request_id"))
        .and_then(|n| n.text())
        .expect("an id")
        .to_string();
    let one = client
        .get(&format!(
            "/open311/v2/requests/{id}.xml?jurisdiction_id=liutang"
        ))
        .await;
    assert!(one.body.contains("<service_requests>") && one.body.contains("<status>open</status>"));
    assert!(one.body.contains("三组村道东头"));
    let list = client
        .get("/open311/v2/requests.xml?jurisdiction_id=liutang")
        .await;
    assert!(list
        .body
        .contains(&format!("<service_request_id>{id}</service_request_id>")));

    let bad = client
        .post_raw("/open311/v2/requests.xml", &submission("wrong", &[]), &[])
        .await;
    assert_eq!(bad.status, 403);
    assert!(bad.body.contains("<errors>") && bad.body.contains("<code>403</code>"));
}
both!(open311_answers_in_xml_as_well);
