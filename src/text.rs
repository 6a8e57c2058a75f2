//! Plain text helpers every layer may use: cutting by characters, spotting characters no one
//! types on purpose, and comparing secrets (tokens, codes) in constant time.

/// Cuts `s` to at most `max_chars` characters, never inside one (`String::truncate` takes a
/// byte index and panics inside a multi-byte character).
pub fn truncate_chars(s: &mut String, max_chars: usize) {
    if let Some((at, _)) = s.char_indices().nth(max_chars) {
        s.truncate(at);
    }
}

/// A character no one types on purpose: a control character other than a tab or a line
/// break, or a noncharacter that XML forbids. Titles and bodies alike refuse them.
pub fn unwanted_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// Are two secrets (a CSRF token, a tracker seal) equal? Takes the same time whatever the
/// first differing byte, so the answer's timing reveals nothing of the secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Full-width ASCII (０-９, ．, ，, －, Ｑ …) and the ideographic space to plain ASCII.
pub fn halfwidth(s: &str) -> String {
    let half = |c: char| char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => half(c),
            _ => c,
        })
        .collect()
}

/// Whether every byte is an ASCII digit (true of the empty text).
pub fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The first `max_chars` characters of `s` on one line, with "…" when there was more: a
/// page's title in words rather than a number.
pub fn lead(s: &str, max_chars: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut = one_line.clone();
    truncate_chars(&mut cut, max_chars);
    if cut.len() < one_line.len() {
        cut.push('…');
    }
    cut
}

/// Why a typed whole number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberProblem {
    /// Nothing typed.
    Empty,
    /// Not digits alone: a sign, a decimal point, letters, an exponent.
    NotWhole,
    /// Digits, but outside the allowed range (or too long to be a number at all).
    OutOfRange,
}

/// Reads a whole number as people type it: trimmed, full-width digits (０-９, which Chinese
/// input methods type) read as digits; anything but digits (a sign, "1.5", "1e3", "0x10")
/// is refused, and so is a number outside `min..=max` (both included) — before any
/// arithmetic is done with it, so no typed number can overflow.
pub fn whole_number(typed: &str, min: i64, max: i64) -> Result<i64, NumberProblem> {
    let norm = halfwidth(typed);
    let s = norm.trim();
    if s.is_empty() {
        return Err(NumberProblem::Empty);
    }
    if !all_digits(s) {
        return Err(NumberProblem::NotWhole);
    }
    match s.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(NumberProblem::OutOfRange),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_characters_and_never_splits_one() {
        let mut s = format!("a{}", "中".repeat(300));
        truncate_chars(&mut s, 129);
        assert_eq!(s.chars().count(), 129);
        assert!(s.starts_with("a中"));
        let mut short = "短".to_string();
        truncate_chars(&mut short, 129);
        assert_eq!(short, "短");
    }

    #[test]
    fn secrets_compare_equal_only_when_every_byte_is() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn a_lead_is_the_first_characters_on_one_line() {
        assert_eq!(lead("村口路灯\n为什么不亮？", 20), "村口路灯 为什么不亮？");
        let twenty = "一二三四五六七八九十一二三四五六七八九十";
        assert_eq!(lead(twenty, 20), twenty);
        assert_eq!(lead(&format!("{twenty}多"), 20), format!("{twenty}…"));
    }
}
