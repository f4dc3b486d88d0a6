//! A batch of environments stepped together on a thread pool (EnvPool-style).
//!
//! The pool preallocates `[N, C, H, W]` pixel, `[N, S]` state and per-env reward, discount and
//! kind buffers; each environment writes its slot in place from a worker thread, and callers
//! get borrowed views. [`EnvPool::step_into`] and [`EnvPool::reset_into`] render into a
//! caller-owned `[N, C, H, W]` buffer instead (e.g. a fresh numpy array), so frames reach the
//! caller without a copy. Environment `i` is seeded with [`derive_seed`]`(seed, i)`;
//! [`EnvPool::reseed`] and [`EnvPool::set_seeds`] re-seed the next reset.
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

    /// Pixels of one environment's observation: `C * H * W` (0 when rendering is off).
    pub fn frame_len(&self) -> usize {
        self.frame_len
    }

    /// Resets every environment: one with a pending seed (the first reset, or after
    /// [`EnvPool::reseed`] / [`EnvPool::set_seeds`]) starts its reset stream from that seed,
    /// the others continue their streams.
    pub fn reset(&mut self) -> Batch<'_> {
        let mut pixels = std::mem::take(&mut self.pixels);
        self.run(None, &mut pixels);
        self.pixels = pixels;
        self.batch()
    }

    /// [`EnvPool::reset`], rendering into `pixels_out` (`N * C * H * W` bytes, row `i` for
    /// environment `i`); the returned batch's `pixels` is empty.
    ///
    /// # Errors
    /// [`EnvError::InvalidOption`] if `pixels_out` has the wrong length; nothing is reset then.
    pub fn reset_into(&mut self, pixels_out: &mut [u8]) -> Result<Batch<'_>, EnvError> {
        self.check_pixels_out(pixels_out)?;
        self.run_into(None, pixels_out);
        Ok(Batch {
            pixels: &[],
            ..self.batch()
        })
    }

    /// Re-seeds every environment's next reset as at construction: environment `i` starts
    /// its reset stream from [`derive_seed`]`(seed, i)`. The pool's episodes then repeat
    /// those of a new pool built with this seed.
    pub fn reseed(&mut self, seed: u64) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            slot.seed = derive_seed(seed, i as u64);
            slot.seeded = false;
        }
    }

    /// Seeds each environment's next reset with its own value (`seeds[i]` for environment `i`).
    ///
    /// # Errors
    /// [`EnvError::InvalidOption`] unless there is one seed per environment; nothing changes
    /// then.
    pub fn set_seeds(&mut self, seeds: &[u32]) -> Result<(), EnvError> {
        if seeds.len() != self.slots.len() {
            return Err(EnvError::InvalidOption {
                name: "seeds",
                value: format!("{} seeds", seeds.len()),
                reason: "a pool needs exactly one seed per environment",
            });
        }
        for (slot, &seed) in self.slots.iter_mut().zip(seeds) {
            slot.seed = seed;
            slot.seeded = false;
        }
        Ok(())
    }

    /// Steps every environment with its row of `actions` (`[N, A]`, row-major). Actions are
    /// checked before anything is stepped, so an error leaves every environment untouched.
    ///
    /// # Errors
    /// [`EnvError::ActionLength`] for a batch of the wrong size, [`EnvError::InEnv`] naming
    /// the first environment whose action is not finite (or, without auto-reset, whose
    /// episode is over).
    pub fn step(&mut self, actions: &[f32]) -> Result<Batch<'_>, EnvError> {
        self.check_actions(actions)?;
        let mut pixels = std::mem::take(&mut self.pixels);
        self.run(Some(actions), &mut pixels);
        self.pixels = pixels;
        Ok(self.batch())
    }

    /// [`EnvPool::step`], rendering into `pixels_out` (`N * C * H * W` bytes, row `i` for
    /// environment `i`) instead of the pool's buffer; the returned batch's `pixels` is empty.
    ///
    /// # Errors
    /// Those of [`EnvPool::step`], and [`EnvError::InvalidOption`] if `pixels_out` has the
    /// wrong length; nothing is stepped then.
    pub fn step_into(
        &mut self,
        actions: &[f32],
        pixels_out: &mut [u8],
    ) -> Result<Batch<'_>, EnvError> {
        self.check_actions(actions)?;
        self.check_pixels_out(pixels_out)?;
        self.run_into(Some(actions), pixels_out);
        Ok(Batch {
            pixels: &[],
            ..self.batch()
        })
    }

    fn check_pixels_out(&self, pixels_out: &[u8]) -> Result<(), EnvError> {
        let expected = self.slots.len() * self.frame_len;
        if pixels_out.len() != expected {
            return Err(EnvError::InvalidOption {
                name: "pixels_out",
                value: format!("{} bytes", pixels_out.len()),
                reason:
                    "the output buffer must hold N * C * H * W bytes, one frame per environment",
            });
        }
        Ok(())
    }

    /// Runs the batch into a caller buffer of exactly `N * frame_len` bytes; when rendering is
    /// off (`frame_len == 0`) the pool's one-byte-per-env scratch stands in for it.
    fn run_into(&mut self, actions: Option<&[f32]>, pixels_out: &mut [u8]) {
        if self.frame_len == 0 {
            let mut scratch = std::mem::take(&mut self.pixels);
            self.run(actions, &mut scratch);
            self.pixels = scratch;
        } else {
            self.run(actions, pixels_out);
        }
    }

    fn check_actions(&self, actions: &[f32]) -> Result<(), EnvError> {
        let a = self.spec.action.num_elements();
        let n = self.slots.len();
        if actions.len() != n * a {
            return Err(EnvError::ActionLength {
                task: format!("{} x {n} envs", self.spec.task),
                expected: n * a,
                got: actions.len(),
            });
        }
        for (env, (slot, row)) in self.slots.iter().zip(actions.chunks_exact(a)).enumerate() {
            let in_env = |source| EnvError::InEnv {
                env,
                source: Box::new(source),
            };
            check_action(&self.spec.task, a, row).map_err(in_env)?;
            if slot.kind.is_last() && !self.options.auto_reset {
                return Err(in_env(EnvError::EpisodeOver));
            }
        }
        Ok(())
    }

    /// Resets (`actions` = None) or steps every environment, writing frame `i` to
    /// `pixels[i * max(frame_len, 1)..]`.
    fn run(&mut self, actions: Option<&[f32]>, pixels: &mut [u8]) {
        let (frame_chunk, frame_len, state_len) =
            (self.frame_len.max(1), self.frame_len, self.state_len);
        let a = self.spec.action.num_elements();
        // One contiguous block of environments per worker: one task per thread and step keeps
        // the scheduling overhead per batch constant instead of per environment.
        let per_worker = self.slots.len().div_ceil(self.options.num_threads);
        let slots = &mut self.slots;
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
