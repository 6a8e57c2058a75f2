//! What Open311 callers send, checked without the database: query and form parameters,
//! list filters, submissions, and GeoReport's W3C times.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::NaiveDateTime;

pub use crate::clock::{parse_w3c, w3c_time};

use super::{MAX_ADDRESS, MAX_DESCRIPTION, TITLE_CHARS, TR};
use crate::accounts::rules::FieldProblem;
use crate::web::forms::text_field;
use crate::work_orders::model::CATEGORIES;

/// Why a call is refused, before it becomes a response (which is not `Send`).
#[derive(Debug)]
pub struct Refusal(pub StatusCode, pub String);

impl Refusal {
    pub fn bad(description: impl Into<String>) -> Refusal {
        Refusal(StatusCode::BAD_REQUEST, description.into())
    }
}

/// Decoded `application/x-www-form-urlencoded` pairs (a query string or a form body); the
/// first value of a repeated name counts.
pub struct Params(pub HashMap<String, String>);

impl Params {
    pub fn decode(raw: &[u8]) -> Option<Params> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).ok()?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Some(Params(map))
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|v| v.trim()).unwrap_or("")
    }
}

/// What a list asks for.
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Named requests: when given, every other filter is ignored (the spec).
    pub ids: Option<Vec<i64>>,
    pub codes: Option<Vec<String>>,
    pub start: Option<NaiveDateTime>,
    pub end: Option<NaiveDateTime>,
    /// Some(true) open only, Some(false) closed only, None both.
    pub open: Option<bool>,
}

pub fn list_filter(q: &Params) -> Result<ListFilter, Refusal> {
    let split = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut f = ListFilter::default();
    let ids = q.get("service_request_id");
    if !ids.is_empty() {
        let parsed: Option<Vec<i64>> = split(ids).iter().map(|s| s.parse().ok()).collect();
        f.ids = Some(parsed.ok_or_else(|| {
            Refusal::bad("service_request_id must be request ids separated by commas")
        })?);
        return Ok(f);
    }
    let codes = q.get("service_code");
    if !codes.is_empty() {
        let codes = split(codes);
        if let Some(bad) = codes.iter().find(|c| !CATEGORIES.contains(&c.as_str())) {
            return Err(Refusal::bad(format!(
                "service_code {bad:?} is not a service here; see services.json"
            )));
        }
        f.codes = Some(codes);
    }
    for (name, slot) in [("start_date", &mut f.start), ("end_date", &mut f.end)] {
        let v = q.get(name);
        if !v.is_empty() {
            *slot = Some(parse_w3c(v).ok_or_else(|| {
                Refusal::bad(format!(
                    "{name} must be a W3C datetime such as 2026-11-26T09:00:00+08:00"
                ))
            })?);
        }
    }
    let status = q.get("status");
    if !status.is_empty() {
        let (mut open, mut closed) = (false, false);
        for s in split(status) {
            match s.as_str() {
                "open" => open = true,
                "closed" => closed = true,
                _ => return Err(Refusal::bad("status must be open, closed or open,closed")),
            }
        }
        f.open = if open && closed { None } else { Some(open) };
    }
    Ok(f)
}

pub fn note_words(note: &str) -> String {
    match note {
        "routed" | "escalated" | "auto_confirmed" => TR.t(&format!("orders.note_{note}")).into(),
        other => other.to_string(),
    }
}

/// Where a photo can be fetched: absolute when the site knows its public address.
pub fn photo_url(base: Option<&str>, name: &str) -> String {
    match base {
        Some(base) => format!("{}/photos/{name}", base.trim_end_matches('/')),
        None => format!("/photos/{name}"),
    }
}

/// A request that passed the checks.
#[derive(Debug)]
pub struct NewRequest {
    pub category: String,
    pub title: String,
    pub description: String,
    pub place: String,
    pub coords: Option<(f64, f64)>,
}

/// The order's title: the start of the description's first line.
pub fn title_of(description: &str) -> String {
    let line = description.lines().next().unwrap_or("").trim();
    if line.chars().count() > TITLE_CHARS {
        let mut t: String = line.chars().take(TITLE_CHARS).collect();
        t.push('…');
        t
    } else {
        line.to_string()
    }
}

