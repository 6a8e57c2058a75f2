//! The log in the database: a leaf appended in the publisher's own transaction, the tree's
//! stored hashes (Go tlog / C2SP tlog-tiles numbering), roots, proofs, tiles and entry bundles.
//!
//! This is the log's core: it imports no feature. A feature builds its record's canonical
//! content next to its model (a `record` module) and publishes it with one call,
//! [`publish`]. Content is JSON with sorted keys, timestamps as UTC text with microseconds
//! ([`ts`]), no floats, and nothing the public pages do not already show.

use std::cell::RefCell;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tlog_tiles::{Hash, HashReader};

use crate::db::AnyConnection;
use crate::schema::{log_entries, log_hashes, log_head};

/// What was published. The name is part of each leaf's text, so it never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A decision (a closed ballot's published result).
    Decision,
    /// A ballot's frozen list of voters, at its opening.
    Electorate,
    /// A secret ballot's public board of receipt codes and choices, at its publication.
    Board,
    /// A work order, as received.
    OrderCreated,
    /// A work order's completion (the assignee's note, at the time it was made).
    OrderCompleted,
    /// A role given to someone in a community.
    RoleGrant,
    /// A version of a disclosure.
    Disclosure,
    /// A payment out of a project's or the village's funds.
    Disbursement,
    /// The committee's public answer to an inquiry.
    InquiryAnswer,
    /// An item of the power list (小微权力清单) adopted or changed by the villagers' decision.
    PowerChange,
    /// A convening notice (召集通知) of a statutory meeting.
    ConveningNotice,
    /// A step of a work order sent up to the township by hand: sent, taken, sent back (its
    /// timeline event).
    OrderEscalation,
    /// A member of the 村务监督委员会 appointed or removed, citing the decision of the
    /// villagers' (representatives') meeting, or resigning (art. 32).
    SupervisorChange,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Decision,
        Kind::Electorate,
        Kind::Board,
        Kind::OrderCreated,
        Kind::OrderCompleted,
        Kind::RoleGrant,
        Kind::Disclosure,
        Kind::Disbursement,
        Kind::InquiryAnswer,
        Kind::PowerChange,
        Kind::ConveningNotice,
        Kind::OrderEscalation,
        Kind::SupervisorChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Decision => "decision",
            Kind::Electorate => "electorate",
            Kind::Board => "board",
            Kind::OrderCreated => "order_created",
            Kind::OrderCompleted => "order_completed",
            Kind::RoleGrant => "role_grant",
            Kind::Disclosure => "disclosure",
            Kind::Disbursement => "disbursement",
            Kind::InquiryAnswer => "inquiry_answer",
            Kind::PowerChange => "power_change",
            Kind::ConveningNotice => "convening_notice",
            Kind::OrderEscalation => "order_escalation",
            Kind::SupervisorChange => "supervisor_change",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The tile height of C2SP tlog-tiles: 256 hashes a tile.
pub const TILE_HEIGHT: u8 = 8;
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// The leaf's text, version 1: a few `key value` lines naming the record and carrying the
/// SHA-256 of its canonical content. It is what is hashed into the tree (RFC 6962 leaf hash).
pub fn entry_text(
    kind: Kind,
    community_id: Option<i64>,
    record_id: i64,
    content_sha256: &str,
    at: NaiveDateTime,
) -> String {
    let community = community_id.map(|c| c.to_string()).unwrap_or("-".into());
    format!(
        "yishi-log-entry v1\nkind {}\ncommunity {community}\nrecord {record_id}\ntime {}\nsha256 {content_sha256}\n",
        kind.as_str(),
        ts(&at),
    )
}

