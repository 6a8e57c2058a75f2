//! Multi-byte text at and over every length limit of every form: each answer is a page,
//! never a 500 and never a dropped connection (a panic in a handler drops it). The forms are
//! found by walking the site from the authorisation walk's routes, as every kind of user, and
//! read from the pages as a browser would submit them.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::authz_routes::{KINDS, TABLE};
use crate::both;
use crate::common::ballots::{deliberating_item, open_ballot, IN_TWO_DAYS};
use crate::common::steps::{move_fields, photo, report};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// Limits in characters that the handlers check (`text_field(…, max)` and the rules'
/// constants); each form is also tried at the `maxlength` of its own fields.
const LIMITS: &[usize] = &[
    28, 40, 50, 60, 80, 100, 128, 200, 500, 1000, 2000, 5000, 10_000, 20_000,
];

/// Pages read per kind of user while looking for forms, and of each shape (items in
/// different stages show different forms).
const MAX_PAGES: usize = 300;
const PER_SHAPE: usize = 8;

#[derive(Debug)]
enum Value {
    /// A field a person types into: it gets the long text.
    Typed,
    /// A hidden field, a choice or a box: sent as the page set it.
    Fixed(String),
}

/// Posts sent at once in the length walk.
const POSTS_AT_ONCE: usize = 6;

/// One form submission of the length walk.
struct Post {
    client: Client,
    url: String,
    multipart: bool,
    fields: Vec<(String, String)>,
    what: String,
}

impl Post {
    /// Sends the form; the failure, if the answer is not a page or a redirect.
    async fn send(self) -> Option<String> {
        let req = if self.multipart {
            let mut mp = reqwest::multipart::Form::new();
            for (k, v) in self.fields {
                mp = mp.text(k, v);
            }
            self.client.http.post(&self.url).multipart(mp)
        } else {
            self.client
                .http
                .post(&self.url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&self.fields).expect("form encodes"))
        };
        let what = self.what;
        match req.send().await {
            Err(e) => Some(format!("{what}: no answer ({e})")),
            Ok(r) => {
                let status = r.status().as_u16();
                let html = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|c| c.starts_with("text/html"));
                let body = r.text().await.unwrap_or_default();
                let redirect = (300..400).contains(&status);
                ((status >= 500 && status != 503) || !(redirect || html && !body.is_empty())).then(
                    || {
                        format!(
                            "{what}: {status} {}",
                            &body.chars().take(200).collect::<String>()
                        )
                    },
                )
            }
        }
    }
}

#[derive(Debug)]
struct Form {
    action: String,
    multipart: bool,
    fields: Vec<(String, Value)>,
    maxlengths: Vec<usize>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!(" {name}=\"");
    let at = tag.find(&pat)? + pat.len();
    let end = tag[at..].find('"')?;
    Some(
        tag[at..at + end]
            .replace("&amp;", "&")
            .replace("&#x2F;", "/"),
    )
}

/// The tags named `tag` in `html`, each as the text from `<` to `>`.
fn tags<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i..];
        let Some(end) = rest.find('>') else { break };
        let t = &rest[..=end];
        if t[open.len()..].starts_with([' ', '>']) {
            out.push(t);
        }
        rest = &rest[end + 1..];
    }
    out
}

