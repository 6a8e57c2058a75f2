//! The views of the project pages: the list, a new project's form, the project page with its
//! payment form, the printable notice, a disbursement's page and the power list, with the
//! forms they show again when refused.

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::model::{DecisionRef, Disbursement, PowerRow, Project, RefusalRow};
use super::rules::{Body, Comparison, SpendKind};
use crate::communities::model::Community;
use crate::web::ctx::Ctx;
use crate::web::forms::FieldErrors;

/// A threshold in words, "¥50,000.00 以上" or "超过 ¥50,000.00", in the reader's language.
pub fn limit(ctx: &Ctx, p: &PowerRow) -> String {
    let amount = format!("¥{}", crate::money::format_amount(p.threshold_fen));
    ctx.f(p.limit_key(), &[("amount", &amount)])
}

// ---- the list ----

pub struct ProjectRow {
    pub p: Project,
    pub spent: i64,
    pub percent: Option<u32>,
    pub over: bool,
    pub schedule_key: &'static str,
}

#[derive(Template)]
#[template(path = "projects/list.html")]
pub struct ListPage {
    pub ctx: Ctx,
    pub community: Community,
    pub rows: Vec<ProjectRow>,
    pub can_manage: bool,
}

// ---- a new project ----

#[derive(Default, Clone)]
pub struct ProjectForm {
    pub prefix: String,
    pub code: String,
    pub title: String,
    pub announcement: String,
    pub budget: String,
    pub contractor: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: String,
    pub actual_end: String,
    pub decisions: Vec<i64>,
}

impl ProjectForm {
    pub fn has(&self, decision: &i64) -> bool {
        self.decisions.contains(decision)
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> ProjectForm {
        let mut f = ProjectForm::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "prefix" => f.prefix = v,
                "code" => f.code = v,
                "title" => f.title = v,
                "announcement" => f.announcement = v,
                "budget" => f.budget = v,
                "contractor" => f.contractor = v,
                "planned_start" => f.planned_start = v,
                "planned_end" => f.planned_end = v,
                "actual_start" => f.actual_start = v,
                "actual_end" => f.actual_end = v,
                "decision" => f.decisions.extend(v.trim().parse::<i64>().ok()),
                _ => {}
            }
        }
        f
    }
}

#[derive(Template)]
#[template(path = "projects/new.html")]
pub struct NewPage {
    pub ctx: Ctx,
    pub community: Community,
    pub form: ProjectForm,
    pub errors: FieldErrors,
    pub decisions: Vec<DecisionRef>,
}

// ---- the project page ----

pub struct OrderView {
    pub id: i64,
    pub title: String,
    pub state_key: String,
    pub budget_yuan: Option<i64>,
    pub photos: Vec<String>,
}

pub struct PaymentView {
    pub d: Disbursement,
    pub log_index: Option<i64>,
    /// The latest supervisor's review of its voucher (locale key, reviewer), if any.
    pub review: Option<(&'static str, String)>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PayForm {
    pub amount: String,
    pub paid_on: String,
    pub payee: String,
    pub voucher: String,
    pub decision: String,
    pub override_reason: String,
}

#[derive(Template)]
#[template(path = "projects/show.html")]
pub struct ShowPage {
    pub ctx: Ctx,
    pub community: Community,
    pub p: Project,
    pub decisions: Vec<DecisionRef>,
    pub orders: Vec<OrderView>,
    pub payments: Vec<PaymentView>,
    pub spent: i64,
    pub percent: Option<u32>,
    pub over: bool,
    pub schedule_key: &'static str,
    pub can_manage: bool,
    pub can_oversee: bool,
    pub refusals: Vec<(RefusalRow, String)>,
    pub passed: Vec<DecisionRef>,
    pub unattached: Vec<(i64, String)>,
    pub acceptances: Vec<super::acceptance::Acceptance>,
    pub form: PayForm,
    pub errors: FieldErrors,
    pub notice: Option<&'static str>,
}

/// What the project page shows besides the project: a notice, or a refused payment form.
pub struct Shown {
    pub errors: FieldErrors,
    pub form: PayForm,
    pub notice: Option<&'static str>,
    pub status: StatusCode,
}

impl Shown {
    pub fn ok(notice: Option<&'static str>) -> Shown {
        Shown {
            errors: FieldErrors::default(),
            form: PayForm::default(),
            notice,
            status: StatusCode::OK,
        }
    }

    /// The page again with these errors (422).
    pub fn refused(errors: FieldErrors) -> Shown {
        Shown {
            errors,
            form: PayForm::default(),
            notice: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

// ---- the printable notice ----

#[derive(Template)]
#[template(path = "projects/notice.html")]
pub struct NoticePage {
    pub ctx: Ctx,
    pub community: Community,
    pub p: Project,
    pub url: String,
    pub svg: String,
    pub decisions: Vec<DecisionRef>,
    pub spent: i64,
}

// ---- a disbursement's page ----

#[derive(Template)]
#[template(path = "projects/disbursement.html")]
pub struct PaymentPage {
    pub ctx: Ctx,
    pub community: Community,
    pub d: Disbursement,
    pub p: Project,
    pub power: Option<PowerRow>,
    pub decision_title: Option<String>,
    pub recorder: String,
    pub log_index: Option<i64>,
    /// The supervisors' reviews of the voucher, oldest first, with the reviewer's name.
    pub reviews: Vec<(super::vouchers::Review, String)>,
    pub can_review: bool,
    pub notice: Option<&'static str>,
    /// A review refused: what to fix, and the note as typed.
    pub error: Option<String>,
    pub typed: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReviewForm {
    /// "reviewed" or "queried".
    pub verdict: String,
    pub note: String,
}

// ---- the power list ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PowerForm {
    pub code: String,
    pub name: String,
    pub procedure: String,
    pub kind: String,
    pub body: String,
    pub threshold: String,
    /// "at_least" (以上) or "above" (超过).
    pub comparison: String,
    /// The villagers' decision that adopts the change.
    pub decision: String,
}

#[derive(Template)]
#[template(path = "projects/powers.html")]
pub struct PowersPage {
    pub ctx: Ctx,
    pub community: Community,
    pub current: Vec<PowerRow>,
    pub history: Vec<PowerRow>,
    /// The day the list is shown as of, if not today.
    pub as_of: Option<chrono::NaiveDate>,
    /// The day as typed into the "as of" form.
    pub as_of_typed: String,
    /// The decisions a change may cite: passed, of the villagers' or representatives' meeting.
    pub adopting: Vec<DecisionRef>,
    pub comparisons: &'static [Comparison],
    pub can_manage: bool,
    pub form: PowerForm,
    pub errors: FieldErrors,
    pub notice: Option<&'static str>,
    pub kinds: &'static [SpendKind],
    pub bodies: &'static [Body],
}
