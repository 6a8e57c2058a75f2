//! The views of the work-order pages: reporting a problem, the list with its traffic lights,
//! an order with its timeline, thread and moves, and the echo wall (回音壁).

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::model::{self, Order};
use crate::comments::view::ThreadView;
use crate::communities::model::{Community, Grid};
use crate::web::ctx::Ctx;
use crate::web::forms::FieldErrors;

// ---- reporting ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub place: String,
    pub latitude: String,
    pub longitude: String,
    pub grid: String,
    pub anonymous: String,
}

#[derive(Template)]
#[template(path = "work_orders/new.html")]
pub struct NewPage {
    pub ctx: Ctx,
    pub community: Community,
    pub form: ReportForm,
    pub errors: FieldErrors,
    pub grids: Vec<Grid>,
    pub categories: [&'static str; 7],
}

// ---- the list ----

#[derive(Template)]
#[template(path = "work_orders/list.html")]
pub struct ListPage {
    pub ctx: Ctx,
    pub community: Community,
    /// Each order with its traffic light ("done" when closed).
    pub orders: Vec<(Order, &'static str)>,
    pub filter: &'static str,
    /// (filter, label key, shown now)
    pub tabs: Vec<(&'static str, &'static str, bool)>,
    pub next: Option<i64>,
    pub can_report: bool,
    pub can_configure: bool,
}

// ---- the order page ----

pub struct MoveView {
    pub to: &'static str,
    pub key: String,
    pub needs_photo: bool,
}

#[derive(Template)]
#[template(path = "work_orders/order.html")]
pub struct OrderPage {
    pub ctx: Ctx,
    pub community: Community,
    pub o: Order,
    pub reporter: String,
    pub assignee: String,
    pub grid: String,
    pub timeline: Vec<model::EventRow>,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub moves: Vec<MoveView>,
    /// The reporter's choice on a finished order, on one card: 确认已解决 (or the committee
    /// accepting work from a decision) and 没解决，退回重办 with its reason.
    pub decide_confirm: bool,
    pub decide_reopen: bool,
    pub can_assign: bool,
    pub can_rate: bool,
    /// (user, name, the current assignee) for the assignment form.
    pub assignable: Vec<(i64, String, bool)>,
    pub light_class: &'static str,
    pub light_key: String,
    /// The township's due time while it holds the order, shown beside the order's own
    /// (which is published and never rewritten).
    pub township_due: Option<chrono::NaiveDateTime>,
    pub coords: Option<String>,
    pub follow_up: bool,
    pub thread: ThreadView,
    pub can_comment: bool,
    pub can_manage: bool,
    pub comment_body: String,
    /// Text typed into the move, assign or rate form, shown again when it was refused.
    pub kept: Kept,
    /// The order's leaf in the transparency log.
    pub log_index: Option<i64>,
    /// Ratings given before a reopening: (rating, comment, when).
    pub earlier_ratings: Vec<(i32, String, chrono::NaiveDateTime)>,
    pub errors: FieldErrors,
    pub notice: Option<&'static str>,
    /// Sending up to the township: where it stands and the forms the viewer may use.
    pub upward: super::upward::View,
}

impl OrderPage {
    /// The fields whose messages the page prints beside them; any other message goes in
    /// the box at the top.
    fn at_fields(&self) -> Vec<&'static str> {
        let mut shown = Vec::new();
        if self.decide_reopen {
            shown.push("reopen_note");
        }
        if self.can_comment {
            shown.push("comment");
        }
        shown
    }
}

/// What was typed into one of the order page's forms (`form`: "comment", "assign", "rate" or
/// "move-STATE"), shown again with the refusal.
#[derive(Default)]
pub struct Kept {
    pub form: String,
    pub text: String,
}

impl Kept {
    /// The text kept for `form`, or nothing.
    pub fn on(&self, form: &str) -> &str {
        if self.form == form {
            &self.text
        } else {
            ""
        }
    }
}

/// What the order page shows besides the order: a notice, or a refused form's message and
/// what was typed into it.
#[derive(Default)]
pub struct Answer {
    pub errors: FieldErrors,
    pub notice: Option<&'static str>,
    pub status: StatusCode,
    pub kept: Kept,
}

impl Answer {
    /// The page with a notice (200).
    pub fn ok(notice: Option<&'static str>) -> Answer {
        Answer {
            notice,
            ..Answer::default()
        }
    }

    /// The page again with `message` beside `field` and what was typed kept (422).
    pub fn refused(field: &'static str, message: String, kept: Kept) -> Answer {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Answer {
            errors,
            notice: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kept,
        }
    }
}

// ---- the echo wall ----

pub struct EchoCard {
    pub o: Order,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "work_orders/echo.html")]
pub struct EchoPage {
    pub ctx: Ctx,
    pub community: Community,
    pub cards: Vec<EchoCard>,
}

/// A timeline note as shown: the words the system wrote ("routed", "escalated",
/// "auto_confirmed") in the reader's language, people's notes as they wrote them.
pub fn note_text(ctx: &Ctx, note: &str) -> String {
    match note {
        "routed" | "escalated" | "auto_confirmed" => {
            ctx.t(&format!("orders.note_{note}")).to_string()
        }
        other => other.to_string(),
    }
}

/// A timeline line's heading: the new state, or the step of sending up (`step` not empty);
/// a sending up withdrawn because the work was done at home says who did it (村里 or 社区).
pub fn step_label(ctx: &Ctx, to_state: &str, step: &str, village: bool) -> String {
    match step {
        "" => ctx.t(&format!("orders.state_{to_state}")).to_string(),
        "withdrawn" if village => ctx.t("upward.step_withdrawn_village").to_string(),
        "withdrawn" => ctx.t("upward.step_withdrawn_urban").to_string(),
        step => ctx.t(&format!("upward.step_{step}")).to_string(),
    }
}
