//! A batch of environments stepped together on a thread pool (EnvPool-style).
//!
//! The pool preallocates `[N, C, H, W]` pixel, `[N, S]` state and per-env reward, discount and
//! kind buffers; each environment writes its slot in place from a worker thread, and callers
//! get borrowed views. Environment `i` is seeded with [`derive_seed`]`(seed, i)`.
//!
//! **Auto-reset** follows EnvPool and Gymnasium ≥ 1.0 ("next-step"): the step that ends an
//! episode returns its last observation; the *next* `step` call resets that environment,
//! ignores its action, and returns a `First` time step. Without auto-reset, stepping a finished
//! environment is an [`EnvError::EpisodeOver`].

use ocellus_core::{derive_seed, StepKind};

use crate::env::{EnvSpec, Environment};
use crate::error::check_action;
use crate::EnvError;

/// How a pool is built.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolOptions {
    /// Number of environments.
    pub num_envs: usize,
    /// Worker threads (1 steps everything on the calling thread's pool worker).
    pub num_threads: usize,
    /// Reset finished environments on the next step.
    pub auto_reset: bool,
    /// Base seed; environment `i` gets `derive_seed(seed, i)`.
    pub seed: u64,
}

struct Slot {
    env: Box<dyn Environment>,
    seed: u32,
    /// Whether the first reset (the only one that uses `seed`) has happened.
    seeded: bool,
    kind: StepKind,
    reward: f64,
    discount: f64,
}

/// Borrowed results of a batched reset or step.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    /// `[N]` step kinds.
    pub kinds: &'a [StepKind],
    /// `[N]` rewards.
    pub rewards: &'a [f64],
    /// `[N]` discounts.
    pub discounts: &'a [f64],
    /// `[N, S]` state observations, row-major.
    pub states: &'a [f64],
    /// `[N, C, H, W]` pixels (empty when rendering is off).
    pub pixels: &'a [u8],
}

/// N environments of one task, stepped in parallel.
pub struct EnvPool {
    slots: Vec<Slot>,
    threads: rayon::ThreadPool,
    options: PoolOptions,
    spec: EnvSpec,
    frame_len: usize,
    state_len: usize,
    kinds: Vec<StepKind>,
    rewards: Vec<f64>,
    discounts: Vec<f64>,
    states: Vec<f64>,
    /// Pixel slots; at least one byte per env so chunking works when rendering is off.
    pixels: Vec<u8>,
}

impl EnvPool {
    /// Builds `options.num_envs` environments with `make(i)`; all must share one spec.
    pub fn new(
        options: PoolOptions,
        mut make: impl FnMut(usize) -> Result<Box<dyn Environment>, EnvError>,
    ) -> Result<Self, EnvError> {
        if options.num_envs == 0 || options.num_threads == 0 {
            return Err(EnvError::InvalidOption {
                name: "num_envs/num_threads",
                value: format!("{}/{}", options.num_envs, options.num_threads),
                reason: "a pool needs at least one environment and one thread",
            });
        }
        let mut slots = Vec::with_capacity(options.num_envs);
        for i in 0..options.num_envs {
            let env = make(i)?;
            slots.push(Slot {
                env,
                seed: derive_seed(options.seed, i as u64),
                seeded: false,
                kind: StepKind::Truncated,
                reward: 0.0,
                discount: 1.0,
            });
        }
        let spec = slots[0].env.spec().clone();
        if let Some(other) = slots.iter().find(|s| s.env.spec() != &spec) {
            return Err(EnvError::InvalidOption {
                name: "make",
                value: other.env.spec().task.clone(),
                reason: "every environment in a pool must have the same spec",
            });
        }
        let threads = rayon::ThreadPoolBuilder::new()
            // The caller steps one block itself (see `run`), so it needs one worker fewer.
            .num_threads(options.num_threads.saturating_sub(1).max(1))
            .thread_name(|i| format!("ocellus-env-{i}"))
            .build()
            .map_err(|_| EnvError::InvalidOption {
                name: "num_threads",
                value: options.num_threads.to_string(),
                reason: "the thread pool could not be started",
            })?;
        let n = options.num_envs;
        let frame_len = spec.pixels.as_ref().map_or(0, |p| p.num_elements());
        let state_len = spec.state.num_elements();
        Ok(EnvPool {
            slots,
            threads,
            spec,
            frame_len,
            state_len,
            kinds: vec![StepKind::First; n],
            rewards: vec![0.0; n],
            discounts: vec![1.0; n],
            states: vec![0.0; n * state_len],
            pixels: vec![0; n * frame_len.max(1)],
            options,
        })
    }

