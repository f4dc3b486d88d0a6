//! The shapes most scenes are made of: named kinds and colours, drawing, bounding boxes and
//! non-overlapping placement.
//!
//! Figures never overlap (their bounding circles are kept apart by a gap), so every figure
//! is fully visible, its centre pixel shows its colour, and counting by construction is
//! counting what is drawn.

use crate::random::{choose, int};
use ocellus_core::RandomState;
use ocellus_render::{Rgb, Sketch};
use serde::{Deserialize, Serialize};

/// A shape kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A disc.
    Circle,
    /// An axis-aligned square.
    Square,
    /// An equilateral triangle pointing up.
    Triangle,
    /// A square turned 45°.
    Diamond,
    /// A regular hexagon.
    Hexagon,
    /// A regular pentagon pointing up.
    Pentagon,
}

impl Kind {
    /// All kinds, in the order difficulty tables take them.
    pub const ALL: [Kind; 6] = [
        Kind::Circle,
        Kind::Square,
        Kind::Triangle,
        Kind::Diamond,
        Kind::Hexagon,
        Kind::Pentagon,
    ];

    /// The singular noun.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Circle => "circle",
            Kind::Square => "square",
            Kind::Triangle => "triangle",
            Kind::Diamond => "diamond",
            Kind::Hexagon => "hexagon",
            Kind::Pentagon => "pentagon",
        }
    }

    /// The noun for `count` of them (`circle`, `circles`).
    pub fn noun_for(self, count: usize) -> String {
        if count == 1 {
            self.noun().to_owned()
        } else {
            format!("{}s", self.noun())
        }
    }
}

/// A named colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Red.
    Red,
    /// Green.
    Green,
    /// Blue.
    Blue,
    /// Yellow.
    Yellow,
    /// Purple.
    Purple,
    /// Orange.
    Orange,
}

impl Colour {
    /// All colours, in the order difficulty tables take them.
    pub const ALL: [Colour; 6] = [
        Colour::Red,
        Colour::Green,
        Colour::Blue,
        Colour::Yellow,
        Colour::Purple,
        Colour::Orange,
    ];

    /// The adjective.
    pub fn name(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Green => "green",
            Colour::Blue => "blue",
            Colour::Yellow => "yellow",
            Colour::Purple => "purple",
            Colour::Orange => "orange",
        }
    }

    /// The linear RGB drawn.
    pub fn rgb(self) -> Rgb {
        match self {
            Colour::Red => [0.86, 0.12, 0.12],
            Colour::Green => [0.10, 0.60, 0.20],
            Colour::Blue => [0.12, 0.32, 0.88],
            Colour::Yellow => [0.96, 0.80, 0.05],
            Colour::Purple => [0.55, 0.20, 0.72],
            Colour::Orange => [1.00, 0.50, 0.05],
        }
    }
}

/// The near-white background of shape scenes.
pub const PAPER: Rgb = [0.96, 0.96, 0.94];

/// One shape in a scene.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Kind.
    pub kind: Kind,
    /// Colour.
    pub colour: Colour,
    /// Centre, pixels.
    pub center: [f64; 2],
    /// Radius of the bounding circle, pixels.
    pub radius: f64,
}

fn regular(center: [f64; 2], r: f64, n: usize, phase_deg: f64) -> Vec<[f64; 2]> {
    (0..n)
        .map(|k| {
            let a = (phase_deg + 360.0 * k as f64 / n as f64).to_radians();
            [center[0] + r * a.cos(), center[1] + r * a.sin()]
        })
        .collect()
}

impl Figure {
    /// The polygon's vertices (`None` for a circle).
    pub fn vertices(&self) -> Option<Vec<[f64; 2]>> {
        let (c, r) = (self.center, self.radius);
        match self.kind {
            Kind::Circle => None,
            // Half-side r / sqrt 2: the square is inscribed in the bounding circle.
            Kind::Square => Some(regular(c, r, 4, 45.0)),
            Kind::Triangle => Some(regular(c, r, 3, -90.0)),
            Kind::Diamond => Some(regular(c, r, 4, 0.0)),
            Kind::Hexagon => Some(regular(c, r, 6, 0.0)),
            Kind::Pentagon => Some(regular(c, r, 5, -90.0)),
        }
    }

    /// Draws the figure.
    pub fn draw(&self, s: &mut Sketch) {
        self.draw_in(s, self.colour.rgb());
    }

    /// Draws the figure's shape in another colour.
    pub fn draw_in(&self, s: &mut Sketch, rgb: Rgb) {
        match self.vertices() {
            None => s.disc(self.center, self.radius, rgb),
            Some(v) => s.polygon(&v, rgb),
        }
    }

    /// The geometric bounding box `[x1, y1, x2, y2]`, pixels.
    pub fn bbox(&self) -> [f64; 4] {
        match self.vertices() {
            None => [
                self.center[0] - self.radius,
                self.center[1] - self.radius,
                self.center[0] + self.radius,
                self.center[1] + self.radius,
            ],
            Some(v) => v.iter().fold(
                [
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ],
                |b, p| {
                    [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ]
                },
            ),
        }
    }

    /// The integer pixel box covering every pixel the figure touches, anti-aliasing included
    /// (geometric box rounded outwards, plus one pixel), clipped to `width × height`.
    pub fn pixel_box(&self, width: usize, height: usize) -> [i64; 4] {
        pixel_box(self.bbox(), width, height)
    }

