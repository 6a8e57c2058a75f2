//! Forms: every state-changing request arrives as `Posted<T>`, which loads the context and
//! checks the CSRF token before the handler runs; `FieldErrors` carries the messages a form
//! is re-rendered with.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::Resend;
use crate::error::AppError;
use crate::text::unwanted_control;
use crate::uploads::{UploadedFile, MAX_BYTES};

/// The context and the decoded body of a CSRF-checked form post. Every field of `T` should
/// default (`#[serde(default)]`), so that a missing field is a message on the page, not a 400.
pub struct Posted<T> {
    pub ctx: Ctx,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

const FORM_LIMIT: usize = 256 * 1024;

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Posted<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|e| AppError::BadRequest(format!("form body: {e}")))?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("form too large".into()));
            }
            req.extensions_mut().insert(Resend::from_body(&body));
            let ctx = Ctx::load(&req).await?;
            let token: CsrfField = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("form does not decode: {e}")))?;
            ctx.check_csrf(&token.csrf)?;
            if let Some(resend) = req.extensions_mut().get_mut::<Resend>() {
                resend.token = ctx.csrf.clone();
            }
            let form: T = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("form does not decode: {e}")))?;
            Ok(Posted { ctx, form })
        })
    }
}

/// A form with nothing but its CSRF token: a button.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Empty {}

/// Like `Posted`, for forms that may carry files (`multipart/form-data`); a plain
/// url-encoded post is accepted too, with no files.
pub struct Uploaded<T> {
    pub ctx: Ctx,
    pub form: T,
    pub files: Vec<UploadedFile>,
}

/// Everything one upload form may carry: four photos and the text.
const UPLOAD_LIMIT: usize = 4 * MAX_BYTES + FORM_LIMIT;

impl<T: DeserializeOwned + 'static> FromRequest for Uploaded<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Uploaded<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let multipart = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let posted = Posted::<T>::from_request(req, payload);
            return Box::pin(async move {
                let Posted { ctx, form } = posted.await?;
                Ok(Uploaded {
                    ctx,
                    form,
                    files: Vec::new(),
                })
            });
        }
        let req = req.clone();
        let mut parts = actix_multipart::Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            use futures_util::StreamExt;
            let bad = |e: actix_multipart::MultipartError| {
                AppError::BadRequest(format!("multipart: {e}"))
            };
            let mut pairs: Vec<(String, String)> = Vec::new();
            let mut files = Vec::new();
            let mut total = 0usize;
            while let Some(field) = parts.next().await {
                let mut field = field.map_err(bad)?;
                let name = field.name().unwrap_or("").to_string();
                let is_file = field
                    .content_disposition()
                    .is_some_and(|cd| cd.get_filename().is_some());
                let mut buf = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(bad)?;
                    total += chunk.len();
                    if total > UPLOAD_LIMIT {
                        return Err(AppError::TooLarge);
                    }
                    buf.extend_from_slice(&chunk);
                }
                if is_file {
                    if !buf.is_empty() {
                        files.push(UploadedFile {
                            field: name,
                            bytes: buf,
                        });
                    }
                } else {
                    let text = String::from_utf8(buf)
                        .map_err(|_| AppError::BadRequest("form field is not UTF-8".into()))?;
                    pairs.push((name, text));
                }
            }
            let ctx = Ctx::load(&req).await?;
            let token = pairs
                .iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            ctx.check_csrf(token)?;
            let encoded = serde_urlencoded::to_string(&pairs)
                .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
            let form: T = serde_urlencoded::from_str(&encoded)
                .map_err(|e| AppError::BadRequest(format!("form does not decode: {e}")))?;
            Ok(Uploaded { ctx, form, files })
        })
    }
}

/// Messages for the fields of a form, already in the user's language.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Adds every message of `other`, each at its own field.
    pub fn extend(&mut self, other: &FieldErrors) {
        self.0.extend(other.0.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, m)| m.as_str())
    }

    /// The messages of fields other than `shown` (those the form prints beside a field),
    /// for the top of the form, so that no message is lost.
    pub fn others<'a>(&'a self, shown: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(f, _)| !shown.contains(f))
            .map(|(_, m)| m.as_str())
    }

    /// Whether any message is for a field other than `shown`.
    pub fn has_others(&self, shown: &[&str]) -> bool {
        self.0.iter().any(|(f, _)| !shown.contains(f))
    }
}

