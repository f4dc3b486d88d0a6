//! Trains a short run from `--set`-style arguments and prints its evaluation curve and wall
//! time: used to pick the learning test's config and to compare `cpu` preset variants.
//!
//! `cargo run --release -p ocellus-train --example probe -- cpu run.task=cartpole-swingup ...`

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ocellus_train::{ConfigBuilder, Trainer};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let preset = if args.is_empty() {
        "cpu".to_string()
    } else {
        args.remove(0)
    };
    let config = ConfigBuilder::from_preset(&preset)
        .and_then(|b| b.set_all(&args))
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join(format!("ocellus-probe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = Instant::now();
    let mut t = Trainer::create(config, &dir, "probe").expect("run dir");
    let s = t.run(&AtomicBool::new(false)).expect("run");
    let eval = std::fs::read_to_string(dir.join("eval.csv")).unwrap();
    for line in eval.lines() {
        let cells: Vec<&str> = line.split(',').collect();
        println!("{:>10} {:>12} {:>12}", cells[0], cells[1], cells[2]);
    }
    println!(
        "wall {:.1}s, updates {}, learner {:.1}s, loop-after-seed {:.1}s, eval {:.1}s, \
         checkpoints {:.1}s, non-learner fraction {:.3}",
        start.elapsed().as_secs_f64(),
        s.updates,
        s.learner.as_secs_f64(),
        s.loop_after_seed.as_secs_f64(),
        s.eval.as_secs_f64(),
        s.checkpointing.as_secs_f64(),
        s.non_learner_fraction().unwrap_or(f64::NAN)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
