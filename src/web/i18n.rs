//! Interface text. Every string a user reads comes from `locales/zh-CN.toml` or
//! `locales/en.toml`; the language is the user's setting, then the `lang` cookie, then
//! `Accept-Language`, then zh-CN.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::HttpRequest;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "yishi_lang";

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") {
            Some(Lang::Zh)
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its q-values.
    pub fn negotiate(accept: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language from the cookie or headers alone (no user setting).
    pub fn from_request_headers(req: &HttpRequest) -> Lang {
        req.cookie(LANG_COOKIE)
            .and_then(|c| Lang::from_tag(c.value()))
            .or_else(|| {
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::negotiate)
            })
            .unwrap_or(Lang::Zh)
    }
}

/// The combined words that name both kinds of community at once, and what a village and a
/// neighbourhood say instead (longest first, so 本村（社区） goes before 村（社区）).
const KIND_WORDS: [(&str, &str, &str); 11] = [
    ("村（居）委会", "村委会", "居委会"),
    ("村（居）民", "村民", "居民"),
    ("村（居）务", "村务", "居务"),
    ("入村（居）", "入村", "入社区"),
    ("本村（社区）", "本村", "本社区"),
    ("全村（社区）", "全村", "全社区"),
    ("村（社区）", "村", "社区"),
    ("villagers' (residents')", "villagers'", "residents'"),
    (
        "contact your committee",
        "contact your village committee",
        "contact your residents' committee",
    ),
    (
        "the committee",
        "the village committee",
        "the residents' committee",
    ),
    (
        "The committee",
        "The village committee",
        "The residents' committee",
    ),
];

/// `text` as a community of `kind` says it: 村委会, 村民, 本村 in a village; 居委会, 居民,
/// 本社区 in a neighbourhood (English: the village / residents' committee). A township's
/// page, or a page of no community, keeps the combined words (see `docs/glossary.md`).
pub fn for_kind(text: &str, kind: &str) -> String {
    let village = match kind {
        crate::communities::model::KIND_VILLAGE => true,
        crate::communities::model::KIND_NEIGHBOURHOOD => false,
        _ => return text.to_string(),
    };
    let mut s = text.to_string();
    for (both, v, n) in KIND_WORDS {
        if s.contains(both) {
            s = s.replace(both, if village { v } else { n });
        }
    }
    s
}

/// Does `text` hold a combined word [`for_kind`] would change?
pub fn has_kind_words(text: &str) -> bool {
    KIND_WORDS.iter().any(|(both, _, _)| text.contains(both))
}

/// [`for_kind`] of a catalogue text, kept once per text and kind so that it can be handed out
/// as `&'static str` like the catalogue itself (bounded: the catalogue's texts times two).
pub fn for_kind_static(text: &'static str, kind: &str) -> &'static str {
    use std::sync::Mutex;
    static CACHE: OnceLock<Mutex<HashMap<(usize, bool), &'static str>>> = OnceLock::new();
    let village = match kind {
        crate::communities::model::KIND_VILLAGE => true,
        crate::communities::model::KIND_NEIGHBOURHOOD => false,
        _ => return text,
    };
    if !has_kind_words(text) {
        return text;
    }
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = match cache.lock() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    cache
        .entry((text.as_ptr() as usize, village))
        .or_insert_with(|| Box::leak(for_kind(text, kind).into_boxed_str()))
}

/// A translator for one language; cheap to copy into every page.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key`; the key itself when missing (a test keeps that from happening).
    pub fn t(&self, key: &str) -> &'static str {
        let cat = catalogs();
        let map = match self.0 {
            Lang::Zh => &cat.zh,
            Lang::En => &cat.en,
        };
        match map.get(key) {
            Some(v) => v.as_str(),
            None => match cat.zh.get(key) {
                Some(v) => v.as_str(),
                None => Box::leak(key.to_string().into_boxed_str()),
            },
        }
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn lang(&self) -> &'static str {
        self.0.tag()
    }
}

