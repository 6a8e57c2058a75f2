//! Pure rules of village affairs disclosure (村务公开), by topic: categories and typed dates
//! here; periods, ledger lines and totals, the ledger's CSV import and export, publishing
//! cadence and due dates, and diffs for corrections in their own files. Money (parsing and
//! formatting fen) lives in `crate::money`.

use chrono::NaiveDate;

mod cadence;
mod diff;
mod ledger;
mod ledger_csv;
mod periods;
#[cfg(test)]
mod tests;

pub use crate::clock::{near_today, parse_date, parse_near_date, DateProblem, DATE_YEARS};
use crate::money::{format_amount, parse_amount, AmountProblem, MAX_AMOUNT_FEN};
pub use cadence::*;
pub use diff::*;
pub use ledger::*;
pub use ledger_csv::*;
pub use periods::*;

/// Values for a message's `{name}` placeholders (borrow them for `Tr::f`).
pub type Args = Vec<(&'static str, String)>;

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
    WorkOrders,
}

const CATEGORY_NAMES: [(&str, &str); 8] = [
    ("finance", "disclosure.category.finance"),
    ("assets", "disclosure.category.assets"),
    ("projects", "disclosure.category.projects"),
    ("subsidies", "disclosure.category.subsidies"),
    ("decisions", "disclosure.category.decisions"),
    ("personnel", "disclosure.category.personnel"),
    ("other", "disclosure.category.other"),
    ("work_orders", "disclosure.category.work_orders"),
];

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Finance,
        Category::Assets,
        Category::Projects,
        Category::Subsidies,
        Category::Decisions,
        Category::Personnel,
        Category::Other,
        Category::WorkOrders,
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
