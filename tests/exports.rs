//! Open data and feeds with hostile text. Every CSV export guards every cell against
//! spreadsheet formulas the same way (numbers stay numbers); every XML document stays
//! well-formed whatever was stored, and control characters are refused at input.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::both;
use crate::common::page::option_value;
use crate::common::steps::{photo, without_query};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

const ITEM: &str = "=HYPERLINK(\"http://evil.example\",\"修桥\")";
const OPTION: &str = "=1+1";
const DISCLOSURE: &str = "+本月收支";
const LEDGER: &str = "=cmd|' /C calc'!A0";
const GRID: &str = "=网格七";
const ORDER: &str = "-5+5 路灯不亮";
const PROJECT: &str = "@SUM(1) 村北水渠";
const PAYEE: &str = "=付款人";

/// Publishes through the forms one hostile text into every table a CSV export reads.
/// Returns (decision id, disclosure id, order path).
async fn hostile_records(app: &TestApp, demo: &Demo) -> (String, String, String) {
    let committee = app.signed_in(&demo.contact("committee")).await;

    // A decision on an item with a formula for a title, by a roll call with formula options.
    let item = without_query(
        &committee
            .post_ok(
                "/c/liutang/items",
                &[("title", ITEM), ("body", "说明"), ("category", "economy")],
            )
            .await,
    );
    committee
        .post_ok(&format!("{item}/stage"), &[("to", "deliberating")])
        .await;
    let options = format!("{OPTION}\n@A1");
    let ballot = without_query(
        &committee
            .post_ok(
                &format!("{item}/ballots"),
                &[
                    ("body", "committee"),
                    ("mode", "online"),
                    ("options", options.as_str()),
                    ("closes_at", "2026-11-28 12:00"),
                ],
            )
            .await,
    );
    let first: u64 = demo.contact("committee").parse().expect("phone");
    for k in 0..3 {
        let member = app.signed_in(&(first + k).to_string()).await;
        let r = member
            .post(&format!("{ballot}/vote"), &[("choice", "0")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    app.clock.advance(chrono::Duration::days(3));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303, "a closed ballot leads to its decision");
    let decision = without_query(r.location());
    let decision_id = decision.rsplit('/').next().expect("an id").to_string();

    // A disclosure with a formula title and ledger line.
    let fields = [
        ("category", "finance"),
        ("period", "2026-11"),
        ("title", DISCLOSURE),
        ("responsible", "报账员 王会计"),
        ("body", "本月收支如下。"),
        ("opening", "10,000.00"),
        ("rows", "2"),
        ("date_0", "2026-11-05"),
        ("description_0", LEDGER),
        ("income_0", "5000"),
        ("voucher_0", "-101"),
    ];
    let disclosure = without_query(
        &committee
            .post_files_ok("/c/liutang/disclosures", &fields, vec![])
            .await,
    );
    let disclosure_id = disclosure.rsplit('/').next().expect("an id").to_string();

    // A grid with a formula name, and a report routed to it with a formula title.
    committee
        .post_ok("/c/liutang/grids", &[("name", GRID)])
        .await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let form = resident.get("/c/liutang/orders/new").await;
    let grid = option_value(&form.body, "grid", GRID).expect("the grid is offered");
    let order = without_query(
        &resident
            .post_files_ok(
                "/c/liutang/orders",
                &[
                    ("title", ORDER),
                    ("description", "晚上看不见。"),
                    ("category", "safety"),
                    ("place", "七组"),
                    ("grid", grid.as_str()),
                ],
                vec![("photos", "before.png", photo())],
            )
            .await,
    );

    // A project and a payment with formula texts.
    let decisions: serde_json::Value =
        serde_json::from_str(&app.client().get("/c/liutang/decisions.json").await.body)
            .expect("json");
    let passed = decisions
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["body"] == "residents" && d["verdict"] == "passed")
        .and_then(|d| d["id"].as_i64())
        .expect("a passed decision of the villagers")
        .to_string();
    let project = without_query(
        &committee
            .post_ok(
                "/c/liutang/projects",
                &[
                    ("prefix", "lt"),
                    ("title", PROJECT),
                    ("announcement", "修水渠。"),
                    ("budget", "62,000"),
                    ("contractor", "+承包方"),
                    ("planned_start", "2026-12-01"),
                    ("planned_end", "2027-01-31"),
                    ("decision", passed.as_str()),
                ],
            )
            .await,
    );
    let code = project.rsplit('/').next().expect("a code");
    committee
        .post_ok(
            &format!("/c/liutang/projects/{code}/disbursements"),
            &[
                ("amount", "100"),
                ("paid_on", "2026-11-25"),
                ("payee", PAYEE),
                ("voucher", "@V-1"),
                ("decision", ""),
            ],
        )
        .await;
    (decision_id, disclosure_id, order)
}

/// Whether a cell is safe to open in a spreadsheet: no formula start, unless a plain number.
fn safe_cell(cell: &str) -> bool {
    let number = cell
        .strip_prefix('-')
        .is_some_and(|rest| !rest.is_empty() && rest.parse::<f64>().is_ok() && !rest.contains('e'));
    number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn cells(body: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| r.expect("a CSV record"))
        .flat_map(|r| r.iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

async fn every_csv_export_guards_formulas_and_keeps_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (decision, disclosure, _) = hostile_records(&app, &demo).await;
    // What each CSV route must show guarded; a new CSV route must be added here.
    let expected: HashMap<&str, (String, &str)> = [
        ("/c/{slug}/orders.csv", ORDER),
        ("/c/{slug}/ledger.csv", LEDGER),
        ("/c/{slug}/disclosures.csv", DISCLOSURE),
        ("/c/{slug}/decisions.csv", ITEM),
        ("/c/{slug}/items.csv", ITEM),
        ("/c/{slug}/disclosures/{id}/ledger.csv", LEDGER),
        ("/c/{slug}/decisions/{id}/board.csv", OPTION),
        ("/c/{slug}/projects.csv", PROJECT),
        ("/c/{slug}/disbursements.csv", PAYEE),
        ("/c/{slug}/bulletin.csv", GRID),
    ]
    .into_iter()
    .map(|(route, text)| {
        let id = if route.contains("disclosures/{id}") {
            disclosure.as_str()
        } else {
            decision.as_str()
        };
        let path = route.replace("{slug}", "liutang").replace("{id}", id);
        (route, (path, text))
    })
    .collect();
    let client: Client = app.client();
    for (_, pattern) in yishi::routes::ROUTES
        .iter()
        // The roster is personal data, for the committee and supervisors only: its export is
        // checked for formulas as the committee in roster::the_export_has_a_line_per_person….
        .filter(|(m, p)| *m == "get" && p.ends_with(".csv") && *p != "/c/{slug}/roster.csv")
    {
        let (path, text) = expected
            .get(pattern)
            .unwrap_or_else(|| panic!("{pattern} is a CSV route this test does not cover"));
        let (status, _, bytes) = client.get_bytes(&format!("{path}?month=2026-11")).await;
        assert_eq!(status, 200, "{path}");
        let body = String::from_utf8(bytes).expect("UTF-8");
        let cells = cells(&body);
        for cell in &cells {
            assert!(safe_cell(cell), "{path}: {cell:?} would run as a formula");
        }
        let guarded = format!("'{text}");
        assert!(
            cells.iter().any(|c| c.starts_with(&guarded)),
            "{path} shows {text:?} guarded: {body}"
        );
    }
    // Numbers stay numbers: a voucher "-101" is written as it is.
    let (_, _, ledger) = client.get_bytes("/c/liutang/ledger.csv").await;
    assert!(cells(&String::from_utf8_lossy(&ledger)).contains(&"-101".to_string()));
}
both!(every_csv_export_guards_formulas_and_keeps_numbers);

async fn control_characters_are_refused_at_input_and_never_break_xml(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    // Typed into a title or a body, a control character is refused and the text kept.
    let r = committee
        .post(
            "/c/liutang/items",
            &[
                ("title", "修桥\u{b}栏杆"),
                ("body", "第一行\n\t第二行\u{1}"),
                ("category", "economy"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("控制字符") && r.body.contains("第一行"));
    // Line breaks and tabs in a body are fine.
    let item = without_query(
        &committee
            .post_ok(
                "/c/liutang/items",
                &[
                    ("title", "修桥栏杆"),
                    ("body", "第一行\n\t第二行"),
                    ("category", "economy"),
                ],
            )
            .await,
    );
    let item_id: i64 = item
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let (_, _, order) = hostile_records(&app, &demo).await;
    let order_id: i64 = order
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");

    // Text stored before input was checked may still hold them (published versions cannot
    // be changed, so an item and an order stand for them): every XML output drops them.
    let dirty = "\u{1}\u{b}\u{c}\u{1f}\u{fffe}";
    app.state
        .db(move |conn| {
            use yishi::schema::{agenda_items, work_orders};
            diesel::update(agenda_items::table.find(item_id))
                .set(agenda_items::title.eq(format!("修桥{dirty}栏杆")))
                .execute(conn)?;
            diesel::update(work_orders::table.find(order_id))
                .set((
                    work_orders::title.eq(format!("路灯{dirty}不亮")),
                    work_orders::description.eq(format!("晚上{dirty}看不见。")),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("stored");
    let client = app.client();
    let mut seen = 0;
    for (_, pattern) in yishi::routes::ROUTES
        .iter()
        .filter(|(m, p)| *m == "get" && (p.ends_with(".xml") || p.ends_with(".atom")))
    {
        let path = pattern
            .replace("{slug}", "liutang")
            .replace("{id}", &order_id.to_string());
        let path = if path.starts_with("/open311/") {
            format!("{path}?jurisdiction_id=liutang")
        } else {
            path
        };
        let (status, _, bytes) = client.get_bytes(&path).await;
        assert_eq!(status, 200, "{path}");
        let body = String::from_utf8(bytes).expect("UTF-8");
        if let Err(e) = roxmltree::Document::parse(&body) {
            panic!("{path} is not well-formed XML: {e}\n{body}");
        }
        seen += usize::from(body.contains("修桥栏杆") || body.contains("晚上看不见"));
    }
    assert!(seen >= 3, "the cleaned texts are shown ({seen} documents)");
}
both!(control_characters_are_refused_at_input_and_never_break_xml);
