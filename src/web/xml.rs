//! XML out: every XML document the site serves (Atom feeds, Open311 XML) passes through
//! `clean`, which drops the characters XML 1.0 forbids, so that no text anyone typed can
//! make a document that a reader refuses.

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
pub fn allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// The document without the characters XML 1.0 forbids.
pub fn clean(doc: String) -> String {
    if doc.chars().all(allowed) {
        doc
    } else {
        doc.chars().filter(|c| allowed(*c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_go_and_the_rest_stays() {
        let dirty = "<t>a\u{0}b\u{1}c\u{b}d\u{c}e\u{1f}f\u{fffe}g\u{ffff}</t>".to_string();
        assert_eq!(clean(dirty), "<t>abcdefg</t>");
        let fine = "<t>修路\t\n\r\u{7f}\u{85}\u{fffd}😀</t>".to_string();
        assert_eq!(clean(fine.clone()), fine);
    }
}