pub struct Catalogs {
    pub zh: HashMap<String, String>,
    pub en: HashMap<String, String>,
}

pub const ZH_SOURCE: &str = include_str!("../../locales/zh-CN.toml");
pub const EN_SOURCE: &str = include_str!("../../locales/en.toml");

pub fn catalogs() -> &'static Catalogs {
    static CATALOGS: OnceLock<Catalogs> = OnceLock::new();
    CATALOGS.get_or_init(|| Catalogs {
        zh: flatten(ZH_SOURCE),
        en: flatten(EN_SOURCE),
    })
}

/// Flattens a TOML file of nested tables into dotted keys.
pub fn flatten(source: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match source.parse::<toml::Table>() {
        Ok(table) => walk("", &toml::Value::Table(table), &mut out),
        Err(e) => tracing::error!("locale file does not parse: {e}"),
    }
    out
}

fn walk(prefix: &str, value: &toml::Value, out: &mut HashMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_page_says_villagers_committee_and_a_neighbourhood_residents() {
        let t = "请联系村（居）委会。";
        assert_eq!(for_kind(t, "village"), "请联系村委会。");
        assert_eq!(for_kind(t, "neighbourhood"), "请联系居委会。");
        assert_eq!(for_kind(t, "township"), t);
    }

    #[test]
    fn every_combined_word_has_a_village_and_a_neighbourhood_form() {
        let t =
            "本村（社区）的村（居）民代表向全村（社区）说明入村（居）申请和村（居）务；村（社区）";
        assert_eq!(
            for_kind(t, "village"),
            "本村的村民代表向全村说明入村申请和村务；村"
        );
        assert_eq!(
            for_kind(t, "neighbourhood"),
            "本社区的居民代表向全社区说明入社区申请和居务；社区"
        );
        let e = "Ask the committee; a villagers' (residents') meeting.";
        assert_eq!(
            for_kind(e, "village"),
            "Ask the village committee; a villagers' meeting."
        );
        assert_eq!(
            for_kind(e, "neighbourhood"),
            "Ask the residents' committee; a residents' meeting."
        );
        assert!(!has_kind_words(&for_kind(t, "village")));
    }

    #[test]
    fn a_kind_text_is_made_once_and_kept() {
        let t: &'static str = "请联系村（居）委会。";
        let a = for_kind_static(t, "village");
        assert_eq!(a, "请联系村委会。");
        assert!(std::ptr::eq(a, for_kind_static(t, "village")));
        assert_eq!(for_kind_static(t, "township"), t);
    }

    #[test]
    fn accept_language_picks_the_highest_q() {
        assert_eq!(
            Lang::negotiate("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::negotiate("fr;q=1, zh-TW;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::negotiate("en;q=0"), None);
    }

    #[test]
    fn both_catalogs_parse_and_hold_the_same_keys() {
        let zh = flatten(ZH_SOURCE);
        let en = flatten(EN_SOURCE);
        assert!(zh.len() > 50, "zh-CN catalogue has {} keys", zh.len());
        let mut missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        missing_en.sort();
        missing_zh.sort();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let zh = flatten(ZH_SOURCE);
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            for path in files_under(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for key in quoted_keys(&text) {
                    if !zh.contains_key(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys with no text: {missing:#?}");
    }

    /// Keys passed literally to `t("…")` or `f("…"`.
    fn quoted_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for pat in ["t(\"", "f(\""] {
            let mut rest = text;
            while let Some(i) = rest.find(pat) {
                let before = rest[..i].chars().last();
                rest = &rest[i + pat.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if key.contains('.') && !key.contains(' ') && !key.contains('{') {
                        keys.push(key.to_string());
                    }
                }
            }
        }
        keys
    }

    fn files_under(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(files_under(p));
                } else {
                    out.push(p);
                }
            }
        }
        out
    }
}
