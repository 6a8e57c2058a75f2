//! Pure rules of village affairs disclosure (村务公开): categories, money in fen, periods, ledger lines with CSV import/export, totals, publishing cadence and due dates, and diffs for corrections.

use std::cmp::Ordering;

use chrono::{Datelike, Days, NaiveDate};
use similar::{ChangeTag, TextDiff};

use crate::web::csv::unguard;

/// Values for a message's `{name}` placeholders (borrow them for `Tr::f`).
pub type Args = Vec<(&'static str, String)>;

/// Largest amount accepted anywhere money is typed (payments, budgets, thresholds, ledger
/// lines): 10^9 yuan (10 亿元), more than any village spends, far below `i64::MAX`.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000;

/// How far from today a typed date may lie, in years either way: a payment, a project's
/// dates, a work order's due date, a disclosure's period.
pub const DATE_YEARS: u32 = 5;

/// Whether `day` lies within [`DATE_YEARS`] years of `today`, both ends included.
pub fn near_today(day: NaiveDate, today: NaiveDate) -> bool {
    let years = chrono::Months::new(12 * DATE_YEARS);
    match (
        today.checked_sub_months(years),
        today.checked_add_months(years),
    ) {
        (Some(first), Some(last)) => (first..=last).contains(&day),
        _ => false,
    }
}
pub const MAX_DESCRIPTION_CHARS: usize = 200;
pub const MAX_VOUCHER_CHARS: usize = 40;
pub const MAX_COUNTERPARTY_CHARS: usize = 100;
/// Problems kept from one CSV file; the rest are counted in a final `More` entry.
pub const MAX_CSV_PROBLEMS: usize = 100;
/// Days after a period ends before its disclosure is overdue.
pub const DEFAULT_GRACE_DAYS: u32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Finance,
    Assets,
    Projects,
    Subsidies,
    Decisions,
    Personnel,
    Other,
}

const CATEGORY_NAMES: [(&str, &str); 7] = [
    ("finance", "disclosure.category.finance"),
    ("assets", "disclosure.category.assets"),
    ("projects", "disclosure.category.projects"),
    ("subsidies", "disclosure.category.subsidies"),
    ("decisions", "disclosure.category.decisions"),
    ("personnel", "disclosure.category.personnel"),
    ("other", "disclosure.category.other"),
];

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Finance,
        Category::Assets,
        Category::Projects,
        Category::Subsidies,
        Category::Decisions,
        Category::Personnel,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        CATEGORY_NAMES[self as usize].0
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        CATEGORY_NAMES[self as usize].1
    }
}

/// Full-width ASCII (０-９, ．, ，, －, Ｑ …) and the ideographic space to plain ASCII.
fn halfwidth(s: &str) -> String {
    let half = |c: char| char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => half(c),
            _ => c,
        })
        .collect()
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Why an amount was refused; each holds the text as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountProblem {
    NotANumber(String),
    Negative(String),
    TooManyDecimals(String),
    TooLarge(String),
}

impl AmountProblem {
    pub fn key(&self) -> &'static str {
        match self {
            AmountProblem::NotANumber(_) => "disclosure.err.amount_bad",
            AmountProblem::Negative(_) => "disclosure.err.amount_negative",
            AmountProblem::TooManyDecimals(_) => "disclosure.err.amount_decimals",
            AmountProblem::TooLarge(_) => "disclosure.err.amount_too_large",
        }
    }

    pub fn args(&self, _zh: bool) -> Args {
        let (AmountProblem::NotANumber(v)
        | AmountProblem::Negative(v)
        | AmountProblem::TooManyDecimals(v)
        | AmountProblem::TooLarge(v)) = self;
        vec![("value", v.clone())]
    }
}

/// Yuan as people write them, to fen: "1234", "1,234.56", "１２３４．５６", "¥12", "12元";
/// an empty cell is 0. Decimals past the second are accepted only when zeros ("1.500").
pub fn parse_amount(input: &str) -> Result<i64, AmountProblem> {
    let value = input.trim().to_string();
    if value.is_empty() {
        return Ok(0);
    }
    let norm = halfwidth(input);
    let (mut s, mut negative) = (norm.trim(), false);
    for currency in [true, false] {
        if let Some(rest) = s.strip_prefix('-') {
            (s, negative) = (rest.trim_start(), true);
        }
        if let Some(rest) = s.strip_prefix(['¥', '￥']).filter(|_| currency) {
            s = rest.trim_start();
        }
    }
    let fen = to_fen(s.strip_suffix('元').unwrap_or(s).trim_end()).map_err(|p| p(value.clone()))?;
    match negative && fen != 0 {
        true => Err(AmountProblem::Negative(value)),
        false => Ok(fen),
    }
}

