//! Answers scored per second per verifier, single thread, on generated realistic completions
//! (a few hundred characters of reasoning, then the answer; a mix of right, partly right,
//! wrong and malformed answers).
//!
//! Run: `cargo run --release -p ocellus-rewards --example verifier_throughput [seconds_per_verifier]`

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{sample, Rng};
use ocellus_rewards::{registry, Gold, VerdictKind};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let budget = std::env::args()
        .nth(1)
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.5);
    let budget = Duration::from_secs_f64(budget);
    println!("| verifier | answers/s | µs/answer | mean score | correct | partial | incorrect | malformed | gold unparseable |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for info in registry::verifiers() {
        let v = info.build();
        let mut rng = Rng(0x5EED);
        let samples: Vec<(String, Gold)> = (0..1024).map(|_| sample(info.name, &mut rng)).collect();
        let mut counts = [0usize; VerdictKind::ALL.len()];
        let mut score_sum = 0.0;
        for (c, g) in &samples {
            let verdict = v.verify(c, g);
            score_sum += verdict.score();
            counts[verdict.kind() as usize] += 1;
        }
        let start = Instant::now();
        let mut scored = 0usize;
        while start.elapsed() < budget {
            for (c, g) in &samples {
                black_box(v.verify(black_box(c), black_box(g)));
            }
            scored += samples.len();
        }
        let secs = start.elapsed().as_secs_f64();
        let n = samples.len() as f64;
        println!(
            "| {} | {:.0} | {:.2} | {:.3} | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {:.0}% |",
            info.name,
            scored as f64 / secs,
            secs * 1e6 / scored as f64,
            score_sum / n,
            100.0 * counts[0] as f64 / n,
            100.0 * counts[1] as f64 / n,
            100.0 * counts[2] as f64 / n,
            100.0 * counts[3] as f64 / n,
            100.0 * counts[4] as f64 / n,
        );
    }
}
