//! The registered verifiers on batches: `score` (an array of scores) and `verify` (scores,
//! verdict kinds and reasons), with the GIL released and large batches spread over threads.
//!
//! A gold answer is a `str` (the answer text, no coordinate frames or options) or a `dict`
//! in the layout of `ocellus_rewards::Gold` (`answer`, `answer_frame`, `gold_frame`,
//! `training_progress`, `options`), which is what `extra_info["gold"]` of a generated dataset
//! row holds. The verifier is the one `ocellus rewards score` uses for the same name, so
//! scores equal the command line's.

use numpy::{IntoPyArray, PyArray1};
use ocellus_rewards::{registry, Gold, Verdict, Verifier};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rayon::prelude::*;

/// Below this many completions a batch is graded on the calling thread (spreading it costs
/// more than it saves).
const PARALLEL_FROM: usize = 256;

fn verifier(name: &str) -> PyResult<Box<dyn Verifier>> {
    registry::by_name(name).map_err(|e| PyKeyError::new_err(e.to_string()))
}

/// Reads the golds: each a `str` or a dict in `Gold`'s layout.
fn golds(py: Python<'_>, golds: &Bound<'_, PyAny>, n: usize) -> PyResult<Vec<Gold>> {
    let mut out = Vec::with_capacity(n);
    let dumps = py.import("json")?.getattr("dumps")?;
    for (i, item) in golds.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(Gold::new(s.to_str()?));
            continue;
        }
        if !item.is_instance_of::<PyDict>() {
            return Err(PyValueError::new_err(format!(
                "golds[{i}] must be a str or a dict, got {}",
                item.get_type().name()?
            )));
        }
        let text: String = dumps.call1((&item,))?.extract()?;
        let gold: Gold = serde_json::from_str(&text)
            .map_err(|e| PyValueError::new_err(format!("golds[{i}] is not a gold answer: {e}")))?;
        out.push(gold);
    }
    if out.len() != n {
        return Err(PyValueError::new_err(format!(
            "{n} completions but {} golds: give one gold per completion",
            out.len()
        )));
    }
    Ok(out)
}

/// Grades every pair, on several threads for large batches.
fn grade(v: &dyn Verifier, completions: &[String], golds: &[Gold], parallel: bool) -> Vec<Verdict> {
    if parallel && completions.len() >= PARALLEL_FROM {
        completions
            .par_iter()
            .zip(golds.par_iter())
            .map(|(c, g)| v.verify(c, g))
            .collect()
    } else {
        completions
            .iter()
            .zip(golds)
            .map(|(c, g)| v.verify(c, g))
            .collect()
    }
}

/// Reads the verifier and golds, then grades every pair with the GIL released.
fn verdicts(
    py: Python<'_>,
    verifier_name: &str,
    completions: &[String],
    golds: &Bound<'_, PyAny>,
    parallel: bool,
) -> PyResult<Vec<Verdict>> {
    let v = verifier(verifier_name)?;
    let golds = self::golds(py, golds, completions.len())?;
    Ok(py.detach(|| grade(v.as_ref(), completions, &golds, parallel)))
}

/// Scores `completions[i]` against `golds[i]` with the named verifier; returns `float64[n]`.
#[pyfunction]
#[pyo3(signature = (verifier_name, completions, golds, *, parallel = true))]
fn score<'py>(
    py: Python<'py>,
    verifier_name: &str,
    completions: Vec<String>,
    golds: &Bound<'py, PyAny>,
    parallel: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let verdicts = verdicts(py, verifier_name, &completions, golds, parallel)?;
    let scores: Vec<f64> = verdicts.iter().map(Verdict::score).collect();
    Ok(scores.into_pyarray(py))
}

/// Like `score`, plus each verdict's kind (`correct`, `partial`, `incorrect`, `malformed`,
/// `gold_unparseable`, `internal`) and its reason: `(scores, kinds, reasons)`.
#[pyfunction]
#[pyo3(signature = (verifier_name, completions, golds, *, parallel = true))]
#[allow(clippy::type_complexity)]
fn verify<'py>(
    py: Python<'py>,
    verifier_name: &str,
    completions: Vec<String>,
    golds: &Bound<'py, PyAny>,
    parallel: bool,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Vec<&'static str>, Vec<String>)> {
    let verdicts = verdicts(py, verifier_name, &completions, golds, parallel)?;
    let scores: Vec<f64> = verdicts.iter().map(Verdict::score).collect();
    let kinds = verdicts.iter().map(|v| v.kind().as_str()).collect();
    let reasons = verdicts.iter().map(Verdict::reason).collect();
    Ok((scores.into_pyarray(py), kinds, reasons))
}

/// The registered verifiers as dicts (`name`, `summary`, `score_range`, `reference`,
/// `defaults`), as `ocellus rewards list --json` prints them.
#[pyfunction]
fn verifiers(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    registry::verifiers()
        .iter()
        .map(|info| {
            let d = PyDict::new(py);
            d.set_item("name", info.name)?;
            d.set_item("summary", info.summary)?;
            d.set_item("score_range", info.build().score_range())?;
            d.set_item("reference", info.reference)?;
            d.set_item("defaults", info.defaults)?;
            Ok(d)
        })
        .collect()
}

/// Adds this module's functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(verifiers, m)?)
}
