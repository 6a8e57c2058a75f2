//! Roster import benchmark, on SQLite: a committee's sheet of 2,000 persons (about 600
//! households, a few lines wrong) is read, previewed and confirmed into 柳塘村, which already
//! holds the demo's roster of about 480; then the same sheet is imported again (every person
//! found, nothing written), as a committee does with next year's sheet.
//!
//! Each step is what a request does, without HTTP: reading the file (a UTF-8 CSV and the same
//! in GBK), the preview (`plan_import`: the roster loaded, every line matched), and the
//! confirmation (the hidden copy decoded, the plan made again and written in one
//! transaction, each person with its `roster_changes` row and action-log entry). The run
//! fails if the confirmation does not write exactly the previewed adds.
//!
//! Run with `cargo bench --bench roster_import`. Knobs: `YISHI_BENCH_PERSONS` (default
//! 2000) persons in the sheet; `YISHI_BENCH_ROUNDS` (default 3) fresh databases, the best
//! and worst of which are printed.

#[path = "support/mod.rs"]
mod support;
use support::{count, knob, ms};

use std::time::{Duration, Instant};

use yishi::db::write_tx;
use yishi::roster::import::{self, Sheet};
use yishi::roster::service::{self, Keeper};

const GROUPS: [&str; 6] = ["一组", "二组", "三组", "四组", "五组", "六组"];
const SURNAMES: [&str; 10] = ["张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: [&str; 12] = [
    "建国", "秀英", "桂兰", "志强", "海燕", "明", "军", "丽", "小红", "伟", "芳", "大山",
];

/// A sheet as a committee's spreadsheet would be saved: a title row, the header, then
/// households of one to six persons; every 250th line has a month 13.
fn sheet(persons: usize) -> String {
    let mut out =
        String::from("柳塘村村民名册\n户号,姓名,性别,出生日期,与户主关系,村民小组,联系电话,地址\n");
    let (mut n, mut house) = (0, 0);
    while n < persons {
        house += 1;
        let size = 1 + (house * 7) % 6;
        let surname = SURNAMES[house % SURNAMES.len()];
        for m in 0..size.min(persons - n) {
            n += 1;
            let (relation, year) = match m {
                0 => ("户主", 1940 + house % 45),
                1 => ("妻", 1942 + house % 45),
                _ => ("子", 1965 + (house + m) % 50),
            };
            let month = if n % 250 == 0 { 13 } else { 1 + n % 12 };
            let name = format!(
                "{surname}{}{}",
                GIVEN[(house + m) % GIVEN.len()],
                house % 97
            );
            let sex = if m == 1 || (m > 1 && n % 2 == 0) {
                "女"
            } else {
                "男"
            };
            let phone = if m == 0 {
                format!("139{:08}", house)
            } else {
                String::new()
            };
            let group = GROUPS[house % GROUPS.len()];
            out.push_str(&format!(
                "{:04},{name},{sex},{year}-{month:02}-{:02},{relation},{group},{phone},柳塘村{group}{house}号\n",
                2000 + house,
                1 + n % 28
            ));
        }
    }
    out
}

/// One line of the table: how long a step took in a round.
type Step = fn(&Times) -> Duration;

struct Times {
    read_utf8: Duration,
    read_gbk: Duration,
    preview: Duration,
    confirm: Duration,
    again_preview: Duration,
    again_confirm: Duration,
    added: usize,
    refused: usize,
}

fn round(persons: usize) -> Times {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let pool = yishi::db::connect(&url, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    yishi::db::migrate(&mut conn).expect("migrations");
    let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("time");
    yishi::demo::load(&mut conn, dir.path(), now).expect("demo");
    let community = count(
        &mut conn,
        "SELECT id AS n FROM communities WHERE slug = 'liutang'",
    )
    .expect("liutang");
    let by = count(
        &mut conn,
        &format!(
            "SELECT MIN(user_id) AS n FROM memberships WHERE community_id = {community} AND role = 'committee'"
        ),
    )
    .expect("committee");
    let k = Keeper {
        community_id: community,
        by,
        now,
    };
    let text = sheet(persons);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);

    let t = Instant::now();
    let read: Sheet = import::read(text.as_bytes()).expect("sheet reads");
    let read_utf8 = t.elapsed();
    let t = Instant::now();
    let read_gbk_sheet = import::read(&gbk).expect("GBK sheet reads");
    let read_gbk = t.elapsed();
    assert_eq!(read, read_gbk_sheet, "GBK reads as UTF-8 does");

    let step = |conn: &mut yishi::db::AnyConnection, sheet: &Sheet| {
        let t = Instant::now();
        let plan = service::plan_import(conn, &k, sheet).expect("plan");
        let preview = t.elapsed();
        let copy = serde_json::to_string(sheet).expect("copy");
        let digest = plan.digest();
        let t = Instant::now();
        let again: Sheet = serde_json::from_str(&copy).expect("copy reads");
        let done = write_tx(conn, |conn| service::import(conn, &k, &again, &digest))
            .expect("import")
            .unwrap_or_else(|_| panic!("the roster did not change between preview and confirm"));
        (preview, t.elapsed(), plan, done)
    };
    let before = count(&mut conn, "SELECT COUNT(*) AS n FROM persons").expect("count");
    let (preview, confirm, plan, done) = step(&mut conn, &read);
    let after = count(&mut conn, "SELECT COUNT(*) AS n FROM persons").expect("count");
    assert_eq!(done.added, plan.adds.len());
    assert_eq!(
        (after - before) as usize,
        plan.adds.len(),
        "wrote the previewed adds"
    );
    let (again_preview, again_confirm, again, _) = step(&mut conn, &read);
    assert_eq!(
        again.adds.len() + again.changes.len(),
        0,
        "a re-import adds nobody"
    );
    Times {
        read_utf8,
        read_gbk,
        preview,
        confirm,
        again_preview,
        again_confirm,
        added: plan.adds.len(),
        refused: plan.refused.len(),
    }
}

fn main() {
    let persons: usize = knob("YISHI_BENCH_PERSONS", 2000);
    let rounds: usize = knob("YISHI_BENCH_ROUNDS", 3);
    println!("roster import of {persons} persons into 柳塘村 (SQLite), {rounds} rounds");
    let mut all: Vec<Times> = (0..rounds).map(|_| round(persons)).collect();
    all.sort_by_key(|t| t.read_utf8 + t.preview + t.confirm);
    let first = &all[0];
    println!(
        "added {} persons, {} lines refused (month 13)",
        first.added, first.refused
    );
    println!("{:<34}{:>10}{:>10}", "step (ms)", "best", "worst");
    let last = &all[all.len() - 1];
    let lines: [(&str, Step); 7] = [
        ("read the CSV (UTF-8)", |t| t.read_utf8),
        ("read the CSV (GBK)", |t| t.read_gbk),
        ("preview (load roster + plan)", |t| t.preview),
        ("confirm (plan again + write)", |t| t.confirm),
        ("total: read + preview + confirm", |t| {
            t.read_utf8 + t.preview + t.confirm
        }),
        ("re-import: preview", |t| t.again_preview),
        ("re-import: confirm (no change)", |t| t.again_confirm),
    ];
    for (what, f) in lines {
        println!("{what:<34}{:>10}{:>10}", ms(f(first)), ms(f(last)));
    }
}
