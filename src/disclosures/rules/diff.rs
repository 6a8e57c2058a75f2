//! Differences between a disclosure's versions, and the ledger as text for them.

use similar::{ChangeTag, TextDiff};

use super::*;

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