/// A timestamp in canonical content: UTC with microseconds.
pub fn ts(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A record's canonical bytes: its content as JSON (keys sorted) and a newline.
pub fn canonical(content: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(content).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The one content a builder found for one id; not found if there is none.
pub fn the_one(mut found: Vec<(i64, Value)>) -> QueryResult<Value> {
    match found.pop() {
        Some((_, v)) if found.is_empty() => Ok(v),
        _ => Err(diesel::result::Error::NotFound),
    }
}

/// Publishes a record in the caller's transaction: appends the leaf of `content` (built by
/// the record's feature). Returns the leaf's index.
pub fn publish(
    conn: &mut AnyConnection,
    kind: Kind,
    community_id: Option<i64>,
    record_id: i64,
    content: &Value,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let bytes = canonical(content);
    append_bytes(conn, kind, community_id, record_id, &bytes, now)
}

/// Appends the leaf of a record's canonical bytes in the caller's transaction, with the
/// log's errors as the database's (the caller's transaction rolls back either way).
pub fn append_bytes(
    conn: &mut AnyConnection,
    kind: Kind,
    community_id: Option<i64>,
    record_id: i64,
    content: &[u8],
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let p = Publication {
        community_id,
        kind,
        record_id,
        content,
    };
    append(conn, &p, now).map_err(|e| match e {
        LogError::Db(e) => e,
        other => diesel::result::Error::QueryBuilderError(other.to_string().into()),
    })
}

/// The fields of a leaf's text, as a verifier reads them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    pub kind: String,
    pub community: String,
    pub record_id: i64,
    pub time: String,
    pub sha256: String,
}

pub fn parse_entry(text: &str) -> Option<ParsedEntry> {
    let mut lines = text.lines();
    if lines.next()? != "yishi-log-entry v1" {
        return None;
    }
    let mut field = |name: &str| -> Option<String> {
        let line = lines.next()?;
        line.strip_prefix(name)?
            .strip_prefix(' ')
            .map(|v| v.to_string())
    };
    Some(ParsedEntry {
        kind: field("kind")?,
        community: field("community")?,
        record_id: field("record")?.parse().ok()?,
        time: field("time")?,
        sha256: field("sha256")?,
    })
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// Something published, about to be logged.
pub struct Publication<'a> {
    pub community_id: Option<i64>,
    pub kind: Kind,
    pub record_id: i64,
    /// The record's canonical content (its feature's `record` module must give the same bytes
    /// later, when `records::content` asks).
    pub content: &'a [u8],
}

/// Reads stored hashes from the database for the tlog algorithms.
pub struct DbHashes<'a> {
    conn: RefCell<&'a mut AnyConnection>,
}

impl<'a> DbHashes<'a> {
    pub fn new(conn: &'a mut AnyConnection) -> Self {
        DbHashes {
            conn: RefCell::new(conn),
        }
    }
}

impl HashReader for DbHashes<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        // Every other append needs no sibling: no query for nothing.
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = indexes.iter().map(|&i| i as i64).collect();
        let mut conn = self.conn.borrow_mut();
        let rows: Vec<(i64, Vec<u8>)> = log_hashes::table
            .filter(log_hashes::id.eq_any(&ids))
            .select((log_hashes::id, log_hashes::hash))
            .load(&mut **conn)
            .map_err(|e| tlog_tiles::Error::InvalidInput(e.to_string()))?;
        let found: std::collections::HashMap<i64, Vec<u8>> = rows.into_iter().collect();
        ids.iter()
            .map(|id| {
                let bytes = found.get(id).ok_or(tlog_tiles::Error::IndexesNotInTree)?;
                let arr: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| tlog_tiles::Error::MalformedHash)?;
                Ok(Hash(arr))
            })
            .collect()
    }
}

/// Why the log could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("tree: {0}")]
    Tree(#[from] tlog_tiles::Error),
    #[error("out of range")]
    OutOfRange,
}

impl From<LogError> for crate::error::AppError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Db(e) => e.into(),
            LogError::OutOfRange => crate::error::AppError::NotFound,
            LogError::Tree(e) => crate::error::AppError::Internal(format!("log: {e}")),
        }
    }
}

