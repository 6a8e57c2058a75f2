//! QR codes for project pages (一项一码) as SVG and greyscale PNG, error correction level M.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use qrcode::types::{Color, QrError as EncodeError};
use qrcode::{EcLevel, QrCode};
use std::fmt;

/// Light modules around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;
/// Largest pixels-per-module accepted by [`qr_png`].
pub const MAX_SCALE: u32 = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrError {
    /// Too much text for one QR code.
    TooLong,
    /// `scale` is 0 or above [`MAX_SCALE`].
    BadScale,
    /// Any other encoder failure (not expected for UTF-8 text).
    Encode(String),
    /// PNG writing failed (not expected for an in-memory buffer).
    Png(String),
}

impl QrError {
    pub fn key(&self) -> &'static str {
        match self {
            Self::TooLong => "project.err.qr_too_long",
            Self::BadScale => "project.err.qr_scale",
            Self::Encode(_) | Self::Png(_) => "project.err.qr_failed",
        }
    }
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(f, "text too long for a QR code"),
            Self::BadScale => write!(f, "QR scale must be 1..={MAX_SCALE}"),
            Self::Encode(e) => write!(f, "QR encoding failed: {e}"),
            Self::Png(e) => write!(f, "QR PNG encoding failed: {e}"),
        }
    }
}

impl std::error::Error for QrError {}

/// The module matrix with the quiet zone added: (side in modules, dark flags row by row).
fn matrix(text: &str) -> Result<(usize, Vec<bool>), QrError> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| match e {
            EncodeError::DataTooLong => QrError::TooLong,
            other => QrError::Encode(other.to_string()),
        })?;
    let inner = code.width();
    let colors = code.to_colors();
    let side = inner + 2 * QUIET_ZONE;
    let mut dark = vec![false; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % inner + QUIET_ZONE, i / inner + QUIET_ZONE);
            dark[y * side + x] = true;
        }
    }
    Ok((side, dark))
}

/// A standalone SVG: one unit per module (quiet zone included), white background, one black
/// path made of horizontal runs. Set CSS width/height to print it at any size.
pub fn qr_svg(text: &str) -> Result<String, QrError> {
    let (side, dark) = matrix(text)?;
    let mut d = String::new();
    for y in 0..side {
        let row = &dark[y * side..(y + 1) * side];
        let mut x = 0;
        while x < side {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < side && row[x] {
                x += 1;
            }
            let run = x - start;
            d.push_str(&format!("M{start} {y}h{run}v1h-{run}z"));
        }
    }
    Ok(format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" ",
            "width=\"{s}\" height=\"{s}\" viewBox=\"0 0 {s} {s}\" ",
            "shape-rendering=\"crispEdges\">",
            "<rect width=\"{s}\" height=\"{s}\" fill=\"#fff\"/>",
            "<path fill=\"#000\" d=\"{d}\"/></svg>\n"
        ),
        s = side,
        d = d
    ))
}