fn to_fen(s: &str) -> Result<i64, fn(String) -> AmountProblem> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let first = groups[0].len();
    let grouped = first > 0 && (groups.len() == 1 || first <= 3);
    let int = int.replace(',', "");
    if !grouped
        || groups[1..].iter().any(|g| g.len() != 3)
        || !all_digits(&int)
        || !all_digits(frac)
    {
        return Err(AmountProblem::NotANumber);
    }
    if frac.bytes().skip(2).any(|b| b != b'0') {
        return Err(AmountProblem::TooManyDecimals);
    }
    let digits = format!("{int}{:0<2}", frac.get(..2).unwrap_or(frac));
    let fen = digits.bytes().try_fold(0i64, |acc, b| {
        acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    });
    fen.filter(|f| *f <= MAX_AMOUNT_FEN)
        .ok_or(AmountProblem::TooLarge)
}

/// Fen as yuan with thousands separators: "1,234.56"; negatives (balances) as "-0.05".
pub fn format_amount(fen: i64) -> String {
    let yuan = (fen.unsigned_abs() / 100).to_string();
    let mut out = String::from(if fen < 0 { "-" } else { "" });
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{:02}", fen.unsigned_abs() % 100)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    Empty,
    Bad(String),
    /// Read, but more than [`DATE_YEARS`] years from today.
    Far(String),
}

impl DateProblem {
    pub fn key(&self) -> &'static str {
        match self {
            DateProblem::Empty => "disclosure.err.date_empty",
            DateProblem::Bad(_) => "disclosure.err.date_bad",
            DateProblem::Far(_) => "disclosure.err.date_far",
        }
    }

    pub fn args(&self, _zh: bool) -> Args {
        match self {
            DateProblem::Empty => vec![],
            DateProblem::Bad(v) | DateProblem::Far(v) => {
                vec![("value", v.clone()), ("years", DATE_YEARS.to_string())]
            }
        }
    }
}

/// [`parse_date`], and the day within [`DATE_YEARS`] years of `today`.
pub fn parse_near_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateProblem> {
    let day = parse_date(input)?;
    if near_today(day, today) {
        Ok(day)
    } else {
        Err(DateProblem::Far(input.trim().to_string()))
    }
}

/// "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305" (full-width digits too).
pub fn parse_date(input: &str) -> Result<NaiveDate, DateProblem> {
    let norm = halfwidth(input);
    let s = norm.trim();
    if s.is_empty() {
        return Err(DateProblem::Empty);
    }
    let bad = || DateProblem::Bad(input.trim().to_string());
    let parts: Vec<&str> = if s.len() == 8 && all_digits(s) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else if s.contains('年') {
        s.trim_end_matches('日')
            .split(['年', '月'])
            .map(str::trim)
            .collect()
    } else {
        let sep = s
            .chars()
            .find(|c| matches!(c, '-' | '/' | '.'))
            .ok_or_else(bad)?;
        s.split(sep).map(str::trim).collect()
    };
    let widths_ok = matches!(parts[..], [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2);
    if !widths_ok || parts.iter().any(|p| p.is_empty() || !all_digits(p)) {
        return Err(bad());
    }
    let n = |i: usize| parts[i].parse::<u32>().unwrap_or(0);
    NaiveDate::from_ymd_opt(n(0) as i32, n(1), n(2)).ok_or_else(bad)
}

/// The first of a month; `NaiveDate::MAX` beyond chrono's range (so nothing panics).
fn ymd(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month.clamp(1, 12), 1).unwrap_or(NaiveDate::MAX)
}

const MONTHS_EN: &str =
    "January February March April May June July August September October November December";

/// A disclosure period. Make it with `parse` or `containing`; a hand-built month or
/// quarter out of range is clamped (month 13 acts as 12), so nothing here panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

fn month(year: i32, month: u32) -> Period {
    Period::Month { year, month }
}

fn quarter(year: i32, quarter: u32) -> Period {
    Period::Quarter { year, quarter }
}

impl Period {
    /// "2026-03", "2026-3", "2026-Q1", "2026Q1", "2026" ("/" or "." for "-", "q", full-width).
    pub fn parse(input: &str) -> Option<Period> {
        let norm = halfwidth(input).to_ascii_uppercase();
        let s = norm.trim();
        let year: i32 = s.get(..4).filter(|y| all_digits(y))?.parse().ok()?;
        let rest = &s[4..];
        let (dashed, rest) = match rest.strip_prefix(['-', '/', '.']) {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let small = |t: &str, len| {
            (!t.is_empty() && t.len() <= len && all_digits(t)).then(|| t.parse().ok())
        };
        match rest.strip_prefix('Q') {
            _ if rest.is_empty() && !dashed => Some(Period::Year { year }),
            Some(q) => small(q, 1)
                .flatten()
                .filter(|q| (1..=4).contains(q))
                .map(|q| quarter(year, q)),
            None if dashed => small(rest, 2)
                .flatten()
                .filter(|m| (1..=12).contains(m))
                .map(|m| month(year, m)),
            None => None,
        }
    }

    /// The period of a cadence that contains `date`; `None` for event-driven cadences.
    pub fn containing(cadence: Cadence, date: NaiveDate) -> Option<Period> {
        let (year, m) = (date.year(), date.month());
        match cadence {
            Cadence::Monthly => Some(month(year, m)),
            Cadence::Quarterly => Some(quarter(year, (m - 1) / 3 + 1)),
            Cadence::Yearly => Some(Period::Year { year }),
            Cadence::WithinDays(_) => None,
        }
    }

    /// Canonical form: "2026-03", "2026-Q1", "2026".
    pub fn as_str(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
            Period::Year { year } => format!("{year:04}"),
        }
    }

