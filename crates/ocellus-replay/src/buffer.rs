//! The ring of stored time steps, the set of sampleable transitions, and batch sampling.

use std::collections::VecDeque;
use std::ops::Range;

use ocellus_core::{RandomState, StepKind};

use crate::config::{Compression, EpisodeTail, ReplayConfig, MAX_FRAME_STACK};
use crate::{codec, ReplayError};

/// "No step": the `prev` of a `First` step, the `next` of a step whose successor is unwritten.
pub(crate) const NO_STEP: u64 = u64::MAX;
/// The sampleable-set position of a step that is not a sampleable transition.
pub(crate) const NOT_SAMPLEABLE: u32 = u32::MAX;

/// One environment time step, as `ocellus-envs` returns it (dm_env convention: the action is
/// the one that *led to* this observation, the reward the one it earned).
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// Where the step stands in its episode.
    pub kind: StepKind,
    /// The rendered frame `[C, H, W]`, u8 (a single frame, not a stack).
    pub frame: &'a [u8],
    /// The action taken at the previous observation; ignored (may be empty) on `First`.
    pub action: &'a [f32],
    /// Reward earned by the action (ignored on `First`).
    pub reward: f64,
    /// The task's discount at this step, in [0, 1] (1 except at a real termination).
    pub discount: f64,
}

impl<'a> Step<'a> {
    /// The first step of an episode: a frame and nothing else.
    pub fn first(frame: &'a [u8]) -> Self {
        Step {
            kind: StepKind::First,
            frame,
            action: &[],
            reward: 0.0,
            discount: 1.0,
        }
    }
}

/// One step of every stream at once, laid out as an `EnvPool` batch: row `i` goes to stream
/// `i`. With next-step auto-reset, a row whose kind is `First` ignores its action row.
#[derive(Clone, Copy, Debug)]
pub struct StepBatch<'a> {
    /// `[N]` step kinds.
    pub kinds: &'a [StepKind],
    /// `[N, C, H, W]` frames.
    pub frames: &'a [u8],
    /// `[N, A]` actions that led to these observations.
    pub actions: &'a [f32],
    /// `[N]` rewards.
    pub rewards: &'a [f64],
    /// `[N]` discounts.
    pub discounts: &'a [f64],
}

/// Counters describing what the buffer holds and what it had to throw away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// Time steps ever written.
    pub steps_written: u64,
    /// Time steps currently stored.
    pub steps_stored: usize,
    /// Transitions that can be sampled now.
    pub sampleable: usize,
    /// Episodes started (`First` steps written).
    pub episodes_started: u64,
    /// Transitions lost because their stream began a new episode before the old one ended
    /// (their windows never closed, so their returns are unknown).
    pub transitions_abandoned: u64,
    /// Transitions whose window closed after some of their frames had been overwritten (a
    /// stream that stalled while others filled the ring) or, with
    /// [`EpisodeTail::FullWindowsOnly`], whose window an episode end cut short.
    pub transitions_dropped: u64,
    /// Bytes of frame data currently stored (compressed size with compression on).
    pub frame_bytes_stored: u64,
}

/// A sampled batch in owned, reusable buffers (row-major, batch first).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Rows in the batch, `B`.
    pub batch_size: usize,
    /// Shape of one stacked observation, `[C * k, H, W]`.
    pub obs_shape: [usize; 3],
    /// Entries per action, `A`.
    pub action_len: usize,
    /// `[B, C * k, H, W]` u8 stacked observations o_t (oldest frame first).
    pub obs: Vec<u8>,
    /// `[B, A]` the action taken at o_t.
    pub action: Vec<f32>,
    /// `[B]` n-step return `Σ_{i<m} γ^i (Π_{j<i} d_{t+1+j}) r_{t+1+i}`, m ≤ n.
    pub reward: Vec<f32>,
    /// `[B]` `γ^m Π_{i<m} d_{t+1+i}`: the weight of the bootstrap value at `next_obs`
    /// (0 after a `Terminated` step).
    pub bootstrap_discount: Vec<f32>,
    /// `[B, C * k, H, W]` u8 stacked observations o_{t+m}.
    pub next_obs: Vec<u8>,
    /// `[B]` the step id (global write index) of each row's o_t, for tests and debugging.
    pub step_ids: Vec<u64>,
    /// `[B, n, A]` the actions of each row's window, a_t .. a_{t+m−1} (the first is `action`),
    /// zeros after the m-th: the action sequence TACO encodes (Zheng et al. 2023).
    pub window_actions: Vec<f32>,
    /// `[B]` m, the steps in each row's window (n unless an episode end cut it).
    pub window_len: Vec<u8>,
}

