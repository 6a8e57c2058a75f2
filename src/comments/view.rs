//! A thread as its host page shows it: official answers first, replies nested, hidden
//! comments as a placeholder. Host pages (an item, a work order) build it with
//! [`thread_view`] from the rows `comments::service::load_thread` read.

use std::collections::HashMap;

use super::model::{Target, ThreadRow};
use super::rules::{self, Stance, StanceCounts, ThreadInput};
use super::service::ThreadRows;
use crate::authz::{allows, Action, Actor};
use crate::clock::fmt_time;
use crate::communities::model::Community;
use crate::web::ctx::Ctx;

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

/// Lays out a thread's comments for display: official answers first, nested to
/// `MAX_DEPTH`, hidden ones as a placeholder with the reason (the original only for those
/// who may read it).
pub fn thread_view(
    ctx: &Ctx,
    actor: &Actor,
    community: &Community,
    target: Target,
    thread: ThreadRows,
) -> ThreadView {
    let ThreadRows { rows, flags } = thread;
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
    let stances = rules::count_stances(rows.iter().filter(|r| !r.comment.hidden).map(|r| {
        let s = r.comment.stance.as_deref().and_then(Stance::parse);
        (r.comment.author_id, s)
    }));
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