    pub fn start(&self) -> NaiveDate {
        match *self {
            Period::Month { year, month } => ymd(year, month),
            Period::Quarter { year, quarter } => ymd(year, quarter.clamp(1, 4) * 3 - 2),
            Period::Year { year } => ymd(year, 1),
        }
    }

    /// The last day, inclusive.
    pub fn end(&self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The following period of the same kind.
    pub fn next(&self) -> Period {
        match *self {
            Period::Month { year, month: 12.. } => month(year.saturating_add(1), 1),
            Period::Month { year, month: m } => month(year, m.max(1) + 1),
            Period::Quarter { year, quarter: 4.. } => quarter(year.saturating_add(1), 1),
            Period::Quarter { year, quarter: q } => quarter(year, q.max(1) + 1),
            Period::Year { year } => Period::Year {
                year: year.saturating_add(1),
            },
        }
    }

    /// "2026年3月", "2026年第1季度", "2026年" / "March 2026", "Q1 2026", "2026".
    pub fn label(&self, zh: bool) -> String {
        match (*self, zh) {
            (Period::Month { year, month }, true) => format!("{year}年{month}月"),
            (Period::Month { year, month }, false) => {
                let name = MONTHS_EN.split(' ').nth(month.clamp(1, 12) as usize - 1);
                format!("{} {year}", name.unwrap_or_default())
            }
            (Period::Quarter { year, quarter }, true) => format!("{year}年第{quarter}季度"),
            (Period::Quarter { year, quarter }, false) => format!("Q{quarter} {year}"),
            (Period::Year { year }, true) => format!("{year}年"),
            (Period::Year { year }, false) => format!("{year}"),
        }
    }

    /// Ordering key: start, end (so length), then the raw fields to agree with `Eq`.
    fn sort_key(&self) -> (NaiveDate, NaiveDate, i32, u32, u32) {
        let (year, kind, n) = match *self {
            Period::Month { year, month } => (year, 0, month),
            Period::Quarter { year, quarter } => (year, 1, quarter),
            Period::Year { year } => (year, 2, 0),
        };
        (self.start(), self.end(), year, kind, n)
    }
}

/// By start date, then length (a month before the quarter and the year it starts).
impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A ledger column, in export order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Date,
    Description,
    Income,
    Expense,
    Counterparty,
    Voucher,
}

const COLUMN_NAMES: [(&str, &str, &str); 6] = [
    ("date", "日期", "disclosure.column.date"),
    ("description", "摘要", "disclosure.column.description"),
    ("income", "收入", "disclosure.column.income"),
    ("expense", "支出", "disclosure.column.expense"),
    ("counterparty", "对方单位", "disclosure.column.counterparty"),
    ("voucher", "凭证号", "disclosure.column.voucher"),
];

impl Column {
    pub const ALL: [Column; 6] = [
        Column::Date,
        Column::Description,
        Column::Income,
        Column::Expense,
        Column::Counterparty,
        Column::Voucher,
    ];

    pub fn as_str(self) -> &'static str {
        COLUMN_NAMES[self as usize].0
    }

    /// The Chinese header, as exported.
    pub fn zh(self) -> &'static str {
        COLUMN_NAMES[self as usize].1
    }

    pub fn label_key(self) -> &'static str {
        COLUMN_NAMES[self as usize].2
    }

    pub fn name(self, zh: bool) -> &'static str {
        if zh {
            self.zh()
        } else {
            self.as_str()
        }
    }

    /// A header in Chinese or English; spaces, case and a "(元)"/"（元）" suffix ignored.
    pub fn from_header(header: &str) -> Option<Column> {
        let norm = halfwidth(header).to_lowercase();
        let h = norm.trim();
        match h.strip_suffix("(元)").unwrap_or(h).trim() {
            "日期" | "date" => Some(Column::Date),
            "摘要" | "说明" | "description" => Some(Column::Description),
            "收入" | "income" => Some(Column::Income),
            "支出" | "expense" => Some(Column::Expense),
            "对方单位" | "对方" | "counterparty" => Some(Column::Counterparty),
            "凭证号" | "凭证" | "voucher" => Some(Column::Voucher),
            _ => None,
        }
    }
}

