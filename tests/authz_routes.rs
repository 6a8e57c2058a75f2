//! Walks every route of the site with every kind of user and checks allowed or denied
//! against one table. A route missing from the table fails the test.

use crate::both;
use crate::common::{spawn_app, Backend, Client, Resp};

pub(crate) const KINDS: [&str; 10] = [
    "anonymous",
    "unverified",
    "resident",
    "representative",
    "committee",
    "supervisor",
    "grid_worker",
    "township",
    "admin",
    "committee_xinghe",
];

const ALL: [bool; 10] = [true; 10];
const SIGNED_IN: [bool; 10] = [false, true, true, true, true, true, true, true, true, true];
const ADMIN: [bool; 10] = [
    false, false, false, false, false, false, false, false, true, false,
];
const COMMITTEE: [bool; 10] = [
    false, false, false, false, true, false, false, false, false, false,
];
const OVERSIGHT: [bool; 10] = [
    false, false, false, false, true, true, false, true, true, false,
];
/// Verified residents of 柳塘村 (its committee and supervisors are residents too).
const RESIDENT: [bool; 10] = [
    false, false, true, true, true, true, false, false, false, false,
];
/// Those who take part in discussions: residents, the committee, supervisors, grid workers,
/// township staff.
const DISCUSS: [bool; 10] = [
    false, false, true, true, true, true, true, true, false, false,
];

const SUPERVISOR: [bool; 10] = [
    false, false, false, false, false, true, false, false, false, false,
];

