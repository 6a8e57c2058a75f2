//! The forms of sending up on an order's page: the committee sends an order up to the
//! township with a reason; township staff take it or send it back with instructions.
//! A refusal shows the order page again with the message and what was typed (422).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::handlers::refuse_form;
use super::model;
use super::upward::{self, Up};
use crate::authz::Action;
use crate::db::write_tx;
use crate::error::AppError;
use crate::township::rules::MAX_TEXT;
use crate::web::community::load_as;
use crate::web::forms::{text_field, Posted};
use crate::web::{see_other, AppState};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendUpForm {
    pub reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendBackForm {
    pub instructions: String,
}

/// The committee sends an order up to its township, with a reason.
pub async fn send_up(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<SendUpForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let on = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    step(
        &state,
        ctx,
        on,
        id,
        ("send-up", "upward.reason"),
        form.reason,
        None,
    )
    .await
}

/// Township staff take an order sent up: it is then due on the township's clock.
pub async fn take(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<SendBackForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, .. } = p;
    let (slug, id) = path.into_inner();
    let on = load_as(&state, &ctx, slug, Action::AnswerForTownship).await?;
    step(
        &state,
        ctx,
        on,
        id,
        ("take", "upward.take"),
        String::new(),
        Some(false),
    )
    .await
}

/// Township staff send an order back to the community, with instructions.
pub async fn send_back(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<SendBackForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let on = load_as(&state, &ctx, slug, Action::AnswerForTownship).await?;
    let field = ("send-back", "upward.instructions");
    step(&state, ctx, on, id, field, form.instructions, Some(true)).await
}

/// One step: the text checked (kept on refusal), then sent up (`back`: `None`), taken
/// (`Some(false)`) or sent back (`Some(true)`) in one transaction.
async fn step(
    state: &AppState,
    ctx: crate::web::ctx::Ctx,
    (community, actor, me): (
        crate::communities::model::Community,
        crate::authz::Actor,
        i64,
    ),
    id: i64,
    (form, label): (&'static str, &str),
    typed: String,
    back: Option<bool>,
) -> Result<HttpResponse, AppError> {
    let (cid, slug, now) = (community.id, community.slug.clone(), state.clock.now());
    let text = match text_field(&typed, 0, MAX_TEXT) {
        Ok(t) => t,
        Err(e) => {
            let message = format!("{}：{}", ctx.t(label), e.message(&ctx.tr));
            return refuse_form(state, (ctx, community, actor, id), form, message, typed).await;
        }
    };
    let s = slug.clone();
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let up = Up {
                    order: &order,
                    slug: &s,
                    actor: me,
                    text: &text,
                    now,
                };
                match back {
                    None => upward::send_up(conn, &up),
                    Some(back) => upward::answer(conn, &up, back),
                }
            })
        })
        .await?;
    match result {
        Ok(()) => {
            let done = match back {
                None => "sent_up",
                Some(false) => "taken",
                Some(true) => "sent_back",
            };
            Ok(see_other(&format!("/c/{slug}/orders/{id}?done={done}")))
        }
        Err(key) => {
            let message = ctx.t(key).to_string();
            refuse_form(state, (ctx, community, actor, id), form, message, typed).await
        }
    }
}
