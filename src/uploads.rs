//! Photos: JPEG, PNG or WebP only, recognised by their content rather than their name;
//! bounded in bytes and pixels (so a decompression bomb is refused before it is decoded);
//! turned upright, re-encoded as JPEG — which drops every piece of metadata, GPS included —
//! with a thumbnail; stored under the data directory by content hash, never overwritten.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Bytes one upload may have.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Pixels one photo may have once decoded (a 48-megapixel phone camera fits).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side of the stored photo and of its thumbnail.
pub const FULL_SIDE: u32 = 2048;
pub const THUMB_SIDE: u32 = 360;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    TooBig,
    NotAnImage,
    TooManyPixels,
    Unreadable,
}

impl PhotoError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhotoError::TooBig => "photos.err_too_big",
            PhotoError::NotAnImage => "photos.err_not_image",
            PhotoError::TooManyPixels => "photos.err_pixels",
            PhotoError::Unreadable => "photos.err_unreadable",
        }
    }
}

/// A photo made safe to publish.
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Checks, decodes, turns upright and re-encodes an uploaded photo.
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooBig);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder.orientation().map_err(|_| PhotoError::Unreadable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Unreadable)?;
    img.apply_orientation(orientation);
    let full = shrink(&img, FULL_SIDE);
    let thumb = shrink(&img, THUMB_SIDE);
    Ok(Processed {
        width: full.width(),
        height: full.height(),
        full: jpeg(&full)?,
        thumb: jpeg(&thumb)?,
    })
}

fn shrink(img: &DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        img.clone()
    } else {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    }
}

fn jpeg(img: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

pub fn photo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("photos")
}

/// A stored photo's file name: its content hash, so equal photos share one file.
pub fn file_name(p: &Processed) -> String {
    format!("{}.jpg", &hex::encode(Sha256::digest(&p.full))[..32])
}

pub fn thumb_name(name: &str) -> String {
    name.replace(".jpg", "-t.jpg")
}

/// Is `name` one of ours (and nothing that climbs out of the directory)?
pub fn valid_name(name: &str) -> bool {
    let stem = name
        .strip_suffix("-t.jpg")
        .or_else(|| name.strip_suffix(".jpg"));
    stem.is_some_and(|s| {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

/// Writes the photo and its thumbnail durably (temp file, fsync, rename) before the
/// database row that names them is committed.
pub fn store(data_dir: &Path, p: &Processed) -> std::io::Result<String> {
    let dir = photo_dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    let name = file_name(p);
    for (file, bytes) in [(name.clone(), &p.full), (thumb_name(&name), &p.thumb)] {
        let path = dir.join(&file);
        if path.exists() {
            continue;
        }
        let tmp = dir.join(format!(".{file}.tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(name)
}

/// Checks, re-encodes and stores one uploaded photo off the async workers. The inner error
/// is the message key for a file that is not an acceptable photo.
pub async fn store_upload(
    state: &crate::web::AppState,
    file: crate::web::forms::UploadedFile,
) -> Result<Result<String, &'static str>, crate::web::error::AppError> {
    let data_dir = state.config.data_dir();
    let stored =
        actix_web::web::block(move || process(&file.bytes).map(|p| store(&data_dir, &p))).await?;
    match stored {
        Ok(Ok(name)) => Ok(Ok(name)),
        Ok(Err(e)) => Err(crate::web::error::AppError::Internal(format!(
            "storing a photo: {e}"
        ))),
        Err(e) => Ok(Err(e.message_key())),
    }
}

/// Checks and re-encodes several uploaded photos off the async workers, then stores them;
/// the inner error is the message key of the first file that is not an acceptable photo.
/// Nothing is stored unless every file is acceptable.
pub async fn store_all(
    state: &crate::web::AppState,
    files: Vec<crate::web::forms::UploadedFile>,
) -> Result<Result<Vec<String>, &'static str>, crate::web::error::AppError> {
    let data_dir = state.config.data_dir();
    let stored = actix_web::web::block(move || {
        let processed = match files
            .iter()
            .map(|f| process(&f.bytes))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(p) => p,
            Err(e) => return Ok(Err(e.message_key())),
        };
        processed
            .iter()
            .map(|p| store(&data_dir, p))
            .collect::<std::io::Result<Vec<_>>>()
            .map(Ok)
    })
    .await?;
    stored.map_err(|e| crate::web::error::AppError::Internal(format!("storing photos: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([x as u8, y as u8, 90])
        }));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    /// A JPEG with an EXIF segment carrying a marker, as a phone camera's GPS tags would.
    pub fn jpeg_with_exif(marker: &str) -> Vec<u8> {
        let plain = sample(ImageFormat::Jpeg, 64, 48);
        let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(marker.as_bytes());
        let len = (exif.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&exif);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn photos_are_reencoded_without_metadata() {
        let input = jpeg_with_exif("GPS-31.2304N-121.4737E");
        assert!(String::from_utf8_lossy(&input).contains("GPS-31.2304N"));
        let p = process(&input).expect("processes");
        let out = String::from_utf8_lossy(&p.full);
        assert!(!out.contains("GPS-31.2304N") && !out.contains("Exif"));
        assert_eq!((p.width, p.height), (64, 48));
    }

    #[test]
    fn png_and_webp_are_accepted_and_large_ones_shrunk() {
        let p = process(&sample(ImageFormat::Png, 3000, 1000)).expect("png");
        assert_eq!((p.width, p.height), (2048, 683));
        assert_eq!(image::guess_format(&p.full).ok(), Some(ImageFormat::Jpeg));
        let t = image::load_from_memory(&p.thumb).expect("thumb");
        assert_eq!(t.width(), THUMB_SIDE);
        assert!(process(&sample(ImageFormat::WebP, 20, 20)).is_ok());
    }

    #[test]
    fn anything_else_is_refused_by_content() {
        assert_eq!(
            process(b"%PDF-1.7 not a photo").err(),
            Some(PhotoError::NotAnImage)
        );
        assert_eq!(process(b"GIF89a......").err(), Some(PhotoError::NotAnImage));
        assert_eq!(
            process(&vec![0u8; MAX_BYTES + 1]).err(),
            Some(PhotoError::TooBig)
        );
        let mut broken = sample(ImageFormat::Png, 10, 10);
        broken.truncate(40);
        assert!(process(&broken).is_err());
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A tiny PNG that claims to be 10000 × 10000.
        let mut png = sample(ImageFormat::Png, 1, 1);
        png[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        let err = process(&png).err();
        assert!(
            matches!(
                err,
                Some(PhotoError::TooManyPixels) | Some(PhotoError::Unreadable)
            ),
            "{err:?}"
        );
    }

    #[test]
    fn names_cannot_escape_the_directory() {
        assert!(valid_name("0123456789abcdef0123456789abcdef.jpg"));
        assert!(valid_name("0123456789abcdef0123456789abcdef-t.jpg"));
        assert!(!valid_name("../secret.key"));
        assert!(!valid_name("0123456789ABCDEF0123456789abcdef.jpg"));
        assert!(!valid_name("0123456789abcdef0123456789abcde.jpg"));
    }
}
