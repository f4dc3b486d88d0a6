//! Robustness fuzzer: every registered verifier on `N` generated completions (default 10^6 per
//! verifier) must not panic, must score finitely inside its `score_range()`, must never report
//! [`Verdict::Internal`] (a non-finite formula result), and must score unreadable input 0.
//!
//! Each case starts from the realistic corpus of `verifier_throughput` (half of the time) or from
//! a soup of parser-hostile fragments, then takes a few random mutations: fragments inserted at
//! random character boundaries (tags in other cases, unbalanced brackets, `\boxed{`, huge,
//! subnormal and hexadecimal numbers, non-ASCII digits and whitespace, combining marks, NUL),
//! ranges deleted or duplicated, truncation. The gold answer is mutated less often, and frames,
//! training progress and options are drawn from a pool that includes degenerate values (zero,
//! negative, NaN and infinite image sizes; NaN progress). Deterministic for a given seed.
//!
//! Run (release; both cores, ~2-4 min for the whole registry at 10^6 cases each):
//! `cargo run --release -p ocellus-rewards --example fuzz_verifiers -- [cases] [seed] [name...]`
//!
//! Prints one row per verifier and exits with status 1 if any case failed, after writing the
//! first failing case of each verifier to `fuzz_failures.jsonl` in the working directory.

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{sample, Rng, FRAGMENTS};
use ocellus_rewards::{registry, CoordFrame, Gold, Verdict, VerdictKind, Verifier};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

/// Gold answers of every shape the verifiers read.
const GOLDS: &[&str] = &[
    "3",
    "0",
    "-2.5",
    "45%",
    "1,200",
    "B",
    "yes",
    "no",
    "[10, 20, 300, 400]",
    "[[0, 0, 10, 10], [50, 50, 60, 60]]",
    "[0.1, 0.2, 0.3, 0.4]",
    r#"[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}, {"bbox_2d": [50, 50, 200, 220], "label": "cat"}]"#,
    "[]",
    "1 2 3 4",
    "0 1 2 3",
    "3 1 2 5 4 6 9 8 7",
    "2, 1, 4, 3",
    "top-left, upper left",
    "90",
    "the golden retriever",
    r#"{"original_caption": "a red car", "changed_caption": "a blue car"}"#,
    r#"{"city": "Lyon", "state": "ARA", "country": "France"}"#,
    r#"{"type": "planning", "difficulty": "hard", "station1": "A", "station2": "D", "transfer_count": 1, "lines": {"Line 1": ["A", "B", "C"], "Line 2": ["C", "D"]}}"#,
    r#"{"type": "counting", "difficulty": "easy", "answer": "7"}"#,
    "",
    "   ",
];

fn fragment(rng: &mut Rng) -> &'static str {
    FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize]
}

fn soup(rng: &mut Rng) -> String {
    let n = rng.below(40) as usize;
    (0..n).map(|_| fragment(rng)).collect()
}

