//! The rules' unit tests, by topic as the files are.

use super::*;
use chrono::Days;
use proptest::prelude::*;

use crate::web::csv::unguard;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const MARCH: Period = Period::Month {
    year: 2026,
    month: 3,
};

fn line(day: u32, income: i64, expense: i64) -> LedgerLine {
    let (description, counterparty) = ("修路材料".into(), "某某建材".into());
    let (date, voucher) = (d(2026, 3, day), "J-003".into());
    LedgerLine {
        date,
        description,
        income,
        expense,
        counterparty,
        voucher,
    }
}

/// Rows of a table: "input | expected", blank lines skipped.
fn table(t: &str) -> impl Iterator<Item = (&str, &str)> {
    t.lines().filter_map(|l| l.rsplit_once(" | "))
}

/// A key without its "disclosure.xxx." prefix.
fn short(key: &str) -> &str {
    key.rsplit('.').next().unwrap()
}

fn csv(text: &str) -> Result<Vec<LedgerLine>, Vec<CsvProblem>> {
    parse_ledger_csv(text.as_bytes(), MARCH)
}

/// "line:column:key=value" for each problem, joined by spaces.
fn problems(text: &str) -> String {
    let each = |p: &CsvProblem| format!("{}:{}:{}={}", p.line, p.column, short(p.key()), p.value);
    csv(text)
        .unwrap_err()
        .iter()
        .map(each)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn categories() {
    for c in Category::ALL {
        assert_eq!(Category::parse(c.as_str()), Some(c));
        assert_eq!(c.label_key(), format!("disclosure.category.{}", c.as_str()));
    }
    assert_eq!(Category::Subsidies.as_str(), "subsidies");
    assert_eq!(Category::parse("Finance"), None);
}

#[test]
fn dates_near_today_at_the_boundary() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let today = d(2026, 11, 26);
    assert!(near_today(d(2021, 11, 26), today) && near_today(d(2031, 11, 26), today));
    assert!(!near_today(d(2021, 11, 25), today) && !near_today(d(2031, 11, 27), today));
    assert!(!near_today(d(1, 1, 1), today) && !near_today(d(9999, 12, 31), today));
    assert!(!near_today(NaiveDate::MAX, NaiveDate::MAX));
}

#[test]
fn typed_dates_far_from_today_are_refused() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let far = parse_near_date("0001-01-01", today).unwrap_err();
    assert_eq!(far, DateProblem::Far("0001-01-01".into()));
    assert_eq!(far.key(), "disclosure.err.date_far");
    assert_eq!(far.args(true)[1], ("years", "5".to_string()));
    assert!(parse_near_date("2021-11-26", today).is_ok());
    assert!(parse_near_date("2031-11-27", today).is_err());
    assert_eq!(parse_near_date("", today), Err(DateProblem::Empty));
}

const DATES: &str = "
    2026-03-05 | ok
    2026/3/5 | ok
    2026.3.5 | ok
    2026年3月5日 | ok
    2026 年 3 月 5 日 | ok
    20260305 | ok
    ２０２６－３－５ | ok
      | date_empty
    2026-02-30 | date_bad
    2026-3 | date_bad
    26-3-5 | date_bad
    2026-3/5 | date_bad
    March 5 | date_bad
    2026-003-05 | date_bad
    202635 | date_bad
    2026年3月 | date_bad";

#[test]
fn dates_parsed_or_refused() {
    for (input, want) in table(DATES) {
        let got = parse_date(input).map(|x| assert_eq!(x, d(2026, 3, 5)));
        assert_eq!(
            got.map_or_else(|p| short(p.key()).to_string(), |_| "ok".into()),
            want
        );
    }
    assert_eq!(parse_date(" x "), Err(DateProblem::Bad("x".into())));
}

const PERIODS: &str = "
    2026-03 | 2026-03
    2026-3 | 2026-03
    ２０２６／３ | 2026-03
    2026.12 | 2026-12
    2026-Q1 | 2026-Q1
    2026q4 | 2026-Q4
    2026 | 2026
    26 | none
    2026-13 | none
    2026-0 | none
    2026-Q5 | none
    2026Q | none
    2026Q12 | none
    202603 | none
    2026- | none
    2026-003 | none";

