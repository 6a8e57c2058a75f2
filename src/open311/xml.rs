//! GeoReport XML: each JSON answer has an XML twin, written from the JSON.

use actix_web::HttpResponse;

use crate::error::AppError;

/// Writes a JSON answer (a list of flat objects) as GeoReport XML: `<root><item>…</item></root>`,
/// one element per field, empty for null. Errors become `<errors><error>…`.
pub fn xml_of(value: &serde_json::Value, root: &str, item: &str) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>\n");
    for obj in value.as_array().into_iter().flatten() {
        out.push_str(&format!("  <{item}>\n"));
        for (k, v) in obj.as_object().into_iter().flatten() {
            let text = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => esc(s),
                other => esc(&other.to_string()),
            };
            out.push_str(&format!("    <{k}>{text}</{k}>\n"));
        }
        out.push_str(&format!("  </{item}>\n"));
    }
    out.push_str(&format!("</{root}>\n"));
    crate::web::xml::clean(out)
}

/// The same answer as its JSON twin, in XML.
pub async fn as_xml(resp: HttpResponse, root: &str, item: &str) -> Result<HttpResponse, AppError> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = actix_web::body::to_bytes(resp.into_body())
        .await
        .map_err(|_| AppError::Internal("open311: unreadable body".into()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let body = if status.is_success() {
        xml_of(&value, root, item)
    } else {
        xml_of(&value, "errors", "error")
    };
    let mut out = HttpResponse::build(status);
    for name in ["cache-control", "access-control-allow-origin"] {
        if let Some(v) = headers.get(name) {
            out.insert_header((name, v.clone()));
        }
    }
    Ok(out
        .content_type("application/xml; charset=utf-8")
        .body(body))
}
