//! The transparency-log check of a database copy: the same export `yishi audit export`
//! makes, checked by the same offline verifier as `yishi audit verify --file`; and, given
//! the live site, a check that the site's log extends the copy's checkpoint.

use std::path::Path;

use base64::prelude::{Engine, BASE64_STANDARD};
use chrono::NaiveDateTime;

use crate::db::{self, AnyConnection};
use crate::transparency::checkpoint::LogKey;
use crate::transparency::verify::{self, Export, Saved, Site};
use crate::transparency::{checkpoint, handlers, log};

/// The key, the newest signed checkpoint (signed now if the newest stored one is older
/// than the log) and every entry with its record.
pub fn export(
    conn: &mut AnyConnection,
    key: &LogKey,
    now: NaiveDateTime,
) -> Result<Export, String> {
    let note =
        db::write_tx(conn, |c| checkpoint::latest(c, key, now)).map_err(|e| e.to_string())?;
    let size = log::size(conn).map_err(|e| e.to_string())?;
    let records = handlers::records_page(conn, 0, size).map_err(|e| e.to_string())?;
    Ok(Export {
        key: key.verifier_key().to_string(),
        checkpoint: note,
        records,
    })
}

/// What the log check found.
#[derive(Debug)]
pub struct LogChecked {
    pub size: u64,
    pub records: usize,
    /// The live site's size, when the copy was checked against it.
    pub live_size: Option<u64>,
}

/// Verifies the log in `conn` (a scratch copy: a checkpoint may be signed into it) with the
/// key at `key_file`; with `live`, checks that the site's log extends it under the same key.
pub fn check(
    conn: &mut AnyConnection,
    key_file: &Path,
    live: Option<&str>,
    now: NaiveDateTime,
) -> Result<LogChecked, String> {
    if !key_file.is_file() {
        return Err(format!(
            "the backup holds no log signing key ({}): the log cannot be checked or grow under its key",
            key_file.display()
        ));
    }
    let key = LogKey::load_or_create(key_file, "yishi.invalid/log")?;
    let export = export(conn, &key, now)?;
    let report = verify::verify(&export, Some(&export.key), None)?;
    if !report.findings.is_empty() {
        let list: Vec<String> = report.findings.iter().map(|f| f.to_string()).collect();
        return Err(format!(
            "{} of {} records in the copy do not match the log: {}",
            list.len(),
            report.records,
            list.join("; ")
        ));
    }
    let live_size = match live {
        None => None,
        Some(url) => Some(check_live(url, &export.key, &report.checkpoint)?),
    };
    Ok(LogChecked {
        size: report.checkpoint.size,
        records: report.records,
        live_size,
    })
}

/// The live site's log, checked against the copy's checkpoint as if the copy's were the one
/// a supervisor saved last time: same key, and the site's history extends it.
fn check_live(url: &str, key: &str, copy: &checkpoint::Opened) -> Result<u64, String> {
    let state = std::env::temp_dir().join(format!(
        "yishi-backup-verify-{}-{}.json",
        std::process::id(),
        crate::accounts::model::random_token()
    ));
    let saved = Saved {
        key: key.to_string(),
        origin: copy.origin.clone(),
        size: copy.size,
        root: BASE64_STANDARD.encode(copy.root),
    };
    let text = serde_json::to_string(&saved).map_err(|e| e.to_string())?;
    std::fs::write(&state, text).map_err(|e| format!("{}: {e}", state.display()))?;
    let result = verify::verify(&Site::new(url), Some(key), Some(&state));
    let _ = std::fs::remove_file(&state);
    let report = result.map_err(|e| format!("the live site {url}: {e}"))?;
    Ok(report.checkpoint.size)
}
