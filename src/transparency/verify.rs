//! `yishi audit verify`: what a supervisor runs against a site (or an export file) to prove
//! that nothing published was changed. It checks the checkpoint's signature, recomputes the
//! root from every entry, checks consistency with the checkpoint it saved last time, and
//! re-hashes each record's content, naming every record that no longer matches its leaf.

use std::path::Path;

use base64::prelude::{Engine, BASE64_STANDARD};
use serde::{Deserialize, Serialize};

use super::checkpoint::{self, Opened};
use super::handlers::{RecordOut, RECORDS_PAGE};
use super::log;
use super::merkle::{self, Hash};
use crate::web::i18n::{Lang, Tr};

/// Where the log is read from.
pub trait Source {
    fn key(&self) -> Result<String, String>;
    fn checkpoint(&self) -> Result<String, String>;
    fn records(&self, from: i64, count: i64) -> Result<Vec<RecordOut>, String>;
    /// The site's consistency proof; `None` when the source has none (an export file).
    fn consistency(&self, old: u64, size: u64) -> Result<Option<Vec<Hash>>, String>;
}

/// A site, over HTTP(S).
pub struct Site {
    base: String,
}

impl Site {
    pub fn new(base: &str) -> Site {
        Site {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn get(&self, path: &str) -> Result<String, String> {
        let url = format!("{}{path}", self.base);
        ureq::get(&url)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("GET {url}: {e}"))
    }
}

#[derive(Deserialize)]
struct ProofJson {
    proof: Vec<String>,
}

fn hashes(b64: &[String]) -> Result<Vec<Hash>, String> {
    b64.iter()
        .map(|s| {
            BASE64_STANDARD
                .decode(s)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| format!("not a hash: {s}"))
        })
        .collect()
}

impl Source for Site {
    fn key(&self) -> Result<String, String> {
        Ok(self.get("/log/key")?.trim().to_string())
    }

    fn checkpoint(&self) -> Result<String, String> {
        self.get("/log/checkpoint")
    }

    fn records(&self, from: i64, count: i64) -> Result<Vec<RecordOut>, String> {
        let text = self.get(&format!("/log/records?from={from}&count={count}"))?;
        serde_json::from_str(&text).map_err(|e| format!("/log/records: {e}"))
    }

    fn consistency(&self, old: u64, size: u64) -> Result<Option<Vec<Hash>>, String> {
        let text = self.get(&format!("/log/proof/consistency?old={old}&size={size}"))?;
        let p: ProofJson =
            serde_json::from_str(&text).map_err(|e| format!("/log/proof/consistency: {e}"))?;
        Ok(Some(hashes(&p.proof)?))
    }
}

/// Everything a verifier needs, in one file (`yishi audit export`).
#[derive(Serialize, Deserialize)]
pub struct Export {
    pub key: String,
    pub checkpoint: String,
    pub records: Vec<RecordOut>,
}

impl Source for Export {
    fn key(&self) -> Result<String, String> {
        Ok(self.key.clone())
    }

    fn checkpoint(&self) -> Result<String, String> {
        Ok(self.checkpoint.clone())
    }

    fn records(&self, from: i64, count: i64) -> Result<Vec<RecordOut>, String> {
        Ok(self
            .records
            .iter()
            .filter(|r| r.index >= from && r.index < from + count)
            .cloned()
            .collect())
    }

    fn consistency(&self, _old: u64, _size: u64) -> Result<Option<Vec<Hash>>, String> {
        Ok(None)
    }
}

/// What the verifier remembers between runs: the last checkpoint it accepted.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub key: String,
    pub origin: String,
    pub size: u64,
    pub root: String,
}

/// A record that does not match its leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub index: i64,
    pub kind: String,
    pub record_id: i64,
    pub link: Option<String>,
    /// `true`: the content changed; `false`: it can no longer be read.
    pub changed: bool,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {} ({} #{}{}): {}",
            self.index,
            self.kind,
            self.record_id,
            self.link
                .as_deref()
                .map(|l| format!(", {l}"))
                .unwrap_or_default(),
            if self.changed {
                "content changed since publication"
            } else {
                "record can no longer be read"
            }
        )
    }
}