/// Those who may put an inquiry: residents (the committee and supervisors are residents too).
const INQUIRE: [bool; 10] = [
    false, false, true, true, true, true, false, false, false, false,
];
/// (method, pattern, concrete path, who may).
pub(crate) const TABLE: &[(&str, &str, &str, [bool; 10])] = &[
    ("get", "/healthz", "/healthz", ALL),
    ("get", "/log", "/log", ALL),
    ("get", "/log/checkpoint", "/log/checkpoint", ALL),
    ("get", "/log/key", "/log/key", ALL),
    (
        "get",
        "/log/tile/entries/{index:.*}",
        "/log/tile/entries/000.p/1",
        ALL,
    ),
    (
        "get",
        "/log/tile/{level}/{index:.*}",
        "/log/tile/0/000.p/1",
        ALL,
    ),
    (
        "get",
        "/log/proof/inclusion",
        "/log/proof/inclusion?index=0&size=1",
        ALL,
    ),
    (
        "get",
        "/log/proof/consistency",
        "/log/proof/consistency?old=1&size=1",
        ALL,
    ),
    ("get", "/log/records", "/log/records", ALL),
    ("get", "/log/entries/{idx}", "/log/entries/0", ALL),
    ("get", "/static/style.css", "/static/style.css", ALL),
    ("get", "/", "/", ALL),
    ("get", "/signup", "/signup", ALL),
    ("post", "/signup", "/signup", ALL),
    ("get", "/signin", "/signin", ALL),
    ("post", "/signin", "/signin", ALL),
    ("post", "/signout", "/signout", ALL),
    ("post", "/lang", "/lang", ALL),
    ("get", "/profile", "/profile", SIGNED_IN),
    ("post", "/profile/password", "/profile/password", SIGNED_IN),
    (
        "post",
        "/profile/sessions/{id}/end",
        "/profile/sessions/999999/end",
        SIGNED_IN,
    ),
    ("get", "/inbox", "/inbox", SIGNED_IN),
    ("get", "/admin", "/admin", ADMIN),
    ("post", "/admin/communities", "/admin/communities", ADMIN),
    ("post", "/admin/staff", "/admin/staff", ADMIN),
    ("get", "/c/{slug}", "/c/liutang", ALL),
    ("get", "/c/{slug}/join", "/c/liutang/join", SIGNED_IN),
    ("post", "/c/{slug}/join", "/c/liutang/join", SIGNED_IN),
    (
        "get",
        "/c/{slug}/residents",
        "/c/liutang/residents",
        OVERSIGHT,
    ),
    (
        "post",
        "/c/{slug}/requests/{id}/approve",
        "/c/liutang/requests/999999/approve",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/requests/{id}/decline",
        "/c/liutang/requests/999999/decline",
        COMMITTEE,
    ),
    ("post", "/c/{slug}/roles", "/c/liutang/roles", COMMITTEE),
    (
        "post",
        "/c/{slug}/roles/revoke",
        "/c/liutang/roles/revoke",
        COMMITTEE,
    ),
    ("post", "/c/{slug}/grids", "/c/liutang/grids", COMMITTEE),
    (
        "post",
        "/c/{slug}/settings",
        "/c/liutang/settings",
        COMMITTEE,
    ),
    ("get", "/c/{slug}/log", "/c/liutang/log", OVERSIGHT),
    (
        "get",
        "/c/{slug}/supervision",
        "/c/liutang/supervision",
        OVERSIGHT,
    ),
    (
        "get",
        "/c/{slug}/disclosures",
        "/c/liutang/disclosures",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures/new",
        "/c/liutang/disclosures/new",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/disclosures",
        "/c/liutang/disclosures",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/disclosures/schedule",
        "/c/liutang/disclosures/schedule",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/disclosures/schedule",
        "/c/liutang/disclosures/schedule",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/disclosures.csv",
        "/c/liutang/disclosures.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures.json",
        "/c/liutang/disclosures.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures.atom",
        "/c/liutang/disclosures.atom",
        ALL,
    ),
    ("get", "/c/{slug}/ledger.csv", "/c/liutang/ledger.csv", ALL),
    (
        "get",
        "/c/{slug}/ledger.json",
        "/c/liutang/ledger.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/decisions.csv",
        "/c/liutang/decisions.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/decisions.json",
        "/c/liutang/decisions.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/decisions.atom",
        "/c/liutang/decisions.atom",
        ALL,
    ),
    ("get", "/c/{slug}/orders.csv", "/c/liutang/orders.csv", ALL),
    (
        "get",
        "/c/{slug}/orders.json",
        "/c/liutang/orders.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures/v/{vid}",
        "/c/liutang/disclosures/v/999999",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures/{id}",
        "/c/liutang/disclosures/999999",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures/{id}/ledger.csv",
        "/c/liutang/disclosures/999999/ledger.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disclosures/{id}/correct",
        "/c/liutang/disclosures/999999/correct",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/disclosures/{id}/correct",
        "/c/liutang/disclosures/999999/correct",
        COMMITTEE,
    ),
    (
        "get",
        "/files/{name}",
        "/files/0000000000000000000000000000000000000000000000000000000000000000.pdf",
        ALL,
    ),
    ("get", "/c/{slug}/inquiries", "/c/liutang/inquiries", ALL),
    (
        "post",
        "/c/{slug}/inquiries",
        "/c/liutang/inquiries",
        INQUIRE,
    ),
    (
        "get",
        "/c/{slug}/inquiries/{id}",
        "/c/liutang/inquiries/999999",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/inquiries/project/{id}",
        "/c/liutang/inquiries/project/999999",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/inquiries/{id}/answer",
        "/c/liutang/inquiries/999999/answer",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/inquiries/{id}/order",
        "/c/liutang/inquiries/999999/order",
        COMMITTEE,
    ),
    ("get", "/c/{slug}/items", "/c/liutang/items", ALL),
    (
        "get",
        "/c/{slug}/items/new",
        "/c/liutang/items/new",
        RESIDENT,
    ),
    ("post", "/c/{slug}/items", "/c/liutang/items", RESIDENT),
    (
        "get",
        "/c/{slug}/items/{id}",
        "/c/liutang/items/999999",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/support",
        "/c/liutang/items/999999/support",
        RESIDENT,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/unsupport",
        "/c/liutang/items/999999/unsupport",
        RESIDENT,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/stage",
        "/c/liutang/items/999999/stage",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/steps",
        "/c/liutang/items/999999/steps",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/result",
        "/c/liutang/items/999999/result",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/follow",
        "/c/liutang/items/999999/follow",
        SIGNED_IN,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/unfollow",
        "/c/liutang/items/999999/unfollow",
        SIGNED_IN,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/comments",
        "/c/liutang/items/999999/comments",
        DISCUSS,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/comments",
        "/c/liutang/orders/999999/comments",
        DISCUSS,
    ),
    (
        "get",
        "/c/{slug}/comments/{id}/history",
        "/c/liutang/comments/999999/history",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/comments/{id}/edit",
        "/c/liutang/comments/999999/edit",
        DISCUSS,
    ),
    (
        "post",
        "/c/{slug}/comments/{id}/flag",
        "/c/liutang/comments/999999/flag",
        SIGNED_IN,
    ),
    (
        "post",
        "/c/{slug}/comments/{id}/hide",
        "/c/liutang/comments/999999/hide",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/comments/{id}/unhide",
        "/c/liutang/comments/999999/unhide",
        COMMITTEE,
    ),
    ("get", "/c/{slug}/feed.atom", "/c/liutang/feed.atom", ALL),
    (
        "get",
        "/c/{slug}/items/{id}/ballots/new",
        "/c/liutang/items/999999/ballots/new",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/ballots",
        "/c/liutang/items/999999/ballots",
        COMMITTEE,
    ),
    ("get", "/c/{slug}/ballots", "/c/liutang/ballots", ALL),
    (
        "get",
        "/c/{slug}/ballots/{id}",
        "/c/liutang/ballots/999999",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/ballots/{id}/vote",
        "/c/liutang/ballots/999999/vote",
        SIGNED_IN,
    ),
    (
        "get",
        "/c/{slug}/ballots/{id}/electorate",
        "/c/liutang/ballots/999999/electorate",
        OVERSIGHT,
    ),
    (
        "post",
        "/c/{slug}/ballots/{id}/results",
        "/c/liutang/ballots/999999/results",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/ballots/{id}/results/{rid}/confirm",
        "/c/liutang/ballots/999999/results/1/confirm",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/ballots/{id}/results/{rid}/reject",
        "/c/liutang/ballots/999999/results/1/reject",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/decisions/{id}",
        "/c/liutang/decisions/999999",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/decisions/{id}/board.csv",
        "/c/liutang/decisions/999999/board.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/decisions/{id}/decision.json",
        "/c/liutang/decisions/999999/decision.json",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/decisions/{id}/correct",
        "/c/liutang/decisions/999999/correct",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/decisions/{id}/orders",
        "/c/liutang/decisions/999999/orders",
        COMMITTEE,
    ),
    ("get", "/c/{slug}/orders", "/c/liutang/orders", ALL),
    (
        "get",
        "/c/{slug}/orders/new",
        "/c/liutang/orders/new",
        RESIDENT,
    ),
    (
        "get",
        "/c/{slug}/orders/limits",
        "/c/liutang/orders/limits",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/orders/limits",
        "/c/liutang/orders/limits",
        COMMITTEE,
    ),
    ("post", "/c/{slug}/orders", "/c/liutang/orders", RESIDENT),
    (
        "get",
        "/c/{slug}/orders/{id}",
        "/c/liutang/orders/999999",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/move",
        "/c/liutang/orders/999999/move",
        SIGNED_IN,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/assign",
        "/c/liutang/orders/999999/assign",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/rate",
        "/c/liutang/orders/999999/rate",
        SIGNED_IN,
    ),
    ("get", "/c/{slug}/projects", "/c/liutang/projects", ALL),
    (
        "get",
        "/c/{slug}/projects.csv",
        "/c/liutang/projects.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/projects.json",
        "/c/liutang/projects.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/projects/new",
        "/c/liutang/projects/new",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/projects",
        "/c/liutang/projects",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/projects/{code}/disbursements",
        "/c/liutang/projects/LT-2026-001/disbursements",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/projects/{code}/orders",
        "/c/liutang/projects/LT-2026-001/orders",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/projects/{code}/update",
        "/c/liutang/projects/LT-2026-001/update",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/disbursements.csv",
        "/c/liutang/disbursements.csv",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disbursements.json",
        "/c/liutang/disbursements.json",
        ALL,
    ),
    (
        "get",
        "/c/{slug}/disbursements/{id}",
        "/c/liutang/disbursements/1",
        ALL,
    ),
    ("get", "/c/{slug}/powers", "/c/liutang/powers", ALL),
    ("post", "/c/{slug}/powers", "/c/liutang/powers", COMMITTEE),
    ("get", "/p/{code}", "/p/LT-2026-001", ALL),
    ("get", "/p/{code}/notice", "/p/LT-2026-001/notice", ALL),
    ("get", "/p/{code}/qr.svg", "/p/LT-2026-001/qr.svg", ALL),
    ("get", "/p/{code}/qr.png", "/p/LT-2026-001/qr.png", ALL),
    ("get", "/c/{slug}/echo", "/c/liutang/echo", ALL),
    ("get", "/c/{slug}/bulletin", "/c/liutang/bulletin", ALL),
    (
        "get",
        "/c/{slug}/bulletin.csv",
        "/c/liutang/bulletin.csv",
        ALL,
    ),
    (
        "post",
        "/c/{slug}/decisions/{id}/countersign",
        "/c/liutang/decisions/999999/countersign",
        SUPERVISOR,
    ),
    (
        "get",
        "/c/{slug}/api-keys",
        "/c/liutang/api-keys",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/api-keys",
        "/c/liutang/api-keys",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/api-keys/{id}/revoke",
        "/c/liutang/api-keys/999999/revoke",
        COMMITTEE,
    ),
    // Open311: reading is public; submitting needs an API key, which no browser session is.
    (
        "get",
        "/open311/v2/services.json",
        "/open311/v2/services.json?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "get",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "post",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?jurisdiction_id=liutang",
        [false; 10],
    ),
    (
        "get",
        "/open311/v2/requests/{id}.json",
        "/open311/v2/requests/999999.json?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "get",
        "/open311/v2/services.xml",
        "/open311/v2/services.xml?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "get",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.xml?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "post",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.xml?jurisdiction_id=liutang",
        [false; 10],
    ),
    (
        "get",
        "/open311/v2/requests/{id}.xml",
        "/open311/v2/requests/999999.xml?jurisdiction_id=liutang",
        ALL,
    ),
    (
        "get",
        "/photos/{name}",
        "/photos/0123456789abcdef0123456789abcdef.jpg",
        ALL,
    ),
];

