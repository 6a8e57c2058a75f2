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

/// Staff of the township above 柳塘村 (东溪镇).
const TOWNSHIP: [bool; 10] = [
    false, false, false, false, false, false, false, true, false, false,
];
/// The township's own page: its staff and the platform admin.
const TOWNSHIP_DESK: [bool; 10] = [
    false, false, false, false, false, false, false, true, true, false,
];

const SUPERVISOR: [bool; 10] = [
    false, false, false, false, false, true, false, false, false, false,
];

/// Those who may put an inquiry: residents (the committee and supervisors are residents too).
const INQUIRE: [bool; 10] = [
    false, false, true, true, true, true, false, false, false, false,
];
/// Those who read the follow-up calls (回访): the committee and grid workers, who make them,
/// and those who oversee.
const FOLLOWUPS: [bool; 10] = [
    false, false, false, false, true, true, true, true, true, false,
];
/// Those who record a follow-up call: the committee and grid workers.
const CALLERS: [bool; 10] = [
    false, false, false, false, true, false, true, false, false, false,
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
    ("get", "/static/read-aloud.js", "/static/read-aloud.js", ALL),
    ("get", "/favicon.ico", "/favicon.ico", ALL),
    ("get", "/", "/", ALL),
    ("get", "/signup", "/signup", ALL),
    ("post", "/signup", "/signup", ALL),
    ("get", "/signin", "/signin", ALL),
    ("post", "/signin", "/signin", ALL),
    ("post", "/signout", "/signout", ALL),
    ("post", "/lang", "/lang", ALL),
    ("post", "/elder", "/elder", ALL),
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
    ("get", "/admin/holidays", "/admin/holidays", ADMIN),
    ("post", "/admin/holidays", "/admin/holidays", ADMIN),
    (
        "post",
        "/admin/holidays/remove",
        "/admin/holidays/remove",
        ADMIN,
    ),
    ("get", "/c/{slug}", "/c/liutang", ALL),
    ("get", "/t/{slug}", "/t/dongxi", TOWNSHIP_DESK),
    ("post", "/t/{slug}/limit", "/t/dongxi/limit", TOWNSHIP),
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
    (
        "post",
        "/c/{slug}/members/{id}/link",
        "/c/liutang/members/999999/link",
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
    ("get", "/c/{slug}/roster", "/c/liutang/roster", OVERSIGHT),
    (
        "get",
        "/c/{slug}/roster.csv",
        "/c/liutang/roster.csv",
        OVERSIGHT,
    ),
    (
        "post",
        "/c/{slug}/roster/persons",
        "/c/liutang/roster/persons",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/roster/persons/{id}",
        "/c/liutang/roster/persons/1",
        OVERSIGHT,
    ),
    (
        "post",
        "/c/{slug}/roster/persons/{id}",
        "/c/liutang/roster/persons/1",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/persons/{id}/status",
        "/c/liutang/roster/persons/1/status",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/persons/{id}/link",
        "/c/liutang/roster/persons/1/link",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/households",
        "/c/liutang/roster/households",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/households/{id}",
        "/c/liutang/roster/households/1",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/roster/import",
        "/c/liutang/roster/import",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/import",
        "/c/liutang/roster/import",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/roster/import/confirm",
        "/c/liutang/roster/import/confirm",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/settings",
        "/c/liutang/settings",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/settings/meetings",
        "/c/liutang/settings/meetings",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/settings/representatives",
        "/c/liutang/settings/representatives",
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
    ("get", "/c/{slug}/items.csv", "/c/liutang/items.csv", ALL),
    ("get", "/c/{slug}/items.json", "/c/liutang/items.json", ALL),
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
        "/c/{slug}/items/{id}/plan",
        "/c/liutang/items/999999/plan",
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
        "post",
        "/c/{slug}/disclosures/{id}/comments",
        "/c/liutang/disclosures/999999/comments",
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
    (
        "get",
        "/c/{slug}/items/{id}/notice",
        "/c/liutang/items/999999/notice",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/items/{id}/notice",
        "/c/liutang/items/999999/notice",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/notices/{id}",
        "/c/liutang/notices/999999",
        ALL,
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
        "post",
        "/c/{slug}/ballots/{id}/receipt",
        "/c/liutang/ballots/999999/receipt",
        SIGNED_IN,
    ),
    (
        "get",
        "/c/{slug}/ballots/{id}/electorate",
        "/c/liutang/ballots/999999/electorate",
        OVERSIGHT,
    ),
    (
        "get",
        "/c/{slug}/ballots/{id}/register",
        "/c/liutang/ballots/999999/register",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/ballots/{id}/register",
        "/c/liutang/ballots/999999/register",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/ballots/{id}/register/print",
        "/c/liutang/ballots/999999/register/print",
        COMMITTEE,
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
    (
        "post",
        "/c/{slug}/orders/{id}/send-up",
        "/c/liutang/orders/999999/send-up",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/take",
        "/c/liutang/orders/999999/take",
        TOWNSHIP,
    ),
    (
        "post",
        "/c/{slug}/orders/{id}/send-back",
        "/c/liutang/orders/999999/send-back",
        TOWNSHIP,
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
    (
        "post",
        "/c/{slug}/disbursements/{id}/review",
        "/c/liutang/disbursements/999999/review",
        SUPERVISOR,
    ),
    (
        "post",
        "/c/{slug}/oversight",
        "/c/liutang/oversight",
        COMMITTEE,
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
        "get",
        "/c/{slug}/bulletin/floor",
        "/c/liutang/bulletin/floor",
        COMMITTEE,
    ),
    (
        "post",
        "/c/{slug}/bulletin/floor",
        "/c/liutang/bulletin/floor",
        COMMITTEE,
    ),
    (
        "get",
        "/c/{slug}/followups",
        "/c/liutang/followups",
        FOLLOWUPS,
    ),
    (
        "post",
        "/c/{slug}/followups/{pick}",
        "/c/liutang/followups/999999",
        CALLERS,
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
    // Refused, sent to sign in, or (someone whose request to join waits) told to wait.
    r.status == 403
        || (r.status == 303 && r.location().starts_with("/signin"))
        || (r.status == 303 && r.location().ends_with("/join?waiting=1"))
}

#[test]
fn every_route_is_in_the_permission_table() {
    for (method, pattern) in yishi::routes::ROUTES {
        assert!(
            TABLE.iter().any(|(m, p, _, _)| m == method && p == pattern),
            "route {method} {pattern} has no row in the permission table"
        );
    }
    for (m, p, _, _) in TABLE {
        assert!(
            yishi::routes::ROUTES.contains(&(*m, *p)),
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

// ---- ids a form carries ----

/// Who posts a row of [`FOREIGN_IDS`]: 兴和's committee, or the unverified demo user.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Committee,
    Unverified,
}

/// A form field that names a row, posted into 兴和社区 with 柳塘村's row: (form struct,
/// field, who posts, pattern, path in 兴和 (`{item}`, `{order}`, `{request}` are 兴和's),
/// multipart, the other fields, the SQL that finds 柳塘's row as `id`, and the SQL of 兴和's
/// own row (empty: the field left empty), which must be accepted: the control that shows the
/// 422 is the id's doing).
type ForeignId = (
    &'static str,
    &'static str,
    By,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

const LIUTANG: &str = "(SELECT id FROM communities WHERE slug = 'liutang')";
const XINGHE: &str = "(SELECT id FROM communities WHERE slug = 'xinghe')";

const FOREIGN_IDS: &[ForeignId] = &[
    (
        "disclosures::handlers::Typed",
        "decision_id",
        By::Committee,
        "/c/{slug}/disclosures",
        "/c/xinghe/disclosures",
        true,
        &[
            ("category", "decisions"),
            ("period", "2026-11"),
            ("title", "决议公开"),
            ("body", "公开本月的决议。"),
            ("responsible", "王主任"),
        ],
        "SELECT id FROM decisions WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "inquiries::handlers::AskForm",
        "subject_id",
        By::Committee,
        "/c/{slug}/inquiries",
        "/c/xinghe/inquiries",
        false,
        &[("subject", "disbursement"), ("question", "这笔钱付给谁了？")],
        "SELECT id FROM disbursements WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "inquiries::handlers::AskForm",
        "subject_id",
        By::Committee,
        "/c/{slug}/inquiries",
        "/c/xinghe/inquiries",
        false,
        &[("subject", "project"), ("question", "这个项目什么时候完工？")],
        "SELECT id FROM projects WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "inquiries::handlers::AskForm",
        "subject_id",
        By::Committee,
        "/c/{slug}/inquiries",
        "/c/xinghe/inquiries",
        false,
        &[("subject", "disclosure"), ("question", "这份公开的数字对吗？")],
        "SELECT id FROM disclosures WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "projects::page::ProjectForm",
        "decisions",
        By::Committee,
        "/c/{slug}/projects",
        "/c/xinghe/projects",
        false,
        &[
            ("prefix", "xh"),
            ("title", "兴和路面修补"),
            ("announcement", "修补坑洼。"),
            ("budget", "800"),
            ("contractor", "兴和物业"),
            ("planned_start", "2026-12-01"),
            ("planned_end", "2026-12-31"),
        ],
        "SELECT id FROM decisions WHERE community_id = {liutang} AND verdict = 'passed' ORDER BY id",
        "",
    ),
    (
        "projects::page::PayForm",
        "decision",
        By::Committee,
        "/c/{slug}/projects/{code}/disbursements",
        "/c/xinghe/projects/XH-2026-001/disbursements",
        false,
        &[
            ("amount", "300"),
            ("paid_on", "2026-11-25"),
            ("payee", "兴和物业"),
            ("voucher", "XH记-1"),
        ],
        "SELECT id FROM decisions WHERE community_id = {liutang} AND verdict = 'passed' ORDER BY id",
        "",
    ),
    (
        "projects::handlers::AttachForm",
        "order",
        By::Committee,
        "/c/{slug}/projects/{code}/orders",
        "/c/xinghe/projects/XH-2026-001/orders",
        false,
        &[],
        "SELECT id FROM work_orders WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM work_orders WHERE community_id = {xinghe} AND project_id IS NULL ORDER BY id",
    ),
    (
        "projects::handlers::UpdateForm",
        "decision",
        By::Committee,
        "/c/{slug}/projects/{code}/update",
        "/c/xinghe/projects/XH-2026-001/update",
        false,
        &[("actual_start", "2026-11-20")],
        "SELECT id FROM decisions WHERE community_id = {liutang} AND verdict = 'passed' ORDER BY id",
        "",
    ),
    (
        "projects::page::PowerForm",
        "decision",
        By::Committee,
        "/c/{slug}/powers",
        "/c/xinghe/powers",
        false,
        &[
            ("code", "1"),
            ("name", "大额支出"),
            ("kind", "disbursement"),
            ("body", "residents"),
            ("threshold", "50000"),
            ("comparison", "at_least"),
        ],
        "SELECT id FROM decisions WHERE community_id = {liutang} AND verdict = 'passed' AND body = 'residents' ORDER BY id",
        "SELECT id FROM decisions WHERE community_id = {xinghe} AND verdict = 'passed' AND body = 'representatives' ORDER BY id",
    ),
    (
        "comments::handlers::CommentForm",
        "parent_id",
        By::Committee,
        "/c/{slug}/items/{id}/comments",
        "/c/xinghe/items/{item}/comments",
        false,
        &[("body", "同意楼上的意见。")],
        "SELECT id FROM comments WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "communities::handlers::JoinForm",
        "grid_id",
        By::Unverified,
        "/c/{slug}/join",
        "/c/xinghe/join",
        false,
        &[("address", "兴和路8号2单元301")],
        "SELECT id FROM grids WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM grids WHERE community_id = {xinghe} ORDER BY id",
    ),
    (
        "communities::handlers::AppointForm",
        "grid_id",
        By::Committee,
        "/c/{slug}/roles",
        "/c/xinghe/roles",
        false,
        &[("contact", "{xinghe_resident}"), ("role", "grid_worker")],
        "SELECT id FROM grids WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM grids WHERE community_id = {xinghe} ORDER BY id",
    ),
    (
        "communities::handlers::ApproveForm",
        "household",
        By::Committee,
        "/c/{slug}/requests/{id}/approve",
        "/c/xinghe/requests/{request}/approve",
        false,
        &[
            ("person_id", "new"),
            ("name", "核实新人"),
            ("sex", "m"),
            ("birth_date", "1980-01-01"),
        ],
        "SELECT id FROM households WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM households WHERE community_id = {xinghe} ORDER BY id",
    ),
    (
        "communities::handlers::RevokeForm",
        "user_id",
        By::Committee,
        "/c/{slug}/roles/revoke",
        "/c/xinghe/roles/revoke",
        false,
        &[("role", "grid_worker")],
        "SELECT user_id AS id FROM memberships WHERE community_id = {liutang} AND role = 'grid_worker' ORDER BY id",
        "SELECT user_id AS id FROM memberships WHERE community_id = {xinghe} AND role = 'grid_worker' ORDER BY id",
    ),
    (
        "work_orders::page::ReportForm",
        "grid",
        By::Committee,
        "/c/{slug}/orders",
        "/c/xinghe/orders",
        true,
        &[
            ("title", "路灯不亮"),
            ("description", "三号楼前的路灯不亮了。"),
            ("category", "lighting"),
            ("place", "三号楼前"),
        ],
        "SELECT id FROM grids WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
    (
        "work_orders::handlers::AssignForm",
        "assignee",
        By::Committee,
        "/c/{slug}/orders/{id}/assign",
        "/c/xinghe/orders/{order}/assign",
        false,
        &[("note", "改派")],
        "SELECT user_id AS id FROM memberships WHERE community_id = {liutang} AND role = 'grid_worker' ORDER BY id",
        "SELECT user_id AS id FROM memberships WHERE community_id = {xinghe} AND role = 'grid_worker' ORDER BY id",
    ),
    (
        "roster::handlers::PersonForm",
        "household_id",
        By::Committee,
        "/c/{slug}/roster/persons",
        "/c/xinghe/roster/persons",
        false,
        &[("name", "王新"), ("sex", "m"), ("birth_date", "1980-01-01")],
        "SELECT id FROM households WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM households WHERE community_id = {xinghe} ORDER BY id",
    ),
    (
        "roster::handlers::HouseholdForm",
        "grid_id",
        By::Committee,
        "/c/{slug}/roster/households",
        "/c/xinghe/roster/households",
        false,
        &[("address", "兴和小区9号楼")],
        "SELECT id FROM grids WHERE community_id = {liutang} ORDER BY id",
        "SELECT id FROM grids WHERE community_id = {xinghe} ORDER BY id",
    ),
    (
        "roster::handlers::HouseholdForm",
        "representative_id",
        By::Committee,
        "/c/{slug}/roster/households",
        "/c/xinghe/roster/households",
        false,
        &[("address", "兴和小区8号楼")],
        "SELECT id FROM persons WHERE community_id = {liutang} ORDER BY id",
        "",
    ),
];

/// Form fields that name a row but need no check against the community in the path, and why.
const FOREIGN_IDS_EXEMPT: &[(&str, &str, &str)] = &[
    (
        "communities::handlers::AppointForm",
        "decision_id",
        "checked against the community by ballots::citable::citable in communities::service (another community's decision is not found: a 422 at the field, tests/supervisors.rs)",
    ),
    (
        "communities::handlers::RevokeForm",
        "decision_id",
        "checked against the community by ballots::citable::citable in communities::service::revoke before anything changes (a 422 at the field, tests/supervisors.rs)",
    ),
    (
        "communities::handlers::ApproveForm",
        "person_id",
        "checked against the community by roster::link::check (roster::model::person filters by it; another community's person is a 422, tests/roster_link.rs); the walk's one pending request of xinghe is approved by the household row first",
    ),
    (
        "ballots::handlers::OpenForm",
        "grid",
        "checked against the community by communities::model::grid_in in ballots::service::open_ballot; the walk cannot open a group meeting, which first needs a convening notice run out",
    ),
    (
        "communities::admin::StaffForm",
        "community",
        "the platform admin acts across communities",
    ),
    (
        "communities::admin::CommunityForm",
        "parent",
        "the platform admin nests communities under any township",
    ),
    (
        "roster::model::Snapshot",
        "household_id",
        "read back from roster_changes, never from a form",
    ),
    (
        "roster::model::Snapshot",
        "grid_id",
        "read back from roster_changes, never from a form",
    ),
    (
        "roster::model::Snapshot",
        "user_id",
        "read back from roster_changes, never from a form",
    ),
    (
        "roster::handlers::PersonForm",
        "grid_id",
        "checked with the household by roster::service::check_fields; walked in \
         roster::a_group_or_household_of_another_community_is_refused",
    ),
];

/// The first `id` the query finds, with `{liutang}` and `{xinghe}` filled in.
async fn one_id(app: &crate::common::TestApp, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let sql = sql
        .replace("{liutang}", LIUTANG)
        .replace("{xinghe}", XINGHE);
    let q = sql.clone();
    app.state
        .db(move |conn| Ok(diesel::sql_query(format!("{q} LIMIT 1")).get_result::<Id>(conn)?))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .id
}

async fn every_id_a_form_carries_must_be_the_communitys(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee_xinghe")).await;
    let unverified = app.signed_in(&demo.contact("unverified")).await;
    // 兴和's own project, so that the forms on a project's page can be posted.
    let project = [
        ("prefix", "xh"),
        ("title", "兴和小区围墙修补"),
        ("announcement", "修补围墙。"),
        ("budget", "900"),
        ("contractor", "兴和物业"),
        ("planned_start", "2026-12-01"),
        ("planned_end", "2026-12-31"),
    ];
    let r = committee.post("/c/xinghe/projects", &project).await;
    // The demo holds XH-2026-001 and -002 (parking works, stairwell lights).
    assert_eq!(r.location(), "/p/XH-2026-003?done=created", "{}", r.body);
    let item = one_id(
        &app,
        "SELECT id FROM agenda_items WHERE community_id = {xinghe} AND stage IN ('proposed', 'adopted', 'deliberating', 'voting') ORDER BY id",
    )
    .await
    .to_string();
    let order = one_id(
        &app,
        "SELECT id FROM work_orders WHERE community_id = {xinghe} AND state NOT IN ('completed', 'confirmed') ORDER BY id",
    )
    .await
    .to_string();
    let request = one_id(
        &app,
        "SELECT id FROM join_requests WHERE community_id = {xinghe} AND status = 'pending' ORDER BY id",
    )
    .await
    .to_string();
    let resident = one_id(
        &app,
        "SELECT user_id AS id FROM memberships WHERE community_id = {xinghe} AND role = 'resident' ORDER BY id DESC",
    )
    .await;
    let resident_contact: String = app
        .state
        .db(move |conn| {
            use diesel::prelude::*;
            use yishi::schema::users;
            Ok(users::table
                .find(resident)
                .select(users::phone)
                .first::<Option<String>>(conn)?)
        })
        .await
        .expect("contact")
        .expect("a phone");

    let mut failures = Vec::new();
    for (form, field, by, pattern, path, multipart, fields, sql, own) in FOREIGN_IDS {
        let theirs = one_id(&app, sql).await.to_string();
        let ours = match *own {
            "" => String::new(),
            q => one_id(&app, q).await.to_string(),
        };
        let path = path
            .replace("{item}", &item)
            .replace("{order}", &order)
            .replace("{request}", &request);
        let client = if *by == By::Committee {
            &committee
        } else {
            &unverified
        };
        // Another community's row and a row that does not exist are refused on the form; then
        // this community's own (or none) goes through.
        for id in [theirs.as_str(), "999999", ours.as_str()] {
            let mut posted: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *v == "{xinghe_resident}" {
                            resident_contact.as_str()
                        } else {
                            *v
                        },
                    )
                })
                .collect();
            // The project form's `decisions` come from repeated `decision` fields.
            let name = if *field == "decisions" {
                "decision"
            } else {
                field
            };
            posted.push((name, id));
            let r = if *multipart {
                client.post_files(&path, &posted, vec![]).await
            } else {
                client.post(&path, &posted).await
            };
            let refused = r.status == 422;
            if refused != (id != ours) || r.status == 500 {
                failures.push(format!(
                    "{form}.{field} on POST {pattern} with {id:?}: expected {}, got {} {}",
                    if id == ours { "303" } else { "422" },
                    r.status,
                    r.location()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
both!(every_id_a_form_carries_must_be_the_communitys);

/// Every field of a form struct whose name ends in `_id`, or is one of the names the forms
/// use for a row (`decision`, `order`, …), as "module::path::Struct" and field.
fn form_fields_naming_rows() -> Vec<(String, String)> {
    const NAMES: [&str; 8] = [
        "decision",
        "decisions",
        "order",
        "grid",
        "assignee",
        "household",
        "parent",
        "community",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.clone()];
    let mut out = Vec::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).expect("src dir") {
                files.push(e.expect("entry").path());
            }
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = p
            .strip_prefix(&root)
            .expect("under src")
            .with_extension("")
            .to_string_lossy()
            .replace('/', "::");
        let text = std::fs::read_to_string(&p).expect("source");
        let mut deserialize = false;
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with("#[derive(") && t.contains("Deserialize") {
                deserialize = true;
            } else if let Some(rest) = t
                .strip_prefix("pub struct ")
                .or_else(|| t.strip_prefix("struct "))
            {
                let name = rest.split([' ', '{', '<', '(', ';']).next().unwrap_or("");
                // The disclosure and project forms are read by hand from the posted pairs.
                let by_hand = (name == "Typed" && module == "disclosures::handlers")
                    || (name == "ProjectForm" && module == "projects::page");
                current = (deserialize || by_hand).then(|| format!("{module}::{name}"));
                deserialize = false;
            } else if line.starts_with('}') {
                current = None;
            } else if let Some(s) = &current {
                let field = t.trim_start_matches("pub ").split(':').next().unwrap_or("");
                let naming = field.ends_with("_id") || NAMES.contains(&field);
                if t.contains(':') && naming && !field.contains(' ') {
                    out.push((s.clone(), field.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn every_form_field_naming_a_row_is_walked() {
    let fields = form_fields_naming_rows();
    assert!(
        fields.len() >= FOREIGN_IDS.len(),
        "the scan found too little: {fields:?}"
    );
    for (form, field) in &fields {
        let walked = FOREIGN_IDS.iter().any(|r| r.0 == form && r.1 == field);
        let exempt = FOREIGN_IDS_EXEMPT
            .iter()
            .any(|r| r.0 == form && r.1 == field);
        assert!(
            walked || exempt,
            "{form}.{field} names a row but has no row in FOREIGN_IDS"
        );
    }
    for r in FOREIGN_IDS {
        assert!(
            fields.iter().any(|(f, x)| f == r.0 && x == r.1),
            "FOREIGN_IDS names {}.{}, which is not a form field",
            r.0,
            r.1
        );
    }
}
