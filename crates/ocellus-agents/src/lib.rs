//! Pixel-RL agents on tch, one file per agent.
//!
//! * [`drqv2`]: DrQ-v2 (Yarats et al. 2021), the baseline that DrM, TACO and MENTOR build on,
//!   with DrM (Xu et al. 2024) as its `[agent.drm]` option.
//!
//! An agent exposes `act`, `update_critic`, `update_actor` and `update`; `update` always
//! performs one update on the batch it is given, and the trainer owns the cadence. Its whole
//! state (parameters, optimiser moments and counts, generator states) is a list of named
//! tensors for one safetensors checkpoint.
#![deny(missing_docs)]

pub mod drqv2;
pub mod error;

pub use drqv2::{
    Batch, DrQV2Agent, DrQV2Config, DrQV2RawConfig, DrmConfig, DrmMetrics, DrmRawConfig,
    UpdateMetrics, DRM_METRIC_NAMES, METRIC_NAMES,
};
pub use error::{AgentError, ConfigError, ConfigProblem};
