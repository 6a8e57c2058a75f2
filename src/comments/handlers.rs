//! Comment actions: posting and replying, editing with history, flagging, and hiding in
//! the open. A refusal shows the thread's host page again, as the route table provides it
//! ([`Pages`]).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::host::{OnThread, Pages, Reader};
use super::model::{self, Target};
use super::rules::{self, Stance};
use super::service::{self, Draft};
use crate::audit::{self, Entry};
use crate::authz::{allows, Action, Actor, Role};
use crate::clock::fmt_time;
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::web::community::{authorize, load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, Posted};
use crate::web::{page, see_other, AppState};

// ---- posting ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
    pub stance: String,
    pub parent_id: String,
    pub official: String,
}

pub async fn post<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    post_on::<P>(state, slug, Target::Item(id), p).await
}

/// A comment on a work order: the same thread, rules and moderation as on an item.
pub async fn post_on_order<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    post_on::<P>(state, slug, Target::Order(id), p).await
}

/// A comment on a disclosure: one thread for all its versions, with the same rules and
/// moderation as on an item.
pub async fn post_on_disclosure<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    post_on::<P>(state, slug, Target::Disclosure(id), p).await
}

async fn post_on<P: Pages>(
    state: web::Data<AppState>,
    slug: String,
    target: Target,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::Comment).await?;
    let checked = rules::check_body(&form.body).map_err(|problem| match problem {
        rules::BodyProblem::Empty => ctx.t("comments.err_empty").to_string(),
        rules::BodyProblem::TooLong(n) => ctx.f("err.too_long", &[("n", &n.to_string())]),
    });
    let draft = checked.map(|body| Draft {
        target,
        body,
        stance: Stance::parse(&form.stance),
        parent_id: form.parent_id.trim().parse::<i64>().ok(),
        author_id: me,
        official: actor.has(Role::Committee) && form.official == "on",
    });
    let on = OnThread {
        ctx,
        community,
        actor,
        target,
    };
    let draft = match draft {
        Ok(d) => d,
        Err(msg) => return P::refuse(&state, on, msg, form.body).await,
    };
    let (c, now) = (on.community.clone(), state.clock.now());
    let outcome = state
        .db(move |conn| write_tx(conn, |conn| service::post(conn, &c, &draft, now)))
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "{}?done=commented#comments",
            target.page(&on.community.slug)
        ))),
        Err((key, wait)) => {
            let msg = on.ctx.f(key, &[("n", &wait.unwrap_or(0).to_string())]);
            P::refuse(&state, on, msg, form.body).await
        }
    }
}

// ---- acting on one comment ----

/// Someone acting on one comment: the community, their standing there and the comment,
/// loaded and authorised once for every comment action.
struct Acting {
    ctx: Ctx,
    community: Community,
    actor: Actor,
    me: i64,
    comment: model::Comment,
}

impl Acting {
    async fn load(
        state: &AppState,
        ctx: Ctx,
        path: (String, i64),
        action: Action,
    ) -> Result<Acting, AppError> {
        let (slug, id) = path;
        let (community, actor) = load_community(state, &ctx, slug).await?;
        authorize(&ctx, &actor, action)?;
        let me = ctx.require_user()?.id;
        let cid = community.id;
        let comment = state
            .db(move |conn| Ok(model::find(conn, cid, id)?))
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Acting {
            ctx,
            community,
            actor,
            me,
            comment,
        })
    }

    /// Back to the thread's page with a message (422).
    async fn refuse<P: Pages>(
        self,
        state: &AppState,
        message: String,
    ) -> Result<HttpResponse, AppError> {
        let on = OnThread {
            target: self.comment.target(),
            ctx: self.ctx,
            community: self.community,
            actor: self.actor,
        };
        P::refuse(state, on, message, String::new()).await
    }

    fn done(&self, what: &str) -> HttpResponse {
        see_other(&format!(
            "{}?done={what}#comment-{}",
            self.comment.target().page(&self.community.slug),
            self.comment.id
        ))
    }
}

// ---- editing and history ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    pub body: String,
}

pub async fn edit<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<EditForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let a = Acting::load(&state, ctx, path.into_inner(), Action::Comment).await?;
    if a.comment.author_id != a.me {
        return Err(AppError::Forbidden);
    }
    let Ok(body) = rules::check_body(&form.body) else {
        let msg = a
            .ctx
            .f("comments.err_edit", &[("n", &rules::BODY_MAX.to_string())]);
        return a.refuse::<P>(&state, msg).await;
    };
    if a.comment.hidden {
        let msg = a.ctx.t("comments.err_hidden").to_string();
        return a.refuse::<P>(&state, msg).await;
    }
    let (comment, now) = (a.comment.clone(), state.clock.now());
    state
        .db(move |conn| write_tx(conn, |conn| Ok(model::edit(conn, &comment, &body, now)?)))
        .await?;
    Ok(a.done("edited"))
}

