//! Rotation: how many degrees clockwise (0, 90, 180, 270) an upright picture was turned
//! (SSL4RL's rotation task, arXiv 2510.16416; graded by the `ssl4rl` verifier, exact option).
//!
//! The upright picture is a 240 × 240 outdoor scene: houses and trees standing on the ground,
//! with sky, sun and a word at the higher levels. The image is that picture turned clockwise by
//! `k × 90°` ([`Sketch::rotated`]); the answer is `90 k`. `k` is uniform in `0..4`.
//!
//! **Difficulty** (fewer orientation cues as it grows)
//! | level | sky gradient | sun | word | ground | houses + trees |
//! |---|---|---|---|---|---|
//! | 1 | yes | yes | yes | band | 3–4 |
//! | 2 | yes | no | yes | band | 3–4 |
//! | 3 | no | no | no | band | 2–4 |
//! | 4 | no | no | no | thin line | 2–3 |
//! | 5 | no | no | no | none (objects float) | 2–3, smaller |

use crate::random::{choose, int};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::{Rgb, Sketch};
use ocellus_rewards::Gold;
use serde_json::json;

/// Image side, pixels.
pub const SIZE: usize = 240;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "rotation",
    summary: "say how many degrees clockwise (0/90/180/270) the picture was rotated",
    difficulty: "removes orientation cues level by level: sun, sky, text, ground band, ground \
                 line; smaller objects",
    verifier: "ssl4rl",
    ability: "rotation",
    uses_coords: false,
    generate,
};

const WORDS: [&str; 8] = [
    "PARK", "HOME", "TOWN", "FARM", "SHOP", "CAFE", "ROAD", "HILL",
];

fn house(s: &mut Sketch, rng: &mut RandomState, x: f64, base: f64, scale: f64) {
    let (w, h) = (34.0 * scale, 26.0 * scale);
    let wall: Rgb = choose(
        rng,
        &[[0.85, 0.70, 0.50], [0.80, 0.80, 0.85], [0.90, 0.85, 0.60]],
    );
    s.rect([x, base - h], [x + w, base], wall);
    s.polygon(
        &[
            [x - 4.0 * scale, base - h],
            [x + w + 4.0 * scale, base - h],
            [x + w / 2.0, base - h - 20.0 * scale],
        ],
        [0.65, 0.15, 0.12],
    );
    s.rect(
        [x + w * 0.4, base - h * 0.6],
        [x + w * 0.6, base],
        [0.35, 0.20, 0.10],
    );
}

fn tree(s: &mut Sketch, x: f64, base: f64, scale: f64) {
    s.rect(
        [x - 3.0 * scale, base - 16.0 * scale],
        [x + 3.0 * scale, base],
        [0.45, 0.28, 0.12],
    );
    s.polygon(
        &[
            [x - 14.0 * scale, base - 14.0 * scale],
            [x + 14.0 * scale, base - 14.0 * scale],
            [x, base - 46.0 * scale],
        ],
        [0.12, 0.50, 0.18],
    );
}

/// The upright picture and a description of it.
fn upright(rng: &mut RandomState, level: u8) -> (Sketch, serde_json::Value) {
    let mut s = Sketch::new(SIZE, SIZE, [0.97, 0.97, 0.97]);
    let sz = SIZE as f64;
    if level <= 2 {
        for i in 0..12 {
            let t = i as f32 / 11.0;
            let c = [0.45 + 0.5 * t, 0.65 + 0.32 * t, 0.95];
            s.rect([0.0, i as f64 * 14.0], [sz, i as f64 * 14.0 + 14.0], c);
        }
    }
    if level == 1 {
        let x = choose(rng, &[36.0, sz - 36.0]);
        s.disc([x, 34.0], 18.0, [1.0, 0.85, 0.2]);
    }
    let ground = 190.0 + rng.uniform(-10.0, 10.0);
    match level {
        1..=3 => s.rect([0.0, ground], [sz, sz], [0.35, 0.65, 0.25]),
        4 => s.line([0.0, ground], [sz, ground], 3.0, [0.3, 0.3, 0.3]),
        _ => {}
    }
    let word = if level <= 2 {
        let w = choose(rng, &WORDS);
        s.text([int(rng, 70, 140) as usize, 60], w, 3, [0.1, 0.1, 0.2]);
        Some(w)
    } else {
        None
    };
    let n = match level {
        1 | 2 => int(rng, 3, 4),
        3 => int(rng, 2, 4),
        _ => int(rng, 2, 3),
    };
    let scale = if level == 5 { 0.8 } else { 1.0 };
    let slot = sz / n as f64;
    let mut objects = Vec::new();
    for i in 0..n {
        let x = slot * i as f64 + rng.uniform(6.0, (slot - 44.0).max(8.0));
        let base = if level == 5 {
            rng.uniform(90.0, 220.0)
        } else {
            ground
        };
        if rng.below(2) == 0 {
            house(&mut s, rng, x, base, scale);
            objects.push("house");
        } else {
            tree(&mut s, x + 18.0, base, scale);
            objects.push("tree");
        }
    }
    (s, json!({"word": word, "objects": objects}))
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let mut rng = spec.rng();
    let (picture, scene) = upright(&mut rng, spec.difficulty.level());
    let turns = rng.below(4);
    let degrees = 90 * turns;
    let prompt = format!(
        "<image>\nThis picture may have been rotated clockwise by 0, 90, 180 or 270 degrees from \
         its upright orientation. By how many degrees clockwise was it rotated? Answer with one \
         of the numbers 0, 90, 180, 270. {}",
        answer_like("90")
    );
    spec.sample(
        info,
        vec![picture.rotated(turns)],
        prompt,
        Gold::new(degrees.to_string()).with_options(["0", "90", "180", "270"]),
        degrees.to_string(),
        json!({"clockwise_degrees": degrees, "scene": scene}),
    )
}
