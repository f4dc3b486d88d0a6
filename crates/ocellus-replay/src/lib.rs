//! Frame-once replay storage with n-step sampling for off-policy pixel RL.
//!
//! The replay of DrQ-v2 (Yarats, Fergus, Lazaric, Pinto, 2021, "Mastering Visual Continuous
//! Control: Improved Data-Augmented Reinforcement Learning", arXiv 2107.09645; reference code
//! facebookresearch/drqv2 `replay_buffer.py`, commit d6dbadc) and of the methods built on it
//! (DrM, MENTOR, TACO), without its memory cost: the reference stores every *stacked*
//! observation (9 x 84 x 84 = 63.5 KB per step, 63.5 GB per 1M steps), this crate stores
//! every *frame* once and rebuilds stacks and n-step targets when sampling.
//!
//! # Data layout
//!
//! A fixed ring of `capacity` time steps, struct-of-arrays, indexed by `slot = id % capacity`
//! where `id` is the step's global write index:
//!
//! | array | per step | note |
//! |---|---|---|
//! | frame | `C*H*W` u8 (21,168 B at 3x84x84) | or an LZ4 encoding in a circular byte arena |
//! | action | `A` f32 | the action that led to this step (zeros on `First`) |
//! | reward, discount | f64, f64 | as the environment returned them |
//! | kind | [`StepKind`] (1 B) | `First`, `Mid`, `Terminated`, `Truncated` |
//! | prev, next | u64, u64 | ids of the neighbouring steps of the same episode |
//! | set index | u32 + u64 | position in the dense set of sampleable transitions |
//!
//! [`ReplayConfig::bytes_per_transition`] adds these up: 21,237 B at 84x84 with a 6-dim
//! action (the budget is 21.5 KB). Several environment streams (an `EnvPool`'s envs)
//! write into one ring with [`ReplayBuffer::add`]`(stream, step)` or
//! [`ReplayBuffer::add_batch`]; episodes are chained by the `prev`/`next` links, so streams
//! may interleave freely. The ring evicts the oldest step first (FIFO over all streams).
//!
//! # Transitions and their targets
//!
//! Steps follow the dm_env convention of the reference's `ExtendedTimeStep`: step `j` holds
//! o_j and the action a_j, reward r_j and discount d_j that *led to* it. The transition at
//! observation `t` of an episode (`t = 0` is the `First` step) is
//!
//! * `obs`: frames `o_{t-k+1} .. o_t` stacked channel-first `[C*k, H, W]`, oldest first;
//!   where `t - i < 0` the episode's first frame is repeated (the reference's
//!   `FrameStackWrapper` fills its deque with the reset frame). Stacks never cross episodes.
//! * `action`: a_{t+1} (the action taken at o_t).
//! * `reward`: `Σ_{i<m} γ^i (Π_{j<i} d_{t+1+j}) r_{t+1+i}`, exactly the reference's loop
//!   (`reward += discount * r; discount *= d * γ`). With dm_control's discounts (1 except 0
//!   on termination) this is `Σ_{i<m} γ^i r_{t+1+i}`.
//! * `bootstrap_discount` (the reference calls it `discount`; STYLE.md §4):
//!   `γ^m Π_{i<m} d_{t+1+i}`, forced to 0 when the window ends on a `Terminated` step.
//! * `next_obs`: the stack ending at o_{t+m}.
//!
//! Here `m = n` inside an episode; a window that reaches the episode's last step `T` stops
//! there, `m = T - t < n`. After a `Truncated` end (time limit) the target still bootstraps
//! from o_T with `γ^m` (Pardo et al. 2018, "Time Limits in Reinforcement Learning"); after
//! a `Terminated` end it does not.
//!
//! # Which transitions are sampleable, and when
//!
//! A transition is sampleable from the moment its window closes: when step `t + n` of its
//! episode is written, or when the episode ends first. Nothing waits for the episode to
//! finish, unlike the reference, which writes whole episodes to `.npz` files and samples
//! nothing of a running episode (the cause of facebookresearch/drqv2#11, "Cannot choose from
//! an empty sequence"; STYLE.md §7.3). A transition stops being sampleable when a frame of
//! its `obs` stack is overwritten; its later frames are younger and outlive it, so no
//! sampled transition ever reaches across the overwrite boundary.
//!
//! The reference samples `idx ∈ [1, T - n + 1]` (`np.random.randint(0, episode_len -
//! nstep + 1) + 1`), i.e. only full windows: the last `n - 1` transitions of every episode
//! are never used, and a termination closer than `n` steps is only ever seen from further
//! back. This crate's default, [`EpisodeTail::Partial`], also samples those tails with the
//! shortened window above, so every action taken is learned from;
//! [`EpisodeTail::FullWindowsOnly`] reproduces the reference. (On dm_control, which only
//! truncates at 500 agent steps, the difference is 2 of 500 transitions per episode.)
//!
//! # Deviations from the reference code
//!
//! 1. Frames stored once (u8), stacks rebuilt at sample time (the reference stores stacks).
//! 2. Sampling is uniform over transitions; the reference draws an episode uniformly, then
//!    a step (the same when all episodes are equally long, as on dm_control).
//! 3. Transitions are sampleable as soon as their window closes; with
//!    [`EpisodeTail::Partial`] (default) windows cut by an episode end are sampled too.
//! 4. Eviction is per step, oldest first, not per episode; there are no per-worker shards.
//! 5. A stream that starts a new episode before its old one ended abandons the old one's
//!    open windows (counted in [`ReplayStats::transitions_abandoned`]).
//!
//! # Memory and compression
//!
//! [`ReplayConfig::max_bytes`] refuses to build a buffer whose full size would exceed a
//! budget, naming the numbers. With [`Compression::Lz4`] each frame is LZ4-compressed on its
//! own into a byte arena of fixed size (`capacity * frame_budget_bytes`), so memory is still
//! known up front; if frames compress worse than budgeted, old steps are evicted early.
//! Measured on 1,000 `cartpole-swingup` 3x84x84 frames from the project's renderer
//! (`examples/replay_throughput.rs`, release build, 2 shared cores): LZ4 gives 10,135
//! B/frame (2.09x), 37 us to encode and 16 us to decode a frame. With a 12,000 B budget a 1M
//! replay reserves 11.2 GiB instead of 19.8 GiB, and fits this 24 GiB machine with room to
//! spare; sampling a DrQ-v2 batch (256 x 2 stacks of 3 frames) costs about 26 ms of decoding
//! (38 batches/s) against about 7 ms raw (147 batches/s), far below a ~1 s CPU update, and the
//! [`Prefetcher`] hides it. Row-wise delta filtering before LZ4 gained under 5% and was left
//! out. Delta against a key frame of the same episode every 8 steps measured about 2 KB/frame
//! (5x better) but makes frames depend on older frames for eviction; not done yet.
//!
//! # Saving and loading
//!
//! [`ReplayBuffer::save`] writes the stored steps, episode links, open windows, counters and
//! the sampleable set to one versioned, checksummed file; [`ReplayBuffer::load`] checks it
//! (magic, version, length, CRC-32, expected config, every invariant) and returns a buffer
//! that continues bit-exactly, or a [`ReplayFileError`] naming the problem. See [`persist`].
//!
//! # Threads
//!
//! [`SharedReplay`] shares a buffer between an actor and a learner; [`Prefetcher`] samples
//! on a background thread into a bounded queue. [`TransitionSink`] and [`BatchSource`] are
//! the two interfaces an external engine needs.
//!
//! # Example
//!
//! ```
//! use ocellus_core::{RandomState, StepKind};
//! use ocellus_replay::{ReplayBuffer, ReplayConfig, Step};
//!
//! // 1x2x2 frames, 1-dim actions, DrQ-v2's stack 3 and n-step 3.
//! let mut replay = ReplayBuffer::new(ReplayConfig::drqv2(100, [1, 2, 2], 1))?;
//! replay.add(0, Step::first(&[0; 4]))?;
//! for j in 1..=4u8 {
//!     let kind = if j == 4 { StepKind::Truncated } else { StepKind::Mid };
//!     let step = Step { kind, frame: &[j; 4], action: &[0.5], reward: 1.0, discount: 1.0 };
//!     replay.add(0, step)?;
//! }
//! // Four actions taken, four transitions (the last two with windows cut by the time limit).
//! assert_eq!(replay.num_sampleable(), 4);
//! let mut batch = replay.new_batch(8);
//! replay.sample_into(&mut RandomState::new(1), &mut batch)?;
//! assert_eq!(batch.obs.len(), 8 * 3 * 4); // [B, 3k, H, W] with C = 1, k = 3
//! for b in 0..8 {
//!     let t = batch.step_ids[b];
//!     let m = (4 - t).min(3) as i32; // steps until the window closes
//!     assert!((batch.bootstrap_discount[b] - 0.99f32.powi(m)).abs() < 1e-6);
//! }
//! # Ok::<(), ocellus_replay::ReplayError>(())
//! ```
#![deny(missing_docs)]

mod buffer;
pub mod codec;
mod config;
mod error;
pub mod persist;
mod sampler;

pub use buffer::{Batch, BatchMut, ReplayBuffer, ReplayStats, Step, StepBatch};
pub use config::{Compression, EpisodeTail, ReplayConfig, MAX_FRAME_STACK};
pub use error::ReplayError;
pub use ocellus_core::StepKind;
pub use persist::{ReplayFileError, REPLAY_FILE_VERSION};
pub use sampler::{
    BatchSource, DirectSampler, PrefetchOptions, Prefetcher, SharedReplay, TransitionSink,
    PREFETCH_ROWS_PER_LOCK,
};
