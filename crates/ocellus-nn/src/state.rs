//! Named-tensor state: what a model expects, what a checkpoint holds, and what differs.
//!
//! A model's state is a list of `(name, tensor)` pairs (parameters, optimiser moments,
//! counters, generator states) that a trainer writes to one safetensors file. Loading first
//! compares the whole file with the model's own list and reports **every** difference
//! (missing, unexpected, mis-shaped or mis-typed keys) before anything is changed, so a
//! truncated or foreign checkpoint leaves the model untouched.

use std::collections::HashMap;
use std::fmt;

use tch::{nn, Kind, Tensor};

/// One way a given state differs from what a model expects.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StateProblem {
    /// The model has this key; the given state does not.
    Missing {
        /// The key.
        key: String,
    },
    /// The given state has a key the model does not know (a foreign or newer checkpoint).
    Unexpected {
        /// The key.
        key: String,
    },
    /// Same key, different shape (for example another image size or hidden width).
    Shape {
        /// The key.
        key: String,
        /// The model's shape.
        expected: Vec<i64>,
        /// The given shape.
        found: Vec<i64>,
    },
    /// Same key, different element type.
    Kind {
        /// The key.
        key: String,
        /// The model's kind.
        expected: Kind,
        /// The given kind.
        found: Kind,
    },
    /// The value cannot be used (for example an invalid generator state).
    Value {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for StateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateProblem::Missing { key } => write!(f, "missing key `{key}`"),
            StateProblem::Unexpected { key } => write!(f, "unexpected key `{key}`"),
            StateProblem::Shape {
                key,
                expected,
                found,
            } => write!(f, "`{key}` has shape {found:?}, expected {expected:?}"),
            StateProblem::Kind {
                key,
                expected,
                found,
            } => write!(f, "`{key}` has kind {found:?}, expected {expected:?}"),
            StateProblem::Value { key, reason } => write!(f, "`{key}`: {reason}"),
        }
    }
}

/// A state that cannot be loaded, with every problem found.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct StateError {
    /// All differences, in key order.
    pub problems: Vec<StateProblem>,
}

impl StateError {
    /// An error with a single problem.
    pub fn one(problem: StateProblem) -> Self {
        StateError {
            problems: vec![problem],
        }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        write!(
            f,
            "state does not match the model ({} problems",
            self.problems.len()
        )?;
        if self.problems.len() > SHOWN {
            write!(f, ", first {SHOWN} shown")?;
        }
        write!(f, "): ")?;
        for (i, p) in self.problems.iter().take(SHOWN).enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Compares `given` with the model's `expected` state: same key set, shapes and kinds.
///
/// Returns the given tensors by key when they match.
///
/// # Errors
/// Every problem found, sorted by key.
pub fn check_state<'a>(
    expected: &[(String, Tensor)],
    given: &'a [(String, Tensor)],
) -> Result<HashMap<&'a str, &'a Tensor>, StateError> {
    let mut problems = Vec::new();
    let mut by_key: HashMap<&str, &Tensor> = HashMap::new();
    for (k, t) in given {
        if by_key.insert(k.as_str(), t).is_some() {
            problems.push(StateProblem::Value {
                key: k.clone(),
                reason: String::from("key appears twice"),
            });
        }
    }
    let expected_keys: HashMap<&str, &Tensor> =
        expected.iter().map(|(k, t)| (k.as_str(), t)).collect();
    for (k, want) in expected {
        match by_key.get(k.as_str()) {
            None => problems.push(StateProblem::Missing { key: k.clone() }),
            Some(got) => {
                if got.size() != want.size() {
                    problems.push(StateProblem::Shape {
                        key: k.clone(),
                        expected: want.size(),
                        found: got.size(),
                    });
                } else if got.kind() != want.kind() {
                    problems.push(StateProblem::Kind {
                        key: k.clone(),
                        expected: want.kind(),
                        found: got.kind(),
                    });
                }
            }
        }
    }
    for (k, _) in given {
        if !expected_keys.contains_key(k.as_str()) {
            problems.push(StateProblem::Unexpected { key: k.clone() });
        }
    }
    if problems.is_empty() {
        Ok(by_key)
    } else {
        problems.sort_by(|a, b| problem_key(a).cmp(problem_key(b)));
        Err(StateError { problems })
    }
}

fn problem_key(p: &StateProblem) -> &str {
    match p {
        StateProblem::Missing { key }
        | StateProblem::Unexpected { key }
        | StateProblem::Shape { key, .. }
        | StateProblem::Kind { key, .. }
        | StateProblem::Value { key, .. } => key,
    }
}

/// The variables of `vs`, sorted by name, each as `"{prefix}.{name}"` (shallow handles that
/// share storage with the variables).
pub fn var_store_state(vs: &nn::VarStore, prefix: &str) -> Vec<(String, Tensor)> {
    let mut vars: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(k, t)| (format!("{prefix}.{k}"), t))
        .collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

/// The variables of `vs` sorted by name (the order optimisers and EMA updates use).
pub fn sorted_variables(vs: &nn::VarStore) -> Vec<(String, Tensor)> {
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn t(shape: &[i64]) -> Tensor {
        Tensor::zeros(shape, (Kind::Float, Device::Cpu))
    }

    #[test]
    fn reports_every_problem() {
        let expected = vec![
            ("a".to_string(), t(&[2])),
            ("b".to_string(), t(&[3])),
            ("c".to_string(), t(&[1])),
        ];
        let given = [
            ("a".to_string(), t(&[2])),
            ("b".to_string(), t(&[4])),
            (
                "c".to_string(),
                Tensor::zeros([1], (Kind::Int64, Device::Cpu)),
            ),
            ("z".to_string(), t(&[1])),
        ];
        let err = check_state(&expected, &given[..]).unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        let msg = err.to_string();
        assert!(msg.contains("`b` has shape [4], expected [3]"), "{msg}");
        assert!(msg.contains("`c` has kind Int64, expected Float"), "{msg}");
        assert!(msg.contains("unexpected key `z`"), "{msg}");
        let err = check_state(&expected, &given[..1]).unwrap_err();
        assert!(err.to_string().contains("missing key `b`"), "{err}");
        assert!(check_state(&expected, &expected[..]).is_ok());
    }
}
