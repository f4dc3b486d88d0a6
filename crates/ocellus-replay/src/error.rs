//! What can go wrong when configuring, writing to or sampling from a replay buffer.

use ocellus_core::StepKind;
use thiserror::Error;

/// An error from the replay buffer. Nothing is written when one is returned from an `add`.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum ReplayError {
    /// A configuration value is out of its valid range.
    #[error("invalid replay option {name} = {value}: {reason}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// Its value, printed.
        value: String,
        /// What is allowed.
        reason: &'static str,
    },
    /// The ring cannot hold one frame stack plus one n-step window per stream.
    #[error(
        "capacity {capacity} transitions is below {required} = num_streams {num_streams} x \
         (n_step {n_step} + frame_stack {frame_stack})"
    )]
    CapacityTooSmall {
        /// The capacity asked for, in transitions.
        capacity: usize,
        /// The smallest capacity accepted.
        required: usize,
        /// n of the n-step return.
        n_step: usize,
        /// Frames per stacked observation.
        frame_stack: usize,
        /// Parallel environment streams.
        num_streams: usize,
    },
    /// The buffer would need more memory than the `max_bytes` budget allows.
    #[error(
        "replay of {capacity} transitions x {bytes_per_transition} B = {total_bytes} B \
         ({total_gib:.2} GiB) exceeds max_bytes {max_bytes} B ({max_gib:.2} GiB); lower the \
         capacity, shrink the frames or enable frame compression",
        total_gib = *total_bytes as f64 / 1073741824.0,
        max_gib = *max_bytes as f64 / 1073741824.0
    )]
    OverBudget {
        /// The capacity asked for, in transitions.
        capacity: usize,
        /// Bytes reserved per transition (frame, action, reward, discount, kind, links).
        bytes_per_transition: usize,
        /// `capacity * bytes_per_transition`.
        total_bytes: u64,
        /// The budget.
        max_bytes: u64,
    },
    /// A frame has the wrong number of bytes.
    #[error(
        "frame has {got} bytes but the replay stores [C, H, W] = {shape:?} ({expected} bytes)"
    )]
    FrameSize {
        /// `C * H * W`.
        expected: usize,
        /// Bytes given.
        got: usize,
        /// The configured frame shape.
        shape: [usize; 3],
    },
    /// An action has the wrong number of entries.
    #[error("action has {got} entries but the replay stores {expected}")]
    ActionLength {
        /// Entries per action.
        expected: usize,
        /// Entries given.
        got: usize,
    },
    /// An action entry is NaN or infinite.
    #[error("action entry {index} is {value}, not a finite number")]
    NonFiniteAction {
        /// Index of the offending entry.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// A reward is NaN or infinite.
    #[error("reward {value} on stream {stream} is not a finite number")]
    NonFiniteReward {
        /// The stream it was written to.
        stream: usize,
        /// Its value.
        value: f64,
    },
    /// A discount is not a number in [0, 1].
    #[error("discount {value} on stream {stream} is not in [0, 1]")]
    InvalidDiscount {
        /// The stream it was written to.
        stream: usize,
        /// Its value.
        value: f64,
    },
    /// The stream id is not below the configured number of streams.
    #[error("unknown stream {stream}; the replay has {num_streams} streams (0..{num_streams})")]
    UnknownStream {
        /// The stream asked for.
        stream: usize,
        /// Configured streams.
        num_streams: usize,
    },
    /// A `Mid`, `Terminated` or `Truncated` step arrived on a stream with no running episode
    /// (before its first `First`, or after its episode ended).
    #[error("{kind:?} step on stream {stream}, which has no running episode; write a First step")]
    NoRunningEpisode {
        /// The stream.
        stream: usize,
        /// The kind of the rejected step.
        kind: StepKind,
    },
    /// A batch of steps does not have one entry per stream.
    #[error("step batch field {field} has {got} entries, expected {expected}")]
    BatchLength {
        /// The field (`kinds`, `frames`, ...).
        field: &'static str,
        /// Entries expected.
        expected: usize,
        /// Entries given.
        got: usize,
    },
    /// No transition is sampleable yet (an episode needs a step after its first frame).
    #[error("cannot sample from a replay with no sampleable transition ({stored} steps stored)")]
    Empty {
        /// Time steps stored.
        stored: usize,
    },
    /// An output buffer has the wrong size for the batch.
    #[error("output {field} has {got} elements, expected {expected}")]
    OutputSize {
        /// The output (`obs`, `action`, ...).
        field: &'static str,
        /// Elements expected.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// A thread panicked while holding the shared replay's lock.
    #[error("the shared replay's lock was poisoned by a panicking thread")]
    Poisoned,
    /// The background sampler thread has stopped.
    #[error("the background sampler has stopped")]
    SamplerStopped,
}