/// The POST forms of a page, with their fields as a browser would send them.
fn forms_in(html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let Some(head_end) = chunk.find('>') else {
            continue;
        };
        let head = format!(" {}", &chunk[..head_end]);
        if attr(&head, "method").as_deref() != Some("post") {
            continue;
        }
        let Some(action) = attr(&head, "action") else {
            continue;
        };
        // A browser never sends the fragment (`…/inquiries#ask` posts to `…/inquiries`).
        let action = action.split('#').next().unwrap_or_default().to_string();
        let body = chunk.split("</form>").next().unwrap_or("");
        let mut fields = Vec::new();
        let mut maxlengths = Vec::new();
        for t in tags(body, "input") {
            let (Some(name), kind) = (attr(t, "name"), attr(t, "type").unwrap_or_default()) else {
                continue;
            };
            if let Some(m) = attr(t, "maxlength").and_then(|m| m.parse().ok()) {
                maxlengths.push(m);
            }
            match kind.as_str() {
                "hidden" | "radio" | "checkbox" => {
                    if fields.iter().any(|(n, _)| *n == name) && kind == "radio" {
                        continue;
                    }
                    fields.push((name, Value::Fixed(attr(t, "value").unwrap_or_default())))
                }
                "file" | "submit" => {}
                _ => fields.push((name, Value::Typed)),
            }
        }
        for t in tags(body, "textarea") {
            if let Some(name) = attr(t, "name") {
                if let Some(m) = attr(t, "maxlength").and_then(|m| m.parse().ok()) {
                    maxlengths.push(m);
                }
                fields.push((name, Value::Typed));
            }
        }
        for part in body.split("<select").skip(1) {
            let head = format!(" {}", part.split('>').next().unwrap_or(""));
            let first = tags(part, "option")
                .first()
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            if let Some(name) = attr(&head, "name") {
                fields.push((name, Value::Fixed(first)));
            }
        }
        out.push(Form {
            multipart: attr(&head, "enctype").as_deref() == Some("multipart/form-data"),
            action,
            fields,
            maxlengths,
        });
    }
    out
}

/// The links of a page worth following: this site's HTML pages.
fn links_in(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|t| attr(t, "href"))
        .filter_map(|h| {
            let h = h.split(['#', '?']).next().unwrap_or("").to_string();
            let skip = ["/files/", "/photos/", "/static/", "/log/tile", "/log/proof"];
            let file = [".csv", ".json", ".atom", ".xml", ".svg", ".png", ".pdf"];
            (h.starts_with('/')
                && !h.starts_with("//")
                && !skip.iter().any(|s| h.starts_with(s))
                && !file.iter().any(|e| h.ends_with(e)))
            .then_some(h)
        })
        .collect()
}

/// A path with its numbers blanked, so one of each kind of page (and form) is enough.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().any(|b| b.is_ascii_digit()) {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The route pattern a path answers to.
fn route_of(path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.split('/').collect();
    yishi::routes::ROUTES
        .iter()
        .filter(|(m, _)| *m == "post")
        .map(|(_, p)| *p)
        .find(|p| {
            let ps: Vec<&str> = p.split('/').collect();
            ps.len() == segs.len()
                && ps
                    .iter()
                    .zip(&segs)
                    .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
        })
}

/// Text of `n` characters that is mostly three-byte characters, starting `skew` bytes off
/// their boundaries, so that a cut at any byte index lands inside one.
fn text(n: usize, skew: usize) -> String {
    let lead = "ab"[..skew.min(n)].to_string();
    lead + &"中".repeat(n.saturating_sub(skew))
}

/// Puts the demo into the states that show the forms it otherwise hides, through the app's
/// own forms: a major item under deliberation (its step form), a deliberating item (the
/// new-ballot form), a hall ballot awaiting its result and one with a result awaiting a
/// second member (reject), and the resident's report completed (rating). Returns the pages.
async fn stage_forms(app: &TestApp, demo: &Demo) -> Vec<String> {
    let committee = app.signed_in(&demo.contact("committee")).await;
    let major =
        crate::common::ballots::major_item(&committee, ("修缮村祠堂", "说明"), "economy").await;
    let votable = deliberating_item(&committee, "村道路灯更换").await;
    let hall = [
        ("body", "representatives"),
        ("mode", "hall"),
        ("closes_at", IN_TWO_DAYS),
    ];
    let awaiting = deliberating_item(&committee, "村民代表会议：河道保洁").await;
    let awaiting = open_ballot(&committee, &awaiting, &hall).await;
    let recorded = deliberating_item(&committee, "村民代表会议：道路养护分工").await;
    let recorded = open_ballot(&committee, &recorded, &hall).await;
    let counts = [
        ("present", "7"),
        ("households_present", "7"),
        ("count_0", "5"),
        ("count_1", "1"),
        ("count_2", "1"),
        ("minutes", "在村委会议室召开"),
    ];
    committee
        .post_ok(&format!("{recorded}/results"), &counts)
        .await;

    let resident = app.signed_in(&demo.contact("resident")).await;
    let order = report(&resident, "消防栓箱玻璃破了", &[]).await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    for (to, note, photos) in [
        ("in_progress", "", vec![]),
        (
            "completed",
            "已更换玻璃",
            vec![("photos", "after.png", photo())],
        ),
    ] {
        worker
            .post_files_ok(&format!("{order}/move"), &move_fields(to, note), photos)
            .await;
    }
    vec![
        major,
        format!("{votable}/ballots/new"),
        awaiting,
        recorded,
        order,
    ]
}

