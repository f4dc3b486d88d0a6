//! Bar-chart questions with computed answers (the chart-QA family of V-Triune's reasoning
//! data; graded by the `numeric` verifier, exact).
//!
//! A 320 × 240 chart: y axis from 0 to 100 with gridlines and tick labels, one bar per
//! category with its label under it (the 5 × 7 font). Every value is a multiple of 5 (10 at
//! levels 1–2) and every gridline is labelled, so the exact value can be read off the chart:
//! no estimate is needed, which is why the exact `numeric` verifier is fair here. The answer
//! is computed from the values (listed in `extra.bars`).
//!
//! **Difficulty**
//! | level | bars | values | gridlines every | value printed on bars | questions |
//! |---|---|---|---|---|---|
//! | 1 | 3 | ×10 | 10 | yes | value of a bar, max |
//! | 2 | 4 | ×10 | 10 | no | + min |
//! | 3 | 5 | ×5 | 10 | no | + difference of two bars |
//! | 4 | 6 | ×5 | 20 | no | + sum of two bars, max − min |
//! | 5 | 8 | ×5 | 20 | no, word labels | same as 4 |

use crate::random::{choose, int, shuffle};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_render::{Rgb, Sketch};
use ocellus_rewards::Gold;
use serde_json::json;

/// Chart width, pixels.
pub const WIDTH: usize = 320;
/// Chart height, pixels.
pub const HEIGHT: usize = 240;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "chart",
    summary: "answer a numeric question about a bar chart (value, max, min, difference, sum)",
    difficulty: "more bars, finer values, sparser gridlines, no printed values, word labels, \
                 two-bar arithmetic questions",
    verifier: "numeric",
    ability: "chart",
    uses_coords: false,
    generate,
};

const LETTERS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];
const WORDS: [&str; 12] = [
    "CAT", "DOG", "FOX", "OWL", "BEE", "ANT", "ELK", "EMU", "YAK", "RAM", "COD", "EEL",
];
const BAR_COLOURS: [Rgb; 5] = [
    [0.20, 0.45, 0.80],
    [0.85, 0.40, 0.15],
    [0.20, 0.60, 0.35],
    [0.55, 0.30, 0.70],
    [0.80, 0.20, 0.30],
];

// Plot area: x in [LEFT, RIGHT], y from BASE (value 0) up to TOP (value 100).
const LEFT: f64 = 42.0;
const RIGHT: f64 = 312.0;
const TOP: f64 = 16.0;
const BASE: f64 = 206.0;

fn y_of(v: f64) -> f64 {
    BASE - (BASE - TOP) * v / 100.0
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let n = d.pick([3usize, 4, 5, 6, 8]);
    let step = d.pick([10u32, 10, 5, 5, 5]);
    let grid = d.pick([10u32, 10, 10, 20, 20]);
    let mut labels: Vec<&str> = if d.level() == 5 {
        let mut w = WORDS;
        shuffle(&mut rng, &mut w);
        w[..n].to_vec()
    } else {
        LETTERS[..n].to_vec()
    };
    if d.level() == 5 {
        labels.sort_unstable();
    }
    let values: Vec<u32> = (0..n).map(|_| step * int(&mut rng, 1, 95 / step)).collect();

    let mut s = Sketch::new(WIDTH, HEIGHT, [1.0, 1.0, 1.0]);
    for g in (0..=100).step_by(grid as usize) {
        let y = y_of(g as f64);
        s.line([LEFT, y], [RIGHT, y], 1.0, [0.82, 0.82, 0.82]);
        let t = g.to_string();
        let w = t.len() * Sketch::GLYPH_ADVANCE;
        s.text([LEFT as usize - 4 - w, (y - 3.0) as usize], &t, 1, [0.2; 3]);
    }
    s.line([LEFT, TOP], [LEFT, BASE], 1.5, [0.1; 3]);
    s.line([LEFT, BASE], [RIGHT, BASE], 1.5, [0.1; 3]);
    let slot = (RIGHT - LEFT) / n as f64;
    let bar_w = slot * 0.6;
    let multi = d.level() >= 3;
    let one = choose(&mut rng, &BAR_COLOURS);
    let label_scale = if labels[0].len() > 1 { 1 } else { 2 };
    for (i, (&v, &label)) in values.iter().zip(&labels).enumerate() {
        let x0 = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let colour = if multi {
            BAR_COLOURS[i % BAR_COLOURS.len()]
        } else {
            one
        };
        s.rect([x0, y_of(v as f64)], [x0 + bar_w, BASE], colour);
        let cx = x0 + bar_w / 2.0;
        let w = label.len() * Sketch::GLYPH_ADVANCE * label_scale;
        s.text(
            [(cx - w as f64 / 2.0) as usize, BASE as usize + 8],
            label,
            label_scale,
            [0.1; 3],
        );
        if d.level() == 1 {
            let t = v.to_string();
            let w = t.len() * Sketch::GLYPH_ADVANCE;
            s.text(
                [
                    (cx - w as f64 / 2.0) as usize,
                    (y_of(v as f64) - 10.0) as usize,
                ],
                &t,
                1,
                [0.1; 3],
            );
        }
    }

    let kinds: &[&str] = match d.level() {
        1 => &["value", "max"],
        2 => &["value", "max", "min"],
        3 => &["value", "max", "min", "difference"],
        _ => &["value", "difference", "sum", "range"],
    };
    let kind = choose(&mut rng, kinds);
    let a = rng.below(n as u32) as usize;
    let b = (a + 1 + rng.below(n as u32 - 1) as usize) % n;
    let max = *values.iter().max().expect("at least 3 bars");
    let min = *values.iter().min().expect("at least 3 bars");
    let (question, answer): (String, i64) = match kind {
        "value" => (
            format!("What is the value of the bar labelled {}?", labels[a]),
            values[a] as i64,
        ),
        "max" => ("What is the largest value in the chart?".into(), max as i64),
        "min" => (
            "What is the smallest value in the chart?".into(),
            min as i64,
        ),
        "difference" => (
            format!(
                "What is the value of bar {} minus the value of bar {}? (The answer may be \
                 negative.)",
                labels[a], labels[b]
            ),
            values[a] as i64 - values[b] as i64,
        ),
        "sum" => (
            format!(
                "What is the sum of the values of bars {} and {}?",
                labels[a], labels[b]
            ),
            (values[a] + values[b]) as i64,
        ),
        _ => (
            "What is the largest value minus the smallest value in the chart?".into(),
            (max - min) as i64,
        ),
    };
    let prompt = format!(
        "<image>\nThe image is a bar chart; its y axis runs from 0 to 100. {question} Answer \
         with one number. {}",
        answer_like("42")
    );
    let bars: Vec<_> = labels
        .iter()
        .zip(&values)
        .map(|(l, v)| json!({"label": l, "value": v}))
        .collect();
    spec.sample(
        info,
        vec![s],
        prompt,
        Gold::new(answer.to_string()),
        answer.to_string(),
        json!({
            "question_kind": kind,
            "question": question,
            "bars": bars,
            "gridline_step": grid,
            "value_step": step,
        }),
    )
}
