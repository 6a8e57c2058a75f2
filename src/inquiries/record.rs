//! The canonical content of an inquiry's public answer for the transparency log: the
//! question and the answer. One answer per inquiry, so the leaf names the inquiry.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::AnyConnection;
use crate::schema::{inquiries, inquiry_answers};
use crate::transparency::log::{self, ts, Kind};

/// An inquiry's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = inquiries)]
struct InquiryRow {
    id: i64,
    community_id: i64,
    subject_kind: String,
    subject_id: Option<i64>,
    question: String,
    asked_at: NaiveDateTime,
    due_at: NaiveDateTime,
}

/// An answer's columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = inquiry_answers)]
struct AnswerRow {
    id: i64,
    inquiry_id: i64,
    answerer_id: i64,
    answer: String,
    answered_at: NaiveDateTime,
}

/// Answered inquiries' content, by inquiry id, in two queries; unanswered ones are missing.
pub fn answers(conn: &mut AnyConnection, inquiry_ids: &[i64]) -> QueryResult<Vec<(i64, Value)>> {
    let answers: Vec<AnswerRow> = inquiry_answers::table
        .filter(inquiry_answers::inquiry_id.eq_any(inquiry_ids))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let asked: HashMap<i64, InquiryRow> = inquiries::table
        .filter(inquiries::id.eq_any(answers.iter().map(|a| a.inquiry_id)))
        .select(InquiryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|q| (q.id, q))
        .collect();
    Ok(answers
        .into_iter()
        .filter_map(|a| {
            let q = asked.get(&a.inquiry_id)?;
            let v = json!({
                "type": "inquiry_answer",
                "id": a.id,
                "inquiry": q.id,
                "community": q.community_id,
                "subject": [q.subject_kind, q.subject_id],
                "question": q.question,
                "asked_at": ts(&q.asked_at),
                "due_at": ts(&q.due_at),
                "answer": a.answer,
                "answered_by": a.answerer_id,
                "answered_at": ts(&a.answered_at),
            });
            Some((q.id, v))
        })
        .collect())
}

/// Logs an inquiry's answer, in the caller's transaction.
pub fn publish_answer(
    conn: &mut AnyConnection,
    community_id: i64,
    inquiry_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let content = log::the_one(answers(conn, &[inquiry_id])?)?;
    log::publish(
        conn,
        Kind::InquiryAnswer,
        Some(community_id),
        inquiry_id,
        &content,
        now,
    )
}