/// One line of a finance ledger; amounts in fen, exactly one of them non-zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerLine {
    pub date: NaiveDate,
    pub description: String,
    pub income: i64,
    pub expense: i64,
    pub counterparty: String,
    pub voucher: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineProblem {
    DateOutsidePeriod(NaiveDate, Period),
    DescriptionEmpty,
    DescriptionTooLong,
    /// Neither income nor expense.
    AmountMissing,
    /// Both income and expense.
    AmountBoth,
    AmountNegative(Column, i64),
    AmountTooLarge(Column, i64),
    VoucherEmpty,
    VoucherTooLong,
    CounterpartyTooLong,
}

impl LineProblem {
    pub fn key(&self) -> &'static str {
        match self {
            LineProblem::DateOutsidePeriod(..) => "disclosure.err.date_outside_period",
            LineProblem::DescriptionEmpty => "disclosure.err.description_empty",
            LineProblem::DescriptionTooLong => "disclosure.err.description_too_long",
            LineProblem::AmountMissing => "disclosure.err.amount_missing",
            LineProblem::AmountBoth => "disclosure.err.amount_both",
            LineProblem::AmountNegative(..) => "disclosure.err.amount_negative",
            LineProblem::AmountTooLarge(..) => "disclosure.err.amount_too_large",
            LineProblem::VoucherEmpty => "disclosure.err.voucher_empty",
            LineProblem::VoucherTooLong => "disclosure.err.voucher_too_long",
            LineProblem::CounterpartyTooLong => "disclosure.err.counterparty_too_long",
        }
    }

    pub fn args(&self, zh: bool) -> Args {
        match self {
            LineProblem::DateOutsidePeriod(d, p) => {
                vec![("date", d.to_string()), ("period", p.label(zh))]
            }
            LineProblem::DescriptionTooLong => vec![("max", MAX_DESCRIPTION_CHARS.to_string())],
            LineProblem::VoucherTooLong => vec![("max", MAX_VOUCHER_CHARS.to_string())],
            LineProblem::CounterpartyTooLong => vec![("max", MAX_COUNTERPARTY_CHARS.to_string())],
            LineProblem::AmountNegative(_, f) | LineProblem::AmountTooLarge(_, f) => {
                vec![("value", format_amount(*f))]
            }
            _ => vec![],
        }
    }

    /// The field at fault (the both-or-neither amount problems point at income).
    pub fn column(&self) -> Column {
        match self {
            LineProblem::DateOutsidePeriod(..) => Column::Date,
            LineProblem::DescriptionEmpty | LineProblem::DescriptionTooLong => Column::Description,
            LineProblem::AmountMissing | LineProblem::AmountBoth => Column::Income,
            LineProblem::AmountNegative(c, _) | LineProblem::AmountTooLarge(c, _) => *c,
            LineProblem::VoucherEmpty | LineProblem::VoucherTooLong => Column::Voucher,
            LineProblem::CounterpartyTooLong => Column::Counterparty,
        }
    }
}

