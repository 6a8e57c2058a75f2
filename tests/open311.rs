//! Open311 GeoReport v2: the services of a jurisdiction, the committee's API keys (shown
//! once, revocable), a request submitted with a key becoming a routed, anonymous work order
//! that reads back through the API and on the order page, and the spec's list filters.

use serde_json::Value;

use crate::both;
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
    let at = r.body.find("id=\"new-key\">").expect("the new key shown") + 13;
    let key = r.body[at..].split('<').next().expect("key").to_string();
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

async fn open311_a_request_with_a_key_becomes_a_routed_work_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    // Only the committee manages keys.
    let page = committee.get("/c/liutang/api-keys").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("/open311/v2/") && page.body.contains("liutang"));
    let resident = app.signed_in(&demo.contact("resident")).await;
    assert_eq!(resident.get("/c/liutang/api-keys").await.status, 403);
    assert_eq!(
        committee
            .post("/c/liutang/api-keys", &[("label", "")])
            .await
            .status,
        422
    );

    let key = make_key(&committee, "12345热线对接").await;
    // Shown once: the list names the key but never shows it again.
    let page = committee.get("/c/liutang/api-keys").await;
    assert!(page.body.contains("12345热线对接"));
    assert!(!page.body.contains(&key));
    let old = make_key(&committee, "旧平台").await;
    let page = committee.get("/c/liutang/api-keys").await;
    let at = page.body.find("旧平台").expect("old key listed");
    let revoke = page.body[at..]
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a revoke form")
        .to_string();
    let r = committee.post(&revoke, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(committee
        .get("/c/liutang/api-keys")
        .await
        .body
        .contains("已撤销"));
    let log = committee.get("/c/liutang/log").await;
    assert!(
        log.body.contains("创建 Open311 接口密钥") && log.body.contains("撤销 Open311 接口密钥")
    );

    // Refusals, with nothing stored.
    let before = count_orders(&app).await;
    let api = app.client();
    let no_key: Vec<_> = submission("", &[])
        .into_iter()
        .filter(|(k, _)| *k != "api_key")
        .collect();
    let r = api
        .post_raw("/open311/v2/requests.json", &no_key, &[])
        .await;
    assert_error(&r, 403, "api_key");
    let r = api
        .post_raw("/open311/v2/requests.json", &submission(&old, &[]), &[])
        .await;
    assert_error(&r, 403, "api_key");
    let r = api
        .post_raw(
            "/open311/v2/requests.json",
            &submission(&"0".repeat(64), &[]),
            &[],
        )
        .await;
    assert_error(&r, 403, "api_key");
    // A key of 柳塘村 is no key for 兴和社区.
    let mut other = submission(&key, &[]);
    other.retain(|(k, _)| *k != "jurisdiction_id");
    other.push(("jurisdiction_id", "xinghe"));
    let r = api.post_raw("/open311/v2/requests.json", &other, &[]).await;
    assert_error(&r, 403, "api_key");
    let mut no_description = submission(&key, &[]);
    no_description.retain(|(k, _)| *k != "description");
    let r = api
        .post_raw("/open311/v2/requests.json", &no_description, &[])
        .await;
    assert_error(&r, 400, "description");
    let mut nowhere = submission(&key, &[]);
    nowhere.retain(|(k, _)| !matches!(*k, "address_string" | "lat" | "long"));
    let r = api
        .post_raw("/open311/v2/requests.json", &nowhere, &[])
        .await;
    assert_error(&r, 400, "address_string");
    let mut bad_code = submission(&key, &[]);
    bad_code.retain(|(k, _)| *k != "service_code");
    bad_code.push(("service_code", "moon"));
    let r = api
        .post_raw("/open311/v2/requests.json", &bad_code, &[])
        .await;
    assert_error(&r, 400, "service_code");
    assert_eq!(count_orders(&app).await, before, "a refusal stored nothing");

    // A browser on another site may not post (the site's cross-site rule), a server may.
    let r = api
        .post_raw(
            "/open311/v2/requests.json",
            &submission(&key, &[]),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(r.status, 403);
    let id = submit(&app, &key).await;
    assert_eq!(count_orders(&app).await, before + 1);

    let r = api
        .get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id=liutang"
        ))
        .await;
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
    // The same id in another jurisdiction is not there.
    assert_error(
        &api.get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id=xinghe"
        ))
        .await,
        404,
        "service_request_id",
    );

    // Stored as an anonymous order with no reporter, from Open311, with a grid worker.
    let n: i64 = id.parse().expect("numeric id");
    let (source, reporter, anonymous, assignee) = app
        .state
        .db(move |conn| {
            use diesel::prelude::*;
            use yishi::schema::work_orders as w;
            Ok(w::table
                .find(n)
                .select((w::source, w::reporter_id, w::anonymous, w::assignee_id))
                .first::<(String, Option<i64>, bool, Option<i64>)>(conn)?)
        })
        .await
        .expect("the order");
    assert_eq!(source, "open311");
    assert_eq!(reporter, None);
    assert!(anonymous);
    assert!(assignee.is_some(), "routed to the grid worker");

    // A before-photo (the worker's, say) becomes the request's media_url.
    let worker = assignee.expect("a worker");
    app.state
        .db(move |conn| {
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
        .await
        .expect("a photo");
    let r = api
        .get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id=liutang"
        ))
        .await;
    assert_eq!(
        json(&r)[0]["media_url"],
        "/photos/0123456789abcdef0123456789abcdef.jpg"
    );

    // It shows on the normal pages, routed.
    let page = app.client().get(&format!("/c/liutang/orders/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"state\">已派单"), "{}", page.body);
    assert!(page.body.contains("三组村道东头的路灯坏了三天"));
    assert!(!page.body.contains("zhangsan"));
    let list = app.client().get("/c/liutang/orders").await;
    assert!(list.body.contains(&format!("/c/liutang/orders/{id}")));
}
both!(open311_a_request_with_a_key_becomes_a_routed_work_order);

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
    let id = r
        .body
        .split("<service_request_id>")
        .nth(1)
        .and_then(|s| s.split('<').next())
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
