//! Pictures for the demo's finished work orders, drawn rather than shipped: a road with a
//! pothole and the same road patched, a dark street lamp and a lit one, a heap of rubbish and
//! a swept corner, a dripping pipe and a dry one. They go through the same checks,
//! re-encoding and storage as a resident's upload, so the echo wall shows before and after.

use std::path::Path;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use image::{Rgb, RgbImage};

use super::model::{self, Order, AFTER, BEFORE};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{work_order_photos, work_orders};

const W: u32 = 480;
const H: u32 = 360;

/// A repeatable speckle in 0..=255 for pixel (x, y).
pub fn speckle(x: u32, y: u32, seed: u32) -> u8 {
    let mut v = x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed;
    v = (v ^ (v >> 13)).wrapping_mul(1_274_126_177);
    (v >> 24) as u8
}

/// `base` with a repeatable speckle of `spread` around it.
pub fn shade(base: [u8; 3], x: u32, y: u32, seed: u32, spread: i32) -> Rgb<u8> {
    let n = i32::from(speckle(x, y, seed)) * spread / 255 - spread / 2;
    Rgb(base.map(|c| (i32::from(c) + n).clamp(0, 255) as u8))
}

/// Whether (x, y) lies in the ellipse centred at (cx, cy) with radii rx, ry.
pub fn inside_ellipse(x: u32, y: u32, cx: f32, cy: f32, rx: f32, ry: f32) -> bool {
    let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
    dx * dx + dy * dy <= 1.0
}

/// Draws the scene of `category`, before the work (`done` false) or after it.
pub fn draw(category: &str, done: bool, seed: u32) -> RgbImage {
    RgbImage::from_fn(W, H, |x, y| match category {
        "lighting" => {
            let sky = shade([28, 34, 64], x, y, seed, 16);
            let pole = (230..240).contains(&x) && y > 90;
            let head = (200..262).contains(&x) && (80..96).contains(&y);
            let glow = done && inside_ellipse(x, y, 231.0, 110.0, 90.0, 70.0);
            let ground = y > 300;
            if head {
                if done {
                    Rgb([255, 236, 150])
                } else {
                    Rgb([70, 70, 75])
                }
            } else if pole {
                Rgb([120, 120, 128])
            } else if ground {
                shade(
                    if done { [90, 84, 60] } else { [40, 40, 44] },
                    x,
                    y,
                    seed,
                    30,
                )
            } else if glow {
                shade([120, 110, 70], x, y, seed, 20)
            } else {
                sky
            }
        }
        "sanitation" => {
            let ground = shade([196, 184, 150], x, y, seed, 40);
            let wall = y < 120;
            if wall {
                shade([170, 170, 160], x, y, seed, 20)
            } else if !done && inside_ellipse(x, y, 240.0, 250.0, 150.0, 80.0) {
                let palette = [[60, 120, 60], [40, 40, 40], [200, 60, 50], [220, 220, 210]];
                Rgb(palette[usize::from(speckle(x / 9, y / 9, seed) % 4)])
            } else {
                ground
            }
        }
        "water" => {
            let wall = shade([200, 196, 186], x, y, seed, 20);
            let pipe = (150..190).contains(&y);
            let joint = (220..260).contains(&x) && (140..200).contains(&y);
            let puddle = !done && inside_ellipse(x, y, 240.0, 320.0, 120.0, 28.0);
            let drip = !done && (236..244).contains(&x) && (200..300).contains(&y) && y % 24 < 10;
            if joint {
                if done {
                    Rgb([60, 110, 170])
                } else {
                    Rgb([150, 90, 50])
                }
            } else if pipe {
                Rgb([110, 110, 120])
            } else if puddle || drip {
                shade([80, 130, 190], x, y, seed, 30)
            } else {
                wall
            }
        }
        _ => {
            // A village road: asphalt, a centre line, and a pothole or its patch.
            let road = shade([92, 92, 96], x, y, seed, 50);
            let verge = !(40..=W - 40).contains(&x);
            let line = (236..244).contains(&x) && (y / 30) % 2 == 0;
            let hole = inside_ellipse(x, y, 170.0, 230.0, 80.0, 40.0);
            if verge {
                shade([96, 140, 70], x, y, seed, 40)
            } else if hole && done {
                shade([45, 45, 48], x, y, seed, 18)
            } else if hole {
                let depth = inside_ellipse(x, y, 170.0, 236.0, 60.0, 26.0);
                shade(
                    if depth { [58, 48, 40] } else { [120, 104, 86] },
                    x,
                    y,
                    seed,
                    60,
                )
            } else if line {
                Rgb([230, 220, 160])
            } else {
                road
            }
        }
    })
}

/// Stores a drawn picture through the same checks and re-encoding as an upload.
pub fn store(data_dir: &Path, img: &RgbImage) -> Result<String, AppError> {
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("demo photo: {e}")))?;
    let processed = crate::uploads::process(png.get_ref())
        .map_err(|e| AppError::Internal(format!("demo photo: {e:?}")))?;
    crate::uploads::store(data_dir, &processed)
        .map_err(|e| AppError::Internal(format!("demo photo: {e}")))
}

/// Gives every completed or confirmed demo order without photos a before and an after
/// picture, and a project's order under way a picture of its site; returns how many orders
/// got pictures.
pub fn add(
    conn: &mut AnyConnection,
    data_dir: &Path,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    use diesel::dsl::{exists, not};
    // Finished work shows a before and an after picture; a project's batch under way shows
    // its site as the work began: the progress photos of a 一项一码 page.
    let done = work_orders::state.eq_any(["completed", "confirmed"]);
    let under_way = work_orders::state
        .eq("in_progress")
        .and(work_orders::project_id.is_not_null());
    let has_photos =
        exists(work_order_photos::table.filter(work_order_photos::order_id.eq(work_orders::id)));
    let bare: Vec<Order> = work_orders::table
        .filter(done.or(under_way))
        .filter(not(has_photos))
        .order(work_orders::id)
        .select(Order::as_select())
        .load(conn)?;
    let mut n = 0;
    for o in bare {
        let Some(by) = o.assignee_id.or(o.reporter_id) else {
            continue;
        };
        let seed = o.id as u32;
        let before = store(data_dir, &draw(&o.category, false, seed))?;
        if o.state == "in_progress" {
            model::add_photo(conn, &o, BEFORE, &before, by, now)?;
        } else {
            let after = store(data_dir, &draw(&o.category, true, seed))?;
            model::add_photo(conn, &o, BEFORE, &before, o.reporter_id.unwrap_or(by), now)?;
            model::add_photo(conn, &o, AFTER, &after, by, now)?;
        }
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scene_differs_before_and_after() {
        for c in ["road", "lighting", "sanitation", "water"] {
            let (a, b) = (draw(c, false, 7), draw(c, true, 7));
            assert_eq!(a.dimensions(), (W, H));
            assert_ne!(a.as_raw(), b.as_raw(), "{c}");
            assert_eq!(draw(c, false, 7).as_raw(), a.as_raw(), "repeatable");
        }
    }
}
