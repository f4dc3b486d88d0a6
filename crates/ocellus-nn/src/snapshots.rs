//! MENTOR's task-oriented perturbation: keep the parameters of the K best training episodes and
//! sample perturbation targets from their element-wise Gaussian.
//!
//! Paper: Huang et al., "MENTOR: Mixture-of-Experts Network with Task-Oriented Perturbation for
//! Visual Reinforcement Learning", ICML 2025, arXiv 2410.14972.
//!
//! Reference code: suninghuang19/mentor @ f4fa81f:
//!
//! | rule | reference |
//! |---|---|
//! | at every training-episode end, offer (return, deep copy of the networks) | `train_dmc.py::Workspace.train` (`tp_set.add`) |
//! | below capacity K (`tp_set_size` = 10): append; else replace the **first** slot holding the minimum return, only if the new return is **strictly** greater | `utils.py::models_tuple.add` (`episode_reward.index(min(...))`, `>`) |
//! | per parameter: μ = mean over the set, σ = max(std over the set, 1e-7), `std` unbiased (n − 1) | `utils.py::models_tuple.cal_params_stats` (`param.std(dim=0)`, `torch.clamp(min=1e-7)`) |
//! | φ ~ N(μ, σ) element-wise | `utils.py::models_tuple.sample_params` (`pyd.Normal(mean, std).sample()`) |
//! | θ ← α·θ + (1 − α)·φ with DrM's α(β) | `utils.py::perturb` (here [`crate::drm::perturb_where`]) |
//!
//! The reference samples only Linear/Conv weights and biases; a caller reproduces that by
//! interpolating only those names ([`crate::drm::perturb_where`]'s `select`).
//!
//! # Deviations from the reference code
//! 1. **Explicit generator.** φ = μ + σ·z with z from an [`Rng`], drawn parameter by parameter
//!    in name order (the reference draws from torch's global generator).
//! 2. **At least two snapshots.** With one snapshot the unbiased std is NaN in torch (and
//!    `clamp` keeps the NaN); [`SnapshotSet::mean_std`] and [`SnapshotSet::sample`] return an
//!    error instead, and the caller falls back to another target (DrM's fresh initialisation).
//! 3. A non-finite return is refused (the reference would compare NaN as never greater).

use std::collections::BTreeMap;

use tch::{Kind, Tensor};

use crate::error::InputError;
use crate::rng::Rng;
use crate::state::{check_state, StateError, StateProblem};

/// MENTOR's `tp_set_size` K.
pub const TP_SET_SIZE: usize = 10;

/// The floor on the per-element standard deviation (`torch.clamp(std, min=1e-7)`).
pub const SNAPSHOT_STD_MIN: f64 = 1e-7;

/// What [`SnapshotSet::offer`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Appended at this slot (the set was not full).
    Added(usize),
    /// Replaced the worst snapshot at this slot.
    Replaced(usize),
    /// Not kept: the return was not greater than the worst kept one.
    Rejected,
}

/// Up to `capacity` parameter snapshots with the training-episode returns that earned them.
#[derive(Debug)]
pub struct SnapshotSet {
    capacity: usize,
    returns: Vec<f64>,
    snapshots: Vec<Vec<(String, Tensor)>>,
}

impl SnapshotSet {
    /// An empty set keeping at most `capacity` snapshots.
    ///
    /// # Errors
    /// If `capacity` is 0.
    pub fn new(capacity: usize) -> Result<Self, InputError> {
        if capacity == 0 {
            return Err(InputError::Value {
                name: "capacity",
                value: 0.0,
                allowed: "≥ 1",
            });
        }
        Ok(SnapshotSet {
            capacity,
            returns: Vec::new(),
            snapshots: Vec::new(),
        })
    }

    /// The most snapshots kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Snapshots kept.
    pub fn len(&self) -> usize {
        self.returns.len()
    }

    /// Whether no snapshot is kept.
    pub fn is_empty(&self) -> bool {
        self.returns.is_empty()
    }

