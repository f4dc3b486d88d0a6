//! Realistic (completion, gold) pairs per registered verifier, shared by the examples
//! `verifier_throughput` (speed) and `fuzz_verifiers` (robustness, as a seed corpus).
#![allow(dead_code)]

use ocellus_rewards::{CoordFrame, Gold};

/// Pieces that make parsers work hard: tags, brackets, boxes, numbers (huge, subnormal,
/// hexadecimal), quotes, non-ASCII digits, whitespace and combining marks, NUL.
pub const FRAGMENTS: &[&str] = &[
    "<think>",
    "</think>",
    "<answer>",
    "</answer>",
    "<ANSWER>",
    "</Answer>",
    "\\boxed{",
    "\\fbox{",
    "\\frac{",
    "\\dfrac{1}{0}",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "[]",
    "{}",
    ",",
    ", ",
    ";",
    "`",
    " ",
    "\n",
    "\t",
    "\"",
    "'",
    "\\",
    "\"bbox_2d\": ",
    "{\"bbox_2d\": [1, 2, 3, 4], \"label\": \"dog\"}",
    "\"label\": null",
    "\"point_2d\": [5, 5]",
    "<|box_start|>(1,2),(3,4)<|box_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    ":",
    "0",
    "1",
    "-0",
    "07",
    "100",
    "-4.5",
    "1e308",
    "1e400",
    "-1e308",
    "5e-324",
    "1e-320",
    "99999999999999999999999",
    "18446744073709551616",
    "0x10",
    "0b101",
    "1_000",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "%",
    "\\%",
    "/",
    "/0",
    "1,234",
    "1,23",
    ".",
    "..",
    "e",
    "E-",
    "A",
    "B.",
    "(C)",
    "I think B",
    "yes",
    "No",
    "true",
    "the",
    "a",
    "top-left",
    "positive",
    "degrees",
    "Route Name: ",
    "Departure Stop: ",
    "Arrival Stop: ",
    "--",
    "{\"action\": \"resize\"}",
    "```json",
    "```",
    "é",
    "e\u{301}",
    "Σ",
    "ΣΑΣ",
    "İ",
    "ß",
    "ﬁ",
    "猫",
    "🙂",
    "—",
    "٣",
    "९",
    "\u{a0}",
    "\u{1c}",
    "\u{85}",
    "\u{2028}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{fffd}",
    "bbox_2d",
    "\"label\": \"dog\"",
    "point_2d",
    "23",
    "1e-3",
    "no",
    "<|box_start|>",
    "<|box_end|>",
    "Route Name: Line 1\n",
    "Departure Stop: A\n",
    "Arrival Stop: D",
];

/// A small deterministic generator (SplitMix64), so runs are comparable.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const WORDS: &[&str] = &[
    "the",
    "image",
    "shows",
    "a",
    "dog",
    "near",
    "the",
    "left",
    "edge",
    "of",
    "frame",
    "so",
    "I",
    "look",
    "at",
    "its",
    "outline",
    "carefully",
    "and",
    "compare",
    "with",
    "the",
    "question",
];