    /// "red circle".
    pub fn describe(&self) -> String {
        format!("{} {}", self.colour.name(), self.kind.noun())
    }
}

/// A geometric box rounded outwards to whole pixels plus a one-pixel margin for the
/// anti-aliasing ramp, clipped to the image.
pub fn pixel_box(b: [f64; 4], width: usize, height: usize) -> [i64; 4] {
    [
        (b[0].floor() as i64 - 1).max(0),
        (b[1].floor() as i64 - 1).max(0),
        (b[2].ceil() as i64 + 1).min(width as i64),
        (b[3].ceil() as i64 + 1).min(height as i64),
    ]
}

/// The union of two integer boxes.
pub fn union(a: [i64; 4], b: [i64; 4]) -> [i64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// Where figures go: a `width × height` image, a margin kept free at the border and a gap
/// kept between bounding circles.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Image width, pixels.
    pub width: usize,
    /// Image height, pixels.
    pub height: usize,
    /// Free border, pixels.
    pub margin: f64,
    /// Free gap between figures, pixels.
    pub gap: f64,
}

impl Layout {
    /// Tries up to 300 random centres for a circle of `radius` that keeps clear of `placed`;
    /// `None` if the image is too full.
    pub fn find_spot(
        &self,
        rng: &mut RandomState,
        radius: f64,
        placed: &[Figure],
    ) -> Option<[f64; 2]> {
        let lo = self.margin + radius;
        let (hx, hy) = (
            self.width as f64 - self.margin - radius,
            self.height as f64 - self.margin - radius,
        );
        if hx <= lo || hy <= lo {
            return None;
        }
        for _ in 0..300 {
            let c = [rng.uniform(lo, hx), rng.uniform(lo, hy)];
            let clear = placed.iter().all(|f| {
                let d = ((f.center[0] - c[0]).powi(2) + (f.center[1] - c[1]).powi(2)).sqrt();
                d >= f.radius + radius + self.gap
            });
            if clear {
                return Some(c);
            }
        }
        None
    }

    /// Places `wanted` figures `(kind, colour)` in order with radii drawn in `radius`,
    /// appending to `placed`; returns how many fit (a figure that does not fit is dropped, so
    /// put the ones that must appear first).
    pub fn place(
        &self,
        rng: &mut RandomState,
        wanted: &[(Kind, Colour)],
        radius: (f64, f64),
        placed: &mut Vec<Figure>,
    ) -> usize {
        let mut n = 0;
        for &(kind, colour) in wanted {
            let r = rng.uniform(radius.0, radius.1);
            if let Some(center) = self.find_spot(rng, r, placed) {
                placed.push(Figure {
                    kind,
                    colour,
                    center,
                    radius: r,
                });
                n += 1;
            }
        }
        n
    }
}

/// A random `(kind, colour)` among the first `kinds` kinds and `colours` colours.
pub fn random_look(rng: &mut RandomState, kinds: usize, colours: usize) -> (Kind, Colour) {
    (
        choose(rng, &Kind::ALL[..kinds]),
        choose(rng, &Colour::ALL[..colours]),
    )
}

/// A diagonal two-colour gradient background whose contrast is `strength` in `[0, 1]`
/// (0 gives flat [`PAPER`]); the top-left colour is drawn from `rng`, the bottom-right one is
/// its complement.
pub fn gradient(rng: &mut RandomState, width: usize, height: usize, strength: f64) -> Sketch {
    let mut s = Sketch::new(width, height, PAPER);
    if strength <= 0.0 {
        return s;
    }
    let hue = |rng: &mut RandomState| -> Rgb {
        let base = [0.35, 0.55, 0.75, 0.9];
        [
            choose(rng, &base),
            choose(rng, &base),
            choose(rng, &base) + 0.05 * int(rng, 0, 1) as f32,
        ]
    };
    // The far end is the near end's complement, so the two corners always differ clearly.
    let a = hue(rng);
    let b: Rgb = a.map(|c| (1.25 - c).clamp(0.3, 0.95));
    // 24 diagonal bands from `a` (top-left) to `b` (bottom-right), mixed with the paper.
    let bands = 24;
    let k = strength as f32;
    let (w, h) = (width as f64, height as f64);
    for i in (0..bands).rev() {
        let t = i as f32 / (bands - 1) as f32;
        let c: Rgb = std::array::from_fn(|j| {
            let g = a[j] + (b[j] - a[j]) * t;
            PAPER[j] + (g - PAPER[j]) * k
        });
        // The band is everything with x/w + y/h <= 2 (i + 1) / bands (painted back to front).
        let f = 2.0 * (i + 1) as f64 / bands as f64;
        let poly: Vec<[f64; 2]> = if f >= 2.0 - 1e-9 {
            vec![[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]
        } else if f <= 1.0 {
            vec![[0.0, 0.0], [f * w, 0.0], [0.0, f * h]]
        } else {
            vec![
                [0.0, 0.0],
                [w, 0.0],
                [w, (f - 1.0) * h],
                [(f - 1.0) * w, h],
                [0.0, h],
            ]
        };
        s.polygon(&poly, c);
    }
    s
}