impl Batch {
    /// Zeroed buffers for `batch_size` rows of a replay built from `config`.
    pub fn new(batch_size: usize, config: &ReplayConfig) -> Self {
        let obs_shape = config.stacked_shape();
        let obs_len: usize = obs_shape.iter().product();
        Batch {
            batch_size,
            obs_shape,
            action_len: config.action_len,
            obs: vec![0; batch_size * obs_len],
            action: vec![0.0; batch_size * config.action_len],
            reward: vec![0.0; batch_size],
            bootstrap_discount: vec![0.0; batch_size],
            next_obs: vec![0; batch_size * obs_len],
            step_ids: vec![0; batch_size],
            window_actions: vec![0.0; batch_size * config.n_step * config.action_len],
            window_len: vec![0; batch_size],
        }
    }

    /// Mutable views of the buffers, for [`ReplayBuffer::sample_into_slices`].
    pub fn as_mut(&mut self) -> BatchMut<'_> {
        BatchMut {
            obs: &mut self.obs,
            action: &mut self.action,
            reward: &mut self.reward,
            bootstrap_discount: &mut self.bootstrap_discount,
            next_obs: &mut self.next_obs,
            step_ids: Some(&mut self.step_ids),
            window_actions: Some(&mut self.window_actions),
            window_len: Some(&mut self.window_len),
        }
    }
}

/// Caller-provided output slices for one batch (e.g. the memory of preallocated tensors).
/// The batch size is `reward.len()`; every other slice must match it.
#[derive(Debug)]
pub struct BatchMut<'a> {
    /// `[B, C * k, H, W]` u8.
    pub obs: &'a mut [u8],
    /// `[B, A]` f32.
    pub action: &'a mut [f32],
    /// `[B]` f32.
    pub reward: &'a mut [f32],
    /// `[B]` f32.
    pub bootstrap_discount: &'a mut [f32],
    /// `[B, C * k, H, W]` u8.
    pub next_obs: &'a mut [u8],
    /// `[B]` step ids of o_t, if wanted.
    pub step_ids: Option<&'a mut [u64]>,
    /// `[B, n, A]` f32 actions of each window ([`Batch::window_actions`]), if wanted.
    pub window_actions: Option<&'a mut [f32]>,
    /// `[B]` u8 window lengths ([`Batch::window_len`]), if wanted.
    pub window_len: Option<&'a mut [u8]>,
}

/// Per-stream bookkeeping: the running episode and the transitions whose windows are open.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stream {
    /// Whether an episode is running (a `First` was written and no end since).
    pub(crate) running: bool,
    /// Step id of the stream's latest step.
    pub(crate) last: u64,
    /// Step ids of observations whose n-step windows have not closed yet, oldest first
    /// (at most `n`).
    pub(crate) open: VecDeque<u64>,
}

/// Frame storage: one raw slot per step, or LZ4 encodings in a circular byte arena.
#[derive(Debug)]
pub(crate) enum Frames {
    Raw(Vec<u8>),
    Lz4(Arena),
}

/// A circular log of encoded frames, written and freed in step order.
#[derive(Debug)]
pub(crate) struct Arena {
    pub(crate) bytes: Vec<u8>,
    /// Per slot: where its encoding starts in `bytes`, and its length.
    pub(crate) offset: Vec<u64>,
    pub(crate) len: Vec<u32>,
    /// Where the next encoding goes (or wraps to 0 when it does not fit before the end).
    pub(crate) head: usize,
    /// Encoding scratch space.
    pub(crate) scratch: Vec<u8>,
}

