//! Reading the committee's roster spreadsheet: an `.xlsx`, or a `.csv` in UTF-8 (with or
//! without a byte-order mark) or GBK as Chinese Excel saves it. The header row is found by
//! its Chinese names (a title row above it and a second header row below merged cells are
//! fine), and each line becomes a `Row` or the problems that refuse it. Pure: no database.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rules::{self, Status};
use crate::communities::model::Grid;
use crate::csv_text::{decode, line_of};
use crate::web::forms::text_field;

/// The largest file read: a village's roster is a few hundred kilobytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most persons one import carries.
pub const MAX_ROWS: usize = 20_000;
/// How far down a title and blank rows may push the header row.
const HEADER_SEARCH: usize = 20;

/// A column the import understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Col {
    Name,
    Sex,
    Birth,
    Number,
    Head,
    Relation,
    Group,
    Phone,
    Status,
    Address,
}

/// The headers a sheet may use (spaces, a `*` and a note in brackets are ignored), as the
/// import page lists them.
pub const HEADERS: &[(&str, Col)] = &[
    ("姓名", Col::Name),
    ("性别", Col::Sex),
    ("出生日期", Col::Birth),
    ("出生年月", Col::Birth),
    ("户号", Col::Number),
    ("户主姓名", Col::Head),
    ("与户主关系", Col::Relation),
    ("村民小组", Col::Group),
    ("居民小组", Col::Group),
    ("组别", Col::Group),
    ("小组", Col::Group),
    ("联系电话", Col::Phone),
    ("状态", Col::Status),
    ("地址", Col::Address),
];

/// The column a header cell names.
pub fn col_of(cell: &str) -> Option<Col> {
    let mut s: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect();
    if let Some(i) = s.find(['（', '(']) {
        s.truncate(i);
    }
    HEADERS.iter().find(|(h, _)| *h == s).map(|(_, c)| *c)
}

/// Why a whole file is refused: the locale key of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetProblem {
    Empty,
    TooLarge,
    TooManyRows,
    OldExcel,
    WrongType,
    Unreadable,
    NoHeader,
    Missing(Col),
}

impl SheetProblem {
    pub fn key(self) -> &'static str {
        match self {
            SheetProblem::Empty => "roster.import.err.empty",
            SheetProblem::TooLarge => "roster.import.err.too_large",
            SheetProblem::TooManyRows => "roster.import.err.too_many",
            SheetProblem::OldExcel => "roster.import.err.xls",
            SheetProblem::WrongType => "roster.import.err.type",
            SheetProblem::Unreadable => "roster.import.err.unreadable",
            SheetProblem::NoHeader => "roster.import.err.no_header",
            SheetProblem::Missing(_) => "roster.import.err.missing",
        }
    }

    /// The header a `Missing` problem names.
    pub fn value(self) -> &'static str {
        match self {
            SheetProblem::Missing(Col::Number | Col::Head) => "户号 / 户主姓名",
            SheetProblem::Missing(c) => HEADERS
                .iter()
                .find(|(_, h)| *h == c)
                .map_or("", |(h, _)| *h),
            _ => "",
        }
    }
}

/// The sheet's recognised columns and its lines (1-based line number, cells in the order of
/// `cols`). The preview carries it to the confirmation, which reads it again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub cols: Vec<Col>,
    pub lines: Vec<(usize, Vec<String>)>,
}

/// Reads a file by its content (an `.xlsx` is a zip; anything else must be text).
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(SheetProblem::TooLarge);
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(SheetProblem::OldExcel);
    } else {
        read_csv(bytes)?
    };
    if table
        .iter()
        .all(|(_, cells)| cells.iter().all(String::is_empty))
    {
        return Err(SheetProblem::Empty);
    }
    find_header(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetProblem> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| SheetProblem::Unreadable)?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|_| SheetProblem::Unreadable)?,
        None => return Err(SheetProblem::Empty),
    };
    if range.height() > MAX_ROWS + HEADER_SEARCH {
        return Err(SheetProblem::TooManyRows);
    }
    let (top, left) = range.start().unwrap_or((0, 0));
    let pad = left as usize;
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let cells = std::iter::repeat_n(String::new(), pad)
                .chain(row.iter().map(cell_text))
                .collect();
            (top as usize + i + 1, cells)
        })
        .collect())
}

