//! How a replay buffer is built, and what it costs in memory before anything is written.

use std::mem::size_of;

use ocellus_core::StepKind;

use crate::{codec, ReplayError};

/// The largest frame stack accepted (stacks are rebuilt in a fixed-size array).
pub const MAX_FRAME_STACK: usize = 16;

/// Which transitions near an episode's end are sampleable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EpisodeTail {
    /// The last `n - 1` transitions of an episode are sampled too, with the window cut at the
    /// episode's end: `m < n` rewards, and `bootstrap_discount = γ^m` after a `Truncated` end
    /// or 0 after a `Terminated` one. Every action ever taken can be learned from.
    #[default]
    Partial,
    /// Only transitions whose whole n-step window lies inside the episode, as in DrQ-v2's
    /// `replay_buffer.py` (`idx < episode_len - nstep + 1`); the last `n - 1` transitions of
    /// each episode are never sampled.
    FullWindowsOnly,
}

/// How frames are kept in memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// Raw u8 frames, `C * H * W` bytes each, one slot per transition.
    #[default]
    None,
    /// Each frame LZ4-compressed on its own into a circular byte arena of
    /// `capacity * frame_budget_bytes` bytes, fixed at construction. When frames compress
    /// worse than the budget on average, the oldest steps are evicted early, so the buffer
    /// holds fewer than `capacity` transitions, but never more memory than announced.
    Lz4 {
        /// Arena bytes reserved per transition (the expected compressed frame size plus a
        /// margin; 84x84 cartpole frames take about 10.1 KB, see the crate docs).
        frame_budget_bytes: usize,
    },
}

/// Everything that fixes a replay buffer's layout and semantics.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayConfig {
    /// Stored time steps (transitions) in the ring; the oldest is overwritten when full.
    pub capacity: usize,
    /// Frame shape `[C, H, W]` (channel-first u8, as `ocellus-envs` renders it).
    pub frame_shape: [usize; 3],
    /// Entries per action.
    pub action_len: usize,
    /// Frames per stacked observation, `k` (DrQ-v2: 3); sampled observations are
    /// `[C * k, H, W]`.
    pub frame_stack: usize,
    /// `n` of the n-step return (DrQ-v2: 3; walker tasks 1).
    pub n_step: usize,
    /// Discount factor γ per agent step (DrQ-v2: 0.99).
    pub gamma: f64,
    /// Parallel environment streams writing into the buffer (an `EnvPool`'s `num_envs`).
    pub num_streams: usize,
    /// Whether windows cut by an episode end are sampleable.
    pub episode_tail: EpisodeTail,
    /// How frames are stored.
    pub compression: Compression,
    /// Refuse to build a buffer whose [`ReplayConfig::total_bytes`] exceeds this.
    pub max_bytes: Option<u64>,
}

impl ReplayConfig {
    /// DrQ-v2's replay (`cfgs/config.yaml`): frame stack 3, n-step 3, γ = 0.99, one stream,
    /// raw frames, partial windows at episode ends (see the crate docs for why).
    pub fn drqv2(capacity: usize, frame_shape: [usize; 3], action_len: usize) -> Self {
        ReplayConfig {
            capacity,
            frame_shape,
            action_len,
            frame_stack: 3,
            n_step: 3,
            gamma: 0.99,
            num_streams: 1,
            episode_tail: EpisodeTail::Partial,
            compression: Compression::None,
            max_bytes: None,
        }
    }

    /// Bytes of one frame, `C * H * W`.
    pub fn frame_len(&self) -> usize {
        self.frame_shape.iter().product()
    }

    /// Shape of a sampled (stacked) observation, `[C * k, H, W]`.
    pub fn stacked_shape(&self) -> [usize; 3] {
        let [c, h, w] = self.frame_shape;
        [c * self.frame_stack, h, w]
    }

    /// Bytes reserved per stored transition: the frame (raw, or its arena budget plus
    /// offset and length), the f32 action, the f64 reward and discount, the step kind, the
    /// two episode links (previous and next step ids) and the sampleable-set index.
    pub fn bytes_per_transition(&self) -> usize {
        let frame = match self.compression {
            Compression::None => self.frame_len(),
            Compression::Lz4 { frame_budget_bytes } => {
                frame_budget_bytes + size_of::<u64>() + size_of::<u32>()
            }
        };
        let links = 2 * size_of::<u64>();
        let set_index = size_of::<u32>() + size_of::<u64>();
        frame
            + self.action_len * size_of::<f32>()
            + 2 * size_of::<f64>()
            + size_of::<StepKind>()
            + links
            + set_index
    }

    /// `capacity * bytes_per_transition`: what the ring occupies once full (pages are
    /// committed as they are first written).
    pub fn total_bytes(&self) -> u64 {
        self.capacity as u64 * self.bytes_per_transition() as u64
    }

    /// Checks every option; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ReplayError> {
        let invalid = |name, value: String, reason| {
            Err(ReplayError::InvalidOption {
                name,
                value,
                reason,
            })
        };
        if self.frame_shape.contains(&0) {
            return invalid(
                "frame_shape",
                format!("{:?}", self.frame_shape),
                "every dimension must be positive",
            );
        }
        if self.action_len == 0 {
            return invalid("action_len", "0".into(), "actions need at least one entry");
        }
        if self.frame_stack == 0 || self.frame_stack > MAX_FRAME_STACK {
            return invalid(
                "frame_stack",
                self.frame_stack.to_string(),
                "must be in 1..=16",
            );
        }
        if self.n_step == 0 || self.n_step > usize::from(u8::MAX) {
            return invalid(
                "n_step",
                self.n_step.to_string(),
                "must be in 1..=255 (window lengths are served as u8)",
            );
        }
        if !(self.gamma > 0.0 && self.gamma <= 1.0) {
            return invalid("gamma", self.gamma.to_string(), "must be in (0, 1]");
        }
        if self.num_streams == 0 {
            return invalid("num_streams", "0".into(), "must be at least 1");
        }
        if self.capacity >= u32::MAX as usize {
            return invalid(
                "capacity",
                self.capacity.to_string(),
                "must be below 2^32 - 1",
            );
        }
        let required = self.num_streams * (self.n_step + self.frame_stack);
        if self.capacity < required {
            return Err(ReplayError::CapacityTooSmall {
                capacity: self.capacity,
                required,
                n_step: self.n_step,
                frame_stack: self.frame_stack,
                num_streams: self.num_streams,
            });
        }
        if let Compression::Lz4 { frame_budget_bytes } = self.compression {
            // Even incompressible frames must leave one stack and window per stream.
            let worst = required as u64 * codec::max_encoded_len(self.frame_len()) as u64;
            if (frame_budget_bytes as u64) * (self.capacity as u64) < worst {
                return invalid(
                    "compression.frame_budget_bytes",
                    frame_budget_bytes.to_string(),
                    "the arena (capacity x budget) must hold num_streams x (n_step + \
                     frame_stack) incompressible frames",
                );
            }
        }
        if let Some(max_bytes) = self.max_bytes {
            let total_bytes = self.total_bytes();
            if total_bytes > max_bytes {
                return Err(ReplayError::OverBudget {
                    capacity: self.capacity,
                    bytes_per_transition: self.bytes_per_transition(),
                    total_bytes,
                    max_bytes,
                });
            }
        }
        Ok(())
    }
}