struct RevisionView {
    body_html: String,
    at: String,
}

#[derive(Template)]
#[template(path = "comments/history.html")]
struct HistoryPage {
    ctx: Ctx,
    community: Community,
    back: String,
    author: String,
    current_html: String,
    revisions: Vec<RevisionView>,
}

pub async fn history(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let reader = Reader {
        user_id: ctx.user_id(),
        committee: allows(&actor, Action::ManageAgenda),
    };
    let (comment, author, anonymous, revisions) = state
        .db(move |conn| {
            let c = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let author = crate::accounts::model::find(conn, c.author_id)?.display_name;
            // On an order, its anonymous reporter stays anonymous here too.
            let (host, host_id) = service::host(c.target());
            let anonymous = host.hides_author(conn, cid, host_id, c.author_id, reader)?;
            let revs = model::revisions(conn, id)?;
            Ok((c, author, anonymous, revs))
        })
        .await?;
    let author = if anonymous {
        ctx.t("orders.anonymous").to_string()
    } else {
        author
    };
    // A hidden comment's words stay hidden in its history too.
    if comment.hidden && !allows(&actor, Action::ReadHidden) {
        return Err(AppError::NotFound);
    }
    page(&HistoryPage {
        ctx,
        back: comment.target().page(&community.slug),
        community,
        author,
        current_html: rules::render_markdown(&comment.body),
        revisions: revisions
            .into_iter()
            .map(|(body, at)| RevisionView {
                body_html: rules::render_markdown(&body),
                at: fmt_time(&at),
            })
            .collect(),
    })
}

// ---- flags and moderation ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
}

pub async fn flag<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let a = Acting::load(&state, ctx, path.into_inner(), Action::ViewOwnAccount).await?;
    let reason = match text_field(&form.reason, 1, 500) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!(
                "{} {}",
                a.ctx.t("comments.err_flag_reason"),
                e.message(&a.ctx.tr)
            );
            return a.refuse::<P>(&state, msg).await;
        }
    };
    let (comment, me, now) = (a.comment.clone(), a.me, state.clock.now());
    let added = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                Ok(model::flag(conn, &comment, me, &reason, now)?)
            })
        })
        .await?;
    if !added {
        let msg = a.ctx.t("comments.err_flagged_twice").to_string();
        return a.refuse::<P>(&state, msg).await;
    }
    Ok(a.done("flagged"))
}

pub async fn hide<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    moderate::<P>(state, path, p, true).await
}

pub async fn unhide<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    moderate::<P>(state, path, p, false).await
}

/// Hides a comment behind a public reason, or shows it again; logged, and the author told.
async fn moderate<P: Pages>(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
    hide: bool,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let a = Acting::load(&state, ctx, path.into_inner(), Action::Moderate).await?;
    let reason = match text_field(&form.reason, 1, 500) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!(
                "{} {}",
                a.ctx.t("comments.err_hide_reason"),
                e.message(&a.ctx.tr)
            );
            return a.refuse::<P>(&state, msg).await;
        }
    };
    let (c, comment, me, now) = (
        a.community.clone(),
        a.comment.clone(),
        a.me,
        state.clock.now(),
    );
    let changed = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let stored_reason = if hide { reason.as_str() } else { "" };
                if !model::set_hidden(conn, comment.id, hide, stored_reason)? {
                    return Ok(false);
                }
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(c.id),
                        actor_id: me,
                        action: if hide {
                            audit::Action::HideComment
                        } else {
                            audit::Action::UnhideComment
                        },
                        target_user_id: Some(comment.author_id),
                        detail: &format!("#{}", comment.id),
                        reason: &reason,
                    },
                    now,
                )?;
                notify(
                    conn,
                    &Notice {
                        user_id: comment.author_id,
                        community_id: Some(c.id),
                        kind: if hide {
                            "comment_hidden"
                        } else {
                            "comment_unhidden"
                        },
                        subject: &c.name,
                        detail: &reason,
                        link: &format!("{}#comment-{}", comment.target().page(&c.slug), comment.id),
                    },
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !changed {
        let msg = a.ctx.t("comments.err_already").to_string();
        return a.refuse::<P>(&state, msg).await;
    }
    Ok(a.done("hidden"))
}
