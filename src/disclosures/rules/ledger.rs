//! Ledger lines of a finance disclosure: the columns, the checks on each line, and totals.

use super::*;
use crate::text::halfwidth;

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
