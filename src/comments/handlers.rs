//! Comment pages and actions: the thread as shown on an item, posting and replying,
//! editing with history, flagging, and hiding in the open.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, NewComment, Target, ThreadRow};
use super::rules::{self, Stance, StanceCounts, ThreadInput};
use crate::agenda::handlers::{tell_followers, OnItem};
use crate::agenda::model as agenda;
use crate::agenda::rules as agenda_rules;
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
use crate::work_orders::model as orders;
use crate::work_orders::rules as order_rules;

/// How deep replies nest before they go flat with "replying to …": readable on a phone.
pub const MAX_DEPTH: usize = 3;

pub struct CommentView {
    pub id: i64,
    pub depth: usize,
    pub replying_to: Option<String>,
    pub author: String,
    pub official: bool,
    pub stance_key: Option<&'static str>,
    pub body_html: String,
    pub hidden: bool,
    pub hidden_reason: String,
    pub edited: bool,
    pub revisions: i64,
    pub at: String,
    pub mine: bool,
    pub flags: Vec<String>,
}

pub struct ThreadView {
    /// Where new comments and replies are posted.
    pub post_to: String,
    /// The page the thread is on.
    pub page: String,
    pub comments: Vec<CommentView>,
    pub stances: StanceCounts,
    pub can_moderate: bool,
    pub can_flag: bool,
}

/// Lays out an item's comments for display: official answers first, nested to
/// `MAX_DEPTH`, hidden ones as a placeholder with the reason (the original only for those
/// who may read it).
pub fn thread_view(
    ctx: &Ctx,
    actor: &Actor,
    community: &Community,
    target: Target,
    rows: Vec<ThreadRow>,
    flags: Vec<(i64, String)>,
) -> ThreadView {
    let can_moderate = allows(actor, Action::Moderate);
    let read_hidden = allows(actor, Action::ReadHidden);
    let input: Vec<ThreadInput> = rows
        .iter()
        .map(|r| ThreadInput {
            id: r.comment.id,
            parent_id: r.comment.parent_id,
            official: r.comment.official,
            created_seq: r.comment.id,
        })
        .collect();
    let stances = rules::count_stances(
        rows.iter()
            .filter(|r| !r.comment.hidden)
            .map(|r| r.comment.stance.as_deref().and_then(Stance::parse)),
    );
    let by_id: HashMap<i64, &ThreadRow> = rows.iter().map(|r| (r.comment.id, r)).collect();
    let mut flags_by: HashMap<i64, Vec<String>> = HashMap::new();
    if can_moderate {
        for (id, reason) in flags {
            flags_by.entry(id).or_default().push(reason);
        }
    }
    let comments = rules::layout_thread(&input, MAX_DEPTH)
        .into_iter()
        .filter_map(|slot| {
            let r = by_id.get(&slot.id)?;
            let c = &r.comment;
            let show_body = !c.hidden || read_hidden;
            Some(CommentView {
                id: c.id,
                depth: slot.depth,
                replying_to: slot
                    .replying_to
                    .and_then(|p| by_id.get(&p))
                    .map(|p| p.author.clone()),
                author: r.author.clone(),
                official: c.official,
                stance_key: c
                    .stance
                    .as_deref()
                    .and_then(Stance::parse)
                    .map(|s| s.label_key()),
                body_html: if show_body {
                    rules::render_markdown(&c.body)
                } else {
                    String::new()
                },
                hidden: c.hidden,
                hidden_reason: c.hidden_reason.clone(),
                edited: c.edited_at.is_some(),
                revisions: c.revisions,
                at: fmt_time(&c.created_at),
                mine: ctx.user_id() == Some(c.author_id),
                flags: flags_by.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect();
    let page = target.page(&community.slug);
    ThreadView {
        post_to: format!("{page}/comments"),
        page,
        comments,
        stances,
        can_moderate,
        can_flag: ctx.user.is_some(),
    }
}

// ---- posting ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
    pub stance: String,
    pub parent_id: String,
    pub official: String,
}

pub async fn post(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    post_on(state, slug, Target::Item(id), p).await
}

/// A comment on a work order: the same thread, rules and moderation as on an item.
pub async fn post_on_order(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    post_on(state, slug, Target::Order(id), p).await
}

/// Shows the thread's page again with `message` beside the comment box and the text kept.
async fn refuse_on(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    target: Target,
    message: String,
    kept: String,
) -> Result<HttpResponse, AppError> {
    match target {
        Target::Item(id) => {
            OnItem {
                ctx,
                community,
                actor,
                id,
            }
            .refuse(state, "comment", message, kept)
            .await
        }
        Target::Order(id) => {
            crate::work_orders::handlers::refuse_comment(
                state, ctx, community, actor, id, message, kept,
            )
            .await
        }
    }
}

async fn post_on(
    state: web::Data<AppState>,
    slug: String,
    target: Target,
    p: Posted<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::Comment).await?;
    let body = match rules::check_body(&form.body) {
        Ok(b) => b,
        Err(problem) => {
            let msg = match problem {
                rules::BodyProblem::Empty => ctx.t("err.empty").to_string(),
                rules::BodyProblem::TooLong(n) => ctx.f("err.too_long", &[("n", &n.to_string())]),
            };
            return refuse_on(&state, ctx, community, actor, target, msg, form.body).await;
        }
    };
    let stance = Stance::parse(&form.stance);
    let parent = form.parent_id.trim().parse::<i64>().ok();
    let official = actor.has(Role::Committee) && form.official == "on";
    let (c, now) = (community.clone(), state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = match target {
                    Target::Item(id) => {
                        let item = agenda::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                        if !agenda_rules::accepts_comments(item.stage()) {
                            return Ok(Err(("agenda.err_comments_closed", None)));
                        }
                        Some(item)
                    }
                    Target::Order(id) => {
                        orders::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                        None
                    }
                };
                if let Some(pid) = parent {
                    match model::find(conn, c.id, pid)? {
                        Some(p) if p.target() == target => {}
                        _ => return Ok(Err(("comments.err_parent", None))),
                    }
                }
                let since = now - chrono::Duration::seconds(rules::POST_WINDOW_SECS);
                if let Some(wait) = rules::post_wait(&model::recent_posts(conn, me, since)?, now) {
                    return Ok(Err(("comments.err_rate", Some(wait))));
                }
                let new = NewComment {
                    community_id: c.id,
                    target,
                    parent_id: parent,
                    author_id: me,
                    body: &body,
                    stance: stance.map(|s| s.as_str()),
                    official,
                };
                let id = model::insert(conn, &new, now)?;
                match (item, target) {
                    (Some(item), _) => {
                        agenda::follow(conn, c.id, item.id, me, now)?;
                        if official {
                            tell_followers(conn, &c, &item, "item_official", "", me, now)?;
                        }
                    }
                    (None, Target::Order(order_id)) => {
                        tell_order_people(conn, &c, order_id, id, me, now)?;
                    }
                    (None, Target::Item(_)) => {}
                }
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "{}?done=commented#comments",
            target.page(&community.slug)
        ))),
        Err((key, wait)) => {
            let msg = ctx.f(key, &[("n", &wait.unwrap_or(0).to_string())]);
            refuse_on(&state, ctx, community, actor, target, msg, form.body).await
        }
    }
}

