//! Training pixel agents (DrQ-v2, DrM) from pixels: the loop, run directories, logs, evaluation
//! videos and bit-exact checkpoints. The loop holds a `Box<dyn ocellus_agents::Agent>` built by
//! name (`run.agent`) and names no concrete agent.
//!
//! * [`config`]: [`TrainConfig`], one table per owner (`[run]`, `[env]`, `[replay]`, `[loop]`,
//!   `[agent]`), layered
//!   from a preset, its per-domain values for the task (`configs/task_presets.toml`), a file
//!   and `section.key=value` overrides by [`ConfigBuilder`]; unknown keys are errors and every
//!   invalid value is reported at once.
//! * [`trainer`]: [`Trainer`], whose [`Trainer::train_until`] is the loop (act, step, store,
//!   update, evaluate, checkpoint), written to be read top to bottom; its checkpointed counters
//!   and loss sums are in `state.rs`, what it shares with [`eval`] in `episode.rs`.
//! * [`checkpoint`]: the versioned, checksummed checkpoint directory and its atomic commit.
//! * [`run_dir`]: the run directory layout.
//! * [`eval`]: evaluating the latest checkpoint of a run.
//!
//! ```no_run
//! use std::sync::atomic::AtomicBool;
//! use ocellus_train::{ConfigBuilder, Trainer};
//!
//! let config = ConfigBuilder::from_preset("cpu")?
//!     .set_all(&["run.task=cartpole-balance", "run.frames=20000"])?
//!     .build()?;
//! let mut trainer = Trainer::create(config, "runs/demo".as_ref(), "example")?;
//! let summary = trainer.run(&AtomicBool::new(false))?;
//! println!("{:?}", summary.last_eval_return);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod checkpoint;
pub mod config;
mod episode;
pub mod error;
pub mod eval;
pub mod run_dir;
mod state;
pub mod trainer;
pub mod video;

pub use config::{
    ConfigBuilder, EnvSettings, LoopSettings, RawEnvConfig, RawLearningConfig, RawLoopConfig,
    RawReplayConfig, RawRunConfig, RawTrainConfig, ReplaySettings, RunConfig, TrainConfig,
    AGENT_NAMES,
};
pub use error::{CheckpointError, ConfigError, TrainError};
pub use eval::{evaluate_run, EvalReport};
pub use run_dir::{default_run_dir, RunPaths};
pub use trainer::{Outcome, RunSummary, Trainer};
