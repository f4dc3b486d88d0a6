//! Diagnostic: does a checkpoint's answer depend on the image? Prints the answer-digit
//! distribution for one prompt under several images.
use ocellus_policy::{prompted_logprobs, Policy, PromptedBatch};
use ocellus_rlvr::episode::{Episode, TaskStream};
use ocellus_tasks::Difficulty;
use ocellus_vlm::Vlm;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let policy = Vlm::from_dir(std::path::Path::new(&dir), tch::Device::Cpu).unwrap();
    if std::env::args().nth(2).is_some() {
        grads(&policy);
        return;
    }
    let task = ocellus_tasks::task("counting").unwrap();
    let s = TaskStream::held_out(task, Difficulty::new(1).unwrap());
    for i in 0..6 {
        let ep = Episode::new(&policy, s.sample(i), None).unwrap();
        let demo = ep.demonstration(&policy, None).unwrap();
        let b = PromptedBatch::new(&[(&ep.prompt, &demo)], policy.chat().pad, tch::Device::Cpu)
            .unwrap();
        let _ = prompted_logprobs(&policy, &b, 1.0).unwrap();
        // logits at the digit position: find the index of the gold digit in the response.
        let hidden = policy
            .extend(&mut policy.new_cache(), &b.ids, b.images.as_ref())
            .unwrap();
        let digit_tok = policy
            .tokenizer()
            .encode(&ep.sample.reference_answer)
            .unwrap()[0];
        let j = demo.tokens.iter().position(|&t| t == digit_tok).unwrap();
        let pos = ep.prompt.ids.len() + j - 1;
        let logits = policy
            .logits(&hidden.select(1, pos as i64))
            .softmax(-1, tch::Kind::Float);
        let probs: Vec<String> = (0..6)
            .map(|d| {
                let id = policy.tokenizer().encode(&d.to_string()).unwrap()[0];
                format!("{d}:{:.2}", logits.double_value(&[0, id]))
            })
            .collect();
        println!("gold {} | {}", ep.sample.reference_answer, probs.join(" "));
    }
}

#[allow(dead_code)]
fn grads(policy: &Vlm) {
    let task = ocellus_tasks::task("counting").unwrap();
    let s = TaskStream::train(task, Difficulty::new(1).unwrap(), 1);
    let eps: Vec<Episode> = (0..8)
        .map(|i| Episode::new(policy, s.sample(i), None).unwrap())
        .collect();
    let demos: Vec<_> = eps
        .iter()
        .map(|e| e.demonstration(policy, None).unwrap())
        .collect();
    let rows: Vec<_> = eps
        .iter()
        .zip(&demos)
        .map(|(e, d)| (&e.prompt, d))
        .collect();
    let b = PromptedBatch::new(&rows, policy.chat().pad, tch::Device::Cpu).unwrap();
    let lp = prompted_logprobs(policy, &b, 1.0).unwrap();
    let loss = -(lp * &b.responses.mask).sum(tch::Kind::Float);
    loss.backward();
    for (name, w) in policy.weights() {
        let g = w.grad();
        let n = if g.defined() {
            g.norm().double_value(&[])
        } else {
            -1.0
        };
        if name.contains("layers.0")
            || name.contains("embed")
            || name.contains("patch")
            || name.contains("connector")
            || name.contains("lm_head")
        {
            println!(
                "{name:70} |w| {:.3} |g| {n:.2e}",
                w.norm().double_value(&[])
            );
        }
    }
}
