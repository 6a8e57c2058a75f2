//! The log's public face: a page explaining it, the signed checkpoint and verifier key, the
//! C2SP tlog-tiles hash tiles and entry bundles, proofs as JSON, each entry's page, and the
//! records' canonical content for verifiers.

use actix_web::{web, HttpResponse};
use askama::Template;
use base64::prelude::{Engine, BASE64_STANDARD};
use serde::{Deserialize, Serialize};

use super::checkpoint;
use super::log::{self, Kind, TILE_WIDTH};
use super::records;
use crate::clock::fmt_time;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::ctx::Ctx;
use crate::web::{page, AppState};

/// Public, readable from any site, not personal.
fn public(content_type: &str, cache: &str) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.content_type(content_type)
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("cache-control", cache.to_string()));
    b
}

const TEXT: &str = "text/plain; charset=utf-8";
const SHORT: &str = "no-cache";
/// Only for full tiles that exist: they never change.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// A proof for a given tree size stays true, but only tiles are marked immutable.
const PROOF: &str = "public, max-age=86400";

async fn latest_checkpoint(state: &AppState) -> Result<String, AppError> {
    let key = state.log_key.clone();
    let now = state.clock.now();
    state
        .db(move |conn| write_tx(conn, |conn| checkpoint::latest(conn, &key, now)))
        .await
}

/// `GET /log/checkpoint`: the newest signed checkpoint (C2SP tlog-checkpoint, signed note).
pub async fn checkpoint_text(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let note = latest_checkpoint(&state).await?;
    Ok(public(TEXT, SHORT).body(note))
}

/// `GET /log/key`: the verifier key in the signed-note format (`name+id+base64`).
pub async fn key_text(state: web::Data<AppState>) -> HttpResponse {
    public(TEXT, "public, max-age=3600").body(format!("{}\n", state.log_key.verifier_key()))
}

/// Reads a tlog-tiles index path such as `x001/x234/067` or `067.p/5`: (N, width), exactly
/// as C2SP tlog-tiles writes it (3-digit elements, all but the last with `x`, no needless
/// leading `x000`, a partial width of 1 to 255 without leading zeros); `None` otherwise.
pub fn parse_tile_index(tail: &str) -> Option<(u64, u32)> {
    let (numbers, width) = match tail.split_once(".p/") {
        Some((numbers, w)) => (numbers, w.parse::<u32>().ok()?),
        None => (tail, TILE_WIDTH as u32),
    };
    if !(1..=TILE_WIDTH as u32).contains(&width) {
        return None;
    }
    let parts: Vec<&str> = numbers.split('/').collect();
    let mut n: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let digits = if i + 1 < parts.len() {
            part.strip_prefix('x')?
        } else {
            part
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n
            .checked_mul(1000)?
            .checked_add(digits.parse::<u64>().ok()?)?;
    }
    // Only the one spelling the spec gives: "x000/067", ".p/08" or ".p/256" name nothing.
    (tile_index_path(n, width) == tail).then_some((n, width))
}

/// The tlog-tiles path of tile index `n` and `width`: `x001/x234/067`, `067.p/5`.
pub fn tile_index_path(n: u64, width: u32) -> String {
    let mut path = format!("{:03}", n % 1000);
    let mut rest = n / 1000;
    while rest > 0 {
        path = format!("x{:03}/{path}", rest % 1000);
        rest /= 1000;
    }
    if u64::from(width) != TILE_WIDTH {
        path.push_str(&format!(".p/{width}"));
    }
    path
}

/// The highest level a hash tile path may name (C2SP tlog-tiles: 0 to 5).
pub const MAX_TILE_LEVEL: u8 = 5;

/// Reads a tile level as the spec writes it: 0 to 5, no leading zeros.
pub fn parse_tile_level(s: &str) -> Option<u8> {
    let level: u8 = s.parse().ok()?;
    (level <= MAX_TILE_LEVEL && level.to_string() == s).then_some(level)
}

