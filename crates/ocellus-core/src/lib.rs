//! The shared vocabulary of ocellus.
//!
//! This crate holds the few types every layer agrees on and nothing else: frame and step
//! counters that cannot be mixed up ([`EnvFrames`], [`AgentSteps`]), array specifications
//! ([`ArraySpec`]), how a time step relates to its episode ([`StepKind`]), and seeding
//! ([`RandomState`], a bit-exact port of NumPy's legacy Mersenne-Twister generator, so that a
//! native task reset with seed `s` starts where dm_control's task seeded with `s` starts).
//!
//! It has no dependencies, so every other crate (environments, replay, rewards) can use it
//! without pulling in a tensor engine.
#![deny(missing_docs)]

mod counters;
mod rng;
mod spec;

pub use counters::{AgentSteps, EnvFrames};
pub use rng::{derive_seed, RandomState};
pub use spec::{ArraySpec, DType};

/// Where a time step stands in its episode.
///
/// dm_control encodes this in a `StepType` plus the discount; ocellus keeps the two apart so
/// that a time limit (`Truncated`, bootstrap from the next state) can never be confused with a
/// real end of the task (`Terminated`, no bootstrap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// The observation returned by `reset`; it carries no reward.
    First,
    /// An ordinary step inside the episode.
    Mid,
    /// The task ended by itself (for example the agent fell); the value of the next state is 0.
    Terminated,
    /// The episode hit its time limit; the next state still has a value.
    Truncated,
}

impl StepKind {
    /// True when this step ends the episode, by termination or by time limit.
    pub fn is_last(self) -> bool {
        matches!(self, StepKind::Terminated | StepKind::Truncated)
    }

    /// A stable one-byte code, for files and other languages: 0 first, 1 mid, 2 terminated,
    /// 3 truncated.
    ///
    /// ```
    /// use ocellus_core::StepKind;
    /// assert_eq!(StepKind::Terminated.code(), 2);
    /// assert_eq!(StepKind::from_code(3), Some(StepKind::Truncated));
    /// assert_eq!(StepKind::from_code(4), None);
    /// ```
    pub fn code(self) -> u8 {
        match self {
            StepKind::First => 0,
            StepKind::Mid => 1,
            StepKind::Terminated => 2,
            StepKind::Truncated => 3,
        }
    }

    /// The kind of a [`StepKind::code`], or `None` for any other byte.
    pub fn from_code(code: u8) -> Option<StepKind> {
        Some(match code {
            0 => StepKind::First,
            1 => StepKind::Mid,
            2 => StepKind::Terminated,
            3 => StepKind::Truncated,
            _ => return None,
        })
    }
}
