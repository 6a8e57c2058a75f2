//! Inquiries and their answers in the database. Both append-only: an inquiry is answered
//! once, in public, and the answer is logged.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{inquiries, inquiry_answers, users};

/// What an inquiry is about.
pub const SUBJECTS: [&str; 4] = ["general", "disclosure", "disbursement", "project"];

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = inquiries)]
pub struct Inquiry {
    pub id: i64,
    pub community_id: i64,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub asker_id: i64,
    pub question: String,
    pub asked_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
}

#[derive(Queryable, Clone, Debug)]
pub struct Answer {
    pub answer: String,
    pub answered_at: NaiveDateTime,
    pub answerer: String,
}

/// An inquiry with the asker's name and its answer, if any.
#[derive(Clone, Debug)]
pub struct Row {
    pub q: Inquiry,
    pub asker: String,
    pub answer: Option<Answer>,
}

pub fn ask(
    conn: &mut AnyConnection,
    community_id: i64,
    subject: (&str, Option<i64>),
    asker: i64,
    question: &str,
    now: NaiveDateTime,
    due: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(inquiries::table)
        .values((
            inquiries::community_id.eq(community_id),
            inquiries::subject_kind.eq(subject.0),
            inquiries::subject_id.eq(subject.1),
            inquiries::asker_id.eq(asker),
            inquiries::question.eq(question),
            inquiries::asked_at.eq(now),
            inquiries::due_at.eq(due),
        ))
        .returning(inquiries::id)
        .get_result(conn)
}

/// Answers an inquiry and logs the answer; `false` if it was answered already.
pub fn answer(
    conn: &mut AnyConnection,
    q: &Inquiry,
    by: i64,
    text: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let done: i64 = inquiry_answers::table
        .filter(inquiry_answers::inquiry_id.eq(q.id))
        .count()
        .get_result(conn)?;
    if done > 0 {
        return Ok(false);
    }
    diesel::insert_into(inquiry_answers::table)
        .values((
            inquiry_answers::community_id.eq(q.community_id),
            inquiry_answers::inquiry_id.eq(q.id),
            inquiry_answers::answerer_id.eq(by),
            inquiry_answers::answer.eq(text),
            inquiry_answers::answered_at.eq(now),
        ))
        .execute(conn)?;
    // One answer per inquiry: the leaf names the inquiry, whose page shows the answer.
    super::record::publish_answer(conn, q.community_id, q.id, now)?;
    Ok(true)
}

/// Inquiries of a community (optionally about one subject), newest first, with askers and
/// answers: three queries whatever their number.
pub fn list(
    conn: &mut AnyConnection,
    community_id: i64,
    subject: Option<(&str, i64)>,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let mut q = inquiries::table
        .filter(inquiries::community_id.eq(community_id))
        .into_boxed();
    if let Some((kind, id)) = subject {
        q = q
            .filter(inquiries::subject_kind.eq(kind.to_string()))
            .filter(inquiries::subject_id.eq(id));
    }
    let qs: Vec<Inquiry> = q
        .order(inquiries::id.desc())
        .limit(limit)
        .select(Inquiry::as_select())
        .load(conn)?;
    rows(conn, qs)
}

pub fn find(conn: &mut AnyConnection, community_id: i64, id: i64) -> QueryResult<Option<Row>> {
    let qs: Vec<Inquiry> = inquiries::table
        .filter(inquiries::community_id.eq(community_id))
        .filter(inquiries::id.eq(id))
        .select(Inquiry::as_select())
        .load(conn)?;
    Ok(rows(conn, qs)?.pop())
}

fn rows(conn: &mut AnyConnection, qs: Vec<Inquiry>) -> QueryResult<Vec<Row>> {
    let ids: Vec<i64> = qs.iter().map(|q| q.id).collect();
    let answers: Vec<(i64, String, NaiveDateTime, String)> = inquiry_answers::table
        .inner_join(users::table.on(users::id.eq(inquiry_answers::answerer_id)))
        .filter(inquiry_answers::inquiry_id.eq_any(&ids))
        .select((
            inquiry_answers::inquiry_id,
            inquiry_answers::answer,
            inquiry_answers::answered_at,
            users::display_name,
        ))
        .load(conn)?;
    let askers: Vec<i64> = qs.iter().map(|q| q.asker_id).collect();
    let names = crate::accounts::model::names(conn, &askers)?;
    Ok(qs
        .into_iter()
        .map(|q| Row {
            asker: names
                .iter()
                .find(|(i, _)| *i == q.asker_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            answer: answers
                .iter()
                .find(|a| a.0 == q.id)
                .map(|(_, answer, at, who)| Answer {
                    answer: answer.clone(),
                    answered_at: *at,
                    answerer: who.clone(),
                }),
            q,
        })
        .collect())
}
