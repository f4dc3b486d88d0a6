//! Counting: "How many red triangles are there?" (the counting subtask of V-Triune's
//! perception data and of CLS-RL-style classification/counting RL; answer graded by the
//! `numeric` verifier, exact).
//!
//! The scene is a 250 × 250 image of non-overlapping shapes; the target is one
//! `(colour, kind)` pair and the answer is the number of target figures **drawn** (targets are
//! placed first, so none is ever dropped; the figures are listed in `extra.figures`).
//!
//! **Difficulty**
//! | level | shapes | radius px | palette (kinds × colours) | distractors | target count |
//! |---|---|---|---|---|---|
//! | 1 | 4–6 | 15–20 | 3 × 3 | differ in colour **and** kind | 1–4 |
//! | 2 | 6–9 | 13–18 | 4 × 4 | differ in colour or kind | 1–5 |
//! | 3 | 9–13 | 11–15 | 5 × 5 | half share the colour or the kind | 0–6 |
//! | 4 | 13–18 | 9–13 | 6 × 6 | all share the colour or the kind | 0–8 |
//! | 5 | 18–26 | 7–11 | 6 × 6 | all share the colour or the kind | 0–10 |

use crate::figure::{Colour, Figure, Kind, Layout, PAPER};
use crate::random::{chance, choose, int};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::Sketch;
use ocellus_rewards::Gold;
use serde_json::json;

/// Image side, pixels.
pub const SIZE: usize = 250;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "counting",
    summary: "count the shapes of one colour and kind",
    difficulty: "more and smaller shapes, a larger palette, distractors sharing the target's \
                 colour or kind (conjunction search), larger counts including 0",
    verifier: "numeric",
    ability: "counting",
    uses_coords: false,
    generate,
};

/// A distractor look: never the target pair; `mode` 0 = differs in both, 1 = differs in at
/// least one, 2 = shares exactly one of colour and kind.
fn distractor(
    rng: &mut RandomState,
    target: (Kind, Colour),
    kinds: usize,
    colours: usize,
    mode: u8,
) -> (Kind, Colour) {
    let other_kind = |rng: &mut RandomState| loop {
        let k = choose(rng, &Kind::ALL[..kinds]);
        if k != target.0 {
            return k;
        }
    };
    let other_colour = |rng: &mut RandomState| loop {
        let c = choose(rng, &Colour::ALL[..colours]);
        if c != target.1 {
            return c;
        }
    };
    match mode {
        0 => (other_kind(rng), other_colour(rng)),
        1 => loop {
            let look = crate::figure::random_look(rng, kinds, colours);
            if look != target {
                return look;
            }
        },
        _ => {
            if chance(rng, 0.5) {
                (target.0, other_colour(rng))
            } else {
                (other_kind(rng), target.1)
            }
        }
    }
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let (n_lo, n_hi) = d.pick([(4, 6), (6, 9), (9, 13), (13, 18), (18, 26)]);
    let radius = d.pick([
        (15.0, 20.0),
        (13.0, 18.0),
        (11.0, 15.0),
        (9.0, 13.0),
        (7.0, 11.0),
    ]);
    let palette = d.pick([3, 4, 5, 6, 6]);
    let (k_lo, k_hi) = d.pick([(1, 4), (1, 5), (0, 6), (0, 8), (0, 10)]);
    let total = int(&mut rng, n_lo, n_hi);
    let target = crate::figure::random_look(&mut rng, palette, palette);
    let want_targets = int(&mut rng, k_lo, k_hi.min(total));
    let mut wanted = vec![target; want_targets as usize];
    for _ in want_targets..total {
        let mode = match d.level() {
            1 => 0,
            2 => 1,
            3 => {
                if chance(&mut rng, 0.5) {
                    2
                } else {
                    1
                }
            }
            _ => 2,
        };
        wanted.push(distractor(&mut rng, target, palette, palette, mode));
    }
    let layout = Layout {
        width: SIZE,
        height: SIZE,
        margin: 4.0,
        gap: 4.0,
    };
    let mut figures: Vec<Figure> = Vec::new();
    layout.place(&mut rng, &wanted, radius, &mut figures);
    let count = figures
        .iter()
        .filter(|f| (f.kind, f.colour) == target)
        .count();
    let mut image = Sketch::new(SIZE, SIZE, PAPER);
    for f in &figures {
        f.draw(&mut image);
    }
    let what = format!("{} {}", target.1.name(), target.0.noun_for(2));
    let prompt = format!(
        "<image>\nHow many {what} are there in the image? Count only shapes that are both {} \
         and {}; the answer may be 0. {}",
        target.1.name(),
        target.0.noun_for(2),
        answer_like("3")
    );
    spec.sample(
        info,
        vec![image],
        prompt,
        Gold::new(count.to_string()),
        count.to_string(),
        json!({
            "target": {"kind": target.0, "colour": target.1},
            "count": count,
            "figures": figures,
        }),
    )
}