/// A cell as text: a date cell as 1962-03-01, a whole number without ".0".
fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial(dt.as_f64().floor() as i64)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// The day an Excel date serial stands for (the 1900 system; serials before March 1900
/// carry Excel's leap-year bug and are no birth date of a living person anyway).
pub fn excel_serial(n: i64) -> Option<NaiveDate> {
    if !(61..=2_958_465).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(n))
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetProblem> {
    // A NUL is no text a spreadsheet saves: a binary file read as GB18030 by mistake.
    let text = decode(bytes)
        .filter(|t| !t.contains('\0'))
        .ok_or(SheetProblem::WrongType)?;
    let mut reader = crate::csv_text::reader(&text);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| SheetProblem::Unreadable)?;
        if out.len() > MAX_ROWS + HEADER_SEARCH {
            return Err(SheetProblem::TooManyRows);
        }
        let line = line_of(&text, record.position());
        out.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
    }
    Ok(out)
}

/// Finds the header row (the first with 姓名 and two more known names, within the first
/// rows), and under merged header cells a second header row that names the rest.
fn find_header(table: Vec<(usize, Vec<String>)>) -> Result<Sheet, SheetProblem> {
    let known = |cells: &[String]| cells.iter().filter(|c| col_of(c).is_some()).count();
    let h = table
        .iter()
        .take(HEADER_SEARCH)
        .position(|(_, cells)| {
            cells.iter().any(|c| col_of(c) == Some(Col::Name)) && known(cells) >= 3
        })
        .ok_or(SheetProblem::NoHeader)?;
    let mut names: Vec<Option<Col>> = table[h].1.iter().map(|c| col_of(c)).collect();
    let mut start = h + 1;
    if let Some((_, next)) = table.get(h + 1) {
        let filled: Vec<(usize, &String)> = next
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .collect();
        if !filled.is_empty() && filled.iter().all(|(_, c)| col_of(c).is_some()) {
            for (i, c) in filled {
                if names.len() <= i {
                    names.resize(i + 1, None);
                }
                if names[i].is_none() {
                    names[i] = col_of(c);
                }
            }
            start = h + 2;
        }
    }
    let mut cols = Vec::new();
    let mut at = Vec::new();
    for (i, c) in names.iter().enumerate() {
        if let Some(c) = c {
            if !cols.contains(c) {
                cols.push(*c);
                at.push(i);
            }
        }
    }
    for need in [Col::Sex, Col::Birth, Col::Relation] {
        if !cols.contains(&need) {
            return Err(SheetProblem::Missing(need));
        }
    }
    if !cols.contains(&Col::Number) && !cols.contains(&Col::Head) {
        return Err(SheetProblem::Missing(Col::Number));
    }
    let lines: Vec<(usize, Vec<String>)> = table
        .into_iter()
        .skip(start)
        .map(|(line, row)| {
            let cells = at.iter().map(|i| row.get(*i).cloned().unwrap_or_default());
            (line, cells.collect::<Vec<String>>())
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    if lines.is_empty() {
        return Err(SheetProblem::Empty);
    }
    if lines.len() > MAX_ROWS {
        return Err(SheetProblem::TooManyRows);
    }
    Ok(Sheet { cols, lines })
}

/// One line of the sheet, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub sex: &'static str,
    pub birth: NaiveDate,
    pub month_only: bool,
    /// 户号, or empty.
    pub number: String,
    /// 户主姓名, or empty (the person's own name when they are the head).
    pub head: String,
    pub relation: String,
    pub grid_id: Option<i64>,
    /// `None` when the sheet says nothing (no column or an empty cell).
    pub phone: Option<String>,
    pub status: Option<Status>,
    pub address: String,
}

/// Why a line is refused or left out: its line, the locale key of the message and the
/// value it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: usize,
    pub key: &'static str,
    pub value: String,
    /// A second name the message quotes (`{other}`), when it quotes two.
    pub other: String,
}

