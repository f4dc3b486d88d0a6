//! Jigsaw: restore a picture cut into a 2 × 2 or 3 × 3 grid of shuffled tiles (Jigsaw-R1,
//! arXiv 2505.23590; SSL4RL's jigsaw task; graded by the `jigsaw` verifier, per-position
//! credit).
//!
//! The picture is 240 × 240 (a diagonal gradient plus shapes, some crossing tile borders).
//! The shuffled image shows the tiles in a grid with a 4-pixel white gutter; the tiles are
//! numbered 1..N in reading order of the **shuffled** image. The answer lists, for each
//! position of the **original** picture in reading order, the number of the tile that belongs
//! there (Jigsaw-R1's answer format: patch ids in raster order). [`reassemble`] applies an
//! answer; applying the gold one reproduces the picture pixel for pixel.
//!
//! **Difficulty**
//! | level | grid | gradient contrast (global position cue) | shapes |
//! |---|---|---|---|
//! | 1 | 2 × 2 | 0.9 | 5–7 large |
//! | 2 | 2 × 2 | 0.45 | 5–7 large |
//! | 3 | 3 × 3 | 0.9 | 8–11 |
//! | 4 | 3 × 3 | 0.45 | 8–11 |
//! | 5 | 3 × 3 | 0 (flat) | 10–14 |

use crate::figure::{gradient, random_look, Figure, Layout};
use crate::random::{int, shuffle};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::Sketch;
use ocellus_rewards::Gold;
use serde_json::json;

/// Picture side, pixels (divisible by 2 and 3).
pub const SIZE: usize = 240;
/// White gutter between shuffled tiles, pixels.
pub const GUTTER: usize = 4;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "jigsaw",
    summary: "restore a picture from its shuffled 2x2 or 3x3 tiles",
    difficulty: "3x3 instead of 2x2 from level 3; weaker then no background gradient (the \
                 global position cue); more shapes",
    verifier: "jigsaw",
    ability: "jigsaw",
    uses_coords: false,
    generate,
};

/// A picture for the self-supervised tasks: a diagonal gradient of contrast `strength` and
/// `n` shapes with radii in `radius`; returns the picture and its shapes.
pub(crate) fn picture(
    rng: &mut RandomState,
    size: usize,
    strength: f64,
    n: u32,
    radius: (f64, f64),
) -> (Sketch, Vec<Figure>) {
    let mut s = gradient(rng, size, size, strength);
    let looks: Vec<_> = (0..n).map(|_| random_look(rng, 6, 6)).collect();
    let layout = Layout {
        width: size,
        height: size,
        margin: -radius.0 * 0.5, // shapes may be cut by the border
        gap: 2.0,
    };
    let mut figures = Vec::new();
    layout.place(rng, &looks, radius, &mut figures);
    for f in &figures {
        f.draw(&mut s);
    }
    (s, figures)
}

/// The pixel origin of slot `slot` (reading order) of a `grid × grid` shuffled image.
pub fn slot_origin(slot: usize, grid: usize) -> [usize; 2] {
    let tile = SIZE / grid;
    [
        (slot % grid) * (tile + GUTTER),
        (slot / grid) * (tile + GUTTER),
    ]
}

/// Rebuilds the picture from a shuffled image: position `p` (reading order) receives tile
/// number `answer[p]` (1-based, reading order of the shuffled image). `None` if the answer
/// does not have `grid²` numbers in `1..=grid²`.
pub fn reassemble(shuffled: &Sketch, grid: usize, answer: &[usize]) -> Option<Sketch> {
    let n = grid * grid;
    if answer.len() != n || answer.iter().any(|&t| t == 0 || t > n) {
        return None;
    }
    let tile = SIZE / grid;
    let mut out = Sketch::new(SIZE, SIZE, [1.0, 1.0, 1.0]);
    for (p, &t) in answer.iter().enumerate() {
        let [sx, sy] = slot_origin(t - 1, grid);
        let piece = shuffled.crop(sx, sy, tile, tile)?;
        out.paste(&piece, (p % grid) * tile, (p / grid) * tile);
    }
    Some(out)
}

/// The picture and the sample (the picture is not part of the sample).
pub fn build(spec: &Spec) -> (Sketch, Sample) {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let grid = d.pick([2usize, 2, 3, 3, 3]);
    let strength = d.pick([0.9, 0.45, 0.9, 0.45, 0.0]);
    let (lo, hi) = d.pick([(5, 7), (5, 7), (8, 11), (8, 11), (10, 14)]);
    let radius = d.pick([
        (24.0, 40.0),
        (24.0, 40.0),
        (16.0, 30.0),
        (16.0, 30.0),
        (14.0, 26.0),
    ]);
    let n_shapes = int(&mut rng, lo, hi);
    let (original, figures) = picture(&mut rng, SIZE, strength, n_shapes, radius);
    let n = grid * grid;
    let tile = SIZE / grid;
    // order[s] = original position of the tile shown in slot s; never the identity.
    let mut order: Vec<usize> = (0..n).collect();
    while order.iter().enumerate().all(|(s, &p)| s == p) {
        shuffle(&mut rng, &mut order);
    }
    let side = grid * tile + (grid - 1) * GUTTER;
    let mut shuffled = Sketch::new(side, side, [1.0, 1.0, 1.0]);
    for (slot, &p) in order.iter().enumerate() {
        let piece = original
            .crop((p % grid) * tile, (p / grid) * tile, tile, tile)
            .expect("tiles lie inside the picture");
        let [x, y] = slot_origin(slot, grid);
        shuffled.paste(&piece, x, y);
    }
    let mut answer = vec![0usize; n];
    for (slot, &p) in order.iter().enumerate() {
        answer[p] = slot + 1;
    }
    let text = answer
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let example = (1..=n).rev().map(|t| t.to_string()).collect::<Vec<_>>();
    let prompt = format!(
        "<image>\nThe image shows the {n} tiles of a picture that was cut into a {grid}x{grid} \
         grid and shuffled. The tiles are numbered 1 to {n} in reading order (left to right, \
         then top to bottom). Restore the picture: for each position of the original picture, \
         in reading order, give the number of the tile that belongs there, as {n} numbers \
         separated by spaces. {}",
        answer_like(&example.join(" "))
    );
    let sample = spec.sample(
        &INFO,
        vec![shuffled],
        prompt,
        Gold::new(text.clone()),
        text,
        json!({
            "grid": grid,
            "slot_to_position": order,
            "gradient_strength": strength,
            "figures": figures,
        }),
    );
    (original, sample)
}

fn generate(spec: &Spec, _info: &TaskInfo) -> Sample {
    build(spec).1
}
