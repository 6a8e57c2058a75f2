//! Photos: JPEG, PNG or WebP only, recognised by their content rather than their name;
//! bounded in bytes and pixels, per photo and per request, from their headers (so a
//! decompression bomb is refused before it is decoded); decoded within a memory limit, a few
//! at a time per server (`AppState::images`, `YISHI_IMAGE_SLOTS`); shrunk, turned upright,
//! re-encoded as JPEG — which drops every piece of metadata, GPS included — with a thumbnail;
//! stored under the data directory by content hash, never overwritten.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::web::AppState;

/// Bytes one upload may have.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Pixels one photo may have once decoded (a 48-megapixel phone camera fits).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Pixels all the photos of one request may have together: four 16-megapixel photos, or one
/// of the largest and a few small ones. Four photos of the largest size would keep a decoding
/// slot for seconds, which is what a visitor out to tire the server would send.
pub const MAX_REQUEST_PIXELS: u64 = 64_000_000;
/// Bytes one decoded photo may take in memory: `MAX_PIXELS` of 8-bit RGB, as a camera's JPEG
/// decodes; a PNG with an alpha channel or 16-bit samples must have fewer pixels.
pub const MAX_DECODED_BYTES: u64 = 160 * 1024 * 1024;
/// Longest side of the stored photo and of its thumbnail.
pub const FULL_SIDE: u32 = 2048;
pub const THUMB_SIDE: u32 = 360;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    TooBig,
    NotAnImage,
    TooManyPixels,
    /// The photos of one request have more than `MAX_REQUEST_PIXELS` together.
    RequestTooManyPixels,
    Unreadable,
}

impl PhotoError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhotoError::TooBig => "photos.err_too_big",
            PhotoError::NotAnImage => "photos.err_not_image",
            PhotoError::TooManyPixels => "photos.err_pixels",
            PhotoError::RequestTooManyPixels => "photos.err_request_pixels",
            PhotoError::Unreadable => "photos.err_unreadable",
        }
    }

    /// A limit of the decoder (dimensions, memory) is a photo too large; anything else is a
    /// file that does not decode.
    fn from_image(e: ImageError) -> PhotoError {
        match e {
            ImageError::Limits(_) => PhotoError::TooManyPixels,
            _ => PhotoError::Unreadable,
        }
    }
}

/// A file sent with a form (see `web::forms::Uploaded`).
pub struct UploadedFile {
    pub field: String,
    pub bytes: Vec<u8>,
}

/// A photo made safe to publish.
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// The reader of an acceptable photo, by its content, with the decoder's limits set.
fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, PhotoError> {
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
    reader.limits(limits());
    Ok(reader)
}

/// Checks the photos of one request from their headers alone, nothing decoded: each is an
/// acceptable photo within `MAX_PIXELS`, and all together within `MAX_REQUEST_PIXELS`.
pub fn check_request<'a>(photos: impl IntoIterator<Item = &'a [u8]>) -> Result<(), PhotoError> {
    let mut total = 0u64;
    for bytes in photos {
        let (w, h) = reader(bytes)?
            .into_dimensions()
            .map_err(PhotoError::from_image)?;
        let pixels = u64::from(w) * u64::from(h);
        if pixels > MAX_PIXELS {
            return Err(PhotoError::TooManyPixels);
        }
        total += pixels;
        if total > MAX_REQUEST_PIXELS {
            return Err(PhotoError::RequestTooManyPixels);
        }
    }
    Ok(())
}

static DECODES_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many photos this process has begun to decode: what the tests count to prove that a
/// request is refused from its headers, before any decoding.
pub fn decodes_run() -> u64 {
    DECODES_RUN.load(std::sync::atomic::Ordering::Relaxed)
}

/// Checks, decodes, shrinks, turns upright and re-encodes an uploaded photo. The decoded
/// image is the one large buffer: it is shrunk without a floating-point copy of it, and the
/// thumbnail is made from the shrunk photo.
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    DECODES_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut decoder = reader(bytes)?
        .into_decoder()
        .map_err(PhotoError::from_image)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    // `into_decoder` leaves the output buffer to the caller: reserve it against the limit
    // as `ImageReader::decode` does.
    limits()
        .reserve(decoder.total_bytes())
        .map_err(PhotoError::from_image)?;
    let orientation = decoder.orientation().map_err(PhotoError::from_image)?;
    let img = DynamicImage::from_decoder(decoder).map_err(PhotoError::from_image)?;
    // Fitting in a square commutes with turning by quarter turns and mirroring, so the
    // small image is turned rather than the large one.
    let mut full = shrink(img, FULL_SIDE);
    full.apply_orientation(orientation);
    let thumb = if full.width() <= THUMB_SIDE && full.height() <= THUMB_SIDE {
        full.clone()
    } else {
        full.thumbnail(THUMB_SIDE, THUMB_SIDE)
    };
    Ok(Processed {
        width: full.width(),
        height: full.height(),
        full: jpeg(&full)?,
        thumb: jpeg(&thumb)?,
    })
}

