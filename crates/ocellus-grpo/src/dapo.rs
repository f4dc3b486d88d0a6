//! DAPO's data-side tricks: dynamic sampling (drop groups whose rewards are all equal) and soft
//! overlong punishment (a length penalty over the last `L_cache` tokens of the budget).
//!
//! Paper: Yu et al. 2025, "DAPO: An Open-Source LLM Reinforcement Learning System at Scale",
//! arXiv 2503.14476 — Eq. (11) (dynamic sampling constraint `0 < |{o_i : is_equivalent(a, o_i)}| < G`)
//! and Eq. (13) (soft overlong punishment):
//!
//! ```text
//! R_length(y) = 0                               if |y| ≤ L_max − L_cache
//!             = ((L_max − L_cache) − |y|)/L_cache  if L_max − L_cache < |y| ≤ L_max
//!             = −1                              if |y| > L_max
//! ```
//!
//! Reference code matched: verl `docs/algo/dapo.md` and its DAPO reward manager (volcengine/verl,
//! snapshot 2026-01-29): `exceed = |y| − (L_max − L_cache)`,
//! `R = min(−exceed / L_cache · penalty_factor, 0)`, added to the task reward; and
//! `algorithm.filter_groups` keeping a prompt when the std of its metric is > 0 or it has a single
//! response. (The exact wording of the paper's Eq. (13) was not re-read: UNVERIFIED wording, same
//! values as the code for `|y| ≤ L_max`.)
//!
//! Deviations from the reference code:
//! 1. "All equal" is tested exactly (`max == min` per group) instead of `np.std(...) > 0`, which can
//!    be a tiny non-zero number for equal floats after the mean's rounding.
//! 2. For `|y| > L_max` the penalty is `−penalty_factor` (the paper's cap, scaled), where verl's
//!    formula keeps growing linearly; generation normally stops at `L_max`, so this rarely differs.
//! 3. Re-sampling until the batch is full (`max_num_gen_batches`) is the trainer's loop; here is only
//!    the pure filter.

use tch::{Kind, Tensor};

use crate::check;
use crate::error::{GrpoError, Result};

/// Indices of the groups (rows of `rewards: [num_groups, group_size]`) DAPO keeps: those whose
/// rewards are not all equal, plus every group when `group_size == 1` (verl keeps singletons).
///
/// Keep the rows with `rewards.index_select(0, &Tensor::from_slice(&kept))` (and the same rows of
/// every per-group tensor). The metric can be the scalar reward or accuracy, as verl's
/// `filter_groups.metric`.
///
/// # Errors
/// [`GrpoError`] if `rewards` is not a 2-D floating tensor with finite values.
///
/// ```
/// use ocellus_grpo::dapo_keep_groups;
/// use tch::Tensor;
/// let r = Tensor::from_slice(&[1.0f64, 1.0, 0.0, 1.0, 0.0, 0.0]).reshape([3, 2]);
/// assert_eq!(dapo_keep_groups(&r).unwrap(), vec![1]);
/// ```
pub fn dapo_keep_groups(rewards: &Tensor) -> Result<Vec<i64>> {
    check::float("rewards", rewards)?;
    let (num_groups, group_size) = check::dims2("rewards", rewards)?;
    check::finite("rewards", rewards)?;
    if group_size <= 1 {
        return Ok((0..num_groups).collect());
    }
    // Eq. (11): keep a group iff not every response got the same reward.
    let max = rewards.f_amax(1, false)?;
    let min = rewards.f_amin(1, false)?;
    let varied = Vec::<bool>::try_from(max.f_ne_tensor(&min)?)?;
    Ok(varied
        .iter()
        .enumerate()
        .filter(|(_, &v)| v)
        .map(|(i, _)| i as i64)
        .collect())
}

/// DAPO soft overlong punishment (Eq. (13), scaled by `penalty_factor` as in verl).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverlongShaping {
    max_len: usize,
    cache_len: usize,
    penalty_factor: f64,
}

impl OverlongShaping {
    /// `max_len` = `L_max` (the generation budget), `cache_len` = `L_cache` (the soft zone at its
    /// end, `1 ≤ L_cache ≤ L_max`), `penalty_factor` ≥ 0 (the penalty at `|y| = L_max`; 1 in the
    /// paper). DAPO's reproduction: `L_max = 20480`, `L_cache = 4096`.
    ///
    /// # Errors
    /// [`GrpoError::Config`] / [`GrpoError::Configs`] naming each invalid value.
    pub fn new(max_len: usize, cache_len: usize, penalty_factor: f64) -> Result<Self> {
        let mut problems = Vec::new();
        if cache_len == 0 || cache_len > max_len {
            problems.push(GrpoError::config(
                "cache_len",
                cache_len,
                "must be in [1, max_len]",
            ));
        }
        if !(penalty_factor.is_finite() && penalty_factor >= 0.0) {
            problems.push(GrpoError::config(
                "penalty_factor",
                penalty_factor,
                "must be finite and >= 0",
            ));
        }
        GrpoError::from_problems(problems)?;
        Ok(OverlongShaping {
            max_len,
            cache_len,
            penalty_factor,
        })
    }

