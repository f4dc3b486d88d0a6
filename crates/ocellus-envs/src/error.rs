//! What can go wrong when driving an environment.

use thiserror::Error;

/// An error from creating or stepping an environment. Nothing is stepped when one is returned.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum EnvError {
    /// The task name is not registered.
    #[error("unknown task `{name}`; known tasks: {known}")]
    UnknownTask {
        /// The name that was asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },
    /// The action has the wrong number of entries.
    #[error("action has {got} entries but `{task}` takes {expected}")]
    ActionLength {
        /// The task.
        task: String,
        /// Entries the action spec requires.
        expected: usize,
        /// Entries given.
        got: usize,
    },
    /// An action entry is NaN or infinite (finite values outside [-1, 1] are clamped by the
    /// actuators, as in MuJoCo).
    #[error("action entry {index} is {value}, not a finite number")]
    NonFiniteAction {
        /// Index of the offending entry.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// `step` was called before the first `reset`.
    #[error("step called before reset")]
    NotReset,
    /// `step` was called after the episode ended; call `reset` first.
    #[error("step called after the episode ended; reset first")]
    EpisodeOver,
    /// An option is out of its valid range.
    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// Its value, printed.
        value: String,
        /// What is allowed.
        reason: &'static str,
    },
    /// A physical state of the wrong size, or a task parameter the task does not have.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// The simulator of a task could not be built (e.g. a MuJoCo model file is missing).
    #[error("task {task}: the simulator could not be built: {reason}")]
    Simulator {
        /// The task.
        task: String,
        /// What went wrong, with what to do about it.
        reason: String,
    },
    /// An error of one environment of an [`EnvPool`](crate::EnvPool) batch.
    #[error("environment {env} of the pool: {source}")]
    InEnv {
        /// Index of the environment in the pool.
        env: usize,
        /// What went wrong there.
        source: Box<EnvError>,
    },
}

/// Checks an action's length and finiteness.
pub(crate) fn check_action(task: &str, expected: usize, action: &[f32]) -> Result<(), EnvError> {
    if action.len() != expected {
        return Err(EnvError::ActionLength {
            task: task.to_string(),
            expected,
            got: action.len(),
        });
    }
    if let Some((index, &value)) = action.iter().enumerate().find(|(_, a)| !a.is_finite()) {
        return Err(EnvError::NonFiniteAction { index, value });
    }
    Ok(())
}
