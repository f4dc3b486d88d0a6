//! The synthetic task generators: rows in the verl/EasyR1 layout that `ocellus tasks
//! generate` writes, with the images as `uint8 [H, W, 3]` numpy arrays instead of PNG paths.
//!
//! Row `index` of a call with `seed` is the sample the command line writes at that index with
//! that seed: both go through `ocellus_tasks::dataset::row_json`.

use numpy::{IntoPyArray, PyArray3, PyArrayMethods};
use ocellus_tasks::dataset::row_json;
use ocellus_tasks::{task, tasks, Coords, Difficulty, Sample, Spec};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

/// The generators as dicts (`name`, `verifier`, `ability`, `uses_coords`, `summary`,
/// `difficulty`), as `ocellus tasks list --json` prints them.
#[pyfunction]
fn task_list(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    tasks()
        .iter()
        .map(|t| {
            let d = PyDict::new(py);
            d.set_item("name", t.name)?;
            d.set_item("verifier", t.verifier)?;
            d.set_item("ability", t.ability)?;
            d.set_item("uses_coords", t.uses_coords)?;
            d.set_item("summary", t.summary)?;
            d.set_item("difficulty", t.difficulty)?;
            Ok(d)
        })
        .collect()
}

/// Samples `start..start + n` of `task_name`: a list of `(row_json, images)` pairs, the row as
/// a JSON string (the dataset line, whose `images` holds the paths the command line would
/// write) and the images as `uint8 [H, W, 3]` arrays in placeholder order.
#[pyfunction]
#[pyo3(signature = (
    task_name, n, *, seed = 0, difficulty = 1, split = "train", coords = "pixels", start = 0
))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn generate<'py>(
    py: Python<'py>,
    task_name: &str,
    n: u64,
    seed: u64,
    difficulty: u8,
    split: &str,
    coords: &str,
    start: u64,
) -> PyResult<Vec<(String, Vec<Bound<'py, PyArray3<u8>>>)>> {
    let info = task(task_name).map_err(|e| PyKeyError::new_err(e.to_string()))?;
    let difficulty =
        Difficulty::new(difficulty).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let coords = match coords {
        "pixels" => Coords::Pixels,
        "norm1000" => Coords::Norm1000,
        other => {
            return Err(PyValueError::new_err(format!(
                "coords must be \"pixels\" or \"norm1000\", got {other:?}"
            )))
        }
    };
    let dataset = format!("{task_name}_{split}");
    let rows: Vec<(String, Vec<(usize, usize, Vec<u8>)>)> = py.detach(|| {
        (start..start + n)
            .into_par_iter()
            .map(|index| {
                let spec = Spec {
                    seed,
                    index,
                    difficulty,
                    coords,
                };
                let sample: Sample = info.generate(&spec);
                let row = row_json(&sample, &dataset, split, index as usize).to_string();
                let images = sample
                    .images
                    .iter()
                    .map(|s| (s.height(), s.width(), s.to_hwc()))
                    .collect();
                (row, images)
            })
            .collect()
    });
    rows.into_iter()
        .map(|(row, images)| {
            let arrays = images
                .into_iter()
                .map(|(h, w, hwc)| hwc.into_pyarray(py).reshape([h, w, 3]))
                .collect::<PyResult<Vec<_>>>()?;
            Ok((row, arrays))
        })
        .collect()
}

/// Adds this module's functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(task_list, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)
}
