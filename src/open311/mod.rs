//! Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at `/open311/v2/`: other
//! systems (a 12345 hotline, a city's service platform) read a community's work orders and
//! submit reports into them. The endpoint serves every community, so each call names one by
//! `jurisdiction_id` = its slug. Reading is public, as the order pages are; submitting needs
//! an API key the community's committee made (only its SHA-256 is stored). A submitted
//! request becomes an anonymous work order with no reporter account, routed to the default
//! grid's worker like a resident's report. JSON only; errors are GeoReport error bodies
//! `[{"code":400,"description":"..."}]`. Times are RFC 3339 in UTC+8, the time every user
//! here lives in.
//!
//! `handlers` answer the calls and the committee's key pages, `service` stores a submission
//! and changes keys, `model` reads, `rules` checks what callers send (pure), `xml` writes
//! the XML twin of each JSON answer.

use crate::web::i18n::{Lang, Tr};

pub mod handlers;
pub mod model;
pub mod rules;
pub mod service;
pub mod xml;

/// `work_orders.source` of a request that came in through Open311.
pub const SOURCE_OPEN311: &str = "open311";
/// Most requests one list answer carries (the spec's limit).
pub const MAX_RESULTS: i64 = 1000;
/// Days a list covers when the caller names no start.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest description and address accepted.
const MAX_DESCRIPTION: usize = 5000;
const MAX_ADDRESS: usize = 200;
/// Characters of the description that make an order's title.
const TITLE_CHARS: usize = 30;

/// The text the API answers in: the site's first language.
const TR: Tr = Tr(Lang::Zh);
