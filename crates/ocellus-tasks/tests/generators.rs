//! The battery every generator goes through (dm_control `suite_test.py` style): registry,
//! determinism, gold answers that their verifier accepts, wrong answers it rejects, image
//! sanity by construction, and what each difficulty level changes.

use ocellus_render::Sketch;
use ocellus_rewards::vicrit::{RelaxedRule, ViCrit, ViCritMode};
use ocellus_rewards::{registry, Gold, VerdictKind, Verifier};
use ocellus_tasks::{jigsaw, task, tasks, Coords, Difficulty, Sample, Spec};
use serde_json::Value;

const SEEDS: [u64; 3] = [0, 1, 12345];
const INDICES: u64 = 4;

fn spec(seed: u64, index: u64, level: u8) -> Spec {
    Spec::new(seed, index, Difficulty::new(level).unwrap())
}

/// Every (task, spec) combination the battery runs, both coordinate conventions where used.
fn all_samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for t in tasks() {
        for d in Difficulty::all() {
            for seed in SEEDS {
                for i in 0..INDICES {
                    let s = spec(seed, i, d.level());
                    out.push(t.generate(&s));
                    if t.uses_coords {
                        out.push(t.generate(&s.with_coords(Coords::Norm1000)));
                    }
                }
            }
        }
    }
    out
}

fn task_of(s: &Sample) -> &str {
    s.extra["task"].as_str().unwrap()
}