/// The replay buffer: a fixed-capacity ring of time steps from one or more streams.
///
/// Single-threaded by itself (`add` takes `&mut self`, sampling `&self`); share it across
/// threads with [`crate::SharedReplay`]. See the crate docs for layout and semantics.
#[derive(Debug)]
pub struct ReplayBuffer {
    pub(crate) config: ReplayConfig,
    pub(crate) frame_len: usize,
    pub(crate) frames: Frames,
    /// `[capacity, A]` actions.
    pub(crate) actions: Vec<f32>,
    pub(crate) rewards: Vec<f64>,
    pub(crate) discounts: Vec<f64>,
    pub(crate) kinds: Vec<StepKind>,
    /// Step id of the previous step of the same episode (`NO_STEP` for `First`).
    pub(crate) prev: Vec<u64>,
    /// Step id of the next step of the same episode (`NO_STEP` until written).
    pub(crate) next: Vec<u64>,
    /// Step ids of the observations o_t of every sampleable transition (a dense set).
    pub(crate) sampleable: Vec<u64>,
    /// Per slot: index into `sampleable`, or `NOT_SAMPLEABLE`.
    pub(crate) position: Vec<u32>,
    pub(crate) streams: Vec<Stream>,
    /// Steps ever written; the next step gets this id.
    pub(crate) written: u64,
    /// Id of the oldest stored step: ids in `oldest..written` are stored.
    pub(crate) oldest: u64,
    pub(crate) stats: ReplayStats,
}

