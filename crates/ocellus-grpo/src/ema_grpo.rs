//! EMA-GRPO (OneThinker): group mean-centring, scaled by a per-*task* exponential moving average
//! of the reward std instead of the per-group std, with a guard rail falling back to plain GRPO.
//!
//! Source: OneThinker (tulerfeng/OneThinker, snapshot 2025-12-10),
//! `EasyR1/verl/trainer/core_algos.py` l.219-500, as summarised in
//! `shared/research/vlm_anchors.md` §1.7 (the file itself was not re-read for this crate):
//!
//! ```text
//! per task k present in the batch (first batch initialises m1_k, m2_k to the batch values):
//!   m1_k ← d·m1_k + (1−d)·mean(r | task k)        m2_k ← d·m2_k + (1−d)·mean(r² | task k)
//!   σ_k  = sqrt(max(m2_k − m1_k², min_std²))
//! A_{n,g} = (r_{n,g} − mean_g r_n) / (σ_{task(n)} + ε)
//! guard: if any |A| in group n exceeds guard_abs_max, group n uses (r − mean_g)/(pstd_g + ε)
//! ```
//!
//! with `d = 0.99`, `min_std = 1e-3`, `ε = 1e-6`, `guard_abs_max = 5` (the reference's defaults).
//! The EMA is updated with the current batch *before* scaling it. Rationale (notes): the group std
//! up-weights too-easy/too-hard prompts (Dr.GRPO's objection) while no scaling lets tasks with large
//! reward scales dominate; a task-level std balances tasks without per-prompt bias.
//!
//! Layout: rewards `[num_groups, group_size]` as in [`crate::advantage`], one task key per group.
//!
//! Deviations from the reference code:
//! 1. The guard's fallback std is the group's *population* std (as the notes state); whether the
//!    reference adds ε there is UNVERIFIED — we add the same ε.
//! 2. Statistics are kept per process, like the reference (not all-reduced across ranks).
//! 3. Computed on the host in f64 (reward batches are small), returned in the rewards' kind/device.

use std::collections::BTreeMap;

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// Hyper-parameters of [`TaskEmaStd`]; `Default` is the reference's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmaGrpoConfig {
    /// EMA decay `d` in [0, 1) (reference: 0.99).
    pub decay: f64,
    /// Floor on the EMA std, `> 0` (reference: 1e-3).
    pub min_std: f64,
    /// ε added to the std, `>= 0` (reference: 1e-6).
    pub eps: f64,
    /// Guard rail: groups with any `|A| >` this fall back to group-std scaling; `None` disables it
    /// (reference: 5.0).
    pub guard_abs_max: Option<f64>,
}

impl Default for EmaGrpoConfig {
    fn default() -> Self {
        EmaGrpoConfig {
            decay: 0.99,
            min_std: 1e-3,
            eps: 1e-6,
            guard_abs_max: Some(5.0),
        }
    }
}

impl EmaGrpoConfig {
    /// Checks every field, reporting all invalid values at once.
    ///
    /// # Errors
    /// [`GrpoError::Config`] / [`GrpoError::Configs`] naming the fields.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !(self.decay >= 0.0 && self.decay < 1.0) {
            problems.push(GrpoError::config("decay", self.decay, "must be in [0, 1)"));
        }
        if !(self.min_std.is_finite() && self.min_std > 0.0) {
            problems.push(GrpoError::config(
                "min_std",
                self.min_std,
                "must be finite and > 0",
            ));
        }
        if !(self.eps.is_finite() && self.eps >= 0.0) {
            problems.push(GrpoError::config(
                "eps",
                self.eps,
                "must be finite and >= 0",
            ));
        }
        if let Some(g) = self.guard_abs_max {
            if g.is_nan() || g <= 0.0 {
                problems.push(GrpoError::config("guard_abs_max", g, "must be > 0"));
            }
        }
        GrpoError::from_problems(problems)
    }
}

/// Running first and second moments of one task's rewards.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Moments {
    m1: f64,
    m2: f64,
}

/// Advantages from one [`TaskEmaStd::advantages`] call.
#[derive(Debug)]
pub struct EmaAdvantages {
    /// `[num_groups, group_size]` advantages in the rewards' kind and device.
    pub advantages: Tensor,
    /// Indices of the groups the guard rail sent back to group-std scaling (log this count).
    pub guarded_groups: Vec<usize>,
}

/// Per-task EMA reward statistics for EMA-GRPO; one per trainer process, updated every batch.
#[derive(Debug, Clone)]
pub struct TaskEmaStd {
    config: EmaGrpoConfig,
    stats: BTreeMap<String, Moments>,
}