/// A birth date as a cell holds it: what `rules::parse_birth` reads, a date-time as text
/// ("1962-03-01 00:00:00"), or an Excel date serial (a date column formatted as numbers).
pub fn parse_birth_cell(cell: &str) -> Option<(NaiveDate, bool)> {
    let s = cell.trim();
    let s = match s.split_once(' ') {
        Some((day, time)) if time.contains(':') => day,
        _ => s,
    };
    if let Some(found) = rules::parse_birth(s) {
        return Some(found);
    }
    let whole = s.strip_suffix(".0").unwrap_or(s);
    if (2..=5).contains(&whole.len()) && whole.bytes().all(|b| b.is_ascii_digit()) {
        return excel_serial(whole.parse().ok()?).map(|d| (d, false));
    }
    None
}

/// A group's name as people write it: "第一组", "1组" and "一组" are the same group.
fn group_key(s: &str) -> String {
    const DIGITS: [&str; 11] = [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.strip_prefix('第').unwrap_or(&s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    match digits.parse::<usize>() {
        Ok(n) if n <= 10 => format!("{}{}", DIGITS[n], &s[digits.len()..]),
        _ => s.to_string(),
    }
}

/// Reads every line of the sheet against the community's groups, on `today`: the rows,
/// and the problems of the lines refused (each line's problems, in order).
pub fn rows(sheet: &Sheet, grids: &[Grid], today: NaiveDate) -> (Vec<Row>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (line, cells) in &sheet.lines {
        match row(sheet, *line, cells, grids, today) {
            Ok(r) => out.push(r),
            Err(mut p) => problems.append(&mut p),
        }
    }
    (out, problems)
}

fn row(
    sheet: &Sheet,
    line: usize,
    cells: &[String],
    grids: &[Grid],
    today: NaiveDate,
) -> Result<Row, Vec<Problem>> {
    let get = |c: Col| -> &str {
        sheet
            .cols
            .iter()
            .position(|x| *x == c)
            .and_then(|i| cells.get(i))
            .map_or("", |s| s.trim())
    };
    let mut problems = Vec::new();
    let mut refuse = |key: &'static str, value: &str| {
        problems.push(Problem {
            line,
            key,
            value: value.chars().take(40).collect(),
            other: String::new(),
        })
    };
    let name = text_field(get(Col::Name), 1, 30);
    if name.is_err() {
        refuse("roster.import.line.name", get(Col::Name));
    }
    let sex = rules::parse_sex(get(Col::Sex));
    if sex.is_none() {
        refuse("roster.import.line.sex", get(Col::Sex));
    }
    let birth = parse_birth_cell(get(Col::Birth));
    match birth {
        None => refuse("roster.import.line.birth", get(Col::Birth)),
        Some((b, _)) if b > today => refuse("roster.import.line.birth_future", get(Col::Birth)),
        Some((b, _)) if rules::birth_ok(b, today).is_err() => {
            refuse("roster.import.line.birth_old", get(Col::Birth))
        }
        _ => {}
    }
    let number = text_field(get(Col::Number), 0, 20);
    let mut head = text_field(get(Col::Head), 0, 30);
    let relation = text_field(get(Col::Relation), 0, 20);
    if number.is_err() || head.is_err() || relation.is_err() {
        refuse("roster.import.line.too_long", "");
    }
    if let (Ok(h), Ok(n)) = (&mut head, &name) {
        if h.is_empty() && get(Col::Relation) == "户主" {
            h.clone_from(n);
        }
    }
    if matches!((&number, &head), (Ok(n), Ok(h)) if n.is_empty() && h.is_empty()) {
        refuse("roster.import.line.household", "");
    }
    let group = get(Col::Group);
    let grid_id = if group.is_empty() {
        None
    } else {
        let key = group_key(group);
        let found = grids.iter().find(|g| group_key(&g.name) == key);
        if found.is_none() {
            refuse("roster.import.line.group", group);
        }
        found.map(|g| g.id)
    };
    let phone = match rules::normalize_phone(get(Col::Phone)) {
        Ok(p) if p.is_empty() => None,
        Ok(p) => Some(p),
        Err(_) => {
            refuse("roster.import.line.phone", get(Col::Phone));
            None
        }
    };
    let status = Status::parse(get(Col::Status));
    if status.is_none() {
        refuse("roster.import.line.status", get(Col::Status));
    }
    let address = text_field(get(Col::Address), 0, 100);
    if address.is_err() {
        refuse("roster.import.line.address", "");
    }
    let status = status.filter(|_| !get(Col::Status).is_empty());
    match (name, sex, birth, number, head, relation, address) {
        (
            Ok(name),
            Some(sex),
            Some((birth, month_only)),
            Ok(number),
            Ok(head),
            Ok(relation),
            Ok(address),
        ) if problems.is_empty() => Ok(Row {
            line,
            name,
            sex,
            birth,
            month_only,
            number,
            head,
            relation,
            grid_id,
            phone,
            status,
            address,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn birth_dates_as_sheets_hold_them() {
        assert_eq!(parse_birth_cell("1962-03-01"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth_cell("1962/3/1"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth_cell("1962.03"), Some((d(1962, 3, 1), true)));
        assert_eq!(parse_birth_cell("19620301"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth_cell("22706"), Some((d(1962, 3, 1), false)));
        assert_eq!(
            parse_birth_cell("1962-03-01 00:00:00"),
            Some((d(1962, 3, 1), false))
        );
        assert_eq!(parse_birth_cell("1962-13-01"), None);
        assert_eq!(parse_birth_cell("abc"), None);
    }

    #[test]
    fn headers_with_marks_and_notes_are_recognised() {
        assert_eq!(col_of(" 姓 名 "), Some(Col::Name));
        assert_eq!(col_of("*出生日期（必填）"), Some(Col::Birth));
        assert_eq!(col_of("身份证号"), None);
    }

    #[test]
    fn a_title_row_and_a_second_header_row_under_merged_cells() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let table = vec![
            (1, s(&["柳塘村村民名册", "", "", "", "", "", ""])),
            (
                2,
                s(&[
                    "姓名",
                    "性别",
                    "出生日期",
                    "户号",
                    "与户主关系",
                    "联系方式",
                    "",
                ]),
            ),
            (3, s(&["", "", "", "", "", "联系电话", "地址"])),
            (
                4,
                s(&[
                    "张三",
                    "男",
                    "1962-03-01",
                    "001",
                    "户主",
                    "13800138000",
                    "一组1号",
                ]),
            ),
        ];
        let sheet = find_header(table).unwrap();
        assert_eq!(
            sheet.cols,
            [
                Col::Name,
                Col::Sex,
                Col::Birth,
                Col::Number,
                Col::Relation,
                Col::Phone,
                Col::Address
            ]
        );
        assert_eq!(sheet.lines.len(), 1);
        assert_eq!(sheet.lines[0].0, 4);
    }

    #[test]
    fn a_sheet_without_the_household_columns_is_refused() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let table = vec![(1, s(&["姓名", "性别", "出生日期", "与户主关系"]))];
        assert_eq!(find_header(table), Err(SheetProblem::Missing(Col::Number)));
    }

    #[test]
    fn gbk_and_utf8_with_a_bom_read_the_same() {
        let text = "姓名,性别,出生日期,户号,与户主关系\n张三,男,1962-03-01,001,户主\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(read(&gbk).unwrap(), read(&bom).unwrap());
        assert_eq!(read(&gbk).unwrap().lines[0].1[0], "张三");
    }

    #[test]
    fn groups_written_three_ways_are_one() {
        assert_eq!(group_key("第一组"), group_key("1组"));
        assert_eq!(group_key("一组"), group_key(" 1 组"));
        assert_ne!(group_key("一组"), group_key("二组"));
    }
}
