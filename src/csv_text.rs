//! Text files saved from a spreadsheet, as committees send them (a ledger, a roster): decoded
//! from UTF-8 (with or without a BOM), UTF-16 with a BOM, or else GB18030 (a superset of the
//! GBK Chinese Excel writes), and read as CSV with the line each record starts on.

/// The file's text, or `None` when it is not text in any of those encodings.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let (encoding, bom) = match encoding_rs::Encoding::for_bom(bytes) {
        Some(found) => found,
        None if std::str::from_utf8(bytes).is_ok() => (encoding_rs::UTF_8, 0),
        None => (encoding_rs::GB18030, 0),
    };
    let text = encoding.decode_without_bom_handling_and_without_replacement(bytes.get(bom..)?)?;
    Some(text.trim_start_matches('\u{feff}').to_string()) // a GB18030 file may carry one too
}

/// A CSV reader over `text` without a header row and with rows of any length: separated by
/// commas, or by tabs when the first line has tabs and no commas.
pub fn reader(text: &str) -> csv::Reader<&[u8]> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let tabs = !first.contains(',') && first.contains('\t');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if tabs { b'\t' } else { b',' })
        .from_reader(text.as_bytes())
}

/// The 1-based line a record starts on (0 when unknown). The csv crate gives where reading
/// began, which is before any empty lines it skipped, so those are stepped over here.
pub fn line_of(text: &str, pos: Option<&csv::Position>) -> usize {
    let Some(p) = pos else { return 0 };
    let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    let skipped = text.as_bytes().get(start..).unwrap_or_default();
    let skipped = skipped.iter().take_while(|b| matches!(b, b'\n' | b'\r'));
    let newlines = skipped.filter(|b| **b == b'\n').count();
    usize::try_from(p.line())
        .unwrap_or(usize::MAX)
        .saturating_add(newlines)
}
