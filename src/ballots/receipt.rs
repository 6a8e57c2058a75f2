//! The voter's receipt of a secret ballot, to keep without copying anything by hand: as a
//! picture (an SVG file to save) or as a page to print. The server never stored whose code
//! is whose, so the code comes back from the voter's own page in the body of a POST — never
//! in a URL, where it would land in access logs beside the voter's session.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::page::load_ballot;
use super::tracker;
use crate::agenda::model as agenda;
use crate::authz::Action;
use crate::communities::model::Community;
use crate::error::AppError;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::Posted;
use crate::web::{page, AppState};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReceiptForm {
    pub tracker: String,
    /// "picture" for the SVG file, anything else for the printable page.
    pub keep: String,
}

/// What a receipt shows, on paper or as a picture.
struct Receipt {
    community: String,
    item_title: String,
    ballot_id: i64,
    /// The code in groups of four, split over two lines for a narrow picture.
    lines: [String; 2],
    /// The first four characters, which find the vote on the board.
    first_four: String,
}

#[derive(Template)]
#[template(path = "ballots/receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    community: Community,
    r: Receipt,
}

#[derive(Template)]
#[template(path = "ballots/receipt.svg", escape = "html")]
struct ReceiptPicture {
    ctx: Ctx,
    r: Receipt,
}

/// Gives the voter their receipt as a picture to save or a page to print.
pub async fn keep(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReceiptForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::Vote).await?;
    let (ballot, _) = load_ballot(&state, community.id, id).await?;
    let code = tracker::normalize(&form.tracker);
    if !ballot.secret || !tracker::is_valid(&code) {
        return Err(AppError::BadRequest("not a tracker code".into()));
    }
    let (cid, item) = (community.id, ballot.item_id);
    let item_title = state
        .db(move |conn| Ok(agenda::find(conn, cid, item)?.map(|i| i.title)))
        .await?
        .unwrap_or_default();
    let grouped = tracker::grouped(&code);
    // 7 groups of 4: the first four groups on one line, the other three on the next.
    let cut = grouped
        .match_indices('-')
        .nth(3)
        .map_or(grouped.len(), |(i, _)| i);
    let r = Receipt {
        community: community.name.clone(),
        item_title,
        ballot_id: ballot.id,
        lines: [
            grouped[..cut].to_string(),
            grouped[cut..].trim_start_matches('-').to_string(),
        ],
        first_four: code.chars().take(4).collect(),
    };
    if form.keep == "picture" {
        let svg = ReceiptPicture { ctx, r }.render()?;
        let file = format!("attachment; filename=\"receipt-{}.svg\"", ballot.id);
        return Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
            .insert_header((CONTENT_DISPOSITION, file))
            .insert_header(("Cache-Control", "no-store"))
            .body(svg));
    }
    page(&ReceiptPage { ctx, community, r })
}
