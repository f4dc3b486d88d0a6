//! Counting small shapes in a large image: "How many red triangles are there?" where every
//! shape sits in one small window of a large canvas (the high-resolution perception setting of
//! MGPO, arXiv 2507.05920, and V*-style benchmarks; graded by the `numeric` verifier, exact).
//!
//! A policy that sees the whole canvas at its encoder's input size (e.g. 384 px shrunk to 96 px)
//! sees each shape as a pixel or two; a policy that first crops the window sees them at full
//! size. The window is stored as `extra.focus` (`[x1, y1, x2, y2]`, pixels), which is what a
//! crop demonstration zooms into; the figures are listed in `extra.figures`.
//!
//! **Difficulty**
//! | level | canvas px | window px | shapes | radius px | palette | distractors | target count |
//! |---|---|---|---|---|---|---|---|
//! | 1 | 384 | 96 | 3–5 | 6–8 | 3 × 3 | differ in colour and kind | 1–3 |
//! | 2 | 384 | 96 | 4–6 | 5–7 | 4 × 4 | differ in colour or kind | 1–4 |
//! | 3 | 512 | 96 | 5–8 | 4–6 | 5 × 5 | share the colour or the kind | 0–5 |
//! | 4 | 512 | 96 | 6–9 | 4–5 | 6 × 6 | share the colour or the kind | 0–6 |
//! | 5 | 640 | 96 | 8–12 | 3–4 | 6 × 6 | share the colour or the kind | 0–8 |

use crate::figure::{random_look, Colour, Figure, Kind, Layout, PAPER};
use crate::random::{chance, int};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::Sketch;
use ocellus_rewards::Gold;
use serde_json::json;

/// Side of the window holding the shapes, pixels.
pub const WINDOW: usize = 96;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "zoom_count",
    summary: "count small shapes of one colour and kind in one window of a large image",
    difficulty: "a larger canvas, more and smaller shapes, a larger palette, distractors \
                 sharing the target's colour or kind, larger counts including 0",
    verifier: "numeric",
    ability: "counting",
    uses_coords: false,
    generate,
};

fn distractor(
    rng: &mut RandomState,
    target: (Kind, Colour),
    palette: usize,
    level: u8,
) -> (Kind, Colour) {
    loop {
        let look = random_look(rng, palette, palette);
        let ok = match level {
            1 => look.0 != target.0 && look.1 != target.1,
            2 => look != target,
            _ => {
                (look.0 == target.0) != (look.1 == target.1) || (look != target && chance(rng, 0.3))
            }
        };
        if ok {
            return look;
        }
    }
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let canvas = d.pick([384, 384, 512, 512, 640]);
    let (n_lo, n_hi) = d.pick([(3, 5), (4, 6), (5, 8), (6, 9), (8, 12)]);
    let radius = d.pick([(6.0, 8.0), (5.0, 7.0), (4.0, 6.0), (4.0, 5.0), (3.0, 4.0)]);
    let palette = d.pick([3, 4, 5, 6, 6]);
    let (k_lo, k_hi) = d.pick([(1, 3), (1, 4), (0, 5), (0, 6), (0, 8)]);
    let total = int(&mut rng, n_lo, n_hi);
    let target = random_look(&mut rng, palette, palette);
    let want_targets = int(&mut rng, k_lo, k_hi.min(total));
    let mut wanted = vec![target; want_targets as usize];
    for _ in want_targets..total {
        wanted.push(distractor(&mut rng, target, palette, d.level()));
    }
    let ox = int(&mut rng, 0, (canvas - WINDOW) as u32) as f64;
    let oy = int(&mut rng, 0, (canvas - WINDOW) as u32) as f64;
    let layout = Layout {
        width: WINDOW,
        height: WINDOW,
        margin: 2.0,
        gap: 3.0,
    };
    let mut figures: Vec<Figure> = Vec::new();
    layout.place(&mut rng, &wanted, radius, &mut figures);
    for f in &mut figures {
        f.center = [f.center[0] + ox, f.center[1] + oy];
    }
    let count = figures
        .iter()
        .filter(|f| (f.kind, f.colour) == target)
        .count();
    let mut image = Sketch::new(canvas, canvas, PAPER);
    for f in &figures {
        f.draw(&mut image);
    }
    let what = format!("{} {}", target.1.name(), target.0.noun_for(2));
    let prompt = format!(
        "<image>\nHow many {what} are there in the image? The shapes are small and close \
         together; count only shapes that are both {} and {}, the answer may be 0. {}",
        target.1.name(),
        target.0.noun_for(2),
        answer_like("3")
    );
    let focus = [
        ox as i64,
        oy as i64,
        ox as i64 + WINDOW as i64,
        oy as i64 + WINDOW as i64,
    ];
    spec.sample(
        info,
        vec![image],
        prompt,
        Gold::new(count.to_string()),
        count.to_string(),
        json!({
            "target": {"kind": target.0, "colour": target.1},
            "count": count,
            "focus": focus,
            "figures": figures,
        }),
    )
}
