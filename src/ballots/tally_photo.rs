//! A photo of a meeting's paper tally sheet (计票单), drawn rather than shipped, for the
//! demo's villagers' meeting in the hall: one ruled row per option with its votes counted in
//! 正 marks (five strokes a character, as tellers count), the tellers' and the supervisor's
//! signatures and the committee's red seal.

use image::RgbImage;

use crate::work_orders::demo_photos::{inside_ellipse, shade};

const W: u32 = 640;
const H: u32 = 860;
/// The table: its left and right edges, its top, and each option's row height.
const LEFT: u32 = 40;
const RIGHT: u32 = 600;
const TOP: u32 = 120;
const ROW: u32 = 170;
/// Where the tally marks start, and one 正's cell.
const MARKS: u32 = 150;
const CELL: u32 = 28;

/// Whether (x, y) in a 24-pixel cell lies on one of the first `strokes` strokes of 正.
fn on_zheng(x: u32, y: u32, strokes: u64) -> bool {
    let within = |a: u32, b: u32, v: u32| (a..b).contains(&v);
    let lines = [
        within(2, 5, y) && within(2, 22, x),    // the top stroke
        within(11, 14, x) && within(2, 22, y),  // the middle vertical
        within(11, 14, y) && within(12, 20, x), // the short stroke to the right
        within(5, 8, x) && within(12, 22, y),   // the short vertical on the left
        within(20, 23, y) && within(1, 23, x),  // the bottom stroke
    ];
    lines.iter().take(strokes as usize).any(|&on| on)
}

/// Whether (x, y) lies on a tally mark of a row counting `votes`.
fn on_marks(x: u32, y: u32, votes: u64) -> bool {
    if !(MARKS..RIGHT - 8).contains(&x) {
        return false;
    }
    let per_line = u64::from((RIGHT - 8 - MARKS) / CELL);
    let (col, cx) = ((x - MARKS) / CELL, (x - MARKS) % CELL);
    let (line, cy) = (y / (CELL + 4), y % (CELL + 4));
    let glyph = u64::from(line) * per_line + u64::from(col);
    let strokes = votes.saturating_sub(glyph * 5).min(5);
    cx < 24 && cy < 24 && strokes > 0 && on_zheng(cx, cy, strokes)
}

/// Draws the tally sheet of `counts` (one per option, in order); `seed` varies the paper.
pub fn draw(counts: &[u64], seed: u32) -> RgbImage {
    let rows = counts.len().max(1) as u32;
    let bottom = TOP + ROW * rows;
    RgbImage::from_fn(W, H, |x, y| {
        let ink = shade([36, 40, 70], x, y, seed, 10);
        let paper = shade([246, 243, 232], x, y, seed, 6);
        let title = (44..76).contains(&y) && (200..440).contains(&x) && (x / 7 + y / 4) % 4 != 0;
        let in_table = (LEFT..=RIGHT).contains(&x) && (TOP..=bottom).contains(&y);
        let edge = |v: u32, from: u32, to: u32| v < from + 2 || v + 2 > to;
        let rule = in_table
            && ((y - TOP) % ROW < 2
                || edge(y, TOP, bottom)
                || edge(x, LEFT, RIGHT)
                || (MARKS - 12..MARKS - 10).contains(&x));
        // The option's name, written small at the row's head.
        let label = in_table
            && (LEFT + 14..MARKS - 26).contains(&x)
            && (y - TOP) % ROW > 20
            && (y - TOP) % ROW < 40
            && (x / 5 + y / 3) % 3 != 0;
        let marks = in_table && {
            let (row, ry) = (((y - TOP) / ROW) as usize, (y - TOP) % ROW);
            let votes = counts.get(row).copied().unwrap_or(0);
            ry > 10 && on_marks(x, ry - 10, votes)
        };
        // Three signatures under the table: two tellers and the supervisor.
        let signed = (bottom + 60..bottom + 90).contains(&y)
            && [(60u32, 200u32), (250, 380), (430, 560)]
                .iter()
                .any(|&(a, b)| (a..b).contains(&x) && ((x * 3 + y * 5 + seed) % 23) < 6);
        let seal_at = (500.0, (bottom + 150) as f32);
        let seal = inside_ellipse(x, y, seal_at.0, seal_at.1, 70.0, 70.0)
            && !inside_ellipse(x, y, seal_at.0, seal_at.1, 62.0, 62.0)
            || inside_ellipse(x, y, seal_at.0, seal_at.1, 16.0, 16.0);
        if seal {
            shade([200, 30, 30], x, y, seed, 12)
        } else if title || rule || label || marks || signed {
            ink
        } else {
            paper
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ink pixels in the marks area of `row`.
    fn inked(img: &RgbImage, row: u32) -> usize {
        let (top, bottom) = (TOP + row * ROW + 11, TOP + (row + 1) * ROW - 2);
        (MARKS..RIGHT - 8)
            .flat_map(|x| (top..bottom).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y)[0] < 120)
            .count()
    }

    #[test]
    fn more_votes_leave_more_marks_and_none_leave_none() {
        let img = draw(&[51, 4, 0], 3);
        assert_eq!(img.dimensions(), (W, H));
        assert!(inked(&img, 0) > inked(&img, 1));
        assert!(inked(&img, 1) > 0);
        assert_eq!(inked(&img, 2), 0);
        assert_eq!(draw(&[51, 4, 0], 3).as_raw(), img.as_raw(), "repeatable");
    }

    #[test]
    fn a_zheng_is_five_strokes_drawn_one_by_one() {
        let cells = |k| {
            (0..24)
                .flat_map(|x| (0..24).map(move |y| (x, y)))
                .filter(|&(x, y)| on_zheng(x, y, k))
                .count()
        };
        for k in 1..=5 {
            assert!(cells(k) > cells(k - 1), "stroke {k}");
        }
        assert_eq!(cells(5), cells(6), "a 正 has five strokes");
    }
}