/// Trims a field and checks its length in characters and that it holds no stray control
/// character; the message key names what failed.
pub fn text_field(
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, crate::accounts::rules::FieldProblem> {
    use crate::accounts::rules::FieldProblem;
    let v = value.trim();
    let n = v.chars().count();
    if n < min {
        Err(FieldProblem::Empty)
    } else if n > max {
        Err(FieldProblem::TooLong(max))
    } else if v.chars().any(unwanted_control) {
        Err(FieldProblem::ControlChar)
    } else {
        Ok(v.to_string())
    }
}

pub use crate::text::{whole_number, NumberProblem};

/// The message for a refused whole number: it names the field and the allowed range
/// ("出席人数须是 0 到 480 之间的整数。"); `name` is the field's name in the user's language.
pub fn whole_number_message(ctx: &Ctx, name: &str, min: i64, max: i64) -> String {
    ctx.f(
        "err.whole_number",
        &[
            ("field", name),
            ("min", &min.to_string()),
            ("max", &max.to_string()),
        ],
    )
}

/// Reads the number typed in `field`; on a problem, adds the message (naming the field by
/// `name` and the range) to `errors` and gives `None`.
pub fn number_at(
    ctx: &Ctx,
    errors: &mut FieldErrors,
    field: &'static str,
    name: &str,
    typed: &str,
    (min, max): (i64, i64),
) -> Option<i64> {
    match whole_number(typed, min, max) {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, whole_number_message(ctx, name, min, max));
            None
        }
    }
}

#[cfg(test)]
mod whole_number_tests {
    use super::{whole_number, NumberProblem::*};

    #[test]
    fn bounds_are_included_and_the_next_numbers_refused() {
        assert_eq!(whole_number("0", 0, 480), Ok(0));
        assert_eq!(whole_number("480", 0, 480), Ok(480));
        assert_eq!(whole_number("481", 0, 480), Err(OutOfRange));
        assert_eq!(whole_number("1", 2, 9), Err(OutOfRange));
        assert_eq!(whole_number("2", 2, 9), Ok(2));
        assert_eq!(whole_number("9", 2, 9), Ok(9));
        assert_eq!(whole_number("10", 2, 9), Err(OutOfRange));
    }

    #[test]
    fn full_width_digits_and_spaces_are_read() {
        assert_eq!(whole_number("１２", 0, 100), Ok(12));
        assert_eq!(whole_number(" 12 ", 0, 100), Ok(12));
        assert_eq!(whole_number("\u{3000}１２\u{3000}", 0, 100), Ok(12));
        assert_eq!(whole_number("007", 0, 100), Ok(7));
    }

    #[test]
    fn signs_decimals_and_words_are_not_whole_numbers() {
        for bad in [
            "-0", "-1", "+1", "1.5", "1.0", "1e3", "0x10", "abc", "1 2", "１２a", "一",
        ] {
            assert_eq!(whole_number(bad, 0, 100_000), Err(NotWhole), "{bad}");
        }
        assert_eq!(whole_number("", 0, 100), Err(Empty));
        assert_eq!(whole_number("   ", 0, 100), Err(Empty));
    }

    #[test]
    fn huge_values_are_out_of_range_not_an_overflow() {
        assert_eq!(
            whole_number("99999999999999999999", 0, i64::MAX),
            Err(OutOfRange)
        );
        assert_eq!(
            whole_number("１２３４５６７８９０１２", 0, 1_000_000),
            Err(OutOfRange)
        );
        assert_eq!(
            whole_number("9223372036854775807", 0, i64::MAX),
            Ok(i64::MAX)
        );
        assert_eq!(
            whole_number("9223372036854775808", 0, i64::MAX),
            Err(OutOfRange)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::FieldErrors;

    #[test]
    fn others_are_the_messages_not_shown_at_a_field() {
        let mut e = FieldErrors::default();
        e.add("title", "标题不能为空。");
        e.add("body", "请选择表决主体。");
        e.add("quorum", "请选择到会和通过的要求。");
        let shown = ["title", "quorum"];
        assert_eq!(e.others(&shown).collect::<Vec<_>>(), ["请选择表决主体。"]);
        assert!(e.has_others(&shown));
        assert!(!e.has_others(&["title", "body", "quorum"]));
        assert!(!FieldErrors::default().has_others(&[]));
    }
}