#[test]
fn periods_parse_to_canonical_form() {
    for (input, want) in table(PERIODS) {
        assert_eq!(
            Period::parse(input).map_or("none".into(), |p| p.as_str()),
            want,
            "{input}"
        );
    }
    assert_eq!(Period::parse(""), None);
}

#[test]
fn period_bounds_labels_and_order() {
    let p = |s: &str| Period::parse(s).unwrap();
    assert_eq!(
        (p("2024-02").start(), p("2024-02").end()),
        (d(2024, 2, 1), d(2024, 2, 29))
    );
    assert_eq!(
        (p("2026-Q4").start(), p("2026-Q4").end()),
        (d(2026, 10, 1), d(2026, 12, 31))
    );
    assert_eq!(
        [p("2026-Q4").next(), p("2026-12").next()],
        [p("2027-Q1"), p("2027-01")]
    );
    assert_eq!(p("2026").end(), d(2026, 12, 31));
    assert!(MARCH.contains(d(2026, 3, 31)) && !MARCH.contains(d(2026, 4, 1)));
    let labels = ["2026-03", "2026-Q1", "2026"]
        .map(|s| format!("{}/{}", p(s).label(true), p(s).label(false)));
    assert_eq!(
        labels,
        [
            "2026年3月/March 2026",
            "2026年第1季度/Q1 2026",
            "2026年/2026"
        ]
    );
    let _ = Period::Month {
        year: i32::MAX,
        month: 13,
    }
    .end(); // hand-built nonsense: no panic
    let mut v = ["2026", "2026-02", "2026-Q1", "2026-01", "2025"].map(p);
    v.sort();
    assert_eq!(
        v.map(|p| p.as_str()).join(" "),
        "2025 2026-01 2026-Q1 2026 2026-02"
    );
    let cadences = [
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
        Cadence::WithinDays(5),
    ];
    let of = cadences.map(|c| Period::containing(c, d(2026, 8, 15)).map(|p| p.as_str()));
    assert_eq!(
        of.map(Option::unwrap_or_default).join(" "),
        "2026-08 2026-Q3 2026 "
    );
}