    /// The (non-positive) length reward for a response of `response_len` tokens; add it to the task
    /// reward before computing advantages.
    pub fn penalty(&self, response_len: usize) -> f64 {
        let expected_len = self.max_len - self.cache_len; // L_max − L_cache
        if response_len <= expected_len {
            0.0
        } else if response_len <= self.max_len {
            // ((L_max − L_cache) − |y|) / L_cache, scaled.
            -((response_len - expected_len) as f64) / self.cache_len as f64 * self.penalty_factor
        } else {
            -self.penalty_factor
        }
    }

    /// [`OverlongShaping::penalty`] for every entry of an integer `lengths` tensor (any shape);
    /// returns f64 penalties of the same shape.
    ///
    /// # Errors
    /// [`GrpoError::Input`] if `lengths` is not an integer tensor or holds a negative length.
    pub fn penalties(&self, lengths: &Tensor) -> Result<Tensor> {
        let kind = lengths.f_kind()?;
        if !matches!(
            kind,
            Kind::Int64 | Kind::Int | Kind::Int16 | Kind::Int8 | Kind::Uint8
        ) {
            return Err(GrpoError::input(
                "lengths",
                format!("expected an integer tensor, got {kind:?}"),
            ));
        }
        let flat = Vec::<i64>::try_from(lengths.f_to_kind(Kind::Int64)?.f_reshape([-1])?)?;
        let mut out = Vec::with_capacity(flat.len());
        for len in flat {
            let len = usize::try_from(len)
                .map_err(|_| GrpoError::input("lengths", format!("negative length {len}")))?;
            out.push(self.penalty(len));
        }
        Ok(Tensor::f_from_slice(&out)?
            .f_reshape(lengths.size())?
            .f_to_device(lengths.device())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_drops_all_equal_groups() {
        let r = Tensor::from_slice(&[
            1.0f64, 1.0, 1.0, 0.0, 1.0, 0.0, 0.3, 0.3, 0.3, 0.1, 0.1, 0.2,
        ])
        .reshape([4, 3]);
        assert_eq!(dapo_keep_groups(&r).unwrap(), vec![1, 3]);
        let singletons = Tensor::from_slice(&[1.0f64, 1.0]).reshape([2, 1]);
        assert_eq!(dapo_keep_groups(&singletons).unwrap(), vec![0, 1]);
        let ints = Tensor::from_slice(&[1i64, 1]).reshape([1, 2]);
        assert!(dapo_keep_groups(&ints).is_err());
    }

    #[test]
    fn overlong_penalty_values() {
        // L_max = 20, L_cache = 4: no penalty up to 16, linear to −1 at 20, −1 beyond.
        let s = OverlongShaping::new(20, 4, 1.0).unwrap();
        assert_eq!(s.penalty(10), 0.0);
        assert_eq!(s.penalty(16), 0.0);
        assert_eq!(s.penalty(17), -0.25);
        assert_eq!(s.penalty(18), -0.5);
        assert_eq!(s.penalty(20), -1.0);
        assert_eq!(s.penalty(25), -1.0);
        // DAPO reproduction numbers, penalty factor 0.5: |y| = 18432 is half way through the cache.
        let dapo = OverlongShaping::new(20480, 4096, 0.5).unwrap();
        assert_eq!(dapo.penalty(18432), -0.25);
        let lens = Tensor::from_slice(&[10i64, 17, 20, 18]).reshape([2, 2]);
        let p = s.penalties(&lens).unwrap();
        assert_eq!(p.size(), vec![2, 2]);
        assert_eq!(
            Vec::<f64>::try_from(p.reshape([-1])).unwrap(),
            vec![0.0, -0.25, -1.0, -0.5]
        );
    }

    #[test]
    fn overlong_config_errors() {
        assert!(matches!(
            OverlongShaping::new(10, 0, 1.0),
            Err(GrpoError::Config {
                field: "cache_len",
                ..
            })
        ));
        assert!(
            matches!(OverlongShaping::new(10, 11, -1.0), Err(GrpoError::Configs(e)) if e.len() == 2)
        );
        let s = OverlongShaping::new(10, 2, 1.0).unwrap();
        assert!(s.penalties(&Tensor::from_slice(&[-1i64])).is_err());
        assert!(s.penalties(&Tensor::from_slice(&[1.0f64])).is_err());
    }
}