impl TaskEmaStd {
    /// Fresh statistics (no task seen yet).
    ///
    /// # Errors
    /// [`GrpoError::Config`] / [`GrpoError::Configs`] if `config` is invalid.
    pub fn new(config: EmaGrpoConfig) -> Result<Self> {
        config.validate()?;
        Ok(TaskEmaStd {
            config,
            stats: BTreeMap::new(),
        })
    }

    /// The per-task moments `(task, m1, m2)` in task order: the whole state, for a checkpoint.
    pub fn state(&self) -> Vec<(String, f64, f64)> {
        self.stats
            .iter()
            .map(|(k, m)| (k.clone(), m.m1, m.m2))
            .collect()
    }

    /// Statistics restored from [`TaskEmaStd::state`].
    ///
    /// # Errors
    /// [`GrpoError::Config`] for an invalid `config` or a non-finite moment.
    pub fn from_state(config: EmaGrpoConfig, state: &[(String, f64, f64)]) -> Result<Self> {
        let mut ema = TaskEmaStd::new(config)?;
        for (task, m1, m2) in state {
            if !(m1.is_finite() && m2.is_finite()) {
                return Err(GrpoError::config(
                    "ema state",
                    *m1,
                    "moments must be finite",
                ));
            }
            ema.stats.insert(task.clone(), Moments { m1: *m1, m2: *m2 });
        }
        Ok(ema)
    }

    /// The current EMA std `σ_k` of `task`, or `None` if the task has not been seen.
    pub fn std(&self, task: &str) -> Option<f64> {
        self.stats.get(task).map(|m| self.sigma(m))
    }

    fn sigma(&self, m: &Moments) -> f64 {
        (m.m2 - m.m1 * m.m1)
            .max(self.config.min_std * self.config.min_std)
            .sqrt()
    }