/// A malformed tile path: it names no tile.
fn bad_tile_path() -> AppError {
    AppError::BadRequest("not a tlog-tiles tile path".into())
}

/// Only a full tile is the same forever; a partial one is replaced as the log grows.
fn cache_for(width: u32) -> &'static str {
    if u64::from(width) == TILE_WIDTH {
        FOREVER
    } else {
        SHORT
    }
}

/// `GET /log/tile/{level}/{index}`: a hash tile.
pub async fn tile(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (level, tail) = path.into_inner();
    let level = parse_tile_level(&level).ok_or_else(bad_tile_path)?;
    let (n, width) = parse_tile_index(&tail).ok_or_else(bad_tile_path)?;
    let bytes = state
        .db(move |conn| {
            let size = log::size(conn)?.max(0).unsigned_abs();
            Ok(log::tile(conn, size, level, n, width)?)
        })
        .await?;
    Ok(public("application/octet-stream", cache_for(width)).body(bytes))
}

/// `GET /log/tile/entries/{index}`: an entry bundle.
pub async fn entry_bundle(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (n, width) = parse_tile_index(&path.into_inner()).ok_or_else(bad_tile_path)?;
    let bytes = state
        .db(move |conn| {
            let size = log::size(conn)?.max(0).unsigned_abs();
            Ok(log::entry_bundle(conn, size, n, width)?)
        })
        .await?;
    Ok(public("application/octet-stream", cache_for(width)).body(bytes))
}

#[derive(Deserialize)]
pub struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Serialize)]
struct InclusionProof {
    index: u64,
    size: u64,
    leaf_hash: String,
    proof: Vec<String>,
}

fn b64(hashes: &[tlog_tiles::Hash]) -> Vec<String> {
    hashes.iter().map(|h| BASE64_STANDARD.encode(h.0)).collect()
}

/// `GET /log/proof/inclusion?index=I&size=N`: the RFC 6962 audit path of leaf I in tree N.
pub async fn inclusion(
    state: web::Data<AppState>,
    q: web::Query<InclusionQuery>,
) -> Result<HttpResponse, AppError> {
    let (index, size) = (q.index, q.size);
    let (entry, proof) = state
        .db(move |conn| {
            let proof = log::inclusion(conn, size, index)?;
            let entry = log::entry(conn, index as i64)?.ok_or(AppError::NotFound)?;
            Ok((entry, proof))
        })
        .await?;
    let leaf = tlog_tiles::record_hash(entry.entry.as_bytes());
    let body = InclusionProof {
        index,
        size,
        leaf_hash: BASE64_STANDARD.encode(leaf.0),
        proof: b64(&proof),
    };
    Ok(public("application/json", PROOF).json(body))
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    old: u64,
    size: u64,
}

#[derive(Serialize)]
struct ConsistencyProof {
    old: u64,
    size: u64,
    proof: Vec<String>,
}

/// `GET /log/proof/consistency?old=M&size=N`: the proof that tree M is a prefix of tree N.
pub async fn consistency(
    state: web::Data<AppState>,
    q: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, AppError> {
    let (old, size) = (q.old, q.size);
    let proof = state
        .db(move |conn| Ok(log::consistency(conn, size, old)?))
        .await?;
    let body = ConsistencyProof {
        old,
        size,
        proof: b64(&proof),
    };
    Ok(public("application/json", PROOF).json(body))
}

#[derive(Deserialize)]
pub struct RecordsQuery {
    #[serde(default)]
    from: i64,
    count: Option<i64>,
}

/// A leaf with the canonical content of its record as the site derives it now.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct RecordOut {
    pub index: i64,
    pub entry: String,
    pub link: Option<String>,
    /// `None` when the record can no longer be read.
    pub content: Option<String>,
}

/// The largest page of `GET /log/records`.
pub const RECORDS_PAGE: i64 = 256;