/// Fits `img` within `side` × `side`: `thumbnail` averages the pixels each output pixel
/// covers in integers, where `resize` would first build a 16-bytes-a-pixel copy as wide as
/// the original (230 MB for a 7070-pixel-wide photo).
fn shrink(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        img
    } else {
        img.thumbnail(side, side)
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
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            // A full disk leaves no half-written photo behind.
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    Ok(name)
}

/// Checks the photos of one request from their headers, then decodes and re-encodes them off
/// the async workers in one of the server's image slots (waiting a few seconds for one, then
/// `AppError::Busy`). The inner error is what is wrong with the photos; nothing is decoded
/// unless all of them pass the header checks.
pub async fn process_all(
    state: &AppState,
    files: Vec<UploadedFile>,
) -> Result<Result<Vec<Processed>, PhotoError>, AppError> {
    use actix_web::web::block;
    let photos: Vec<Vec<u8>> = files.into_iter().map(|f| f.bytes).collect();
    if photos.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let (photos, checked) = block(move || {
        let checked = check_request(photos.iter().map(Vec::as_slice));
        (photos, checked)
    })
    .await?;
    if let Err(e) = checked {
        return Ok(Err(e));
    }
    let _slot = state.images.enter().await?;
    let processed = block(move || {
        photos
            .iter()
            .map(|p| process(p))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(processed)
}

/// Checks, re-encodes and stores one uploaded photo (as `process_all`). The inner error is the
/// message key for a file that is not an acceptable photo.
pub async fn store_upload(
    state: &AppState,
    file: UploadedFile,
) -> Result<Result<String, &'static str>, AppError> {
    Ok(store_all(state, vec![file])
        .await?
        .map(|names| names.into_iter().next().unwrap_or_default()))
}

/// Checks and re-encodes the photos of one request (as `process_all`), then stores them; the
/// inner error is the message key of what is wrong with them. Nothing is stored unless every
/// file is acceptable.
pub async fn store_all(
    state: &AppState,
    files: Vec<UploadedFile>,
) -> Result<Result<Vec<String>, &'static str>, AppError> {
    let processed = match process_all(state, files).await? {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.message_key())),
    };
    let data_dir = state.config.data_dir();
    let stored = actix_web::web::block(move || {
        processed
            .iter()
            .map(|p| store(&data_dir, p))
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await?;
    stored
        .map(Ok)
        .map_err(|e| AppError::from_io("storing photos", e))
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

    /// A real 1 × 1 PNG whose header claims `w` × `h` pixels of `color` (2 RGB, 6 RGBA),
    /// with the header's checksum right, so that only the claim is wrong.
    fn png_claiming(w: u32, h: u32, color: u8) -> Vec<u8> {
        let mut png = sample(ImageFormat::Png, 1, 1);
        png[16..20].copy_from_slice(&w.to_be_bytes());
        png[20..24].copy_from_slice(&h.to_be_bytes());
        png[25] = color;
        let mut crc = 0xFFFF_FFFFu32;
        for &b in &png[12..29] {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        png[29..33].copy_from_slice(&(!crc).to_be_bytes());
        png
    }

    #[test]
    fn a_request_is_bounded_in_pixels_from_the_headers() {
        let big = png_claiming(7070, 7070, 2);
        assert_eq!(check_request([big.as_slice()]), Ok(()));
        assert_eq!(
            check_request([big.as_slice(), big.as_slice()]),
            Err(PhotoError::RequestTooManyPixels)
        );
        let small = sample(ImageFormat::Png, 3000, 1000);
        assert_eq!(check_request(vec![small.as_slice(); 4]), Ok(()));
        assert_eq!(
            check_request([small.as_slice(), png_claiming(8000, 8000, 2).as_slice()]),
            Err(PhotoError::TooManyPixels)
        );
        assert_eq!(
            check_request([small.as_slice(), b"GIF89a".as_slice()]),
            Err(PhotoError::NotAnImage)
        );
    }

    #[test]
    fn decoding_is_bounded_in_memory() {
        // 42 megapixels is under the pixel limit, but 168 MB as RGBA is over the memory
        // limit: refused before the buffer is allocated.
        let rgba = png_claiming(7000, 6000, 6);
        assert_eq!(check_request([rgba.as_slice()]), Ok(()));
        assert_eq!(process(&rgba).err(), Some(PhotoError::TooManyPixels));
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
