//! Pixel-RL agents on tch.
//!
//! * [`agent`]: the [`Agent`] interface the trainer, evaluation and checkpoints use, and
//!   [`build_agent`], which builds one by its registered name ([`AGENTS`]).
//! * [`drqv2`]: DrQ-v2 (Yarats et al. 2021), the learner that DrM, TACO and MENTOR build on,
//!   with DrM (Xu et al. 2024) as its `[agent.drm]` option (`drqv2/drm.rs`) and MENTOR
//!   (Huang et al. 2025) as `[agent.mentor]` on top of DrM (`drqv2/mentor.rs`).
//!
//! An agent's `update` always performs one update on the batch it is given; the trainer owns
//! the cadence. Its whole state (parameters, optimiser moments and counts, generator states)
//! is a list of named tensors for one safetensors checkpoint.
#![deny(missing_docs)]

pub mod agent;
pub mod drqv2;
pub mod error;

pub use agent::{build_agent, name_of, Agent, AGENTS};
pub use drqv2::{
    Batch, DrQV2Agent, DrQV2Config, DrQV2RawConfig, DrmConfig, DrmMetrics, DrmRawConfig,
    MentorConfig, MentorMetrics, MentorRawConfig, UpdateMetrics, DRM_METRIC_NAMES, METRIC_NAMES,
};
pub use error::{AgentError, ConfigError, ConfigProblem};