    /// The returns of the kept snapshots, by slot.
    pub fn returns(&self) -> &[f64] {
        &self.returns
    }

    /// The parameters kept in `slot` (sorted by name), if any.
    pub fn snapshot(&self, slot: usize) -> Option<&[(String, Tensor)]> {
        self.snapshots.get(slot).map(Vec::as_slice)
    }

    /// Offers the parameters `params` that earned `episode_return`; they are copied (detached)
    /// if kept. Below capacity they are appended; at capacity they replace the first slot with
    /// the lowest return if `episode_return` is strictly greater (a tie with the worst is
    /// rejected).
    ///
    /// # Errors
    /// If `episode_return` is not finite, or `params` differ in names, shapes or kinds from the
    /// snapshots already kept; the set is unchanged then.
    pub fn offer(
        &mut self,
        episode_return: f64,
        params: &[(String, Tensor)],
    ) -> Result<Offer, InputError> {
        if !episode_return.is_finite() {
            return Err(InputError::Value {
                name: "episode_return",
                value: episode_return,
                allowed: "finite numbers",
            });
        }
        if let Some(first) = self.snapshots.first() {
            check_state(first, params)?;
        } else {
            // duplicate names are an error even for the first snapshot
            check_state(params, params)?;
        }
        let copy = || {
            let mut c: Vec<(String, Tensor)> = params
                .iter()
                .map(|(k, t)| (k.clone(), t.detach().copy()))
                .collect();
            c.sort_by(|a, b| a.0.cmp(&b.0));
            c
        };
        if self.len() < self.capacity {
            self.returns.push(episode_return);
            self.snapshots.push(copy());
            return Ok(Offer::Added(self.len() - 1));
        }
        // reference: min_idx = episode_reward.index(min(episode_reward)) (first minimum)
        let mut worst = 0;
        for (i, &r) in self.returns.iter().enumerate() {
            if r < self.returns[worst] {
                worst = i;
            }
        }
        if episode_return > self.returns[worst] {
            self.returns[worst] = episode_return;
            self.snapshots[worst] = copy();
            Ok(Offer::Replaced(worst))
        } else {
            Ok(Offer::Rejected)
        }
    }

    /// Per parameter (sorted by name): the element-wise mean and the unbiased standard deviation
    /// over the kept snapshots, the latter clamped to ≥ 1e-7.
    ///
    /// # Errors
    /// If fewer than two snapshots are kept.
    pub fn mean_std(&self) -> Result<Vec<(String, Tensor, Tensor)>, InputError> {
        if self.len() < 2 {
            return Err(InputError::Value {
                name: "snapshots",
                value: self.len() as f64,
                allowed: "at least 2 snapshots for a standard deviation",
            });
        }
        let stats = (0..self.snapshots[0].len())
            .map(|j| {
                let name = self.snapshots[0][j].0.clone();
                let stack = Tensor::stack(
                    &self
                        .snapshots
                        .iter()
                        .map(|s| s[j].1.shallow_clone())
                        .collect::<Vec<_>>(),
                    0,
                );
                let kind = stack.kind();
                // reference: (param.mean(dim=0), torch.clamp(param.std(dim=0), min=1e-7))
                let mean = stack.mean_dim(0, false, kind);
                let std = stack.std_dim(0, true, false).clamp_min(SNAPSHOT_STD_MIN);
                (name, mean, std)
            })
            .collect();
        Ok(stats)
    }

    /// Perturbation targets φ = μ + σ·z, z ~ N(0, 1) element-wise from `rng`, one parameter
    /// after another in name order, on the snapshots' device.
    ///
    /// # Errors
    /// If fewer than two snapshots are kept.
    pub fn sample(&self, rng: &mut Rng) -> Result<Vec<(String, Tensor)>, InputError> {
        Ok(self
            .mean_std()?
            .into_iter()
            .map(|(name, mean, std)| {
                let z = rng
                    .normal_tensor(&mean.size(), mean.device())
                    .to_kind(mean.kind());
                (name, mean + std * z)
            })
            .collect())
    }

