//! Sharing one buffer between an actor (writes) and a learner (reads batches), and a
//! background thread that prefetches batches so the learner never waits.
//!
//! **Ownership.** [`SharedReplay`] is a cheap-to-clone handle on `Arc<RwLock<ReplayBuffer>>`.
//! The actor holds one and calls [`SharedReplay::add`] (a write lock for one frame copy or
//! encode, microseconds). The [`Prefetcher`] thread holds another and samples under *read*
//! locks taken for [`PREFETCH_ROWS_PER_LOCK`] rows at a time, so a writer never waits for a
//! whole batch. Batches travel through a bounded channel of `depth` batches, and the learner
//! hands its used batch back ([`BatchSource::next_batch`] swaps buffers), so steady-state
//! sampling allocates nothing.
//!
//! **Interfaces.** The actor needs only [`TransitionSink`], the learner only [`BatchSource`];
//! an external engine (Ray actors behind Python bindings, say) can drive either side.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use ocellus_core::RandomState;

use crate::{Batch, ReplayBuffer, ReplayError, Step, StepBatch};

/// Rows the prefetcher samples per read lock: small enough that a writer waits at most a few
/// hundred microseconds, large enough that locking costs nothing measurable.
pub const PREFETCH_ROWS_PER_LOCK: usize = 32;

/// The actor's side: where time steps go.
pub trait TransitionSink {
    /// Appends one time step of `stream` (see [`ReplayBuffer::add`]).
    fn add_step(&mut self, stream: usize, step: Step<'_>) -> Result<(), ReplayError>;
}

/// The learner's side: where batches come from.
pub trait BatchSource {
    /// Fills `batch` with the next batch (its buffers may be swapped for prefetched ones of
    /// the same shape).
    fn next_batch(&mut self, batch: &mut Batch) -> Result<(), ReplayError>;
}

impl TransitionSink for ReplayBuffer {
    fn add_step(&mut self, stream: usize, step: Step<'_>) -> Result<(), ReplayError> {
        self.add(stream, step)
    }
}

/// A replay buffer shared between threads (clones share the same buffer).
#[derive(Clone, Debug)]
pub struct SharedReplay {
    inner: Arc<RwLock<ReplayBuffer>>,
}

impl SharedReplay {
    /// Shares `buffer`.
    pub fn new(buffer: ReplayBuffer) -> Self {
        SharedReplay {
            inner: Arc::new(RwLock::new(buffer)),
        }
    }

    /// Appends one time step (write lock).
    pub fn add(&self, stream: usize, step: Step<'_>) -> Result<(), ReplayError> {
        self.write()?.add(stream, step)
    }

    /// Appends one step of every stream (write lock).
    pub fn add_batch(&self, batch: StepBatch<'_>) -> Result<(), ReplayError> {
        self.write()?.add_batch(batch)
    }

    /// Read access, e.g. for statistics or direct sampling.
    pub fn read(&self) -> Result<RwLockReadGuard<'_, ReplayBuffer>, ReplayError> {
        self.inner.read().map_err(|_| ReplayError::Poisoned)
    }

    /// Write access.
    pub fn write(&self) -> Result<RwLockWriteGuard<'_, ReplayBuffer>, ReplayError> {
        self.inner.write().map_err(|_| ReplayError::Poisoned)
    }
}

impl TransitionSink for SharedReplay {
    fn add_step(&mut self, stream: usize, step: Step<'_>) -> Result<(), ReplayError> {
        self.add(stream, step)
    }
}

/// Samples on the calling thread: the reference the [`Prefetcher`] must agree with.
#[derive(Debug)]
pub struct DirectSampler {
    replay: SharedReplay,
    rng: RandomState,
}

impl DirectSampler {
    /// Samples from `replay` with a generator seeded by `seed`.
    pub fn new(replay: SharedReplay, seed: u32) -> Self {
        DirectSampler {
            replay,
            rng: RandomState::new(seed),
        }
    }
}

impl BatchSource for DirectSampler {
    fn next_batch(&mut self, batch: &mut Batch) -> Result<(), ReplayError> {
        self.replay.read()?.sample_into(&mut self.rng, batch)
    }
}

/// How a [`Prefetcher`] samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefetchOptions {
    /// Rows per batch (DrQ-v2: 256).
    pub batch_size: usize,
    /// Batches kept ready in the queue (2 hides one batch of sampling behind one update).
    pub depth: usize,
    /// Seed of the sampling generator (`RandomState::new(seed)`).
    pub seed: u32,
}

