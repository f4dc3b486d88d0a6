//! Flat 2-D drawing for synthetic images (the visual task generators of `ocellus-tasks`).
//!
//! A [`Sketch`] is an owned channel-first RGB `u8` image with the same anti-aliased
//! primitives the scene renderer uses (discs, thick lines, convex polygons) plus axis-aligned
//! rectangles, a 5 × 7 bitmap font, crops, pastes and quarter-turn rotations. Coordinates are
//! pixels with the origin at the top-left corner; pixel (x, y) covers `[x, x+1) × [y, y+1)`.
//! Drawing is exactly deterministic.

use crate::raster::Canvas;
use crate::Rgb;

/// An RGB image being drawn, stored channel-first (`[3, H, W]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sketch {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

fn to255(c: Rgb) -> [f32; 3] {
    c.map(|x| x.clamp(0.0, 1.0) * 255.0)
}

/// Glyph rows, 5 bits each (bit 4 = leftmost column), 7 rows from the top.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [28, 18, 17, 17, 17, 18, 28],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 17, 10, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        ' ' => [0; 7],
        '.' => [0, 0, 0, 0, 0, 12, 12],
        ',' => [0, 0, 0, 0, 12, 4, 8],
        ':' => [0, 12, 12, 0, 12, 12, 0],
        '-' => [0, 0, 0, 31, 0, 0, 0],
        '+' => [0, 4, 4, 31, 4, 4, 0],
        '±' => [4, 4, 31, 4, 4, 0, 31],
        '=' => [0, 0, 31, 0, 31, 0, 0],
        '%' => [24, 25, 2, 4, 8, 19, 3],
        '?' => [14, 17, 1, 2, 4, 0, 4],
        '/' => [0, 1, 2, 4, 8, 16, 0],
        '(' => [2, 4, 8, 8, 8, 4, 2],
        ')' => [8, 4, 2, 2, 2, 4, 8],
        _ => [31, 17, 17, 17, 17, 17, 31],
    }
}

impl Sketch {
    /// Width of one character of [`Sketch::text`] at scale 1, including its spacing column.
    pub const GLYPH_ADVANCE: usize = 6;
    /// Height of one line of [`Sketch::text`] at scale 1.
    pub const GLYPH_HEIGHT: usize = 7;

    /// A `width × height` image filled with `background`.
    ///
    /// # Panics
    /// If a side is 0.
    pub fn new(width: usize, height: usize, background: Rgb) -> Sketch {
        assert!(
            width > 0 && height > 0,
            "a sketch needs a positive size, got {width}x{height}"
        );
        let plane = width * height;
        let mut pixels = vec![0u8; 3 * plane];
        for (ch, c) in to255(background).into_iter().enumerate() {
            pixels[ch * plane..(ch + 1) * plane].fill((c + 0.5) as u8);
        }
        Sketch {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
    /// The channel-first pixels, `[3, H, W]`.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
    /// Interleaved RGB pixels (`[H, W, 3]`), for image writers.
    pub fn to_hwc(&self) -> Vec<u8> {
        let mut out = Vec::new();
        crate::chw_to_hwc(&self.pixels, self.width, self.height, &mut out);
        out
    }
    /// The colour of pixel (x, y) as bytes.
    ///
    /// # Panics
    /// If (x, y) is outside the image.
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        assert!(
            x < self.width && y < self.height,
            "pixel ({x}, {y}) outside {}x{}",
            self.width,
            self.height
        );
        let (plane, i) = (self.width * self.height, y * self.width + x);
        [
            self.pixels[i],
            self.pixels[plane + i],
            self.pixels[2 * plane + i],
        ]
    }

    fn canvas(&mut self) -> Canvas<'_> {
        Canvas::new(&mut self.pixels, self.width, self.height)
    }

    /// A filled disc.
    pub fn disc(&mut self, center: [f64; 2], radius: f64, color: Rgb) {
        self.canvas()
            .flat_capsule(center, center, radius, 1.0, to255(color));
    }

    /// A line of the given width with round caps.
    pub fn line(&mut self, a: [f64; 2], b: [f64; 2], width: f64, color: Rgb) {
        self.canvas()
            .flat_capsule(a, b, width / 2.0, 1.0, to255(color));
    }

    /// A filled convex polygon (at most 8 vertices, either winding).
    pub fn polygon(&mut self, vertices: &[[f64; 2]], color: Rgb) {
        self.canvas().flat_convex(vertices, 1.0, to255(color));
    }

    /// A filled axis-aligned rectangle covering `[min, max]`.
    pub fn rect(&mut self, min: [f64; 2], max: [f64; 2], color: Rgb) {
        let poly = [
            [min[0], min[1]],
            [max[0], min[1]],
            [max[0], max[1]],
            [min[0], max[1]],
        ];
        self.polygon(&poly, color);
    }