impl Finding {
    /// The finding in words of `tr`'s language.
    pub fn describe(&self, tr: Tr) -> String {
        let link = self
            .link
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default();
        let key = if self.changed {
            "audit.changed"
        } else {
            "audit.unreadable"
        };
        // The record's kind in words (表决结果, 村务公开…), as the log page names it.
        let kind_key = format!("tlog.kind_{}", self.kind);
        let kind = match tr.t(&kind_key) {
            words if words != kind_key => words,
            _ => self.kind.as_str(),
        };
        tr.f(
            key,
            &[
                ("index", &self.index.to_string()),
                ("kind", kind),
                ("id", &self.record_id.to_string()),
                ("link", &link),
            ],
        )
    }
}

/// The language `yishi audit verify` speaks: `--lang` if given, else the locale of the
/// environment (`LC_ALL`, then `LANG`): Chinese for `zh…`, English otherwise.
pub fn cli_lang(flag: Option<&str>, env: Option<&str>) -> Lang {
    flag.or(env)
        .map(|t| t.split(['.', '@']).next().unwrap_or("").replace('_', "-"))
        .and_then(|t| Lang::from_tag(&t))
        .unwrap_or(Lang::En)
}

/// What `yishi audit verify` prints for a report that was read (`state`: where the
/// checkpoint was saved); the last line says whether every record matched.
pub fn report_lines(tr: Tr, report: &Report, state: &Path) -> Vec<String> {
    let size = report.checkpoint.size.to_string();
    let mut out = vec![tr.f(
        "audit.checkpoint",
        &[("size", &size), ("origin", &report.checkpoint.origin)],
    )];
    out.push(match report.consistent_with {
        Some(n) => tr.f("audit.consistent", &[("n", &n.to_string())]),
        None => tr.f("audit.first", &[("state", &state.display().to_string())]),
    });
    let records = report.records.to_string();
    if report.findings.is_empty() {
        out.push(tr.f("audit.all_match", &[("n", &records)]));
    } else {
        out.extend(report.findings.iter().map(|f| f.describe(tr)));
        let bad = report.findings.len().to_string();
        out.push(tr.f("audit.some_differ", &[("bad", &bad), ("n", &records)]));
    }
    out
}

/// A failed check in `tr`'s language: what it means in plain words, then the detail.
pub fn failure_words(tr: Tr, detail: &str) -> String {
    const MEANINGS: [(&str, &str); 6] = [
        ("the log's key changed", "audit.fail_key"),
        ("do not hash to the signed root", "audit.fail_root"),
        ("the log shrank", "audit.fail_shrank"),
        ("history was rewritten", "audit.fail_history"),
        ("consistency proof", "audit.fail_history"),
        ("signature", "audit.fail_signature"),
    ];
    let key = MEANINGS
        .iter()
        .find(|(m, _)| detail.contains(m))
        .map_or("audit.fail_read", |(_, k)| k);
    tr.f(
        "audit.failed",
        &[("meaning", tr.t(key)), ("detail", detail)],
    )
}

#[derive(Debug)]
pub struct Report {
    pub checkpoint: Opened,
    /// The size of the checkpoint this one was shown consistent with, if one was saved.
    pub consistent_with: Option<u64>,
    pub records: usize,
    pub findings: Vec<Finding>,
}

/// Checks the log at `src`. `trusted_key` pins the verifier key (otherwise the saved one, or
/// the site's own on first use). `state` is where the last accepted checkpoint is kept.
/// A bad signature, a wrong root or an inconsistent history is an error; changed records are
/// findings in the report.
pub fn verify(
    src: &dyn Source,
    trusted_key: Option<&str>,
    state: Option<&Path>,
) -> Result<Report, String> {
    let saved = state.map(read_saved).transpose()?.flatten();
    let key = match (trusted_key, &saved) {
        (Some(k), _) => k.to_string(),
        (None, Some(s)) => s.key.clone(),
        (None, None) => src.key()?,
    };
    if let Some(s) = &saved {
        if s.key != key {
            return Err(format!("the log's key changed: saved {}, now {key}", s.key));
        }
    }
    let note = src.checkpoint()?;
    let cp = checkpoint::open(&note, &key)?;
    let size = cp.size;
    let (leaves, findings) = read_leaves(src, size)?;
    if merkle::root(&leaves) != cp.root {
        return Err(format!(
            "the entries do not hash to the signed root of the {size}-entry checkpoint: the log was rewritten"
        ));
    }
    let consistent_with = match &saved {
        None => None,
        Some(s) => Some(check_history(src, s, &cp, &leaves)?),
    };
    if let Some(p) = state {
        let next = Saved {
            key: key.clone(),
            origin: cp.origin.clone(),
            size,
            root: BASE64_STANDARD.encode(cp.root),
        };
        write_saved(p, &next)?;
    }
    Ok(Report {
        checkpoint: cp,
        consistent_with,
        records: leaves.len(),
        findings,
    })
}

