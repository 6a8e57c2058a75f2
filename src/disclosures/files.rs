//! PDF attachments: checked by content, size-limited, stored under the data directory by
//! their SHA-256 (so a stored file is its own checksum), served as downloads.

use std::io::Write;
use std::path::{Path, PathBuf};

use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

use crate::web::error::AppError;
use crate::web::AppState;

pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug)]
pub enum PdfProblem {
    TooBig,
    Io(String),
}

pub fn file_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("files")
}

/// A stored file's name: 64 lowercase hex digits and `.pdf`.
pub fn valid_name(name: &str) -> bool {
    name.strip_suffix(".pdf").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Writes a PDF durably (temp file, fsync, rename) before the row naming it commits.
pub fn store_pdf(data_dir: &Path, bytes: &[u8]) -> Result<String, PdfProblem> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(PdfProblem::TooBig);
    }
    let name = format!("{}.pdf", hex::encode(Sha256::digest(bytes)));
    let dir = file_dir(data_dir);
    let io = |e: std::io::Error| PdfProblem::Io(e.to_string());
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join(&name);
    if !path.exists() {
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    Ok(name)
}

/// `GET /files/{name}`: a PDF, as a download in a sandbox (it never runs as part of the site).
pub async fn serve(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    if !valid_name(&name) {
        return Err(AppError::NotFound);
    }
    let path = file_dir(&state.config.data_dir()).join(&name);
    let bytes = web::block(move || std::fs::read(path))
        .await?
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("content-security-policy", "sandbox"))
        .insert_header((
            "content-disposition",
            format!("inline; filename=\"{name}\""),
        ))
        .insert_header(("cache-control", "public, max-age=31536000, immutable"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_content_hashes() {
        let dir = tempfile::tempdir().expect("dir");
        let name = store_pdf(dir.path(), b"%PDF-1.4 test").expect("stored");
        assert!(valid_name(&name));
        assert_eq!(
            name,
            store_pdf(dir.path(), b"%PDF-1.4 test").expect("again")
        );
        assert!(!valid_name("../x.pdf"));
        assert!(matches!(
            store_pdf(dir.path(), &vec![0u8; MAX_PDF_BYTES + 1]),
            Err(PdfProblem::TooBig)
        ));
    }
}