impl ReplayBuffer {
    /// Builds an empty buffer, after [`ReplayConfig::validate`].
    ///
    /// Memory is allocated zeroed, so the operating system commits pages as they are first
    /// written: a fresh 1M-transition buffer costs little until it fills.
    pub fn new(config: ReplayConfig) -> Result<Self, ReplayError> {
        config.validate()?;
        let cap = config.capacity;
        let frame_len = config.frame_len();
        let frames = match config.compression {
            Compression::None => Frames::Raw(vec![0; cap * frame_len]),
            Compression::Lz4 { frame_budget_bytes } => Frames::Lz4(Arena {
                bytes: vec![0; cap * frame_budget_bytes],
                offset: vec![0; cap],
                len: vec![0; cap],
                head: 0,
                scratch: Vec::with_capacity(codec::max_encoded_len(frame_len)),
            }),
        };
        Ok(ReplayBuffer {
            frame_len,
            frames,
            actions: vec![0.0; cap * config.action_len],
            rewards: vec![0.0; cap],
            discounts: vec![0.0; cap],
            kinds: vec![StepKind::First; cap],
            prev: vec![NO_STEP; cap],
            next: vec![NO_STEP; cap],
            sampleable: Vec::with_capacity(cap),
            position: vec![NOT_SAMPLEABLE; cap],
            streams: vec![Stream::default(); config.num_streams],
            written: 0,
            oldest: 0,
            stats: ReplayStats::default(),
            config,
        })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &ReplayConfig {
        &self.config
    }

    /// Time steps currently stored.
    pub fn len(&self) -> usize {
        (self.written - self.oldest) as usize
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.written == self.oldest
    }

    /// Transitions that can be sampled now.
    pub fn num_sampleable(&self) -> usize {
        self.sampleable.len()
    }

    /// Bytes reserved per transition (see [`ReplayConfig::bytes_per_transition`]).
    pub fn bytes_per_transition(&self) -> usize {
        self.config.bytes_per_transition()
    }

    /// Bytes the full ring occupies (see [`ReplayConfig::total_bytes`]).
    pub fn total_bytes(&self) -> u64 {
        self.config.total_bytes()
    }

    /// Counters.
    pub fn stats(&self) -> ReplayStats {
        ReplayStats {
            steps_written: self.written,
            steps_stored: self.len(),
            sampleable: self.sampleable.len(),
            frame_bytes_stored: match &self.frames {
                Frames::Raw(_) => (self.len() * self.frame_len) as u64,
                Frames::Lz4(_) => self.stats.frame_bytes_stored,
            },
            ..self.stats
        }
    }

    /// A zeroed batch of `batch_size` rows shaped for this buffer.
    pub fn new_batch(&self, batch_size: usize) -> Batch {
        Batch::new(batch_size, &self.config)
    }

    fn slot(&self, id: u64) -> usize {
        (id % self.config.capacity as u64) as usize
    }

    /// Checks one step without writing it.
    fn check(&self, stream: usize, step: &Step<'_>) -> Result<(), ReplayError> {
        let num_streams = self.config.num_streams;
        if stream >= num_streams {
            return Err(ReplayError::UnknownStream {
                stream,
                num_streams,
            });
        }
        if step.frame.len() != self.frame_len {
            return Err(ReplayError::FrameSize {
                expected: self.frame_len,
                got: step.frame.len(),
                shape: self.config.frame_shape,
            });
        }
        let a = self.config.action_len;
        let first = step.kind == StepKind::First;
        if step.action.len() != a && !(first && step.action.is_empty()) {
            return Err(ReplayError::ActionLength {
                expected: a,
                got: step.action.len(),
            });
        }
        if !first {
            if let Some((index, &value)) =
                step.action.iter().enumerate().find(|(_, x)| !x.is_finite())
            {
                return Err(ReplayError::NonFiniteAction { index, value });
            }
            if !step.reward.is_finite() {
                return Err(ReplayError::NonFiniteReward {
                    stream,
                    value: step.reward,
                });
            }
            if !(0.0..=1.0).contains(&step.discount) {
                return Err(ReplayError::InvalidDiscount {
                    stream,
                    value: step.discount,
                });
            }
            if !self.streams[stream].running {
                return Err(ReplayError::NoRunningEpisode {
                    stream,
                    kind: step.kind,
                });
            }
        }
        Ok(())
    }

    /// Appends one time step of `stream`, overwriting the oldest stored step when full.
    ///
    /// A `First` step starts an episode (abandoning the stream's unfinished one, if any);
    /// other kinds continue it. Transitions become sampleable as soon as their n-step window
    /// closes: `n` steps later, or at the episode's end (see the crate docs).
    pub fn add(&mut self, stream: usize, step: Step<'_>) -> Result<(), ReplayError> {
        self.check(stream, &step)?;
        self.write(stream, &step);
        Ok(())
    }

    /// Appends one step of every stream (row `i` to stream `i`), e.g. an `EnvPool` batch and
    /// the actions that produced it. Every row is checked before any is written.
    pub fn add_batch(&mut self, batch: StepBatch<'_>) -> Result<(), ReplayError> {
        let n = self.config.num_streams;
        let (fl, a) = (self.frame_len, self.config.action_len);
        for (field, expected, got) in [
            ("kinds", n, batch.kinds.len()),
            ("frames", n * fl, batch.frames.len()),
            ("actions", n * a, batch.actions.len()),
            ("rewards", n, batch.rewards.len()),
            ("discounts", n, batch.discounts.len()),
        ] {
            if expected != got {
                return Err(ReplayError::BatchLength {
                    field,
                    expected,
                    got,
                });
            }
        }
        let row = |i: usize| Step {
            kind: batch.kinds[i],
            frame: &batch.frames[i * fl..(i + 1) * fl],
            action: &batch.actions[i * a..(i + 1) * a],
            reward: batch.rewards[i],
            discount: batch.discounts[i],
        };
        for i in 0..n {
            self.check(i, &row(i))?;
        }
        for i in 0..n {
            self.write(i, &row(i));
        }
        Ok(())
    }

    /// Writes a checked step.
    fn write(&mut self, stream: usize, step: &Step<'_>) {
        let id = self.written;
        // Make room: first by count, then (compressed) by arena bytes.
        while self.written - self.oldest >= self.config.capacity as u64 {
            self.evict_oldest();
        }
        let slot = self.slot(id);
        match &mut self.frames {
            Frames::Raw(bytes) => {
                bytes[slot * self.frame_len..(slot + 1) * self.frame_len]
                    .copy_from_slice(step.frame);
            }
            Frames::Lz4(arena) => {
                let len = codec::encode_frame(step.frame, &mut arena.scratch);
                let offset = self.make_arena_room(len);
                let Frames::Lz4(arena) = &mut self.frames else {
                    unreachable!("matched Lz4 above")
                };
                arena.bytes[offset..offset + len].copy_from_slice(&arena.scratch[..len]);
                arena.offset[slot] = offset as u64;
                arena.len[slot] = len as u32;
                arena.head = offset + len;
                self.stats.frame_bytes_stored += len as u64;
            }
        }
        let a = self.config.action_len;
        let action = &mut self.actions[slot * a..(slot + 1) * a];
        if step.kind == StepKind::First {
            action.fill(0.0);
            self.rewards[slot] = 0.0;
            self.discounts[slot] = 1.0;
        } else {
            action.copy_from_slice(step.action);
            self.rewards[slot] = step.reward;
            self.discounts[slot] = step.discount;
        }
        self.kinds[slot] = step.kind;
        self.prev[slot] = NO_STEP;
        self.next[slot] = NO_STEP;
        debug_assert_eq!(self.position[slot], NOT_SAMPLEABLE);
        self.written += 1;

        let mut open = std::mem::take(&mut self.streams[stream].open);
        if step.kind == StepKind::First {
            if self.streams[stream].running {
                self.stats.transitions_abandoned += open.len() as u64;
            }
            self.stats.episodes_started += 1;
            open.clear();
            open.push_back(id);
            self.streams[stream].running = true;
        } else {
            let last = self.streams[stream].last;
            self.prev[slot] = last;
            if last >= self.oldest {
                let last_slot = self.slot(last);
                self.next[last_slot] = id;
            }
            // The oldest open window now spans n steps: it is complete.
            if open.len() == self.config.n_step {
                let t = open.pop_front().expect("n >= 1 windows are open");
                self.try_make_sampleable(t);
            }
            if step.kind.is_last() {
                for t in open.drain(..) {
                    match self.config.episode_tail {
                        EpisodeTail::Partial => self.try_make_sampleable(t),
                        EpisodeTail::FullWindowsOnly => self.stats.transitions_dropped += 1,
                    }
                }
                self.streams[stream].running = false;
            } else {
                open.push_back(id);
            }
        }
        self.streams[stream].last = id;
        self.streams[stream].open = open;
    }

    /// Where an encoding of `len` bytes goes in the arena, evicting the oldest steps whose
    /// encodings lie in the way (in step order, so eviction stays first-in first-out).
    fn make_arena_room(&mut self, len: usize) -> usize {
        let (size, head) = match &self.frames {
            Frames::Lz4(arena) => (arena.bytes.len(), arena.head),
            Frames::Raw(_) => unreachable!("only called with compression on"),
        };
        // Needed: the circular byte range starting at `head`; when the encoding does not fit
        // before the end, the tail end is skipped and the encoding starts at 0.
        let (offset, needed) = if head + len <= size {
            (head, len)
        } else {
            (0, size - head + len)
        };
        while self.oldest < self.written {
            let Frames::Lz4(arena) = &self.frames else {
                unreachable!()
            };
            let o = arena.offset[self.slot(self.oldest)] as usize;
            // Stored encodings follow `head` in circular order, oldest first.
            if (o + size - head) % size < needed {
                self.evict_oldest();
            } else {
                break;
            }
        }
        offset
    }

    /// Frees the oldest stored step and un-samples every transition whose observation stack
    /// contains it: its own and those of its next `k - 1` successors. (Transitions whose
    /// windows reach it from earlier steps went when *their* oldest frame was evicted.)
    fn evict_oldest(&mut self) {
        let x = self.oldest;
        let mut id = x;
        for _ in 0..self.config.frame_stack {
            self.remove_sampleable(id);
            let next = self.next[self.slot(id)];
            if next == NO_STEP {
                break;
            }
            id = next;
        }
        if let Frames::Lz4(arena) = &self.frames {
            self.stats.frame_bytes_stored -= u64::from(arena.len[self.slot(x)]);
        }
        self.oldest += 1;
    }

    /// Adds the transition at observation `t` to the sampleable set, unless a frame of its
    /// observation stack has been overwritten (its window's later frames are newer, so
    /// stored whenever the stack is).
    fn try_make_sampleable(&mut self, t: u64) {
        if t < self.oldest {
            self.stats.transitions_dropped += 1;
            return;
        }
        let mut id = t;
        for _ in 1..self.config.frame_stack {
            let slot = self.slot(id);
            if self.kinds[slot] == StepKind::First {
                break;
            }
            let prev = self.prev[slot];
            if prev < self.oldest {
                self.stats.transitions_dropped += 1;
                return;
            }
            id = prev;
        }
        let slot = self.slot(t);
        self.position[slot] = self.sampleable.len() as u32;
        self.sampleable.push(t);
    }

    fn remove_sampleable(&mut self, t: u64) {
        let slot = self.slot(t);
        let pos = self.position[slot];
        if pos == NOT_SAMPLEABLE {
            return;
        }
        self.position[slot] = NOT_SAMPLEABLE;
        self.sampleable.swap_remove(pos as usize);
        if let Some(&moved) = self.sampleable.get(pos as usize) {
            let moved_slot = self.slot(moved);
            self.position[moved_slot] = pos;
        }
    }

    /// Samples `batch.batch_size` transitions uniformly (with replacement) from the
    /// sampleable set into `batch`, whose buffers are reused (resized if its shape is off).
    ///
    /// Deterministic: the same `rng` state and the same sequence of `add` calls give the same
    /// batch. Row `b` uses the `b`-th draw of `rng.below(num_sampleable)`.
    pub fn sample_into(&self, rng: &mut RandomState, batch: &mut Batch) -> Result<(), ReplayError> {
        let fresh = Batch::new(batch.batch_size, &self.config);
        if batch.obs_shape != fresh.obs_shape
            || batch.action_len != fresh.action_len
            || batch.obs.len() != fresh.obs.len()
            || batch.action.len() != fresh.action.len()
            || batch.reward.len() != fresh.reward.len()
            || batch.step_ids.len() != fresh.step_ids.len()
            || batch.window_actions.len() != fresh.window_actions.len()
            || batch.window_len.len() != fresh.window_len.len()
        {
            *batch = fresh;
        }
        let rows = batch.batch_size;
        self.fill_rows(rng, &mut batch.as_mut(), 0..rows)
    }

    /// Like [`ReplayBuffer::sample_into`], into caller-provided slices; the batch size is
    /// `out.reward.len()` and every slice must match it.
    pub fn sample_into_slices(
        &self,
        rng: &mut RandomState,
        mut out: BatchMut<'_>,
    ) -> Result<(), ReplayError> {
        let b = out.reward.len();
        let obs_len: usize = self.config.stacked_shape().iter().product();
        let step_ids_len = out.step_ids.as_ref().map_or(b, |s| s.len());
        let window = b * self.config.n_step * self.config.action_len;
        let window_actions_len = out.window_actions.as_ref().map_or(window, |s| s.len());
        let window_len_len = out.window_len.as_ref().map_or(b, |s| s.len());
        for (field, expected, got) in [
            ("obs", b * obs_len, out.obs.len()),
            ("action", b * self.config.action_len, out.action.len()),
            ("bootstrap_discount", b, out.bootstrap_discount.len()),
            ("next_obs", b * obs_len, out.next_obs.len()),
            ("step_ids", b, step_ids_len),
            ("window_actions", window, window_actions_len),
            ("window_len", b, window_len_len),
        ] {
            if expected != got {
                return Err(ReplayError::OutputSize {
                    field,
                    expected,
                    got,
                });
            }
        }
        self.fill_rows(rng, &mut out, 0..b)
    }

    /// Samples rows `rows` of `out` (one draw of `rng` per row, in order).
    pub(crate) fn fill_rows(
        &self,
        rng: &mut RandomState,
        out: &mut BatchMut<'_>,
        rows: Range<usize>,
    ) -> Result<(), ReplayError> {
        if self.sampleable.is_empty() {
            return Err(ReplayError::Empty { stored: self.len() });
        }
        let n = self.sampleable.len() as u32;
        for b in rows {
            let t = self.sampleable[rng.below(n) as usize];
            self.fill_row(t, out, b);
        }
        Ok(())
    }

    /// Writes the transition at observation step id `t` into row `b`.
    fn fill_row(&self, t: u64, out: &mut BatchMut<'_>, b: usize) {
        let stack_len = self.frame_len * self.config.frame_stack;
        self.write_stack(t, &mut out.obs[b * stack_len..(b + 1) * stack_len]);

        // Eq. (n-step target of DrQ-v2, Sec. 3.2): R = Σ_{i<m} γ^i r_{t+1+i}, with the
        // bootstrap weight γ^m Π d; discounts multiply in as in replay_buffer.py::_sample.
        let gamma = self.config.gamma;
        let a = self.config.action_len;
        let n = self.config.n_step;
        let (mut ret, mut weight) = (0.0f64, 1.0f64);
        let mut id = t;
        let mut m = 0;
        if let Some(w) = out.window_actions.as_deref_mut() {
            w[b * n * a..(b + 1) * n * a].fill(0.0);
        }
        for _ in 0..n {
            let next = self.next[self.slot(id)];
            debug_assert_ne!(next, NO_STEP, "a sampleable window is complete");
            if next == NO_STEP {
                break;
            }
            id = next;
            let slot = self.slot(id);
            if let Some(w) = out.window_actions.as_deref_mut() {
                // step `id` holds the action that led to it: a_{t+m}
                let row = (b * n + m) * a;
                w[row..row + a].copy_from_slice(&self.actions[slot * a..(slot + 1) * a]);
            }
            m += 1;
            ret += weight * self.rewards[slot];
            match self.kinds[slot] {
                StepKind::Terminated => {
                    weight = 0.0;
                    break;
                }
                StepKind::Truncated => {
                    weight *= gamma * self.discounts[slot];
                    break;
                }
                StepKind::First | StepKind::Mid => weight *= gamma * self.discounts[slot],
            }
        }
        if let Some(len) = out.window_len.as_deref_mut() {
            len[b] = m as u8;
        }
        let first_action_slot = self.slot(self.next[self.slot(t)]);
        out.action[b * a..(b + 1) * a]
            .copy_from_slice(&self.actions[first_action_slot * a..(first_action_slot + 1) * a]);
        out.reward[b] = ret as f32;
        out.bootstrap_discount[b] = weight as f32;
        self.write_stack(id, &mut out.next_obs[b * stack_len..(b + 1) * stack_len]);
        if let Some(ids) = out.step_ids.as_deref_mut() {
            ids[b] = t;
        }
    }

    /// The step ids of the stack ending at `t`, oldest first, repeating the episode's first
    /// frame where the episode is younger than the stack (DrQ-v2's `FrameStackWrapper` fills
    /// its deque with the first frame on reset).
    fn stack_ids(&self, t: u64) -> ([u64; MAX_FRAME_STACK], usize) {
        let k = self.config.frame_stack;
        let mut ids = [0u64; MAX_FRAME_STACK];
        ids[k - 1] = t;
        for i in (0..k - 1).rev() {
            let slot = self.slot(ids[i + 1]);
            ids[i] = if self.kinds[slot] == StepKind::First {
                ids[i + 1]
            } else {
                self.prev[slot]
            };
        }
        (ids, k)
    }

    fn write_stack(&self, t: u64, dst: &mut [u8]) {
        let fl = self.frame_len;
        let (ids, k) = self.stack_ids(t);
        for i in 0..k {
            if i > 0 && ids[i] == ids[i - 1] {
                dst.copy_within((i - 1) * fl..i * fl, i * fl);
                continue;
            }
            let slot = self.slot(ids[i]);
            let out = &mut dst[i * fl..(i + 1) * fl];
            match &self.frames {
                Frames::Raw(bytes) => out.copy_from_slice(&bytes[slot * fl..(slot + 1) * fl]),
                Frames::Lz4(arena) => {
                    let o = arena.offset[slot] as usize;
                    let encoded = &arena.bytes[o..o + arena.len[slot] as usize];
                    let ok = codec::decode_frame(encoded, out);
                    assert!(ok, "a frame this buffer encoded decodes to its size");
                }
            }
        }
    }

    /// The stored frame of step `id`, decoded, if it is still stored (for tests and tools).
    pub fn frame(&self, id: u64) -> Option<Vec<u8>> {
        if id < self.oldest || id >= self.written {
            return None;
        }
        let mut out = vec![0u8; self.frame_len];
        let slot = self.slot(id);
        match &self.frames {
            Frames::Raw(bytes) => {
                out.copy_from_slice(&bytes[slot * self.frame_len..(slot + 1) * self.frame_len])
            }
            Frames::Lz4(arena) => {
                let o = arena.offset[slot] as usize;
                let ok =
                    codec::decode_frame(&arena.bytes[o..o + arena.len[slot] as usize], &mut out);
                assert!(ok, "a frame this buffer encoded decodes to its size");
            }
        }
        Some(out)
    }

    /// Step ids of every sampleable transition's observation, in set order (for tests).
    pub fn sampleable_step_ids(&self) -> &[u64] {
        &self.sampleable
    }
}
