//! `VecEnv`: N copies of one control task in an [`EnvPool`], stepped with the GIL released.
//!
//! Frames are rendered by the pool's worker threads straight into the numpy array that is
//! returned (a fresh one per call, or the caller's `out=` array), so no frame is copied on
//! the way to Python. Auto-reset is EnvPool's and Gymnasium's next-step rule (see
//! [`ocellus_envs::EnvPool`]). Step kinds come back as small integers: 0 first, 1 mid,
//! 2 terminated, 3 truncated.

use std::sync::Mutex;

use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArray4, PyArrayMethods, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use ocellus_envs::{DistractionConfig, EnvBuilder, EnvError, EnvPool, PoolOptions, TASKS};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for an environment error: `RuntimeError` for calls out of order
/// (stepping a finished episode without auto-reset), `ValueError` for bad input.
pub(crate) fn env_error(e: EnvError) -> PyErr {
    let out_of_order = |e: &EnvError| matches!(e, EnvError::EpisodeOver | EnvError::NotReset);
    let is_order = match &e {
        EnvError::InEnv { source, .. } => out_of_order(source),
        other => out_of_order(other),
    };
    if is_order {
        PyRuntimeError::new_err(e.to_string())
    } else {
        PyValueError::new_err(e.to_string())
    }
}

/// What a batched call returns besides the frames.
struct Scalars {
    rewards: Vec<f64>,
    discounts: Vec<f64>,
    kinds: Vec<u8>,
    states: Vec<f64>,
}

impl Scalars {
    fn of(batch: &ocellus_envs::Batch<'_>) -> Scalars {
        Scalars {
            rewards: batch.rewards.to_vec(),
            discounts: batch.discounts.to_vec(),
            kinds: batch.kinds.iter().map(|&k| k.code()).collect(),
            states: batch.states.to_vec(),
        }
    }
}

/// `(pixels or None, rewards f64[N], discounts f64[N], kinds u8[N], states f64[N, S])`.
type StepTuple<'py> = (
    Option<Bound<'py, PyArray4<u8>>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<f64>>,
);

/// N environments of one registered task, stepped in parallel on `num_threads` threads.
#[pyclass(module = "ocellus._native", name = "VecEnv", frozen)]
pub struct VecEnv {
    pool: Mutex<EnvPool>,
    task: String,
    num_envs: usize,
    num_threads: usize,
    auto_reset: bool,
    action_dim: usize,
    state_dim: usize,
    /// `[C, H, W]`, or `None` when rendering is off.
    frame_shape: Option<[usize; 3]>,
    frames_per_step: u32,
    steps_per_episode: u32,
    step_seconds: f64,
}

impl VecEnv {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, EnvPool>> {
        self.pool.lock().map_err(|_| {
            PyRuntimeError::new_err("the environment pool was poisoned by an earlier panic")
        })
    }

    /// The output frame array: the caller's (checked) or a new uninitialised one.
    fn frames_out<'py>(
        &self,
        py: Python<'py>,
        out: Option<Bound<'py, PyArray4<u8>>>,
    ) -> PyResult<Option<Bound<'py, PyArray4<u8>>>> {
        let Some([c, h, w]) = self.frame_shape else {
            if out.is_some() {
                return Err(PyValueError::new_err(
                    "out= was given but this environment renders no pixels (pixels=False)",
                ));
            }
            return Ok(None);
        };
        let dims = [self.num_envs, c, h, w];
        match out {
            Some(array) => {
                if array.shape() != dims {
                    return Err(PyValueError::new_err(format!(
                        "out= must have shape {dims:?} (num_envs, C, H, W), got {:?}",
                        array.shape()
                    )));
                }
                if !array.is_c_contiguous() {
                    return Err(PyValueError::new_err("out= must be C-contiguous"));
                }
                Ok(Some(array))
            }
            // SAFETY: `u8` has no invalid values, and the pool writes every byte of the array
            // (one full frame per environment) before it reaches Python.
            None => Ok(Some(unsafe { PyArray4::<u8>::new(py, dims, false) })),
        }
    }

    /// Runs `f` on the pool with the GIL released, rendering into `frames` if there are any.
    fn run<'py>(
        &self,
        py: Python<'py>,
        frames: Option<Bound<'py, PyArray4<u8>>>,
        f: impl FnOnce(&mut EnvPool, Option<&mut [u8]>) -> Result<Scalars, EnvError> + Send,
    ) -> PyResult<StepTuple<'py>> {
        let scalars = match &frames {
            Some(array) => {
                let mut guard = array
                    .try_readwrite()
                    .map_err(|e| PyValueError::new_err(format!("out= cannot be written: {e}")))?;
                let slice = guard
                    .as_slice_mut()
                    .map_err(|e| PyValueError::new_err(format!("out= cannot be written: {e}")))?;
                py.detach(|| -> PyResult<Scalars> {
                    let mut pool = self.lock()?;
                    f(&mut pool, Some(slice)).map_err(env_error)
                })?
            }
            None => py.detach(|| -> PyResult<Scalars> {
                let mut pool = self.lock()?;
                f(&mut pool, None).map_err(env_error)
            })?,
        };
        let states = scalars
            .states
            .into_pyarray(py)
            .reshape([self.num_envs, self.state_dim])?;
        Ok((
            frames,
            scalars.rewards.into_pyarray(py),
            scalars.discounts.into_pyarray(py),
            scalars.kinds.into_pyarray(py),
            states,
        ))
    }
}