/// Tells an order's reporter and assignee (not the writer) that it has a new comment.
fn tell_order_people(
    conn: &mut crate::db::AnyConnection,
    c: &Community,
    order_id: i64,
    comment_id: i64,
    me: i64,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let Some(o) = orders::find(conn, c.id, order_id)? else {
        return Ok(());
    };
    let link = format!("/c/{}/orders/{order_id}#comment-{comment_id}", c.slug);
    let mut told = Vec::new();
    for user in [o.reporter_id, o.assignee_id].into_iter().flatten() {
        if user == me || told.contains(&user) {
            continue;
        }
        told.push(user);
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(c.id),
                kind: "order_comment",
                subject: &o.title,
                detail: "",
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
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
    async fn refuse(self, state: &AppState, message: String) -> Result<HttpResponse, AppError> {
        let target = self.comment.target();
        refuse_on(
            state,
            self.ctx,
            self.community,
            self.actor,
            target,
            message,
            String::new(),
        )
        .await
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

pub async fn edit(
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
        return a.refuse(&state, msg).await;
    };
    if a.comment.hidden {
        let msg = a.ctx.t("comments.err_hidden").to_string();
        return a.refuse(&state, msg).await;
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
    let (comment, author, order, revisions) = state
        .db(move |conn| {
            let c = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let author = crate::accounts::model::find(conn, c.author_id)?.display_name;
            let order = match c.target() {
                Target::Order(o) => orders::find(conn, cid, o)?.map(|o| o.privacy()),
                Target::Item(_) => None,
            };
            let revs = model::revisions(conn, id)?;
            Ok((c, author, order, revs))
        })
        .await?;
    // On an order, its anonymous reporter stays anonymous here too.
    let viewer = order_rules::Viewer {
        user_id: ctx.user_id(),
        committee: allows(&actor, Action::ManageAgenda),
    };
    let author = match order.map(|o| order_rules::shown(o, Some(comment.author_id), viewer)) {
        Some(order_rules::Shown::Anonymous) => ctx.t("orders.anonymous").to_string(),
        _ => author,
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

pub async fn flag(
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
            return a.refuse(&state, msg).await;
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
        return a.refuse(&state, msg).await;
    }
    Ok(a.done("flagged"))
}

pub async fn hide(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    moderate(state, path, p, true).await
}

pub async fn unhide(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    moderate(state, path, p, false).await
}

/// Hides a comment behind a public reason, or shows it again; logged, and the author told.
async fn moderate(
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
            return a.refuse(&state, msg).await;
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
        return a.refuse(&state, msg).await;
    }
    Ok(a.done("hidden"))
}