    /// Text in a 5 × 7 bitmap font (digits, letters shown upper-case, `.,:-+%?/()`; other
    /// characters as a box), each font pixel drawn as a `scale × scale` block, with its
    /// top-left corner at `origin`. Returns the width drawn, in pixels.
    pub fn text(&mut self, origin: [usize; 2], text: &str, scale: usize, color: Rgb) -> usize {
        let c = to255(color).map(|v| (v + 0.5) as u8);
        let scale = scale.max(1);
        let plane = self.width * self.height;
        for (k, ch) in text.chars().enumerate() {
            let x0 = origin[0] + k * Self::GLYPH_ADVANCE * scale;
            for (row, bits) in glyph(ch).into_iter().enumerate() {
                for col in 0..5 {
                    if bits & (16 >> col) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (x, y) = (x0 + col * scale + dx, origin[1] + row * scale + dy);
                            if x < self.width && y < self.height {
                                let i = y * self.width + x;
                                self.pixels[i] = c[0];
                                self.pixels[plane + i] = c[1];
                                self.pixels[2 * plane + i] = c[2];
                            }
                        }
                    }
                }
            }
        }
        text.chars().count() * Self::GLYPH_ADVANCE * scale
    }

    /// The `width × height` region with top-left corner (x, y); `None` if it does not fit.
    pub fn crop(&self, x: usize, y: usize, width: usize, height: usize) -> Option<Sketch> {
        if width == 0 || height == 0 || x + width > self.width || y + height > self.height {
            return None;
        }
        let mut out = Sketch {
            width,
            height,
            pixels: vec![0; 3 * width * height],
        };
        for ch in 0..3 {
            for row in 0..height {
                let src = ch * self.width * self.height + (y + row) * self.width + x;
                let dst = ch * width * height + row * width;
                out.pixels[dst..dst + width].copy_from_slice(&self.pixels[src..src + width]);
            }
        }
        Some(out)
    }

    /// Copies `src` with its top-left corner at (x, y), clipped to this image.
    pub fn paste(&mut self, src: &Sketch, x: usize, y: usize) {
        let w = src.width.min(self.width.saturating_sub(x));
        let h = src.height.min(self.height.saturating_sub(y));
        for ch in 0..3 {
            for row in 0..h {
                let s = ch * src.width * src.height + row * src.width;
                let d = ch * self.width * self.height + (y + row) * self.width + x;
                self.pixels[d..d + w].copy_from_slice(&src.pixels[s..s + w]);
            }
        }
    }

    /// The image turned clockwise by `quarter_turns` × 90°.
    pub fn rotated(&self, quarter_turns: u32) -> Sketch {
        let (w, h) = (self.width, self.height);
        let turns = quarter_turns % 4;
        let (ow, oh) = if turns.is_multiple_of(2) {
            (w, h)
        } else {
            (h, w)
        };
        let mut out = Sketch {
            width: ow,
            height: oh,
            pixels: vec![0; 3 * w * h],
        };
        for ch in 0..3 {
            for y in 0..h {
                for x in 0..w {
                    // Where source pixel (x, y) lands after the clockwise turns.
                    let (nx, ny) = match turns {
                        0 => (x, y),
                        1 => (h - 1 - y, x),
                        2 => (w - 1 - x, h - 1 - y),
                        _ => (y, w - 1 - x),
                    };
                    out.pixels[ch * w * h + ny * ow + nx] = self.pixels[ch * w * h + y * w + x];
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = [1.0, 1.0, 1.0];
    const RED: Rgb = [1.0, 0.0, 0.0];

    #[test]
    fn shapes_cover_their_area() {
        let mut s = Sketch::new(40, 30, WHITE);
        s.rect([10.0, 5.0], [20.0, 15.0], RED);
        assert_eq!(s.pixel(15, 10), [255, 0, 0]);
        assert_eq!(s.pixel(25, 10), [255, 255, 255]);
        let mut d = Sketch::new(40, 30, WHITE);
        d.disc([20.0, 15.0], 5.0, RED);
        let red = (0..30)
            .flat_map(|y| (0..40).map(move |x| (x, y)))
            .filter(|&(x, y)| d.pixel(x, y)[1] < 128)
            .count();
        assert!(
            (red as f64 - std::f64::consts::PI * 25.0).abs() < 6.0,
            "{red} px for area 78.5"
        );
    }

    #[test]
    fn text_draws_glyph_pixels() {
        let mut s = Sketch::new(20, 10, WHITE);
        assert_eq!(s.text([1, 1], "1", 1, RED), 6);
        // The digit 1's stem is column 2 of the glyph, rows 0..7.
        assert_eq!(s.pixel(1 + 2, 1 + 3), [255, 0, 0]);
        assert_eq!(s.pixel(1, 1 + 3), [255, 255, 255]);
    }

    #[test]
    fn plus_minus_has_its_own_glyph() {
        // Plot titles say "mean ± std": the sign must not fall back to the unknown-glyph box.
        let mut s = Sketch::new(8, 9, WHITE);
        s.text([1, 1], "±", 1, RED);
        let row = |y: usize| (1..6).filter(|&x| s.pixel(x, 1 + y) == [255, 0, 0]).count();
        assert_eq!((row(2), row(5), row(6)), (5, 0, 5), "bar, gap, underline");
        assert_eq!(s.pixel(1, 1), [255, 255, 255], "no box corner");
    }

    #[test]
    fn crop_paste_and_rotation_round_trip() {
        let mut s = Sketch::new(6, 4, WHITE);
        s.rect([0.0, 0.0], [2.0, 1.0], RED);
        let r4 = s.rotated(1).rotated(1).rotated(1).rotated(1);
        assert_eq!(r4, s);
        let r1 = s.rotated(1);
        assert_eq!((r1.width(), r1.height()), (4, 6));
        // Top-left red block goes to the top-right after one clockwise turn.
        assert_eq!(r1.pixel(3, 0), [255, 0, 0]);
        assert_eq!(r1.pixel(0, 0), [255, 255, 255]);
        let c = s.crop(0, 0, 3, 2).unwrap();
        let mut t = Sketch::new(6, 4, WHITE);
        t.paste(&c, 0, 0);
        assert_eq!(t.crop(0, 0, 3, 2).unwrap(), c);
        assert!(s.crop(5, 0, 3, 2).is_none());
    }
}
