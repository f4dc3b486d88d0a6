//! The native core of the `ocellus` Python package (`ocellus._native`).
//!
//! A thin layer in the EnvPool manner: the Rust crates do the work, this crate converts
//! arguments, releases the GIL while stepping or scoring, and hands results to numpy without
//! copying them. The Python-facing API (Gymnasium and dm_env environments, verl/TRL reward
//! functions, task rows) is the pure-Python package in `python/ocellus/`, which wraps these
//! classes and functions; its docs are the user's reference.
//!
//! * [`env::VecEnv`]: an [`ocellus_envs::EnvPool`] of one task, stepped with the GIL released,
//!   frames rendered straight into fresh (or caller-provided) numpy arrays.
//! * [`rewards`]: every registered verifier on batches of completions.
//! * [`tasks`]: the synthetic task generators, rows in the verl/EasyR1 layout with numpy images.
//!
//! No tensor engine is linked: the wheel is small and loads next to any PyTorch.
#![deny(missing_docs)]

use pyo3::prelude::*;

pub mod env;
pub mod rewards;
pub mod tasks;

/// The `ocellus._native` module.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<env::VecEnv>()?;
    env::register(m)?;
    rewards::register(m)?;
    tasks::register(m)?;
    Ok(())
}
