//! What the committee attaches to its answer to an inquiry: PDFs (checked to parse, kept as
//! they are, served as sandboxed downloads from `/files/`) and photos (checked, re-encoded
//! without metadata, served from `/photos/`), through the disclosures' and uploads' checks.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{inquiries, inquiry_answer_files, inquiry_answers};
use crate::uploads::UploadedFile;
use crate::web::ctx::Ctx;
use crate::web::AppState;

pub const PDF: &str = "pdf";
pub const PHOTO: &str = "photo";
/// Files one answer may carry.
pub const MAX_FILES: usize = 4;

#[derive(Queryable, Clone, Debug, PartialEq)]
pub struct Attached {
    pub kind: String,
    pub name: String,
    pub label: String,
}

impl Attached {
    pub fn is_pdf(&self) -> bool {
        self.kind == PDF
    }
}

/// Records the files of the answer to `inquiry` (in the answer's transaction).
pub fn add(
    conn: &mut AnyConnection,
    community_id: i64,
    inquiry: i64,
    files: &[Attached],
) -> QueryResult<()> {
    for f in files {
        diesel::insert_into(inquiry_answer_files::table)
            .values((
                inquiry_answer_files::community_id.eq(community_id),
                inquiry_answer_files::inquiry_id.eq(inquiry),
                inquiry_answer_files::kind.eq(&f.kind),
                inquiry_answer_files::name.eq(&f.name),
                inquiry_answer_files::label.eq(&f.label),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The files of the answer to `inquiry`, in the order they were attached.
pub fn of(conn: &mut AnyConnection, inquiry: i64) -> QueryResult<Vec<Attached>> {
    inquiry_answer_files::table
        .filter(inquiry_answer_files::inquiry_id.eq(inquiry))
        .order(inquiry_answer_files::id)
        .select((
            inquiry_answer_files::kind,
            inquiry_answer_files::name,
            inquiry_answer_files::label,
        ))
        .load(conn)
}

/// Checks and stores the uploaded `files` field: PDFs must parse as PDFs, anything else must
/// be a photo the uploads machinery accepts. The inner error is the message for the field.
pub async fn store(
    state: &AppState,
    ctx: &Ctx,
    files: Vec<UploadedFile>,
) -> Result<Result<Vec<Attached>, String>, AppError> {
    let files: Vec<UploadedFile> = files.into_iter().filter(|f| f.field == "files").collect();
    if files.len() > MAX_FILES {
        let n = MAX_FILES.to_string();
        return Ok(Err(ctx.f("inquiries.err_files_many", &[("n", n.as_str())])));
    }
    let is_pdf: Vec<bool> = files
        .iter()
        .map(|f| crate::disclosures::files::claims_pdf(&f.bytes))
        .collect();
    let (pdfs, photos): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| crate::disclosures::files::claims_pdf(&f.bytes));
    let data_dir = state.config.data_dir();
    let pdfs = actix_web::web::block(move || {
        pdfs.iter()
            .map(|f| crate::disclosures::files::store_pdf(&data_dir, &f.bytes))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    use crate::disclosures::files::PdfProblem;
    let pdfs = match pdfs {
        Ok(names) => names,
        Err(PdfProblem::TooBig) => return Ok(Err(ctx.t("disclosures.err_pdf_big").to_string())),
        Err(PdfProblem::NotPdf) => {
            return Ok(Err(ctx.t("disclosures.err_pdf_invalid").to_string()))
        }
        Err(PdfProblem::Io(e)) => return Err(AppError::Internal(e)),
    };
    let photos = match crate::uploads::store_all(state, photos).await? {
        Ok(names) => names,
        Err(key) => {
            return Ok(Err(format!(
                "{} {}",
                ctx.t("inquiries.err_file"),
                ctx.t(key)
            )))
        }
    };
    let (mut pdfs, mut photos) = (pdfs.into_iter(), photos.into_iter());
    let mut out = Vec::new();
    for pdf in is_pdf {
        let n = out.len() + 1;
        let file = if pdf {
            pdfs.next().map(|name| Attached {
                kind: PDF.into(),
                label: format!("PDF {n}"),
                name,
            })
        } else {
            photos.next().map(|name| Attached {
                kind: PHOTO.into(),
                label: format!("{} {n}", ctx.t("inquiries.photo")),
                name,
            })
        };
        out.extend(file);
    }
    Ok(Ok(out))
}

/// A drawn photo of a signed record on paper: ruled lines of handwriting and a red seal.
pub fn draw_record(seed: u32) -> image::RgbImage {
    use crate::work_orders::demo_photos::{inside_ellipse, shade};
    let (w, h) = (640u32, 860u32);
    image::RgbImage::from_fn(w, h, |x, y| {
        let in_seal = inside_ellipse(x, y, 470.0, 690.0, 90.0, 90.0)
            && !inside_ellipse(x, y, 470.0, 690.0, 80.0, 80.0);
        let star = inside_ellipse(x, y, 470.0, 690.0, 22.0, 22.0);
        let row = (y as i64 - 120) % 48;
        let line_len = 520 - ((y * 37 + seed) % 160);
        let written = y > 110 && y < 620 && (0..6).contains(&row) && x > 60 && x < 60 + line_len;
        let title = y > 50 && y < 80 && x > 200 && x < 440;
        if in_seal || star {
            shade([200, 30, 30], x, y, seed, 12)
        } else if title || (written && (x / 9 + y / 3) % 3 != 0) {
            shade([40, 40, 60], x, y, seed, 8)
        } else {
            shade([246, 243, 232], x, y, seed, 6)
        }
    })
}

/// Attaches a drawn photo of the interim acceptance record to every answered demo inquiry
/// about a payment that has no files yet; returns how many got one.
pub fn demo_attach(
    conn: &mut AnyConnection,
    data_dir: &std::path::Path,
    _now: NaiveDateTime,
) -> Result<usize, AppError> {
    let answered: Vec<(i64, i64)> = inquiries::table
        .inner_join(inquiry_answers::table.on(inquiry_answers::inquiry_id.eq(inquiries::id)))
        .filter(inquiries::subject_kind.eq("disbursement"))
        .select((inquiries::id, inquiries::community_id))
        .load(conn)?;
    let mut n = 0;
    for (id, community) in answered {
        if !of(conn, id)?.is_empty() {
            continue;
        }
        let name = crate::work_orders::demo_photos::store(data_dir, &draw_record(id as u32))?;
        let file = Attached {
            kind: PHOTO.into(),
            name,
            label: "三组路段中间验收记录".into(),
        };
        add(conn, community, id, &[file])?;
        n += 1;
    }
    Ok(n)
}