/// A background thread that keeps `depth` sampled batches ready.
///
/// With no concurrent writes it yields exactly the batches a [`DirectSampler`] with the same
/// seed would. While no transition is sampleable it waits (polling every millisecond) rather
/// than fail. Dropping it stops and joins the thread.
#[derive(Debug)]
pub struct Prefetcher {
    ready: Option<Receiver<Result<Batch, ReplayError>>>,
    recycle: Option<Sender<Batch>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Prefetcher {
    /// Starts the thread.
    pub fn spawn(replay: SharedReplay, options: PrefetchOptions) -> Result<Self, ReplayError> {
        if options.batch_size == 0 || options.depth == 0 {
            return Err(ReplayError::InvalidOption {
                name: "batch_size/depth",
                value: format!("{}/{}", options.batch_size, options.depth),
                reason: "both must be at least 1",
            });
        }
        let (ready_tx, ready_rx) = mpsc::sync_channel(options.depth);
        let (recycle_tx, recycle_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let worker_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("ocellus-replay-sampler".into())
            .spawn(move || prefetch_loop(replay, options, ready_tx, recycle_rx, worker_stop))
            .map_err(|_| ReplayError::SamplerStopped)?;
        Ok(Prefetcher {
            ready: Some(ready_rx),
            recycle: Some(recycle_tx),
            stop,
            thread: Some(thread),
        })
    }

    /// Like [`BatchSource::next_batch`], giving up after `timeout`; `Ok(false)` on timeout.
    pub fn next_batch_timeout(
        &mut self,
        batch: &mut Batch,
        timeout: Duration,
    ) -> Result<bool, ReplayError> {
        let ready = self.ready.as_ref().ok_or(ReplayError::SamplerStopped)?;
        match ready.recv_timeout(timeout) {
            Ok(result) => {
                self.swap_in(result?, batch);
                Ok(true)
            }
            Err(RecvTimeoutError::Timeout) => Ok(false),
            Err(RecvTimeoutError::Disconnected) => Err(ReplayError::SamplerStopped),
        }
    }

    fn swap_in(&mut self, mut fresh: Batch, batch: &mut Batch) {
        std::mem::swap(&mut fresh, batch);
        // `fresh` is now the learner's old batch: hand it back for reuse if it fits.
        if fresh.obs_shape == batch.obs_shape && fresh.batch_size == batch.batch_size {
            if let Some(recycle) = &self.recycle {
                let _ = recycle.send(fresh);
            }
        }
    }
}

impl BatchSource for Prefetcher {
    fn next_batch(&mut self, batch: &mut Batch) -> Result<(), ReplayError> {
        let ready = self.ready.as_ref().ok_or(ReplayError::SamplerStopped)?;
        let result = ready.recv().map_err(|_| ReplayError::SamplerStopped)?;
        self.swap_in(result?, batch);
        Ok(())
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Dropping the receiver wakes a worker blocked on a full queue.
        self.ready.take();
        self.recycle.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn prefetch_loop(
    replay: SharedReplay,
    options: PrefetchOptions,
    ready: SyncSender<Result<Batch, ReplayError>>,
    recycle: Receiver<Batch>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = RandomState::new(options.seed);
    let config = match replay.read() {
        Ok(buffer) => buffer.config().clone(),
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    while !stop.load(Ordering::Acquire) {
        let mut batch = recycle
            .try_recv()
            .unwrap_or_else(|_| Batch::new(options.batch_size, &config));
        let result = fill_batch(&replay, &mut rng, &mut batch, &stop);
        let message = match result {
            Ok(true) => Ok(batch),
            Ok(false) => return, // stopped while waiting for data
            Err(e) => Err(e),
        };
        let fatal = message.is_err();
        if ready.send(message).is_err() || fatal {
            return;
        }
    }
}

/// Fills `batch` in chunks of [`PREFETCH_ROWS_PER_LOCK`] rows, one read lock per chunk.
/// Waits while the buffer has nothing to sample; `Ok(false)` if asked to stop meanwhile.
fn fill_batch(
    replay: &SharedReplay,
    rng: &mut RandomState,
    batch: &mut Batch,
    stop: &AtomicBool,
) -> Result<bool, ReplayError> {
    let rows = batch.batch_size;
    let mut start = 0;
    while start < rows {
        let end = (start + PREFETCH_ROWS_PER_LOCK).min(rows);
        let filled = {
            let buffer = replay.read()?;
            match buffer.fill_rows(rng, &mut batch.as_mut(), start..end) {
                Ok(()) => true,
                Err(ReplayError::Empty { .. }) => false,
                Err(e) => return Err(e),
            }
        };
        if filled {
            start = end;
        } else {
            if stop.load(Ordering::Acquire) {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(true)
}
