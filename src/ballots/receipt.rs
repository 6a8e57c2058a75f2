//! The voter's receipt of a secret ballot, to keep without copying anything by hand: as a
//! picture (a PNG to save to the phone's album) or as a page to print. The server never stored whose code
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
    lines: Vec<Line>,
    height: u32,
}

/// One line of text on the picture, at its baseline `y`.
struct Line {
    text: String,
    y: u32,
    size: u32,
    bold: bool,
    grey: bool,
    mono: bool,
}

/// The picture's lines, wrapped to its width (720 units less the margins), and its height.
fn layout(ctx: &Ctx, r: &Receipt) -> (Vec<Line>, u32) {
    let mut lines = Vec::new();
    let mut y = 30;
    let mut put = |text: &str, size: u32, (bold, grey, mono): (bool, bool, bool), gap: u32| {
        // A CJK character is about as wide as the font size; 640 units are free. The code's
        // lines (monospace, half as wide) were already cut in two.
        let width = if mono {
            usize::MAX
        } else {
            (640 / size) as usize
        };
        y += gap;
        for part in wrap(text, width) {
            y += size;
            lines.push(Line {
                text: part,
                y,
                size,
                bold,
                grey,
                mono,
            });
            y += size / 3;
        }
    };
    put(ctx.t("ballots.receipt_title"), 36, (true, false, false), 6);
    put(&r.community, 24, (false, false, false), 10);
    let what = format!("{}（#{}）", r.item_title, r.ballot_id);
    put(&what, 24, (false, false, false), 0);
    put(ctx.t("ballots.your_tracker"), 24, (false, true, false), 20);
    for code in &r.lines {
        put(code, 44, (false, false, true), 4);
    }
    let find = ctx.f("ballots.receipt_find", &[("first", r.first_four.as_str())]);
    put(&find, 22, (false, false, false), 16);
    put(
        ctx.t("ballots.receipt_secret"),
        18,
        (false, true, false),
        10,
    );
    (lines, y + 36)
}

/// `text` cut into lines of at most `width` characters, a Latin word never split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut n = 0;
    let mut word = String::new();
    let flush = |out: &mut Vec<String>, n: &mut usize, word: &mut String| {
        let w = word.chars().count();
        if *n + w > width && *n > 0 {
            out.push(String::new());
            *n = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push_str(word);
        }
        *n += w;
        word.clear();
    };
    for c in text.chars() {
        word.push(c);
        if !c.is_ascii_alphanumeric() {
            flush(&mut out, &mut n, &mut word);
        }
    }
    flush(&mut out, &mut n, &mut word);
    out
}

/// The system's fonts, read once: reading them takes longer than drawing a receipt.
fn fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> =
        std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            std::sync::Arc::new(db)
        })
        .clone()
}

/// Whether a font that draws Chinese is installed; without one the picture would show boxes.
fn draws_chinese(db: &resvg::usvg::fontdb::Database) -> bool {
    db.faces().any(|f| {
        f.families.iter().any(|(name, _)| {
            [
                "WenQuanYi",
                "Noto Sans CJK",
                "Noto Serif CJK",
                "Source Han",
                "PingFang",
                "YaHei",
            ]
            .iter()
            .any(|known| name.contains(known))
        })
    })
}

/// The receipt drawn as a PNG at twice its size, sharp on a phone's screen, or `None` when
/// this machine has no Chinese font (the SVG is given instead; the phone draws it).
fn png(svg: &str) -> Option<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let fontdb = fonts();
    if !draws_chinese(&fontdb) {
        return None;
    }
    let options = usvg::Options {
        fontdb,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().ok()
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
        let (lines, height) = layout(&ctx, &r);
        let svg = ReceiptPicture { ctx, lines, height }.render()?;
        // Drawing takes a few hundred milliseconds of CPU: off the request threads.
        let (body, kind, ext) = match web::block(move || (png(&svg), svg)).await {
            Ok((Some(png), _)) => (png, "image/png", "png"),
            Ok((None, svg)) => (svg.into_bytes(), "image/svg+xml; charset=utf-8", "svg"),
            Err(e) => return Err(AppError::Internal(format!("receipt picture: {e}"))),
        };
        let file = format!("attachment; filename=\"receipt-{}.{ext}\"", ballot.id);
        return Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, kind))
            .insert_header((CONTENT_DISPOSITION, file))
            .insert_header(("Cache-Control", "no-store"))
            .body(body));
    }
    page(&ReceiptPage { ctx, community, r })
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_every_character_and_never_splits_a_code() {
        let text = "表决结束后，在公示栏输入前4个字符“K3JG”，就能找到这一票。";
        let lines = wrap(text, 10);
        assert_eq!(lines.concat(), text);
        assert!(lines.iter().all(|l| l.chars().count() <= 10));
        assert!(lines.iter().any(|l| l.contains("K3JG")), "{lines:?}");
        assert_eq!(wrap("", 10), vec![String::new()]);
    }
}