/// A random character boundary of `s`.
fn boundary(rng: &mut Rng, s: &str) -> usize {
    let k = rng.below(s.len() as u64 + 1) as usize;
    (0..=k).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// One random edit: insert, delete, duplicate or truncate.
fn mutate(rng: &mut Rng, s: &mut String) {
    match rng.below(10) {
        0..=5 => {
            let at = boundary(rng, s);
            s.insert_str(at, fragment(rng));
        }
        6 => {
            let (a, b) = (boundary(rng, s), boundary(rng, s));
            s.replace_range(a.min(b)..a.max(b), "");
        }
        7 => {
            let (a, b) = (boundary(rng, s), boundary(rng, s));
            let piece = s[a.min(b)..a.max(b)].to_string();
            let at = boundary(rng, s);
            s.insert_str(at, &piece);
        }
        8 => {
            let at = boundary(rng, s);
            s.truncate(at);
        }
        _ => {
            // ASCII upper-casing keeps char boundaries.
            let (a, b) = (boundary(rng, s), boundary(rng, s));
            let (a, b) = (a.min(b), a.max(b));
            let up = s[a..b].to_ascii_uppercase();
            s.replace_range(a..b, &up);
        }
    }
}

fn size(rng: &mut Rng) -> f64 {
    const ODD: [f64; 8] = [0.0, -5.0, f64::NAN, f64::INFINITY, 1e-300, 1e300, 1.0, 0.5];
    if rng.below(8) == 0 {
        ODD[rng.below(ODD.len() as u64) as usize]
    } else {
        1.0 + rng.below(4000) as f64
    }
}

fn frame(rng: &mut Rng) -> Option<CoordFrame> {
    Some(match rng.below(7) {
        0 => return None,
        1 => CoordFrame::Unspecified,
        2 => CoordFrame::Normalized01,
        3 => CoordFrame::Normalized1000,
        4 | 5 => CoordFrame::AbsoluteOriginal {
            width: size(rng),
            height: size(rng),
        },
        _ => CoordFrame::AbsoluteResized {
            width: size(rng),
            height: size(rng),
            original_width: size(rng),
            original_height: size(rng),
        },
    })
}

/// One fuzz case for verifier `name`.
fn case(name: &str, rng: &mut Rng) -> (String, Gold) {
    let (mut completion, mut gold) = if rng.below(2) == 0 {
        sample(name, rng)
    } else if rng.below(2) == 0 {
        // Hostile text against a gold answer the verifier can read.
        (soup(rng), sample(name, rng).1)
    } else {
        let g = GOLDS[rng.below(GOLDS.len() as u64) as usize];
        (soup(rng), Gold::new(g))
    };
    // A few long inputs keep the verifiers honest about their cost.
    if rng.below(2000) == 0 {
        let piece = completion.clone() + &soup(rng);
        completion = piece.repeat(1 + rng.below(200) as usize);
    }
    for _ in 0..rng.below(6) {
        mutate(rng, &mut completion);
    }
    if rng.below(4) == 0 {
        for _ in 0..=rng.below(3) {
            mutate(rng, &mut gold.answer);
        }
    }
    if rng.below(3) == 0 {
        gold.answer_frame = frame(rng);
        gold.gold_frame = frame(rng);
    }
    if rng.below(4) == 0 {
        const PROGRESS: [f64; 7] = [0.0, 0.1, 0.25, 1.0, -1.0, 2.0, f64::NAN];
        gold.training_progress = Some(PROGRESS[rng.below(PROGRESS.len() as u64) as usize]);
    }
    if rng.below(6) == 0 {
        gold.options = (0..rng.below(30)).map(|_| soup(rng)).collect();
    }
    (completion, gold)
}

/// What is wrong with a verdict, if anything.
fn violation(v: &Verdict, (lo, hi): (f64, f64)) -> Option<String> {
    let s = v.score();
    if !s.is_finite() {
        return Some(format!("non-finite score {s}"));
    }
    if s < lo - 1e-9 || s > hi + 1e-9 {
        return Some(format!("score {s} outside [{lo}, {hi}]"));
    }
    if v.kind() == VerdictKind::Internal {
        return Some("internal verdict".into());
    }
    if matches!(v, Verdict::Malformed(_) | Verdict::GoldUnparseable(_)) && s != 0.0 {
        return Some(format!("unreadable input scored {s}"));
    }
    if v.reason().is_empty() {
        return Some("empty reason".into());
    }
    None
}

/// Per-verifier tally of one fuzz run.
#[derive(Default)]
struct Tally {
    cases: u64,
    failures: u64,
    kinds: [u64; VerdictKind::ALL.len()],
    first_failure: Option<(String, String, Gold)>,
}

fn fuzz(v: &dyn Verifier, name: &str, cases: u64, seed: u64) -> Tally {
    let mut rng = Rng(seed);
    let mut t = Tally::default();
    let range = v.score_range();
    for _ in 0..cases {
        let (completion, gold) = case(name, &mut rng);
        let outcome = catch_unwind(AssertUnwindSafe(|| v.verify(&completion, &gold)));
        t.cases += 1;
        let problem = match &outcome {
            Err(_) => Some("panic".to_string()),
            Ok(verdict) => {
                t.kinds[verdict.kind() as usize] += 1;
                violation(verdict, range)
            }
        };
        if let Some(why) = problem {
            t.failures += 1;
            if t.first_failure.is_none() {
                t.first_failure = Some((why, completion, gold));
            }
        }
    }
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cases: u64 = args
        .first()
        .map(|s| {
            s.replace('_', "")
                .parse()
                .expect("cases must be an integer")
        })
        .unwrap_or(1_000_000);
    let seed: u64 = args
        .get(1)
        .map(|s| s.parse().expect("seed must be an integer"))
        .unwrap_or(17);
    let only: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    // Panics are caught and counted; keep the default hook from printing a million of them.
    std::panic::set_hook(Box::new(|_| {}));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let infos: Vec<_> = registry::verifiers()
        .iter()
        .filter(|i| only.is_empty() || only.contains(&i.name))
        .collect();
    println!(
        "{cases} cases per verifier, seed {seed}, {threads} threads, {} verifiers",
        infos.len()
    );
    println!("| verifier | cases | failures | s | correct | partial | incorrect | malformed | gold unparseable |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut failures = Vec::new();
    let mut total = 0u64;
    let start_all = Instant::now();
    for (k, info) in infos.iter().enumerate() {
        let start = Instant::now();
        // Split the cases over the cores; each thread has its own stream of the generator.
        let parts: Vec<Tally> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|th| {
                    let n = cases / threads + u64::from(th < cases % threads);
                    let s = seed
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        .wrapping_add((k as u64) << 32 | th);
                    scope.spawn(move || fuzz(info.build().as_ref(), info.name, n, s))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("fuzz threads catch panics"))
                .collect()
        });
        let mut t = Tally::default();
        for p in parts {
            t.cases += p.cases;
            t.failures += p.failures;
            for (a, b) in t.kinds.iter_mut().zip(p.kinds) {
                *a += b;
            }
            t.first_failure = t.first_failure.or(p.first_failure);
        }
        total += t.cases;
        let pct = |i: usize| 100.0 * t.kinds[i] as f64 / t.cases.max(1) as f64;
        println!(
            "| {} | {} | {} | {:.1} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {:.1}% |",
            info.name,
            t.cases,
            t.failures,
            start.elapsed().as_secs_f64(),
            pct(0),
            pct(1),
            pct(2),
            pct(3),
            pct(4)
        );
        if let Some((why, completion, gold)) = t.first_failure {
            failures.push(serde_json::json!({
                "verifier": info.name, "failures": t.failures, "why": why,
                "completion": completion, "gold": gold,
            }));
        }
    }
    println!(
        "{total} cases in {:.0} s, {} verifiers with failures",
        start_all.elapsed().as_secs_f64(),
        failures.len()
    );
    if !failures.is_empty() {
        let mut f =
            std::fs::File::create("fuzz_failures.jsonl").expect("create fuzz_failures.jsonl");
        for line in &failures {
            writeln!(f, "{line}").expect("write fuzz_failures.jsonl");
        }
        eprintln!("first failing case of each: fuzz_failures.jsonl");
        std::process::exit(1);
    }
}
