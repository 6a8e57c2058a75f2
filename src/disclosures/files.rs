//! PDF attachments: size-limited, accepted only if they parse as a PDF with pages, stored
//! under the data directory by their SHA-256 (so a stored file is its own checksum), served
//! as downloads in a sandbox.

use std::io::Write;
use std::path::{Path, PathBuf};

use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::web::AppState;

pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// Bytes one compressed stream of a PDF may inflate to while it is checked.
const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
pub enum PdfProblem {
    TooBig,
    /// It does not parse as a PDF with a catalog and at least one page.
    NotPdf,
    Io(String),
}

/// Does the file claim to be a PDF (and so must parse as one)?
pub fn claims_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Does `bytes` parse as a PDF document with a catalog and at least one page? Damaged
/// cross-reference tables are repaired as readers do; a parser panic on hostile input is a
/// file that does not parse.
pub fn parses_as_pdf(bytes: &[u8]) -> bool {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_INFLATED_BYTES),
        ..Default::default()
    };
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lopdf::Document::load_mem_with_options(bytes, options)
    }));
    matches!(loaded, Ok(Ok(doc)) if doc.catalog().is_ok() && !doc.get_pages().is_empty())
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

/// Checks a PDF and writes it durably (temp file, fsync, rename) before the row naming it
/// commits. Blocking: call it off the async workers.
pub fn store_pdf(data_dir: &Path, bytes: &[u8]) -> Result<String, PdfProblem> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(PdfProblem::TooBig);
    }
    if !parses_as_pdf(bytes) {
        return Err(PdfProblem::NotPdf);
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

/// `GET /files/{name}`: a PDF, as a download (`attachment`: the browser saves it rather than
/// showing it on the site) in a sandbox (`sandbox`, kept by the security headers: if it is
/// shown anyway, it never runs as part of the site).
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
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("cache-control", "public, max-age=31536000, immutable"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF with a correct cross-reference table.
    pub fn one_page_pdf() -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for at in offsets {
            pdf.extend_from_slice(format!("{at:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn only_files_that_parse_as_pdfs_are_kept() {
        assert!(parses_as_pdf(&one_page_pdf()));
        let dir = tempfile::tempdir().expect("dir");
        for fake in [
            b"%PDF-1.7 this is not a PDF".to_vec(),
            b"%PDF-1.4\n% test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec(),
            one_page_pdf()[..60].to_vec(),
        ] {
            assert!(claims_pdf(&fake) && !parses_as_pdf(&fake));
            assert!(matches!(
                store_pdf(dir.path(), &fake),
                Err(PdfProblem::NotPdf)
            ));
        }
        assert!(
            std::fs::read_dir(file_dir(dir.path())).is_err(),
            "nothing stored"
        );
    }

    #[test]
    fn names_are_content_hashes() {
        let dir = tempfile::tempdir().expect("dir");
        let pdf = one_page_pdf();
        let name = store_pdf(dir.path(), &pdf).expect("stored");
        assert!(valid_name(&name));
        assert_eq!(name, store_pdf(dir.path(), &pdf).expect("again"));
        assert!(!valid_name("../x.pdf"));
        assert!(matches!(
            store_pdf(dir.path(), &vec![0u8; MAX_PDF_BYTES + 1]),
            Err(PdfProblem::TooBig)
        ));
    }
}