fn byte(c: f32) -> u8 {
    (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

#[test]
fn registry_names_are_unique_and_verifiers_exist() {
    let names = registry::names();
    let mut seen = std::collections::HashSet::new();
    for t in tasks() {
        assert!(seen.insert(t.name), "duplicate task {}", t.name);
        assert!(
            names.contains(&t.verifier),
            "{}: no verifier {}",
            t.name,
            t.verifier
        );
        assert!(!t.difficulty.is_empty() && !t.summary.is_empty());
    }
    assert_eq!(tasks().len(), 10);
    let err = task("countin").unwrap_err().to_string();
    assert!(err.contains("counting") && err.contains("countin"), "{err}");
    assert!(Difficulty::new(0).is_err() && Difficulty::new(6).is_err());
    assert!(Difficulty::new(5).is_ok());
}

#[test]
fn same_spec_gives_identical_samples_and_indices_differ() {
    for t in tasks() {
        for d in Difficulty::all() {
            let a = t.generate(&spec(3, 7, d.level()));
            let b = t.generate(&spec(3, 7, d.level()));
            assert_eq!(a, b, "{} d{}", t.name, d.level());
            // Distinct indices give distinct samples (pixels or prompt).
            let others: Vec<Sample> = (0..4).map(|i| t.generate(&spec(3, i, d.level()))).collect();
            let distinct = others
                .iter()
                .filter(|o| o.images != a.images || o.prompt != a.prompt)
                .count();
            assert!(distinct >= 3, "{} d{}: samples repeat", t.name, d.level());
            assert_ne!(a.id, others[0].id);
        }
    }
}

#[test]
fn every_sample_is_well_formed() {
    for s in all_samples() {
        let t = task(task_of(&s)).unwrap();
        assert_eq!(s.verifier, t.verifier);
        assert_eq!(s.data_source, format!("ocellus/{}", t.name));
        assert_eq!(
            s.prompt.matches("<image>").count(),
            s.images.len(),
            "{}",
            s.id
        );
        assert!(
            s.prompt.contains("<answer>") && s.prompt.contains("<think>"),
            "{}",
            s.id
        );
        if t.uses_coords {
            let frame = s.gold.answer_frame.expect("answer frame declared");
            assert!(s.gold.gold_frame.is_some(), "{}", s.id);
            let stated = match frame {
                ocellus_rewards::CoordFrame::Normalized1000 => "from 0 to 1000",
                _ => "integer pixels",
            };
            assert!(s.prompt.contains(stated), "{}: frame not stated", s.id);
        }
        for img in &s.images {
            assert!(img.width() >= 40 && img.height() >= 40);
        }
    }
}

/// A readable answer that must score below full credit.
fn wrong_answer(s: &Sample) -> String {
    match task_of(s) {
        "counting" | "chart" => {
            let v: i64 = s.gold.answer.parse().unwrap();
            (v + 5).to_string()
        }
        "grounding" | "difference" => {
            // The reference box moved right by its width plus 10 (or left if no room).
            let nums: Vec<i64> = s
                .reference_answer
                .trim_matches(['[', ']'])
                .split(", ")
                .map(|n| n.parse().unwrap())
                .collect();
            let w = nums[2] - nums[0] + 10;
            let sh = if nums[0] > 500 - nums[2] { -w } else { w };
            format!(
                "[{}, {}, {}, {}]",
                nums[0] + sh,
                nums[1],
                nums[2] + sh,
                nums[3]
            )
        }
        "pointing" => "(0, 0)".into(),
        "jigsaw" => {
            let mut ids: Vec<&str> = s.reference_answer.split(' ').collect();
            ids.reverse();
            ids.join(" ")
        }
        "rotation" => {
            let v: u32 = s.gold.answer.parse().unwrap();
            ((v + 90) % 360).to_string()
        }
        "position" => {
            if s.reference_answer == "center" {
                "top-left".into()
            } else {
                "center".into()
            }
        }
        "zoom_shape" => {
            if s.reference_answer == "circle" {
                "square".into()
            } else {
                "circle".into()
            }
        }
        "caption" => {
            if s.reference_answer == "picture" {
                "shows".into()
            } else {
                "picture".into()
            }
        }
        other => panic!("no wrong answer for {other}"),
    }
}

#[test]
fn gold_answers_score_full_credit_and_wrong_answers_less() {
    let mut n = 0;
    for s in all_samples() {
        let v = registry::by_name(s.verifier).unwrap();
        let good = v.verify(&s.reference_completion(), &s.gold);
        assert!(good.is_correct(), "{}: {good}\nprompt: {}", s.id, s.prompt);
        assert_eq!(good.score(), v.score_range().1);
        // The bare gold answer (as the dataset's ground truth) also parses as gold and as an
        // answer when it is already in the answer frame.
        let bad = v.verify(
            &format!("<think>guess</think><answer>{}</answer>", wrong_answer(&s)),
            &s.gold,
        );
        assert!(
            bad.score() < good.score() && !bad.is_correct(),
            "{}: wrong answer {:?} got {bad}",
            s.id,
            wrong_answer(&s)
        );
        assert!(
            matches!(bad.kind(), VerdictKind::Incorrect | VerdictKind::Partial),
            "{}: wrong answer unreadable: {bad}",
            s.id
        );
        // A completion without the answer block is malformed, never a silent 0.
        let none = v.verify("I am not sure.", &s.gold);
        assert_eq!(none.kind(), VerdictKind::Malformed, "{}", s.id);
        n += 1;
    }
    assert!(n > 500, "{n} samples checked");
}

#[test]
fn counting_answer_equals_the_shapes_drawn() {
    for d in 1..=5 {
        for i in 0..8 {
            let s = task("counting").unwrap().generate(&spec(9, i, d));
            let figs = s.extra["figures"].as_array().unwrap();
            let target = &s.extra["target"];
            let count = figs
                .iter()
                .filter(|f| f["kind"] == target["kind"] && f["colour"] == target["colour"])
                .count();
            assert_eq!(s.gold.answer, count.to_string(), "{}", s.id);
            // Every listed figure is visible: its centre pixel has its colour.
            let img = &s.images[0];
            for f in figs {
                let fig: ocellus_tasks::figure::Figure = serde_json::from_value(f.clone()).unwrap();
                let [x, y] = fig.center.map(|c| c as usize);
                assert_eq!(img.pixel(x, y), fig.colour.rgb().map(byte), "{}", s.id);
            }
        }
    }
}

#[test]
fn jigsaw_gold_permutation_reassembles_the_picture() {
    for d in 1..=5 {
        for i in 0..6 {
            let (original, s) = jigsaw::build(&spec(4, i, d));
            let grid = s.extra["grid"].as_u64().unwrap() as usize;
            let answer: Vec<usize> = s
                .gold
                .answer
                .split(' ')
                .map(|t| t.parse().unwrap())
                .collect();
            assert_eq!(answer.len(), grid * grid);
            let back = jigsaw::reassemble(&s.images[0], grid, &answer).unwrap();
            assert_eq!(back, original, "{}", s.id);
            // The shuffled image is not the picture in order.
            let identity: Vec<usize> = (1..=grid * grid).collect();
            assert_ne!(answer, identity);
            assert_ne!(
                jigsaw::reassemble(&s.images[0], grid, &identity).unwrap(),
                original
            );
        }
    }
}

#[test]
fn difference_pixels_lie_inside_the_gold_box() {
    for d in 1..=5 {
        for i in 0..8 {
            let s = task("difference").unwrap().generate(&spec(5, i, d));
            let b: Vec<usize> = s.extra["gold_box_pixels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let (a, c) = (&s.images[0], &s.images[1]);
            let mut changed = 0;
            for y in 0..a.height() {
                for x in 0..a.width() {
                    if a.pixel(x, y) != c.pixel(x, y) {
                        changed += 1;
                        assert!(
                            x >= b[0] && x < b[2] && y >= b[1] && y < b[3],
                            "{}: pixel ({x}, {y}) differs outside {b:?}",
                            s.id
                        );
                    }
                }
            }
            assert!(changed > 10, "{}: only {changed} pixels differ", s.id);
        }
    }
}

#[test]
fn position_crop_is_the_named_cell() {
    for d in 1..=5 {
        for i in 0..6 {
            let s = task("position").unwrap().generate(&spec(6, i, d));
            let [x, y] = [0, 1].map(|k| s.extra["crop_xy"][k].as_u64().unwrap() as usize);
            let side = s.extra["crop_side"].as_u64().unwrap() as usize;
            let grid = s.extra["grid"].as_u64().unwrap() as usize;
            let cell = s.extra["cell"].as_u64().unwrap() as usize;
            assert_eq!(s.images[0].crop(x, y, side, side).unwrap(), s.images[1]);
            let size = s.images[0].width() / grid;
            assert_eq!((x / size, y / size), (cell % grid, cell / grid), "{}", s.id);
            assert!((x % size) + side <= size && (y % size) + side <= size);
            assert_eq!(
                s.reference_answer,
                ocellus_tasks::position::cell_names(grid)[cell]
            );
        }
    }
}

#[test]
fn rotation_turned_back_is_upright() {
    // With a ground band (levels 1-3) the bottom rows of the upright picture are green.
    for d in 1..=3 {
        for i in 0..8 {
            let s = task("rotation").unwrap().generate(&spec(8, i, d));
            let deg = s.extra["clockwise_degrees"].as_u64().unwrap() as u32;
            assert_eq!(s.gold.answer, deg.to_string());
            let upright = s.images[0].rotated((4 - deg / 90) % 4);
            let [r, g, b] = upright.pixel(5, upright.height() - 3);
            assert!(g > r && g > b, "{}: bottom is not ground", s.id);
            let [r, g, b] = s.images[0].rotated(((4 - deg / 90) + 2) % 4).pixel(5, 237);
            assert!(
                !(g > r && g > b),
                "{}: upside down has ground at the bottom",
                s.id
            );
        }
    }
}

#[test]
fn chart_answers_are_computed_from_the_bars() {
    for d in 1..=5 {
        for i in 0..10 {
            let s = task("chart").unwrap().generate(&spec(2, i, d));
            let bars = s.extra["bars"].as_array().unwrap();
            let values: Vec<i64> = bars.iter().map(|b| b["value"].as_i64().unwrap()).collect();
            let labels: Vec<&str> = bars.iter().map(|b| b["label"].as_str().unwrap()).collect();
            let q = s.extra["question"].as_str().unwrap();
            let val = |l: &str| values[labels.iter().position(|x| *x == l).unwrap()];
            let mentioned: Vec<&str> = q.split([' ', '?']).filter(|w| labels.contains(w)).collect();
            let (max, min) = (*values.iter().max().unwrap(), *values.iter().min().unwrap());
            let want = match s.extra["question_kind"].as_str().unwrap() {
                "value" => val(mentioned[0]),
                "max" => max,
                "min" => min,
                "difference" => val(mentioned[0]) - val(mentioned[1]),
                "sum" => val(mentioned[0]) + val(mentioned[1]),
                _ => max - min,
            };
            assert_eq!(s.gold.answer, want.to_string(), "{}: {q}", s.id);
            let step = s.extra["value_step"].as_i64().unwrap();
            assert!(values.iter().all(|v| v % step == 0 && *v > 0 && *v <= 100));
        }
    }
}

#[test]
fn caption_changes_exactly_one_word_and_gold_is_it() {
    let scorer = registry::by_name("vicrit_relaxed").unwrap();
    // ViCrit's score.py keeps a token's punctuation ("circle," must occur in the answer), while
    // the gold names the bare word; the normalised-word rule compares the word itself.
    let word = ViCrit {
        mode: ViCritMode::RelaxedFirstToken,
        relaxed: RelaxedRule::NormalizedWord,
        ..ViCrit::default()
    };
    let mut bare_tokens = 0;
    for d in 1..=5 {
        for i in 0..10 {
            let s = task("caption").unwrap().generate(&spec(11, i, d));
            let o = s.extra["original_caption"].as_str().unwrap();
            let c = s.extra["changed_caption"].as_str().unwrap();
            assert!(s.prompt.contains(c));
            let (ow, cw): (Vec<&str>, Vec<&str>) = (o.split(' ').collect(), c.split(' ').collect());
            assert_eq!(ow.len(), cw.len());
            let diff: Vec<usize> = (0..ow.len()).filter(|&k| ow[k] != cw[k]).collect();
            assert_eq!(diff.len(), 1, "{}: {o} / {c}", s.id);
            assert_eq!(cw[diff[0]].trim_end_matches([',', '.']), s.gold.answer);
            assert!(!["a", "an", "the"].contains(&s.gold.answer.as_str()));
            // The ViCrit benchmark form of the gold agrees.
            let g = Gold::new(
                serde_json::json!({"original_caption": o, "changed_caption": c}).to_string(),
            );
            let reference = s.reference_completion();
            assert!(word.verify(&reference, &g).is_correct(), "{}", s.id);
            if cw[diff[0]] == s.gold.answer {
                bare_tokens += 1;
                assert!(scorer.verify(&reference, &g).is_correct(), "{}", s.id);
            }
        }
    }
    assert!(
        bare_tokens > 10,
        "only {bare_tokens} changed words without punctuation"
    );
}

#[test]
fn pointing_target_is_a_drawn_button_named_in_the_prompt() {
    for d in 1..=5 {
        for i in 0..8 {
            let s = task("pointing").unwrap().generate(&spec(13, i, d));
            let buttons = s.extra["buttons"].as_array().unwrap();
            let t = s.extra["target"].as_u64().unwrap() as usize;
            let label = buttons[t]["label"].as_str().unwrap();
            assert!(s.prompt.contains(&format!("\"{label}\"")));
            let boxes: Vec<Vec<i64>> = buttons
                .iter()
                .map(|b| {
                    b["box"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_i64().unwrap())
                        .collect()
                })
                .collect();
            for (a, ba) in boxes.iter().enumerate() {
                assert!(
                    ba[0] >= 0 && ba[2] <= 500 && ba[1] >= 22 && ba[3] <= 250,
                    "{}",
                    s.id
                );
                for bb in &boxes[a + 1..] {
                    let apart =
                        ba[2] <= bb[0] || bb[2] <= ba[0] || ba[3] <= bb[1] || bb[3] <= ba[1];
                    assert!(apart, "{}: buttons overlap", s.id);
                }
            }
        }
    }
}

#[test]
fn grounding_gold_box_covers_the_described_shape() {
    for d in 1..=5 {
        for i in 0..8 {
            let s = task("grounding").unwrap().generate(&spec(14, i, d));
            let figs: Vec<ocellus_tasks::figure::Figure> =
                serde_json::from_value(s.extra["figures"].clone()).unwrap();
            let t = &figs[s.extra["target"].as_u64().unwrap() as usize];
            let expr = s.extra["expression"].as_str().unwrap();
            assert!(expr.ends_with(&t.describe()), "{expr}");
            let b = t.bbox();
            let g: Vec<f64> = s.extra["gold_box_pixels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert!(g[0] <= b[0] && g[1] <= b[1] && g[2] >= b[2] && g[3] >= b[3]);
            assert!(g[2] - g[0] <= b[2] - b[0] + 4.0, "box is tight");
            // The expression picks one shape: a unique look, or the clear extreme of copies.
            let same: Vec<_> = figs
                .iter()
                .filter(|f| f.describe() == t.describe())
                .collect();
            if same.len() == 1 {
                assert_eq!(expr, format!("the {}", t.describe()));
            } else {
                assert!(expr.contains("most "), "{expr}");
            }
        }
    }
}

fn mean(task_name: &str, level: u8, f: impl Fn(&Sample) -> f64) -> f64 {
    let t = task(task_name).unwrap();
    let n = 24;
    (0..n)
        .map(|i| f(&t.generate(&spec(21, i, level))))
        .sum::<f64>()
        / n as f64
}

fn n_array(s: &Sample, key: &str) -> f64 {
    s.extra[key].as_array().unwrap().len() as f64
}

#[test]
fn difficulty_changes_what_each_generator_documents() {
    let increasing = |name: &str, f: &dyn Fn(&Sample) -> f64| {
        let m: Vec<f64> = (1..=5).map(|d| mean(name, d, f)).collect();
        assert!(
            m.windows(2).all(|w| w[1] >= w[0]) && m[4] > m[0],
            "{name}: {m:?} does not grow with difficulty"
        );
    };
    increasing("counting", &|s| n_array(s, "figures"));
    increasing("counting", &|s| {
        -s.extra["figures"][0]["radius"].as_f64().unwrap()
    });
    increasing("grounding", &|s| n_array(s, "figures"));
    increasing("pointing", &|s| n_array(s, "buttons"));
    increasing("difference", &|s| n_array(s, "first"));
    increasing("chart", &|s| n_array(s, "bars"));
    increasing("caption", &|s| {
        s.extra["groups"].as_array().unwrap().len() as f64
    });
    increasing("jigsaw", &|s| s.extra["grid"].as_f64().unwrap());
    increasing("position", &|s| s.extra["grid"].as_f64().unwrap());
    // Jigsaw: within each grid size the global gradient cue fades.
    let strength: Vec<f64> = (1..=5)
        .map(|d| {
            mean("jigsaw", d, |s: &Sample| {
                s.extra["gradient_strength"].as_f64().unwrap()
            })
        })
        .collect();
    assert!(strength[0] > strength[1] && strength[2] > strength[3] && strength[3] > strength[4]);
    increasing("position", &|s| -s.extra["crop_side"].as_f64().unwrap());

    // Specific switches.
    let grid = |d| task("jigsaw").unwrap().generate(&spec(0, 0, d)).extra["grid"].clone();
    assert_eq!((grid(2), grid(3)), (Value::from(2), Value::from(3)));
    for i in 0..6 {
        let r = |d| task("rotation").unwrap().generate(&spec(0, i, d));
        assert!(r(1).extra["scene"]["word"].is_string() && r(3).extra["scene"]["word"].is_null());
        let g = |d| task("grounding").unwrap().generate(&spec(0, i, d));
        let e1 = g(1).extra["expression"].as_str().unwrap().to_owned();
        let e5 = g(5).extra["expression"].as_str().unwrap().to_owned();
        assert!(!e1.contains("most ") && e5.contains("most "), "{e1} / {e5}");
        let c = |d| task("chart").unwrap().generate(&spec(0, i, d));
        assert_eq!(c(1).extra["value_step"], 10);
        assert_eq!(c(5).extra["gridline_step"], 20);
        let dif = |d| task("difference").unwrap().generate(&spec(0, i, d));
        assert!(["removed", "added"].contains(&dif(1).extra["change"].as_str().unwrap()));
        assert_eq!(dif(5).extra["change"], "recoloured_similar");
        let p = |d| task("pointing").unwrap().generate(&spec(0, i, d));
        assert_eq!(
            (
                p(1).extra["font_scale"].clone(),
                p(5).extra["font_scale"].clone()
            ),
            (2.into(), 1.into())
        );
    }
    // Caption corruptions: colours only at level 1, relations appear at levels 4-5.
    let mut relation_seen = false;
    for i in 0..30 {
        let s1 = task("caption").unwrap().generate(&spec(1, i, 1));
        let g1 = &s1.extra["groups"];
        let colour_names = ["red", "green", "blue", "yellow", "purple", "orange"];
        assert!(
            colour_names.contains(&s1.gold.answer.as_str()),
            "{}",
            s1.gold.answer
        );
        assert!(g1.as_array().unwrap().len() == 2);
        let s5 = task("caption").unwrap().generate(&spec(1, i, 5));
        relation_seen |= ["left", "right", "above", "below"].contains(&s5.gold.answer.as_str());
    }
    assert!(relation_seen, "level 5 never corrupts a relation");
}

#[test]
fn ids_name_task_difficulty_seed_index_and_coords() {
    let t = task("grounding").unwrap();
    let s = t.generate(&spec(42, 3, 2));
    assert_eq!(s.id, "grounding-d2-s42-3");
    let n = t.generate(&spec(42, 3, 2).with_coords(Coords::Norm1000));
    assert_eq!(n.id, "grounding-d2-s42-3-n1000");
    // Same scene, only the answer frame differs.
    assert_eq!(s.images, n.images);
    assert_ne!(s.gold.answer_frame, n.gold.answer_frame);
    let _: &Sketch = &s.images[0];
}
