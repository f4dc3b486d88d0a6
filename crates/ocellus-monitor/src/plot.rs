//! Learning curves: mean and spread across seeds, drawn into a PNG with the project's own
//! rasteriser ([`ocellus_render::Sketch`]), so plotting needs no fonts or system libraries.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ocellus_render::{Rgb, Sketch};

use crate::MonitorError;

/// One point of a curve: the mean over the runs that have a value at `x`, and a band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// The x value (environment frames).
    pub x: f64,
    /// Mean over runs.
    pub mean: f64,
    /// Lower edge of the band (mean − standard deviation).
    pub low: f64,
    /// Upper edge of the band (mean + standard deviation).
    pub high: f64,
    /// How many runs contributed.
    pub runs: usize,
}

/// A labelled curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// Points in increasing x.
    pub points: Vec<CurvePoint>,
}

/// Averages runs (each a list of `(x, y)`) point-wise at equal x: mean ± sample standard
/// deviation (0 for a single run). Runs evaluated at the same frame counts, as seeds of one
/// configuration are, line up exactly.
pub fn aggregate(label: impl Into<String>, runs: &[Vec<(f64, f64)>]) -> Curve {
    let mut xs: Vec<f64> = runs
        .iter()
        .flatten()
        .map(|p| p.0)
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let points = xs
        .into_iter()
        .filter_map(|x| {
            let ys: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|p| p.0 == x).map(|p| p.1))
                .filter(|y| y.is_finite())
                .collect();
            if ys.is_empty() {
                return None;
            }
            let n = ys.len() as f64;
            let mean = ys.iter().sum::<f64>() / n;
            let var = if ys.len() > 1 {
                ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1.0)
            } else {
                0.0
            };
            let sd = var.sqrt();
            Some(CurvePoint {
                x,
                mean,
                low: mean - sd,
                high: mean + sd,
                runs: ys.len(),
            })
        })
        .collect();
    Curve {
        label: label.into(),
        points,
    }
}

/// Size and labels of a plot.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotOptions {
    /// Image width, pixels.
    pub width: usize,
    /// Image height, pixels.
    pub height: usize,
    /// Title above the plot.
    pub title: String,
    /// Label under the x axis.
    pub x_label: String,
    /// Label of the y axis (drawn above it).
    pub y_label: String,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            width: 640,
            height: 400,
            title: String::new(),
            x_label: "frames".into(),
            y_label: "return".into(),
        }
    }
}

/// Colours of successive curves (a colour-blind-safe qualitative palette, Okabe & Ito 2008).
const COLORS: [Rgb; 7] = [
    [0.0, 0.447, 0.698],
    [0.902, 0.624, 0.0],
    [0.0, 0.620, 0.451],
    [0.835, 0.369, 0.0],
    [0.800, 0.475, 0.655],
    [0.337, 0.706, 0.914],
    [0.941, 0.894, 0.259],
];
const INK: Rgb = [0.15, 0.15, 0.15];
const GRID: Rgb = [0.88, 0.88, 0.88];

/// Tick values at a "nice" step (1, 2 or 5 × 10^k) covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Short tick label: 100000 → "100K", 1500000 → "1.5M", 0.25 → "0.25".
fn label(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e3 {
        format!("{}K", trim(format!("{:.1}", v / 1e3)))
    } else {
        trim(format!("{v:.2}"))
    }
}