async fn multibyte_text_at_and_over_every_limit_answers_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // The pages of the states the demo does not show, read first by every kind of user.
    let mut starts = stage_forms(&app, &demo).await;
    starts.extend(
        TABLE
            .iter()
            .filter(|(m, _, _, _)| *m == "get")
            .map(|(_, _, path, _)| path.to_string()),
    );

    // Walk the site as each kind of user and keep one form of each shape.
    let mut found: Vec<(Client, Form)> = Vec::new();
    let mut form_shapes = HashSet::new();
    for kind in KINDS {
        let client = if kind == "anonymous" {
            Client::new(&app.base)
        } else {
            app.signed_in(&demo.contact(kind)).await
        };
        let mut queue: VecDeque<String> = starts.iter().cloned().collect();
        let mut seen = HashSet::new();
        let mut shapes: HashMap<String, usize> = HashMap::new();
        let mut read = 0;
        while let Some(path) = queue.pop_front() {
            if read >= MAX_PAGES || !seen.insert(path.clone()) {
                continue;
            }
            let n = shapes.entry(shape(&path)).or_default();
            *n += 1;
            if *n > PER_SHAPE {
                continue;
            }
            let page = client.get(&path).await;
            read += 1;
            if page.status != 200 || !page.header("content-type").starts_with("text/html") {
                continue;
            }
            queue.extend(links_in(&page.body));
            for form in forms_in(&page.body) {
                let typed = form.fields.iter().any(|(_, v)| matches!(v, Value::Typed));
                // Forms with nothing to type have no length to test; signing out would end
                // the walk.
                if !typed || form.action == "/signout" {
                    continue;
                }
                let names: BTreeSet<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
                if form_shapes.insert(format!("{} {names:?}", shape(&form.action))) {
                    found.push((client.clone(), form));
                }
            }
        }
    }

    // Post each form with every typed field at and just over each limit, a few posts at a
    // time: each waits for its own answer, and on a loaded machine the walk stays well
    // inside the test's time.
    let mut routes = BTreeSet::new();
    let mut posts = Vec::new();
    for (client, form) in &found {
        routes.insert(route_of(&form.action).unwrap_or(form.action.as_str()));
        let mut limits: BTreeSet<usize> = LIMITS.iter().copied().collect();
        limits.extend(form.maxlengths.iter().copied());
        for n in limits {
            for (len, skew) in [(n, 1), (n + 1, 2)] {
                let long = text(len, skew);
                let fields: Vec<(String, String)> = form
                    .fields
                    .iter()
                    .map(|(name, v)| match v {
                        Value::Typed => (name.clone(), long.clone()),
                        Value::Fixed(s) => (name.clone(), s.clone()),
                    })
                    .collect();
                posts.push(Post {
                    client: client.clone(),
                    url: format!("{}{}", app.base, form.action),
                    multipart: form.multipart,
                    fields,
                    what: format!("POST {} with {len} characters", form.action),
                });
            }
        }
    }
    let total = posts.len();
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(POSTS_AT_ONCE));
    let mut running = tokio::task::JoinSet::new();
    for post in posts {
        let slot = slots.clone().acquire_owned().await.expect("open semaphore");
        running.spawn(async move {
            let failure = post.send().await;
            drop(slot);
            failure
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = running.join_next().await {
        failures.extend(done.expect("a post task"));
    }
    assert!(
        failures.is_empty(),
        "{} of {total} posts failed: {failures:#?}",
        failures.len()
    );
    // The walk must reach the forms people type into, or this test proves nothing.
    for route in [
        "/signin",
        "/signup",
        "/profile/password",
        "/c/{slug}/items",
        "/c/{slug}/items/{id}/comments",
        "/c/{slug}/orders",
        "/c/{slug}/disclosures",
        "/c/{slug}/inquiries",
        "/c/{slug}/projects",
        "/c/{slug}/items/{id}/stage",
        "/c/{slug}/inquiries/{id}/answer",
        "/c/{slug}/orders/{id}/move",
        "/c/{slug}/decisions/{id}/correct",
        "/c/{slug}/disclosures/{id}/correct",
        "/c/{slug}/items/{id}/steps",
        "/c/{slug}/items/{id}/ballots",
        "/c/{slug}/ballots/{id}/results",
        "/c/{slug}/ballots/{id}/results/{rid}/reject",
        "/c/{slug}/orders/{id}/rate",
    ] {
        assert!(
            routes.contains(route),
            "no form found for {route}: {routes:#?}"
        );
    }
}
both!(multibyte_text_at_and_over_every_limit_answers_a_page);

/// Whole numbers typed wrong, as people and scripts type them: each must answer a page
/// with the field's message (422), never a 500 or a 400.
const BAD_NUMBERS: &[&str] = &[
    "",
    "-1",
    "1.5",
    "abc",
    "99999999999999999999",
    "１２３４５６７８９０１２",
    "0x10",
    "1e9",
    "+1",
    "１.５",
];

/// Amounts of money typed wrong (1.5 yuan is money, so it is not among them).
const BAD_AMOUNTS: &[&str] = &[
    "-1",
    "abc",
    "99999999999999999999",
    "１２３４５６７８９０１２",
    "0x10",
    "1e9",
    "1000000001",
    "1.234",
];

/// One number field of one form: the route, the other fields as a person fills them, the
/// field, the id of its message, and values beyond its bound besides the common ones.
struct NumberField {
    route: String,
    fields: Vec<(&'static str, &'static str)>,
    field: &'static str,
    error_id: &'static str,
    bad: Vec<&'static str>,
    money: bool,
    optional: bool,
}

fn number_field(
    route: &str,
    fields: &[(&'static str, &'static str)],
    (field, error_id): (&'static str, &'static str),
    bad: &[&'static str],
) -> NumberField {
    NumberField {
        route: route.to_string(),
        fields: fields.to_vec(),
        field,
        error_id,
        bad: bad.to_vec(),
        money: false,
        optional: false,
    }
}

async fn bad_numbers_in_every_number_field_answer_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let hall = [
        ("body", "representatives"),
        ("mode", "hall"),
        ("closes_at", IN_TWO_DAYS),
    ];
    let open = deliberating_item(&committee, "村民代表会议：河道保洁").await;
    let open = open_ballot(&committee, &open, &hall).await;
    let decided = deliberating_item(&committee, "村民代表会议：道路养护分工").await;
    let decided = open_ballot(&committee, &decided, &hall).await;
    let counts = [
        ("present", "7"),
        ("count_0", "5"),
        ("count_1", "1"),
        ("count_2", "1"),
    ];
    committee
        .post_ok(&format!("{decided}/results"), &counts)
        .await;
    let page = committee.get(&decided).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
        .pop()
        .expect("a hall result");
    let first: u64 = demo.contact("committee").parse().expect("phone");
    let partner = app.signed_in(&(first + 1).to_string()).await;
    let decision = partner
        .post_ok(&format!("{decided}/results/{rid}/confirm"), &[])
        .await;
    let item = crate::common::ballots::major_item(
        &committee,
        ("村集体鱼塘承包方案", "鱼塘承包到期，拟重新公开发包。"),
        "economy",
    )
    .await;

    let results = format!("{open}/results");
    let correct = format!("{decision}/correct");
    let steps = format!("{item}/steps");
    let step = [
        ("step", "proposal"),
        ("held_on", "2026-11-20"),
        ("body", "支部会议，李书记主持"),
        ("expected", "9"),
        ("present", "9"),
        ("outcome", "按表决结果"),
    ];
    let payment = [
        ("paid_on", "2026-11-25"),
        ("payee", "县公路工程队第二期"),
        ("voucher", "LT记-2026-141"),
    ];
    let project = [
        ("prefix", "lt"),
        ("title", "村南路灯安装"),
        ("announcement", "村南路灯安装，公开招标。"),
        ("contractor", "东溪镇照明工程部"),
        ("planned_start", "2026-12-01"),
        ("planned_end", "2027-01-31"),
    ];
    let settings = [
        ("support_percent", "10"),
        ("support_minimum", "3"),
        ("response_days", "15"),
    ];
    let oversight = [("voucher_review_days", "10"), ("inquiry_days", "7")];
    let mut walk = vec![
        number_field(&results, &counts, ("present", "present-error"), &["100001"]),
        number_field(&results, &counts, ("count_0", "count_0-error"), &["8"]),
        number_field(&results, &counts, ("count_2", "count_2-error"), &["8"]),
        number_field(
            &correct,
            &counts,
            ("present", "correct-present-error"),
            &["100001"],
        ),
        number_field(
            &correct,
            &counts,
            ("count_1", "correct-count_1-error"),
            &["8"],
        ),
        number_field(&steps, &step, ("expected", "expected-error"), &["100001"]),
        number_field(&steps, &step, ("present", "present-error"), &["100001"]),
        number_field(
            "/c/liutang/settings",
            &settings,
            ("support_percent", "support_percent-error"),
            &["0", "101"],
        ),
        number_field(
            "/c/liutang/settings",
            &settings,
            ("support_minimum", "support_minimum-error"),
            &["0", "10001"],
        ),
        number_field(
            "/c/liutang/settings",
            &settings,
            ("response_days", "response_days-error"),
            &["0", "366"],
        ),
        number_field(
            "/c/liutang/settings/meetings",
            &[],
            ("notice_days", "notice-days-error"),
            &["2", "91"],
        ),
        number_field(
            "/c/liutang/oversight",
            &oversight,
            ("voucher_review_days", "voucher_review_days-error"),
            &["0", "366"],
        ),
        number_field(
            "/c/liutang/oversight",
            &oversight,
            ("inquiry_days", "inquiry_days-error"),
            &["0", "366"],
        ),
        NumberField {
            optional: true,
            ..number_field(
                "/c/liutang/orders/limits",
                &[],
                ("road", "limit-road-error"),
                &["0", "721"],
            )
        },
        NumberField {
            optional: true,
            ..number_field(
                "/c/liutang/decisions/2/orders",
                &[("title", "道路硬化第二标段"), ("due", "2027-03-31")],
                ("budget", "order-budget-error"),
                &["1000000001"],
            )
        },
        NumberField {
            money: true,
            ..number_field(
                "/c/liutang/projects/LT-2026-001/disbursements",
                &payment,
                ("amount", "amount-error"),
                &["", "0"],
            )
        },
        NumberField {
            money: true,
            ..number_field(
                "/c/liutang/projects",
                &project,
                ("budget", "budget-error"),
                &[""],
            )
        },
    ];
    let mut tried = 0;
    for f in walk.drain(..) {
        let common = if f.money { BAD_AMOUNTS } else { BAD_NUMBERS };
        let values = common
            .iter()
            .filter(|v| !(f.optional && v.is_empty()))
            .chain(f.bad.iter());
        for &bad in values {
            let mut fields: Vec<(&str, &str)> = f
                .fields
                .iter()
                .filter(|(k, _)| *k != f.field)
                .copied()
                .collect();
            if f.route == correct {
                fields.push(("reason", "计票有误"));
            }
            fields.push((f.field, bad));
            let r = committee.post(&f.route, &fields).await;
            assert_eq!(r.status, 422, "{} {}={bad:?}: {}", f.route, f.field, r.body);
            assert!(
                r.body.contains(&format!("id=\"{}\"", f.error_id)),
                "{} {}={bad:?}: no message at the field: {}",
                f.route,
                f.field,
                r.body
            );
            tried += 1;
        }
    }
    assert!(tried > 150, "{tried} posts");
}
both!(bad_numbers_in_every_number_field_answer_a_page);
