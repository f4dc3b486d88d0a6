//! [`VlmError`].

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong building, loading or running the model.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VlmError {
    /// The configuration is unusable.
    #[error("model config: {0}")]
    Config(String),
    /// A file of the model folder is missing or unreadable.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A weight the architecture needs is absent from the checkpoint.
    #[error("weights: tensor `{name}` is missing (expected shape {expected:?})")]
    MissingTensor {
        /// Its name.
        name: String,
        /// Its expected shape.
        expected: Vec<i64>,
    },
    /// A weight has the wrong shape.
    #[error("weights: tensor `{name}` has shape {got:?}, expected {expected:?}")]
    TensorShape {
        /// Its name.
        name: String,
        /// Shape in the file.
        got: Vec<i64>,
        /// Shape the config implies.
        expected: Vec<i64>,
    },
    /// The checkpoint holds a tensor the architecture does not use.
    #[error("weights: unexpected tensor `{name}` (not part of this architecture)")]
    UnexpectedTensor {
        /// Its name.
        name: String,
    },
    /// Bad input to the model.
    #[error(transparent)]
    Policy(#[from] ocellus_policy::PolicyError),
    /// A libtorch error.
    #[error(transparent)]
    Torch(#[from] tch::TchError),
}