#[pymethods]
impl VecEnv {
    /// Builds `num_envs` copies of `task` with DrQ-v2's wrapper order (distractions, action
    /// repeat, frame stack). Environment `i` is seeded from `(seed, i)`.
    #[new]
    #[pyo3(signature = (
        task, num_envs = 1, *, seed = 0, num_threads = 1, auto_reset = true, action_repeat = 1,
        frame_stack = 1, width = 84, height = 84, pixels = true, distractions = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        task: &str,
        num_envs: usize,
        seed: u64,
        num_threads: usize,
        auto_reset: bool,
        action_repeat: u32,
        frame_stack: usize,
        width: usize,
        height: usize,
        pixels: bool,
        distractions: Option<(f32, f64, usize)>,
    ) -> PyResult<Self> {
        let mut builder = EnvBuilder::new(task)
            .size(width, height)
            .action_repeat(action_repeat)
            .frame_stack(frame_stack);
        if !pixels {
            builder = builder.without_pixels();
        }
        if let Some((color_shift, camera_jitter, moving_shapes)) = distractions {
            builder = builder.distractions(DistractionConfig {
                color_shift,
                camera_jitter,
                moving_shapes,
            });
        }
        let options = PoolOptions {
            num_envs,
            num_threads,
            auto_reset,
            seed,
        };
        let pool = EnvPool::new(options, |_| builder.build()).map_err(env_error)?;
        let spec = pool.spec();
        let frame_shape = match &spec.pixels {
            Some(p) => match p.shape[..] {
                [c, h, w] => Some([c, h, w]),
                _ => unreachable!("pixel specs are [C, H, W]"),
            },
            None => None,
        };
        Ok(VecEnv {
            task: spec.task.clone(),
            num_envs,
            num_threads,
            auto_reset,
            action_dim: spec.action.num_elements(),
            state_dim: spec.state.num_elements(),
            frame_shape,
            frames_per_step: spec.frames_per_step,
            steps_per_episode: spec.steps_per_episode,
            step_seconds: spec.step_seconds,
            pool: Mutex::new(pool),
        })
    }

    /// Resets every environment and returns `(pixels, rewards, discounts, kinds, states)`.
    /// `seed` re-seeds environment `i` from `(seed, i)` as a new pool would be; `seeds` gives
    /// each environment its own seed; with neither, reset streams continue.
    #[pyo3(signature = (seed = None, seeds = None, out = None))]
    fn reset<'py>(
        &self,
        py: Python<'py>,
        seed: Option<u64>,
        seeds: Option<Vec<u32>>,
        out: Option<Bound<'py, PyArray4<u8>>>,
    ) -> PyResult<StepTuple<'py>> {
        if seed.is_some() && seeds.is_some() {
            return Err(PyValueError::new_err("give seed or seeds, not both"));
        }
        if let Some(s) = &seeds {
            if s.len() != self.num_envs {
                return Err(PyValueError::new_err(format!(
                    "seeds has {} entries but there are {} environments",
                    s.len(),
                    self.num_envs
                )));
            }
        }
        let frames = self.frames_out(py, out)?;
        self.run(py, frames, move |pool, frames| {
            if let Some(base) = seed {
                pool.reseed(base);
            }
            if let Some(s) = &seeds {
                pool.set_seeds(s)?;
            }
            match frames {
                Some(f) => Ok(Scalars::of(&pool.reset_into(f)?)),
                None => Ok(Scalars::of(&pool.reset())),
            }
        })
    }

    /// Steps every environment with its row of `actions` (`float32 [num_envs, action_dim]`)
    /// and returns `(pixels, rewards, discounts, kinds, states)`. A bad action raises
    /// `ValueError` naming the environment and entry; nothing is stepped then.
    #[pyo3(signature = (actions, out = None))]
    fn step<'py>(
        &self,
        py: Python<'py>,
        actions: PyReadonlyArray2<'py, f32>,
        out: Option<Bound<'py, PyArray4<u8>>>,
    ) -> PyResult<StepTuple<'py>> {
        let shape = actions.shape();
        if shape != [self.num_envs, self.action_dim] {
            return Err(PyValueError::new_err(format!(
                "actions must have shape ({}, {}) (num_envs, action_dim), got {:?}",
                self.num_envs, self.action_dim, shape
            )));
        }
        let actions: Vec<f32> = actions.as_array().iter().copied().collect();
        let frames = self.frames_out(py, out)?;
        self.run(py, frames, move |pool, frames| match frames {
            Some(f) => Ok(Scalars::of(&pool.step_into(&actions, f)?)),
            None => Ok(Scalars::of(&pool.step(&actions)?)),
        })
    }

    /// The registered task name.
    #[getter]
    fn task(&self) -> &str {
        &self.task
    }
    /// Number of environments.
    #[getter]
    fn num_envs(&self) -> usize {
        self.num_envs
    }
    /// Worker threads.
    #[getter]
    fn num_threads(&self) -> usize {
        self.num_threads
    }
    /// Whether finished environments reset on the next step.
    #[getter]
    fn auto_reset(&self) -> bool {
        self.auto_reset
    }
    /// Entries of one action (each in [-1, 1]).
    #[getter]
    fn action_dim(&self) -> usize {
        self.action_dim
    }
    /// Entries of one state observation.
    #[getter]
    fn state_dim(&self) -> usize {
        self.state_dim
    }
    /// `(C, H, W)` of one observation, or `None` without pixels.
    #[getter]
    fn frame_shape(&self) -> Option<(usize, usize, usize)> {
        self.frame_shape.map(|[c, h, w]| (c, h, w))
    }
    /// Simulator frames per step (the action repeat).
    #[getter]
    fn frames_per_step(&self) -> u32 {
        self.frames_per_step
    }
    /// Steps in a full episode (then it is truncated).
    #[getter]
    fn steps_per_episode(&self) -> u32 {
        self.steps_per_episode
    }

    /// Simulated seconds per step.
    #[getter]
    fn step_seconds(&self) -> f64 {
        self.step_seconds
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "a VecEnv holds live simulator state and cannot be pickled; send its configuration \
             (e.g. an ocellus.EnvConfig) to the worker and build the environment there",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "VecEnv(task={:?}, num_envs={}, frame_shape={:?}, action_dim={})",
            self.task, self.num_envs, self.frame_shape, self.action_dim
        )
    }
}

/// The registered control tasks as dicts (`name`, `domain`, `action_dim`, `state_dim`,
/// `sparse`, `contacts`, `summary`), in `ocellus envs list` order.
#[pyfunction]
fn env_tasks(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    TASKS
        .iter()
        .map(|t| {
            let d = PyDict::new(py);
            d.set_item("name", t.name)?;
            d.set_item("domain", t.domain)?;
            d.set_item("action_dim", t.action_dim)?;
            d.set_item("state_dim", t.state_dim)?;
            d.set_item("sparse", t.sparse)?;
            d.set_item("contacts", t.contacts)?;
            d.set_item("summary", t.summary)?;
            Ok(d)
        })
        .collect()
}

/// Adds this module's functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(env_tasks, m)?)
}
