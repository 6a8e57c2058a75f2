//! Money: amounts are kept in fen (分, i64) everywhere; people type and read yuan (元).
//! Parsing what people type, formatting for pages and for machines, and the bound on any
//! amount typed.

use crate::text::{all_digits, halfwidth};

/// Largest amount accepted anywhere money is typed (payments, budgets, thresholds, ledger
/// lines): 10^9 yuan (10 亿元), more than any village spends, far below `i64::MAX`.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000;

/// Fen in a yuan.
pub const FEN_PER_YUAN: i64 = 100;

/// Whole yuan to fen (saturating: the bounds are checked where amounts are typed).
pub fn fen_of_yuan(yuan: i64) -> i64 {
    yuan.saturating_mul(FEN_PER_YUAN)
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

    pub fn args(&self, _zh: bool) -> Vec<(&'static str, String)> {
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

/// Fen as yuan with thousands separators, for people: "1,234.56"; negatives (balances) as "-0.05".
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

/// The same for templates, which hold amounts by reference.
pub fn yuan(fen: &i64) -> String {
    format_amount(*fen)
}

/// Fen as plain yuan without separators, for spreadsheets and machines: "5000.00", "-0.05".
pub fn plain(fen: i64) -> String {
    format!(
        "{}{}.{:02}",
        if fen < 0 { "-" } else { "" },
        fen.unsigned_abs() / 100,
        fen.unsigned_abs() % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rows of a table: "input | expected", blank lines skipped.
    fn table(t: &str) -> impl Iterator<Item = (&str, &str)> {
        t.lines().filter_map(|l| l.rsplit_once(" | "))
    }

    /// A key without its "disclosure.err." prefix.
    fn short(key: &str) -> &str {
        key.rsplit('.').next().unwrap()
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
    fn amounts_formatted() {
        let f = format_amount;
        assert_eq!([f(0), f(5), f(123_456)], ["0.00", "0.05", "1,234.56"]);
        assert_eq!(
            [f(100_000_000), f(-123_456), f(-5)],
            ["1,000,000.00", "-1,234.56", "-0.05"]
        );
        assert_eq!(f(i64::MIN), "-92,233,720,368,547,758.08");
    }

    #[test]
    fn plain_amounts_for_machines() {
        assert_eq!(
            [plain(500_000), plain(5), plain(-5)],
            ["5000.00", "0.05", "-0.05"]
        );
        assert_eq!(fen_of_yuan(12), 1200);
        assert_eq!(MAX_AMOUNT_FEN / FEN_PER_YUAN, 1_000_000_000);
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

    }
}
