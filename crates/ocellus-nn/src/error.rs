//! The error for inputs a building block cannot use (a wrong shape, a value out of range, two
//! sets of named tensors that do not match).
//!
//! Tensor shapes inside a network are the programmer's business (tch panics on them); the
//! functions that return [`InputError`] are the ones called with data a trainer assembles
//! (activations gathered from hooks, logits, a fresh copy of a network, episode returns), where a
//! mismatch is worth a readable message instead of a libtorch backtrace.

use crate::state::StateError;

/// Why a building block refused its input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A tensor has the wrong number of dimensions, a wrong or empty size, or a wrong kind.
    #[error("`{name}` has shape {found:?} and kind {kind}, expected {expected}")]
    Shape {
        /// Which argument.
        name: &'static str,
        /// Its shape.
        found: Vec<i64>,
        /// Its element kind (`Debug` of `tch::Kind`).
        kind: String,
        /// What was expected, in words (for example `"[B, N] float with B, N ≥ 1"`).
        expected: String,
    },
    /// A number outside the range it must lie in.
    #[error("`{name}` = {value} is outside {allowed}")]
    Value {
        /// Which argument.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// Two sets of named tensors differ in names, shapes or kinds (every difference listed).
    #[error("{0}")]
    State(#[from] StateError),
}

impl InputError {
    /// A [`InputError::Shape`] for tensor `t` given as argument `name`.
    pub(crate) fn shape(name: &'static str, t: &tch::Tensor, expected: &str) -> Self {
        InputError::Shape {
            name,
            found: t.size(),
            kind: format!("{:?}", t.kind()),
            expected: expected.to_string(),
        }
    }
}

/// `Ok(())` when `value` is finite and in `[low, high]`, else [`InputError::Value`].
pub(crate) fn check_range(
    name: &'static str,
    value: f64,
    low: f64,
    high: f64,
    allowed: &'static str,
) -> Result<(), InputError> {
    if value.is_finite() && (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(InputError::Value {
            name,
            value,
            allowed,
        })
    }
}
