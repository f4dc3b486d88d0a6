//! Position of a crop: which cell of a picture a crop came from (SSL4RL's position task,
//! arXiv 2510.16416; graded by the `ssl4rl` verifier: the answer must equal one of the gold
//! options, e.g. `top-left` or `top left`).
//!
//! Image 1 is a 240 × 240 picture (gradient plus shapes); image 2 is a crop of one cell of a
//! 2 × 2 or 3 × 3 grid over it (the whole cell, or at the higher levels a sub-window strictly
//! inside the cell). The crop is checked to differ from the crop at the same offset in every
//! other cell, so the answer is unique.
//!
//! **Difficulty**
//! | level | grid | crop | gradient contrast |
//! |---|---|---|---|
//! | 1 | 2 × 2 | whole cell | 0.9 |
//! | 2 | 2 × 2 | 60–80 % of the cell | 0.6 |
//! | 3 | 3 × 3 | whole cell | 0.6 |
//! | 4 | 3 × 3 | 60–80 % of the cell | 0.3 |
//! | 5 | 3 × 3 | 50–70 % of the cell | 0 (flat) |

use crate::jigsaw::picture;
use crate::random::int;
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_rewards::Gold;
use serde_json::json;

/// Picture side, pixels.
pub const SIZE: usize = 240;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "position",
    summary: "say which grid cell of the first image the second image was cropped from",
    difficulty: "3x3 instead of 2x2 from level 3, crops smaller than the cell, weaker then no \
                 background gradient",
    verifier: "ssl4rl",
    ability: "position",
    uses_coords: false,
    generate,
};

/// Cell names in reading order, for 2 × 2 and 3 × 3 grids.
pub fn cell_names(grid: usize) -> &'static [&'static str] {
    match grid {
        2 => &["top-left", "top-right", "bottom-left", "bottom-right"],
        _ => &[
            "top-left",
            "top-center",
            "top-right",
            "middle-left",
            "center",
            "middle-right",
            "bottom-left",
            "bottom-center",
            "bottom-right",
        ],
    }
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let grid = d.pick([2usize, 2, 3, 3, 3]);
    let strength = d.pick([0.9, 0.6, 0.6, 0.3, 0.0]);
    let frac = d.pick([(1.0, 1.0), (0.6, 0.8), (1.0, 1.0), (0.6, 0.8), (0.5, 0.7)]);
    let (lo, hi) = d.pick([(5, 7), (6, 9), (8, 12), (9, 13), (12, 16)]);
    let cell = SIZE / grid;
    loop {
        let n = int(&mut rng, lo, hi);
        let (image, figures) = picture(&mut rng, SIZE, strength, n, (10.0, 24.0));
        let target = rng.below((grid * grid) as u32) as usize;
        let f = rng.uniform(frac.0, frac.1);
        let side = ((cell as f64 * f).round() as usize).clamp(8, cell);
        let off = [
            int(&mut rng, 0, (cell - side) as u32) as usize,
            int(&mut rng, 0, (cell - side) as u32) as usize,
        ];
        let at = |c: usize| [(c % grid) * cell + off[0], (c / grid) * cell + off[1]];
        let crop_of = |c: usize| {
            let [x, y] = at(c);
            image
                .crop(x, y, side, side)
                .expect("the crop lies inside its cell")
        };
        let crop = crop_of(target);
        if (0..grid * grid).any(|c| c != target && crop_of(c) == crop) {
            continue; // ambiguous (e.g. two empty cells on a flat background): draw again
        }
        let names = cell_names(grid);
        let name = names[target];
        let options = format!("{name}, {}", name.replace('-', " "));
        let prompt = format!(
            "<image>\n<image>\nThe second image is a crop of the first image, taken from one \
             cell of a {grid}x{grid} grid over it. Which cell does it come from? Answer with one \
             of: {}. {}",
            names.join(", "),
            answer_like(names[0])
        );
        return spec.sample(
            info,
            vec![image, crop],
            prompt,
            Gold::new(options).with_options(names.iter().copied()),
            name.to_owned(),
            json!({
                "grid": grid,
                "cell": target,
                "crop_xy": at(target),
                "crop_side": side,
                "gradient_strength": strength,
                "figures": figures,
            }),
        );
    }
}
