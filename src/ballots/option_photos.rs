//! Pictures for the demo's culture-square options, drawn rather than shipped like the echo
//! wall's: the empty lot east of the village committee, the old school's playground and
//! group three's threshing floor. The options' details are append-only, so they are written
//! once, with their photos, where the demo has a data directory (`yishi serve --demo`).

use std::path::Path;

use diesel::prelude::*;
use image::{Rgb, RgbImage};

use super::demo::{square_options, SQUARE};
use super::options;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{agenda_items, ballots};
use crate::work_orders::demo_photos::{inside_ellipse, shade, speckle, store};

const W: u32 = 480;
const H: u32 = 360;

/// Draws site `which` (0, 1 or 2) of the culture square.
pub fn draw(which: usize) -> RgbImage {
    let seed = 7 + which as u32;
    RgbImage::from_fn(W, H, |x, y| {
        let sky = y < 110;
        match which {
            0 => {
                // A flat bare lot, the committee's white building behind it on the left.
                let building = x < 200 && (50..140).contains(&y);
                let window = building && (x % 40) < 18 && (70..100).contains(&y);
                if window {
                    Rgb([70, 110, 150])
                } else if building {
                    shade([236, 232, 222], x, y, seed, 10)
                } else if sky {
                    shade([150, 196, 232], x, y, seed, 8)
                } else {
                    shade([176, 150, 112], x, y, seed, 46)
                }
            }
            1 => {
                // A playground: a red running track round green, a wall and a basketball hoop.
                let wall = (100..130).contains(&y);
                let track = inside_ellipse(x, y, 240.0, 250.0, 220.0, 100.0)
                    && !inside_ellipse(x, y, 240.0, 250.0, 180.0, 70.0);
                let field = inside_ellipse(x, y, 240.0, 250.0, 180.0, 70.0);
                let pole = (420..426).contains(&x) && (60..200).contains(&y);
                let board = (400..446).contains(&x) && (50..80).contains(&y);
                if pole || board {
                    Rgb([240, 240, 240])
                } else if wall {
                    shade([190, 80, 60], x, y, seed, 30)
                } else if sky {
                    shade([150, 196, 232], x, y, seed, 8)
                } else if track {
                    shade([176, 70, 56], x, y, seed, 30)
                } else if field {
                    shade([90, 150, 70], x, y, seed, 40)
                } else {
                    shade([150, 140, 120], x, y, seed, 30)
                }
            }
            _ => {
                // A concrete threshing floor with heaps of golden grain, houses around.
                let house = y < 140 && (x / 120) % 2 == 0 && y > 70;
                let roof = y <= 70 && y > 40 && (x / 120) % 2 == 0;
                let heap = inside_ellipse(x, y, 140.0, 250.0, 70.0, 34.0)
                    || inside_ellipse(x, y, 340.0, 280.0, 80.0, 38.0);
                if roof {
                    Rgb([80, 80, 90])
                } else if house {
                    shade([214, 208, 196], x, y, seed, 12)
                } else if y < 140 {
                    shade([150, 196, 232], x, y, seed, 8)
                } else if heap {
                    let grain = speckle(x / 3, y / 3, seed) % 40;
                    Rgb([220 + grain / 4, 176 + grain / 2, 60])
                } else {
                    shade([196, 194, 188], x, y, seed, 24)
                }
            }
        }
    })
}

/// Describes the options of 柳塘村's open culture-square ballot, with photos, unless they
/// are described already; whether it did.
pub fn add(conn: &mut AnyConnection, data_dir: &Path) -> Result<bool, AppError> {
    let ballot: Option<i64> = ballots::table
        .inner_join(agenda_items::table.on(agenda_items::id.eq(ballots::item_id)))
        .filter(agenda_items::title.eq(SQUARE))
        .filter(ballots::state.eq(super::model::OPEN))
        .select(ballots::id)
        .first(conn)
        .optional()?;
    let Some(ballot) = ballot else {
        return Ok(false);
    };
    if !options::of_ballot(conn, ballot)?.is_empty() {
        return Ok(false);
    }
    let mut typed = square_options();
    for (i, d) in typed.iter_mut().enumerate() {
        d.photo = Some(store(data_dir, &draw(i))?);
    }
    crate::db::write_tx(conn, |conn| options::save(conn, ballot, &typed))?;
    Ok(true)
}