pub fn reasoning(rng: &mut Rng) -> String {
    let n = 40 + rng.below(40) as usize;
    (0..n)
        .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Wraps an answer in the R1 template; 1 in 10 is malformed (no closing tag).
pub fn wrap(rng: &mut Rng, answer: &str) -> String {
    let think = reasoning(rng);
    if rng.below(10) == 0 {
        format!("<think>\n{think}\n</think>\n<answer>\n{answer}\n")
    } else {
        format!("<think>\n{think}\n</think>\n<answer>\n{answer}\n</answer>")
    }
}

fn jitter_box(rng: &mut Rng, b: [f64; 4], amount: f64) -> [f64; 4] {
    let mut out = b;
    for c in &mut out {
        *c = (*c + (rng.unit() - 0.5) * amount).round();
    }
    [
        out[0].min(out[2]),
        out[1].min(out[3]),
        out[0].max(out[2]),
        out[1].max(out[3]),
    ]
}

fn random_box(rng: &mut Rng) -> [f64; 4] {
    let (x, y) = (rng.below(800) as f64, rng.below(800) as f64);
    [
        x,
        y,
        x + 20.0 + rng.below(180) as f64,
        y + 20.0 + rng.below(180) as f64,
    ]
}

/// One (completion, gold) pair for verifier `name`.
pub fn sample(name: &str, rng: &mut Rng) -> (String, Gold) {
    let f = CoordFrame::Normalized1000;
    match name {
        "exact" | "normalized" | "cls_rl" | "visionthink" | "vicrit" => {
            let gold = ["golden retriever", "red car", "three dogs", "stop sign"][rng.below(4) as usize];
            let ans = match rng.below(3) {
                0 => gold.to_string(),
                1 => format!("The {}.", gold.to_uppercase()),
                _ => "a blue bus".to_string(),
            };
            (wrap(rng, &ans), Gold::new(gold))
        }
        "vicrit_relaxed" => (
            format!("{} so the error is \\boxed{{{}}}", reasoning(rng), ["blue car", "red car"][rng.below(2) as usize]),
            Gold::new(r#"{"original_caption": "a red car parked near two trees", "changed_caption": "a blue car parked near two trees"}"#),
        ),
        "numeric" => {
            let g = rng.below(2000);
            let a = match rng.below(3) {
                0 => format!("{g}"),
                1 => format!("There are {} objects.", g + rng.below(3)),
                _ => format!("{},{:03}", g / 1000, g % 1000),
            };
            (wrap(rng, &a), Gold::new(g.to_string()))
        }
        "multiple_choice" => {
            let a = rng.pick(&["A", "(B) dog", "C.", "the answer is D"]);
            (wrap(rng, a), Gold::new("B").with_options(["cat", "dog", "bird", "fish"]))
        }
        "yes_no" => {
            let a = rng.pick(&["Yes.", "no", "Yes, it is"]);
            (wrap(rng, a), Gold::new("yes"))
        }
        "format" | "format_regex" | "format_regex_first" => (wrap(rng, "42"), Gold::default()),
        "format_answer_only" => (format!("<answer>{}</answer>", rng.below(100)), Gold::default()),
        "format_gta1" | "gta1_click" => {
            let b = random_box(rng);
            let p = if rng.below(2) == 0 {
                ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
            } else {
                (rng.below(1000) as f64, rng.below(1000) as f64)
            };
            // GTA1's format allows no whitespace inside <answer>.
            let think = reasoning(rng);
            let c = format!("<think>{think}</think>\n<answer>({}, {})</answer>", p.0 as i64, p.1 as i64);
            (c, Gold::new(format!("{b:?}")).with_frame(f))
        }
        "iou" | "iou_pixel_inclusive" | "iou_vlmr1" | "iou_threshold" | "iou_vlmr1_threshold"
        | "gui_g1" => {
            let b = random_box(rng);
            let a = jitter_box(rng, b, 60.0);
            let ans = format!(r#"{{"bbox_2d": [{}, {}, {}, {}], "label": "dog"}}"#, a[0], a[1], a[2], a[3]);
            (wrap(rng, &ans), Gold::new(format!("{b:?}")).with_frame(f))
        }
        "vtriune_detection" | "od_ap" | "od_ap50" | "od_length" | "det_weighted_sum" => {
            let n = 1 + rng.below(6) as usize;
            let gold: Vec<([f64; 4], &str)> = (0..n).map(|k| (random_box(rng), ["dog", "cat", "car"][k % 3])).collect();
            let kept: Vec<&([f64; 4], &str)> = gold.iter().filter(|_| rng.below(5) != 0).collect();
            let mut pred: Vec<String> = kept
                .into_iter()
                .map(|(b, l)| {
                    let a = jitter_box(rng, *b, 30.0);
                    format!(r#"{{"bbox_2d": [{}, {}, {}, {}], "label": "{l}"}}"#, a[0], a[1], a[2], a[3])
                })
                .collect();
            if rng.below(3) == 0 {
                let b = random_box(rng);
                pred.push(format!(r#"{{"bbox_2d": [{}, {}, {}, {}], "label": "car"}}"#, b[0], b[1], b[2], b[3]));
            }
            let g: Vec<String> = gold
                .iter()
                .map(|(b, l)| format!(r#"{{"bbox_2d": [{}, {}, {}, {}], "label": "{l}"}}"#, b[0], b[1], b[2], b[3]))
                .collect();
            (
                wrap(rng, &format!("```json\n[{}]\n```", pred.join(", "))),
                Gold::new(format!("[{}]", g.join(", "))).with_frame(f).with_progress(rng.unit()),
            )
        }
        "jigsaw" | "jigsaw_adjacency" => {
            let n = if rng.below(2) == 0 { 4 } else { 9 };
            let mut perm: Vec<usize> = (1..=n).collect();
            for i in (1..n).rev() {
                perm.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut ans = perm.clone();
            if rng.below(2) == 0 {
                ans.swap(0, 1);
            }
            let s = |v: &[usize]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ");
            (wrap(rng, &s(&ans)), Gold::new(s(&perm)))
        }
        "ssl4rl_jigsaw" => {
            let a = rng.pick(&["3,2,1,4", "3, 2, 4, 1", "3,2,1", "3,2,1,4,5", "three"]);
            (wrap(rng, a), Gold::new("3,2,1,4"))
        }
        "ssl4rl" => {
            let a = rng.pick(&["90", "180", "top-left"]);
            (wrap(rng, a), Gold::new("90, ninety"))
        }
        "geovista" => {
            let a = rng.pick(&["Lyon, France", "Grenoble, Auvergne-Rhone-Alpes, France", "Turin, Italy"]);
            (
                wrap(rng, a),
                Gold::new(r#"{"city": "Lyon", "state": "Auvergne-Rhone-Alpes", "country": "France"}"#),
            )
        }
        "rewardmap" => (
            format!(
                "{}\nRoute Name: Line 1\nDeparture Stop: A\nArrival Stop: C\n--\nRoute Name: Line 2\nDeparture Stop: C\nArrival Stop: {}",
                reasoning(rng),
                ["D", "E"][rng.below(2) as usize]
            ),
            Gold::new(r#"{"type": "planning", "difficulty": "hard", "station1": "A", "station2": "D", "transfer_count": 1, "lines": {"Line 1": ["A", "B", "C"], "Line 2": ["C", "D", "E"]}}"#),
        ),
        _ => (wrap(rng, "42"), Gold::new("42")),
    }
}