/// The checkpoint accepted last time, if the state file exists.
fn read_saved(p: &Path) -> Result<Option<Saved>, String> {
    if !p.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(Some(
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?,
    ))
}

fn write_saved(p: &Path, next: &Saved) -> Result<(), String> {
    let text = serde_json::to_string_pretty(next).map_err(|e| e.to_string())?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))
}

/// Every entry of the tree of `size` leaves, re-hashed, and the records whose content no
/// longer matches their entry.
fn read_leaves(src: &dyn Source, size: u64) -> Result<(Vec<Hash>, Vec<Finding>), String> {
    let mut leaves: Vec<Hash> = Vec::with_capacity(size as usize);
    let mut findings = Vec::new();
    let mut from = 0i64;
    while (from as u64) < size {
        let page = src.records(from, RECORDS_PAGE)?;
        if page.is_empty() {
            return Err(format!("the site gave no entries from {from}"));
        }
        for r in page {
            if r.index != from {
                return Err(format!("expected entry {from}, got {}", r.index));
            }
            if from as u64 >= size {
                break;
            }
            leaves.push(merkle::leaf_hash(r.entry.as_bytes()));
            findings.extend(check_record(r)?);
            from += 1;
        }
    }
    Ok((leaves, findings))
}

/// A finding when a record's content does not match the hash its entry carries.
fn check_record(r: RecordOut) -> Result<Option<Finding>, String> {
    let parsed = log::parse_entry(&r.entry)
        .ok_or_else(|| format!("entry {} is not a yishi log entry", r.index))?;
    let ok = r
        .content
        .as_deref()
        .is_some_and(|c| log::sha256_hex(c.as_bytes()) == parsed.sha256);
    Ok((!ok).then(|| Finding {
        index: r.index,
        kind: parsed.kind,
        record_id: parsed.record_id,
        link: r.link,
        changed: r.content.is_some(),
    }))
}

/// The history the verifier saw before must be a prefix of this one; returns its size.
fn check_history(src: &dyn Source, s: &Saved, cp: &Opened, leaves: &[Hash]) -> Result<u64, String> {
    let size = cp.size;
    let old_root: Hash = BASE64_STANDARD
        .decode(&s.root)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or("the saved checkpoint is damaged")?;
    if s.size > size {
        return Err(format!(
            "the log shrank from {} to {size} entries since the last check",
            s.size
        ));
    }
    if s.size > 0 {
        if merkle::root(&leaves[..s.size as usize]) != old_root {
            return Err(format!(
                "the first {} entries are not those checked last time: history was rewritten",
                s.size
            ));
        }
        if let Some(proof) = src.consistency(s.size, size)? {
            if s.size < size
                && !merkle::verify_consistency(s.size, size, &old_root, &cp.root, &proof)
            {
                return Err(format!(
                    "the site's consistency proof from {} to {size} entries does not verify",
                    s.size
                ));
            }
        }
    }
    Ok(s.size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_speaks_chinese_where_the_locale_is_chinese() {
        assert_eq!(cli_lang(None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(cli_lang(Some("zh-CN"), Some("en_US.UTF-8")), Lang::Zh);
        assert_eq!(cli_lang(Some("en"), Some("zh_CN.UTF-8")), Lang::En);
        assert_eq!(cli_lang(None, Some("C.UTF-8")), Lang::En);
        assert_eq!(cli_lang(None, None), Lang::En);
    }

    #[test]
    fn findings_and_failures_are_told_in_the_chosen_language() {
        let f = Finding {
            index: 7,
            kind: "disclosure".into(),
            record_id: 3,
            link: None,
            changed: true,
        };
        let zh = f.describe(Tr(Lang::Zh));
        assert!(zh.contains("第7条") && zh.contains("村务公开"), "{zh}");
        assert!(!zh.contains("disclosure"), "the kind in words: {zh}");
        assert!(f.describe(Tr(Lang::En)).contains("entry 7"));
        let zh = failure_words(Tr(Lang::Zh), "the log shrank from 9 to 8 entries");
        assert!(zh.contains("核验没有通过") && zh.contains("shrank"), "{zh}");
    }
}
