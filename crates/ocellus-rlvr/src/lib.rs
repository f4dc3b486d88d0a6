//! RL with verifiable rewards for a vision-language policy, end to end on CPU: `ocellus rlvr`.
//!
//! | module | what |
//! |---|---|
//! | [`config`] | the run's TOML (`configs/rlvr/cpu.toml` preset, `--set` overrides) |
//! | [`episode`] | task samples as prompts with images; warm-start demonstrations; train / held-out streams |
//! | [`tool`] | the crop/zoom tool of multi-turn episodes |
//! | [`trainer`] | the loop: warm start, then GRPO / Dr.GRPO / DAPO / GSPO steps; held-out evaluation |
//! | [`run`] | run directories, logs, checkpoints, resume |
//!
//! The policy is any [`ocellus_policy::Policy`]; this crate builds [`ocellus_vlm::Vlm`]s (the
//! small SmolVLM-shaped policy, or SmolVLM weights from an HF folder). Rewards come from
//! `ocellus-rewards` verifiers through [`ocellus_rewards::group::RewardRecipe`]; advantages and
//! losses are `ocellus-grpo`'s.
#![deny(missing_docs)]

pub mod config;
pub mod episode;
pub mod error;
pub mod run;
pub mod tool;
pub mod trainer;

pub use config::RlvrConfig;
pub use error::RlvrError;
pub use run::{evaluate_model, train, RunOptions};
pub use trainer::Trainer;