/// Draws curves with their bands, axes, ticks, labels and a legend.
pub fn draw(curves: &[Curve], options: &PlotOptions) -> Result<Sketch, MonitorError> {
    let points: Vec<&CurvePoint> = curves.iter().flat_map(|c| &c.points).collect();
    if points.is_empty() {
        return Err(MonitorError::Plot("no points to plot".into()));
    }
    if options.width < 160 || options.height < 120 {
        return Err(MonitorError::Plot(format!(
            "{}x{} is too small (at least 160x120)",
            options.width, options.height
        )));
    }
    let (mut x0, mut x1) = (f64::MAX, f64::MIN);
    let (mut y0, mut y1) = (f64::MAX, f64::MIN);
    for p in &points {
        x0 = x0.min(p.x);
        x1 = x1.max(p.x);
        y0 = y0.min(p.low);
        y1 = y1.max(p.high);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let (w, h) = (options.width as f64, options.height as f64);
    let (left, right, top, bottom) = (56.0, w - 12.0, 24.0, h - 30.0);
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * (right - left);
    let sy = |y: f64| bottom - (y - y0) / (y1 - y0) * (bottom - top);
    let mut img = Sketch::new(options.width, options.height, [1.0, 1.0, 1.0]);
    for t in ticks(y0, y1, 6) {
        img.line([left, sy(t)], [right, sy(t)], 1.0, GRID);
        let text = label(t);
        let tw = (text.len() * Sketch::GLYPH_ADVANCE) as f64;
        img.text(
            [
                (left - 4.0 - tw).max(0.0) as usize,
                (sy(t) - 3.5).max(0.0) as usize,
            ],
            &text,
            1,
            INK,
        );
    }
    for t in ticks(x0, x1, 6) {
        img.line([sx(t), top], [sx(t), bottom], 1.0, GRID);
        let text = label(t);
        let tw = (text.len() * Sketch::GLYPH_ADVANCE) as f64;
        img.text(
            [(sx(t) - tw / 2.0).max(0.0) as usize, bottom as usize + 5],
            &text,
            1,
            INK,
        );
    }
    for (i, curve) in curves.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let band = c.map(|v| 0.75 + 0.25 * v);
        for pair in curve.points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a.high > a.low || b.high > b.low {
                let quad = [
                    [sx(a.x), sy(a.low)],
                    [sx(b.x), sy(b.low)],
                    [sx(b.x), sy(b.high)],
                    [sx(a.x), sy(a.high)],
                ];
                img.polygon(&quad, band);
            }
        }
    }
    for (i, curve) in curves.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        for pair in curve.points.windows(2) {
            img.line(
                [sx(pair[0].x), sy(pair[0].mean)],
                [sx(pair[1].x), sy(pair[1].mean)],
                2.0,
                c,
            );
        }
        if let [only] = curve.points.as_slice() {
            img.disc([sx(only.x), sy(only.mean)], 3.0, c);
        }
        let ly = top as usize + 6 + i * 12;
        img.rect([left + 8.0, ly as f64], [left + 18.0, ly as f64 + 7.0], c);
        img.text([left as usize + 24, ly], &curve.label, 1, INK);
    }
    img.line([left, top], [left, bottom], 1.0, INK);
    img.line([left, bottom], [right, bottom], 1.0, INK);
    let tl = (options.title.len() * Sketch::GLYPH_ADVANCE) as f64;
    img.text(
        [((left + right - tl) / 2.0).max(0.0) as usize, 6],
        &options.title,
        1,
        INK,
    );
    let xl = (options.x_label.len() * Sketch::GLYPH_ADVANCE) as f64;
    img.text(
        [
            ((left + right - xl) / 2.0).max(0.0) as usize,
            options.height - 10,
        ],
        &options.x_label,
        1,
        INK,
    );
    img.text([4, 6], &options.y_label, 1, INK);
    Ok(img)
}

/// Writes an image as an RGB PNG.
pub fn write_png(image: &Sketch, path: &Path) -> Result<(), MonitorError> {
    let io = |source| MonitorError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io)?;
    let mut encoder = png::Encoder::new(
        BufWriter::new(file),
        image.width() as u32,
        image.height() as u32,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let png_err = |e: png::EncodingError| MonitorError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&image.to_hwc()).map_err(png_err)?;
    writer.finish().map_err(png_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_takes_mean_and_sample_std_at_equal_x() {
        let runs = vec![
            vec![(0.0, 1.0), (10.0, 4.0)],
            vec![(0.0, 3.0), (10.0, 8.0)],
            vec![(10.0, 6.0)],
        ];
        let c = aggregate("drqv2", &runs);
        assert_eq!(c.points.len(), 2);
        assert_eq!((c.points[0].mean, c.points[0].runs), (2.0, 2));
        assert!((c.points[0].high - (2.0 + 2f64.sqrt())).abs() < 1e-12);
        assert_eq!((c.points[1].mean, c.points[1].runs), (6.0, 3));
        assert!(
            (c.points[1].low - 4.0).abs() < 1e-12,
            "sample std of 4, 6, 8 is 2"
        );
    }

    #[test]
    fn ticks_and_labels_are_round() {
        assert_eq!(
            ticks(0.0, 100_000.0, 5),
            vec![0.0, 20_000.0, 40_000.0, 60_000.0, 80_000.0, 100_000.0]
        );
        assert_eq!(label(100_000.0), "100K");
        assert_eq!(label(1_500_000.0), "1.5M");
        assert_eq!(label(0.25), "0.25");
        assert_eq!(label(-3.0), "-3");
    }

    #[test]
    fn curves_are_drawn_where_their_values_are() {
        let up = aggregate("up", &[vec![(0.0, 0.0), (100.0, 100.0)]]);
        let opts = PlotOptions {
            width: 200,
            height: 150,
            ..PlotOptions::default()
        };
        let img = draw(&[up], &opts).unwrap();
        // The line runs from bottom-left to top-right of the plot area: its colour appears
        // near the lower left and the upper right, not the upper left.
        let is_curve = |x: usize, y: usize| {
            let p = img.pixel(x, y);
            p[2] > 100 && p[0] < 60
        };
        let near = |cx: usize, cy: usize| {
            (cx - 3..cx + 3).any(|x| (cy - 3..cy + 3).any(|y| is_curve(x, y)))
        };
        let (left, right, top, bottom) = (56.0f64, 188.0f64, 24.0f64, 120.0f64);
        let pad = 5.0; // 5% of the y range
        let y_of = |v: f64| bottom - (v + pad) / (100.0 + 2.0 * pad) * (bottom - top);
        assert!(near(
            left as usize + 10,
            y_of(100.0 * 10.0 / (right - left)) as usize
        ));
        assert!(near(
            right as usize - 10,
            y_of(100.0 - 100.0 * 10.0 / (right - left)) as usize
        ));
        // Upper left of the plot (clear of the legend's swatch) stays empty.
        assert!(!near(left as usize + 60, y_of(90.0) as usize));
        assert!(draw(&[], &opts).is_err());
    }
}