    /// The shared spec of the environments.
    pub fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    /// Number of environments.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Always false: a pool holds at least one environment.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Resets every environment with its derived seed.
    pub fn reset(&mut self) -> Batch<'_> {
        self.run(None);
        self.batch()
    }

    /// Steps every environment with its row of `actions` (`[N, A]`, row-major). Actions are
    /// checked before anything is stepped, so an error leaves every environment untouched.
    pub fn step(&mut self, actions: &[f32]) -> Result<Batch<'_>, EnvError> {
        let a = self.spec.action.num_elements();
        let n = self.slots.len();
        if actions.len() != n * a {
            return Err(EnvError::ActionLength {
                task: format!("{} x {n} envs", self.spec.task),
                expected: n * a,
                got: actions.len(),
            });
        }
        for (slot, row) in self.slots.iter().zip(actions.chunks_exact(a)) {
            check_action(&self.spec.task, a, row)?;
            if slot.kind.is_last() && !self.options.auto_reset {
                return Err(EnvError::EpisodeOver);
            }
        }
        self.run(Some(actions));
        Ok(self.batch())
    }

    fn run(&mut self, actions: Option<&[f32]>) {
        let (frame_chunk, frame_len, state_len) =
            (self.frame_len.max(1), self.frame_len, self.state_len);
        let a = self.spec.action.num_elements();
        // One contiguous block of environments per worker: one task per thread and step keeps
        // the scheduling overhead per batch constant instead of per environment.
        let per_worker = self.slots.len().div_ceil(self.options.num_threads);
        let slots = &mut self.slots;
        let pixels = &mut self.pixels;
        let states = &mut self.states;
        // Steps one block of environments (one worker's share) into its slices of the batch.
        let run_block =
            |block: usize, slots: &mut [Slot], pixels_out: &mut [u8], states_out: &mut [f64]| {
                for (j, slot) in slots.iter_mut().enumerate() {
                    let i = block * per_worker + j;
                    // Only the first reset seeds; later ones continue the env's stream.
                    let fresh_seed = (!slot.seeded).then_some(slot.seed);
                    slot.seeded = true;
                    // Environments render straight into their slot of the batch.
                    let pixels_slot = &mut pixels_out[j * frame_chunk..j * frame_chunk + frame_len];
                    let ts = match actions {
                        Some(acts) if !slot.kind.is_last() => slot
                            .env
                            .step_into(&acts[i * a..(i + 1) * a], pixels_slot)
                            .expect("actions were checked before stepping"),
                        // Next-step auto-reset: the action is ignored.
                        Some(_) | None => slot.env.reset_into(fresh_seed, pixels_slot),
                    };
                    slot.kind = ts.kind;
                    slot.reward = ts.reward;
                    slot.discount = ts.discount;
                    states_out[j * state_len..(j + 1) * state_len].copy_from_slice(ts.state);
                }
            };
        if self.options.num_threads == 1 {
            // One worker: stepping on the calling thread saves two thread hand-offs per batch.
            run_block(0, slots, pixels, states);
        } else {
            // The calling thread steps the first block itself and hands the others to the
            // pool's `num_threads - 1` workers: one hand-off per worker and batch.
            let mut blocks = slots
                .chunks_mut(per_worker)
                .zip(pixels.chunks_mut(per_worker * frame_chunk))
                .zip(states.chunks_mut(per_worker * state_len))
                .enumerate();
            let run_block = &run_block;
            let first = blocks.next();
            self.threads.in_place_scope(|scope| {
                for (block, ((slots, pixels_out), states_out)) in blocks {
                    scope.spawn(move |_| run_block(block, slots, pixels_out, states_out));
                }
                if let Some((block, ((slots, pixels_out), states_out))) = first {
                    run_block(block, slots, pixels_out, states_out);
                }
            });
        }
        for (i, slot) in self.slots.iter().enumerate() {
            self.kinds[i] = slot.kind;
            self.rewards[i] = slot.reward;
            self.discounts[i] = slot.discount;
        }
    }

    fn batch(&self) -> Batch<'_> {
        Batch {
            kinds: &self.kinds,
            rewards: &self.rewards,
            discounts: &self.discounts,
            states: &self.states,
            pixels: &self.pixels[..self.slots.len() * self.frame_len],
        }
    }
}