/// Every problem with one ledger line, in column order; lengths count characters.
pub fn check_line(line: &LedgerLine, period: Period) -> Result<(), Vec<LineProblem>> {
    use LineProblem as P;
    let mut out = Vec::new();
    let len = |s: &str| s.chars().count();
    if !period.contains(line.date) {
        out.push(P::DateOutsidePeriod(line.date, period));
    }
    if line.description.trim().is_empty() {
        out.push(P::DescriptionEmpty);
    } else if len(&line.description) > MAX_DESCRIPTION_CHARS {
        out.push(P::DescriptionTooLong);
    }
    let before = out.len();
    for (c, fen) in [
        (Column::Income, line.income),
        (Column::Expense, line.expense),
    ] {
        if fen < 0 {
            out.push(P::AmountNegative(c, fen));
        } else if fen > MAX_AMOUNT_FEN {
            out.push(P::AmountTooLarge(c, fen));
        }
    }
    if out.len() == before && (line.income == 0) == (line.expense == 0) {
        out.push(if line.income == 0 {
            P::AmountMissing
        } else {
            P::AmountBoth
        });
    }
    if line.voucher.trim().is_empty() {
        out.push(P::VoucherEmpty);
    } else if len(&line.voucher) > MAX_VOUCHER_CHARS {
        out.push(P::VoucherTooLong);
    }
    if len(&line.counterparty) > MAX_COUNTERPARTY_CHARS {
        out.push(P::CounterpartyTooLong);
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvProblemKind {
    /// Not UTF-8 (BOM or not), UTF-16 with a BOM, nor GB18030.
    Unreadable,
    /// Not even a header row.
    Empty,
    /// A header but no data rows.
    NoRows,
    MissingColumn(Column),
    DuplicateColumn(Column),
    UnknownColumn,
    /// Something written in a column whose header is empty.
    UnnamedColumn,
    Ragged {
        expected: usize,
        found: usize,
    },
    /// A row the CSV reader could not read at all.
    BadRow,
    Amount(AmountProblem),
    Date(DateProblem),
    Line(LineProblem),
    /// This many more problems were not kept.
    More(usize),
}

/// One problem in an uploaded ledger file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvProblem {
    /// 1-based line in the file (the header is line 1); 0 for the whole file.
    pub line: usize,
    /// The column's header as written in the file; empty if not about one column.
    pub column: String,
    /// The offending text: a cell, or an unknown header.
    pub value: String,
    pub kind: CsvProblemKind,
}

impl CsvProblem {
    fn new(line: usize, column: &str, value: &str, kind: CsvProblemKind) -> CsvProblem {
        CsvProblem {
            line,
            column: column.to_string(),
            value: value.to_string(),
            kind,
        }
    }

    pub fn key(&self) -> &'static str {
        match &self.kind {
            CsvProblemKind::Unreadable => "disclosure.csv.unreadable",
            CsvProblemKind::Empty => "disclosure.csv.empty",
            CsvProblemKind::NoRows => "disclosure.csv.no_rows",
            CsvProblemKind::MissingColumn(_) => "disclosure.csv.missing_column",
            CsvProblemKind::DuplicateColumn(_) => "disclosure.csv.duplicate_column",
            CsvProblemKind::UnknownColumn => "disclosure.csv.unknown_column",
            CsvProblemKind::UnnamedColumn => "disclosure.csv.unnamed_column",
            CsvProblemKind::Ragged { .. } => "disclosure.csv.ragged",
            CsvProblemKind::BadRow => "disclosure.csv.bad_row",
            CsvProblemKind::Amount(p) => p.key(),
            CsvProblemKind::Date(p) => p.key(),
            CsvProblemKind::Line(p) => p.key(),
            CsvProblemKind::More(_) => "disclosure.csv.more",
        }
    }

    /// For a cell problem, the key of the "line N, column X:" prefix to show before the
    /// message (cell messages are shared with the entry form and name no line).
    pub fn where_key(&self) -> Option<&'static str> {
        use CsvProblemKind as K;
        let cell = matches!(self.kind, K::Amount(_) | K::Date(_) | K::Line(_));
        cell.then_some("disclosure.csv.where")
    }

    /// Values for `key()` and `where_key()`: line, column, value, and the problem's own
    /// (which win on a clash; a missing column is named in the reader's language).
    pub fn args(&self, zh: bool) -> Args {
        let mut args = match &self.kind {
            CsvProblemKind::Amount(p) => p.args(zh),
            CsvProblemKind::Date(p) => p.args(zh),
            CsvProblemKind::Line(p) => p.args(zh),
            CsvProblemKind::MissingColumn(c) | CsvProblemKind::DuplicateColumn(c) => {
                vec![("column", c.name(zh).to_string())]
            }
            CsvProblemKind::Ragged { expected, found } => {
                vec![
                    ("expected", expected.to_string()),
                    ("found", found.to_string()),
                ]
            }
            CsvProblemKind::More(n) => vec![("count", n.to_string())],
            _ => vec![],
        };
        let own = [
            ("line", self.line.to_string()),
            ("column", self.column.clone()),
        ];
        for (k, v) in own.into_iter().chain([("value", self.value.clone())]) {
            if !args.iter().any(|(n, _)| *n == k) {
                args.push((k, v));
            }
        }
        args
    }
}

fn decode(bytes: &[u8]) -> Option<String> {
    let (encoding, bom) = match encoding_rs::Encoding::for_bom(bytes) {
        Some(found) => found,
        None if std::str::from_utf8(bytes).is_ok() => (encoding_rs::UTF_8, 0),
        None => (encoding_rs::GB18030, 0),
    };
    let text = encoding.decode_without_bom_handling_and_without_replacement(bytes.get(bom..)?)?;
    Some(text.trim_start_matches('\u{feff}').to_string()) // a GB18030 file may carry one too
}

/// The 1-based line a record starts on. The csv crate gives where reading began, which is
/// before any empty lines it skipped, so those are stepped over here.
fn line_of(text: &str, pos: Option<&csv::Position>) -> usize {
    let Some(p) = pos else { return 0 };
    let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    let skipped = text.as_bytes().get(start..).unwrap_or_default();
    let skipped = skipped.iter().take_while(|b| matches!(b, b'\n' | b'\r'));
    let newlines = skipped.filter(|b| **b == b'\n').count();
    usize::try_from(p.line())
        .unwrap_or(usize::MAX)
        .saturating_add(newlines)
}

