//! A tiny pixel task is learned clearly better than a uniformly random policy, in about two
//! minutes on two CPU cores (test profile, opt-level 2).
//!
//! The run is bitwise deterministic for a given machine kind and libtorch, so the outcome does
//! not flake: on this project's 2-core machine it scores 504 vs random 260 (margin 244;
//! threshold 125) after 3,876 updates in 120 s.
//!
//! History: the first configuration (lr 1e-3, hidden 64, γ 0.99, τ 0.01, 28,000 frames) gave
//! 232 vs random 260. Every run passes through a phase around 7–10k frames where the policy
//! pushes one way at full force (eval ≈ 136) before improving. With the configuration here
//! (lr 3e-4, hidden 256, feature 50, γ 0.9, τ 0.05, 32,000 frames), CLI probes with 3 eval
//! episodes reached 488 (seed 1) and 465 (seed 2). Both policies are scored on the same
//! evaluation seeds.

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
fn cartpole_balance_from_32px_pixels_beats_random() {
    // One intra-op thread: on two shared cores libtorch's second thread mostly spins.
    tch::set_num_threads(1);
    let start = Instant::now();
    let config = ConfigBuilder::from_preset("cpu")
        .unwrap()
        .set_all(&[
            "run.task=cartpole-balance",
            "run.frames=32000",
            "run.seed=1",
            "run.eval_every_frames=32000",
            "run.eval_episodes=5",
            "run.checkpoint_every_frames=0",
            "run.video=false",
            "agent.image_size=32",
            "agent.encoder_channels=32",
            "agent.actor_preact_l2=0",
            "agent.action_repeat=8",
            "agent.hidden_dim=256",
            "agent.feature_dim=50",
            "agent.discount=0.9",
            "agent.critic_target_tau=0.05",
            "agent.batch_size=32",
            "agent.micro_batch_size=32",
            "agent.lr=3e-4",
            "agent.seed_frames=1000",
            "agent.exploration_agent_steps=125",
            "agent.update_every_agent_steps=1",
            "agent.updates_per_step=1",
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
    let trained = ocellus_train::evaluate_run(&dir, EPISODES, None, None).unwrap();
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
        trained.mean > random_mean + 125.0,
        "trained {:.1} vs random {random_mean:.1}",
        trained.mean
    );
    let _ = std::fs::remove_dir_all(&dir);
}