/// `GET /log/records?from=I&count=C`: leaves with their records' current canonical content.
pub async fn records_json(
    state: web::Data<AppState>,
    q: web::Query<RecordsQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, count) = (
        q.from.max(0),
        q.count.unwrap_or(RECORDS_PAGE).clamp(1, RECORDS_PAGE),
    );
    let out = state
        .db(move |conn| Ok(records_page(conn, from, count)?))
        .await?;
    Ok(public("application/json", SHORT).json(out))
}

/// Leaves from `from` with their records' content: one query for the leaves and one per
/// kind of record on the page (the kinds of other modules, one per record).
pub fn records_page(
    conn: &mut crate::db::AnyConnection,
    from: i64,
    count: i64,
) -> diesel::QueryResult<Vec<RecordOut>> {
    let entries = log::entries(conn, from, count)?;
    let slugs = community_slugs(conn)?;
    let mut contents = std::collections::HashMap::new();
    for kind in Kind::ALL {
        let ids: Vec<i64> = entries
            .iter()
            .filter(|e| e.kind == kind.as_str())
            .map(|e| e.record_id)
            .collect();
        if !ids.is_empty() {
            contents.insert(kind.as_str(), records::contents(conn, kind, &ids)?);
        }
    }
    Ok(entries
        .into_iter()
        .map(|e| {
            let kind = Kind::parse(&e.kind);
            let content = contents
                .get(e.kind.as_str())
                .and_then(|c| c.get(&e.record_id));
            let slug = e.community_id.and_then(|c| {
                slugs
                    .iter()
                    .find(|(id, _)| *id == c)
                    .map(|(_, s)| s.as_str())
            });
            RecordOut {
                index: e.idx,
                link: kind.and_then(|k| records::link(k, slug, e.record_id)),
                content: content.map(|c| String::from_utf8_lossy(c).into_owned()),
                entry: e.entry,
            }
        })
        .collect())
}

fn community_slugs(conn: &mut crate::db::AnyConnection) -> diesel::QueryResult<Vec<(i64, String)>> {
    use crate::schema::communities;
    use diesel::prelude::*;
    communities::table
        .select((communities::id, communities::slug))
        .load(conn)
}

// ---- pages ----

pub struct EntryRow {
    pub idx: i64,
    pub kind_key: String,
    pub at: String,
    pub link: Option<String>,
    /// The decision a supervisor change cites, with its page.
    pub cites: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "transparency/log.html")]
struct LogPage {
    ctx: Ctx,
    checkpoint: String,
    key: String,
    size: i64,
    entries: Vec<EntryRow>,
    base: String,
}

/// `GET /log`: what the log is, its newest checkpoint, the newest entries and how to check.
pub async fn log_page(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let checkpoint = latest_checkpoint(&state).await?;
    let (size, recent, slugs) = state
        .db(|conn| {
            Ok((
                log::size(conn)?,
                log::recent(conn, None, 50)?,
                community_slugs(conn)?,
            ))
        })
        .await?;
    let ids: Vec<i64> = recent
        .iter()
        .filter(|e| e.kind == Kind::SupervisorChange.as_str())
        .map(|e| e.record_id)
        .collect();
    let cited = state
        .db(move |conn| Ok(crate::communities::record::cited_decisions(conn, &ids)?))
        .await?;
    page(&LogPage {
        entries: rows(recent, &slugs, &cited),
        key: state.log_key.verifier_key().to_string(),
        base: state.config.base_url.clone().unwrap_or_default(),
        ctx,
        checkpoint,
        size,
    })
}