/// Appends a leaf for `p` in the caller's transaction; returns its index. The bump of
/// `log_head` takes that row's lock, so concurrent publications get consecutive indexes and
/// each one's stored hashes are computed over a settled tree.
pub fn append(
    conn: &mut AnyConnection,
    p: &Publication,
    now: NaiveDateTime,
) -> Result<i64, LogError> {
    let size: i64 = diesel::update(log_head::table.find(1))
        .set(log_head::size.eq(log_head::size + 1))
        .returning(log_head::size)
        .get_result(conn)?;
    let idx = size - 1;
    let sha = sha256_hex(p.content);
    let text = entry_text(p.kind, p.community_id, p.record_id, &sha, now);
    let leaf = tlog_tiles::record_hash(text.as_bytes());
    let stored =
        tlog_tiles::stored_hashes_for_record_hash(idx as u64, leaf, &DbHashes::new(&mut *conn))?;
    let first = tlog_tiles::stored_hash_index(0, idx as u64) as i64;
    for (i, h) in stored.iter().enumerate() {
        diesel::insert_into(log_hashes::table)
            .values((
                log_hashes::id.eq(first + i as i64),
                log_hashes::hash.eq(h.0.to_vec()),
            ))
            .execute(conn)?;
    }
    diesel::insert_into(log_entries::table)
        .values((
            log_entries::idx.eq(idx),
            log_entries::community_id.eq(p.community_id),
            log_entries::kind.eq(p.kind.as_str()),
            log_entries::record_id.eq(p.record_id),
            log_entries::content_sha256.eq(&sha),
            log_entries::entry.eq(&text),
            log_entries::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(idx)
}

/// How many leaves the log holds.
pub fn size(conn: &mut AnyConnection) -> QueryResult<i64> {
    log_head::table.find(1).select(log_head::size).first(conn)
}

/// The root of the tree of the first `size` leaves.
pub fn root(conn: &mut AnyConnection, size: u64) -> Result<Hash, LogError> {
    Ok(tlog_tiles::tree_hash(size, &DbHashes::new(conn))?)
}

/// Whether a tree of `size` leaves is beyond the log's current size (or any i64).
fn beyond(conn: &mut AnyConnection, size: u64) -> Result<bool, LogError> {
    let current = self::size(conn)?;
    Ok(i64::try_from(size).map_or(true, |s| s > current))
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion(conn: &mut AnyConnection, size: u64, index: u64) -> Result<Vec<Hash>, LogError> {
    if index >= size || beyond(conn, size)? {
        return Err(LogError::OutOfRange);
    }
    Ok(tlog_tiles::prove_record(size, index, &DbHashes::new(conn))?)
}

/// The consistency proof from the tree of `old` leaves to the tree of `size` leaves.
pub fn consistency(conn: &mut AnyConnection, size: u64, old: u64) -> Result<Vec<Hash>, LogError> {
    if old == 0 || old > size || beyond(conn, size)? {
        return Err(LogError::OutOfRange);
    }
    Ok(tlog_tiles::prove_tree(size, old, &DbHashes::new(conn))?)
}

/// A hash tile (C2SP tlog-tiles): `width` hashes of tree level 8·`level`, from 256·`n`.
/// Only hashes already in the tree of `size` leaves are served; every bound is checked
/// without wrapping, so no tile path can reach another tile's hashes.
pub fn tile(
    conn: &mut AnyConnection,
    size: u64,
    level: u8,
    n: u64,
    width: u32,
) -> Result<Vec<u8>, LogError> {
    if width == 0 || u64::from(width) > TILE_WIDTH || level > 5 {
        return Err(LogError::OutOfRange);
    }
    // The tile's last hash covers leaves up to ((n·256 + width) · 256^level).
    let scale = 1u64 << (u32::from(TILE_HEIGHT) * u32::from(level));
    let end = n
        .checked_mul(TILE_WIDTH)
        .and_then(|x| x.checked_add(u64::from(width)))
        .and_then(|x| x.checked_mul(scale))
        .ok_or(LogError::OutOfRange)?;
    if end > size {
        return Err(LogError::OutOfRange);
    }
    let t = tlog_tiles::Tile::new(TILE_HEIGHT, level, n, width, false);
    Ok(t.read_data(&DbHashes::new(conn))?)
}

/// An entry bundle (C2SP tlog-tiles): `width` leaves from 256·`n`, each as a big-endian
/// 16-bit length and the leaf's text. Only leaves already in the log are served.
pub fn entry_bundle(
    conn: &mut AnyConnection,
    size: u64,
    n: u64,
    width: u32,
) -> Result<Vec<u8>, LogError> {
    if width == 0 || u64::from(width) > TILE_WIDTH {
        return Err(LogError::OutOfRange);
    }
    let start = n.checked_mul(TILE_WIDTH).ok_or(LogError::OutOfRange)?;
    let end = start
        .checked_add(u64::from(width))
        .ok_or(LogError::OutOfRange)?;
    if end > size {
        return Err(LogError::OutOfRange);
    }
    let (start, end) = (
        i64::try_from(start).map_err(|_| LogError::OutOfRange)?,
        i64::try_from(end).map_err(|_| LogError::OutOfRange)?,
    );
    let texts: Vec<String> = log_entries::table
        .filter(log_entries::idx.ge(start))
        .filter(log_entries::idx.lt(end))
        .order(log_entries::idx)
        .select(log_entries::entry)
        .load(conn)?;
    if texts.len() as u64 != u64::from(width) {
        return Err(LogError::OutOfRange);
    }
    let mut out = Vec::new();
    for t in texts {
        let len = u16::try_from(t.len()).map_err(|_| LogError::OutOfRange)?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(t.as_bytes());
    }
    Ok(out)
}

/// Splits an entry bundle back into leaf texts.
pub fn split_bundle(bytes: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.len() < 2 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let body = rest.get(2..2 + len)?;
        out.push(String::from_utf8(body.to_vec()).ok()?);
        rest = &rest[2 + len..];
    }
    Some(out)
}

/// One leaf as stored.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = log_entries)]
pub struct Entry {
    pub idx: i64,
    pub community_id: Option<i64>,
    pub kind: String,
    pub record_id: i64,
    pub content_sha256: String,
    pub entry: String,
    pub created_at: NaiveDateTime,
}

pub fn entry(conn: &mut AnyConnection, idx: i64) -> QueryResult<Option<Entry>> {
    log_entries::table
        .find(idx)
        .select(Entry::as_select())
        .first(conn)
        .optional()
}

pub fn entries(conn: &mut AnyConnection, from: i64, count: i64) -> QueryResult<Vec<Entry>> {
    log_entries::table
        .filter(log_entries::idx.ge(from))
        .order(log_entries::idx)
        .limit(count)
        .select(Entry::as_select())
        .load(conn)
}

/// The newest leaves of a community (or of every community), newest first.
pub fn recent(
    conn: &mut AnyConnection,
    community_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Entry>> {
    let mut q = log_entries::table.into_boxed();
    if let Some(c) = community_id {
        q = q.filter(log_entries::community_id.eq(c));
    }
    q.order(log_entries::idx.desc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)
}

/// (record id, log index) of the leaves of `kind` for these records: one query.
pub fn indexes_of(
    conn: &mut AnyConnection,
    kind: Kind,
    record_ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    log_entries::table
        .filter(log_entries::kind.eq(kind.as_str()))
        .filter(log_entries::record_id.eq_any(record_ids))
        .select((log_entries::record_id, log_entries::idx))
        .load(conn)
}

/// How many leaves a community has.
pub fn count_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<i64> {
    log_entries::table
        .filter(log_entries::community_id.eq(community_id))
        .count()
        .get_result(conn)
}

/// The log index of a record's leaf, for the record's page.
pub fn index_of(conn: &mut AnyConnection, kind: Kind, record_id: i64) -> QueryResult<Option<i64>> {
    log_entries::table
        .filter(log_entries::kind.eq(kind.as_str()))
        .filter(log_entries::record_id.eq(record_id))
        .order(log_entries::idx)
        .select(log_entries::idx)
        .first(conn)
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 6))
            .expect("a time");
        let text = entry_text(Kind::Decision, Some(3), 17, &sha256_hex(b"x"), at);
        let parsed = parse_entry(&text).expect("parses");
        assert_eq!(parsed.kind, "decision");
        assert_eq!(parsed.community, "3");
        assert_eq!(parsed.record_id, 17);
        assert_eq!(parsed.time, "2026-11-27T03:04:05.000006Z");
        assert_eq!(parsed.sha256, sha256_hex(b"x"));
        assert!(parse_entry("something else\n").is_none());
    }

    #[test]
    fn bundles_split_back_into_entries() {
        let texts = ["a\n".to_string(), "二\n".to_string(), String::new()];
        let mut bytes = Vec::new();
        for t in &texts {
            bytes.extend_from_slice(&(t.len() as u16).to_be_bytes());
            bytes.extend_from_slice(t.as_bytes());
        }
        assert_eq!(split_bundle(&bytes).expect("splits"), texts.to_vec());
        assert!(split_bundle(&bytes[..bytes.len() - 1]).is_none());
    }

    #[test]
    fn timestamps_keep_microseconds_in_utc() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 60))
            .expect("a time");
        assert_eq!(ts(&t), "2026-01-02T03:04:05.000060Z");
    }

    #[test]
    fn json_keys_come_out_sorted_whatever_the_order_written() {
        let a = canonical(&serde_json::json!({"b": 1, "a": 2}));
        assert_eq!(a, b"{\"a\":2,\"b\":1}\n");
    }

    #[test]
    fn every_kind_round_trips() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}
