//! Naming one small shape in a large image: "What kind of shape is in the image?" (a
//! high-resolution perception task in the spirit of MGPO, arXiv 2507.05920, and V*: the detail
//! is only readable up close; graded by the `cls_rl` verifier, case-insensitive exact word).
//!
//! One shape of a random kind and colour sits somewhere on a large canvas. A policy that sees
//! the whole canvas at a small input size (384 px shrunk to 96 px: a 16-px shape becomes 4 px)
//! can find it but hardly tell a square from a circle; a policy that crops a window around it
//! sees it at full size. `extra.focus` is the 96-px window centred on the shape (clamped to the
//! canvas), what a crop demonstration zooms into. Nothing in the prompt names the shape's
//! colour, so the answer depends on the image alone.
//!
//! **Difficulty**
//! | level | canvas px | radius px | kinds |
//! |---|---|---|---|
//! | 1 | 384 | 9–11 | circle, square, triangle |
//! | 2 | 384 | 7–9 | + diamond |
//! | 3 | 512 | 7–9 | + hexagon |
//! | 4 | 512 | 6–7 | + pentagon |
//! | 5 | 640 | 5–6 | all six |

use crate::figure::{Colour, Figure, Kind, PAPER};
use crate::random::{choose, int};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_render::Sketch;
use ocellus_rewards::Gold;
use serde_json::json;

/// Side of the focus window, pixels.
pub const WINDOW: i64 = 96;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "zoom_shape",
    summary: "name the kind of one small shape in a large image",
    difficulty: "a larger canvas, a smaller shape, more kinds to tell apart",
    verifier: "cls_rl",
    ability: "perception",
    uses_coords: false,
    generate,
};

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let canvas = d.pick([384usize, 384, 512, 512, 640]);
    let (r_lo, r_hi) = d.pick([(9.0, 11.0), (7.0, 9.0), (7.0, 9.0), (6.0, 7.0), (5.0, 6.0)]);
    let kinds = d.pick([3usize, 4, 5, 6, 6]);
    let kind = choose(&mut rng, &Kind::ALL[..kinds]);
    let colour = choose(&mut rng, &Colour::ALL[..4]);
    let radius = rng.uniform(r_lo, r_hi);
    let margin = (radius + 2.0).ceil() as u32;
    let cx = f64::from(int(&mut rng, margin, canvas as u32 - margin));
    let cy = f64::from(int(&mut rng, margin, canvas as u32 - margin));
    let figure = Figure {
        kind,
        colour,
        center: [cx, cy],
        radius,
    };
    let mut image = Sketch::new(canvas, canvas, PAPER);
    figure.draw(&mut image);
    let names: Vec<&str> = Kind::ALL[..kinds].iter().map(|k| k.noun()).collect();
    let prompt = format!(
        "<image>\nWhat kind of shape is the small figure in the image? It is one of: {}. {}",
        names.join(", "),
        answer_like(names[0])
    );
    let half = WINDOW / 2;
    let side = canvas as i64;
    let x1 = (cx.round() as i64 - half).clamp(0, side - WINDOW);
    let y1 = (cy.round() as i64 - half).clamp(0, side - WINDOW);
    let focus = [x1, y1, x1 + WINDOW, y1 + WINDOW];
    spec.sample(
        info,
        vec![image],
        prompt,
        Gold::new(kind.noun()),
        kind.noun().to_owned(),
        json!({
            "kind": kind,
            "colour": colour,
            "focus": focus,
            "figures": [figure],
        }),
    )
}