fn denied(r: &Resp) -> bool {
    r.status == 403 || (r.status == 303 && r.location().starts_with("/signin"))
}

#[test]
fn every_route_is_in_the_permission_table() {
    for (method, pattern) in yishi::web::routes::ROUTES {
        assert!(
            TABLE.iter().any(|(m, p, _, _)| m == method && p == pattern),
            "route {method} {pattern} has no row in the permission table"
        );
    }
    for (m, p, _, _) in TABLE {
        assert!(
            yishi::web::routes::ROUTES.contains(&(*m, *p)),
            "the table names {m} {p}, which is not a route"
        );
    }
}

async fn every_route_allows_exactly_the_right_users(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let mut failures = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let client = if *kind == "anonymous" {
            Client::new(&app.base)
        } else {
            app.signed_in(&demo.contact(kind)).await
        };
        // Sign-out last, so the session lasts through the walk.
        let mut rows: Vec<_> = TABLE.iter().collect();
        rows.sort_by_key(|(_, p, _, _)| *p == "/signout");
        for (method, pattern, path, who) in rows {
            let r = if *method == "get" {
                client.get(path).await
            } else {
                client.post(path, &[]).await
            };
            assert_ne!(r.status, 500, "{method} {path} as {kind}: {}", r.body);
            if denied(&r) == who[k] {
                failures.push(format!(
                    "{method} {pattern} as {kind}: expected {}, got {} {}",
                    if who[k] { "allowed" } else { "denied" },
                    r.status,
                    r.location()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
both!(every_route_allows_exactly_the_right_users);