/// Reads a ledger saved from a spreadsheet: UTF-8 (BOM or not), UTF-16 with a BOM, else
/// GBK/GB18030; comma-separated, or tab-separated when the header has tabs and no commas.
/// Reports every problem (the first `MAX_CSV_PROBLEMS`, then a `More` count).
pub fn parse_ledger_csv(bytes: &[u8], period: Period) -> Result<Vec<LedgerLine>, Vec<CsvProblem>> {
    let file_problem = |kind| vec![CsvProblem::new(0, "", "", kind)];
    let text = decode(bytes).ok_or_else(|| file_problem(CsvProblemKind::Unreadable))?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let tabs = !first.contains(',') && first.contains('\t');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if tabs { b'\t' } else { b',' })
        .from_reader(text.as_bytes());
    let mut records = reader.records().filter(|r| {
        r.as_ref()
            .map_or(true, |r| r.iter().any(|f| !f.trim().is_empty()))
    });
    let header = match records.next() {
        None => return Err(file_problem(CsvProblemKind::Empty)),
        Some(Err(e)) => return Err(vec![bad_row(&text, &e)]),
        Some(Ok(r)) => r,
    };
    let (layout, names) = read_header(&header, line_of(&text, header.position()))?;
    let (mut lines, mut problems, mut rows) = (Vec::new(), Vec::new(), 0);
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(bad_row(&text, &e));
                break;
            }
        };
        rows += 1;
        let line = line_of(&text, record.position());
        if record.len() != layout.len() {
            let (expected, found) = (layout.len(), record.len());
            let kind = CsvProblemKind::Ragged { expected, found };
            problems.push(CsvProblem::new(line, "", "", kind));
            continue;
        }
        match read_row(&layout, &names, &record, line, period) {
            Ok(l) => lines.push(l),
            Err(found) => problems.extend(found),
        }
    }
    if rows == 0 && problems.is_empty() {
        return Err(file_problem(CsvProblemKind::NoRows));
    }
    if problems.len() > MAX_CSV_PROBLEMS {
        let more = CsvProblemKind::More(problems.len() - MAX_CSV_PROBLEMS);
        problems.truncate(MAX_CSV_PROBLEMS);
        problems.push(CsvProblem::new(0, "", "", more));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

fn bad_row(text: &str, e: &csv::Error) -> CsvProblem {
    CsvProblem::new(line_of(text, e.position()), "", "", CsvProblemKind::BadRow)
}

type Layout = (Vec<Option<Column>>, [String; 6]);

/// Which column each field is, and each column's header as written.
fn read_header(header: &csv::StringRecord, line: usize) -> Result<Layout, Vec<CsvProblem>> {
    let (mut layout, mut names, mut problems) = (Vec::new(), <[String; 6]>::default(), Vec::new());
    for h in header.iter().map(str::trim) {
        let column = Column::from_header(h);
        match column {
            Some(c) if names[c as usize].is_empty() => names[c as usize] = h.to_string(),
            Some(c) => problems.push(CsvProblem::new(
                line,
                "",
                h,
                CsvProblemKind::DuplicateColumn(c),
            )),
            None if h.is_empty() => {}
            None => problems.push(CsvProblem::new(line, "", h, CsvProblemKind::UnknownColumn)),
        }
        layout.push(column);
    }
    for c in Column::ALL {
        if c != Column::Counterparty && names[c as usize].is_empty() {
            problems.push(CsvProblem::new(
                line,
                "",
                "",
                CsvProblemKind::MissingColumn(c),
            ));
        }
    }
    if problems.is_empty() {
        Ok((layout, names))
    } else {
        Err(problems)
    }
}

fn read_row(
    layout: &[Option<Column>],
    names: &[String; 6],
    record: &csv::StringRecord,
    line: usize,
    period: Period,
) -> Result<LedgerLine, Vec<CsvProblem>> {
    let (mut cells, mut problems) = ([""; 6], Vec::new());
    for (column, value) in layout.iter().zip(record.iter().map(str::trim)) {
        match column {
            Some(c) => cells[*c as usize] = value,
            None if value.is_empty() => {}
            None => problems.push(CsvProblem::new(
                line,
                "",
                value,
                CsvProblemKind::UnnamedColumn,
            )),
        }
    }
    let at = |c: Column, kind| CsvProblem::new(line, &names[c as usize], cells[c as usize], kind);
    let date = parse_date(cells[Column::Date as usize]);
    let income = parse_amount(cells[Column::Income as usize]);
    let expense = parse_amount(cells[Column::Expense as usize]);
    let text = |c: Column| unguard(cells[c as usize]).to_string();
    let built = LedgerLine {
        date: date.clone().unwrap_or_else(|_| period.start()),
        description: text(Column::Description),
        income: income.clone().unwrap_or(1),
        expense: expense.clone().unwrap_or(0),
        counterparty: text(Column::Counterparty),
        voucher: text(Column::Voucher),
    };
    if let Err(p) = date.clone() {
        problems.push(at(Column::Date, CsvProblemKind::Date(p)));
    }
    for (c, amount) in [(Column::Income, &income), (Column::Expense, &expense)] {
        if let Err(p) = amount {
            problems.push(at(c, CsvProblemKind::Amount(p.clone())));
        }
    }
    for p in check_line(&built, period).err().unwrap_or_default() {
        let amount = matches!(p.column(), Column::Income | Column::Expense);
        if !(p.column() == Column::Date && date.is_err()
            || amount && (income.is_err() || expense.is_err()))
        {
            problems.push(at(p.column(), CsvProblemKind::Line(p)));
        }
    }
    if problems.is_empty() {
        Ok(built)
    } else {
        Err(problems)
    }
}

/// The ledger as CSV with Chinese headers, which `parse_ledger_csv` reads back. Starts with
/// a UTF-8 BOM so Excel opens it right; CRLF line ends; zero amounts left blank; text a
/// spreadsheet would run as a formula gets a leading "'" (removed again on import). Import
/// trims cells, so spaces around a text do not survive the round trip.
pub fn ledger_csv(lines: &[LedgerLine]) -> String {
    let amount = |fen: i64| match fen {
        0 => String::new(),
        _ => format_amount(fen).replace(',', ""),
    };
    let mut out = crate::web::csv::Csv::for_spreadsheets(&Column::ALL.map(Column::zh));
    for l in lines {
        out.row(&[
            l.date.to_string(),
            l.description.clone(),
            amount(l.income),
            amount(l.expense),
            l.counterparty.clone(),
            l.voucher.clone(),
        ]);
    }
    out.into_string()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub income: i64,
    pub expense: i64,
    pub opening: i64,
    pub closing: i64,
}

/// Sums in fen, computed exactly in i128; a result beyond i64 saturates at `i64::MIN`/`MAX`
/// (out of reach for checked lines: it would take ~900,000 lines of 1000 亿元).
pub fn totals(opening: i64, lines: &[LedgerLine]) -> Totals {
    let clamp = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
    let income: i128 = lines.iter().map(|l| i128::from(l.income)).sum();
    let expense: i128 = lines.iter().map(|l| i128::from(l.expense)).sum();
    let closing = clamp(i128::from(opening) + income - expense);
    let (income, expense) = (clamp(income), clamp(expense));
    Totals {
        income,
        expense,
        opening,
        closing,
    }
}

/// How often a category must be disclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence {
    Monthly,
    Quarterly,
    Yearly,
    /// Event-driven: within N days (1..=365) of the decision.
    WithinDays(u32),
}

