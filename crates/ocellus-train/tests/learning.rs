//! A tiny pixel task is learned clearly better than a uniformly random policy, in well under
//! two minutes on two CPU cores (test profile, opt-level 2).
//!
//! STATUS: not yet passing. Measured on 2 shared cores: 12,000 frames (1,376 updates, 39 s)
//! gave 281.6 ± 49.7 vs random 260.0; 28,000 frames (3,376 updates, 84 s) gave 232.2 ± 4.7.
//! Ignored until a task/config that learns inside the budget is found. Both policies are
//! scored on the same evaluation seeds.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ocellus_core::{derive_seed, RandomState};
use ocellus_envs::EnvBuilder;
use ocellus_train::{ConfigBuilder, Outcome, Trainer};

const EPISODES: u32 = 5;

fn random_policy_return(task: &str, size: usize, repeat: u32, seed: u32) -> f64 {
    let mut env = EnvBuilder::new(task)
        .size(size, size)
        .action_repeat(repeat)
        .build()
        .unwrap();
    let dim = env.spec().action.num_elements();
    let mut rng = RandomState::new(seed ^ 0x5eed);
    env.reset(Some(seed));
    let mut ret = 0.0;
    loop {
        let a: Vec<f32> = (0..dim).map(|_| rng.uniform(-1.0, 1.0) as f32).collect();
        let ts = env.step(&a).unwrap();
        ret += ts.reward;
        if ts.kind.is_last() {
            return ret;
        }
    }
}

#[test]
#[ignore = "does not learn yet within the 2-minute budget: measured 232 (trained, 3376 updates, 84 s) vs 260 (random); run with --ignored"]
fn cartpole_balance_from_32px_pixels_beats_random() {
    // One intra-op thread: on two shared cores libtorch's second thread mostly spins.
    tch::set_num_threads(1);
    let start = Instant::now();
    let config = ConfigBuilder::from_preset("cpu")
        .unwrap()
        .set_all(&[
            "run.task=cartpole-balance",
            "run.frames=28000",
            "run.seed=1",
            "run.eval_every_frames=28000",
            "run.eval_episodes=5",
            "run.checkpoint_every_frames=0",
            "run.video=false",
            "agent.image_size=32",
            "agent.action_repeat=8",
            "agent.hidden_dim=64",
            "agent.feature_dim=32",
            "agent.batch_size=32",
            "agent.micro_batch_size=32",
            "agent.lr=1e-3",
            "agent.seed_frames=1000",
            "agent.exploration_agent_steps=125",
            "agent.update_every_agent_steps=1",
            "agent.stddev_schedule.over_agent_steps=2000",
        ])
        .unwrap()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("ocellus-learning-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut t = Trainer::create(config, &dir, "learning test").unwrap();
    let s = t.run(&AtomicBool::new(false)).unwrap();
    assert_eq!(s.outcome, Outcome::Finished);
    let trained = ocellus_train::evaluate_run(&dir, EPISODES, None).unwrap();
    let random: Vec<f64> = (0..EPISODES)
        .map(|i| random_policy_return("cartpole-balance", 32, 8, derive_seed(99, u64::from(i))))
        .collect();
    let random_mean = random.iter().sum::<f64>() / random.len() as f64;
    eprintln!(
        "trained {:.1} ± {:.1} {:?}, random {random_mean:.1} {random:?}, {} updates, {:.1}s",
        trained.mean,
        trained.std,
        trained.returns,
        s.updates,
        start.elapsed().as_secs_f64()
    );
    assert!(
        trained.mean > random_mean + 200.0,
        "trained {:.1} vs random {random_mean:.1}",
        trained.mean
    );
    let _ = std::fs::remove_dir_all(&dir);
}