/// The log's entries as the page lists them; `cited` is (supervisor change, decision).
fn rows(
    entries: Vec<log::Entry>,
    slugs: &[(i64, String)],
    cited: &[(i64, Option<i64>)],
) -> Vec<EntryRow> {
    entries
        .into_iter()
        .map(|e| {
            let slug = e.community_id.and_then(|c| {
                slugs
                    .iter()
                    .find(|(id, _)| *id == c)
                    .map(|(_, s)| s.as_str())
            });
            EntryRow {
                idx: e.idx,
                kind_key: format!("tlog.kind_{}", e.kind),
                at: fmt_time(&e.created_at),
                link: Kind::parse(&e.kind).and_then(|k| records::link(k, slug, e.record_id)),
                cites: (e.kind == Kind::SupervisorChange.as_str())
                    .then(|| cited.iter().find(|c| c.0 == e.record_id).and_then(|c| c.1))
                    .flatten()
                    .zip(slug)
                    .map(|(d, s)| (d, format!("/c/{s}/decisions/{d}"))),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "transparency/entry.html")]
struct EntryPage {
    ctx: Ctx,
    row: EntryRow,
    entry: String,
    leaf_hash: String,
    size: i64,
    proof: Vec<String>,
    content: Option<String>,
    matches: bool,
}

/// `GET /log/entries/{idx}`: one leaf, its record, and its inclusion proof in the newest tree.
pub async fn entry_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let idx = path.into_inner();
    latest_checkpoint(&state).await?;
    let (e, size, proof, content, (slugs, cited)) = state
        .db(move |conn| {
            let e = log::entry(conn, idx)?.ok_or(AppError::NotFound)?;
            let cited = crate::communities::record::cited_decisions(conn, &[e.record_id])?;
            let size = log::size(conn)?;
            let proof = log::inclusion(conn, size as u64, idx as u64)?;
            let content = match Kind::parse(&e.kind) {
                Some(k) => records::content(conn, k, e.record_id)?,
                None => None,
            };
            let slugs = community_slugs(conn)?;
            Ok((e, size, proof, content, (slugs, cited)))
        })
        .await?;
    let matches = content
        .as_deref()
        .is_some_and(|c| log::sha256_hex(c) == e.content_sha256);
    let leaf_hash = BASE64_STANDARD.encode(tlog_tiles::record_hash(e.entry.as_bytes()).0);
    let entry = e.entry.clone();
    page(&EntryPage {
        row: rows(vec![e], &slugs, &cited).remove(0),
        entry,
        leaf_hash,
        size,
        proof: b64(&proof),
        content: content.map(|c| String::from_utf8_lossy(&c).into_owned()),
        matches,
        ctx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_indexes_read_as_in_the_spec() {
        assert_eq!(parse_tile_index("000"), Some((0, 256)));
        assert_eq!(parse_tile_index("067"), Some((67, 256)));
        assert_eq!(parse_tile_index("x001/x234/067"), Some((1_234_067, 256)));
        assert_eq!(parse_tile_index("x001/x234/067.p/8"), Some((1_234_067, 8)));
        assert_eq!(parse_tile_index("000.p/255"), Some((0, 255)));
        assert_eq!(
            parse_tile_index("x018/x446/x744/x073/x709/x551/615"),
            Some((u64::MAX, 256))
        );
        for bad in [
            "000.p/256",
            "000.p/0",
            "000.p/08",
            "000.p/+8",
            "000.p/5.p/3",
            "000.p/",
            "67",
            "001/067",
            "x1/067",
            "x000/067",
            "x001/x234/067/",
            "/067",
            "x018/x446/x744/x073/x709/x551/616",
            "x072/x000/x000/x000/x000/x000/x000/936.p/5",
            "",
        ] {
            assert_eq!(parse_tile_index(bad), None, "{bad}");
        }
        for (n, w) in [(0, 256), (999, 256), (1000, 3), (u64::MAX, 255)] {
            assert_eq!(parse_tile_index(&tile_index_path(n, w)), Some((n, w)));
        }
    }

    #[test]
    fn tile_levels_read_as_in_the_spec() {
        assert_eq!(parse_tile_level("0"), Some(0));
        assert_eq!(parse_tile_level("5"), Some(5));
        for bad in ["6", "00", "01", "+1", "-0", "", "256", "entries"] {
            assert_eq!(parse_tile_level(bad), None, "{bad}");
        }
    }
}
