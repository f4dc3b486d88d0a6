//! Spot the difference: two 250 × 250 scenes that differ in exactly one shape; the answer is
//! the box of the changed region (graded by the `iou` verifier, continuous IoU).
//!
//! The change is one of: a shape removed, a shape added (in free space), a shape recoloured,
//! a shape replaced by another kind of the same colour. Shapes never overlap, so the changed
//! pixels are exactly those of the changed shape(s); the gold box is their pixel box (the
//! union of old and new shapes for a replacement), in absolute pixels. Every pixel that
//! differs between the two images lies inside the gold box (tested).
//!
//! **Difficulty**
//! | level | shapes | radius px | changes allowed |
//! |---|---|---|---|
//! | 1 | 4–5 | 18–24 | removed / added |
//! | 2 | 6–8 | 14–20 | removed / added / recoloured |
//! | 3 | 8–11 | 12–17 | recoloured / replaced |
//! | 4 | 11–14 | 10–14 | recoloured to a similar hue / replaced |
//! | 5 | 14–18 | 8–12 | recoloured to a similar hue |

use crate::figure::{random_look, union, Colour, Figure, Kind, Layout, PAPER};
use crate::random::{choose, int};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_render::Sketch;
use ocellus_rewards::{CoordFrame, Gold};
use serde_json::json;

/// Image side, pixels.
pub const SIZE: usize = 250;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "difference",
    summary: "give the bounding box of the one region that differs between two images",
    difficulty: "more and smaller shapes; changes go from removal/addition to recolouring, \
                 kind replacement and recolouring to a similar hue",
    verifier: "iou",
    ability: "difference",
    uses_coords: true,
    generate,
};

/// A colour close in hue to `c` (levels 4–5).
fn similar(c: Colour) -> Colour {
    match c {
        Colour::Red => Colour::Orange,
        Colour::Orange => Colour::Yellow,
        Colour::Yellow => Colour::Orange,
        Colour::Green => Colour::Blue,
        Colour::Blue => Colour::Purple,
        Colour::Purple => Colour::Blue,
    }
}

fn draw(figures: &[Figure]) -> Sketch {
    let mut s = Sketch::new(SIZE, SIZE, PAPER);
    for f in figures {
        f.draw(&mut s);
    }
    s
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let (lo, hi) = d.pick([(4, 5), (6, 8), (8, 11), (11, 14), (14, 18)]);
    let radius = d.pick([
        (18.0, 24.0),
        (14.0, 20.0),
        (12.0, 17.0),
        (10.0, 14.0),
        (8.0, 12.0),
    ]);
    let changes: &[&str] = match d.level() {
        1 => &["removed", "added"],
        2 => &["removed", "added", "recoloured"],
        3 => &["recoloured", "replaced"],
        4 => &["recoloured_similar", "replaced"],
        _ => &["recoloured_similar"],
    };
    let layout = Layout {
        width: SIZE,
        height: SIZE,
        margin: 4.0,
        gap: 6.0,
    };
    loop {
        let n = int(&mut rng, lo, hi);
        let looks: Vec<_> = (0..n).map(|_| random_look(&mut rng, 6, 6)).collect();
        let mut first = Vec::new();
        layout.place(&mut rng, &looks, radius, &mut first);
        if first.len() < 3 {
            continue;
        }
        let mut second = first.clone();
        let change = choose(&mut rng, changes);
        let k = rng.below(first.len() as u32) as usize;
        let gold_box = match change {
            "removed" => {
                second.remove(k);
                first[k].pixel_box(SIZE, SIZE)
            }
            "added" => {
                let (kind, colour) = random_look(&mut rng, 6, 6);
                let r = rng.uniform(radius.0, radius.1);
                let Some(center) = layout.find_spot(&mut rng, r, &first) else {
                    continue;
                };
                let f = Figure {
                    kind,
                    colour,
                    center,
                    radius: r,
                };
                second.push(f);
                f.pixel_box(SIZE, SIZE)
            }
            "recoloured" | "recoloured_similar" => {
                let old = first[k].colour;
                second[k].colour = if change == "recoloured" {
                    loop {
                        let c = choose(&mut rng, &Colour::ALL);
                        if c != old {
                            break c;
                        }
                    }
                } else {
                    similar(old)
                };
                first[k].pixel_box(SIZE, SIZE)
            }
            _ => {
                let old = first[k].kind;
                second[k].kind = loop {
                    let c = choose(&mut rng, &Kind::ALL);
                    if c != old {
                        break c;
                    }
                };
                union(
                    first[k].pixel_box(SIZE, SIZE),
                    second[k].pixel_box(SIZE, SIZE),
                )
            }
        };
        let (a, b) = (draw(&first), draw(&second));
        if a == b {
            continue; // cannot happen for these changes; kept so the answer is never empty
        }
        let [x1, y1, x2, y2] = gold_box;
        let pixels = CoordFrame::AbsoluteOriginal {
            width: SIZE as f64,
            height: SIZE as f64,
        };
        let gold = Gold::new(format!("[{x1}, {y1}, {x2}, {y2}]"))
            .with_frames(spec.coords.frame(SIZE, SIZE), pixels);
        let example = spec.coords.write_box([20, 40, 60, 90], SIZE, SIZE);
        let prompt = format!(
            "<image>\n<image>\nThe two images are identical except in one place: a shape was \
             removed, added, recoloured or replaced. Output the bounding box [x1, y1, x2, y2] \
             (top-left and bottom-right corners) of the region that differs, in either image. \
             {} {}",
            spec.coords.describe(SIZE, SIZE),
            answer_like(&example)
        );
        return spec.sample(
            info,
            vec![a, b],
            prompt,
            gold,
            spec.coords.write_box(gold_box, SIZE, SIZE),
            json!({
                "change": change,
                "changed_figure": k,
                "gold_box_pixels": gold_box,
                "first": first,
                "second": second,
            }),
        );
    }
}
