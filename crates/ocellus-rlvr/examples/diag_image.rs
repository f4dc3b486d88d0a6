//! Does a counting checkpoint's answer depend on its input? Prints the probability the policy
//! gives to each answer 0–5 at the answer position, for several held-out prompts. A policy that
//! ignores image and question prints the same row for every prompt (BENCHMARKS.md, "Which
//! tasks the small policy learns").
//!
//! ```text
//! cargo run --release -p ocellus-rlvr --example diag_image -- CHECKPOINT_DIR [PROMPTS]
//! ```

use ocellus_policy::{Policy, PromptedBatch};
use ocellus_rlvr::episode::{Episode, TaskStream};
use ocellus_tasks::Difficulty;
use ocellus_vlm::Vlm;
use tch::{Device, Kind};

fn main() {
    let dir = std::env::args().nth(1).expect("CHECKPOINT_DIR");
    let n: u64 = std::env::args()
        .nth(2)
        .map_or(6, |s| s.parse().expect("PROMPTS"));
    let policy = Vlm::from_dir(std::path::Path::new(&dir), Device::Cpu).expect("load");
    let task = ocellus_tasks::task("counting").expect("task");
    let stream = TaskStream::held_out(task, Difficulty::new(1).expect("level"));
    let tok = policy.tokenizer();
    let digit = |d: u32| tok.encode(&d.to_string()).expect("encode")[0];
    for i in 0..n {
        let ep = Episode::new(&policy, stream.sample(i), None).expect("episode");
        let demo = ep.demonstration(&policy, None).expect("demonstration");
        let batch = PromptedBatch::new(&[(&ep.prompt, &demo)], policy.chat().pad, Device::Cpu)
            .expect("batch");
        let hidden = policy
            .extend(&mut policy.new_cache(), &batch.ids, batch.images.as_ref())
            .expect("forward");
        // The state before the gold digit predicts it.
        let gold = digit(ep.sample.reference_answer.parse().expect("a count"));
        let j = demo.tokens.iter().position(|&t| t == gold).expect("digit");
        let state = hidden.select(1, (ep.prompt.ids.len() + j - 1) as i64);
        let probs = policy.logits(&state).softmax(-1, Kind::Float);
        let row: Vec<String> = (0..6)
            .map(|d| format!("{d}:{:.2}", probs.double_value(&[0, digit(d)])))
            .collect();
        println!("gold {} | {}", ep.sample.reference_answer, row.join(" "));
    }
}