/// Checks the fields of a submission. Contact fields (`first_name`, `last_name`, `email`,
/// `phone`) are accepted and dropped: the order page is public, and no account is made.
pub fn check_request(f: &Params) -> Result<NewRequest, Refusal> {
    let category = f.get("service_code");
    if category.is_empty() {
        return Err(Refusal::bad("service_code is required; see services.json"));
    }
    if !CATEGORIES.contains(&category) {
        return Err(Refusal::bad(format!(
            "service_code {category:?} is not a service here; see services.json"
        )));
    }
    let control = |field: &str| format!("{field} must not contain control characters");
    let description =
        text_field(f.get("description"), 1, MAX_DESCRIPTION).map_err(|e| match e {
            FieldProblem::ControlChar => Refusal::bad(control("description")),
            _ => Refusal::bad(format!(
                "description is required, at most {MAX_DESCRIPTION} characters"
            )),
        })?;
    let address = text_field(f.get("address_string"), 0, MAX_ADDRESS).map_err(|e| match e {
        FieldProblem::ControlChar => Refusal::bad(control("address_string")),
        _ => Refusal::bad(format!(
            "address_string must be at most {MAX_ADDRESS} characters"
        )),
    })?;
    let coords = match (f.get("lat"), f.get("long")) {
        ("", "") => None,
        ("", _) => return Err(Refusal::bad("lat is required with long")),
        (_, "") => return Err(Refusal::bad("long is required with lat")),
        (a, b) => {
            let lat = a
                .parse::<f64>()
                .ok()
                .filter(|v| (-90.0..=90.0).contains(v))
                .ok_or_else(|| Refusal::bad("lat must be a number from -90 to 90"))?;
            let long = b
                .parse::<f64>()
                .ok()
                .filter(|v| (-180.0..=180.0).contains(v))
                .ok_or_else(|| Refusal::bad("long must be a number from -180 to 180"))?;
            Some((lat, long))
        }
    };
    let place = match (address.is_empty(), coords) {
        (false, _) => address,
        (true, Some((a, b))) => format!("{a:.5}, {b:.5}"),
        (true, None) => {
            return Err(Refusal::bad(
                "address_string or lat and long is required: where is the problem?",
            ))
        }
    };
    Ok(NewRequest {
        category: category.to_string(),
        title: title_of(&description),
        description,
        place,
        coords,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(s: &str) -> Params {
        Params::decode(s.as_bytes()).expect("decodes")
    }

    #[test]
    fn times_are_utc_plus_8_and_read_back() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .expect("time");
        assert_eq!(w3c_time(&t), "2026-11-26T09:00:00+08:00");
        assert_eq!(parse_w3c("2026-11-26T09:00:00+08:00"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T01:00:00Z"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T09:00+08:00"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T01:00Z"), Some(t));
        assert_eq!(
            parse_w3c("2026-11-26"),
            Some(t - chrono::Duration::hours(9))
        );
        assert_eq!(parse_w3c("yesterday"), None);
    }

    #[test]
    fn a_submission_needs_a_service_a_description_and_a_place() {
        let ok = check_request(&params(
            "service_code=lighting&description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&lat=30.5&long=120.1",
        ))
        .expect("valid");
        assert_eq!(ok.place, "30.50000, 120.10000");
        assert_eq!(ok.title, "路灯不亮");
        for (body, field) in [
            ("description=x&address_string=a", "service_code"),
            (
                "service_code=moon&description=x&address_string=a",
                "service_code",
            ),
            ("service_code=road&address_string=a", "description"),
            ("service_code=road&description=x", "address_string"),
            ("service_code=road&description=x&lat=31", "long"),
            ("service_code=road&description=x&lat=91&long=1", "lat"),
        ] {
            let err = check_request(&params(body)).expect_err(body);
            assert_eq!(err.0, StatusCode::BAD_REQUEST);
            assert!(err.1.contains(field), "{body}: {}", err.1);
        }
    }

    #[test]
    fn list_filters_read_the_spec_parameters() {
        let f = list_filter(&params("status=open,closed&service_code=road,water")).expect("ok");
        assert_eq!(f.open, None);
        assert_eq!(f.codes.as_deref().map(<[String]>::len), Some(2));
        assert_eq!(
            list_filter(&params("status=closed")).expect("ok").open,
            Some(false)
        );
        let ids = list_filter(&params("service_request_id=3,4&status=bogus")).expect("ids win");
        assert_eq!(ids.ids, Some(vec![3, 4]));
        assert!(list_filter(&params("status=done")).is_err());
        assert!(list_filter(&params("start_date=soon")).is_err());
        assert!(list_filter(&params("service_request_id=x")).is_err());
    }

    #[test]
    fn titles_are_the_start_of_the_first_line() {
        assert_eq!(title_of("短\n第二行"), "短");
        let long = "长".repeat(40);
        assert_eq!(title_of(&long).chars().count(), TITLE_CHARS + 1);
    }
}