    /// Updates the per-task EMA with this batch, then returns the EMA-GRPO advantages.
    ///
    /// `rewards`: `[num_groups, group_size]` floating; `tasks`: one key per group (the reference
    /// keys by `problem_type`).
    ///
    /// # Errors
    /// [`GrpoError`] if `rewards` is not a finite floating 2-D tensor with both dims ≥ 1 or
    /// `tasks.len() != num_groups`. The statistics are unchanged on error.
    pub fn advantages<S: AsRef<str>>(
        &mut self,
        rewards: &Tensor,
        tasks: &[S],
    ) -> Result<EmaAdvantages> {
        check::float("rewards", rewards)?;
        let (num_groups, group_size) = check::dims2("rewards", rewards)?;
        if num_groups == 0 || group_size == 0 {
            return Err(GrpoError::Shape {
                name: "rewards",
                got: vec![num_groups, group_size],
                expected: "[num_groups >= 1, group_size >= 1]".into(),
            });
        }
        check::finite("rewards", rewards)?;
        if tasks.len() as i64 != num_groups {
            return Err(GrpoError::Shape {
                name: "tasks",
                got: vec![tasks.len() as i64],
                expected: format!("one task per group: [{num_groups}]"),
            });
        }
        let g = group_size as usize;
        let r: Vec<f64> = Vec::<f64>::try_from(rewards.f_to_kind(Kind::Double)?.f_reshape([-1])?)?;
        let groups: Vec<&[f64]> = r.chunks(g).collect();

        // 1. Update each task's EMA with this batch's moments ("seen itself" before scaling).
        let mut batch: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
        for (group, task) in groups.iter().zip(tasks) {
            let e = batch.entry(task.as_ref()).or_insert((0.0, 0.0, 0));
            e.0 += group.iter().sum::<f64>();
            e.1 += group.iter().map(|x| x * x).sum::<f64>();
            e.2 += group.len();
        }
        let d = self.config.decay;
        for (task, (sum, sum_sq, n)) in batch {
            let (mean, mean_sq) = (sum / n as f64, sum_sq / n as f64);
            self.stats
                .entry(task.to_owned())
                .and_modify(|m| {
                    m.m1 = d * m.m1 + (1.0 - d) * mean;
                    m.m2 = d * m.m2 + (1.0 - d) * mean_sq;
                })
                .or_insert(Moments {
                    m1: mean,
                    m2: mean_sq,
                });
        }

        // 2. Centre per group, scale by the task's EMA std; guard rail per group.
        let eps = self.config.eps;
        let mut adv = Vec::with_capacity(r.len());
        let mut guarded_groups = Vec::new();
        for (n, (group, task)) in groups.iter().zip(tasks).enumerate() {
            let mean = group.iter().sum::<f64>() / g as f64;
            let sigma = self.sigma(&self.stats[task.as_ref()]);
            let scaled: Vec<f64> = group.iter().map(|x| (x - mean) / (sigma + eps)).collect();
            let tripped = self
                .config
                .guard_abs_max
                .is_some_and(|max| scaled.iter().any(|a| a.abs() > max));
            if tripped {
                let pstd =
                    (group.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / g as f64).sqrt();
                adv.extend(group.iter().map(|x| (x - mean) / (pstd + eps)));
                guarded_groups.push(n);
            } else {
                adv.extend(scaled);
            }
        }
        let advantages = Tensor::f_from_slice(&adv)?
            .f_reshape([num_groups, group_size])?
            .f_to_kind(rewards.kind())?
            .f_to_device(rewards.device())?;
        Ok(EmaAdvantages {
            advantages,
            guarded_groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewards(rows: &[&[f64]]) -> Tensor {
        let flat: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_slice(&flat).reshape([rows.len() as i64, rows[0].len() as i64])
    }

    #[test]
    fn first_batch_initialises_then_ema_updates() {
        let mut ema = TaskEmaStd::new(EmaGrpoConfig {
            decay: 0.5,
            ..Default::default()
        })
        .unwrap();
        // Task "iou": rewards 0, 1, 0, 1 → mean 0.5, mean sq 0.5 → σ = sqrt(0.5 − 0.25) = 0.5.
        let out = ema
            .advantages(&rewards(&[&[0.0, 1.0], &[0.0, 1.0]]), &["iou", "iou"])
            .unwrap();
        assert!((ema.std("iou").unwrap() - 0.5).abs() < 1e-12);
        let a = Vec::<f64>::try_from(out.advantages.reshape([-1])).unwrap();
        let v = 0.5 / (0.5 + 1e-6);
        for (x, y) in a.iter().zip([-v, v, -v, v]) {
            assert!((x - y).abs() < 1e-12);
        }
        assert!(out.guarded_groups.is_empty());
        // Second batch all 1: batch mean 1, mean sq 1 → m1 = 0.75, m2 = 0.75 → σ² = 0.1875.
        ema.advantages(&rewards(&[&[1.0, 1.0]]), &["iou"]).unwrap();
        assert!((ema.std("iou").unwrap() - 0.1875f64.sqrt()).abs() < 1e-12);
        assert_eq!(ema.std("count"), None);
    }

    #[test]
    fn min_std_floor_and_guard_rail() {
        let cfg = EmaGrpoConfig {
            decay: 0.99,
            min_std: 1e-3,
            eps: 1e-6,
            guard_abs_max: Some(5.0),
        };
        let mut ema = TaskEmaStd::new(cfg).unwrap();
        // Task "a" has only 0s in batch 1: σ = min_std.
        ema.advantages(&rewards(&[&[0.0, 0.0]]), &["a"]).unwrap();
        assert!((ema.std("a").unwrap() - 1e-3).abs() < 1e-15);
        // Batch 2: group [0, 1] under a tiny σ gives |A| ≫ 5 → falls back to (r − 0.5)/(0.5 + ε).
        let out = ema.advantages(&rewards(&[&[0.0, 1.0]]), &["a"]).unwrap();
        assert_eq!(out.guarded_groups, vec![0]);
        let a = Vec::<f64>::try_from(out.advantages.reshape([-1])).unwrap();
        let v = 0.5 / (0.5 + 1e-6);
        assert!((a[0] + v).abs() < 1e-12 && (a[1] - v).abs() < 1e-12);
    }

    #[test]
    fn tasks_are_separate_and_errors_leave_state() {
        let mut ema = TaskEmaStd::new(EmaGrpoConfig::default()).unwrap();
        ema.advantages(&rewards(&[&[0.0, 1.0], &[0.0, 10.0]]), &["acc", "rouge"])
            .unwrap();
        assert!((ema.std("acc").unwrap() - 0.5).abs() < 1e-12);
        assert!((ema.std("rouge").unwrap() - 5.0).abs() < 1e-12);
        let err = ema.advantages(&rewards(&[&[0.0, 1.0]]), &["acc", "rouge"]);
        assert!(matches!(err, Err(GrpoError::Shape { name: "tasks", .. })));
        assert!((ema.std("acc").unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn config_errors_name_all_fields() {
        let bad = EmaGrpoConfig {
            decay: 1.0,
            min_std: 0.0,
            eps: -1.0,
            guard_abs_max: Some(0.0),
        };
        match TaskEmaStd::new(bad) {
            Err(GrpoError::Configs(errors)) => assert_eq!(errors.len(), 4),
            other => panic!("expected 4 config errors, got {other:?}"),
        }
    }
}