impl Cadence {
    /// "monthly", "quarterly", "yearly", "within:5".
    pub fn as_str(self) -> String {
        match self {
            Cadence::Monthly => "monthly".into(),
            Cadence::Quarterly => "quarterly".into(),
            Cadence::Yearly => "yearly".into(),
            Cadence::WithinDays(n) => format!("within:{n}"),
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        match s.trim() {
            "monthly" => Some(Cadence::Monthly),
            "quarterly" => Some(Cadence::Quarterly),
            "yearly" => Some(Cadence::Yearly),
            other => {
                let n = other
                    .strip_prefix("within:")
                    .filter(|n| n.len() <= 3 && all_digits(n))?;
                n.parse()
                    .ok()
                    .filter(|n| (1..=365).contains(n))
                    .map(Cadence::WithinDays)
            }
        }
    }
}

/// Organic Law of Villagers' Committees art. 30: finance monthly, matters of major interest
/// at once (here within 5 days of the decision), everything else at least quarterly.
pub fn default_cadence(category: Category) -> Cadence {
    match category {
        Category::Finance => Cadence::Monthly,
        Category::Decisions => Cadence::WithinDays(5),
        _ => Cadence::Quarterly,
    }
}

/// The last on-time day: the day after the period ends, plus `grace_days`.
pub fn period_due(period: Period, grace_days: u32) -> NaiveDate {
    let days = Days::new(1 + u64::from(grace_days));
    period
        .end()
        .checked_add_days(days)
        .unwrap_or(NaiveDate::MAX)
}

/// The last on-time day for an event-driven disclosure decided on `decided_on`.
pub fn event_due(decided_on: NaiveDate, days: u32) -> NaiveDate {
    let days = Days::new(u64::from(days));
    decided_on.checked_add_days(days).unwrap_or(NaiveDate::MAX)
}

/// The complete periods from the one containing `since` to the last that ended before `today`.
pub fn expected_periods(cadence: Cadence, since: NaiveDate, today: NaiveDate) -> Vec<Period> {
    let first = Period::containing(cadence, since);
    let all = std::iter::successors(first, |p| Some(p.next()));
    // `start < end` holds for every real period; it stops at the end of chrono's range.
    all.take_while(|p| p.end() < today && p.start() < p.end())
        .collect()
}

/// Expected periods past their due date (due < today) and not in `published`, with their
/// due dates. Matching is exact: a year's disclosure does not stand for its months.
pub fn overdue(
    cadence: Cadence,
    since: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
    published: &[Period],
) -> Vec<(Period, NaiveDate)> {
    let expected = expected_periods(cadence, since, today).into_iter();
    let due = expected.map(|p| (p, period_due(p, grace_days)));
    due.filter(|(p, d)| *d < today && !published.contains(p))
        .collect()
}

/// The next deadline: the earliest period (from the one containing `since`) not in
/// `published` whose due date is today or later. Overdue ones are `overdue`'s business.
pub fn next_due(
    cadence: Cadence,
    since: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
    published: &[Period],
) -> Option<(Period, NaiveDate)> {
    let first = Period::containing(cadence, since);
    let mut all =
        std::iter::successors(first, |p| Some(p.next())).take_while(|p| p.start() < p.end());
    let p = all.find(|p| period_due(*p, grace_days) >= today && !published.contains(p))?;
    Some((p, period_due(p, grace_days)))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// Line-by-line differences; CRLF and a missing last newline do not count as changes.
pub fn diff_text(old: &str, new: &str) -> Vec<DiffLine> {
    let lines = |s: &str| {
        let s = s.replace("\r\n", "\n");
        if s.is_empty() || s.ends_with('\n') {
            s
        } else {
            s + "\n"
        }
    };
    let (old, new) = (lines(old), lines(new));
    let diff = TextDiff::from_lines(&old, &new);
    let line = |c: similar::Change<&str>| DiffLine {
        kind: match c.tag() {
            ChangeTag::Equal => DiffKind::Same,
            ChangeTag::Insert => DiffKind::Added,
            ChangeTag::Delete => DiffKind::Removed,
        },
        text: c.value().trim_end_matches('\n').to_string(),
    };
    diff.iter_all_changes().map(line).collect()
}

/// One canonical line, always in Chinese: "2026-03-05 | 修路材料 | 收入 0.00 |
/// 支出 1,200.00 | 某某建材 | 凭证 J-003"; an empty counterparty shows as "—".
pub fn ledger_line_text(line: &LedgerLine) -> String {
    let flat = |s: &str| s.replace(['\r', '\n'], " ");
    let who = if line.counterparty.trim().is_empty() {
        "—".into()
    } else {
        flat(&line.counterparty)
    };
    let (income, expense) = (format_amount(line.income), format_amount(line.expense));
    let (what, voucher) = (flat(&line.description), flat(&line.voucher));
    format!(
        "{} | {what} | 收入 {income} | 支出 {expense} | {who} | 凭证 {voucher}",
        line.date
    )
}

/// A whole ledger for `diff_text`, one `ledger_line_text` per line.
pub fn ledger_text(lines: &[LedgerLine]) -> String {
    lines
        .iter()
        .map(ledger_line_text)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        let each =
            |p: &CsvProblem| format!("{}:{}:{}={}", p.line, p.column, short(p.key()), p.value);
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

    const AMOUNTS: &str = "
        1234 | 123400
        1234.5 | 123450
        1,234.56 | 123456
        １２３４．５６ | 123456
        １，２３４．５ | 123450
        ¥1,234.56 | 123456
        ￥ 12 | 1200
          7.05   | 705
         | 0
        　 | 0
        -0.00 | 0
        1.500 | 150
        12元 | 1200
        12. | 1200
        1,000,000,000.00 | 100000000000
        -5 | amount_negative
        -¥5 | amount_negative
        ￥-5 | amount_negative
        －５ | amount_negative
        1.234 | amount_decimals
        1000000000.01 | amount_too_large
        99999999999999999999999 | amount_too_large
        abc | amount_bad
        12a | amount_bad
        1e5 | amount_bad
        1.2.3 | amount_bad
        .5 | amount_bad
        1,23 | amount_bad
        12,3456 | amount_bad
        ,123 | amount_bad
        ¥ | amount_bad
        1 000 | amount_bad
        (5) | amount_bad";

    #[test]
    fn amounts_parsed_or_refused() {
        for (input, want) in table(AMOUNTS) {
            let got =
                parse_amount(input).map_or_else(|p| short(p.key()).to_string(), |f| f.to_string());
            assert_eq!(got, want, "{input:?}");
        }
        let args = parse_amount(" 12x ").unwrap_err().args(true);
        assert_eq!(args, vec![("value", "12x".to_string())]);
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

    #[test]
    fn amounts_formatted() {
        let f = format_amount;
        assert_eq!([f(0), f(5), f(123_456)], ["0.00", "0.05", "1,234.56"]);
        assert_eq!(
            [f(100_000_000), f(-123_456), f(-5)],
            ["1,000,000.00", "-1,234.56", "-0.05"]
        );
        assert_eq!(f(i64::MIN), "-92,233,720,368,547,758.08");
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
        let lines = csv("\n凭证 , 说明,支出（元）,Income,DATE\nJ-1,买水泥,300,,20260310\n\n,,,,\n")
            .unwrap();
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

    const MESSY_PROBLEMS: &str =
        "2:收入:amount_decimals=1.234 2:日期:date_outside_period=2026-04-01 \
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
            "monthly quarterly quarterly quarterly within:5 quarterly quarterly"
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
        fn amount_round_trips(fen in 0..=MAX_AMOUNT_FEN) {
            let text = format_amount(fen);
            let full: String = text.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
            prop_assert_eq!(parse_amount(&text), Ok(fen));
            prop_assert_eq!(parse_amount(&format!("￥{full}")), Ok(fen));
        }

        #[test]
        fn amount_parse_never_panics(s in "\\PC{0,30}") {
            if let Ok(fen) = parse_amount(&s) {
                prop_assert!((0..=MAX_AMOUNT_FEN).contains(&fen));
            }
        }

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
}
