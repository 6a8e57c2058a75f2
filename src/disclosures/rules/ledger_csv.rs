//! A ledger as CSV: reading what a spreadsheet saved (every problem reported with its line
//! and column) and writing what Excel opens.

use super::*;
use crate::csv_text::{decode, line_of};
use crate::web::csv::unguard;

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

/// Reads a ledger saved from a spreadsheet: UTF-8 (BOM or not), UTF-16 with a BOM, else
/// GBK/GB18030; comma-separated, or tab-separated when the header has tabs and no commas.
/// Reports every problem (the first `MAX_CSV_PROBLEMS`, then a `More` count).
pub fn parse_ledger_csv(bytes: &[u8], period: Period) -> Result<Vec<LedgerLine>, Vec<CsvProblem>> {
    let file_problem = |kind| vec![CsvProblem::new(0, "", "", kind)];
    let text = decode(bytes).ok_or_else(|| file_problem(CsvProblemKind::Unreadable))?;
    let mut reader = crate::csv_text::reader(&text);
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