    /// The set as named tensors for a checkpoint: `{prefix}.returns` (f64 `[n]`) and
    /// `{prefix}.{slot}.{name}` for every kept parameter.
    pub fn state(&self, prefix: &str) -> Vec<(String, Tensor)> {
        let mut out = vec![(
            format!("{prefix}.returns"),
            Tensor::from_slice(&self.returns),
        )];
        for (slot, snap) in self.snapshots.iter().enumerate() {
            for (name, t) in snap {
                out.push((format!("{prefix}.{slot}.{name}"), t.shallow_clone()));
            }
        }
        out
    }

    /// The set that [`SnapshotSet::state`] wrote under `prefix`, keeping at most `capacity`.
    ///
    /// # Errors
    /// If `capacity` is 0, the returns are missing, not f64 `[n]` or not finite, `n` exceeds
    /// `capacity`, a key does not belong to a slot `0..n`, or the slots differ in names,
    /// shapes or kinds.
    pub fn from_state(
        capacity: usize,
        prefix: &str,
        state: &[(String, Tensor)],
    ) -> Result<Self, InputError> {
        let mut set = SnapshotSet::new(capacity)?;
        let returns_key = format!("{prefix}.returns");
        let value_error = |key: &str, reason: String| {
            InputError::State(StateError::one(StateProblem::Value {
                key: key.to_string(),
                reason,
            }))
        };
        let Some((_, returns)) = state.iter().find(|(k, _)| *k == returns_key) else {
            return Err(InputError::State(StateError::one(StateProblem::Missing {
                key: returns_key,
            })));
        };
        if returns.kind() != Kind::Double || returns.dim() != 1 {
            return Err(value_error(&returns_key, String::from("expected f64 [n]")));
        }
        let returns =
            Vec::<f64>::try_from(returns).map_err(|e| value_error(&returns_key, e.to_string()))?;
        if returns.len() > capacity || returns.iter().any(|r| !r.is_finite()) {
            return Err(value_error(
                &returns_key,
                format!(
                    "{} returns for capacity {capacity}, all finite",
                    returns.len()
                ),
            ));
        }
        let mut slots: BTreeMap<usize, Vec<(String, Tensor)>> = BTreeMap::new();
        let slot_prefix = format!("{prefix}.");
        for (key, t) in state {
            if *key == returns_key {
                continue;
            }
            let parsed = key
                .strip_prefix(&slot_prefix)
                .and_then(|rest| rest.split_once('.'))
                .and_then(|(slot, name)| slot.parse::<usize>().ok().map(|s| (s, name)));
            match parsed {
                Some((slot, name)) if slot < returns.len() => {
                    slots
                        .entry(slot)
                        .or_default()
                        .push((name.to_string(), t.detach().copy()));
                }
                _ => {
                    return Err(InputError::State(StateError::one(
                        StateProblem::Unexpected { key: key.clone() },
                    )))
                }
            }
        }
        for (slot, &r) in returns.iter().enumerate() {
            let params = slots.remove(&slot).unwrap_or_default();
            match set.offer(r, &params) {
                Ok(_) => {}
                Err(InputError::State(e)) => {
                    // name the problems by their checkpoint keys
                    let problems = e
                        .problems
                        .into_iter()
                        .map(|p| {
                            let key = match &p {
                                StateProblem::Missing { key }
                                | StateProblem::Unexpected { key }
                                | StateProblem::Shape { key, .. }
                                | StateProblem::Kind { key, .. }
                                | StateProblem::Value { key, .. } => key.clone(),
                            };
                            StateProblem::Value {
                                key: format!("{prefix}.{slot}.{key}"),
                                reason: format!("differs from slot 0: {p}"),
                            }
                        })
                        .collect();
                    return Err(InputError::State(StateError { problems }));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(w: &[f32], b: f32) -> Vec<(String, Tensor)> {
        vec![
            ("w".to_string(), Tensor::from_slice(w)),
            ("b".to_string(), Tensor::from_slice(&[b])),
        ]
    }

    fn first(t: &Tensor) -> f32 {
        Vec::<f32>::try_from(t).unwrap()[0]
    }

    #[test]
    fn keeps_the_best_returns_and_replaces_the_first_worst() {
        let mut set = SnapshotSet::new(3).unwrap();
        // each snapshot's bias records the return it came with
        let offer =
            |set: &mut SnapshotSet, r: f64| set.offer(r, &params(&[0.0], r as f32)).unwrap();
        assert_eq!(offer(&mut set, 5.0), Offer::Added(0));
        assert_eq!(offer(&mut set, 1.0), Offer::Added(1));
        assert_eq!(offer(&mut set, 3.0), Offer::Added(2));
        // full: [5, 1, 3]; 2 > min 1 → slot 1 → [5, 2, 3]
        assert_eq!(offer(&mut set, 2.0), Offer::Replaced(1));
        assert_eq!(set.returns(), &[5.0, 2.0, 3.0]);
        // a tie with the worst (2) is rejected
        assert_eq!(offer(&mut set, 2.0), Offer::Rejected);
        // so is anything lower
        assert_eq!(offer(&mut set, -7.0), Offer::Rejected);
        // 10 replaces the 2 → [5, 10, 3]; then 4 replaces the 3 → [5, 10, 4]
        assert_eq!(offer(&mut set, 10.0), Offer::Replaced(1));
        assert_eq!(offer(&mut set, 4.0), Offer::Replaced(2));
        assert_eq!(set.returns(), &[5.0, 10.0, 4.0]);
        // the parameters moved with their returns (sorted by name: b, w)
        let slot1 = set.snapshot(1).unwrap();
        assert_eq!(slot1[0].0, "b");
        assert_eq!(first(&slot1[0].1), 10.0);
        // several minima: the first one is replaced
        let mut eq = SnapshotSet::new(3).unwrap();
        for _ in 0..3 {
            offer(&mut eq, 5.0);
        }
        assert_eq!(offer(&mut eq, 6.0), Offer::Replaced(0));
        assert_eq!(offer(&mut eq, 6.0), Offer::Replaced(1));
    }

    #[test]
    fn offers_are_copies_and_must_match() {
        let mut set = SnapshotSet::new(2).unwrap();
        let mut p = params(&[1.0, 2.0], 0.0);
        set.offer(1.0, &p).unwrap();
        // changing the network afterwards does not change the snapshot
        let _ = p[0].1.fill_(9.0);
        assert_eq!(first(&set.snapshot(0).unwrap()[1].1), 1.0);
        assert!(matches!(
            set.offer(2.0, &params(&[1.0], 0.0)),
            Err(InputError::State(_))
        ));
        assert!(set.offer(f64::NAN, &p).is_err());
        assert_eq!(set.len(), 1);
        assert!(SnapshotSet::new(0).is_err());
    }

    fn three() -> SnapshotSet {
        let mut set = SnapshotSet::new(TP_SET_SIZE).unwrap();
        set.offer(1.0, &params(&[1.0, 2.0], 0.0)).unwrap();
        set.offer(2.0, &params(&[3.0, 2.0], 1.0)).unwrap();
        set.offer(3.0, &params(&[5.0, 2.0], 2.0)).unwrap();
        set
    }

    #[test]
    fn mean_and_std_over_three_snapshots() {
        // w: [1, 2], [3, 2], [5, 2] → mean [3, 2];
        //    unbiased var [((−2)² + 0² + 2²)/2, 0] = [4, 0] → std [2, 0] → clamped [2, 1e-7]
        // b: 0, 1, 2 → mean 1; var (1 + 0 + 1)/2 = 1 → std 1
        let stats = three().mean_std().unwrap();
        assert_eq!(stats.len(), 2);
        let (name, mean, std) = &stats[0];
        assert_eq!(name, "b");
        assert_eq!(Vec::<f32>::try_from(mean).unwrap(), vec![1.0]);
        assert_eq!(Vec::<f32>::try_from(std).unwrap(), vec![1.0]);
        let (name, mean, std) = &stats[1];
        assert_eq!(name, "w");
        assert_eq!(Vec::<f32>::try_from(mean).unwrap(), vec![3.0, 2.0]);
        assert_eq!(Vec::<f32>::try_from(std).unwrap(), vec![2.0, 1e-7]);
        // one snapshot has no std
        let mut one = SnapshotSet::new(3).unwrap();
        one.offer(1.0, &params(&[1.0], 0.0)).unwrap();
        assert!(one.mean_std().is_err());
        assert!(one.sample(&mut Rng::new(0, 0)).is_err());
    }

    #[test]
    fn sampling_is_mean_plus_std_times_the_rngs_normals() {
        let set = three();
        let a = set.sample(&mut Rng::new(7, 0)).unwrap();
        let b = set.sample(&mut Rng::new(7, 0)).unwrap();
        for ((ka, ta), (kb, tb)) in a.iter().zip(&b) {
            assert_eq!(ka, kb);
            assert!(ta.equal(tb));
        }
        // the same draws by hand: b first (1 normal), then w (2 normals)
        let mut r = Rng::new(7, 0);
        let zb = r.normal_tensor(&[1], tch::Device::Cpu);
        let zw = r.normal_tensor(&[2], tch::Device::Cpu);
        let want_b = Tensor::from_slice(&[1.0f32]) + Tensor::from_slice(&[1.0f32]) * zb;
        let want_w = Tensor::from_slice(&[3.0f32, 2.0]) + Tensor::from_slice(&[2.0f32, 1e-7]) * zw;
        assert!(a[0].1.equal(&want_b));
        assert!(a[1].1.equal(&want_w));
        // another seed, other targets
        let c = set.sample(&mut Rng::new(8, 0)).unwrap();
        assert!(!c[1].1.equal(&a[1].1));
    }

    #[test]
    fn state_round_trips() {
        let mut set = three();
        let state = set.state("tp");
        assert_eq!(state[0].0, "tp.returns");
        assert!(state.iter().any(|(k, _)| k == "tp.2.w"));
        let mut back = SnapshotSet::from_state(TP_SET_SIZE, "tp", &state).unwrap();
        assert_eq!(back.returns(), set.returns());
        for slot in 0..3 {
            for ((ka, ta), (kb, tb)) in set
                .snapshot(slot)
                .unwrap()
                .iter()
                .zip(back.snapshot(slot).unwrap())
            {
                assert_eq!(ka, kb);
                assert!(ta.equal(tb));
            }
        }
        // both continue identically
        assert_eq!(
            set.offer(0.5, &params(&[0.0, 0.0], 0.0)).unwrap(),
            back.offer(0.5, &params(&[0.0, 0.0], 0.0)).unwrap()
        );
        // a foreign key, a missing slot tensor, too small a capacity
        let mut bad: Vec<(String, Tensor)> = state
            .iter()
            .map(|(k, t)| (k.clone(), t.shallow_clone()))
            .collect();
        bad.push(("tp.9.w".to_string(), Tensor::from_slice(&[0.0f32, 0.0])));
        assert!(SnapshotSet::from_state(TP_SET_SIZE, "tp", &bad).is_err());
        let missing: Vec<_> = state
            .iter()
            .filter(|(k, _)| k != "tp.1.b")
            .map(|(k, t)| (k.clone(), t.shallow_clone()))
            .collect();
        let err = SnapshotSet::from_state(TP_SET_SIZE, "tp", &missing).unwrap_err();
        assert!(err.to_string().contains("tp.1.b"), "{err}");
        assert!(SnapshotSet::from_state(2, "tp", &state).is_err());
        assert!(SnapshotSet::from_state(TP_SET_SIZE, "other", &state).is_err());
    }
}
