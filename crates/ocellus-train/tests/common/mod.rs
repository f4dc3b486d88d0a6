//! Shared by the integration tests: a tiny training config and scratch directories.
#![allow(dead_code)] // each test file uses its own subset

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use ocellus_train::{ConfigBuilder, TrainConfig};

/// A config small enough to run 4000 frames in seconds: 24 px frames, narrow nets, action
/// repeat 8 (125 agent steps per episode), updates from frame 400 on.
pub fn tiny(frames: u64) -> TrainConfig {
    tiny_with(frames, &[])
}

/// [`tiny`] with further `--set` overrides applied last (e.g. another agent).
pub fn tiny_with(frames: u64, extra: &[&str]) -> TrainConfig {
    ConfigBuilder::from_preset("cpu")
        .unwrap()
        .set_all(&[
            "run.task=cartpole-balance".to_string(),
            format!("run.frames={frames}"),
            "run.seed=7".into(),
            "run.eval_every_frames=2000".into(),
            "run.eval_episodes=2".into(),
            "run.checkpoint_every_frames=1600".into(),
            "run.video=true".into(),
            "env.image_size=24".into(),
            "env.action_repeat=8".into(),
            "agent.hidden_dim=32".into(),
            "agent.feature_dim=16".into(),
            "loop.batch_size=16".into(),
            "agent.micro_batch_size=16".into(),
            "loop.seed_frames=400".into(),
            "loop.update_every_agent_steps=2".into(),
            "loop.updates_per_step=1".into(),
        ])
        .unwrap()
        .set_all(extra)
        .unwrap()
        .build()
        .unwrap()
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocellus-train-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

pub fn never() -> AtomicBool {
    AtomicBool::new(false)
}
