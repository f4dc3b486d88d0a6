//! Grounding a described object: "Locate the leftmost red circle; answer [x1, y1, x2, y2]"
//! (referring-expression comprehension as in VLM-R1's REC task and UniVG-R1; graded by the
//! `iou` verifier, continuous IoU).
//!
//! The gold box is the target's pixel box (its geometric box rounded outwards plus one pixel
//! for anti-aliasing) in absolute pixels of the 250 × 250 image
//! ([`CoordFrame::AbsoluteOriginal`]); the policy answers in the frame of [`crate::Coords`]
//! (pixels, or 0–1000, exact since 1000 / 250 = 4), declared in [`Gold::answer_frame`] and
//! stated in the prompt.
//!
//! **Difficulty**
//! | level | shapes | radius px | expression | distractors |
//! |---|---|---|---|---|
//! | 1 | 3–4 | 20–28 | "the red circle" (unique) | differ in colour and kind |
//! | 2 | 5–7 | 16–22 | unique look | differ in colour or kind |
//! | 3 | 8–11 | 12–17 | unique look | share the colour or the kind |
//! | 4 | 8–12 | 11–16 | "the leftmost red circle" among 2–3 copies | any |
//! | 5 | 12–16 | 9–13 | extreme-position among 3–4 copies | share the colour or the kind |

use crate::figure::{random_look, Colour, Figure, Kind, Layout, PAPER};
use crate::random::{choose, int, shuffle};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::Sketch;
use ocellus_rewards::{CoordFrame, Gold};
use serde_json::json;

/// Image side, pixels.
pub const SIZE: usize = 250;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "grounding",
    summary: "give the bounding box of a described shape",
    difficulty: "more and smaller shapes, hard negatives sharing colour or kind, then \
                 relational expressions (leftmost/rightmost/topmost/bottommost) among copies",
    verifier: "iou",
    ability: "grounding",
    uses_coords: true,
    generate,
};

/// The extreme-position words and the coordinate they sort by (`sign * center[axis]`, lowest
/// wins).
const EXTREMES: [(&str, usize, f64); 4] = [
    ("leftmost", 0, 1.0),
    ("rightmost", 0, -1.0),
    ("topmost", 1, 1.0),
    ("bottommost", 1, -1.0),
];

/// A look different from `target` in colour or kind, or sharing exactly one when `hard`.
pub(crate) fn other_look(
    rng: &mut RandomState,
    target: (Kind, Colour),
    palette: usize,
    hard: bool,
) -> (Kind, Colour) {
    loop {
        let look = random_look(rng, palette, palette);
        let shares = (look.0 == target.0) as u8 + (look.1 == target.1) as u8;
        if (hard && shares == 1) || (!hard && shares == 0) {
            return look;
        }
    }
}

/// The scene and the index of the target figure in it, with its referring expression.
fn scene(rng: &mut RandomState, spec: &Spec) -> (Vec<Figure>, usize, String) {
    let d = spec.difficulty;
    let (n_lo, n_hi) = d.pick([(3, 4), (5, 7), (8, 11), (8, 12), (12, 16)]);
    let radius = d.pick([
        (20.0, 28.0),
        (16.0, 22.0),
        (12.0, 17.0),
        (11.0, 16.0),
        (9.0, 13.0),
    ]);
    let palette = d.pick([4, 5, 6, 6, 6]);
    let copies = d.pick([(1, 1), (1, 1), (1, 1), (2, 3), (3, 4)]);
    let layout = Layout {
        width: SIZE,
        height: SIZE,
        margin: 4.0,
        gap: 6.0,
    };
    loop {
        let total = int(rng, n_lo, n_hi);
        let target = random_look(rng, palette, palette);
        let n_copies = int(rng, copies.0, copies.1);
        let mut wanted = vec![target; n_copies as usize];
        for _ in n_copies..total {
            let hard = match d.level() {
                1 => false,
                2 => choose(rng, &[false, true]),
                4 => choose(rng, &[false, true]),
                _ => true,
            };
            wanted.push(other_look(rng, target, palette, hard));
        }
        let mut figures = Vec::new();
        if layout.place(rng, &wanted[..n_copies as usize], radius, &mut figures) < n_copies as usize
        {
            continue;
        }
        layout.place(rng, &wanted[n_copies as usize..], radius, &mut figures);
        if n_copies == 1 {
            let expr = format!("the {}", figures[0].describe());
            return (figures, 0, expr);
        }
        // Relational: the copy that is clearly extreme in one direction.
        let mut order = EXTREMES;
        shuffle(rng, &mut order);
        for (word, axis, sign) in order {
            let key = |f: &Figure| sign * f.center[axis];
            let mut idx: Vec<usize> = (0..n_copies as usize).collect();
            idx.sort_by(|&a, &b| key(&figures[a]).total_cmp(&key(&figures[b])));
            let (best, next) = (&figures[idx[0]], &figures[idx[1]]);
            if key(next) - key(best) >= 1.5 * radius.1 {
                let expr = format!("the {word} {}", best.describe());
                return (figures, idx[0], expr);
            }
        }
    }
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let mut rng = spec.rng();
    let (figures, target, expr) = scene(&mut rng, spec);
    let mut image = Sketch::new(SIZE, SIZE, PAPER);
    for f in &figures {
        f.draw(&mut image);
    }
    let gold_box = figures[target].pixel_box(SIZE, SIZE);
    let [x1, y1, x2, y2] = gold_box;
    let pixels = CoordFrame::AbsoluteOriginal {
        width: SIZE as f64,
        height: SIZE as f64,
    };
    let gold = Gold::new(format!("[{x1}, {y1}, {x2}, {y2}]"))
        .with_frames(spec.coords.frame(SIZE, SIZE), pixels);
    let example = spec.coords.write_box([20, 40, 60, 90], SIZE, SIZE);
    let prompt = format!(
        "<image>\nLocate {expr} in the image. Output its bounding box as [x1, y1, x2, y2], the \
         top-left and bottom-right corners. {} {}",
        spec.coords.describe(SIZE, SIZE),
        answer_like(&example)
    );
    spec.sample(
        info,
        vec![image],
        prompt,
        gold,
        spec.coords.write_box(gold_box, SIZE, SIZE),
        json!({
            "expression": expr,
            "target": target,
            "gold_box_pixels": gold_box,
            "figures": figures,
        }),
    )
}