/// An 8-bit greyscale PNG, `scale` pixels per module (1..=32), quiet zone included:
/// (modules + 8) * scale pixels square, only pure black (0) and white (255).
pub fn qr_png(text: &str, scale: u32) -> Result<Vec<u8>, QrError> {
    if scale == 0 || scale > MAX_SCALE {
        return Err(QrError::BadScale);
    }
    let (side, dark) = matrix(text)?;
    let scale = scale as usize;
    let px = side * scale;
    let mut pixels = Vec::with_capacity(px * px);
    for y in 0..px {
        let row = &dark[(y / scale) * side..(y / scale + 1) * side];
        pixels.extend((0..px).map(|x| if row[x / scale] { 0u8 } else { 255u8 }));
    }
    let dim = u32::try_from(px).map_err(|e| QrError::Png(e.to_string()))?;
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, dim, dim, ExtendedColorType::L8)
        .map_err(|e| QrError::Png(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ColorType, GenericImageView, ImageFormat};

    const URL: &str = "https://yishi.example/p/HQ-2026-003";

    fn modules(text: &str) -> usize {
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .unwrap()
            .width()
    }

    fn decode_png(png: &[u8]) -> image::DynamicImage {
        image::load_from_memory_with_format(png, ImageFormat::Png).unwrap()
    }

    fn read_back(img: &image::GrayImage) -> String {
        let (w, h) = img.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                img.get_pixel(x as u32, y as u32).0[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "expected exactly one QR code");
        let (meta, content) = grids[0].decode().unwrap();
        // rqrr's ecc_level is the raw format bits; M is 0b00.
        assert_eq!(meta.ecc_level, 0);
        content
    }

    #[test]
    fn png_has_expected_size_and_pure_pixels() {
        for scale in [1, 3, 8] {
            let png = qr_png(URL, scale).unwrap();
            assert_eq!(&png[1..4], b"PNG");
            let img = decode_png(&png);
            assert_eq!(img.color(), ColorType::L8);
            let side = (modules(URL) + 2 * QUIET_ZONE) as u32 * scale;
            assert_eq!(img.dimensions(), (side, side));
            let grey = img.to_luma8();
            assert!(grey.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255));
            // The quiet zone is white all round.
            let q = QUIET_ZONE as u32 * scale;
            for i in 0..side {
                for j in 0..q {
                    for (x, y) in [(i, j), (j, i), (i, side - 1 - j), (side - 1 - j, i)] {
                        assert_eq!(grey.get_pixel(x, y).0[0], 255);
                    }
                }
            }
            // Top-left finder pattern corner is black.
            assert_eq!(grey.get_pixel(q, q).0[0], 0);
        }
    }

    #[test]
    fn png_decodes_back_to_text() {
        for text in [URL, "HQ-2026-003", "一项一码：村道硬化工程 HQ-2026-003"] {
            let img = decode_png(&qr_png(text, 4).unwrap()).to_luma8();
            assert_eq!(read_back(&img), text);
        }
    }

    #[test]
    fn svg_is_standalone_and_matches_matrix() {
        let svg = qr_svg(URL).unwrap();
        let side = modules(URL) + 2 * QUIET_ZONE;
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(svg.contains(&format!("width=\"{side}\" height=\"{side}\"")));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert_eq!(svg.matches("<path").count(), 1);
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));

        // Paint the path's runs back into a grid and compare with the PNG at scale 1.
        let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut grid = vec![false; side * side];
        for cmd in d.split('M').filter(|c| !c.is_empty()) {
            let (xy, rest) = cmd.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let run: usize = rest.split('v').next().unwrap().parse().unwrap();
            for cell in &mut grid[y * side + x..y * side + x + run] {
                assert!(!*cell, "runs overlap");
                *cell = true;
            }
        }
        let png = decode_png(&qr_png(URL, 1).unwrap()).to_luma8();
        for y in 0..side {
            for x in 0..side {
                let black = png.get_pixel(x as u32, y as u32).0[0] == 0;
                assert_eq!(grid[y * side + x], black, "module ({x},{y})");
            }
        }
        // And the SVG's grid decodes on its own.
        let img = image::GrayImage::from_fn(side as u32 * 4, side as u32 * 4, |x, y| {
            image::Luma([if grid[(y / 4) as usize * side + (x / 4) as usize] {
                0
            } else {
                255
            }])
        });
        assert_eq!(read_back(&img), URL);
    }

    #[test]
    fn errors() {
        assert_eq!(qr_png(URL, 0), Err(QrError::BadScale));
        assert_eq!(qr_png(URL, MAX_SCALE + 1), Err(QrError::BadScale));
        assert!(qr_png(URL, MAX_SCALE).is_ok());
        let huge = "码".repeat(3000);
        assert_eq!(qr_svg(&huge), Err(QrError::TooLong));
        assert_eq!(qr_png(&huge, 1), Err(QrError::TooLong));
        assert_eq!(QrError::TooLong.key(), "project.err.qr_too_long");
        assert_eq!(QrError::BadScale.key(), "project.err.qr_scale");
        assert_eq!(QrError::Png("x".into()).key(), "project.err.qr_failed");
        assert!(QrError::BadScale.to_string().contains("32"));
    }

    #[test]
    fn empty_text_still_encodes() {
        let img = decode_png(&qr_png("", 2).unwrap());
        assert_eq!(img.width(), (21 + 8) * 2);
        assert!(qr_svg("").unwrap().contains("viewBox=\"0 0 29 29\""));
    }
}