#[test]
fn line_checks() {
    assert_eq!(check_line(&line(5, 0, 120_000), MARCH), Ok(()));
    let no_counterparty = LedgerLine {
        counterparty: String::new(),
        ..line(31, 5, 0)
    };
    assert_eq!(check_line(&no_counterparty, MARCH), Ok(()));
    let keys = |l: &LedgerLine| {
        check_line(l, MARCH)
            .unwrap_err()
            .iter()
            .map(|p| short(p.key()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut bad = LedgerLine {
        date: d(2026, 4, 1),
        description: " ".into(),
        ..line(1, 5, 5)
    };
    (bad.voucher, bad.counterparty) = (String::new(), "对".repeat(101));
    assert_eq!(
        keys(&bad),
        "date_outside_period description_empty amount_both voucher_empty counterparty_too_long"
    );
    let found = check_line(&bad, MARCH).unwrap_err();
    assert_eq!(
        found[0].args(true),
        vec![
            ("date", "2026-04-01".into()),
            ("period", "2026年3月".into())
        ]
    );
    assert_eq!(found[4].args(false), vec![("max", "100".into())]);
    let long = LedgerLine {
        description: "字".repeat(201),
        voucher: "V".repeat(41),
        ..line(5, 0, 0)
    };
    assert_eq!(
        keys(&long),
        "description_too_long amount_missing voucher_too_long"
    );
    let odd = check_line(&line(5, -100, MAX_AMOUNT_FEN + 1), MARCH).unwrap_err();
    assert_eq!(odd[0], LineProblem::AmountNegative(Column::Income, -100));
    assert_eq!((odd.len(), odd[1].column()), (2, Column::Expense));
    assert_eq!(odd[0].args(true), vec![("value", "-1.00".into())]);
}

const GOOD: &str = "日期,摘要,收入,支出,对方单位,凭证号
2026-03-05,修路材料,,\"1,200.00\",某某建材,J-003
2026/3/6,修路材料,50000,,某某建材,J-003
";

#[test]
fn csv_encodings_and_separators() {
    let lines = csv(GOOD).unwrap();
    assert_eq!(lines, [line(5, 0, 120_000), line(6, 5_000_000, 0)]);
    assert_eq!(csv(&format!("\u{feff}{GOOD}")).unwrap(), lines);
    let (gbk, _, _) = encoding_rs::GBK.encode(GOOD);
    assert!(std::str::from_utf8(&gbk).is_err());
    assert_eq!(parse_ledger_csv(&gbk, MARCH).unwrap(), lines);
    let utf16 = [0xFEFF].into_iter().chain(GOOD.encode_utf16());
    let utf16: Vec<u8> = utf16.flat_map(u16::to_le_bytes).collect();
    assert_eq!(parse_ledger_csv(&utf16, MARCH).unwrap(), lines);
    let tabs = "日期\t摘要\t收入\t支出\t凭证号\n2026-03-05\t修路材料\t\t1,200.00\tJ-003\n";
    assert_eq!(csv(tabs).unwrap()[0].expense, 120_000);
    let unreadable = parse_ledger_csv(&[0x81, 0xFF, 0x30], MARCH).unwrap_err();
    assert_eq!(unreadable[0].key(), "disclosure.csv.unreadable");
}

#[test]
fn csv_headers() {
    let lines =
        csv("\n凭证 , 说明,支出（元）,Income,DATE\nJ-1,买水泥,300,,20260310\n\n,,,,\n").unwrap();
    assert_eq!(
        (
            lines.len(),
            lines[0].expense,
            lines[0].counterparty.as_str()
        ),
        (1, 30_000, "")
    );
    assert_eq!(
        problems(" Voucher ,description,expense,income,date,收入"),
        "1::duplicate_column=收入"
    );
    let unknown = "1::unknown_column=金额 1::unknown_column=备注";
    let missing = "1::missing_column= 1::missing_column= 1::missing_column=";
    assert_eq!(
        problems("日期,摘要,金额,备注,\n"),
        format!("{unknown} {missing}")
    );
    let income = &csv("日期,摘要,支出,凭证号").unwrap_err()[0];
    assert_eq!(income.kind, CsvProblemKind::MissingColumn(Column::Income));
    assert!(income.args(true).contains(&("column", "收入".into())));
    assert!(income.args(false).contains(&("column", "income".into())));
    assert_eq!(
        [problems(""), problems("\n , \n")],
        ["0::empty=", "0::empty="]
    );
    assert_eq!(problems("日期,摘要,收入,支出,凭证号\n\n"), "0::no_rows=");
    let late_header = problems("\n\r\n日期,摘要,收入,支出,凭证号,金额\n");
    assert_eq!(late_header, "3::unknown_column=金额");
    let (gb_bom, _, _) = encoding_rs::GB18030.encode("\u{feff}日期,摘要,收入,支出,凭证号\n");
    assert_eq!(
        parse_ledger_csv(&gb_bom, MARCH).unwrap_err()[0].key(),
        "disclosure.csv.no_rows"
    );
}

const MESSY: &str = "日期,说明,收入,支出,凭证号,
2026-04-01,修路,1.234,,J-1,

2026-03-02,,abc,-5,,备注
2026-03-03,\"两
行\",,,J-3,
2026-03-04,四格,1,J-4
,修路,1,,J-5,
";

const MESSY_PROBLEMS: &str = "2:收入:amount_decimals=1.234 2:日期:date_outside_period=2026-04-01 \
    4::unnamed_column=备注 4:收入:amount_bad=abc 4:支出:amount_negative=-5 \
    4:说明:description_empty= 4:凭证号:voucher_empty= 5:收入:amount_missing= \
    7::ragged= 8:日期:date_empty=";

#[test]
fn csv_reports_every_problem_with_line_and_column() {
    assert_eq!(problems(MESSY), MESSY_PROBLEMS);
    let all = csv(MESSY).unwrap_err();
    assert_eq!(all[0].where_key(), Some("disclosure.csv.where"));
    assert_eq!(all[8].where_key(), None);
    let args = all[8].args(true);
    let has = |k, v: &str| args.contains(&(k, v.to_string()));
    assert!(has("line", "7") && has("expected", "6") && has("found", "4"));
    assert!(all[1]
        .args(false)
        .contains(&("period", "March 2026".into())));
}

#[test]
fn csv_problems_capped() {
    let text = format!("日期,摘要,收入,支出,凭证号\n{}", "bad,x,1,,V\n".repeat(150));
    let found = csv(&text).unwrap_err();
    assert_eq!((found.len(), found[99].line), (MAX_CSV_PROBLEMS + 1, 101));
    assert_eq!(found[100].kind, CsvProblemKind::More(50));
    assert_eq!(found[100].args(true)[0], ("count", "50".into()));
}

#[test]
fn csv_export_for_excel() {
    let mut lines = [line(5, 0, 120_000), line(6, 5, 0)];
    (lines[0].description, lines[0].counterparty) = ("=HYPERLINK(\"x\")".into(), String::new());
    (lines[1].description, lines[1].voucher) = ("a,b".into(), "'-1".into());
    let out = ledger_csv(&lines);
    assert!(out.starts_with("\u{feff}日期,摘要,收入,支出,对方单位,凭证号\r\n"));
    assert!(out.contains("\r\n2026-03-05,\"'=HYPERLINK(\"\"x\"\")\",,1200.00,,J-003\r\n"));
    assert!(out.contains("\r\n2026-03-06,\"a,b\",0.05,,某某建材,''-1\r\n"));
    assert_eq!(csv(&out).unwrap(), lines);
    assert_eq!(unguard("'abc"), "'abc");
}

#[test]
fn totals_add_up_and_saturate() {
    let t = totals(
        10_000,
        &[line(1, 5_000, 0), line(2, 0, 12_000), line(3, 1, 0)],
    );
    assert_eq!(
        [t.income, t.expense, t.opening, t.closing],
        [5_001, 12_000, 10_000, 3_001]
    );
    assert_eq!(
        totals(-5, &[]),
        Totals {
            opening: -5,
            closing: -5,
            ..Totals::default()
        }
    );
    let huge = totals(0, &[line(1, i64::MAX, 0), line(1, i64::MAX, 0)]);
    assert_eq!((huge.income, huge.closing), (i64::MAX, i64::MAX));
    assert_eq!(totals(i64::MIN, &[line(1, 0, 1)]).closing, i64::MIN);
    assert_eq!(
        totals(i64::MAX, &[line(1, 1, 0), line(1, 0, 2)]).closing,
        i64::MAX - 1
    );
}

#[test]
fn cadences() {
    for c in [
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
        Cadence::WithinDays(5),
    ] {
        assert_eq!(Cadence::parse(&c.as_str()), Some(c));
    }
    assert_eq!(Cadence::WithinDays(5).as_str(), "within:5");
    for s in "within: within:0 within:366 within:-1 within:5d weekly Monthly".split(' ') {
        assert_eq!(Cadence::parse(s), None, "{s}");
    }
    let defaults = Category::ALL.map(|c| default_cadence(c).as_str()).join(" ");
    assert_eq!(
        defaults,
        "monthly quarterly quarterly quarterly within:5 quarterly quarterly quarterly"
    );
}

#[test]
fn due_dates_overdue_and_next() {
    assert_eq!(period_due(MARCH, DEFAULT_GRACE_DAYS), d(2026, 4, 11));
    assert_eq!(period_due(MARCH, 0), d(2026, 4, 1));
    assert_eq!(period_due(Period::Year { year: 2025 }, 10), d(2026, 1, 11));
    assert_eq!(event_due(d(2026, 3, 30), 5), d(2026, 4, 4));
    let (since, today, m) = (d(2026, 1, 20), d(2026, 4, 15), Cadence::Monthly);
    let names = |v: &[Period]| v.iter().map(Period::as_str).collect::<Vec<_>>().join(" ");
    assert_eq!(
        names(&expected_periods(m, since, today)),
        "2026-01 2026-02 2026-03"
    );
    assert_eq!(
        names(&expected_periods(Cadence::Quarterly, since, today)),
        "2026-Q1"
    );
    assert!(expected_periods(Cadence::Yearly, since, today).is_empty());
    assert!(expected_periods(Cadence::WithinDays(5), since, today).is_empty());
    assert!(expected_periods(m, today, since).is_empty());
    let p = |s: &str| Period::parse(s).unwrap();
    let published = [p("2026-01"), p("2026")];
    let late = overdue(m, since, today, 10, &published);
    assert_eq!(
        late,
        [(p("2026-02"), d(2026, 3, 11)), (MARCH, d(2026, 4, 11))]
    );
    assert_eq!(overdue(m, since, d(2026, 4, 11), 10, &published).len(), 1);
    assert_eq!(
        next_due(m, since, today, 10, &published),
        Some((p("2026-04"), d(2026, 5, 11)))
    );
    assert_eq!(
        next_due(m, since, d(2026, 4, 5), 10, &published),
        Some((MARCH, d(2026, 4, 11)))
    );
    assert_eq!(
        next_due(m, since, today, 10, &[p("2026-04")]).unwrap().0,
        p("2026-05")
    );
    assert_eq!(
        next_due(Cadence::WithinDays(5), since, today, 10, &[]),
        None
    );
}

#[test]
fn diffs_and_ledger_text() {
    use DiffKind::*;
    let diff = diff_text("a\nb\nc", "a\r\nB\nc\nd\n");
    let got: Vec<_> = diff.iter().map(|l| (l.kind, l.text.as_str())).collect();
    assert_eq!(
        got,
        [
            (Same, "a"),
            (Removed, "b"),
            (Added, "B"),
            (Same, "c"),
            (Added, "d")
        ]
    );
    assert!(diff_text("", "").is_empty());
    assert!(diff_text("x", "x\n").iter().all(|l| l.kind == Same));
    let text = "2026-03-05 | 修路材料 | 收入 0.00 | 支出 1,200.00 | 某某建材 | 凭证 J-003";
    assert_eq!(ledger_line_text(&line(5, 0, 120_000)), text);
    let odd = LedgerLine {
        description: "两\n行".into(),
        counterparty: " ".into(),
        ..line(5, 1, 0)
    };
    let text = "2026-03-05 | 两 行 | 收入 0.01 | 支出 0.00 | — | 凭证 J-003";
    assert_eq!(ledger_line_text(&odd), text);
    let old = ledger_text(&[line(5, 0, 120_000), line(6, 5, 0)]);
    let new = ledger_text(&[line(5, 0, 125_000), line(6, 5, 0)]);
    let diff = diff_text(&old, &new);
    let changed: Vec<_> = diff.iter().filter(|l| l.kind != Same).collect();
    assert_eq!((changed.len(), changed[1].kind), (2, Added));
    assert!(changed[1].text.contains("支出 1,250.00"));
}

fn arb_period() -> impl Strategy<Value = Period> {
    let (y, m, q) = (1990..2100i32, 1..=12u32, 1..=4u32);
    prop_oneof![
        (y.clone(), m).prop_map(|(y, m)| month(y, m)),
        (y.clone(), q).prop_map(|(y, q)| quarter(y, q)),
        y.prop_map(|year| Period::Year { year }),
    ]
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (0..20_000u64).prop_map(|n| d(2000, 1, 1) + Days::new(n))
}

/// Valid lines in a period: text trimmed (import trims cells), with quotes, commas,
/// newlines and formula starts; exactly one amount.
fn arb_lines() -> impl Strategy<Value = (Period, Vec<LedgerLine>)> {
    let text = |re: &'static str| re.prop_map(|s: String| s.trim().to_string());
    let texts = (
        text("x[a-z0-9修路 ,\"'=+@\n-]{0,30}|[=+@'-][a-z']{0,5}"),
        text("[a-z某建材 ,'=-]{0,20}"),
        text("[A-Z0-9'=-]{1,10}"),
    );
    let one = (0..28u64, 1..=MAX_AMOUNT_FEN, any::<bool>(), texts);
    (arb_period(), proptest::collection::vec(one, 1..8)).prop_map(|(p, rows)| {
        let line = |row: (u64, i64, bool, (String, String, String))| {
            let (day, fen, is_income, (description, counterparty, voucher)) = row;
            let (income, expense) = if is_income { (fen, 0) } else { (0, fen) };
            let voucher = if voucher.is_empty() {
                "V".into()
            } else {
                voucher
            };
            let date = p.start() + Days::new(day);
            LedgerLine {
                date,
                description,
                income,
                expense,
                counterparty,
                voucher,
            }
        };
        (p, rows.into_iter().map(line).collect())
    })
}

proptest! {
    #[test]
    fn period_laws(p in arb_period(), day in arb_date()) {
        prop_assert_eq!(Period::parse(&p.as_str()), Some(p));
        prop_assert_eq!(p.next().start(), p.end() + Days::new(1));
        prop_assert!(p < p.next() && p.contains(p.start()) && p.contains(p.end()));
        for c in [Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly] {
            prop_assert!(Period::containing(c, day).unwrap().contains(day));
        }
    }

    #[test]
    fn schedule_laws(
        c in prop_oneof![Just(Cadence::Monthly), Just(Cadence::Quarterly), Just(Cadence::Yearly)],
        since in arb_date(),
        ahead in 0..1500u64,
        grace in 0..40u32,
        keep in proptest::collection::vec(any::<bool>(), 0..60),
    ) {
        let today = since + Days::new(ahead);
        let expected = expected_periods(c, since, today);
        let kept = expected.iter().zip(&keep).filter(|(_, k)| **k);
        let published: Vec<Period> = kept.map(|(p, _)| *p).collect();
        let late = overdue(c, since, today, grace, &published);
        for (p, due) in &late {
            prop_assert!(expected.contains(p) && !published.contains(p) && *due < today);
        }
        prop_assert!(expected.iter().all(|p| p.end() < today));
        prop_assert!(overdue(c, since, today, grace, &expected).is_empty());
        let (p, due) = next_due(c, since, today, grace, &published).unwrap();
        prop_assert!(due >= today && !published.contains(&p));
        prop_assert!(late.iter().all(|(q, _)| *q < p));
    }

    #[test]
    fn csv_round_trips((period, lines) in arb_lines()) {
        let out = ledger_csv(&lines);
        prop_assert_eq!(parse_ledger_csv(out.as_bytes(), period), Ok(lines.clone()));
        let (gb18030, _, _) = encoding_rs::GB18030.encode(&out);
        prop_assert_eq!(parse_ledger_csv(&gb18030, period), Ok(lines));
    }

    #[test]
    fn csv_import_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        text in "[日期摘要收入支出凭证号,\n\"x1.]{0,120}",
    ) {
        let _ = parse_ledger_csv(&bytes, MARCH);
        let _ = csv(&text);
    }

    #[test]
    fn diff_rebuilds_both_sides(
        old in proptest::collection::vec("[abc]{1,2}", 0..8),
        new in proptest::collection::vec("[abc]{1,2}", 0..8),
    ) {
        let diff = diff_text(&old.join("\n"), &new.join("\n"));
        let side = |skip| diff.iter().filter(move |l| l.kind != skip).map(|l| l.text.clone());
        prop_assert_eq!(side(DiffKind::Added).collect::<Vec<_>>(), old);
        prop_assert_eq!(side(DiffKind::Removed).collect::<Vec<_>>(), new);
    }
}

/// Art. 30 sets how often *at least*: January, February and March published monthly are
/// Q1's disclosure; two of them are not; a year's disclosure still does not stand for Q1's
/// months.
#[test]
fn art30_monthly_publications_satisfy_a_quarterly_cadence() {
    let p = |s: &str| Period::parse(s).unwrap();
    let q1 = p("2026-Q1");
    let months = [p("2026-01"), p("2026-02"), p("2026-03")];
    assert!(covered(q1, &months));
    assert!(!covered(q1, &months[..2]));
    assert!(!covered(p("2026-01"), &[q1]));
    let (since, today, q) = (d(2026, 1, 1), d(2026, 5, 1), Cadence::Quarterly);
    assert!(overdue(q, since, today, 10, &months).is_empty());
    assert_eq!(overdue(q, since, today, 10, &months[..2]).len(), 1);
    // A year of months, or of quarters, or of both, makes the year.
    let mut year: Vec<Period> = (1..=9).map(|m| p(&format!("2026-{m:02}"))).collect();
    assert!(!covered(p("2026"), &year));
    year.push(p("2026-Q4"));
    assert!(covered(p("2026"), &year));
    assert_eq!(
        next_due(q, since, d(2026, 4, 2), 10, &months),
        Some((p("2026-Q2"), d(2026, 7, 11)))
    );
}

/// Art. 30: general affairs and finance at least quarterly (monthly may be set), decisions
/// "随时" (within at most MAX_WITHIN_DAYS); a committee tightens, never loosens.
#[test]
fn art30_floor_refuses_a_looser_cadence() {
    use CadenceProblem::*;
    for c in [Category::Finance, Category::Assets, Category::Other] {
        assert_eq!(check_cadence(c, Cadence::Monthly), Ok(()));
        assert_eq!(check_cadence(c, Cadence::Quarterly), Ok(()));
        assert_eq!(
            check_cadence(c, Cadence::Yearly),
            Err(BelowFloor(Cadence::Quarterly))
        );
        assert_eq!(
            check_cadence(c, Cadence::WithinDays(5)),
            Err(WithinNotDecisions)
        );
    }
    let decisions = Category::Decisions;
    assert_eq!(check_cadence(decisions, Cadence::WithinDays(1)), Ok(()));
    assert_eq!(
        check_cadence(decisions, Cadence::WithinDays(MAX_WITHIN_DAYS)),
        Ok(())
    );
    assert_eq!(
        check_cadence(decisions, Cadence::WithinDays(MAX_WITHIN_DAYS + 1)),
        Err(TooManyDays)
    );
    assert_eq!(
        check_cadence(decisions, Cadence::Monthly),
        Err(DecisionsNeedWithin)
    );
    // Every default is within its floor (the work-order bulletin, published by a job, has
    // neither).
    for c in Category::ALL.into_iter().filter(|c| floor(*c).is_some()) {
        assert_eq!(check_cadence(c, default_cadence(c)), Ok(()), "{c:?}");
    }
}

/// The count starts no later than today; grace at most MAX_GRACE_DAYS (the county
/// catalogue's "每季度的首个月20日").
#[test]
fn schedule_window_boundaries() {
    let today = d(2026, 11, 26);
    assert!(check_window(today, MAX_GRACE_DAYS, today).is_empty());
    assert_eq!(
        check_window(d(2026, 11, 27), MAX_GRACE_DAYS + 1, today),
        [CadenceProblem::StartsLater, CadenceProblem::TooMuchGrace]
    );
}

/// A disclosure with nothing in it, published before its period ended, does not count.
#[test]
fn an_empty_disclosure_of_a_period_not_over_does_not_count() {
    let dec = Period::parse("2026-12").unwrap();
    assert!(!counts_as_published(dec, d(2026, 12, 31), false));
    assert!(counts_as_published(dec, d(2027, 1, 1), false));
    assert!(counts_as_published(dec, d(2026, 11, 26), true));
}

/// Art. 30 due dates as stored at publication, and lateness in Beijing days.
#[test]
fn due_for_a_publication_and_days_late() {
    let p = |s: &str| Period::parse(s).unwrap();
    // March completes Q1 under a quarterly cadence; January is owed only with Q1.
    assert_eq!(due_for(Cadence::Quarterly, MARCH, 10), Some(d(2026, 4, 11)));
    assert_eq!(
        due_for(Cadence::Quarterly, p("2026-01"), 10),
        Some(d(2026, 4, 11))
    );
    assert_eq!(due_for(Cadence::Monthly, MARCH, 10), Some(d(2026, 4, 11)));
    // A quarter published under a monthly cadence is owed by its own due date.
    assert_eq!(
        due_for(Cadence::Monthly, p("2026-Q1"), 0),
        Some(d(2026, 4, 1))
    );
    assert_eq!(due_for(Cadence::WithinDays(5), MARCH, 10), None);
    assert_eq!(days_late(d(2026, 4, 11), d(2026, 4, 11)), None);
    assert_eq!(days_late(d(2026, 4, 11), d(2026, 4, 12)), Some(1));
    assert_eq!(days_late(d(2026, 4, 11), d(2026, 5, 1)), Some(20));
}

/// 四议两公开's last step: the implementation result is due `days` after the last order is
/// confirmed, and only once every order is.
#[test]
fn implementation_result_due_after_the_last_order_is_confirmed() {
    let on = Some(d(2026, 11, 26));
    assert_eq!(
        result_due(&["confirmed", "confirmed"], on, 10),
        Some(d(2026, 12, 6))
    );
    assert_eq!(result_due(&["confirmed", "completed"], on, 10), None);
    assert_eq!(result_due(&[], on, 10), None);
    assert!(check_result_days(1) && check_result_days(DEFAULT_RESULT_DAYS));
    assert!(!check_result_days(0) && !check_result_days(DEFAULT_RESULT_DAYS + 1));
}
