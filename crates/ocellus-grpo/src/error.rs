//! The crate's one error type.
//!
//! Everything a caller can get wrong — a config value out of range, tensors whose shapes do not line
//! up, a reward tensor of the wrong kind — is a [`GrpoError`] naming the offending value. Panics are
//! reserved for broken internal invariants (STYLE.md §5).

use tch::TchError;

/// Errors from GRPO-family advantages, losses and helpers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GrpoError {
    /// A configuration value is out of its valid range.
    #[error("invalid config `{field}` = {value}: {reason}")]
    Config {
        /// The config field (e.g. `clip_low`).
        field: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What the valid range is.
        reason: &'static str,
    },
    /// Several configuration values are invalid; all of them, each a [`GrpoError::Config`].
    #[error("{} invalid config values: {}", .0.len(), join(.0))]
    Configs(Vec<GrpoError>),
    /// A tensor argument has the wrong shape for its role or does not match its siblings.
    #[error("shape mismatch: `{name}` has shape {got:?}, expected {expected}")]
    Shape {
        /// The argument (e.g. `old_logp`).
        name: &'static str,
        /// The shape that was passed.
        got: Vec<i64>,
        /// The expected shape, in words or numbers (e.g. `[B, T] = [4, 7]`).
        expected: String,
    },
    /// A tensor argument has a valid shape but invalid contents, kind or device.
    #[error("invalid input `{name}`: {reason}")]
    Input {
        /// The argument (e.g. `mask`).
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// libtorch reported an error (surfaced through tch's `f_` methods).
    #[error("libtorch error: {0}")]
    Torch(#[from] TchError),
}

/// Shorthand for results in this crate.
pub type Result<T, E = GrpoError> = std::result::Result<T, E>;

fn join(errors: &[GrpoError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl GrpoError {
    /// A [`GrpoError::Config`] for `field` holding `value`.
    pub(crate) fn config(
        field: &'static str,
        value: impl std::fmt::Debug,
        reason: &'static str,
    ) -> Self {
        GrpoError::Config {
            field,
            value: format!("{value:?}"),
            reason,
        }
    }

    /// `Ok` for no problems, the problem itself for one, [`GrpoError::Configs`] for several.
    pub(crate) fn from_problems(mut problems: Vec<GrpoError>) -> Result<()> {
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(GrpoError::Configs(problems)),
        }
    }

    /// A [`GrpoError::Input`] for argument `name`.
    pub(crate) fn input(name: &'static str, reason: impl Into<String>) -> Self {
        GrpoError::Input {
            name,
            reason: reason.into(),
        }
    }
}
