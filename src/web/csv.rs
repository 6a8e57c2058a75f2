//! CSV out: the one writer every CSV export uses, so that every cell is guarded the same
//! way against spreadsheet formulas ("CSV injection") and quoted the same way.

use std::borrow::Cow;

use actix_web::HttpResponse;

/// What a spreadsheet reads as the start of a formula (a tab or carriage return can hide one).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain decimal such as `-12.50` or `-3`: written as it is, so it stays a number.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// Whether a cell's text would need the guard: a formula start, or a `'` before one (so that
/// `unguard` gives back exactly what was guarded).
fn risky(s: &str) -> bool {
    s.starts_with(FORMULA_START) || s.strip_prefix('\'').is_some_and(risky)
}

/// Keeps a spreadsheet from running text as a formula: `=x` is written `'=x`; numbers stay
/// numbers.
pub fn guard(s: &str) -> Cow<'_, str> {
    if risky(s) && !is_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes `guard` on a cell read back from one of our files.
pub fn unguard(s: &str) -> &str {
    s.strip_prefix('\'').filter(|rest| risky(rest)).unwrap_or(s)
}

/// One cell: guarded, then quoted when it holds a separator, a quote or a line break.
pub fn cell(s: &str) -> String {
    let s = guard(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// A CSV file being written.
pub struct Csv {
    out: String,
    end: &'static str,
}

impl Csv {
    /// Plain CSV for machines: LF line ends, no byte-order mark.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Csv {
        let mut csv = Csv {
            out: String::new(),
            end: "\n",
        };
        csv.row(header);
        csv
    }

    /// CSV for spreadsheets: a UTF-8 byte-order mark (so Excel reads Chinese right) and
    /// CRLF line ends.
    pub fn for_spreadsheets<S: AsRef<str>>(header: &[S]) -> Csv {
        let mut csv = Csv {
            out: String::from("\u{feff}"),
            end: "\r\n",
        };
        csv.row(header);
        csv
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        let cells: Vec<String> = cells.iter().map(|c| cell(c.as_ref())).collect();
        self.out.push_str(&cells.join(","));
        self.out.push_str(self.end);
    }

    pub fn into_string(self) -> String {
        self.out
    }

    /// The file as a download named `filename` (without `.csv`).
    pub fn response(self, filename: &str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "content-disposition",
                format!("attachment; filename=\"{filename}.csv\""),
            ))
            .body(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_guarded() {
        for s in ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-", "+"] {
            assert_eq!(guard(s), format!("'{s}"), "{s:?}");
        }
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("\r=1"), "\"'\r=1\"");
    }

    #[test]
    fn numbers_stay_numbers() {
        for s in ["-12.50", "-3", "0", "12.5", "1200.00"] {
            assert_eq!(guard(s), s, "{s}");
        }
        for s in ["-1e5", "-12.", "-.5", "-1-1", "+3"] {
            assert!(guard(s).starts_with('\''), "{s}");
        }
    }

    #[test]
    fn plain_text_is_untouched_and_guarding_reverses() {
        for s in ["修路", "a,b", "'abc", "''", "'5", "2026-03-05"] {
            assert_eq!(unguard(&guard(s)), s, "{s}");
        }
        assert_eq!(guard("修路"), "修路");
        assert_eq!(guard("'=x"), "''=x");
        assert_eq!(unguard("''=x"), "'=x");
        assert_eq!(unguard("'=x"), "=x");
    }

    #[test]
    fn files_for_machines_and_for_spreadsheets() {
        let mut c = Csv::new(&["a", "b"]);
        c.row(&["=x", "-3"]);
        assert_eq!(c.into_string(), "a,b\n'=x,-3\n");
        let mut c = Csv::for_spreadsheets(&["日期"]);
        c.row(&["@x"]);
        assert_eq!(c.into_string(), "\u{feff}日期\r\n'@x\r\n");
    }
}
