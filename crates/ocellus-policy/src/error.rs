//! [`PolicyError`]: what can go wrong between a policy and its loop.

use thiserror::Error;

/// Errors of tokenisation, prompt building, sampling and batching.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The tokenizer could not be read, trained or run.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A special token the chat template needs is not in the vocabulary.
    #[error("the tokenizer has no token `{token}`, which the chat template needs")]
    MissingToken {
        /// The token text.
        token: String,
    },
    /// An input of the wrong shape or value (named).
    #[error("{name}: {reason}")]
    Input {
        /// Which input.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A sampling setting out of its domain.
    #[error("sampling config `{field}` = {value}: {reason}")]
    Config {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A libtorch error.
    #[error(transparent)]
    Torch(#[from] tch::TchError),
}

impl PolicyError {
    /// An [`PolicyError::Input`] error.
    pub fn input(name: impl Into<String>, reason: impl Into<String>) -> Self {
        PolicyError::Input {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// `Result` with [`PolicyError`].
pub type Result<T, E = PolicyError> = std::result::Result<T, E>;
