//! [`RlvrError`].

use thiserror::Error;

/// What can stop a run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RlvrError {
    /// A bad configuration value.
    #[error("config: {0}")]
    Config(String),
    /// The model could not be built or loaded.
    #[error(transparent)]
    Model(#[from] ocellus_vlm::VlmError),
    /// Sampling or batching failed.
    #[error(transparent)]
    Policy(#[from] ocellus_policy::PolicyError),
    /// The objective refused its inputs.
    #[error(transparent)]
    Grpo(#[from] ocellus_grpo::GrpoError),
    /// A reward could not be built.
    #[error(transparent)]
    Reward(#[from] ocellus_rewards::RewardError),
    /// A checkpoint is unusable (named file or field).
    #[error(transparent)]
    Checkpoint(#[from] ocellus_train::CheckpointError),
    /// A checkpoint of a different run.
    #[error("checkpoint {path}: {reason}")]
    Foreign {
        /// The checkpoint.
        path: String,
        /// What does not match.
        reason: String,
    },
    /// Logging failed.
    #[error(transparent)]
    Monitor(#[from] ocellus_monitor::MonitorError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A libtorch error.
    #[error(transparent)]
    Torch(#[from] tch::TchError),
}

impl RlvrError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> RlvrError + '_ {
        move |source| RlvrError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
